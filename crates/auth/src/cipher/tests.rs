//! Tests for sealing at rest: round trips, every way a sealed value can be
//! wrong, and loading the master key from its two sources.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use proptest::prelude::*;

use super::*;

const HEX_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn key() -> MasterKey {
    MasterKey::parse(HEX_KEY).unwrap()
}

/// A fresh directory under the target dir's temp area, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("smc-auth-{name}-{}", crate::token::random_id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(unix)]
fn write_with_mode(path: &Path, contents: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::write(path, contents).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn seal_then_open_returns_the_plaintext() {
    let sealed = key()
        .seal(b"binance secret", b"binance:api_secret")
        .unwrap();
    assert_eq!(sealed.len(), NONCE_LEN + 14 + TAG_LEN);
    let opened = key().open(&sealed, b"binance:api_secret").unwrap();
    assert_eq!(opened.as_slice(), b"binance secret");
}

#[test]
fn each_seal_uses_a_new_nonce() {
    let a = key().seal(b"same", b"row").unwrap();
    let b = key().seal(b"same", b"row").unwrap();
    assert_ne!(a[..NONCE_LEN], b[..NONCE_LEN]);
    assert_ne!(a, b);
}

#[test]
fn wrong_key_wrong_aad_and_truncation_fail() {
    let sealed = key().seal(b"secret", b"binance:api_secret").unwrap();
    assert!(matches!(
        MasterKey::generate().open(&sealed, b"binance:api_secret"),
        Err(AuthError::OpenFailed)
    ));
    assert!(matches!(
        key().open(&sealed, b"binance:api_key"),
        Err(AuthError::OpenFailed)
    ));
    assert!(matches!(
        key().open(&sealed[..sealed.len() - 1], b"binance:api_secret"),
        Err(AuthError::OpenFailed)
    ));
    for len in 0..NONCE_LEN + TAG_LEN {
        assert!(
            matches!(
                key().open(&sealed[..len], b"binance:api_secret"),
                Err(AuthError::SealedTooShort { min: 28, .. })
            ),
            "length {len}"
        );
    }
}

#[test]
fn an_empty_plaintext_still_authenticates() {
    let sealed = key().seal(b"", b"row").unwrap();
    assert_eq!(sealed.len(), NONCE_LEN + TAG_LEN);
    assert!(key().open(&sealed, b"row").unwrap().is_empty());
    assert!(key().open(&sealed, b"other").is_err());
}

#[test]
fn parse_accepts_hex_and_base64_with_whitespace() {
    let from_hex = MasterKey::parse(&format!("  {HEX_KEY}\n")).unwrap();
    assert_eq!(from_hex.to_hex().as_str(), HEX_KEY);
    let from_upper = MasterKey::parse(&HEX_KEY.to_uppercase()).unwrap();
    assert_eq!(from_upper.to_hex().as_str(), HEX_KEY);
    let base64 = STANDARD.encode(hex::decode(HEX_KEY).unwrap());
    let from_b64 = MasterKey::parse(&format!("{base64}\n")).unwrap();
    assert_eq!(from_b64.to_hex().as_str(), HEX_KEY);
    // Both parse to the same key, so a value sealed under one opens under the other.
    let sealed = from_hex.seal(b"x", b"r").unwrap();
    assert_eq!(from_b64.open(&sealed, b"r").unwrap().as_slice(), b"x");
}

#[test]
fn parse_refuses_wrong_lengths_and_alphabets() {
    let short_b64 = STANDARD.encode([1u8; 31]);
    let too_long = format!("{HEX_KEY}00");
    let not_hex = HEX_KEY.replace('0', "g");
    for bad in [
        "",
        &HEX_KEY[..62],
        &too_long,
        &not_hex,
        &short_b64,
        "not a key at all",
    ] {
        assert!(
            matches!(MasterKey::parse(bad), Err(AuthError::MasterKeyFormat)),
            "{bad:?}"
        );
    }
}

#[test]
fn debug_hides_the_key() {
    assert_eq!(format!("{:?}", key()), "MasterKey(***)");
    assert_eq!(MasterKey::generate().to_hex().len(), 64);
    assert_ne!(
        MasterKey::generate().to_hex(),
        MasterKey::generate().to_hex()
    );
}

#[test]
fn load_prefers_a_non_blank_env_value() {
    let dir = TempDir::new("env");
    let missing = dir.0.join("absent.key");
    let loaded = MasterKey::load(Some(HEX_KEY), Some(&missing))
        .unwrap()
        .unwrap();
    assert_eq!(loaded.to_hex().as_str(), HEX_KEY);
    assert!(
        MasterKey::load(Some("  "), Some(&missing))
            .unwrap()
            .is_none()
    );
    assert!(MasterKey::load(None, None).unwrap().is_none());
    assert!(matches!(
        MasterKey::load(Some("bogus"), None),
        Err(AuthError::MasterKeyFormat)
    ));
}

#[cfg(unix)]
#[test]
fn load_reads_a_private_key_file() {
    let dir = TempDir::new("file");
    let path = dir.0.join("master.key");
    write_with_mode(&path, &format!("{HEX_KEY}\n"), 0o600);
    let loaded = MasterKey::load(None, Some(&path)).unwrap().unwrap();
    assert_eq!(loaded.to_hex().as_str(), HEX_KEY);
    let other = MasterKey::generate();
    let from_env = MasterKey::load(Some(&other.to_hex()), Some(&path))
        .unwrap()
        .unwrap();
    assert_eq!(from_env.to_hex(), other.to_hex());
}

#[cfg(unix)]
#[test]
fn load_refuses_a_key_file_others_can_read() {
    let dir = TempDir::new("mode");
    let path = dir.0.join("master.key");
    for mode in [0o644, 0o640, 0o604, 0o620] {
        write_with_mode(&path, HEX_KEY, mode);
        let err = MasterKey::load(None, Some(&path)).unwrap_err();
        assert!(
            matches!(&err, AuthError::KeyFilePermissions { mode: m, .. } if *m == mode),
            "{err}"
        );
        let message = err.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains(&format!("{mode:04o}")), "{message}");
    }
}

#[cfg(unix)]
#[test]
fn load_reports_unreadable_paths() {
    let dir = TempDir::new("dir");
    // A directory opens but cannot be read as text.
    let err = MasterKey::load(None, Some(&dir.0)).unwrap_err();
    assert!(
        matches!(
            &err,
            AuthError::KeyFileRead { .. } | AuthError::KeyFilePermissions { .. }
        ),
        "{err}"
    );
}

proptest! {
    #[test]
    fn round_trip_for_any_bytes(
        plaintext in proptest::collection::vec(any::<u8>(), 0..256),
        aad in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let sealed = key().seal(&plaintext, &aad).unwrap();
        let opened = key().open(&sealed, &aad).unwrap();
        prop_assert_eq!(opened.as_slice(), &plaintext[..]);
    }

    #[test]
    fn any_flipped_bit_fails_to_open(
        plaintext in proptest::collection::vec(any::<u8>(), 0..64),
        bit in any::<prop::sample::Index>(),
    ) {
        let mut sealed = key().seal(&plaintext, b"row").unwrap();
        let position = bit.index(sealed.len() * 8);
        sealed[position / 8] ^= 1 << (position % 8);
        prop_assert!(matches!(key().open(&sealed, b"row"), Err(AuthError::OpenFailed)));
    }
}
