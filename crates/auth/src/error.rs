//! The ways the authentication primitives fail: [`AuthError`] for setup and
//! storage problems, [`PolicyError`] for a password the user must change, and
//! [`JwtError`] for an access token that must not be honoured.

use std::path::PathBuf;

/// A primitive could not do its job; each variant names what was wrong.
///
/// Messages never contain secret material (key bytes, passwords, codes), so
/// they are safe to log.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Argon2 refused to hash (it only does so for out-of-range parameters
    /// or lengths, so this points at a bug or a corrupted build).
    #[error("password hashing failed: {0}")]
    PasswordHash(String),

    /// A TOTP secret in text form was not RFC 4648 base32.
    #[error("TOTP secret is not valid base32")]
    TotpSecretEncoding,

    /// A TOTP secret decoded to a length outside what is accepted.
    #[error("TOTP secret is {len} bytes; it must be between {min} and {max} bytes")]
    TotpSecretLength {
        /// Decoded length in bytes.
        len: usize,
        /// Smallest accepted length (RFC 4226 asks for at least 128 bits).
        min: usize,
        /// Largest accepted length (one HMAC-SHA-1 block).
        max: usize,
    },

    /// The HS256 signing secret is too short to resist brute force.
    #[error("JWT secret is {len} bytes; at least {min} bytes are required")]
    JwtSecretTooShort {
        /// Length that was offered.
        len: usize,
        /// Required minimum.
        min: usize,
    },

    /// HMAC refused the signing secret. HMAC takes keys of any length, so
    /// this only exists because the library's signature is fallible.
    #[error("HMAC rejected the JWT secret")]
    JwtKeyRejected,

    /// Claims could not be serialised into a token.
    #[error("could not encode JWT claims: {0}")]
    JwtEncode(String),

    /// A master key in text form was neither 64 hex characters nor base64 of
    /// 32 bytes.
    #[error("master key must be 64 hex characters or base64 of 32 bytes")]
    MasterKeyFormat,

    /// The master key file could not be read.
    #[error("cannot read master key file {path}: {source}")]
    KeyFileRead {
        /// The file that was asked for.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },

    /// The master key file can be read or written by other users, so the key
    /// may already be known to them (the check ssh makes on private keys).
    #[error(
        "permissions {mode:04o} for master key file {path} are too open; \
         it must not be accessible by group or others (chmod 600)"
    )]
    KeyFilePermissions {
        /// The offending file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },

    /// The plaintext or associated data exceed what AES-GCM may encrypt
    /// under one nonce.
    #[error("data too long to seal with AES-256-GCM")]
    SealTooLong,

    /// A sealed value is shorter than a nonce plus a tag, so it cannot be
    /// something `seal` produced.
    #[error("sealed value is {len} bytes; at least {min} are required")]
    SealedTooShort {
        /// Length that was offered.
        len: usize,
        /// Nonce plus tag length.
        min: usize,
    },

    /// Authentication of a sealed value failed: wrong key, altered bytes, or
    /// associated data that names a different row.
    #[error("sealed value failed authentication (wrong key, altered data or wrong row)")]
    OpenFailed,
}

/// A password was refused by the password policy.
///
/// The `Display` text is written for the user and can be returned as the
/// body of an HTTP 422 response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// Fewer characters than the minimum.
    #[error("password must be at least {min} characters long (it has {actual})")]
    TooShort {
        /// Required minimum, in characters.
        min: usize,
        /// Characters supplied.
        actual: usize,
    },

    /// More bytes than the maximum.
    #[error("password must be at most {max} bytes long")]
    TooLong {
        /// Allowed maximum, in UTF-8 bytes.
        max: usize,
    },

    /// The same character repeated throughout.
    #[error("password must not consist of a single repeated character")]
    SingleCharacter,
}

/// An access token was refused.
///
/// Only two outcomes are told apart because a client only needs to know
/// whether refreshing could help; the reason for `Invalid` is deliberately
/// not exposed to the caller of an API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    /// Signature and format were good but `exp` has passed: refresh.
    #[error("access token has expired")]
    Expired,

    /// Malformed, signed with another key, altered, or not HS256.
    #[error("access token is invalid")]
    Invalid,
}
