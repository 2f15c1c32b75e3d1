//! Alerts read from the NATS event stream (a real nats-server 2.9 with
//! JetStream on loopback; skipped outside CI when it is missing): a
//! session publishes a breaker's trip and reset through the stream
//! publisher, and a separate watcher reading the stream delivers the alert
//! and its resolution to a webhook receiver.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use smc_alerts::{Alerter, channels};
use smc_config::alerts::AlertsConfig;
use smc_config::streaming::StreamingConfig;
use smc_model::{EngineEvent, Timestamp};
use smc_runtime::{EventBus, SessionEvent};
use smc_store::Store;
use smc_stream::{Options, Publisher, Start, publisher::DRAIN, subscribe};
use smc_testkit::http_receiver::HttpReceiver;
use smc_testkit::nats::Server;
use std::sync::Arc;

#[test]
fn a_watcher_on_the_stream_alerts_and_resolves() {
    let Some(nats) = Server::start() else {
        return;
    };
    let hook = HttpReceiver::start();
    let streaming = StreamingConfig {
        nats_url: Some(nats.url()),
        ..StreamingConfig::default()
    };
    let bus = EventBus::new();
    let publisher = Publisher::attach(
        &bus,
        Options {
            session: "paper-7".into(),
            venue: Some("binance".into()),
            streaming: streaming.clone(),
            drain: DRAIN,
        },
    )
    .unwrap();
    bus.publish(SessionEvent::Engine(EngineEvent::BreakerTripped {
        time: Timestamp::from_ms(1_000),
        breaker: "drawdown".into(),
        reason: "equity 12% below its peak".into(),
        cooldown_until: None,
    }));
    bus.publish(SessionEvent::Engine(EngineEvent::BreakerReset {
        time: Timestamp::from_ms(2_000),
        breaker: "drawdown".into(),
        operator: "ops".into(),
        reason: "reviewed".into(),
    }));
    assert!(publisher.finish(DRAIN).complete());

    let config: AlertsConfig =
        serde_yaml_ng::from_str(&format!("webhook: {{url: '{}/in'}}\n", hook.url())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = |k: &str| (k == "WEBHOOK_SECRET").then(|| "s".to_string());
    let outbox = Store::open(&format!("sqlite://{}", dir.path().join("o.db").display())).unwrap();
    let alerter = Alerter::start(
        &config,
        channels::build(&config, &env).unwrap(),
        Arc::new(outbox),
    )
    .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime
        .block_on(async {
            let js = smc_stream::connect::jetstream(
                smc_stream::connect::connect(&nats.url()).await.unwrap(),
            );
            let reader = subscribe(&js, &streaming.stream, "smc.*.breaker.>", Start::All, false)
                .await
                .unwrap();
            smc_alerts::stream_watch::watch(reader, &config.rules, &alerter).await
        })
        .unwrap();
    let got = hook.wait_for(2, 10);
    assert_eq!(got.len(), 2);
    let (alert, resolved) = (got[0].json(), got[1].json());
    assert_eq!(alert["key"], "breaker:drawdown");
    assert_eq!(alert["session"], "paper-7");
    assert_eq!(
        (alert["resolved"].as_bool(), resolved["resolved"].as_bool()),
        (Some(false), Some(true))
    );
    assert!(resolved["text"].as_str().unwrap().contains("reset by ops"));
    assert_eq!(alerter.finish(std::time::Duration::from_secs(2)), 0);
}
