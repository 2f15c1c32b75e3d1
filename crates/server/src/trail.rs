//! Appends to the store's hash-chained audit log. A failed append is
//! logged loudly; the request it records has already been answered.

use crate::state::AppState;

/// Records one action.
pub fn record(
    state: &AppState,
    actor: &str,
    action: &str,
    target: &str,
    outcome: &str,
    detail: serde_json::Value,
) {
    let entry = smc_store::NewAuditEntry {
        time: state.clock.now(),
        actor: actor.to_string(),
        action: action.to_string(),
        target: target.to_string(),
        detail,
        outcome: outcome.to_string(),
    };
    if let Err(e) = state.store.audit_append(&entry) {
        tracing::error!("audit log: cannot record `{action}` by {actor}: {e}");
    }
}
