//! The account: cash (spot) or wallet balance (margin), one position per
//! instrument with its average entry price, realized and unrealized P&L,
//! fees (from the quote balance, withheld from the base asset received, or
//! paid in a third asset), and perpetual funding. Every amount is an exact
//! decimal; a fill changes equity (marked at the fill price) by exactly
//! minus the part of its fee the account paid.

use crate::account::{AccountConfig, AccountKind};
use rust_decimal::Decimal;
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{FeeSource, PortfolioSnapshot, PositionSnapshot, Side};

/// Decimal places of the cost basis moved by a partial close.
const MOVED_DP: u32 = 16;

/// One instrument's position.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Position {
    /// Signed: positive long, negative short.
    pub qty: Decimal,
    /// Average entry price, derived from `cost` (for display and snapshots).
    pub avg_price: Decimal,
    /// Signed cost basis of the open quantity (Σ qty × entry price), kept
    /// exact so that realized plus unrealized P&L never drift by rounding.
    pub cost: Decimal,
    pub mark: Decimal,
    pub realized: Decimal,
}

/// Why a fill cannot be paid for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FundsError {
    #[error("insufficient cash: the fill costs {needed} with fees, the account has {available}")]
    Cash { needed: Decimal, available: Decimal },
    #[error("a spot account cannot sell {qty}: it holds {held}")]
    Holdings { qty: Decimal, held: Decimal },
    #[error("insufficient margin: the fill needs {needed} with fees, {available} is free")]
    Margin { needed: Decimal, available: Decimal },
}

/// The account of one engine.
#[derive(Debug, Clone)]
pub struct Portfolio {
    kind: AccountKind,
    /// The cash the account began with.
    starting_cash: Decimal,
    cash: Decimal,
    positions: Vec<Position>,
    fees_paid: Decimal,
    funding_paid: Decimal,
    /// What buys paid above the bid (forex: the spread is the cost).
    spread_paid: Decimal,
}

impl Portfolio {
    pub fn new(config: AccountConfig, instruments: usize) -> Self {
        Portfolio {
            kind: config.kind,
            starting_cash: config.starting_cash,
            cash: config.starting_cash,
            positions: vec![Position::default(); instruments],
            fees_paid: Decimal::ZERO,
            funding_paid: Decimal::ZERO,
            spread_paid: Decimal::ZERO,
        }
    }

    pub fn kind(&self) -> AccountKind {
        self.kind
    }

    /// The cash the account began with.
    pub fn starting_cash(&self) -> Decimal {
        self.starting_cash
    }

    /// Funding and financing paid so far (negative: received).
    pub fn funding_paid(&self) -> Decimal {
        self.funding_paid
    }

    /// Every fee's value so far, whichever balance paid it.
    pub fn fees_paid(&self) -> Decimal {
        self.fees_paid
    }

    /// What the fills paid in spread so far (already in their prices).
    pub fn spread_paid(&self) -> Decimal {
        self.spread_paid
    }

    /// A fill paid `amount` of spread (in its price; this only counts it).
    pub fn count_spread(&mut self, amount: Decimal) {
        self.spread_paid += amount;
    }

    pub fn cash(&self) -> Decimal {
        self.cash
    }

    /// The position of instrument `i` (flat for an unknown index).
    pub fn position(&self, i: usize) -> Position {
        self.positions.get(i).copied().unwrap_or_default()
    }

    /// Cash plus positions at their marks (spot), or wallet plus unrealized
    /// P&L (margin).
    pub fn equity(&self) -> Decimal {
        let mut equity = self.cash;
        for p in self.positions.iter().filter(|p| !p.qty.is_zero()) {
            equity += match self.kind {
                AccountKind::Spot => p.qty * p.mark,
                AccountKind::Margin { .. } => p.qty * p.mark - p.cost,
            };
        }
        equity
    }

    /// [`Portfolio::equity`], or `None` when it does not fit a decimal (marks
    /// near 1e28 on a large position): the caller stops with an error
    /// instead of panicking.
    pub fn checked_equity(&self) -> Option<Decimal> {
        let mut equity = self.cash;
        for p in self.positions.iter().filter(|p| !p.qty.is_zero()) {
            let value = p.qty.checked_mul(p.mark)?;
            let value = match self.kind {
                AccountKind::Spot => value,
                AccountKind::Margin { .. } => value.checked_sub(p.cost)?,
            };
            equity = equity.checked_add(value)?;
        }
        Some(equity)
    }

    /// Equity with instrument `i` marked at `price` instead of its last mark.
    pub fn equity_at(&self, i: usize, price: Decimal) -> Decimal {
        let p = self.position(i);
        self.equity() + p.qty * (price - p.mark)
    }

