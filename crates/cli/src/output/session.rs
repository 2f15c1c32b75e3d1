//! What `smc run` prints of a session: engine events and reconciliations
//! as JSON lines on stdout (for machines), everything else as status lines
//! in the log (stderr, for people or as JSON lines).

use smc_runtime::event::Level;
use smc_runtime::{Connection, Latency, Lossless, Mode, SessionEvent, Started, Stopped, Stream};
use std::io::Write;
use std::thread::JoinHandle;

/// Prints the session's events until it ends. A closed stdout ends the
/// printer (and the subscription, so the session never waits on it).
pub fn spawn_printer(mut events: Lossless) -> JoinHandle<std::io::Result<()>> {
    std::thread::spawn(move || {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let mut mode = "session".to_string();
        while let Some(event) = events.recv_blocking() {
            match &*event {
                SessionEvent::Engine(_)
                | SessionEvent::Reconciled { .. }
                | SessionEvent::Route(_) => {
                    let line = serde_json::to_string(&*event).map_err(std::io::Error::other)?;
                    writeln!(out, "{line}")?;
                    out.flush()?;
                }
                SessionEvent::Started(s) => {
                    mode = s.mode.to_string();
                    tracing::info!("{}", started(s));
                }
                SessionEvent::Connection { stream, change } => match change {
                    Connection::Connected { .. } => {
                        tracing::info!("{mode}: {}", connection(*stream, change))
                    }
                    _ => tracing::warn!("{mode}: {}", connection(*stream, change)),
                },
                SessionEvent::Notice { level, message } => match level {
                    Level::Info => tracing::info!("{mode}: {message}"),
                    Level::Warn => tracing::warn!("{mode}: {message}"),
                    Level::Error => tracing::error!("{mode}: {message}"),
                },
                SessionEvent::Stopped(s) => stopped(s),
                // The candles are the session's input, not news.
                SessionEvent::Candle(_) => {}
            }
        }
        Ok(())
    })
}

fn started(s: &Started) -> String {
    let symbols = s.symbols.join(", ");
    let (tf, db, venue) = (s.timeframe, &s.database, &s.venue);
    match (s.mode, &s.starting_balance) {
        (Mode::Live, Some((cash, quote))) => format!(
            "live: {symbols} {tf} on {venue} (database {db}; {} candles and {} venue reports replayed; starting balance {cash} {quote})",
            s.replayed_candles, s.replayed_reports
        ),
        _ => format!(
            "{}: {symbols} {tf} from {venue} (database {db}; {} candles replayed)",
            s.mode, s.replayed_candles
        ),
    }
}

fn connection(stream: Stream, change: &Connection) -> String {
    match change {
        Connection::Connected { reconnect: false } => format!("{stream}: connected"),
        Connection::Connected { reconnect: true } if stream == Stream::UserData => {
            format!("{stream} connected again; reconciling")
        }
        Connection::Connected { reconnect: true } => format!("{stream}: connected again"),
        Connection::Disconnected { reason } => {
            format!("{stream}: disconnected ({reason}); reconnecting")
        }
        Connection::Malformed { detail } => format!("{stream}: skipped a frame: {detail}"),
    }
}

fn stopped(s: &Stopped) {
    match s.differences {
        Some(d) => tracing::info!(
            "{}: stopped after {} candles; {d} differences with the venue",
            s.mode,
            s.candles
        ),
        None => tracing::info!("{}: stopped after {} candles", s.mode, s.candles),
    }
    if let Some(Latency {
        p50_us,
        p99_us,
        orders,
    }) = s.latency
    {
        tracing::info!(
            "{}: candle in to order out (journaled, published): p50 {p50_us} µs, p99 {p99_us} µs over {orders} orders",
            s.mode
        );
    }
}
