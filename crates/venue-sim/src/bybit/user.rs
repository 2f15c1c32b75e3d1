//! Account endpoints: the unified wallet (`accountType=UNIFIED` only, see
//! `shapes::wallet` for how the spot and futures accounts are presented as
//! one), fee rates (the matching engine's), linear positions, and the key's
//! information with its permissions (`/v5/user/query-api`, in the shape of
//! http_get_user_query_api.json): trading keys report `ContractTrade`
//! `Order`/`Position` and `Spot` `SpotTrade` with no `Wallet` permission;
//! a `--withdrawal-key` adds `Withdraw` under `Wallet` and a
//! `--transfer-key` `AccountTransfer` and `SubMemberTransfer`, so live
//! mode can refuse them.

use super::Category;
use super::envelope::BybitError;
use super::front::Req;
use super::market::series;
use super::shapes;
use crate::state::lock;
use serde_json::{Value, json};

/// `GET /v5/account/wallet-balance`.
pub fn wallet(req: &Req) -> Result<Value, BybitError> {
    let t = req.params.required("accountType")?;
    if t != "UNIFIED" {
        return Err(BybitError::params(format!(
            "accountType only support UNIFIED, got {t}"
        )));
    }
    let shared = &req.st.shared;
    let inner = lock(&shared.inner);
    let k = inner.keys.get(req.key()?).ok_or_else(BybitError::api_key)?;
    let mut w = shapes::wallet(
        k,
        &shared.market,
        inner.step,
        shared.leverage,
        shared.balance,
    );
    if let Some(coins) = req.params.get("coin") {
        let wanted: Vec<&str> = coins.split(',').collect();
        if let Some(list) = w["coin"].as_array_mut() {
            list.retain(|c| c["coin"].as_str().is_some_and(|x| wanted.contains(&x)));
        }
    }
    Ok(json!({"list": [w]}))
}

/// `GET /v5/account/fee-rate`.
pub fn fee_rate(req: &Req) -> Result<Value, BybitError> {
    let cat = req.params.category()?;
    let fees = req.st.shared.fees(cat.family());
    let market = &req.st.shared.market;
    let chosen: Vec<&str> = match req.params.get("symbol") {
        Some(s) => vec![series(req.st, s)?.1.symbol.as_str()],
        None => market.series.iter().map(|s| s.symbol.as_str()).collect(),
    };
    let list: Vec<Value> = chosen
        .into_iter()
        .map(|s| {
            json!({"symbol": s, "takerFeeRate": shapes::num(fees.taker),
                "makerFeeRate": shapes::num(fees.maker), "baseCoin": ""})
        })
        .collect();
    Ok(json!({"list": list}))
}

/// `GET /v5/position/list` (linear only; `symbol` or `settleCoin`).
pub fn positions(req: &Req) -> Result<Value, BybitError> {
    let cat = req.params.category()?;
    if cat != Category::Linear {
        return Err(BybitError::params(
            "Illegal category: positions are linear only",
        ));
    }
    let shared = &req.st.shared;
    let indices: Vec<usize> = match (req.params.get("symbol"), req.params.get("settleCoin")) {
        (Some(s), _) => vec![series(req.st, s)?.0],
        (None, Some("USDT")) => (0..shared.market.series.len()).collect(),
        (None, Some(c)) => return Err(BybitError::invalid("settleCoin", c)),
        (None, None) => return Err(BybitError::missing("symbol or settleCoin")),
    };
    let inner = lock(&shared.inner);
    let k = inner.keys.get(req.key()?).ok_or_else(BybitError::api_key)?;
    let extras = lock(&req.st.extras);
    let list: Vec<Value> = indices
        .into_iter()
        .filter(|i| {
            req.params.get("symbol").is_some() || !k.futures.portfolio.position(*i).qty.is_zero()
        })
        .map(|i| {
            let s = &shared.market.series[i];
            let tpsl = super::tpsl::of_position(&k.futures, &extras, &s.symbol);
            shapes::position(
                s,
                &k.futures,
                i,
                (shared.leverage, s.candle(inner.step).close),
                tpsl,
                inner.step as u64,
            )
        })
        .collect();
    Ok(json!({"list": list, "nextPageCursor": "", "category": "linear"}))
}

/// `GET /v5/user/query-api`.
pub fn query_api(req: &Req) -> Result<Value, BybitError> {
    let key = req.key()?;
    let inner = lock(&req.st.shared.inner);
    let k = inner.keys.get(key).ok_or_else(BybitError::api_key)?;
    // A trading key holds no Wallet permission; moving funds between
    // one's own accounts (`AccountTransfer`) or sub-accounts
    // (`SubMemberTransfer`) is what a `--transfer-key` may do.
    let mut wallet = Vec::new();
    if k.transfers {
        wallet.extend(["AccountTransfer", "SubMemberTransfer"]);
    }
    if k.withdrawals {
        wallet.push("Withdraw");
    }
    let created = k.created;
    Ok(json!({
        "id": "1", "note": "venue-sim", "apiKey": key, "readOnly": 0, "secret": "",
        "permissions": {
            "ContractTrade": ["Order", "Position"], "Spot": ["SpotTrade"], "Wallet": wallet,
            "Options": [], "Derivatives": [], "CopyTrading": [], "BlockTrade": [],
            "Exchange": [], "NFT": [], "Affiliate": [], "Earn": [],
        },
        "ips": ["*"], "type": 1, "deadlineDay": -1, "expiredAt": "",
        "createdAt": smc_model::Timestamp::from_ms(created).format_utc(), "unified": 0, "uta": 1, "userID": 1,
        "inviterID": 0, "vipLevel": "No VIP", "mktMakerLevel": "0", "affiliateID": 0,
        "rsaPublicKey": "", "isMaster": true, "parentUid": "0", "kycLevel": "LEVEL_1",
        "kycRegion": "", "userIDInt64": "1", "inviterIDInt64": "0", "affiliateIDInt64": "0",
    }))
}
