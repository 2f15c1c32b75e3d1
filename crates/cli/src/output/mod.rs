//! How results are shown: tables and progress bars for people, JSON lines
//! for machines.

pub mod portfolio;
pub mod progress;
pub mod session;
pub mod smc_events;
pub mod summary;
