//! The built-in `smc` strategy: trade with the higher timeframe's structure,
//! enter on a retest of a lower-timeframe order block or fair value gap that
//! formed after a break of structure in that direction, stop beyond the zone
//! that justified the entry, target the opposing liquidity (or an R
//! multiple). It runs its own causal multi-timeframe analysis, fed one
//! closed candle at a time, so it sees exactly what a live run would.

use crate::context::StrategyContext;
use crate::entry_filters::EntryFilters;
use crate::exits::{ExitAction, ExitBar, ExitPlan, ManagedExit};
use crate::features::{Candidate, CandidateLog, FeatureSet, FeatureState, MlFilter};
use crate::kill_zone::KillZone;
use crate::sizing::{EntryFacts, TradeSizer};
use crate::stops::{StopInputs, StopRule, TargetRule};
use crate::strategy::Strategy;
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use serde::Deserialize;
use smc_analysis::atr::Atr;
use smc_analysis::{Bar, DetectorConfig, Kind, Lifecycle, MultiTimeframe, Scope, SmcEvent};
use smc_model::{
    ClientOrderId, Fill, InstrumentIndex, Intent, NoTradeReason, OrderIntent, PortfolioSnapshot,
    Setup, Side, Size, Timeframe,
};
use std::borrow::Cow;
use std::sync::Arc;

/// Every parameter of the strategy (the `strategy.smc` section of a config).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmcConfig {
    /// The timeframe whose swing structure sets the bias.
    pub bias_timeframe: Timeframe,
    /// Timeframes between the entry and the bias whose swing trend must
    /// agree with the bias (top-down confluence, e.g. 5m and 1h between a
    /// 1m entry and a 1d bias); while one disagrees, nothing is entered.
    pub confirm_timeframes: Vec<Timeframe>,
    /// Percent of equity lost if the stop is hit; `None`: the config's
    /// `trading.position_size_percent` (1 % without a config).
    pub risk_percent: Option<Decimal>,
    /// Target in multiples of the risk when no opposing liquidity is farther.
    pub reward_risk: Decimal,
    /// Extra room beyond the zone for the stop, as a fraction of its height.
    pub stop_buffer: Decimal,
    /// Candles a pending entry waits for its retest before it is cancelled.
    pub entry_expiry_bars: usize,
    /// Also trade the bearish side (needs a margin account); default: on
    /// forex instruments (a margin account both ways), off elsewhere.
    pub allow_short: Option<bool>,
    /// The initial stop; default: beyond the zone by `stop_buffer` × its height.
    pub stop: Option<StopRule>,
    /// The target; default: the opposing liquidity when at least 1 R away,
    /// else `reward_risk` R.
    pub target: Option<TargetRule>,
    /// Trailing, break-even and time stops after entry (all off by default).
    pub exits: ExitPlan,
    /// Bars of the entry timeframe's ATR (ATR stops and trails).
    pub atr_period: usize,
    /// Enter only when the decision falls in one of these kill zones
    /// (`asian`, `london_open`, `new_york`, `london_close`); none: any time.
    pub kill_zones: Vec<KillZone>,
    /// Enter only after a liquidity sweep against the bias (the lows taken
    /// before a long) within this many entry candles; none: no such rule.
    pub require_sweep_bars: Option<usize>,
    /// Also enter from breaker blocks (failed order blocks, flipped).
    pub breaker_blocks: bool,
    /// How entries are sized (`method: fixed-fractional | volatility |
    /// fixed-notional | kelly`); default: `risk_percent` of equity to the
    /// stop (see [`crate::sizing`]).
    pub sizing: Option<smc_risk::Sizing>,
    pub detectors: DetectorConfig,
}

impl Default for SmcConfig {
    fn default() -> Self {
        SmcConfig {
            bias_timeframe: Timeframe::H1,
            confirm_timeframes: Vec::new(),
            risk_percent: None,
            reward_risk: Decimal::TWO,
            stop_buffer: Decimal::new(1, 1),
            entry_expiry_bars: 30,
            allow_short: None,
            stop: None,
            target: None,
            exits: ExitPlan::default(),
            atr_period: 14,
            sizing: None,
            kill_zones: Vec::new(),
            require_sweep_bars: None,
            breaker_blocks: false,
            detectors: DetectorConfig::default(),
        }
    }
}

