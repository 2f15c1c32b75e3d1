//! Self-contained HTML pages of the SMC trading agent: everything (data,
//! script, style) is inlined, so a page opens offline and can be mailed or
//! archived as one file.

/// The backtest report of `smc backtest --report`.
pub mod backtest_report;
/// The SMC detection chart of `smc detect --format html`.
pub mod detect_chart;
/// The "why no trade" table: entry candles without an order, per month and reason.
pub mod no_trade;
/// The HTML shell shared by every page, and safe JSON embedding.
pub mod page;
/// The daily and weekly reports of a trading session.
pub mod period;
/// The random-entry significance test's table.
pub mod significance;
/// The report's HTML tables (metrics, monthly returns, trades, risk).
pub mod tables;

pub use backtest_report::{BacktestPage, write_backtest_report};
pub use detect_chart::write_detect_chart;
pub use no_trade::{NoTradeMonth, no_trade_months};
pub use tables::{RiskNote, TimeMarker};
