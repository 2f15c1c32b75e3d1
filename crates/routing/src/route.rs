//! The router: every venue's alternative for the whole order, then the
//! cheapest mix of the venues' levels (a merge of their books by all-in
//! price, within each venue's balance, exposure room and lot rules), and
//! the choice between the best single venue and that split by the rule of
//! [`crate::cost`]. A limit order's part that nothing within the limit
//! can fill rests on the venue where resting costs least.

use crate::book::{MAX_VALUE, Sweep};
use crate::cost::{BP, CostModel};
use crate::decision::{Allocation, Alternative, RoutingDecision};
use crate::venue::VenueQuote;
use rust_decimal::Decimal;
use smc_model::Side;

/// The order to route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteRequest {
    pub side: Side,
    pub qty: Decimal,
    /// A limit order's price; levels beyond it are not taken.
    pub limit: Option<Decimal>,
}

/// Why an order could not be routed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    #[error("routing: the quantity must be positive, got {0}")]
    BadQuantity(Decimal),
    #[error("routing: no venue can take the order ({0})")]
    NoVenue(String),
}

/// A venue that may be used, with its fee-and-penalty rates.
struct Usable<'a> {
    quote: &'a VenueQuote,
    /// Its entry in the decision's alternatives.
    alternative: usize,
    /// A level's all-in price is its price × this (1 ± fee and penalties).
    eff_factor: Decimal,
    /// What a unit's notional weighs against the balance (1 + fee on a buy).
    fee_factor: Decimal,
    /// Taker fee plus penalties, as a fraction of the notional.
    taker_rate: Decimal,
    penalty_rate: Decimal,
}

fn is_buy(side: Side) -> bool {
    side == Side::Buy
}

/// Why `q` is not used at all, if it is not.
fn exclusion(q: &VenueQuote, req: &RouteRequest, model: &CostModel) -> Option<String> {
    let h = &q.health;
    if !h.connected {
        return Some("disconnected".into());
    }
    if h.breaker_tripped {
        return Some("circuit breaker tripped".into());
    }
    if h.recent_errors > model.max_recent_errors {
        return Some(format!("{} recent errors", h.recent_errors));
    }
    if q.max_qty.is_some_and(|m| m <= Decimal::ZERO)
        || q.max_notional.is_some_and(|m| m <= Decimal::ZERO)
    {
        return Some("no balance or exposure room".into());
    }
    let fee_ok = |f: Decimal| f > Decimal::new(-1, 2) && f < Decimal::new(1, 1);
    if !fee_ok(q.taker_fee) || !fee_ok(q.maker_fee) {
        return Some("fee rates out of range".into());
    }
    let in_range = |v: Option<Decimal>| v.is_none_or(|v| v < MAX_VALUE);
    if !in_range(q.max_qty)
        || !in_range(q.max_notional)
        || !in_range(Some(q.latency_ms))
        || q.lot.step < Decimal::ZERO
        || !in_range(Some(q.lot.step))
    {
        return Some("caps, latency or lot rules out of range".into());
    }
    if !q.book.is_well_formed(is_buy(req.side)) {
        return Some("book crossed or out of order".into());
    }
    if q.book.levels.is_empty() && req.limit.is_none() {
        return Some("empty book".into());
    }
    None
}

/// Takes up to `want` from `u`'s book within its caps, rounded down to
/// its lot step.
fn fill_on(u: &Usable, want: Decimal, req: &RouteRequest) -> Sweep {
    let buy = is_buy(req.side);
    let q = u.quote;
    let mut left = want.min(q.max_qty.unwrap_or(want));
    let mut room = q.max_notional;
    let mut taken = Decimal::ZERO;
    let mut notional = Decimal::ZERO;
    for level in &q.book.levels {
        if left <= Decimal::ZERO || beyond(level.price, req.limit, buy) {
            break;
        }
        let take = left.min(level.qty);
        if let Some(r) = room {
            let unit = level.price * u.fee_factor;
            let cost = take * unit;
            // Divide only where the room binds: it is the slow operation.
            if cost >= r {
                let most = r / unit;
                taken += most;
                notional += most * level.price;
                break;
            }
            room = Some(r - cost);
        }
        taken += take;
        left -= take;
        notional += take * level.price;
    }
    let lots = q.lot.round_down(taken);
    if lots == taken {
        Sweep {
            qty: taken,
            notional,
        }
    } else {
        q.book.sweep(lots, req.limit, buy)
    }
}