/// The strategy's state for its one instrument.
pub struct SmcStrategy {
    config: SmcConfig,
    mtf: Option<MultiTimeframe>,
    base: Option<Timeframe>,
    /// The confirming timeframes, then the bias timeframe: their trends
    /// must all agree.
    trend_frames: Vec<Timeframe>,
    events: Vec<SmcEvent>,
    /// Direction of the latest base-timeframe break (BOS or CHoCH).
    last_break: i8,
    /// Candles since the pending entry was placed.
    pending_for: Option<usize>,
    /// The stop of the pending entry, for its exit manager once it fills.
    pending_stop: Option<Decimal>,
    /// The open trade's exit manager and the id of its protective stop.
    managed: Option<(ManagedExit, ClientOrderId)>,
    atr: Atr,
    /// Latest base-timeframe swing low and high (structure trailing).
    swings: (Option<Decimal>, Option<Decimal>),
    /// Why the latest candle placed no entry (see [`SmcStrategy::why_not`]).
    reason: Option<NoTradeReason>,
    /// The ML filter (`ml.model` in the config), if on.
    filter: Option<Arc<MlFilter>>,
    /// Where candidates are recorded (training, evaluation), if anywhere.
    log: Option<CandidateLog>,
    /// The features' memory, kept only while a filter or a log needs it.
    features: Option<FeatureState>,
    /// Entry sizes, and the closed trades Kelly sizing learns from.
    sizer: TradeSizer,
    /// The instrument's index in the engine (from the first candle).
    index: Option<InstrumentIndex>,
    /// Kill zones and the recent-sweep rule (off unless configured).
    filters: EntryFilters,
}

impl SmcStrategy {
    pub fn new(config: SmcConfig) -> Self {
        SmcStrategy {
            mtf: None,
            base: None,
            trend_frames: Vec::new(),
            events: Vec::new(),
            last_break: 0,
            pending_for: None,
            pending_stop: None,
            managed: None,
            atr: Atr::new(config.atr_period),
            swings: (None, None),
            reason: None,
            filter: None,
            log: None,
            features: None,
            sizer: TradeSizer::new(config.sizing.clone()),
            index: None,
            filters: EntryFilters::new(config.kill_zones.clone(), config.require_sweep_bars),
            config,
        }
    }

    /// Skips setups the model rates under its threshold (and sizes by the
    /// probability if the filter says so).
    pub fn with_filter(mut self, filter: Arc<MlFilter>) -> Self {
        self.filter = Some(filter);
        self
    }

    /// Records every setup decided, with its features, into `log`.
    pub fn with_log(mut self, log: CandidateLog) -> Self {
        self.log = Some(log);
        self
    }

    /// The feature layout of this configuration.
    pub fn feature_set(&self) -> FeatureSet {
        FeatureSet::new(self.config.confirm_timeframes.len())
    }

    /// Whether features are computed (a filter or a log is attached).
    fn wants_features(&self) -> bool {
        self.filter.is_some() || self.log.is_some()
    }

    /// The features of the setup `intent` (a limit entry with its bracket),
    /// recorded and rated: `Some(scale)` to place it with its risk scaled,
    /// `None` when the filter skips it.
    fn rate(&mut self, ctx: &StrategyContext<'_>, intent: &OrderIntent) -> Option<f64> {
        let (Some(state), Some(mtf)) = (self.features.as_ref(), self.mtf.as_ref()) else {
            return Some(1.0);
        };
        let price = |d: Option<Decimal>| d.and_then(|x| x.to_f64()).unwrap_or(0.0);
        let entry = match intent.kind {
            smc_model::OrderKind::Limit { price: p } => p.to_f64().unwrap_or(0.0),
            _ => price(Some(ctx.candle.close)),
        };
        let setup = crate::features::Setup {
            side: if intent.side == Side::Buy { 1 } else { -1 },
            entry,
            stop: price(intent.stop_loss),
            target: price(intent.take_profit),
        };
        let features = crate::features::extract(state, mtf, &setup);
        let probability = self.filter.as_ref().map(|f| f.probability(&features));
        let taken = match (&self.filter, probability) {
            (Some(f), Some(p)) if !f.passes(p) => None,
            (Some(f), Some(p)) => Some(f.risk_scale(p)),
            _ => Some(1.0),
        };
        if let Some(log) = &self.log {
            log.push(Candidate {
                time_ms: ctx.now.ms(),
                side: setup.side,
                entry: setup.entry,
                stop: setup.stop,
                target: setup.target,
                features,
                probability,
                skipped: taken.is_none(),
            });
        }
        taken
    }

