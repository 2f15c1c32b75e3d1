//! The Probability of Backtest Overfitting by combinatorially symmetric
//! cross-validation (CSCV; Bailey, Borwein, López de Prado & Zhu, "The
//! Probability of Backtest Overfitting", Journal of Computational Finance
//! 20(4), 2017; working paper 2015).
//!
//! Given the per-period returns of N trials over the same T periods:
//!
//! 1. cut the T periods into S contiguous blocks of (nearly) equal size,
//!    S even;
//! 2. for each of the C(S, S/2) ways to pick S/2 blocks as the in-sample
//!    set (the other half is out-of-sample), find the trial n* with the
//!    best in-sample performance (here the per-period Sharpe ratio);
//! 3. take n*'s relative rank in the out-of-sample performances,
//!    ω = rank / (N + 1) with rank 1 the worst and N the best (ties count
//!    half), and its logit λ = ln(ω / (1 − ω));
//! 4. PBO = the share of combinations with λ ≤ 0: how often the in-sample
//!    winner does no better than the median trial out of sample.
//!
//! Pure noise gives PBO ≈ 0.5; a trial that is genuinely best everywhere
//! gives 0; a selection whose in-sample edge reverses gives more than 0.5.

use crate::error::OptimizeError;
use crate::moments::sharpe_of;
use rayon::prelude::*;
use serde::Serialize;
use std::cmp::Ordering;

/// Most blocks accepted: C(20, 10) = 184,756 combinations.
pub const MAX_BLOCKS: usize = 20;

/// The PBO and what it was computed from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pbo {
    pub value: f64,
    pub blocks: usize,
    pub combinations: usize,
    pub trials: usize,
    pub observations: usize,
    /// Median of the logits λ: below 0 when the IS winner is usually below
    /// the OOS median.
    pub median_logit: f64,
}

/// Σx, Σx² and the count of one trial's returns in one block.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    s1: f64,
    s2: f64,
    n: usize,
}

impl Sums {
    fn add(&mut self, o: &Sums) {
        self.s1 += o.s1;
        self.s2 += o.s2;
        self.n += o.n;
    }

    /// Per-period Sharpe ratio of the pooled returns.
    fn sharpe(&self) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        let n = self.n as f64;
        let mean = self.s1 / n;
        let var = ((self.s2 - n * mean * mean) / (n - 1.0)).max(0.0);
        // Round-off leaves a flat series a tiny variance; call it flat.
        let std = if var <= 1e-30 { 0.0 } else { var.sqrt() };
        sharpe_of(mean, std)
    }
}

/// The PBO of `returns` (one row per trial, all rows of one length) with
/// `blocks` blocks. Needs at least two trials, an even number of blocks in
/// 2..=[`MAX_BLOCKS`], and at least two returns per block.
pub fn pbo<R: AsRef<[f64]>>(returns: &[R], blocks: usize) -> Result<Pbo, OptimizeError> {
    let err = |s: String| Err(OptimizeError::Statistics(format!("PBO: {s}")));
    let trials = returns.len();
    if trials < 2 {
        return err(format!("needs at least two trials, got {trials}"));
    }
    let t = returns[0].as_ref().len();
    if returns.iter().any(|r| r.as_ref().len() != t) {
        return err("the trials' return series differ in length".into());
    }
    if blocks < 2 || !blocks.is_multiple_of(2) || blocks > MAX_BLOCKS {
        return err(format!(
            "the block count must be even, from 2 to {MAX_BLOCKS}; got {blocks}"
        ));
    }
    if t < 2 * blocks {
        return err(format!(
            "{t} returns are too few for {blocks} blocks of at least two"
        ));
    }
    // sums[trial][block]; block b holds periods [b·T/S, (b+1)·T/S).
    let sums: Vec<Vec<Sums>> = returns
        .iter()
        .map(|row| {
            let row = row.as_ref();
            (0..blocks)
                .map(|b| {
                    let part = &row[b * t / blocks..(b + 1) * t / blocks];
                    Sums {
                        s1: part.iter().sum(),
                        s2: part.iter().map(|x| x * x).sum(),
                        n: part.len(),
                    }
                })
                .collect()
        })
        .collect();
    let half = blocks / 2;
    let masks: Vec<u32> = (0u32..(1 << blocks))
        .filter(|m| m.count_ones() as usize == half)
        .collect();
    let logits: Vec<f64> = masks
        .par_iter()
        .map(|&mask| logit_of(&sums, mask))
        .collect();
    let overfit = logits.iter().filter(|l| **l <= 0.0).count();
    let mut sorted = logits.clone();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    let median_logit = if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    };
    Ok(Pbo {
        value: overfit as f64 / logits.len() as f64,
        blocks,
        combinations: logits.len(),
        trials,
        observations: t,
        median_logit,
    })
}

