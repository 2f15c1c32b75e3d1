//! Property tests of the CSV reader: no input bytes make it panic (strict
//! or lenient, quoted or not), and every file of valid rows it reads gives
//! back exactly the numbers and times that were written; the timeframe is
//! the most common step between candles.

use proptest::prelude::*;
use rust_decimal::Decimal;
use smc_data::{ReadOptions, parse_ohlcv};
use std::path::Path;
use std::str::FromStr;

const HEADER: &str = "timestamp,open,high,low,close,volume\n";

fn read(bytes: &[u8], lenient: bool) -> Result<smc_data::Loaded, smc_data::DataError> {
    parse_ohlcv(Path::new("p.csv"), bytes, ReadOptions { lenient })
}

/// A decimal as exchanges write it: up to 30 digits, some after a point.
fn decimal_text() -> impl Strategy<Value = String> {
    ("[0-9]{1,16}", proptest::option::of("[0-9]{1,12}")).prop_map(|(int, frac)| match frac {
        Some(f) => format!("{int}.{f}"),
        None => int,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn any_bytes_never_panic(
        body in prop::collection::vec(any::<u8>(), 0..400),
        text in r#"[0-9.,\-"e:TZ \n]{0,300}"#,
        lenient in any::<bool>(),
    ) {
        let _ = read(&body, lenient);
        let mut with_header = HEADER.as_bytes().to_vec();
        with_header.extend_from_slice(&body);
        let _ = read(&with_header, lenient);
        let _ = read((HEADER.to_string() + &text).as_bytes(), lenient);
    }

    #[test]
    fn valid_rows_read_back_exactly(
        rows in prop::collection::vec((prop::collection::vec(decimal_text(), 4), decimal_text()), 1..40),
        start in 0i64..3_000_000_000,
        quoted in any::<bool>(),
    ) {
        let mut text = HEADER.to_string();
        let mut expected = Vec::new();
        for (k, (prices, volume)) in rows.iter().enumerate() {
            let mut p: Vec<Decimal> = prices.iter().map(|s| Decimal::from_str(s).unwrap()).collect();
            p.sort();
            let (low, open, close, high) = (p[0], p[1], p[2], p[3]);
            let time = (start + k as i64) * 60_000;
            let q = |d: Decimal| if quoted { format!("\"{d}\"") } else { d.to_string() };
            text.push_str(&format!(
                "{time},{},{},{},{},{}\n",
                q(open), q(high), q(low), q(close), q(Decimal::from_str(volume).unwrap())
            ));
            expected.push((time, open, high, low, close, Decimal::from_str(volume).unwrap()));
        }
        let loaded = read(text.as_bytes(), false);
        let Ok(loaded) = loaded else {
            return Err(TestCaseError::fail(format!("{loaded:?}\n{text}")));
        };
        prop_assert_eq!(loaded.candles.len(), expected.len());
        for (c, e) in loaded.candles.iter().zip(&expected) {
            prop_assert_eq!((c.open_time.ms(), c.open, c.high, c.low, c.close, c.volume), *e);
        }
    }
}

/// The most common step by counting every step (ties to the shorter), as
/// `infer_timeframe` is specified.
fn most_common_step(times: &[i64]) -> Option<i64> {
    let mut counts = std::collections::BTreeMap::<i64, usize>::new();
    for pair in times.windows(2) {
        *counts.entry(pair[1] - pair[0]).or_default() += 1;
    }
    let best = counts.values().copied().max()?;
    counts
        .into_iter()
        .find(|&(_, n)| n == best)
        .map(|(step, _)| step)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// The majority shortcut answers as the full count does, on series
    /// of mixed steps (minutes, five minutes, hours, off-grid gaps).
    #[test]
    fn the_timeframe_is_the_most_common_step(
        steps in prop::collection::vec(
            prop_oneof![Just(60_000i64), Just(300_000), Just(3_600_000), 1i64..10_000_000],
            0..30,
        ),
    ) {
        let mut times = vec![1_600_000_000_000i64];
        for s in &steps {
            times.push(times[times.len() - 1] + s);
        }
        let one = smc_model::Candle {
            open_time: smc_model::Timestamp::from_ms(0),
            open: Decimal::ONE,
            high: Decimal::ONE,
            low: Decimal::ONE,
            close: Decimal::ONE,
            volume: Decimal::ONE,
        };
        let candles: Vec<smc_model::Candle> = times
            .iter()
            .map(|&t| smc_model::Candle { open_time: smc_model::Timestamp::from_ms(t), ..one })
            .collect();
        let expected = most_common_step(&times).and_then(|s| smc_model::Timeframe::from_ms(s).ok());
        prop_assert_eq!(smc_data::infer_timeframe(&candles), expected);
    }
}
