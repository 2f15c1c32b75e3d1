//! The search space: every parameter set of a grid, or a seeded random
//! sample of the specs. Both give a list in a fixed order, and a trial is
//! its index in that list everywhere else in the crate.

use crate::error::OptimizeError;
use crate::param::{Domain, MAX_EXPANDED, ParamSet, ParamSpec, Value};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use std::collections::HashSet;

/// Largest grid accepted; each set is backtested once per window.
pub const MAX_GRID: usize = 100_000;

/// Grid or random search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Search {
    /// Every combination of the listed values.
    Grid,
    /// `samples` draws (duplicates dropped) from a ChaCha8 stream seeded by `seed`.
    Random { samples: usize, seed: u64 },
}

/// The parameter sets to try, in a deterministic order. With no spec the
/// one trial is the strategy's defaults.
pub fn trials(specs: &[ParamSpec], search: Search) -> Result<Vec<ParamSet>, OptimizeError> {
    match search {
        Search::Grid => grid(specs),
        Search::Random { samples, seed } => random(specs, samples, seed),
    }
}

/// The cartesian product, the last spec varying fastest.
fn grid(specs: &[ParamSpec]) -> Result<Vec<ParamSet>, OptimizeError> {
    let mut axes: Vec<Vec<Value>> = Vec::with_capacity(specs.len());
    for spec in specs {
        axes.push(match &spec.domain {
            Domain::List(values) => values.clone(),
            Domain::IntRange { lo, hi } => {
                let count =
                    usize::try_from((*hi as i128 - *lo as i128 + 1).max(0)).unwrap_or(usize::MAX);
                if count > MAX_EXPANDED {
                    return Err(OptimizeError::GridTooLarge {
                        size: count as u128,
                        limit: MAX_GRID,
                    });
                }
                (*lo..=*hi).map(Value::Int).collect()
            }
            Domain::DecRange { .. } => {
                return Err(OptimizeError::GridNeedsList {
                    name: spec.name.clone(),
                });
            }
        });
    }
    let size = axes.iter().map(|a| a.len() as u128).product::<u128>();
    if size > MAX_GRID as u128 {
        return Err(OptimizeError::GridTooLarge {
            size,
            limit: MAX_GRID,
        });
    }
    let mut out: Vec<ParamSet> = Vec::with_capacity(size as usize);
    let mut index = vec![0usize; axes.len()];
    for _ in 0..size {
        out.push(ParamSet {
            values: specs
                .iter()
                .zip(&axes)
                .zip(&index)
                .map(|((s, axis), &i)| (s.name.clone(), axis[i].clone()))
                .collect(),
        });
        // Odometer increment, last axis fastest.
        for d in (0..axes.len()).rev() {
            index[d] += 1;
            if index[d] < axes[d].len() {
                break;
            }
            index[d] = 0;
        }
    }
    Ok(out)
}

/// `samples` distinct sets. Draws repeat the specs in order, so the same
/// seed and specs always give the same list; a duplicate is dropped and
/// drawing stops after 20 × `samples` attempts (a small finite space).
fn random(specs: &[ParamSpec], samples: usize, seed: u64) -> Result<Vec<ParamSet>, OptimizeError> {
    if samples == 0 {
        return Err(OptimizeError::NoTrials);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut seen: HashSet<ParamSet> = HashSet::new();
    let mut out = Vec::with_capacity(samples);
    let mut attempts = 0usize;
    while out.len() < samples && attempts < samples.saturating_mul(20) {
        attempts += 1;
        let set = ParamSet {
            values: specs
                .iter()
                .map(|s| (s.name.clone(), draw(&s.domain, &mut rng)))
                .collect(),
        };
        if seen.insert(set.clone()) {
            out.push(set);
        }
    }
    Ok(out)
}

/// One value of `domain`, uniformly.
fn draw(domain: &Domain, rng: &mut ChaCha8Rng) -> Value {
    match domain {
        Domain::List(values) => values[rng.random_range(0..values.len())].clone(),
        Domain::IntRange { lo, hi } => Value::Int(rng.random_range(*lo..=*hi)),
        Domain::DecRange { lo, hi, dp } => {
            // Uniform on the grid of `dp`-place decimals in [lo, hi]: exact,
            // and both bounds reachable.
            let unit = Decimal::new(1, *dp);
            let steps = ((*hi - *lo) / unit).floor();
            let steps = i64::try_from(steps).unwrap_or(i64::MAX);
            let k = rng.random_range(0..=steps);
            Value::Dec((*lo + Decimal::from(k) * unit).normalize())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::param::parse_specs;
    use rust_decimal::dec;

    #[test]
    fn grid_is_the_cartesian_product_last_fastest() {
        let specs = parse_specs(&["a=1,2", "b=x,y,z"]).unwrap();
        let sets = trials(&specs, Search::Grid).unwrap();
        let shown: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            shown,
            [
                "a=1 b=x", "a=1 b=y", "a=1 b=z", "a=2 b=x", "a=2 b=y", "a=2 b=z"
            ]
        );
    }

    #[test]
    fn grid_without_specs_is_one_default_trial() {
        let sets = trials(&[], Search::Grid).unwrap();
        assert_eq!(sets, vec![ParamSet::default()]);
    }

    #[test]
    fn grid_refuses_continuous_ranges_and_huge_products() {
        let specs = parse_specs(&["r=0.5..2.0"]).unwrap();
        assert!(matches!(
            trials(&specs, Search::Grid),
            Err(OptimizeError::GridNeedsList { .. })
        ));
        let specs = parse_specs(&["a=1..1000", "b=1..1000"]).unwrap();
        assert!(matches!(
            trials(&specs, Search::Grid),
            Err(OptimizeError::GridTooLarge { .. })
        ));
        let specs = parse_specs(&["a=1..3"]).unwrap();
        assert_eq!(trials(&specs, Search::Grid).unwrap().len(), 3);
    }

    #[test]
    fn random_is_seeded_distinct_and_in_range() {
        let specs = parse_specs(&["r=0.5..2.0", "n=5..50", "t=1h,4h"]).unwrap();
        let search = Search::Random {
            samples: 50,
            seed: 7,
        };
        let a = trials(&specs, search).unwrap();
        let b = trials(&specs, search).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 50);
        let other = trials(
            &specs,
            Search::Random {
                samples: 50,
                seed: 8,
            },
        )
        .unwrap();
        assert_ne!(a, other);
        let distinct: HashSet<_> = a.iter().collect();
        assert_eq!(distinct.len(), 50);
        for set in &a {
            let r = set.get("r").and_then(Value::as_decimal).unwrap();
            assert!(r >= dec!(0.5) && r <= dec!(2.0) && r.scale() <= 3, "{r}");
            let n = set.get("n").and_then(Value::as_usize).unwrap();
            assert!((5..=50).contains(&n));
        }
    }

    #[test]
    fn random_stops_when_the_space_is_exhausted() {
        let specs = parse_specs(&["a=1,2", "b=x,y"]).unwrap();
        let sets = trials(
            &specs,
            Search::Random {
                samples: 10,
                seed: 1,
            },
        )
        .unwrap();
        assert_eq!(sets.len(), 4);
    }
}
