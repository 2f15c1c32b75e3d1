//! The period's equity curve as inline SVG: no script, no external
//! resource, so it shows in a browser, a saved file and the email clients
//! that render SVG. Time runs over the whole period (a day that is not over
//! yet shows where it stands), equity between its lowest and highest value
//! with a margin; breaker events are vertical lines.

use super::figures::{BreakerEventRow, PeriodFigures, PeriodKind};
use chrono::{DateTime, Duration, TimeZone, Timelike};
use chrono_tz::Tz;
use maud::{Markup, html};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 78.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 30.0;

/// Display only: the chart's coordinates need no exact decimals.
fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// The chart of `figures.equity`, in the zone `tz`.
pub fn equity_chart(figures: &PeriodFigures, tz: Tz) -> Markup {
    let span = (figures.end - figures.start).max(1) as f64;
    let x = |t: i64| LEFT + (t - figures.start) as f64 / span * (WIDTH - LEFT - RIGHT);
    let values: Vec<f64> = figures.equity.iter().map(|p| f(p.equity)).collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() && hi.is_finite() {
        let margin = ((hi - lo) * 0.08).max(hi.abs() * 1e-4).max(1e-9);
        (lo - margin, hi + margin)
    } else {
        (0.0, 1.0)
    };
    let y = |v: f64| TOP + (hi - v) / (hi - lo) * (HEIGHT - TOP - BOTTOM);
    // Equity holds still between two events: across a stretch without
    // any (no candle came), the line steps instead of sloping.
    let gap = (figures.end - figures.start) / 50;
    let mut points: Vec<String> = Vec::new();
    for (i, (p, v)) in figures.equity.iter().zip(&values).enumerate() {
        if let Some(j) = i.checked_sub(1)
            && p.time - figures.equity[j].time > gap
        {
            points.push(format!("{:.1},{:.1}", x(p.time), y(values[j])));
        }
        points.push(format!("{:.1},{:.1}", x(p.time), y(*v)));
    }
    let baseline = figures.equity.first().map(|p| y(f(p.equity)));
    let ticks = time_ticks(figures.kind, figures.start, figures.end, tz);
    let levels = [hi, (hi + lo) / 2.0, lo];
    html! {
        svg xmlns="http://www.w3.org/2000/svg" class="equity" width=(WIDTH) height=(HEIGHT)
            viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } role="img"
            aria-label={ "Equity during " (figures.period) } {
            rect x=(LEFT) y=(TOP) width=(WIDTH - LEFT - RIGHT) height=(HEIGHT - TOP - BOTTOM)
                fill="#ffffff" stroke="#c8ccd4" {}
            @for (t, label) in &ticks {
                line x1=(format!("{:.1}", x(*t))) x2=(format!("{:.1}", x(*t))) y1=(TOP)
                    y2=(HEIGHT - BOTTOM) stroke="#eceef2" {}
                // The last label ends at the axis' end rather than past it.
                text x=(format!("{:.1}", x(*t))) y=(HEIGHT - BOTTOM + 16.0) font-size="11"
                    text-anchor=(if *t >= figures.end { "end" } else { "middle" })
                    fill="#5a6270" { (label) }
            }
            @for v in levels {
                text x=(LEFT - 6.0) y=(format!("{:.1}", y(v) + 4.0)) font-size="11"
                    text-anchor="end" fill="#5a6270" { (format!("{v:.2}")) }
            }
            @if let Some(b) = baseline {
                line x1=(LEFT) x2=(WIDTH - RIGHT) y1=(format!("{b:.1}")) y2=(format!("{b:.1}"))
                    stroke="#9aa3b2" stroke-dasharray="4 3" {}
            }
            @for e in &figures.breaker_events {
                (breaker_line(e, x(e.time)))
            }
            @if points.len() == 1 {
                circle cx=(format!("{:.1}", x(figures.equity[0].time)))
                    cy=(format!("{:.1}", y(values[0]))) r="3" fill="#1f6feb" {}
            } @else if !points.is_empty() {
                polyline points=(points.join(" ")) fill="none" stroke="#1f6feb"
                    stroke-width="1.6" stroke-linejoin="round" {}
            } @else {
                text x=(WIDTH / 2.0) y=(HEIGHT / 2.0) text-anchor="middle" fill="#5a6270" {
                    "No equity recorded in this period"
                }
            }
        }
    }
}

