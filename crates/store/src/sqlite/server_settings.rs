//! The API server's settings (such as its token-signing key) and the
//! exchange keys entered through the API, sealed by the caller before
//! they reach the store.

use super::statement::Statement;
use super::{Store, text, time};
use crate::error::StoreError;
use smc_model::Timestamp;

/// An exchange key's name and age; never its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeKeyInfo {
    pub venue: String,
    pub name: String,
    pub updated_at: Timestamp,
}

impl Store {
    pub fn setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        let what = "reading a server setting";
        Ok(self
            .rows(
                "SELECT value FROM server_settings WHERE name = ?",
                [name],
                what,
                |r| text(r, "value", what),
            )?
            .into_iter()
            .next())
    }

    /// Stores `value` unless the setting exists; the value in force.
    pub fn setting_or_insert(&self, name: &str, value: &str) -> Result<String, StoreError> {
        let s = Statement::new("INSERT OR IGNORE INTO server_settings (name, value) VALUES (?, ?)")
            .text(name)
            .text(value);
        self.run(s, "storing a server setting")?;
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
        let s = Statement::new(
            "INSERT INTO exchange_keys (venue, name, sealed, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (venue, name) DO UPDATE SET sealed = excluded.sealed,
                                                    updated_at = excluded.updated_at",
        )
        .text(venue)
        .text(name)
        .text(sealed_hex)
        .time(at);
        self.run(s, "storing an exchange key").map(drop)
    }

    /// The sealed key (hex), if stored.
    pub fn exchange_key(&self, venue: &str, name: &str) -> Result<Option<String>, StoreError> {
        let what = "reading an exchange key";
        Ok(self
            .rows(
                "SELECT sealed FROM exchange_keys WHERE venue = ? AND name = ?",
                [venue, name],
                what,
                |r| text(r, "sealed", what),
            )?
            .into_iter()
            .next())
    }

    /// Which keys are stored, by venue and name.
    pub fn exchange_keys(&self) -> Result<Vec<ExchangeKeyInfo>, StoreError> {
        let what = "listing exchange keys";
        self.rows(
            "SELECT venue, name, updated_at FROM exchange_keys ORDER BY venue, name",
            [],
            what,
            |r| {
                Ok(ExchangeKeyInfo {
                    venue: text(r, "venue", what)?,
                    name: text(r, "name", what)?,
                    updated_at: time(r, "updated_at", what)?,
                })
            },
        )
    }
}
