//! The WebSocket client every venue stream sits on.
//!
//! One task owns the connection. It sends a ping every `ping_interval` and
//! declares the connection dead when nothing arrived for `idle_timeout`;
//! on any loss it reconnects after a capped, jittered backoff, sends the
//! on-connect frames (built fresh each time, so signed frames carry a new
//! timestamp), then replays every subscription. The consumer sees
//! [`WsEvent::Connected`] with `reconnect: true` after a loss, which is its
//! cue to backfill and reconcile.

use super::backoff::Backoff;
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

/// Builds the frames to send right after each connect (logon, user-stream
/// subscription…).
pub type FrameFactory = Arc<dyn Fn() -> Vec<String> + Send + Sync>;

/// Connection settings.
#[derive(Clone)]
pub struct WsConfig {
    pub url: String,
    pub ping_interval: Duration,
    /// No frame at all for this long means the connection is dead.
    pub idle_timeout: Duration,
    pub connect_timeout: Duration,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    pub seed: u64,
    /// Frames sent after every connect, before the subscriptions.
    pub on_connect: Option<FrameFactory>,
    /// Events buffered for a slow consumer before the reader waits.
    pub channel_capacity: usize,
}

impl std::fmt::Debug for WsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WsConfig")
            .field("url", &self.url)
            .field("ping_interval", &self.ping_interval)
            .field("idle_timeout", &self.idle_timeout)
            .finish_non_exhaustive()
    }
}

impl WsConfig {
    pub fn new(url: impl Into<String>) -> Self {
        WsConfig {
            url: url.into(),
            ping_interval: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            backoff_base: Duration::from_millis(250),
            backoff_cap: Duration::from_secs(30),
            seed: 0x5eed,
            on_connect: None,
            channel_capacity: 4096,
        }
    }
}

/// What the client reports to its consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WsEvent {
    /// Connected and (re)subscribed. `reconnect` is true after a loss.
    Connected { reconnect: bool },
    /// A text frame from the venue.
    Text(String),
    /// The connection was lost (or could not be made); a reconnect follows.
    Disconnected { reason: String },
}

enum Command {
    Subscribe(String),
    Send(String),
    Reconnect(Option<String>),
    Close,
}

/// Handle of a running connection task. Dropping every handle closes it.
#[derive(Debug, Clone)]
pub struct WsClient {
    commands: mpsc::UnboundedSender<Command>,
}

impl WsClient {
    /// Starts the connection task; events arrive on the returned receiver.
    pub fn spawn(config: WsConfig) -> (WsClient, mpsc::Receiver<WsEvent>) {
        let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
        let (ev_tx, ev_rx) = mpsc::channel(config.channel_capacity.max(1));
        tokio::spawn(run(config, cmd_rx, ev_tx));
        (WsClient { commands: cmd_tx }, ev_rx)
    }

    /// Sends `frame` now (if connected) and again after every reconnect.
    pub fn subscribe(&self, frame: impl Into<String>) {
        let _ = self.commands.send(Command::Subscribe(frame.into()));
    }

    /// Sends `frame` once, if connected.
    pub fn send(&self, frame: impl Into<String>) {
        let _ = self.commands.send(Command::Send(frame.into()));
    }

    /// Drops the connection and connects again, to `url` if given.
    pub fn reconnect(&self, url: Option<String>) {
        let _ = self.commands.send(Command::Reconnect(url));
    }

    /// Closes the connection and ends the task.
    pub fn close(&self) {
        let _ = self.commands.send(Command::Close);
    }
}

/// How a connected session ended.
enum End {
    Lost(String),
    Reconnect(Option<String>),
    Close,
}

