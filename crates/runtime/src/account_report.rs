//! What one session's account holds and has done, in its own currency:
//! the figures a portfolio of sessions reports side by side.

use rust_decimal::Decimal;
use serde::Serialize;
use smc_engine::Engine;
use smc_matching::AccountKind;

/// One session's account at a moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountReport {
    /// The account currency: the quote currency of its instruments.
    pub currency: String,
    /// What it trades.
    pub symbols: Vec<String>,
    /// `spot` or `margin`.
    pub account: &'static str,
    pub starting_cash: Decimal,
    pub cash: Decimal,
    pub equity: Decimal,
    /// Equity less the starting cash.
    pub pnl: Decimal,
    /// Closed round trips, and how many of them made money after costs.
    pub trades: usize,
    pub winning_trades: usize,
    pub fees: Decimal,
    /// Paid in the prices of buys above the bid (forex).
    pub spread: Decimal,
    /// Funding and financing paid (negative: received).
    pub funding: Decimal,
    pub margin_used: Decimal,
    pub positions: Vec<PositionReport>,
}

/// An open position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PositionReport {
    pub symbol: String,
    /// Signed: negative is short.
    pub qty: Decimal,
    pub avg_price: Decimal,
    pub mark: Decimal,
}

impl AccountReport {
    /// The account of `engine` now.
    pub fn of(engine: &Engine) -> AccountReport {
        let p = engine.portfolio();
        let instruments = engine.instruments();
        let currency = instruments
            .first()
            .map(|i| i.instrument.quote.clone())
            .unwrap_or_default();
        let positions = instruments
            .iter()
            .enumerate()
            .map(|(i, e)| (e, p.position(i)))
            .filter(|(_, pos)| !pos.qty.is_zero())
            .map(|(e, pos)| PositionReport {
                symbol: e.instrument.id.symbol().to_string(),
                qty: pos.qty,
                avg_price: pos.avg_price,
                mark: pos.mark,
            })
            .collect();
        let trades = engine.closed_trades();
        let equity = p.equity();
        AccountReport {
            currency,
            symbols: instruments
                .iter()
                .map(|e| e.instrument.id.symbol().to_string())
                .collect(),
            account: match p.kind() {
                AccountKind::Spot => "spot",
                AccountKind::Margin { .. } => "margin",
            },
            starting_cash: p.starting_cash(),
            cash: p.cash(),
            equity,
            pnl: equity - p.starting_cash(),
            trades: trades.len(),
            winning_trades: trades.iter().filter(|t| t.pnl > Decimal::ZERO).count(),
            fees: p.fees_paid(),
            spread: p.spread_paid(),
            funding: p.funding_paid(),
            margin_used: p.margin_used(),
            positions,
        }
    }
}
