//! What live mode checks before it sends anything, and where it starts
//! from: the user's confirmation, a config with risk limits and circuit
//! breakers, an API key that cannot withdraw, one quote currency; then the
//! balances the session starts with, fixed in the journal at its first
//! start so that every restart replays from the same account.

use crate::error::{SessionError, SessionResult};
use crate::spec::SessionSpec;
use crate::spec::VenueName;
use crate::venue_target::VenueTarget;
use rust_decimal::Decimal;
use smc_config::env::Credentials;
use smc_model::Timestamp;
use smc_model::{Instrument, MarketKind};
use smc_store::Journal;
use smc_venues::{ExecutionVenue, VenueResult};

/// Live mode's preconditions, checked before anything is sent: the
/// explicit confirmation, a config with risk limits and circuit breakers,
/// and an API key (returned). The key's permissions are checked next, on
/// the venue ([`check_key`]).
pub fn refuse_live(spec: &SessionSpec) -> SessionResult<Credentials> {
    let refuse = |why: &str| Err(SessionError::Refused(why.to_string()));
    if !spec.confirm_live {
        return refuse("live mode sends real orders: add --confirm-live if that is what you want");
    }
    let Some(config) = spec.config.as_ref() else {
        return refuse(
            "live mode needs a config with risk limits (--config FILE with a risk_manager section)",
        );
    };
    if !crate::risk_gate::breaker_config(&config.risk_manager.circuit_breakers).any() {
        return refuse(
            "live mode needs at least one circuit breaker (risk_manager.circuit_breakers)",
        );
    }
    let target = VenueTarget::parse(
        spec.venue_spec().url.as_deref(),
        spec.venue.venue,
        spec.venue.market,
    )
    .map_err(SessionError::Setting)?;
    if let Some(why) = target.live_refusal(spec.allow_local_venue) {
        return refuse(&why);
    }
    if let VenueTarget::Local { host_port, .. } = &target {
        tracing::warn!(
            "live mode against the local server {host_port} (--allow-local-venue): \
             no order reaches a real exchange"
        );
    }
    let key = spec.venue.venue.key_variable();
    // OANDA's key is one bearer token (kept as the secret), no pair.
    if spec.venue.venue == VenueName::Oanda {
        return match &spec.credentials {
            Some(c) if !c.api_secret.expose().trim().is_empty() => Ok(c.clone()),
            _ => refuse(&format!("live mode needs OANDA's token in {key}")),
        };
    }
    let secret = key.replace("_API_KEY", "_API_SECRET");
    match &spec.credentials {
        Some(c) if c.api_key.trim().is_empty() || c.api_secret.expose().trim().is_empty() => {
            refuse(&format!("{key} or {secret} is empty: live mode needs both"))
        }
        Some(c) => Ok(c.clone()),
        None => refuse(&format!(
            "live mode needs {key} and {secret} in the environment"
        )),
    }
}

/// Refuses a key that may withdraw or move funds between accounts, and
/// warns about one without an IP restriction (checked on the venue, after
/// syncing the clock the signature needs). The testnet serves no `/sapi`:
/// there the check is skipped with a warning.
pub async fn check_key(venue: &dyn ExecutionVenue, target: &VenueTarget) -> SessionResult<()> {
    venue
        .sync_clock()
        .await
        .map_err(SessionError::venue("reading the venue's clock"))?;
    if *target == VenueTarget::Testnet {
        tracing::warn!("the testnet serves no /sapi: the API key's permissions are not checked");
        return Ok(());
    }
    let permissions = venue
        .key_permissions()
        .await
        .map_err(SessionError::venue("reading the API key's permissions"))?;
    if permissions.withdraw {
        return Err(SessionError::Refused(
            "this API key may withdraw funds: live mode refuses it; create a key without withdrawal permission; no order was sent".into(),
        ));
    }
    if permissions.transfer {
        return Err(SessionError::Refused(
            "this API key may transfer funds (internal or universal transfer): live mode refuses it; create a key without transfer permission; no order was sent".into(),
        ));
    }
    if !permissions.ip_restricted {
        tracing::warn!(
            "this API key works from any IP address: restrict it to this machine's address in the \
             exchange's API key settings"
        );
    }
    Ok(())
}

