//! The period's figures as plain text: the body of the report's email and
//! what `smc report` prints for people. Money to two decimals (the JSON and
//! the page keep every digit); fractions as percentages.

use super::figures::PeriodFigures;
use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt::Write;

/// How people round money on paper (half a cent up, away from zero).
const HALF_UP: RoundingStrategy = RoundingStrategy::MidpointAwayFromZero;

/// Money for people: two decimals, sign kept.
pub fn money(d: Decimal) -> String {
    let rounded = d.round_dp_with_strategy(2, HALF_UP);
    // Never "-0.00": a negated zero, or a loss of less than half a cent.
    let rounded = if rounded.is_zero() {
        Decimal::ZERO
    } else {
        rounded
    };
    format!("{rounded:.2}")
}

/// A fraction as a percentage with two decimals.
pub fn percent(d: Decimal) -> String {
    format!(
        "{:.2}%",
        (d * Decimal::ONE_HUNDRED).round_dp_with_strategy(2, HALF_UP)
    )
}

/// The summary: headline figures, then one line per symbol and breaker event.
pub fn summary(f: &PeriodFigures) -> String {
    let mut s = String::new();
    let c = &f.currency;
    let p = &f.pnl;
    let t = &f.trades;
    // Writing to a String cannot fail.
    let _ = writeln!(s, "{}", f.title());
    let _ = writeln!(s, "{} to {} — {}", f.start_local, f.end_local, f.source);
    if !f.has_data {
        let _ = writeln!(s, "No candles or fills in this period.");
    }
    let rows: Vec<(&str, String)> = vec![
        (
            "P&L",
            format!(
                "{} {c}{}",
                money(p.total),
                p.return_fraction
                    .map_or(String::new(), |r| format!(" ({})", percent(r)))
            ),
        ),
        ("Realized", format!("{} {c}", money(p.realized))),
        (
            "Unrealized",
            format!(
                "{} {c} (change {})",
                money(p.unrealized),
                money(p.unrealized_change)
            ),
        ),
        ("Fees", format!("{} {c}", money(p.fees))),
        ("Funding", format!("{} {c}", money(p.funding))),
        (
            "Equity",
            format!(
                "{} → {} {c}",
                money(p.starting_equity),
                money(p.ending_equity)
            ),
        ),
        (
            "Trades",
            format!(
                "{} closed ({} won, {} lost), {} fills",
                t.count, t.wins, t.losses, t.fills
            ),
        ),
        ("Win rate", t.win_rate.map_or("–".into(), percent)),
        (
            "Max drawdown",
            format!(
                "{} {c} ({})",
                money(f.drawdown.max_amount),
                percent(f.drawdown.max_fraction)
            ),
        ),
        (
            "Exposure",
            format!(
                "{} {c} at the end, peak {}",
                money(f.exposure.end),
                money(f.exposure.peak)
            ),
        ),
        ("Breaker events", f.breaker_events.len().to_string()),
    ];
    for (name, value) in rows {
        let _ = writeln!(s, "  {name:<15}{value}");
    }
    if !f.symbols.is_empty() {
        let _ = writeln!(
            s,
            "\n  {:<12}{:>14}{:>12}{:>8}{:>16}",
            "symbol", "P&L", "fees", "trades", "position"
        );
        for r in &f.symbols {
            let _ = writeln!(
                s,
                "  {:<12}{:>14}{:>12}{:>8}{:>16}",
                r.symbol,
                money(r.pnl),
                money(r.fees),
                r.trades,
                r.position.normalize().to_string()
            );
        }
    }
    for e in &f.breaker_events {
        let _ = writeln!(
            s,
            "  breaker {} {} at {}: {}",
            e.breaker, e.action, e.time_local, e.reason
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_rounds_half_a_cent_away_from_zero_and_never_shows_minus_zero() {
        assert_eq!(money(Decimal::new(12345, 3)), "12.35");
        assert_eq!(money(Decimal::new(-12345, 3)), "-12.35");
        assert_eq!(money(-Decimal::ZERO), "0.00");
        assert_eq!(money(Decimal::new(-4, 3)), "0.00");
        assert_eq!(percent(Decimal::new(125, 5)), "0.13%");
    }
}
