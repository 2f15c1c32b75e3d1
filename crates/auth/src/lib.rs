//! Authentication primitives for the SMC API server. Each module is one
//! mechanism; the server composes them into login, second factor, API keys
//! and sessions. Nothing here reads the clock: every time is a `now_unix`
//! argument in Unix seconds, so expiry and drift are testable.
//!
//! - [`password`]: argon2id hashes and the password policy.
//! - [`totp`]: RFC 6238 codes for the second factor.
//! - [`recovery`]: one-time recovery codes, stored as digests.
//! - [`token`]: API keys, refresh tokens, row ids, constant-time equality.
//! - [`jwt`]: HS256 access tokens.
//! - [`cipher`]: AES-256-GCM sealing of exchange secrets at rest.
//! - [`error`]: how each of the above fails.

pub mod cipher;
pub mod error;
pub mod jwt;
pub mod password;
mod random;
pub mod recovery;
pub mod token;
pub mod totp;

pub use cipher::MasterKey;
pub use error::{AuthError, JwtError, PolicyError};
pub use jwt::{Claims, JwtKeys};
pub use totp::TotpSecret;
