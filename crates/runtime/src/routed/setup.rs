//! Puts a router in front of a paper session's simulated venue: connects
//! to every venue's market data, reads each symbol's lot rules there,
//! starts the book pollers, and wraps the engine's execution.

use super::books::{Polling, VenueViews, spawn_poller};
use super::decisions::DecisionLog;
use super::execution::{RouteVenue, RoutedExecution, RouterSetup};
use crate::bus::EventBus;
use crate::connect::connect;
use crate::error::{SessionError, SessionResult};
use crate::spec::SessionSpec;
use smc_engine::{AccountKind, Engine, EngineConfig};
use smc_model::{Clock, WallClock};
use smc_routing::{CostModel, LotRules};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A running router: its pollers stop when it is dropped.
pub struct Routing {
    pollers: Vec<tokio::task::JoinHandle<()>>,
    live: Arc<AtomicBool>,
    views: VenueViews,
    venues: Vec<String>,
    symbols: Vec<String>,
}

impl Drop for Routing {
    fn drop(&mut self) {
        for p in &self.pollers {
            p.abort();
        }
    }
}

impl Routing {
    /// The venues, the session's own first.
    pub fn venues(&self) -> &[String] {
        &self.venues
    }

    /// From now on decisions and attributed fills are published (before,
    /// the session was replaying its journal).
    pub fn go_live(&self) {
        self.live.store(true, Ordering::Relaxed);
    }

    /// Waits up to `limit` until every venue has a fresh book of every
    /// symbol; the venues still without one.
    pub fn wait_for_books(&self, limit: Duration) -> Vec<String> {
        let start = Instant::now();
        loop {
            let now = WallClock.now().ms();
            let missing: Vec<String> = self
                .venues
                .iter()
                .filter(|v| {
                    self.symbols
                        .iter()
                        .any(|s| !self.views.sighting(v, s, now).health.connected)
                })
                .cloned()
                .collect();
            if missing.is_empty() || start.elapsed() >= limit {
                return missing;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Routes the orders of `engine` (a paper session's) between the venues
/// `spec` lists; `None` for a session on one venue.
pub fn route_paper_engine(
    spec: &SessionSpec,
    runtime: &tokio::runtime::Runtime,
    engine: &mut Engine,
    config: &EngineConfig,
    bus: &EventBus,
) -> SessionResult<Option<Routing>> {
    let venues = spec.routing_venues();
    if venues.is_empty() {
        return Ok(None);
    }
    let symbols = spec.symbols();
    let settings = spec.config.as_ref();
    let polling = Polling::default();
    let views = VenueViews::new(polling.every * 6);
    let mut routes = Vec::new();
    let mut pollers = Vec::new();
    for v in &venues {
        let name = v.venue.as_str().to_string();
        let market = connect(v, None, false)?.market_data;
        let instruments = runtime
            .block_on(market.instruments(&symbols))
            .map_err(SessionError::venue("reading the symbols' trading rules"))?;
        let lots = instruments
            .iter()
            .map(|i| {
                let rules = LotRules {
                    step: i.spec.lot_size,
                    min_qty: i.spec.min_qty,
                    min_notional: i.spec.min_notional,
                };
                (i.id.symbol().to_string(), rules)
            })
            .collect();
        let mut fees = config.fees;
        if let Some(tier) = settings
            .and_then(|c| c.exchanges.get(&name))
            .and_then(|e| e.fees)
        {
            fees.maker = tier.maker;
            fees.taker = tier.taker;
        }
        pollers.push(spawn_poller(
            runtime,
            name.clone(),
            market,
            symbols.clone(),
            views.clone(),
            polling,
        ));
        routes.push(RouteVenue { name, fees, lots });
    }
    let journal = smc_store::open_journal(&spec.database_url()).map_err(SessionError::store(
        "opening the journal for routing decisions",
    ))?;
    let live = Arc::new(AtomicBool::new(false));
    let setup = RouterSetup {
        venues: routes,
        views: views.clone(),
        cost: CostModel::default(),
        spot: config.account.kind == AccountKind::Spot,
        venue_cap_percent: settings.and_then(|c| c.risk_manager.max_exposure_percent.venue),
        starting_cash: config.account.starting_cash,
    };
    let log = DecisionLog::new(journal);
    let (bus, flag) = (bus.clone(), live.clone());
    engine
        .wrap_execution(move |inner| Box::new(RoutedExecution::new(inner, setup, log, bus, flag)));
    Ok(Some(Routing {
        pollers,
        live,
        views,
        venues: venues
            .iter()
            .map(|v| v.venue.as_str().to_string())
            .collect(),
        symbols,
    }))
}
