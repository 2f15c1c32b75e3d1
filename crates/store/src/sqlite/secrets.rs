//! Verifiers of operator secrets. The store never holds a secret, only a
//! salted SHA-256 of it, so that a tool that edits the database (the CLI's
//! breaker reset) can check a presented token against the one the operator
//! enrolled. Reset tokens should be long random strings; the hash is not
//! meant to resist guessing a weak one.

use super::Store;
use crate::error::StoreError;
use sha2::{Digest, Sha256};
use smc_risk::breakers::ResetVerifier;
use smc_risk::breakers::auth::constant_time_eq;

/// The name under which the breaker reset token's verifier is kept.
pub const BREAKER_RESET: &str = "breaker_reset";

pub(crate) const ALGORITHM: &str = "sha256-salted";

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

pub(crate) fn digest(salt: &[u8], token: &str) -> Vec<u8> {
    Sha256::new()
        .chain_update(salt)
        .chain_update(token.as_bytes())
        .finalize()
        .to_vec()
}

impl StoredVerifier {
    /// A verifier as another backend stored it.
    pub(crate) fn new(salt: Vec<u8>, hash: Vec<u8>) -> StoredVerifier {
        StoredVerifier { salt, hash }
    }
}

/// A `secrets` row as stored, for `smc store copy` (a salt and a hash,
/// never the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretRow {
    pub name: String,
    pub algorithm: String,
    pub salt: Vec<u8>,
    pub hash: Vec<u8>,
    pub updated_at: i64,
}

impl ResetVerifier for StoredVerifier {
    fn verify(&self, token: &str) -> bool {
        constant_time_eq(&digest(&self.salt, token), &self.hash)
    }
}

impl Store {
    /// The verifier enrolled under `name`, if any.
    pub fn verifier(&self, name: &str) -> Result<Option<StoredVerifier>, StoreError> {
        let what = "reading a secret's verifier";
        let mut found = self.rows(
            "SELECT algorithm, salt, hash FROM secrets WHERE name = ?",
            [name],
            what,
            |r| {
                let get = |c: &str| -> Result<Vec<u8>, StoreError> {
                    r.get(c).map_err(StoreError::query(what))
                };
                let algorithm: String = r.get("algorithm").map_err(StoreError::query(what))?;
                if algorithm != ALGORITHM {
                    return Err(StoreError::Corrupt {
                        what: "secrets.algorithm",
                        value: algorithm,
                    });
                }
                Ok(StoredVerifier {
                    salt: get("salt")?,
                    hash: get("hash")?,
                })
            },
        )?;
        Ok(found.pop())
    }

    /// Every verifier as stored.
    pub(crate) fn secret_rows(&self) -> Result<Vec<SecretRow>, StoreError> {
        let what = "reading the secrets' verifiers";
        self.rows(
            "SELECT name, algorithm, salt, hash, updated_at FROM secrets ORDER BY name",
            [],
            what,
            |r| {
                Ok(SecretRow {
                    name: r.get("name").map_err(StoreError::query(what))?,
                    algorithm: r.get("algorithm").map_err(StoreError::query(what))?,
                    salt: r.get("salt").map_err(StoreError::query(what))?,
                    hash: r.get("hash").map_err(StoreError::query(what))?,
                    updated_at: r.get("updated_at").map_err(StoreError::query(what))?,
                })
            },
        )
    }

    /// Stores the verifier of `secret` under `name`, replacing any earlier
    /// one (the caller checks that the operator may do so). The salt is 16
    /// random bytes from SQLite's generator.
    pub fn enroll_secret(&self, name: &str, secret: &str, now: i64) -> Result<(), StoreError> {
        let mut salts = self.rows("SELECT randomblob(16)", [], "drawing a salt", |r| {
            r.get::<_, Vec<u8>>(0)
                .map_err(StoreError::query("drawing a salt"))
        })?;
        let salt = salts.pop().unwrap_or_default();
        let hash = digest(&salt, secret);
        let conn = self.conn();
        conn.execute(
            "INSERT INTO secrets (name, algorithm, salt, hash, updated_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET algorithm = excluded.algorithm,
             salt = excluded.salt, hash = excluded.hash, updated_at = excluded.updated_at",
            rusqlite::params![name, ALGORITHM, salt, hash, now],
        )
        .map_err(StoreError::query("storing a secret's verifier"))?;
        Ok(())
    }
}
