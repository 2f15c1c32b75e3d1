//! Verifiers of operator secrets. The store never holds a secret, only a
//! salted SHA-256 of it, so that a tool that edits the database (the CLI's
//! breaker reset) can check a presented token against the one the operator
//! enrolled. Reset tokens should be long random strings; the hash is not
//! meant to resist guessing a weak one.

use crate::db::Store;
use crate::error::StoreError;
use sha2::{Digest, Sha256};
use smc_risk::breakers::ResetVerifier;
use smc_risk::breakers::auth::constant_time_eq;
use sqlx::Row;

/// The name under which the breaker reset token's verifier is kept.
pub const BREAKER_RESET: &str = "breaker_reset";

const ALGORITHM: &str = "sha256-salted";

/// A stored verifier: salt and hash.
#[derive(Clone)]
pub struct StoredVerifier {
    salt: Vec<u8>,
    hash: Vec<u8>,
}

impl std::fmt::Debug for StoredVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoredVerifier(***)")
    }
}

fn digest(salt: &[u8], token: &str) -> Vec<u8> {
    Sha256::new()
        .chain_update(salt)
        .chain_update(token.as_bytes())
        .finalize()
        .to_vec()
}

impl ResetVerifier for StoredVerifier {
    fn verify(&self, token: &str) -> bool {
        constant_time_eq(&digest(&self.salt, token), &self.hash)
    }
}

impl Store {
    /// The verifier enrolled under `name`, if any.
    pub fn verifier(&self, name: &str) -> Result<Option<StoredVerifier>, StoreError> {
        let row = self
            .block_on(
                sqlx::query("SELECT algorithm, salt, hash FROM secrets WHERE name = ?")
                    .bind(name)
                    .fetch_optional(&mut *self.conn()),
            )
            .map_err(StoreError::query("reading a secret's verifier"))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let get = |column| -> Result<Vec<u8>, StoreError> {
            row.try_get(column)
                .map_err(StoreError::query("reading a secret's verifier"))
        };
        let algorithm: String = row
            .try_get("algorithm")
            .map_err(StoreError::query("reading a secret's verifier"))?;
        if algorithm != ALGORITHM {
            return Err(StoreError::Corrupt {
                what: "secrets.algorithm",
                value: algorithm,
            });
        }
        Ok(Some(StoredVerifier {
            salt: get("salt")?,
            hash: get("hash")?,
        }))
    }

    /// Stores the verifier of `secret` under `name`, replacing any earlier
    /// one (the caller checks that the operator may do so). The salt is 16
    /// random bytes from SQLite's generator.
    pub fn enroll_secret(&self, name: &str, secret: &str, now: i64) -> Result<(), StoreError> {
        let salt: Vec<u8> = self
            .block_on(sqlx::query_scalar("SELECT randomblob(16)").fetch_one(&mut *self.conn()))
            .map_err(StoreError::query("drawing a salt"))?;
        let hash = digest(&salt, secret);
        self.block_on(
            sqlx::query(
                "INSERT INTO secrets (name, algorithm, salt, hash, updated_at) VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (name) DO UPDATE SET algorithm = excluded.algorithm,
                 salt = excluded.salt, hash = excluded.hash, updated_at = excluded.updated_at",
            )
            .bind(name)
            .bind(ALGORITHM)
            .bind(salt)
            .bind(hash)
            .bind(now)
            .execute(&mut *self.conn()),
        )
        .map_err(StoreError::query("storing a secret's verifier"))?;
        Ok(())
    }
}
