//! What a started simulator prints first: where it listens and what it
//! serves, each replayed series, a non-default book, generated keys and
//! OANDA accounts. Tests and scripts read the address from its first line.

use crate::config::{BookShape, Protocol};
use crate::server::RunningSim;
use std::fmt::Write;

impl RunningSim {
    /// The start-up text, one fact per line, the address on the first.
    pub fn banner(&self) -> String {
        let (url, addr) = (self.base_url(), self.addr);
        let mut text = match self.protocol {
            Protocol::Binance => format!(
                "venue-sim listening on {url} (spot /api/v3, USD-M /fapi, streams ws://{addr}/ws, control /__sim)\n"
            ),
            Protocol::Bybit => format!(
                "venue-sim listening on {url} (Bybit v5: REST /v5, public ws://{addr}/v5/public/spot and /v5/public/linear, private /v5/private, control /__sim)\n"
            ),
            Protocol::Oanda => format!(
                "venue-sim listening on {url} (OANDA v20: REST /v3, streams /v3/accounts/ID/pricing/stream and /transactions/stream, control /__sim)\n"
            ),
        };
        let market = &self.shared.market;
        for s in &market.series {
            let _ = writeln!(
                text,
                "  {}: {} candles of {}, tick {}, step {}, {} ms per candle",
                s.symbol,
                s.candles.len(),
                s.timeframe,
                s.rules.tick,
                s.rules.lot,
                market.period_ms
            );
        }
        if self.book != BookShape::default() {
            let _ = writeln!(
                text,
                "  book: best levels {} tick(s) further out than the default, each level {} of the candle's volume",
                self.book.spread_ticks, self.book.level_share
            );
        }
        if self.generated_keys {
            for k in &self.keys {
                let _ = writeln!(text, "api-key: {}\napi-secret: {}", k.key, k.secret);
            }
        }
        if self.protocol == Protocol::Oanda {
            for (token, account) in crate::oanda::account_ids(&self.shared) {
                let _ = writeln!(text, "account: {account} (token {token})");
            }
        }
        text
    }
}
