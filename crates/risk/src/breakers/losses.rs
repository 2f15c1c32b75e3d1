//! Consecutive losses: trips after N losing round trips in a row. A round
//! trip ends when a position returns to flat or flips side; its result is
//! the realized P&L since it opened less the fees of its fills (funding is
//! left out). A winning or breakeven trip ends the streak.

use super::condition::Condition;
use rust_decimal::Decimal;
use smc_model::Timestamp;
use smc_model::{EngineEvent, InstrumentId, RiskObservation};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default)]
struct OpenTrip {
    qty: Decimal,
    /// The instrument's realized P&L when the trip opened.
    realized_base: Decimal,
    /// Fees of the trip's fills so far.
    fees: Decimal,
}

/// The losing-streak measure.
#[derive(Debug, Clone)]
pub struct ConsecutiveLosses {
    max_losses: u32,
    streak: u32,
    trips: BTreeMap<InstrumentId, OpenTrip>,
}

impl ConsecutiveLosses {
    pub fn new(max_losses: u32) -> Self {
        ConsecutiveLosses {
            max_losses,
            streak: 0,
            trips: BTreeMap::new(),
        }
    }

    /// Losing round trips in a row so far.
    pub fn streak(&self) -> u32 {
        self.streak
    }
}

impl Condition for ConsecutiveLosses {
    fn name(&self) -> &'static str {
        "consecutive_losses"
    }

    fn observe(&mut self, observation: &RiskObservation<'_>, _now: Timestamp) -> Option<String> {
        let RiskObservation::Event(event) = *observation else {
            return None;
        };
        match event {
            EngineEvent::Fill(f) => {
                self.trips.entry(f.instrument.clone()).or_default().fees += f.fee;
                None
            }
            EngineEvent::PositionChanged {
                instrument,
                qty,
                realized_pnl,
                ..
            } => {
                let trip = self
                    .trips
                    .entry(instrument.clone())
                    .or_insert_with(|| OpenTrip {
                        realized_base: *realized_pnl,
                        ..OpenTrip::default()
                    });
                let was = trip.qty;
                trip.qty = *qty;
                let closed = !was.is_zero()
                    && (qty.is_zero() || qty.is_sign_positive() != was.is_sign_positive());
                if !closed {
                    return None;
                }
                let result = *realized_pnl - trip.realized_base - trip.fees;
                trip.realized_base = *realized_pnl;
                trip.fees = Decimal::ZERO;
                if result < Decimal::ZERO {
                    self.streak += 1;
                } else {
                    self.streak = 0;
                }
                (self.max_losses > 0 && self.streak >= self.max_losses).then(|| {
                    format!(
                        "{} losing round trips in a row (the last {} on {instrument}), limit {}",
                        self.streak,
                        result.normalize(),
                        self.max_losses
                    )
                })
            }
            _ => None,
        }
    }

    fn rebase(&mut self) {
        self.streak = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use smc_model::{Fill, Liquidity, Side};

    fn id() -> InstrumentId {
        "binance:BTCUSDT".parse().unwrap()
    }

    fn fill(fee: Decimal) -> EngineEvent {
        EngineEvent::Fill(Fill {
            client_id: smc_model::ClientOrderId::from_decision("t", Timestamp::from_ms(0), 0),
            instrument: id(),
            trade_id: "1".into(),
            side: Side::Buy,
            price: dec!(100),
            qty: dec!(1),
            fee,
            fee_source: smc_model::FeeSource::Quote,
            liquidity: Liquidity::Taker,
            time: Timestamp::from_ms(0),
        })
    }

    fn pos(qty: Decimal, realized: Decimal) -> EngineEvent {
        EngineEvent::PositionChanged {
            time: Timestamp::from_ms(0),
            instrument: id(),
            qty,
            avg_price: dec!(100),
            realized_pnl: realized,
        }
    }

    fn trip(c: &mut ConsecutiveLosses, realized_before: Decimal, pnl: Decimal) -> Option<String> {
        for e in [
            fill(dec!(1)),
            pos(dec!(1), realized_before),
            fill(dec!(1)),
            pos(dec!(0), realized_before + pnl),
        ] {
            if let Some(why) = c.observe(&RiskObservation::Event(&e), Timestamp::from_ms(0)) {
                return Some(why);
            }
        }
        None
    }

    #[test]
    fn counts_losses_after_fees_and_a_win_ends_the_streak() {
        let mut c = ConsecutiveLosses::new(3);
        assert_eq!(trip(&mut c, dec!(0), dec!(-5)), None);
        assert_eq!(c.streak(), 1);
        // +1 before fees, -1 after the two fees of 1: a loss.
        assert_eq!(trip(&mut c, dec!(-5), dec!(1)), None);
        assert_eq!(c.streak(), 2);
        assert_eq!(trip(&mut c, dec!(-4), dec!(10)), None);
        assert_eq!(c.streak(), 0);
        trip(&mut c, dec!(6), dec!(-1));
        trip(&mut c, dec!(5), dec!(-1));
        let why = trip(&mut c, dec!(4), dec!(-1)).unwrap();
        assert!(why.starts_with("3 losing round trips in a row"), "{why}");
        c.rebase();
        assert_eq!(c.streak(), 0);
    }

    #[test]
    fn a_partial_close_is_not_the_end_of_a_trip() {
        let mut c = ConsecutiveLosses::new(1);
        let seq = [pos(dec!(2), dec!(0)), pos(dec!(1), dec!(-3))];
        for e in &seq {
            assert_eq!(
                c.observe(&RiskObservation::Event(e), Timestamp::from_ms(0)),
                None
            );
        }
        let flip = pos(dec!(-1), dec!(-4));
        assert!(
            c.observe(&RiskObservation::Event(&flip), Timestamp::from_ms(0))
                .is_some()
        );
    }
}
