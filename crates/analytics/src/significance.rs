//! Is an edge real? The strategy's trades against random entries that keep
//! everything but the timing: the same number of trades, each with one of
//! the strategy's own sides, holding times and sizes, placed at random
//! bars without overlapping (so the time in market is the strategy's), run
//! through the same engine (same costs, sizing gate, stops). Where the
//! strategy's figure falls among the random runs' is its p-value: the share
//! of random runs that did at least as well (with the strategy counted
//! among them, so it is never 0).

use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// What a random run keeps of one of the strategy's trades.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TradeShape {
    /// 1 long, -1 short.
    pub direction: i8,
    /// Bars from entry to exit (at least 1).
    pub hold_bars: usize,
    /// Entry notional as a share of equity at entry.
    pub equity_fraction: f64,
    /// The protective stop's distance from the entry as a share of the
    /// entry price, when the trade had one: a random trade keeps it, so
    /// that random entries are not judged without the stops that bound
    /// the strategy's losses (on leverage they would lose far more).
    pub stop_distance: Option<f64>,
}

/// One trade of a random run: enter at `entry_bar`'s open, leave after
/// `shape.hold_bars` bars.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScheduledTrade {
    pub entry_bar: usize,
    pub shape: TradeShape,
}

/// A random placement of `shapes` over `bars` bars: the shapes in a random
/// order, separated by a random split of the free bars (every placement
/// without overlap is equally likely). `None` when they do not fit.
pub fn random_schedule(
    shapes: &[TradeShape],
    bars: usize,
    rng: &mut ChaCha8Rng,
) -> Option<Vec<ScheduledTrade>> {
    let held: usize = shapes.iter().map(|s| s.hold_bars.max(1)).sum();
    // One bar after the last exit to close at market.
    let free = bars.checked_sub(held + 1)?;
    let mut order: Vec<TradeShape> = shapes.to_vec();
    order.shuffle(rng);
    // Stars and bars: k gaps before the k trades (and one after) sum to
    // `free`, drawn by choosing k cut points among free + k slots.
    let k = order.len();
    let mut cuts: Vec<usize> = rand::seq::index::sample(rng, free + k, k).into_vec();
    cuts.sort_unstable();
    let mut out = Vec::with_capacity(k);
    let mut bar = 0;
    let mut previous = 0;
    for (i, (shape, cut)) in order.into_iter().zip(cuts).enumerate() {
        let gap = cut - previous - usize::from(i > 0);
        previous = cut;
        bar += gap;
        out.push(ScheduledTrade {
            entry_bar: bar,
            shape,
        });
        bar += shape.hold_bars.max(1);
    }
    Some(out)
}

/// `runs` seeded schedules (run `r` from `seed` and `r`, so any one can be
/// reproduced alone).
pub fn schedules(
    shapes: &[TradeShape],
    bars: usize,
    runs: usize,
    seed: u64,
) -> Option<Vec<Vec<ScheduledTrade>>> {
    (0..runs)
        .map(|r| {
            let mut rng =
                ChaCha8Rng::seed_from_u64(seed ^ (r as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
            // Draw once so neighbouring seeds do not start alike.
            let _: u64 = rng.random();
            random_schedule(shapes, bars, &mut rng)
        })
        .collect()
}

/// The share of `random` at least as good as `actual`, counting `actual`
/// itself: (1 + #{x ≥ actual}) / (1 + n). Undefined runs (`None`) count
/// as worse; an undefined `actual` has no p-value.
pub fn p_value(actual: Option<f64>, random: &[Option<f64>]) -> Option<f64> {
    let a = actual.filter(|x| x.is_finite())?;
    let as_good = random
        .iter()
        .flatten()
        .filter(|x| x.is_finite() && **x >= a)
        .count();
    Some((1 + as_good) as f64 / (1 + random.len()) as f64)
}

/// The test's result, as `smc backtest --json` writes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Significance {
    pub runs: usize,
    pub seed: u64,
    pub p_value_total_return: Option<f64>,
    pub p_value_sharpe: Option<f64>,
    pub p_value_profit_factor: Option<f64>,
    /// The strategy's own figures.
    pub strategy: Figures,
    /// The random runs' figures: 5th, 50th and 95th percentiles and mean.
    pub random_total_return: Spread,
    pub random_sharpe: Spread,
    pub random_profit_factor: Spread,
    /// Each random run's figures, for the report's histogram.
    #[serde(skip)]
    pub random_total_returns: Vec<Option<f64>>,
    #[serde(skip)]
    pub random_sharpes: Vec<Option<f64>>,
    #[serde(skip)]
    pub random_profit_factors: Vec<Option<f64>>,
}

/// The strategy's figures, as compared.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Figures {
    pub total_return: Option<f64>,
    pub sharpe: Option<f64>,
    pub profit_factor: Option<f64>,
}