    /// Initial margin held (zero for spot).
    pub fn margin_used(&self) -> Decimal {
        match self.kind {
            AccountKind::Spot => Decimal::ZERO,
            AccountKind::Margin { leverage } => {
                let notional: Decimal = self.positions.iter().map(|p| p.qty.abs() * p.mark).sum();
                if leverage > Decimal::ZERO {
                    notional / leverage
                } else {
                    notional
                }
            }
        }
    }

    /// Marks instrument `i` at `price` (a bar's close).
    pub fn mark(&mut self, i: usize, price: Decimal) {
        if let Some(p) = self.positions.get_mut(i) {
            p.mark = price;
        }
    }

    /// The unrounded quantity that spends `fraction` of equity at `price`
    /// with a fee rate of `fee_rate` included: all-in (`fraction` 1) leaves
    /// nothing unspent but the lot remainder. `None` when the quantity does
    /// not fit a decimal (a price near 1e-28).
    pub fn fraction_qty(
        &self,
        i: usize,
        side: Side,
        fraction: Decimal,
        price: Decimal,
        fee_rate: Decimal,
    ) -> Option<Decimal> {
        if price <= Decimal::ZERO {
            return Some(Decimal::ZERO);
        }
        let budget = fraction.checked_mul(self.equity_at(i, price))?;
        match (self.kind, side) {
            (AccountKind::Spot, Side::Buy) => budget
                .min(self.cash)
                .checked_div(price * (Decimal::ONE + fee_rate)),
            (AccountKind::Spot, Side::Sell) => {
                Some(budget.checked_div(price)?.min(self.position(i).qty))
            }
            (AccountKind::Margin { leverage }, _) => {
                let lev = leverage.max(Decimal::ONE);
                budget.checked_div(price * (Decimal::ONE / lev + fee_rate))
            }
        }
    }

    /// Checks that a fill can be paid for, before it is applied.
    pub fn check_funds(
        &self,
        i: usize,
        side: Side,
        qty: Decimal,
        price: Decimal,
        fee: Decimal,
    ) -> Result<(), FundsError> {
        let held = self.position(i).qty;
        match self.kind {
            AccountKind::Spot => match side {
                Side::Buy => {
                    let needed = qty * price + fee;
                    if needed > self.cash {
                        return Err(FundsError::Cash {
                            needed,
                            available: self.cash,
                        });
                    }
                }
                Side::Sell => {
                    if qty > held {
                        return Err(FundsError::Holdings { qty, held });
                    }
                }
            },
            AccountKind::Margin { leverage } => {
                // Only the part that adds exposure needs margin.
                let reducing = if (held > Decimal::ZERO) == (side == Side::Sell) {
                    held.abs().min(qty)
                } else {
                    Decimal::ZERO
                };
                let adding = qty - reducing;
                if adding > Decimal::ZERO {
                    let lev = leverage.max(Decimal::ONE);
                    let needed = adding * price / lev + fee;
                    let available = self.equity_at(i, price) - self.margin_used();
                    if needed > available {
                        return Err(FundsError::Margin { needed, available });
                    }
                }
            }
        }
        Ok(())
    }

    /// The part of a fee of value `fee` paid from `source` that cash pays:
    /// all of a quote fee, none of one withheld from the base received on
    /// spot (a margin account pays that one in quote) or paid in a third
    /// asset.
    pub fn cash_fee(&self, fee: Decimal, source: &FeeSource) -> Decimal {
        match (source, self.kind) {
            (FeeSource::Quote, _) | (FeeSource::Base { .. }, AccountKind::Margin { .. }) => fee,
            (FeeSource::Base { .. }, AccountKind::Spot) | (FeeSource::Other { .. }, _) => {
                Decimal::ZERO
            }
        }
    }

    /// Applies a fill; returns the realized P&L it produced (before fees).
    /// `fee` is the fee's value in quote (counted in `fees_paid`); `source`
    /// says which balance paid it: the quote balance, the base asset
    /// (the position moves by the fill less the withheld quantity, which
    /// leaves at the fill price), or a third asset the account does not
    /// hold here.
    pub fn apply_fill(
        &mut self,
        i: usize,
        side: Side,
        qty: Decimal,
        price: Decimal,
        fee: Decimal,
        source: &FeeSource,
    ) -> Decimal {
        let kind = self.kind;
        let withheld = match kind {
            AccountKind::Spot => source.base_qty(),
            AccountKind::Margin { .. } => Decimal::ZERO,
        };
        let cash_fee = self.cash_fee(fee, source);
        let dq = match side {
            Side::Buy => qty,
            Side::Sell => -qty,
        };
        let Some(realized) = self.move_position(i, dq - withheld, price) else {
            return Decimal::ZERO;
        };
        match kind {
            // The withheld base is bought and leaves at once: cash pays the
            // whole fill, the position holds the rest.
            AccountKind::Spot => self.cash -= dq * price + cash_fee,
            AccountKind::Margin { .. } => self.cash += realized - cash_fee,
        }
        self.fees_paid += fee;
        realized
    }

