//! The signed REST client of one Binance market.
//!
//! Signing: the parameters are written in wire form (percent-encoded), then
//! `recvWindow` and `timestamp` (venue time: local clock plus the learned
//! offset), then the HMAC-SHA256 of exactly those bytes is appended as
//! `signature`, last. GET and DELETE carry them in the query, POST and PUT
//! in a form body. A `-1021` (timestamp outside the window) resynchronises
//! the clock from `/time` and sends the request once more: the venue
//! refused it, so repeating it cannot duplicate anything.
//!
//! Orders follow the outcome policy: `Rejected` only on the venue's word,
//! `Unknown` after a timeout, 5xx, 429 or transport failure once sent, and
//! never sent twice.

use super::endpoints::BinanceMarket;
use super::error::{ApiError, BinanceError};
use super::exchange_info::{ExchangeInfo, SymbolRules, parse_exchange_info};
use super::market_parse::parse_klines_rest;
use super::meter::BinanceMeter;
use super::order_info::{RawOrder, parse_order};
use super::order_wire::{OrderEndpoint, encode_order, push_encoded, round_order};
use super::parse_util::from_json;
use crate::common::clock_resync::resend_after_clock_resync;
use crate::execution::{OrderOutcome, VenueOrder};
use crate::net::{
    Cost, HttpClient, HttpConfig, HttpRequest, Method, RateLimiter, RequestKind, RequestSigner,
    TimeOffset,
};
use rust_decimal::Decimal;
use serde::Deserialize;
use smc_model::Timestamp;
use smc_model::{Candle, ClientOrderId, InstrumentId, OrderRequest, Timeframe};
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::{Arc, PoisonError, RwLock};

pub use crate::net::signer::Credentials;

/// The REST client. Cheap to clone; clones share the limiter, the clock
/// offset and the symbol rules.
#[derive(Clone, Debug)]
pub struct BinanceRest {
    market: BinanceMarket,
    http: HttpClient,
    api_key: Option<Arc<str>>,
    signer: Option<Arc<dyn RequestSigner>>,
    time: TimeOffset,
    recv_window_ms: u32,
    rules: Arc<RwLock<HashMap<String, SymbolRules>>>,
}

impl BinanceRest {
    /// A client of `market` at `rest_url` with default HTTP settings.
    pub fn new(
        market: BinanceMarket,
        rest_url: &str,
        credentials: Option<Credentials>,
    ) -> Result<Self, BinanceError> {
        Self::with_config(market, HttpConfig::new(rest_url), credentials)
    }

    pub fn with_config(
        market: BinanceMarket,
        config: HttpConfig,
        credentials: Option<Credentials>,
    ) -> Result<Self, BinanceError> {
        let http = HttpClient::new(config, RateLimiter::default(), Arc::new(BinanceMeter))
            .map_err(|e| BinanceError::Config(format!("HTTP client: {e}")))?;
        let (api_key, signer) = Credentials::key_and_signer(credentials);
        Ok(BinanceRest {
            market,
            http,
            api_key,
            signer,
            time: TimeOffset::new(),
            recv_window_ms: 5000,
            rules: Arc::default(),
        })
    }

    /// How long after its timestamp the venue still accepts a signed
    /// request (`recvWindow`, ms).
    pub fn recv_window_ms(&self) -> i64 {
        i64::from(self.recv_window_ms)
    }

    pub fn market(&self) -> BinanceMarket {
        self.market
    }
    pub fn http(&self) -> &HttpClient {
        &self.http
    }
    pub fn time_offset(&self) -> &TimeOffset {
        &self.time
    }
    pub fn api_key(&self) -> Option<&str> {
        self.api_key.as_deref()
    }
    pub fn signer(&self) -> Option<&Arc<dyn RequestSigner>> {
        self.signer.as_ref()
    }

    /// The rules of `symbol`, once [`load_rules`](Self::load_rules) ran.
    pub fn rules(&self, symbol: &str) -> Option<SymbolRules> {
        let map = self.rules.read().unwrap_or_else(PoisonError::into_inner);
        map.get(symbol).cloned()
    }

    /// Sets rules without exchangeInfo (tests, simulators).
    pub fn set_rules(&self, rules: SymbolRules) {
        let mut map = self.rules.write().unwrap_or_else(PoisonError::into_inner);
        map.insert(rules.symbol.clone(), rules);
    }

    /// A request that needs the API key (signed, or a listen key's).
    fn request(
        &self,
        method: Method,
        path: String,
        params: String,
        kind: RequestKind,
        cost: Cost,
    ) -> HttpRequest {
        let mut req = self.public(method, path, params, kind, cost);
        if let Some(k) = &self.api_key {
            req.headers.push(("X-MBX-APIKEY", k.to_string()));
        }
        req
    }

