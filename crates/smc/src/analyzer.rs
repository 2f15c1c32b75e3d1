//! All causal detectors of one timeframe, fed one closed bar at a time:
//! swings (internal and swing scope), structure breaks, order blocks and
//! breakers, fair value gaps and inverse gaps, liquidity pools and sweeps,
//! and the premium/discount range. Every event it emits is known at the
//! close of the bar being processed.

use crate::atr::Atr;
use crate::bar::Bar;
use crate::config::DetectorConfig;
use crate::detect_zones::{fair_value_gap, order_block};
use crate::event::{Kind, Lifecycle, Scope, SmcEvent};
use crate::history::History;
use crate::liquidity::Pools;
use crate::structure::{Structure, StructureEvent};
use crate::swing::{Spans, Swing, Swings};
use crate::zones::{Zone, Zones};
use smc_model::Timeframe;

/// Bars kept for look-backs (order block candles).
const HISTORY: usize = 2048;

/// The dealing range between the last swing-scope high and low.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub top: f64,
    pub bottom: f64,
}

/// Which part of the dealing range a price is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PriceZone {
    /// Below the equilibrium band: where longs are taken.
    Discount,
    /// Within 2.5% of the range around the middle.
    Equilibrium,
    /// Above the equilibrium band: where shorts are taken.
    Premium,
}

/// Half the width of the equilibrium band, as a fraction of the range
/// (the TradingView SMC indicator's 47.5–52.5%).
const EQUILIBRIUM_HALF_BAND: f64 = 0.025;

impl Range {
    /// Where `price` sits in the range: 0 at the bottom, 1 at the top; above
    /// 0.5 is premium, below is discount. Outside the range it is below 0
    /// or above 1.
    pub fn position(&self, price: f64) -> f64 {
        (price - self.bottom) / (self.top - self.bottom)
    }

    /// The part of the range `price` is in (a NaN price counts as
    /// equilibrium).
    pub fn zone(&self, price: f64) -> PriceZone {
        let p = self.position(price);
        if p > 0.5 + EQUILIBRIUM_HALF_BAND {
            PriceZone::Premium
        } else if p < 0.5 - EQUILIBRIUM_HALF_BAND {
            PriceZone::Discount
        } else {
            PriceZone::Equilibrium
        }
    }

    /// The middle of the range.
    pub fn equilibrium(&self) -> f64 {
        (self.top + self.bottom) / 2.0
    }
}

#[derive(Debug, Clone)]
pub struct TimeframeAnalyzer {
    timeframe: Timeframe,
    config: DetectorConfig,
    history: History,
    atr: Atr,
    internal: Structure,
    swing: Structure,
    spans: Spans,
    internal_swings: Swings,
    swing_swings: Swings,
    blocks: Zones,
    gaps: Zones,
    pools: Pools,
    range: Option<Range>,
    last_swing_high: Option<Swing>,
    last_swing_low: Option<Swing>,
    next_id: u64,
    breaks: Vec<StructureEvent>,
}

impl TimeframeAnalyzer {
    pub fn new(timeframe: Timeframe, config: &DetectorConfig) -> Self {
        TimeframeAnalyzer {
            timeframe,
            config: config.clone(),
            history: History::new(
                HISTORY.max(2 * config.swing_length.max(config.internal_length) + 2),
            ),
            atr: Atr::new(config.atr_period),
            internal: Structure::new(Scope::Internal, config.close_break),
            swing: Structure::new(Scope::Swing, config.close_break),
            spans: Spans::new(config.swing_length.max(config.internal_length)),
            internal_swings: Swings::new(config.internal_length),
            swing_swings: Swings::new(config.swing_length),
            blocks: Zones::new(timeframe, config.max_active_zones),
            gaps: Zones::new(timeframe, config.max_active_zones),
            pools: Pools::new(timeframe, config.max_active_zones),
            range: None,
            last_swing_high: None,
            last_swing_low: None,
            next_id: 0,
            breaks: Vec::new(),
        }
    }

    pub fn timeframe(&self) -> Timeframe {
        self.timeframe
    }

    /// Processes one closed bar.
    #[inline]
    pub fn on_bar(&mut self, bar: Bar, out: &mut Vec<SmcEvent>) {
        self.step(&bar, out);
    }

    /// [`Self::on_bar`] by reference: the caller's bar was just written
    /// field by field, and copying it whole into an argument would read it
    /// back before those stores have landed (a store-forwarding stall on
    /// every bar).
    pub(crate) fn step(&mut self, bar: &Bar, out: &mut Vec<SmcEvent>) {
        self.history.push(*bar);
        self.atr.update(bar);
        // Objects formed earlier meet this bar first; then new objects form.
        self.blocks.on_bar(bar, &mut self.next_id, out);
        self.gaps.on_bar(bar, &mut self.next_id, out);
        self.pools.on_bar(bar, out);
        // A bar beyond neither level of a scope leaves it as it is (the
        // common case, checked here rather than in a call).
        if self.internal.reaches(bar) {
            self.structure(bar, Scope::Internal, out);
        }
        if self.swing.reaches(bar) {
            self.structure(bar, Scope::Swing, out);
        }
        if let Some(mut gap) =
            fair_value_gap(&self.history, self.config.fvg_min_atr * self.atr.value())
        {
            gap.id = self.new_id();
            self.gaps.add(gap, out);
        }
        let span = self.spans.push(bar.high, bar.low);
        self.swings(Scope::Internal, bar, span, out);
        self.swings(Scope::Swing, bar, span, out);
    }

    fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// The breaks and sweeps of a bar that reaches a level of `scope`.
    fn structure(&mut self, bar: &Bar, scope: Scope, out: &mut Vec<SmcEvent>) {
        let mut events = std::mem::take(&mut self.breaks);
        events.clear();
        match scope {
            Scope::Internal => self.internal.on_bar(bar, &mut events),
            Scope::Swing => self.swing.on_bar(bar, &mut events),
        }
        for event in &events {
            match *event {
                StructureEvent::Break { swing, choch } => {
                    let kind = if choch { Kind::Choch } else { Kind::Bos };
                    self.level_event(kind, &swing, bar, scope, out);
                    if let Some(mut block) = order_block(&self.history, &swing, scope) {
                        block.id = self.new_id();
                        self.blocks.add(block, out);
                    }
                }
                StructureEvent::Sweep { swing } if scope == Scope::Swing => {
                    self.level_event(Kind::Sweep, &swing, bar, scope, out);
                }
                StructureEvent::Sweep { .. } => {}
            }
        }
        self.breaks = events;
    }

    /// An event at `bar` about the level of `swing` (a break or a sweep).
    fn level_event(
        &mut self,
        kind: Kind,
        swing: &Swing,
        bar: &Bar,
        scope: Scope,
        out: &mut Vec<SmcEvent>,
    ) {
        let id = self.new_id();
        let e = SmcEvent::new(
            self.timeframe,
            kind,
            Lifecycle::Formed,
            swing.direction,
            bar.open_time,
            bar.close_time,
        );
        out.push(e.level(swing.level).id(id).origin(swing.time).scope(scope));
    }

    fn swings(&mut self, scope: Scope, bar: &Bar, span: (u64, u32, u32), out: &mut Vec<SmcEvent>) {
        let (i, up, down) = span;
        let (high, low) = match scope {
            Scope::Internal => self.internal_swings.on_bar(i, bar, up, down),
            Scope::Swing => self.swing_swings.on_bar(i, bar, up, down),
        };
        // Most bars confirm nothing.
        if let Some(swing) = high {
            self.swing_confirmed(scope, swing, out);
        }
        if let Some(swing) = low {
            self.swing_confirmed(scope, swing, out);
        }
    }

    fn swing_confirmed(&mut self, scope: Scope, swing: Swing, out: &mut Vec<SmcEvent>) {
        let kind = if swing.direction == 1 {
            Kind::SwingHigh
        } else {
            Kind::SwingLow
        };
        let id = self.new_id();
        out.push(
            SmcEvent::new(
                self.timeframe,
                kind,
                Lifecycle::Formed,
                swing.direction,
                swing.time,
                swing.known_at,
            )
            .level(swing.level)
            .id(id)
            .scope(scope),
        );
        match scope {
            Scope::Internal => {
                self.internal.on_swing(swing);
                let tolerance = self.config.equal_tolerance_atr * self.atr.value();
                self.pools
                    .on_swing(swing, tolerance, &mut self.next_id, out);
            }
            Scope::Swing => {
                self.swing.on_swing(swing);
                self.update_range(swing, out);
            }
        }
    }

    fn update_range(&mut self, swing: Swing, out: &mut Vec<SmcEvent>) {
        if swing.direction == 1 {
            self.last_swing_high = Some(swing);
        } else {
            self.last_swing_low = Some(swing);
        }
        let (Some(high), Some(low)) = (self.last_swing_high, self.last_swing_low) else {
            return;
        };
        if high.level <= low.level {
            return;
        }
        let range = Range {
            top: high.level,
            bottom: low.level,
        };
        self.range = Some(range);
        let id = self.new_id();
        out.push(
            SmcEvent::new(
                self.timeframe,
                Kind::PremiumDiscount,
                Lifecycle::Formed,
                swing.direction,
                swing.time,
                swing.known_at,
            )
            .zone(range.top, range.bottom)
            .level((range.top + range.bottom) / 2.0)
            .id(id)
            .origin(if swing.direction == 1 {
                low.time
            } else {
                high.time
            }),
        );
    }

    /// Trend of a scope: 1 up, -1 down, 0 before the first break.
    pub fn trend(&self, scope: Scope) -> i8 {
        match scope {
            Scope::Internal => self.internal.trend,
            Scope::Swing => self.swing.trend,
        }
    }

    /// The unbroken swing-scope high and low.
    pub fn swing_levels(&self) -> (Option<Swing>, Option<Swing>) {
        self.swing.levels()
    }

    /// Active order blocks and breaker blocks, oldest first.
    pub fn blocks(&self) -> Vec<Zone> {
        self.blocks.active()
    }

    /// Active fair value gaps and inverse gaps, oldest first.
    pub fn gaps(&self) -> Vec<Zone> {
        self.gaps.active()
    }

    /// Active order blocks, breakers, gaps and inverse gaps, in no
    /// particular order and without allocating.
    pub fn zones(&self) -> impl Iterator<Item = &Zone> {
        self.blocks.iter().chain(self.gaps.iter())
    }

    /// Active liquidity pools.
    pub fn pools(&self) -> &[crate::liquidity::Pool] {
        self.pools.active()
    }

    /// The premium/discount range, once a swing high and low exist.
    pub fn range(&self) -> Option<Range> {
        self.range
    }

    /// The newest bar.
    pub fn last_bar(&self) -> Option<&Bar> {
        self.history.back(0)
    }

    /// The current ATR.
    pub fn atr(&self) -> f64 {
        self.atr.value()
    }
}
