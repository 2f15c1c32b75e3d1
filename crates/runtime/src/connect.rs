//! From a session's venue settings to live connections behind the venue
//! interfaces. This is the one place that names concrete venues; a new
//! venue adds its line here and its adapter in `smc-venues`.

use crate::error::{SessionError, SessionResult};
use crate::spec::{Market, VenueName, VenueSpec};
use crate::venue_target::VenueTarget;
use smc_config::env::Credentials;
use smc_venues::binance::{BinanceMarket, BinanceVenue};
use smc_venues::bybit::{BybitCategory, BybitVenue};
use smc_venues::net::Secret;
use smc_venues::oanda::{OandaCredentials, OandaVenue};
use smc_venues::{ExecutionVenue, MarketDataVenue};
use std::sync::Arc;

/// A session's venue: its market data, and (with credentials) its
/// execution interface.
#[derive(Debug, Clone)]
pub struct Connections {
    pub market_data: Arc<dyn MarketDataVenue>,
    pub execution: Option<Arc<dyn ExecutionVenue>>,
}

/// Connects to the venue of `spec` with `credentials` (OANDA needs its
/// token for market data too); `trading` opens the execution interface.
pub fn connect(
    spec: &VenueSpec,
    credentials: Option<&Credentials>,
    trading: bool,
) -> SessionResult<Connections> {
    let target = VenueTarget::parse(spec.url.as_deref(), spec.venue, spec.market)
        .map_err(SessionError::Setting)?;
    let secret = |c: &Credentials| Secret::new(c.api_secret.expose());
    match spec.venue {
        VenueName::Binance => {
            let market = match spec.market {
                Market::Spot => BinanceMarket::Spot,
                Market::UsdM => BinanceMarket::UsdM,
            };
            let keys = credentials.map(|c| smc_venues::binance::Credentials {
                api_key: c.api_key.clone(),
                secret: secret(c),
            });
            let venue = BinanceVenue::new(market, target.urls(market), keys)
                .map_err(|e| SessionError::Setting(format!("connecting to Binance: {e}")))?;
            Ok(Connections::of(
                Arc::new(venue),
                trading && credentials.is_some(),
            ))
        }
        VenueName::Bybit => {
            let keys = credentials.map(|c| smc_venues::bybit::Credentials {
                api_key: c.api_key.clone(),
                secret: secret(c),
            });
            let category = bybit_category(spec.market);
            let venue = BybitVenue::new(category, target.bybit_urls(spec.market), keys)
                .map_err(|e| SessionError::Setting(format!("connecting to Bybit: {e}")))?;
            Ok(Connections::of(
                Arc::new(venue),
                trading && credentials.is_some(),
            ))
        }
        VenueName::Oanda => {
            let token = credentials.map(|c| OandaCredentials {
                token: Secret::new(c.api_secret.expose()),
                account_id: spec.account_id.clone(),
            });
            let venue = OandaVenue::new(target.oanda_urls(), token)
                .map_err(|e| SessionError::Setting(format!("connecting to OANDA: {e}")))?;
            Ok(Connections::of(
                Arc::new(venue),
                trading && credentials.is_some(),
            ))
        }
    }
}

/// Bybit's category for a market: `spot`, or `linear` for USDT perpetuals.
pub fn bybit_category(market: Market) -> BybitCategory {
    match market {
        Market::Spot => BybitCategory::Spot,
        Market::UsdM => BybitCategory::Linear,
    }
}

impl Connections {
    fn of<V: ExecutionVenue + MarketDataVenue + 'static>(venue: Arc<V>, trading: bool) -> Self {
        Connections {
            market_data: venue.clone(),
            execution: trading.then_some(venue as Arc<dyn ExecutionVenue>),
        }
    }
}
