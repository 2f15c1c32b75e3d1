//! Alerts for one session: a thread that reads the session's bus (lossless:
//! an alert is never dropped), runs the rules on each event and every
//! second, and hands what they raise to the process's [`Alerter`].

use crate::alerter::Alerter;
use crate::reports::{ReportClock, ReportMailer};
use crate::rules::Watcher;
use smc_config::alerts::AlertRules;
use smc_model::{Clock, WallClock};
use smc_runtime::EventBus;
use std::path::Path;
use std::thread::JoinHandle;
use std::time::Duration;

/// The watching thread of one session.
#[derive(Debug)]
pub struct SessionAlerts {
    session: String,
    rules: AlertRules,
    alerter: Alerter,
    thread: Option<JoinHandle<()>>,
}

/// Watches `bus` for the session `session`; `model` is the ML model's
/// folder, when the session uses one, whose age the `model_stale` rule
/// checks at the start.
pub fn attach(
    session: &str,
    rules: &AlertRules,
    alerter: &Alerter,
    bus: &EventBus,
    model: Option<&Path>,
    mut reports: Option<ReportMailer>,
) -> std::io::Result<SessionAlerts> {
    let mut events = bus.subscribe_lossless(4_096);
    let mut watcher = Watcher::new(rules.clone(), session);
    if let Some(days) = model.and_then(age_days) {
        alerter.raise(watcher.model_age(days, WallClock.now()));
    }
    let to = alerter.clone();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let thread = std::thread::Builder::new()
        .name(format!("alerts-{session}"))
        .spawn(move || {
            runtime.block_on(async move {
                let mut tick = tokio::time::interval(Duration::from_secs(1));
                loop {
                    tokio::select! {
                        event = events.recv() => match event {
                            Some(e) => to.raise(watcher.observe(&e, WallClock.now())),
                            None => return,
                        },
                        _ = tick.tick() => {
                            to.raise(watcher.tick(WallClock.now()));
                            if let Some(mailer) = reports.as_mut() {
                                mailer.check(WallClock.now()).await;
                            }
                        }
                    }
                }
            });
        })?;
    Ok(SessionAlerts {
        session: session.to_string(),
        rules: rules.clone(),
        alerter: alerter.clone(),
        thread: Some(thread),
    })
}

impl SessionAlerts {
    /// Waits for the session's events to be read (its bus must be gone),
    /// then raises the crash alert if it ended with `error`.
    pub fn finish(mut self, error: Option<&str>) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if let Some(error) = error {
            let mut w = Watcher::new(self.rules.clone(), self.session.clone());
            self.alerter.raise(w.crashed(error, WallClock.now()));
        }
    }
}

/// How many whole days ago `path` was last written.
fn age_days(path: &Path) -> Option<u64> {
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok()?;
    let now_ms = u64::try_from(WallClock.now().ms()).ok()?;
    let written_ms = u64::try_from(
        modified
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_millis(),
    )
    .ok()?;
    Some(now_ms.saturating_sub(written_ms) / 86_400_000)
}

/// A session's alerting: the process's alerter and the session's watcher.
#[derive(Debug)]
pub struct Attached {
    pub alerter: Alerter,
    pub watch: SessionAlerts,
}

impl Attached {
    /// After the session ended (with `error`, if it failed): the crash
    /// alert, then up to `deadline` to deliver what is due; the number of
    /// messages left in the outbox for the next start.
    pub fn finish(self, error: Option<&str>, deadline: Duration) -> usize {
        self.watch.finish(error);
        self.alerter.finish(deadline)
    }
}

/// Alerting for the session `spec` describes, published as `session`, when
/// its config has an `alerts` section: an alerter of its own (outbox beside
/// the session's journal) and a watcher on `bus`.
pub fn attach_spec(
    session: &str,
    spec: &smc_runtime::SessionSpec,
    bus: &EventBus,
) -> Result<Option<Attached>, crate::AlertError> {
    let Some(config) = spec.config.as_ref() else {
        return Ok(None);
    };
    let Some(alerts) = config.alerts.as_ref() else {
        return Ok(None);
    };
    let alerter = crate::start(alerts, &spec.database_url())?;
    let model = config.ml.model.as_ref().map(|m| {
        match spec.config_path.as_ref().and_then(|p| p.parent()) {
            Some(dir) if m.is_relative() => dir.join(m),
            _ => m.clone(),
        }
    });
    let reports = report_mailer(session, spec, alerts, &alerter)?;
    let watch = attach(
        session,
        &alerts.rules,
        &alerter,
        bus,
        model.as_deref(),
        reports,
    )
    .map_err(|e| crate::AlertError::Runtime(format!("alerts thread: {e}")))?;
    Ok(Some(Attached { alerter, watch }))
}

/// The session's report mailer, when reports are configured and there is
/// an e-mail channel to send them through.
fn report_mailer(
    session: &str,
    spec: &smc_runtime::SessionSpec,
    alerts: &smc_config::alerts::AlertsConfig,
    alerter: &Alerter,
) -> Result<Option<ReportMailer>, crate::AlertError> {
    let Some(reports) = alerts.reports.as_ref() else {
        return Ok(None);
    };
    let Some(email) = alerts.email.as_ref() else {
        tracing::warn!("alerts.reports is set but alerts.email is not: no report will be e-mailed");
        return Ok(None);
    };
    let env = |k: &str| std::env::var(k).ok();
    let email = crate::channels::email::Email::new(email, &env)?;
    let options = smc_runtime::period_report::ReportOptions {
        starting_cash: spec.config.as_ref().map(|c| c.trading.initial_balance),
        ..Default::default()
    };
    Ok(Some(ReportMailer::new(
        ReportClock::new(reports),
        std::sync::Arc::new(email),
        alerter.outbox(),
        session,
        &spec.database_url(),
        options,
    )))
}