    /// The rules in force: the configured ones, else the defaults built
    /// from `stop_buffer` and `reward_risk`.
    fn rules(&self) -> (StopRule, TargetRule) {
        let stop = self.config.stop.unwrap_or(StopRule::Structure {
            buffer: self.config.stop_buffer,
        });
        let target = self.config.target.unwrap_or(TargetRule::Liquidity {
            min_r: Decimal::ONE,
            fallback: self.config.reward_risk,
        });
        (stop, target)
    }

    /// Trailing, break-even and time stops of the open trade.
    fn manage_exit(&mut self, ctx: &StrategyContext<'_>, out: &mut Vec<Intent>) {
        if ctx.position_qty().is_zero() {
            self.managed = None;
            return;
        }
        let Some((exit, stop_id)) = self.managed.as_mut() else {
            return;
        };
        let swing = if exit.side == Side::Buy {
            self.swings.0
        } else {
            self.swings.1
        };
        let bar = ExitBar {
            high: ctx.candle.high,
            low: ctx.candle.low,
            close: ctx.candle.close,
            atr: Some(self.atr.value()),
            swing,
        };
        match exit.on_bar(&self.config.exits, &bar) {
            ExitAction::Hold => {}
            ExitAction::MoveStop { to, .. } => out.push(Intent::AmendStop {
                client_id: stop_id.clone(),
                trigger: to,
            }),
            ExitAction::Close { .. } => {
                out.push(Intent::CancelAll {
                    instrument: ctx.instrument_index,
                });
                let side = if ctx.position_qty() > Decimal::ZERO {
                    Side::Sell
                } else {
                    Side::Buy
                };
                out.push(
                    OrderIntent::market(ctx.instrument_index, side, Size::ClosePosition)
                        .reduce_only()
                        .into(),
                );
                self.managed = None;
            }
        }
    }

    /// Which of the entry's conditions failed, the first in this order: a
    /// position is open, an entry is pending, no bias (or no agreement),
    /// a bearish bias without shorts, the latest break against the bias,
    /// no zone formed. Reports name the first because the later ones are
    /// not even looked at while it holds (a zone is not wanted in position).
    fn why_not(&self, flat: bool, bias: i8, tradable: bool, zone: bool) -> NoTradeReason {
        if !flat {
            NoTradeReason::InPosition
        } else if self.pending_for.is_some() {
            NoTradeReason::EntryPending
        } else if bias == 0 {
            self.mtf.as_ref().map_or(NoTradeReason::NoBias, |m| {
                no_bias_reason(m, &self.trend_frames)
            })
        } else if !tradable {
            NoTradeReason::ShortsNotAllowed
        } else if self.last_break != bias {
            NoTradeReason::BreakAgainstBias
        } else {
            debug_assert!(!zone, "every entry condition held");
            NoTradeReason::NoZone
        }
    }

    /// The entry for a zone that formed in the bias direction, if it makes sense.
    fn entry(
        &self,
        ctx: &StrategyContext<'_>,
        zone: &SmcEvent,
        bias: i8,
        target: Option<f64>,
    ) -> Option<(OrderIntent, Decimal)> {
        let (top, bottom) = (
            Decimal::from_f64(zone.top?)?,
            Decimal::from_f64(zone.bottom?)?,
        );
        let side = if bias == 1 { Side::Buy } else { Side::Sell };
        let (entry, edge) = if bias == 1 {
            (top, bottom)
        } else {
            (bottom, top)
        };
        if entry <= Decimal::ZERO {
            return None; // a zone at or below zero (bad data) cannot be sized
        }
        let inputs = StopInputs {
            side,
            entry,
            atr: Some(self.atr.value()),
            structure: Some((edge, top - bottom)),
            liquidity: target.and_then(Decimal::from_f64),
        };
        let (stop_rule, target_rule) = self.rules();
        let stop = stop_rule.place(&inputs).ok()?;
        let take = target_rule.place(&inputs, stop);
        let equity = ctx.portfolio.equity;
        let risk_percent = self.config.risk_percent.unwrap_or(Decimal::ONE);
        let facts = EntryFacts {
            equity,
            entry,
            stop,
            atr: Decimal::from_f64(self.atr.value()),
            spec: ctx.instrument.spec,
            risk_percent,
        };
        // The sizing rule's size, but never more than 99 % of the equity
        // buys outright (the rest pays fees): a tight stop must not turn
        // into leverage the account does not have.
        // Checked: a price near 1e-28 must refuse the entry, not panic.
        let affordable = (equity * Decimal::new(99, 2)).checked_div(entry)?;
        let qty = self.sizer.qty(&facts)?.min(affordable);
        let pattern = match zone.kind {
            Kind::Ob => "ob_retest",
            Kind::BreakerBlock => "breaker_retest",
            _ => "fvg_retest",
        };
        let setup = Setup {
            pattern: Cow::Borrowed(pattern),
            timeframe: Some(zone.timeframe),
        };
        let intent = OrderIntent::limit(ctx.instrument_index, side, Size::Qty(qty), entry)
            .with_bracket(Some(stop), Some(take))
            .with_setup(setup);
        Some((intent, stop))
    }
}

