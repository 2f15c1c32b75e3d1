//! Request signing. A [`RequestSigner`] turns the exact bytes a venue
//! signs into a signature; [`HmacSha256Signer`] is the HMAC-SHA256 one used
//! by Binance and Bybit (lowercase hex). The secret is held in a
//! [`Secret`]: zeroized on drop and never printed by `Debug`.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::fmt;
use std::sync::Arc;
use zeroize::Zeroizing;

/// A secret string (API secret, token). Zeroized when dropped; `Debug`
/// prints `Secret(***)`.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(secret: impl Into<String>) -> Self {
        Secret(Zeroizing::new(secret.into()))
    }

    /// The secret itself; callers must not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// An API key and its secret. `Debug` shows neither the secret nor the
/// whole key.
#[derive(Clone)]
pub struct Credentials {
    pub api_key: String,
    pub secret: Secret,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: String = self.api_key.chars().take(4).collect();
        write!(f, "Credentials {{ api_key: {shown}…, secret: *** }}")
    }
}

/// The API key a client sends and the signer it signs with.
pub(crate) type KeyAndSigner = (Option<Arc<str>>, Option<Arc<dyn RequestSigner>>);

impl Credentials {
    /// What a REST client keeps of `credentials` (none: public data only):
    /// the key, shared by its clones, and an HMAC-SHA256 signer holding the
    /// secret.
    pub(crate) fn key_and_signer(credentials: Option<Credentials>) -> KeyAndSigner {
        match credentials {
            Some(c) => (
                Some(Arc::from(c.api_key.as_str())),
                Some(Arc::new(HmacSha256Signer::new(&c.secret)) as Arc<dyn RequestSigner>),
            ),
            None => (None, None),
        }
    }
}

/// Signs request payloads. Implementations are cheap to call from many
/// tasks at once.
pub trait RequestSigner: Send + Sync + fmt::Debug {
    /// Appends the signature of `payload` to `out`.
    fn sign_into(&self, payload: &[u8], out: &mut String);

    /// The signature of `payload` as a new string.
    fn sign(&self, payload: &[u8]) -> String {
        let mut s = String::with_capacity(64);
        self.sign_into(payload, &mut s);
        s
    }
}

/// HMAC-SHA256 with a lowercase hex signature. The keyed state (inner and
/// outer pads already absorbed) is computed once and cloned per signature;
/// it is zeroized on drop like the secret.
#[derive(Clone)]
pub struct HmacSha256Signer {
    keyed: Hmac<Sha256>,
}

impl HmacSha256Signer {
    pub fn new(secret: &Secret) -> Self {
        // HMAC takes keys of any length, so this cannot fail; fall back to
        // an empty key rather than panic if the library ever says otherwise.
        let keyed = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.expose().as_bytes())
            .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new(&Default::default()));
        HmacSha256Signer { keyed }
    }

    /// The raw 32-byte MAC of `payload`.
    pub fn mac(&self, payload: &[u8]) -> [u8; 32] {
        let mut m = self.keyed.clone();
        m.update(payload);
        m.finalize().into_bytes().into()
    }
}

impl fmt::Debug for HmacSha256Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HmacSha256Signer(***)")
    }
}

impl RequestSigner for HmacSha256Signer {
    fn sign_into(&self, payload: &[u8], out: &mut String) {
        let mac = self.mac(payload);
        let mut hex = [0u8; 64];
        // 32 bytes always fit 64 hex digits.
        if hex::encode_to_slice(mac, &mut hex).is_ok() {
            // hex digits are ASCII
            out.push_str(std::str::from_utf8(&hex).unwrap_or_default());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let s = Secret::new("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        let signer = HmacSha256Signer::new(&s);
        assert!(!format!("{signer:?}").contains("NhqP"));
    }

    #[test]
    fn rfc4231_case_2() {
        // RFC 4231 test case 2: key "Jefe".
        let signer = HmacSha256Signer::new(&Secret::new("Jefe"));
        assert_eq!(
            signer.sign(b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
