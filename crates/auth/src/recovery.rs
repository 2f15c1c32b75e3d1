//! One-time recovery codes, the way back in when the authenticator is lost:
//! generated once, shown once, and stored only as SHA-256 digests.

use sha2::{Digest, Sha256};

use crate::random;

/// The 32 symbols codes are drawn from: digits and lower-case letters without
/// `i`, `l`, `o` and `u` (Crockford's choice), so nothing is misread when a
/// code is copied off paper. 32 symbols give exactly 5 bits each.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// Symbols per half; a code is two halves joined by a dash, 10 symbols or
/// 50 bits in all, well beyond online guessing behind a rate limit.
const HALF: usize = 5;

/// `count` fresh codes in the form `xxxxx-xxxxx`.
#[must_use]
pub fn generate(count: usize) -> Vec<String> {
    (0..count).map(|_| one_code()).collect()
}

fn one_code() -> String {
    let raw = random::bytes::<{ 2 * HALF }>();
    let mut code = String::with_capacity(2 * HALF + 1);
    for (i, byte) in raw.iter().enumerate() {
        if i == HALF {
            code.push('-');
        }
        // 256 is a multiple of 32, so masking the low five bits is unbiased.
        code.push(char::from(ALPHABET[usize::from(byte & 0x1f)]));
    }
    code
}

/// The SHA-256 hex digest of a code after normalising it, for storing and
/// looking up codes without keeping them.
///
/// Normalising lower-cases, drops dashes and whitespace, and maps the
/// letters the alphabet leaves out to the digits they resemble (`o` → `0`,
/// `i`/`l` → `1`), so a code typed as `ABCDE FGH1O` matches `abcde-fgh10`.
/// A plain hash (not argon2) is enough because codes carry 50 random bits.
#[must_use]
pub fn digest(code: &str) -> String {
    let normalised: String = code
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .map(|c| match c.to_ascii_lowercase() {
            'o' => '0',
            'i' | 'l' => '1',
            other => other,
        })
        .collect();
    hex::encode(Sha256::digest(normalised.as_bytes()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::collections::HashSet;

    use super::*;

    #[test]
    fn codes_have_the_documented_shape() {
        let codes = generate(10);
        assert_eq!(codes.len(), 10);
        for code in &codes {
            assert_eq!(code.len(), 11, "{code}");
            assert_eq!(code.as_bytes()[5], b'-', "{code}");
            assert!(
                code.bytes()
                    .enumerate()
                    .all(|(i, b)| i == 5 || ALPHABET.contains(&b)),
                "{code}"
            );
        }
    }

    #[test]
    fn codes_do_not_repeat() {
        let codes = generate(500);
        let unique: HashSet<&String> = codes.iter().collect();
        assert_eq!(unique.len(), 500);
    }

    #[test]
    fn every_symbol_is_used() {
        // With 10 000 symbols drawn, missing one of 32 by chance has
        // probability about 32 * (31/32)^10000, effectively zero; a bias bug
        // that drops symbols would fail here.
        let seen: HashSet<char> = generate(1000)
            .concat()
            .chars()
            .filter(|c| *c != '-')
            .collect();
        assert_eq!(seen.len(), 32);
    }

    #[test]
    fn zero_codes_is_an_empty_list() {
        assert!(generate(0).is_empty());
    }

    #[test]
    fn digest_normalises_case_separators_and_lookalikes() {
        let stored = digest("abcde-fgh10");
        assert_eq!(digest("ABCDE-FGH10"), stored);
        assert_eq!(digest("abcdefgh10"), stored);
        assert_eq!(digest(" abcde fgh10 "), stored);
        assert_eq!(digest("abcde-fghlo"), stored);
        assert_ne!(digest("abcde-fgh11"), stored);
    }

    #[test]
    fn digest_is_sha256_hex_of_the_normalised_code() {
        // SHA-256("abc") from FIPS 180-2 Appendix B.1.
        assert_eq!(
            digest("A-B C"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
