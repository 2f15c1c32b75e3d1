//! A circuit breaker trips in a real paper session against the venue
//! simulator (sma_cross losing a round trip with `consecutive_losses:
//! {max_losses: 1}`), and every channel — Slack, Telegram, Twilio and
//! webhook receivers on loopback, an SMTP server with STARTTLS — receives
//! exactly one alert for it; an operator's reset then brings exactly one
//! resolved message per channel.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use smc_alerts::reports::{ReportClock, ReportMailer};
use smc_alerts::{Alerter, channels};
use smc_model::EngineEvent;
use smc_model::{Clock, WallClock};
use smc_runtime::event::SessionEvent;
use smc_runtime::period_report::{PeriodKind, ReportOptions};
use smc_runtime::{
    BreakerReset, EventBus, Mode, OperatorCommand, OperatorIntent, RunningSession, SessionSpec,
    VenueSpec,
};
use smc_store::Store;
use smc_testkit::http_receiver::HttpReceiver;
use smc_testkit::sim::{KEY, SECRET, TestSim};
use smc_testkit::smtp::SmtpServer;
use std::sync::Arc;
use std::time::Duration;

const BREAKER: &str = "consecutive_losses";

fn config_text(slack: &str, telegram: &str, smtp: u16, sms: &str, hook: &str) -> String {
    format!(
        "backtest:\n  strategy: sma_cross\n  timeframes: [\"1m\"]\n  instrument:\n    venue: binance\n    symbol: BTCUSDT\n    \
         tick_size: 0.1\n    lot_size: 0.001\n    min_qty: 0.001\n    min_notional: 5\n\
         risk_manager:\n  max_position_size: 1000.0\n  max_daily_loss: 5000.0\n  circuit_breakers:\n    \
         rearm_delay_minutes: 100000\n    consecutive_losses:\n      max_losses: 1\n\
         alerts:\n  routing: {{critical: [slack, telegram, email, sms, webhook], warning: [], info: []}}\n  \
         slack: {{webhook_url: '{slack}/hook'}}\n  telegram: {{chat_id: 7, base_url: '{telegram}'}}\n  \
         email: {{host: 127.0.0.1, port: {smtp}, from: 'smc@example.com', to: ['ops@example.com']}}\n  \
         sms: {{from: '+15550001', to: ['+15550002'], base_url: '{sms}'}}\n  webhook: {{url: '{hook}/in'}}\n  \
         discipline: {{retry_seconds: 1, retry_max_seconds: 1}}\n"
    )
}

fn env(cert: std::path::PathBuf) -> impl Fn(&str) -> Option<String> {
    move |k| match k {
        "TELEGRAM_BOT_TOKEN" => Some("1:T".into()),
        "TWILIO_ACCOUNT_SID" => Some("AC1".into()),
        "TWILIO_AUTH_TOKEN" => Some("tok".into()),
        "WEBHOOK_SECRET" => Some("sec".into()),
        "SSL_CERT_FILE" => Some(cert.display().to_string()),
        _ => None,
    }
}

/// What the session did that the test acts on.
enum Seen {
    Tripped,
    Reset,
}

/// Runs the session until the breaker trips, resets it, stops after the
/// reset (or when the session ends by itself); whether each happened.
fn trip_and_reset(spec: SessionSpec, bus: EventBus) -> (bool, bool) {
    let mut events = bus.subscribe_lossless(1 << 16);
    let (tx, rx) = std::sync::mpsc::channel();
    let observer = std::thread::spawn(move || {
        while let Some(event) = events.recv_blocking() {
            let seen = match event.as_ref() {
                SessionEvent::Engine(EngineEvent::BreakerTripped { breaker, .. })
                    if breaker == BREAKER =>
                {
                    Seen::Tripped
                }
                SessionEvent::Engine(EngineEvent::BreakerReset { breaker, .. })
                    if breaker == BREAKER =>
                {
                    Seen::Reset
                }
                _ => continue,
            };
            let _ = tx.send(seen);
        }
    });
    let session = RunningSession::start(spec, bus).unwrap();
    let (mut tripped, mut reset) = (false, false);
    while !reset && !session.is_finished() {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(Seen::Tripped) if !tripped => {
                tripped = true;
                let command = OperatorCommand {
                    intents: vec![OperatorIntent::ResetBreaker(BreakerReset {
                        name: BREAKER.into(),
                        operator: "ops".into(),
                        reason: "reviewed the losses".into(),
                    })],
                };
                let _answer = session.operate(command).unwrap();
            }
            Ok(Seen::Reset) => reset = true,
            _ => {}
        }
    }
    session.stop();
    session.wait().unwrap();
    observer.join().unwrap();
    (tripped, reset)
}

