//! The HTTP client every venue's REST client sits on.
//!
//! - Every request passes the [`RateLimiter`] first; a request the budget
//!   cannot take is refused locally (or waits, if the wait is short).
//! - HTTP 429 books a backoff per `Retry-After`; HTTP 418 books a ban, and
//!   nothing is sent before it ends.
//! - Reads and cancels are retried with jittered backoff on transport
//!   errors, timeouts, 5xx and 429; an order placement is sent exactly once,
//!   whatever happens. [`NetError::was_sent`] tells the caller whether the
//!   venue may have acted on a failed request.
//! - The venue reads its usage headers through a [`ResponseMeter`].

use super::backoff::Backoff;
use super::rate_limit::{Cost, RateLimiter, Refusal};
use reqwest::header::HeaderMap;
use smc_model::{Clock, WallClock};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// HTTP methods the venues use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// What a request does, which decides whether it may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// Reads and keep-alives: safe to repeat.
    Read,
    /// Cancels: repeating one is harmless.
    Cancel,
    /// Order placement: never repeated automatically.
    Place,
}

impl RequestKind {
    fn retriable(self) -> bool {
        !matches!(self, RequestKind::Place)
    }
}

/// One request, already encoded and signed by the venue layer.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: Method,
    /// Path appended to the base URL (`/api/v3/order`).
    pub path: String,
    /// Encoded query string without `?` (may be empty).
    pub query: String,
    /// The body, if any: `application/x-www-form-urlencoded` unless
    /// `headers` name another `Content-Type` (Bybit's JSON).
    pub form: Option<String>,
    pub headers: Vec<(&'static str, String)>,
    pub cost: Cost,
    pub kind: RequestKind,
}

/// A response with any status the client does not handle itself (2xx,
/// 4xx other than 418/429).
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

/// Reads a venue's usage headers into the limiter.
pub trait ResponseMeter: Send + Sync {
    fn observe(&self, headers: &HeaderMap, limiter: &mut RateLimiter, now_ms: i64);
}

/// A meter for venues without usage headers.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoMeter;

impl ResponseMeter for NoMeter {
    fn observe(&self, _: &HeaderMap, _: &mut RateLimiter, _: i64) {}
}

/// Failures of a request. Each names the method and path.
#[derive(Debug, Clone, thiserror::Error)]
pub enum NetError {
    #[error("{method} {path}: not sent, local rate limit: {refusal}")]
    Limited {
        method: &'static str,
        path: String,
        refusal: Refusal,
    },
    #[error("{method} {path}: not sent, cannot connect: {detail}")]
    Connect {
        method: &'static str,
        path: String,
        detail: String,
    },
    #[error("{method} {path}: sent, no answer within the timeout")]
    Timeout { method: &'static str, path: String },
    #[error("{method} {path}: sent, transport failed before the answer: {detail}")]
    Transport {
        method: &'static str,
        path: String,
        detail: String,
    },
    #[error("{method} {path}: HTTP {status} (execution status unknown): {body}")]
    Server {
        method: &'static str,
        path: String,
        status: u16,
        body: String,
    },
    #[error("{method} {path}: HTTP 429 rate limited by the venue until {until_ms}: {body}")]
    TooManyRequests {
        method: &'static str,
        path: String,
        until_ms: i64,
        body: String,
    },
    #[error("{method} {path}: HTTP 418 IP banned by the venue until {until_ms}: {body}")]
    Banned {
        method: &'static str,
        path: String,
        until_ms: i64,
        body: String,
    },
}

impl NetError {
    /// Whether the request may have reached the venue (and so, for an
    /// order, whether its outcome is unknown rather than "not placed").
    pub fn was_sent(&self) -> bool {
        !matches!(self, NetError::Limited { .. } | NetError::Connect { .. })
    }
}

/// Client settings.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Scheme, host and port: `https://api.binance.com`, or a loopback
    /// simulator.
    pub base_url: String,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// A request waits for the local budget at most this long before it is
    /// refused.
    pub max_wait: Duration,
    /// Extra attempts for reads and cancels.
    pub retries: u32,
    pub retry_base: Duration,
    pub retry_cap: Duration,
    /// Backoff after a 429 without `Retry-After`.
    pub default_retry_after: Duration,
    /// Ban assumed after a 418 without `Retry-After` (Binance bans start at
    /// 2 minutes).
    pub default_ban: Duration,
    pub seed: u64,
}

