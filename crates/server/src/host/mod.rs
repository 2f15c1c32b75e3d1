//! The sessions `smc serve` hosts: each a runtime session on its own
//! thread with its own journal file under `api.sessions_dir` (a journal
//! belongs to one session), its events folded into a [`view::View`] for
//! the REST API, counted in the metrics and fanned out on the hub.

/// The live SMC detections of a session's candles.
pub mod detections;
/// Equity at the start of the day and at its peak.
pub mod equity;
/// Stream states and candle-to-order times of a session.
pub mod health;
/// What `POST /sessions` asks for.
pub mod request;
/// Exposure groups and VaR of a session.
pub mod risk_view;
/// The setup behind each order.
pub mod setups;
/// What the API shows of a session.
pub mod view;

use crate::hub::Hub;
use request::SessionRequest;
use serde::Serialize;
use smc_metrics::Metrics;
use smc_runtime::{EventBus, RunningSession, SessionSpec};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use view::View;

/// Where a hosted session is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    /// Defined (from the config) and not started.
    Ready,
    Running,
    Stopping,
    Stopped,
    /// Ended with an error (`error` says which).
    Failed,
}

/// One hosted session.
pub struct Hosted {
    pub id: String,
    pub request: SessionRequest,
    pub state: SessionState,
    pub error: Option<String>,
    pub started_at: Option<i64>,
    pub view: Arc<Mutex<View>>,
    running: Option<RunningSession>,
    /// Its alerting, when its config has an `alerts` section.
    alerts: Option<smc_alerts::session::Attached>,
}

/// The answer to an operator's command, once the session has run it.
pub type Answer = tokio::sync::oneshot::Receiver<Result<Vec<smc_engine::OperatorDecision>, String>>;

/// The sessions, by id.
#[derive(Default)]
pub struct SessionHost {
    sessions: Mutex<BTreeMap<String, Hosted>>,
}

impl SessionHost {
    /// Defines a session without starting it.
    pub fn define(&self, id: &str, request: SessionRequest) {
        self.lock().insert(
            id.to_string(),
            Hosted {
                id: id.to_string(),
                request,
                state: SessionState::Ready,
                error: None,
                started_at: None,
                view: Arc::default(),
                running: None,
                alerts: None,
            },
        );
    }

    /// Starts session `id` (defining it from `request` if new) from `spec`;
    /// its events feed the view, the metrics and the hub.
    pub fn start(
        &self,
        id: &str,
        request: SessionRequest,
        spec: SessionSpec,
        now_ms: i64,
        metrics: &Metrics,
        hub: &Hub,
    ) -> Result<(), String> {
        let bus = EventBus::new();
        let events = bus.subscribe_lossless(4_096);
        // On NATS when configured; dropped here, it drains by itself when
        // the session ends (its bus closes) and logs what it could not send.
        smc_stream::session::attach(id, &spec, &bus).map_err(|e| e.to_string())?;
        let alerts =
            smc_alerts::session::attach_spec(id, &spec, &bus).map_err(|e| e.to_string())?;
        let var_window = spec
            .config
            .as_ref()
            .map_or(500, |c| c.risk_manager.var_window);
        let view = Arc::new(Mutex::new(View::new(var_window)));
        let detectors = spec
            .config
            .as_ref()
            .map(|c| c.smc.clone())
            .unwrap_or_default();
        let outputs = Outputs {
            view: view.clone(),
            metrics: metrics.clone(),
            hub: hub.clone(),
            detections: detections::LiveDetections::new(detectors),
        };
        forward(id, events, outputs)?;
        let running = RunningSession::start(spec, bus).map_err(|e| e.to_string())?;
        self.lock().insert(
            id.to_string(),
            Hosted {
                id: id.to_string(),
                request,
                state: SessionState::Running,
                error: None,
                started_at: Some(now_ms),
                view,
                running: Some(running),
                alerts,
            },
        );
        Ok(())
    }

    /// Asks session `id` to stop; false when it is not running.
    pub fn stop(&self, id: &str) -> Option<bool> {
        let mut sessions = self.lock();
        let hosted = sessions.get_mut(id)?;
        match &hosted.running {
            Some(r) if hosted.state == SessionState::Running => {
                r.stop();
                hosted.state = SessionState::Stopping;
                Some(true)
            }
            _ => Some(false),
        }
    }

