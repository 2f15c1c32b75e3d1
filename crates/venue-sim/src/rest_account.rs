//! Account endpoints: spot account and balances, USD-M account (v2 and v3),
//! balances and position risk, the API key's restrictions (with the
//! withdrawal flag a key can be started with), and the listen keys of the
//! user data stream.

use crate::config::new_listen_key;
use crate::error::ApiError;
use crate::http::{Answer, Request};
use crate::market::QUOTE;
use crate::orders::num;
use crate::routes::{Family, Op};
use crate::state::{LISTEN_KEY_TTL_MS, ListenKey, lock, now_ms};
use crate::user_events::{futures_positions, spot_balances};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use smc_model::Liquidity;

fn key<'a>(req: &'a Request) -> Result<&'a str, ApiError> {
    req.key.as_deref().ok_or_else(ApiError::key_format)
}

/// `GET /api/v3/account`, `GET /fapi/v2|v3/account`.
pub fn account(req: &Request) -> Answer {
    let family = req.route.family;
    let fees = req.shared.fees(family);
    let market = &req.shared.market;
    let leverage = req.shared.leverage;
    let inner = lock(&req.shared.inner);
    let state = inner
        .keys
        .get(key(req)?)
        .ok_or_else(ApiError::key_rejected)?;
    let n = |d| num(family, d);
    match family {
        Family::Spot => {
            let a = &state.spot;
            let balances: Vec<Value> = spot_balances(a, market)
                .into_iter()
                .map(|b| json!({"asset": b.asset, "free": n(b.free), "locked": n(b.locked)}))
                .collect();
            let bps = |r: Decimal| (r * Decimal::from(10_000)).normalize();
            Ok(json!({
                "makerCommission": bps(fees.rate(Liquidity::Maker)), "takerCommission": bps(fees.rate(Liquidity::Taker)),
                "buyerCommission": 0, "sellerCommission": 0,
                "commissionRates": {"maker": n(fees.maker), "taker": n(fees.taker), "buyer": n(Decimal::ZERO), "seller": n(Decimal::ZERO)},
                "canTrade": true, "canWithdraw": state.withdrawals, "canDeposit": true, "brokered": false,
                "requireSelfTradePrevention": false, "preventSor": false, "updateTime": a.update_time,
                "accountType": "SPOT", "balances": balances, "permissions": ["SPOT"], "uid": 1,
            }))
        }
        Family::Futures => {
            let a = &state.futures;
            let wallet = a.portfolio.cash().round_dp(8);
            let (order_margin, _) = a.locked(market.series.len(), leverage);
            let position_margin = a.portfolio.margin_used().round_dp(8);
            let rows = futures_positions(a, market, inner.step);
            let unrealized: Decimal = rows.iter().map(|p| p.unrealized).sum();
            let available = a.available(market.series.len(), leverage).round_dp(8);
            let positions: Vec<Value> = rows
                .iter()
                .map(|p| {
                    let notional = p.amount * p.mark;
                    json!({
                        "symbol": market.series[p.instrument].symbol, "initialMargin": n((notional.abs() / leverage).round_dp(8)),
                        "maintMargin": "0", "unrealizedProfit": n(p.unrealized),
                        "positionInitialMargin": n((notional.abs() / leverage).round_dp(8)), "openOrderInitialMargin": "0",
                        "leverage": leverage.to_string(), "isolated": false, "entryPrice": n(p.entry),
                        "breakEvenPrice": n(p.entry), "maxNotional": "1000000", "bidNotional": "0", "askNotional": "0",
                        "positionSide": "BOTH", "positionAmt": n(p.amount), "notional": n(notional),
                        "isolatedWallet": "0", "updateTime": a.update_time,
                    })
                })
                .collect();
            Ok(json!({
                "feeTier": 0, "feeBurn": false, "canTrade": true, "canDeposit": true,
                "canWithdraw": state.withdrawals, "updateTime": 0, "multiAssetsMargin": false, "tradeGroupId": -1,
                "totalInitialMargin": n(position_margin + order_margin), "totalMaintMargin": "0",
                "totalWalletBalance": n(wallet), "totalUnrealizedProfit": n(unrealized),
                "totalMarginBalance": n(wallet + unrealized), "totalPositionInitialMargin": n(position_margin),
                "totalOpenOrderInitialMargin": n(order_margin), "totalCrossWalletBalance": n(wallet),
                "totalCrossUnPnl": n(unrealized), "availableBalance": n(available), "maxWithdrawAmount": n(available),
                "assets": [{
                    "asset": QUOTE, "walletBalance": n(wallet), "unrealizedProfit": n(unrealized),
                    "marginBalance": n(wallet + unrealized), "maintMargin": "0",
                    "initialMargin": n(position_margin + order_margin), "positionInitialMargin": n(position_margin),
                    "openOrderInitialMargin": n(order_margin), "crossWalletBalance": n(wallet),
                    "crossUnPnl": n(unrealized), "availableBalance": n(available),
                    "maxWithdrawAmount": n(available), "marginAvailable": true, "updateTime": a.update_time,
                }],
                "positions": positions,
            }))
        }
    }
}

