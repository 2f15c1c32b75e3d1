//! Every channel against a real receiver on loopback: local HTTP servers
//! stand in for Slack, Telegram, Twilio and a webhook receiver and check
//! each request's format and signature; a real SMTP server with STARTTLS
//! receives the e-mail. Then the discipline: a burst over the rate limit
//! arrives as one digest, repeats are counted not re-sent, a channel that
//! is down receives the alert once it is back — also across a restart,
//! from the outbox.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use smc_alerts::channels::{self, webhook};
use smc_alerts::{Alert, Alerter, Severity};
use smc_config::alerts::{AlertsConfig, Discipline};
use smc_model::{Clock, WallClock};
use smc_store::Store;
use smc_testkit::http_receiver::HttpReceiver;
use smc_testkit::smtp::SmtpServer;
use std::sync::Arc;
use std::time::Duration;

const SECRET: &str = "whsec-test";

fn env_with(cert: Option<std::path::PathBuf>) -> impl Fn(&str) -> Option<String> {
    move |k| match k {
        "SLACK_WEBHOOK_URL" => None,
        "TELEGRAM_BOT_TOKEN" => Some("123:ABC".into()),
        "TWILIO_ACCOUNT_SID" => Some("AC0001".into()),
        "TWILIO_AUTH_TOKEN" => Some("twtoken".into()),
        "WEBHOOK_SECRET" => Some(SECRET.into()),
        "SMTP_PASSWORD" => Some("mailpass".into()),
        "SSL_CERT_FILE" => cert.as_ref().map(|p| p.display().to_string()),
        _ => None,
    }
}

struct Receivers {
    slack: HttpReceiver,
    telegram: HttpReceiver,
    sms: HttpReceiver,
    webhook: HttpReceiver,
    smtp: SmtpServer,
    dir: tempfile::TempDir,
}

