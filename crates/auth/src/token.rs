//! Bearer secrets and ids: API keys and refresh tokens (random, prefixed,
//! stored as SHA-256 digests), short row ids, and constant-time comparison.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::random;

/// Prefix of API keys.
pub const API_KEY_PREFIX: &str = "smc_";

/// Prefix of refresh tokens.
pub const REFRESH_PREFIX: &str = "smcr_";

/// `prefix` followed by 256 random bits as 64 lower-case hex characters.
///
/// Hex rather than base64 so the token is URL-safe, case-insensitive in
/// transit and selectable with a double click; the prefix lets secret
/// scanners and people recognise what leaked.
#[must_use]
pub fn random_token(prefix: &str) -> String {
    let raw = Zeroizing::new(random::bytes::<32>());
    let mut token = String::with_capacity(prefix.len() + 64);
    token.push_str(prefix);
    token.push_str(&hex::encode(*raw));
    token
}

/// SHA-256 hex digest of a token, the only form it is stored in.
///
/// A fast hash is right here (unlike passwords): the token has 256 random
/// bits, so there is nothing to brute-force, and checking a key on every
/// request must cost microseconds, not the ~50 ms of argon2.
#[must_use]
pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A 16 hex character (64-bit) random id for database rows; not a secret.
#[must_use]
pub fn random_id() -> String {
    hex::encode(random::bytes::<8>())
}

/// Equality that takes the same time wherever the first difference is, for
/// comparing secrets or their digests. Lengths are not hidden.
#[must_use]
pub fn constant_time_eq(a: impl AsRef<[u8]>, b: impl AsRef<[u8]>) -> bool {
    bool::from(a.as_ref().ct_eq(b.as_ref()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn tokens_carry_the_prefix_and_256_bits_of_hex() {
        for prefix in [API_KEY_PREFIX, REFRESH_PREFIX] {
            let token = random_token(prefix);
            let body = token.strip_prefix(prefix).unwrap();
            assert_eq!(body.len(), 64);
            assert!(
                body.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            );
        }
    }

    #[test]
    fn tokens_differ() {
        assert_ne!(random_token("smc_"), random_token("smc_"));
        assert_ne!(random_id(), random_id());
    }

    #[test]
    fn digest_is_sha256_hex() {
        // SHA-256("abc") from FIPS 180-2 Appendix B.1.
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(digest("smc_a"), digest("smc_b"));
    }

    #[test]
    fn ids_are_sixteen_hex_characters() {
        let id = random_id();
        assert_eq!(id.len(), 16);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn constant_time_eq_compares_contents_and_lengths() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(constant_time_eq(b"", b""));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
        assert!(!constant_time_eq("", "a"));
        assert!(constant_time_eq(String::from("x"), vec![b'x']));
    }
}
