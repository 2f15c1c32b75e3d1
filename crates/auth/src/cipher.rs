//! Encryption at rest for exchange API secrets: AES-256-GCM under a master
//! key supplied by the operator, with associated data tying each ciphertext
//! to the row it belongs to.

use std::fmt;
use std::io::Read as _;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use crate::error::AuthError;
use crate::random;

/// Bytes of the random nonce at the front of a sealed value. Random 96-bit
/// nonces are safe for about 2^32 seals under one key, far beyond the
/// number of exchange keys a deployment stores.
pub const NONCE_LEN: usize = 12;

/// Bytes of the GCM tag at the end of a sealed value.
pub const TAG_LEN: usize = 16;

/// The 256-bit key that seals exchange secrets. Wiped on drop; `Debug`
/// hides it; deliberately not `Clone`, share it behind an `Arc`.
pub struct MasterKey {
    bytes: Zeroizing<[u8; 32]>,
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(***)")
    }
}

impl MasterKey {
    /// A fresh random key, e.g. for first-run setup.
    #[must_use]
    pub fn generate() -> Self {
        Self {
            bytes: Zeroizing::new(random::bytes::<32>()),
        }
    }

    /// Reads a key written as 64 hex characters or as standard base64 of
    /// 32 bytes, ignoring surrounding whitespace (a trailing newline in a
    /// key file is normal).
    ///
    /// # Errors
    /// [`AuthError::MasterKeyFormat`] for anything else. The message does
    /// not echo the text, which may be a mistyped key.
    pub fn parse(text: &str) -> Result<Self, AuthError> {
        let text = text.trim();
        let decoded = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(text).map_err(|_| AuthError::MasterKeyFormat)?
        } else {
            STANDARD
                .decode(text)
                .map_err(|_| AuthError::MasterKeyFormat)?
        };
        let decoded = Zeroizing::new(decoded);
        let bytes: [u8; 32] = decoded
            .as_slice()
            .try_into()
            .map_err(|_| AuthError::MasterKeyFormat)?;
        Ok(Self {
            bytes: Zeroizing::new(bytes),
        })
    }

    /// Finds the key the server was configured with.
    ///
    /// `env_value` (the value of `SMC_MASTER_KEY`) wins when it is set and
    /// not blank; blank counts as unset because container files often pass
    /// an empty variable through. Otherwise `key_file` is read if it exists.
    /// A missing file, or neither source, gives `Ok(None)` so the caller can
    /// decide between generating a key and refusing to store secrets.
    ///
    /// # Errors
    /// [`AuthError::MasterKeyFormat`] for a malformed key from either
    /// source; [`AuthError::KeyFileRead`] if the file exists but cannot be
    /// read; [`AuthError::KeyFilePermissions`] on Unix if the file is
    /// accessible by group or others.
    pub fn load(
        env_value: Option<&str>,
        key_file: Option<&Path>,
    ) -> Result<Option<Self>, AuthError> {
        if let Some(value) = env_value.filter(|v| !v.trim().is_empty()) {
            return Self::parse(value).map(Some);
        }
        let Some(path) = key_file else {
            return Ok(None);
        };
        let read_error = |source| AuthError::KeyFileRead {
            path: path.to_path_buf(),
            source,
        };
        let mut file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(read_error(e)),
        };
        // Checked on the open handle, not the path, so the file judged is
        // the file read.
        check_private(path, &file.metadata().map_err(read_error)?)?;
        let mut text = Zeroizing::new(String::new());
        file.read_to_string(&mut text).map_err(read_error)?;
        Self::parse(&text).map(Some)
    }

    /// The key as 64 lower-case hex characters, for writing a generated key
    /// to a file.
    #[must_use]
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(*self.bytes))
    }

    /// Encrypts `plaintext`, authenticating `aad` with it, and returns
    /// nonce ‖ ciphertext ‖ tag.
    ///
    /// `aad` should name the row, e.g. `"binance:api_secret"` plus the
    /// owner's id, so a ciphertext copied into another row fails to open.
    ///
    /// # Errors
    /// [`AuthError::SealTooLong`] if plaintext or `aad` exceed the GCM
    /// limits (about 64 GiB), the only way encryption can fail.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, AuthError> {
        let nonce_bytes = random::bytes::<NONCE_LEN>();
        let nonce = Nonce::from(nonce_bytes);
        let ciphertext = self
            .aead()
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| AuthError::SealTooLong)?;
        let mut sealed = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        sealed.extend_from_slice(&nonce_bytes);
        sealed.extend_from_slice(&ciphertext);
        Ok(sealed)
    }

    /// Decrypts a value from [`MasterKey::seal`] made with the same `aad`.
    ///
    /// # Errors
    /// [`AuthError::SealedTooShort`] if it cannot hold a nonce and a tag;
    /// [`AuthError::OpenFailed`] for a wrong key, any altered byte, or
    /// different `aad`. The three are not told apart, by design of GCM.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, AuthError> {
        let min = NONCE_LEN + TAG_LEN;
        let (nonce_bytes, ciphertext) = match sealed.split_at_checked(NONCE_LEN) {
            Some(parts) if sealed.len() >= min => parts,
            _ => {
                return Err(AuthError::SealedTooShort {
                    len: sealed.len(),
                    min,
                });
            }
        };
        let nonce = Nonce::try_from(nonce_bytes).map_err(|_| AuthError::OpenFailed)?;
        self.aead()
            .decrypt(
                &nonce,
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| AuthError::OpenFailed)
    }

    fn aead(&self) -> Aes256Gcm {
        Aes256Gcm::new(&Key::<Aes256Gcm>::from(*self.bytes))
    }
}

/// Refuses a key file that group or others can access, as ssh does for
/// private keys: such a key may already be in someone else's hands.
#[cfg(unix)]
fn check_private(path: &Path, metadata: &std::fs::Metadata) -> Result<(), AuthError> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = metadata.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(AuthError::KeyFilePermissions {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

/// Other platforms have no comparable mode bits; access control there is
/// left to the operator.
#[cfg(not(unix))]
fn check_private(_path: &Path, _metadata: &std::fs::Metadata) -> Result<(), AuthError> {
    Ok(())
}

#[cfg(test)]
mod tests;
