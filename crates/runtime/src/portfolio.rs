//! Several sessions in one process: each with its own config (account
//! currency, starting balance, risk limits, strategy), venue and journal,
//! started together, stopped together, and reported side by side with
//! totals per currency and, where rates are given, in one currency.

use crate::account_report::AccountReport;
use crate::bus::EventBus;
use crate::error::{SessionError, SessionResult};
use crate::event::{Mode, Stopped};
use crate::handle::{RunningSession, Stopper};
use crate::spec::{Market, SessionSpec, VenueName, VenueSpec};
use rust_decimal::Decimal;
use serde::Serialize;
use smc_config::{PortfolioFile, PortfolioSession};
use std::collections::BTreeMap;

/// What every session of a portfolio shares: the command line's choices.
#[derive(Clone, Default)]
pub struct PortfolioCommon {
    pub mode: Option<Mode>,
    pub max_bars: Option<u64>,
    pub confirm_live: bool,
    pub allow_local_venue: bool,
    pub reconcile_every: Option<std::time::Duration>,
    /// `VENUE=HOST:PORT` servers for sessions that name none.
    pub venue_urls: Vec<String>,
}

/// The spec of each session of `file`, by name; `credentials` gives a
/// venue's key (live mode).
pub fn portfolio_specs(
    file: &PortfolioFile,
    common: &PortfolioCommon,
    credentials: impl Fn(VenueName) -> Option<smc_config::env::Credentials>,
) -> SessionResult<Vec<(String, SessionSpec)>> {
    file.sessions
        .iter()
        .map(|s| Ok((s.name.clone(), session_spec(s, common, &credentials)?)))
        .collect()
}

fn session_spec(
    s: &PortfolioSession,
    common: &PortfolioCommon,
    credentials: &impl Fn(VenueName) -> Option<smc_config::env::Credentials>,
) -> SessionResult<SessionSpec> {
    let what = |e: String| SessionError::Setting(format!("portfolio session `{}`: {e}", s.name));
    let venue =
        VenueName::parse(&s.venue).ok_or_else(|| what(format!("unknown venue `{}`", s.venue)))?;
    let market = match s.market.as_deref() {
        None | Some("spot") => Market::Spot,
        Some("usdm" | "linear") => Market::UsdM,
        Some(other) => return Err(what(format!("market `{other}`: spot or usdm"))),
    };
    let url = match &s.venue_url {
        Some(u) => Some(u.clone()),
        None => crate::spec::venue_url_of(&common.venue_urls, venue).map_err(what)?,
    };
    let config = match &s.config {
        Some(path) => Some(smc_config::load(path).map_err(|e| what(e.to_string()))?),
        None => None,
    };
    let strategy = match &s.strategy {
        Some(name) => Some(
            name.parse()
                .map_err(|e: SessionError| what(e.to_string()))?,
        ),
        None => None,
    };
    Ok(SessionSpec {
        mode: common.mode,
        config,
        config_path: s.config.clone(),
        venue: VenueSpec {
            venue,
            market,
            url,
            account_id: None,
        },
        route_to: Vec::new(),
        symbols: s.symbols.clone(),
        timeframe: s.timeframe.clone(),
        strategy,
        bias: s.bias.clone(),
        database: s.database.clone(),
        max_bars: common.max_bars,
        confirm_live: common.confirm_live,
        allow_local_venue: common.allow_local_venue,
        reconcile_every: common.reconcile_every,
        credentials: credentials(venue),
    })
}

/// The sessions of a portfolio, running.
pub struct PortfolioRun {
    sessions: Vec<(String, RunningSession)>,
}

