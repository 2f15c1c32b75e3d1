//! The matching engine of the simulated venue (the backtest and paper mode
//! share it). For each bar it walks the intrabar path chosen by the
//! [`IntrabarRule`] and fills orders where the path first reaches them:
//!
//! 1. at the open: resting orders the price gapped through fill at the open
//!    (stops and take-profits at the open, limits at the open, in your
//!    favour); then newly arrived orders in submission order (market orders
//!    fill at the open; marketable limits fill at the open as takers;
//!    post-only orders that would take are rejected; IOC/FOK settle here);
//! 2. along each leg of the path (open → first extreme → second → close):
//!    the order whose level comes first along the leg fills at its level
//!    (stop at the trigger, limit at the limit), then the walk continues
//!    from there, so a stop and a target touched in one bar fill in path
//!    order and bracket legs cancel each other.
//!
//! Orders become candidates only in bars opening at or after their
//! eligibility time (see `latency`), so nothing decided on a bar's close
//! fills inside that bar.

use crate::executor::{Executor, VenueReport};
use crate::intrabar::{Exposure, IntrabarRule};
use crate::oms::{Oms, Order};
use crate::portfolio::Portfolio;
use rust_decimal::Decimal;
use smc_model::InstrumentIndex;
use smc_model::{Candle, InstrumentSpec, OrderKind, Side, TimeInForce};

/// Where an order fills on a leg from `a` to `b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Condition {
    /// At once, at the current price.
    Now,
    AtOrBelow(Decimal),
    AtOrAbove(Decimal),
}

impl Condition {
    /// Distance along the leg and the price at which the condition is first
    /// met, if it is met on the leg. Already met at `a` means at `a` (a gap).
    fn cross(self, a: Decimal, b: Decimal) -> Option<(Decimal, Decimal)> {
        match self {
            Condition::Now => Some((Decimal::ZERO, a)),
            Condition::AtOrBelow(l) if a <= l => Some((Decimal::ZERO, a)),
            Condition::AtOrBelow(l) if b <= l => Some((a - l, l)),
            Condition::AtOrAbove(l) if a >= l => Some((Decimal::ZERO, a)),
            Condition::AtOrAbove(l) if b >= l => Some((l - a, l)),
            _ => None,
        }
    }
}

/// The condition an order waits for, and whether meeting it only triggers
/// the order (a stop-limit's stop) rather than filling it. Limits and
/// take-profits wait for a move in the order's favour (a buy at or below
/// the level), stops for a move against it. The path is the bid; a buy
/// deals at the ask, `spread` above it, so its levels are met when the
/// bid is `spread` below them.
fn condition(o: &Order, spread: Decimal) -> (Condition, bool) {
    let buy = o.side() == Side::Buy;
    let shift = if buy { spread } else { Decimal::ZERO };
    let (cond, trigger_only) = bid_condition(o, buy);
    let cond = match cond {
        Condition::Now => Condition::Now,
        Condition::AtOrBelow(l) => Condition::AtOrBelow(l - shift),
        Condition::AtOrAbove(l) => Condition::AtOrAbove(l - shift),
    };
    (cond, trigger_only)
}

/// [`condition`] without a spread.
fn bid_condition(o: &Order, buy: bool) -> (Condition, bool) {
    let favourable = |l| {
        if buy {
            Condition::AtOrBelow(l)
        } else {
            Condition::AtOrAbove(l)
        }
    };
    let adverse = |l| {
        if buy {
            Condition::AtOrAbove(l)
        } else {
            Condition::AtOrBelow(l)
        }
    };
    match o.kind() {
        OrderKind::Market => (Condition::Now, false),
        OrderKind::Limit { price } => (favourable(price), false),
        OrderKind::TakeProfit { trigger } => (favourable(trigger), false),
        OrderKind::StopMarket { trigger } => (adverse(trigger), false),
        OrderKind::StopLimit { trigger, .. } if !o.triggered => (adverse(trigger), true),
        OrderKind::StopLimit { price, .. } => (favourable(price), false),
    }
}

/// Which orders a pass over the path may fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// Orders already resting before this bar.
    Resting,
    /// One order arriving in this bar.
    Arriving(usize),
    /// Every candidate.
    All,
}

/// The matching engine: a path rule and an executor for fills.
#[derive(Debug, Clone)]
pub struct MatchingEngine {
    pub rule: IntrabarRule,
    pub executor: Executor,
    /// Per instrument (by index), the bid-ask spread in price units when
    /// its candles are bid prices (forex): buys deal that much above the
    /// path. Missing or zero: one price for both sides.
    pub spreads: Vec<Decimal>,
}

