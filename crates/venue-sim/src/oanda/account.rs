//! One token's OANDA account: a netting margin account in USD
//! (hedgingEnabled false), its orders, trades and transaction log. Every
//! transaction gets the next id of the account; an order's id is the id
//! of the transaction that created it and a trade's the id of the fill
//! that opened it, as OANDA numbers them.

use super::instruments::{self, to_home};
use super::wire;
use crate::state::Shared;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use tokio::sync::broadcast;

/// An order type of v20.yaml (`OrderType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Market,
    Limit,
    Stop,
    MarketIfTouched,
    TakeProfit,
    StopLoss,
    TrailingStopLoss,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "MARKET" => Kind::Market,
            "LIMIT" => Kind::Limit,
            "STOP" => Kind::Stop,
            "MARKET_IF_TOUCHED" => Kind::MarketIfTouched,
            "TAKE_PROFIT" => Kind::TakeProfit,
            "STOP_LOSS" => Kind::StopLoss,
            "TRAILING_STOP_LOSS" => Kind::TrailingStopLoss,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Market => "MARKET",
            Kind::Limit => "LIMIT",
            Kind::Stop => "STOP",
            Kind::MarketIfTouched => "MARKET_IF_TOUCHED",
            Kind::TakeProfit => "TAKE_PROFIT",
            Kind::StopLoss => "STOP_LOSS",
            Kind::TrailingStopLoss => "TRAILING_STOP_LOSS",
        }
    }

    /// Whether it belongs to a trade (take-profit, stop-loss, trailing).
    pub fn dependent(self) -> bool {
        matches!(
            self,
            Kind::TakeProfit | Kind::StopLoss | Kind::TrailingStopLoss
        )
    }
}

/// An order as the account keeps it.
#[derive(Debug, Clone)]
pub struct Order {
    pub id: u64,
    pub kind: Kind,
    pub instrument: usize,
    /// Signed units (0 for a dependent order: it closes its trade).
    pub units: Decimal,
    pub price: Option<Decimal>,
    /// Trailing stop distance.
    pub distance: Option<Decimal>,
    /// The trailing stop's current trigger price.
    pub trailing: Option<Decimal>,
    pub price_bound: Option<Decimal>,
    pub tif: String,
    pub gtd: Option<i64>,
    pub position_fill: String,
    pub trigger_condition: String,
    pub client_ext: Option<Value>,
    pub trade_client_ext: Option<Value>,
    /// PENDING, FILLED, TRIGGERED or CANCELLED.
    pub state: &'static str,
    pub create_time: i64,
    /// The replay step it was placed at (candles from the next one on can
    /// trigger it).
    pub placed_step: usize,
    pub trade_id: Option<u64>,
    pub on_fill: OnFill,
    /// A MARKET_IF_TOUCHED order placed below the price triggers on a rise.
    pub above: bool,
    pub filling_tx: Option<u64>,
    pub filled_time: Option<i64>,
    pub cancelling_tx: Option<u64>,
    pub cancelled_time: Option<i64>,
    pub trade_opened: Option<u64>,
    pub trade_reduced: Option<u64>,
    pub trades_closed: Vec<u64>,
    /// The order this one replaced (`replacesOrderID`).
    pub replaces: Option<u64>,
    /// The order that replaced this one (`replacedByOrderID`).
    pub replaced_by: Option<u64>,
}

impl Order {
    pub fn client_id(&self) -> Option<&str> {
        self.client_ext.as_ref()?.get("id")?.as_str()
    }

