//! Test support shared by the integration tests of the runtime and the
//! command line: the venue simulator in-process ([`sim`]), the venue's side
//! of an account, and the checks that a session's journal agrees with it
//! ([`audit`]).

// A check that fails is a failing test: panicking is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

/// The journal against the venue.
pub mod audit;
/// Loopback HTTP receivers that record requests and can play down.
pub mod http_receiver;
/// The one local day a simulated session's candles fall on.
pub mod local_day;
/// A throwaway NATS server with JetStream.
pub mod nats;
/// The OANDA simulator's record of an account against the journal.
pub mod oanda_audit;
/// A throwaway PostgreSQL cluster.
pub mod postgres;
/// A throwaway redis-server.
pub mod redis;
/// `smc venue-sim` in-process, with its faults at hand.
pub mod sim;
/// A loopback SMTP server with STARTTLS that keeps what it receives.
pub mod smtp;

use std::path::PathBuf;

/// The repository's root (the bundled test data are relative to it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}
