//! What a journal belongs to, and who may write it. The first session on
//! a journal records its identity (mode, venue, environment, market, the
//! account's key fingerprint and the symbols); a later session on that
//! journal must have the same one, so paper history never replays into a
//! live account, nor one account's orders into another's. A lock file
//! beside the database keeps a second process from running the session
//! while the first lives (the operating system releases it when the process
//! dies, even by `kill -9`); read-only tools do not take it.

use crate::error::{SessionError, SessionResult};
use crate::event::Mode;
use crate::spec::{Market, SessionSpec};
use crate::venue_target::VenueTarget;
use sha2::{Digest, Sha256};
use smc_model::{Clock, WallClock};
use smc_store::Journal;
use std::fs::{File, OpenOptions};
use std::path::PathBuf;

/// The journal's session value that holds the identity.
const IDENTITY: &str = "identity";

/// A session's identity, as one line of `name=value` fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionIdentity(String);

/// The first 12 hex digits of the SHA-256 of an API key: enough to tell
/// accounts apart, nothing to sign with.
pub fn key_fingerprint(api_key: &str) -> String {
    hex::encode(Sha256::digest(api_key.as_bytes()))[..12].to_string()
}

impl SessionIdentity {
    /// The identity of the session `spec` describes, trading `symbols`.
    pub fn of(spec: &SessionSpec, mode: Mode, symbols: &[String]) -> SessionIdentity {
        let venue = spec.venue_spec();
        let environment = match VenueTarget::parse(venue.url.as_deref(), venue.venue, venue.market)
        {
            Ok(VenueTarget::Production) => "production".to_string(),
            Ok(VenueTarget::Testnet) => "testnet".to_string(),
            Ok(VenueTarget::Local { .. }) | Err(_) => "local".to_string(),
        };
        let (mode, account) = match mode {
            Mode::Paper => ("paper", "paper".to_string()),
            Mode::Live => (
                "live",
                spec.credentials
                    .as_ref()
                    .map_or_else(|| "none".into(), |c| key_fingerprint(&c.api_key)),
            ),
        };
        let market = match venue.market {
            Market::Spot => "spot",
            Market::UsdM => "usdm",
        };
        let mut symbols = symbols.to_vec();
        symbols.sort();
        SessionIdentity(format!(
            "mode={mode} venue={} environment={environment} market={market} account={account} symbols={}",
            venue.venue,
            symbols.join(",")
        ))
    }

    /// Records this identity on a journal that has none, or checks it
    /// against the one recorded.
    pub fn claim(&self, store: &dyn Journal) -> SessionResult<()> {
        let kept = store
            .session_value_or_insert(IDENTITY, &self.0)
            .map_err(SessionError::store("the session's identity"))?;
        if kept == self.0 {
            return Ok(());
        }
        Err(SessionError::Refused(format!(
            "{} belongs to another session ({kept}); this one is ({}). Resuming it would replay \
             that session's orders into this one: use another --db",
            store.url(),
            self.0
        )))
    }
}

/// The journal's prefix of this live session's order ids (see
/// `ClientOrderId::from_session_decision`): drawn at the session's first
/// start and kept, so a restart replays the same ids while another session,
/// or this one on a rebuilt journal, never repeats them. A journal that
/// already holds orders without one keeps the names it has (empty prefix).
pub fn id_prefix(store: &dyn Journal) -> SessionResult<String> {
    const NAME: &str = "id_prefix";
    let read = |e| SessionError::store("the session's id prefix")(e);
    if let Some(kept) = store.session_value(NAME).map_err(read)? {
        return Ok(kept); // every start after the first
    }
    let fresh = if store.orders().map_err(read)?.is_empty() {
        let now = WallClock.now();
        let seed = format!("{now}:{}:{}", std::process::id(), store.url());
        let digest = Sha256::digest(seed.as_bytes());
        let mut n = 0u64;
        for b in &digest[..8] {
            n = (n << 8) | u64::from(*b);
        }
        let digits = smc_model::base36(n % (36 * 36 * 36 * 36));
        format!("{digits:0>4}")
    } else {
        String::new()
    };
    store.session_value_or_insert(NAME, &fresh).map_err(read)
}

/// The lock of a running session: held while it lives.
#[derive(Debug)]
pub struct SessionLock {
    _file: File,
    path: PathBuf,
}

