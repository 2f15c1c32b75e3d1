//! The venue simulator on a free loopback port, in the test's process, on
//! its own runtime: faults are set and checked directly, and the test ends
//! it by dropping it.

use crate::root;
use smc_venue_sim::{KeyConfig, MarketSource, RunningSim, SimConfig};
use std::sync::PoisonError;

/// The test key pair every simulator here accepts.
pub const KEY: &str = "LiveTestKey1";
pub const SECRET: &str = "live-test-secret";
/// A key the simulator reports as able to withdraw.
pub const WITHDRAW_KEY: &str = "WithdrawKey2";
pub const WITHDRAW_SECRET: &str = "withdraw-secret";

/// A bundled series replayed as `symbol`.
pub fn market(path: &str, symbol: &str) -> MarketSource {
    MarketSource {
        path: root().join(path),
        symbol: symbol.into(),
    }
}

/// The test keys: one that trades, one that may withdraw.
pub fn test_keys() -> Vec<KeyConfig> {
    vec![
        KeyConfig {
            key: KEY.into(),
            secret: SECRET.into(),
            withdrawals: false,
            transfers: false,
        },
        KeyConfig {
            key: WITHDRAW_KEY.into(),
            secret: WITHDRAW_SECRET.into(),
            withdrawals: true,
            transfers: false,
        },
    ]
}

/// The bundled BTCUSDT minutes at `speed` candles a second, with the
/// test keys and `faults`, speaking Binance's protocol.
pub fn btcusdt_config(speed: f64, faults: &str) -> SimConfig {
    SimConfig {
        markets: vec![market(
            "testdata/market/binance-usdm/BTCUSDT-1m.csv",
            "BTCUSDT",
        )],
        keys: test_keys(),
        speed,
        faults: faults.into(),
        ..SimConfig::default()
    }
}

/// A running simulator and the runtime it runs on.
pub struct TestSim {
    sim: Option<RunningSim>,
    runtime: tokio::runtime::Runtime,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// The protocol it speaks.
    pub protocol: smc_venue_sim::Protocol,
}

impl TestSim {
    /// Binance BTCUSDT minutes at `speed` candles a second, with the test
    /// keys and `faults`.
    pub fn btcusdt(speed: f64, faults: &str) -> TestSim {
        TestSim::start(btcusdt_config(speed, faults))
    }

    /// [`TestSim::btcusdt`] speaking Bybit v5 (`--protocol bybit`): the same
    /// market and test keys, `category=spot` and `linear` on a unified
    /// account; REST and WebSockets at `http://` / `ws://` + [`TestSim::addr`].
    pub fn bybit_btcusdt(speed: f64, faults: &str) -> TestSim {
        TestSim::start(SimConfig {
            protocol: smc_venue_sim::Protocol::Bybit,
            ..btcusdt_config(speed, faults)
        })
    }

    /// OANDA v20 (`--protocol oanda`) replaying the bundled EUR_USD daily
    /// bid series at `speed` candles a second with `faults`: bearer tokens
    /// [`KEY`] (account `101-001-1000001-001`) and [`WITHDRAW_KEY`]
    /// (`101-001-1000002-001`), REST and streams at `http://` +
    /// [`TestSim::addr`], default spread (1.5 pips) and margin rate (0.0333).
    pub fn oanda_eurusd(speed: f64, faults: &str) -> TestSim {
        TestSim::start(SimConfig {
            protocol: smc_venue_sim::Protocol::Oanda,
            markets: vec![market("testdata/market/oanda/EURUSD-1d.csv", "EUR_USD")],
            ..btcusdt_config(speed, faults)
        })
    }

    /// The BTCUSDT market of [`TestSim::btcusdt`] (or, for
    /// [`Protocol::Bybit`](smc_venue_sim::Protocol::Bybit),
    /// [`TestSim::bybit_btcusdt`]) quoting a book of shape `book`: two
    /// simulators replaying the same series with different books.
    pub fn with_book(
        protocol: smc_venue_sim::Protocol,
        speed: f64,
        faults: &str,
        book: smc_venue_sim::BookShape,
    ) -> TestSim {
        TestSim::start(SimConfig {
            protocol,
            book,
            ..btcusdt_config(speed, faults)
        })
    }

    /// [`TestSim::btcusdt`] with a thin book: per candle, the account's
    /// orders fill at most `participation` of its volume (partial fills).
    pub fn btcusdt_thin(speed: f64, participation: rust_decimal::Decimal) -> TestSim {
        TestSim::start(SimConfig {
            participation: Some(participation),
            ..btcusdt_config(speed, "")
        })
    }

    pub fn start(config: SimConfig) -> TestSim {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let protocol = config.protocol;
        let sim = runtime.block_on(smc_venue_sim::start(config)).unwrap();
        let addr = sim.addr.to_string();
        TestSim {
            sim: Some(sim),
            runtime,
            addr,
            protocol,
        }
    }

    fn running(&self) -> &RunningSim {
        self.sim.as_ref().unwrap()
    }

    /// The simulator's state, for audits that read what the venue holds
    /// rather than what its API answers.
    pub fn shared(&self) -> &std::sync::Arc<smc_venue_sim::state::Shared> {
        &self.running().shared
    }

    /// Replaces the active faults with `spec` (the `--faults` grammar).
    /// How the simulator's user streams were opened so far: (WebSocket API
    /// subscriptions, live listen keys).
    pub fn user_streams(&self) -> (u64, usize) {
        let inner = self
            .running()
            .shared
            .inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        (inner.ws_api_subscriptions, inner.listen_keys.len())
    }

    pub fn set_faults(&self, spec: &str) {
        let faults = smc_venue_sim::parse_spec(spec).unwrap();
        let shared = &self.running().shared;
        shared
            .faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .faults = faults;
    }

    /// Makes `/sapi/v1/account/apiRestrictions` (Bybit: `/v5/user/query-api`)
    /// report withdrawals for `key` as `enabled`.
    pub fn set_withdrawals(&self, key: &str, enabled: bool) {
        let shared = &self.running().shared;
        let mut inner = shared.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner
            .keys
            .get_mut(key)
            .expect("a key of the simulator")
            .withdrawals = enabled;
    }

    /// Checks that every active fault fired, then clears them.
    pub fn clear_faults_checked(&self, spec: &str) {
        let shared = &self.running().shared;
        let mut set = shared.faults.lock().unwrap_or_else(PoisonError::into_inner);
        assert_eq!(set.faults.len(), usize::from(!spec.is_empty()), "[{spec}]");
        for f in &set.faults {
            assert!(f.fired() > 0, "[{spec}] the fault never fired");
        }
        set.faults.clear();
    }

    /// Runs `f` on the simulator's runtime (a client needs one).
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }
}

impl Drop for TestSim {
    fn drop(&mut self) {
        // Its tasks end with the runtime.
        let _guard = self.runtime.enter();
        self.sim.take();
    }
}
