//! The report's "Is the edge real?" table: the strategy's total return,
//! Sharpe and profit factor beside the random-entry runs' (median, 5–95 %
//! range, p-value), and a histogram of the random total returns with the
//! strategy's marked, drawn in text so the page needs no script for it.

use maud::html;
use smc_analytics::significance::{Significance, Spread};

fn show(x: Option<f64>, percent: bool) -> String {
    match (x, percent) {
        (None, _) => "-".into(),
        (Some(v), true) => format!("{:.2}%", v * 100.0),
        (Some(v), false) => format!("{v:.3}"),
    }
}

/// Counts of `values` in `bins` equal bins over their range; the bin of
/// `mark` is returned too.
fn histogram(
    values: &[Option<f64>],
    bins: usize,
    mark: Option<f64>,
) -> (Vec<usize>, Option<usize>, f64, f64) {
    let v: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .filter(|x| x.is_finite())
        .collect();
    let lo = v.iter().copied().chain(mark).fold(f64::INFINITY, f64::min);
    let hi = v
        .iter()
        .copied()
        .chain(mark)
        .fold(f64::NEG_INFINITY, f64::max);
    let mut counts = vec![0; bins];
    if v.is_empty() || bins == 0 || hi <= lo {
        return (counts, None, lo, hi);
    }
    let bin = |x: f64| (((x - lo) / (hi - lo) * bins as f64) as usize).min(bins - 1);
    for x in &v {
        counts[bin(*x)] += 1;
    }
    (counts, mark.filter(|m| m.is_finite()).map(bin), lo, hi)
}

/// One figure's row.
struct Row {
    name: &'static str,
    own: Option<f64>,
    random: Spread,
    p: Option<f64>,
    percent: bool,
}

impl Row {
    fn new(
        name: &'static str,
        own: Option<f64>,
        random: Spread,
        p: Option<f64>,
        percent: bool,
    ) -> Self {
        Row {
            name,
            own,
            random,
            p,
            percent,
        }
    }
}

/// The table and histogram, or nothing when the test did not run.
pub fn significance_table(s: Option<&Significance>) -> String {
    let Some(s) = s else {
        return String::new();
    };
    let rows = [
        Row::new(
            "Total return",
            s.strategy.total_return,
            s.random_total_return,
            s.p_value_total_return,
            true,
        ),
        Row::new(
            "Sharpe",
            s.strategy.sharpe,
            s.random_sharpe,
            s.p_value_sharpe,
            false,
        ),
        Row::new(
            "Profit factor",
            s.strategy.profit_factor,
            s.random_profit_factor,
            s.p_value_profit_factor,
            false,
        ),
    ];
    let (counts, marked, lo, hi) = histogram(&s.random_total_returns, 20, s.strategy.total_return);
    let top = counts.iter().copied().max().unwrap_or(0).max(1);
    html! {
        table.grid #significance {
            caption { (format!("Is the edge real? The strategy against {} random-entry runs (seed {}): same trades' sides, holding times and sizes, random bars", s.runs, s.seed)) }
            thead { tr { th { "Figure" } th { "Strategy" } th { "Random median" } th { "Random 5–95 %" } th { "p-value" } } }
            tbody { @for r in &rows {
                tr {
                    th scope="row" { (r.name) }
                    td { (show(r.own, r.percent)) }
                    td { (show(r.random.p50, r.percent)) }
                    td { (format!("{} … {}", show(r.random.p5, r.percent), show(r.random.p95, r.percent))) }
                    td { (show(r.p, false)) }
                }
            } }
        }
        pre.histogram #significance-histogram {
            (format!("random total returns, {} to {} (* the strategy's bin)\n", show(Some(lo), true), show(Some(hi), true)))
            @for (k, c) in counts.iter().enumerate() {
                (format!("{}{}\n", if marked == Some(k) { "*" } else { " " }, "#".repeat(c * 40 / top)))
            }
        }
    }
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use smc_analytics::significance::RunFigures;

    #[test]
    fn the_table_names_each_figure_and_marks_the_strategy() {
        let random: Vec<RunFigures> = (0..19)
            .map(|i| RunFigures {
                total_return: Some(i as f64 / 100.0),
                sharpe: Some(0.1),
                profit_factor: None,
            })
            .collect();
        let own = RunFigures {
            total_return: Some(0.5),
            sharpe: Some(2.0),
            profit_factor: Some(1.5),
        };
        let s = Significance::of(own, &random, 7);
        let html = significance_table(Some(&s));
        assert!(html.contains("19 random-entry runs (seed 7)"), "{html}");
        assert!(
            html.contains("50.00%") && html.contains("0.050"),
            "p = 1/20: {html}"
        );
        assert!(
            html.lines().any(|l| l.starts_with('*')) || html.contains("\n*"),
            "{html}"
        );
        assert_eq!(significance_table(None), "");
    }
}
