//! The API server's accounts on PostgreSQL, as on SQLite
//! (`crate::sqlite::{accounts, tokens, server_settings}`): users with
//! TOTP and its replay guard, one-time recovery codes, rotating refresh
//! tokens in families, API keys, server settings and sealed exchange keys.
//! The same constraints hold (unique names and digests, roles checked,
//! cascades on a user's deletion); expiry is the caller's, as on SQLite.

use super::store::{PgStore, col, opt_time, time};
use crate::error::StoreError;
use crate::sqlite::accounts::UserRecord;
use crate::sqlite::server_settings::ExchangeKeyInfo;
use crate::sqlite::tokens::{ApiKeyRecord, RefreshRecord};
use postgres::Row;
use smc_model::Timestamp;

fn user(row: &Row) -> Result<UserRecord, StoreError> {
    let what = "reading a user";
    Ok(UserRecord {
        username: col(row, "username", what)?,
        password_hash: col(row, "password_hash", what)?,
        role: col(row, "role", what)?,
        totp_secret: col(row, "totp_secret", what)?,
        totp_pending: col(row, "totp_pending", what)?,
        created_at: time(row, "created_at", what)?,
    })
}

fn refresh(row: &Row) -> Result<RefreshRecord, StoreError> {
    let what = "reading a refresh token";
    Ok(RefreshRecord {
        digest: col(row, "digest", what)?,
        username: col(row, "username", what)?,
        family: col(row, "family", what)?,
        issued_at: time(row, "issued_at", what)?,
        expires_at: time(row, "expires_at", what)?,
        used_at: opt_time(row, "used_at", what)?,
        revoked_at: opt_time(row, "revoked_at", what)?,
    })
}

fn api_key(row: &Row) -> Result<ApiKeyRecord, StoreError> {
    let what = "reading an API key";
    Ok(ApiKeyRecord {
        id: col(row, "id", what)?,
        digest: col(row, "digest", what)?,
        role: col(row, "role", what)?,
        owner: col(row, "owner", what)?,
        created_at: time(row, "created_at", what)?,
        expires_at: opt_time(row, "expires_at", what)?,
        revoked_at: opt_time(row, "revoked_at", what)?,
    })
}

const USER_COLUMNS: &str =
    "SELECT username, password_hash, role, totp_secret, totp_pending, created_at FROM users";

const KEY_COLUMNS: &str =
    "SELECT id, digest, role, owner, created_at, expires_at, revoked_at FROM api_keys";

const INSERT_REFRESH: &str =
    "INSERT INTO refresh_tokens (digest, username, family, issued_at, expires_at)
     VALUES ($1, $2, $3, $4, $5)";

fn ms(t: Option<Timestamp>) -> Option<i64> {
    t.map(Timestamp::ms)
}

impl PgStore {
    /// Adds `user`; false when the name is taken.
    pub fn user_create(&self, user: &UserRecord) -> Result<bool, StoreError> {
        let n = self.exec(
            "INSERT INTO users (username, password_hash, role, created_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT (username) DO NOTHING",
            &[
                &user.username,
                &user.password_hash,
                &user.role,
                &user.created_at.ms(),
            ],
            "adding a user",
        )?;
        Ok(n == 1)
    }

