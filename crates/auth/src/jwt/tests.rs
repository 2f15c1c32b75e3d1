//! Tests for HS256 tokens: round trip, expiry at the exact second, and the
//! forgeries a verifier must refuse.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;

use super::*;

const NOW: i64 = 1_700_000_000;

fn keys() -> JwtKeys {
    JwtKeys::new(&[7u8; 32]).unwrap()
}

fn claims() -> Claims {
    Claims {
        sub: "user-1".into(),
        role: "admin".into(),
        exp: NOW + 900,
        iat: NOW,
        jti: "0123456789abcdef".into(),
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A token with any header and payload, correctly signed with `keys`, to
/// show that refusals come from the checks and not from a bad signature.
fn signed_with(keys: &JwtKeys, header: &str, payload: &str) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    format!("{input}.{}", b64(&keys.sign(&input)))
}

#[test]
fn issue_then_verify_returns_the_claims() {
    let token = keys().issue(&claims()).unwrap();
    assert_eq!(token.split('.').count(), 3);
    assert!(token.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."));
    assert_eq!(keys().verify(&token, NOW), Ok(claims()));
}

#[test]
fn expiry_is_exact_to_the_second() {
    let token = keys().issue(&claims()).unwrap();
    assert!(keys().verify(&token, NOW + 899).is_ok());
    assert_eq!(keys().verify(&token, NOW + 900), Err(JwtError::Expired));
    assert_eq!(keys().verify(&token, NOW + 100_000), Err(JwtError::Expired));
}

#[test]
fn a_tampered_payload_is_invalid() {
    let token = keys().issue(&claims()).unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    let mut forged_claims = claims();
    forged_claims.role = "superuser".into();
    let forged_payload = b64(&serde_json::to_vec(&forged_claims).unwrap());
    let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
    assert_eq!(keys().verify(&forged, NOW), Err(JwtError::Invalid));
}

#[test]
fn any_changed_character_is_invalid() {
    let token = keys().issue(&claims()).unwrap();
    for i in 0..token.len() {
        let mut bytes = token.clone().into_bytes();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let edited = String::from_utf8(bytes).unwrap();
        assert_eq!(
            keys().verify(&edited, NOW),
            Err(JwtError::Invalid),
            "byte {i}"
        );
    }
}

#[test]
fn a_token_from_another_key_is_invalid() {
    let other = JwtKeys::new(&[8u8; 32]).unwrap();
    let token = other.issue(&claims()).unwrap();
    assert_eq!(keys().verify(&token, NOW), Err(JwtError::Invalid));
}

#[test]
fn alg_none_is_refused_signed_or_not() {
    let payload = serde_json::to_string(&claims()).unwrap();
    let header = r#"{"alg":"none","typ":"JWT"}"#;
    let unsigned = format!("{}.{}.", b64(header.as_bytes()), b64(payload.as_bytes()));
    assert_eq!(keys().verify(&unsigned, NOW), Err(JwtError::Invalid));
    let signed = signed_with(&keys(), header, &payload);
    assert_eq!(keys().verify(&signed, NOW), Err(JwtError::Invalid));
}

#[test]
fn other_algorithms_and_crit_are_refused_even_with_a_good_mac() {
    let payload = serde_json::to_string(&claims()).unwrap();
    for header in [
        r#"{"alg":"HS512","typ":"JWT"}"#,
        r#"{"alg":"RS256","typ":"JWT"}"#,
        r#"{"alg":"hs256","typ":"JWT"}"#,
        r#"{"typ":"JWT"}"#,
        r#"{"alg":"HS256","crit":["exp"],"exp":1}"#,
    ] {
        let token = signed_with(&keys(), header, &payload);
        assert_eq!(
            keys().verify(&token, NOW),
            Err(JwtError::Invalid),
            "{header}"
        );
    }
    // The control: the same construction with the right header verifies.
    let good = signed_with(&keys(), r#"{"alg":"HS256"}"#, &payload);
    assert_eq!(keys().verify(&good, NOW), Ok(claims()));
}

#[test]
fn missing_claims_and_malformed_shapes_are_invalid() {
    let header = r#"{"alg":"HS256","typ":"JWT"}"#;
    let no_role = r#"{"sub":"u","exp":9999999999,"iat":0,"jti":"j"}"#;
    let token = signed_with(&keys(), header, no_role);
    assert_eq!(keys().verify(&token, NOW), Err(JwtError::Invalid));
    let good = keys().issue(&claims()).unwrap();
    for bad in [
        String::new(),
        "a.b".into(),
        format!("{good}.extra"),
        format!("{good}="),
        good.replacen('.', "..", 1),
        "x".repeat(MAX_TOKEN_LEN + 1),
    ] {
        assert_eq!(
            keys().verify(&bad, NOW),
            Err(JwtError::Invalid),
            "{bad:.40}"
        );
    }
}

#[test]
fn rfc7515_appendix_a1_signature_verifies() {
    // RFC 7515 Appendix A.1: the HS256 example key and compact token.
    let key = URL_SAFE_NO_PAD
        .decode(
            "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
        )
        .unwrap();
    let token = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9\
        .eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ\
        .dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let keys = JwtKeys::new(&key).unwrap();
    let payload = keys.authenticated_payload(token).unwrap();
    assert!(payload.starts_with(br#"{"iss":"joe""#));
    // Its claims are not ours (no sub/role/jti), so full verification fails
    // as invalid rather than being mistaken for an access token.
    assert_eq!(keys.verify(token, 0), Err(JwtError::Invalid));
}

#[test]
fn short_secrets_are_refused_and_generated_ones_accepted() {
    assert!(matches!(
        JwtKeys::new(&[1u8; 31]),
        Err(AuthError::JwtSecretTooShort { len: 31, min: 32 })
    ));
    let secret = JwtKeys::generate_secret();
    assert_eq!(secret.len(), 32);
    assert_ne!(secret, JwtKeys::generate_secret());
    assert!(JwtKeys::new(&secret).is_ok());
    assert_eq!(format!("{:?}", keys()), "JwtKeys(***)");
}

proptest! {
    #[test]
    fn any_claims_round_trip(
        sub in ".{0,40}",
        role in "[a-z]{1,12}",
        jti in "[0-9a-f]{16}",
        iat in 0i64..4_000_000_000,
        lifetime in 1i64..1_000_000,
        age in 0i64..1_000_000,
    ) {
        let claims = Claims { sub, role, exp: iat + lifetime, iat, jti };
        let token = keys().issue(&claims).unwrap();
        let now = iat + age;
        let result = keys().verify(&token, now);
        if age < lifetime {
            prop_assert_eq!(result, Ok(claims));
        } else {
            prop_assert_eq!(result, Err(JwtError::Expired));
        }
    }
}
