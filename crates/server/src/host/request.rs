//! `POST /api/v1/sessions`: what to run, checked and turned into the
//! runtime's [`SessionSpec`] with the server's config and a journal file
//! of the session's own.

use crate::error::{ApiError, ApiResult};
use serde::{Deserialize, Serialize};
use smc_runtime::{Market, Mode, SessionSpec, StrategyName, VenueName, VenueSpec};
use std::collections::BTreeMap;
use std::path::Path;
use utoipa::ToSchema;

/// Paper or live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ModeArg {
    #[default]
    Paper,
    Live,
}

/// What to run; missing fields take the config's values.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionRequest {
    #[serde(default)]
    pub mode: ModeArg,
    /// `smc` or `sma_cross` (default: the config's `backtest.strategy`, else smc).
    pub strategy: Option<String>,
    /// Symbols traded from one account (default: the config's).
    #[serde(default)]
    pub symbols: Vec<String>,
    /// The entry timeframe, then the bias timeframe (smc).
    #[serde(default)]
    pub timeframes: Vec<String>,
    /// `binance` (default), `bybit` or `oanda`.
    pub venue: Option<String>,
    /// A server speaking the venue's protocol, per venue (`HOST:PORT`,
    /// e.g. `smc venue-sim`).
    pub venue_urls: Option<BTreeMap<String, String>>,
    /// Paper mode: more venues to route each order between (with
    /// `venue`), by expected all-in cost.
    #[serde(default)]
    pub route_to: Vec<String>,
    /// `spot` (default) or `usdm` (Bybit: linear).
    pub market: Option<String>,
    /// Live mode: you understand that real orders will be sent.
    #[serde(default)]
    pub confirm_live: bool,
    /// Stop after this many closed candles.
    pub max_bars: Option<u64>,
}

impl SessionRequest {
    /// Checks the request and builds the runtime's spec.
    pub fn spec(
        &self,
        config: &smc_config::Config,
        config_path: Option<&Path>,
        journal: &Path,
        credentials: Option<smc_config::env::Credentials>,
    ) -> ApiResult<SessionSpec> {
        let strategy = self
            .strategy
            .as_deref()
            .map(|s| {
                s.parse::<StrategyName>()
                    .map_err(|e| ApiError::invalid("strategy", e.to_string()))
            })
            .transpose()?;
        for s in &self.symbols {
            let ok = !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_alphanumeric());
            if !ok {
                return Err(ApiError::invalid("symbols", format!("bad symbol `{s}`")));
            }
        }
        for tf in &self.timeframes {
            tf.parse::<smc_model::Timeframe>().map_err(|_| {
                ApiError::invalid("timeframes", format!("unknown timeframe `{tf}`"))
            })?;
        }
        let market = match self.market.as_deref() {
            None | Some("spot") => Market::Spot,
            Some("usdm" | "linear") => Market::UsdM,
            Some(other) => {
                return Err(ApiError::invalid(
                    "market",
                    format!("`{other}`: spot or usdm"),
                ));
            }
        };
        let venue = match self.venue.as_deref() {
            None => VenueName::Binance,
            Some(name) => VenueName::parse(name).ok_or_else(|| {
                ApiError::invalid("venue", format!("`{name}`: binance, bybit or oanda"))
            })?,
        };
        let urls = self.venue_urls.clone().unwrap_or_default();
        if let Some(unknown) = urls.keys().find(|v| VenueName::parse(v).is_none()) {
            return Err(ApiError::invalid(
                "venue_urls",
                format!("`{unknown}`: binance, bybit or oanda"),
            ));
        }
        let url = urls.get(venue.as_str()).cloned();
        let live = self.mode == ModeArg::Live;
        let route_to = self
            .route_to
            .iter()
            .map(|name| {
                let venue = VenueName::parse(name).ok_or_else(|| {
                    ApiError::invalid("route_to", format!("`{name}`: binance, bybit or oanda"))
                })?;
                let url = urls.get(venue.as_str()).cloned();
                Ok(VenueSpec {
                    venue,
                    market,
                    url,
                    account_id: None,
                })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        if live && !route_to.is_empty() {
            return Err(ApiError::invalid(
                "route_to",
                "routing between venues runs in paper mode only".to_string(),
            ));
        }
        Ok(SessionSpec {
            mode: Some(if live { Mode::Live } else { Mode::Paper }),
            config: Some(config.clone()),
            config_path: config_path.map(Path::to_path_buf),
            venue: VenueSpec {
                venue,
                market,
                url: url.clone(),
                account_id: None,
            },
            route_to,
            symbols: self.symbols.clone(),
            timeframe: self.timeframes.first().cloned(),
            strategy,
            bias: self.timeframes.get(1).cloned(),
            database: Some(journal.to_path_buf()),
            max_bars: self.max_bars,
            confirm_live: self.confirm_live,
            reconcile_every: None,
            // A loopback simulator is allowed when the caller names one;
            // the runtime still refuses any other host without TLS.
            allow_local_venue: live && url.is_some(),
            credentials,
        })
    }

    /// The symbols this request trades (the runtime's choice: the
    /// request's, else the config's, upper-cased), for conflict checks
    /// and chart look-ups.
    pub fn traded(&self, config: &smc_config::Config) -> Vec<String> {
        SessionSpec {
            config: Some(config.clone()),
            symbols: self.symbols.clone(),
            ..SessionSpec::default()
        }
        .symbols()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn traded_symbols_are_the_runtimes_choice() {
        let config = smc_config::parse(
            "t",
            "backtest:\n  instrument:\n    venue: binance\n    symbol: ETHUSDT\n    tick_size: 0.01\n    lot_size: 0.001\n    min_qty: 0.001\n    min_notional: 5\n",
        )
        .unwrap();
        assert_eq!(SessionRequest::default().traded(&config), ["ETHUSDT"]);
        let asked = SessionRequest {
            symbols: vec!["btcusdt".into()],
            ..SessionRequest::default()
        };
        assert_eq!(asked.traded(&config), ["BTCUSDT"]);
        assert_eq!(
            SessionRequest::default().traded(&smc_config::Config::default()),
            ["BTCUSDT"]
        );
    }
}
