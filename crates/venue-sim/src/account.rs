//! One key's account in one family (spot or USD-M): the engine's OMS and
//! portfolio, the venue's order and trade records, and the user events each
//! change produces. Orders are matched by the engine's matching engine:
//! on arrival against an instant bar at the last price (so marketable
//! orders fill at once as takers, IOC/FOK settle, post-only orders that
//! would take are refused), then against every replayed candle.

use crate::algo;
use crate::error::ApiError;
use crate::market::Market;
use crate::orders::{OrderRecord, TradeRecord};
use crate::routes::Family;
use crate::user_events;
use rust_decimal::Decimal;
use smc_matching::MatchingEngine;
use smc_matching::Portfolio;
use smc_matching::{AccountConfig, AccountKind};
use smc_matching::{Oms, Order};
use smc_matching::{SimFill, VenueReport};
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{
    Candle, ClientOrderId, FeeSource, InstrumentId, Liquidity, OrderKind, OrderRequest,
    OrderStatus, Side, Size, TimeInForce,
};
use std::collections::BTreeMap;
use tokio::sync::broadcast;

/// What the matching needs to know besides the account.
pub struct Ctx<'a> {
    pub market: &'a Market,
    pub matching: &'a MatchingEngine,
    /// The replay step (the last released candle of every series).
    pub step: usize,
    pub now: i64,
    pub leverage: Decimal,
    pub next_trade_id: &'a mut u64,
}

impl Ctx<'_> {
    pub fn last_price(&self, i: usize) -> Decimal {
        self.market.series[i].candle(self.step).close
    }
}

/// A validated new order.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub instrument: usize,
    pub symbol: String,
    pub side: Side,
    pub order_type: String,
    pub kind: OrderKind,
    pub tif: TimeInForce,
    pub tif_str: String,
    pub qty: Option<Decimal>,
    pub quote_qty: Option<Decimal>,
    pub price: Option<Decimal>,
    pub stop_price: Option<Decimal>,
    pub reduce_only: bool,
    pub close_position: bool,
    pub client_id: String,
    /// A USD-M conditional order of the Algo Service.
    pub algo: bool,
    /// The spot order list (OCO) it is a leg of: its legs share one
    /// balance, and one's fill expires the other.
    pub list: Option<u64>,
}

/// One account.
#[derive(Debug)]
pub struct Account {
    pub family: Family,
    pub oms: Oms,
    pub portfolio: Portfolio,
    pub orders: BTreeMap<u64, OrderRecord>,
    pub trades: Vec<TradeRecord>,
    /// Rendered user-data events, to every open user stream of the account.
    pub events: broadcast::Sender<String>,
    pub update_time: i64,
}

fn engine_id(order_id: u64) -> ClientOrderId {
    ClientOrderId::new(format!("o{order_id}"))
}

fn order_id_of(id: &ClientOrderId) -> Option<u64> {
    id.as_str().strip_prefix('o')?.parse().ok()
}

impl Account {
    pub fn new(
        family: Family,
        balance: Decimal,
        leverage: Decimal,
        instruments: usize,
        now: i64,
    ) -> Self {
        let kind = match family {
            Family::Spot => AccountKind::Spot,
            Family::Futures => AccountKind::Margin { leverage },
        };
        let config = AccountConfig {
            kind,
            starting_cash: balance,
        };
        Account {
            family,
            oms: Oms::default(),
            portfolio: Portfolio::new(config, instruments),
            orders: BTreeMap::new(),
            trades: Vec::new(),
            events: broadcast::channel(1_024).0,
            update_time: now,
        }
    }

    fn emit(&self, event: serde_json::Value) {
        // No open user stream is not an error.
        let _ = self.events.send(event.to_string());
    }

