//! `smc alerts test --channel NAME --config FILE` against real receivers:
//! one signed test message (key `test:<channel>`, severity info) to that
//! channel only, exit status 0 when delivered and non-zero when not.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use smc_testkit::http_receiver::HttpReceiver;
use std::process::Command;

fn smc(config: &std::path::Path, channel: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_smc"))
        .args(["alerts", "test", "--channel", channel, "--config"])
        .arg(config)
        .env("WEBHOOK_SECRET", "s3cret")
        .env("TELEGRAM_BOT_TOKEN", "42:XYZ")
        .env_remove("SLACK_WEBHOOK_URL")
        .output()
        .unwrap()
}

fn config(
    dir: &std::path::Path,
    hook: &HttpReceiver,
    telegram: &HttpReceiver,
) -> std::path::PathBuf {
    let path = dir.join("alerts.yaml");
    let text = format!(
        "alerts:\n  routing: {{critical: [telegram]}}\n  webhook: {{url: '{}/in'}}\n  telegram: {{chat_id: '@ops', base_url: '{}'}}\n",
        hook.url(),
        telegram.url()
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_test_message_reaches_only_the_named_channel() {
    let dir = tempfile::tempdir().unwrap();
    let (hook, telegram) = (HttpReceiver::start(), HttpReceiver::start());
    let cfg = config(dir.path(), &hook, &telegram);
    let out = smc(&cfg, "webhook");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("delivered to webhook"));
    let got = hook.delivered();
    assert_eq!(got.len(), 1);
    let body = got[0].json();
    assert_eq!(body["key"], "test:webhook");
    assert_eq!(body["severity"], "info");
    let ts: i64 = got[0].header("x-smc-timestamp").unwrap().parse().unwrap();
    let sig = got[0].header("x-smc-signature").unwrap();
    assert!(smc_alerts::channels::webhook::verify(
        b"s3cret",
        ts,
        &got[0].body,
        sig,
        ts
    ));
    assert!(telegram.requests().is_empty(), "only the named channel");

    // Routed or not: telegram takes only critical alerts, the test still goes.
    let out = smc(&cfg, "telegram");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(telegram.delivered()[0].json()["chat_id"], "@ops");
    assert_eq!(telegram.delivered()[0].path, "/bot42:XYZ/sendMessage");
    // Never de-duplicated: a second test is a second message.
    assert!(smc(&cfg, "webhook").status.success());
    assert_eq!(hook.delivered().len(), 2);
}

#[test]
fn an_undelivered_test_fails_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (hook, telegram) = (HttpReceiver::start(), HttpReceiver::start());
    let cfg = config(dir.path(), &hook, &telegram);
    hook.set_status(503);
    let out = smc(&cfg, "webhook");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not delivered to webhook") && err.contains("503"),
        "{err}"
    );

    let out = smc(&cfg, "slack");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not configured"));
    let out = smc(&cfg, "pager");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("one of slack, telegram, email, sms, webhook")
    );
}

#[test]
fn smc_alerts_watch_alerts_from_the_event_stream() {
    let Some(nats) = smc_testkit::nats::Server::start() else {
        return;
    };
    let hook = HttpReceiver::start();
    let bus = smc_runtime::EventBus::new();
    let publisher = smc_stream::Publisher::attach(
        &bus,
        smc_stream::Options {
            session: "live-3".into(),
            venue: Some("binance".into()),
            streaming: smc_config::streaming::StreamingConfig {
                nats_url: Some(nats.url()),
                ..Default::default()
            },
            drain: smc_stream::publisher::DRAIN,
        },
    )
    .unwrap();
    bus.publish(smc_runtime::SessionEvent::Engine(
        smc_model::EngineEvent::VenueMismatch {
            time: smc_model::Timestamp::from_ms(5_000),
            differences: vec!["USDT: venue 990, session 1000".into()],
        },
    ));
    assert!(publisher.finish(smc_stream::publisher::DRAIN).complete());

    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("watch.yaml");
    let outbox = dir.path().join("outbox.db");
    std::fs::write(
        &cfg,
        format!(
            "alerts:\n  outbox: 'sqlite://{}'\n  webhook: {{url: '{}/in'}}\n",
            outbox.display(),
            hook.url()
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_smc"))
        .args([
            "alerts",
            "watch",
            "--from-seq",
            "1",
            "--nats",
            &nats.url(),
            "--config",
        ])
        .arg(&cfg)
        .env("WEBHOOK_SECRET", "k")
        .spawn()
        .unwrap();
    let got = hook.wait_for(1, 20);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        got.len(),
        1,
        "the reconciliation difference reached the webhook"
    );
    let body = got[0].json();
    assert_eq!(body["key"], "reconciliation");
    assert_eq!(body["session"], "live-3");
    assert!(body["text"].as_str().unwrap().contains("venue 990"));
}
