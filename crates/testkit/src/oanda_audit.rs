//! The OANDA simulator's record of the test token's account, read over
//! plain HTTP (not through the adapter under test), and the check that a
//! session's journal agrees with it: every `ORDER_FILL` journaled once
//! with its order's client id, units and price, every order the venue
//! accepted journaled once, the position the venue's, and every financing
//! booking journaled as the venue made it.

use crate::sim::KEY;
use rust_decimal::Decimal;
use smc_store::Store;
use std::collections::BTreeMap;

/// The test token's account (the first token in sorted order).
pub const ACCOUNT: &str = "101-001-1000001-001";

/// fill transaction id → (client id, units, price), normalized.
pub type Fills = BTreeMap<String, (String, String, String)>;

/// What the venue knows of one instrument of the account.
#[derive(Debug)]
pub struct OandaRecord {
    pub fills: Fills,
    /// Long plus short units.
    pub position: Decimal,
    /// The client ids of the orders it accepted, each as often as placed.
    pub placed: Vec<String>,
    /// `DAILY_FINANCING` bookings on the instrument: `<transaction
    /// id>:<instrument>` → what the account paid (negative: received).
    pub financing: BTreeMap<String, Decimal>,
}

fn get(rt: &tokio::runtime::Runtime, http: &reqwest::Client, url: String) -> serde_json::Value {
    rt.block_on(async {
        let r = http.get(url).bearer_auth(KEY).send().await.unwrap();
        r.json::<serde_json::Value>().await.unwrap()
    })
}

fn str_of<'a>(v: &'a serde_json::Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_default()
}

/// Every transaction of the account, in order.
fn transactions(
    rt: &tokio::runtime::Runtime,
    http: &reqwest::Client,
    base: &str,
) -> Vec<serde_json::Value> {
    let summary = get(rt, http, format!("{base}/summary"));
    let last: u64 = str_of(&summary, "lastTransactionID").parse().unwrap();
    let mut all = Vec::new();
    let mut from = 1;
    while from <= last {
        let to = (from + 999).min(last);
        let page = get(
            rt,
            http,
            format!("{base}/transactions/idrange?from={from}&to={to}"),
        );
        all.extend(page["transactions"].as_array().unwrap().iter().cloned());
        from = to + 1;
    }
    all
}

/// The record of `instrument` (`EUR_USD`) at the simulator at `addr`.
pub fn oanda_record(addr: &str, instrument: &str) -> OandaRecord {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let http = reqwest::Client::new();
    let base = format!("http://{addr}/v3/accounts/{ACCOUNT}");
    let all = transactions(&rt, &http, &base);
    let mut client_of = BTreeMap::new();
    let mut placed = Vec::new();
    for t in &all {
        let order = str_of(t, "type").ends_with("_ORDER");
        if let (true, Some(id)) = (order, t["clientExtensions"]["id"].as_str()) {
            client_of.insert(str_of(t, "id").to_string(), id.to_string());
            placed.push(id.to_string());
        }
    }
    let number = |t: &serde_json::Value, key: &str| -> Decimal { str_of(t, key).parse().unwrap() };
    let fills = all
        .iter()
        .filter(|t| t["type"] == "ORDER_FILL" && t["instrument"] == instrument)
        .map(|t| {
            let client = client_of
                .get(str_of(t, "orderID"))
                .cloned()
                .unwrap_or_default();
            let units = number(t, "units").abs().normalize().to_string();
            let price = number(t, "price").normalize().to_string();
            (str_of(t, "id").to_string(), (client, units, price))
        })
        .collect();
    let mut financing = BTreeMap::new();
    for t in all.iter().filter(|t| t["type"] == "DAILY_FINANCING") {
        let financed = t["positionFinancings"].as_array().into_iter().flatten();
        for p in financed.filter(|p| p["instrument"] == instrument) {
            let key = format!("{}:{instrument}", str_of(t, "id"));
            financing.insert(key, -number(p, "financing"));
        }
    }
    let p = get(&rt, &http, format!("{base}/positions/{instrument}"));
    let units = |side: &str| number(&p["position"][side], "units");
    OandaRecord {
        fills,
        position: units("long") + units("short"),
        placed,
        financing,
    }
}

/// The journal at `store` agrees with the venue's `record` of `instrument`.
pub fn assert_oanda_journal_agrees(
    store: &Store,
    record: &OandaRecord,
    instrument: &str,
    what: &str,
) {
    assert!(!record.fills.is_empty(), "[{what}] nothing filled");
    let journaled: Fills = store
        .fills()
        .unwrap()
        .iter()
        .filter(|f| f.instrument.symbol() == instrument)
        .map(|f| {
            let qty = f.qty.normalize().to_string();
            let price = f.price.normalize().to_string();
            (f.trade_id.clone(), (f.client_id.to_string(), qty, price))
        })
        .collect();
    assert_eq!(
        journaled, record.fills,
        "[{what}] journal fills vs the venue's ORDER_FILLs"
    );
    let booked = journal_financing(store, instrument);
    for (id, paid) in &booked {
        assert_eq!(
            record.financing.get(id),
            Some(paid),
            "[{what}] financing {id} as journaled vs the venue's"
        );
    }
    let held = crate::audit::journal_position(store, instrument);
    assert_eq!(held, record.position, "[{what}] position vs the venue's");
    let orders = store.orders().unwrap();
    let ids: Vec<String> = orders
        .iter()
        .map(|o| o.request.client_id.to_string())
        .collect();
    for id in &record.placed {
        let n = ids.iter().filter(|j| *j == id).count();
        assert_eq!(n, 1, "[{what}] order {id} journaled {n} times");
    }
}

/// The financing bookings a session journaled on `instrument` (the
/// runtime's `{"financing": …}` entries of its venue report log).
pub fn journal_financing(store: &Store, instrument: &str) -> BTreeMap<String, Decimal> {
    let mut out = BTreeMap::new();
    for r in store.venue_reports().unwrap() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&r.report) else {
            continue;
        };
        let f = &v["financing"];
        if f["symbol"] == instrument {
            let paid: Decimal = str_of(f, "paid").parse().unwrap();
            out.insert(str_of(f, "id").to_string(), paid);
        }
    }
    out
}