impl PortfolioRun {
    /// Starts every session on the bus `bus_of` gives for its name; if one
    /// cannot start, those started are stopped and the error names it.
    pub fn start(
        specs: Vec<(String, SessionSpec)>,
        mut bus_of: impl FnMut(&str) -> EventBus,
    ) -> SessionResult<PortfolioRun> {
        let mut sessions: Vec<(String, RunningSession)> = Vec::new();
        for (name, spec) in specs {
            match RunningSession::start(spec, bus_of(&name)) {
                Ok(s) => sessions.push((name, s)),
                Err(e) => {
                    for (_, s) in &sessions {
                        s.stop();
                    }
                    for (_, s) in sessions {
                        let _ = s.wait();
                    }
                    return Err(SessionError::Setting(format!("session `{name}`: {e}")));
                }
            }
        }
        Ok(PortfolioRun { sessions })
    }

    /// Stoppers of every session (for signal handlers).
    pub fn stoppers(&self) -> Vec<Stopper> {
        self.sessions.iter().map(|(_, s)| s.stopper()).collect()
    }

    /// Waits for every session; one that fails does not stop the others
    /// (their accounts are separate), and is reported with its error.
    pub fn wait(self) -> Vec<(String, SessionResult<Stopped>)> {
        self.sessions
            .into_iter()
            .map(|(name, s)| (name, s.wait()))
            .collect()
    }
}

/// The portfolio at the end: each session's account in its currency,
/// totals per currency, and the total in the report currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortfolioReport {
    pub report_currency: String,
    pub sessions: Vec<SessionLine>,
    pub totals: Vec<CurrencyTotal>,
    /// Every session's equity in the report currency; `None` when a
    /// currency has no rate (see `unvalued`).
    pub total_equity: Option<Decimal>,
    pub total_pnl: Option<Decimal>,
    /// Currencies without a rate into the report currency.
    pub unvalued: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionLine {
    pub name: String,
    pub candles: Option<u64>,
    pub account: Option<AccountReport>,
    /// Why the session ended early, if it failed.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CurrencyTotal {
    pub currency: String,
    pub starting_cash: Decimal,
    pub equity: Decimal,
    pub pnl: Decimal,
}

impl PortfolioReport {
    /// The report of `ended` sessions, valued by `file`'s rates.
    pub fn of(file: &PortfolioFile, ended: &[(String, SessionResult<Stopped>)]) -> PortfolioReport {
        let sessions: Vec<SessionLine> = ended
            .iter()
            .map(|(name, r)| match r {
                Ok(s) => SessionLine {
                    name: name.clone(),
                    candles: Some(s.candles),
                    account: s.account.clone(),
                    error: None,
                },
                Err(e) => SessionLine {
                    name: name.clone(),
                    candles: None,
                    account: None,
                    error: Some(e.to_string()),
                },
            })
            .collect();
        let mut totals: BTreeMap<String, CurrencyTotal> = BTreeMap::new();
        for a in sessions.iter().filter_map(|s| s.account.as_ref()) {
            let t = totals.entry(a.currency.clone()).or_insert(CurrencyTotal {
                currency: a.currency.clone(),
                starting_cash: Decimal::ZERO,
                equity: Decimal::ZERO,
                pnl: Decimal::ZERO,
            });
            t.starting_cash += a.starting_cash;
            t.equity += a.equity;
            t.pnl += a.pnl;
        }
        let report_currency = file.report_currency.clone().unwrap_or_else(|| {
            let first = sessions.iter().find_map(|s| s.account.as_ref());
            first.map(|a| a.currency.clone()).unwrap_or_default()
        });
        let rate = |c: &str| match c == report_currency {
            true => Some(Decimal::ONE),
            false => file.rates.get(c).copied(),
        };
        let unvalued: Vec<String> = totals
            .keys()
            .filter(|c| rate(c).is_none())
            .cloned()
            .collect();
        let valued = |f: fn(&CurrencyTotal) -> Decimal| {
            let sum = totals.values().map(|t| rate(&t.currency).map(|r| f(t) * r));
            sum.sum::<Option<Decimal>>()
        };
        PortfolioReport {
            total_equity: valued(|t| t.equity),
            total_pnl: valued(|t| t.pnl),
            report_currency,
            sessions,
            totals: totals.into_values().collect(),
            unvalued,
        }
    }
}