/// The swing trend the `frames` all share (1 up, -1 down), else 0.
fn agreed_trend(mtf: &MultiTimeframe, frames: &[Timeframe]) -> i8 {
    let mut trends = frames
        .iter()
        .map(|tf| mtf.analyzer(*tf).map_or(0, |a| a.trend(Scope::Swing)));
    let first = trends.next().unwrap_or(0);
    if trends.all(|t| t == first) { first } else { 0 }
}

/// Why the `frames` (confirming ones, then the bias) share no trend: the
/// bias frame has found no swing high and low yet (too little history), or
/// has them but no break yet, or a confirming frame disagrees with it (or
/// has no trend yet).
fn no_bias_reason(mtf: &MultiTimeframe, frames: &[Timeframe]) -> NoTradeReason {
    let bias = frames.last().and_then(|tf| mtf.analyzer(*tf));
    match bias {
        None => NoTradeReason::NoBias,
        Some(a) if a.trend(Scope::Swing) != 0 => NoTradeReason::BiasDisagrees,
        Some(a) if a.range().is_none() => NoTradeReason::WarmingUp,
        Some(_) => NoTradeReason::NoBias,
    }
}

/// The nearest liquidity pool of `tf` beyond the last price in the
/// direction of `bias` (the confluence view's `liquidity_above` / `_below`).
fn opposing_liquidity(mtf: &MultiTimeframe, tf: Timeframe, bias: i8) -> Option<f64> {
    let price = mtf.last_price()?;
    let levels = mtf.analyzer(tf)?.pools().iter().map(|p| p.level);
    if bias == 1 {
        levels.filter(|l| *l > price).reduce(f64::min)
    } else {
        levels.filter(|l| *l < price).reduce(f64::max)
    }
}

