//! The tables of the backtest report, rendered to HTML here rather than by
//! the page script, so they read (and print, and are searchable) without
//! JavaScript: metrics, monthly returns, per-setup results, trades, risk
//! decisions and breaker events. Every user-supplied text is escaped.

use crate::page::escape_html;
use rust_decimal::Decimal;
use smc_analytics::{Metrics, MonthlyReturn, SetupStats};
use smc_model::time::{DAY_MS, HOUR_MS, MINUTE_MS, format_utc};
use smc_model::{RoundTrip, TradeSide};
use std::fmt::Write;

/// Rows beyond which a table is cut (with a note): a browser handles this
/// many rows smoothly, and the JSON results hold them all.
pub const MAX_ROWS: usize = 10_000;

/// A risk gate's decision other than a plain approval (or a venue's
/// rejection); serialized as the backtest JSON's `risk_decisions` entries.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RiskNote {
    pub time: i64,
    pub client_id: String,
    /// `resized` or `refused`.
    pub decision: String,
    pub reason: String,
}

/// A moment marked on the equity chart (a circuit breaker trip or reset).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TimeMarker {
    pub time: i64,
    /// Short text drawn beside the line, e.g. `daily_loss tripped`.
    pub label: String,
    /// Longer text for the table and the tooltip.
    pub detail: String,
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".into(), |v| format!("{:.2}%", v * 100.0))
}

fn ratio(x: Option<f64>) -> String {
    x.map_or_else(|| "–".into(), |v| format!("{v:.3}"))
}

fn money(x: Option<f64>) -> String {
    x.map_or_else(|| "–".into(), |v| format!("{v:.2}"))
}

