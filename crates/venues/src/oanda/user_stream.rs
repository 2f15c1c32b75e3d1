//! The transactions stream (`GET {stream}/v3/accounts/{id}/transactions/stream`)
//! as the account's order report stream.
//!
//! Nothing is lost across a reconnect: the id of the last transaction
//! seen is kept (at the first connect, the account's `lastTransactionID`
//! from its summary, read before the stream opens); after each (re)connect
//! the transactions since it are fetched (`…/transactions/sinceid`) and
//! delivered before anything the new stream sends, and a heartbeat whose
//! `lastTransactionID` is ahead of it fetches the gap the same way. Ids
//! already delivered are skipped, so each transaction is delivered once.
//! `Connected` is said once the catch-up is done.

use super::error::OandaError;
use super::rest::OandaRest;
use super::stream_conn::{Lines, StreamOpener, reconnect_backoff};
use super::transactions::{RawTransaction, parse_transaction};
use crate::stream::UserStreamEvent;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// A running transactions stream. Dropping it stops it.
#[derive(Debug)]
pub struct TransactionStream {
    task: JoinHandle<()>,
}

impl Drop for TransactionStream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Driver {
    rest: OandaRest,
    out: mpsc::Sender<UserStreamEvent>,
    /// The last transaction id delivered.
    last: u64,
}

impl TransactionStream {
    /// Starts the stream of `rest`'s account at `stream_base`.
    pub async fn start(
        rest: OandaRest,
        opener: StreamOpener,
        stream_base: &str,
    ) -> Result<(TransactionStream, mpsc::Receiver<UserStreamEvent>), OandaError> {
        if rest.token().is_none() {
            return Err(OandaError::Config(
                "the transactions stream needs a token".into(),
            ));
        }
        let summary = rest.summary().await?;
        let last = summary.last_transaction_id.parse().unwrap_or(0);
        let path = rest.account_path("/transactions/stream").await?;
        let url = format!("{}{path}", stream_base.trim_end_matches('/'));
        let (tx, rx) = mpsc::channel(1024);
        let mut driver = Driver {
            rest,
            out: tx,
            last,
        };
        let task = tokio::spawn(async move { driver.run(opener, url).await });
        Ok((TransactionStream { task }, rx))
    }
}

impl Driver {
    async fn emit(&self, ev: UserStreamEvent) -> bool {
        self.out.send(ev).await.is_ok()
    }

    async fn run(&mut self, opener: StreamOpener, url: String) {
        let mut backoff = reconnect_backoff();
        let mut reconnect = false;
        loop {
            match opener.open(&url).await {
                Ok(mut lines) => {
                    backoff.reset();
                    if !self.catch_up().await {
                        // The catch-up failed: reconnect and try again
                        // rather than report a gap as connected.
                        drop(lines);
                    } else {
                        if !self.emit(UserStreamEvent::Connected { reconnect }).await {
                            return;
                        }
                        reconnect = true;
                        let reason = match self.read(&mut lines).await {
                            Some(r) => r,
                            None => return,
                        };
                        if !self.emit(UserStreamEvent::Disconnected { reason }).await {
                            return;
                        }
                    }
                }
                Err(reason) => {
                    tracing::warn!(%reason, "OANDA transactions stream failed to open");
                    if reconnect && !self.emit(UserStreamEvent::Disconnected { reason }).await {
                        return;
                    }
                }
            }
            tokio::time::sleep(backoff.next_delay()).await;
        }
    }

    /// Delivers what happened after `last`; false if it could not be read.
    async fn catch_up(&mut self) -> bool {
        let since = self.last.to_string();
        match self.rest.transactions_since(&since).await {
            Ok((list, _)) => {
                for t in list {
                    if !self.deliver(&t).await {
                        return false;
                    }
                }
                true
            }
            Err(e) => {
                tracing::warn!(%e, "OANDA transactions catch-up failed");
                false
            }
        }
    }

    /// Delivers one transaction unless already delivered; false when the
    /// consumer is gone.
    async fn deliver(&mut self, t: &RawTransaction) -> bool {
        let id = t.id_num();
        if id.is_some_and(|i| i <= self.last) {
            return true;
        }
        let ev = match t.event() {
            Ok(e) => UserStreamEvent::Event(e),
            Err(e) => UserStreamEvent::Malformed(e.to_string()),
        };
        if let Some(i) = id {
            self.last = i;
        }
        self.emit(ev).await
    }

    /// Reads lines until the stream ends (`Some(reason)`) or the consumer
    /// is gone (`None`).
    async fn read(&mut self, lines: &mut Lines) -> Option<String> {
        loop {
            let line = match lines.next().await {
                Ok(l) => l,
                Err(reason) => return Some(reason),
            };
            let t = match parse_transaction(&line) {
                Ok(t) => t,
                Err(e) => {
                    if !self.emit(UserStreamEvent::Malformed(e.to_string())).await {
                        return None;
                    }
                    continue;
                }
            };
            if t.kind == "HEARTBEAT" {
                let ahead = t
                    .last_transaction_id
                    .as_deref()
                    .and_then(|l| l.parse::<u64>().ok())
                    .is_some_and(|l| l > self.last);
                if ahead && !self.catch_up().await {
                    return Some("catch-up after a heartbeat failed".into());
                }
                if self.out.is_closed() {
                    return None;
                }
                continue;
            }
            if !self.deliver(&t).await {
                return None;
            }
        }
    }
}
