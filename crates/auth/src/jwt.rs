//! HS256 JSON Web Tokens for short-lived access tokens: issue them, and
//! verify signature, algorithm and expiry against a time the caller passes.
//!
//! Written directly on HMAC-SHA-256 rather than through a general JWT
//! library: with one algorithm there is no algorithm negotiation to get
//! wrong, `none` and asymmetric algorithms cannot be reached, and expiry is
//! checked against `now_unix` instead of the library reading the clock.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::{AuthError, JwtError};
use crate::random;

/// Shortest accepted secret: RFC 7518 §3.2 requires a key at least as long
/// as the hash output, 256 bits for HS256.
pub const MIN_SECRET_LEN: usize = 32;

/// Longest token looked at; anything bigger is refused before decoding, so
/// a hostile header cannot make the server parse megabytes.
const MAX_TOKEN_LEN: usize = 8 * 1024;

/// The only header ever written.
const HEADER_JSON: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// The claims an access token carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Subject: the user id.
    pub sub: String,
    /// The user's role, so handlers can authorise without a lookup.
    pub role: String,
    /// Expiry, Unix seconds; the token is refused from this second on.
    pub exp: i64,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// Token id, so a single token can be revoked or traced.
    pub jti: String,
}

/// The header fields looked at when verifying; others are ignored.
#[derive(Deserialize)]
struct Header {
    alg: String,
    /// RFC 7515 §4.1.11: extensions listed here must be understood, and
    /// none are, so its presence means refuse.
    crit: Option<serde_json::Value>,
}

/// An HS256 signing key. `Debug` does not show it.
#[derive(Clone)]
pub struct JwtKeys {
    /// HMAC already keyed with the secret; cloned for each token so the raw
    /// secret is not kept around.
    mac: Hmac<Sha256>,
}

impl fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JwtKeys(***)")
    }
}

impl JwtKeys {
    /// Keys for signing and verifying with `secret`.
    ///
    /// # Errors
    /// [`AuthError::JwtSecretTooShort`] under [`MIN_SECRET_LEN`] bytes.
    pub fn new(secret: &[u8]) -> Result<Self, AuthError> {
        if secret.len() < MIN_SECRET_LEN {
            return Err(AuthError::JwtSecretTooShort {
                len: secret.len(),
                min: MIN_SECRET_LEN,
            });
        }
        let mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| AuthError::JwtKeyRejected)?;
        Ok(Self { mac })
    }

    /// A fresh 32-byte random secret, to be stored by the server and passed
    /// to [`JwtKeys::new`] on each start.
    #[must_use]
    pub fn generate_secret() -> Vec<u8> {
        random::bytes::<MIN_SECRET_LEN>().to_vec()
    }

    /// Signs `claims` into a compact `header.payload.signature` token.
    ///
    /// # Errors
    /// [`AuthError::JwtEncode`] if the claims cannot be serialised (they
    /// always can; the error is serde's signature).
    pub fn issue(&self, claims: &Claims) -> Result<String, AuthError> {
        let payload =
            serde_json::to_vec(claims).map_err(|e| AuthError::JwtEncode(e.to_string()))?;
        let mut token = URL_SAFE_NO_PAD.encode(HEADER_JSON);
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(payload));
        let signature = self.sign(&token);
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(signature));
        Ok(token)
    }

    /// Checks `token` and returns its claims.
    ///
    /// The token must be three base64url parts, carry `"alg":"HS256"` (so
    /// `none` and every other algorithm are refused), have a valid signature
    /// under this key, and hold all [`Claims`] fields. `exp` is compared with
    /// `now_unix` without leeway: at `now_unix >= exp` it has expired.
    ///
    /// # Errors
    /// [`JwtError::Expired`] for a genuine token past its expiry,
    /// [`JwtError::Invalid`] for anything else wrong.
    pub fn verify(&self, token: &str, now_unix: i64) -> Result<Claims, JwtError> {
        let payload = self.authenticated_payload(token)?;
        let claims: Claims = serde_json::from_slice(&payload).map_err(|_| JwtError::Invalid)?;
        if now_unix >= claims.exp {
            return Err(JwtError::Expired);
        }
        Ok(claims)
    }

    /// The decoded payload of a token whose header and signature check out;
    /// the claims are only parsed after this, so unauthenticated JSON is
    /// never trusted.
    fn authenticated_payload(&self, token: &str) -> Result<Vec<u8>, JwtError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(JwtError::Invalid);
        }
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwtError::Invalid);
        };
        let header_json = URL_SAFE_NO_PAD
            .decode(header)
            .map_err(|_| JwtError::Invalid)?;
        let parsed: Header = serde_json::from_slice(&header_json).map_err(|_| JwtError::Invalid)?;
        if parsed.alg != "HS256" || parsed.crit.is_some() {
            return Err(JwtError::Invalid);
        }
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| JwtError::Invalid)?;
        // The signing input is the header and payload exactly as received.
        let signed_len = header.len() + 1 + payload.len();
        let signing_input = token.get(..signed_len).ok_or(JwtError::Invalid)?;
        let mut mac = self.mac.clone();
        mac.update(signing_input.as_bytes());
        // `verify_slice` compares in constant time and rejects wrong lengths.
        mac.verify_slice(&signature)
            .map_err(|_| JwtError::Invalid)?;
        URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| JwtError::Invalid)
    }

    fn sign(&self, signing_input: &str) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(signing_input.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

#[cfg(test)]
mod tests;