async fn run(
    mut config: WsConfig,
    mut commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::Sender<WsEvent>,
) {
    let mut subscriptions: Vec<String> = Vec::new();
    let mut backoff = Backoff::new(config.backoff_base, config.backoff_cap, config.seed);
    let mut connected_before = false;
    loop {
        let end = match tokio::time::timeout(
            config.connect_timeout,
            tokio_tungstenite::connect_async(config.url.as_str()),
        )
        .await
        {
            Ok(Ok((stream, _))) => {
                let reconnect = connected_before;
                connected_before = true;
                tracing::debug!(reconnect, "websocket connected");
                session(
                    stream,
                    &config,
                    &mut subscriptions,
                    &mut commands,
                    &events,
                    &mut backoff,
                    reconnect,
                )
                .await
            }
            Ok(Err(e)) => End::Lost(format!("connect to {} failed: {e}", config.url)),
            Err(_) => End::Lost(format!("connect to {} timed out", config.url)),
        };
        match end {
            End::Close => return,
            End::Reconnect(url) => {
                if let Some(u) = url {
                    config.url = u;
                }
                continue;
            }
            End::Lost(reason) => {
                tracing::warn!(url = %config.url, %reason, "websocket lost");
                if events.send(WsEvent::Disconnected { reason }).await.is_err() {
                    return;
                }
            }
        }
        // Wait before reconnecting, still obeying commands.
        let sleep = tokio::time::sleep(backoff.next_delay());
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                () = &mut sleep => break,
                cmd = commands.recv() => match cmd {
                    None | Some(Command::Close) => return,
                    Some(Command::Subscribe(f)) => subscriptions.push(f),
                    Some(Command::Send(f)) => {
                        tracing::warn!(frame = %f, "websocket down: frame not sent");
                    }
                    Some(Command::Reconnect(url)) => {
                        if let Some(u) = url {
                            config.url = u;
                        }
                        break;
                    }
                },
            }
        }
    }
}

type Stream =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn session(
    stream: Stream,
    config: &WsConfig,
    subscriptions: &mut Vec<String>,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    events: &mpsc::Sender<WsEvent>,
    backoff: &mut Backoff,
    reconnect: bool,
) -> End {
    let (mut sink, mut source) = stream.split();
    let on_connect = config.on_connect.as_ref().map(|f| f()).unwrap_or_default();
    for frame in on_connect.into_iter().chain(subscriptions.iter().cloned()) {
        if let Err(e) = sink.send(Message::Text(frame.into())).await {
            return End::Lost(format!("subscribe failed: {e}"));
        }
    }
    if events.send(WsEvent::Connected { reconnect }).await.is_err() {
        return End::Close;
    }
    let mut ping = tokio::time::interval(config.ping_interval);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ping.tick().await; // the first tick is immediate
    let mut last_rx = Instant::now();
    let mut healthy = false;
    loop {
        tokio::select! {
            frame = source.next() => {
                last_rx = Instant::now();
                match frame {
                    Some(Ok(Message::Text(t))) => {
                        if !healthy {
                            healthy = true;
                            backoff.reset();
                        }
                        if events.send(WsEvent::Text(t.as_str().to_owned())).await.is_err() {
                            return End::Close;
                        }
                    }
                    Some(Ok(Message::Close(c))) => {
                        return End::Lost(format!("closed by the venue: {c:?}"));
                    }
                    Some(Ok(_)) => {} // ping (answered by the library), pong, binary
                    Some(Err(e)) => return End::Lost(format!("read failed: {e}")),
                    None => return End::Lost("stream ended".into()),
                }
            }
            cmd = commands.recv() => match cmd {
                None | Some(Command::Close) => {
                    let _ = sink.close().await;
                    return End::Close;
                }
                Some(Command::Subscribe(f)) => {
                    subscriptions.push(f.clone());
                    if let Err(e) = sink.send(Message::Text(f.into())).await {
                        return End::Lost(format!("subscribe failed: {e}"));
                    }
                }
                Some(Command::Send(f)) => {
                    if let Err(e) = sink.send(Message::Text(f.into())).await {
                        return End::Lost(format!("send failed: {e}"));
                    }
                }
                Some(Command::Reconnect(url)) => {
                    let _ = sink.close().await;
                    return End::Reconnect(url);
                }
            },
            _ = ping.tick() => {
                if last_rx.elapsed() > config.idle_timeout {
                    return End::Lost(format!("no frame for {:?}", config.idle_timeout));
                }
                if let Err(e) = sink.send(Message::Ping(Default::default())).await {
                    return End::Lost(format!("ping failed: {e}"));
                }
            }
        }
    }
}
