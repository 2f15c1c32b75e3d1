//! From a session's venue settings to live connections behind the venue
//! interfaces. This is the one place that names concrete venues; a new
//! venue adds its line here and its adapter in `smc-venues`.

use crate::error::{SessionError, SessionResult};
use crate::spec::{Market, VenueSpec};
use crate::venue_target::VenueTarget;
use smc_config::env::Credentials;
use smc_venues::binance::{BinanceMarket, BinanceVenue};
use smc_venues::net::Secret;
use smc_venues::{ExecutionVenue, MarketDataVenue};
use std::sync::Arc;

/// A session's venue: its market data, and (with credentials) its
/// execution interface.
#[derive(Debug, Clone)]
pub struct Connections {
    pub market_data: Arc<dyn MarketDataVenue>,
    pub execution: Option<Arc<dyn ExecutionVenue>>,
}

/// Connects to the venue of `spec`; with `credentials`, for trading too.
pub fn connect(spec: &VenueSpec, credentials: Option<&Credentials>) -> SessionResult<Connections> {
    let market = match spec.market {
        Market::Spot => BinanceMarket::Spot,
        Market::UsdM => BinanceMarket::UsdM,
    };
    let urls = VenueTarget::parse(spec.url.as_deref(), spec.market)
        .map_err(SessionError::Setting)?
        .urls(market);
    let keys = credentials.map(|c| smc_venues::binance::Credentials {
        api_key: c.api_key.clone(),
        secret: Secret::new(c.api_secret.expose()),
    });
    let has_keys = keys.is_some();
    let venue = BinanceVenue::new(market, urls, keys)
        .map_err(|e| SessionError::Setting(format!("connecting to Binance: {e}")))?;
    let venue = Arc::new(venue);
    Ok(Connections {
        market_data: venue.clone(),
        execution: has_keys.then_some(venue as Arc<dyn ExecutionVenue>),
    })
}
