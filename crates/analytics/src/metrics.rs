//! The report: every metric of one backtest, assembled from the formula
//! modules. Field names are a JSON contract.

use crate::curve::{AnalyticsError, EquityCurve};
use crate::drawdown::drawdown;
use crate::exposure::{exposure_from_flags, exposure_from_trades};
use crate::monthly::{MonthlyReturn, monthly_returns};
use crate::ratios::{calmar, sharpe, sortino};
use crate::returns::{cagr, simple_returns, total_return, volatility};
use crate::setups::{SetupStats, setup_stats};
use crate::stats;
use crate::trades::{RoundTrip, trade_stats};
use crate::var::var_cvar_sorted;
use rust_decimal::Decimal;
use serde::Serialize;

/// Choices the caller may make; the defaults are rf = 0 and exposure
/// derived from the trades.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Options<'a> {
    /// Annual risk-free rate as a fraction (0.04 = 4 %), used per bar as
    /// rf / bars_per_year by Sharpe and as Sortino's target.
    pub risk_free_rate: f64,
    /// One flag per equity point: was a position open during that bar? When
    /// given, exposure is the fraction of `true`; otherwise it is derived
    /// from the trades' entry and exit times.
    pub in_market: Option<&'a [bool]>,
}

/// Every metric of a backtest. Returns and drawdowns are fractions
/// (0.05 = 5 %), P&L is in the quote currency, `None` (JSON `null`) marks a
/// metric that its input does not define. See the crate README for the
/// formulas.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Metrics {
    pub total_return: Option<f64>,
    pub cagr: Option<f64>,
    pub volatility: Option<f64>,
    pub sharpe: Option<f64>,
    pub sortino: Option<f64>,
    pub calmar: Option<f64>,
    pub max_drawdown: Option<f64>,
    pub max_drawdown_duration_ms: Option<i64>,
    pub win_rate: Option<f64>,
    pub profit_factor: Option<f64>,
    pub expectancy: Option<f64>,
    pub avg_win: Option<f64>,
    pub avg_loss: Option<f64>,
    pub exposure: Option<f64>,
    pub trades: usize,
    pub var_95: Option<f64>,
    pub cvar_95: Option<f64>,
    pub var_99: Option<f64>,
    pub cvar_99: Option<f64>,
}

/// Metrics, monthly returns and the per-setup breakdown of one backtest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub metrics: Metrics,
    pub monthly_returns: Vec<MonthlyReturn>,
    pub setups: Vec<SetupStats>,
    /// The annualisation factor used: (points − 1) / years.
    pub bars_per_year: Option<f64>,
}

/// Analyses an equity curve (epoch ms, equity; one point per bar, times
/// strictly ascending) and the round-trip trades of the same backtest.
///
/// Fails only on malformed input: times not strictly ascending, or
/// `in_market` flags not one per point. Any values are accepted otherwise
/// (empty, one point, zero or negative equity), and what they leave
/// undefined is `None`.
pub fn analyze(
    equity: &[(i64, Decimal)],
    trades: &[RoundTrip],
    options: &Options<'_>,
) -> Result<Analysis, AnalyticsError> {
    let curve = EquityCurve::new_checked(equity)?;
    let exposure = match options.in_market {
        Some(flags) if flags.len() != curve.len() => {
            return Err(AnalyticsError::InMarketLength {
                expected: curve.len(),
                got: flags.len(),
            });
        }
        Some(flags) => exposure_from_flags(flags),
        None => exposure_from_trades(curve.times(), trades),
    };
    let bars_per_year = curve.bars_per_year();
    let returns = simple_returns(curve.equity()).unwrap_or_default();
    let annualised = |f: fn(&[f64], f64, f64) -> Option<f64>| {
        bars_per_year.and_then(|bpy| f(&returns, bpy, options.risk_free_rate))
    };
    let sorted = stats::sorted(&returns);
    let tail = |c: f64| var_cvar_sorted(&sorted, c);
    let dd = drawdown(&curve);
    let max_drawdown = dd.map(|d| d.max);
    let growth = cagr(&curve);
    let t = trade_stats(trades);
    let metrics = Metrics {
        total_return: total_return(curve.equity()),
        cagr: growth,
        volatility: bars_per_year.and_then(|bpy| volatility(&returns, bpy)),
        sharpe: annualised(sharpe),
        sortino: annualised(sortino),
        calmar: calmar(growth, max_drawdown),
        max_drawdown,
        max_drawdown_duration_ms: dd.map(|d| d.max_duration_ms),
        win_rate: t.win_rate,
        profit_factor: t.profit_factor,
        expectancy: t.expectancy,
        avg_win: t.avg_win,
        avg_loss: t.avg_loss,
        exposure,
        trades: t.trades,
        var_95: tail(0.95).map(|v| v.var),
        cvar_95: tail(0.95).map(|v| v.cvar),
        var_99: tail(0.99).map(|v| v.var),
        cvar_99: tail(0.99).map(|v| v.cvar),
    };
    Ok(Analysis {
        metrics,
        monthly_returns: monthly_returns(&curve),
        setups: setup_stats(trades),
        bars_per_year,
    })
}
