//! The daily and weekly reports of a trading session, from its journal on
//! either backend (`sqlite://FILE` or `postgres://…`), read without the
//! session's lock so a running session can be reported on.
//!
//! **Method.** A restart replays the logged candles through the engine;
//! a report needs only the account, so it replays the cheaper facts that
//! determine it, in time order: every fill (position at average cost,
//! realized P&L, fees, round trips), every logged candle's close at its
//! close time (the mark; a fill's price is the mark until the next close),
//! and the funding and financing the venue booked (logged venue reports).
//! Equity at any instant is the starting cash (the journal's
//! `starting_cash` for a live session, else the caller's, i.e. the config's
//! `trading.initial_balance`, else 10,000) plus each symbol's fill cash
//! flow and position at the mark, less fees and funding — exact decimals,
//! no division. Unrealized P&L is that value less what was realized, so
//! realized − fees − funding + the change in unrealized is the period's
//! equity change to the last digit, and the days of a week add up to it.
//! At each candle close this is the engine's own mark-to-market; the
//! journal's breaker trail gives the breaker events. Not counted: base
//! assets a live spot account held before its first fill, and fees paid in
//! a third asset beyond the quote value the fill records.

/// From facts to figures.
pub mod figures;
/// One symbol's book.
pub mod ledger;
/// Which instants a report covers.
pub mod period;

#[cfg(test)]
mod tests;

pub use chrono_tz::Tz;
pub use figures::{FundingEntry, JournalFacts, PriceMark, period_figures};
pub use period::Period;
pub use smc_report::period::html::sessions_page;
pub use smc_report::period::{PeriodFigures, PeriodKind, PeriodReport};

use crate::session::LoggedFinancing;
pub use chrono::NaiveDate;
use rust_decimal::Decimal;
use smc_store::StoreError;

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("reading {what} of {url}: {source}")]
    Store {
        what: &'static str,
        url: String,
        source: Box<StoreError>,
    },
    #[error("{0}")]
    Date(String),
    #[error("{url}: the session value `{name}` is `{value}`, not a number")]
    Corrupt {
        url: String,
        name: &'static str,
        value: String,
    },
}

/// What the journal does not say and the caller may know.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// The account's cash at the session's start when the journal does not
    /// keep it (paper sessions: the config's `trading.initial_balance`).
    pub starting_cash: Option<Decimal>,
    /// The account currency (default: the first symbol's quote currency).
    pub currency: Option<String>,
    /// How the report names its source (default: the URL, password hidden).
    pub source: Option<String>,
}

/// The starting cash when neither the journal nor the caller says.
pub const DEFAULT_STARTING_CASH: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);

/// The report of the day of `date` (or of the ISO week that contains it)
/// in `tz`, from the journal at `journal_url`.
pub fn period_report(
    journal_url: &str,
    kind: PeriodKind,
    date: NaiveDate,
    tz: Tz,
) -> Result<PeriodReport, ReportError> {
    period_report_with(journal_url, kind, date, tz, &ReportOptions::default())
}

/// [`period_report`] with what the caller knows beyond the journal.
pub fn period_report_with(
    journal_url: &str,
    kind: PeriodKind,
    date: NaiveDate,
    tz: Tz,
    options: &ReportOptions,
) -> Result<PeriodReport, ReportError> {
    let period = Period::of(kind, date, tz)?;
    let facts = read_facts(journal_url, options)?;
    Ok(smc_report::period::render(period_figures(&facts, &period)))
}

/// The facts a report replays, read from the journal at `journal_url`.
pub fn read_facts(journal_url: &str, options: &ReportOptions) -> Result<JournalFacts, ReportError> {
    let err = |what: &'static str| {
        move |source| ReportError::Store {
            what,
            url: smc_store::redacted_url(journal_url),
            source: Box::new(source),
        }
    };
    let journal = smc_store::open_journal_reader(journal_url).map_err(err("the journal"))?;
    let starting_cash = match journal
        .session_value("starting_cash")
        .map_err(err("the starting cash"))?
    {
        Some(v) => v.parse().map_err(|_| ReportError::Corrupt {
            url: smc_store::redacted_url(journal_url),
            name: "starting_cash",
            value: v,
        })?,
        None => options.starting_cash.unwrap_or(DEFAULT_STARTING_CASH),
    };
    let logged = journal.logged_candles().map_err(err("the candle log"))?;
    let marks: Vec<PriceMark> = logged
        .iter()
        .map(|c| PriceMark {
            symbol: c.instrument.symbol().to_string(),
            time: c.candle.open_time.ms() + c.timeframe.duration_ms(),
            price: c.candle.close,
        })
        .collect();
    let funding = journal
        .venue_reports()
        .map_err(err("the venue reports"))?
        .iter()
        .filter_map(|r| LoggedFinancing::parse(&r.report))
        .map(|f| FundingEntry {
            symbol: f.financing.symbol,
            time: f.financing.time.ms(),
            paid: f.financing.paid,
        })
        .collect();
    let fills = journal.fills().map_err(err("the fills"))?;
    let breakers = smc_store::open_risk_store(journal_url, true)
        .and_then(|s| s.breaker_events(None, None))
        .map_err(err("the breakers' trail"))?
        .into_iter()
        .map(|t| t.transition)
        .collect();
    let first_symbol = fills
        .first()
        .map(|f| f.instrument.symbol().to_string())
        .or_else(|| marks.first().map(|m| m.symbol.clone()))
        .unwrap_or_default();
    Ok(JournalFacts {
        starting_cash,
        currency: options
            .currency
            .clone()
            .unwrap_or_else(|| quote_currency(&first_symbol)),
        source: options
            .source
            .clone()
            .unwrap_or_else(|| smc_store::redacted_url(journal_url)),
        fills,
        marks,
        funding,
        breakers,
    })
}

/// The zone an IANA name (`Europe/Berlin`, `UTC`) names.
pub fn timezone(name: &str) -> Result<Tz, ReportError> {
    name.trim().parse().map_err(|_| {
        ReportError::Date(format!(
            "unknown time zone `{name}`: give an IANA name such as UTC or Europe/Berlin"
        ))
    })
}

/// A `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> Result<NaiveDate, ReportError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| ReportError::Date(format!("`{text}` is not a date (YYYY-MM-DD)")))
}

/// Today's date in `tz`, by the wall clock.
pub fn today(tz: Tz) -> NaiveDate {
    use smc_model::Clock;
    let now = smc_model::WallClock.now().ms();
    chrono::DateTime::from_timestamp_millis(now)
        .unwrap_or_default()
        .with_timezone(&tz)
        .date_naive()
}

/// The quote currency a symbol's name ends with (`BTCUSDT` → `USDT`,
/// `EUR_USD` → `USD`); empty when it is none of the usual ones.
pub fn quote_currency(symbol: &str) -> String {
    if let Some((_, quote)) = symbol.split_once('_') {
        return quote.to_string();
    }
    const QUOTES: [&str; 9] = [
        "FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USD", "EUR", "BTC", "ETH",
    ];
    QUOTES
        .iter()
        .find(|q| symbol.len() > q.len() && symbol.ends_with(*q))
        .map_or_else(String::new, |q| (*q).to_string())
}
