//! Which server a session talks to, from `--venue-url` (or the config's
//! `exchanges.<venue>.base_url`): the venue itself, its testnet, or a
//! local server speaking its protocol such as `smc venue-sim`. Live mode
//! sends keys only to the venue's own hosts over TLS; a loopback server
//! needs the explicit `--allow-local-venue`.

use crate::spec::{Market, VenueName};
use smc_venues::binance::{BinanceMarket, BinanceUrls};
use smc_venues::bybit::BybitUrls;
use smc_venues::oanda::OandaUrls;

/// Where the session connects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VenueTarget {
    Production,
    Testnet,
    /// `host:port` of a plain-HTTP server (a simulator).
    Local {
        host_port: String,
        loopback: bool,
    },
}

impl VenueTarget {
    /// Reads the asked URL: none is Binance; `testnet` or a testnet host
    /// is the testnet; Binance's own https hosts are production; anything
    /// else is a local server (`127.0.0.1:PORT`, `http://HOST:PORT`).
    pub fn parse(
        url: Option<&str>,
        venue: VenueName,
        market: Market,
    ) -> Result<VenueTarget, String> {
        let Some(url) = url.map(str::trim) else {
            return Ok(VenueTarget::Production);
        };
        let url = url.trim_end_matches('/');
        if url.eq_ignore_ascii_case("testnet") {
            return Ok(VenueTarget::Testnet);
        }
        if let Some(host) = url.strip_prefix("https://") {
            return if host == production_host(venue, market) {
                Ok(VenueTarget::Production)
            } else if host == testnet_host(venue, market) {
                Ok(VenueTarget::Testnet)
            } else {
                Err(format!(
                    "venue URL `{url}`: an https URL must be {}'s own host for this market \
                     ({}) or its testnet ({})",
                    venue.title(),
                    production_host(venue, market),
                    testnet_host(venue, market)
                ))
            };
        }
        let host_port = url.strip_prefix("http://").unwrap_or(url);
        let host = host_port.rsplit_once(':').map_or(host_port, |(h, _)| h);
        if host.is_empty() || host_port.contains('/') {
            return Err(format!(
                "venue URL `{url}`: expected HOST:PORT or http://HOST:PORT of a local server"
            ));
        }
        let loopback = matches!(host, "localhost" | "[::1]") || host.starts_with("127.");
        Ok(VenueTarget::Local {
            host_port: host_port.to_string(),
            loopback,
        })
    }

    /// Binance's endpoints to connect to.
    pub fn urls(&self, market: BinanceMarket) -> BinanceUrls {
        match self {
            VenueTarget::Production => BinanceUrls::production(market),
            VenueTarget::Testnet => BinanceUrls::testnet(market),
            VenueTarget::Local { host_port, .. } => BinanceUrls::local(host_port),
        }
    }

    /// Bybit's endpoints to connect to (spot and linear share hosts).
    pub fn bybit_urls(&self, market: Market) -> BybitUrls {
        let category = crate::connect::bybit_category(market);
        match self {
            VenueTarget::Production => BybitUrls::mainnet(category),
            VenueTarget::Testnet => BybitUrls::testnet(category),
            VenueTarget::Local { host_port, .. } => BybitUrls::local(host_port, category),
        }
    }

    /// OANDA's endpoints: fxTrade (production), fxTrade Practice (its
    /// "testnet"), or a local server on one base URL.
    pub fn oanda_urls(&self) -> OandaUrls {
        match self {
            VenueTarget::Production => OandaUrls::live(),
            VenueTarget::Testnet => OandaUrls::practice(),
            VenueTarget::Local { host_port, .. } => OandaUrls::local(host_port),
        }
    }

    /// Why live mode refuses to send keys and orders here, if it does.
    /// A loopback simulator passes only with `allow_local`.
    pub fn live_refusal(&self, allow_local: bool) -> Option<String> {
        match self {
            VenueTarget::Production | VenueTarget::Testnet => None,
            VenueTarget::Local {
                loopback: true,
                host_port,
            } if !allow_local => Some(format!(
                "live mode sends API keys only to the venue's own hosts over TLS; `{host_port}` \
                 is a local server: add --allow-local-venue to trade live against it (a simulator)"
            )),
            VenueTarget::Local { loopback: true, .. } => None,
            VenueTarget::Local { host_port, .. } => Some(format!(
                "live mode sends API keys only to the venue's own hosts over TLS (or, with \
                 --allow-local-venue, to a loopback simulator); `{host_port}` is neither"
            )),
        }
    }
}

