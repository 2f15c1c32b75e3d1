//! The fast structure indicators against literal, quadratic versions written
//! straight from the spec (`tests/literal`), on random series on a coarse
//! tick grid (many ties), with some NaN prices, zero and fractional volumes,
//! and random swing lengths: what protects the port beyond the reference
//! fixture. Every column must match exactly, NaN mask included.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod literal;

use proptest::prelude::*;
use smc_parity::{
    Frame, Indicator, Ohlc, ParityOptions, Swings, bos_choch, fvg, liquidity, ob, retracements,
    swings,
};

/// One random candle: price step, wick sizes, doji, volume, and which price
/// (if any) is NaN.
type Step = (i8, u8, u8, bool, u16, u8);

fn step() -> impl Strategy<Value = Step> {
    (
        -4i8..=4,
        0u8..3,
        0u8..3,
        prop::bool::weighted(0.1),
        any::<u16>(),
        prop_oneof![97 => Just(0u8), 3 => 1u8..5],
    )
}

fn series(steps: &[Step]) -> Ohlc {
    let mut o = Ohlc::default();
    let mut price = 1000i64;
    for (i, &(step, up, down, doji, volume, nan)) in steps.iter().enumerate() {
        let open = price;
        if !doji {
            price = (price + i64::from(step)).max(10);
        }
        let mut row = [
            open as f64,
            (open.max(price) + i64::from(up)) as f64,
            (open.min(price) - i64::from(down)) as f64,
            price as f64,
        ];
        if nan > 0 {
            row[usize::from(nan - 1)] = f64::NAN;
        }
        o.time.push(i as i64 * 60_000);
        o.open.push(row[0]);
        o.high.push(row[1]);
        o.low.push(row[2]);
        o.close.push(row[3]);
        // Zero, whole and fractional volumes (float32 rounding in ob).
        o.volume.push(match volume % 4 {
            0 => 0.0,
            1 => f64::from(volume % 50),
            _ => f64::from(volume) / 7.0,
        });
    }
    o
}

fn candles(max: usize) -> impl Strategy<Value = Ohlc> {
    prop::collection::vec(step(), 0..max).prop_map(|s| series(&s))
}

fn swing_length() -> impl Strategy<Value = usize> {
    prop_oneof![8 => 0usize..10, 1 => Just(20usize), 1 => Just(50usize)]
}

/// Decimal fractions, and powers of two, which make the band an exact
/// number of ticks when the range allows it (levels on the band's edges).
fn range_percent() -> impl Strategy<Value = f64> {
    prop_oneof![
        2 => (0u32..600).prop_map(|bp| f64::from(bp) / 10_000.0),
        2 => (0i32..7).prop_map(|k| 2f64.powi(-k)),
        1 => Just(0.0),
    ]
}

/// The frame's columns widened to f64.
fn columns(frame: &Frame) -> Vec<Vec<f64>> {
    frame
        .columns
        .iter()
        .map(|c| {
            (0..frame.rows())
                .map(|r| c.values.get(r).unwrap())
                .collect()
        })
        .collect()
}

