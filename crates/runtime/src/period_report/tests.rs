//! A hand-computed day, a position held across midnight, and the
//! property that a week's days add up to the week.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::figures::{FundingEntry, JournalFacts, PriceMark, period_figures};
use super::ledger::test_fill;
use super::period::Period;
use super::quote_currency;
use chrono::NaiveDate;
use chrono_tz::Tz;
use proptest::prelude::*;
use rust_decimal::{Decimal, dec};
use smc_model::{Side, Timestamp};
use smc_report::period::PeriodKind;
use smc_risk::breakers::{Action, BreakerState, BreakerTransition};

/// 2026-12-07T00:00:00Z, a Monday.
const S: i64 = 1_796_601_600_000;
const H: i64 = 3_600_000;

fn mark(time: i64, price: Decimal) -> PriceMark {
    PriceMark {
        symbol: "BTCUSDT".into(),
        time,
        price,
    }
}

fn trip(time: i64, breaker: &str) -> BreakerTransition {
    BreakerTransition {
        breaker: breaker.into(),
        time: Timestamp::from_ms(time),
        action: Action::Trip,
        from: BreakerState::Armed,
        to: BreakerState::Tripped,
        reason: "loss 20.4 over the limit".into(),
        operator: None,
        cooldown_until: None,
    }
}

fn day(date: &str) -> Period {
    Period::of(
        PeriodKind::Daily,
        date.parse::<NaiveDate>().unwrap(),
        Tz::UTC,
    )
    .unwrap()
}

/// Two round trips on 2026-12-07 (a winner and a loser), with activity on
/// the days around it that must not count.
fn hand_day() -> JournalFacts {
    JournalFacts {
        starting_cash: dec!(10000),
        currency: "USDT".into(),
        source: "test".into(),
        fills: vec![
            test_fill(Side::Buy, dec!(100), dec!(1), dec!(0.1), S + H),
            test_fill(Side::Sell, dec!(130), dec!(1), dec!(0.1), S + 3 * H),
            test_fill(Side::Buy, dec!(120), dec!(2), dec!(0.2), S + 4 * H),
            test_fill(Side::Sell, dec!(110), dec!(2), dec!(0.2), S + 6 * H),
            test_fill(Side::Buy, dec!(100), dec!(1), dec!(0.1), S + 25 * H),
        ],
        marks: vec![
            mark(S - H, dec!(100)),
            mark(S + 2 * H, dec!(110)),
            mark(S + 5 * H, dec!(115)),
            mark(S + 26 * H, dec!(90)),
        ],
        funding: vec![],
        breakers: vec![
            trip(S - H, "daily_loss"),
            trip(S + 6 * H + 60_000, "daily_loss"),
        ],
    }
}

#[test]
fn a_hand_computed_day_two_round_trips_one_won_one_lost() {
    let f = period_figures(&hand_day(), &day("2026-12-07"));
    assert!(f.has_data);
    // Trip 1: +30 realized, 0.2 fees → +29.8; trip 2: −20, 0.4 → −20.4.
    assert_eq!(f.pnl.realized, dec!(10));
    assert_eq!(f.pnl.fees, dec!(0.6));
    assert_eq!(f.pnl.funding, dec!(0));
    assert_eq!(f.pnl.unrealized, dec!(0));
    assert_eq!(f.pnl.total, dec!(9.4));
    assert_eq!(f.pnl.starting_equity, dec!(10000));
    assert_eq!(f.pnl.ending_equity, dec!(10009.4));
    assert_eq!(f.trades.count, 2);
    assert_eq!((f.trades.wins, f.trades.losses), (1, 1));
    assert_eq!(f.trades.win_rate, Some(dec!(0.5)));
    assert_eq!(f.trades.best, Some(dec!(29.8)));
    assert_eq!(f.trades.worst, Some(dec!(-20.4)));
    assert_eq!(f.trades.fills, 4);
    // Equity peaks at 10,029.8 after the winner and ends at 10,009.4.
    assert_eq!(f.drawdown.peak_equity, dec!(10029.8));
    assert_eq!(f.drawdown.max_amount, dec!(20.4));
    assert_eq!(f.drawdown.max_fraction, dec!(20.4) / dec!(10029.8));
    assert_eq!(f.drawdown.trough_at, Some(S + 6 * H));
    // 2 × 120 right after the second entry.
    assert_eq!(f.exposure.peak, dec!(240));
    assert_eq!(f.exposure.peak_at, Some(S + 4 * H));
    assert_eq!(f.exposure.end, dec!(0));
    // Only the day's own trip.
    assert_eq!(f.breaker_events.len(), 1);
    assert_eq!(f.breaker_events[0].action, "tripped");
    assert_eq!(f.breaker_events[0].time_local, "2026-12-07T06:01:00+00:00");
    // The curve spans the whole day: the journal goes on after it.
    assert_eq!(f.equity.first().unwrap().time, S);
    assert_eq!(f.equity.last().unwrap().time, S + 24 * H);
    assert_eq!(f.equity.last().unwrap().equity, dec!(10009.4));
    assert_eq!(f.symbols.len(), 1);
    let row = &f.symbols[0];
    assert_eq!(
        (row.symbol.as_str(), row.pnl, row.trades),
        ("BTCUSDT", dec!(9.4), 2)
    );
    assert_eq!(row.position, dec!(0));
}

