//! `smc venue-sim`: runs the exchange simulator on loopback, speaking the
//! Binance protocol (default) or Bybit v5 (`--protocol bybit`), replaying
//! CSV series as its market, until the process is stopped. The synthetic
//! order book it quotes can be widened or resized (`--book-spread-ticks`,
//! `--book-level-share`), so that two simulators of one series quote
//! different books.

use anyhow::Context;
use clap::Args;
use rust_decimal::Decimal;
use smc_venue_sim::flag_lists::{KeyLists, pair_markets};
use smc_venue_sim::{BookShape, Protocol, SimConfig};
use std::io::Write;
use std::path::PathBuf;

const FAULTS_HELP: &str = "Faults to inject, `;`-separated (also settable at run time: PUT /__sim/faults with the spec as the body, GET to read, DELETE to clear).

  spec  = fault *( \";\" fault )
  fault = kind [ \"(\" name=value *( \",\" name=value ) \")\" ]

Kinds:
  drop-ws(after=1s)      close WebSocket connections abruptly once they are this old
  delay(ms=1000)         delay HTTP responses
  429                    answer 429 -1003 with Retry-After
  418(secs=120)          answer 418 -1003 (IP banned) with Retry-After: secs
  -1021                  answer 400 -1021 (timestamp outside the recvWindow)
  5xx(status=503)        answer a 5xx (execution status unknown)
  order-timeout(ms=0)    accept the order into the book, then answer 503 -1007
  dup-events             send every user-data event twice
  reorder-events         swap consecutive user-data events (a lone one goes out 200 ms late)
  garble-events          cut a user-data event's frame in half
  refuse(code=-2010)     refuse the request with a Binance error; nothing is placed
Every kind also takes path=PREFIX (only matching request paths), method=GET|POST|PUT|DELETE,
type=PREFIX (only order placements whose type starts so: type=STOP hits stop legs),
every=N (every N-th occasion) and count=N (at most N times).
Example: --faults 'delay(ms=300,path=/api/v3/order);429(every=5,count=2);refuse(code=-2010,type=STOP)'";

/// The protocol flag's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProtocolArg {
    Binance,
    Bybit,
    Oanda,
}

/// Arguments of `smc venue-sim`.
#[derive(Debug, Args)]
pub struct VenueSimArgs {
    /// The venue protocol served: binance (spot /api/v3, USD-M /fapi) or
    /// bybit (v5: /v5 REST, /v5/public/{spot,linear} and /v5/private
    /// WebSockets, category spot and linear on a unified account) or
    /// oanda (v20: REST under /v3 and the pricing and transaction streams
    /// as chunked JSON lines; --api-key is the bearer token, --symbol an
    /// OANDA instrument such as EUR_USD, the series bid prices).
    #[arg(long, value_enum, default_value = "binance")]
    protocol: ProtocolArg,
    /// Port on 127.0.0.1 (0 picks a free one; the address is printed).
    #[arg(long)]
    port: u16,
    /// A CSV series (timestamp,open,high,low,close,volume) to replay; each
    /// --market pairs with the --symbol at the same position. Repeatable.
    #[arg(long = "market", value_name = "FILE", required = true)]
    markets: Vec<PathBuf>,
    /// The symbol the matching --market is traded as, on spot and on USD-M
    /// (quoted in USDT, e.g. BTCUSDT). Repeatable.
    #[arg(long = "symbol", value_name = "SYMBOL", required = true)]
    symbols: Vec<String>,
    /// An API key the simulator accepts; pairs with --api-secret. Repeatable.
    /// Without one, a key pair is generated and printed.
    #[arg(long = "api-key", value_name = "KEY")]
    api_keys: Vec<String>,
    /// The secret of the --api-key at the same position.
    #[arg(long = "api-secret", value_name = "SECRET")]
    api_secrets: Vec<String>,
    /// Report withdrawals as enabled for this key in
    /// /sapi/v1/account/apiRestrictions (Bybit: `Withdraw` under `Wallet` in
    /// /v5/user/query-api), to test that live mode refuses it.
    /// Repeatable.
    #[arg(long = "withdrawal-key", value_name = "KEY")]
    withdrawal_keys: Vec<String>,
    /// Report internal and universal transfers as enabled for this key
    /// (live mode must refuse it). Repeatable.
    #[arg(long = "transfer-key", value_name = "KEY")]
    transfer_keys: Vec<String>,
    /// Candles replayed per second (fractions allowed).
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    /// Starting balance of each key in USDT, on spot and on USD-M.
    #[arg(long, default_value = "10000")]
    balance: Decimal,
    /// USD-M leverage of every account.
    #[arg(long, default_value = "20")]
    leverage: Decimal,
    /// The largest share of a candle's volume an account's orders may fill
    /// per candle (e.g. 0.001); larger orders fill partially over later
    /// candles. Default: any size at once.
    #[arg(long, value_name = "SHARE")]
    participation: Option<Decimal>,
    /// Extra ticks between the last close and each side's best level of
    /// the synthetic book: 0 quotes the best bid at the close and the best
    /// ask one tick above; N quotes them N ticks lower and N ticks higher.
    #[arg(long, value_name = "N", default_value_t = 0)]
    book_spread_ticks: u32,
    /// Each level's quantity in the synthetic book as a share of the
    /// candle's volume (more than 0, at most 1), floored to the lot and at
    /// least one lot.
    // Negative numbers reach the range check, for its clear message.
    #[arg(
        long,
        value_name = "X",
        default_value = "0.01",
        allow_negative_numbers = true
    )]
    book_level_share: Decimal,
    #[arg(long, value_name = "SPEC", default_value = "", long_help = FAULTS_HELP, help = "Faults to inject (grammar in --help)")]
    faults: String,
    /// OANDA only: ask = bid + this many pips (the series are bid prices).
    #[arg(long, value_name = "PIPS", default_value = "1.5")]
    spread_pips: Decimal,
    /// OANDA only: the marginRate of every instrument (0.0333 is 30:1).
    #[arg(long, value_name = "RATE", default_value = "0.0333")]
    margin_rate: Decimal,
    /// OANDA only: annual financing rate of long units in percent, booked
    /// as DAILY_FINANCING at each 17:00 America/New_York the replay passes.
    #[arg(
        long,
        value_name = "PCT",
        default_value = "-3",
        allow_negative_numbers = true
    )]
    financing_long_pct: Decimal,
    /// OANDA only: annual financing rate of short units in percent.
    #[arg(
        long,
        value_name = "PCT",
        default_value = "1",
        allow_negative_numbers = true
    )]
    financing_short_pct: Decimal,
}

