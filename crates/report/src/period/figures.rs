//! The figures of one period's report (a day or an ISO week of a trading
//! session): what the HTML page, the plain-text summary and the JSON
//! answer show. Money is exact (`Decimal`, serialized as strings); times
//! are epoch milliseconds with the local text beside them, in the report's
//! time zone.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A daily or a weekly report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKind {
    Daily,
    Weekly,
}

impl PeriodKind {
    /// `daily` / `weekly`, as the command line and the API spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Daily => "daily",
            PeriodKind::Weekly => "weekly",
        }
    }
}

/// Everything a period's report says, computed from the session's journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodFigures {
    pub kind: PeriodKind,
    /// `2026-12-07` (daily) or `2026-W49` (weekly).
    pub period: String,
    /// IANA name of the zone whose midnights bound the period.
    pub timezone: String,
    /// First instant of the period, epoch ms (inclusive).
    pub start: i64,
    /// First instant after it, epoch ms (exclusive).
    pub end: i64,
    /// The period's bounds in the time zone, RFC 3339 with the offset.
    pub start_local: String,
    pub end_local: String,
    /// Where the figures come from (the journal, password redacted) or the
    /// session's name.
    pub source: String,
    /// The account currency (the traded instruments' quote currency).
    pub currency: String,
    /// Whether the journal has anything (candles or fills) inside the period.
    pub has_data: bool,
    pub pnl: PnlFigures,
    pub trades: TradeFigures,
    pub drawdown: DrawdownFigures,
    pub exposure: ExposureFigures,
    /// Breaker transitions inside the period, oldest first.
    pub breaker_events: Vec<BreakerEventRow>,
    /// Equity at the period's start, after each candle close and fill inside
    /// it, and at its end (or the journal's last event, if earlier).
    pub equity: Vec<EquityPoint>,
    /// One row per traded symbol, by symbol.
    pub symbols: Vec<SymbolFigures>,
}

/// Profit and loss over the period. `total` = `realized` − `fees` −
/// `funding` + `unrealized_change` = `ending_equity` − `starting_equity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PnlFigures {
    pub starting_equity: Decimal,
    pub ending_equity: Decimal,
    pub total: Decimal,
    /// Realized by fills inside the period, before fees.
    pub realized: Decimal,
    /// Open positions' mark-to-market at the period's end.
    pub unrealized: Decimal,
    /// `unrealized` less its value at the period's start.
    pub unrealized_change: Decimal,
    /// Fees of the fills inside the period.
    pub fees: Decimal,
    /// Funding and financing paid inside the period (negative: received).
    pub funding: Decimal,
    /// `total` as a fraction of `starting_equity` (none when that is zero).
    pub return_fraction: Option<Decimal>,
}

/// Round trips closed inside the period, each counted by its net P&L
/// (realized less the fees of all its fills).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeFigures {
    pub count: u64,
    pub wins: u64,
    pub losses: u64,
    /// `wins / count` (none without trades).
    pub win_rate: Option<Decimal>,
    /// Net P&L of the closed round trips.
    pub net_pnl: Decimal,
    pub best: Option<Decimal>,
    pub worst: Option<Decimal>,
    /// Fills inside the period (entries and exits).
    pub fills: u64,
}

/// The deepest fall of equity from its running peak inside the period
/// (the peak counted from the period's start).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawdownFigures {
    pub max_amount: Decimal,
    /// `max_amount` as a fraction of the peak it fell from.
    pub max_fraction: Decimal,
    /// When the trough was reached (none without a fall).
    pub trough_at: Option<i64>,
    pub peak_equity: Decimal,
}

/// Gross notional of the open positions (the sum of |qty| × mark).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExposureFigures {
    pub end: Decimal,
    pub peak: Decimal,
    pub peak_at: Option<i64>,
}

/// One breaker transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakerEventRow {
    pub time: i64,
    pub time_local: String,
    pub breaker: String,
    /// `tripped`, `reset`, `cooldown` (its automatic cooldown ended) or `armed`.
    pub action: String,
    pub reason: String,
    /// Who reset it, for a reset.
    pub operator: Option<String>,
}

/// Equity at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EquityPoint {
    pub time: i64,
    pub equity: Decimal,
}

/// One symbol's part of the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SymbolFigures {
    pub symbol: String,
    pub realized: Decimal,
    pub fees: Decimal,
    pub funding: Decimal,
    pub unrealized_change: Decimal,
    /// `realized` − `fees` − `funding` + `unrealized_change`.
    pub pnl: Decimal,
    pub trades: u64,
    pub wins: u64,
    pub losses: u64,
    /// Signed position at the period's end (negative: short).
    pub position: Decimal,
    /// The last price known at the period's end.
    pub mark: Option<Decimal>,
    pub notional: Decimal,
}

impl PeriodFigures {
    /// The report's title, e.g. `Daily report 2026-12-07 (UTC)`.
    pub fn title(&self) -> String {
        let kind = match self.kind {
            PeriodKind::Daily => "Daily",
            PeriodKind::Weekly => "Weekly",
        };
        format!("{kind} report {} ({})", self.period, self.timezone)
    }
}
