//! The alerter: takes raised alerts, de-duplicates them, writes one outbox
//! row per routed channel (before any delivery is tried, so a crash or a
//! channel's outage loses nothing), and runs one delivery loop per channel
//! that sends what is due within the channel's rate limit, groups a burst
//! into a digest, and retries failures with backoff until they are
//! delivered or too old. It runs on its own thread and runtime, so a slow
//! channel never slows a session.

use crate::alert::{Alert, Severity};
use crate::channels::{Channel, SendError};
use crate::discipline::{Dedup, Plan, RateLimit, backoff_ms, plan};
use crate::error::AlertError;
use smc_config::alerts::{AlertsConfig, Discipline};
use smc_model::{Clock, Timestamp, WallClock};
use smc_store::{OutboxMessage, Store};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc, oneshot};

/// What the alerter's thread is asked to do.
enum Command {
    Raise(Vec<Alert>),
    /// Resolves once nothing due is left (or the deadline passes).
    Drain(Duration, oneshot::Sender<usize>),
}

/// A running alerter. Cheap to clone; the thread ends when the last clone
/// is dropped or [`Alerter::finish`] is called.
#[derive(Clone)]
pub struct Alerter {
    tx: mpsc::UnboundedSender<Command>,
    store: Arc<Store>,
    channels: Arc<Vec<&'static str>>,
}

impl std::fmt::Debug for Alerter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Alerter")
            .field("channels", &self.channels)
            .finish()
    }
}

impl Alerter {
    /// Starts the alerter with `channels` (built from `config`), keeping
    /// its outbox in `store`. Messages a previous run left pending are
    /// delivered first.
    pub fn start(
        config: &AlertsConfig,
        channels: Vec<Channel>,
        store: Arc<Store>,
    ) -> Result<Alerter, AlertError> {
        let names: Vec<&'static str> = channels.iter().map(Channel::name).collect();
        let (tx, rx) = mpsc::unbounded_channel();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| AlertError::Runtime(format!("alerts runtime: {e}")))?;
        let router = Router {
            config: config.clone(),
            store: store.clone(),
            dedup: Dedup::new(config.discipline.dedup_seconds),
            wake: names
                .iter()
                .map(|n| (*n, Arc::new(Notify::new())))
                .collect(),
        };
        std::thread::Builder::new()
            .name("smc-alerts".into())
            .spawn(move || runtime.block_on(router.run(rx, channels)))
            .map_err(|e| AlertError::Runtime(format!("alerts thread: {e}")))?;
        Ok(Alerter {
            tx,
            store,
            channels: Arc::new(names),
        })
    }

    /// The outbox (reports record what they sent in it).
    pub fn outbox(&self) -> Arc<Store> {
        self.store.clone()
    }

    /// The configured channels' names.
    pub fn channels(&self) -> &[&'static str] {
        &self.channels
    }

    /// Queues `alerts` for de-duplication, routing and delivery.
    pub fn raise(&self, alerts: Vec<Alert>) {
        if !alerts.is_empty() {
            for a in &alerts {
                tracing::info!(key = %a.key, severity = %a.severity, resolved = a.resolved, "alert: {}", a.title);
            }
            // The thread is gone only at exit; the outbox keeps nothing
            // then, which the caller's own log line above records.
            let _ = self.tx.send(Command::Raise(alerts));
        }
    }

    /// Waits up to `deadline` for everything due to be delivered; the
    /// number of messages still pending (kept in the outbox for the next
    /// start).
    pub fn finish(&self, deadline: Duration) -> usize {
        let (reply, answer) = oneshot::channel();
        if self.tx.send(Command::Drain(deadline, reply)).is_err() {
            return self.pending();
        }
        answer.blocking_recv().unwrap_or_else(|_| self.pending())
    }

    /// Messages not yet delivered nor given up.
    pub fn pending(&self) -> usize {
        self.store.outbox_pending().map(|p| p.len()).unwrap_or(0)
    }
}