    pub fn user(&self, username: &str) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!("{USER_COLUMNS} WHERE username = $1");
        Ok(self
            .rows(&sql, &[&username], "reading a user", user)?
            .into_iter()
            .next())
    }

    /// Every user, by name.
    pub fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let sql = format!("{USER_COLUMNS} ORDER BY username");
        self.rows(&sql, &[], "listing users", user)
    }

    pub fn user_count(&self) -> Result<u64, StoreError> {
        let what = "counting users";
        let n = self.rows("SELECT COUNT(*) AS n FROM users", &[], what, |r| {
            col::<i64>(r, "n", what)
        })?;
        Ok(n.first().copied().unwrap_or(0).unsigned_abs())
    }

    /// Deletes a user with their tokens and codes; false when there was none.
    pub fn user_delete(&self, username: &str) -> Result<bool, StoreError> {
        let n = self.exec(
            "DELETE FROM users WHERE username = $1",
            &[&username],
            "deleting a user",
        )?;
        Ok(n == 1)
    }

    /// Starts (or restarts) a TOTP enrolment: the pending secret and a new
    /// set of recovery-code digests replacing the old ones.
    pub fn user_totp_begin(
        &self,
        username: &str,
        pending: &str,
        code_digests: &[String],
    ) -> Result<(), StoreError> {
        super::off_runtime(|| {
            let what = "starting a TOTP enrolment";
            let mut client = self.client()?;
            let mut tx = client.transaction().map_err(StoreError::pg(what))?;
            tx.execute(
                "UPDATE users SET totp_pending = $1 WHERE username = $2",
                &[&pending, &username],
            )
            .map_err(StoreError::pg(what))?;
            tx.execute(
                "DELETE FROM recovery_codes WHERE username = $1",
                &[&username],
            )
            .map_err(StoreError::pg(what))?;
            for d in code_digests {
                tx.execute(
                    "INSERT INTO recovery_codes (username, digest) VALUES ($1, $2)",
                    &[&username, d],
                )
                .map_err(StoreError::pg(what))?;
            }
            tx.commit().map_err(StoreError::pg(what))
        })
    }

    /// Makes the pending secret the user's, accepting `step` as its first
    /// use; false when nothing was pending.
    pub fn user_totp_confirm(&self, username: &str, step: i64) -> Result<bool, StoreError> {
        let n = self.exec(
            "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $1
             WHERE username = $2 AND totp_pending IS NOT NULL",
            &[&step, &username],
            "confirming a TOTP enrolment",
        )?;
        Ok(n == 1)
    }

    /// Records that a code of time step `step` was accepted; false when a
    /// code of this or a later step was already accepted (a replay).
    pub fn user_totp_use_step(&self, username: &str, step: i64) -> Result<bool, StoreError> {
        let n = self.exec(
            "UPDATE users SET totp_last_step = $1
             WHERE username = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
            &[&step, &username],
            "recording a TOTP code",
        )?;
        Ok(n == 1)
    }

    /// Spends a recovery code; false when it is unknown or already spent.
    pub fn recovery_code_use(
        &self,
        username: &str,
        digest: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let n = self.exec(
            "UPDATE recovery_codes SET used_at = $1
             WHERE username = $2 AND digest = $3 AND used_at IS NULL",
            &[&at.ms(), &username, &digest],
            "spending a recovery code",
        )?;
        Ok(n == 1)
    }

    /// Recovery codes not yet spent.
    pub fn recovery_codes_left(&self, username: &str) -> Result<usize, StoreError> {
        let what = "counting recovery codes";
        let n = self.rows(
            "SELECT COUNT(*) AS n FROM recovery_codes WHERE username = $1 AND used_at IS NULL",
            &[&username],
            what,
            |r| col::<i64>(r, "n", what),
        )?;
        Ok(usize::try_from(n.first().copied().unwrap_or(0)).unwrap_or(0))
    }

    pub fn refresh_insert(&self, token: &RefreshRecord) -> Result<(), StoreError> {
        self.exec(
            INSERT_REFRESH,
            &[
                &token.digest,
                &token.username,
                &token.family,
                &token.issued_at.ms(),
                &token.expires_at.ms(),
            ],
            "storing a refresh token",
        )
        .map(drop)
    }

    pub fn refresh_token(&self, digest: &str) -> Result<Option<RefreshRecord>, StoreError> {
        Ok(self
            .rows(
                "SELECT digest, username, family, issued_at, expires_at, used_at, revoked_at
                 FROM refresh_tokens WHERE digest = $1",
                &[&digest],
                "reading a refresh token",
                refresh,
            )?
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
        super::off_runtime(|| {
            let what = "rotating a refresh token";
            let mut client = self.client()?;
            let mut tx = client.transaction().map_err(StoreError::pg(what))?;
            let spent = tx
                .execute(
                    "UPDATE refresh_tokens SET used_at = $1
                 WHERE digest = $2 AND used_at IS NULL AND revoked_at IS NULL",
                    &[&at.ms(), &old],
                )
                .map_err(StoreError::pg(what))?;
            if spent != 1 {
                return Ok(false);
            }
            tx.execute(
                INSERT_REFRESH,
                &[
                    &new.digest,
                    &new.username,
                    &new.family,
                    &new.issued_at.ms(),
                    &new.expires_at.ms(),
                ],
            )
            .map_err(StoreError::pg(what))?;
            tx.commit().map_err(StoreError::pg(what))?;
            Ok(true)
        })
    }

    /// Revokes every live token of `family`; how many.
    pub fn refresh_revoke_family(&self, family: &str, at: Timestamp) -> Result<usize, StoreError> {
        let n = self.exec(
            "UPDATE refresh_tokens SET revoked_at = $1 WHERE family = $2 AND revoked_at IS NULL",
            &[&at.ms(), &family],
            "revoking a refresh-token family",
        )?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    pub fn api_key_insert(&self, key: &ApiKeyRecord) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO api_keys (id, digest, role, owner, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &key.id,
                &key.digest,
                &key.role,
                &key.owner,
                &key.created_at.ms(),
                &ms(key.expires_at),
            ],
            "storing an API key",
        )
        .map(drop)
    }

    pub fn api_key_by_digest(&self, digest: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        let sql = format!("{KEY_COLUMNS} WHERE digest = $1");
        Ok(self
            .rows(&sql, &[&digest], "reading an API key", api_key)?
            .into_iter()
            .next())
    }

    pub fn api_key(&self, id: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        let sql = format!("{KEY_COLUMNS} WHERE id = $1");
        Ok(self
            .rows(&sql, &[&id], "reading an API key", api_key)?
            .into_iter()
            .next())
    }

    /// Every key, newest first.
    pub fn api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let sql = format!("{KEY_COLUMNS} ORDER BY created_at DESC, id");
        self.rows(&sql, &[], "listing API keys", api_key)
    }

    /// Revokes a live key; false when there is none.
    pub fn api_key_revoke(&self, id: &str, at: Timestamp) -> Result<bool, StoreError> {
        let n = self.exec(
            "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            &[&at.ms(), &id],
            "revoking an API key",
        )?;
        Ok(n == 1)
    }

    /// Gives a live key a new digest; false when there is no live key `id`.
    pub fn api_key_rotate(&self, id: &str, digest: &str) -> Result<bool, StoreError> {
        let n = self.exec(
            "UPDATE api_keys SET digest = $1 WHERE id = $2 AND revoked_at IS NULL",
            &[&digest, &id],
            "rotating an API key",
        )?;
        Ok(n == 1)
    }

    pub fn setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        let what = "reading a server setting";
        Ok(self
            .rows(
                "SELECT value FROM server_settings WHERE name = $1",
                &[&name],
                what,
                |r| col(r, "value", what),
            )?
            .into_iter()
            .next())
    }

    /// Stores `value` unless the setting exists; the value in force.
    pub fn setting_or_insert(&self, name: &str, value: &str) -> Result<String, StoreError> {
        self.exec(
            "INSERT INTO server_settings (name, value) VALUES ($1, $2)
             ON CONFLICT (name) DO NOTHING",
            &[&name, &value],
            "storing a server setting",
        )?;
        self.setting(name)?.ok_or(StoreError::Corrupt {
            what: "server_settings",
            value: format!("{name} vanished after it was stored"),
        })
    }

    /// Stores a sealed exchange key (hex), replacing the old one.
    pub fn exchange_key_put(
        &self,
        venue: &str,
        name: &str,
        sealed_hex: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO exchange_keys (venue, name, sealed, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (venue, name) DO UPDATE SET sealed = excluded.sealed,
                                                    updated_at = excluded.updated_at",
            &[&venue, &name, &sealed_hex, &at.ms()],
            "storing an exchange key",
        )
        .map(drop)
    }

    /// The sealed key (hex), if stored.
    pub fn exchange_key(&self, venue: &str, name: &str) -> Result<Option<String>, StoreError> {
        let what = "reading an exchange key";
        Ok(self
            .rows(
                "SELECT sealed FROM exchange_keys WHERE venue = $1 AND name = $2",
                &[&venue, &name],
                what,
                |r| col(r, "sealed", what),
            )?
            .into_iter()
            .next())
    }

    /// Which keys are stored, by venue and name.
    pub fn exchange_keys(&self) -> Result<Vec<ExchangeKeyInfo>, StoreError> {
        let what = "listing exchange keys";
        self.rows(
            "SELECT venue, name, updated_at FROM exchange_keys ORDER BY venue, name",
            &[],
            what,
            |r| {
                Ok(ExchangeKeyInfo {
                    venue: col(r, "venue", what)?,
                    name: col(r, "name", what)?,
                    updated_at: time(r, "updated_at", what)?,
                })
            },
        )
    }
}
