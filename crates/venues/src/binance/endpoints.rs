//! Where Binance lives and what each call costs. The two markets share the
//! protocol (signing, error body, headers) but not the paths, the limits or
//! some order types.

/// Which Binance market a client talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinanceMarket {
    Spot,
    /// USDⓈ-margined futures (perpetuals).
    UsdM,
}

impl BinanceMarket {
    /// The venue part of instrument ids (`binance:BTCUSDT`,
    /// `binance-usdm:BTCUSDT`), so that the same symbol on the two markets
    /// stays two instruments.
    pub fn venue(self) -> &'static str {
        match self {
            BinanceMarket::Spot => "binance",
            BinanceMarket::UsdM => "binance-usdm",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            BinanceMarket::Spot => "/api/v3",
            BinanceMarket::UsdM => "/fapi/v1",
        }
    }

    pub fn time_path(self) -> String {
        format!("{}/time", self.prefix())
    }
    pub fn exchange_info_path(self) -> String {
        format!("{}/exchangeInfo", self.prefix())
    }
    pub fn klines_path(self) -> String {
        format!("{}/klines", self.prefix())
    }
    pub fn depth_path(self) -> String {
        format!("{}/depth", self.prefix())
    }
    pub fn order_path(self) -> String {
        format!("{}/order", self.prefix())
    }
    /// USD-M conditional orders (stop, take-profit) go to the algo service.
    pub fn algo_order_path(self) -> Option<String> {
        match self {
            BinanceMarket::Spot => None,
            BinanceMarket::UsdM => Some("/fapi/v1/algoOrder".into()),
        }
    }
    pub fn open_orders_path(self) -> String {
        format!("{}/openOrders", self.prefix())
    }
    /// USD-M conditional orders not yet triggered.
    pub fn open_algo_orders_path(self) -> Option<String> {
        match self {
            BinanceMarket::Spot => None,
            BinanceMarket::UsdM => Some("/fapi/v1/openAlgoOrders".into()),
        }
    }
    /// The listen-key endpoint of the user data stream.
    pub fn listen_key_path(self) -> String {
        match self {
            BinanceMarket::Spot => "/api/v3/userDataStream".into(),
            BinanceMarket::UsdM => "/fapi/v1/listenKey".into(),
        }
    }

    /// Weight of `GET klines` for `limit` candles.
    pub fn klines_weight(self, limit: u32) -> u32 {
        match self {
            BinanceMarket::Spot => 2,
            BinanceMarket::UsdM => match limit {
                0..100 => 1,
                100..500 => 2,
                500..=1000 => 5,
                _ => 10,
            },
        }
    }
    /// Most candles one klines call returns.
    pub fn klines_max(self) -> u32 {
        match self {
            BinanceMarket::Spot => 1000,
            BinanceMarket::UsdM => 1500,
        }
    }
    /// The depth `limit`s the market serves, smallest first (spot: the
    /// list of Binance's older "Order book" docs, which the current spot
    /// endpoint still accepts; USD-M: "Order Book", `GET /fapi/v1/depth`,
    /// "Default 500; Valid limits:[5, 10, 20, 50, 100, 500, 1000]").
    fn depth_limits(self) -> &'static [u32] {
        match self {
            BinanceMarket::Spot => &[5, 10, 20, 50, 100, 500, 1000, 5000],
            BinanceMarket::UsdM => &[5, 10, 20, 50, 100, 500, 1000],
        }
    }
    /// The smallest served depth `limit` that holds `levels` levels (the
    /// largest when none does).
    pub fn depth_limit(self, levels: u32) -> u32 {
        let limits = self.depth_limits();
        let largest = limits.last().copied().unwrap_or(levels);
        limits
            .iter()
            .copied()
            .find(|&l| l >= levels)
            .unwrap_or(largest)
    }
    /// Request weight of `GET depth` for `limit` (spot: Binance's spot
    /// OpenAPI, `/api/v3/depth`: 1–100 → 5, 101–500 → 25, 501–1000 → 50,
    /// 1001–5000 → 250; USD-M: "Order Book": 5, 10, 20, 50 → 2, 100 → 5,
    /// 500 → 10, 1000 → 20).
    pub fn depth_weight(self, limit: u32) -> u32 {
        match self {
            BinanceMarket::Spot => match limit {
                0..=100 => 5,
                101..=500 => 25,
                501..=1000 => 50,
                _ => 250,
            },
            BinanceMarket::UsdM => match limit {
                0..=50 => 2,
                51..=100 => 5,
                101..=500 => 10,
                _ => 20,
            },
        }
    }
    pub fn exchange_info_weight(self) -> u32 {
        match self {
            BinanceMarket::Spot => 20,
            BinanceMarket::UsdM => 1,
        }
    }
    /// Weight of placing one order (USD-M counts 0 on the weight budget).
    pub fn place_weight(self) -> u32 {
        match self {
            BinanceMarket::Spot => 1,
            BinanceMarket::UsdM => 0,
        }
    }
    pub fn query_order_weight(self) -> u32 {
        match self {
            BinanceMarket::Spot => 4,
            BinanceMarket::UsdM => 1,
        }
    }
    pub fn open_orders_weight(self) -> u32 {
        match self {
            BinanceMarket::Spot => 6,
            BinanceMarket::UsdM => 1,
        }
    }
}