#[test]
fn a_tripped_breaker_is_one_alert_per_channel_then_one_resolution() {
    let (slack, telegram, sms, hook) = (
        HttpReceiver::start(),
        HttpReceiver::start(),
        HttpReceiver::start(),
        HttpReceiver::start(),
    );
    let smtp = SmtpServer::start();
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("ca.pem");
    std::fs::write(&cert, &smtp.cert_pem).unwrap();
    let cfg_path = dir.path().join("paper.yaml");
    std::fs::write(
        &cfg_path,
        config_text(
            &slack.url(),
            &telegram.url(),
            smtp.port,
            &sms.url(),
            &hook.url(),
        ),
    )
    .unwrap();
    let config = smc_config::load(&cfg_path).unwrap();
    let alerts = config.alerts.clone().unwrap();

    let sim = TestSim::btcusdt(400.0, "");
    let spec = SessionSpec {
        mode: Some(Mode::Paper),
        config: Some(config),
        config_path: Some(cfg_path.clone()),
        venue: VenueSpec {
            url: Some(sim.addr.clone()),
            ..VenueSpec::default()
        },
        symbols: vec!["BTCUSDT".into()],
        database: Some(dir.path().join("paper.db")),
        max_bars: Some(3_000),
        allow_local_venue: true,
        credentials: smc_config::env::credentials("binance", |k| match k {
            "BINANCE_API_KEY" => Some(KEY.into()),
            "BINANCE_API_SECRET" => Some(SECRET.into()),
            _ => None,
        }),
        ..SessionSpec::default()
    };
    let built = channels::build(&alerts, &env(cert.clone())).unwrap();
    let outbox = Store::open(&format!(
        "sqlite://{}",
        dir.path().join("paper.alerts.db").display()
    ))
    .unwrap();
    let alerter = Alerter::start(&alerts, built, Arc::new(outbox)).unwrap();
    let bus = EventBus::new();
    let watch =
        smc_alerts::session::attach("paper-1", &alerts.rules, &alerter, &bus, None, None).unwrap();

    let (tripped, reset) = trip_and_reset(spec, bus);
    assert!(
        tripped,
        "the session lost a round trip and the breaker tripped"
    );
    assert!(reset, "the operator's reset reached the session");
    watch.finish(None);
    assert_eq!(
        alerter.finish(Duration::from_secs(15)),
        0,
        "everything delivered"
    );

    let key = format!("breaker:{BREAKER}");
    for (name, receiver) in [
        ("slack", &slack),
        ("telegram", &telegram),
        ("sms", &sms),
        ("webhook", &hook),
    ] {
        let got = receiver.delivered();
        assert_eq!(
            got.len(),
            2,
            "{name}: one alert and one resolution, got {}",
            got.len()
        );
        let texts: Vec<String> = got.iter().map(|r| r.text()).collect();
        assert!(
            !texts[0].contains("Resolved") && texts[0].contains(BREAKER),
            "{name}: {}",
            texts[0]
        );
        assert!(texts[1].contains("Resolved"), "{name}: {}", texts[1]);
    }
    let bodies: Vec<serde_json::Value> = hook.delivered().iter().map(|r| r.json()).collect();
    assert_eq!(bodies[0]["key"], key.as_str());
    assert_eq!(
        (
            bodies[0]["resolved"].as_bool(),
            bodies[1]["resolved"].as_bool()
        ),
        (Some(false), Some(true))
    );
    assert_eq!(bodies[0]["session"], "paper-1");
    assert!(
        bodies[1]["text"].as_str().unwrap().contains("reset by ops"),
        "{}",
        bodies[1]
    );
    let mails = smtp.wait_for(2, 5);
    assert_eq!(mails.len(), 2);
    assert!(mails.iter().all(|m| m.tls));
    assert!(mails[0].data.contains("tripped") && mails[1].data.contains("Resolved"));

    // The e-mailed reports of the same session, from its journal: sent
    // when due, once, with the page attached.
    let email = channels::email::Email::new(alerts.email.as_ref().unwrap(), &env(cert)).unwrap();
    let clock = ReportClock {
        daily: true,
        weekly: false,
        hour: 0,
        tz: chrono_tz::UTC,
    };
    let journal = format!("sqlite://{}", dir.path().join("paper.db").display());
    let mut mailer = ReportMailer::new(
        clock,
        Arc::new(email),
        alerter.outbox(),
        "paper-1",
        &journal,
        ReportOptions::default(),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let now = WallClock.now();
    let today = chrono::DateTime::from_timestamp_millis(now.ms())
        .unwrap()
        .date_naive();
    let title = runtime
        .block_on(mailer.send(PeriodKind::Daily, today))
        .unwrap();
    assert!(title.starts_with("Daily report"), "{title}");
    let mails = smtp.wait_for(3, 10);
    let report = &mails[2].data;
    assert!(
        report.contains("Content-Disposition: attachment"),
        "the page is attached"
    );
    assert!(report.contains(&format!("report-daily-{today}.html")));
    assert!(report.contains("text/html") && report.contains("text/plain"));
    runtime.block_on(mailer.check(now));
    runtime.block_on(mailer.check(now + 60_000));
    assert_eq!(
        smtp.wait_for(4, 10).len(),
        4,
        "yesterday's report, due at hour 0"
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(smtp.mails().len(), 4, "sent once: the outbox remembers it");

    // The same mailer inside a session's watcher (its own runtime): the
    // report goes out from the thread's tick, network and all.
    let email = channels::email::Email::new(
        alerts.email.as_ref().unwrap(),
        &env(dir.path().join("ca.pem")),
    )
    .unwrap();
    let clock = ReportClock {
        daily: true,
        weekly: false,
        hour: 0,
        tz: chrono_tz::UTC,
    };
    let mailer = ReportMailer::new(
        clock,
        Arc::new(email),
        alerter.outbox(),
        "paper-2",
        &journal,
        ReportOptions::default(),
    );
    let bus = EventBus::new();
    let watch =
        smc_alerts::session::attach("paper-2", &alerts.rules, &alerter, &bus, None, Some(mailer))
            .unwrap();
    assert_eq!(
        smtp.wait_for(5, 10).len(),
        5,
        "the watcher's tick sent paper-2's report"
    );
    drop(bus);
    watch.finish(None);
}
