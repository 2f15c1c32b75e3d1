//! The rules: a session's events in, alerts out. Some rules are events (a
//! safety exit happened); others are conditions that open and later clear
//! (a breaker tripped, then reset; a stream went down, then came back),
//! and a condition's clearing is sent as its resolution. Conditions that
//! depend on time passing (a stream down for a minute, no candle for ten)
//! are checked by [`Watcher::tick`].

use crate::alert::{Alert, Severity};
use rust_decimal::Decimal;
use smc_config::alerts::{AlertRules, Rule};
use smc_model::{EngineEvent, ProtectionAction, Timestamp};
use smc_runtime::event::{Connection, SessionEvent};
use std::collections::{BTreeMap, VecDeque};

const DAY_MS: i64 = 86_400_000;

/// The rules' state for one session.
#[derive(Debug)]
pub struct Watcher {
    rules: AlertRules,
    session: String,
    /// Conditions open now, by key: their alert, for the resolution.
    open: BTreeMap<String, Alert>,
    /// Streams down, and since when.
    down_since: BTreeMap<String, (Timestamp, String)>,
    rejections: VecDeque<Timestamp>,
    /// The UTC day of the last equity mark and the equity it started at.
    day: Option<(i64, Decimal)>,
    last_candle: Option<Timestamp>,
}

impl Watcher {
    pub fn new(rules: AlertRules, session: impl Into<String>) -> Watcher {
        Watcher {
            rules,
            session: session.into(),
            open: BTreeMap::new(),
            down_since: BTreeMap::new(),
            rejections: VecDeque::new(),
            day: None,
            last_candle: None,
        }
    }

    /// Keys of the conditions open now.
    pub fn open_keys(&self) -> Vec<String> {
        self.open.keys().cloned().collect()
    }

    /// The alerts `event`, arriving at `now`, raises or resolves.
    pub fn observe(&mut self, event: &SessionEvent, now: Timestamp) -> Vec<Alert> {
        let mut out = Vec::new();
        match event {
            SessionEvent::Engine(e) => self.engine(e, now, &mut out),
            SessionEvent::Candle(_) | SessionEvent::Started(_) => self.candle(now, &mut out),
            SessionEvent::Connection { stream, change } => {
                let down = match change {
                    Connection::Disconnected { reason } => Some(reason.as_str()),
                    Connection::Connected { .. } => None,
                    Connection::Malformed { .. } => return out,
                };
                let name = serde_json::to_value(stream).unwrap_or_default();
                self.connection(name.as_str().unwrap_or_default(), down, now, &mut out);
            }
            SessionEvent::Reconciled { result, .. } if result.differences.is_empty() => {
                self.reconciled_clean(now, &mut out);
            }
            SessionEvent::Stopped(s) => {
                let text = format!("{} session stopped after {} candles", s.mode, s.candles);
                self.stopped(text, now, &mut out);
            }
            _ => {}
        }
        out
    }

    /// [`Watcher::observe`] for an event in its JSON form (as the NATS
    /// event stream carries it): engine events by their `type`, and the
    /// session's own `candle`, `started`, `connection`, `reconciled` and
    /// `stopped`.
    pub fn observe_json(&mut self, event: &serde_json::Value, now: Timestamp) -> Vec<Alert> {
        let mut out = Vec::new();
        let text = |k: &str| {
            event
                .get(k)
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
        };
        match text("type") {
            "candle" | "started" => self.candle(now, &mut out),
            "connection" => {
                let stream = text("stream");
                match text("state") {
                    "disconnected" => self.connection(stream, Some(text("reason")), now, &mut out),
                    "connected" => self.connection(stream, None, now, &mut out),
                    _ => {}
                }
            }
            "reconciled" => {
                let clean = event["result"]["differences"]
                    .as_array()
                    .is_some_and(Vec::is_empty);
                if clean {
                    self.reconciled_clean(now, &mut out);
                }
            }
            "stopped" => {
                let candles = event["candles"].as_u64().unwrap_or_default();
                let text = format!("{} session stopped after {candles} candles", text("mode"));
                self.stopped(text, now, &mut out);
            }
            _ => {
                if let Ok(e) = serde_json::from_value::<EngineEvent>(event.clone()) {
                    self.engine(&e, now, &mut out);
                }
            }
        }
        out
    }

    fn candle(&mut self, now: Timestamp, out: &mut Vec<Alert>) {
        self.last_candle = Some(now);
        self.close("data_stale", "a candle arrived", now, out);
    }

    /// The stream named `stream` (`market_data`, `user_data`) went down
    /// (`Some(reason)`) or came back (`None`).
    fn connection(&mut self, name: &str, down: Option<&str>, now: Timestamp, out: &mut Vec<Alert>) {
        let key = format!("disconnected:{name}");
        let stream = stream_label(name);
        match down {
            Some(reason) => {
                self.down_since
                    .entry(key)
                    .or_insert((now, format!("{stream}: {reason}")));
            }
            None => {
                self.down_since.remove(&key);
                self.close(&key, &format!("{stream} reconnected"), now, out);
            }
        }
    }