impl Receivers {
    fn start() -> Receivers {
        Receivers {
            slack: HttpReceiver::start(),
            telegram: HttpReceiver::start(),
            sms: HttpReceiver::start(),
            webhook: HttpReceiver::start(),
            smtp: SmtpServer::start(),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn config_yaml(&self) -> String {
        format!(
            "slack: {{webhook_url: '{}/services/T/B/X'}}\n\
             telegram: {{chat_id: -1001, base_url: '{}'}}\n\
             email: {{host: localhost, port: {}, username: ops, from: 'smc@example.com', to: ['a@example.com', 'b@example.com']}}\n\
             sms: {{from: '+15550001', to: ['+15550002', '+15550003'], base_url: '{}'}}\n\
             webhook: {{url: '{}/hook'}}\n\
             routing: {{critical: [slack, telegram, email, sms, webhook], warning: [slack, telegram, email, webhook], info: [slack, webhook]}}\n",
            self.slack.url(),
            self.telegram.url(),
            self.smtp.port,
            self.sms.url(),
            self.webhook.url()
        )
    }

    fn config(&self, discipline: Discipline) -> AlertsConfig {
        let mut c: AlertsConfig = serde_yaml_ng::from_str(&self.config_yaml()).unwrap();
        c.discipline = discipline;
        c.validate().unwrap();
        c
    }

    fn alerter(&self, config: &AlertsConfig, outbox: &str) -> Alerter {
        let cert = self.dir.path().join("smtp-ca.pem");
        std::fs::write(&cert, &self.smtp.cert_pem).unwrap();
        let env = env_with(Some(cert));
        let built = channels::build(config, &env).unwrap();
        let store = Arc::new(
            Store::open(&format!(
                "sqlite://{}",
                self.dir.path().join(outbox).display()
            ))
            .unwrap(),
        );
        Alerter::start(config, built, store).unwrap()
    }
}

fn quick() -> Discipline {
    Discipline {
        dedup_seconds: 300,
        rate_per_minute: 6,
        retry_seconds: 1,
        retry_max_seconds: 1,
        give_up_hours: 1,
    }
}

fn critical(key: &str) -> Alert {
    let mut a = Alert::new(
        key,
        Severity::Critical,
        "Circuit breaker daily_loss tripped",
        "daily loss 5.2%",
        WallClock.now(),
    );
    a.session = "paper-1".into();
    a
}

#[test]
fn each_channel_delivers_in_its_own_format() {
    let r = Receivers::start();
    let config = r.config(quick());
    let alerter = r.alerter(&config, "outbox.db");
    alerter.raise(vec![critical("breaker:daily_loss")]);

    let slack = r.slack.wait_for(1, 10);
    assert_eq!(slack.len(), 1);
    assert_eq!(slack[0].path, "/services/T/B/X");
    let body = slack[0].json();
    assert!(
        body["text"]
            .as_str()
            .unwrap()
            .contains("daily_loss tripped"),
        "{body}"
    );
    assert_eq!(body["blocks"][0]["type"], "header");

    let telegram = r.telegram.wait_for(1, 10);
    assert_eq!(telegram[0].path, "/bot123:ABC/sendMessage");
    assert_eq!(telegram[0].json()["chat_id"], -1001);
    assert!(
        telegram[0].json()["text"]
            .as_str()
            .unwrap()
            .contains("[CRITICAL]")
    );

    let sms = r.sms.wait_for(2, 10);
    assert_eq!(sms.len(), 2, "one SMS per number");
    assert_eq!(sms[0].path, "/2010-04-01/Accounts/AC0001/Messages.json");
    assert_eq!(
        sms[0].header("authorization"),
        Some("Basic QUMwMDAxOnR3dG9rZW4=")
    );
    assert_eq!(
        sms[0].header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let form: Vec<(String, String)> = serde_urlencoded_pairs(&sms[0].text());
    assert!(form.contains(&("To".into(), "+15550002".into())));
    assert!(form.contains(&("From".into(), "+15550001".into())));
    assert!(serde_urlencoded_pairs(&sms[1].text()).contains(&("To".into(), "+15550003".into())));

    let hooks = r.webhook.wait_for(1, 10);
    let hook = &hooks[0];
    assert_eq!(hook.path, "/hook");
    assert_eq!(hook.header("content-type"), Some("application/json"));
    let ts: i64 = hook.header("x-smc-timestamp").unwrap().parse().unwrap();
    let now_s = WallClock.now().ms() / 1_000;
    assert!((now_s - ts).abs() < 60);
    let sig = hook.header("x-smc-signature").unwrap();
    assert!(
        webhook::verify(SECRET.as_bytes(), ts, &hook.body, sig, now_s),
        "signature {sig}"
    );
    assert!(!webhook::verify(b"wrong", ts, &hook.body, sig, now_s));
    let json = hook.json();
    for field in ["id", "key", "severity", "title", "text", "time", "resolved"] {
        assert!(json.get(field).is_some(), "{field} missing in {json}");
    }
    assert_eq!(json["key"], "breaker:daily_loss");
    assert_eq!(json["severity"], "critical");
    assert!(json["time"].as_str().unwrap().ends_with('Z'));

    let mails = r.smtp.wait_for(1, 10);
    assert_eq!(mails.len(), 1);
    assert!(mails[0].tls, "STARTTLS was used");
    assert_eq!(mails[0].user.as_deref(), Some("ops"));
    assert_eq!(mails[0].to, vec!["a@example.com", "b@example.com"]);
    assert!(
        mails[0]
            .data
            .contains("Subject: [SMC] [CRITICAL] Circuit breaker daily_loss tripped"),
        "{}",
        mails[0].data
    );
    assert_eq!(alerter.finish(Duration::from_secs(5)), 0);
}

/// A form body's pairs, decoded.
fn serde_urlencoded_pairs(body: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect()
}

#[test]
fn repeats_are_counted_and_a_burst_is_one_digest() {
    let r = Receivers::start();
    let mut config = r.config(Discipline {
        rate_per_minute: 2,
        ..quick()
    });
    config
        .routing
        .insert("critical".into(), vec!["webhook".into()]);
    let alerter = r.alerter(&config, "outbox.db");
    for _ in 0..5 {
        alerter.raise(vec![critical("breaker:daily_loss")]);
    }
    assert_eq!(r.webhook.wait_for(1, 10).len(), 1);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        r.webhook.delivered().len(),
        1,
        "four repeats within the window were not re-sent"
    );

    // A burst of ten with one send left in the minute: one digest.
    alerter.raise((0..10).map(|i| critical(&format!("burst:{i}"))).collect());
    let got = r.webhook.wait_for(2, 10);
    assert_eq!(got.len(), 2, "the burst arrived as one message");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(r.webhook.delivered().len(), 2);
    let digest = got[1].json();
    assert_eq!(digest["key"], "digest");
    assert_eq!(digest["alerts"].as_array().unwrap().len(), 10);
    assert_eq!(digest["title"], "10 alerts");
    alerter.finish(Duration::from_secs(2));
}

#[test]
fn a_channel_that_is_down_gets_the_alert_when_it_is_back() {
    let r = Receivers::start();
    let mut config = r.config(quick());
    config
        .routing
        .insert("critical".into(), vec!["webhook".into(), "slack".into()]);
    r.webhook.set_status(503);
    let alerter = r.alerter(&config, "outbox.db");
    alerter.raise(vec![critical("breaker:drawdown")]);
    assert_eq!(r.slack.wait_for(1, 10).len(), 1, "slack is up");
    std::thread::sleep(Duration::from_secs(2));
    assert!(r.webhook.requests().len() >= 2, "retried while down");
    assert!(r.webhook.delivered().is_empty());
    r.webhook.set_status(200);
    let got = r.webhook.wait_for(1, 10);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].json()["key"], "breaker:drawdown");
    assert_eq!(r.slack.delivered().len(), 1, "slack got it once");
    alerter.finish(Duration::from_secs(2));
}

#[test]
fn the_outbox_carries_an_alert_across_a_restart() {
    let r = Receivers::start();
    let mut config = r.config(quick());
    config
        .routing
        .insert("critical".into(), vec!["webhook".into()]);
    r.webhook.set_status(502);
    let first = r.alerter(&config, "restart.db");
    first.raise(vec![critical("breaker:error_rate")]);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        first.finish(Duration::from_millis(200)),
        1,
        "still pending at exit"
    );
    drop(first);
    assert!(r.webhook.delivered().is_empty());

    r.webhook.set_status(200);
    let second = r.alerter(&config, "restart.db");
    let got = r.webhook.wait_for(1, 10);
    assert_eq!(got.len(), 1, "delivered by the next start");
    assert_eq!(got[0].json()["key"], "breaker:error_rate");
    assert_eq!(second.finish(Duration::from_secs(2)), 0);
}

#[test]
fn a_refusal_that_repeats_is_not_retried() {
    let r = Receivers::start();
    let mut config = r.config(quick());
    config
        .routing
        .insert("critical".into(), vec!["telegram".into()]);
    r.telegram.set_status(400);
    r.telegram
        .set_body("{\"ok\":false,\"description\":\"chat not found\"}");
    let alerter = r.alerter(&config, "outbox.db");
    alerter.raise(vec![critical("breaker:x")]);
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        r.telegram.requests().len(),
        1,
        "a 400 is given up, not hammered"
    );
    assert_eq!(alerter.finish(Duration::from_secs(1)), 0);
}
