//! What the audit log costs (criterion), on a real SQLite file in WAL
//! mode: one entry appended in its own transaction (the API's case: the
//! head read inside an IMMEDIATE transaction, one insert, one commit), a
//! journal step that carries one risk decision (the engine's case; a step
//! without decisions writes no entry), and a verification of 1,000 entries.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use smc_model::{ClientOrderId, EngineEvent, RiskVerdict, Timestamp};
use smc_store::{NewAuditEntry, Store};
use std::sync::atomic::{AtomicI64, Ordering};

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_path(&dir.path().join("bench.db")).unwrap();
    let n = AtomicI64::new(0);
    c.bench_function("audit_append", |b| {
        b.iter(|| {
            let k = n.fetch_add(1, Ordering::Relaxed);
            store
                .audit_append(&NewAuditEntry {
                    time: Timestamp::from_ms(k),
                    actor: "user:alice".into(),
                    action: "POST /api/v1/orders".into(),
                    target: format!("order-{k}"),
                    detail: serde_json::json!({ "qty": "0.015", "side": "buy" }),
                    outcome: "201".into(),
                })
                .unwrap();
        })
    });
    let decision = |k: i64| EngineEvent::RiskDecision {
        time: Timestamp::from_ms(k),
        client_id: ClientOrderId::new(format!("bench-{k}")),
        verdict: RiskVerdict::Refused {
            reason: "max position".into(),
        },
    };
    c.bench_function("journal_step_with_a_risk_decision", |b| {
        b.iter(|| {
            let k = n.fetch_add(1, Ordering::Relaxed);
            store.commit_step(None, &[decision(k)]).unwrap();
        })
    });
    c.bench_function("audit_verify_per_1000_entries", |b| {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_path(&dir.path().join("verify.db")).unwrap();
        for k in 0..1000 {
            store.commit_step(None, &[decision(k)]).unwrap();
        }
        b.iter(|| assert!(store.audit_verify().unwrap().ok()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
