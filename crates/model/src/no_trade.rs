//! Why a candle placed no order: the reason a strategy (or the engine, for
//! the risk gate's and the breakers' refusals) gives for each candle of the
//! entry timeframe that ended without a new entry, and a per-month tally of
//! those reasons for reports. A reason is a small `Copy` enum, so a
//! backtest can count one per candle without allocating.

use crate::time::civil_from_days;
use crate::timestamp::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why a candle of the entry timeframe placed no new entry. Each variant
/// names one branch of a strategy or of the engine; see each for which.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoTradeReason {
    /// Not enough history yet: the bias timeframe (or a confirming one) has
    /// not closed enough candles to confirm a swing (smc), or the moving
    /// averages are not filled (sma_cross).
    WarmingUp,
    /// The bias timeframe has no trend (no break of structure yet), or the
    /// entry candles cannot build it.
    NoBias,
    /// The bias timeframe has a trend but a confirming timeframe disagrees.
    BiasDisagrees,
    /// The bias is bearish and shorts are off (`allow_short: false`, or a
    /// spot instrument without the switch).
    ShortsNotAllowed,
    /// The entry timeframe's latest break of structure points against the
    /// bias, so a zone that forms is not one to enter from.
    BreakAgainstBias,
    /// No order block or fair value gap formed on this candle in the bias
    /// direction.
    NoZone,
    /// A zone formed but gives no sizeable order (a zone at or below zero,
    /// a stop that cannot be placed, a size that overflows).
    ZoneUnusable,
    /// A position is open: the strategy manages it and enters nothing.
    InPosition,
    /// An entry placed earlier is still waiting for its retest.
    EntryPending,
    /// No moving-average cross on this candle (sma_cross).
    NoCross,
    /// The risk gate refused the entry (a limit, not a breaker).
    RiskRefused,
    /// A tripped circuit breaker refused the entry.
    BreakerTripped,
    /// The approved entry could not become an order (rounded below the
    /// instrument's minimum quantity or notional).
    OrderRejected,
    /// The ML filter (`ml.model`): the model's probability for the setup
    /// was under the configured threshold.
    ModelBelowThreshold,
    /// A setup formed outside the configured kill zones (`kill_zones`).
    OutsideKillZone,
    /// A setup formed without the liquidity sweep against the bias that
    /// `require_sweep_bars` asks for in its last candles.
    NoRecentSweep,
}

impl NoTradeReason {
    /// Every reason, in the order reports list them.
    pub const ALL: [NoTradeReason; 16] = [
        NoTradeReason::WarmingUp,
        NoTradeReason::NoBias,
        NoTradeReason::BiasDisagrees,
        NoTradeReason::ShortsNotAllowed,
        NoTradeReason::BreakAgainstBias,
        NoTradeReason::NoZone,
        NoTradeReason::ZoneUnusable,
        NoTradeReason::InPosition,
        NoTradeReason::EntryPending,
        NoTradeReason::NoCross,
        NoTradeReason::RiskRefused,
        NoTradeReason::BreakerTripped,
        NoTradeReason::OrderRejected,
        NoTradeReason::ModelBelowThreshold,
        NoTradeReason::OutsideKillZone,
        NoTradeReason::NoRecentSweep,
    ];

    /// The snake_case code (as serialized).
    pub fn as_str(self) -> &'static str {
        match self {
            NoTradeReason::WarmingUp => "warming_up",
            NoTradeReason::NoBias => "no_bias",
            NoTradeReason::BiasDisagrees => "bias_disagrees",
            NoTradeReason::ShortsNotAllowed => "shorts_not_allowed",
            NoTradeReason::BreakAgainstBias => "break_against_bias",
            NoTradeReason::NoZone => "no_zone",
            NoTradeReason::ZoneUnusable => "zone_unusable",
            NoTradeReason::InPosition => "in_position",
            NoTradeReason::EntryPending => "entry_pending",
            NoTradeReason::NoCross => "no_cross",
            NoTradeReason::RiskRefused => "risk_refused",
            NoTradeReason::BreakerTripped => "breaker_tripped",
            NoTradeReason::OrderRejected => "order_rejected",
            NoTradeReason::ModelBelowThreshold => "model_below_threshold",
            NoTradeReason::OutsideKillZone => "outside_kill_zone",
            NoTradeReason::NoRecentSweep => "no_recent_sweep",
        }
    }

    /// Position in [`NoTradeReason::ALL`] (a counter array's index).
    fn slot(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for NoTradeReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Candles per reason, in [`NoTradeReason::ALL`]'s order.
pub type ReasonCounts = [u64; NoTradeReason::ALL.len()];

/// No-trade reasons counted per UTC calendar month. Counting costs a
/// range check and an array increment; only a new month inserts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoTradeTally {
    /// `((year, month), candles per reason)`, in month order. A sorted
    /// vector, not a map: a backtest counts one reason per bar, and the
    /// slot of the current month is kept below, so the steady state is
    /// an increment (a map would be searched per bar).
    months: Vec<((i64, u32), ReasonCounts)>,
    /// The current month's epoch-ms range `[from, to)` and its slot in
    /// `months`: consecutive candles of one month skip the date arithmetic.
    last: Option<(i64, i64, usize)>,
}

