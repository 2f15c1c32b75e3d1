//! A loopback HTTP server standing in for Slack, Telegram, Twilio or a
//! webhook receiver: it records every request (method, path, headers,
//! body) and answers with the status the test sets — 200 by default, 503
//! to play a channel that is down.

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// One recorded request.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The status it was answered with.
    pub status: u16,
}

impl Request {
    /// A header's value (names compared without case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }
}

/// A running receiver; stops when dropped.
pub struct HttpReceiver {
    pub port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
    status: Arc<AtomicU16>,
    body: Arc<Mutex<String>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl HttpReceiver {
    /// A receiver on a free port.
    pub fn start() -> HttpReceiver {
        HttpReceiver::start_on(0)
    }

    /// A receiver on `port` (0: any free one).
    pub fn start_on(port: u16) -> HttpReceiver {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(200));
        let body = Arc::new(Mutex::new("{\"ok\":true}".to_string()));
        let (r, s, b) = (requests.clone(), status.clone(), body.clone());
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, bytes: Bytes| {
                let (r, s, b) = (r.clone(), s.clone(), b.clone());
                async move {
                    let code = s.load(Ordering::SeqCst);
                    r.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(Request {
                            method: method.to_string(),
                            path: uri.path().to_string(),
                            headers: headers
                                .iter()
                                .map(|(k, v)| {
                                    (k.to_string(), v.to_str().unwrap_or_default().to_string())
                                })
                                .collect(),
                            body: bytes.to_vec(),
                            status: code,
                        });
                    let text = b.lock().unwrap_or_else(PoisonError::into_inner).clone();
                    (StatusCode::from_u16(code).unwrap_or(StatusCode::OK), text)
                }
            },
        );
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        HttpReceiver {
            port,
            requests,
            status,
            body,
            runtime: Some(runtime),
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Answers every request with `status` from now on.
    pub fn set_status(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    /// Answers with `body` from now on.
    pub fn set_body(&self, body: &str) {
        *self.body.lock().unwrap_or_else(PoisonError::into_inner) = body.to_string();
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The requests answered 2xx.
    pub fn delivered(&self) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| (200..300).contains(&r.status))
            .collect()
    }

    /// Waits up to `seconds` for `n` delivered requests.
    pub fn wait_for(&self, n: usize, seconds: u64) -> Vec<Request> {
        let end = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
        loop {
            let got = self.delivered();
            if got.len() >= n || std::time::Instant::now() >= end {
                return got;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for HttpReceiver {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}
