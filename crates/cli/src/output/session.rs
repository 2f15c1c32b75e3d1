//! What `smc run` prints of a session: engine events and reconciliations
//! as JSON lines on stdout (for machines), everything else as status lines
//! in the log (stderr, for people or as JSON lines).

use smc_runtime::event::Level;
use smc_runtime::{Connection, Latency, Lossless, Mode, SessionEvent, Started, Stopped, Stream};
use std::io::Write;
use std::thread::JoinHandle;

/// Prints the session's events until it ends. A closed stdout ends the
/// printer (and the subscription, so the session never waits on it).
/// With a `label` (a portfolio's session name), each JSON line carries it
/// as `"session"` and each status line starts with it.
pub fn spawn_printer(
    mut events: Lossless,
    label: Option<String>,
) -> JoinHandle<std::io::Result<()>> {
    std::thread::spawn(move || {
        let stdout = std::io::stdout();
        let mut mode = "session".to_string();
        while let Some(event) = events.recv_blocking() {
            match &*event {
                SessionEvent::Engine(_)
                | SessionEvent::Reconciled { .. }
                | SessionEvent::Route(_) => {
                    let line = json_line(&event, label.as_deref())?;
                    // One line at a time: a portfolio's printers share stdout.
                    let mut out = stdout.lock();
                    writeln!(out, "{line}")?;
                    out.flush()?;
                }
                SessionEvent::Started(s) => {
                    mode = match &label {
                        Some(name) => format!("{name} {}", s.mode),
                        None => s.mode.to_string(),
                    };
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
                SessionEvent::Stopped(s) => stopped(&mode, s),
                // The candles are the session's input, not news.
                SessionEvent::Candle(_) => {}
            }
        }
        Ok(())
    })
}

fn json_line(event: &SessionEvent, label: Option<&str>) -> std::io::Result<String> {
    let Some(name) = label else {
        return serde_json::to_string(event).map_err(std::io::Error::other);
    };
    let mut value = serde_json::to_value(event).map_err(std::io::Error::other)?;
    if let Some(fields) = value.as_object_mut() {
        fields.insert("session".into(), name.into());
    }
    Ok(value.to_string())
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

fn stopped(mode: &str, s: &Stopped) {
    match s.differences {
        Some(d) => tracing::info!(
            "{mode}: stopped after {} candles; {d} differences with the venue",
            s.candles
        ),
        None => tracing::info!("{mode}: stopped after {} candles", s.candles),
    }
    if let Some(a) = &s.account {
        tracing::info!(
            "{mode}: equity {} {} (P&L {}), {} closed trades",
            a.equity.round_dp(2),
            a.currency,
            a.pnl.round_dp(2),
            a.trades
        );
    }
    if let Some(Latency {
        p50_us,
        p99_us,
        p999_us,
        max_us,
        orders,
    }) = s.latency
    {
        tracing::info!(
            "{mode}: candle in to order out (journaled, released): p50 {p50_us} µs, p99 {p99_us} µs, p99.9 {p999_us} µs, max {max_us} µs over {orders} orders"
        );
    }
}
