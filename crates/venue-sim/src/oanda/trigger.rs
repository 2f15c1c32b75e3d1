//! When pending orders fill: against each replayed candle (bid prices;
//! the ask candle is the bid one plus the spread), a buy watches the ask
//! and a sell the bid. A limit or take-profit fills at its price or
//! better (the open, when the candle gapped through it), a stop or
//! stop-loss at its price or worse, a market-if-touched at its price once
//! touched, a trailing stop at its trailing value, which follows the
//! candle's best price at its distance. An order is first offered the
//! price it was placed at, then the candles released after it. Expired
//! GTD/GFD orders are cancelled; daily financing is booked when the
//! replayed time passes 17:00 America/New_York.

use super::account::{Account, Kind, Order};
use super::fill::{self, Cx, FillReq};
use super::instruments::{self, to_home};
use super::wire;
use rust_decimal::Decimal;
use serde_json::json;
use smc_model::Candle;
use smc_model::time::{DAY_MS, HOUR_MS, civil_from_days, days_from_civil, weekday};

/// OHLC of one side.
#[derive(Debug, Clone, Copy)]
pub struct Bar {
    pub open: Decimal,
    pub high: Decimal,
    pub low: Decimal,
}

impl Bar {
    pub fn of(c: &Candle, add: Decimal) -> Bar {
        Bar {
            open: c.open + add,
            high: c.high + add,
            low: c.low + add,
        }
    }

    pub fn flat(p: Decimal) -> Bar {
        Bar {
            open: p,
            high: p,
            low: p,
        }
    }
}

/// Whether an order buys: an entry by its units, an exit against its trade.
pub fn buys(acct: &Account, o: &Order) -> bool {
    match o.trade_id {
        Some(t) if o.kind.dependent() => acct
            .trades
            .get(&t)
            .is_some_and(|t| t.current_units < Decimal::ZERO),
        _ => o.units > Decimal::ZERO,
    }
}

/// The price order `o` fills at on bar `b` of its side, if it fills;
/// a trailing stop's trigger moves along the bar otherwise.
pub fn fires(o: &mut Order, buy: bool, b: Bar) -> Option<Decimal> {
    let p = o.price.unwrap_or_default();
    let limit_like = |p: Decimal| {
        if buy {
            (b.low <= p).then(|| p.min(b.open))
        } else {
            (b.high >= p).then(|| p.max(b.open))
        }
    };
    let stop_like = |p: Decimal| {
        if buy {
            (b.high >= p).then(|| p.max(b.open))
        } else {
            (b.low <= p).then(|| p.min(b.open))
        }
    };
    match o.kind {
        Kind::Market => Some(b.open),
        Kind::Limit | Kind::TakeProfit => limit_like(p),
        Kind::Stop | Kind::StopLoss => stop_like(p),
        Kind::MarketIfTouched if o.above => (b.high >= p).then(|| p.max(b.open)),
        Kind::MarketIfTouched => (b.low <= p).then(|| p.min(b.open)),
        Kind::TrailingStopLoss => {
            let (t, d) = (o.trailing?, o.distance?);
            let hit = stop_like(t);
            if hit.is_none() {
                o.trailing = Some(if buy {
                    t.min(b.low + d)
                } else {
                    t.max(b.high - d)
                });
            }
            hit
        }
    }
}

fn fill_reason(kind: Kind) -> &'static str {
    match kind {
        Kind::Market => "MARKET_ORDER",
        Kind::Limit => "LIMIT_ORDER",
        Kind::Stop => "STOP_ORDER",
        Kind::MarketIfTouched => "MARKET_IF_TOUCHED_ORDER",
        Kind::TakeProfit => "TAKE_PROFIT_ORDER",
        Kind::StopLoss => "STOP_LOSS_ORDER",
        Kind::TrailingStopLoss => "TRAILING_STOP_LOSS_ORDER",
    }
}

/// Offers order `id` bid bar `bid` (the ask bar is it plus the spread);
/// whether it filled or was cancelled for it.
pub fn offer(acct: &mut Account, cx: &Cx, id: u64, bid: Bar) -> bool {
    let Some(mut o) = acct.orders.get(&id).cloned() else {
        return false;
    };
    if o.state != "PENDING" {
        return false;
    }
    let s = &cx.shared.market.series[o.instrument];
    let spread = instruments::spread(cx.shared, s);
    let buy = buys(acct, &o);
    let bar = if buy {
        Bar {
            open: bid.open + spread,
            high: bid.high + spread,
            low: bid.low + spread,
        }
    } else {
        bid
    };
    let hit = fires(&mut o, buy, bar);
    let trailing = o.trailing;
    if let Some(x) = acct.orders.get_mut(&id) {
        x.trailing = trailing;
    }
    let Some(price) = hit else {
        return false;
    };
    let (units, only_trade, position_fill) = match o.trade_id {
        Some(t) if o.kind.dependent() => {
            let u = acct.trades.get(&t).map(|t| -t.current_units);
            let Some(u) = u.filter(|u| !u.is_zero()) else {
                fill::cancel(acct, cx.now, id, "LINKED_TRADE_CLOSED", None);
                return true;
            };
            (u, Some(t), "REDUCE_ONLY".to_string())
        }
        _ => (o.units, None, o.position_fill.clone()),
    };
    if o.kind == Kind::Market
        && let Some(bound) = o.price_bound
        && ((buy && price > bound) || (!buy && price < bound))
    {
        fill::cancel(acct, cx.now, id, "BOUNDS_VIOLATION", Some(id));
        return true;
    }
    let req = FillReq {
        order_id: id,
        instrument: o.instrument,
        units,
        price,
        reason: fill_reason(o.kind),
        position_fill,
        only_trade,
        batch: id,
    };
    if let Err(reason) = fill::fill(acct, cx, &req) {
        fill::cancel(acct, cx.now, id, reason, Some(id));
    }
    true
}

