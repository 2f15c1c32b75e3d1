//! The API's handlers, one file per resource.

pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod backtests;
pub mod breakers;
pub mod config;
pub mod exchange_keys;
pub mod market;
pub mod optimizations;
pub mod orders;
pub mod reports;
pub mod sessions;
pub mod strategy_config;
pub mod system;
pub mod users;
pub mod ws;