    /// A public request (time, exchangeInfo, klines, depth): the key stays
    /// home, so a public endpoint, a proxy or a log never sees it.
    pub(super) fn public(
        &self,
        method: Method,
        path: String,
        params: String,
        kind: RequestKind,
        cost: Cost,
    ) -> HttpRequest {
        let (query, form) = match method {
            Method::Get | Method::Delete => (params, None),
            Method::Post | Method::Put => (String::new(), Some(params)),
        };
        let headers = Vec::new();
        HttpRequest {
            method,
            path,
            query,
            form,
            headers,
            cost,
            kind,
        }
    }

    /// Sends an unsigned request; returns the body of a 2xx answer.
    pub(super) async fn send(&self, req: &HttpRequest) -> Result<String, BinanceError> {
        let resp = self.http.send(req).await?;
        if (200..300).contains(&resp.status) {
            return Ok(resp.body);
        }
        #[derive(Deserialize)]
        struct Body {
            code: i64,
            msg: String,
        }
        let (code, msg) = match serde_json::from_str::<Body>(&resp.body) {
            Ok(b) => (b.code, b.msg),
            Err(_) => (0, resp.body),
        };
        Err(ApiError {
            path: req.path.clone(),
            status: resp.status,
            code,
            msg,
        }
        .into())
    }

    /// Appends `recvWindow`, `timestamp` and `signature` to `params`.
    pub fn sign_params(&self, params: &mut String, timestamp_ms: i64) -> Result<(), BinanceError> {
        let signer = self
            .signer
            .as_ref()
            .ok_or_else(|| BinanceError::Config("signed request without credentials".into()))?;
        if !params.is_empty() {
            params.push('&');
        }
        let _ = write!(
            params,
            "recvWindow={}&timestamp={timestamp_ms}",
            self.recv_window_ms
        );
        let mut signature = String::with_capacity(64);
        signer.sign_into(params.as_bytes(), &mut signature);
        params.push_str("&signature=");
        params.push_str(&signature);
        Ok(())
    }

    /// Sends a signed request; on -1021 resyncs the clock and sends once more.
    pub(crate) async fn send_signed(
        &self,
        method: Method,
        path: String,
        params: &str,
        kind: RequestKind,
        cost: Cost,
    ) -> Result<String, BinanceError> {
        let path = &path;
        resend_after_clock_resync(
            move || async move {
                let mut signed = String::with_capacity(params.len() + 128);
                signed.push_str(params);
                self.sign_params(&mut signed, self.time.venue_now_ms())?;
                let req = self.request(method, path.clone(), signed, kind, cost);
                self.send(&req).await
            },
            |e| matches!(e, BinanceError::Api(a) if a.is_timestamp()),
            || self.sync_clock(),
        )
        .await
    }

