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
}
