//! Simulated execution (backtest and paper): the engine's own venue. Orders
//! rest in the book's OMS and the matching engine fills them against each
//! bar of their instrument's execution timeframe, with the configured fee,
//! slippage, participation and intrabar models; a filled bracket's legs are
//! placed by the venue itself.

use crate::book::Book;
use crate::engine::EngineError;
use crate::execution::{BookFill, ExecReport, Execution, moved_stop};
use crate::external::{ExternalReport, VenueCommand};
use rust_decimal::Decimal;
use smc_matching::{MatchingEngine, Order, VenueReport};
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{Candle, ClientOrderId, Fill, OrderStatus, Side};

/// The simulated venue.
#[derive(Debug)]
pub struct SimulatedExecution {
    matching: MatchingEngine,
    /// Reused buffer of the matching engine's reports.
    reports: Vec<VenueReport>,
    /// Fills so far, for their trade ids (`sim-1`, `sim-2`, …).
    fills: u64,
}

impl SimulatedExecution {
    pub fn new(matching: MatchingEngine) -> Self {
        SimulatedExecution {
            matching,
            reports: Vec::new(),
            fills: 0,
        }
    }

    /// The matching engine's reports in the engine's terms.
    fn translate(&mut self, book: &Book, out: &mut Vec<ExecReport>) {
        for report in self.reports.drain(..) {
            match report {
                VenueReport::Fill(f) => {
                    self.fills += 1;
                    let Some(slot) = book.instruments.get(f.instrument.get()) else {
                        continue;
                    };
                    let fill = Fill {
                        client_id: f.client_id,
                        instrument: slot.instrument.id.clone(),
                        trade_id: format!("sim-{}", self.fills),
                        side: f.side,
                        price: f.price,
                        qty: f.qty,
                        fee: f.fee,
                        fee_source: f.fee_source,
                        liquidity: f.liquidity,
                        time: f.time,
                    };
                    out.push(ExecReport::Fill(Box::new(BookFill {
                        fill,
                        instrument: f.instrument,
                        realized: f.realized,
                        setup: f.setup,
                        position: f.position,
                    })));
                }
                VenueReport::Placed { order, eligible_at } => {
                    let client_id = order.client_id.clone();
                    // A bracket leg the venue placed: an exit of its parent.
                    out.push(ExecReport::Submitted { order, setup: None });
                    out.push(ExecReport::Accepted {
                        client_id,
                        eligible_at,
                    });
                }
                VenueReport::Rejected { client_id, reason } => {
                    out.push(ExecReport::Rejected { client_id, reason })
                }
                VenueReport::Cancelled { client_id, reason } => {
                    out.push(ExecReport::Cancelled { client_id, reason })
                }
                VenueReport::Expired { client_id, reason } => {
                    out.push(ExecReport::Expired { client_id, reason })
                }
            }
        }
    }
}

impl Execution for SimulatedExecution {
    fn name(&self) -> &'static str {
        "simulated"
    }

    fn on_bar(&mut self, book: &mut Book, i: usize, candle: &Candle, out: &mut Vec<ExecReport>) {
        let Some(spec) = book.spec(InstrumentIndex::new(i)) else {
            return;
        };
        self.matching.match_bar(
            i,
            &spec,
            candle,
            &mut book.oms,
            &mut book.portfolio,
            &mut self.reports,
        );
        if !self.reports.is_empty() {
            self.translate(book, out);
        }
    }

    fn submit(&mut self, book: &mut Book, order: Order, _: Decimal, out: &mut Vec<ExecReport>) {
        let client_id = order.client_id().clone();
        let eligible_at = order.eligible_at;
        out.push(ExecReport::Submitted {
            order: order.request.clone(),
            setup: order.setup.clone(),
        });
        out.push(match book.oms.submit(order) {
            Ok(()) => ExecReport::Accepted {
                client_id,
                eligible_at,
            },
            Err(e) => ExecReport::Rejected {
                client_id,
                reason: e.to_string(),
            },
        });
    }

    fn cancel(
        &mut self,
        book: &mut Book,
        which: &dyn Fn(&Order) -> bool,
        out: &mut Vec<ExecReport>,
    ) {
        for o in book.oms.open_mut().iter_mut() {
            if o.status.is_open() && which(o) && o.transition(OrderStatus::Cancelled).is_ok() {
                out.push(ExecReport::Cancelled {
                    client_id: o.client_id().clone(),
                    reason: "cancelled by the strategy".into(),
                });
            }
        }
        book.oms.sweep();
    }

    fn amend_stop(
        &mut self,
        book: &mut Book,
        client_id: ClientOrderId,
        trigger: Decimal,
        out: &mut Vec<ExecReport>,
    ) {
        let specs = &book.instruments;
        let order = book
            .oms
            .open_mut()
            .iter_mut()
            .find(|o| *o.client_id() == client_id && o.status.is_open());
        // Rounded to the tick on the tighter side (up for a sell stop).
        let rounded = order.as_ref().and_then(|o| {
            let spec = &specs.get(o.instrument.get())?.instrument.spec;
            spec.round_price(trigger, o.side() == Side::Buy).ok()
        });
        let trigger = rounded.unwrap_or(trigger);
        let outcome = match order {
            None => Err("no open order with this id".to_string()),
            Some(o) if o.triggered => Err("the stop has already triggered".to_string()),
            Some(o) => moved_stop(o.request.kind, trigger).map(|kind| o.request.kind = kind),
        };
        out.push(match outcome {
            Ok(()) => ExecReport::Amended { client_id, trigger },
            Err(reason) => ExecReport::AmendRejected { client_id, reason },
        });
    }

    fn apply_report(
        &mut self,
        _: &mut Book,
        report: &ExternalReport,
        _: Timestamp,
        _: &mut Vec<ExecReport>,
    ) -> Result<bool, EngineError> {
        Err(EngineError::NotExternal(report.client_id().to_string()))
    }

    fn take_commands(&mut self) -> Vec<VenueCommand> {
        Vec::new()
    }

    fn pending_cancels(&self, _: &Book) -> Vec<VenueCommand> {
        Vec::new()
    }
}
