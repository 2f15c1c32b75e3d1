//! `smc run --mode live` against `smc venue-sim` on loopback (spot).
//!
//! - Refusals: no --confirm-live, no risk limits or breakers, a key with
//!   withdrawal permission.
//! - Restarts: the session trades sma_cross on fast-replayed BTCUSDT
//!   minutes, is killed with SIGKILL at random moments twenty times and
//!   restarted on the same database each time; afterwards every order the
//!   venue knows is journaled once with the venue's status, every
//!   journaled order the venue does not know was refused (never placed),
//!   the journal's fills are exactly the venue's trades, and the journaled
//!   position and the account equal the venue's balances.
//! - The same, with fewer kills, under each fault the simulator injects.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Sim, kill_repeatedly, smc};
use smc_store::{JournalStatus, Store};
use smc_venues::binance::{BinanceMarket, BinanceRest, Credentials};
use smc_venues::net::Secret;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KEY: &str = "LiveTestKey1";
const SECRET: &str = "live-test-secret";
const WITHDRAW_KEY: &str = "WithdrawKey2";
const WITHDRAW_SECRET: &str = "withdraw-secret";

/// The simulator with the test's two keys (one may withdraw) and `faults`.
fn start_sim(speed: u32, faults: &str) -> Sim {
    let faults = format!("--faults={faults}");
    Sim::start(
        speed,
        &[
            "--api-key",
            KEY,
            "--api-secret",
            SECRET,
            "--api-key",
            WITHDRAW_KEY,
            "--api-secret",
            WITHDRAW_SECRET,
            "--withdrawal-key",
            WITHDRAW_KEY,
            &faults,
        ],
    )
}

fn config(dir: &Path, breakers: bool) -> PathBuf {
    let path = dir.join(if breakers {
        "live.yaml"
    } else {
        "nobreakers.yaml"
    });
    let mut text = String::from(
        "backtest:\n  strategy: sma_cross\n  timeframes: [\"1m\"]\n  instrument:\n    venue: binance\n    symbol: BTCUSDT\n    tick_size: 0.1\n    lot_size: 0.001\n    min_qty: 0.001\n    min_notional: 5\nrisk_manager:\n  max_position_size: 1000.0\n  max_daily_loss: 5000.0\n",
    );
    if breakers {
        text.push_str(
            "  circuit_breakers:\n    consecutive_losses:\n      max_losses: 1000\n      cooldown_minutes: 1\n",
        );
    }
    std::fs::write(&path, text).unwrap();
    path
}

fn live(sim: &Sim, config: &Path, db: &Path, key: (&str, &str)) -> Command {
    let mut c = smc();
    c.args(["run", "--mode", "live", "--confirm-live"])
        .args(["--venue-url", &sim.addr, "--symbol", "BTCUSDT"])
        .arg("--config")
        .arg(config)
        .arg("--db")
        .arg(db)
        .env("BINANCE_API_KEY", key.0)
        .env("BINANCE_API_SECRET", key.1);
    c
}

/// What the venue knows about the test key's account.
struct Venue {
    /// client id -> statuses of the orders with that id (one, if unique).
    orders: BTreeMap<String, Vec<String>>,
    /// trade id -> (client id, qty, price)
    trades: BTreeMap<String, (String, String, String)>,
    btc: rust_decimal::Decimal,
}

/// A client of the simulator on `market` (spot or usdm) with the test key,
/// and a runtime to drive it.
fn sim_rest(sim: &Sim, market: &str) -> (tokio::runtime::Runtime, BinanceRest) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let creds = Credentials {
        api_key: KEY.into(),
        secret: Secret::new(SECRET),
    };
    let kind = match market {
        "usdm" => BinanceMarket::UsdM,
        _ => BinanceMarket::Spot,
    };
    let rest = BinanceRest::new(kind, &format!("http://{}", sim.addr), Some(creds)).unwrap();
    (rt, rest)
}

/// The venue's side of the account on `market` (spot or usdm); `btc` is
/// the BTC balance on spot, the BTCUSDT position on USD-M.
fn venue(sim: &Sim, market: &str) -> Venue {
    venue_of(sim, market, "BTCUSDT", "BTC")
}