/// Offers every pending order of instrument `i` placed before replay step
/// `cx.step` that step's candle.
pub fn on_candle(acct: &mut Account, cx: &Cx, i: usize, c: &Candle) {
    let ids: Vec<u64> = acct
        .orders
        .values()
        .filter(|o| o.state == "PENDING" && o.instrument == i && o.placed_step < cx.step)
        .map(|o| o.id)
        .collect();
    for id in ids {
        offer(acct, cx, id, Bar::of(c, Decimal::ZERO));
    }
}

/// 17:00 America/New_York of UTC day `day` (days since the epoch), in ms:
/// 21:00 UTC under US daylight time (second Sunday of March to the first
/// Sunday of November), 22:00 UTC otherwise.
pub fn ny_five_pm(day: i64) -> i64 {
    let (y, m, d) = civil_from_days(day);
    let nth_sunday = |month: u32, n: i64| {
        let first = days_from_civil(y, month, 1);
        // weekday(): 0 = Monday … 6 = Sunday.
        let wd = i64::from(weekday(first * DAY_MS));
        first + (6 - wd).rem_euclid(7) + 7 * (n - 1)
    };
    let today = days_from_civil(y, m, d);
    let dst = today >= nth_sunday(3, 2) && today < nth_sunday(11, 1);
    day * DAY_MS + if dst { 21 } else { 22 } * HOUR_MS
}

/// How many 17:00 New York instants lie in `(from, to]`.
pub fn rollovers(from: i64, to: i64) -> u32 {
    let mut n = 0;
    let mut day = from.div_euclid(DAY_MS) - 1;
    while day <= to.div_euclid(DAY_MS) {
        let t = ny_five_pm(day);
        if t > from && t <= to {
            n += 1;
        }
        day += 1;
    }
    n
}

/// Books `days` days of financing on the open trades of instrument `i`
/// (annual rates `--financing-long-pct`/`--financing-short-pct` over 365
/// days, on the notional at the mid price) as one DAILY_FINANCING.
pub fn finance(acct: &mut Account, cx: &Cx, i: usize, days: u32) {
    let shared = cx.shared;
    let s = &shared.market.series[i];
    let (bid, ask) = instruments::quote(shared, i, cx.step);
    let mid = (bid + ask) / Decimal::TWO;
    let year = Decimal::from(365 * 100);
    let mut per_trade = Vec::new();
    let mut total = Decimal::ZERO;
    for t in acct
        .trades
        .values_mut()
        .filter(|t| t.instrument == i && t.is_open())
    {
        let rate = if t.current_units > Decimal::ZERO {
            shared.oanda.financing_long_pct
        } else {
            shared.oanda.financing_short_pct
        };
        let f = (instruments::notional_home(s, t.current_units, mid) * rate / year
            * Decimal::from(days))
        .round_dp(4);
        t.financing += f;
        total += f;
        per_trade.push(json!({"tradeID": wire::id(t.id), "financing": wire::money(f)}));
    }
    if per_trade.is_empty() {
        return;
    }
    acct.balance += total;
    acct.financing += total;
    let _ = to_home;
    let body = json!({
        "type": "DAILY_FINANCING", "financing": wire::money(total),
        "accountBalance": wire::money(acct.balance), "accountFinancingMode": "DAILY",
        "positionFinancings": [{
            "instrument": s.symbol, "financing": wire::money(total),
            "openTradeFinancings": per_trade,
        }],
    });
    acct.record(cx.now, body, None);
}

/// Cancels GTD orders past their time and GFD orders past the 17:00 New
/// York after their creation (the replayed clock, the time of every
/// transaction).
pub fn expire(acct: &mut Account, now: i64) {
    let due: Vec<u64> = acct
        .orders
        .values()
        .filter(|o| o.state == "PENDING")
        .filter(|o| match o.tif.as_str() {
            "GTD" => o.gtd.is_some_and(|g| g <= now),
            "GFD" => rollovers(o.create_time, now) > 0,
            _ => false,
        })
        .map(|o| o.id)
        .collect();
    for id in due {
        fill::cancel(acct, now, id, "TIME_IN_FORCE_EXPIRED", None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smc_model::time::epoch_ms;

    #[test]
    fn five_pm_new_york_follows_daylight_time() {
        let winter = epoch_ms(2024, 1, 15, 0, 0, 0) / DAY_MS;
        assert_eq!(ny_five_pm(winter), epoch_ms(2024, 1, 15, 22, 0, 0));
        let summer = epoch_ms(2024, 7, 1, 0, 0, 0) / DAY_MS;
        assert_eq!(ny_five_pm(summer), epoch_ms(2024, 7, 1, 21, 0, 0));
        // 2024: daylight time from 10 March to 3 November.
        let before = epoch_ms(2024, 3, 9, 0, 0, 0) / DAY_MS;
        assert_eq!(ny_five_pm(before), epoch_ms(2024, 3, 9, 22, 0, 0));
        let first = epoch_ms(2024, 3, 10, 0, 0, 0) / DAY_MS;
        assert_eq!(ny_five_pm(first), epoch_ms(2024, 3, 10, 21, 0, 0));
        let back = epoch_ms(2024, 11, 3, 0, 0, 0) / DAY_MS;
        assert_eq!(ny_five_pm(back), epoch_ms(2024, 11, 3, 22, 0, 0));
        // One per UTC day bar.
        let d = epoch_ms(2024, 5, 6, 0, 0, 0);
        assert_eq!(rollovers(d, d + DAY_MS), 1);
        assert_eq!(rollovers(d, d + HOUR_MS), 0);
    }
}