fn beyond(price: Decimal, limit: Option<Decimal>, buy: bool) -> bool {
    match limit {
        Some(l) if buy => price > l,
        Some(l) => price < l,
        None => false,
    }
}

/// An allocation of `sweep` on `u`, priced with its fee and penalties.
fn allocation(u: &Usable, sweep: Sweep, buy: bool) -> Option<Allocation> {
    let avg = sweep.avg_price()?;
    let fee = sweep.notional * u.quote.taker_fee;
    let sign = if buy { Decimal::ONE } else { -Decimal::ONE };
    Some(Allocation {
        venue: u.quote.venue.clone(),
        qty: sweep.qty,
        avg_price: avg,
        all_in_price: avg * (Decimal::ONE + sign * u.taker_rate),
        fee,
        resting: false,
    })
}

fn alternative(u: &Usable, req: &RouteRequest) -> Alternative {
    let sweep = fill_on(u, req.qty, req);
    let avg = sweep.avg_price();
    let sign = if is_buy(req.side) {
        Decimal::ONE
    } else {
        -Decimal::ONE
    };
    Alternative {
        venue: u.quote.venue.clone(),
        excluded: None,
        fillable_qty: sweep.qty,
        avg_price: avg,
        all_in_price: avg.map(|a| a * (Decimal::ONE + sign * u.taker_rate)),
        fee: sweep.notional * u.quote.taker_fee,
        penalty: sweep.notional * u.penalty_rate,
    }
}

/// Where the merge stands on one venue's book.
struct Cursor {
    level: usize,
    used_in_level: Decimal,
    qty_room: Option<Decimal>,
    notional_room: Option<Decimal>,
    /// The current level's all-in price; `None` once the venue can give
    /// nothing more (book, limit, balance or exposure room exhausted).
    eff: Option<Decimal>,
    took: Decimal,
}

impl Cursor {
    fn new(u: &Usable, req: &RouteRequest) -> Cursor {
        let mut c = Cursor {
            level: 0,
            used_in_level: Decimal::ZERO,
            qty_room: u.quote.max_qty,
            notional_room: u.quote.max_notional,
            eff: None,
            took: Decimal::ZERO,
        };
        c.refresh(u, req);
        c
    }

    fn refresh(&mut self, u: &Usable, req: &RouteRequest) {
        let buy = is_buy(req.side);
        self.eff = u
            .quote
            .book
            .levels
            .get(self.level)
            .filter(|l| !beyond(l.price, req.limit, buy))
            .map(|l| l.price * u.eff_factor);
    }

    /// Takes up to `left` from the current level; returns what it took.
    fn take(&mut self, u: &Usable, req: &RouteRequest, left: Decimal) -> Decimal {
        let l = u.quote.book.levels[self.level];
        let mut take = left.min(l.qty - self.used_in_level);
        // A venue whose balance or exposure room binds is used up: marking
        // it so keeps rounding crumbs from looping forever.
        let mut used_up = false;
        if let Some(r) = self.qty_room.filter(|r| *r <= take) {
            take = r;
            used_up = true;
        }
        if let Some(r) = self.notional_room {
            let unit = l.price * u.fee_factor;
            // Divide only where the room binds: it is the slow operation.
            if take * unit >= r {
                take = r / unit;
                used_up = true;
            }
            self.notional_room = Some(r - take * unit);
        }
        let take = take.max(Decimal::ZERO);
        self.qty_room = self.qty_room.map(|r| r - take);
        self.took += take;
        self.used_in_level += take;
        if used_up {
            self.eff = None;
        } else if self.used_in_level >= l.qty {
            self.level += 1;
            self.used_in_level = Decimal::ZERO;
            self.refresh(u, req);
        }
        take
    }
}

/// The quantity per venue of the cheapest mix of all the venues' levels.
fn merge_books(usable: &[Usable], req: &RouteRequest) -> Vec<Decimal> {
    let buy = is_buy(req.side);
    let mut cursors: Vec<Cursor> = usable.iter().map(|u| Cursor::new(u, req)).collect();
    let mut left = req.qty;
    while left > Decimal::ZERO {
        let mut best: Option<(usize, Decimal)> = None;
        for (i, c) in cursors.iter().enumerate() {
            let Some(eff) = c.eff else { continue };
            if best.is_none_or(|(_, b)| if buy { eff < b } else { eff > b }) {
                best = Some((i, eff));
            }
        }
        let Some((i, _)) = best else { break };
        left -= cursors[i].take(&usable[i], req, left);
    }
    cursors.into_iter().map(|c| c.took).collect()
}

