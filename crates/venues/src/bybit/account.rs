//! Account reads: the unified wallet's balances
//! (`/v5/account/wallet-balance?accountType=UNIFIED`), linear positions
//! (`/v5/position/list`) and what the API key may do
//! (`/v5/user/query-api`).

use super::error::ParseError;
use crate::account::{Balance, KeyPermissions, VenuePosition};
use crate::binance::parse_util::{dec, from_json};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::HashMap;

fn opt_dec(what: &'static str, field: &str, v: Option<&str>) -> Result<Decimal, ParseError> {
    match v {
        None | Some("") => Ok(Decimal::ZERO),
        Some(s) => dec(what, field, s),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCoin {
    coin: String,
    #[serde(default)]
    wallet_balance: Option<String>,
    /// Spot orders' reservation.
    #[serde(default)]
    locked: Option<String>,
    /// Margin held by open derivatives orders.
    #[serde(default, rename = "totalOrderIM")]
    total_order_im: Option<String>,
}

#[derive(Deserialize)]
struct RawAccount {
    #[serde(default)]
    coin: Vec<RawCoin>,
}

#[derive(Deserialize)]
struct RawWallet {
    #[serde(default)]
    list: Vec<RawAccount>,
}

/// One wallet's coins as balances: the total is `walletBalance`; what
/// open orders hold (`locked` for spot orders, `totalOrderIM` for
/// derivatives ones) is `locked`, the rest `free`. Bybit can report more
/// held than the wallet has (borrowing); `locked` is then capped at the
/// wallet so that `free + locked` stays the wallet balance.
fn coins(what: &'static str, list: &[RawCoin]) -> Result<Vec<Balance>, ParseError> {
    list.iter()
        .map(|c| {
            let total = opt_dec(what, "walletBalance", c.wallet_balance.as_deref())?;
            let held = opt_dec(what, "locked", c.locked.as_deref())?
                + opt_dec(what, "totalOrderIM", c.total_order_im.as_deref())?;
            let locked = held.min(total.max(Decimal::ZERO)).max(Decimal::ZERO);
            Ok(Balance {
                asset: c.coin.clone(),
                free: total - locked,
                locked,
            })
        })
        .collect()
}

/// `result` of wallet-balance to balances.
pub fn parse_wallet(result: &str) -> Result<Vec<Balance>, ParseError> {
    const W: &str = "wallet-balance";
    let w: RawWallet = from_json(W, result)?;
    let mut out = Vec::new();
    for a in &w.list {
        out.extend(coins(W, &a.coin)?);
    }
    Ok(out)
}

/// The private stream's `wallet` data (a list of accounts with coins).
pub fn parse_wallet_stream(data: &str) -> Result<Vec<Balance>, ParseError> {
    const W: &str = "wallet";
    let list: Vec<RawAccount> = from_json(W, data)?;
    let mut out = Vec::new();
    for a in &list {
        out.extend(coins(W, &a.coin)?);
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPosition {
    symbol: String,
    #[serde(default)]
    side: String,
    #[serde(default)]
    size: Option<String>,
    #[serde(default)]
    avg_price: Option<String>,
    #[serde(default)]
    entry_price: Option<String>,
}

/// A page of positions.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PositionsPage {
    #[serde(default)]
    list: Vec<RawPosition>,
    #[serde(default)]
    pub next_page_cursor: Option<String>,
}

impl PositionsPage {
    /// The open positions, net (negative when short); flat ones are left
    /// out.
    pub fn positions(&self) -> Result<Vec<VenuePosition>, ParseError> {
        positions("position/list", &self.list)
    }
}

fn positions(what: &'static str, list: &[RawPosition]) -> Result<Vec<VenuePosition>, ParseError> {
    let mut out = Vec::new();
    for p in list {
        let size = opt_dec(what, "size", p.size.as_deref())?;
        let amount = match p.side.as_str() {
            "Buy" => size,
            "Sell" => -size,
            _ => Decimal::ZERO, // "" or "None": flat
        };
        if amount.is_zero() {
            continue;
        }
        let price = p.avg_price.as_deref().or(p.entry_price.as_deref());
        out.push(VenuePosition {
            symbol: p.symbol.clone(),
            amount,
            entry_price: opt_dec(what, "avgPrice", price)?,
        });
    }
    Ok(out)
}

/// `result` of position/list.
pub fn parse_positions_page(result: &str) -> Result<PositionsPage, ParseError> {
    from_json("position/list", result)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawKey {
    #[serde(default)]
    read_only: i64,
    #[serde(default)]
    permissions: HashMap<String, Vec<String>>,
    #[serde(default)]
    ips: Vec<String>,
}

/// `result` of query-api to what the key may do. Bybit lists permissions
/// by group (v5 docs, "Get API Key Information"; recorded answer
/// `http_get_user_query_api.json`): trading is `Spot: SpotTrade`,
/// `ContractTrade: Order/Position` or `Derivatives: DerivativesTrade`,
/// unless the key is read-only; withdrawal is `Wallet: Withdraw`; moving
/// funds is `Wallet: AccountTransfer` or `SubMemberTransfer`. Withdrawal
/// and transfer are reported as listed, read-only or not, so that live
/// mode refuses such a key whatever else it says. An IP list of `*` (or
/// none) is no restriction.
pub fn parse_key_permissions(result: &str) -> Result<KeyPermissions, ParseError> {
    let k: RawKey = from_json("query-api", result)?;
    let has = |group: &str, names: &[&str]| {
        k.permissions
            .get(group)
            .is_some_and(|l| l.iter().any(|p| names.contains(&p.as_str())))
    };
    let trade = k.read_only == 0
        && (has("Spot", &["SpotTrade"])
            || has("ContractTrade", &["Order", "Position"])
            || has("Derivatives", &["DerivativesTrade"]));
    Ok(KeyPermissions {
        trade,
        withdraw: has("Wallet", &["Withdraw"]),
        transfer: has("Wallet", &["AccountTransfer", "SubMemberTransfer"]),
        ip_restricted: k.ips.iter().any(|ip| !ip.is_empty() && ip != "*"),
    })
}
