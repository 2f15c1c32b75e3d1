//! HMAC-SHA256 signing against the vectors Binance publishes
//! (shared/research/exchange_vectors.md §1–2).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use smc_venues::binance::{BinanceMarket, BinanceRest, Credentials};
use smc_venues::net::{HmacSha256Signer, RequestSigner, Secret};

const SPOT_KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const SPOT_SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
const USDM_SECRET: &str = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9";

fn spot() -> HmacSha256Signer {
    HmacSha256Signer::new(&Secret::new(SPOT_SECRET))
}

#[test]
fn spot_s1_query_or_body() {
    let payload = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
    assert_eq!(
        spot().sign(payload.as_bytes()),
        "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    );
}

#[test]
fn spot_s2_percent_encoded_symbol() {
    let payload = "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
    assert_eq!(
        spot().sign(payload.as_bytes()),
        "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3"
    );
    // The encoder produces exactly those wire bytes from the raw symbol.
    let mut encoded = String::new();
    smc_venues::binance::order_wire::push_encoded(&mut encoded, "１２３４５６");
    assert_eq!(
        encoded,
        "%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96"
    );
}

#[test]
fn spot_s3_query_and_body_without_separator() {
    let payload = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTCquantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
    assert_eq!(
        spot().sign(payload.as_bytes()),
        "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77"
    );
}

#[test]
fn usdm_f1_and_f3() {
    let s = HmacSha256Signer::new(&Secret::new(USDM_SECRET));
    let f1 = "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943";
    assert_eq!(
        s.sign(f1.as_bytes()),
        "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9"
    );
    // F3 as printed in the docs (with their stray space), and as intended.
    let f3_printed = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTCquantity=1&price=9000&recvWindow=5000&timestamp= 1591702613943";
    assert_eq!(
        s.sign(f3_printed.as_bytes()),
        "f9d0ae5e813ef6ccf15c2b5a434047a0181cb5a342b903b367ca6d27a66e36f2"
    );
    let f3 = f3_printed.replace("= ", "=");
    assert_eq!(
        s.sign(f3.as_bytes()),
        "30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4"
    );
}

#[test]
fn the_rest_client_appends_window_timestamp_and_signature_last() {
    let rest = BinanceRest::new(
        BinanceMarket::Spot,
        "http://127.0.0.1:9",
        Some(Credentials {
            api_key: SPOT_KEY.into(),
            secret: Secret::new(SPOT_SECRET),
        }),
    )
    .unwrap();
    let mut params =
        String::from("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1");
    rest.sign_params(&mut params, 1_499_827_319_559).unwrap();
    assert_eq!(
        params,
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    );
    let shown = format!("{rest:?}");
    assert!(
        !shown.contains(SPOT_SECRET) && !shown.contains("NhqP"),
        "{shown}"
    );
    let creds = Credentials {
        api_key: SPOT_KEY.into(),
        secret: Secret::new(SPOT_SECRET),
    };
    assert!(!format!("{creds:?}").contains(SPOT_SECRET));
}

#[test]
fn unsigned_clients_refuse_to_sign() {
    let rest = BinanceRest::new(BinanceMarket::UsdM, "http://127.0.0.1:9", None).unwrap();
    let mut p = String::new();
    assert!(rest.sign_params(&mut p, 1).is_err());
}
