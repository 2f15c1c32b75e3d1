//! The report: every metric of one backtest, assembled from the formula
//! modules. Field names are a JSON contract.

use crate::curve::{AnalyticsError, EquityCurve};
use crate::drawdown::drawdown;
use crate::exposure::{exposure_from_flags, exposure_from_trades};
use crate::monthly::{MonthlyReturn, monthly_returns};
use crate::ratios::{calmar, downside_deviation, sharpe_of, sortino_of};
use crate::returns::{bar_std_of, cagr, return_scale, simple_returns, total_return, volatility_of};
use crate::setups::{SetupStats, setup_stats};
use crate::trades::trade_stats;
use rust_decimal::Decimal;
use serde::Serialize;
use smc_model::RoundTrip;
use smc_model::Timestamp;
use smc_model::stats;
use smc_risk::historical_var_cvar;

/// Choices the caller may make; the defaults are rf = 0 and exposure
/// derived from the trades.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Options<'a> {
    /// Annual risk-free rate as a fraction (0.04 = 4 %), used per bar as
    /// rf / bars_per_year by Sharpe and as Sortino's target.
    pub risk_free_rate: f64,
    /// One flag per equity point: was a position open during that bar? When
    /// given, exposure is the fraction of `true`; otherwise it is derived
    /// from the trades' entry and exit times.
    pub in_market: Option<&'a [bool]>,
}

/// Every metric of a backtest. Returns and drawdowns are fractions
/// (0.05 = 5 %), P&L is in the quote currency, `None` (JSON `null`) marks a
/// metric that its input does not define. See the crate README for the
/// formulas.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Metrics {
    pub total_return: Option<f64>,
    pub cagr: Option<f64>,
    pub volatility: Option<f64>,
    pub sharpe: Option<f64>,
    pub sortino: Option<f64>,
    pub calmar: Option<f64>,
    pub max_drawdown: Option<f64>,
    pub max_drawdown_duration_ms: Option<i64>,
    pub win_rate: Option<f64>,
    pub profit_factor: Option<f64>,
    pub expectancy: Option<f64>,
    pub avg_win: Option<f64>,
    pub avg_loss: Option<f64>,
    pub exposure: Option<f64>,
    pub trades: usize,
    pub var_95: Option<f64>,
    pub cvar_95: Option<f64>,
    pub var_99: Option<f64>,
    pub cvar_99: Option<f64>,
}

/// Metrics, monthly returns and the per-setup breakdown of one backtest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub metrics: Metrics,
    pub monthly_returns: Vec<MonthlyReturn>,
    pub setups: Vec<SetupStats>,
    /// The annualisation factor used: (points − 1) / years.
    pub bars_per_year: Option<f64>,
}

/// Analyses an equity curve (epoch ms, equity; one point per bar, times
/// strictly ascending) and the round-trip trades of the same backtest.
///
/// Fails only on malformed input: times not strictly ascending, or
/// `in_market` flags not one per point. Any values are accepted otherwise
/// (empty, one point, zero or negative equity), and what they leave
/// undefined is `None`.
pub fn analyze(
    equity: &[(Timestamp, Decimal)],
    trades: &[RoundTrip],
    options: &Options<'_>,
) -> Result<Analysis, AnalyticsError> {
    analyze_curve(&EquityCurve::new_checked(equity)?, trades, options)
}

/// [`analyze`] on a curve already validated and converted (the backtest
/// builds it straight from the engine's points, without a copy).
pub fn analyze_curve(
    curve: &EquityCurve,
    trades: &[RoundTrip],
    options: &Options<'_>,
) -> Result<Analysis, AnalyticsError> {
    let exposure = match options.in_market {
        Some(flags) if flags.len() != curve.len() => {
            return Err(AnalyticsError::InMarketLength {
                expected: curve.len(),
                got: flags.len(),
            });
        }
        Some(flags) => exposure_from_flags(flags),
        None => exposure_from_trades(curve.times(), trades),
    };
    let bars_per_year = curve.bars_per_year();
    let returns = simple_returns(curve.equity()).unwrap_or_default();
    // The measures read the same inputs and none of each other's results;
    // on a million bars each takes milliseconds, so they run side by side.
    let ((tail_95, tail_99), ((dd, monthly), (ratios, (t, setups)))) = rayon::join(
        // Each tail copies and partly orders every return: once per level.
        || {
            rayon::join(
                || historical_var_cvar(&returns, 0.95),
                || historical_var_cvar(&returns, 0.99),
            )
        },
        || {
            rayon::join(
                || (drawdown(curve), monthly_returns(curve)),
                || {
                    rayon::join(
                        || Ratios::of(&returns, bars_per_year, options.risk_free_rate),
                        || (trade_stats(trades), setup_stats(trades)),
                    )
                },
            )
        },
    );
    let max_drawdown = dd.map(|d| d.max);
    let growth = cagr(curve);
    let metrics = Metrics {
        total_return: total_return(curve.equity()),
        cagr: growth,
        volatility: ratios.volatility,
        sharpe: ratios.sharpe,
        sortino: ratios.sortino,
        calmar: calmar(growth, max_drawdown),
        max_drawdown,
        max_drawdown_duration_ms: dd.map(|d| d.max_duration_ms),
        win_rate: t.win_rate,
        profit_factor: t.profit_factor,
        expectancy: t.expectancy,
        avg_win: t.avg_win,
        avg_loss: t.avg_loss,
        exposure,
        trades: t.trades,
        var_95: tail_95.map(|v| v.var),
        cvar_95: tail_95.map(|v| v.cvar),
        var_99: tail_99.map(|v| v.var),
        cvar_99: tail_99.map(|v| v.cvar),
    };
    Ok(Analysis {
        metrics,
        monthly_returns: monthly,
        setups,
        bars_per_year,
    })
}

