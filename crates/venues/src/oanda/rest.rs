//! The REST client of one OANDA account: the bearer token, error answers,
//! the clock, the account id, instrument rules, candles and prices.
//! Orders and account reads are in [`super::trade`].
//!
//! Every request carries `Authorization: Bearer <token>` and
//! `Accept-Datetime-Format: RFC3339`; a body is JSON. OANDA has no time
//! endpoint: the clock offset is learned from the `Date` header of an
//! answer (whole seconds: the server's second is taken at its middle).

use super::endpoints::{self, OandaUrls};
use super::error::{ApiError, OandaError, ParseError};
use super::instruments::{OandaRules, parse_instruments};
use super::market_parse::{
    BidAskCandle, CandlePrice, OandaCandle, parse_candles, parse_candles_mba,
};
use super::time::format_time;
use crate::binance::order_wire::push_encoded;
use crate::binance::parse_util::snippet;
use crate::net::http::NoMeter;
use crate::net::{
    Cost, HttpClient, HttpConfig, HttpRequest, HttpResponse, Method, RateLimiter, RequestKind,
    Secret, TimeOffset,
};
use serde::Deserialize;
use smc_model::{Clock, Timeframe, WallClock};
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::{Arc, PoisonError, RwLock};

/// How far a live venue's newest price may trail its clock: a weekend
/// (Friday 17:00 to Sunday 17:00 New York) and a margin.
const STALE_BEHIND_MS: i64 = 3 * 86_400_000;
/// How far it may lead it: clock skew between OANDA's servers.
const STALE_AHEAD_MS: i64 = 60_000;

/// A token and, optionally, the account to trade.
#[derive(Clone)]
pub struct OandaCredentials {
    pub token: Secret,
    /// The account id (`101-004-1435156-001`); none: the first of
    /// `GET /v3/accounts`.
    pub account_id: Option<String>,
}

impl std::fmt::Debug for OandaCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OandaCredentials")
            .field("token", &self.token)
            .field("account_id", &self.account_id)
            .finish()
    }
}

/// The REST client. Cheap to clone; clones share the limiter, the clock
/// offset, the account id and the rules.
#[derive(Clone, Debug)]
pub struct OandaRest {
    http: HttpClient,
    token: Option<Secret>,
    account: Arc<RwLock<Option<String>>>,
    time: TimeOffset,
    rules: Arc<RwLock<HashMap<String, OandaRules>>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ErrorBody {
    error_code: Option<String>,
    error_message: Option<String>,
    order_reject_transaction: Option<serde::de::IgnoredAny>,
}

impl OandaRest {
    /// A client of `urls.rest` with default HTTP settings.
    pub fn new(
        urls: &OandaUrls,
        credentials: Option<OandaCredentials>,
    ) -> Result<Self, OandaError> {
        Self::with_config(HttpConfig::new(urls.rest.clone()), credentials)
    }

    pub fn with_config(
        config: HttpConfig,
        credentials: Option<OandaCredentials>,
    ) -> Result<Self, OandaError> {
        let limiter = RateLimiter::new(&endpoints::rest_limits());
        let http = HttpClient::new(config, limiter, Arc::new(NoMeter))
            .map_err(|e| OandaError::Config(format!("HTTP client: {e}")))?;
        let (token, account) = match credentials {
            Some(c) => (Some(c.token), c.account_id),
            None => (None, None),
        };
        Ok(OandaRest {
            http,
            token,
            account: Arc::new(RwLock::new(account)),
            time: TimeOffset::new(),
            rules: Arc::new(RwLock::new(HashMap::new())),
        })
    }

    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    pub fn time_offset(&self) -> &TimeOffset {
        &self.time
    }

    pub(crate) fn token(&self) -> Option<&Secret> {
        self.token.as_ref()
    }

    /// The rules of `symbol` (`EUR_USD`), once loaded.
    pub fn rules(&self, symbol: &str) -> Option<OandaRules> {
        self.rules
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&symbol.to_ascii_uppercase())
            .cloned()
    }

    /// A request to `path` with the token and OANDA's headers.
    pub fn request(
        &self,
        method: Method,
        path: &str,
        query: String,
        body: Option<String>,
        kind: RequestKind,
        cost: Cost,
    ) -> HttpRequest {
        let mut headers = vec![("Accept-Datetime-Format", "RFC3339".to_string())];
        if let Some(t) = &self.token {
            headers.push(("Authorization", format!("Bearer {}", t.expose())));
        }
        if body.is_some() {
            headers.push(("Content-Type", "application/json".to_string()));
        }
        HttpRequest {
            method,
            path: path.to_string(),
            query,
            form: body,
            headers,
            cost,
            kind,
        }
    }

    /// Sends `req`; any status the HTTP client passes on (2xx, 4xx but 429).
    pub(crate) async fn send_raw(&self, req: &HttpRequest) -> Result<HttpResponse, OandaError> {
        let resp = self.http.send(req).await?;
        Ok(resp)
    }

    /// Sends `req`; the body of a 2xx answer, else the API error.
    pub(crate) async fn send(&self, req: &HttpRequest) -> Result<String, OandaError> {
        let resp = self.send_raw(req).await?;
        read(&req.path, resp)
    }