    /// Moves position `i` by the signed `dq` at `price`; the realized P&L.
    fn move_position(&mut self, i: usize, dq: Decimal, price: Decimal) -> Option<Decimal> {
        let p = self.positions.get_mut(i)?;
        let qty = dq.abs();
        let mut realized = Decimal::ZERO;
        if p.qty.is_zero() || p.qty.is_sign_positive() == dq.is_sign_positive() {
            p.cost += dq * price;
            p.qty += dq;
        } else {
            let open = p.qty.abs();
            let closed = open.min(qty);
            // The share of the cost basis leaving the position; the same
            // (rounded) amount enters realized P&L, so nothing is lost.
            let moved = if closed == open {
                p.cost
            } else {
                // Rounded to 16 places so later sums stay within 28 digits
                // (and therefore exact).
                (p.cost * closed / open).round_dp(MOVED_DP)
            };
            let direction = if p.qty > Decimal::ZERO {
                Decimal::ONE
            } else {
                Decimal::NEGATIVE_ONE
            };
            realized = closed * price * direction - moved;
            p.cost -= moved;
            p.qty += dq;
            if qty > open {
                p.cost = p.qty * price; // flipped: the remainder opened here
            }
        }
        p.avg_price = if p.qty.is_zero() {
            Decimal::ZERO
        } else {
            p.cost / p.qty
        };
        p.realized += realized;
        p.mark = price;
        Some(realized)
    }

    /// Pays (or receives) funding on instrument `i` at `rate`, on the
    /// position's notional at its mark: a positive rate makes longs pay and
    /// shorts receive. Returns the amount paid, or `None` when nothing is due
    /// (spot, or flat).
    pub fn apply_funding(&mut self, i: usize, rate: Decimal) -> Option<Decimal> {
        if self.kind == AccountKind::Spot {
            return None;
        }
        let p = self.positions.get(i)?;
        if p.qty.is_zero() {
            return None;
        }
        let amount = p.qty * p.mark * rate;
        self.cash -= amount;
        self.funding_paid += amount;
        Some(amount)
    }

    /// Books `paid` (negative when received) as funding of instrument
    /// `i`'s position, as the venue charged it; returns the rate it
    /// amounts to on the position's value (zero on a flat position).
    pub fn pay_funding(&mut self, i: usize, paid: Decimal) -> Decimal {
        self.cash -= paid;
        self.funding_paid += paid;
        let value = self
            .positions
            .get(i)
            .map_or(Decimal::ZERO, |p| p.qty * p.mark);
        paid.checked_div(value).unwrap_or(Decimal::ZERO)
    }

    /// Updates `snap` after a mark of instrument `i` with no fill: only the
    /// time, equity, margin and that position's mark change (the per-bar
    /// path, kept cheap).
    pub fn write_mark(
        &self,
        snap: &mut PortfolioSnapshot,
        i: usize,
        time: Timestamp,
        equity: Decimal,
    ) {
        snap.time = time;
        snap.equity = equity;
        if self.kind != AccountKind::Spot {
            snap.margin_used = self.margin_used();
        }
        if let (Some(s), Some(p)) = (snap.positions.get_mut(i), self.positions.get(i)) {
            s.mark_price = p.mark;
        }
    }

    /// Writes the account into `snap` (in place: no allocation once sized).
    pub fn write_snapshot(&self, snap: &mut PortfolioSnapshot, time: Timestamp, equity: Decimal) {
        snap.time = time;
        snap.cash = self.cash;
        snap.equity = equity;
        snap.margin_used = self.margin_used();
        snap.fees_paid = self.fees_paid;
        snap.funding_paid = self.funding_paid;
        snap.positions
            .resize(self.positions.len(), PositionSnapshot::default());
        for (i, (s, p)) in snap.positions.iter_mut().zip(&self.positions).enumerate() {
            *s = PositionSnapshot {
                instrument: InstrumentIndex::new(i),
                qty: p.qty,
                avg_price: p.avg_price,
                mark_price: p.mark,
                realized_pnl: p.realized,
            };
        }
    }
}
