//! Guards for hand-built inputs: the structure indicators index every
//! column by row, so candles or swings whose columns disagree in length are
//! brought to the row count (the close column's length, as `Ohlc::len`),
//! cut or padded with NaN. Well-formed inputs pass through without a copy.

use crate::input::Ohlc;
use crate::swings::Swings;
use std::borrow::Cow;

/// `input` with every column `input.len()` long.
pub(crate) fn candles(input: &Ohlc) -> Cow<'_, Ohlc> {
    let n = input.len();
    let columns = [&input.open, &input.high, &input.low, &input.volume];
    if input.time.len() == n && columns.iter().all(|c| c.len() == n) {
        return Cow::Borrowed(input);
    }
    Cow::Owned(Ohlc {
        time: fit(&input.time, n, 0),
        open: fit(&input.open, n, f64::NAN),
        high: fit(&input.high, n, f64::NAN),
        low: fit(&input.low, n, f64::NAN),
        close: input.close.clone(),
        volume: fit(&input.volume, n, f64::NAN),
    })
}

/// `swings` with both columns `n` long.
pub(crate) fn swings(swings: &Swings, n: usize) -> Cow<'_, Swings> {
    if swings.high_low.len() == n && swings.level.len() == n {
        return Cow::Borrowed(swings);
    }
    Cow::Owned(Swings {
        high_low: fit(&swings.high_low, n, f64::NAN),
        level: fit(&swings.level, n, f64::NAN),
    })
}

fn fit<T: Copy>(column: &[T], n: usize, pad: T) -> Vec<T> {
    let mut out = column[..column.len().min(n)].to_vec();
    out.resize(n, pad);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_columns_are_fitted_to_the_close_column() {
        let input = Ohlc {
            time: vec![1],
            open: vec![1.0, 2.0, 3.0, 4.0],
            high: vec![2.0],
            low: vec![],
            close: vec![1.5, 2.5],
            volume: vec![0.0, 0.0],
        };
        let fitted = candles(&input);
        assert_eq!(fitted.time, vec![1, 0]);
        assert_eq!(fitted.open, vec![1.0, 2.0]);
        assert!(fitted.high[1].is_nan() && fitted.low.iter().all(|x| x.is_nan()));
        assert!(matches!(candles(&fitted), Cow::Borrowed(_)));
        let s = Swings {
            high_low: vec![1.0],
            level: vec![],
        };
        assert_eq!(swings(&s, 3).high_low.len(), 3);
        assert_eq!(swings(&s, 3).level.len(), 3);
    }
}
