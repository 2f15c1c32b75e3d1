//! The structure indicators against the reference library's own expected
//! outputs (swing_length 5 and default options, as upstream's tests).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use smc_parity::{bos_choch, fvg, liquidity, ob, retracements, swings};

#[test]
fn swing_highs_lows_matches_reference() {
    let input = support::eurusd();
    let frame = swings::swing_highs_lows(&input, 5).into_frame();
    support::assert_matches_expected(&frame, "swing_highs_lows_result_data.csv");
}

#[test]
fn fvg_matches_reference() {
    support::assert_matches_expected(&fvg::fvg(&support::eurusd(), false), "fvg_result_data.csv");
}

#[test]
fn fvg_join_consecutive_matches_reference() {
    support::assert_matches_expected(
        &fvg::fvg(&support::eurusd(), true),
        "fvg_consecutive_result_data.csv",
    );
}

#[test]
fn bos_choch_matches_reference() {
    let input = support::eurusd();
    let shl = swings::swing_highs_lows(&input, 5);
    support::assert_matches_expected(
        &bos_choch::bos_choch(&input, &shl, true),
        "bos_choch_result_data.csv",
    );
}

#[test]
fn ob_matches_reference() {
    let input = support::eurusd();
    let shl = swings::swing_highs_lows(&input, 5);
    support::assert_matches_expected(&ob::ob(&input, &shl, false), "ob_result_data.csv");
}

#[test]
fn liquidity_matches_reference() {
    let input = support::eurusd();
    let shl = swings::swing_highs_lows(&input, 5);
    support::assert_matches_expected(
        &liquidity::liquidity(&input, &shl, 0.01),
        "liquidity_result_data.csv",
    );
}

#[test]
fn retracements_matches_reference() {
    let input = support::eurusd();
    let shl = swings::swing_highs_lows(&input, 5);
    support::assert_matches_expected(
        &retracements::retracements(&input, &shl),
        "retracements_result_data.csv",
    );
}
