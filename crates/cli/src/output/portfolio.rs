//! What `smc run --portfolio` prints at the end: the portfolio as one JSON
//! line on stdout (`"type": "portfolio"`, for machines) and as a table on
//! stderr (for people).

use rust_decimal::Decimal;
use smc_runtime::portfolio::PortfolioReport;
use std::io::Write;

/// Prints `report` both ways.
pub fn print(report: &PortfolioReport) -> anyhow::Result<()> {
    let mut value = serde_json::to_value(report)?;
    if let Some(fields) = value.as_object_mut() {
        fields.insert("type".into(), "portfolio".into());
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{value}")?;
    out.flush()?;
    eprint!("{}", table(report));
    Ok(())
}

fn money(x: Decimal) -> String {
    x.round_dp(2).to_string()
}

/// The report as an aligned text table.
pub fn table(report: &PortfolioReport) -> String {
    let header = [
        "session", "symbols", "ccy", "start", "equity", "P&L", "trades", "won", "fees", "spread",
        "funding", "open",
    ];
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
    for s in &report.sessions {
        let Some(a) = &s.account else {
            let why = s.error.clone().unwrap_or_else(|| "no account".into());
            rows.push(vec![s.name.clone(), format!("failed: {why}")]);
            continue;
        };
        let open: Vec<String> = a
            .positions
            .iter()
            .map(|p| format!("{} {}", p.symbol, p.qty.normalize()))
            .collect();
        rows.push(vec![
            s.name.clone(),
            a.symbols.join(","),
            a.currency.clone(),
            money(a.starting_cash),
            money(a.equity),
            money(a.pnl),
            a.trades.to_string(),
            a.winning_trades.to_string(),
            money(a.fees),
            money(a.spread),
            money(a.funding),
            if open.is_empty() {
                "-".into()
            } else {
                open.join(" ")
            },
        ]);
    }
    for t in &report.totals {
        rows.push(vec![
            "total".into(),
            String::new(),
            t.currency.clone(),
            money(t.starting_cash),
            money(t.equity),
            money(t.pnl),
        ]);
    }
    let mut text = render(&rows);
    let ccy = &report.report_currency;
    match (report.total_equity, report.total_pnl) {
        (Some(e), Some(p)) => text.push_str(&format!(
            "portfolio: equity {} {ccy}, P&L {} {ccy}\n",
            money(e),
            money(p)
        )),
        _ => text.push_str(&format!(
            "portfolio: no total in {ccy}: no rate for {} (rates: in the portfolio file)\n",
            report.unvalued.join(", ")
        )),
    }
    text
}

fn render(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width = |c: usize| {
        let cells = rows.iter().filter(|r| r.len() > 2).filter_map(|r| r.get(c));
        cells.map(|s| s.chars().count()).max().unwrap_or(0)
    };
    let widths: Vec<usize> = (0..columns).map(width).collect();
    let mut text = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| match row.len() {
                2 => cell.clone(),
                _ => format!("{cell:<w$}", w = widths[c]),
            })
            .collect();
        text.push_str(cells.join("  ").trim_end());
        text.push('\n');
    }
    text
}