    /// A GET of `path?query`.
    pub(crate) async fn get(&self, path: &str, query: String) -> Result<String, OandaError> {
        let req = self.request(
            Method::Get,
            path,
            query,
            None,
            RequestKind::Read,
            endpoints::REQUEST,
        );
        self.send(&req).await
    }

    /// The account traded: the one given, else the first the token
    /// reaches (learned once).
    pub async fn account_id(&self) -> Result<String, OandaError> {
        if let Some(id) = self
            .account
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
        {
            return Ok(id);
        }
        let body = self.get(endpoints::ACCOUNTS, String::new()).await?;
        let first = super::account::parse_accounts(&body)?
            .into_iter()
            .next()
            .ok_or(OandaError::NoAccount)?;
        *self.account.write().unwrap_or_else(PoisonError::into_inner) = Some(first.clone());
        Ok(first)
    }

    /// `/v3/accounts/{id}{rest}`.
    pub(crate) async fn account_path(&self, rest: &str) -> Result<String, OandaError> {
        Ok(endpoints::account_path(&self.account_id().await?, rest))
    }

    /// Learns the clock offset; returns it. OANDA has no time endpoint:
    /// the `Date` header of `GET …/pricing` is its clock (whole seconds:
    /// the second's middle is taken). The answer's newest price time is
    /// checked against it: a live venue's prices are at most a weekend
    /// old (and never ahead), so a venue whose prices are dated further
    /// from its `Date` is replaying another time (the local simulator),
    /// and its market's time is its prices' time.
    pub async fn sync_clock(&self) -> Result<i64, OandaError> {
        let symbol = self
            .rules
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .min()
            .cloned()
            .unwrap_or_else(|| "EUR_USD".to_string());
        let path = self.account_path("/pricing").await?;
        let mut q = String::from("instruments=");
        push_encoded(&mut q, &symbol);
        let req = self.request(
            Method::Get,
            &path,
            q,
            None,
            RequestKind::Read,
            endpoints::REQUEST,
        );
        let sent = WallClock.now().ms();
        let resp = self.send_raw(&req).await?;
        let received = WallClock.now().ms();
        let date = resp
            .headers
            .get("date")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_http_date)
            .map(|d| d + 500);
        // An instrument the account cannot price still leaves the header.
        let priced = match read(&path, resp) {
            Ok(body) => super::market_parse::parse_pricing(&body)
                .ok()
                .and_then(|quotes| quotes.iter().map(|q| q.time.ms()).max()),
            Err(e) if date.is_some() => {
                tracing::debug!(%e, "OANDA pricing for the clock refused; the Date header alone");
                None
            }
            Err(e) => return Err(e),
        };
        let server = match (date, priced) {
            (Some(d), Some(p)) if p > d + STALE_AHEAD_MS || p < d - STALE_BEHIND_MS => {
                tracing::info!(
                    date = d,
                    priced = p,
                    "OANDA prices dated far from its Date header: a replaying venue, its clock is its prices' time"
                );
                p
            }
            (Some(d), _) => d,
            (None, Some(p)) => p,
            (None, None) => {
                return Err(OandaError::Parse(ParseError::Field {
                    what: "pricing",
                    field: "Date (header)".into(),
                    detail: "no HTTP date and no price time to learn the clock from".into(),
                }));
            }
        };
        let offset = self.time.observe(sent, server, received);
        tracing::info!(offset_ms = offset, "OANDA clock offset");
        Ok(offset)
    }

    /// Reads the account's instruments and keeps their rules.
    pub async fn load_rules(&self) -> Result<HashMap<String, OandaRules>, OandaError> {
        let path = self.account_path("/instruments").await?;
        let body = self.get(&path, String::new()).await?;
        let all: HashMap<String, OandaRules> = parse_instruments(&body)?
            .into_iter()
            .map(|r| (r.instrument.id.symbol().to_string(), r))
            .collect();
        let mut map = self.rules.write().unwrap_or_else(PoisonError::into_inner);
        map.extend(all.iter().map(|(k, v)| (k.clone(), v.clone())));
        Ok(all)
    }

    fn candles_query(
        tf: Timeframe,
        price: &str,
        from_ms: i64,
        to_ms: Option<i64>,
        count: Option<u32>,
    ) -> Result<String, OandaError> {
        let g = endpoints::granularity(tf)
            .ok_or_else(|| OandaError::Config(format!("OANDA has no {tf} candles")))?;
        let mut q = format!("price={price}&granularity={g}&from=");
        push_encoded(&mut q, &format_time(from_ms));
        if let Some(to) = to_ms {
            q.push_str("&to=");
            push_encoded(&mut q, &format_time(to));
        }
        if let Some(c) = count {
            let _ = write!(q, "&count={}", c.clamp(1, endpoints::CANDLES_MAX));
        }
        // Daily candles close at 00:00 UTC like every other venue's, not
        // at OANDA's default 17:00 New York; weeks on Monday.
        if g == "D" || g == "W" {
            q.push_str("&dailyAlignment=0&alignmentTimezone=UTC&weeklyAlignment=Monday");
        }
        Ok(q)
    }

    /// `GET /v3/instruments/{symbol}/candles` with `price` from `from_ms`:
    /// up to `to_ms`, or `count` candles.
    pub async fn candles_page(
        &self,
        symbol: &str,
        tf: Timeframe,
        price: CandlePrice,
        from_ms: i64,
        to_ms: Option<i64>,
        count: Option<u32>,
    ) -> Result<Vec<OandaCandle>, OandaError> {
        let p = match price {
            CandlePrice::Mid => "M",
            CandlePrice::Bid => "B",
            CandlePrice::Ask => "A",
        };
        let q = Self::candles_query(tf, p, from_ms, to_ms, count)?;
        let body = self.get(&candles_path(symbol), q).await?;
        Ok(parse_candles(&body, price)?)
    }

    /// The complete candles of `symbol` opening in `[start_ms, end_ms]`
    /// (none: up to the latest), oldest first, page by page.
    pub async fn candles_range(
        &self,
        symbol: &str,
        tf: Timeframe,
        price: CandlePrice,
        start_ms: i64,
        end_ms: Option<i64>,
    ) -> Result<Vec<OandaCandle>, OandaError> {
        let mut out: Vec<OandaCandle> = Vec::new();
        let mut from = start_ms;
        for _ in 0..1000 {
            // `from` with `count` pages forward; the end is checked here
            // (OANDA refuses `to` with `count`).
            let page = self
                .candles_page(symbol, tf, price, from, None, Some(endpoints::CANDLES_MAX))
                .await?;
            let n = page.len();
            let last = page.last().map(|c| c.candle.open_time.ms());
            out.extend(page.into_iter().filter(|c| {
                c.complete
                    && c.candle.open_time.ms() >= start_ms
                    && end_ms.is_none_or(|e| c.candle.open_time.ms() <= e)
            }));
            match last {
                Some(l) if n >= endpoints::CANDLES_MAX as usize && end_ms.is_none_or(|e| l < e) => {
                    from = l + tf.duration_ms();
                }
                _ => break,
            }
        }
        out.dedup_by_key(|c| c.candle.open_time);
        Ok(out)
    }

    /// Bid, ask and mid candles (`price=MBA`) opening in `[start_ms,
    /// end_ms]`, complete ones only, up to 5000.
    pub async fn candles_bid_ask(
        &self,
        symbol: &str,
        tf: Timeframe,
        start_ms: i64,
        end_ms: i64,
    ) -> Result<Vec<BidAskCandle>, OandaError> {
        let q = Self::candles_query(tf, "MBA", start_ms, Some(end_ms), None)?;
        let body = self.get(&candles_path(symbol), q).await?;
        let mut c = parse_candles_mba(&body)?;
        c.retain(|c| c.complete);
        Ok(c)
    }

    /// `GET …/pricing?instruments=…`.
    pub async fn pricing(&self, symbols: &[&str]) -> Result<String, OandaError> {
        let path = self.account_path("/pricing").await?;
        let mut q = String::from("instruments=");
        push_encoded(&mut q, &symbols.join(","));
        self.get(&path, q).await
    }
}