/// The venue's side of one symbol's trading; `btc` is `base_asset`'s balance
/// on spot, the symbol's position on USD-M.
fn venue_of(sim: &Sim, market: &str, symbol: &str, base_asset: &str) -> Venue {
    // Faults are cleared first, so that the audit itself is not refused.
    let (rt, rest) = sim_rest(sim, market);
    let kind = rest.market();
    rt.block_on(async {
        rest.sync_clock().await.unwrap();
        let id: smc_model::InstrumentId = format!("binance:{symbol}").parse().unwrap();
        let all = rest.all_orders(&id).await.unwrap();
        let mut orders: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut by_venue_id = BTreeMap::new();
        for o in &all {
            orders
                .entry(o.client_id.to_string())
                .or_default()
                .push(format!("{:?}", o.status.known().unwrap()));
            by_venue_id.insert(o.venue_order_id.clone(), o.client_id.to_string());
        }
        let trades = rest
            .account_trades(&id, 0)
            .await
            .unwrap()
            .into_iter()
            .map(|t| {
                let client = by_venue_id[&t.venue_order_id].clone();
                (
                    t.fill.trade_id,
                    (
                        client,
                        t.fill.qty.normalize().to_string(),
                        t.fill.price.normalize().to_string(),
                    ),
                )
            })
            .collect();
        let btc = match kind {
            BinanceMarket::UsdM => rest
                .positions(Some(symbol))
                .await
                .unwrap()
                .iter()
                .map(|p| p.amount)
                .sum(),
            BinanceMarket::Spot => rest
                .balances()
                .await
                .unwrap()
                .iter()
                .find(|b| b.asset == base_asset)
                .map_or(rust_decimal::Decimal::ZERO, |b| b.total()),
        };
        Venue {
            orders,
            trades,
            btc,
        }
    })
}

/// One request to the simulator's control endpoint; the answer's body.
fn control(sim: &Sim, method: &str) -> String {
    control_with(sim, method, "")
}

