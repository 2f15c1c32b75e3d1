//! Authorized resets. Releasing a tripped breaker by hand needs an operator
//! name, a reason and a token that matches the configured secret. The secret
//! comes from the environment (`SMC_BREAKER_RESET_TOKEN`), never from a
//! config file; tokens are compared in constant time and never printed.

use std::fmt;

/// The environment variable that holds the reset secret (and, for the CLI,
/// the token an operator presents).
pub const RESET_TOKEN_ENV: &str = "SMC_BREAKER_RESET_TOKEN";
/// The variable that holds the new token when an operator rotates it.
pub const NEW_RESET_TOKEN_ENV: &str = "SMC_BREAKER_NEW_RESET_TOKEN";

/// Shortest secret accepted: a reset token should be long and random.
pub const MIN_SECRET_LEN: usize = 16;

/// Checks a presented token.
pub trait ResetVerifier: Send {
    fn verify(&self, token: &str) -> bool;
}

/// A reset secret held in memory: redacted in `Debug`, wiped on drop.
pub struct ResetSecret(zeroize::Zeroizing<String>);

impl ResetSecret {
    /// A secret of at least [`MIN_SECRET_LEN`] bytes.
    pub fn new(secret: String) -> Result<Self, ResetError> {
        let secret = zeroize::Zeroizing::new(secret);
        if secret.trim().len() < MIN_SECRET_LEN {
            return Err(ResetError::WeakSecret);
        }
        Ok(ResetSecret(secret))
    }

    /// The secret in `SMC_BREAKER_RESET_TOKEN`, read through `get` (a lookup
    /// of environment variables); `None` when unset or empty.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, ResetError> {
        match get(RESET_TOKEN_ENV) {
            Some(s) if !s.is_empty() => ResetSecret::new(s).map(Some),
            _ => Ok(None),
        }
    }
}

impl fmt::Debug for ResetSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResetSecret(***)")
    }
}

impl ResetVerifier for ResetSecret {
    fn verify(&self, token: &str) -> bool {
        constant_time_eq(self.0.as_bytes(), token.as_bytes())
    }
}

/// Compares two byte strings in time that does not depend on where they
/// differ (`subtle`; only a length difference shows).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

/// A request to release a tripped breaker.
pub struct ResetRequest {
    pub operator: String,
    pub reason: String,
    pub token: zeroize::Zeroizing<String>,
}

impl fmt::Debug for ResetRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResetRequest")
            .field("operator", &self.operator)
            .field("reason", &self.reason)
            .field("token", &"***")
            .finish()
    }
}

/// Why a reset was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResetError {
    #[error("no reset secret is configured: set {RESET_TOKEN_ENV} where the agent runs")]
    NotConfigured,
    #[error("the reset token does not match the configured secret")]
    Unauthorized,
    #[error("the reset secret must be at least {MIN_SECRET_LEN} characters")]
    WeakSecret,
    #[error("a reset needs the operator's name")]
    NoOperator,
    #[error("a reset needs a reason")]
    NoReason,
    #[error("no breaker named `{0}`")]
    UnknownBreaker(String),
    #[error(transparent)]
    Transition(#[from] super::state::TransitionError),
    #[error("the reset was not recorded, so the breaker stays tripped: {0}")]
    Store(String),
}

/// Checks who asks and with what token; `verifier` is the configured
/// secret (none: resets are refused).
pub fn authorize(
    verifier: Option<&dyn ResetVerifier>,
    request: &ResetRequest,
) -> Result<(), ResetError> {
    if request.operator.trim().is_empty() {
        return Err(ResetError::NoOperator);
    }
    if request.reason.trim().is_empty() {
        return Err(ResetError::NoReason);
    }
    let verifier = verifier.ok_or(ResetError::NotConfigured)?;
    if verifier.verify(&request.token) {
        Ok(())
    } else {
        Err(ResetError::Unauthorized)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(token: &str) -> ResetRequest {
        ResetRequest {
            operator: "alice".into(),
            reason: "feed restored".into(),
            token: zeroize::Zeroizing::new(token.into()),
        }
    }

    #[test]
    fn only_the_configured_secret_authorizes() {
        let secret = ResetSecret::new("s3cret-s3cret-s3cret".into()).unwrap();
        assert_eq!(
            authorize(Some(&secret), &request("s3cret-s3cret-s3cret")),
            Ok(())
        );
        assert_eq!(
            authorize(Some(&secret), &request("s3cret-s3cret-s3creT")),
            Err(ResetError::Unauthorized)
        );
        assert_eq!(
            authorize(Some(&secret), &request("s3cret-s3cret-s3cret-")),
            Err(ResetError::Unauthorized)
        );
        assert_eq!(
            authorize(Some(&secret), &request("")),
            Err(ResetError::Unauthorized)
        );
        assert_eq!(
            authorize(None, &request("anything")),
            Err(ResetError::NotConfigured)
        );
        let mut nobody = request("s3cret-s3cret-s3cret");
        nobody.operator = " ".into();
        assert_eq!(
            authorize(Some(&secret), &nobody),
            Err(ResetError::NoOperator)
        );
    }

    #[test]
    fn secrets_are_long_and_never_printed() {
        assert_eq!(
            ResetSecret::new("short".into()).unwrap_err(),
            ResetError::WeakSecret
        );
        let s = ResetSecret::new("0123456789abcdef".into()).unwrap();
        assert_eq!(format!("{s:?}"), "ResetSecret(***)");
        assert!(!format!("{:?}", request("0123456789abcdef")).contains("0123"));
        let env = |k: &str| (k == RESET_TOKEN_ENV).then(|| "0123456789abcdef".to_string());
        assert!(ResetSecret::from_env(env).unwrap().is_some());
        assert!(ResetSecret::from_env(|_| None).unwrap().is_none());
    }

    #[test]
    fn constant_time_eq_is_equality() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(!constant_time_eq(b"", b"a"));
        assert!(constant_time_eq(b"", b""));
    }
}