/// The holdings a live session started with (fixed at its first start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Start {
    /// The quote currency's balance (a margin account: its wallet).
    pub cash: Decimal,
    /// Per instrument, in the engine's order: the base asset's balance
    /// (spot) or the position (margin).
    pub base: Vec<Decimal>,
    /// Venue time from which the account's trades are read.
    pub time: Timestamp,
}

/// The one quote currency of `instruments`.
pub fn quote_currency(instruments: &[Instrument]) -> SessionResult<String> {
    let Some(quote) = instruments.first().map(|i| i.quote.clone()) else {
        return Err(SessionError::Setting("live mode needs a symbol".into()));
    };
    if let Some(other) = instruments.iter().find(|i| i.quote != quote) {
        return Err(SessionError::Setting(format!(
            "one live session trades one quote currency: {} is quoted in {}, not {quote}",
            other.id, other.quote
        )));
    }
    Ok(quote)
}

/// What the venue holds for `instruments` (which share one quote
/// currency): the quote's balance, and per instrument the base — on spot
/// the base asset's balance, on a margin account the signed position.
pub async fn venue_holdings(
    venue: &dyn ExecutionVenue,
    instruments: &[Instrument],
) -> VenueResult<(Decimal, Vec<Decimal>)> {
    let balances = venue.balances().await?;
    let total = |asset: &str| {
        balances
            .iter()
            .find(|b| b.asset == asset)
            .map_or(Decimal::ZERO, |b| b.total())
    };
    let quote = instruments
        .first()
        .map_or(Decimal::ZERO, |i| total(&i.quote));
    let positions = if instruments.iter().any(|i| i.kind != MarketKind::Spot) {
        venue.positions().await?
    } else {
        Vec::new()
    };
    let bases = instruments
        .iter()
        .map(|i| match i.kind {
            MarketKind::Spot => total(&i.base),
            MarketKind::Perpetual | MarketKind::Forex => positions
                .iter()
                .filter(|p| p.symbol == i.id.symbol())
                .map(|p| p.amount)
                .sum(),
        })
        .collect();
    Ok((quote, bases))
}

/// The session's starting point: the journal's, or (at the first start)
/// the venue's holdings now (`quote`, `bases`) and its clock, which the
/// journal then keeps.
pub fn starting_point(
    store: &dyn Journal,
    instruments: &[Instrument],
    (quote, bases): (Decimal, Vec<Decimal>),
    venue_now_ms: i64,
) -> SessionResult<Start> {
    let cash = fixed(store, "starting_cash", quote.to_string())?;
    let base = instruments
        .iter()
        .zip(bases)
        .enumerate()
        .map(|(i, (instrument, held))| {
            // The first symbol keeps the key of single-symbol sessions.
            let name = match i {
                0 => "starting_base".to_string(),
                _ => format!("starting_base:{}", instrument.id.symbol()),
            };
            fixed(store, &name, held.to_string())
        })
        .collect::<SessionResult<Vec<Decimal>>>()?;
    let time = fixed(store, "started_at", (venue_now_ms - 1_000).to_string())?;
    Ok(Start {
        cash,
        base,
        time: Timestamp::from_ms(time),
    })
}

/// The journal's value of `name`, or `value`, which the journal then keeps.
fn fixed<T>(store: &dyn Journal, name: &str, value: String) -> SessionResult<T>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let kept = store
        .session_value_or_insert(name, &value)
        .map_err(SessionError::store("the session's starting point"))?;
    kept.parse().map_err(|e| {
        SessionError::Setting(format!(
            "{}: session value {name} `{kept}`: {e}",
            store.url()
        ))
    })
}
