//! Time-based one-time passwords (RFC 6238) for the second login factor:
//! HMAC-SHA-1, six digits, 30-second steps, the parameters every
//! authenticator app understands.

use std::fmt;

use data_encoding::BASE32_NOPAD;
use hmac::digest::Key;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::error::AuthError;
use crate::random;

/// Seconds per time step.
pub const PERIOD: i64 = 30;

/// Digits in a code.
pub const DIGITS: usize = 6;

/// Bytes in a generated secret (160 bits, the length RFC 4226 recommends).
pub const SECRET_LEN: usize = 20;

/// Shortest secret accepted from outside: RFC 4226 requires 128 bits.
const MIN_SECRET_LEN: usize = 16;

/// Longest secret accepted: one SHA-1 block, so the key never needs the
/// hash-first branch of HMAC and can be fed in as a single block.
const MAX_SECRET_LEN: usize = 64;

/// A shared TOTP secret. Wiped from memory on drop; `Debug` hides it.
///
/// Deliberately not `PartialEq`: comparing secrets is never needed, and a
/// derived comparison would not be constant-time.
#[derive(Clone)]
pub struct TotpSecret {
    bytes: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(***)")
    }
}

impl TotpSecret {
    /// A fresh random secret of [`SECRET_LEN`] bytes.
    #[must_use]
    pub fn generate() -> Self {
        let raw = Zeroizing::new(random::bytes::<SECRET_LEN>());
        Self {
            bytes: Zeroizing::new(raw.to_vec()),
        }
    }

    /// Wraps raw secret bytes, e.g. after opening them from storage.
    ///
    /// # Errors
    /// [`AuthError::TotpSecretLength`] outside 16..=64 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, AuthError> {
        if !(MIN_SECRET_LEN..=MAX_SECRET_LEN).contains(&bytes.len()) {
            return Err(AuthError::TotpSecretLength {
                len: bytes.len(),
                min: MIN_SECRET_LEN,
                max: MAX_SECRET_LEN,
            });
        }
        Ok(Self {
            bytes: Zeroizing::new(bytes.to_vec()),
        })
    }

    /// Parses RFC 4648 base32 as shown by authenticator apps: case and
    /// spaces are ignored, trailing `=` padding is optional.
    ///
    /// # Errors
    /// [`AuthError::TotpSecretEncoding`] for characters outside the base32
    /// alphabet or an impossible length; [`AuthError::TotpSecretLength`] if
    /// the decoded secret is outside 16..=64 bytes.
    pub fn from_base32(text: &str) -> Result<Self, AuthError> {
        let mut cleaned: Zeroizing<String> = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect::<String>()
            .into();
        let unpadded_len = cleaned.trim_end_matches('=').len();
        cleaned.truncate(unpadded_len);
        let decoded = BASE32_NOPAD.decode(cleaned.as_bytes());
        let bytes = Zeroizing::new(decoded.map_err(|_| AuthError::TotpSecretEncoding)?);
        Self::from_bytes(&bytes)
    }

    /// The secret as unpadded upper-case base32, the form authenticator apps
    /// expect when typed in by hand.
    #[must_use]
    pub fn to_base32(&self) -> String {
        BASE32_NOPAD.encode(&self.bytes)
    }

    /// The raw secret, for sealing it at rest.
    #[must_use]
    pub fn expose_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The six-digit code for the step containing `now_unix`.
    ///
    /// Times before 1970 are treated as 1970 so that the step number is
    /// never negative.
    #[must_use]
    pub fn code_at(&self, now_unix: i64) -> String {
        self.code_for_step(step_of(now_unix))
    }

    /// Checks `code` against the step containing `now_unix` and its two
    /// neighbours (one step of clock drift either way), and returns the step
    /// that matched.
    ///
    /// The caller should store the returned step and refuse any later code
    /// whose step is not greater, so a code seen over someone's shoulder
    /// cannot be replayed within its 90-second window.
    ///
    /// Anything but exactly six ASCII digits is refused before comparing.
    /// All three candidates are always compared, each in constant time, so
    /// timing does not reveal which step or how many digits matched.
    #[must_use]
    pub fn verify(&self, code: &str, now_unix: i64) -> Option<i64> {
        if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let current = step_of(now_unix);
        let mut matched = None;
        // The current step is compared last so that, in the one-in-a-million
        // case of two steps sharing a code, the current step is reported.
        for step in [
            current.checked_sub(1),
            current.checked_add(1),
            Some(current),
        ]
        .into_iter()
        .flatten()
        .filter(|s| *s >= 0)
        {
            let expected = self.code_for_step(step);
            if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
                matched = Some(step);
            }
        }
        matched
    }

    /// An `otpauth://` URL for a QR code, in the Key Uri Format authenticator
    /// apps read: the label is `issuer:account`, and the issuer is repeated
    /// as a parameter because some apps only read one of the two.
    #[must_use]
    pub fn otpauth_url(&self, issuer: &str, account: &str) -> String {
        let issuer = percent_encode(issuer);
        format!(
            "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}\
             &algorithm=SHA1&digits={DIGITS}&period={PERIOD}",
            account = percent_encode(account),
            secret = self.to_base32(),
        )
    }

    fn code_for_step(&self, step: i64) -> String {
        // `step` is never negative here; a failed conversion would mean a
        // caller bypassed `step_of`, and counter 0 is a harmless answer.
        let counter = u64::try_from(step).unwrap_or(0);
        let value = hotp(&self.bytes, counter) % 1_000_000;
        format!("{value:06}")
    }
}

/// The RFC 6238 time step `T = floor(t / 30)`, with pre-1970 times clamped.
fn step_of(now_unix: i64) -> i64 {
    now_unix.max(0) / PERIOD
}

/// RFC 4226 HOTP before the final modulo: HMAC-SHA-1 of the big-endian
/// counter, dynamically truncated to a 31-bit number.
fn hotp(secret: &[u8], counter: u64) -> u32 {
    // HMAC zero-pads a key shorter than the block, so placing the secret at
    // the start of a zeroed 64-byte block gives the same MAC, and lets the
    // infallible `new` be used instead of a `new_from_slice` whose error
    // cannot happen. Secrets are at most 64 bytes (checked on entry).
    let mut key = Key::<Hmac<Sha1>>::default();
    for (dst, src) in key.iter_mut().zip(secret) {
        *dst = *src;
    }
    let mut mac = Hmac::<Sha1>::new(&key);
    key.as_mut_slice().zeroize();
    mac.update(&counter.to_be_bytes());
    let digest: [u8; 20] = mac.finalize().into_bytes().into();
    // The low nibble of the last byte picks where the 4 bytes start (0..=15,
    // so offset + 3 <= 18 is always inside the 20-byte digest).
    let offset = usize::from(digest[19] & 0x0f);
    let word = [
        digest[offset],
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ];
    u32::from_be_bytes(word) & 0x7fff_ffff
}

/// Percent-encodes everything but RFC 3986 unreserved characters, which is
/// safe both in the label path and in query values.
fn percent_encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    out
}

#[cfg(test)]
mod tests;
