//! The journal of routing decisions: each order's decision is written
//! before the order goes anywhere, keyed by its client id, so that a
//! restart's replay routes every order exactly as it was routed (the books
//! have moved since; the decision has not).

use serde::{Deserialize, Serialize};
use smc_model::ClientOrderId;
use smc_routing::RoutingDecision;
use smc_store::{Journal, StoreError};

/// What became of an order at the router.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Routed {
    Decision(RoutingDecision),
    /// No venue could take it, and why.
    Refused(String),
}

/// Decisions kept in the session's journal.
pub struct DecisionLog {
    journal: Box<dyn Journal>,
}

fn key(id: &ClientOrderId) -> String {
    format!("route:{id}")
}

impl DecisionLog {
    pub fn new(journal: Box<dyn Journal>) -> Self {
        DecisionLog { journal }
    }

    /// The decision journaled for `id`, if any. One that does not parse is
    /// an error: routing the order again could send it somewhere else.
    pub fn get(&self, id: &ClientOrderId) -> Result<Option<Routed>, String> {
        let raw = self
            .journal
            .session_value(&key(id))
            .map_err(|e| format!("reading the routing decision of {id}: {e}"))?;
        raw.map(|r| {
            serde_json::from_str(&r).map_err(|e| {
                format!(
                    "{}: the routing decision of {id} does not parse: {e}",
                    self.journal.url()
                )
            })
        })
        .transpose()
    }

    /// Journals `routed` for `id`; the decision kept (an earlier one wins).
    pub fn put(&self, id: &ClientOrderId, routed: &Routed) -> Result<Routed, String> {
        let json = serde_json::to_string(routed)
            .map_err(|e| format!("serializing the routing decision of {id}: {e}"))?;
        let kept = self
            .journal
            .session_value_or_insert(&key(id), &json)
            .map_err(|e: StoreError| format!("journaling the routing decision of {id}: {e}"))?;
        if kept == json {
            return Ok(routed.clone());
        }
        serde_json::from_str(&kept).map_err(|e| format!("the kept decision of {id}: {e}"))
    }
}
