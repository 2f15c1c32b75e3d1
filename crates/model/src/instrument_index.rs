//! The position of an instrument in a session's instrument table. The hot
//! path addresses instruments by this index (names stay at the edge); a
//! type of its own keeps it from being mixed up with counts and offsets.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Index of an instrument in the engine's table (0 is the first instrument,
/// not "none": absence is an `Option`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct InstrumentIndex(usize);

impl InstrumentIndex {
    pub const fn new(index: usize) -> Self {
        InstrumentIndex(index)
    }

    /// The index into the instrument table.
    pub const fn get(self) -> usize {
        self.0
    }

    /// The indices of a table of `count` instruments, in order.
    pub fn all(count: usize) -> impl Iterator<Item = InstrumentIndex> {
        (0..count).map(InstrumentIndex)
    }
}

impl From<usize> for InstrumentIndex {
    fn from(index: usize) -> Self {
        InstrumentIndex(index)
    }
}

impl fmt::Display for InstrumentIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_the_bare_number() {
        let json = serde_json::to_string(&InstrumentIndex::new(3)).unwrap();
        assert_eq!(json, "3");
        let back: InstrumentIndex = serde_json::from_str("3").unwrap();
        assert_eq!(back.get(), 3);
    }

    #[test]
    fn all_counts_from_zero() {
        let v: Vec<usize> = InstrumentIndex::all(3).map(InstrumentIndex::get).collect();
        assert_eq!(v, [0, 1, 2]);
    }
}