/// λ for the split whose in-sample blocks are the set bits of `mask`.
fn logit_of(sums: &[Vec<Sums>], mask: u32) -> f64 {
    let perf: Vec<(f64, f64)> = sums
        .iter()
        .map(|row| {
            let (mut is, mut oos) = (Sums::default(), Sums::default());
            for (b, s) in row.iter().enumerate() {
                if mask & (1 << b) != 0 {
                    is.add(s);
                } else {
                    oos.add(s);
                }
            }
            (is.sharpe(), oos.sharpe())
        })
        .collect();
    // The in-sample winner; ties go to the lowest index.
    let mut best = 0;
    for (i, p) in perf.iter().enumerate() {
        if p.0.total_cmp(&perf[best].0) == Ordering::Greater {
            best = i;
        }
    }
    let target = perf[best].1;
    let (mut below, mut equal) = (0usize, 0usize);
    for (i, p) in perf.iter().enumerate() {
        match p.1.total_cmp(&target) {
            Ordering::Less => below += 1,
            Ordering::Equal if i != best => equal += 1,
            _ => {}
        }
    }
    let rank = 1.0 + below as f64 + equal as f64 / 2.0;
    let omega = rank / (perf.len() as f64 + 1.0);
    (omega / (1.0 - omega)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two trials, four periods, two blocks: the splits are IS = block 0
    /// and IS = block 1. Trial 0 returns (1, 2 | −1, −3), trial 1
    /// (0, 1 | 1, 2); per-block Sharpe ratios (sample std):
    /// trial 0: 1.5/0.7071 = 2.121 | −2/1.4142 = −1.414,
    /// trial 1: 0.5/0.7071 = 0.707 | 1.5/0.7071 = 2.121.
    /// IS = block 0: trial 0 wins (2.121 > 0.707), OOS it has −1.414 against
    /// 2.121, rank 1 of 2, ω = 1/3, λ = ln(1/2) < 0.
    /// IS = block 1: trial 1 wins (2.121 > −1.414), OOS it has 0.707 against
    /// 2.121, rank 1 again, λ = ln(1/2). PBO = 2/2 = 1.
    #[test]
    fn two_by_two_hand_computed() {
        let r = vec![vec![1.0, 2.0, -1.0, -3.0], vec![0.0, 1.0, 1.0, 2.0]];
        let p = pbo(&r, 2).unwrap();
        assert_eq!(p.combinations, 2);
        assert_eq!(p.value, 1.0);
        assert!((p.median_logit - 0.5f64.ln()).abs() < 1e-12);
    }

    /// A trial that dominates every block is never overfit: PBO = 0, and
    /// its logit is ln(N / 1) with rank N of N.
    #[test]
    fn a_dominant_trial_gives_zero() {
        let mut rows = Vec::new();
        for k in 0..5 {
            let row: Vec<f64> = (0..40)
                .map(|t| 0.001 * k as f64 + if t % 2 == 0 { 0.01 } else { -0.01 })
                .collect();
            rows.push(row);
        }
        let p = pbo(&rows, 4).unwrap();
        assert_eq!(p.combinations, 6);
        assert_eq!(p.value, 0.0);
        assert!((p.median_logit - 5f64.ln()).abs() < 1e-9);
    }

    /// An edge that reverses (good first half, bad second half for the
    /// winners) is overfit in every split that puts the good half in sample.
    #[test]
    fn a_reversing_edge_gives_more_than_half() {
        let rows: Vec<Vec<f64>> = (0..6)
            .map(|k| {
                let edge = 0.002 * k as f64;
                (0..64)
                    .map(|t| {
                        let noise = if (t * 7 + k) % 3 == 0 { 0.01 } else { -0.005 };
                        noise + if t < 32 { edge } else { -edge }
                    })
                    .collect()
            })
            .collect();
        let p = pbo(&rows, 8).unwrap();
        assert_eq!(p.combinations, 70);
        assert!(p.value > 0.5, "{}", p.value);
    }

    #[test]
    fn bad_shapes_are_errors() {
        let row = vec![0.0; 40];
        assert!(pbo(std::slice::from_ref(&row), 4).is_err());
        assert!(pbo(&[row.clone(), vec![0.0; 39]], 4).is_err());
        assert!(pbo(&[row.clone(), row.clone()], 3).is_err());
        assert!(pbo(&[row.clone(), row.clone()], 22).is_err());
        assert!(pbo(&[row.clone(), row.clone()], 20).is_ok());
        assert!(pbo(&[row.clone(), row], 0).is_err());
    }
}
