//! What can go wrong setting up or running alerts.

/// An alerts error, naming the setting or the store.
#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    /// A channel's settings or secrets are missing or wrong.
    #[error("{0}")]
    Config(String),
    #[error("alert outbox: {0}")]
    Store(#[from] smc_store::StoreError),
    #[error("{0}")]
    Runtime(String),
}
