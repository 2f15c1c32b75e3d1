//! The background writer of the journal log: applies each logged step to
//! the database (SQLite or PostgreSQL) in log order, off the session's
//! thread, and lets a reader wait until everything logged is applied.

use super::record::LogStep;
use crate::error::StoreError;
use crate::journal::Journal;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

/// The database the steps go to, shared with the session's reads.
pub(crate) type Database = Arc<Mutex<Box<dyn Journal>>>;

pub(crate) fn lock(db: &Database) -> MutexGuard<'_, Box<dyn Journal>> {
    // A panic while applying stops the session anyway; the connection
    // itself is still usable for the reads that report it.
    db.lock().unwrap_or_else(PoisonError::into_inner)
}

#[derive(Default)]
struct Progress {
    /// Steps logged and not yet applied.
    pending: usize,
    /// The first step the database refused: nothing is applied after it.
    failure: Option<String>,
}

#[derive(Default)]
struct Shared {
    progress: Mutex<Progress>,
    changed: Condvar,
}

impl Shared {
    fn progress(&self) -> MutexGuard<'_, Progress> {
        self.progress.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The writer thread and its queue.
pub(crate) struct Applier {
    queue: Option<Sender<(u64, LogStep)>>,
    thread: Option<JoinHandle<()>>,
    shared: Arc<Shared>,
    url: String,
}

impl Applier {
    pub(crate) fn start(db: Database) -> Result<Applier, StoreError> {
        let url = lock(&db).url().to_string();
        let shared = Arc::new(Shared::default());
        let (queue, steps) = channel();
        let thread = std::thread::Builder::new()
            .name("journal-writer".into())
            .spawn({
                let shared = shared.clone();
                move || apply_all(&db, &steps, &shared)
            })
            .map_err(|e| StoreError::Log {
                path: url.clone(),
                message: format!("cannot start the journal writer: {e}"),
            })?;
        Ok(Applier {
            queue: Some(queue),
            thread: Some(thread),
            shared,
            url,
        })
    }

    /// Queues a logged step for the database; fails when an earlier step
    /// was refused (the session must stop: its journal is behind).
    pub(crate) fn push(&self, seq: u64, step: LogStep) -> Result<(), StoreError> {
        {
            let mut progress = self.shared.progress();
            if let Some(f) = &progress.failure {
                return Err(self.failed(f));
            }
            progress.pending += 1;
        }
        let sent = self
            .queue
            .as_ref()
            .is_some_and(|q| q.send((seq, step)).is_ok());
        if !sent {
            self.shared.progress().pending -= 1;
            return Err(self.failed("the journal writer stopped"));
        }
        Ok(())
    }

    /// Waits until every queued step is applied; fails when one was refused.
    pub(crate) fn drain(&self) -> Result<(), StoreError> {
        let mut progress = self.shared.progress();
        while progress.pending > 0 && progress.failure.is_none() {
            progress = self
                .shared
                .changed
                .wait(progress)
                .unwrap_or_else(PoisonError::into_inner);
        }
        match &progress.failure {
            Some(f) => Err(self.failed(f)),
            None => Ok(()),
        }
    }

    fn failed(&self, message: &str) -> StoreError {
        StoreError::Log {
            path: self.url.clone(),
            message: format!("applying a logged step: {message}"),
        }
    }

    /// Applies what is queued, then stops the thread.
    pub(crate) fn finish(&mut self) {
        self.queue.take();
        if let Some(thread) = self.thread.take() {
            // A panic on the writer was already a failure the session saw.
            let _ = thread.join();
        }
    }
}

impl Drop for Applier {
    fn drop(&mut self) {
        self.finish();
    }
}

fn apply_all(db: &Database, steps: &Receiver<(u64, LogStep)>, shared: &Shared) {
    for (seq, step) in steps.iter() {
        let failed = shared.progress().failure.is_some();
        let result = if failed {
            Ok(())
        } else {
            lock(db).apply_logged_step(seq, step.candle.as_ref(), &step.events)
        };
        let mut progress = shared.progress();
        progress.pending -= 1;
        if let Err(e) = result {
            progress.failure = Some(format!("record {seq}: {e}"));
        }
        shared.changed.notify_all();
    }
}
