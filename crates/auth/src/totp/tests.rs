//! Tests for the TOTP module: the published RFC vectors, drift, input
//! hygiene and the base32 / URL forms.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;

use super::*;

/// The secret of RFC 4226 Appendix D and RFC 6238 Appendix B (SHA-1 rows).
fn rfc_secret() -> TotpSecret {
    TotpSecret::from_bytes(b"12345678901234567890").unwrap()
}

#[test]
fn rfc4226_appendix_d_hotp_values() {
    // RFC 4226 Appendix D, "Truncated" decimal column, counters 0..=9.
    let expected = [
        1_284_755_224,
        1_094_287_082,
        137_359_152,
        1_726_969_429,
        1_640_338_314,
        868_254_676,
        1_918_287_922,
        82_162_583,
        673_399_871,
        645_520_489,
    ];
    for (counter, want) in (0u64..).zip(expected) {
        assert_eq!(
            hotp(b"12345678901234567890", counter),
            want,
            "counter {counter}"
        );
    }
}

#[test]
fn rfc6238_appendix_b_sha1_vectors() {
    // RFC 6238 Appendix B gives 8-digit codes; a 6-digit code is the same
    // number modulo 10^6, i.e. its last six digits.
    let secret = rfc_secret();
    for (t, eight_digits) in [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ] {
        assert_eq!(secret.code_at(t), eight_digits[2..], "T = {t}");
        assert_eq!(
            secret.verify(&eight_digits[2..], t),
            Some(t / 30),
            "T = {t}"
        );
    }
}

#[test]
fn one_step_of_drift_is_accepted_two_are_not() {
    let secret = rfc_secret();
    let t = 1_234_567_890;
    let code = secret.code_at(t);
    assert_eq!(secret.verify(&code, t + 30), Some(t / 30));
    assert_eq!(secret.verify(&code, t - 30), Some(t / 30));
    assert_eq!(secret.verify(&code, t + 60), None);
    assert_eq!(secret.verify(&code, t - 60), None);
}

#[test]
fn verify_reports_the_step_the_code_belongs_to() {
    let secret = rfc_secret();
    let now = 1_700_000_010;
    let previous = secret.code_at(now - 30);
    let next = secret.code_at(now + 30);
    assert_eq!(secret.verify(&previous, now), Some(now / 30 - 1));
    assert_eq!(secret.verify(&next, now), Some(now / 30 + 1));
}

#[test]
fn codes_that_are_not_six_ascii_digits_are_refused() {
    let secret = rfc_secret();
    let t = 59;
    assert_eq!(secret.code_at(t), "287082");
    for bad in [
        "", "28708", "2870820", "94287082", " 287082", "287082 ", "28708a", "２87082", "-87082",
        "+87082",
    ] {
        assert_eq!(secret.verify(bad, t), None, "{bad:?}");
    }
}

#[test]
fn a_different_secret_does_not_verify() {
    let code = rfc_secret().code_at(59);
    let other = TotpSecret::from_bytes(b"12345678901234567891").unwrap();
    assert_ne!(other.code_at(59), code);
    assert_eq!(other.verify(&code, 59), None);
}

#[test]
fn times_before_1970_are_treated_as_step_zero() {
    let secret = rfc_secret();
    assert_eq!(secret.code_at(-5), secret.code_at(0));
    assert_eq!(secret.verify(&secret.code_at(0), -1_000), Some(0));
}

#[test]
fn base32_round_trip_and_lenient_parsing() {
    let secret = rfc_secret();
    // RFC 4648 base32 of "12345678901234567890".
    assert_eq!(secret.to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    let spaced = "gezd gnbv gy3t qojq gezd gnbv gy3t qojq";
    let parsed = TotpSecret::from_base32(spaced).unwrap();
    assert_eq!(parsed.expose_bytes(), b"12345678901234567890");
    // A 16-byte secret needs padding in strict RFC 4648; both forms parse.
    let sixteen = TotpSecret::from_bytes(&[7u8; 16]).unwrap().to_base32();
    assert!(!sixteen.contains('='));
    assert!(TotpSecret::from_base32(&sixteen).is_ok());
    assert!(TotpSecret::from_base32(&format!("{sixteen}======")).is_ok());
}

#[test]
fn bad_base32_and_bad_lengths_are_refused() {
    assert!(matches!(
        TotpSecret::from_base32("GEZDGNBVGY3TQOJ1"),
        Err(AuthError::TotpSecretEncoding)
    ));
    assert!(matches!(
        TotpSecret::from_base32("GEZDGNBVGY3TQOJQ"),
        Err(AuthError::TotpSecretLength { len: 10, .. })
    ));
    assert!(matches!(
        TotpSecret::from_bytes(&[1u8; 65]),
        Err(AuthError::TotpSecretLength { len: 65, .. })
    ));
    assert!(TotpSecret::from_bytes(&[1u8; 64]).is_ok());
}

#[test]
fn generated_secrets_are_twenty_bytes_and_differ() {
    let a = TotpSecret::generate();
    let b = TotpSecret::generate();
    assert_eq!(a.expose_bytes().len(), 20);
    assert_ne!(a.expose_bytes(), b.expose_bytes());
}

#[test]
fn debug_does_not_show_the_secret() {
    let shown = format!("{:?}", rfc_secret());
    assert_eq!(shown, "TotpSecret(***)");
}

#[test]
fn otpauth_url_is_percent_encoded() {
    let url = rfc_secret().otpauth_url("SMC Agent", "ana@example.com");
    assert_eq!(
        url,
        "otpauth://totp/SMC%20Agent:ana%40example.com\
         ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=SMC%20Agent\
         &algorithm=SHA1&digits=6&period=30"
    );
    let odd = rfc_secret().otpauth_url("a:b&c", "é?");
    assert!(
        odd.starts_with("otpauth://totp/a%3Ab%26c:%C3%A9%3F?"),
        "{odd}"
    );
}

proptest! {
    #[test]
    fn code_is_six_digits_and_verifies_at_its_own_time(
        key in proptest::collection::vec(any::<u8>(), 16..=64),
        t in 0i64..=40_000_000_000,
    ) {
        let secret = TotpSecret::from_bytes(&key).unwrap();
        let code = secret.code_at(t);
        prop_assert_eq!(code.len(), 6);
        prop_assert!(code.bytes().all(|b| b.is_ascii_digit()));
        prop_assert_eq!(secret.verify(&code, t), Some(t / 30));
    }

    #[test]
    fn base32_round_trips(key in proptest::collection::vec(any::<u8>(), 16..=64)) {
        let secret = TotpSecret::from_bytes(&key).unwrap();
        let back = TotpSecret::from_base32(&secret.to_base32().to_lowercase()).unwrap();
        prop_assert_eq!(back.expose_bytes(), &key[..]);
    }
}