    /// Quote locked by open spot buys, and base locked per instrument by
    /// open sells; initial margin of open USD-M orders.
    pub fn locked(&self, instruments: usize, leverage: Decimal) -> (Decimal, Vec<Decimal>) {
        let mut quote = Decimal::ZERO;
        let mut base = vec![Decimal::ZERO; instruments];
        let mut lists = std::collections::BTreeSet::new();
        // An order list's legs hold one balance between them.
        let counted = |o: &&OrderRecord| o.list_id.is_none_or(|l| lists.insert(l));
        for o in self.orders.values().filter(|o| o.is_open()).filter(counted) {
            let price = if o.price.is_zero() {
                o.stop_price
            } else {
                o.price
            };
            match (self.family, o.side) {
                (Family::Spot, Side::Buy) => quote += o.remaining() * price,
                (Family::Spot, Side::Sell) => {
                    if let Some(b) = base.get_mut(o.instrument) {
                        *b += o.remaining();
                    }
                }
                (Family::Futures, _) if !o.reduce_only && !o.close_position => {
                    quote += o.remaining() * price / leverage.max(Decimal::ONE)
                }
                _ => {}
            }
        }
        (quote, base)
    }

    /// Free margin of a USD-M account: equity less position and order margin.
    pub fn available(&self, ctx_instruments: usize, leverage: Decimal) -> Decimal {
        let (orders, _) = self.locked(ctx_instruments, leverage);
        match self.family {
            Family::Spot => self.portfolio.cash() - orders,
            Family::Futures => self.portfolio.equity() - self.portfolio.margin_used() - orders,
        }
    }

    /// Spot: a buy needs its cost in free quote (its fee comes out of the
    /// base received), a sell its quantity in free base. USD-M: initial
    /// margin of what does not reduce.
    fn check_balance(&self, ctx: &Ctx, o: &NewOrder) -> Result<(), ApiError> {
        let n = ctx.market.series.len();
        if o.list.is_some_and(|l| {
            self.orders
                .values()
                .any(|r| r.is_open() && r.list_id == Some(l))
        }) {
            return Ok(()); // the list's first leg holds the balance for both
        }
        let last = ctx.last_price(o.instrument);
        let price = o.price.or(o.stop_price).unwrap_or(last);
        match self.family {
            Family::Spot => {
                let (locked_quote, locked_base) = self.locked(n, ctx.leverage);
                let ok = match o.side {
                    Side::Buy => {
                        let cost = o
                            .quote_qty
                            .unwrap_or_else(|| o.qty.unwrap_or_default() * price);
                        cost <= self.portfolio.cash() - locked_quote
                    }
                    Side::Sell => {
                        let qty = o.qty.unwrap_or_else(|| {
                            o.quote_qty
                                .unwrap_or_default()
                                .checked_div(last)
                                .unwrap_or(Decimal::MAX)
                        });
                        qty <= self.portfolio.position(o.instrument).qty - locked_base[o.instrument]
                    }
                };
                if !ok {
                    return Err(ApiError::bad(
                        -2010,
                        "Account has insufficient balance for requested action.",
                    ));
                }
            }
            Family::Futures => {
                if o.reduce_only || o.close_position {
                    return Ok(());
                }
                let needed = o.qty.unwrap_or_default() * price / ctx.leverage.max(Decimal::ONE);
                if needed > self.available(n, ctx.leverage) {
                    return Err(ApiError::bad(-2019, "Margin is insufficient."));
                }
            }
        }
        Ok(())
    }