/// The split: the merge's quantities on lot steps, minimums enforced, and
/// what rounding left over given to the venues that can still take it.
fn split(usable: &[Usable], req: &RouteRequest) -> Vec<Allocation> {
    let buy = is_buy(req.side);
    let mut qty: Vec<Decimal> = merge_books(usable, req)
        .into_iter()
        .zip(usable)
        .map(|(q, u)| u.quote.lot.round_down(q))
        .collect();
    for (i, u) in usable.iter().enumerate() {
        let price = u.quote.book.best().unwrap_or_default();
        if !u.quote.lot.accepts(qty[i], price) {
            qty[i] = Decimal::ZERO;
        }
    }
    let mut left = req.qty - qty.iter().copied().sum::<Decimal>();
    for (i, u) in usable.iter().enumerate() {
        if left <= Decimal::ZERO {
            break;
        }
        let more = fill_on(u, qty[i] + left, req).qty;
        let price = u.quote.book.best().unwrap_or_default();
        if more > qty[i] && u.quote.lot.accepts(more, price) {
            left -= more - qty[i];
            qty[i] = more;
        }
    }
    usable
        .iter()
        .zip(qty)
        .filter(|(_, q)| *q > Decimal::ZERO)
        .filter_map(|(u, q)| allocation(u, u.quote.book.sweep(q, req.limit, buy), buy))
        .collect()
}

/// The signed all-in cost of allocations: paid on a buy, minus the
/// proceeds on a sell; lower is better either way.
fn signed_cost(allocations: &[Allocation], buy: bool) -> Decimal {
    let total: Decimal = allocations.iter().map(|a| a.all_in_price * a.qty).sum();
    if buy { total } else { -total }
}

fn routed(allocations: &[Allocation]) -> Decimal {
    allocations.iter().map(|a| a.qty).sum()
}

/// Chooses the venue, or the split, for `req` among `venues`.
pub fn route(
    req: &RouteRequest,
    venues: &[VenueQuote],
    model: &CostModel,
) -> Result<RoutingDecision, RouteError> {
    let bad = |v: Decimal| v <= Decimal::ZERO || v >= MAX_VALUE;
    if bad(req.qty) || req.limit.is_some_and(bad) {
        return Err(RouteError::BadQuantity(req.qty));
    }
    let buy = is_buy(req.side);
    let mut alternatives = Vec::with_capacity(venues.len());
    let mut usable = Vec::with_capacity(venues.len());
    for q in venues {
        if let Some(reason) = exclusion(q, req, model) {
            alternatives.push(excluded(q, reason));
            continue;
        }
        let h = &q.health;
        let penalty_rate = model.penalty(q.latency_ms, h.recent_errors, h.recent_disconnects);
        let u = Usable {
            quote: q,
            alternative: alternatives.len(),
            eff_factor: if buy {
                Decimal::ONE + q.taker_fee + penalty_rate
            } else {
                Decimal::ONE - q.taker_fee - penalty_rate
            },
            fee_factor: if buy {
                Decimal::ONE + q.taker_fee
            } else {
                Decimal::ONE
            },
            taker_rate: q.taker_fee + penalty_rate,
            penalty_rate,
        };
        alternatives.push(alternative(&u, req));
        usable.push(u);
    }
    let best_single = best_whole(&usable, &alternatives, req);
    let mut allocations = split(&usable, req);
    let mut saving_bps = Decimal::ZERO;
    if let Some(single) = &best_single {
        let single_cost = signed_cost(std::slice::from_ref(single), buy);
        let split_cost = signed_cost(&allocations, buy);
        let whole = routed(&allocations) >= single.qty;
        let saving = (single_cost - split_cost) / (single.avg_price * single.qty) / BP;
        if allocations.len() > 1 && whole && saving >= model.min_split_saving_bps {
            saving_bps = saving.round_dp(4);
        } else {
            allocations = vec![single.clone()];
        }
    }
    rest_remainder(&usable, req, model, &mut allocations);
    finish(
        req,
        allocations,
        best_single.map(|a| a.venue),
        saving_bps,
        alternatives,
    )
}

