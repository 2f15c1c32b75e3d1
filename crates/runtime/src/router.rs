//! Live mode's link from the engine to the venue: each command goes out
//! through the venue's execution interface, and each answer comes back as
//! reports, which may produce more commands (a filled entry's protective
//! legs, a sibling's cancel), sent in turn.
//!
//! An order is journaled `pending` before its command exists, and sent
//! exactly once: a lost answer leaves it `unknown` until the user stream,
//! a query or reconciliation resolves it.

use crate::error::{SessionError, SessionResult};
use crate::event::{Level, SessionEvent};
use crate::order_reports::{OrderReports, Source};
use crate::session::Session;
use smc_engine::{ExternalReport, NOT_SENT, VenueCommand};
use smc_model::OrderStatus;
use smc_model::{Clock, OrderRequest, WallClock};
use smc_venues::{ExecutionVenue, OrderOutcome, VenueErrorKind};
use std::collections::VecDeque;

/// Sends commands and turns the answers into reports.
pub struct Router<'a> {
    pub runtime: &'a tokio::runtime::Runtime,
    pub venue: &'a dyn ExecutionVenue,
}

impl Router<'_> {
    /// Runs `commands` and everything their answers lead to.
    pub fn execute(&self, session: &mut Session, commands: Vec<VenueCommand>) -> SessionResult<()> {
        let mut queue: VecDeque<VenueCommand> = commands.into();
        while let Some(command) = queue.pop_front() {
            let reports = match command {
                VenueCommand::Place(order) => {
                    let outcome = self.runtime.block_on(self.venue.place(&order));
                    self.settle(session, &order, outcome)?
                }
                VenueCommand::PlaceOco { stop, take_profit } => {
                    let outcomes = self
                        .runtime
                        .block_on(self.venue.place_oco(&stop, &take_profit));
                    let mut reports = Vec::new();
                    for (k, leg) in [&stop, &take_profit].into_iter().enumerate() {
                        let outcome = match &outcomes {
                            Ok(all) => all.get(k).cloned().ok_or_else(|| {
                                smc_venues::VenueError::new(
                                    smc_venues::VenueErrorKind::Malformed,
                                    "an order list answer without this leg",
                                )
                            }),
                            Err(e) => Err(e.clone()),
                        };
                        reports.extend(self.settle(session, leg, outcome)?);
                    }
                    reports
                }
                VenueCommand::Cancel {
                    instrument,
                    client_id,
                } => match self
                    .runtime
                    .block_on(self.venue.cancel(&instrument, &client_id))
                {
                    Ok(answer) => OrderReports::of(&answer, Source::CancelAnswer).in_order(),
                    Err(e) => {
                        // It may have filled meanwhile; the stream will say.
                        session.bus().publish(SessionEvent::notice(
                            Level::Warn,
                            format!("cancel of {client_id} failed: {e}"),
                        ));
                        if matches!(
                            e.kind,
                            VenueErrorKind::Refused {
                                code: -2011 | -2013
                            }
                        ) {
                            // The venue does not know it as open: it ended
                            // or never arrived; reconciliation settles which.
                            Vec::new()
                        } else {
                            // The engine asks again at the next bar.
                            vec![ExternalReport::CancelFailed {
                                client_id,
                                reason: e.to_string(),
                                at: WallClock.now(),
                            }]
                        }
                    }
                },
            };
            for r in reports {
                if let Some(more) = session.apply(&r)? {
                    queue.extend(more);
                }
            }
        }
        Ok(())
    }

    /// The reports of one order's sending (journaled as pending already;
    /// sent exactly once).
    fn settle(
        &self,
        session: &mut Session,
        order: &OrderRequest,
        outcome: smc_venues::VenueResult<OrderOutcome>,
    ) -> SessionResult<Vec<ExternalReport>> {
        let client_id = order.client_id.clone();
        Ok(match outcome {
            Err(e) => vec![ExternalReport::Rejected {
                client_id,
                reason: format!("{NOT_SENT}{e}"),
            }],
            Ok(OrderOutcome::Rejected { code, reason, .. }) => vec![ExternalReport::Rejected {
                client_id,
                reason: format!("venue error {code}: {reason}"),
            }],
            Ok(OrderOutcome::Unknown { reason, .. }) => {
                session.bus().publish(SessionEvent::notice(
                    Level::Warn,
                    format!("order {client_id} outcome unknown ({reason}); resolving"),
                ));
                session
                    .store()
                    .set_order_status(
                        &client_id,
                        OrderStatus::Unknown,
                        Some(&reason),
                        None,
                        WallClock.now(),
                    )
                    .map_err(SessionError::store("journaling an unknown outcome"))?;
                Vec::new()
            }
            Ok(OrderOutcome::Accepted(answer)) => {
                session
                    .store()
                    .set_venue_order_id(&client_id, &answer.venue_order_id)
                    .map_err(SessionError::store("journaling the venue's order id"))?;
                OrderReports::of(&answer, Source::PlaceAnswer).in_order()
            }
        })
    }
}
