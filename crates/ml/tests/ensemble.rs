//! The ensemble on planted signal and on noise, determinism, and bad rows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{FEATURES, quick_config, synthetic};
use smc_ml::{Combination, Ensemble, MlError, ModelFile};

#[test]
fn planted_signal_gives_out_of_fold_auc_well_above_half() {
    let ds = synthetic(2400, 1, true);
    for combination in [Combination::Average, Combination::Stacking] {
        let mut config = quick_config(7);
        config.combination = combination;
        let (ensemble, report) = Ensemble::fit(&ds, &config).unwrap();
        let auc = report.out_of_fold.ensemble.auc.unwrap();
        assert!(auc > 0.78, "{combination:?}: out-of-fold AUC {auc}");
        assert_eq!(report.folds.len(), 4);
        assert_eq!(report.out_of_fold.ensemble.n, 1200);
        for fold in &report.folds {
            assert!(
                fold.metrics.ensemble.auc.unwrap() > 0.72,
                "fold {}",
                fold.index
            );
            assert!(fold.train_samples > 0 && fold.test_samples == 300);
        }
        // Every family learns something on its own, out of fold.
        for m in [
            &report.out_of_fold.logistic,
            &report.out_of_fold.forest,
            &report.out_of_fold.boosting,
        ] {
            assert!(m.auc.unwrap() > 0.75, "{m:?}");
        }
        // The calibrated ensemble beats the constant base-rate forecast.
        let rate = report.out_of_fold.ensemble.base_rate;
        let base_brier = rate * (1.0 - rate);
        assert!(report.out_of_fold.ensemble.brier < base_brier - 0.03);
        let base_log_loss = -(rate * rate.ln() + (1.0 - rate) * (1.0 - rate).ln());
        assert!(report.out_of_fold.ensemble.log_loss < base_log_loss - 0.05);
        let p = ensemble.predict_proba(ds.row(0));
        assert!((0.0..=1.0).contains(&p));
    }
}

#[test]
fn pure_noise_gives_out_of_fold_auc_near_half() {
    let ds = synthetic(2400, 2, false);
    let (_, report) = Ensemble::fit(&ds, &quick_config(7)).unwrap();
    let auc = report.out_of_fold.ensemble.auc.unwrap();
    // 1,200 out-of-fold samples: the null AUC's standard deviation is about 0.017.
    assert!((auc - 0.5).abs() < 0.07, "noise AUC {auc}");
    // Calibrated probabilities stay near the base rate on noise.
    let rate = report.out_of_fold.ensemble.base_rate;
    assert!(report.out_of_fold.ensemble.brier < rate * (1.0 - rate) + 0.02);
}

#[test]
fn same_seed_gives_identical_model_json_and_another_seed_does_not() {
    let ds = synthetic(1200, 3, true);
    let json = |seed| {
        let config = quick_config(seed);
        let (e, r) = Ensemble::fit(&ds, &config).unwrap();
        ModelFile::new(e, r, config, ds.window().unwrap(), 1_700_000_000_000)
            .to_json()
            .unwrap()
    };
    let a = json(5);
    assert_eq!(a, json(5));
    assert_ne!(a, json(6));
}

#[test]
fn bad_rows_give_nan_and_a_named_error() {
    let ds = synthetic(1200, 4, true);
    let (e, _) = Ensemble::fit(&ds, &quick_config(1)).unwrap();
    assert!(e.predict_proba(&[0.0; 3]).is_nan());
    assert!(matches!(
        e.try_predict_proba(&[0.0; 3]),
        Err(MlError::BadRow(_))
    ));
    let mut row = vec![0.0; FEATURES];
    row[4] = f64::NAN;
    let err = e.try_predict_proba(&row).unwrap_err();
    assert!(err.to_string().contains("feature_4"), "{err}");
    row[4] = 0.0;
    assert!(e.try_predict_proba(&row).is_ok());
}

#[test]
fn too_little_data_is_an_error_not_a_panic() {
    let ds = synthetic(60, 5, true);
    let err = Ensemble::fit(&ds, &quick_config(1)).unwrap_err();
    assert!(matches!(err, MlError::NotEnoughData(_)), "{err}");
}
