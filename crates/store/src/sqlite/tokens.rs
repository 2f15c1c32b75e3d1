//! Credentials other than passwords, stored as SHA-256 digests: rotating
//! refresh tokens grouped in families (a reused token revokes its family)
//! and API keys (scoped by role, expiring, revocable, rotatable).

use super::statement::Statement;
use super::{Store, opt_time, text, time};
use crate::error::StoreError;
use rusqlite::Row;
use smc_model::Timestamp;

/// One refresh token as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRecord {
    pub digest: String,
    pub username: String,
    /// Every token descended from one login shares its family.
    pub family: String,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

/// One API key as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    pub id: String,
    pub digest: String,
    pub role: String,
    /// The user who created it.
    pub owner: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

fn refresh(row: &Row<'_>) -> Result<RefreshRecord, StoreError> {
    let what = "reading a refresh token";
    Ok(RefreshRecord {
        digest: text(row, "digest", what)?,
        username: text(row, "username", what)?,
        family: text(row, "family", what)?,
        issued_at: time(row, "issued_at", what)?,
        expires_at: time(row, "expires_at", what)?,
        used_at: opt_time(row, "used_at", what)?,
        revoked_at: opt_time(row, "revoked_at", what)?,
    })
}

fn api_key(row: &Row<'_>) -> Result<ApiKeyRecord, StoreError> {
    let what = "reading an API key";
    Ok(ApiKeyRecord {
        id: text(row, "id", what)?,
        digest: text(row, "digest", what)?,
        role: text(row, "role", what)?,
        owner: text(row, "owner", what)?,
        created_at: time(row, "created_at", what)?,
        expires_at: opt_time(row, "expires_at", what)?,
        revoked_at: opt_time(row, "revoked_at", what)?,
    })
}

fn insert_refresh(r: &RefreshRecord) -> Statement {
    Statement::new(
        "INSERT INTO refresh_tokens (digest, username, family, issued_at, expires_at)
         VALUES (?, ?, ?, ?, ?)",
    )
    .text(&r.digest)
    .text(&r.username)
    .text(&r.family)
    .time(r.issued_at)
    .time(r.expires_at)
}

const KEY_COLUMNS: &str =
    "SELECT id, digest, role, owner, created_at, expires_at, revoked_at FROM api_keys";

impl Store {
    pub fn refresh_insert(&self, token: &RefreshRecord) -> Result<(), StoreError> {
        self.run(insert_refresh(token), "storing a refresh token")
            .map(drop)
    }

    pub fn refresh_token(&self, digest: &str) -> Result<Option<RefreshRecord>, StoreError> {
        let sql = "SELECT digest, username, family, issued_at, expires_at, used_at, revoked_at
                   FROM refresh_tokens WHERE digest = ?";
        Ok(self
            .rows(sql, [digest], "reading a refresh token", refresh)?
            .into_iter()
            .next())
    }

    /// Spends `old` and stores `new` in one transaction; false (and nothing
    /// stored) when `old` was already spent or revoked.
    pub fn refresh_rotate(
        &self,
        old: &str,
        new: &RefreshRecord,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let spend = Statement::new(
            "UPDATE refresh_tokens SET used_at = ?
             WHERE digest = ? AND used_at IS NULL AND revoked_at IS NULL",
        )
        .time(at)
        .text(old);
        if self.run(spend, "spending a refresh token")? != 1 {
            return Ok(false);
        }
        self.refresh_insert(new)?;
        Ok(true)
    }

    /// Revokes every live token of `family`; how many.
    pub fn refresh_revoke_family(&self, family: &str, at: Timestamp) -> Result<usize, StoreError> {
        let s = Statement::new(
            "UPDATE refresh_tokens SET revoked_at = ? WHERE family = ? AND revoked_at IS NULL",
        )
        .time(at)
        .text(family);
        self.run(s, "revoking a refresh-token family")
    }

    pub fn api_key_insert(&self, key: &ApiKeyRecord) -> Result<(), StoreError> {
        let s = Statement::new(
            "INSERT INTO api_keys (id, digest, role, owner, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .text(&key.id)
        .text(&key.digest)
        .text(&key.role)
        .text(&key.owner)
        .time(key.created_at)
        .opt_time(key.expires_at);
        self.run(s, "storing an API key").map(drop)
    }

    pub fn api_key_by_digest(&self, digest: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        let sql = format!("{KEY_COLUMNS} WHERE digest = ?");
        Ok(self
            .rows(&sql, [digest], "reading an API key", api_key)?
            .into_iter()
            .next())
    }

    pub fn api_key(&self, id: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        let sql = format!("{KEY_COLUMNS} WHERE id = ?");
        Ok(self
            .rows(&sql, [id], "reading an API key", api_key)?
            .into_iter()
            .next())
    }

    /// Every key, newest first.
    pub fn api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let sql = format!("{KEY_COLUMNS} ORDER BY created_at DESC, id");
        self.rows(&sql, [], "listing API keys", api_key)
    }

    /// Revokes a live key; false when there is none.
    pub fn api_key_revoke(&self, id: &str, at: Timestamp) -> Result<bool, StoreError> {
        let s = Statement::new(
            "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        )
        .time(at)
        .text(id);
        Ok(self.run(s, "revoking an API key")? == 1)
    }

    /// Gives a live key a new secret (its digest); the old one stops
    /// working at once. False when there is no live key `id`.
    pub fn api_key_rotate(&self, id: &str, digest: &str) -> Result<bool, StoreError> {
        let s =
            Statement::new("UPDATE api_keys SET digest = ? WHERE id = ? AND revoked_at IS NULL")
                .text(digest)
                .text(id);
        Ok(self.run(s, "rotating an API key")? == 1)
    }
}