/// `GET /fapi/v2|v3/balance`.
pub fn balance(req: &Request) -> Answer {
    let market = &req.shared.market;
    let inner = lock(&req.shared.inner);
    let a = &inner
        .keys
        .get(key(req)?)
        .ok_or_else(ApiError::key_rejected)?
        .futures;
    let n = |d| num(Family::Futures, d);
    let wallet = a.portfolio.cash().round_dp(8);
    let unrealized: Decimal = futures_positions(a, market, inner.step)
        .iter()
        .map(|p| p.unrealized)
        .sum();
    let available = a
        .available(market.series.len(), req.shared.leverage)
        .round_dp(8);
    Ok(json!([{
        "accountAlias": "SimAccount", "asset": QUOTE, "balance": n(wallet), "crossWalletBalance": n(wallet),
        "crossUnPnl": n(unrealized), "availableBalance": n(available), "maxWithdrawAmount": n(available),
        "marginAvailable": true, "updateTime": a.update_time,
    }]))
}

/// `GET /fapi/v2|v3/positionRisk`.
pub fn position_risk(req: &Request) -> Answer {
    let market = &req.shared.market;
    let symbol = req.params.symbol();
    if let Some(s) = &symbol
        && market.find(s).is_none()
    {
        return Err(ApiError::invalid_symbol());
    }
    let leverage = req.shared.leverage;
    let inner = lock(&req.shared.inner);
    let a = &inner
        .keys
        .get(key(req)?)
        .ok_or_else(ApiError::key_rejected)?
        .futures;
    let n = |d| num(Family::Futures, d);
    let rows: Vec<Value> = futures_positions(a, market, inner.step)
        .into_iter()
        .filter(|p| symbol.as_ref().is_none_or(|s| *s == market.series[p.instrument].symbol))
        .map(|p| {
            let notional = p.amount * p.mark;
            json!({
                "symbol": market.series[p.instrument].symbol, "positionSide": "BOTH",
                "positionAmt": n(p.amount), "entryPrice": n(p.entry), "breakEvenPrice": n(p.entry),
                "markPrice": n(p.mark), "unRealizedProfit": n(p.unrealized), "liquidationPrice": "0",
                "isolatedMargin": "0", "notional": n(notional), "marginAsset": QUOTE,
                "isolatedWallet": "0", "initialMargin": n((notional.abs() / leverage).round_dp(8)),
                "maintMargin": "0", "positionInitialMargin": n((notional.abs() / leverage).round_dp(8)),
                "openOrderInitialMargin": "0", "adl": 0, "bidNotional": "0", "askNotional": "0",
                "leverage": leverage.to_string(), "marginType": "cross", "isAutoAddMargin": "false",
                "maxNotionalValue": "1000000", "updateTime": a.update_time,
            })
        })
        .collect();
    Ok(Value::Array(rows))
}

/// `GET /sapi/v1/account/apiRestrictions`.
pub fn api_restrictions(req: &Request) -> Answer {
    let inner = lock(&req.shared.inner);
    let state = inner
        .keys
        .get(key(req)?)
        .ok_or_else(ApiError::key_rejected)?;
    Ok(json!({
        "ipRestrict": false, "createTime": state.created, "enableReading": true,
        "enableWithdrawals": state.withdrawals, "enableInternalTransfer": state.transfers,
        "enableMargin": false, "enableFutures": true, "permitsUniversalTransfer": state.transfers,
        "enableVanillaOptions": false, "enableFixApiTrade": false, "enableFixReadOnly": false,
        "enableSpotAndMarginTrading": true, "enablePortfolioMarginTrading": false,
    }))
}

/// POST (create, or the account's live key), PUT (keep alive), DELETE.
pub fn listen_key(req: &Request) -> Answer {
    let family = req.route.family;
    let api_key = key(req)?.to_string();
    let now = now_ms();
    let mut inner = lock(&req.shared.inner);
    inner.listen_keys.retain(|_, k| k.expires > now);
    let owned = |lk: &str, inner: &crate::state::Inner| {
        inner
            .listen_keys
            .get(lk)
            .is_some_and(|k| k.api_key == api_key && k.family == family)
    };
    let existing = inner
        .listen_keys
        .iter()
        .find(|(_, k)| k.api_key == api_key && k.family == family)
        .map(|(lk, _)| lk.clone());
    let missing = || ApiError::bad(-1125, "This listenKey does not exist.");
    match req.route.op {
        Op::ListenKeyNew => {
            let lk = existing.unwrap_or_else(new_listen_key);
            inner.listen_keys.insert(
                lk.clone(),
                ListenKey {
                    api_key,
                    family,
                    expires: now + LISTEN_KEY_TTL_MS,
                },
            );
            Ok(json!({ "listenKey": lk }))
        }
        Op::ListenKeyKeep => {
            let lk = match req.params.get("listenKey") {
                Some(lk) => lk.to_string(),
                None if family == Family::Futures => existing.ok_or_else(missing)?,
                None => return Err(ApiError::mandatory("listenKey")),
            };
            if !owned(&lk, &inner) {
                return Err(missing());
            }
            if let Some(k) = inner.listen_keys.get_mut(&lk) {
                k.expires = now + LISTEN_KEY_TTL_MS;
            }
            Ok(if family == Family::Futures {
                json!({ "listenKey": lk })
            } else {
                json!({})
            })
        }
        _ => {
            let lk = match req.params.get("listenKey") {
                Some(lk) => lk.to_string(),
                None if family == Family::Futures => existing.ok_or_else(missing)?,
                None => return Err(ApiError::mandatory("listenKey")),
            };
            if !owned(&lk, &inner) {
                return Err(missing());
            }
            inner.listen_keys.remove(&lk);
            Ok(json!({}))
        }
    }
}
