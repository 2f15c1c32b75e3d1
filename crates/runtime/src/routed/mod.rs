//! A paper session on several venues at once: the router chooses, for
//! each order, the venue (or the split) of least expected all-in cost from
//! every venue's current book, fees, measured round trip and health, and
//! the balance and exposure room there (see `smc-routing` for the cost
//! model); fills are attributed to the venues they went to.

/// The venues' books and health, polled.
pub mod books;
/// Routing decisions in the journal.
pub mod decisions;
/// The router in front of the simulated venue.
pub mod execution;
/// Each venue's cash and positions.
pub mod ledger;
/// Wiring a router into a paper session.
pub mod setup;

pub use books::{Polling, VenueBook, VenueViews, spawn_poller};
pub use decisions::{DecisionLog, Routed};
pub use execution::{RouteVenue, RoutedExecution, RouterSetup};
pub use ledger::{VenueHoldings, VenueLedger};
pub use setup::{Routing, route_paper_engine};
