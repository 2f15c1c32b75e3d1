//! The setup behind an entry: which pattern on which timeframe opened a
//! trade, carried from the intent to the order, its fills and the trade
//! record, for per-setup analytics.

use crate::timeframe::Timeframe;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// The pattern and timeframe that opened a trade, carried to the trade
/// record for per-setup analytics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setup {
    pub pattern: Cow<'static, str>,
    pub timeframe: Option<Timeframe>,
}

impl Setup {
    pub const fn fixed(pattern: &'static str, timeframe: Option<Timeframe>) -> Self {
        Setup {
            pattern: Cow::Borrowed(pattern),
            timeframe,
        }
    }

    pub fn new(pattern: impl Into<String>, timeframe: Option<Timeframe>) -> Self {
        Setup {
            pattern: Cow::Owned(pattern.into()),
            timeframe,
        }
    }

    /// The setup a report label names (`ob:1h`, `cross`; `none` is no
    /// setup), the inverse of [`crate::RoundTrip::setup_label`].
    pub fn from_label(label: &str) -> Option<Setup> {
        if label == "none" {
            return None;
        }
        Some(match label.rsplit_once(':') {
            Some((pattern, tf)) => match tf.parse() {
                Ok(tf) => Setup::new(pattern, Some(tf)),
                Err(_) => Setup::new(label, None),
            },
            None => Setup::new(label, None),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_parse_back_into_setups() {
        assert_eq!(Setup::from_label("none"), None);
        assert_eq!(
            Setup::from_label("ob:1h"),
            Some(Setup::fixed("ob", Some(Timeframe::H1)))
        );
        assert_eq!(
            Setup::from_label("cross"),
            Some(Setup::fixed("cross", None))
        );
        assert_eq!(Setup::from_label("a:b"), Some(Setup::new("a:b", None)));
    }
}
