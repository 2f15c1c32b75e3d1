//! Accounts: futures long and short P&L, funding sign, fees in the quote
//! currency, spot funds checks, and funding driven by the backtest runner.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Script, bar, engine, fills, run};
use rust_decimal::dec;
use smc_engine::Portfolio;
use smc_engine::{
    AccountConfig, AccountKind, EngineConfig, FeeModel, FundingRate, FundingSeries, Series,
    engine_instruments, run_backtest,
};
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{
    ApproveAll, EngineEvent, Intent, MarketKind, OrderIntent, Side, SimClock, Size, Timeframe,
};

fn margin(leverage: rust_decimal::Decimal) -> AccountConfig {
    AccountConfig {
        kind: AccountKind::Margin { leverage },
        starting_cash: dec!(1000),
    }
}

#[test]
fn a_futures_short_gains_when_price_falls_and_pays_fees_in_quote() {
    let mut p = Portfolio::new(margin(dec!(10)), 1);
    let fees = FeeModel {
        maker: dec!(0.0002),
        taker: dec!(0.0005),
        asset: smc_matching::FeeAsset::Quote,
    };
    let fee_in = fees.fee(smc_model::Liquidity::Taker, dec!(2), dec!(100));
    assert_eq!(fee_in, dec!(0.1));
    p.apply_fill(
        0,
        Side::Sell,
        dec!(2),
        dec!(100),
        fee_in,
        &smc_model::FeeSource::Quote,
    );
    assert_eq!(p.position(0).qty, dec!(-2));
    assert_eq!(p.margin_used(), dec!(20), "notional 200 at 10x");
    p.mark(0, dec!(90));
    assert_eq!(
        p.equity(),
        dec!(1000) - dec!(0.1) + dec!(20),
        "unrealized +20"
    );
    let fee_out = fees.fee(smc_model::Liquidity::Maker, dec!(2), dec!(90));
    let realized = p.apply_fill(
        0,
        Side::Buy,
        dec!(2),
        dec!(90),
        fee_out,
        &smc_model::FeeSource::Quote,
    );
    assert_eq!(realized, dec!(20));
    assert_eq!(p.cash(), dec!(1000) + dec!(20) - dec!(0.1) - dec!(0.036));
    assert!(p.position(0).qty.is_zero());
}

#[test]
fn a_futures_long_loses_when_price_falls_and_a_flip_reopens_at_the_fill() {
    let mut p = Portfolio::new(margin(dec!(5)), 1);
    p.apply_fill(
        0,
        Side::Buy,
        dec!(1),
        dec!(100),
        dec!(0),
        &smc_model::FeeSource::Quote,
    );
    p.apply_fill(
        0,
        Side::Buy,
        dec!(1),
        dec!(110),
        dec!(0),
        &smc_model::FeeSource::Quote,
    );
    assert_eq!(p.position(0).avg_price, dec!(105));
    let realized = p.apply_fill(
        0,
        Side::Sell,
        dec!(3),
        dec!(95),
        dec!(0),
        &smc_model::FeeSource::Quote,
    );
    assert_eq!(realized, dec!(-20), "2 × (95 − 105)");
    let pos = p.position(0);
    assert_eq!((pos.qty, pos.avg_price), (dec!(-1), dec!(95)));
}

#[test]
fn positive_funding_makes_longs_pay_and_shorts_receive() {
    let mut long = Portfolio::new(margin(dec!(1)), 1);
    long.apply_fill(
        0,
        Side::Buy,
        dec!(2),
        dec!(100),
        dec!(0),
        &smc_model::FeeSource::Quote,
    );
    assert_eq!(long.apply_funding(0, dec!(0.0001)), Some(dec!(0.02)));
    assert_eq!(long.cash(), dec!(999.98));
    let mut short = Portfolio::new(margin(dec!(1)), 1);
    short.apply_fill(
        0,
        Side::Sell,
        dec!(2),
        dec!(100),
        dec!(0),
        &smc_model::FeeSource::Quote,
    );
    assert_eq!(short.apply_funding(0, dec!(0.0001)), Some(dec!(-0.02)));
    assert_eq!(short.cash(), dec!(1000.02));
    let mut spot = Portfolio::new(AccountConfig::default(), 1);
    spot.apply_fill(
        0,
        Side::Buy,
        dec!(1),
        dec!(100),
        dec!(0),
        &smc_model::FeeSource::Quote,
    );
    assert_eq!(
        spot.apply_funding(0, dec!(0.0001)),
        None,
        "spot pays no funding"
    );
}

#[test]
fn spot_cannot_spend_more_than_its_cash_or_sell_what_it_lacks() {
    let p = Portfolio::new(
        AccountConfig {
            starting_cash: dec!(100),
            ..AccountConfig::default()
        },
        1,
    );
    let e = p
        .check_funds(0, Side::Buy, dec!(1), dec!(100), dec!(0.1))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "insufficient cash: the fill costs 100.1 with fees, the account has 100"
    );
    assert!(
        p.check_funds(0, Side::Sell, dec!(1), dec!(100), dec!(0))
            .is_err()
    );
}

