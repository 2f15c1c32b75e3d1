//! A session running on its own thread, started, observed and stopped from
//! Rust code: the command line runs one, the API server several.

use crate::bus::EventBus;
use crate::error::{SessionError, SessionResult};
use crate::event::Stopped;
use crate::operator::{OperatorCommand, OperatorRequest};
use crate::runner::run_session;
use crate::spec::SessionSpec;
use smc_engine::OperatorDecision;
use std::sync::Arc;
use std::thread::JoinHandle;
use tokio::sync::{mpsc, oneshot, watch};

/// What a session is asked to do about stopping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopRequest {
    Run,
    /// Stop at the next wake-up: after the candle or report in hand, and
    /// in live mode after a final reconciliation with the venue.
    Stop,
    /// Stop at the next wake-up without the final reconciliation: what a
    /// crash between two steps leaves (the journal is whole; the next start
    /// replays it and reconciles).
    Abort,
}

/// Why a session did not take an operator's command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotTaken {
    /// Its queue of commands is full.
    Busy,
    /// It has stopped.
    Stopped,
}

/// What a running session listens to besides its market: stop requests
/// and operators' commands (none for the command line's session).
#[derive(Debug)]
pub struct Controls {
    pub stop: watch::Receiver<StopRequest>,
    pub operator: Option<mpsc::Receiver<OperatorRequest>>,
}

/// Asks a session to stop; cheap to clone (for signal handlers).
#[derive(Debug, Clone)]
pub struct Stopper(Arc<watch::Sender<StopRequest>>);

impl Stopper {
    /// See [`StopRequest::Stop`].
    pub fn stop(&self) {
        self.0.send_if_modified(|r| {
            let run = *r == StopRequest::Run;
            if run {
                *r = StopRequest::Stop;
            }
            run
        });
    }

    /// See [`StopRequest::Abort`].
    pub fn abort(&self) {
        self.0.send_replace(StopRequest::Abort);
    }
}

/// A session on its own thread.
#[derive(Debug)]
pub struct RunningSession {
    stopper: Stopper,
    operator: mpsc::Sender<OperatorRequest>,
    bus: EventBus,
    thread: JoinHandle<SessionResult<Stopped>>,
}

impl RunningSession {
    /// Starts the session `spec` asks for, publishing on `bus` (subscribe
    /// before starting to miss nothing). A session that cannot start ends
    /// at once; [`RunningSession::wait`] tells why.
    pub fn start(spec: SessionSpec, bus: EventBus) -> SessionResult<RunningSession> {
        let (tx, rx) = watch::channel(StopRequest::Run);
        let (operator, commands) = mpsc::channel(64);
        let publisher = bus.clone();
        let controls = Controls {
            stop: rx,
            operator: Some(commands),
        };
        let thread = std::thread::Builder::new()
            .name("smc-session".into())
            .spawn(move || run_session(&spec, &publisher, controls))
            .map_err(|e| SessionError::Setting(format!("starting the session thread: {e}")))?;
        Ok(RunningSession {
            stopper: Stopper(Arc::new(tx)),
            operator,
            bus,
            thread,
        })
    }

    pub fn stopper(&self) -> Stopper {
        self.stopper.clone()
    }

    pub fn stop(&self) {
        self.stopper.stop();
    }

    pub fn abort(&self) {
        self.stopper.abort();
    }

    /// Sends an operator's command to the session; the answer arrives once
    /// the session has journaled and run it (between two candles).
    /// `Err` when the session's command queue is full (it is busy: try
    /// again shortly) or the session has stopped.
    pub fn operate(
        &self,
        command: OperatorCommand,
    ) -> Result<oneshot::Receiver<Result<Vec<OperatorDecision>, String>>, NotTaken> {
        let (reply, answer) = oneshot::channel();
        let request = OperatorRequest { command, reply };
        match self.operator.try_send(request) {
            Ok(()) => Ok(answer),
            Err(mpsc::error::TrySendError::Full(_)) => Err(NotTaken::Busy),
            Err(mpsc::error::TrySendError::Closed(_)) => Err(NotTaken::Stopped),
        }
    }

    pub fn bus(&self) -> &EventBus {
        &self.bus
    }

    /// Whether the session has ended.
    pub fn is_finished(&self) -> bool {
        self.thread.is_finished()
    }

    /// Waits for the session to end; what it did, or why it failed.
    pub fn wait(self) -> SessionResult<Stopped> {
        self.thread
            .join()
            .unwrap_or_else(|_| Err(SessionError::Setting("the session thread panicked".into())))
    }
}