fn config(args: &VenueSimArgs) -> anyhow::Result<SimConfig> {
    let protocol = match args.protocol {
        ProtocolArg::Binance => Protocol::Binance,
        ProtocolArg::Bybit => Protocol::Bybit,
        ProtocolArg::Oanda => Protocol::Oanda,
    };
    let keys = KeyLists {
        keys: &args.api_keys,
        secrets: &args.api_secrets,
        withdrawal: &args.withdrawal_keys,
        transfer: &args.transfer_keys,
    };
    let config = SimConfig {
        port: args.port,
        markets: pair_markets(&args.markets, &args.symbols)?,
        keys: keys.pair(protocol)?,
        speed: args.speed,
        balance: args.balance,
        leverage: args.leverage,
        faults: args.faults.clone(),
        participation: args.participation,
        protocol,
        book: BookShape {
            spread_ticks: args.book_spread_ticks,
            level_share: args.book_level_share,
        },
        oanda: smc_venue_sim::OandaConfig {
            spread_pips: args.spread_pips,
            margin_rate: args.margin_rate,
            financing_long_pct: args.financing_long_pct,
            financing_short_pct: args.financing_short_pct,
        },
        ..SimConfig::default()
    };
    config.validate()?;
    Ok(config)
}

pub fn run(args: &VenueSimArgs) -> anyhow::Result<()> {
    let config = config(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let sim = smc_venue_sim::start(config).await?;
        let text = sim.banner();
        // Whoever started us may stop reading stdout after the address; the
        // simulator keeps serving all the same.
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
        drop(out);
        sim.wait().await;
        anyhow::Ok(())
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: VenueSimArgs,
    }

    fn parse(extra: &[&str]) -> VenueSimArgs {
        let base = [
            "smc", "--port", "0", "--market", "m.csv", "--symbol", "BTCUSDT",
        ];
        Cli::try_parse_from(base.iter().chain(extra)).unwrap().args
    }

    #[test]
    fn book_flags_shape_the_book() {
        let default = config(&parse(&[])).unwrap();
        assert_eq!(default.book, BookShape::default());
        let shaped = config(&parse(&[
            "--book-spread-ticks",
            "3",
            "--book-level-share",
            "0.25",
        ]))
        .unwrap();
        assert_eq!(shaped.book.spread_ticks, 3);
        assert_eq!(shaped.book.level_share, Decimal::new(25, 2));
        assert_eq!(
            config(&parse(&["--book-level-share", "1"]))
                .unwrap()
                .book
                .level_share,
            Decimal::ONE
        );
    }

    #[test]
    fn a_level_share_outside_zero_to_one_is_refused() {
        for bad in ["0", "-0.5", "1.5"] {
            let e = config(&parse(&["--book-level-share", bad])).unwrap_err();
            assert!(e.to_string().contains("--book-level-share"), "{bad}: {e}");
        }
        assert!(
            Cli::try_parse_from([
                "smc",
                "--port",
                "0",
                "--market",
                "m",
                "--symbol",
                "S",
                "--book-spread-ticks",
                "-1"
            ])
            .is_err()
        );
    }

    #[test]
    fn oanda_takes_a_token_without_secret_and_its_own_flags() {
        let c = config(&parse(&["--protocol", "oanda", "--api-key", "tok"])).unwrap();
        assert_eq!(c.protocol, Protocol::Oanda);
        assert_eq!(c.keys[0].key, "tok");
        assert_eq!(c.oanda, smc_venue_sim::OandaConfig::default());
        assert_eq!(c.oanda.spread_pips, Decimal::new(15, 1));
        let c = config(&parse(&[
            "--protocol",
            "oanda",
            "--spread-pips",
            "0.8",
            "--financing-long-pct",
            "-2.5",
        ]))
        .unwrap();
        assert_eq!(c.oanda.spread_pips, Decimal::new(8, 1));
        assert_eq!(c.oanda.financing_long_pct, Decimal::new(-25, 1));
        // Binance still pairs keys with secrets.
        assert!(config(&parse(&["--api-key", "k"])).is_err());
        assert!(config(&parse(&["--protocol", "oanda", "--margin-rate", "0"])).is_err());
        let e = config(&parse(&["--balance", "0"])).unwrap_err();
        assert!(e.to_string().contains("--balance must be positive"), "{e}");
    }
}