    fn reconciled_clean(&mut self, now: Timestamp, out: &mut Vec<Alert>) {
        self.close(
            "reconciliation",
            "the venue and the session agree again",
            now,
            out,
        );
    }

    fn stopped(&mut self, text: String, now: Timestamp, out: &mut Vec<Alert>) {
        let rule = self.rules.session_stopped.clone();
        self.fire(&rule, "session:stopped", "Session stopped", text, now, out);
    }

    /// The session ended with an error: always critical.
    pub fn crashed(&mut self, error: &str, now: Timestamp) -> Vec<Alert> {
        let mut out = Vec::new();
        if self.rules.session_stopped.enabled {
            let mut a = Alert::new(
                "session:crashed",
                Severity::Critical,
                "Session crashed",
                error,
                now,
            );
            a.session = self.session.clone();
            out.push(a);
        }
        out
    }

    /// The ML model is `days` old.
    pub fn model_age(&mut self, days: u64, now: Timestamp) -> Vec<Alert> {
        let mut out = Vec::new();
        if days > self.rules.model_max_age_days {
            let rule = self.rules.model_stale.clone();
            let text = format!(
                "the model file is {days} days old (limit {})",
                self.rules.model_max_age_days
            );
            self.open_condition(
                &rule,
                "model_stale",
                "ML model is stale",
                text,
                now,
                &mut out,
            );
        }
        out
    }

    /// Conditions that open with time: streams down too long, no candle.
    pub fn tick(&mut self, now: Timestamp) -> Vec<Alert> {
        let mut out = Vec::new();
        let limit = secs(self.rules.disconnected_seconds);
        let overdue: Vec<(String, String)> = self
            .down_since
            .iter()
            .filter(|(_, (since, _))| now.ms() - since.ms() >= limit)
            .map(|(k, (_, why))| (k.clone(), why.clone()))
            .collect();
        for (key, why) in overdue {
            let rule = self.rules.venue_disconnected.clone();
            let text = format!(
                "{why} (down for {} s or more)",
                self.rules.disconnected_seconds
            );
            self.open_condition(&rule, &key, "Venue disconnected", text, now, &mut out);
        }
        if let Some(last) = self.last_candle
            && now.ms() - last.ms() >= secs(self.rules.stale_seconds)
        {
            let rule = self.rules.data_stale.clone();
            let text = format!("no closed candle for {} s", (now.ms() - last.ms()) / 1_000);
            self.open_condition(
                &rule,
                "data_stale",
                "Market data is stale",
                text,
                now,
                &mut out,
            );
        }
        let window = self.rules.rejected_minutes.saturating_mul(60_000);
        while self
            .rejections
            .front()
            .is_some_and(|t| now.ms() - t.ms() > i64::try_from(window).unwrap_or(i64::MAX))
        {
            self.rejections.pop_front();
        }
        if self.rejections.is_empty() {
            self.close(
                "orders_rejected",
                "no order rejected within the window",
                now,
                &mut out,
            );
        }
        out
    }

    fn engine(&mut self, e: &EngineEvent, now: Timestamp, out: &mut Vec<Alert>) {
        match e {
            EngineEvent::BreakerTripped {
                breaker,
                reason,
                cooldown_until,
                ..
            } => {
                let rule = self.rules.breaker_tripped.clone();
                let until = cooldown_until.map_or_else(
                    || "until an operator resets it".to_string(),
                    |t| format!("until {}", t.format_utc()),
                );
                let text = format!("{reason}; orders that add risk are refused {until}");
                let title = format!("Circuit breaker {breaker} tripped");
                self.open_condition(&rule, &format!("breaker:{breaker}"), &title, text, now, out);
            }
            EngineEvent::BreakerReset {
                breaker,
                operator,
                reason,
                ..
            } => {
                let text = format!("reset by {operator}: {reason}");
                self.close(&format!("breaker:{breaker}"), &text, now, out);
            }
            EngineEvent::BreakerCoolingDown {
                breaker, reason, ..
            } => {
                self.close(&format!("breaker:{breaker}"), reason, now, out);
            }
            EngineEvent::ProtectionFailed {
                instrument,
                client_id,
                reason,
                action,
                ..
            } => {
                self.protection(
                    &instrument.to_string(),
                    &client_id.to_string(),
                    reason,
                    *action,
                    now,
                    out,
                );
            }
            EngineEvent::VenueMismatch { differences, .. } => {
                let rule = self.rules.reconciliation_difference.clone();
                let text = differences.join("\n");
                self.open_condition(
                    &rule,
                    "reconciliation",
                    "Reconciliation found differences",
                    text,
                    now,
                    out,
                );
            }
            EngineEvent::OrderRejected {
                client_id, reason, ..
            } => {
                self.rejections.push_back(now);
                self.tick_rejections(&format!("{client_id}: {reason}"), now, out);
            }
            EngineEvent::EquityMark { time, equity, .. } => self.equity(*time, *equity, now, out),
            _ => {}
        }
    }

