//! The objective a window's best parameter set maximises, read from the
//! backtest's analytics metrics.

use serde::Serialize;
use smc_analytics::Metrics;
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// What "best" means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Annualised Sharpe ratio of the per-bar returns.
    #[default]
    Sharpe,
    TotalReturn,
    Calmar,
    Sortino,
    ProfitFactor,
}

impl Objective {
    pub const ALL: [Objective; 5] = [
        Objective::Sharpe,
        Objective::TotalReturn,
        Objective::Calmar,
        Objective::Sortino,
        Objective::ProfitFactor,
    ];

    /// The objective's value in `m`; `None` when the run leaves it
    /// undefined (no trades, flat equity, no losing trade, …).
    pub fn score(self, m: &Metrics) -> Option<f64> {
        let v = match self {
            Objective::Sharpe => m.sharpe,
            Objective::TotalReturn => m.total_return,
            Objective::Calmar => m.calmar,
            Objective::Sortino => m.sortino,
            Objective::ProfitFactor => m.profit_factor,
        };
        v.filter(|x| !x.is_nan())
    }

    /// The name on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Objective::Sharpe => "sharpe",
            Objective::TotalReturn => "total_return",
            Objective::Calmar => "calmar",
            Objective::Sortino => "sortino",
            Objective::ProfitFactor => "profit_factor",
        }
    }
}

impl fmt::Display for Objective {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Objective {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().replace('-', "_");
        Objective::ALL
            .into_iter()
            .find(|o| o.name() == t)
            .ok_or_else(|| {
                let names: Vec<_> = Objective::ALL.iter().map(|o| o.name()).collect();
                format!("unknown objective `{s}`; use one of {}", names.join(", "))
            })
    }
}

/// Compares two scores where an undefined one is worse than any defined one.
pub fn compare_scores(a: Option<f64>, b: Option<f64>) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (None, None) => Ordering::Equal,
    }
}

/// The index of the best score; ties go to the lowest index so that the
/// choice does not depend on the order results arrive in.
pub fn best_index(scores: &[Option<f64>]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, s) in scores.iter().enumerate() {
        match best {
            Some(b) if compare_scores(*s, scores[b]) != Ordering::Greater => {}
            _ => best = Some(i),
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for o in Objective::ALL {
            assert_eq!(o.name().parse::<Objective>(), Ok(o));
        }
        assert_eq!("total-return".parse(), Ok(Objective::TotalReturn));
        assert!(
            "sharp"
                .parse::<Objective>()
                .unwrap_err()
                .contains("sortino")
        );
    }

    #[test]
    fn best_prefers_defined_then_highest_then_lowest_index() {
        assert_eq!(best_index(&[None, Some(-5.0), None]), Some(1));
        assert_eq!(best_index(&[Some(1.0), Some(3.0), Some(3.0)]), Some(1));
        assert_eq!(best_index(&[None, None]), Some(0));
        assert_eq!(best_index(&[]), None);
    }
}
