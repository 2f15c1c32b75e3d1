//! A hosted session's health as its events tell it, for `GET /system` and
//! the hub's `system` snapshots: each venue stream's connection state, the
//! reconnects, the last candle processed and the candle-to-order times of
//! its most recent candles that sent an order (a bounded window).

use serde::Serialize;
use smc_runtime::{Connection, SessionEvent, Stream};
use std::collections::VecDeque;
use utoipa::ToSchema;

/// Candle-to-order times kept per session (the most recent ones).
pub const LATENCY_WINDOW: usize = 1_024;

/// A venue stream's connection, as last reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StreamState {
    Connected,
    Disconnected,
}

/// Quantiles of candle-to-order times, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct LatencyQuantiles {
    pub p50: u64,
    pub p99: u64,
    /// Candles the quantiles are over (at most 1,024, the most recent
    /// that sent an order).
    pub count: usize,
}

/// What the events say of a session's health.
#[derive(Debug, Default, Clone)]
pub struct Health {
    /// Market data stream; `None` until the runtime reports it.
    pub market_stream: Option<StreamState>,
    /// User data stream (live only); `None` until reported.
    pub user_stream: Option<StreamState>,
    /// Reconnections of either stream.
    pub reconnects: u64,
    /// Open time (epoch ms) of the last candle processed.
    pub last_candle_time: Option<i64>,
    candle_to_order_us: VecDeque<u64>,
}

impl Health {
    /// Folds one event in.
    pub fn apply(&mut self, event: &SessionEvent) {
        match event {
            SessionEvent::Connection { stream, change } => {
                let state = match change {
                    Connection::Connected { reconnect } => {
                        if *reconnect {
                            self.reconnects += 1;
                        }
                        StreamState::Connected
                    }
                    Connection::Disconnected { .. } => StreamState::Disconnected,
                    // A skipped frame says nothing about the connection.
                    Connection::Malformed { .. } => return,
                };
                match stream {
                    Stream::MarketData => self.market_stream = Some(state),
                    Stream::UserData => self.user_stream = Some(state),
                }
            }
            SessionEvent::Candle(closed) => {
                self.last_candle_time = Some(closed.candle.open_time.ms());
                if let Some(us) = closed.candle_to_order_us {
                    if self.candle_to_order_us.len() == LATENCY_WINDOW {
                        self.candle_to_order_us.pop_front();
                    }
                    self.candle_to_order_us.push_back(us);
                }
            }
            SessionEvent::Stopped(_) => {
                for s in [&mut self.market_stream, &mut self.user_stream] {
                    if s.is_some() {
                        *s = Some(StreamState::Disconnected);
                    }
                }
            }
            _ => {}
        }
    }

    /// p50 and p99 of the kept candle-to-order times; `None` before a
    /// candle has sent an order.
    pub fn candle_to_order(&self) -> Option<LatencyQuantiles> {
        let mut sorted: Vec<u64> = self.candle_to_order_us.iter().copied().collect();
        sorted.sort_unstable();
        Some(LatencyQuantiles {
            p50: nearest_rank(&sorted, 0.50)?,
            p99: nearest_rank(&sorted, 0.99)?,
            count: sorted.len(),
        })
    }
}

/// The nearest-rank `q` quantile of `sorted` (ascending); `None` if empty.
pub fn nearest_rank<T: Copy>(sorted: &[T], q: f64) -> Option<T> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use smc_runtime::CandleClosed;

    fn candle(open_ms: i64, us: Option<u64>) -> SessionEvent {
        let one = rust_decimal::Decimal::ONE;
        let candle = smc_model::Candle {
            open_time: smc_model::Timestamp::from_ms(open_ms),
            open: one,
            high: one,
            low: one,
            close: one,
            volume: one,
        };
        SessionEvent::Candle(CandleClosed {
            symbol: "BTCUSDT".into(),
            timeframe: "1m".parse().unwrap(),
            candle,
            candle_to_order_us: us,
        })
    }

    #[test]
    fn streams_reconnects_and_a_bounded_latency_window() {
        let mut h = Health::default();
        assert_eq!(h.candle_to_order(), None);
        h.apply(&SessionEvent::Connection {
            stream: Stream::MarketData,
            change: Connection::Connected { reconnect: false },
        });
        h.apply(&SessionEvent::Connection {
            stream: Stream::MarketData,
            change: Connection::Malformed { detail: "x".into() },
        });
        assert_eq!(h.market_stream, Some(StreamState::Connected));
        assert_eq!(h.user_stream, None);
        h.apply(&SessionEvent::Connection {
            stream: Stream::UserData,
            change: Connection::Disconnected {
                reason: "eof".into(),
            },
        });
        h.apply(&SessionEvent::Connection {
            stream: Stream::UserData,
            change: Connection::Connected { reconnect: true },
        });
        assert_eq!(h.user_stream, Some(StreamState::Connected));
        assert_eq!(h.reconnects, 1);
        // 2,000 candles with an order: only the last 1,024 count.
        for k in 0..2_000u64 {
            h.apply(&candle(60_000 * k as i64, Some(k)));
        }
        h.apply(&candle(1, None));
        assert_eq!(h.last_candle_time, Some(1));
        let q = h.candle_to_order().unwrap();
        assert_eq!(q.count, LATENCY_WINDOW);
        // The window holds 976..=1999: its median is 976 + 511.
        assert_eq!(q.p50, 976 + 511);
        assert_eq!(q.p99, 976 + 1_013);
    }

    #[test]
    fn nearest_rank_quantiles() {
        assert_eq!(nearest_rank::<u64>(&[], 0.5), None);
        assert_eq!(nearest_rank(&[7], 0.99), Some(7));
        let v: Vec<u32> = (1..=100).collect();
        assert_eq!(nearest_rank(&v, 0.5), Some(50));
        assert_eq!(nearest_rank(&v, 0.95), Some(95));
        assert_eq!(nearest_rank(&v, 0.99), Some(99));
    }
}
