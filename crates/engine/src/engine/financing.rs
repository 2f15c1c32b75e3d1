//! What a position pays for being held: a perpetual's funding at each
//! settlement, and a forex position's financing at each rollover since the
//! previous bar, followed by the margin closeout check (see
//! [`crate::forex`]). Forex financing and closeout run wherever the
//! engine's own venue fills orders (backtest and paper), from the bars
//! alone, so a replay repeats them.

use super::Engine;
use super::{EngineError, tee};
use crate::forex::rollovers;
use rust_decimal::Decimal;
use smc_model::{EngineEvent, EventSink, MarketKind, Timestamp};

/// The name the closeout's orders carry in their ids.
pub const CLOSEOUT_NAME: &str = "closeout";

impl Engine {
    pub(super) fn on_funding(
        &mut self,
        i: usize,
        time: Timestamp,
        rate: Decimal,
        sink: &mut dyn EventSink,
    ) -> Result<(), EngineError> {
        self.check(i)?;
        self.clock.observe(time);
        self.pay_funding(i, time, rate, sink);
        Ok(())
    }

    /// Instrument `i`'s position pays `qty × mark × rate` (a perpetual's
    /// funding, a forex position's financing), reported as `FundingPaid`.
    fn pay_funding(&mut self, i: usize, time: Timestamp, rate: Decimal, sink: &mut dyn EventSink) {
        if let Some(amount) = self.book.portfolio.apply_funding(i, rate) {
            self.funding_paid(i, time, rate, amount, sink);
        }
    }

    /// Books financing or funding a venue charged on instrument `i`'s
    /// position (`paid`, negative when received) at `time`, reported as
    /// `FundingPaid`: with an external venue the venue, not the engine,
    /// decides what a position pays.
    pub fn apply_venue_financing(
        &mut self,
        i: usize,
        time: Timestamp,
        paid: Decimal,
        sink: &mut dyn EventSink,
    ) -> Result<(), EngineError> {
        self.check(i)?;
        let rate = self.book.portfolio.pay_funding(i, paid);
        self.funding_paid(i, time, rate, paid, sink);
        Ok(())
    }

    /// After a payment booked on the account: the snapshot, then the event.
    fn funding_paid(
        &mut self,
        i: usize,
        time: Timestamp,
        rate: Decimal,
        amount: Decimal,
        sink: &mut dyn EventSink,
    ) {
        let portfolio = &self.book.portfolio;
        portfolio.write_snapshot(&mut self.snapshot, time, portfolio.equity());
        tee(&mut self.risk, sink).emit(&EngineEvent::FundingPaid {
            time,
            instrument: self.book.instruments[i].instrument.id.clone(),
            rate,
            mark_price: portfolio.position(i).mark,
            amount,
        });
    }

    /// Financing and closeout after instrument `i`'s bar closing at
    /// `close_time`; `previous_close` is its last bar's close.
    pub(super) fn forex_step(
        &mut self,
        i: usize,
        previous_close: Option<Timestamp>,
        close_time: Timestamp,
        sink: &mut dyn EventSink,
    ) {
        // A live venue charges financing and closes out itself; its
        // transactions reach the engine as reports.
        if self.book.instruments[i].instrument.kind != MarketKind::Forex
            || self.execution.name() == "external"
        {
            return;
        }
        if let Some(previous) = previous_close {
            let days = rollovers(previous.ms(), close_time.ms());
            let qty = self.book.portfolio.position(i).qty;
            if days > 0 && !qty.is_zero() {
                let rate = self.config.forex.financing_rate(qty, days);
                self.pay_funding(i, close_time, rate, sink);
            }
        }
        self.closeout_if_due(close_time, sink);
    }

    /// Closes every position (orders cancelled, reduce-only market orders
    /// for the rest) when equity is at or below the closeout share of the
    /// margin in use; once, until the positions are gone.
    fn closeout_if_due(&mut self, now: Timestamp, sink: &mut dyn EventSink) {
        let portfolio = &self.book.portfolio;
        let margin = portfolio.margin_used();
        if margin.is_zero() {
            self.closing_out = false;
            return;
        }
        let threshold = margin * self.config.forex.closeout_percent / Decimal::ONE_HUNDRED;
        if self.closing_out || portfolio.equity() > threshold {
            return;
        }
        self.closing_out = true;
        let intents = self.flatten_intents(None);
        let strategy = std::mem::replace(&mut self.strategy_name, CLOSEOUT_NAME.to_string());
        self.intents.extend(intents);
        self.accept_intents(now, sink);
        self.strategy_name = strategy;
    }
}
