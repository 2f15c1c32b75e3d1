//! The simulator's markets and keys as a command line gives them —
//! parallel lists of files and symbols, keys and secrets, and the keys
//! named for withdrawals or transfers — paired into a [`SimConfig`]'s
//! entries, with the rules that make the lists one configuration.
//!
//! [`SimConfig`]: crate::config::SimConfig

use crate::config::{KeyConfig, MarketSource, Protocol};
use crate::error::SimError;
use std::path::PathBuf;

/// Each file with the symbol at its position; the two lists must be as long.
pub fn pair_markets(paths: &[PathBuf], symbols: &[String]) -> Result<Vec<MarketSource>, SimError> {
    if paths.len() != symbols.len() {
        return Err(SimError::Unpaired {
            flags: "--market and --symbol",
            left: format!("{} markets", paths.len()),
            right: format!("{} symbols", symbols.len()),
        });
    }
    Ok(paths
        .iter()
        .zip(symbols)
        .map(|(path, symbol)| MarketSource {
            path: path.clone(),
            symbol: symbol.clone(),
        })
        .collect())
}

/// API keys as the command line lists them.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyLists<'a> {
    pub keys: &'a [String],
    /// The secret of the key at the same position.
    pub secrets: &'a [String],
    /// Keys that report withdrawals as enabled.
    pub withdrawal: &'a [String],
    /// Keys that report transfers as enabled.
    pub transfer: &'a [String],
}

impl KeyLists<'_> {
    /// Each key with the secret at its position. An OANDA token has no
    /// secret: without secrets each key gets an empty one. A key named for
    /// withdrawals or transfers must be one of the keys.
    pub fn pair(&self, protocol: Protocol) -> Result<Vec<KeyConfig>, SimError> {
        let no_secrets = vec![String::new(); self.keys.len()];
        let secrets = if protocol == Protocol::Oanda && self.secrets.is_empty() {
            &no_secrets[..]
        } else {
            self.secrets
        };
        if self.keys.len() != secrets.len() {
            return Err(SimError::Unpaired {
                flags: "--api-key and --api-secret",
                left: format!("{} keys", self.keys.len()),
                right: format!("{} secrets", secrets.len()),
            });
        }
        for (flag, named) in [
            ("--withdrawal-key", self.withdrawal),
            ("--transfer-key", self.transfer),
        ] {
            if let Some(key) = named.iter().find(|k| !self.keys.contains(k)) {
                return Err(SimError::UnknownKey {
                    flag,
                    key: key.clone(),
                });
            }
        }
        Ok(self
            .keys
            .iter()
            .zip(secrets)
            .map(|(key, secret)| KeyConfig {
                key: key.clone(),
                secret: secret.clone(),
                withdrawals: self.withdrawal.contains(key),
                transfers: self.transfer.contains(key),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn strings(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn markets_pair_by_position() {
        let paths = [PathBuf::from("a.csv"), PathBuf::from("b.csv")];
        let symbols = strings(&["BTCUSDT", "ETHUSDT"]);
        let markets = pair_markets(&paths, &symbols).unwrap();
        assert_eq!(markets[1].path, PathBuf::from("b.csv"));
        assert_eq!(markets[1].symbol, "ETHUSDT");
        let e = pair_markets(&paths, &symbols[..1]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--market and --symbol come in pairs: got 2 markets and 1 symbols"
        );
    }

    #[test]
    fn keys_pair_with_secrets_and_carry_their_permissions() {
        let (keys, secrets) = (strings(&["k1", "k2"]), strings(&["s1", "s2"]));
        let (withdrawal, transfer) = (strings(&["k2"]), strings(&["k1"]));
        let lists = KeyLists {
            keys: &keys,
            secrets: &secrets,
            withdrawal: &withdrawal,
            transfer: &transfer,
        };
        let paired = lists.pair(Protocol::Binance).unwrap();
        assert_eq!(
            (paired[0].secret.as_str(), paired[1].secret.as_str()),
            ("s1", "s2")
        );
        assert_eq!((paired[0].withdrawals, paired[0].transfers), (false, true));
        assert_eq!((paired[1].withdrawals, paired[1].transfers), (true, false));
        let unknown = strings(&["k3"]);
        let e = KeyLists {
            transfer: &unknown,
            ..lists
        }
        .pair(Protocol::Binance)
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "--transfer-key k3 is not one of the --api-key values"
        );
    }

    #[test]
    fn only_an_oanda_token_goes_without_a_secret() {
        let keys = strings(&["tok"]);
        let lists = KeyLists {
            keys: &keys,
            ..KeyLists::default()
        };
        assert_eq!(lists.pair(Protocol::Oanda).unwrap()[0].secret, "");
        for protocol in [Protocol::Binance, Protocol::Bybit] {
            let e = lists.pair(protocol).unwrap_err();
            assert_eq!(
                e.to_string(),
                "--api-key and --api-secret come in pairs: got 1 keys and 0 secrets"
            );
        }
    }
}