    /// `Order` of v20.yaml.
    pub fn to_json(&self, shared: &Shared) -> Value {
        let s = &shared.market.series[self.instrument];
        let dp = instruments::spec(s).display_precision;
        let mut v = json!({
            "id": wire::id(self.id),
            "createTime": wire::time(self.create_time),
            "state": self.state,
            "type": self.kind.as_str(),
            "timeInForce": self.tif,
            "triggerCondition": self.trigger_condition,
        });
        if self.kind.dependent() {
            v["tradeID"] = json!(self.trade_id.map(wire::id));
        } else {
            v["instrument"] = json!(s.symbol);
            v["units"] = json!(wire::units(self.units));
            v["positionFill"] = json!(self.position_fill);
        }
        if self.kind == Kind::Market
            && let Some(o) = v.as_object_mut()
        {
            o.remove("triggerCondition");
        }
        if let Some(p) = self.price {
            v["price"] = json!(wire::price(p, dp));
        }
        if let Some(d) = self.distance {
            v["distance"] = json!(wire::price(d, dp));
        }
        if let Some(t) = self.trailing {
            v["trailingStopValue"] = json!(wire::price(t, dp));
        }
        if let Some(b) = self.price_bound {
            v["priceBound"] = json!(wire::price(b, dp));
        }
        if let Some(g) = self.gtd {
            v["gtdTime"] = json!(wire::time(g));
        }
        if let Some(c) = &self.client_ext {
            v["clientExtensions"] = c.clone();
        }
        if let Some(c) = &self.trade_client_ext {
            v["tradeClientExtensions"] = c.clone();
        }
        self.on_fill.add_to(&mut v);
        let opt = |v: &mut Value, k: &str, x: Option<u64>| {
            if let Some(x) = x {
                v[k] = json!(wire::id(x));
            }
        };
        opt(&mut v, "fillingTransactionID", self.filling_tx);
        opt(&mut v, "cancellingTransactionID", self.cancelling_tx);
        opt(&mut v, "tradeOpenedID", self.trade_opened);
        opt(&mut v, "tradeReducedID", self.trade_reduced);
        opt(&mut v, "replacesOrderID", self.replaces);
        opt(&mut v, "replacedByOrderID", self.replaced_by);
        if let Some(t) = self.filled_time {
            v["filledTime"] = json!(wire::time(t));
        }
        if let Some(t) = self.cancelled_time {
            v["cancelledTime"] = json!(wire::time(t));
        }
        if !self.trades_closed.is_empty() {
            v["tradeClosedIDs"] = json!(
                self.trades_closed
                    .iter()
                    .map(|t| wire::id(*t))
                    .collect::<Vec<_>>()
            );
        }
        v
    }
}

/// The exits attached to an entry (`takeProfitOnFill`, `stopLossOnFill`,
/// `trailingStopLossOnFill`), as the client sent them.
#[derive(Debug, Clone, Default)]
pub struct OnFill {
    pub take_profit: Option<Value>,
    pub stop_loss: Option<Value>,
    pub trailing: Option<Value>,
}

impl OnFill {
    pub fn add_to(&self, v: &mut Value) {
        for (k, x) in [
            ("takeProfitOnFill", &self.take_profit),
            ("stopLossOnFill", &self.stop_loss),
            ("trailingStopLossOnFill", &self.trailing),
        ] {
            if let Some(x) = x {
                v[k] = x.clone();
            }
        }
    }
}

/// A trade (an open or closed part of the position).
#[derive(Debug, Clone)]
pub struct Trade {
    pub id: u64,
    pub instrument: usize,
    pub price: Decimal,
    pub open_time: i64,
    pub initial_units: Decimal,
    pub current_units: Decimal,
    pub realized_pl: Decimal,
    pub financing: Decimal,
    pub close_time: Option<i64>,
    pub closing_txs: Vec<u64>,
    pub take_profit: Option<u64>,
    pub stop_loss: Option<u64>,
    pub trailing: Option<u64>,
    pub client_ext: Option<Value>,
    pub margin_required: Decimal,
}

impl Trade {
    pub fn is_open(&self) -> bool {
        !self.current_units.is_zero()
    }
}

/// One account.
#[derive(Debug)]
pub struct Account {
    pub id: String,
    pub token: String,
    pub user_id: u64,
    pub balance: Decimal,
    pub pl: Decimal,
    pub financing: Decimal,
    pub created: i64,
    pub last_tx: u64,
    pub transactions: Vec<Value>,
    pub orders: BTreeMap<u64, Order>,
    pub trades: BTreeMap<u64, Trade>,
    /// Every transaction, rendered, to the account's open transaction streams.
    pub events: broadcast::Sender<String>,
}

/// The id of the `n`-th token's account.
pub fn account_id(n: usize) -> String {
    format!("101-001-{}-001", 1_000_001 + n as u64)
}

impl Account {
    pub fn new(token: &str, n: usize, balance: Decimal, now: i64) -> Self {
        let user_id = 1_000_001 + n as u64;
        let mut a = Account {
            id: account_id(n),
            token: token.to_string(),
            user_id,
            balance,
            pl: Decimal::ZERO,
            financing: Decimal::ZERO,
            created: now,
            last_tx: 0,
            transactions: Vec::new(),
            orders: BTreeMap::new(),
            trades: BTreeMap::new(),
            events: broadcast::channel(1_024).0,
        };
        a.record(
            now,
            json!({"type": "CREATE", "divisionID": 1, "siteID": 101, "accountUserID": user_id,
                   "accountNumber": 1, "homeCurrency": "USD"}),
            None,
        );
        a.record(
            now,
            json!({"type": "TRANSFER_FUNDS", "amount": wire::money(balance),
                   "fundingReason": "ADJUSTMENT", "accountBalance": wire::money(balance)}),
            None,
        );
        a
    }

