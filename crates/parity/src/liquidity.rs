//! `liquidity` (reference spec §6): pools of swing highs (or lows) within a
//! band of each other, with the row where price swept the pool. The band is
//! a fraction of the whole series' range — global, hence lookahead — and all
//! four columns are float32, as in the reference.

use crate::first_cross::FirstAtOrBelow;
use crate::frame::{Frame, Values};
use crate::input::Ohlc;
use crate::swings::Swings;

pub fn liquidity(input: &Ohlc, swings: &Swings, range_percent: f64) -> Frame {
    let n = input.len();
    let max_high = input
        .high
        .iter()
        .copied()
        .filter(|x| !x.is_nan())
        .fold(f64::NEG_INFINITY, f64::max);
    let min_low = input
        .low
        .iter()
        .copied()
        .filter(|x| !x.is_nan())
        .fold(f64::INFINITY, f64::min);
    let band = (max_high - min_low) * range_percent;
    let mut out = Columns {
        liquidity: vec![f32::NAN; n],
        level: vec![f32::NAN; n],
        end: vec![f32::NAN; n],
        swept: vec![f32::NAN; n],
    };
    for dir in [1i8, -1] {
        let rows: Vec<usize> = swings
            .points()
            .filter(|p| p.1 == dir)
            .map(|p| p.0)
            .collect();
        let sweeps = sweep_rows(input, swings, &rows, dir, band);
        pools(swings, &rows, &sweeps, dir, band, &mut out);
    }
    Frame::default()
        .with("Liquidity", Values::F32(out.liquidity))
        .with("Level", Values::F32(out.level))
        .with("End", Values::F32(out.end))
        .with("Swept", Values::F32(out.swept))
}

struct Columns {
    liquidity: Vec<f32>,
    level: Vec<f32>,
    end: Vec<f32>,
    swept: Vec<f32>,
}

/// §6.2: for each swing i, the first j > i whose high reaches `level + band`
/// (lows: `low <= level - band`); 0 if none.
fn sweep_rows(input: &Ohlc, swings: &Swings, rows: &[usize], dir: i8, band: f64) -> Vec<usize> {
    let n = input.len();
    let mut stack = FirstAtOrBelow::with_capacity(n);
    let mut out = vec![0; rows.len()];
    let mut k = rows.len();
    for s in (0..n).rev() {
        // Rows are answered before s is pushed, so the search starts at i+1.
        while k > 0 && rows[k - 1] >= s {
            k -= 1;
            let level = swings.level[rows[k]];
            out[k] = if dir == 1 {
                stack.first(-(level + band), false)
            } else {
                stack.first(level - band, false)
            }
            .unwrap_or(0);
        }
        stack.push(
            s,
            if dir == 1 {
                -input.high[s]
            } else {
                input.low[s]
            },
        );
    }
    out
}

/// §6.2–6.3: groups of unconsumed swings within the band, scanned up to the
/// sweep; a group of two or more is a pool on its first swing's row.
fn pools(swings: &Swings, rows: &[usize], sweeps: &[usize], dir: i8, band: f64, out: &mut Columns) {
    let mut consumed = vec![false; rows.len()];
    for (a, &i) in rows.iter().enumerate() {
        if consumed[a] {
            continue;
        }
        let level = swings.level[i];
        let (low, high) = (level - band, level + band);
        let swept = sweeps[a];
        let mut sum = level;
        let mut count = 1usize;
        let mut end = i;
        for (b, &j) in rows.iter().enumerate().skip(a + 1) {
            if swept != 0 && j >= swept {
                break;
            }
            let lj = swings.level[j];
            if !consumed[b] && low <= lj && lj <= high {
                consumed[b] = true;
                sum += lj;
                count += 1;
                end = j;
            }
        }
        if count >= 2 {
            out.liquidity[i] = f32::from(dir);
            out.level[i] = (sum / count as f64) as f32;
            out.end[i] = end as f32;
            out.swept[i] = swept as f32;
        }
    }
}
