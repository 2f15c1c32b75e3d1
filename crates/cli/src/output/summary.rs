//! The table `smc backtest` prints: the run's outcome and its main metrics,
//! for people (the JSON results are for machines).

use rust_decimal::Decimal;
use smc_analytics::Analysis;
use smc_engine::BacktestReport;

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "-".into(), |v| format!("{:.2}%", v * 100.0))
}

fn num(x: Option<f64>, decimals: usize) -> String {
    x.map_or_else(|| "-".into(), |v| format!("{v:.decimals$}"))
}

/// The rows of the summary, name and value.
pub fn rows(
    report: &BacktestReport,
    cash: Decimal,
    analysis: &Analysis,
    decisions: &[smc_report::RiskNote],
) -> Vec<(&'static str, String)> {
    let m = &analysis.metrics;
    let count = |kind: &str| {
        decisions
            .iter()
            .filter(|d| d.decision == kind)
            .count()
            .to_string()
    };
    vec![
        ("bars", report.bars.to_string()),
        ("starting cash", cash.to_string()),
        ("final equity", report.final_equity.round_dp(6).to_string()),
        ("total return", pct(m.total_return)),
        ("CAGR", pct(m.cagr)),
        ("volatility", pct(m.volatility)),
        ("Sharpe", num(m.sharpe, 3)),
        ("Sortino", num(m.sortino, 3)),
        ("Calmar", num(m.calmar, 3)),
        ("max drawdown", pct(m.max_drawdown)),
        ("closed trades", report.trades.len().to_string()),
        ("open trades", report.open_trades.len().to_string()),
        ("win rate", pct(m.win_rate)),
        ("profit factor", num(m.profit_factor, 3)),
        ("expectancy", num(m.expectancy, 4)),
        ("exposure", pct(m.exposure)),
        ("VaR 95% (bar)", pct(m.var_95)),
        ("fees", report.fees_paid.round_dp(6).to_string()),
        ("spread", report.spread_paid.round_dp(6).to_string()),
        ("funding", report.funding_paid.round_dp(6).to_string()),
        ("short trades", shorts(report)),
        ("fill rule", report.models.fill_rule.to_string()),
        ("risk: resized", count("resized")),
        ("risk: refused", count("refused")),
    ]
}

/// Closed and open short round trips.
fn shorts(report: &BacktestReport) -> String {
    let short = |t: &&smc_model::RoundTrip| t.side == smc_model::TradeSide::Short;
    let n = report
        .trades
        .iter()
        .chain(&report.open_trades)
        .filter(short)
        .count();
    n.to_string()
}

/// Prints the summary table to stdout.
pub fn print(
    report: &BacktestReport,
    cash: Decimal,
    analysis: &Analysis,
    decisions: &[smc_report::RiskNote],
) {
    for (name, value) in rows(report, cash, analysis, decisions) {
        println!("{name:<16}{value:>24}");
    }
}

/// The random-entry test's rows: each figure, the random runs' median and
/// 5–95 % range, and the p-value.
pub fn print_significance(s: &smc_analytics::significance::Significance) {
    println!(
        "significance: {} random-entry runs (seed {})",
        s.runs, s.seed
    );
    let rows = [
        (
            "total return",
            s.strategy.total_return,
            s.random_total_return,
            s.p_value_total_return,
            true,
        ),
        (
            "Sharpe",
            s.strategy.sharpe,
            s.random_sharpe,
            s.p_value_sharpe,
            false,
        ),
        (
            "profit factor",
            s.strategy.profit_factor,
            s.random_profit_factor,
            s.p_value_profit_factor,
            false,
        ),
    ];
    for (name, own, random, p, percent) in rows {
        let show = |x: Option<f64>| match percent {
            true => pct(x),
            false => num(x, 3),
        };
        println!(
            "  {name:<14}{:>12}   random median {:>10} (5–95 %: {} … {})   p = {}",
            show(own),
            show(random.p50),
            show(random.p5),
            show(random.p95),
            num(p, 3)
        );
    }
}
