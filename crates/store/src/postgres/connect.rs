//! Connecting to PostgreSQL from a URL, as libpq reads it where the Rust
//! client does not: `sslmode=verify-ca|verify-full` and `sslrootcert=FILE`
//! (the client knows only disable/prefer/require and no root file), and a
//! `search_path` in `options` whose schema is created if missing (the
//! server's hosted sessions each journal into their own schema).
//!
//! TLS, by `sslmode`:
//! - `require`: encrypted; with `sslrootcert` the chain is checked against
//!   that root as libpq does (verify-ca), else against the webpki roots.
//! - `verify-ca`: the chain must lead to `sslrootcert` (required here:
//!   libpq's `~/.postgresql/root.crt` default is not read); the host name
//!   is not checked.
//! - `verify-full`: the chain must lead to `sslrootcert` (or a webpki root
//!   without it) and the certificate must name the host of the URL.
//! - anything else: no TLS.

use super::redacted;
use crate::error::StoreError;
use postgres::{Client, Config, NoTls};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::sync::Arc;

/// How the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    None,
    /// The chain only (verify-ca).
    Chain,
    /// The chain and the host name (verify-full).
    Full,
}

/// A URL split into what the client parses and what we handle.
#[derive(Debug)]
struct Parsed {
    /// The URL without `sslrootcert`, its `sslmode` one the client knows.
    url: String,
    check: Check,
    root: Option<String>,
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse(url: &str) -> Result<Parsed, String> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    let mut mode = None;
    let mut root = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => mode = Some(decode(value)),
            "sslrootcert" => root = Some(decode(value)),
            _ => kept.push(pair.to_string()),
        }
    }
    let check = match (mode.as_deref(), &root) {
        (Some("verify-full"), _) => Check::Full,
        (Some("verify-ca"), None) => {
            return Err("sslmode=verify-ca needs sslrootcert=FILE (the CA to trust)".into());
        }
        (Some("verify-ca") | Some("require"), Some(_)) => Check::Chain,
        (Some("require"), None) => Check::Full,
        (Some("disable" | "allow" | "prefer") | None, _) => Check::None,
        (Some(other), _) => return Err(format!("unknown sslmode `{other}`")),
    };
    match (check, mode.as_deref()) {
        (Check::None, Some(m)) if m != "allow" => kept.push(format!("sslmode={m}")),
        (Check::None, _) => {}
        _ => kept.push("sslmode=require".into()),
    }
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok(Parsed { url, check, root })
}

/// Accepts a certificate whose chain is good whatever name it carries.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

fn roots(file: Option<&str>) -> Result<RootCertStore, String> {
    let Some(file) = file else {
        return Ok(RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        });
    };
    let mut store = RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(file)
        .map_err(|e| format!("sslrootcert {file}: {e}"))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("sslrootcert {file}: {e}"))?;
    let (added, _) = store.add_parsable_certificates(certs);
    if added == 0 {
        return Err(format!("sslrootcert {file}: no certificate in it"));
    }
    Ok(store)
}

fn tls(check: Check, root: Option<&str>) -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier =
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots(root)?), provider.clone())
            .build()
            .map_err(|e| format!("the TLS verifier: {e}"))?;
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS versions: {e}"))?
        .dangerous();
    let config = match check {
        Check::Chain => builder.with_custom_certificate_verifier(Arc::new(ChainOnly(verifier))),
        _ => builder.with_custom_certificate_verifier(verifier),
    };
    Ok(config.with_no_client_auth())
}

/// The schema a `search_path` in the URL's `options` puts first, if any.
fn schema(config: &Config) -> Option<String> {
    let options = config.get_options()?;
    let at = options.find("search_path=")?;
    let rest = &options[at + "search_path=".len()..];
    let first = rest
        .split([',', ' '])
        .next()
        .unwrap_or_default()
        .trim_matches('"');
    (!first.is_empty() && first != "$user" && first != "public").then(|| first.to_string())
}

/// Connects to `url`; the client and the URL without its password.
pub(crate) fn connect(url: &str) -> Result<(Client, String), StoreError> {
    let shown = redacted(url);
    let bad = |message: String| StoreError::Url {
        url: shown.clone(),
        message,
    };
    if !super::is_postgres_url(url) {
        return Err(bad("not a postgres:// URL".into()));
    }
    let parsed = parse(url).map_err(&bad)?;
    let config: Config = parsed.url.parse().map_err(|e| bad(format!("{e}")))?;
    let tls = match parsed.check {
        Check::None => None,
        check => Some(tls(check, parsed.root.as_deref()).map_err(&bad)?),
    };
    let connected = super::off_runtime(|| match tls {
        None => config.connect(NoTls),
        Some(tls) => config.connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls)),
    });
    let mut client = connected.map_err(|e| StoreError::Connect {
        url: shown.clone(),
        message: chain(&e),
    })?;
    if let Some(schema) = schema(&config) {
        let quoted = format!("\"{}\"", schema.replace('"', "\"\""));
        super::off_runtime(|| {
            client.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {quoted}"))
        })
        .map_err(|e| bad(format!("creating schema {quoted}: {e}")))?;
    }
    Ok((client, shown))
}

/// An error with its causes, so that a refused certificate says why.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_modes_become_require_and_the_root_file_is_taken_out() {
        let p =
            parse("postgres://u@h/db?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.pem&x=1").unwrap();
        assert_eq!(p.check, Check::Full);
        assert_eq!(p.root.as_deref(), Some("/tmp/ca.pem"));
        assert_eq!(p.url, "postgres://u@h/db?x=1&sslmode=require");
        let p = parse("postgres://u@h/db?sslmode=require&sslrootcert=ca.pem").unwrap();
        assert_eq!(p.check, Check::Chain);
        let p = parse("postgres://u@h/db").unwrap();
        assert_eq!(
            (p.check, p.url.as_str()),
            (Check::None, "postgres://u@h/db")
        );
    }

    #[test]
    fn verify_ca_without_a_root_and_unknown_modes_are_refused() {
        assert!(
            parse("postgres://h/db?sslmode=verify-ca")
                .unwrap_err()
                .contains("sslrootcert")
        );
        assert!(
            parse("postgres://h/db?sslmode=bogus")
                .unwrap_err()
                .contains("bogus")
        );
    }

    #[test]
    fn a_search_path_names_the_schema_to_create() {
        let c: Config = "postgres://h/db?options=-c%20search_path%3Dsmc_s1"
            .parse()
            .unwrap();
        assert_eq!(schema(&c).as_deref(), Some("smc_s1"));
        let c: Config = "postgres://h/db".parse().unwrap();
        assert_eq!(schema(&c), None);
    }
}
