//! The same inputs give the same report whatever the thread count, and a
//! failing backtest is reported with its parameters and bars.

// Test helpers outside #[test] functions may unwrap too.
#![allow(clippy::unwrap_used)]

mod common;

use common::Market;
use smc_optimize::{
    BoxError, OptimizeConfig, OptimizeError, ParamSet, RunResult, Search, WindowLength, WindowSpec,
    optimize, parse_specs, trials,
};
use std::ops::Range;

fn report_json(threads: usize, market: &Market, anchored: bool) -> String {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let trials = market.trials();
    let config = OptimizeConfig::new(WindowSpec {
        length: WindowLength::Bars {
            train: 400,
            test: 150,
        },
        anchored,
    });
    let bt = |p: &ParamSet, r: Range<usize>| market.run(p, r);
    let report = pool
        .install(|| optimize(&bt, &trials, 2000, &config, &|| {}))
        .unwrap();
    serde_json::to_string(&report).unwrap()
}

#[test]
fn thread_count_does_not_change_the_report() {
    let drifts: Vec<f64> = (0..16).map(|k| (k as f64 - 8.0) * 1e-4).collect();
    let market = Market::new(&drifts, 2000, 0.01, 9);
    for anchored in [false, true] {
        let one = report_json(1, &market, anchored);
        let four = report_json(4, &market, anchored);
        assert_eq!(one, four);
        assert!(one.contains("\"overfitting_warning\""));
    }
}

#[test]
fn random_search_trials_are_reproducible() {
    let specs = parse_specs(&["a=0.5..2.0", "b=1..100", "c=x,y"]).unwrap();
    let search = Search::Random {
        samples: 25,
        seed: 42,
    };
    let first = trials(&specs, search).unwrap();
    for threads in [1, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        assert_eq!(pool.install(|| trials(&specs, search).unwrap()), first);
    }
}

#[test]
fn a_failing_backtest_names_its_parameters_and_bars() {
    let market = Market::new(&[0.0; 3], 600, 0.01, 4);
    let trials = market.trials();
    let bt = |p: &ParamSet, r: Range<usize>| -> Result<RunResult, BoxError> {
        if p.to_string() == "id=2" && r.start > 0 {
            return Err("venue exploded".into());
        }
        market.run(p, r)
    };
    let config = OptimizeConfig::new(WindowSpec {
        length: WindowLength::Folds(2),
        anchored: false,
    });
    let err = optimize(&bt, &trials, 600, &config, &|| {}).unwrap_err();
    assert!(matches!(err, OptimizeError::Backtest { .. }));
    let text = err.to_string();
    assert!(
        text.contains("id=2") && text.contains("venue exploded"),
        "{text}"
    );
    assert!(matches!(
        optimize(&bt, &[], 600, &config, &|| {}),
        Err(OptimizeError::NoTrials)
    ));
}
