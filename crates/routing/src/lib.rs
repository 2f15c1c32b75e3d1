//! Smart order routing: given one order and what each venue quoting the
//! instrument offers right now (its book, fees, latency, health, the
//! balance and exposure room there), choose the venue — or split the
//! order across venues — with the lowest expected all-in cost, and say
//! why in a [`RoutingDecision`] that lists every alternative and its cost.
//!
//! The cost model is in [`cost`]; the router is a pure function so that
//! backtest, paper and live route the same way and a decision can be
//! replayed from its inputs.

#![forbid(unsafe_code)]

/// One side of a venue's order book and what filling a size on it costs.
pub mod book;
/// The cost model: fees, latency and health penalties, split threshold.
pub mod cost;
/// The decision and its alternatives, as recorded in the event stream.
pub mod decision;
/// A venue's book kept from its depth stream, read as the router's input.
pub mod depth_book;
/// A venue's recent health and round trip, kept from the session's events.
pub mod monitor;
/// The router itself.
pub mod route;
/// What the router knows about each venue.
pub mod venue;

pub use book::{BookSide, Level};
pub use cost::CostModel;
pub use decision::{Allocation, Alternative, RoutingDecision};
pub use route::{RouteError, RouteRequest, route};
pub use venue::{Health, LotRules, VenueQuote};
