//! Bybit v5 HMAC-SHA256 signing against the replacement vectors of
//! shared/research/exchange_vectors.md §3: the plaintexts of Bybit's
//! "Integration Guidance" examples signed with the declared test secret
//! (Python hmac, pybit's `generate_signature` and ccxt agree on them).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use smc_model::{ClientOrderId, InstrumentId, OrderKind, OrderRequest, Side, TimeInForce};
use smc_venues::bybit::sign::{
    auth_headers, rest_payload, rest_signature, ws_auth_frame, ws_auth_signature,
};
use smc_venues::bybit::{BybitCategory, BybitRest, Credentials};
use smc_venues::net::{HmacSha256Signer, Method, RequestKind, RequestSigner, Secret};

const SECRET: &str = "TESTBYBITSECRET0000000000000000000001";
const KEY: &str = "XXXXXXXXXX";

fn signer() -> HmacSha256Signer {
    HmacSha256Signer::new(&Secret::new(SECRET))
}

#[test]
fn get_vector() {
    let query = "category=option&symbol=BTC-29JUL22-25000-C";
    assert_eq!(
        rest_payload(1_658_384_314_791, KEY, 5000, query),
        "1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C"
    );
    assert_eq!(
        rest_signature(&signer(), 1_658_384_314_791, KEY, 5000, query),
        "9b88cc5d8ec108dcced35a5f1f70754d3a34911a33476953327bd33893e14b3e"
    );
}

#[test]
fn post_vector_signs_the_body_bytes_as_sent() {
    // The docs' body, with pybit's `": "` separator: the bytes matter.
    let body = r#"{"category": "option"}"#;
    assert_eq!(
        rest_signature(&signer(), 1_658_385_579_423, KEY, 5000, body),
        "94fff302fb977e1da1b9563e6910a727e692a3d4df18621d732bdca66908bd15"
    );
    // The compact form is other bytes, so another signature.
    assert_ne!(
        rest_signature(
            &signer(),
            1_658_385_579_423,
            KEY,
            5000,
            r#"{"category":"option"}"#
        ),
        "94fff302fb977e1da1b9563e6910a727e692a3d4df18621d732bdca66908bd15"
    );
}

#[test]
fn ws_auth_vector() {
    assert_eq!(
        ws_auth_signature(&signer(), 1_662_350_400_000),
        "70c0f00f4de29bbd2f0a8dac28844e7aa456d718c96ca508205d7ef09e4153d9"
    );
    let frame: serde_json::Value =
        serde_json::from_str(&ws_auth_frame(&signer(), KEY, 1_662_350_400_000)).unwrap();
    assert_eq!(frame["op"], "auth");
    assert_eq!(frame["args"][0], KEY);
    assert_eq!(frame["args"][1], 1_662_350_400_000_i64);
    assert_eq!(
        frame["args"][2],
        "70c0f00f4de29bbd2f0a8dac28844e7aa456d718c96ca508205d7ef09e4153d9"
    );
}

#[test]
fn headers_carry_the_signature_and_its_inputs() {
    let h = auth_headers(
        &signer(),
        1_658_384_314_791,
        KEY,
        5000,
        "category=option&symbol=BTC-29JUL22-25000-C",
    );
    let get = |n: &str| h.iter().find(|(k, _)| *k == n).map(|(_, v)| v.as_str());
    assert_eq!(get("X-BAPI-API-KEY"), Some(KEY));
    assert_eq!(get("X-BAPI-TIMESTAMP"), Some("1658384314791"));
    assert_eq!(get("X-BAPI-RECV-WINDOW"), Some("5000"));
    assert_eq!(get("X-BAPI-SIGN-TYPE"), Some("2"));
    assert_eq!(
        get("X-BAPI-SIGN"),
        Some("9b88cc5d8ec108dcced35a5f1f70754d3a34911a33476953327bd33893e14b3e")
    );
}

#[test]
fn a_signed_post_sends_exactly_the_bytes_it_signed_as_json() {
    let rest = BybitRest::new(
        BybitCategory::Linear,
        "http://127.0.0.1:1",
        Some(Credentials {
            api_key: KEY.into(),
            secret: Secret::new(SECRET),
        }),
    )
    .unwrap();
    let body = smc_venues::bybit::order_wire::encode_order(
        BybitCategory::Linear,
        &OrderRequest {
            client_id: ClientOrderId::new("smc-1"),
            instrument: InstrumentId::new("bybit-linear", "BTCUSDT").unwrap(),
            side: Side::Buy,
            qty: rust_decimal::dec!(0.001),
            kind: OrderKind::Market,
            time_in_force: TimeInForce::Gtc,
            reduce_only: false,
        },
    )
    .unwrap();
    let req = rest
        .signed_request(
            Method::Post,
            "/v5/order/create",
            &body,
            RequestKind::Place,
            Default::default(),
        )
        .unwrap();
    assert_eq!(req.form.as_deref(), Some(body.as_str()));
    assert!(req.query.is_empty());
    let header = |n: &str| {
        req.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(header("content-type"), "application/json");
    let ts: i64 = header("X-BAPI-TIMESTAMP").parse().unwrap();
    let expected = signer().sign(format!("{ts}{KEY}5000{body}").as_bytes());
    assert_eq!(header("X-BAPI-SIGN"), expected);
    // A GET signs its query and sends no body.
    let get = rest
        .signed_request(
            Method::Get,
            "/v5/order/realtime",
            "category=linear&symbol=BTCUSDT",
            RequestKind::Read,
            Default::default(),
        )
        .unwrap();
    assert_eq!(get.query, "category=linear&symbol=BTCUSDT");
    assert!(get.form.is_none());
}