/// The first cell where the two tables differ (NaN equals NaN), if any.
fn first_difference(fast: &Frame, slow: &[Vec<f64>]) -> Option<String> {
    let fast = columns(fast);
    if fast.len() != slow.len() {
        return Some(format!("{} columns vs {}", fast.len(), slow.len()));
    }
    for (c, (a, b)) in fast.iter().zip(slow).enumerate() {
        if a.len() != b.len() {
            return Some(format!("column {c}: {} rows vs {}", a.len(), b.len()));
        }
        for (r, (x, y)) in a.iter().zip(b).enumerate() {
            if !(x == y || (x.is_nan() && y.is_nan())) {
                return Some(format!("column {c} row {r}: fast {x}, literal {y}"));
            }
        }
    }
    None
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn swings_equal_the_literal_algorithm(o in candles(600), length in swing_length()) {
        let fast = swings::swing_highs_lows(&o, length).into_frame();
        let slow = literal::swings(&o, length);
        prop_assert_eq!(first_difference(&fast, &[slow.high_low, slow.level]), None);
    }

    #[test]
    fn fvg_equals_the_literal_algorithm(o in candles(1500), join in any::<bool>()) {
        prop_assert_eq!(first_difference(&fvg::fvg(&o, join), &literal::fvg(&o, join)), None);
    }

    #[test]
    fn bos_choch_equals_the_literal_algorithm(
        o in candles(800), length in swing_length(), close_break in any::<bool>(),
    ) {
        let s = literal::swings(&o, length);
        let fast = bos_choch::bos_choch(&o, &s, close_break);
        prop_assert_eq!(first_difference(&fast, &literal::bos_choch(&o, &s, close_break)), None);
    }

    #[test]
    fn ob_equals_the_literal_algorithm(
        o in candles(800), length in swing_length(), close_mitigation in any::<bool>(),
    ) {
        let s = literal::swings(&o, length);
        let fast = ob::ob(&o, &s, close_mitigation);
        prop_assert_eq!(first_difference(&fast, &literal::ob(&o, &s, close_mitigation)), None);
    }

    #[test]
    fn liquidity_equals_the_literal_algorithm(
        o in candles(1500), length in swing_length(), range_percent in range_percent(),
    ) {
        let s = literal::swings(&o, length);
        let fast = liquidity::liquidity(&o, &s, range_percent);
        prop_assert_eq!(first_difference(&fast, &literal::liquidity(&o, &s, range_percent)), None);
    }

    #[test]
    fn retracements_equal_the_literal_algorithm(o in candles(800), length in swing_length()) {
        let s = literal::swings(&o, length);
        let fast = retracements::retracements(&o, &s);
        prop_assert_eq!(first_difference(&fast, &literal::retracements(&o, &s)), None);
    }

    /// Swing marks not made by `swing_highs_lows` — highs next to highs,
    /// marks on any row, levels off the candle — as a caller may pass them:
    /// the event-driven ob and the tree-driven liquidity still equal the
    /// literal per-candle algorithms.
    #[test]
    fn ob_and_liquidity_equal_the_literal_algorithm_on_any_swing_marks(
        o in candles(1200),
        marks in prop::collection::vec((prop_oneof![2 => Just(0i8), 1 => Just(1i8), 1 => Just(-1i8)], 0u8..8), 1200),
        flag in any::<bool>(),
        range_percent in range_percent(),
    ) {
        let n = o.len();
        let mut s = Swings { high_low: vec![f64::NAN; n], level: vec![f64::NAN; n] };
        for (i, &(kind, level)) in marks.iter().take(n).enumerate() {
            if kind != 0 {
                s.high_low[i] = f64::from(kind);
                // Mostly the candle's own extreme, sometimes any price.
                s.level[i] = match (level, kind) {
                    (0, _) => 995.0 + f64::from(i as u32 % 11),
                    (_, 1) => o.high[i],
                    _ => o.low[i],
                };
            }
        }
        let fast = ob::ob(&o, &s, flag);
        prop_assert_eq!(first_difference(&fast, &literal::ob(&o, &s, flag)), None);
        let fast = liquidity::liquidity(&o, &s, range_percent);
        prop_assert_eq!(first_difference(&fast, &literal::liquidity(&o, &s, range_percent)), None);
    }

    /// Liquidity's one pass over the candles and its walk at their edges:
    /// trends (a swing not swept for hundreds of swings, the search path),
    /// dense swing marks on any row (the first and last included), series
    /// shorter than one 64-row block or ending inside one, and NaN and
    /// infinite prices and levels (a gap whose extreme is infinite, or
    /// that holds no number at all).
    #[test]
    fn liquidity_equals_the_literal_algorithm_on_trends_edges_and_infinities(
        n in prop_oneof![0usize..140, 600usize..2200],
        trend in -3i64..=3,
        noise in prop::collection::vec((0u8..4, 0u8..5, 0u8..5), 2200),
        marks in prop::collection::vec((prop_oneof![1 => Just(0i8), 2 => Just(1i8), 2 => Just(-1i8)], 0u8..12), 2200),
        specials in prop::collection::vec((0usize..2200, 0u8..6), 0..40),
        range_percent in range_percent(),
    ) {
        let mut o = Ohlc::default();
        let mut s = Swings::default();
        for (i, (&(wiggle, up, down), &(kind, level))) in noise.iter().zip(&marks).take(n).enumerate() {
            let price = (100_000 + trend * i as i64 + i64::from(wiggle)) as f64;
            o.time.push(i as i64 * 60_000);
            o.open.push(price);
            o.high.push(price + f64::from(up));
            o.low.push(price - f64::from(down));
            o.close.push(price);
            o.volume.push(1.0);
            s.high_low.push(if kind == 0 { f64::NAN } else { f64::from(kind) });
            // Mostly the candle's own extreme, sometimes a level off it or
            // infinite (a threshold of +inf: only a number crosses it).
            s.level.push(match (level, kind) {
                (0, _) => 100_000.0 + f64::from(wiggle),
                (1, _) => f64::NEG_INFINITY,
                (2, _) => f64::INFINITY,
                (_, 1) => o.high[i],
                _ => o.low[i],
            });
        }
        for &(row, what) in &specials {
            if row < n {
                let (column, value) = match what {
                    0 => (&mut o.high, f64::NAN),
                    1 => (&mut o.low, f64::NAN),
                    2 => (&mut o.high, f64::INFINITY),
                    3 => (&mut o.low, f64::NEG_INFINITY),
                    4 => (&mut o.high, f64::NEG_INFINITY),
                    _ => (&mut o.low, f64::INFINITY),
                };
                column[row] = value;
            }
        }
        let fast = liquidity::liquidity(&o, &s, range_percent);
        prop_assert_eq!(first_difference(&fast, &literal::liquidity(&o, &s, range_percent)), None);
    }

    /// Any prices at all — NaN, infinities, huge and tiny — and any swing
    /// length: every indicator returns one row per candle and never panics.
    #[test]
    fn never_panics(
        prices in prop::collection::vec(
            prop_oneof![
                6 => -1e6f64..1e6,
                1 => Just(f64::NAN),
                1 => Just(f64::INFINITY),
                1 => Just(f64::NEG_INFINITY),
                1 => Just(0.0),
            ],
            0..200,
        ),
        length in 0usize..300,
        flags in any::<(bool, bool, bool)>(),
        range_percent in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), -1.0f64..1.0],
    ) {
        let n = prices.len() / 4;
        let o = Ohlc {
            time: (0..n as i64).collect(),
            open: prices[..n].to_vec(),
            high: prices[n..2 * n].to_vec(),
            low: prices[2 * n..3 * n].to_vec(),
            close: prices[3 * n..4 * n].to_vec(),
            volume: prices[..n].iter().rev().copied().collect(),
        };
        let options = ParityOptions {
            swing_length: length,
            join_consecutive: flags.0,
            close_break: flags.1,
            close_mitigation: flags.2,
            range_percent,
            ..ParityOptions::default()
        };
        for indicator in [
            Indicator::SwingHighsLows,
            Indicator::Fvg,
            Indicator::BosChoch,
            Indicator::Ob,
            Indicator::Liquidity,
            Indicator::Retracements,
        ] {
            let frame = smc_parity::run(indicator, &o, &options).unwrap();
            prop_assert_eq!(frame.rows(), n);
        }
    }

    /// Hand-built candles whose columns disagree in length, and swings of
    /// another length with any values: still one row per close, no panic.
    #[test]
    fn ragged_inputs_never_panic(
        lengths in prop::collection::vec(0usize..40, 8),
        prices in prop::collection::vec(prop_oneof![9 => 0.0f64..10.0, 1 => Just(f64::NAN)], 40),
        kinds in prop::collection::vec(prop_oneof![Just(f64::NAN), Just(1.0), Just(-1.0), Just(0.0), Just(2.0)], 0..40),
        flag in any::<bool>(),
    ) {
        let column = |k: usize| prices[..lengths[k]].to_vec();
        let o = Ohlc {
            time: (0..lengths[0] as i64).collect(),
            open: column(1),
            high: column(2),
            low: column(3),
            close: column(4),
            volume: column(5),
        };
        let s = Swings { high_low: kinds.clone(), level: prices[..lengths[6]].to_vec() };
        let n = o.len();
        prop_assert_eq!(swings::swing_highs_lows(&o, lengths[7] % 5).high_low.len(), n);
        prop_assert_eq!(fvg::fvg(&o, flag).rows(), n);
        prop_assert_eq!(bos_choch::bos_choch(&o, &s, flag).rows(), n);
        prop_assert_eq!(ob::ob(&o, &s, flag).rows(), n);
        prop_assert_eq!(liquidity::liquidity(&o, &s, 0.01).rows(), n);
        prop_assert_eq!(retracements::retracements(&o, &s).rows(), n);
    }
}
