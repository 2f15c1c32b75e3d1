//! Account reads: the accounts a token reaches (`GET /v3/accounts`), the
//! summary as balances, and positions.
//!
//! The summary becomes [`Balance`]s in the account currency whose
//! `total()` is the `balance` (cash, without unrealised P/L), as a USD-M
//! wallet balance is: what a session's cash tracks and reconciles
//! against. The margin in use is its `locked` part; `NAV` and
//! `marginAvailable` are kept in [`AccountSummary`].

use super::error::ParseError;
use crate::account::{Balance, VenuePosition};
use crate::binance::parse_util::{dec, from_json};
use rust_decimal::Decimal;
use serde::Deserialize;

#[derive(Deserialize)]
struct Listed {
    id: String,
}

#[derive(Deserialize)]
struct AccountsAnswer {
    accounts: Vec<Listed>,
}

/// The ids of `GET /v3/accounts`, in OANDA's order.
pub fn parse_accounts(body: &str) -> Result<Vec<String>, ParseError> {
    let a: AccountsAnswer = from_json("accounts", body)?;
    Ok(a.accounts.into_iter().map(|a| a.id).collect())
}

/// The figures of `GET /v3/accounts/{id}/summary`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    pub currency: String,
    pub balance: Decimal,
    pub nav: Decimal,
    pub margin_used: Decimal,
    pub margin_available: Decimal,
    pub unrealized_pl: Decimal,
    pub last_transaction_id: String,
    pub hedging_enabled: bool,
}

impl AccountSummary {
    /// The balance of the account currency: the margin in use locked
    /// (at most the whole balance), the rest free.
    pub fn balances(&self) -> Vec<Balance> {
        let locked = self.margin_used.min(self.balance).max(Decimal::ZERO);
        vec![Balance {
            asset: self.currency.clone(),
            free: self.balance - locked,
            locked,
        }]
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSummary {
    currency: String,
    balance: String,
    #[serde(rename = "NAV")]
    nav: String,
    margin_used: String,
    margin_available: String,
    #[serde(default, rename = "unrealizedPL")]
    unrealized_pl: Option<String>,
    #[serde(default)]
    hedging_enabled: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SummaryAnswer {
    account: RawSummary,
    #[serde(rename = "lastTransactionID", default)]
    last_transaction_id: String,
}

const SUMMARY: &str = "account summary";

/// Parses `GET /v3/accounts/{id}/summary`.
pub fn parse_summary(body: &str) -> Result<AccountSummary, ParseError> {
    let a: SummaryAnswer = from_json(SUMMARY, body)?;
    let r = a.account;
    Ok(AccountSummary {
        currency: r.currency,
        balance: dec(SUMMARY, "account.balance", &r.balance)?,
        nav: dec(SUMMARY, "account.NAV", &r.nav)?,
        margin_used: dec(SUMMARY, "account.marginUsed", &r.margin_used)?,
        margin_available: dec(SUMMARY, "account.marginAvailable", &r.margin_available)?,
        unrealized_pl: match r.unrealized_pl.as_deref() {
            Some(u) => dec(SUMMARY, "account.unrealizedPL", u)?,
            None => Decimal::ZERO,
        },
        last_transaction_id: a.last_transaction_id,
        hedging_enabled: r.hedging_enabled,
    })
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Side {
    units: String,
    average_price: Option<String>,
}

#[derive(Deserialize)]
struct RawPosition {
    instrument: String,
    #[serde(default)]
    long: Side,
    #[serde(default)]
    short: Side,
}

#[derive(Deserialize)]
struct PositionsAnswer {
    positions: Vec<RawPosition>,
}

const POSITIONS: &str = "positions";

/// `GET …/openPositions` or `…/positions`: each instrument's net units
/// (`long.units + short.units`, short units are negative) and the average
/// price of the side held. Flat instruments are left out.
pub fn parse_positions(body: &str) -> Result<Vec<VenuePosition>, ParseError> {
    let a: PositionsAnswer = from_json(POSITIONS, body)?;
    let mut out = Vec::new();
    for (i, p) in a.positions.iter().enumerate() {
        let units = |side: &Side, name: &str| -> Result<Decimal, ParseError> {
            if side.units.is_empty() {
                return Ok(Decimal::ZERO);
            }
            dec(
                POSITIONS,
                &format!("positions[{i}].{name}.units"),
                &side.units,
            )
        };
        let long = units(&p.long, "long")?;
        let short = units(&p.short, "short")?;
        let amount = long + short;
        if amount.is_zero() {
            continue;
        }
        let (held, name) = if amount > Decimal::ZERO {
            (&p.long, "long")
        } else {
            (&p.short, "short")
        };
        let entry_price = match held.average_price.as_deref() {
            Some(px) => dec(
                POSITIONS,
                &format!("positions[{i}].{name}.averagePrice"),
                px,
            )?,
            None => Decimal::ZERO,
        };
        out.push(VenuePosition {
            symbol: p.instrument.clone(),
            amount,
            entry_price,
        });
    }
    Ok(out)
}
