//! E-mail over SMTP (lettre): STARTTLS required unless `alerts.email.tls:
//! none` (loopback hosts only), trusting the system's roots plus the
//! certificates in `SSL_CERT_FILE` when it is set; the password is
//! `SMTP_PASSWORD`. Alerts go as plain text; reports as HTML with a text
//! alternative and the HTML report attached.

use super::SendError;
use crate::alert::Alert;
use crate::error::AlertError;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use smc_config::alerts::{EmailConfig, EmailTls, is_loopback_host};

pub struct Email {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Vec<Mailbox>,
}

impl std::fmt::Debug for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Email")
            .field("from", &self.from)
            .field("to", &self.to)
            .finish()
    }
}

/// A report to send: subject, text and HTML bodies, and the attached page.
#[derive(Debug, Clone)]
pub struct ReportMail {
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachment_name: String,
}

fn mailbox(what: &str, address: &str) -> Result<Mailbox, AlertError> {
    address
        .parse()
        .map_err(|e| AlertError::Config(format!("alerts.email.{what}: `{address}`: {e}")))
}

impl Email {
    pub fn new(
        config: &EmailConfig,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Email, AlertError> {
        let bad = |m: String| AlertError::Config(format!("alerts.email: {m}"));
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host).port(config.port);
        builder = match config.tls {
            EmailTls::None if is_loopback_host(&config.host) => builder.tls(Tls::None),
            EmailTls::None => {
                return Err(bad(format!(
                    "tls: none is for loopback hosts only, not {}",
                    config.host
                )));
            }
            EmailTls::Starttls => builder.tls(Tls::Required(tls_parameters(&config.host, env)?)),
        };
        if let Some(user) = &config.username {
            let password = env("SMTP_PASSWORD")
                .ok_or_else(|| bad(format!("username {user} is set but SMTP_PASSWORD is not")))?;
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        let to = config
            .to
            .iter()
            .map(|a| mailbox("to", a))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Email {
            transport: builder
                .timeout(Some(std::time::Duration::from_secs(20)))
                .build(),
            from: mailbox("from", &config.from)?,
            to,
        })
    }

    pub async fn send(&self, alert: &Alert) -> Result<(), SendError> {
        let subject = format!("[SMC] {}", alert.line());
        let message = self
            .envelope()
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(alert.plain())
            .map_err(|e| SendError::Fatal(format!("email: {e}")))?;
        self.deliver(message).await
    }

    /// Sends a report: HTML with a text alternative, the page attached.
    pub async fn send_report(&self, report: &ReportMail) -> Result<(), SendError> {
        let body = MultiPart::alternative()
            .singlepart(SinglePart::plain(report.text.clone()))
            .singlepart(SinglePart::html(report.html.clone()));
        let attached = Attachment::new(report.attachment_name.clone())
            .body(report.html.clone(), ContentType::TEXT_HTML);
        let message = self
            .envelope()
            .subject(report.subject.clone())
            .multipart(MultiPart::mixed().multipart(body).singlepart(attached))
            .map_err(|e| SendError::Fatal(format!("email: {e}")))?;
        self.deliver(message).await
    }

    fn envelope(&self) -> lettre::message::MessageBuilder {
        let mut b = Message::builder().from(self.from.clone());
        for to in &self.to {
            b = b.to(to.clone());
        }
        b
    }

    async fn deliver(&self, message: Message) -> Result<(), SendError> {
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            // A permanent SMTP refusal (5xx: no such mailbox, auth failed)
            // repeats; everything else (down, 4xx, TLS) may pass later.
            Err(e) if e.is_permanent() => Err(SendError::Fatal(format!("email: {e}"))),
            Err(e) => Err(SendError::Retry(format!("email: {e}"))),
        }
    }
}

/// STARTTLS for `host`: the system's roots and `SSL_CERT_FILE`'s.
fn tls_parameters(
    host: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<TlsParameters, AlertError> {
    let mut builder =
        TlsParameters::builder(host.to_string()).certificate_store(CertificateStore::Default);
    if let Some(file) = env("SSL_CERT_FILE") {
        let pem = std::fs::read(&file)
            .map_err(|e| AlertError::Config(format!("SSL_CERT_FILE {file}: {e}")))?;
        let cert = Certificate::from_pem(&pem)
            .map_err(|e| AlertError::Config(format!("SSL_CERT_FILE {file}: {e}")))?;
        builder = builder.add_root_certificate(cert);
    }
    builder
        .build_rustls()
        .map_err(|e| AlertError::Config(format!("alerts.email TLS: {e}")))
}
