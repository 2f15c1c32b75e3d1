//! The REST client of one Bybit market: the `retCode` envelope, signing,
//! the clock, instrument rules and klines. Orders and the account are in
//! [`super::trade`].
//!
//! Every answer is `{"retCode","retMsg","result","retExtInfo","time"}`;
//! errors mostly come as HTTP 200 with `retCode != 0` (a wrong signature
//! too: 10004). An IP over Bybit's limit gets HTTP 403 without a JSON body
//! and is blocked for 10 minutes: the limiter is told, so nothing more is
//! sent meanwhile. A 10002 (timestamp outside the window) resynchronises
//! the clock and sends the request once more: the venue refused it, so
//! repeating it cannot duplicate anything.

use super::endpoints::{self, BybitCategory};
use super::error::{ApiError, BybitError, codes};
use super::instruments::{BybitRules, parse_instruments_page};
use super::market_parse::parse_klines_rest;
use super::sign::auth_headers;
use crate::binance::order_wire::push_encoded;
use crate::binance::parse_util::{from_json, snippet};
use crate::common::clock_resync::resend_after_clock_resync;
use crate::net::Credentials;
use crate::net::http::NoMeter;
use crate::net::{
    Cost, HttpClient, HttpConfig, HttpRequest, HttpResponse, Method, RateLimiter, RequestKind,
    RequestSigner, TimeOffset,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use smc_model::{Candle, Clock, Timeframe, Timestamp, WallClock};
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::{Arc, PoisonError, RwLock};

/// How long Bybit blocks an IP that broke its limit (v5 docs, "Rate
/// Limit": HTTP 403, lifted after 10 minutes).
const IP_BAN_MS: i64 = 10 * 60_000;

/// The REST client. Cheap to clone; clones share the limiter, the clock
/// offset and the instrument rules.
#[derive(Clone, Debug)]
pub struct BybitRest {
    category: BybitCategory,
    http: HttpClient,
    api_key: Option<Arc<str>>,
    signer: Option<Arc<dyn RequestSigner>>,
    time: TimeOffset,
    recv_window_ms: u32,
    rules: Arc<RwLock<HashMap<String, BybitRules>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    ret_code: i64,
    #[serde(default)]
    ret_msg: String,
    #[serde(default, borrow)]
    result: Option<&'a RawValue>,
}

impl BybitRest {
    /// A client of `category` at `rest_url` with default HTTP settings.
    pub fn new(
        category: BybitCategory,
        rest_url: &str,
        credentials: Option<Credentials>,
    ) -> Result<Self, BybitError> {
        Self::with_config(category, HttpConfig::new(rest_url), credentials)
    }

    pub fn with_config(
        category: BybitCategory,
        config: HttpConfig,
        credentials: Option<Credentials>,
    ) -> Result<Self, BybitError> {
        let limiter = RateLimiter::new(&endpoints::rate_limits(category));
        let http = HttpClient::new(config, limiter, Arc::new(NoMeter))
            .map_err(|e| BybitError::Config(format!("HTTP client: {e}")))?;
        let (api_key, signer) = Credentials::key_and_signer(credentials);
        Ok(BybitRest {
            category,
            http,
            api_key,
            signer,
            time: TimeOffset::new(),
            recv_window_ms: 5_000,
            rules: Arc::new(RwLock::new(HashMap::new())),
        })
    }

    pub fn category(&self) -> BybitCategory {
        self.category
    }

    pub fn venue(&self) -> &'static str {
        self.category.venue()
    }

    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    pub fn time_offset(&self) -> &TimeOffset {
        &self.time
    }

    pub fn recv_window_ms(&self) -> i64 {
        i64::from(self.recv_window_ms)
    }

    pub fn api_key(&self) -> Option<&str> {
        self.api_key.as_deref()
    }

    pub fn signer(&self) -> Option<&Arc<dyn RequestSigner>> {
        self.signer.as_ref()
    }

    /// The rules of `symbol`, once loaded.
    pub fn rules(&self, symbol: &str) -> Option<BybitRules> {
        self.rules
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(symbol)
            .cloned()
    }

    /// `category=…` followed by `rest` (`&`-joined, already encoded).
    pub(crate) fn query(&self, rest: &str) -> String {
        let mut q = String::with_capacity(24 + rest.len());
        q.push_str("category=");
        q.push_str(self.category.as_str());
        if !rest.is_empty() {
            q.push('&');
            q.push_str(rest);
        }
        q
    }

    /// Sends `req` and returns the `result` of a `retCode` 0 answer.
    pub(crate) async fn send(&self, req: &HttpRequest) -> Result<String, BybitError> {
        let resp = self.http.send(req).await?;
        self.read(&req.path, resp)
    }

    fn read(&self, path: &str, resp: HttpResponse) -> Result<String, BybitError> {
        let now = WallClock.now().ms();
        let envelope = serde_json::from_str::<Envelope<'_>>(&resp.body).ok();
        let Some(env) = envelope else {
            // No envelope: an HTTP-level refusal (403 IP limit, 404, 401).
            let retry_at_ms = (resp.status == 403).then(|| self.ip_limited(path, now));
            return Err(ApiError {
                path: path.to_string(),
                status: resp.status,
                code: -i64::from(resp.status),
                msg: snippet(&resp.body),
                retry_at_ms,
            }
            .into());
        };
        if env.ret_code == 0 && resp.status < 300 {
            return Ok(env.result.map(|r| r.get().to_string()).unwrap_or_default());
        }
        let mut retry_at_ms = None;
        if resp.status == 403 {
            // The IP limit, answered with an envelope (10018): the same
            // 10-minute block.
            retry_at_ms = Some(self.ip_limited(path, now));
        } else if matches!(env.ret_code, codes::RATE_LIMIT | codes::IP_RATE_LIMIT) {
            // Bybit says when the endpoint's budget resets.
            let reset = resp
                .headers
                .get("x-bapi-limit-reset-timestamp")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|&t| t > now && t < now + IP_BAN_MS)
                .unwrap_or(now + 1_000);
            self.http.with_limiter(|l| l.back_off_until(reset));
            retry_at_ms = Some(reset);
        }
        Err(ApiError {
            path: path.to_string(),
            status: resp.status,
            code: env.ret_code,
            msg: env.ret_msg,
            retry_at_ms,
        }
        .into())
    }

    /// HTTP 403 is Bybit's IP rate limit, with or without an envelope:
    /// every request holds off for its 10-minute block. Returns its end.
    fn ip_limited(&self, path: &str, now: i64) -> i64 {
        let until = now + IP_BAN_MS;
        self.http.with_limiter(|l| l.back_off_until(until));
        tracing::error!(
            path,
            until,
            "HTTP 403 from Bybit: IP rate limit, backing off"
        );
        until
    }

    /// A public (unsigned) GET.
    pub(crate) async fn get_public(&self, path: &str, query: String) -> Result<String, BybitError> {
        let req = HttpRequest {
            method: Method::Get,
            path: path.to_string(),
            query,
            form: None,
            headers: Vec::new(),
            cost: endpoints::READ,
            kind: RequestKind::Read,
        };
        self.send(&req).await
    }

    fn credentials(&self) -> Result<(&str, &Arc<dyn RequestSigner>), BybitError> {
        match (self.api_key.as_deref(), self.signer.as_ref()) {
            (Some(k), Some(s)) => Ok((k, s)),
            _ => Err(BybitError::Config(
                "signed Bybit request without credentials".into(),
            )),
        }
    }

    /// The signed request for `payload` (a GET's query, a POST's JSON
    /// body), stamped with venue time now.
    pub fn signed_request(
        &self,
        method: Method,
        path: &str,
        payload: &str,
        kind: RequestKind,
        cost: Cost,
    ) -> Result<HttpRequest, BybitError> {
        let (key, signer) = self.credentials()?;
        let ts = self.time.venue_now_ms();
        let mut headers = auth_headers(signer.as_ref(), ts, key, self.recv_window_ms, payload);
        let (query, form) = match method {
            Method::Get | Method::Delete => (payload.to_string(), None),
            Method::Post | Method::Put => {
                headers.push(("Content-Type", "application/json".to_string()));
                (String::new(), Some(payload.to_string()))
            }
        };
        Ok(HttpRequest {
            method,
            path: path.to_string(),
            query,
            form,
            headers,
            cost,
            kind,
        })
    }

    /// Sends a signed request; on 10002 resyncs the clock and sends once
    /// more.
    pub(crate) async fn send_signed(
        &self,
        method: Method,
        path: &str,
        payload: &str,
        kind: RequestKind,
        cost: Cost,
    ) -> Result<String, BybitError> {
        resend_after_clock_resync(
            move || async move {
                let req = self.signed_request(method, path, payload, kind, cost)?;
                self.send(&req).await
            },
            |e| matches!(e, BybitError::Api(a) if a.is_timestamp()),
            || self.sync_clock(),
        )
        .await
    }

    /// The venue's clock (`GET /v5/market/time`), epoch ms.
    pub async fn server_time(&self) -> Result<i64, BybitError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct T {
            #[serde(default)]
            time_second: Option<String>,
            #[serde(default)]
            time_nano: Option<String>,
        }
        let body = self.get_public(endpoints::TIME, String::new()).await?;
        let t: T = from_json("market/time", &body)?;
        let nano = t.time_nano.as_deref().and_then(|n| n.parse::<i128>().ok());
        let second = t.time_second.as_deref().and_then(|s| s.parse::<i64>().ok());
        match (nano, second) {
            (Some(n), _) => Ok(i64::try_from(n / 1_000_000).unwrap_or(i64::MAX)),
            (None, Some(s)) => Ok(s.saturating_mul(1000)),
            _ => Err(super::error::ParseError::Field {
                what: "market/time",
                field: "timeNano".into(),
                detail: "neither timeNano nor timeSecond is a number".into(),
            }
            .into()),
        }
    }

    /// Learns the offset between the venue's clock and ours; returns it.
    pub async fn sync_clock(&self) -> Result<i64, BybitError> {
        let offset = self.time.sync_with(self.server_time()).await?;
        tracing::info!(offset_ms = offset, "Bybit clock offset");
        Ok(offset)
    }

    /// Reads instruments-info (every page) and keeps the rules.
    pub async fn load_rules(&self) -> Result<HashMap<String, BybitRules>, BybitError> {
        let mut all = HashMap::new();
        let mut cursor: Option<String> = None;
        for _ in 0..100 {
            let mut rest = String::from("limit=1000");
            push_cursor_param(&mut rest, cursor.as_deref());
            let body = self
                .get_public(endpoints::INSTRUMENTS, self.query(&rest))
                .await?;
            let page = parse_instruments_page(&body)?;
            for r in page.rules(self.category)? {
                all.insert(r.instrument.id.symbol().to_string(), r);
            }
            if !next_cursor(&mut cursor, page.next_page_cursor) {
                break;
            }
        }
        let mut map = self.rules.write().unwrap_or_else(PoisonError::into_inner);
        map.extend(all.iter().map(|(k, v)| (k.clone(), v.clone())));
        Ok(all)
    }

    /// Up to `limit` candles of `symbol` opening in `[start_ms, end_ms]`
    /// (no end: up to the venue's latest), oldest first: Bybit answers
    /// with the newest `limit` of the range.
    pub async fn klines(
        &self,
        symbol: &str,
        timeframe: Timeframe,
        start_ms: i64,
        end_ms: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Candle>, BybitError> {
        let interval = endpoints::interval(timeframe)
            .ok_or_else(|| BybitError::Config(format!("Bybit has no {timeframe} klines")))?;
        let mut rest = String::from("symbol=");
        push_encoded(&mut rest, symbol);
        let _ = write!(
            rest,
            "&interval={interval}&start={start_ms}&limit={}",
            limit.clamp(1, endpoints::KLINES_MAX)
        );
        if let Some(e) = end_ms {
            let _ = write!(rest, "&end={e}");
        }
        let body = self.get_public(endpoints::KLINE, self.query(&rest)).await?;
        Ok(parse_klines_rest(&body)?)
    }

    /// Every candle opening in `[start_ms, end_ms]` (none: up to the
    /// venue's latest, whatever the local clock says), oldest first,
    /// fetched page by page from the newest back.
    pub async fn klines_range(
        &self,
        symbol: &str,
        timeframe: Timeframe,
        start_ms: i64,
        end_ms: Option<i64>,
    ) -> Result<Vec<Candle>, BybitError> {
        let max = endpoints::KLINES_MAX;
        let mut end = end_ms;
        let mut pages: Vec<Vec<Candle>> = Vec::new();
        while end.is_none_or(|e| e >= start_ms) {
            let page = self.klines(symbol, timeframe, start_ms, end, max).await?;
            let n = page.len();
            let Some(first) = page.first().map(|c| c.open_time) else {
                break;
            };
            pages.push(page);
            if n < max as usize || first <= Timestamp::from_ms(start_ms) {
                break;
            }
            end = Some((first - 1).ms());
        }
        let mut out: Vec<Candle> = pages.into_iter().rev().flatten().collect();
        out.retain(|c| {
            c.open_time >= Timestamp::from_ms(start_ms)
                && end_ms.is_none_or(|e| c.open_time <= Timestamp::from_ms(e))
        });
        out.dedup_by_key(|c| c.open_time);
        Ok(out)
    }
}

/// Appends `&cursor=` and the page cursor, when there is one (the first
/// page has none).
pub(crate) fn push_cursor_param(out: &mut String, cursor: Option<&str>) {
    if let Some(c) = cursor {
        out.push_str("&cursor=");
        push_cursor(out, c);
    }
}

/// Moves `cursor` on to the page's `next` one; false when paging is over:
/// no next cursor, an empty one, or the one just read (a cursor that
/// loops).
pub(crate) fn next_cursor(cursor: &mut Option<String>, next: Option<String>) -> bool {
    match next.filter(|c| !c.is_empty()) {
        Some(c) if cursor.as_ref() != Some(&c) => {
            *cursor = Some(c);
            true
        }
        _ => false,
    }
}

/// Appends a page cursor: Bybit hands it out percent-encoded already, so
/// `%` passes; anything else outside the unreserved set is encoded.
pub(crate) fn push_cursor(out: &mut String, cursor: &str) {
    for b in cursor.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'%') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}
