//! Property tests of the walk-forward windows: whatever the lengths, test
//! windows never overlap, never precede their train window, follow it
//! directly, stay inside the data and end at its last bar.

use proptest::prelude::*;
use smc_optimize::{WindowLength, WindowSpec, walk_forward};

fn length() -> impl Strategy<Value = WindowLength> {
    prop_oneof![
        (1usize..500, 1usize..300).prop_map(|(train, test)| WindowLength::Bars { train, test }),
        (1usize..12).prop_map(WindowLength::Folds),
    ]
}

proptest! {
    #[test]
    fn windows_are_causal_and_disjoint(total in 0usize..3000, length in length(), anchored: bool) {
        let spec = WindowSpec { length, anchored };
        let Ok(windows) = walk_forward(total, spec) else {
            // Refused only when the data cannot hold one train and one test window.
            let (train, test) = match length {
                WindowLength::Bars { train, test } => (train, test),
                WindowLength::Folds(k) => (total / (k + 1), total / (k + 1)),
            };
            prop_assert!(train == 0 || test == 0 || train + test > total);
            return Ok(());
        };
        prop_assert!(!windows.is_empty());
        let first_start = windows[0].train.start;
        for (i, w) in windows.iter().enumerate() {
            prop_assert_eq!(w.index, i);
            prop_assert!(!w.train.is_empty() && !w.test.is_empty());
            prop_assert_eq!(w.test.start, w.train.end);
            prop_assert!(w.test.end <= total);
            if anchored {
                prop_assert_eq!(w.train.start, first_start);
            } else if let WindowLength::Bars { train, .. } = length {
                prop_assert_eq!(w.train.len(), train);
            }
            if let WindowLength::Bars { test, .. } = length {
                prop_assert_eq!(w.test.len(), test);
            }
            if i > 0 {
                // Consecutive and disjoint test windows.
                prop_assert_eq!(w.test.start, windows[i - 1].test.end);
            }
        }
        prop_assert_eq!(windows[windows.len() - 1].test.end, total);
        if let WindowLength::Folds(k) = length {
            prop_assert_eq!(windows.len(), k);
        }
    }
}
