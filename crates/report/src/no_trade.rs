//! The report's "Why no trade" table: per calendar month, the entry
//! candles of the run, those that placed an order, and those that did not
//! by reason. Every month between the first and the last candle has a row,
//! so a month without data reads as such instead of as a quiet strategy.

use maud::html;
use smc_model::{NoTradeReason, NoTradeTally, ReasonCounts, Timestamp};
use std::collections::BTreeMap;

/// One month's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoTradeMonth {
    pub year: i64,
    pub month: u32,
    /// Candles of the entry timeframe that closed in the month.
    pub candles: u64,
    /// Of those, the candles that placed no order, by reason.
    pub reasons: ReasonCounts,
}

/// The months from the first to the last of `closes` (entry candles'
/// close times), each with its candle count and the tally's reasons.
pub fn no_trade_months(closes: &[Timestamp], tally: &NoTradeTally) -> Vec<NoTradeMonth> {
    let mut candles: BTreeMap<(i64, u32), u64> = BTreeMap::new();
    for t in closes {
        let (y, m, _) =
            smc_model::time::civil_from_days(t.ms().div_euclid(smc_model::time::DAY_MS));
        *candles.entry((y, m)).or_default() += 1;
    }
    let reasons: BTreeMap<(i64, u32), &ReasonCounts> = tally.months().collect();
    let first = candles.keys().chain(reasons.keys()).min().copied();
    let last = candles.keys().chain(reasons.keys()).max().copied();
    let (Some(mut at), Some(last)) = (first, last) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    while at <= last {
        out.push(NoTradeMonth {
            year: at.0,
            month: at.1,
            candles: candles.get(&at).copied().unwrap_or(0),
            reasons: reasons
                .get(&at)
                .map_or([0; NoTradeReason::ALL.len()], |r| **r),
        });
        at = if at.1 == 12 {
            (at.0 + 1, 1)
        } else {
            (at.0, at.1 + 1)
        };
    }
    out
}

/// The table; reasons that never occurred get no column.
pub fn no_trade_table(months: &[NoTradeMonth]) -> String {
    let used: Vec<NoTradeReason> = NoTradeReason::ALL
        .iter()
        .copied()
        .filter(|r| {
            months
                .iter()
                .any(|m| NoTradeTally::count(&m.reasons, *r) > 0)
        })
        .collect();
    html! {
        table.grid #no-trade {
            caption { "Why no trade: entry candles without an order, by reason and month" }
            thead { tr {
                th { "Month" } th { "Entry candles" } th { "With an order" }
                @for r in &used { th { (r.as_str()) } }
            } }
            tbody { @for m in months {
                @let without: u64 = m.reasons.iter().sum();
                tr {
                    th scope="row" { (format!("{}-{:02}", m.year, m.month)) }
                    td { (m.candles) }
                    @if m.candles == 0 {
                        td colspan=(used.len() + 1) { "no candles in the data" }
                    } @else {
                        td { (m.candles.saturating_sub(without)) }
                        @for r in &used { td { (NoTradeTally::count(&m.reasons, *r)) } }
                    }
                }
            } }
        }
    }
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use smc_model::time::epoch_ms;

    #[test]
    fn a_month_without_candles_gets_a_row_that_says_so() {
        let at = |m| Timestamp::from_ms(epoch_ms(2021, m, 10, 0, 0, 0));
        let closes = [at(3), at(3), at(6)];
        let mut tally = NoTradeTally::default();
        tally.add(at(3), NoTradeReason::NoZone);
        tally.add(at(6), NoTradeReason::InPosition);
        let months = no_trade_months(&closes, &tally);
        let rows: Vec<_> = months.iter().map(|m| (m.month, m.candles)).collect();
        assert_eq!(rows, vec![(3, 2), (4, 0), (5, 0), (6, 1)]);
        let html = no_trade_table(&months);
        assert_eq!(html.matches("no candles in the data").count(), 2);
        assert!(html.contains("<th>no_zone</th>") && html.contains("<th>in_position</th>"));
        assert!(
            !html.contains("risk_refused"),
            "unused reasons get no column"
        );
    }
}