/// `/v3/instruments/{symbol}/candles`.
pub fn candles_path(symbol: &str) -> String {
    let mut p = String::from("/v3/instruments/");
    push_encoded(&mut p, &symbol.to_ascii_uppercase());
    p.push_str("/candles");
    p
}

/// A 2xx body, or the API error an answer states.
pub(crate) fn read(path: &str, resp: HttpResponse) -> Result<String, OandaError> {
    if resp.status < 300 {
        return Ok(resp.body);
    }
    Err(api_error(path, &resp).into())
}

/// The error of a non-2xx answer: OANDA's `errorCode` / `errorMessage`
/// when the body is its JSON, else the body's start.
pub(crate) fn api_error(path: &str, resp: &HttpResponse) -> ApiError {
    let parsed = serde_json::from_str::<ErrorBody>(&resp.body).ok();
    let (code, message, rejected) = match parsed {
        Some(b) => (
            b.error_code,
            b.error_message.unwrap_or_else(|| snippet(&resp.body)),
            b.order_reject_transaction.is_some(),
        ),
        None => (None, snippet(&resp.body), false),
    };
    ApiError {
        path: path.to_string(),
        status: resp.status,
        code,
        message,
        rejected,
    }
}

/// An HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 IMF-fixdate)
/// as epoch ms.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let mut parts = s.split_whitespace();
    let _weekday = parts.next()?;
    let day: u32 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':');
    let h: u32 = hms.next()?.parse().ok()?;
    let m: u32 = hms.next()?.parse().ok()?;
    let sec: u32 = hms.next()?.parse().ok()?;
    if parts.next()? != "GMT" || h > 23 || m > 59 || sec > 60 || !(1..=31).contains(&day) {
        return None;
    }
    Some(smc_model::time::epoch_ms(year, month, day, h, m, sec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777_000)
        );
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"), None);
        assert_eq!(parse_http_date("yesterday"), None);
    }
}
