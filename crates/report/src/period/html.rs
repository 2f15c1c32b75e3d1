//! The period's HTML page: one self-contained file (style inlined, the
//! chart as inline SVG, no script, no external resource) that reads the
//! same in a browser, as a saved file and as an email attachment or body.
//! Built with maud, which escapes every text it is given.

use super::figures::{PeriodFigures, SymbolFigures};
use super::svg::equity_chart;
use super::text::{money, percent};
use chrono_tz::Tz;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use rust_decimal::Decimal;

/// A light theme: email clients show a white page, and so does print.
const STYLE: &str = "
body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#1f2328;background:#f6f8fa;margin:0;padding:24px}
main{max-width:800px;margin:0 auto;background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:20px 24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:22px 0 8px}
.sub{color:#59636e;font-size:13px;margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{flex:1 1 150px;border:1px solid #d0d7de;border-radius:6px;padding:8px 12px}
.card .k{color:#59636e;font-size:12px}.card .v{font-size:18px;font-weight:600}
.pos{color:#1a7f37}.neg{color:#d1242f}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #d8dee4;padding:5px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f6f8fa}
td.l,th.l{text-align:left}td.t{white-space:nowrap}.note{color:#59636e;font-size:12px}
h2.session{font-size:19px;border-top:2px solid #1f6feb;padding-top:14px;margin-top:28px}
";

fn sign_class(d: Decimal) -> &'static str {
    if d.is_sign_negative() && !d.is_zero() {
        "neg"
    } else if d.is_zero() {
        ""
    } else {
        "pos"
    }
}

fn card(name: &str, value: &str, class: &str, note: Option<String>) -> Markup {
    html! {
        div.card {
            div.k { (name) }
            div.v class=(class) { (value) }
            @if let Some(n) = note { div.note { (n) } }
        }
    }
}

fn symbol_row(r: &SymbolFigures) -> Markup {
    html! {
        tr {
            td { (r.symbol) }
            td class=(sign_class(r.pnl)) { (money(r.pnl)) }
            td { (money(r.realized)) }
            td { (money(r.unrealized_change)) }
            td { (money(r.fees)) }
            td { (money(r.funding)) }
            td { (r.trades) " (" (r.wins) "/" (r.losses) ")" }
            td { (r.position.normalize().to_string()) }
            td { (r.mark.map_or("–".to_string(), |m| m.normalize().to_string())) }
            td { (money(r.notional)) }
        }
    }
}

/// The figures of one session: everything under the page's title.
pub fn section(f: &PeriodFigures, tz: Tz) -> Markup {
    let p = &f.pnl;
    let c = &f.currency;
    let with_c = |d: Decimal| format!("{} {c}", money(d));
    html! {
        p.sub { (f.start_local) " to " (f.end_local) " · " (f.source) }
        @if !f.has_data {
            p.note { "The journal has no candles or fills in this period." }
        }
        div.cards {
            (card("P&L", &with_c(p.total), sign_class(p.total),
                p.return_fraction.map(|r| format!("{} of starting equity", percent(r)))))
            (card("Trades", &f.trades.count.to_string(), "",
                Some(format!("{} won, {} lost", f.trades.wins, f.trades.losses))))
            (card("Win rate", &f.trades.win_rate.map_or("–".into(), percent), "", None))
            (card("Max drawdown", &with_c(f.drawdown.max_amount), "",
                Some(percent(f.drawdown.max_fraction))))
            (card("Exposure", &with_c(f.exposure.end), "",
                Some(format!("peak {}", money(f.exposure.peak)))))
            (card("Breaker events", &f.breaker_events.len().to_string(), "", None))
        }
        h2 { "Equity" }
        (equity_chart(f, tz))
        p.note {
            "From " (with_c(p.starting_equity)) " to " (with_c(p.ending_equity))
            ". Dashed lines: breaker events."
        }
        h2 { "Profit and loss" }
        table {
            tr { th { "Item" } th { "Amount (" (c) ")" } }
            tr { td { "Realized (before fees)" } td { (money(p.realized)) } }
            tr { td { "Change in unrealized" } td { (money(p.unrealized_change)) } }
            tr { td { "Fees" } td { (money(-p.fees)) } }
            tr { td { "Funding and financing" } td { (money(-p.funding)) } }
            tr { th { "Total" } th class=(sign_class(p.total)) { (money(p.total)) } }
            tr { td { "Unrealized at the end" } td { (money(p.unrealized)) } }
        }
        h2 { "Trades" }
        table {
            tr { th { "Closed round trips" } th { "Won" } th { "Lost" } th { "Net P&L" }
                 th { "Best" } th { "Worst" } th { "Fills" } }
            tr {
                td { (f.trades.count) } td { (f.trades.wins) } td { (f.trades.losses) }
                td class=(sign_class(f.trades.net_pnl)) { (money(f.trades.net_pnl)) }
                td { (f.trades.best.map_or("–".into(), money)) }
                td { (f.trades.worst.map_or("–".into(), money)) }
                td { (f.trades.fills) }
            }
        }
        h2 { "Per symbol" }
        @if f.symbols.is_empty() {
            p.note { "No symbol traded or held in this period." }
        } @else {
            table {
                tr { th { "Symbol" } th { "P&L" } th { "Realized" } th { "Δ unrealized" }
                     th { "Fees" } th { "Funding" } th { "Trades (won/lost)" }
                     th { "Position" } th { "Mark" } th { "Notional" } }
                @for r in &f.symbols { (symbol_row(r)) }
            }
        }
        h2 { "Circuit breakers" }
        @if f.breaker_events.is_empty() {
            p.note { "No breaker tripped, reset or cooled down in this period." }
        } @else {
            table {
                tr { th { "Time" } th.l { "Breaker" } th.l { "Event" } th.l { "Reason" } }
                @for e in &f.breaker_events {
                    tr {
                        td.t { (e.time_local) } td.l { (e.breaker) } td.l { (e.action) }
                        td.l {
                            (e.reason)
                            @if let Some(o) = &e.operator { " (by " (o) ")" }
                        }
                    }
                }
            }
        }
        p.note {
            "Drawdown: the deepest fall from the running peak of equity inside the period. "
            "Exposure: the sum of |position| × last price. Trades: round trips closed "
            "in the period, won or lost by their P&L after all their fees."
        }
    }
}

/// A whole document titled `title` around `content`.
fn document(title: &str, content: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content={ "smc-report " (env!("CARGO_PKG_VERSION")) };
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body { main {
                h1 { (title) }
                (content)
            } }
        }
    }
    .into_string()
}

/// The page of `figures`, times shown in `tz`.
pub fn page(f: &PeriodFigures, tz: Tz) -> String {
    document(&f.title(), section(f, tz))
}

/// One page titled `title` with a section per session (name, figures),
/// times shown in `tz`.
pub fn sessions_page(title: &str, sessions: &[(String, PeriodFigures)], tz: Tz) -> String {
    document(
        title,
        html! {
            @if sessions.is_empty() { p.note { "No session." } }
            @for (name, f) in sessions {
                section.session {
                    h2.session { "Session " (name) }
                    (section(f, tz))
                }
            }
        },
    )
}