/// The base URLs of one market. Each can point at the exchange, a
/// testnet or a loopback simulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinanceUrls {
    /// REST: `https://api.binance.com`, `https://fapi.binance.com`.
    pub rest: String,
    /// Market and user data streams: `wss://stream.binance.com:9443`,
    /// `wss://fstream.binance.com`.
    pub stream: String,
    /// WebSocket API (spot): `wss://ws-api.binance.com:443/ws-api/v3`.
    pub ws_api: Option<String>,
    /// The host that serves `/sapi` (the key's permissions): Binance's
    /// spot host for both markets; none on the testnets.
    pub sapi: Option<String>,
}

impl BinanceUrls {
    /// The production endpoints.
    pub fn production(market: BinanceMarket) -> Self {
        match market {
            BinanceMarket::Spot => BinanceUrls {
                rest: "https://api.binance.com".into(),
                stream: "wss://stream.binance.com:9443".into(),
                ws_api: Some("wss://ws-api.binance.com:443/ws-api/v3".into()),
                sapi: Some("https://api.binance.com".into()),
            },
            BinanceMarket::UsdM => BinanceUrls {
                rest: "https://fapi.binance.com".into(),
                stream: "wss://fstream.binance.com".into(),
                ws_api: None,
                sapi: Some("https://api.binance.com".into()),
            },
        }
    }

    /// The testnet endpoints (spot: testnet.binance.vision; USD-M:
    /// testnet.binancefuture.com; hosts from Binance's API documentation
    /// and the servers listed in its published OpenAPI and Postman files).
    pub fn testnet(market: BinanceMarket) -> Self {
        match market {
            BinanceMarket::Spot => BinanceUrls {
                rest: "https://testnet.binance.vision".into(),
                stream: "wss://stream.testnet.binance.vision".into(),
                ws_api: Some("wss://ws-api.testnet.binance.vision/ws-api/v3".into()),
                sapi: None,
            },
            BinanceMarket::UsdM => BinanceUrls {
                rest: "https://testnet.binancefuture.com".into(),
                stream: "wss://fstream.binancefuture.com".into(),
                ws_api: None,
                sapi: None,
            },
        }
    }

    /// Everything on one local server (the simulator): REST at `http://…`,
    /// streams and the WebSocket API at `ws://…` on the same host.
    pub fn local(host_port: &str) -> Self {
        BinanceUrls {
            rest: format!("http://{host_port}"),
            stream: format!("ws://{host_port}"),
            ws_api: Some(format!("ws://{host_port}/ws-api/v3")),
            sapi: Some(format!("http://{host_port}")),
        }
    }

    /// The combined-stream URL (`/stream`), to which streams are subscribed
    /// by frame.
    pub fn combined_stream(&self) -> String {
        format!("{}/stream", self.stream)
    }

    /// The raw user data stream URL of a listen key.
    pub fn user_stream(&self, listen_key: &str) -> String {
        format!("{}/ws/{listen_key}", self.stream)
    }
}
