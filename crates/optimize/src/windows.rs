//! Walk-forward windows: consecutive (train, test) pairs over a bar range.
//! Each test window starts where its train window ends, test windows follow
//! one another without overlap, and the last one ends at the last bar, so
//! the most recent data is always tested (a remainder that does not fill a
//! whole window is left out at the start).
//!
//! Rolling windows train on the `train` bars just before the test window;
//! anchored (expanding) windows train on everything from the first window's
//! start.

use crate::error::OptimizeError;
use serde::Serialize;
use std::ops::Range;

/// How long the windows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowLength {
    /// Train and test lengths in bars; as many windows as fit.
    Bars { train: usize, test: usize },
    /// `k` windows: the bars are cut into k + 1 equal chunks, the first
    /// train window is chunk 0 and each test window is one later chunk.
    Folds(usize),
}

/// The whole walk-forward layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowSpec {
    pub length: WindowLength,
    /// Expanding train windows, all starting at the first window's start.
    pub anchored: bool,
}

/// One walk-forward step, as bar index ranges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Window {
    pub index: usize,
    pub train: Range<usize>,
    pub test: Range<usize>,
}

/// The windows over bars `0..total`.
pub fn walk_forward(total: usize, spec: WindowSpec) -> Result<Vec<Window>, OptimizeError> {
    let (train, test) = match spec.length {
        WindowLength::Bars { train, test } => (train, test),
        WindowLength::Folds(k) => {
            if k == 0 {
                return Err(OptimizeError::Windows("at least one fold is needed".into()));
            }
            let chunk = total / (k + 1);
            (chunk, chunk)
        }
    };
    if train == 0 || test == 0 {
        return Err(OptimizeError::Windows(format!(
            "{total} bars give an empty train or test window (train {train}, test {test})"
        )));
    }
    let Some(after_train) = total.checked_sub(train).filter(|r| *r >= test) else {
        return Err(OptimizeError::Windows(format!(
            "{total} bars cannot hold a train window of {train} and a test window of {test}"
        )));
    };
    let count = match spec.length {
        // With tiny chunks the remainder could hold more folds than asked for.
        WindowLength::Folds(k) => (after_train / test).min(k),
        WindowLength::Bars { .. } => after_train / test,
    };
    // Align the last test window to the last bar.
    let offset = after_train - count * test;
    Ok((0..count)
        .map(|i| {
            let test_start = offset + train + i * test;
            let train_start = if spec.anchored {
                offset
            } else {
                test_start - train
            };
            Window {
                index: i,
                train: train_start..test_start,
                test: test_start..test_start + test,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_bars_align_to_the_end() {
        let spec = WindowSpec {
            length: WindowLength::Bars {
                train: 100,
                test: 30,
            },
            anchored: false,
        };
        let w = walk_forward(200, spec).unwrap();
        // 200 - 100 = 100 bars after the first train: 3 tests of 30, offset 10.
        assert_eq!(
            w,
            vec![
                Window {
                    index: 0,
                    train: 10..110,
                    test: 110..140
                },
                Window {
                    index: 1,
                    train: 40..140,
                    test: 140..170
                },
                Window {
                    index: 2,
                    train: 70..170,
                    test: 170..200
                },
            ]
        );
    }

    #[test]
    fn anchored_folds_expand() {
        let spec = WindowSpec {
            length: WindowLength::Folds(3),
            anchored: true,
        };
        let w = walk_forward(402, spec).unwrap();
        // Chunks of 100, 2 bars left out at the start.
        let got: Vec<_> = w
            .iter()
            .map(|w| (w.train.clone(), w.test.clone()))
            .collect();
        assert_eq!(
            got,
            vec![(2..102, 102..202), (2..202, 202..302), (2..302, 302..402)]
        );
    }

    #[test]
    fn too_little_data_is_an_error() {
        for (total, length) in [
            (
                100,
                WindowLength::Bars {
                    train: 90,
                    test: 20,
                },
            ),
            (100, WindowLength::Bars { train: 0, test: 20 }),
            (100, WindowLength::Folds(0)),
            (3, WindowLength::Folds(5)),
        ] {
            let spec = WindowSpec {
                length,
                anchored: false,
            };
            assert!(walk_forward(total, spec).is_err(), "{total} {length:?}");
        }
    }
}