/// Whether `id` names a safety exit (`{entry}-x{n}`), which a live
/// session sends when a position's stop was refused.
fn is_safety_exit(id: &str) -> bool {
    id.rsplit_once("-x")
        .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

impl Strategy for SmcStrategy {
    fn name(&self) -> &str {
        "smc"
    }

    /// The entry's first fill starts managing the trade's exit; the stop and
    /// target legs' own fills end it (the next candle sees the flat position).
    fn on_fill(&mut self, fill: &Fill, portfolio: &PortfolioSnapshot, _out: &mut Vec<Intent>) {
        if let Some(position) = self.index.and_then(|i| portfolio.position(i)) {
            self.sizer.on_position(position, fill.fee);
        }
        let id = fill.client_id.as_str();
        if is_safety_exit(id) || id.ends_with("-sl") || id.ends_with("-tp") {
            // A leg or the session's safety exit closed the position: there
            // is no stop left to trail.
            self.managed = None;
            return;
        }
        if self.config.exits.is_empty() {
            return;
        }
        if let Some(stop) = self.pending_stop.take() {
            let stop_id = ClientOrderId::new(format!("{id}-sl"));
            self.managed = Some((ManagedExit::new(fill.side, fill.price, stop), stop_id));
        }
    }

    /// A refused stop leg does not exist: stop trailing it (the session
    /// protects or closes the position; amending nothing only adds errors).
    fn on_rejected(&mut self, client_id: &ClientOrderId, _reason: &str, _out: &mut Vec<Intent>) {
        let id = client_id.as_str();
        let leg = id.ends_with("-sl") || id.ends_with("-tp") || is_safety_exit(id);
        if !leg && self.managed.is_none() {
            // The pending entry (the strategy has at most one) was refused:
            // it will never fill, so it is not waited for.
            self.pending_for = None;
            self.pending_stop = None;
        }
        if self
            .managed
            .as_ref()
            .is_some_and(|(_, stop_id)| stop_id == client_id)
        {
            self.managed = None;
        }
    }

    fn no_trade_reason(&self) -> Option<NoTradeReason> {
        self.reason
    }

    /// Every `return` that places no entry on a base candle names its
    /// reason in `self.reason` (a higher timeframe's candle is no decision).
    fn on_candle(&mut self, ctx: &StrategyContext<'_>, out: &mut Vec<Intent>) {
        self.reason = None;
        self.index.get_or_insert(ctx.instrument_index);
        let base = *self.base.get_or_insert(ctx.timeframe);
        if ctx.timeframe != base {
            return;
        }
        if self.mtf.is_none() {
            self.trend_frames = (self.config.confirm_timeframes.iter())
                .chain([&self.config.bias_timeframe])
                .map(|tf| (*tf).max(base))
                .collect();
            let tfs: Vec<Timeframe> = [base]
                .into_iter()
                .chain(self.trend_frames.clone())
                .collect();
            let mut detectors = self.config.detectors.clone();
            if self.wants_features() {
                // The previous day's and week's levels feed the features
                // only: the entry rules below never read those kinds.
                detectors
                    .previous_periods
                    .extend([Timeframe::D1, Timeframe::W1]);
                let frames = [base].into_iter().chain(self.trend_frames.clone());
                self.features = Some(FeatureState::new(frames.collect()));
            }
            // A bias timeframe that base candles cannot build trades nothing.
            self.mtf = MultiTimeframe::new(base, &tfs, &detectors).ok();
        }
        let Some(mtf) = self.mtf.as_mut() else {
            self.reason = Some(NoTradeReason::NoBias);
            return;
        };
        self.events.clear();
        mtf.on_candle(ctx.candle, &mut self.events);
        let bar = Bar::from_candle(ctx.candle, base);
        self.atr.update(&bar);
        if let Some(state) = self.features.as_mut() {
            state.observe(&bar, &self.events);
        }
        self.filters.observe(&self.events, base);
        // Only the bias frame's trend is needed on every candle; building the
        // whole confluence view (every active zone, sorted) per candle would
        // cost most of the run.
        let bias = agreed_trend(mtf, &self.trend_frames);
        self.manage_exit(ctx, out);
        let flat = ctx.position_qty().is_zero();
        if let Some(age) = self.pending_for.as_mut() {
            *age += 1;
            if !flat {
                self.pending_for = None; // filled: the bracket manages the exit
            } else if *age >= self.config.entry_expiry_bars {
                out.push(Intent::CancelAll {
                    instrument: ctx.instrument_index,
                });
                self.pending_for = None;
            }
        }
        let mut zone = None;
        for e in self
            .events
            .iter()
            .filter(|e| e.timeframe == base && e.event == Lifecycle::Formed)
        {
            match e.kind {
                Kind::Bos | Kind::Choch => self.last_break = e.direction,
                Kind::SwingLow => self.swings.0 = e.level.and_then(Decimal::from_f64),
                Kind::SwingHigh => self.swings.1 = e.level.and_then(Decimal::from_f64),
                Kind::Ob | Kind::Fvg if e.direction == bias && self.last_break == bias => {
                    zone = Some(e.clone())
                }
                Kind::BreakerBlock
                    if self.config.breaker_blocks
                        && e.direction == bias
                        && self.last_break == bias =>
                {
                    zone = Some(e.clone())
                }
                _ => {}
            }
        }
        let shorts = self
            .config
            .allow_short
            .unwrap_or(ctx.instrument.kind == smc_model::MarketKind::Forex);
        let tradable = bias == 1 || (bias == -1 && shorts);
        let (Some(zone), true, true, None) = (&zone, tradable, flat, self.pending_for) else {
            self.reason = Some(self.why_not(flat, bias, tradable, zone.is_some()));
            return;
        };
        if let Some(reason) = self.filters.refuse(bias, ctx.now.ms()) {
            self.reason = Some(reason);
            return;
        }
        let target = self
            .mtf
            .as_ref()
            .and_then(|m| opposing_liquidity(m, base, bias));
        let zone = zone.clone();
        if let Some((mut intent, stop)) = self.entry(ctx, &zone, bias, target) {
            let Some(scale) = self.rate(ctx, &intent) else {
                self.reason = Some(NoTradeReason::ModelBelowThreshold);
                return;
            };
            if scale < 1.0
                && let Size::Qty(q) = intent.size
            {
                let scale = Decimal::from_f64(scale).unwrap_or(Decimal::ONE);
                intent.size = Size::Qty(q * scale);
            }
            out.push(intent.into());
            self.pending_for = Some(0);
            self.pending_stop = Some(stop);
        } else {
            self.reason = Some(NoTradeReason::ZoneUnusable);
        }
    }
}

#[cfg(test)]
mod tests;