    /// The venue's clock (`GET /time`).
    pub async fn server_time(&self) -> Result<i64, BinanceError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct T {
            server_time: i64,
        }
        let req = self.public(
            Method::Get,
            self.market.time_path(),
            String::new(),
            RequestKind::Read,
            Cost::weight(1),
        );
        let body = self.send(&req).await?;
        let t: T = from_json("time", &body)?;
        Ok(t.server_time)
    }

    /// Learns the offset between the venue's clock and ours; returns it.
    pub async fn sync_clock(&self) -> Result<i64, BinanceError> {
        let offset = self.time.sync_with(self.server_time()).await?;
        tracing::info!(offset_ms = offset, "venue clock offset");
        Ok(offset)
    }

    /// Reads exchangeInfo: keeps the symbol rules and sets the limiter's
    /// limits.
    pub async fn load_rules(&self) -> Result<ExchangeInfo, BinanceError> {
        let req = self.public(
            Method::Get,
            self.market.exchange_info_path(),
            String::new(),
            RequestKind::Read,
            Cost::weight(self.market.exchange_info_weight()),
        );
        let body = self.send(&req).await?;
        let info = parse_exchange_info(&body)?;
        self.http.with_limiter(|l| l.set_limits(&info.rate_limits));
        let mut map = self.rules.write().unwrap_or_else(PoisonError::into_inner);
        map.extend(info.symbols.iter().map(|(k, v)| (k.clone(), v.clone())));
        Ok(info)
    }

    /// The last price of `symbol` (`GET …/ticker/price`); `None` when the
    /// venue lists no such symbol (-1121).
    pub async fn ticker_price(&self, symbol: &str) -> Result<Option<Decimal>, BinanceError> {
        #[derive(Deserialize)]
        struct Price {
            price: String,
        }
        let mut q = String::from("symbol=");
        push_encoded(&mut q, symbol);
        let path = match self.market {
            BinanceMarket::Spot => "/api/v3/ticker/price",
            BinanceMarket::UsdM => "/fapi/v1/ticker/price",
        };
        let req = self.public(
            Method::Get,
            path.into(),
            q,
            RequestKind::Read,
            Cost::weight(2),
        );
        match self.send(&req).await {
            Ok(body) => {
                let p: Price = from_json("ticker/price", &body)?;
                Ok(Some(super::parse_util::dec(
                    "ticker/price",
                    "price",
                    &p.price,
                )?))
            }
            Err(BinanceError::Api(e)) if e.code == -1121 => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Up to `limit` candles of `symbol` opening in `[start_ms, end_ms]`.
    /// The last one may still be open.
    pub async fn klines(
        &self,
        symbol: &str,
        timeframe: Timeframe,
        start_ms: i64,
        end_ms: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Candle>, BinanceError> {
        let limit = limit.clamp(1, self.market.klines_max());
        let mut q = String::from("symbol=");
        push_encoded(&mut q, symbol);
        let _ = write!(
            q,
            "&interval={timeframe}&startTime={start_ms}&limit={limit}"
        );
        if let Some(e) = end_ms {
            let _ = write!(q, "&endTime={e}");
        }
        let req = self.public(
            Method::Get,
            self.market.klines_path(),
            q,
            RequestKind::Read,
            Cost::weight(self.market.klines_weight(limit)),
        );
        let body = self.send(&req).await?;
        Ok(parse_klines_rest(&body)?)
    }

    /// Every candle opening in `[start_ms, end_ms]` (none: up to now),
    /// fetched page by page.
    pub async fn klines_range(
        &self,
        symbol: &str,
        timeframe: Timeframe,
        start_ms: i64,
        end_ms: Option<i64>,
    ) -> Result<Vec<Candle>, BinanceError> {
        let max = self.market.klines_max();
        let mut out: Vec<Candle> = Vec::new();
        let mut from = start_ms;
        loop {
            let page = self.klines(symbol, timeframe, from, end_ms, max).await?;
            let n = page.len();
            if let Some(last) = page.last() {
                from = (last.open_time + timeframe.duration_ms()).ms();
            }
            out.extend(
                page.into_iter()
                    .filter(|c| c.open_time >= Timestamp::from_ms(start_ms)),
            );
            if n < max as usize || end_ms.is_some_and(|e| from > e) {
                return Ok(out);
            }
        }
    }

    /// Places `order`, rounded to the symbol's filters. `Err` means it was
    /// not sent (bad order, no rules, local rate limit, no connection);
    /// once sent, the answer is an [`OrderOutcome`], never an error.
    pub async fn place_order(&self, order: &OrderRequest) -> Result<OrderOutcome, BinanceError> {
        let symbol = order.instrument.symbol();
        let rules = self
            .rules(symbol)
            .ok_or_else(|| BinanceError::UnknownSymbol(symbol.to_string()))?;
        let rounded = round_order(&rules, order)?;
        let mut params = String::with_capacity(256);
        let endpoint = encode_order(self.market, &rounded, &mut params)?;
        let path = match endpoint {
            OrderEndpoint::Order => self.market.order_path(),
            OrderEndpoint::Algo => self.market.algo_order_path().unwrap_or_default(),
        };
        let cost = Cost::order(self.market.place_weight()).for_order(order.reduce_only);
        let client_id = order.client_id.clone();
        let result = self
            .send_signed(Method::Post, path, &params, RequestKind::Place, cost)
            .await;
        Ok(match result {
            Ok(body) => match from_json::<RawOrder>("order response", &body)
                .and_then(|raw| parse_order(&raw, &order.instrument))
            {
                Ok(q) => OrderOutcome::Accepted(q),
                Err(e) => OrderOutcome::Unknown {
                    client_id,
                    reason: format!("accepted but unreadable: {e}"),
                },
            },
            Err(BinanceError::Api(e)) if e.is_status_unknown() || e.status >= 500 => {
                OrderOutcome::Unknown {
                    client_id,
                    reason: e.to_string(),
                }
            }
            Err(BinanceError::Api(e)) => OrderOutcome::Rejected {
                client_id,
                code: e.code,
                reason: e.msg,
            },
            Err(BinanceError::Net(e)) if e.was_sent() => OrderOutcome::Unknown {
                client_id,
                reason: e.to_string(),
            },
            Err(e) => return Err(e),
        })
    }

    fn id_params(
        &self,
        instrument: &InstrumentId,
        client_id: &ClientOrderId,
        algo: bool,
    ) -> String {
        let mut p = String::from("symbol=");
        push_encoded(&mut p, instrument.symbol());
        p.push_str(if algo {
            "&clientAlgoId="
        } else {
            "&origClientOrderId="
        });
        push_encoded(&mut p, client_id.as_str());
        p
    }

    /// Cancels an order by client id (USD-M: a conditional order through
    /// the algo service when the plain endpoint does not know it).
    /// Retried on transport errors: cancelling twice is harmless.
    pub async fn cancel_order(
        &self,
        instrument: &InstrumentId,
        client_id: &ClientOrderId,
    ) -> Result<VenueOrder, BinanceError> {
        self.by_id(
            Method::Delete,
            RequestKind::Cancel,
            Cost::weight(1),
            instrument,
            client_id,
        )
        .await?
        .ok_or_else(|| {
            BinanceError::Api(ApiError {
                path: self.market.order_path(),
                status: 400,
                code: -2011,
                msg: format!("unknown order {client_id}"),
            })
        })
    }

    /// The venue's view of an order; `None` if it does not know the id
    /// (-2013), which after an `Unknown` outcome means it was not placed.
    pub async fn query_order(
        &self,
        instrument: &InstrumentId,
        client_id: &ClientOrderId,
    ) -> Result<Option<VenueOrder>, BinanceError> {
        let cost = Cost::weight(self.market.query_order_weight());
        self.by_id(Method::Get, RequestKind::Read, cost, instrument, client_id)
            .await
    }

    async fn by_id(
        &self,
        method: Method,
        kind: RequestKind,
        cost: Cost,
        instrument: &InstrumentId,
        client_id: &ClientOrderId,
    ) -> Result<Option<VenueOrder>, BinanceError> {
        let mut paths = vec![(self.market.order_path(), false)];
        if let Some(algo) = self.market.algo_order_path() {
            paths.push((algo, true));
        }
        for (path, algo) in paths {
            let params = self.id_params(instrument, client_id, algo);
            match self
                .send_signed(method, path.clone(), &params, kind, cost)
                .await
            {
                // The algo service answers a cancel with `code` and `msg`
                // only: its state comes from a query.
                Ok(_) if algo && method == Method::Delete => {
                    let read = RequestKind::Read;
                    let body = self
                        .send_signed(Method::Get, path, &params, read, cost)
                        .await?;
                    let raw: RawOrder = from_json("algoOrder", &body)?;
                    return Ok(Some(parse_order(&raw, instrument)?));
                }
                Ok(body) => {
                    let raw: RawOrder = from_json("order", &body)?;
                    return Ok(Some(parse_order(&raw, instrument)?));
                }
                Err(BinanceError::Api(e)) if matches!(e.code, -2011 | -2013) => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    /// Open orders of `symbol`, for reconciliation.
    pub async fn open_orders(
        &self,
        instrument: &InstrumentId,
    ) -> Result<Vec<VenueOrder>, BinanceError> {
        let mut params = String::from("symbol=");
        push_encoded(&mut params, instrument.symbol());
        let cost = Cost::weight(self.market.open_orders_weight());
        let body = self
            .send_signed(
                Method::Get,
                self.market.open_orders_path(),
                &params,
                RequestKind::Read,
                cost,
            )
            .await?;
        let mut raws: Vec<RawOrder> = from_json("openOrders", &body)?;
        // USD-M conditional orders wait in the algo service until triggered.
        if let Some(path) = self.market.open_algo_orders_path() {
            let body = self
                .send_signed(Method::Get, path, &params, RequestKind::Read, cost)
                .await?;
            raws.extend(from_json::<Vec<RawOrder>>("openAlgoOrders", &body)?);
        }
        raws.iter()
            .map(|r| parse_order(r, instrument).map_err(BinanceError::from))
            .collect()
    }

    /// Creates (or extends) the user data stream's listen key.
    pub async fn create_listen_key(&self) -> Result<String, BinanceError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct K {
            listen_key: String,
        }
        let req = self.request(
            Method::Post,
            self.market.listen_key_path(),
            String::new(),
            RequestKind::Read,
            Cost::weight(2),
        );
        let body = self.send(&req).await?;
        Ok(from_json::<K>("listenKey", &body)?.listen_key)
    }

    /// Keeps a listen key alive (every 30 minutes; it lapses after 60).
    pub async fn keepalive_listen_key(&self, listen_key: &str) -> Result<(), BinanceError> {
        let mut params = String::new();
        if self.market == BinanceMarket::Spot {
            params.push_str("listenKey=");
            push_encoded(&mut params, listen_key);
        }
        let req = self.request(
            Method::Put,
            self.market.listen_key_path(),
            params,
            RequestKind::Read,
            Cost::weight(2),
        );
        self.send(&req).await.map(|_| ())
    }

    /// Closes a listen key.
    pub async fn close_listen_key(&self, listen_key: &str) -> Result<(), BinanceError> {
        let mut params = String::new();
        if self.market == BinanceMarket::Spot {
            params.push_str("listenKey=");
            push_encoded(&mut params, listen_key);
        }
        let req = self.request(
            Method::Delete,
            self.market.listen_key_path(),
            params,
            RequestKind::Cancel,
            Cost::weight(2),
        );
        self.send(&req).await.map(|_| ())
    }
}
