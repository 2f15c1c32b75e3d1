//! The session cache against a real `redis-server` on loopback: a
//! snapshot written and read back with its expiry, coalescing, the rate
//! counter shared by two limiters, and a Redis killed mid-run (writes fail
//! without blocking, and resume once it is back on the same port).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use smc_cache::{CacheReader, CacheWriter, SessionSnapshot, SharedCounter, keys};
use smc_testkit::redis::RedisServer;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn snapshot(id: &str, equity: u32) -> SessionSnapshot {
    let mut parts = BTreeMap::new();
    parts.insert(
        "positions".to_string(),
        json!([{"instrument": "binance:BTCUSDT", "qty": "0.001"}]),
    );
    parts.insert("equity".to_string(), json!({"equity": equity.to_string()}));
    SessionSnapshot {
        id: id.into(),
        summary: json!({"id": id, "state": "running"}),
        parts,
    }
}

fn until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_snapshot_reads_back_with_its_expiry_and_schema() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let rt = runtime();
    let writer = CacheWriter::start(&redis.url(), Duration::from_secs(60)).unwrap();
    let reader = CacheReader::new(&redis.url()).unwrap();
    writer.publish(snapshot("s1", 10_000));
    until("the write", Duration::from_secs(10), || {
        writer.stats().written >= 1
    });
    let sessions = rt.block_on(reader.sessions()).unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].id, "s1");
    assert_eq!(sessions[0].summary["state"], "running");
    assert_eq!(sessions[0].summary["schema"], 1);
    assert!(sessions[0].summary["heartbeat_ms"].as_i64().unwrap() > 1_600_000_000_000);
    let positions = rt
        .block_on(reader.part("s1", "positions"))
        .unwrap()
        .unwrap();
    assert_eq!(positions[0]["qty"], "0.001");
    let equity = rt.block_on(reader.part("s1", "equity")).unwrap().unwrap();
    assert_eq!(equity["equity"], "10000");
    assert_eq!(rt.block_on(reader.part("s1", "nothing")).unwrap(), None);
    assert_eq!(
        rt.block_on(reader.part("nobody", "positions")).unwrap(),
        None
    );
    for part in ["summary", "positions", "equity"] {
        let ttl = rt
            .block_on(reader.ttl_ms(&keys::part("s1", part)))
            .unwrap()
            .unwrap();
        assert!((50_000..=60_000).contains(&ttl), "{part}: ttl {ttl} ms");
    }
    let index_ttl = rt.block_on(reader.ttl_ms(keys::SESSIONS)).unwrap().unwrap();
    assert!((50_000..=60_000).contains(&index_ttl), "{index_ttl}");
    assert!(rt.block_on(reader.ping()).is_ok());
}

#[test]
fn keys_expire_without_a_writer_and_live_on_with_one() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let rt = runtime();
    let reader = CacheReader::new(&redis.url()).unwrap();
    // 900 ms of life, a heartbeat every 300 ms.
    let writer = CacheWriter::start(&redis.url(), Duration::from_millis(900)).unwrap();
    writer.publish(snapshot("s1", 1));
    std::thread::sleep(Duration::from_millis(2_000));
    let live = rt.block_on(reader.sessions()).unwrap();
    assert_eq!(live.len(), 1, "the heartbeat keeps a live session's keys");
    assert!(writer.stats().written >= 3, "{:?}", writer.stats());
    drop(writer);
    std::thread::sleep(Duration::from_millis(1_200));
    assert!(rt.block_on(reader.sessions()).unwrap().is_empty());
    assert_eq!(rt.block_on(reader.part("s1", "positions")).unwrap(), None);
}

