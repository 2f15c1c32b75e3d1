//! Invariants of exit management, whatever the bars: the stop only ever
//! tightens, never crosses the close it was moved on, and a time stop of N
//! bars closes at the N-th bar exactly.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use rust_decimal::Decimal;
use smc_model::Side;
use smc_strategy::{ExitAction, ExitBar, ExitPlan, ManagedExit, Trailing};

fn bars() -> impl Strategy<Value = Vec<(i64, i64, i64, i64)>> {
    // (close, up wick, down wick, swing offset) in cents around 100.00.
    prop::collection::vec((-2_000i64..2_000, 0i64..300, 0i64..300, 0i64..500), 1..60)
}

fn plan() -> impl Strategy<Value = ExitPlan> {
    let trailing = prop_oneof![
        Just(None),
        (1i64..10).prop_map(|p| Some(Trailing::Percent {
            percent: Decimal::from(p)
        })),
        (1i64..5).prop_map(|m| Some(Trailing::Atr {
            multiple: Decimal::from(m)
        })),
        (0i64..3).prop_map(|b| Some(Trailing::Structure {
            buffer: Decimal::from(b)
        })),
    ];
    (
        trailing,
        prop::option::of(1i64..4),
        prop::option::of(1usize..40),
    )
        .prop_map(|(trailing, be, time)| ExitPlan {
            trailing,
            break_even_after_r: be.map(Decimal::from),
            time_stop_bars: time,
        })
}

proptest! {
    #[test]
    fn the_stop_only_tightens_and_stays_beyond_the_close(
        long in any::<bool>(),
        plan in plan(),
        bars in bars(),
    ) {
        let cents = |c: i64| Decimal::new(10_000 + c, 2);
        let side = if long { Side::Buy } else { Side::Sell };
        let sign = if long { Decimal::ONE } else { -Decimal::ONE };
        let entry = cents(0);
        let mut m = ManagedExit::new(side, entry, entry - sign * Decimal::from(5));
        for (k, &(close, up, down, swing)) in bars.iter().enumerate() {
            let close = cents(close);
            let bar = ExitBar {
                high: close + Decimal::new(up, 2),
                low: close - Decimal::new(down, 2),
                close,
                atr: Some(1.5),
                swing: Some(close - sign * Decimal::new(swing, 2)),
            };
            let before = m.stop;
            match m.on_bar(&plan, &bar) {
                ExitAction::MoveStop { to, .. } => {
                    prop_assert!((to - before) * sign > Decimal::ZERO, "tighter: {before} -> {to}");
                    prop_assert!((close - to) * sign > Decimal::ZERO, "beyond the close {close}: {to}");
                    prop_assert_eq!(m.stop, to);
                }
                ExitAction::Hold => prop_assert_eq!(m.stop, before),
                ExitAction::Close { .. } => {
                    prop_assert_eq!(Some(k + 1), plan.time_stop_bars, "only the time stop closes");
                    break;
                }
            }
            prop_assert!(plan.time_stop_bars.is_none_or(|n| k + 1 < n));
        }
    }
}