fn excluded(q: &VenueQuote, reason: String) -> Alternative {
    Alternative {
        venue: q.venue.clone(),
        excluded: Some(reason),
        fillable_qty: Decimal::ZERO,
        avg_price: None,
        all_in_price: None,
        fee: Decimal::ZERO,
        penalty: Decimal::ZERO,
    }
}

/// The cheapest venue that takes the whole order alone (lot minimums met).
fn best_whole(
    usable: &[Usable],
    alternatives: &[Alternative],
    req: &RouteRequest,
) -> Option<Allocation> {
    let buy = is_buy(req.side);
    let mut best: Option<Allocation> = None;
    for u in usable {
        let alt = &alternatives[u.alternative];
        let (Some(avg), true) = (alt.avg_price, alt.fillable_qty >= req.qty) else {
            continue;
        };
        if !u.quote.lot.accepts(alt.fillable_qty, avg) {
            continue;
        }
        // The alternative is this venue's sweep of the whole order.
        let a = Allocation {
            venue: u.quote.venue.clone(),
            qty: alt.fillable_qty,
            avg_price: avg,
            all_in_price: alt.all_in_price.unwrap_or(avg),
            fee: alt.fee,
            resting: false,
        };
        let better = best.as_ref().is_none_or(|b| {
            if buy {
                a.all_in_price < b.all_in_price
            } else {
                a.all_in_price > b.all_in_price
            }
        });
        if better {
            best = Some(a);
        }
    }
    best
}

/// A limit order's unfilled part rests on the venue with the lowest maker
/// fee plus penalties that accepts it and has room for it.
fn rest_remainder(
    usable: &[Usable],
    req: &RouteRequest,
    model: &CostModel,
    allocations: &mut Vec<Allocation>,
) {
    let Some(limit) = req.limit else { return };
    let left = req.qty - routed(allocations);
    if left <= Decimal::ZERO {
        return;
    }
    let buy = is_buy(req.side);
    let sign = if buy { Decimal::ONE } else { -Decimal::ONE };
    let best = usable
        .iter()
        .filter_map(|u| {
            let q = u.quote;
            let mut qty = q.lot.round_down(left.min(q.max_qty.unwrap_or(left)));
            if let Some(room) = q.max_notional {
                let unit = limit * (Decimal::ONE + q.maker_fee);
                qty = q.lot.round_down(qty.min(room / unit));
            }
            let h = &q.health;
            let rate =
                q.maker_fee + model.penalty(q.latency_ms, h.recent_errors, h.recent_disconnects);
            q.lot.accepts(qty, limit).then_some((u, qty, rate))
        })
        .min_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    if let Some((u, qty, rate)) = best {
        allocations.push(Allocation {
            venue: u.quote.venue.clone(),
            qty,
            avg_price: limit,
            all_in_price: limit * (Decimal::ONE + sign * rate),
            fee: limit * qty * u.quote.maker_fee,
            resting: true,
        });
    }
}

fn finish(
    req: &RouteRequest,
    allocations: Vec<Allocation>,
    best_single: Option<String>,
    saving_bps: Decimal,
    alternatives: Vec<Alternative>,
) -> Result<RoutingDecision, RouteError> {
    if allocations.is_empty() {
        let reasons: Vec<String> = alternatives
            .iter()
            .map(|a| match &a.excluded {
                Some(r) => format!("{}: {r}", a.venue),
                None => format!("{}: fills {} of {}", a.venue, a.fillable_qty, req.qty),
            })
            .collect();
        let reasons = if reasons.is_empty() {
            "no venue quotes it".into()
        } else {
            reasons.join("; ")
        };
        return Err(RouteError::NoVenue(reasons));
    }
    let qty = routed(&allocations);
    let paid: Decimal = allocations.iter().map(|a| a.all_in_price * a.qty).sum();
    Ok(RoutingDecision {
        side: req.side,
        qty: req.qty,
        limit: req.limit,
        unrouted: req.qty - qty,
        all_in_price: (!qty.is_zero()).then(|| paid / qty),
        allocations,
        best_single,
        saving_bps,
        alternatives,
    })
}
