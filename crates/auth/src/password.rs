//! Password storage and the password policy: argon2id PHC strings with a
//! random salt, verification that never panics on a damaged hash, and the
//! minimum a new password must meet.

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};

use crate::error::{AuthError, PolicyError};

/// Fewest characters a password may have.
pub const MIN_CHARS: usize = 12;

/// Most bytes a password may have; argon2 would accept more, but an unbounded
/// request body is a cheap way to make the server hash megabytes.
pub const MAX_BYTES: usize = 1024;

/// The hasher with pinned parameters: argon2id, m = 19456 KiB, t = 2, p = 1,
/// the OWASP recommendation. Pinned rather than taken from the library's
/// default so an upgrade cannot silently weaken new hashes; old hashes keep
/// verifying because a PHC string carries its own parameters.
fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT)
}

/// Hashes `password` into an argon2id PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) with a fresh random salt.
///
/// # Errors
/// [`AuthError::PasswordHash`] if argon2 refuses its inputs, which does not
/// happen for passwords that passed [`check_policy`].
pub fn hash(password: &str) -> Result<String, AuthError> {
    let phc: PasswordHash = hasher()
        .hash_password(password.as_bytes())
        .map_err(|e| AuthError::PasswordHash(e.to_string()))?;
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `phc`.
///
/// Returns `false`, never an error, for a malformed or foreign hash: to a
/// login handler that is simply a failed login. The comparison inside argon2
/// is constant-time.
#[must_use]
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Checks a new password against the policy: at least [`MIN_CHARS`]
/// characters, at most [`MAX_BYTES`] bytes, and not one character repeated.
///
/// Length is counted in characters (not bytes) for the minimum so that a
/// passphrase in any script is judged by what the user typed.
///
/// # Errors
/// The first rule broken, as a [`PolicyError`] whose text can be shown to
/// the user.
pub fn check_policy(password: &str) -> Result<(), PolicyError> {
    if password.len() > MAX_BYTES {
        return Err(PolicyError::TooLong { max: MAX_BYTES });
    }
    let actual = password.chars().count();
    if actual < MIN_CHARS {
        return Err(PolicyError::TooShort {
            min: MIN_CHARS,
            actual,
        });
    }
    let mut chars = password.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return Err(PolicyError::SingleCharacter);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn hash_then_verify_accepts_only_the_same_password() {
        let phc = hash("correct horse battery staple").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("correct horse battery staple", &phc));
        assert!(!verify("correct horse battery stapl", &phc));
        assert!(!verify("", &phc));
    }

    #[test]
    fn the_same_password_gets_a_different_salt_each_time() {
        let a = hash("same password here").unwrap();
        let b = hash("same password here").unwrap();
        assert_ne!(a, b);
        assert!(verify("same password here", &a));
        assert!(verify("same password here", &b));
    }

    #[test]
    fn malformed_hashes_verify_false() {
        for bad in [
            "",
            "not a hash",
            "$argon2id$",
            "$argon2id$v=19$m=19456,t=2,p=1$",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$",
            "$2b$12$abcdefghijklmnopqrstuv",
        ] {
            assert!(!verify("whatever password", bad), "{bad:?}");
        }
    }

    #[test]
    fn a_truncated_real_hash_verifies_false() {
        let phc = hash("a fine long password").unwrap();
        for cut in 0..phc.len() {
            assert!(!verify("a fine long password", &phc[..cut]), "cut at {cut}");
        }
    }

    #[test]
    fn policy_counts_characters_and_bytes() {
        assert_eq!(
            check_policy("short pw"),
            Err(PolicyError::TooShort { min: 12, actual: 8 })
        );
        assert_eq!(check_policy("twelve chars"), Ok(()));
        // Twelve 3-byte characters: 12 characters, 36 bytes.
        assert_eq!(check_policy("日本語日本語日本語日本語"), Ok(()));
        assert_eq!(
            check_policy(&"ab".repeat(513)),
            Err(PolicyError::TooLong { max: 1024 })
        );
        assert_eq!(check_policy(&"ab".repeat(512)), Ok(()));
        assert_eq!(
            check_policy(&"a".repeat(40)),
            Err(PolicyError::SingleCharacter)
        );
        assert_eq!(check_policy(&format!("{}b", "a".repeat(40))), Ok(()));
    }

    #[test]
    fn policy_messages_read_as_sentences() {
        let e = check_policy("abc").unwrap_err();
        assert_eq!(
            e.to_string(),
            "password must be at least 12 characters long (it has 3)"
        );
    }
}