    /// Sends an operator's command to running session `id`: `None` when
    /// there is no such session, `Some(Err)` when it is not running.
    pub fn operate(
        &self,
        id: &str,
        command: smc_runtime::OperatorCommand,
    ) -> Option<Result<Result<Answer, smc_runtime::NotTaken>, SessionState>> {
        let mut sessions = self.lock();
        let hosted = sessions.get_mut(id)?;
        reap(hosted);
        Some(match (&hosted.running, hosted.state) {
            (Some(r), SessionState::Running) => Ok(r.operate(command)),
            (_, state) => Err(state),
        })
    }

    /// Runs `read` over every session, after noting the ones that ended.
    pub fn with_sessions<T>(&self, read: impl FnOnce(&BTreeMap<String, Hosted>) -> T) -> T {
        let mut sessions = self.lock();
        for hosted in sessions.values_mut() {
            reap(hosted);
        }
        read(&sessions)
    }

    /// Stops every running session and waits for each to end (shutdown).
    pub fn stop_all(&self) {
        let (running, alerts): (Vec<RunningSession>, Vec<_>) = {
            let mut sessions = self.lock();
            sessions
                .values_mut()
                .filter_map(|h| h.running.take().map(|r| (r, h.alerts.take())))
                .unzip()
        };
        for r in &running {
            r.stop();
        }
        for (r, a) in running.into_iter().zip(alerts) {
            let error = r.wait().err().map(|e| e.to_string());
            if let Some(e) = &error {
                tracing::warn!("a session ended with an error at shutdown: {e}");
            }
            if let Some(a) = a {
                a.finish(error.as_deref(), std::time::Duration::from_secs(5));
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Hosted>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Collects the outcome of a session whose thread has ended.
fn reap(hosted: &mut Hosted) {
    if !hosted
        .running
        .as_ref()
        .is_some_and(RunningSession::is_finished)
    {
        return;
    }
    if let Some(r) = hosted.running.take() {
        match r.wait() {
            Ok(_) => hosted.state = SessionState::Stopped,
            Err(e) => {
                hosted.state = SessionState::Failed;
                hosted.error = Some(e.to_string());
            }
        }
        // Off the sessions' lock: delivering what is due may take seconds.
        if let Some(alerts) = hosted.alerts.take() {
            let error = hosted.error.clone();
            std::thread::spawn(move || {
                alerts.finish(error.as_deref(), std::time::Duration::from_secs(10));
            });
        }
    }
}

/// Where a session's events go.
struct Outputs {
    view: Arc<Mutex<View>>,
    metrics: Metrics,
    hub: Hub,
    detections: detections::LiveDetections,
}

/// A thread that drains the session's bus into its view, the metrics and
/// the hub (with the detections its candles make). Lossless: the view
/// must see every event; the hub and metrics never block, so the session
/// waits only on this fold.
fn forward(id: &str, mut events: smc_runtime::Lossless, mut out: Outputs) -> Result<(), String> {
    let id = id.to_string();
    std::thread::Builder::new()
        .name(format!("smc-host-{id}"))
        .spawn(move || {
            while let Some(event) = events.recv_blocking() {
                let setup = {
                    let mut view = out.view.lock().unwrap_or_else(PoisonError::into_inner);
                    view.apply(&event);
                    fill_setup(&view, &event)
                };
                out.metrics.observe(&id, &event);
                let mut frame = serde_json::json!({"session": id, "event": &*event});
                if let (Some(setup), Some(body)) = (setup, frame["event"].as_object_mut()) {
                    body.insert("setup".into(), setup.into());
                }
                out.hub.publish(view::topic(&event), &frame);
                if let smc_runtime::SessionEvent::Candle(closed) = &*event {
                    let found = out.detections.on_candle(closed);
                    for found in found {
                        out.hub.publish(
                            "detections",
                            &serde_json::json!({"session": id, "symbol": closed.symbol, "event": found}),
                        );
                    }
                    if !found.is_empty() {
                        let timeframe = closed.timeframe.to_string();
                        let mut view = out.view.lock().unwrap_or_else(PoisonError::into_inner);
                        for f in found {
                            if let Ok(f) = serde_json::to_value(f) {
                                view.detected(&closed.symbol, &timeframe, f);
                            }
                        }
                    }
                }
            }
        })
        .map(drop)
        .map_err(|e| format!("starting the session's event thread: {e}"))
}

/// The setup of the order a fill event filled, for its stream message.
fn fill_setup(view: &view::View, event: &smc_runtime::SessionEvent) -> Option<String> {
    match event {
        smc_runtime::SessionEvent::Engine(smc_model::EngineEvent::Fill(fill)) => {
            view.setups.get(fill.client_id.as_str()).map(str::to_string)
        }
        _ => None,
    }
}
