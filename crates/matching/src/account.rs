//! The account a run starts with: cash (spot) or margin (perpetual
//! futures), and the starting balance.

use rust_decimal::Decimal;
use serde::Deserialize;

/// Cash (spot) or margin (perpetual futures) account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum AccountKind {
    /// Buys spend cash, sells need holdings; no shorts, no leverage.
    #[default]
    Spot,
    /// Positions hold initial margin of notional / leverage; long and short;
    /// perpetual funding is paid on open positions.
    Margin {
        #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
        leverage: Decimal,
    },
}

/// The account a run starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountConfig {
    pub kind: AccountKind,
    /// Starting cash (wallet balance for margin), in the quote currency.
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub starting_cash: Decimal,
}

impl Default for AccountConfig {
    fn default() -> Self {
        AccountConfig {
            kind: AccountKind::Spot,
            starting_cash: Decimal::from(100_000),
        }
    }
}