/// The alerter thread's state.
struct Router {
    config: AlertsConfig,
    store: Arc<Store>,
    dedup: Dedup,
    wake: BTreeMap<&'static str, Arc<Notify>>,
}

impl Router {
    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Command>, channels: Vec<Channel>) {
        let discipline = self.config.discipline.clone();
        for channel in channels {
            let wake = self.wake.get(channel.name()).cloned().unwrap_or_default();
            let worker = Worker {
                channel,
                store: self.store.clone(),
                limit: RateLimit::new(discipline.rate_per_minute),
                discipline: discipline.clone(),
            };
            tokio::spawn(worker.run(wake));
        }
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                command = rx.recv() => match command {
                    Some(Command::Raise(alerts)) => self.route(alerts),
                    Some(Command::Drain(deadline, reply)) => {
                        let _ = reply.send(self.drain(deadline).await);
                        return;
                    }
                    None => return,
                },
                _ = tick.tick() => {
                    let repeats = self.dedup.expire(WallClock.now());
                    self.route_admitted(repeats);
                }
            }
        }
    }

    fn route(&mut self, alerts: Vec<Alert>) {
        let now = WallClock.now();
        let admitted: Vec<Alert> = alerts
            .into_iter()
            .filter_map(|a| self.dedup.admit(a, now))
            .collect();
        self.route_admitted(admitted);
    }

    /// One outbox row per routed channel, then a wake-up for each.
    fn route_admitted(&mut self, alerts: Vec<Alert>) {
        let now = WallClock.now();
        for alert in alerts {
            let payload = match serde_json::to_string(&alert) {
                Ok(p) => p,
                Err(e) => {
                    tracing::error!("alert {}: not serializable: {e}", alert.key);
                    continue;
                }
            };
            for channel in self.config.route(alert.severity.as_str()) {
                let Some(wake) = self.wake.get(channel) else {
                    continue;
                };
                match self.store.outbox_add(channel, &alert.key, &payload, now) {
                    Ok(_) => wake.notify_one(),
                    Err(e) => tracing::error!("alert {} for {channel}: {e}", alert.key),
                }
            }
        }
    }

    /// Waits until nothing is due now, or `deadline`; what is left pending.
    async fn drain(&self, deadline: Duration) -> usize {
        let end = tokio::time::Instant::now() + deadline;
        loop {
            let now = WallClock.now();
            let due = self
                .wake
                .keys()
                .filter(|c| {
                    self.store
                        .outbox_due(c, now, 1)
                        .is_ok_and(|d| !d.is_empty())
                })
                .count();
            if due == 0 || tokio::time::Instant::now() >= end {
                return self.store.outbox_pending().map(|p| p.len()).unwrap_or(0);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// One channel's delivery loop.
struct Worker {
    channel: Channel,
    store: Arc<Store>,
    limit: RateLimit,
    discipline: Discipline,
}

impl Worker {
    async fn run(mut self, wake: Arc<Notify>) {
        loop {
            let now = WallClock.now();
            let wait = match self.store.outbox_due(self.channel.name(), now, 500) {
                Ok(due) if !due.is_empty() => self.deliver(due, now).await,
                Ok(_) => self.until_next_due(now),
                Err(e) => {
                    tracing::error!("{} outbox: {e}", self.channel.name());
                    Duration::from_secs(5)
                }
            };
            // A new alert wakes the loop early; a due retry by the timer.
            let _ = tokio::time::timeout(wait, wake.notified()).await;
        }
    }

    fn until_next_due(&self, now: Timestamp) -> Duration {
        let next = self
            .store
            .outbox_next_due(self.channel.name())
            .ok()
            .flatten();
        let ms = next.map_or(1_000, |t| (t.ms() - now.ms()).clamp(10, 1_000));
        Duration::from_millis(u64::try_from(ms).unwrap_or(1_000))
    }

    /// Sends what is due; how long to wait before looking again.
    async fn deliver(&mut self, due: Vec<OutboxMessage>, now: Timestamp) -> Duration {
        let (due, unreadable): (Vec<_>, Vec<_>) = due
            .into_iter()
            .map(|m| (serde_json::from_str::<Alert>(&m.payload), m))
            .partition(|(parsed, _)| parsed.is_ok());
        for (_, m) in unreadable {
            self.settle(
                &[m],
                Err(SendError::Fatal("unreadable payload".into())),
                now,
            );
        }
        let due: Vec<(Alert, OutboxMessage)> = due
            .into_iter()
            .filter_map(|(a, m)| a.ok().map(|a| (a, m)))
            .collect();
        match plan(due.len(), self.limit.available(now)) {
            Plan::Wait => {
                let slot = self.limit.next_slot(now);
                Duration::from_millis(
                    u64::try_from((slot.ms() - now.ms()).max(10)).unwrap_or(1_000),
                )
            }
            Plan::EachAlone => {
                for (alert, message) in due {
                    self.limit.record(now);
                    let sent = self.channel.send(&alert).await;
                    self.settle(&[message], sent, WallClock.now());
                }
                Duration::ZERO
            }
            Plan::Digest => {
                let (alerts, messages): (Vec<Alert>, Vec<OutboxMessage>) = due.into_iter().unzip();
                tracing::info!(
                    "{}: {} alerts over the rate limit, sent as one digest",
                    self.channel.name(),
                    alerts.len()
                );
                self.limit.record(now);
                let sent = self.channel.send(&Alert::digest(alerts, now)).await;
                self.settle(&messages, sent, WallClock.now());
                Duration::ZERO
            }
        }
    }

    /// Records the outcome of sending `messages`.
    fn settle(&self, messages: &[OutboxMessage], sent: Result<(), SendError>, now: Timestamp) {
        let name = self.channel.name();
        let give_up_ms = i64::try_from(self.discipline.give_up_hours.saturating_mul(3_600_000))
            .unwrap_or(i64::MAX);
        for m in messages {
            let result = match &sent {
                Ok(()) => self.store.outbox_delivered(m.id, now),
                Err(SendError::Fatal(e)) => {
                    tracing::error!("{name}: alert {} not delivered: {e}", m.key);
                    self.store.outbox_abandon(m.id, e, now)
                }
                Err(SendError::Retry(e))
                    if give_up_ms > 0 && now.ms() - m.created.ms() >= give_up_ms =>
                {
                    tracing::error!(
                        "{name}: alert {} given up after {} attempts: {e}",
                        m.key,
                        m.attempts + 1
                    );
                    self.store.outbox_abandon(m.id, e, now)
                }
                Err(SendError::Retry(e)) => {
                    let delay = backoff_ms(
                        m.attempts,
                        self.discipline.retry_seconds,
                        self.discipline.retry_max_seconds,
                    );
                    tracing::warn!(
                        "{name}: alert {} not delivered ({e}); retry in {} s",
                        m.key,
                        delay / 1_000
                    );
                    self.store.outbox_retry(m.id, e, now + delay)
                }
            };
            if let Err(e) = result {
                tracing::error!("{name} outbox: {e}");
            }
        }
    }
}

/// A test message for `channel`: key `test:<channel>`, severity info.
pub fn test_alert(channel: &str, now: Timestamp) -> Alert {
    Alert::new(
        format!("test:{channel}"),
        Severity::Info,
        format!("Test message from smc ({channel})"),
        "If you can read this, alerts reach this channel.",
        now,
    )
}

/// Sends the test message straight to `channel` (no outbox, routing or
/// de-duplication), waiting for the answer.
pub fn send_test(channel: &Channel) -> Result<(), SendError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| SendError::Fatal(format!("runtime: {e}")))?;
    runtime.block_on(channel.send(&test_alert(channel.name(), WallClock.now())))
}
