//! Where breaker states are kept so that a restart keeps them. The gate
//! writes every transition here before it acts on it. The SQLite store
//! (crate `smc-store`) implements [`BreakerStore`]; [`MemoryStore`] serves
//! backtests and tests.

use super::state::{BreakerRecord, BreakerTransition};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// A store that failed; the message says what and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("breaker store: {0}")]
pub struct StoreError(pub String);

/// Persistence of breaker states and their audit trail.
pub trait BreakerStore: Send {
    /// Every stored breaker.
    fn load_breakers(&mut self) -> Result<Vec<BreakerRecord>, StoreError>;

    /// Stores a breaker seen for the first time (no transition).
    fn create_breaker(&mut self, record: &BreakerRecord) -> Result<(), StoreError>;

    /// Stores `record` and appends `transition` to the audit trail, both or
    /// neither.
    fn record_transition(
        &mut self,
        record: &BreakerRecord,
        transition: &BreakerTransition,
    ) -> Result<(), StoreError>;
}

#[derive(Debug, Default)]
struct Memory {
    breakers: BTreeMap<String, BreakerRecord>,
    transitions: Vec<BreakerTransition>,
    fail_writes: bool,
}

/// An in-memory store. Clones share their contents, so a test can hand one
/// to a gate, drop the gate and open another on the same contents.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    inner: Arc<Mutex<Memory>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn lock(&self) -> MutexGuard<'_, Memory> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Makes every later write fail (to test what the gate does then).
    pub fn fail_writes(&self, fail: bool) {
        self.lock().fail_writes = fail;
    }

    /// The stored record of `name`.
    pub fn breaker(&self, name: &str) -> Option<BreakerRecord> {
        self.lock().breakers.get(name).cloned()
    }

    /// The audit trail so far.
    pub fn transitions(&self) -> Vec<BreakerTransition> {
        self.lock().transitions.clone()
    }
}

impl BreakerStore for MemoryStore {
    fn load_breakers(&mut self) -> Result<Vec<BreakerRecord>, StoreError> {
        Ok(self.lock().breakers.values().cloned().collect())
    }

    fn create_breaker(&mut self, record: &BreakerRecord) -> Result<(), StoreError> {
        let mut m = self.lock();
        if m.fail_writes {
            return Err(StoreError("writes are failing".into()));
        }
        m.breakers
            .entry(record.name.clone())
            .or_insert_with(|| record.clone());
        Ok(())
    }

    fn record_transition(
        &mut self,
        record: &BreakerRecord,
        transition: &BreakerTransition,
    ) -> Result<(), StoreError> {
        let mut m = self.lock();
        if m.fail_writes {
            return Err(StoreError("writes are failing".into()));
        }
        m.breakers.insert(record.name.clone(), record.clone());
        m.transitions.push(transition.clone());
        Ok(())
    }
}