fn production_host(venue: VenueName, market: Market) -> &'static str {
    match (venue, market) {
        (VenueName::Binance, Market::Spot) => "api.binance.com",
        (VenueName::Binance, Market::UsdM) => "fapi.binance.com",
        (VenueName::Bybit, _) => "api.bybit.com",
        (VenueName::Oanda, _) => "api-fxtrade.oanda.com",
    }
}

fn testnet_host(venue: VenueName, market: Market) -> &'static str {
    match (venue, market) {
        (VenueName::Binance, Market::Spot) => "testnet.binance.vision",
        (VenueName::Binance, Market::UsdM) => "testnet.binancefuture.com",
        (VenueName::Bybit, _) => "api-testnet.bybit.com",
        (VenueName::Oanda, _) => "api-fxpractice.oanda.com",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(h: &str, loopback: bool) -> VenueTarget {
        VenueTarget::Local {
            host_port: h.into(),
            loopback,
        }
    }

    #[test]
    fn urls_name_production_testnet_or_a_local_server() {
        let p = |u: Option<&str>| VenueTarget::parse(u, VenueName::Binance, Market::Spot);
        assert_eq!(p(None), Ok(VenueTarget::Production));
        assert_eq!(
            p(Some("https://api.binance.com/")),
            Ok(VenueTarget::Production)
        );
        assert_eq!(p(Some("testnet")), Ok(VenueTarget::Testnet));
        assert_eq!(
            p(Some("https://testnet.binance.vision")),
            Ok(VenueTarget::Testnet)
        );
        assert_eq!(p(Some("127.0.0.1:9000")), Ok(local("127.0.0.1:9000", true)));
        assert_eq!(
            p(Some("http://localhost:9000")),
            Ok(local("localhost:9000", true))
        );
        assert_eq!(
            p(Some("http://10.0.0.5:9000")),
            Ok(local("10.0.0.5:9000", false))
        );
        assert!(
            p(Some("https://fapi.binance.com")).is_err(),
            "the USD-M host for spot"
        );
        assert!(p(Some("https://api.binance.com.evil.io")).is_err());
        assert!(p(Some("http://127.0.0.1:9000/x")).is_err());
        let usdm = VenueTarget::parse(
            Some("https://testnet.binancefuture.com"),
            VenueName::Binance,
            Market::UsdM,
        );
        assert_eq!(usdm, Ok(VenueTarget::Testnet));
    }

    #[test]
    fn bybit_urls_name_its_own_hosts_for_both_markets() {
        for market in [Market::Spot, Market::UsdM] {
            let p = |u: &str| VenueTarget::parse(Some(u), VenueName::Bybit, market);
            assert_eq!(p("https://api.bybit.com"), Ok(VenueTarget::Production));
            assert_eq!(
                p("https://api-testnet.bybit.com/"),
                Ok(VenueTarget::Testnet)
            );
            assert_eq!(p("testnet"), Ok(VenueTarget::Testnet));
            assert_eq!(p("127.0.0.1:9"), Ok(local("127.0.0.1:9", true)));
            let wrong = p("https://api.binance.com").unwrap_err();
            assert!(wrong.contains("Bybit's own host"), "{wrong}");
        }
    }

    #[test]
    fn live_keys_go_to_binance_or_with_the_flag_to_a_loopback_simulator() {
        assert_eq!(VenueTarget::Production.live_refusal(false), None);
        assert_eq!(VenueTarget::Testnet.live_refusal(false), None);
        let sim = local("127.0.0.1:9000", true);
        assert!(
            sim.live_refusal(false)
                .unwrap()
                .contains("--allow-local-venue")
        );
        assert_eq!(sim.live_refusal(true), None);
        let remote = local("10.0.0.5:9000", false);
        assert!(remote.live_refusal(true).unwrap().contains("neither"));
    }
}