    /// Accepts a new order as `order_id` and offers it to the market at once.
    pub fn place(&mut self, ctx: &mut Ctx, order_id: u64, o: NewOrder) -> Result<(), ApiError> {
        if self
            .orders
            .values()
            .any(|r| r.is_open() && r.client_id == o.client_id)
        {
            return Err(match self.family {
                Family::Spot => ApiError::bad(-2010, "Duplicate order sent."),
                Family::Futures => ApiError::bad(-4116, "ClientOrderId is duplicated."),
            });
        }
        self.check_balance(ctx, &o)?;
        let instrument =
            InstrumentId::new("binance", &o.symbol).map_err(|_| ApiError::invalid_symbol())?;
        let size = if o.close_position {
            Size::ClosePosition
        } else if let Some(q) = o.qty {
            Size::Qty(q)
        } else {
            Size::Notional(o.quote_qty.unwrap_or_default())
        };
        let request = OrderRequest {
            client_id: engine_id(order_id),
            instrument,
            side: o.side,
            qty: o.qty.unwrap_or_default(),
            kind: o.kind,
            time_in_force: o.tif,
            reduce_only: o.reduce_only,
        };
        let mut order = Order::new(
            request,
            InstrumentIndex::new(o.instrument),
            size,
            Timestamp::from_ms(ctx.now),
            Timestamp::MIN,
        );
        order.qty = o.qty;
        self.oms
            .submit(order)
            .map_err(|e| ApiError::bad(-2010, format!("Order rejected: {e}")))?;
        let record = OrderRecord {
            order_id,
            client_id: o.client_id,
            symbol: o.symbol,
            instrument: o.instrument,
            side: o.side,
            order_type: o.order_type,
            tif: o.tif_str,
            price: o.price.unwrap_or_default(),
            stop_price: o.stop_price.unwrap_or_default(),
            orig_qty: o.qty.unwrap_or_default(),
            quote_order_qty: o.quote_qty.unwrap_or_default(),
            executed_qty: Decimal::ZERO,
            cum_quote: Decimal::ZERO,
            status: OrderStatus::Submitted,
            reduce_only: o.reduce_only,
            close_position: o.close_position,
            time: ctx.now,
            update_time: ctx.now,
            trades: Vec::new(),
            algo: o.algo.then(algo::AlgoInfo::default),
            list_id: o.list,
        };
        self.emit(if o.algo {
            algo::algo_event(&record, ctx.now)
        } else {
            user_events::order_event(self.family, &record, "NEW", None, ctx.now)
        });
        self.orders.insert(order_id, record);
        if self.family == Family::Spot {
            self.emit(user_events::spot_balances_event(
                self, ctx.market, ctx.step, ctx.now,
            ));
        }
        let last = ctx.last_price(o.instrument);
        let volume = ctx.market.series[o.instrument].candle(ctx.step).volume;
        let instant = Candle {
            open_time: Timestamp::from_ms(ctx.now),
            open: last,
            high: last,
            low: last,
            close: last,
            volume,
        };
        self.match_candle(ctx, o.instrument, &instant);
        Ok(())
    }

    /// Matches this account's orders on instrument `i` against `candle`.
    pub fn match_candle(&mut self, ctx: &mut Ctx, i: usize, candle: &Candle) {
        let spec = ctx.market.series[i].rules.spec();
        let mut reports = Vec::new();
        ctx.matching.match_bar(
            i,
            &spec,
            candle,
            &mut self.oms,
            &mut self.portfolio,
            &mut reports,
        );
        self.portfolio.mark(i, candle.close);
        if !reports.is_empty() {
            self.apply(ctx, reports);
        }
    }

    fn apply(&mut self, ctx: &mut Ctx, reports: Vec<VenueReport>) {
        let mut filled = false;
        let mut lists_filled = Vec::new();
        for report in reports {
            let (id, status, exec) = match &report {
                VenueReport::Fill(f) => (&f.client_id, None, "TRADE"),
                VenueReport::Cancelled { client_id, .. } => {
                    (client_id, Some(OrderStatus::Cancelled), "CANCELED")
                }
                VenueReport::Expired { client_id, .. } => {
                    (client_id, Some(OrderStatus::Expired), "EXPIRED")
                }
                VenueReport::Rejected { client_id, .. } => {
                    (client_id, Some(OrderStatus::Rejected), "REJECTED")
                }
                VenueReport::Placed { .. } => continue,
            };
            let Some(order_id) = order_id_of(id) else {
                continue;
            };
            let engine_qty = self
                .oms
                .open()
                .iter()
                .find(|o| o.client_id() == id)
                .and_then(|o| o.qty);
            let Some(rec) = self.orders.get_mut(&order_id) else {
                continue;
            };
            rec.update_time = ctx.now;
            if rec.orig_qty.is_zero() {
                rec.orig_qty = engine_qty.unwrap_or(rec.orig_qty);
            }
            match (&report, status) {
                (VenueReport::Fill(f), _) if rec.algo.is_some() => {
                    self.algo_fill(ctx, order_id, f);
                    filled = true;
                }
                (VenueReport::Fill(f), _) => {
                    if let Some(l) = rec.list_id {
                        lists_filled.push((l, order_id));
                    }
                    let trade = fill_record(ctx, rec, order_id, f);
                    let event =
                        user_events::order_event(self.family, rec, exec, Some(&trade), ctx.now);
                    self.trades.push(trade);
                    self.emit(event);
                    filled = true;
                }
                (_, Some(s)) => {
                    rec.status = s;
                    let event = if rec.algo.is_some() {
                        algo::algo_event(rec, ctx.now)
                    } else {
                        user_events::order_event(self.family, rec, exec, None, ctx.now)
                    };
                    self.emit(event);
                }
                _ => {}
            }
        }
        for (list, leg) in lists_filled {
            self.end_list(ctx, list, leg, OrderStatus::Expired);
        }
        self.update_time = ctx.now;
        let balances = match self.family {
            Family::Spot => user_events::spot_balances_event(self, ctx.market, ctx.step, ctx.now),
            Family::Futures if filled => {
                user_events::futures_account_event(self, ctx.market, ctx.step, ctx.now)
            }
            Family::Futures => return,
        };
        self.emit(balances);
    }