/// A duration in the largest units that fit, e.g. `12d 4h`.
pub fn duration(ms: Option<i64>) -> String {
    let Some(ms) = ms else { return "–".into() };
    let (d, h, m) = (ms / DAY_MS, ms % DAY_MS / HOUR_MS, ms % HOUR_MS / MINUTE_MS);
    match (d, h) {
        (0, 0) => format!("{m}m"),
        (0, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

/// `2024-03-12 14:35:00` (UTC).
fn time(ms: i64) -> String {
    format_utc(ms)
        .replace('T', " ")
        .trim_end_matches('Z')
        .to_string()
}

/// Sign class of a number, for green / red cells.
fn sign_class(x: f64) -> &'static str {
    if x > 0.0 {
        "pos"
    } else if x < 0.0 {
        "neg"
    } else {
        ""
    }
}

/// A two-column table of named values.
pub fn key_values(caption: &str, rows: &[(String, String)]) -> String {
    let mut html = format!(
        "<table class=\"kv\"><caption>{}</caption><tbody>",
        escape_html(caption)
    );
    for (k, v) in rows {
        let _ = write!(
            html,
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            escape_html(k),
            escape_html(v)
        );
    }
    html.push_str("</tbody></table>");
    html
}

/// Every metric of the JSON contract, formatted for people, with the JSON
/// field name as each row's id (tests and scripts find them by it).
pub fn metrics_table(m: &Metrics) -> String {
    let rows: [(&str, &str, String); 19] = [
        ("total_return", "Total return", pct(m.total_return)),
        ("cagr", "CAGR", pct(m.cagr)),
        ("volatility", "Volatility (annualised)", pct(m.volatility)),
        ("sharpe", "Sharpe", ratio(m.sharpe)),
        ("sortino", "Sortino", ratio(m.sortino)),
        ("calmar", "Calmar", ratio(m.calmar)),
        ("max_drawdown", "Max drawdown", pct(m.max_drawdown)),
        (
            "max_drawdown_duration_ms",
            "Longest drawdown",
            duration(m.max_drawdown_duration_ms),
        ),
        ("trades", "Closed trades", m.trades.to_string()),
        ("win_rate", "Win rate", pct(m.win_rate)),
        ("profit_factor", "Profit factor", ratio(m.profit_factor)),
        ("expectancy", "Expectancy (per trade)", money(m.expectancy)),
        ("avg_win", "Average win", money(m.avg_win)),
        ("avg_loss", "Average loss", money(m.avg_loss)),
        ("exposure", "Exposure (time in market)", pct(m.exposure)),
        ("var_95", "VaR 95 % (per bar)", pct(m.var_95)),
        ("cvar_95", "CVaR 95 % (per bar)", pct(m.cvar_95)),
        ("var_99", "VaR 99 % (per bar)", pct(m.var_99)),
        ("cvar_99", "CVaR 99 % (per bar)", pct(m.cvar_99)),
    ];
    let mut html =
        String::from("<table class=\"kv\" id=\"metrics\"><caption>Metrics</caption><tbody>");
    for (id, name, value) in rows {
        let _ = write!(
            html,
            "<tr id=\"m-{id}\"><th scope=\"row\">{name}</th><td>{value}</td></tr>"
        );
    }
    html.push_str("</tbody></table>");
    html
}

/// Years as rows, months as columns, and each year compounded.
pub fn monthly_table(months: &[MonthlyReturn]) -> String {
    let mut html = String::from(
        "<table class=\"grid\" id=\"monthly\"><caption>Monthly returns</caption><thead><tr><th>Year</th>",
    );
    for m in [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ] {
        let _ = write!(html, "<th>{m}</th>");
    }
    html.push_str("<th>Year</th></tr></thead><tbody>");
    let mut years: Vec<i64> = months.iter().map(|m| m.year).collect();
    years.dedup();
    for year in years {
        let _ = write!(html, "<tr><th scope=\"row\">{year}</th>");
        let mut compounded = Some(1.0);
        for month in 1..=12 {
            match months.iter().find(|m| m.year == year && m.month == month) {
                Some(m) => {
                    compounded = compounded.zip(m.ret).map(|(c, r)| c * (1.0 + r));
                    let class = m.ret.map_or("", sign_class);
                    let _ = write!(html, "<td class=\"{class}\">{}</td>", pct(m.ret));
                }
                None => html.push_str("<td></td>"),
            }
        }
        let total = compounded.map(|c| c - 1.0);
        let _ = write!(
            html,
            "<td class=\"{}\"><b>{}</b></td></tr>",
            total.map_or("", sign_class),
            pct(total)
        );
    }
    html.push_str("</tbody></table>");
    html
}

/// Closed trades per setup (pattern and timeframe).
pub fn setups_table(setups: &[SetupStats]) -> String {
    let mut html = String::from(
        "<table class=\"grid\" id=\"setups\"><caption>Per setup</caption><thead><tr>\
         <th>Setup</th><th>Trades</th><th>Win rate</th><th>Total P&amp;L</th><th>Average P&amp;L</th><th>Profit factor</th>\
         </tr></thead><tbody>",
    );
    for s in setups {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{:.2}</td><td class=\"{}\">{:.2}</td><td>{}</td></tr>",
            escape_html(&s.setup),
            s.trades,
            pct(Some(s.win_rate)),
            sign_class(s.total_pnl),
            s.total_pnl,
            sign_class(s.avg_pnl),
            s.avg_pnl,
            ratio(s.profit_factor)
        );
    }
    if setups.is_empty() {
        html.push_str("<tr><td colspan=\"6\" class=\"empty\">No closed trade.</td></tr>");
    }
    html.push_str("</tbody></table>");
    html
}

/// One row per round trip, open ones last with empty exit cells.
pub fn trades_table(trades: &[RoundTrip]) -> String {
    let mut html = String::from(
        "<table class=\"grid\" id=\"trades\"><caption>Trades</caption><thead><tr>\
         <th>#</th><th>Side</th><th>Entry time</th><th>Entry</th><th>Exit time</th><th>Exit</th>\
         <th>Size</th><th>P&amp;L</th><th>Return</th><th>Fees</th><th>Setup</th></tr></thead><tbody>",
    );
    for (k, t) in trades.iter().take(MAX_ROWS).enumerate() {
        let notional = t.entry_price * t.size;
        let ret = (!notional.is_zero()).then(|| t.pnl / notional);
        let pnl_class = sign_class(smc_model::num::to_f64(t.pnl));
        let _ = write!(
            html,
            "<tr><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"{pnl_class}\">{:.2}</td><td class=\"{pnl_class}\">{}</td><td>{:.2}</td><td>{}</td></tr>",
            k + 1,
            if t.side == TradeSide::Long {
                "pos"
            } else {
                "neg"
            },
            if t.side == TradeSide::Long {
                "long"
            } else {
                "short"
            },
            time(t.entry_time),
            t.entry_price.normalize(),
            t.exit_time.map(time).unwrap_or_else(|| "open".into()),
            t.exit_price
                .map(|p| p.normalize().to_string())
                .unwrap_or_default(),
            t.size.round_dp(8).normalize(),
            t.pnl,
            ret.map_or_else(|| "–".into(), |r| pct(Some(smc_model::num::to_f64(r)))),
            t.fees,
            escape_html(&t.setup_label()),
        );
    }
    if trades.is_empty() {
        html.push_str("<tr><td colspan=\"11\" class=\"empty\">No trade.</td></tr>");
    }
    html.push_str("</tbody></table>");
    cut_note(&mut html, trades.len(), "trades");
    html
}

/// Every resized or refused order, with the gate's reason.
pub fn decisions_table(decisions: &[RiskNote]) -> String {
    let mut html = String::from(
        "<table class=\"grid\" id=\"decisions\"><caption>Risk decisions (resized and refused orders)</caption>\
         <thead><tr><th>Time</th><th>Order</th><th>Decision</th><th>Reason</th></tr></thead><tbody>",
    );
    for d in decisions.iter().take(MAX_ROWS) {
        let class = if d.decision == "refused" { "neg" } else { "" };
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td class=\"{class}\">{}</td><td class=\"reason\">{}</td></tr>",
            time(d.time),
            escape_html(&d.client_id),
            escape_html(&d.decision),
            escape_html(&d.reason)
        );
    }
    if decisions.is_empty() {
        html.push_str(
            "<tr><td colspan=\"4\" class=\"empty\">Every order was approved as asked.</td></tr>",
        );
    }
    html.push_str("</tbody></table>");
    cut_note(&mut html, decisions.len(), "risk decisions");
    html
}

