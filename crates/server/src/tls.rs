//! HTTPS: `api.tls` (a PEM certificate chain and its private key) read
//! into a rustls server config — TLS 1.3 only, HTTP/1.1 over ALPN, the
//! `ring` crypto provider — and a listener that completes the handshake
//! before handing the connection to `axum::serve`, so plain and TLS serving
//! share one server loop, one graceful shutdown, and the client address
//! (`ConnectInfo<SocketAddr>`) the access layer reads.
//!
//! TLS 1.2 is not offered: every client of this API (browsers, curl,
//! reqwest, Python's ssl) speaks 1.3, and 1.3 alone means no legacy cipher
//! suites or renegotiation to get wrong.

use crate::serve::ServeError;
use axum::serve::{Listener, ListenerExt, TapIo};
use rustls::ServerConfig;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use smc_config::api::TlsConfig;
use std::io::Read as _;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use zeroize::Zeroizing;

/// How long a client may take to finish its handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Handshakes in progress at once; further connections wait to be accepted.
const MAX_HANDSHAKES: usize = 512;

/// The rustls config for `tls`: its files read and checked, each failure an
/// error naming the file.
pub fn server_config(tls: &TlsConfig) -> Result<Arc<ServerConfig>, ServeError> {
    let certs = read_certs(&tls.cert)?;
    let key = read_key(&tls.key)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| ServeError::Setting(format!("api.tls: {e}")))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| match e {
            rustls::Error::InconsistentKeys(_) => ServeError::Tls {
                path: tls.key.clone(),
                reason: format!(
                    "this key does not belong to the certificate in {}",
                    tls.cert.display()
                ),
            },
            rustls::Error::InvalidCertificate(e) => ServeError::Tls {
                path: tls.cert.clone(),
                reason: format!("the certificate is not usable: {e}"),
            },
            other => ServeError::Tls {
                path: tls.key.clone(),
                reason: format!("the private key is not usable: {other}"),
            },
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn tls_error(path: &Path, reason: impl Into<String>) -> ServeError {
    ServeError::Tls {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

fn read_error(path: &Path, e: &std::io::Error) -> ServeError {
    if e.kind() == std::io::ErrorKind::NotFound {
        tls_error(path, "no such file")
    } else {
        tls_error(path, format!("cannot be read: {e}"))
    }
}

fn pem_error(path: &Path, e: &pem::Error) -> ServeError {
    tls_error(path, format!("is not valid PEM: {e}"))
}

/// The certificate chain, the server's own certificate first.
fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, ServeError> {
    let bytes = std::fs::read(path).map_err(|e| read_error(path, &e))?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error(path, &e))?;
    if certs.is_empty() {
        return Err(tls_error(
            path,
            "holds no certificate (expected PEM `-----BEGIN CERTIFICATE-----` blocks)",
        ));
    }
    Ok(certs)
}

/// The private key, from a file only its owner may read.
fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, ServeError> {
    let mut file = std::fs::File::open(path).map_err(|e| read_error(path, &e))?;
    // Checked on the open handle, so the file judged is the file read.
    let metadata = file.metadata().map_err(|e| read_error(path, &e))?;
    check_private(path, &metadata)?;
    let mut bytes = Zeroizing::new(Vec::new());
    file.read_to_end(&mut bytes)
        .map_err(|e| read_error(path, &e))?;
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| match e {
        pem::Error::NoItemsFound => tls_error(
            path,
            "holds no private key (expected a PEM `-----BEGIN PRIVATE KEY-----`, \
             `RSA PRIVATE KEY` or `EC PRIVATE KEY` block)",
        ),
        e => pem_error(path, &e),
    })
}

/// Refuses a key file that group or others can access, as ssh does for
/// private keys and `MasterKey::load` for the master key.
#[cfg(unix)]
fn check_private(path: &Path, metadata: &std::fs::Metadata) -> Result<(), ServeError> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = metadata.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(tls_error(
            path,
            format!(
                "the private key is accessible by group or others (mode {mode:04o}); \
                 `chmod 600` it"
            ),
        ));
    }
    Ok(())
}

/// Other platforms have no comparable mode bits; access control there is
/// left to the operator.
#[cfg(not(unix))]
fn check_private(_path: &Path, _metadata: &std::fs::Metadata) -> Result<(), ServeError> {
    Ok(())
}

/// What `axum::serve` is given for HTTPS. The no-op tap matters: axum
/// provides `ConnectInfo<L::Addr>` for any `TapIo<L, _>` listener (for a
/// plain listener only for `TcpListener`), so handlers and the access layer
/// keep reading the client's `SocketAddr` over TLS.
pub type HttpsListener = TapIo<TlsListener, fn(&mut TlsStream<TcpStream>)>;

/// Wraps `tcp` so that connections reach the server once their TLS
/// handshake has succeeded.
pub fn listener(tcp: TcpListener, config: Arc<ServerConfig>) -> std::io::Result<HttpsListener> {
    fn untouched(_: &mut TlsStream<TcpStream>) {}
    Ok(TlsListener::new(tcp, config)?.tap_io(untouched as fn(&mut TlsStream<TcpStream>)))
}

/// Accepts TCP connections and runs each handshake in its own task (with a
/// time limit), so one slow or silent client holds up no other; completed
/// connections are queued for `accept`.
pub struct TlsListener {
    local: SocketAddr,
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    accepting: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    fn new(tcp: TcpListener, config: Arc<ServerConfig>) -> std::io::Result<TlsListener> {
        let local = tcp.local_addr()?;
        let (tx, ready) = mpsc::channel(64);
        let accepting = tokio::spawn(accept_loop(tcp, TlsAcceptor::from(config), tx));
        Ok(TlsListener {
            local,
            ready,
            accepting,
        })
    }
}

impl Drop for TlsListener {
    /// Stops accepting once the server is done with the listener.
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(accepted) => accepted,
            // The accept loop only ends when this listener is dropped.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.local)
    }
}

async fn accept_loop(
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    ready: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    let handshakes = Arc::new(Semaphore::new(MAX_HANDSHAKES));
    loop {
        let Ok(permit) = handshakes.clone().acquire_owned().await else {
            return;
        };
        let (stream, peer) = match tcp.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                accept_failed(e).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let ready = ready.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => {
                    drop(permit);
                    // Fails only once the server has stopped accepting.
                    let _ = ready.send((tls, peer)).await;
                }
                Ok(Err(e)) => tracing::debug!(%peer, "TLS handshake failed: {e}"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        });
    }
}

/// As `axum::serve` does for its own listener: a connection reset before it
/// was accepted is skipped; anything else (out of file descriptors) is
/// logged and retried after a second.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    ) {
        return;
    }
    tracing::error!("accept error: {e}");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