    /// A fill of algo order `algo_id`: the first one triggers it (its child
    /// order enters the matching engine), each is a trade of the child.
    fn algo_fill(&mut self, ctx: &mut Ctx, algo_id: u64, f: &SimFill) {
        let Some(rec) = self.orders.get_mut(&algo_id) else {
            return;
        };
        let child_id = algo_id + algo::CHILD_ID_OFFSET;
        let mut events = Vec::new();
        if let Some(info) = rec.algo.as_mut()
            && info.actual_order_id.is_none()
        {
            info.actual_order_id = Some(child_id);
            info.trigger_time = ctx.now;
            events.push(algo::algo_event(rec, ctx.now));
            let child = algo::child_of(rec, ctx.now);
            events.push(user_events::order_event(
                self.family,
                &child,
                "NEW",
                None,
                ctx.now,
            ));
            self.orders.insert(child_id, child);
        }
        let Some(child) = self.orders.get_mut(&child_id) else {
            return;
        };
        let trade = fill_record(ctx, child, child_id, f);
        events.push(user_events::order_event(
            self.family,
            child,
            "TRADE",
            Some(&trade),
            ctx.now,
        ));
        let (executed, cum_quote, status) = (child.executed_qty, child.cum_quote, child.status);
        self.trades.push(trade);
        if let Some(rec) = self.orders.get_mut(&algo_id) {
            rec.executed_qty = executed;
            rec.cum_quote = cum_quote;
            rec.status = status;
            if status == OrderStatus::Filled {
                events.push(algo::algo_event(rec, ctx.now));
            }
        }
        for e in events {
            self.emit(e);
        }
    }

    /// Finds an order by `orderId` or `origClientOrderId` (an algo order
    /// by `algoId` or `clientAlgoId` when `algo`).
    pub fn find(
        &self,
        symbol: &str,
        order_id: Option<i64>,
        client_id: Option<&str>,
        algo: bool,
    ) -> Option<&OrderRecord> {
        self.orders.values().rev().find(|o| {
            o.symbol == symbol
                && o.algo.is_some() == algo
                && order_id.is_none_or(|id| u64::try_from(id).is_ok_and(|id| id == o.order_id))
                && client_id.is_none_or(|c| c == o.client_id)
        })
    }

