//! The API server's users: password hashes, roles, TOTP enrolment with its
//! replay guard, and one-time recovery codes (stored as digests).

use super::statement::Statement;
use super::{Store, get, opt_time, text, time};
use crate::error::StoreError;
use rusqlite::Row;
use smc_model::Timestamp;

/// One user as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub username: String,
    /// argon2id PHC string.
    pub password_hash: String,
    pub role: String,
    /// Base32 secret of a confirmed TOTP enrolment.
    pub totp_secret: Option<String>,
    /// Base32 secret of an enrolment awaiting its first code.
    pub totp_pending: Option<String>,
    pub created_at: Timestamp,
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("username", &self.username)
            .field("role", &self.role)
            .field("totp", &self.totp_secret.is_some())
            .finish_non_exhaustive()
    }
}

fn user(row: &Row<'_>) -> Result<UserRecord, StoreError> {
    let what = "reading a user";
    Ok(UserRecord {
        username: text(row, "username", what)?,
        password_hash: text(row, "password_hash", what)?,
        role: text(row, "role", what)?,
        totp_secret: get(row, "totp_secret", what)?,
        totp_pending: get(row, "totp_pending", what)?,
        created_at: time(row, "created_at", what)?,
    })
}

const USER_COLUMNS: &str =
    "SELECT username, password_hash, role, totp_secret, totp_pending, created_at FROM users";

impl Store {
    /// Adds `user`; false when the name is taken.
    pub fn user_create(&self, user: &UserRecord) -> Result<bool, StoreError> {
        let s = Statement::new(
            "INSERT OR IGNORE INTO users (username, password_hash, role, created_at)
             VALUES (?, ?, ?, ?)",
        )
        .text(&user.username)
        .text(&user.password_hash)
        .text(&user.role)
        .time(user.created_at);
        Ok(self.run(s, "adding a user")? == 1)
    }

    pub fn user(&self, username: &str) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!("{USER_COLUMNS} WHERE username = ?");
        Ok(self
            .rows(&sql, [username], "reading a user", user)?
            .into_iter()
            .next())
    }

    /// Every user, by name.
    pub fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let sql = format!("{USER_COLUMNS} ORDER BY username");
        self.rows(&sql, [], "listing users", user)
    }

    pub fn user_count(&self) -> Result<u64, StoreError> {
        let n = self.rows(
            "SELECT COUNT(*) AS n FROM users",
            [],
            "counting users",
            |r| get::<i64>(r, "n", "counting users"),
        )?;
        Ok(n.first().copied().unwrap_or(0).unsigned_abs())
    }

    /// Deletes a user with their tokens and codes; false when there was none.
    pub fn user_delete(&self, username: &str) -> Result<bool, StoreError> {
        let s = Statement::new("DELETE FROM users WHERE username = ?").text(username);
        Ok(self.run(s, "deleting a user")? == 1)
    }

    /// Starts (or restarts) a TOTP enrolment: the pending secret and a new
    /// set of recovery-code digests replacing the old ones.
    pub fn user_totp_begin(
        &self,
        username: &str,
        pending: &str,
        code_digests: &[String],
    ) -> Result<(), StoreError> {
        let mut batch = vec![
            Statement::new("UPDATE users SET totp_pending = ? WHERE username = ?")
                .text(pending)
                .text(username),
            Statement::new("DELETE FROM recovery_codes WHERE username = ?").text(username),
        ];
        batch.extend(code_digests.iter().map(|d| {
            Statement::new("INSERT INTO recovery_codes (username, digest) VALUES (?, ?)")
                .text(username)
                .text(d)
        }));
        self.run_batch(&batch, "starting a TOTP enrolment")
    }

    /// Makes the pending secret the user's, accepting `step` as its first
    /// use; false when nothing was pending.
    pub fn user_totp_confirm(&self, username: &str, step: i64) -> Result<bool, StoreError> {
        let s = Statement::new(
            "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = ?
             WHERE username = ? AND totp_pending IS NOT NULL",
        )
        .int(step)
        .text(username);
        Ok(self.run(s, "confirming a TOTP enrolment")? == 1)
    }

    /// Records that a code of time step `step` was accepted; false when a
    /// code of this or a later step was already accepted (a replay).
    pub fn user_totp_use_step(&self, username: &str, step: i64) -> Result<bool, StoreError> {
        let s = Statement::new(
            "UPDATE users SET totp_last_step = ?
             WHERE username = ? AND (totp_last_step IS NULL OR totp_last_step < ?)",
        )
        .int(step)
        .text(username)
        .int(step);
        Ok(self.run(s, "recording a TOTP code")? == 1)
    }

    /// Spends a recovery code; false when it is unknown or already spent.
    pub fn recovery_code_use(
        &self,
        username: &str,
        digest: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let s = Statement::new(
            "UPDATE recovery_codes SET used_at = ?
             WHERE username = ? AND digest = ? AND used_at IS NULL",
        )
        .time(at)
        .text(username)
        .text(digest);
        Ok(self.run(s, "spending a recovery code")? == 1)
    }

    /// Recovery codes not yet spent.
    pub fn recovery_codes_left(&self, username: &str) -> Result<usize, StoreError> {
        let rows = self.rows(
            "SELECT digest, used_at FROM recovery_codes WHERE username = ?",
            [username],
            "counting recovery codes",
            |r| opt_time(r, "used_at", "counting recovery codes"),
        )?;
        Ok(rows.iter().filter(|u| u.is_none()).count())
    }
}
