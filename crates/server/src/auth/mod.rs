//! Authentication: who the caller is, and the tokens, codes and throttles
//! that decide it.

/// The caller from its credentials.
pub mod caller;
/// Access tokens revoked early.
pub mod revocations;
/// The TOTP step-up.
pub mod step_up;
/// Failed logins per name and address.
pub mod throttle;
/// Access and rotating refresh tokens.
pub mod tokens;