/// Volatility, Sharpe and Sortino, which share the mean, the standard
/// deviation and the noise floor's scale: each computed once, side by
/// side, and the same bits as [`crate::returns::volatility`],
/// [`crate::ratios::sharpe`] and [`crate::ratios::sortino`].
struct Ratios {
    volatility: Option<f64>,
    sharpe: Option<f64>,
    sortino: Option<f64>,
}

impl Ratios {
    fn of(returns: &[f64], bars_per_year: Option<f64>, risk_free_rate: f64) -> Ratios {
        let Some(bpy) = bars_per_year else {
            return Ratios {
                volatility: None,
                sharpe: None,
                sortino: None,
            };
        };
        let target = risk_free_rate / bpy;
        let (sd, (mean, (scale, downside))) = rayon::join(
            || stats::std_dev(returns, 1),
            || {
                rayon::join(
                    || stats::mean(returns),
                    || {
                        rayon::join(
                            || return_scale(returns),
                            || downside_deviation(returns, target),
                        )
                    },
                )
            },
        );
        let bar_std = sd.map(|sd| bar_std_of(sd, scale));
        Ratios {
            volatility: bar_std.and_then(|s| volatility_of(s, bpy)),
            sharpe: bar_std
                .zip(mean)
                .and_then(|(s, m)| sharpe_of(s, m, bpy, risk_free_rate)),
            sortino: downside
                .zip(mean)
                .and_then(|(d, m)| sortino_of(d, scale, m, bpy, target)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn flat(n: i64) -> Vec<(Timestamp, Decimal)> {
        (0..n)
            .map(|i| (Timestamp::from_ms(i * 86_400_000), dec!(100)))
            .collect()
    }

    #[test]
    fn json_field_names_are_the_contract() {
        let a = analyze(&flat(3), &[], &Options::default()).unwrap();
        let v = serde_json::to_value(a.metrics).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let mut want = vec![
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
        ];
        want.sort_unstable();
        assert_eq!(keys, want);
        assert!(v["sharpe"].is_null());
        let m = serde_json::to_value(a.monthly_returns[0]).unwrap();
        assert!(m.get("return").is_some());
    }

    proptest::proptest! {
        /// The ratios computed from shared moments are the formulas' own
        /// bits, on varied, constant and tiny return series.
        #[test]
        fn shared_ratios_are_each_formulas_bits(
            mut returns in proptest::collection::vec(-0.5f64..0.5, 0..120),
            constant in proptest::bool::ANY,
            bpy in 1.0f64..1e6,
            rf in 0.0f64..0.1,
        ) {
            use crate::ratios::{sharpe, sortino};
            use crate::returns::volatility;
            if constant && !returns.is_empty() {
                let first = returns[0];
                returns.iter_mut().for_each(|r| *r = first);
            }
            let bits = |x: Option<f64>| x.map(f64::to_bits);
            let shared = Ratios::of(&returns, Some(bpy), rf);
            proptest::prop_assert_eq!(bits(shared.volatility), bits(volatility(&returns, bpy)));
            proptest::prop_assert_eq!(bits(shared.sharpe), bits(sharpe(&returns, bpy, rf)));
            proptest::prop_assert_eq!(bits(shared.sortino), bits(sortino(&returns, bpy, rf)));
        }
    }

    #[test]
    fn empty_and_one_point_curves() {
        let empty = analyze(&[], &[], &Options::default()).unwrap();
        assert_eq!(empty.metrics.trades, 0);
        assert_eq!(empty.metrics.max_drawdown, None);
        assert_eq!(empty.metrics.exposure, None);
        assert_eq!(empty.bars_per_year, None);
        let one = analyze(&flat(1), &[], &Options::default()).unwrap().metrics;
        assert_eq!(
            (one.total_return, one.cagr, one.volatility),
            (None, None, None)
        );
        assert_eq!(
            (one.max_drawdown, one.max_drawdown_duration_ms),
            (Some(0.0), Some(0))
        );
        assert_eq!((one.var_95, one.exposure), (None, Some(0.0)));
    }

    #[test]
    fn flat_equity_is_defined_where_it_can_be() {
        let m = analyze(&flat(10), &[], &Options::default())
            .unwrap()
            .metrics;
        assert_eq!(
            (m.total_return, m.cagr, m.volatility),
            (Some(0.0), Some(0.0), Some(0.0))
        );
        assert_eq!((m.sharpe, m.sortino, m.calmar), (None, None, None));
        assert_eq!((m.var_95, m.cvar_99), (Some(0.0), Some(0.0)));
        assert!(m.var_95.unwrap().is_sign_positive());
        assert_eq!(m.max_drawdown, Some(0.0));
    }

    #[test]
    fn ruin_leaves_return_metrics_undefined() {
        let t = Timestamp::from_ms;
        let pts = [(t(0), dec!(100)), (t(1000), dec!(0)), (t(2000), dec!(10))];
        let m = analyze(&pts, &[], &Options::default()).unwrap().metrics;
        assert_eq!((m.volatility, m.sharpe, m.var_95), (None, None, None));
        assert_eq!((m.total_return, m.max_drawdown), (Some(-0.9), Some(1.0)));
    }

    #[test]
    fn in_market_flags_must_match_the_curve() {
        let flags = [true, false];
        let opts = Options {
            in_market: Some(&flags),
            ..Options::default()
        };
        assert_eq!(
            analyze(&flat(3), &[], &opts),
            Err(AnalyticsError::InMarketLength {
                expected: 3,
                got: 2
            })
        );
        let m = analyze(&flat(2), &[], &opts).unwrap().metrics;
        assert_eq!(m.exposure, Some(0.5));
    }
}