#[test]
fn an_unaffordable_order_is_cancelled_with_the_reason() {
    let buy = OrderIntent::market(InstrumentIndex::new(0), Side::Buy, Size::Qty(dec!(2000)));
    let script = Script {
        on_close: [(0, vec![Intent::Place(buy)])].into(),
    };
    let mut e = engine(EngineConfig::default(), MarketKind::Spot, script);
    let p = dec!(100);
    let events = run(&mut e, &[bar(0, p, p, p, p), bar(1, p, p, p, p)]);
    assert!(fills(&events).is_empty());
    assert!(events.iter().any(|e| matches!(e, EngineEvent::OrderCancelled { reason, .. } if reason.contains("insufficient cash"))));
}

#[test]
fn the_runner_merges_funding_and_charges_open_positions() {
    let p = dec!(100);
    let candles: Vec<_> = (0..10).map(|m| bar(m, p, p, p, p)).collect();
    let buy = OrderIntent::market(
        InstrumentIndex::new(0),
        Side::Buy,
        Size::EquityFraction(dec!(1)),
    );
    let script = Script {
        on_close: [(0, vec![Intent::Place(buy)])].into(),
    };
    let config = EngineConfig {
        account: margin(dec!(2)),
        fees: FeeModel::ZERO,
        ..EngineConfig::default()
    };
    let series = [Series {
        instrument: InstrumentIndex::new(0),
        timeframe: Timeframe::M1,
        candles: &candles,
    }];
    let instruments =
        engine_instruments(vec![common::instrument(MarketKind::Perpetual)], &series).unwrap();
    let mut engine = smc_engine::Engine::new(
        config,
        instruments,
        Box::new(script),
        Box::new(ApproveAll::default()),
        Box::new(SimClock::default()),
    )
    .unwrap();
    // Before the entry (nothing due), then twice while long 20 at 100 (2x of 1000).
    let rates = [
        FundingRate {
            time: Timestamp::from_ms(30_000),
            rate: dec!(0.01),
        },
        FundingRate {
            time: Timestamp::from_ms(300_000),
            rate: dec!(0.001),
        },
        FundingRate {
            time: Timestamp::from_ms(480_000),
            rate: dec!(-0.0005),
        },
    ];
    let funding = [FundingSeries {
        instrument: InstrumentIndex::new(0),
        rates: &rates,
    }];
    let mut events: Vec<EngineEvent> = Vec::new();
    let report = run_backtest(&mut engine, &series, &funding, &mut events).unwrap();
    let paid: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::FundingPaid { amount, .. } => Some(*amount),
            _ => None,
        })
        .collect();
    assert_eq!(paid, vec![dec!(2), dec!(-1)], "20 × 100 × rate");
    assert_eq!(report.funding_paid, dec!(1));
    assert_eq!(report.final_equity, dec!(999));
    assert_eq!(report.open_trades.len(), 1);
}

#[test]
fn a_spot_buy_paying_its_fee_in_base_holds_the_fill_less_the_fee() {
    let mut p = Portfolio::new(
        AccountConfig {
            kind: AccountKind::Spot,
            starting_cash: dec!(1000),
        },
        1,
    );
    let withheld = smc_model::FeeSource::Base { qty: dec!(0.002) };
    p.apply_fill(0, Side::Buy, dec!(2), dec!(100), dec!(0.2), &withheld);
    // Cash pays the whole fill; the fee leaves in base, valued at the fill.
    assert_eq!(p.cash(), dec!(800));
    assert_eq!(p.position(0).qty, dec!(1.998));
    assert_eq!(p.position(0).cost, dec!(199.8));
    assert_eq!(p.equity(), dec!(999.8));
    assert_eq!(p.fees_paid(), dec!(0.2));
    // Selling what is held closes the position; the sell's fee is in quote.
    let realized = p.apply_fill(
        0,
        Side::Sell,
        dec!(1.998),
        dec!(110),
        dec!(0.2198),
        &smc_model::FeeSource::Quote,
    );
    assert_eq!(realized, dec!(19.98));
    assert!(p.position(0).qty.is_zero());
    assert_eq!(p.cash(), dec!(800) + dec!(219.78) - dec!(0.2198));
    // A fee paid in a third asset is counted, but neither balance pays it.
    let bnb = smc_model::FeeSource::Other {
        name: "BNB".into(),
        qty: dec!(0.0003),
    };
    let cash = p.cash();
    p.apply_fill(0, Side::Buy, dec!(1), dec!(100), dec!(0.075), &bnb);
    assert_eq!(p.cash(), cash - dec!(100));
    assert_eq!(p.position(0).qty, dec!(1));
    assert_eq!(p.fees_paid(), dec!(0.2) + dec!(0.2198) + dec!(0.075));
}