    fn protection(
        &mut self,
        instrument: &str,
        order: &str,
        reason: &str,
        action: ProtectionAction,
        now: Timestamp,
        out: &mut Vec<Alert>,
    ) {
        let (rule, key, title) = match action {
            ProtectionAction::Exit => (
                self.rules.safety_exit.clone(),
                format!("safety_exit:{instrument}"),
                format!("{instrument}: position closed by the safety exit"),
            ),
            ProtectionAction::ExitRefused => (
                self.rules.safety_exit.clone(),
                format!("safety_exit:{instrument}"),
                format!("{instrument}: safety exit refused, the position needs a person"),
            ),
            ProtectionAction::Covered | ProtectionAction::Retry | ProtectionAction::ExitAgain => (
                self.rules.protection_refused.clone(),
                format!("protection:{instrument}"),
                format!("{instrument}: protective order refused"),
            ),
        };
        let text = format!("order {order}: {reason} (action: {})", action_name(action));
        self.fire(&rule, &key, &title, text, now, out);
    }

    fn tick_rejections(&mut self, last: &str, now: Timestamp, out: &mut Vec<Alert>) {
        let count = self.rules.rejected_count.max(1) as usize;
        if self.rejections.len() >= count {
            let rule = self.rules.orders_rejected.clone();
            let text = format!(
                "{} orders rejected within {} minutes; last: {last}",
                self.rejections.len(),
                self.rules.rejected_minutes
            );
            self.open_condition(&rule, "orders_rejected", "Orders rejected", text, now, out);
        }
    }

    fn equity(&mut self, time: Timestamp, equity: Decimal, now: Timestamp, out: &mut Vec<Alert>) {
        let day = time.ms().div_euclid(DAY_MS);
        let start = match self.day {
            Some((d, start)) if d == day => start,
            _ => {
                // A new day: yesterday's P&L conditions no longer hold.
                self.close("daily_pnl:below", "a new trading day", now, out);
                self.close("daily_pnl:above", "a new trading day", now, out);
                self.day = Some((day, equity));
                equity
            }
        };
        let pnl = equity - start;
        let rule = self.rules.daily_pnl.clone();
        match self.rules.daily_pnl_below {
            Some(below) if pnl <= below => {
                let text = format!("today's P&L is {pnl} (threshold {below}); equity {equity}");
                self.open_condition(
                    &rule,
                    "daily_pnl:below",
                    "Daily loss threshold passed",
                    text,
                    now,
                    out,
                );
            }
            Some(_) => self.close(
                "daily_pnl:below",
                &format!("today's P&L is back to {pnl}"),
                now,
                out,
            ),
            None => {}
        }
        match self.rules.daily_pnl_above {
            Some(above) if pnl >= above => {
                let text = format!("today's P&L is {pnl} (threshold {above}); equity {equity}");
                self.open_condition(
                    &rule,
                    "daily_pnl:above",
                    "Daily profit threshold passed",
                    text,
                    now,
                    out,
                );
            }
            Some(_) => self.close(
                "daily_pnl:above",
                &format!("today's P&L is back to {pnl}"),
                now,
                out,
            ),
            None => {}
        }
    }

    /// A one-off alert (no resolution follows).
    fn fire(
        &mut self,
        rule: &Rule,
        key: &str,
        title: &str,
        text: String,
        now: Timestamp,
        out: &mut Vec<Alert>,
    ) {
        out.extend(self.alert(rule, key, title, text, now));
    }

    /// Opens a condition unless it is open already.
    fn open_condition(
        &mut self,
        rule: &Rule,
        key: &str,
        title: &str,
        text: String,
        now: Timestamp,
        out: &mut Vec<Alert>,
    ) {
        if self.open.contains_key(key) {
            return;
        }
        if let Some(a) = self.alert(rule, key, title, text, now) {
            self.open.insert(key.to_string(), a.clone());
            out.push(a);
        }
    }

    /// Resolves a condition if it is open.
    fn close(&mut self, key: &str, text: &str, now: Timestamp, out: &mut Vec<Alert>) {
        if let Some(a) = self.open.remove(key) {
            out.push(a.resolution(text, now));
        }
    }

    fn alert(
        &self,
        rule: &Rule,
        key: &str,
        title: &str,
        text: String,
        now: Timestamp,
    ) -> Option<Alert> {
        let severity = Severity::parse(&rule.severity)?;
        rule.enabled.then(|| {
            let mut a = Alert::new(key, severity, title, text, now);
            a.session = self.session.clone();
            a
        })
    }
}

fn secs(s: u64) -> i64 {
    i64::try_from(s.saturating_mul(1_000)).unwrap_or(i64::MAX)
}

/// How people call a stream.
fn stream_label(name: &str) -> &str {
    match name {
        "market_data" => "market data",
        "user_data" => "user data stream",
        other => other,
    }
}

fn action_name(action: ProtectionAction) -> &'static str {
    match action {
        ProtectionAction::Covered => "a resting stop still covers the position",
        ProtectionAction::Retry => "sent again at the next bar",
        ProtectionAction::Exit => "closed at market",
        ProtectionAction::ExitAgain => "other orders cancelled, closed at market",
        ProtectionAction::ExitRefused => "the exit failed too",
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
