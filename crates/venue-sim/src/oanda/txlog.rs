//! The transaction log: id pages of a time range (`GET /transactions`),
//! `idrange`, `sinceid` and one transaction, filtered by `type`.

use super::account::Account;
use super::front::Query;
use super::wire::{self, OandaError};
use serde_json::{Value, json};

fn last(acct: &Account) -> Value {
    json!(wire::id(acct.last_tx))
}

fn id_param(q: &Query, k: &str) -> Result<u64, OandaError> {
    q.get(k)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| OandaError::invalid(k))
}

fn type_filter(q: &Query) -> impl Fn(&&Value) -> bool + '_ {
    let types: Option<Vec<&str>> = q.get("type").map(|t| t.split(',').collect());
    move |t: &&Value| {
        types
            .as_ref()
            .is_none_or(|ts| ts.iter().any(|x| t["type"].as_str() == Some(x)))
    }
}

/// `GET /transactions`: the id pages of the transactions in `from`..`to`
/// (times), `pageSize` ids each (default 100, at most 1000).
pub fn transactions(
    acct: &Account,
    q: &Query,
    account_id: &str,
    now: i64,
) -> Result<Value, OandaError> {
    let from = q
        .get("from")
        .map(|f| wire::parse_time(f).ok_or_else(|| OandaError::invalid("from")))
        .transpose()?;
    let to = q
        .get("to")
        .map(|f| wire::parse_time(f).ok_or_else(|| OandaError::invalid("to")))
        .transpose()?;
    let size: u64 = match q.get("pageSize") {
        Some(p) => p
            .parse()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| OandaError::invalid("pageSize"))?,
        None => 100,
    };
    let filter = type_filter(q);
    let ids: Vec<u64> = acct
        .transactions
        .iter()
        .filter(|t| {
            let time = t["time"].as_str().and_then(wire::parse_time).unwrap_or(0);
            from.is_none_or(|f| time >= f) && to.is_none_or(|e| time <= e)
        })
        .filter(filter)
        .filter_map(|t| t["id"].as_str()?.parse().ok())
        .collect();
    let pages: Vec<String> = ids
        .chunks(usize::try_from(size).unwrap_or(100))
        .filter_map(|c| Some((*c.first()?, *c.last()?)))
        .map(|(a, b)| format!("/v3/accounts/{account_id}/transactions/idrange?from={a}&to={b}"))
        .collect();
    let first_time = acct
        .transactions
        .first()
        .and_then(|t| t["time"].as_str())
        .unwrap_or("")
        .to_string();
    Ok(json!({
        "from": from.map(wire::time).unwrap_or(first_time), "to": wire::time(to.unwrap_or(now)),
        "pageSize": size, "count": ids.len(), "pages": pages, "lastTransactionID": last(acct),
    }))
}

/// `GET /transactions/idrange?from=&to=`.
pub fn idrange(acct: &Account, q: &Query) -> Result<Value, OandaError> {
    let (from, to) = (id_param(q, "from")?, id_param(q, "to")?);
    let filter = type_filter(q);
    let list: Vec<Value> = (from.max(1)..=to.min(acct.last_tx))
        .filter_map(|i| acct.transaction(i))
        .filter(filter)
        .cloned()
        .collect();
    Ok(json!({"transactions": list, "lastTransactionID": last(acct)}))
}

/// `GET /transactions/sinceid?id=`: every transaction after `id`.
pub fn sinceid(acct: &Account, q: &Query) -> Result<Value, OandaError> {
    let id = id_param(q, "id")?;
    let filter = type_filter(q);
    let list: Vec<Value> = acct
        .transactions
        .iter()
        .skip(usize::try_from(id).unwrap_or(usize::MAX))
        .filter(filter)
        .cloned()
        .collect();
    Ok(json!({"transactions": list, "lastTransactionID": last(acct)}))
}

pub fn transaction(acct: &Account, id: &str) -> Result<Value, OandaError> {
    let t = id
        .parse::<u64>()
        .ok()
        .and_then(|i| acct.transaction(i))
        .ok_or_else(|| OandaError::new(404, "The transaction ID specified does not exist"))?;
    Ok(json!({"transaction": t, "lastTransactionID": last(acct)}))
}
