//! Live-mode helpers: an engine with external execution and a bracketed
//! entry, bars, venue fills, and the commands it sends.

use super::{Script, bar, engine};
use rust_decimal::{Decimal, dec};
use smc_engine::{Engine, EngineConfig, ExternalExecution, MarketEvent, VenueCommand};
use smc_model::{
    ClientOrderId, EngineEvent, Fill, InstrumentIndex, Intent, Liquidity, MarketKind, OrderIntent,
    OrderRequest, Side, Size, Timeframe, Timestamp,
};

/// Closes a one-minute bar at `price`.
pub fn step(e: &mut Engine, minute: i64, price: Decimal, events: &mut Vec<EngineEvent>) {
    let b = bar(minute, price, price, price, price);
    e.process(
        MarketEvent::Bar {
            instrument: InstrumentIndex::new(0),
            timeframe: Timeframe::M1,
            candle: &b,
        },
        events,
    )
    .unwrap();
}

/// A venue fill of `qty` at `price` for order `id`, trade `trade`.
pub fn fill(id: &ClientOrderId, trade: &str, side: Side, qty: Decimal, price: Decimal) -> Fill {
    Fill {
        client_id: id.clone(),
        instrument: "sim:TEST".parse().unwrap(),
        trade_id: trade.into(),
        side,
        price,
        qty,
        fee: dec!(0.1),
        fee_source: smc_model::FeeSource::Quote,
        liquidity: Liquidity::Taker,
        time: Timestamp::from_ms(0),
    }
}

/// A bracketed buy of 2 on bar 0's close.
pub fn external() -> Engine {
    let mut script = Script::default();
    script.on_close.insert(
        0,
        vec![Intent::Place(
            OrderIntent::market(
                InstrumentIndex::new(0),
                Side::Buy,
                Size::EquityFraction(dec!(0.1)),
            )
            .with_bracket(Some(dec!(90)), Some(dec!(120))),
        )],
    );
    let mut e = engine(EngineConfig::default(), MarketKind::Spot, script);
    e.set_execution(Box::new(ExternalExecution::new()));
    e
}

/// The orders among `commands`.
pub fn placed(commands: &[VenueCommand]) -> Vec<OrderRequest> {
    commands
        .iter()
        .filter_map(|c| match c {
            VenueCommand::Place(o) => Some(o.clone()),
            VenueCommand::Cancel { .. } | VenueCommand::PlaceOco { .. } => None,
        })
        .collect()
}

/// The ids of the cancels among `commands`.
pub fn cancels(commands: &[VenueCommand]) -> Vec<String> {
    commands
        .iter()
        .filter_map(|c| match c {
            VenueCommand::Cancel { client_id, .. } => Some(client_id.to_string()),
            VenueCommand::Place(_) | VenueCommand::PlaceOco { .. } => None,
        })
        .collect()
}
