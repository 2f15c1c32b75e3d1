//! Forex as a retail FX broker such as OANDA runs it, for instruments of
//! kind [`MarketKind::Forex`](smc_model::MarketKind): the candles are bid
//! prices and a buy deals at the ask, a configured spread above (the
//! spread is the cost; no percentage fee); open positions pay or earn
//! financing at each daily rollover (17:00 New York); and when the
//! account's equity falls to a share of the margin in use, every position
//! is closed (margin closeout).

use chrono::{TimeZone, Timelike};
use chrono_tz::America::New_York;
use rust_decimal::Decimal;
use serde::Deserialize;

/// The forex model's settings (`backtest.engine.forex`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ForexConfig {
    /// The bid-ask spread, in pips.
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub spread_pips: Decimal,
    /// One pip in price units; default 0.01 for pairs quoted in JPY,
    /// else 0.0001 (OANDA's `pipLocation` −2 and −4).
    #[serde(deserialize_with = "smc_model::serde_decimal::exact_opt")]
    pub pip_size: Option<Decimal>,
    /// Annual financing a long position earns, in percent of its notional
    /// (negative: it pays), charged at each rollover for the days since.
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub long_rate_percent: Decimal,
    /// The same for a short position.
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub short_rate_percent: Decimal,
    /// Leverage of the margin account a forex backtest opens (30:1, the
    /// EU retail limit on major pairs).
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub leverage: Decimal,
    /// Close every position when equity falls to this percent of the
    /// margin in use (OANDA: 50).
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub closeout_percent: Decimal,
}

impl Default for ForexConfig {
    /// A 1-pip spread, longs paying 3 % a year and shorts earning 1 %
    /// (the shape of a EUR/USD rate differential; set the broker's
    /// rates for real figures), 30:1, closeout at 50 %.
    fn default() -> Self {
        ForexConfig {
            spread_pips: Decimal::ONE,
            pip_size: None,
            long_rate_percent: Decimal::from(-3),
            short_rate_percent: Decimal::ONE,
            leverage: Decimal::from(30),
            closeout_percent: Decimal::from(50),
        }
    }
}

impl ForexConfig {
    /// One pip of `symbol` (`EURUSD`, `EUR_USD`, `USDJPY`…).
    pub fn pip(&self, symbol: &str) -> Decimal {
        self.pip_size.unwrap_or_else(|| {
            if symbol.to_ascii_uppercase().ends_with("JPY") {
                Decimal::new(1, 2)
            } else {
                Decimal::new(1, 4)
            }
        })
    }

    /// The model in a line, for reports.
    pub fn describe(&self) -> String {
        let pip = self
            .pip_size
            .map_or_else(|| "0.0001 (JPY 0.01)".to_string(), |p| p.to_string());
        format!(
            "bid candles, ask = bid + {} pips (pip {pip}); financing long {}%/yr, short {}%/yr at 17:00 New York; closeout at {}% of margin",
            self.spread_pips.normalize(),
            self.long_rate_percent.normalize(),
            self.short_rate_percent.normalize(),
            self.closeout_percent.normalize()
        )
    }

    /// The spread of `symbol` in price units.
    pub fn spread(&self, symbol: &str) -> Decimal {
        self.spread_pips * self.pip(symbol)
    }

    /// The funding rate of a position of sign `qty` over `days`
    /// rollovers, as a perpetual's (the position pays `qty × mark × rate`:
    /// a long paying its rate, or a short earning its rate, both come out
    /// positive).
    pub fn financing_rate(&self, qty: Decimal, days: u32) -> Decimal {
        let rate = if qty > Decimal::ZERO {
            -self.long_rate_percent
        } else {
            self.short_rate_percent
        };
        rate / Decimal::ONE_HUNDRED * Decimal::from(days) / Decimal::from(365)
    }
}

const DAY_MS: i64 = 86_400_000;

/// The rollover (17:00 New York, 21:00 or 22:00 UTC with daylight saving)
/// of the UTC day starting at `day_ms`.
fn rollover_of(day_ms: i64) -> Option<i64> {
    let noon = chrono::DateTime::from_timestamp_millis(day_ms + DAY_MS / 2)?;
    let local = noon.with_timezone(&New_York);
    let five_pm = local.with_hour(17)?.with_minute(0)?.with_second(0)?;
    let at = New_York
        .from_local_datetime(&five_pm.naive_local())
        .single()?;
    Some(at.timestamp_millis())
}

/// How many rollovers fall in `(after_ms, upto_ms]`: a position held
/// through them pays or earns that many days of financing (over a weekend
/// gap in the data, the weekend's days too).
pub fn rollovers(after_ms: i64, upto_ms: i64) -> u32 {
    if upto_ms <= after_ms {
        return 0;
    }
    let first_day = after_ms.div_euclid(DAY_MS) * DAY_MS;
    let mut count = 0u32;
    let mut day = first_day;
    while day <= upto_ms {
        if let Some(at) = rollover_of(day)
            && at > after_ms
            && at <= upto_ms
        {
            count += 1;
        }
        day += DAY_MS;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    /// 2018-01-02 00:00 UTC (winter: rollover 22:00 UTC).
    const JAN_2: i64 = 1_514_851_200_000;
    /// 2018-07-02 00:00 UTC (summer: rollover 21:00 UTC).
    const JUL_2: i64 = 1_530_489_600_000;
    const HOUR: i64 = 3_600_000;

    #[test]
    fn rollover_is_five_pm_new_york_in_both_seasons() {
        assert_eq!(rollover_of(JAN_2), Some(JAN_2 + 22 * HOUR));
        assert_eq!(rollover_of(JUL_2), Some(JUL_2 + 21 * HOUR));
        assert_eq!(rollovers(JAN_2 + 21 * HOUR, JAN_2 + 22 * HOUR), 1);
        assert_eq!(rollovers(JAN_2 + 22 * HOUR, JAN_2 + 23 * HOUR), 0);
        assert_eq!(rollovers(JUL_2 + 20 * HOUR, JUL_2 + 21 * HOUR), 1);
    }

    #[test]
    fn a_daily_bar_crosses_one_rollover_and_a_weekend_gap_three() {
        assert_eq!(rollovers(JAN_2, JAN_2 + DAY_MS), 1);
        // Friday 2018-01-05 00:00 to Monday 2018-01-08 00:00: Fri, Sat, Sun.
        let friday = JAN_2 + 3 * DAY_MS;
        assert_eq!(rollovers(friday, friday + 3 * DAY_MS), 3);
        assert_eq!(rollovers(friday, friday), 0);
    }

    #[test]
    fn pips_and_financing() {
        let f = ForexConfig::default();
        assert_eq!(f.pip("EUR_USD"), dec!(0.0001));
        assert_eq!(f.pip("USDJPY"), dec!(0.01));
        assert_eq!(f.spread("EURUSD"), dec!(0.0001));
        // A long pays 3 % a year: one day is 3/36500 of the notional.
        assert_eq!(f.financing_rate(dec!(1000), 1), dec!(3) / dec!(36500));
        // A short earns 1 % a year: qty × rate is negative, it receives.
        let rate = f.financing_rate(dec!(-1000), 2);
        assert_eq!(rate, dec!(2) / dec!(36500));
        assert!(dec!(-1000) * rate < Decimal::ZERO);
    }
}
