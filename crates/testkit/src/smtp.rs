//! A real SMTP server on a free loopback port for the e-mail channel's
//! tests: it speaks the protocol a client meets (EHLO, STARTTLS with a
//! self-signed certificate, AUTH PLAIN/LOGIN, MAIL, RCPT, DATA, QUIT) and
//! keeps every message it accepts, with whether it came over TLS and who
//! logged in. Refuses AUTH before TLS, as a real submission server does.

use std::sync::{Arc, Mutex, PoisonError};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// One message the server accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// Headers and body as received (dot-stuffing undone).
    pub data: String,
    pub tls: bool,
    /// The user of AUTH, if the client logged in.
    pub user: Option<String>,
}

/// A running server; stops when dropped.
pub struct SmtpServer {
    pub port: u16,
    /// The certificate (PEM) clients must trust for STARTTLS.
    pub cert_pem: String,
    mails: Arc<Mutex<Vec<Mail>>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl SmtpServer {
    /// Starts a server offering STARTTLS (with a certificate for
    /// 127.0.0.1 and localhost).
    pub fn start() -> SmtpServer {
        let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
            .unwrap_or_else(|e| panic!("test certificate: {e}"));
        let cert_pem = made.cert.pem();
        let key = rustls_pki_types::PrivateKeyDer::Pkcs8(made.signing_key.serialize_der().into());
        let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(Arc::new(
            tokio_rustls::rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .and_then(|b| {
            b.with_no_client_auth()
                .with_single_cert(vec![made.cert.der().clone()], key)
        })
        .unwrap_or_else(|e| panic!("test TLS config: {e}"));
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("runtime: {e}"));
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let kept = mails.clone();
        runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (acceptor, kept) = (acceptor.clone(), kept.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, acceptor, kept).await;
                });
            }
        });
        SmtpServer {
            port,
            cert_pem,
            mails,
            runtime: Some(runtime),
        }
    }

    /// The messages accepted so far.
    pub fn mails(&self) -> Vec<Mail> {
        self.mails
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits up to `seconds` for at least `n` messages.
    pub fn wait_for(&self, n: usize, seconds: u64) -> Vec<Mail> {
        let end = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
        loop {
            let mails = self.mails();
            if mails.len() >= n || std::time::Instant::now() >= end {
                return mails;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// What one phase of a conversation ended with.
enum End<S> {
    Closed,
    /// The client asked for STARTTLS: the stream to upgrade.
    StartTls(S),
}

async fn serve(
    stream: TcpStream,
    acceptor: TlsAcceptor,
    mails: Arc<Mutex<Vec<Mail>>>,
) -> std::io::Result<()> {
    let mut stream = stream;
    stream.write_all(b"220 smc-test ESMTP\r\n").await?;
    if let End::StartTls(plain) = converse(stream, false, &mails).await? {
        let tls = acceptor.accept(plain).await?;
        converse(tls, true, &mails).await?;
    }
    Ok(())
}

/// One SMTP conversation on `stream` (before or after STARTTLS).
async fn converse<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    tls: bool,
    mails: &Mutex<Vec<Mail>>,
) -> std::io::Result<End<S>> {
    let mut io = BufReader::new(stream);
    let mut mail = Mail {
        from: String::new(),
        to: Vec::new(),
        data: String::new(),
        tls,
        user: None,
    };
    let mut user = None;
    loop {
        let mut line = String::new();
        if io.read_line(&mut line).await? == 0 {
            return Ok(End::Closed);
        }
        let command = line.trim_end().to_string();
        let verb = command
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let reply: String = match verb.as_str() {
            "EHLO" if tls => "250-smc-test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n".into(),
            "EHLO" => "250-smc-test\r\n250-STARTTLS\r\n250 8BITMIME\r\n".into(),
            "HELO" | "NOOP" | "RSET" => "250 ok\r\n".into(),
            "STARTTLS" if !tls => {
                io.get_mut().write_all(b"220 ready\r\n").await?;
                return Ok(End::StartTls(io.into_inner()));
            }
            "AUTH" if !tls => "530 must issue STARTTLS first\r\n".into(),
            "AUTH" => {
                user = Some(auth(&mut io, &command).await?);
                "235 authenticated\r\n".into()
            }
            "MAIL" => {
                mail.from = address(&command);
                "250 ok\r\n".into()
            }
            "RCPT" => {
                mail.to.push(address(&command));
                "250 ok\r\n".into()
            }
            "DATA" => {
                io.get_mut().write_all(b"354 end with .\r\n").await?;
                mail.data = data(&mut io).await?;
                mail.user = user.clone();
                mails
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(mail.clone());
                mail.to.clear();
                "250 queued\r\n".into()
            }
            "QUIT" => {
                io.get_mut().write_all(b"221 bye\r\n").await?;
                return Ok(End::Closed);
            }
            _ => "502 not implemented\r\n".into(),
        };
        io.get_mut().write_all(reply.as_bytes()).await?;
    }
}

/// The user named by `AUTH PLAIN <b64>` or `AUTH LOGIN` (asked for).
async fn auth<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut BufReader<S>,
    command: &str,
) -> std::io::Result<String> {
    let parts: Vec<&str> = command.split(' ').collect();
    let decode = |s: &str| String::from_utf8_lossy(&base64_decode(s.trim())).to_string();
    match parts.get(1).map(|m| m.to_ascii_uppercase()).as_deref() {
        Some("PLAIN") => {
            let payload = match parts.get(2) {
                Some(p) => p.to_string(),
                None => {
                    io.get_mut().write_all(b"334 \r\n").await?;
                    read_line(io).await?
                }
            };
            // authzid \0 authcid \0 password
            Ok(decode(&payload)
                .split('\0')
                .nth(1)
                .unwrap_or_default()
                .to_string())
        }
        _ => {
            io.get_mut().write_all(b"334 VXNlcm5hbWU6\r\n").await?;
            let user = decode(&read_line(io).await?);
            io.get_mut().write_all(b"334 UGFzc3dvcmQ6\r\n").await?;
            read_line(io).await?;
            Ok(user)
        }
    }
}

async fn read_line<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut BufReader<S>,
) -> std::io::Result<String> {
    let mut line = String::new();
    io.read_line(&mut line).await?;
    Ok(line.trim_end().to_string())
}

/// The message up to the lone `.` line, dot-stuffing undone.
async fn data<S: AsyncRead + AsyncWrite + Unpin>(io: &mut BufReader<S>) -> std::io::Result<String> {
    let mut out = String::new();
    loop {
        let mut line = String::new();
        if io.read_line(&mut line).await? == 0 || line == ".\r\n" || line == ".\n" {
            return Ok(out);
        }
        out.push_str(line.strip_prefix('.').unwrap_or(&line));
    }
}

/// `MAIL FROM:<a@b>` → `a@b`.
fn address(command: &str) -> String {
    let start = command.find('<').map_or(0, |i| i + 1);
    let end = command.rfind('>').unwrap_or(command.len());
    command.get(start..end).unwrap_or_default().to_string()
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .unwrap_or_default()
}
