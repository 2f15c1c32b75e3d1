//! The tables of the backtest report, rendered to HTML here rather than by
//! the page script, so they read (and print, and are searchable) without
//! JavaScript: metrics, monthly returns, per-setup results, trades, risk
//! decisions and breaker events. Built with maud, which escapes every text
//! it is given.

use maud::{Markup, html};
use rust_decimal::Decimal;
use smc_analytics::{Metrics, MonthlyReturn, SetupStats};
use smc_model::time::{DAY_MS, HOUR_MS, MINUTE_MS};
use smc_model::{RoundTrip, Timestamp, TradeSide};

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
fn time(t: Timestamp) -> String {
    t.format_utc()
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
    html! {
        table.kv {
            caption { (caption) }
            tbody {
                @for (k, v) in rows {
                    tr { th scope="row" { (k) } td { (v) } }
                }
            }
        }
    }
    .into_string()
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
    html! {
        table.kv #metrics {
            caption { "Metrics" }
            tbody {
                @for (id, name, value) in rows {
                    tr id=(format!("m-{id}")) { th scope="row" { (name) } td { (value) } }
                }
            }
        }
    }
    .into_string()
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Years as rows, months as columns, and each year compounded.
pub fn monthly_table(months: &[MonthlyReturn]) -> String {
    let mut years: Vec<i64> = months.iter().map(|m| m.year).collect();
    years.dedup();
    html! {
        table.grid #monthly {
            caption { "Monthly returns" }
            thead { tr { th { "Year" } @for m in MONTHS { th { (m) } } th { "Year" } } }
            tbody { @for year in years { (year_row(months, year)) } }
        }
    }
    .into_string()
}

/// One year's months and their compounded total.
fn year_row(months: &[MonthlyReturn], year: i64) -> Markup {
    let cells: Vec<Option<&MonthlyReturn>> = (1..=12)
        .map(|month| months.iter().find(|m| m.year == year && m.month == month))
        .collect();
    let total = cells
        .iter()
        .flatten()
        .try_fold(1.0, |c, m| m.ret.map(|r| c * (1.0 + r)))
        .map(|c| c - 1.0);
    html! {
        tr {
            th scope="row" { (year) }
            @for cell in &cells {
                @match cell {
                    Some(m) => td class=(m.ret.map_or("", sign_class)) { (pct(m.ret)) },
                    None => td {},
                }
            }
            td class=(total.map_or("", sign_class)) { b { (pct(total)) } }
        }
    }
}

/// Closed trades per setup (pattern and timeframe).
pub fn setups_table(setups: &[SetupStats]) -> String {
    html! {
        table.grid #setups {
            caption { "Per setup" }
            thead { tr {
                th { "Setup" } th { "Trades" } th { "Win rate" } th { "Total P&L" }
                th { "Average P&L" } th { "Profit factor" }
            } }
            tbody {
                @for s in setups {
                    tr {
                        td { (s.setup) } td { (s.trades) } td { (pct(Some(s.win_rate))) }
                        td class=(sign_class(s.total_pnl)) { (format!("{:.2}", s.total_pnl)) }
                        td class=(sign_class(s.avg_pnl)) { (format!("{:.2}", s.avg_pnl)) }
                        td { (ratio(s.profit_factor)) }
                    }
                }
                @if setups.is_empty() {
                    tr { td colspan="6" class="empty" { "No closed trade." } }
                }
            }
        }
    }
    .into_string()
}

/// One trade's row: open ones with empty exit cells.
fn trade_row(number: usize, t: &RoundTrip) -> Markup {
    let notional = t.entry_price * t.size;
    let ret = (!notional.is_zero()).then(|| t.pnl / notional);
    let pnl_class = sign_class(smc_model::num::to_f64(t.pnl));
    let (side_class, side) = match t.side {
        TradeSide::Long => ("pos", "long"),
        TradeSide::Short => ("neg", "short"),
    };
    html! {
        tr {
            td { (number) }
            td class=(side_class) { (side) }
            td { (time(t.entry_time)) }
            td { (t.entry_price.normalize()) }
            td { (t.exit_time.map(time).unwrap_or_else(|| "open".into())) }
            td { (t.exit_price.map(|p| p.normalize().to_string()).unwrap_or_default()) }
            td { (t.size.round_dp(8).normalize()) }
            td class=(pnl_class) { (format!("{:.2}", t.pnl)) }
            td class=(pnl_class) {
                (ret.map_or_else(|| "–".into(), |r| pct(Some(smc_model::num::to_f64(r)))))
            }
            td { (format!("{:.2}", t.fees)) }
            td { (t.setup_label()) }
        }
    }
}

/// One row per round trip, open ones last with empty exit cells.
pub fn trades_table(trades: &[RoundTrip]) -> String {
    html! {
        table.grid #trades {
            caption { "Trades" }
            thead { tr {
                th { "#" } th { "Side" } th { "Entry time" } th { "Entry" } th { "Exit time" }
                th { "Exit" } th { "Size" } th { "P&L" } th { "Return" } th { "Fees" } th { "Setup" }
            } }
            tbody {
                @for (k, t) in trades.iter().take(MAX_ROWS).enumerate() { (trade_row(k + 1, t)) }
                @if trades.is_empty() {
                    tr { td colspan="11" class="empty" { "No trade." } }
                }
            }
        }
        (cut_note(trades.len(), "trades"))
    }
    .into_string()
}

/// Every resized or refused order, with the gate's reason.
pub fn decisions_table(decisions: &[RiskNote]) -> String {
    html! {
        table.grid #decisions {
            caption { "Risk decisions (resized and refused orders)" }
            thead { tr { th { "Time" } th { "Order" } th { "Decision" } th { "Reason" } } }
            tbody {
                @for d in decisions.iter().take(MAX_ROWS) {
                    tr {
                        td { (time(Timestamp::from_ms(d.time))) }
                        td { (d.client_id) }
                        td class=(if d.decision == "refused" { "neg" } else { "" }) { (d.decision) }
                        td.reason { (d.reason) }
                    }
                }
                @if decisions.is_empty() {
                    tr { td colspan="4" class="empty" { "Every order was approved as asked." } }
                }
            }
        }
        (cut_note(decisions.len(), "risk decisions"))
    }
    .into_string()
}

/// Breaker trips and resets (the lines on the equity chart).
pub fn markers_table(markers: &[TimeMarker]) -> String {
    html! {
        table.grid #breakers {
            caption { "Circuit breakers" }
            thead { tr { th { "Time" } th { "Event" } th { "Detail" } } }
            tbody {
                @for m in markers.iter().take(MAX_ROWS) {
                    tr { td { (time(Timestamp::from_ms(m.time))) } td { (m.label) } td.reason { (m.detail) } }
                }
                @if markers.is_empty() {
                    tr { td colspan="3" class="empty" { "No breaker tripped." } }
                }
            }
        }
    }
    .into_string()
}

/// Says where the rest is when a table was cut.
fn cut_note(total: usize, what: &str) -> Markup {
    html! {
        @if total > MAX_ROWS {
            p.note { "The first " (MAX_ROWS) " of " (total) " " (what) "; the JSON results (--json) hold them all." }
        }
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
    use smc_model::InstrumentIndex;

    fn trip(setup: &str, pnl: Decimal, exit: Option<i64>) -> RoundTrip {
        RoundTrip {
            instrument: InstrumentIndex::new(0),
            entry_time: Timestamp::from_ms(0),
            exit_time: exit.map(Timestamp::from_ms),
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
