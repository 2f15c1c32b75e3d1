//! Conformance of the two time-based indicators, `previous_high_low` and
//! `sessions`, with the reference library's own expected outputs on its
//! EURUSD 15-minute fixture (`testdata/smc-reference/`), plus the error
//! cases of their options as seen through `smc_parity::run`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use smc_parity::{Indicator, ParityError, ParityOptions, run};

fn options(time_frame: &str) -> ParityOptions {
    ParityOptions {
        time_frame: time_frame.to_string(),
        ..ParityOptions::default()
    }
}

#[test]
fn previous_high_low_4h_matches_reference() {
    let frame = run(
        Indicator::PreviousHighLow,
        &support::eurusd(),
        &options("4h"),
    )
    .unwrap();
    support::assert_matches_expected(&frame, "previous_high_low_result_data_4h.csv");
}

#[test]
fn previous_high_low_1d_matches_reference() {
    let frame = run(
        Indicator::PreviousHighLow,
        &support::eurusd(),
        &options("1D"),
    )
    .unwrap();
    support::assert_matches_expected(&frame, "previous_high_low_result_data_1D.csv");
}

#[test]
fn previous_high_low_w_matches_reference() {
    let frame = run(
        Indicator::PreviousHighLow,
        &support::eurusd(),
        &options("W"),
    )
    .unwrap();
    support::assert_matches_expected(&frame, "previous_high_low_result_data_W.csv");
}

#[test]
fn previous_high_low_rejects_pre_pandas_3_spellings() {
    // The docstring's own examples raise ValueError under pandas 3 (§7.6).
    for tf in ["15m", "1H", "4H", "1M"] {
        let err = run(Indicator::PreviousHighLow, &support::eurusd(), &options(tf)).unwrap_err();
        assert_eq!(err, ParityError::TimeFrame(tf.to_string()));
    }
}

#[test]
fn sessions_london_matches_reference() {
    let options = ParityOptions {
        session: "London".to_string(),
        ..ParityOptions::default()
    };
    let frame = run(Indicator::Sessions, &support::eurusd(), &options).unwrap();
    support::assert_matches_expected(&frame, "sessions_result_data.csv");
}