impl SessionLock {
    /// Takes the lock beside the SQLite database at `database_url`
    /// (`sqlite://FILE` → `FILE.lock`); none for an in-memory database,
    /// nor for PostgreSQL, where the journal itself holds an advisory lock
    /// for its session (`smc_store::PgJournal::open`).
    pub fn take(database_url: &str) -> SessionResult<Option<SessionLock>> {
        let Some(file) = database_url.strip_prefix("sqlite://") else {
            return Ok(None);
        };
        if file.is_empty() || file.starts_with(':') {
            return Ok(None);
        }
        let path = PathBuf::from(format!("{file}.lock"));
        let handle = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| {
                SessionError::Setting(format!("opening the lock file {}: {e}", path.display()))
            })?;
        match handle.try_lock() {
            Ok(()) => Ok(Some(SessionLock {
                _file: handle,
                path,
            })),
            Err(std::fs::TryLockError::WouldBlock) => Err(SessionError::Refused(format!(
                "another process is running the session of {file} (it holds {}); one process \
                 per session",
                path.display()
            ))),
            Err(std::fs::TryLockError::Error(e)) => Err(SessionError::Setting(format!(
                "locking {}: {e}",
                path.display()
            ))),
        }
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smc_store::Store;

    fn spec(mode: Mode, key: &str) -> SessionSpec {
        SessionSpec {
            mode: Some(mode),
            credentials: smc_config::env::credentials("binance", |k| match k {
                "BINANCE_API_KEY" => Some(key.into()),
                _ => Some("secret".into()),
            }),
            ..SessionSpec::default()
        }
    }

    #[test]
    fn a_journal_keeps_the_identity_of_its_first_session() {
        let store = Store::open("sqlite::memory:").unwrap();
        let symbols = ["ETHUSDT".to_string(), "BTCUSDT".to_string()];
        let live = SessionIdentity::of(&spec(Mode::Live, "k1"), Mode::Live, &symbols);
        live.claim(&store).unwrap();
        live.claim(&store).unwrap();
        assert!(live.0.contains("symbols=BTCUSDT,ETHUSDT"), "{}", live.0);
        assert!(
            live.0
                .contains(&format!("account={}", key_fingerprint("k1")))
        );
        assert!(!live.0.contains("k1 "), "never the key itself");
        let paper = SessionIdentity::of(&spec(Mode::Paper, "k1"), Mode::Paper, &symbols);
        let other_key = SessionIdentity::of(&spec(Mode::Live, "k2"), Mode::Live, &symbols);
        let fewer = SessionIdentity::of(&spec(Mode::Live, "k1"), Mode::Live, &symbols[..1]);
        for refused in [paper, other_key, fewer] {
            let e = refused.claim(&store).unwrap_err().to_string();
            assert!(
                e.contains("belongs to another session") && e.contains("mode=live"),
                "{e}"
            );
        }
    }

    #[test]
    fn a_second_holder_of_the_lock_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("j.db").display());
        let first = SessionLock::take(&url).unwrap().unwrap();
        let e = SessionLock::take(&url).unwrap_err().to_string();
        assert!(e.contains("another process is running"), "{e}");
        drop(first);
        assert!(SessionLock::take(&url).unwrap().is_some());
        assert!(SessionLock::take("sqlite::memory:").unwrap().is_none());
    }

    #[test]
    fn a_session_draws_its_id_prefix_once_and_a_legacy_journal_keeps_its_names() {
        let store = Store::open("sqlite::memory:").unwrap();
        let prefix = id_prefix(&store).unwrap();
        assert_eq!(prefix.len(), 4, "{prefix}");
        assert!(
            prefix
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
        );
        assert_eq!(id_prefix(&store).unwrap(), prefix, "kept across restarts");

        let legacy = Store::open("sqlite::memory:").unwrap();
        let order = smc_model::OrderRequest {
            client_id: smc_model::ClientOrderId::new("smc-1-0"),
            instrument: "binance:BTCUSDT".parse().unwrap(),
            side: smc_model::Side::Buy,
            qty: rust_decimal::Decimal::ONE,
            kind: smc_model::OrderKind::Market,
            time_in_force: smc_model::TimeInForce::Gtc,
            reduce_only: false,
        };
        legacy
            .record_order(&order, smc_model::Timestamp::from_ms(1))
            .unwrap();
        assert_eq!(id_prefix(&legacy).unwrap(), "");
    }
}