/// Breaker trips and resets (the lines on the equity chart).
pub fn markers_table(markers: &[TimeMarker]) -> String {
    let mut html = String::from(
        "<table class=\"grid\" id=\"breakers\"><caption>Circuit breakers</caption>\
         <thead><tr><th>Time</th><th>Event</th><th>Detail</th></tr></thead><tbody>",
    );
    for m in markers.iter().take(MAX_ROWS) {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td class=\"reason\">{}</td></tr>",
            time(m.time),
            escape_html(&m.label),
            escape_html(&m.detail)
        );
    }
    if markers.is_empty() {
        html.push_str("<tr><td colspan=\"3\" class=\"empty\">No breaker tripped.</td></tr>");
    }
    html.push_str("</tbody></table>");
    html
}

fn cut_note(html: &mut String, total: usize, what: &str) {
    if total > MAX_ROWS {
        let _ = write!(
            html,
            "<p class=\"note\">The first {MAX_ROWS} of {total} {what}; the JSON results (--json) hold them all.</p>"
        );
    }
}

/// `x` with its sign, for the summary line.
pub fn signed(x: Decimal) -> String {
    if x > Decimal::ZERO {
        format!("+{x}")
    } else {
        x.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn trip(setup: &str, pnl: Decimal, exit: Option<i64>) -> RoundTrip {
        RoundTrip {
            instrument: 0,
            entry_time: 0,
            exit_time: exit,
            entry_price: dec!(100),
            exit_price: exit.map(|_| dec!(110)),
            size: dec!(2),
            side: TradeSide::Long,
            pnl,
            fees: dec!(0.4),
            setup: smc_model::Setup::from_label(setup),
        }
    }

    #[test]
    fn durations_read_in_the_largest_units() {
        assert_eq!(duration(Some(90 * MINUTE_MS)), "1h 30m");
        assert_eq!(duration(Some(3 * DAY_MS + 5 * HOUR_MS)), "3d 5h");
        assert_eq!(duration(Some(0)), "0m");
        assert_eq!(duration(None), "–");
    }

    #[test]
    fn trade_rows_show_return_and_open_trades() {
        let html = trades_table(&[
            trip("ob_retest:5m", dec!(19.6), Some(60_000)),
            trip("<b>", dec!(-3), None),
        ]);
        assert!(html.contains("<td class=\"pos\">19.60</td><td class=\"pos\">9.80%</td>"));
        assert!(html.contains(">open<"));
        assert!(html.contains("&lt;b&gt;") && !html.contains("<b>"));
        assert_eq!(html.matches("<tr>").count(), 3);
    }

    #[test]
    fn monthly_years_compound_their_months() {
        let months = [
            MonthlyReturn {
                year: 2024,
                month: 1,
                ret: Some(0.10),
            },
            MonthlyReturn {
                year: 2024,
                month: 2,
                ret: Some(-0.5),
            },
            MonthlyReturn {
                year: 2025,
                month: 3,
                ret: Some(0.01),
            },
        ];
        let html = monthly_table(&months);
        // 1.1 × 0.5 − 1 = −45 %.
        assert!(
            html.contains("<td class=\"neg\"><b>-45.00%</b></td>"),
            "{html}"
        );
        assert!(html.contains("<th scope=\"row\">2025</th>"));
    }

    #[test]
    fn long_tables_are_cut_with_a_note() {
        let many: Vec<RiskNote> = (0..MAX_ROWS + 5)
            .map(|k| RiskNote {
                time: k as i64,
                client_id: format!("c{k}"),
                decision: "refused".into(),
                reason: "max_positions".into(),
            })
            .collect();
        let html = decisions_table(&many);
        assert_eq!(html.matches("<tr>").count(), MAX_ROWS + 1);
        assert!(html.contains(&format!("of {} risk decisions", MAX_ROWS + 5)));
    }

    #[test]
    fn every_contract_metric_has_a_row() {
        let analysis =
            smc_analytics::analyze(&[], &[], &smc_analytics::Options::default()).unwrap();
        let html = metrics_table(&analysis.metrics);
        for id in [
            "total_return",
            "cagr",
            "volatility",
            "sharpe",
            "sortino",
            "calmar",
            "max_drawdown",
            "max_drawdown_duration_ms",
            "win_rate",
            "profit_factor",
            "expectancy",
            "avg_win",
            "avg_loss",
            "exposure",
            "trades",
            "var_95",
            "cvar_95",
            "var_99",
            "cvar_99",
        ] {
            assert!(html.contains(&format!("id=\"m-{id}\"")), "{id}");
        }
    }
}