    /// Ends the other open legs of order list `list` (not `leg`): expired
    /// when a leg filled, cancelled when one was cancelled; then the list's
    /// `listStatus` event.
    fn end_list(&mut self, ctx: &Ctx, list: u64, leg: u64, to: OrderStatus) {
        let others: Vec<u64> = self
            .orders
            .values()
            .filter(|r| r.list_id == Some(list) && r.order_id != leg && r.is_open())
            .map(|r| r.order_id)
            .collect();
        for id in others {
            let engine = engine_id(id);
            if let Some(o) = self
                .oms
                .open_mut()
                .iter_mut()
                .find(|o| *o.client_id() == engine)
            {
                let _ = o.transition(OrderStatus::Cancelled);
            }
            self.oms.sweep();
            if let Some(rec) = self.orders.get_mut(&id) {
                rec.status = to;
                rec.update_time = ctx.now;
                let exec = if to == OrderStatus::Expired {
                    "EXPIRED"
                } else {
                    "CANCELED"
                };
                let event = user_events::order_event(self.family, rec, exec, None, ctx.now);
                self.emit(event);
            }
        }
        let legs: Vec<&OrderRecord> = self
            .orders
            .values()
            .filter(|r| r.list_id == Some(list))
            .collect();
        self.emit(user_events::list_status_event(list, &legs, ctx.now));
    }

    /// Cancels an open order (with the other legs of its order list, as
    /// Binance does); the record after the cancel.
    pub fn cancel(&mut self, ctx: &Ctx, order_id: u64) -> Result<OrderRecord, ApiError> {
        let unknown = || ApiError::bad(-2011, "Unknown order sent.");
        let rec = self.orders.get_mut(&order_id).ok_or_else(unknown)?;
        if !rec.is_open() {
            return Err(unknown());
        }
        let id = engine_id(order_id);
        if let Some(o) = self
            .oms
            .open_mut()
            .iter_mut()
            .find(|o| *o.client_id() == id)
        {
            o.transition(OrderStatus::Cancelled)
                .map_err(|e| ApiError::bad(-2011, format!("Unknown order sent. ({e})")))?;
        }
        self.oms.sweep();
        rec.status = OrderStatus::Cancelled;
        rec.update_time = ctx.now;
        let rec = rec.clone();
        self.emit(if rec.algo.is_some() {
            algo::algo_event(&rec, ctx.now)
        } else {
            user_events::order_event(self.family, &rec, "CANCELED", None, ctx.now)
        });
        if let Some(list) = rec.list_id {
            self.end_list(ctx, list, order_id, OrderStatus::Cancelled);
        }
        if self.family == Family::Spot {
            self.emit(user_events::spot_balances_event(
                self, ctx.market, ctx.step, ctx.now,
            ));
        }
        Ok(rec)
    }

    /// Open orders, oldest first (of one symbol if given): the matching
    /// engine's, or the Algo Service's untriggered ones when `algo`.
    pub fn open_orders(&self, symbol: Option<&str>, algo: bool) -> Vec<&OrderRecord> {
        self.orders
            .values()
            .filter(|o| o.is_open() && symbol.is_none_or(|s| s == o.symbol))
            .filter(|o| match &o.algo {
                None => !algo,
                Some(a) => algo && a.actual_order_id.is_none(),
            })
            .collect()
    }
}

/// Books fill `f` on order record `rec` (id `order_id`): its quantities
/// and status, and the trade it makes.
fn fill_record(ctx: &mut Ctx, rec: &mut OrderRecord, order_id: u64, f: &SimFill) -> TradeRecord {
    *ctx.next_trade_id += 1;
    rec.executed_qty += f.qty;
    rec.cum_quote += f.qty * f.price;
    if rec.orig_qty.is_zero() {
        rec.orig_qty = rec.executed_qty;
    }
    rec.status = if rec.executed_qty >= rec.orig_qty {
        OrderStatus::Filled
    } else {
        OrderStatus::PartiallyFilled
    };
    let series = &ctx.market.series[f.instrument.get()];
    let (commission, commission_asset) = match &f.fee_source {
        FeeSource::Base { qty } => (*qty, series.base.clone()),
        _ => (f.fee, series.quote.clone()),
    };
    let t = TradeRecord {
        id: *ctx.next_trade_id,
        order_id,
        symbol: rec.symbol.clone(),
        side: f.side,
        price: f.price,
        qty: f.qty,
        commission,
        commission_asset,
        realized: f.realized,
        maker: f.liquidity == Liquidity::Maker,
        time: ctx.now,
    };
    rec.trades.push(t.id);
    t
}
