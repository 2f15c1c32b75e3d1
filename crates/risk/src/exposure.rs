//! Exposure caps: the gross notional (quantity × mark) held per symbol, per
//! venue and per group of correlated symbols, as a percentage of equity.
//! The gate asks how much more of an instrument each cap leaves room for.

use rust_decimal::Decimal;
use smc_model::{InstrumentIndex, PortfolioSnapshot};

/// Percent-of-equity caps; `None` = no cap of that kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExposureCaps {
    pub symbol: Option<Decimal>,
    pub venue: Option<Decimal>,
    pub group: Option<Decimal>,
    /// Lists of symbols capped together by `group`.
    pub correlated_groups: Vec<Vec<String>>,
}

/// What the gate knows of an instrument besides its index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstrumentTag {
    pub symbol: String,
    pub venue: String,
}

impl InstrumentTag {
    /// From an instrument id `venue:SYMBOL` (the model's format).
    pub fn from_id(id: &str) -> Self {
        match id.split_once(':') {
            Some((venue, symbol)) => InstrumentTag {
                symbol: symbol.to_string(),
                venue: venue.to_string(),
            },
            None => InstrumentTag {
                symbol: id.to_string(),
                venue: String::new(),
            },
        }
    }
}

/// `x` cut (toward zero) to 12 decimals: a quotient rounded up in its 28th
/// digit could put a capped order a hair past its cap.
pub fn cap_qty(x: Decimal) -> Decimal {
    x.round_dp_with_strategy(12, rust_decimal::RoundingStrategy::ToZero)
}

/// Gross notional of the instruments `member` selects.
fn notional_of(p: &PortfolioSnapshot, member: impl Fn(InstrumentIndex) -> bool) -> Decimal {
    p.positions
        .iter()
        .filter(|x| member(x.instrument))
        .map(|x| x.qty.abs() * x.mark_price)
        .sum()
}

impl ExposureCaps {
    pub fn is_empty(&self) -> bool {
        self.symbol.is_none() && self.venue.is_none() && self.group.is_none()
    }

    /// The largest quantity of instrument `index` that can be added at
    /// `price` under every cap, and the name of the tightest cap, or `None`
    /// when no cap binds below `wanted`. Instruments without a tag are
    /// capped by symbol only (their own notional).
    pub fn room(
        &self,
        tags: &[InstrumentTag],
        index: InstrumentIndex,
        price: Decimal,
        wanted: Decimal,
        p: &PortfolioSnapshot,
    ) -> Option<(Decimal, String)> {
        if price <= Decimal::ZERO || p.equity <= Decimal::ZERO {
            return None;
        }
        let tag = tags.get(index.get());
        let same_symbol = |i: InstrumentIndex| {
            i == index
                || tag.is_some_and(|t| tags.get(i.get()).is_some_and(|o| o.symbol == t.symbol))
        };
        let mut best: Option<(Decimal, String)> = None;
        let mut consider = |max: Option<Decimal>, held: Decimal, name: String| {
            if let Some(max) = max {
                let cap = cap_qty((max * p.equity / Decimal::ONE_HUNDRED - held) / price)
                    .max(Decimal::ZERO);
                if cap < wanted && best.as_ref().is_none_or(|(b, _)| cap < *b) {
                    best = Some((cap, format!("max_exposure_percent.{name} {max}%")));
                }
            }
        };
        consider(self.symbol, notional_of(p, same_symbol), "symbol".into());
        if let Some(t) = tag {
            let same_venue =
                |i: InstrumentIndex| tags.get(i.get()).is_some_and(|o| o.venue == t.venue);
            consider(
                self.venue,
                notional_of(p, same_venue),
                format!("venue ({})", t.venue),
            );
            for group in self
                .correlated_groups
                .iter()
                .filter(|g| g.contains(&t.symbol))
            {
                let in_group = |i: InstrumentIndex| {
                    tags.get(i.get()).is_some_and(|o| group.contains(&o.symbol))
                };
                consider(
                    self.group,
                    notional_of(p, in_group),
                    format!("group ({})", group.join(",")),
                );
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use smc_model::PositionSnapshot;

    fn portfolio(qtys: &[Decimal]) -> PortfolioSnapshot {
        PortfolioSnapshot {
            equity: dec!(10000),
            positions: qtys
                .iter()
                .enumerate()
                .map(|(i, &qty)| PositionSnapshot {
                    instrument: InstrumentIndex::new(i),
                    qty,
                    mark_price: dec!(100),
                    ..PositionSnapshot::default()
                })
                .collect(),
            ..PortfolioSnapshot::default()
        }
    }

    fn tags() -> Vec<InstrumentTag> {
        [
            "binance:BTCUSDT",
            "binance:ETHUSDT",
            "bybit:BTCUSDT",
            "oanda:EUR_USD",
        ]
        .iter()
        .map(|id| InstrumentTag::from_id(id))
        .collect()
    }

    #[test]
    fn a_symbol_is_capped_across_venues() {
        let caps = ExposureCaps {
            symbol: Some(dec!(20)),
            ..ExposureCaps::default()
        };
        // 10 BTC on binance and 5 short on bybit: 1,500 of the 2,000 allowed.
        let p = portfolio(&[dec!(10), dec!(0), dec!(-5), dec!(0)]);
        let (room, why) = caps
            .room(&tags(), InstrumentIndex::new(0), dec!(100), dec!(50), &p)
            .unwrap();
        assert_eq!(room, dec!(5));
        assert!(why.contains("symbol"));
        assert!(
            caps.room(&tags(), InstrumentIndex::new(3), dec!(100), dec!(20), &p)
                .is_none()
        );
    }

    #[test]
    fn venue_and_group_caps_bind_where_they_are_tightest() {
        let caps = ExposureCaps {
            venue: Some(dec!(30)),
            group: Some(dec!(25)),
            correlated_groups: vec![vec!["BTCUSDT".into(), "ETHUSDT".into()]],
            ..ExposureCaps::default()
        };
        let p = portfolio(&[dec!(10), dec!(10), dec!(0), dec!(0)]);
        // Venue: 3,000 − 2,000 = 10 more; group: 2,500 − 2,000 = 5 more.
        let (room, why) = caps
            .room(&tags(), InstrumentIndex::new(1), dec!(100), dec!(50), &p)
            .unwrap();
        assert_eq!(room, dec!(5));
        assert!(why.contains("group (BTCUSDT,ETHUSDT)"), "{why}");
        // EUR_USD is on another venue and in no group: only its venue's
        // 3,000 binds.
        assert!(
            caps.room(&tags(), InstrumentIndex::new(3), dec!(100), dec!(20), &p)
                .is_none()
        );
        assert_eq!(
            caps.room(&tags(), InstrumentIndex::new(3), dec!(100), dec!(50), &p)
                .unwrap()
                .0,
            dec!(30)
        );
    }

    #[test]
    fn no_room_is_zero_not_negative() {
        let caps = ExposureCaps {
            symbol: Some(dec!(5)),
            ..ExposureCaps::default()
        };
        let p = portfolio(&[dec!(10), dec!(0), dec!(0), dec!(0)]);
        let (room, _) = caps
            .room(&tags(), InstrumentIndex::new(0), dec!(100), dec!(1), &p)
            .unwrap();
        assert_eq!(room, Decimal::ZERO);
    }
}