#[test]
fn only_the_latest_snapshot_matters() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let rt = runtime();
    let reader = CacheReader::new(&redis.url()).unwrap();
    // With Redis down, every snapshot but the newest is coalesced away.
    redis.kill();
    let writer = CacheWriter::start(&redis.url(), Duration::from_secs(60)).unwrap();
    let started = Instant::now();
    for equity in 0..10_000 {
        writer.publish(snapshot("s1", equity));
    }
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "publishing waited on Redis: {:?}",
        started.elapsed()
    );
    let stats = writer.stats();
    assert_eq!(stats.published, 10_000);
    assert!(stats.coalesced >= 9_990, "{stats:?}");
    redis.restart();
    until(
        "the newest snapshot written",
        Duration::from_secs(10),
        || {
            rt.block_on(reader.part("s1", "equity"))
                .ok()
                .flatten()
                .is_some_and(|e| e["equity"] == "9999")
        },
    );
    let stats = writer.stats();
    assert!(stats.written <= 10, "{stats:?}");
}

#[test]
fn two_limiters_share_one_allowance() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let rt = runtime();
    let a = SharedCounter::new(&redis.url()).unwrap();
    let b = SharedCounter::new(&redis.url()).unwrap();
    let window = Duration::from_secs(10);
    rt.block_on(async {
        // Start at a fresh window so that 20 hits fit in one.
        let first = a.hit("warmup", 1, window).await.unwrap();
        if first.resets_in_ms < 3_000 {
            tokio::time::sleep(Duration::from_millis(first.resets_in_ms + 10)).await;
        }
        let mut allowed = 0;
        for i in 0..20 {
            let limiter = if i % 2 == 0 { &a } else { &b };
            let d = limiter.hit("ip:127.0.0.1", 10, window).await.unwrap();
            assert_eq!(d.count, i + 1, "one count for both");
            assert!(d.resets_in_ms <= 10_000);
            allowed += u32::from(d.allowed);
        }
        assert_eq!(allowed, 10, "ten between the two, not ten each");
        let other = b.hit("ip:10.0.0.1", 10, window).await.unwrap();
        assert!(other.allowed && other.count == 1, "keys count apart");
    });
}

#[test]
fn a_killed_redis_fails_writes_without_blocking_and_they_resume() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let rt = runtime();
    let reader = CacheReader::new(&redis.url()).unwrap();
    let counter = SharedCounter::new(&redis.url()).unwrap();
    let writer = CacheWriter::start(&redis.url(), Duration::from_secs(60)).unwrap();
    writer.publish(snapshot("s1", 1));
    writer.publish(snapshot("quiet", 7));
    until("the first writes", Duration::from_secs(10), || {
        writer.stats().written >= 2
    });

    redis.kill();
    let started = Instant::now();
    for equity in 2..500 {
        writer.publish(snapshot("s1", equity));
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(started.elapsed() < Duration::from_secs(3));
    until("a failed write", Duration::from_secs(10), || {
        writer.stats().failed >= 1
    });
    assert!(!writer.stats().up);
    let t = Instant::now();
    assert!(rt.block_on(reader.sessions()).is_err());
    assert!(
        rt.block_on(counter.hit("k", 1, Duration::from_secs(1)))
            .is_err()
    );
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "a read of a dead Redis fails fast: {:?}",
        t.elapsed()
    );

    redis.restart();
    until("the writes resumed", Duration::from_secs(10), || {
        rt.block_on(reader.part("s1", "equity"))
            .ok()
            .flatten()
            .is_some_and(|e: Value| e["equity"] == "499")
            && rt
                .block_on(reader.part("quiet", "equity"))
                .ok()
                .flatten()
                .is_some()
    });
    assert!(writer.stats().up);
    assert_eq!(rt.block_on(reader.sessions()).unwrap().len(), 2);
    // A session published once, before the kill, is written again into
    // the empty Redis too.
    assert_eq!(
        rt.block_on(reader.part("quiet", "equity"))
            .unwrap()
            .unwrap()["equity"],
        "7"
    );
    assert!(
        rt.block_on(counter.hit("k", 1, Duration::from_secs(1)))
            .unwrap()
            .allowed
    );
}
