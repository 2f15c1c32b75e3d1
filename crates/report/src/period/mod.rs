//! The daily and weekly reports of a trading session: [`PeriodFigures`]
//! (computed by the runtime from the session's journal) rendered as one
//! self-contained HTML page with the equity curve as inline SVG, and as a
//! plain-text summary for an email's body. [`PeriodReport`] carries all
//! three; [`render`] makes it.

/// What a period's report says.
pub mod figures;
/// The HTML page.
pub mod html;
/// The equity chart.
pub mod svg;
/// The plain-text summary.
pub mod text;

pub use figures::{
    BreakerEventRow, DrawdownFigures, EquityPoint, ExposureFigures, PeriodFigures, PeriodKind,
    PnlFigures, SymbolFigures, TradeFigures,
};

use serde::Serialize;

/// One period's report, ready to save, serve or mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodReport {
    pub kind: PeriodKind,
    /// E.g. `Daily report 2026-12-07 (UTC)`.
    pub title: String,
    /// The whole page.
    pub html: String,
    /// The plain-text summary (an email's body).
    pub text: String,
    pub figures: PeriodFigures,
}

impl PeriodReport {
    /// The page's default file name: `report-daily-2026-12-07.html`,
    /// `report-weekly-2026-W50.html`.
    pub fn file_name(&self) -> String {
        format!("report-{}-{}.html", self.kind.as_str(), self.figures.period)
    }
}

/// The report of `figures`, with times in its time zone (UTC when the
/// name is not a zone chrono-tz knows).
pub fn render(figures: PeriodFigures) -> PeriodReport {
    let tz = figures.timezone.parse().unwrap_or(chrono_tz::UTC);
    PeriodReport {
        kind: figures.kind,
        title: figures.title(),
        html: html::page(&figures, tz),
        text: text::summary(&figures),
        figures,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use rust_decimal::Decimal;
    use rust_decimal::prelude::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn figures() -> PeriodFigures {
        PeriodFigures {
            kind: PeriodKind::Daily,
            period: "2026-12-07".into(),
            timezone: "UTC".into(),
            start: 1_796_601_600_000,
            end: 1_796_688_000_000,
            start_local: "2026-12-07T00:00:00+00:00".into(),
            end_local: "2026-12-08T00:00:00+00:00".into(),
            source: "sqlite://<paper>.db".into(),
            currency: "USDT".into(),
            has_data: true,
            pnl: PnlFigures {
                starting_equity: d("10000"),
                ending_equity: d("10012.5"),
                total: d("12.5"),
                realized: d("14"),
                unrealized: d("0"),
                unrealized_change: d("0"),
                fees: d("1.5"),
                funding: d("0"),
                return_fraction: Some(d("0.00125")),
            },
            trades: TradeFigures {
                count: 2,
                wins: 1,
                losses: 1,
                win_rate: Some(d("0.5")),
                net_pnl: d("12.5"),
                best: Some(d("19.2")),
                worst: Some(d("-6.7")),
                fills: 4,
            },
            drawdown: DrawdownFigures {
                max_amount: d("6.7"),
                max_fraction: d("0.00067"),
                trough_at: Some(1_796_610_000_000),
                peak_equity: d("10000"),
            },
            exposure: ExposureFigures {
                end: d("0"),
                peak: d("1000"),
                peak_at: Some(1_796_605_000_000),
            },
            breaker_events: vec![BreakerEventRow {
                time: 1_796_620_000_000,
                time_local: "2026-12-07T05:26:40+00:00".into(),
                breaker: "daily_loss".into(),
                action: "tripped".into(),
                reason: "<loss> & more".into(),
                operator: None,
            }],
            equity: vec![
                EquityPoint {
                    time: 1_796_601_600_000,
                    equity: d("10000"),
                },
                EquityPoint {
                    time: 1_796_688_000_000,
                    equity: d("10012.5"),
                },
            ],
            symbols: vec![],
        }
    }

    #[test]
    fn the_page_holds_the_figures_the_chart_and_escapes_text() {
        let r = render(figures());
        assert_eq!(r.title, "Daily report 2026-12-07 (UTC)");
        assert_eq!(r.file_name(), "report-daily-2026-12-07.html");
        assert!(r.html.starts_with("<!DOCTYPE html>"));
        assert!(r.html.contains("<svg"));
        assert!(r.html.contains("<polyline"));
        assert!(r.html.contains("12.50 USDT"));
        assert!(r.html.contains("50.00%"));
        assert!(r.html.contains("&lt;loss&gt; &amp; more"));
        assert!(!r.html.contains("<loss>"));
        assert!(!r.html.contains("<script"), "no script in a mailed page");
        assert!(!r.html.contains("http://") || !r.html.contains("src="));
        assert!(r.text.contains("P&L"));
        assert!(r.text.contains("12.50 USDT (0.13%)"));
        assert!(r.text.contains("breaker daily_loss tripped"));
        let json = serde_json::to_value(&r.figures).unwrap();
        assert_eq!(json["pnl"]["total"], "12.5");
        assert_eq!(json["kind"], "daily");
    }

    #[test]
    fn several_sessions_share_one_page_each_with_its_own_section() {
        let f = figures();
        let page = html::sessions_page(
            &f.title(),
            &[("alpha".into(), f.clone()), ("beta".into(), f)],
            chrono_tz::UTC,
        );
        assert!(page.contains("Session alpha") && page.contains("Session beta"));
        assert_eq!(page.matches("<svg").count(), 2);
        assert_eq!(page.matches("<h1>").count(), 1);
    }
}