fn breaker_line(e: &BreakerEventRow, x: f64) -> Markup {
    let colour = match e.action.as_str() {
        "tripped" => "#d1242f",
        "reset" => "#1a7f37",
        _ => "#bf8700",
    };
    html! {
        line x1=(format!("{x:.1}")) x2=(format!("{x:.1}")) y1=(TOP) y2=(HEIGHT - BOTTOM)
            stroke=(colour) stroke-width="1.2" stroke-dasharray="3 2" {
            title { (e.breaker) " " (e.action) " at " (e.time_local) ": " (e.reason) }
        }
    }
}

/// Labelled instants: every 3 hours of a day, every midnight of a week
/// (local time), with their epoch ms.
fn time_ticks(kind: PeriodKind, start: i64, end: i64, tz: Tz) -> Vec<(i64, String)> {
    let Some(first) = DateTime::from_timestamp_millis(start) else {
        return Vec::new();
    };
    let mut at = first.with_timezone(&tz);
    let step = match kind {
        PeriodKind::Daily => Duration::hours(3),
        PeriodKind::Weekly => Duration::days(1),
    };
    let mut out = Vec::new();
    // Stepping in UTC hours keeps a DST day's ticks an equal distance
    // apart; their labels say the local time.
    while at.timestamp_millis() <= end && out.len() < 16 {
        let label = match kind {
            PeriodKind::Daily if at.timestamp_millis() == end => "24:00".to_string(),
            PeriodKind::Daily => format!("{:02}:{:02}", at.hour(), at.minute()),
            PeriodKind::Weekly => at.format("%a %d").to_string(),
        };
        if kind == PeriodKind::Daily || at.timestamp_millis() < end {
            out.push((at.timestamp_millis(), label));
        }
        let next = at.naive_local() + step;
        at = match tz.from_local_datetime(&next).earliest() {
            Some(t) if kind == PeriodKind::Weekly => t,
            _ => at + step,
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_has_ticks_every_three_hours_and_a_week_one_per_day() {
        let start = 1_796_601_600_000; // 2026-12-07T00:00:00Z, a Monday
        let day = time_ticks(PeriodKind::Daily, start, start + 86_400_000, Tz::UTC);
        let labels: Vec<&str> = day.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            labels,
            [
                "00:00", "03:00", "06:00", "09:00", "12:00", "15:00", "18:00", "21:00", "24:00"
            ]
        );
        let week = time_ticks(PeriodKind::Weekly, start, start + 7 * 86_400_000, Tz::UTC);
        assert_eq!(week.len(), 7);
        assert_eq!(week[0].1, "Mon 07");
        assert_eq!(week[6].1, "Sun 13");
    }

    #[test]
    fn weekly_ticks_stay_on_local_midnight_across_a_dst_change() {
        // 2026-10-26 (Mon) 00:00 in Berlin is 2026-10-25T23:00Z... the week
        // of 2026-10-19 contains the switch back to CET on Sunday the 25th.
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let start = tz
            .with_ymd_and_hms(2026, 10, 19, 0, 0, 0)
            .unwrap()
            .timestamp_millis();
        let end = tz
            .with_ymd_and_hms(2026, 10, 26, 0, 0, 0)
            .unwrap()
            .timestamp_millis();
        let week = time_ticks(PeriodKind::Weekly, start, end, tz);
        assert_eq!(week.len(), 7);
        assert!(week.iter().all(|(t, _)| {
            let local = DateTime::from_timestamp_millis(*t)
                .unwrap()
                .with_timezone(&tz);
            local.hour() == 0
        }));
    }
}