/// Where the defined values of a distribution lie (`None` without any).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    pub p5: Option<f64>,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub mean: Option<f64>,
}

impl Spread {
    /// Nearest-rank percentiles of the finite values.
    pub fn of(values: &[Option<f64>]) -> Spread {
        let mut v: Vec<f64> = values
            .iter()
            .flatten()
            .copied()
            .filter(|x| x.is_finite())
            .collect();
        v.sort_by(f64::total_cmp);
        let at = |q: f64| {
            let i = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len().max(1)) - 1;
            v.get(i).copied()
        };
        let mean = (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
        Spread {
            p5: at(0.05),
            p50: at(0.5),
            p95: at(0.95),
            mean,
        }
    }
}

/// One run's figures.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RunFigures {
    pub total_return: Option<f64>,
    pub sharpe: Option<f64>,
    pub profit_factor: Option<f64>,
}

impl Significance {
    /// The strategy's `actual` figures against the `random` runs'.
    pub fn of(actual: RunFigures, random: &[RunFigures], seed: u64) -> Significance {
        let col = |f: fn(&RunFigures) -> Option<f64>| random.iter().map(f).collect::<Vec<_>>();
        let (tr, sh, pf) = (
            col(|r| r.total_return),
            col(|r| r.sharpe),
            col(|r| r.profit_factor),
        );
        Significance {
            runs: random.len(),
            seed,
            p_value_total_return: p_value(actual.total_return, &tr),
            p_value_sharpe: p_value(actual.sharpe, &sh),
            p_value_profit_factor: p_value(actual.profit_factor, &pf),
            strategy: Figures {
                total_return: actual.total_return,
                sharpe: actual.sharpe,
                profit_factor: actual.profit_factor,
            },
            random_total_return: Spread::of(&tr),
            random_sharpe: Spread::of(&sh),
            random_profit_factor: Spread::of(&pf),
            random_total_returns: tr,
            random_sharpes: sh,
            random_profit_factors: pf,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shape(hold: usize) -> TradeShape {
        TradeShape {
            direction: 1,
            hold_bars: hold,
            equity_fraction: 0.5,
            stop_distance: None,
        }
    }

    #[test]
    fn p_values_count_the_actual_among_the_random() {
        let random = [Some(0.1), Some(0.5), None, Some(0.3)];
        assert_eq!(p_value(Some(0.4), &random), Some(2.0 / 5.0));
        assert_eq!(p_value(Some(1.0), &random), Some(1.0 / 5.0));
        assert_eq!(p_value(Some(-1.0), &random), Some(4.0 / 5.0));
        assert_eq!(p_value(None, &random), None);
    }

    #[test]
    fn spreads_use_nearest_ranks_of_defined_values() {
        let v: Vec<Option<f64>> = (1..=20).map(|i| Some(i as f64)).chain([None]).collect();
        let s = Spread::of(&v);
        assert_eq!((s.p5, s.p50, s.p95), (Some(1.0), Some(10.0), Some(19.0)));
        assert_eq!(s.mean, Some(10.5));
        assert_eq!(Spread::of(&[None]).p50, None);
    }

    #[test]
    fn the_same_seed_gives_the_same_schedules() {
        let shapes = [shape(3), shape(5), shape(1)];
        let a = schedules(&shapes, 100, 20, 7).unwrap();
        assert_eq!(a, schedules(&shapes, 100, 20, 7).unwrap());
        assert_ne!(a, schedules(&shapes, 100, 20, 8).unwrap());
        assert_eq!(
            schedules(&shapes, 9, 1, 7),
            None,
            "9 bars do not hold 9 + 1"
        );
    }

    proptest! {
        #[test]
        fn trades_never_overlap_and_fit(holds in prop::collection::vec(1usize..20, 0..12), extra in 1usize..200, seed in any::<u64>()) {
            let shapes: Vec<TradeShape> = holds.iter().map(|h| shape(*h)).collect();
            let bars = holds.iter().sum::<usize>() + extra;
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let s = random_schedule(&shapes, bars, &mut rng).unwrap();
            prop_assert_eq!(s.len(), shapes.len());
            let mut end = 0;
            for t in &s {
                prop_assert!(t.entry_bar >= end, "overlap: {:?}", s);
                end = t.entry_bar + t.shape.hold_bars;
            }
            prop_assert!(end < bars, "the last exit needs a bar: {:?}", s);
            let mut got: Vec<usize> = s.iter().map(|t| t.shape.hold_bars).collect();
            let mut want = holds.clone();
            got.sort_unstable();
            want.sort_unstable();
            prop_assert_eq!(got, want);
        }
    }
}