    /// The id the next transaction will get.
    pub fn next_id(&self) -> u64 {
        self.last_tx + 1
    }

    /// Appends transaction `body` (its id, time, account, user and batch
    /// are filled in), sends it to the streams; its id.
    pub fn record(&mut self, now: i64, mut body: Value, batch: Option<u64>) -> u64 {
        self.last_tx += 1;
        let id = self.last_tx;
        body["id"] = json!(wire::id(id));
        body["time"] = json!(wire::time(now));
        body["userID"] = json!(self.user_id);
        body["accountID"] = json!(self.id);
        body["batchID"] = json!(wire::id(batch.unwrap_or(id)));
        let _ = self.events.send(body.to_string());
        self.transactions.push(body);
        id
    }

    pub fn transaction(&self, id: u64) -> Option<&Value> {
        let i = usize::try_from(id).ok()?.checked_sub(1)?;
        self.transactions.get(i)
    }

    /// Net units held in instrument `i` (one sign: the account nets).
    pub fn position(&self, i: usize) -> Decimal {
        self.open_trades(i).map(|t| t.current_units).sum()
    }

    pub fn open_trades(&self, i: usize) -> impl Iterator<Item = &Trade> {
        self.trades
            .values()
            .filter(move |t| t.instrument == i && t.is_open())
    }

    /// Unrealized P/L of a trade at the current close-out price (a long
    /// closes at the bid, a short at the ask), in USD.
    pub fn unrealized(&self, shared: &Shared, t: &Trade, step: usize) -> Decimal {
        let (bid, ask) = instruments::quote(shared, t.instrument, step);
        let exit = if t.current_units > Decimal::ZERO {
            bid
        } else {
            ask
        };
        let s = &shared.market.series[t.instrument];
        to_home(s, (exit - t.price) * t.current_units, exit)
    }

    /// Margin of a trade at the current mid price, in USD.
    pub fn margin(&self, shared: &Shared, t: &Trade, step: usize) -> Decimal {
        let (bid, ask) = instruments::quote(shared, t.instrument, step);
        let s = &shared.market.series[t.instrument];
        instruments::notional_home(s, t.current_units, (bid + ask) / Decimal::TWO)
            * shared.oanda.margin_rate
    }

    pub fn unrealized_total(&self, shared: &Shared, step: usize) -> Decimal {
        let open = self.trades.values().filter(|t| t.is_open());
        open.map(|t| self.unrealized(shared, t, step)).sum()
    }

    pub fn margin_used(&self, shared: &Shared, step: usize) -> Decimal {
        let open = self.trades.values().filter(|t| t.is_open());
        open.map(|t| self.margin(shared, t, step)).sum()
    }

    pub fn nav(&self, shared: &Shared, step: usize) -> Decimal {
        self.balance + self.unrealized_total(shared, step)
    }

    /// Whether an order other than `except` already has this client id
    /// (ended orders keep theirs).
    pub fn client_id_taken(&self, client_id: &str, except: Option<u64>) -> bool {
        self.orders
            .values()
            .any(|o| Some(o.id) != except && o.client_id() == Some(client_id))
    }

    /// An order by specifier: its id or `@clientId`.
    pub fn find_order(&self, spec: &str) -> Option<&Order> {
        match spec.strip_prefix('@') {
            Some(c) => self
                .orders
                .values()
                .rev()
                .find(|o| o.client_id() == Some(c)),
            None => self.orders.get(&spec.parse::<u64>().ok()?),
        }
    }

    /// A trade by specifier: its id or `@clientId`.
    pub fn find_trade(&self, spec: &str) -> Option<&Trade> {
        match spec.strip_prefix('@') {
            Some(c) => self.trades.values().rev().find(|t| {
                t.client_ext
                    .as_ref()
                    .and_then(|e| e.get("id"))
                    .and_then(Value::as_str)
                    == Some(c)
            }),
            None => self.trades.get(&spec.parse::<u64>().ok()?),
        }
    }
}