impl NoTradeTally {
    /// Counts one candle closed at `time` that placed nothing for `reason`.
    pub fn add(&mut self, time: Timestamp, reason: NoTradeReason) {
        let ms = time.ms();
        let slot = match self.last {
            Some((from, to, slot)) if (from..to).contains(&ms) => slot,
            _ => self.enter_month(ms),
        };
        self.months[slot].1[reason.slot()] += 1;
    }

    /// The slot of the month holding `ms`, inserted when new; remembered.
    fn enter_month(&mut self, ms: i64) -> usize {
        let day = ms.div_euclid(crate::time::DAY_MS);
        let (y, m, d) = civil_from_days(day);
        let first = day - i64::from(d) + 1;
        let end = first + i64::from(crate::time::days_in_month(y, m));
        let key = (y, m);
        let slot = match self.months.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(slot) => slot,
            Err(slot) => {
                self.months
                    .insert(slot, (key, [0; NoTradeReason::ALL.len()]));
                slot
            }
        };
        let ms_range = (
            first.saturating_mul(crate::time::DAY_MS),
            end.saturating_mul(crate::time::DAY_MS),
        );
        self.last = Some((ms_range.0, ms_range.1, slot));
        slot
    }

    /// Candles per reason over the whole run, reasons with none left out.
    pub fn totals(&self) -> BTreeMap<&'static str, u64> {
        let mut sum = [0u64; NoTradeReason::ALL.len()];
        for (_, counts) in &self.months {
            for (s, c) in sum.iter_mut().zip(counts) {
                *s += c;
            }
        }
        NoTradeReason::ALL
            .iter()
            .zip(sum)
            .filter(|(_, n)| *n > 0)
            .map(|(r, n)| (r.as_str(), n))
            .collect()
    }

    /// Candles counted, all reasons together.
    pub fn total(&self) -> u64 {
        self.months.iter().flat_map(|(_, c)| c).sum()
    }

    /// `((year, month), counts)` for each month with at least one count, in
    /// time order.
    pub fn months(&self) -> impl Iterator<Item = ((i64, u32), &ReasonCounts)> {
        self.months.iter().map(|(k, v)| (*k, v))
    }

    /// The count of `reason` in `counts` (a month's).
    pub fn count(counts: &ReasonCounts, reason: NoTradeReason) -> u64 {
        counts[reason.slot()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::epoch_ms;

    #[test]
    fn codes_follow_the_serialized_names_and_all_is_in_slot_order() {
        for (i, r) in NoTradeReason::ALL.iter().enumerate() {
            assert_eq!(r.slot(), i, "{r}");
            let json = serde_json::to_string(r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
        }
    }

    #[test]
    fn the_tally_counts_by_calendar_month() {
        let mut t = NoTradeTally::default();
        let at = |y, m, d, h| Timestamp::from_ms(epoch_ms(y, m, d, h, 0, 0));
        t.add(at(2021, 3, 31, 23), NoTradeReason::NoZone);
        t.add(at(2021, 4, 1, 0), NoTradeReason::NoZone);
        t.add(at(2021, 4, 30, 23), NoTradeReason::InPosition);
        t.add(at(2021, 3, 1, 0), NoTradeReason::NoZone);
        let months: Vec<_> = t
            .months()
            .map(|(k, c)| {
                (
                    k,
                    NoTradeTally::count(c, NoTradeReason::NoZone),
                    NoTradeTally::count(c, NoTradeReason::InPosition),
                )
            })
            .collect();
        assert_eq!(months, vec![((2021, 3), 2, 0), ((2021, 4), 1, 1)]);
        assert_eq!(t.total(), 4);
        let totals: Vec<_> = t.totals().into_iter().collect();
        assert_eq!(totals, vec![("in_position", 1), ("no_zone", 3)]);
    }

    proptest::proptest! {
        /// Whatever order the times come in (instruments close out of
        /// order, months revisit), the tally equals a plain per-month
        /// count computed from calendar dates.
        #[test]
        fn the_tally_equals_a_plain_count_by_calendar_month(
            days in proptest::collection::vec((0i64..1500, 0i64..86_400_000, 0usize..3), 1..200)
        ) {
            let reasons = [NoTradeReason::NoZone, NoTradeReason::InPosition, NoTradeReason::WarmingUp];
            let mut tally = NoTradeTally::default();
            let mut plain: BTreeMap<(i64, u32), ReasonCounts> = BTreeMap::new();
            for (day, ms, r) in days {
                // Around 2021 and before 1970 (negative times) alike.
                let time = (day - 200) * crate::time::DAY_MS + ms;
                tally.add(Timestamp::from_ms(time), reasons[r]);
                let (y, m, _) = civil_from_days(time.div_euclid(crate::time::DAY_MS));
                plain.entry((y, m)).or_insert([0; NoTradeReason::ALL.len()])[reasons[r].slot()] += 1;
            }
            let months: Vec<_> = tally.months().map(|(k, c)| (k, *c)).collect();
            let expected: Vec<_> = plain.into_iter().collect();
            proptest::prop_assert_eq!(months, expected);
        }
    }
}
