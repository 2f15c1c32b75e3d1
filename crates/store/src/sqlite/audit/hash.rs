//! The hash of an audit entry: SHA-256 over a domain tag, the previous
//! entry's hash and every column of the entry, each text length-prefixed
//! (8 bytes, big-endian) and each integer as 8 big-endian bytes. The
//! encoding is unambiguous — no two different rows encode alike, however
//! their texts split — so a hash matches only the exact row it was made
//! for. Texts are hashed as stored (the JSON `detail` too), never
//! re-serialised, so that the verification reads exactly what was hashed.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Names this encoding, so that a later version cannot collide with it.
const DOMAIN: &[u8] = b"smc-audit-v1\0";

/// One entry's columns as stored, borrowed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Columns<'a> {
    pub id: i64,
    pub time: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub detail: &'a str,
    pub outcome: &'a str,
}

fn text(hasher: &mut Sha256, s: &str) {
    // usize → u64 cannot lose bits on any platform Rust supports.
    let len = s.len() as u64;
    hasher.update(len.to_be_bytes());
    hasher.update(s.as_bytes());
}

/// The hash (64 lowercase hex digits) of `c` chained after `prev_hash`.
pub(crate) fn entry_hash(prev_hash: &str, c: &Columns<'_>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(DOMAIN);
    text(&mut hasher, prev_hash);
    hasher.update(c.id.to_be_bytes());
    hasher.update(c.time.to_be_bytes());
    for field in [c.actor, c.action, c.target, c.detail, c.outcome] {
        text(&mut hasher, field);
    }
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns<'a>(actor: &'a str, action: &'a str) -> Columns<'a> {
        Columns {
            id: 1,
            time: 2,
            actor,
            action,
            target: "",
            detail: "{}",
            outcome: "ok",
        }
    }

    #[test]
    fn texts_that_split_differently_hash_differently() {
        let a = entry_hash(GENESIS, &columns("ab", "c"));
        let b = entry_hash(GENESIS, &columns("a", "bc"));
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }

    #[test]
    fn the_hash_depends_on_the_previous_one_the_id_and_the_time() {
        let base = columns("cli", "breaker.trip");
        let h = entry_hash(GENESIS, &base);
        assert_eq!(h, entry_hash(GENESIS, &base), "deterministic");
        assert_ne!(h, entry_hash(&"1".repeat(64), &base));
        assert_ne!(h, entry_hash(GENESIS, &Columns { id: 2, ..base }));
        assert_ne!(h, entry_hash(GENESIS, &Columns { time: 3, ..base }));
    }

    #[test]
    fn the_genesis_is_64_zeros() {
        assert_eq!(GENESIS.len(), 64);
        assert!(GENESIS.bytes().all(|b| b == b'0'));
    }

    #[test]
    fn hex_is_lowercase_and_two_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }
}
