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

fn session(name: &str, start: &str, end: &str, zone: &str) -> ParityOptions {
    ParityOptions {
        session: name.to_string(),
        start_time: start.to_string(),
        end_time: end.to_string(),
        time_zone: zone.to_string(),
        ..ParityOptions::default()
    }
}

#[test]
fn sessions_utc_plus_2_reads_the_clock_as_utc_minus_2() {
    // §8.2: "UTC+2" becomes Etc/GMT+2, two hours *behind* UTC. So tagging
    // the fixture UTC+2 equals reading it as UTC two hours later.
    let input = support::eurusd();
    let tagged = run(
        Indicator::Sessions,
        &input,
        &session("London", "", "", "UTC+2"),
    )
    .unwrap();
    let mut shifted = input.clone();
    shifted.time.iter_mut().for_each(|t| *t += 2 * 3_600_000);
    let utc = run(
        Indicator::Sessions,
        &shifted,
        &session("London", "", "", "UTC"),
    )
    .unwrap();
    assert_eq!(tagged, utc);
    let plain = run(
        Indicator::Sessions,
        &input,
        &session("London", "", "", "UTC"),
    )
    .unwrap();
    assert_ne!(tagged, plain);
}

#[test]
fn sessions_option_errors() {
    let input = support::eurusd();
    let err = |o: ParityOptions| run(Indicator::Sessions, &input, &o).unwrap_err();
    assert_eq!(
        err(session("Custom", "08:00", "", "UTC")),
        ParityError::CustomSessionTimes
    );
    assert_eq!(
        err(session("london", "", "", "UTC")),
        ParityError::Session("london".into())
    );
    assert_eq!(
        err(session("Custom", "8:00", "24:00", "UTC")),
        ParityError::Time("24:00".into())
    );
    assert_eq!(
        err(session("London", "", "", "Etc/UTC")),
        ParityError::TimeZone("Etc/UTC".into())
    );
    assert_eq!(
        err(session("London", "", "", "UTC+13")),
        ParityError::TimeZone("UTC+13".into())
    );
    // The fixture's Monday-to-Friday candles never fall in New York's
    // Sunday 02:00 DST changes, so the reference accepts this zone too.
    assert!(
        run(
            Indicator::Sessions,
            &input,
            &session("London", "", "", "America/New_York")
        )
        .is_ok()
    );
}

#[test]
fn previous_high_low_option_errors() {
    let input = support::eurusd();
    let err = |tf: &str| run(Indicator::PreviousHighLow, &input, &options(tf)).unwrap_err();
    assert!(matches!(err("B"), ParityError::TimeFrameUnsupported { .. }));
    assert!(matches!(
        err("1us"),
        ParityError::TimeFrameUnsupported { .. }
    ));
    assert!(matches!(
        err("0D"),
        ParityError::TimeFrameUnsupported { .. }
    ));
    assert_eq!(err(""), ParityError::TimeFrame(String::new()));
    assert_eq!(err("1D W"), ParityError::TimeFrame("1D W".into()));
}

mod no_panic {
    use super::*;
    use proptest::prelude::*;
    use smc_parity::Ohlc;

    fn ohlc(times: Vec<i64>, prices: Vec<f64>) -> Ohlc {
        let n = times.len().min(prices.len());
        let prices = prices[..n].to_vec();
        Ohlc {
            time: times[..n].to_vec(),
            open: prices.clone(),
            high: prices.clone(),
            low: prices.clone(),
            close: prices.clone(),
            volume: prices,
        }
    }

    const FRAMES: [&str; 12] = [
        "15min", "4h", "1D", "W", "2W-MON", "MS", "3ME", "QE", "YS", "7min", "1.5h", "1D1h",
    ];
    const ZONES: [&str; 7] = [
        "UTC",
        "UTC+2",
        "GMT-5",
        "Europe/London",
        "Australia/Lord_Howe",
        "+05:30",
        "utc",
    ];

    proptest! {
        #[test]
        fn previous_high_low_never_panics(
            times in prop::collection::vec(any::<i64>(), 0..40),
            spread in prop::collection::vec(-1_000_000_000_000i64..1_000_000_000_000, 0..40),
            prices in prop::collection::vec(prop_oneof![Just(f64::NAN), -1e9f64..1e9], 0..40),
            frame in 0..FRAMES.len(),
            text in "[ -~]{0,8}",
        ) {
            let _ = run(Indicator::PreviousHighLow, &ohlc(times, prices.clone()), &options(FRAMES[frame]));
            let _ = run(Indicator::PreviousHighLow, &ohlc(spread.clone(), prices.clone()), &options(FRAMES[frame]));
            let _ = run(Indicator::PreviousHighLow, &ohlc(spread, prices), &options(&text));
        }

        #[test]
        fn sessions_never_panic(
            times in prop::collection::vec(any::<i64>(), 0..40),
            spread in prop::collection::vec(-1_000_000_000_000i64..1_000_000_000_000, 0..40),
            prices in prop::collection::vec(prop_oneof![Just(f64::NAN), -1e9f64..1e9], 0..40),
            zone in 0..ZONES.len(),
            start in "[0-9:]{0,6}",
            end in "[0-9:]{0,6}",
            text in "[ -~]{0,8}",
        ) {
            let custom = session("Custom", &start, &end, ZONES[zone]);
            let _ = run(Indicator::Sessions, &ohlc(times, prices.clone()), &custom);
            let _ = run(Indicator::Sessions, &ohlc(spread.clone(), prices.clone()), &custom);
            let _ = run(Indicator::Sessions, &ohlc(spread, prices), &session("Tokyo", "", "", &text));
        }
    }
}