impl MatchingEngine {
    /// Matches instrument `i`'s open orders against `bar`, writing fills and
    /// order outcomes to `out`.
    pub fn match_bar(
        &self,
        i: usize,
        spec: &InstrumentSpec,
        bar: &Candle,
        oms: &mut Oms,
        portfolio: &mut Portfolio,
        out: &mut Vec<VenueReport>,
    ) {
        if !oms.has_eligible(i, bar.open_time) {
            return;
        }
        let position = portfolio.position(i).qty;
        let exposure = oms
            .open()
            .iter()
            .find(|o| candidate(o, i, bar))
            .map_or(Exposure::Long, |o| o.exposure(position));
        let path = self.rule.path(bar, exposure);
        let mut bar_state = BarState {
            i,
            spec,
            bar,
            budget: self.executor.participation.map(|p| p * bar.volume),
            just_triggered: None,
            spread: self.spreads.get(i).copied().unwrap_or_default(),
        };
        let open = bar.open;
        self.pass(
            &mut bar_state,
            oms,
            portfolio,
            open,
            open,
            Pass::Resting,
            out,
        );
        let mut idx = 0;
        while idx < oms.open().len() {
            let o = &oms.open()[idx];
            if candidate(o, i, bar) && !o.arrived {
                self.arrive(&mut bar_state, idx, oms, portfolio, out);
            }
            idx += 1;
        }
        for leg in path.windows(2) {
            self.pass(
                &mut bar_state,
                oms,
                portfolio,
                leg[0],
                leg[1],
                Pass::All,
                out,
            );
        }
        oms.sweep();
    }

    /// Settles an order's arrival at the open: post-only and IOC/FOK rules,
    /// and an immediate fill if it is marketable.
    fn arrive(
        &self,
        st: &mut BarState,
        idx: usize,
        oms: &mut Oms,
        pf: &mut Portfolio,
        out: &mut Vec<VenueReport>,
    ) {
        let open = st.bar.open;
        let o = &oms.open()[idx];
        let marketable = condition(o, st.spread).0.cross(open, open).is_some();
        match o.tif() {
            TimeInForce::PostOnly if marketable => {
                let why = format!("post-only order would take liquidity at the open {open}");
                self.executor.reject(idx, oms, why, out);
                return;
            }
            TimeInForce::Fok => {
                let fillable = marketable
                    && self
                        .executor
                        .fillable_qty(st, idx, open, oms, pf)
                        .is_some_and(|(q, rest)| q >= rest);
                if fillable {
                    self.pass(st, oms, pf, open, open, Pass::Arriving(idx), out);
                }
                self.executor.expire_if_open(
                    idx,
                    oms,
                    "fill-or-kill order could not fill in full at arrival",
                    out,
                );
            }
            TimeInForce::Ioc => {
                self.pass(st, oms, pf, open, open, Pass::Arriving(idx), out);
                self.executor
                    .expire_if_open(idx, oms, "immediate-or-cancel remainder", out);
            }
            _ => self.pass(st, oms, pf, open, open, Pass::Arriving(idx), out),
        }
        if let Some(o) = oms.open_mut().get_mut(idx) {
            o.arrived = true;
        }
    }

    /// Fills, in path order, the orders of `which` that the leg from `a` to
    /// `b` reaches.
    #[allow(clippy::too_many_arguments)]
    fn pass(
        &self,
        st: &mut BarState,
        oms: &mut Oms,
        pf: &mut Portfolio,
        a: Decimal,
        b: Decimal,
        which: Pass,
        out: &mut Vec<VenueReport>,
    ) {
        let mut cursor = a;
        loop {
            let mut best: Option<(Decimal, usize, Decimal, bool)> = None;
            for (idx, o) in oms.open().iter().enumerate() {
                let allowed = match which {
                    Pass::Resting => o.arrived,
                    Pass::Arriving(k) => k == idx,
                    Pass::All => true,
                };
                if !allowed || !candidate(o, st.i, st.bar) {
                    continue;
                }
                let (cond, trigger_only) = condition(o, st.spread);
                if let Some((dist, price)) = cond.cross(cursor, b)
                    && best.is_none_or(|(d, ..)| dist < d)
                {
                    best = Some((dist, idx, price, trigger_only));
                }
            }
            let Some((dist, idx, price, trigger_only)) = best else {
                break;
            };
            cursor = price;
            if trigger_only {
                if let Some(o) = oms.open_mut().get_mut(idx) {
                    o.triggered = true;
                }
                st.just_triggered = Some(idx);
                continue;
            }
            // Taker: market-type orders, anything filling on arrival, and a
            // stop-limit marketable the moment it triggers.
            let on_arrival = !oms.open()[idx].arrived && dist.is_zero();
            let at_trigger = st.just_triggered == Some(idx) && dist.is_zero();
            st.just_triggered = None;
            // The path is the bid; a buy deals at the ask.
            let deal = if oms.open()[idx].side() == Side::Buy {
                price + st.spread
            } else {
                price
            };
            self.executor
                .execute(st, idx, deal, on_arrival || at_trigger, oms, pf, out);
        }
    }
}

/// Whether an order may fill in `bar`.
fn candidate(o: &Order, i: usize, bar: &Candle) -> bool {
    o.instrument == InstrumentIndex::new(i)
        && o.status.is_open()
        && o.eligible_at <= bar.open_time
        && o.blocked_bar != Some(bar.open_time)
}

/// What one bar's matching knows.
#[derive(Debug)]
pub struct BarState<'a> {
    pub i: usize,
    pub spec: &'a InstrumentSpec,
    pub bar: &'a Candle,
    /// Volume the bar can still fill (participation cap), if capped.
    pub budget: Option<Decimal>,
    just_triggered: Option<usize>,
    /// The instrument's bid-ask spread (zero: one price for both sides).
    pub spread: Decimal,
}
