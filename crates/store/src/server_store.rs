//! The API server's store behind one interface, on either backend: users
//! and TOTP, refresh tokens, API keys, settings, sealed exchange keys and
//! the audit log ([`ServerStore`]); and what the risk tools read and write
//! ([`RiskStore`]: breakers, their trail, the reset token's verifier, the
//! audit chain's verification). [`Store`] (SQLite) and [`PgStore`]
//! (PostgreSQL) implement both with the same meanings; the open functions
//! pick one from the URL.

use crate::error::StoreError;
use crate::postgres::{PgStore, is_postgres_url};
use crate::sqlite::Store;
use crate::sqlite::accounts::UserRecord;
use crate::sqlite::audit::{AuditEntry, AuditReport, NewAuditEntry};
use crate::sqlite::breakers::StoredTransition;
use crate::sqlite::secrets::StoredVerifier;
use crate::sqlite::server_settings::ExchangeKeyInfo;
use crate::sqlite::tokens::{ApiKeyRecord, RefreshRecord};
use smc_model::Timestamp;
use smc_risk::breakers::{BreakerRecord, BreakerStore, BreakerTransition};

/// What the API server keeps. Every method is one statement or one
/// transaction; see the SQLite modules for each one's meaning.
#[allow(missing_docs)]
pub trait ServerStore: Send + Sync + std::fmt::Debug {
    fn user_create(&self, user: &UserRecord) -> Result<bool, StoreError>;
    fn user(&self, username: &str) -> Result<Option<UserRecord>, StoreError>;
    fn users(&self) -> Result<Vec<UserRecord>, StoreError>;
    fn user_count(&self) -> Result<u64, StoreError>;
    fn user_delete(&self, username: &str) -> Result<bool, StoreError>;
    fn user_totp_begin(
        &self,
        username: &str,
        pending: &str,
        code_digests: &[String],
    ) -> Result<(), StoreError>;
    fn user_totp_confirm(&self, username: &str, step: i64) -> Result<bool, StoreError>;
    fn user_totp_use_step(&self, username: &str, step: i64) -> Result<bool, StoreError>;
    fn recovery_code_use(
        &self,
        username: &str,
        digest: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
    fn recovery_codes_left(&self, username: &str) -> Result<usize, StoreError>;
    fn refresh_insert(&self, token: &RefreshRecord) -> Result<(), StoreError>;
    fn refresh_token(&self, digest: &str) -> Result<Option<RefreshRecord>, StoreError>;
    fn refresh_rotate(
        &self,
        old: &str,
        new: &RefreshRecord,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
    fn refresh_revoke_family(&self, family: &str, at: Timestamp) -> Result<usize, StoreError>;
    fn api_key_insert(&self, key: &ApiKeyRecord) -> Result<(), StoreError>;
    fn api_key_by_digest(&self, digest: &str) -> Result<Option<ApiKeyRecord>, StoreError>;
    fn api_key(&self, id: &str) -> Result<Option<ApiKeyRecord>, StoreError>;
    fn api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError>;
    fn api_key_revoke(&self, id: &str, at: Timestamp) -> Result<bool, StoreError>;
    fn api_key_rotate(&self, id: &str, digest: &str) -> Result<bool, StoreError>;
    fn setting(&self, name: &str) -> Result<Option<String>, StoreError>;
    fn setting_or_insert(&self, name: &str, value: &str) -> Result<String, StoreError>;
    fn exchange_key_put(
        &self,
        venue: &str,
        name: &str,
        sealed_hex: &str,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    fn exchange_key(&self, venue: &str, name: &str) -> Result<Option<String>, StoreError>;
    fn exchange_keys(&self) -> Result<Vec<ExchangeKeyInfo>, StoreError>;
    fn audit_append(&self, entry: &NewAuditEntry) -> Result<AuditEntry, StoreError>;
    fn audit_entries(
        &self,
        after_id: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError>;
    fn audit_latest(
        &self,
        before_id: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError>;
    fn audit_verify(&self) -> Result<AuditReport, StoreError>;
}

/// What `smc risk breakers` and `smc audit` read and write.
#[allow(missing_docs)]
pub trait RiskStore: Send + Sync + std::fmt::Debug {
    fn breakers(&self) -> Result<Vec<BreakerRecord>, StoreError>;
    fn breaker(&self, name: &str) -> Result<Option<BreakerRecord>, StoreError>;
    fn write_transition(&self, r: &BreakerRecord, t: &BreakerTransition) -> Result<(), StoreError>;
    fn breaker_events(
        &self,
        breaker: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Vec<StoredTransition>, StoreError>;
    fn verifier(&self, name: &str) -> Result<Option<StoredVerifier>, StoreError>;
    fn enroll_secret(&self, name: &str, secret: &str, now: i64) -> Result<(), StoreError>;
    fn audit_verify(&self) -> Result<AuditReport, StoreError>;
}

/// Both backends have inherent methods of these names and meanings.
macro_rules! delegate {
    ($t:ty) => {
        impl ServerStore for $t {
            fn user_create(&self, user: &UserRecord) -> Result<bool, StoreError> {
                <$t>::user_create(self, user)
            }
            fn user(&self, username: &str) -> Result<Option<UserRecord>, StoreError> {
                <$t>::user(self, username)
            }
            fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
                <$t>::users(self)
            }
            fn user_count(&self) -> Result<u64, StoreError> {
                <$t>::user_count(self)
            }
            fn user_delete(&self, username: &str) -> Result<bool, StoreError> {
                <$t>::user_delete(self, username)
            }
            fn user_totp_begin(
                &self,
                username: &str,
                pending: &str,
                code_digests: &[String],
            ) -> Result<(), StoreError> {
                <$t>::user_totp_begin(self, username, pending, code_digests)
            }
            fn user_totp_confirm(&self, username: &str, step: i64) -> Result<bool, StoreError> {
                <$t>::user_totp_confirm(self, username, step)
            }
            fn user_totp_use_step(&self, username: &str, step: i64) -> Result<bool, StoreError> {
                <$t>::user_totp_use_step(self, username, step)
            }
            fn recovery_code_use(
                &self,
                username: &str,
                digest: &str,
                at: Timestamp,
            ) -> Result<bool, StoreError> {
                <$t>::recovery_code_use(self, username, digest, at)
            }
            fn recovery_codes_left(&self, username: &str) -> Result<usize, StoreError> {
                <$t>::recovery_codes_left(self, username)
            }
            fn refresh_insert(&self, token: &RefreshRecord) -> Result<(), StoreError> {
                <$t>::refresh_insert(self, token)
            }
            fn refresh_token(&self, digest: &str) -> Result<Option<RefreshRecord>, StoreError> {
                <$t>::refresh_token(self, digest)
            }
            fn refresh_rotate(
                &self,
                old: &str,
                new: &RefreshRecord,
                at: Timestamp,
            ) -> Result<bool, StoreError> {
                <$t>::refresh_rotate(self, old, new, at)
            }
            fn refresh_revoke_family(
                &self,
                family: &str,
                at: Timestamp,
            ) -> Result<usize, StoreError> {
                <$t>::refresh_revoke_family(self, family, at)
            }
            fn api_key_insert(&self, key: &ApiKeyRecord) -> Result<(), StoreError> {
                <$t>::api_key_insert(self, key)
            }
            fn api_key_by_digest(&self, digest: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
                <$t>::api_key_by_digest(self, digest)
            }
            fn api_key(&self, id: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
                <$t>::api_key(self, id)
            }
            fn api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
                <$t>::api_keys(self)
            }
            fn api_key_revoke(&self, id: &str, at: Timestamp) -> Result<bool, StoreError> {
                <$t>::api_key_revoke(self, id, at)
            }
            fn api_key_rotate(&self, id: &str, digest: &str) -> Result<bool, StoreError> {
                <$t>::api_key_rotate(self, id, digest)
            }
            fn setting(&self, name: &str) -> Result<Option<String>, StoreError> {
                <$t>::setting(self, name)
            }
            fn setting_or_insert(&self, name: &str, value: &str) -> Result<String, StoreError> {
                <$t>::setting_or_insert(self, name, value)
            }
            fn exchange_key_put(
                &self,
                venue: &str,
                name: &str,
                sealed_hex: &str,
                at: Timestamp,
            ) -> Result<(), StoreError> {
                <$t>::exchange_key_put(self, venue, name, sealed_hex, at)
            }
            fn exchange_key(&self, venue: &str, name: &str) -> Result<Option<String>, StoreError> {
                <$t>::exchange_key(self, venue, name)
            }
            fn exchange_keys(&self) -> Result<Vec<ExchangeKeyInfo>, StoreError> {
                <$t>::exchange_keys(self)
            }
            fn audit_append(&self, entry: &NewAuditEntry) -> Result<AuditEntry, StoreError> {
                <$t>::audit_append(self, entry)
            }
            fn audit_entries(
                &self,
                after_id: Option<i64>,
                limit: usize,
            ) -> Result<Vec<AuditEntry>, StoreError> {
                <$t>::audit_entries(self, after_id, limit)
            }
            fn audit_latest(
                &self,
                before_id: Option<i64>,
                limit: usize,
            ) -> Result<Vec<AuditEntry>, StoreError> {
                <$t>::audit_latest(self, before_id, limit)
            }
            fn audit_verify(&self) -> Result<AuditReport, StoreError> {
                <$t>::audit_verify(self)
            }
        }

        impl RiskStore for $t {
            fn breakers(&self) -> Result<Vec<BreakerRecord>, StoreError> {
                <$t>::breakers(self)
            }
            fn breaker(&self, name: &str) -> Result<Option<BreakerRecord>, StoreError> {
                <$t>::breaker(self, name)
            }
            fn write_transition(
                &self,
                r: &BreakerRecord,
                t: &BreakerTransition,
            ) -> Result<(), StoreError> {
                <$t>::write_transition(self, r, t)
            }
            fn breaker_events(
                &self,
                breaker: Option<&str>,
                limit: Option<u32>,
            ) -> Result<Vec<StoredTransition>, StoreError> {
                <$t>::breaker_events(self, breaker, limit)
            }
            fn verifier(&self, name: &str) -> Result<Option<StoredVerifier>, StoreError> {
                <$t>::verifier(self, name)
            }
            fn enroll_secret(&self, name: &str, secret: &str, now: i64) -> Result<(), StoreError> {
                <$t>::enroll_secret(self, name, secret, now)
            }
            fn audit_verify(&self) -> Result<AuditReport, StoreError> {
                <$t>::audit_verify(self)
            }
        }
    };
}

delegate!(Store);
delegate!(PgStore);

/// The server's store at `url`: `sqlite://FILE` (created if missing) or
/// `postgres://…`; migrated.
pub fn open_server_store(url: &str) -> Result<Box<dyn ServerStore>, StoreError> {
    if is_postgres_url(url) {
        return Ok(Box::new(PgStore::open(url)?));
    }
    Ok(Box::new(Store::open(url)?))
}

/// The risk tools' store at `url`; with `existing`, a SQLite file must
/// already exist (a mistyped path is an error, not a new empty database).
pub fn open_risk_store(url: &str, existing: bool) -> Result<Box<dyn RiskStore>, StoreError> {
    if is_postgres_url(url) {
        return Ok(Box::new(PgStore::open(url)?));
    }
    if existing {
        return Ok(Box::new(Store::open_existing(url)?));
    }
    Ok(Box::new(Store::open(url)?))
}

/// The breakers' store of a session whose journal is at `url`: the same
/// database (and schema) as the journal.
pub fn open_breaker_store(url: &str) -> Result<Box<dyn BreakerStore>, StoreError> {
    if is_postgres_url(url) {
        return Ok(Box::new(PgStore::open(url)?));
    }
    Ok(Box::new(Store::open(url)?))
}
