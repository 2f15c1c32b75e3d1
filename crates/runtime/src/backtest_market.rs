//! What a backtest trades and on which account: the venue flags over the
//! config's models, the market of the instrument (spot, perpetual, or
//! forex for a forex venue's data), and the instrument with its rules.

use crate::error::{SessionError, SessionResult};
use rust_decimal::Decimal;
use smc_engine::{AccountKind, EngineConfig, FeeModel, IntrabarRule, LatencyModel, SlippageModel};
use smc_model::{Instrument, InstrumentSpec, MarketKind};

/// The flags that change the simulated venue; `None` keeps the config's.
#[derive(Debug, Clone, Copy, Default)]
pub struct VenueFlags {
    pub cash: Option<Decimal>,
    pub fee: Option<Decimal>,
    pub slippage_bps: Option<Decimal>,
    pub latency_ms: Option<i64>,
    pub fill_rule: Option<IntrabarRule>,
    /// The account, whatever the market (`spot` keeps a forex series on a
    /// spot account with a percentage fee, as research tools run it).
    pub account: Option<AccountChoice>,
    /// What the instrument is (default: the config's `backtest.instrument`,
    /// else forex for data from a forex venue, else spot).
    pub kind: Option<MarketKind>,
}

/// `--account`: a spot (cash) account, or a margin one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountChoice {
    Spot,
    Margin,
}

/// The market of a backtest's instrument: `spot` forced by `--account
/// spot`, else the flag, else the config's instrument, else spot.
pub fn market_kind(flags: &VenueFlags, settings: Option<&smc_config::Config>) -> MarketKind {
    if flags.account == Some(AccountChoice::Spot) {
        return MarketKind::Spot;
    }
    flags
        .kind
        .or_else(|| {
            settings
                .and_then(|c| c.backtest.instrument.as_ref())
                .map(|i| i.kind)
        })
        .unwrap_or(MarketKind::Spot)
}

/// The folders of the bundled data (`<venue>/<SYMBOL>-<tf>.csv`) whose
/// series are forex.
const FOREX_VENUES: [&str; 5] = ["oanda", "fxcm", "histdata", "dukascopy", "forex"];

/// `(venue, symbol)` of a file laid out as `<venue>/<SYMBOL>-<tf>.csv`
/// when the venue is a forex one.
pub fn forex_source(path: &std::path::Path) -> Option<(String, String)> {
    let venue = path.parent()?.file_name()?.to_str()?.to_ascii_lowercase();
    let stem = path.file_stem()?.to_str()?;
    let symbol = stem.split('-').next()?.to_ascii_uppercase();
    FOREX_VENUES
        .contains(&venue.as_str())
        .then_some((venue, symbol))
}

/// The engine's venue models and starting cash (the flag, else the
/// config's `trading.initial_balance`, else the product's 10,000).
pub fn engine_config(flags: &VenueFlags, settings: Option<&smc_config::Config>) -> EngineConfig {
    let mut config = settings.map(|c| c.backtest.engine).unwrap_or_default();
    if let Some(fee) = flags.fee {
        config.fees = FeeModel {
            maker: fee,
            taker: fee,
            asset: config.fees.asset,
        };
    }
    if let Some(bps) = flags.slippage_bps {
        config.slippage = if bps.is_zero() {
            SlippageModel::None
        } else {
            SlippageModel::FixedBps { bps }
        };
    }
    if let Some(ms) = flags.latency_ms {
        config.latency = LatencyModel { ms };
    }
    if let Some(rule) = flags.fill_rule {
        config.fill_rule = rule;
    }
    config.account.starting_cash = flags
        .cash
        .or(settings.map(|c| c.trading.initial_balance))
        .unwrap_or(Decimal::from(10_000));
    match (market_kind(flags, settings), flags.account) {
        (_, Some(AccountChoice::Spot)) => config.account.kind = AccountKind::Spot,
        // Forex: a margin account (the config's, else the forex model's
        // leverage) whose cost is the spread, unless --fee adds a fee.
        (MarketKind::Forex, _) => {
            if config.account.kind == AccountKind::Spot {
                config.account.kind = AccountKind::Margin {
                    leverage: config.forex.leverage,
                };
            }
            if flags.fee.is_none() {
                config.fees = FeeModel::ZERO;
            }
        }
        (_, Some(AccountChoice::Margin)) if config.account.kind == AccountKind::Spot => {
            config.account.kind = AccountKind::Margin {
                leverage: Decimal::ONE,
            };
        }
        _ => {}
    }
    config
}

