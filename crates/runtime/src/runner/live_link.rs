//! Live mode's side of the session loop: the account's order reports,
//! the commands sent to the venue, and reconciliation with it (at start,
//! after a reconnect or an unreadable frame, periodically, while an
//! outcome is unknown, and before stopping).

use super::{Loop, START_ATTEMPTS, STOP_ATTEMPTS};
use crate::error::{SessionError, SessionResult};
use crate::event::{Connection, Level, SessionEvent, Stream};
use crate::handle::StopRequest;
use crate::order_reports::{OrderReports, Source};
use crate::reconcile::{Reconciled, reconcile};
use crate::router::Router;
use smc_model::{Clock, OrderStatus, WallClock};
use smc_venues::{UserEvent, UserStreamEvent};
use std::time::Duration;

impl Loop<'_> {
    pub(super) fn on_user(&mut self, ev: UserStreamEvent) -> SessionResult<()> {
        let change = match ev {
            UserStreamEvent::Event(UserEvent::Order(update)) => {
                let order = &update.order;
                let store = self.session.store();
                let known = store
                    .order(&order.client_id)
                    .map_err(SessionError::store("reading the journal"))?;
                if known.is_some() {
                    store
                        .set_venue_order_id(&order.client_id, &order.venue_order_id)
                        .map_err(SessionError::store("journaling the venue's order id"))?;
                }
                for r in OrderReports::of(order, Source::StreamUpdate).in_order() {
                    if let Some(commands) = self.session.apply(&r)? {
                        self.execute(commands)?;
                    }
                }
                return Ok(());
            }
            UserStreamEvent::Event(UserEvent::StreamExpired) => {
                self.set_unsettled("user stream expired");
                return Ok(());
            }
            UserStreamEvent::Event(UserEvent::Financing(reports)) => {
                for r in &reports {
                    self.session.apply_financing(r)?;
                }
                return Ok(());
            }
            UserStreamEvent::Event(UserEvent::Ignored(_)) => return Ok(()),
            UserStreamEvent::Connected { reconnect } => {
                if reconnect {
                    self.set_unsettled("reconnect");
                }
                Connection::Connected { reconnect }
            }
            UserStreamEvent::Disconnected { reason } => Connection::Disconnected { reason },
            UserStreamEvent::Malformed(detail) => {
                // It may have been a fill or a cancel: only the venue's own
                // account can say now.
                self.set_unsettled("unreadable user-stream frame");
                Connection::Malformed { detail }
            }
        };
        self.publish(SessionEvent::Connection {
            stream: Stream::UserData,
            change,
        });
        Ok(())
    }

    pub(super) fn set_unsettled(&mut self, why: &'static str) {
        if let Some(live) = self.live.as_mut() {
            live.unsettled = Some(why);
        }
    }

    /// Sends what the engine decided (live mode; paper fills them itself).
    pub(super) fn execute(&mut self, commands: Vec<smc_engine::VenueCommand>) -> SessionResult<()> {
        let Some(live) = self.live.as_ref() else {
            return Ok(());
        };
        let router = Router {
            runtime: self.runtime,
            venue: live.venue,
        };
        router.execute(&mut self.session, commands)
    }

    /// Reconciles with the venue, sends what that produced, and publishes
    /// what it found when it acted, found a difference, or checked the
    /// balances.
    /// The price of BNB, the third asset Binance takes fees in, in the
    /// quote currency: fees paid in it are valued at it.
    fn refresh_fee_prices(&mut self) {
        let Some(live) = self.live.as_ref() else {
            return;
        };
        const FEE_ASSET: &str = "BNB";
        if live.quote == FEE_ASSET || live.quote.is_empty() {
            return;
        }
        match self
            .runtime
            .block_on(live.venue.asset_price(FEE_ASSET, &live.quote))
        {
            Ok(Some(price)) => self.session.set_fee_price(FEE_ASSET, price),
            Ok(None) => {}
            Err(e) => self.notice(Level::Warn, format!("reading the {FEE_ASSET} price: {e}")),
        }
    }

    pub(super) fn reconcile(&mut self, balances: bool, why: &str) -> SessionResult<Reconciled> {
        if balances {
            self.refresh_fee_prices();
        }
        let Some(live) = self.live.as_ref() else {
            return Ok(Reconciled::default());
        };
        let (found, commands) = reconcile(
            self.runtime,
            live.venue,
            &mut self.session,
            &live.start,
            balances,
        )?;
        self.execute(commands)?;
        if !found.differences.is_empty() {
            // Trading on a book the agent does not understand adds risk it
            // cannot measure: the venue_mismatch breaker trips.
            self.session
                .on_venue_mismatch(WallClock.now(), found.differences.clone());
        }
        let acted = found.reports_applied > 0 || found.resent > 0;
        if acted || !found.differences.is_empty() || balances {
            self.publish(SessionEvent::Reconciled {
                why: why.to_string(),
                time: WallClock.now(),
                result: found.clone(),
            });
        }
        Ok(found)
    }

    pub(super) fn reconcile_at_start(&mut self) -> SessionResult<()> {
        let mut attempt = 0;
        loop {
            match self.reconcile(true, "start") {
                Ok(_) => return Ok(()),
                Err(e) => {
                    attempt += 1;
                    if attempt >= START_ATTEMPTS || self.requested() != StopRequest::Run {
                        return Err(e);
                    }
                    self.notice(
                        Level::Warn,
                        format!("reconciliation at start failed, retrying: {e}"),
                    );
                    std::thread::sleep(Duration::from_secs(1));
                }
            }
        }
    }

    /// Settles before leaving: resolves unknown outcomes, then a full check.
    pub(super) fn settle(&mut self) -> SessionResult<Reconciled> {
        for _ in 0..STOP_ATTEMPTS {
            match self.reconcile(true, "stop") {
                Ok(found) => {
                    let unresolved = self
                        .session
                        .store()
                        .open_orders()
                        .map_err(SessionError::store("reading the journal's open orders"))?
                        .iter()
                        // A lost stop or exit waits out its request's
                        // receive window before it is sent or refused; an
                        // acknowledged market order fills in a moment (a
                        // simulator's at its next candle): the session does
                        // not leave before it knows that fill.
                        .any(|o| {
                            matches!(o.status, OrderStatus::Unknown | OrderStatus::PendingNew)
                                || (o.request.kind == smc_model::OrderKind::Market
                                    && matches!(
                                        o.status,
                                        OrderStatus::Submitted | OrderStatus::PartiallyFilled
                                    ))
                        });
                    if !unresolved {
                        return Ok(found);
                    }
                }
                Err(e) => self.notice(Level::Warn, format!("reconciliation failed, retrying: {e}")),
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        Err(SessionError::Refused(
            "stopped with orders whose outcome is still unknown; restart to reconcile".into(),
        ))
    }
}