#[test]
fn a_position_held_over_midnight_moves_unrealized_between_the_days() {
    let facts = hand_day();
    let next = period_figures(&facts, &day("2026-12-08"));
    // Bought 1 at 100 (fee 0.1), marked at 90.
    assert_eq!(next.pnl.starting_equity, dec!(10009.4));
    assert_eq!(next.pnl.unrealized, dec!(-10));
    assert_eq!(next.pnl.unrealized_change, dec!(-10));
    assert_eq!(next.pnl.total, dec!(-10.1));
    assert_eq!(next.trades.count, 0);
    assert_eq!(next.trades.win_rate, None);
    assert_eq!(next.exposure.end, dec!(90));
    assert_eq!(next.symbols[0].mark, Some(dec!(90)));
    // The journal ends inside the day: so does the curve.
    assert_eq!(next.equity.last().unwrap().time, S + 26 * H);
    let before = period_figures(&facts, &day("2026-12-06"));
    assert!(before.has_data);
    assert_eq!(before.pnl.total, dec!(0));
    assert_eq!(before.breaker_events.len(), 1);
    let empty = period_figures(&facts, &day("2026-12-10"));
    assert!(!empty.has_data);
    assert_eq!(empty.pnl.starting_equity, dec!(9999.3));
    assert_eq!(empty.pnl.total, dec!(0));
}

#[test]
fn funding_is_charged_on_its_day_and_a_short_gains_when_price_falls() {
    let facts = JournalFacts {
        starting_cash: dec!(1000),
        fills: vec![test_fill(Side::Sell, dec!(50), dec!(2), dec!(0.05), S + H)],
        marks: vec![mark(S + 2 * H, dec!(45))],
        funding: vec![FundingEntry {
            symbol: "BTCUSDT".into(),
            time: S + 8 * H,
            paid: dec!(-0.3),
        }],
        ..JournalFacts::default()
    };
    let f = period_figures(&facts, &day("2026-12-07"));
    assert_eq!(f.pnl.unrealized, dec!(10));
    assert_eq!(f.pnl.funding, dec!(-0.3));
    assert_eq!(f.pnl.total, dec!(10) - dec!(0.05) + dec!(0.3));
    assert_eq!(f.symbols[0].position, dec!(-2));
}

#[test]
fn quote_currencies_come_from_the_symbols_names() {
    assert_eq!(quote_currency("BTCUSDT"), "USDT");
    assert_eq!(quote_currency("EUR_USD"), "USD");
    assert_eq!(quote_currency("ETHBTC"), "BTC");
    assert_eq!(quote_currency("USDT"), "");
}

/// Random trading over the week of 2026-12-07: fills of either side, marks,
/// funding, at random minutes (some before and after the week).
fn week_facts() -> impl Strategy<Value = JournalFacts> {
    let fill = (
        any::<bool>(),
        50i64..150,
        1i64..5,
        0i64..20,
        -1_500i64..11_600,
    );
    let price_mark = (40i64..160, -1_500i64..11_600);
    let funding = (-50i64..50, 0i64..10_080);
    (
        prop::collection::vec(fill, 0..40),
        prop::collection::vec(price_mark, 0..60),
        prop::collection::vec(funding, 0..5),
    )
        .prop_map(|(fills, marks, funding)| JournalFacts {
            starting_cash: dec!(5000),
            fills: fills
                .into_iter()
                .map(|(buy, price, qty, fee, minute)| {
                    let side = if buy { Side::Buy } else { Side::Sell };
                    let qty = Decimal::new(qty, 1);
                    test_fill(
                        side,
                        price.into(),
                        qty,
                        Decimal::new(fee, 2),
                        S + minute * 60_000,
                    )
                })
                .collect(),
            marks: marks
                .into_iter()
                .map(|(p, minute)| mark(S + minute * 60_000, p.into()))
                .collect(),
            funding: funding
                .into_iter()
                .map(|(paid, minute)| FundingEntry {
                    symbol: "BTCUSDT".into(),
                    time: S + minute * 60_000,
                    paid: Decimal::new(paid, 2),
                })
                .collect(),
            ..JournalFacts::default()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn the_days_of_a_week_add_up_to_the_week(facts in week_facts()) {
        let week = Period::of(PeriodKind::Weekly, "2026-12-09".parse().unwrap(), Tz::UTC).unwrap();
        let w = period_figures(&facts, &week);
        let days: Vec<_> = week.days().unwrap().iter().map(|d| period_figures(&facts, d)).collect();
        let sum = |f: fn(&smc_report::period::PeriodFigures) -> Decimal| days.iter().map(f).sum::<Decimal>();
        prop_assert_eq!(sum(|d| d.pnl.total), w.pnl.total);
        prop_assert_eq!(sum(|d| d.pnl.realized), w.pnl.realized);
        prop_assert_eq!(sum(|d| d.pnl.fees), w.pnl.fees);
        prop_assert_eq!(sum(|d| d.pnl.funding), w.pnl.funding);
        prop_assert_eq!(sum(|d| d.pnl.unrealized_change), w.pnl.unrealized_change);
        prop_assert_eq!(days.iter().map(|d| d.trades.count).sum::<u64>(), w.trades.count);
        prop_assert_eq!(days.iter().map(|d| d.trades.wins).sum::<u64>(), w.trades.wins);
        prop_assert_eq!(days[0].pnl.starting_equity, w.pnl.starting_equity);
        prop_assert_eq!(days[6].pnl.ending_equity, w.pnl.ending_equity);
        // Each figure is its own identity.
        prop_assert_eq!(
            w.pnl.realized - w.pnl.fees - w.pnl.funding + w.pnl.unrealized_change,
            w.pnl.total
        );
        // The week's deepest fall is at least each day's.
        for d in &days {
            prop_assert!(d.drawdown.max_amount <= w.drawdown.max_amount);
        }
    }
}
