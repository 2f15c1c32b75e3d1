//! The session id of `smc run` on the stream: `<mode>-<venue>-<12 hex>`,
//! the hex digits a digest of the session's journal (one session per
//! journal), so a restart of the session publishes under the same id and
//! another session never does. `smc serve`'s hosted sessions use their own
//! ids instead.

use sha2::{Digest, Sha256};
use smc_runtime::SessionSpec;

/// The id of the session `spec` describes.
pub fn of_spec(spec: &SessionSpec) -> String {
    let mut database = spec.database_url();
    // A relative SQLite file means the same journal from anywhere only
    // once made absolute.
    if let Some(file) = database.strip_prefix("sqlite://")
        && let Ok(absolute) = std::path::absolute(file)
    {
        database = format!("sqlite://{}", absolute.display());
    }
    let digest = hex::encode(Sha256::digest(database.as_bytes()));
    format!(
        "{}-{}-{}",
        spec.mode(),
        spec.venue_spec().venue.as_str(),
        &digest[..12]
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn one_id_per_journal() {
        let spec = |db: &str| SessionSpec {
            database: Some(db.into()),
            ..SessionSpec::default()
        };
        let a = of_spec(&spec("/tmp/a.db"));
        assert!(a.starts_with("paper-binance-"), "{a}");
        assert_eq!(a.len(), "paper-binance-".len() + 12);
        assert_eq!(a, of_spec(&spec("sqlite:///tmp/a.db")));
        assert_ne!(a, of_spec(&spec("/tmp/b.db")));
        assert!(!a.contains(['.', '*', '>', ' ']));
    }
}