/// The traded instrument: the config's `backtest.instrument` (its venue
/// rules applied to every order, its kind unless a flag says), else for a
/// forex series (by `--instrument-kind forex` or its folder, see
/// [`forex_source`]) the pair in whole units, else a fractional one with no
/// minimums, so that results compare with research tools.
pub fn backtest_instrument(
    settings: Option<&smc_config::Config>,
    flags: &VenueFlags,
    input: Option<&std::path::Path>,
) -> SessionResult<Instrument> {
    let bad = |id: &str, e: smc_model::InstrumentError| {
        SessionError::Setting(format!("backtest.instrument: bad id `{id}`: {e}"))
    };
    let kind = market_kind(flags, settings);
    if let Some(i) = settings.and_then(|c| c.backtest.instrument.as_ref()) {
        let id = format!("{}:{}", i.venue, i.symbol);
        return Ok(Instrument {
            id: id.parse().map_err(|e| bad(&id, e))?,
            kind,
            base: "BASE".into(),
            quote: "QUOTE".into(),
            spec: i.spec(),
        });
    }
    if kind == MarketKind::Forex {
        let (venue, symbol) = input
            .and_then(forex_source)
            .unwrap_or_else(|| ("forex".into(), "INPUT".into()));
        return forex_instrument(&venue, &symbol).map_err(|e| bad(&symbol, e));
    }
    Ok(Instrument {
        id: "backtest:INPUT"
            .parse()
            .map_err(|e| bad("backtest:INPUT", e))?,
        kind: MarketKind::Spot,
        base: "BASE".into(),
        quote: "QUOTE".into(),
        spec: InstrumentSpec::FRACTIONAL,
    })
}

/// A currency pair traded in whole units with prices to a tenth of a pip
/// (OANDA's `tradeUnitsPrecision` 0 and `displayPrecision` 5, 3 for JPY).
fn forex_instrument(venue: &str, symbol: &str) -> Result<Instrument, smc_model::InstrumentError> {
    let pair: String = symbol.chars().filter(char::is_ascii_alphabetic).collect();
    let (base, quote) = if pair.len() == 6 {
        (pair[..3].to_string(), pair[3..].to_string())
    } else {
        ("BASE".to_string(), "QUOTE".to_string())
    };
    let tick = if quote == "JPY" {
        Decimal::new(1, 3)
    } else {
        Decimal::new(1, 5)
    };
    Ok(Instrument {
        id: format!("{venue}:{symbol}").parse()?,
        kind: MarketKind::Forex,
        base,
        quote,
        spec: InstrumentSpec {
            tick_size: tick,
            lot_size: Decimal::ONE,
            min_qty: Decimal::ONE,
            min_notional: Decimal::ZERO,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_config_which_overrides_the_defaults() {
        let mut c = smc_config::Config::default();
        c.trading.initial_balance = Decimal::from(5_000);
        c.backtest.engine.latency = LatencyModel { ms: 250 };
        let flags = VenueFlags {
            fee: Some(Decimal::new(2, 3)),
            slippage_bps: Some(Decimal::ZERO),
            ..VenueFlags::default()
        };
        let e = engine_config(&flags, Some(&c));
        assert_eq!(e.fees.taker, Decimal::new(2, 3));
        assert_eq!(e.slippage, SlippageModel::None);
        assert_eq!(e.latency, LatencyModel { ms: 250 });
        assert_eq!(e.account.starting_cash, Decimal::from(5_000));
        let e = engine_config(&VenueFlags::default(), None);
        assert_eq!(e.account.starting_cash, Decimal::from(10_000));
    }

    #[test]
    fn forex_data_gets_a_margin_account_without_a_percentage_fee() {
        let path = std::path::Path::new("testdata/market/oanda/EURUSD-1d.csv");
        assert_eq!(forex_source(path), Some(("oanda".into(), "EURUSD".into())));
        let crypto = std::path::Path::new("testdata/market/binance-spot/ETHUSDT-1h.csv");
        assert_eq!(forex_source(crypto), None);
        let forex = VenueFlags {
            kind: Some(MarketKind::Forex),
            ..VenueFlags::default()
        };
        let e = engine_config(&forex, None);
        assert_eq!(e.fees, FeeModel::ZERO);
        assert_eq!(
            e.account.kind,
            AccountKind::Margin {
                leverage: Decimal::from(30)
            }
        );
        let i = backtest_instrument(None, &forex, Some(path)).unwrap();
        assert_eq!((i.base.as_str(), i.quote.as_str()), ("EUR", "USD"));
        assert_eq!(i.spec.tick_size, Decimal::new(1, 5));
        let jpy = backtest_instrument(
            None,
            &forex,
            Some(std::path::Path::new("oanda/USDJPY-1d.csv")),
        );
        assert_eq!(jpy.unwrap().spec.tick_size, Decimal::new(1, 3));
        // --account spot wins over the data: the research tools' model.
        let spot = VenueFlags {
            account: Some(AccountChoice::Spot),
            fee: Some(Decimal::new(1, 3)),
            ..forex
        };
        let e = engine_config(&spot, None);
        assert_eq!(e.account.kind, AccountKind::Spot);
        assert_eq!(e.fees.taker, Decimal::new(1, 3));
        assert_eq!(market_kind(&spot, None), MarketKind::Spot);
    }
}