impl HttpConfig {
    pub fn new(base_url: impl Into<String>) -> Self {
        HttpConfig {
            base_url: base_url.into(),
            timeout: Duration::from_secs(10),
            max_wait: Duration::from_secs(5),
            retries: 2,
            retry_base: Duration::from_millis(200),
            retry_cap: Duration::from_secs(5),
            default_retry_after: Duration::from_secs(1),
            default_ban: Duration::from_secs(120),
            seed: 0x5eed,
        }
    }
}

/// The shared HTTP client of one venue connection. Cheap to clone.
#[derive(Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    config: Arc<HttpConfig>,
    limiter: Arc<Mutex<RateLimiter>>,
    meter: Arc<dyn ResponseMeter>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("base_url", &self.config.base_url)
            .finish_non_exhaustive()
    }
}

fn now_ms() -> i64 {
    (WallClock.now()).ms()
}

impl HttpClient {
    pub fn new(
        config: HttpConfig,
        limiter: RateLimiter,
        meter: Arc<dyn ResponseMeter>,
    ) -> Result<Self, reqwest::Error> {
        let inner = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .build()?;
        Ok(HttpClient {
            inner,
            config: Arc::new(config),
            limiter: Arc::new(Mutex::new(limiter)),
            meter,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    /// Runs `f` on the limiter (to set limits from exchangeInfo, inspect
    /// usage, or book a ban learned elsewhere).
    pub fn with_limiter<R>(&self, f: impl FnOnce(&mut RateLimiter) -> R) -> R {
        let mut guard = self.limiter.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut guard)
    }

    /// Waits for the local budget, up to `max_wait`; never waits out a ban.
    async fn admit(&self, req: &HttpRequest) -> Result<(), NetError> {
        loop {
            let now = now_ms();
            let refusal = match self.with_limiter(|l| l.try_acquire(now, req.cost)) {
                Ok(()) => return Ok(()),
                Err(r) => r,
            };
            let wait = refusal.until_ms().map(|u| u - now);
            let max_wait = i64::try_from(self.config.max_wait.as_millis()).unwrap_or(i64::MAX);
            match (refusal, wait) {
                (Refusal::Budget { .. } | Refusal::Backoff { .. }, Some(w)) if w <= max_wait => {
                    tokio::time::sleep(Duration::from_millis(w.max(1) as u64)).await;
                }
                _ => {
                    return Err(NetError::Limited {
                        method: req.method.as_str(),
                        path: req.path.clone(),
                        refusal,
                    });
                }
            }
        }
    }

    /// Sends `req`: through the limiter, with retries for reads and cancels
    /// only.
    pub async fn send(&self, req: &HttpRequest) -> Result<HttpResponse, NetError> {
        let attempts = if req.kind.retriable() {
            self.config.retries + 1
        } else {
            1
        };
        let mut backoff = Backoff::new(
            self.config.retry_base,
            self.config.retry_cap,
            self.config.seed,
        );
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = self.send_once(req).await;
            let retry = match &result {
                Err(NetError::Banned { .. } | NetError::Limited { .. }) => false,
                Err(_) => attempt < attempts,
                Ok(_) => false,
            };
            if !retry {
                return result;
            }
            if let Err(e) = &result {
                tracing::warn!(error = %e, attempt, "retrying {} {}", req.method.as_str(), req.path);
            }
            tokio::time::sleep(backoff.next_delay()).await;
        }
    }

    /// One attempt, no retry.
    async fn send_once(&self, req: &HttpRequest) -> Result<HttpResponse, NetError> {
        self.admit(req).await?;
        let method = req.method.as_str();
        let mut url = String::with_capacity(
            self.config.base_url.len() + req.path.len() + req.query.len() + 1,
        );
        url.push_str(&self.config.base_url);
        url.push_str(&req.path);
        if !req.query.is_empty() {
            url.push('?');
            url.push_str(&req.query);
        }
        let m = match req.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self.inner.request(m, &url);
        for (name, value) in &req.headers {
            builder = builder.header(*name, value);
        }
        if let Some(form) = &req.form {
            // A venue whose body is not a form (Bybit: JSON) names its
            // content type among the headers; one Content-Type is sent.
            let typed = req
                .headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("content-type"));
            if !typed {
                builder = builder.header("Content-Type", "application/x-www-form-urlencoded");
            }
            builder = builder.body(form.clone());
        }
        let response = builder
            .send()
            .await
            .map_err(|e| classify(method, &req.path, &e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .text()
            .await
            .map_err(|e| classify(method, &req.path, &e))?;
        // The query is left out: it carries the signature.
        tracing::debug!(method, path = %req.path, status, bytes = body.len(), "HTTP response");
        let now = now_ms();
        self.with_limiter(|l| self.meter.observe(&headers, l, now));
        let retry_after = retry_after_ms(&headers);
        match status {
            429 => {
                let until_ms =
                    now.saturating_add(retry_after.unwrap_or(ms(self.config.default_retry_after)));
                self.with_limiter(|l| l.back_off_until(until_ms));
                tracing::warn!(path = %req.path, until_ms, "HTTP 429: backing off");
                Err(NetError::TooManyRequests {
                    method,
                    path: req.path.clone(),
                    until_ms,
                    body,
                })
            }
            418 => {
                let until_ms =
                    now.saturating_add(retry_after.unwrap_or(ms(self.config.default_ban)));
                self.with_limiter(|l| l.ban_until(until_ms));
                tracing::error!(path = %req.path, until_ms, "HTTP 418: IP banned, trading stopped");
                Err(NetError::Banned {
                    method,
                    path: req.path.clone(),
                    until_ms,
                    body,
                })
            }
            500..=599 => Err(NetError::Server {
                method,
                path: req.path.clone(),
                status,
                body,
            }),
            _ => Ok(HttpResponse {
                status,
                headers,
                body,
            }),
        }
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The longest wait a `Retry-After` can impose: Binance's longest IP ban
/// is three days; a larger value is a broken header, not a reason to stop
/// for centuries (or to overflow the clock arithmetic).
const MAX_RETRY_AFTER_MS: i64 = 7 * 24 * 3_600_000;

/// `Retry-After` in seconds (the form venues use), as milliseconds, at
/// most a week.
fn retry_after_ms(headers: &HeaderMap) -> Option<i64> {
    let v = headers.get("retry-after")?.to_str().ok()?;
    let secs: i64 = v.trim().parse().ok()?;
    Some(secs.clamp(0, MAX_RETRY_AFTER_MS / 1000) * 1000)
}

fn classify(method: &'static str, path: &str, e: &reqwest::Error) -> NetError {
    let path = path.to_string();
    if e.is_connect() {
        NetError::Connect {
            method,
            path,
            detail: e.to_string(),
        }
    } else if e.is_timeout() {
        NetError::Timeout { method, path }
    } else {
        NetError::Transport {
            method,
            path,
            detail: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn after(v: &str) -> Option<i64> {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_str(v).unwrap());
        retry_after_ms(&h)
    }

    #[test]
    fn retry_after_is_read_in_seconds_and_capped_at_a_week() {
        assert_eq!(after("3"), Some(3_000));
        assert_eq!(after(" 120 "), Some(120_000));
        assert_eq!(after("-5"), Some(0));
        assert_eq!(after("9223372036854775807"), Some(MAX_RETRY_AFTER_MS));
        assert_eq!(after("soon"), None);
        assert_eq!(retry_after_ms(&HeaderMap::new()), None);
    }
}
