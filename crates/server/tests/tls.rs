//! HTTPS (`api.tls`): a self-signed certificate made at test time; REST,
//! login and the WebSocket over TLS 1.3 with a client trusting it; the
//! client address still reaches the access layer; plain HTTP and TLS 1.2
//! clients are refused; bad certificate and key files stop the start with
//! an error naming the file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ADMIN_PASSWORD, Server, error_code, start_in};
use futures_util::{SinkExt, StreamExt};
use rustls::pki_types::pem::PemObject as _;
use serde_json::Value;
use smc_server::{ServeError, ServeOptions, build_state};
use std::path::Path;
use std::sync::Arc;
use tokio_tungstenite::tungstenite::Message;

/// A self-signed certificate for 127.0.0.1 and localhost: (cert, key) PEM.
fn self_signed() -> (String, String) {
    let made =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    (made.cert.pem(), made.signing_key.serialize_pem())
}

/// Writes `text` to `path` with `mode`.
fn write(path: &Path, text: &str, mode: u32) {
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = mode;
}

fn tls_section(cert: &Path, key: &Path) -> String {
    format!(
        "  tls:\n    cert: {}\n    key: {}\n",
        cert.display(),
        key.display()
    )
}

/// A server on HTTPS with a fresh certificate, its `http` client trusting
/// it (TLS 1.3 only, as the server); the certificate PEM.
fn start_https(api: &str) -> (Server, String) {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    write(&cert_path, &cert, 0o644);
    write(&key_path, &key, 0o600);
    let api = format!("{}{api}", tls_section(&cert_path, &key_path));
    let mut s = start_in(dir, "", &api);
    assert!(s.base.starts_with("https://"), "{}", s.base);
    s.http = client(&cert).build().unwrap();
    (s, cert)
}

fn client(cert_pem: &str) -> reqwest::blocking::ClientBuilder {
    reqwest::blocking::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
}

#[test]
fn rest_and_login_are_served_over_https() {
    let (s, _) = start_https("");
    let r = s.http.get(s.url("/healthz")).send().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.version(), reqwest::Version::HTTP_11);
    let token = s.admin_token();
    let r = s.get("/api/v1/status", &token);
    assert_eq!(r.status(), 200);
    let status: Value = r.json().unwrap();
    assert!(status.is_object(), "{status}");
}

#[test]
fn the_client_address_reaches_the_access_layer_over_tls() {
    // Without the peer address the allowlist could not refuse anyone.
    let (s, _) = start_https("  ip_allowlist: [\"10.0.0.0/8\"]\n");
    let r = s.http.get(s.url("/healthz")).send().unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(error_code(r), "ip_not_allowed");
    let (s, _) = start_https("  ip_allowlist: [\"127.0.0.1\"]\n");
    let r = s.http.get(s.url("/healthz")).send().unwrap();
    assert_eq!(r.status(), 200);
}

#[test]
fn plain_http_and_tls_1_2_are_refused() {
    let (s, cert) = start_https("");
    let plain = s.base.replacen("https://", "http://", 1);
    let r = reqwest::blocking::Client::new()
        .get(format!("{plain}/healthz"))
        .timeout(std::time::Duration::from_secs(10))
        .send();
    assert!(r.is_err(), "plain HTTP on the TLS port answered: {r:?}");

    let old = client(&cert)
        .max_tls_version(reqwest::tls::Version::TLS_1_2)
        .build()
        .unwrap();
    let r = old.get(s.url("/healthz")).send();
    assert!(r.is_err(), "a TLS 1.2 client was served: {r:?}");

    // The refused connections leave the server serving.
    let r = s.http.get(s.url("/healthz")).send().unwrap();
    assert_eq!(r.status(), 200);
}

#[test]
fn the_websocket_works_over_wss() {
    let (s, cert) = start_https("");
    let token = s.admin_token();
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from_pem_slice(cert.as_bytes()).unwrap())
        .unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[&rustls::version::TLS13])
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let url = format!(
        "{}/api/v1/ws?token={token}",
        s.base.replacen("https://", "wss://", 1)
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (mut ws, _) = tokio_tungstenite::connect_async_tls_with_config(
            url,
            None,
            false,
            Some(tokio_tungstenite::Connector::Rustls(Arc::new(config))),
        )
        .await
        .unwrap();
        ws.send(Message::text(
            r#"{"op":"subscribe","topics":["system","orders"]}"#,
        ))
        .await
        .unwrap();
        let ack = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next())
            .await
            .expect("no subscribe ack")
            .unwrap()
            .unwrap();
        let ack: Value = serde_json::from_str(ack.to_text().unwrap()).unwrap();
        assert_eq!(ack["op"], "subscribe", "{ack}");
        let topics = ack["topics"].as_array().unwrap();
        assert!(topics.contains(&"system".into()) && topics.contains(&"orders".into()));
        ws.close(None).await.unwrap();
    });
}

/// `build_state` on a config whose `api.tls` names `cert` and `key`.
fn start_error(dir: &Path, cert: &Path, key: &Path) -> ServeError {
    let config = dir.join("config.yaml");
    std::fs::write(&config, format!("api:\n{}", tls_section(cert, key))).unwrap();
    let options = ServeOptions {
        config: Some(config),
        db: Some(format!("sqlite://{}", dir.join("server.db").display())),
        admin_password: Some(ADMIN_PASSWORD.into()),
        ..ServeOptions::default()
    };
    match build_state(&options) {
        Ok(_) => panic!("started with cert {cert:?} and key {key:?}"),
        Err(e) => e,
    }
}

fn assert_names(e: &ServeError, path: &Path, words: &str) {
    let text = e.to_string();
    assert!(text.starts_with("api.tls: "), "{text}");
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(text.contains(words), "{text}");
}

#[test]
fn bad_certificate_and_key_files_stop_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (cert, key) = self_signed();
    let (cert_path, key_path) = (d.join("cert.pem"), d.join("key.pem"));
    write(&cert_path, &cert, 0o644);
    write(&key_path, &key, 0o600);

    let missing = d.join("missing.pem");
    assert_names(
        &start_error(d, &missing, &key_path),
        &missing,
        "no such file",
    );
    assert_names(
        &start_error(d, &cert_path, &missing),
        &missing,
        "no such file",
    );

    let garbage = d.join("garbage.pem");
    write(&garbage, "not a certificate\n", 0o600);
    assert_names(
        &start_error(d, &garbage, &key_path),
        &garbage,
        "holds no certificate",
    );
    assert_names(
        &start_error(d, &cert_path, &garbage),
        &garbage,
        "holds no private key",
    );
    // The certificate given as the key.
    let cert_as_key = d.join("cert-as-key.pem");
    write(&cert_as_key, &cert, 0o600);
    assert_names(
        &start_error(d, &cert_path, &cert_as_key),
        &cert_as_key,
        "holds no private key",
    );

    let (_, other_key) = self_signed();
    let other = d.join("other-key.pem");
    write(&other, &other_key, 0o600);
    assert_names(
        &start_error(d, &cert_path, &other),
        &other,
        "does not belong to the certificate",
    );

    #[cfg(unix)]
    {
        let open = d.join("open-key.pem");
        write(&open, &key, 0o640);
        assert_names(
            &start_error(d, &cert_path, &open),
            &open,
            "accessible by group or others (mode 0640)",
        );
    }
}