/// One request with a body (a fault spec) to the control endpoint.
fn control_with(sim: &Sim, method: &str, body: &str) -> String {
    let mut s = std::net::TcpStream::connect(&sim.addr).unwrap();
    use std::io::{Read, Write};
    write!(
        s,
        "{method} /__sim/faults HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        sim.addr,
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 2"), "{answer}");
    answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default()
}

/// Clears the faults after checking that each one fired.
fn clear_faults(sim: &Sim, faults: &str) {
    let active: serde_json::Value = serde_json::from_str(&control(sim, "GET")).unwrap();
    for f in active["active"].as_array().unwrap() {
        assert!(
            f["fired"].as_u64().unwrap() > 0,
            "[{faults}] the fault never fired: {active}"
        );
    }
    assert_eq!(
        active["active"].as_array().unwrap().len(),
        usize::from(!faults.is_empty())
    );
    control(sim, "DELETE");
}

/// The last reconciliation a run printed (the one at its stop).
fn final_reconciliation(stdout: &[u8]) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(stdout);
    let last = stdout
        .lines()
        .rfind(|l| l.contains(r#""type":"reconciled""#))
        .expect("a final reconciliation line");
    serde_json::from_str(last).unwrap()
}

/// Each venue order placed once, journaled with the venue's status.
fn assert_journal_has_the_venues_orders(
    journal: &BTreeMap<String, JournalStatus>,
    venue: &Venue,
    what: &str,
) {
    for (id, statuses) in &venue.orders {
        assert_eq!(
            statuses.len(),
            1,
            "[{what}] {id} placed twice: {statuses:?}"
        );
        assert_eq!(
            journal.get(id),
            Some(&journal_status_of_venue(&statuses[0])),
            "[{what}] order {id}: venue {statuses:?}"
        );
    }
}

/// The journal's orders by client id, with their statuses.
fn journal_statuses(store: &Store) -> BTreeMap<String, JournalStatus> {
    store
        .orders()
        .unwrap()
        .iter()
        .map(|o| (o.request.client_id.to_string(), o.status))
        .collect()
}

/// The journal's position in `symbol` (zero when it has none).
fn journal_position(store: &Store, symbol: &str) -> rust_decimal::Decimal {
    store
        .positions()
        .unwrap()
        .iter()
        .find(|p| p.instrument.ends_with(&format!(":{symbol}")))
        .map_or(rust_decimal::Decimal::ZERO, |p| p.qty)
}

fn journal_status_of_venue(status: &str) -> JournalStatus {
    match status {
        "Submitted" => JournalStatus::Submitted,
        "PartiallyFilled" => JournalStatus::PartiallyFilled,
        "Filled" => JournalStatus::Filled,
        "Cancelled" => JournalStatus::Cancelled,
        "Expired" => JournalStatus::Expired,
        _ => JournalStatus::Rejected,
    }
}

/// Kills the session `kills` times at random moments, then runs it for
/// `bars` more candles and checks the journal against the venue.
fn trade_and_check(market: &str, faults: &str, kills: usize, bars: u32, seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), true);
    let db = dir.path().join("live.db");
    let sim = start_sim(80, faults);
    let session = || {
        let mut c = live(&sim, &cfg, &db, (KEY, SECRET));
        c.args(["--market", market]);
        c
    };
    kill_repeatedly(session, kills, 200, 500, seed);
    let out = live(&sim, &cfg, &db, (KEY, SECRET))
        .args(["--market", market, "--max-bars", &bars.to_string()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "[{faults}] {stderr}");
    let last = final_reconciliation(&out.stdout);
    assert_eq!(last["why"], "stop", "[{faults}] {last}");
    assert_eq!(
        last["result"]["differences"],
        serde_json::json!([]),
        "[{faults}] the session's account differs from the venue's: {last}"
    );

    clear_faults(&sim, faults);
    let venue = venue(&sim, market);
    let store = Store::open_existing(&format!("sqlite://{}", db.display())).unwrap();
    let orders = store.orders().unwrap();
    let journal = journal_statuses(&store);
    assert_eq!(journal.len(), orders.len());
    // The session traded, and the venue filled some of it.
    assert!(venue.orders.len() >= 3, "[{faults}] {:?}", venue.orders);
    assert!(venue.trades.len() >= 2, "[{faults}] {:?}", venue.trades);
    // No order duplicated on the venue; none unknown to the journal; the
    // journal's status is the venue's.
    assert_journal_has_the_venues_orders(&journal, &venue, faults);
    // No order lost: what the venue does not know was refused, and the
    // journal says so.
    for (id, status) in &journal {
        if !venue.orders.contains_key(id) {
            assert_eq!(*status, JournalStatus::Rejected, "[{faults}] order {id}");
        }
    }
    // Fills: exactly the venue's trades, once each.
    let fills = store.fills().unwrap();
    let got: BTreeMap<String, (String, String, String)> = fills
        .iter()
        .map(|f| {
            (
                f.trade_id.clone(),
                (
                    f.client_id.to_string(),
                    f.qty.normalize().to_string(),
                    f.price.normalize().to_string(),
                ),
            )
        })
        .collect();
    assert_eq!(got.len(), fills.len(), "[{faults}] a trade journaled twice");
    assert_eq!(
        got, venue.trades,
        "[{faults}] journal fills vs venue trades"
    );
    // Position: the journal's equals the venue's BTC balance (spot) or
    // position (USD-M); the key started with none.
    let position = journal_position(&store, "BTCUSDT");
    assert_eq!(position, venue.btc, "[{faults}] position vs BTC balance");
    // The candles fetched to fill the gaps the kills left opened nothing:
    // no buy (sma_cross is long-only on spot, so a buy adds risk) was
    // decided on one. Ids are `<strategy>-<decision time>-<seq>`, and a
    // candle's decisions are made at its close.
    let history_closes: BTreeSet<i64> = store
        .logged_candles()
        .unwrap()
        .iter()
        .filter(|c| c.receipt.history)
        .map(|c| c.candle.open_time + 60_000)
        .collect();
    // (Under delay faults a kill can come before the first candle, so only
    // the fault-free run is sure to have restarted with a gap.)
    assert!(
        !faults.is_empty() || !history_closes.is_empty(),
        "the restarts fetched no candle to fill a gap"
    );
    for o in &orders {
        let id = o.request.client_id.to_string();
        let decided: i64 = id.split('-').nth(1).unwrap().parse().unwrap();
        assert!(
            market != "spot"
                || o.request.side == smc_model::Side::Sell
                || !history_closes.contains(&decided),
            "[{faults}] {id} bought on a candle fetched to fill a gap"
        );
    }
}

#[test]
fn live_usdm_survives_kills_with_nothing_lost_or_duplicated() {
    // The same checks on USD-M perpetuals: the position is the venue's
    // positionRisk, the cash its wallet balance.
    trade_and_check("usdm", "", 8, 80, 0x51f1_5eed_d00d_f00d);
}

#[test]
fn live_survives_twenty_kills_with_nothing_lost_or_duplicated() {
    let started = Instant::now();
    trade_and_check("spot", "", 20, 60, 0x9e37_79b9_7f4a_7c15);
    eprintln!("twenty kills: {:?}", started.elapsed());
}

#[test]
fn live_survives_kills_under_connection_faults() {
    for (i, faults) in [
        "drop-ws(after=700ms)",
        "delay(ms=150)",
        "dup-events",
        "reorder-events",
    ]
    .iter()
    .enumerate()
    {
        trade_and_check("spot", faults, 3, 250, 0x1234_5678 + i as u64);
    }
}

#[test]
fn live_survives_kills_under_error_answers() {
    for (i, faults) in [
        "429(every=4,path=/api/v3/order)",
        "418(secs=1,count=2,path=/api/v3/order)",
        "-1021(every=3,path=/api/v3/order)",
        "5xx(every=4,path=/api/v3/order)",
        "order-timeout(every=2)",
    ]
    .iter()
    .enumerate()
    {
        trade_and_check("spot", faults, 3, 250, 0xabcd_ef01 + i as u64);
    }
}

#[test]
fn live_mode_refuses_without_confirmation_limits_breakers_or_with_a_withdrawal_key() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start_sim(1, "");
    let db = dir.path().join("refused.db");
    let run = |mut c: Command| {
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let with_breakers = config(dir.path(), true);
    let no_confirm = {
        let mut c = smc();
        c.args(["run", "--mode", "live", "--venue-url", &sim.addr])
            .arg("--config")
            .arg(&with_breakers)
            .env("BINANCE_API_KEY", KEY)
            .env("BINANCE_API_SECRET", SECRET);
        c
    };
    assert!(run(no_confirm).contains("--confirm-live"));
    let no_breakers = config(dir.path(), false);
    assert!(run(live(&sim, &no_breakers, &db, (KEY, SECRET))).contains("circuit breaker"));
    let mut no_config = smc();
    no_config
        .args([
            "run",
            "--mode",
            "live",
            "--confirm-live",
            "--venue-url",
            &sim.addr,
        ])
        .env("BINANCE_API_KEY", KEY)
        .env("BINANCE_API_SECRET", SECRET);
    assert!(run(no_config).contains("risk limits"));
    let withdrawal = run(live(
        &sim,
        &with_breakers,
        &db,
        (WITHDRAW_KEY, WITHDRAW_SECRET),
    ));
    assert!(withdrawal.contains("may withdraw"), "{withdrawal}");
    // Nothing was sent by any refused start.
    assert!(venue(&sim, "spot").orders.is_empty());
}

#[test]
fn live_moves_a_trailing_stop_by_cancel_and_replace() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("smc.yaml");
    std::fs::write(
        &cfg,
        "backtest:\n  strategy: smc\n  timeframes: [\"1m\", \"5m\"]\n  smc_strategy:\n    exits:\n      trailing: { type: percent, percent: 0.1 }\nrisk_manager:\n  max_position_size: 1000.0\n  max_daily_loss: 5000.0\n  circuit_breakers:\n    consecutive_losses:\n      max_losses: 1000\n      cooldown_minutes: 1\n",
    )
    .unwrap();
    let db = dir.path().join("trail.db");
    let sim = start_sim(100, "");
    // The first entries come after about 480 minutes of this series; then
    // a restart, whose replay must rebuild the replacements exactly.
    for bars in ["1000", "30"] {
        let out = live(&sim, &cfg, &db, (KEY, SECRET))
            .args(["--max-bars", bars])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = live(&sim, &cfg, &db, (KEY, SECRET))
        .args(["--max-bars", "5"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let last = final_reconciliation(&out.stdout);
    assert_eq!(
        last["result"]["differences"],
        serde_json::json!([]),
        "{last}"
    );
    let venue = venue(&sim, "spot");
    let store = Store::open_existing(&format!("sqlite://{}", db.display())).unwrap();
    let journal = journal_statuses(&store);
    // A stop was moved: cancelled on the venue and replaced under a new id.
    let replaced: Vec<&String> = venue
        .orders
        .keys()
        .filter(|id| id.contains("-r1-sl"))
        .collect();
    assert!(!replaced.is_empty(), "no stop replaced: {:?}", venue.orders);
    assert_journal_has_the_venues_orders(&journal, &venue, "trailing");
    // Never two stops of one trade resting at once: of each trade's stops,
    // at most one is still open on the venue.
    let open_stops = venue
        .orders
        .iter()
        .filter(|(id, s)| id.ends_with("-sl") && s[0] == "Submitted")
        .count();
    assert!(open_stops <= 1, "{:?}", venue.orders);
    assert_eq!(journal_position(&store, "BTCUSDT"), venue.btc);
}

#[test]
fn live_trades_two_symbols_from_one_account_across_kills() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), true);
    let db = dir.path().join("two.db");
    // A second market: Bybit's BTCUSDT minutes, listed as ETHUSDT.
    let sim = Sim::start(
        80,
        &[
            "--api-key",
            KEY,
            "--api-secret",
            SECRET,
            "--market",
            "testdata/market/bybit-spot/BTCUSDT-1m.csv",
            "--symbol",
            "ETHUSDT",
        ],
    );
    let two = || {
        let mut c = live(&sim, &cfg, &db, (KEY, SECRET));
        c.args(["--symbol", "ETHUSDT"]); // with live()'s BTCUSDT
        c
    };
    kill_repeatedly(two, 5, 300, 500, 0x7777_1234_abcd_0001);
    let out = two().args(["--max-bars", "120"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("live: BTCUSDT, ETHUSDT 1m"), "{stderr}");
    let last = final_reconciliation(&out.stdout);
    // Both base balances and the shared USDT balance agree with the venue.
    assert_eq!(
        last["result"]["differences"],
        serde_json::json!([]),
        "{last}"
    );
    let store = Store::open_existing(&format!("sqlite://{}", db.display())).unwrap();
    let journal = journal_statuses(&store);
    let fills = store.fills().unwrap();
    for (symbol, base) in [("BTCUSDT", "BTC"), ("ETHUSDT", "ETH")] {
        let venue = venue_of(&sim, "spot", symbol, base);
        assert!(venue.orders.len() >= 2, "{symbol}: {:?}", venue.orders);
        assert_journal_has_the_venues_orders(&journal, &venue, symbol);
        let got: BTreeMap<String, String> = fills
            .iter()
            .filter(|f| f.instrument.symbol() == symbol)
            .map(|f| (f.trade_id.clone(), f.qty.normalize().to_string()))
            .collect();
        let want: BTreeMap<String, String> = venue
            .trades
            .iter()
            .map(|(t, (_, qty, _))| (t.clone(), qty.clone()))
            .collect();
        assert_eq!(got, want, "{symbol}: journal fills vs venue trades");
        let position = journal_position(&store, symbol);
        assert_eq!(position, venue.btc, "{symbol}: position vs {base} balance");
    }
}

/// The key's BTC balance (one light request, for polling).
fn held_btc(sim: &Sim) -> rust_decimal::Decimal {
    let (rt, rest) = sim_rest(sim, "spot");
    rt.block_on(async {
        rest.sync_clock().await.unwrap();
        rest.balances().await.unwrap()
    })
    .iter()
    .find(|b| b.asset == "BTC")
    .map_or(rust_decimal::Decimal::ZERO, |b| b.total())
}

#[test]
fn an_exit_the_venue_never_got_is_sent_once_the_venue_says_it_does_not_know_it() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), true);
    let db = dir.path().join("resend.db");
    let sim = start_sim(80, "");
    let mut child = live(&sim, &cfg, &db, (KEY, SECRET))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let reader = {
        let lines = lines.clone();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                lines.lock().unwrap().push(line);
            }
        })
    };
    let resent = |lines: &[String]| {
        lines
            .iter()
            .any(|l| l.contains(r#""type":"reconciled""#) && !l.contains(r#""resent":0"#))
    };
    // While the session holds BTC, every order request fails with a 5xx
    // the venue never processed: the next exit's outcome is unknown, and
    // once the faults clear, reconciliation finds the venue does not know
    // it and sends it.
    let mut found = false;
    for _ in 0..15 {
        let deadline = Instant::now() + Duration::from_secs(5);
        while held_btc(&sim).is_zero() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(200));
        }
        control_with(&sim, "PUT", "5xx(path=/api/v3/order)");
        std::thread::sleep(Duration::from_millis(1_500));
        control(&sim, "DELETE");
        std::thread::sleep(Duration::from_millis(1_500));
        if resent(&lines.lock().unwrap()) {
            found = true;
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    reader.join().unwrap();
    assert!(found, "no exit was resent");
    // Everything still agrees with the venue after a restart.
    let out = live(&sim, &cfg, &db, (KEY, SECRET))
        .args(["--max-bars", "5"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = final_reconciliation(&out.stdout);
    assert_eq!(
        last["result"]["differences"],
        serde_json::json!([]),
        "{last}"
    );
    let store = Store::open_existing(&format!("sqlite://{}", db.display())).unwrap();
    let venue = venue(&sim, "spot");
    let journal = journal_statuses(&store);
    assert_journal_has_the_venues_orders(&journal, &venue, "resend");
    for (id, status) in &journal {
        if !venue.orders.contains_key(id) {
            assert_eq!(*status, JournalStatus::Rejected, "{id}");
        }
    }
}
