//! A period's figures from a session's journaled facts: the fills, the
//! logged candles' closes, the funding the venue booked and the breakers'
//! trail, replayed in time order through one [`Book`] per symbol. The
//! state just before the period's start and at its end give the period's
//! P&L as differences, so the days of a week add up to the week exactly.

use super::ledger::{Book, ClosedTrip};
use super::period::Period;
use rust_decimal::Decimal;
use smc_model::Fill;
use smc_report::period::{
    BreakerEventRow, DrawdownFigures, EquityPoint, ExposureFigures, PeriodFigures, PnlFigures,
    SymbolFigures, TradeFigures,
};
use smc_risk::breakers::{Action, BreakerTransition};
use std::collections::BTreeMap;

/// At most this many equity points are kept in the figures (the lowest
/// and highest of each stretch survive); drawdown and exposure are
/// measured on every point first.
pub const MAX_EQUITY_POINTS: usize = 2_000;

/// A price known from `time` on: a logged candle's close at its close time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceMark {
    pub symbol: String,
    pub time: i64,
    pub price: Decimal,
}

/// Funding or financing the venue booked (`paid` negative: received).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundingEntry {
    pub symbol: String,
    pub time: i64,
    pub paid: Decimal,
}

/// What a report is computed from.
#[derive(Debug, Clone, Default)]
pub struct JournalFacts {
    /// The account's cash when the session started.
    pub starting_cash: Decimal,
    pub currency: String,
    /// Where the facts come from, for people.
    pub source: String,
    pub fills: Vec<Fill>,
    pub marks: Vec<PriceMark>,
    pub funding: Vec<FundingEntry>,
    pub breakers: Vec<BreakerTransition>,
}

enum Event<'a> {
    Mark(&'a PriceMark),
    Fill(&'a Fill),
    Funding(&'a FundingEntry),
}

impl Event<'_> {
    /// Time, then candles before fills before funding at one instant: a
    /// fill stamped at a candle's close happened in the next candle.
    fn key(&self) -> (i64, u8) {
        match self {
            Event::Mark(m) => (m.time, 0),
            Event::Fill(f) => (f.time.ms(), 1),
            Event::Funding(f) => (f.time, 2),
        }
    }
}

/// The account: every symbol's book.
#[derive(Clone, Default)]
struct Account {
    books: BTreeMap<String, Book>,
}

impl Account {
    fn equity(&self, starting_cash: Decimal) -> Decimal {
        starting_cash + self.books.values().map(Book::equity_part).sum::<Decimal>()
    }

    fn exposure(&self) -> Decimal {
        self.books.values().map(Book::notional).sum()
    }
}

/// Tracks the curve, its drawdown and the exposure's peak.
struct Curve {
    points: Vec<EquityPoint>,
    peak: Decimal,
    drawdown: (Decimal, Decimal, Option<i64>),
    exposure_peak: (Decimal, Option<i64>),
}

impl Curve {
    fn new() -> Curve {
        Curve {
            points: Vec::new(),
            peak: Decimal::MIN,
            drawdown: (Decimal::ZERO, Decimal::ZERO, None),
            exposure_peak: (Decimal::ZERO, None),
        }
    }

    fn push(&mut self, time: i64, equity: Decimal, exposure: Decimal) {
        self.peak = self.peak.max(equity);
        let fall = self.peak - equity;
        if fall > self.drawdown.0 {
            let fraction = if self.peak > Decimal::ZERO {
                fall / self.peak
            } else {
                Decimal::ZERO
            };
            self.drawdown = (fall, fraction, Some(time));
        }
        if exposure > self.exposure_peak.0 {
            self.exposure_peak = (exposure, Some(time));
        }
        match self.points.last_mut() {
            Some(last) if last.time == time => last.equity = equity,
            _ => self.points.push(EquityPoint { time, equity }),
        }
    }
}

/// The figures of `period` from `facts`.
pub fn period_figures(facts: &JournalFacts, period: &Period) -> PeriodFigures {
    let mut events: Vec<Event> = facts
        .marks
        .iter()
        .map(Event::Mark)
        .chain(facts.fills.iter().map(Event::Fill))
        .chain(facts.funding.iter().map(Event::Funding))
        .collect();
    events.sort_by_key(Event::key);
    let mut account = Account::default();
    let mut before: Option<Account> = None;
    let mut curve = Curve::new();
    let mut trips: Vec<ClosedTrip> = Vec::new();
    let mut fills = 0u64;
    let mut last_time = None;
    for event in &events {
        let (time, _) = event.key();
        if time >= period.end {
            break;
        }
        if time >= period.start && before.is_none() {
            before = Some(account.clone());
            curve.push(
                period.start,
                account.equity(facts.starting_cash),
                account.exposure(),
            );
        }
        match event {
            Event::Mark(m) => {
                account.books.entry(m.symbol.clone()).or_default().mark = Some(m.price)
            }
            Event::Fill(f) => {
                let book = account
                    .books
                    .entry(f.instrument.symbol().to_string())
                    .or_default();
                let trip = book.fill(f);
                if time >= period.start {
                    fills += 1;
                    trips.extend(trip);
                }
            }
            Event::Funding(f) => {
                account.books.entry(f.symbol.clone()).or_default().funding += f.paid;
            }
        }
        if time >= period.start {
            curve.push(
                time,
                account.equity(facts.starting_cash),
                account.exposure(),
            );
            last_time = Some(time);
        }
    }
    let has_data = before.is_some();
    let start_state = before.unwrap_or_else(|| account.clone());
    if !has_data {
        curve.push(
            period.start,
            account.equity(facts.starting_cash),
            account.exposure(),
        );
    }
    // The curve ends at the period's end when the journal goes on past it,
    // else at the journal's last event inside it.
    let ends_inside = events.last().is_none_or(|e| e.key().0 < period.end);
    let end_time = match (ends_inside, last_time) {
        (true, Some(t)) => t,
        (true, None) => period.start,
        (false, _) => period.end,
    };
    curve.push(
        end_time,
        account.equity(facts.starting_cash),
        account.exposure(),
    );
    build(
        facts,
        period,
        &start_state,
        &account,
        curve,
        &trips,
        fills,
        has_data,
    )
}

/// One symbol's row: the differences of its book between the two states.
fn symbol_row(symbol: &str, start: &Book, end: &Book, trips: &[ClosedTrip]) -> SymbolFigures {
    let mine: Vec<&ClosedTrip> = trips.iter().filter(|t| t.symbol == symbol).collect();
    let wins = mine.iter().filter(|t| t.net > Decimal::ZERO).count() as u64;
    let realized = end.realized - start.realized;
    let fees = end.fees - start.fees;
    let funding = end.funding - start.funding;
    let unrealized_change = end.unrealized() - start.unrealized();
    SymbolFigures {
        symbol: symbol.to_string(),
        realized,
        fees,
        funding,
        unrealized_change,
        pnl: realized - fees - funding + unrealized_change,
        trades: mine.len() as u64,
        wins,
        losses: mine.len() as u64 - wins,
        position: end.qty,
        mark: end.mark,
        notional: end.notional(),
    }
}

#[allow(clippy::too_many_arguments)]
fn build(
    facts: &JournalFacts,
    period: &Period,
    start: &Account,
    end: &Account,
    curve: Curve,
    trips: &[ClosedTrip],
    fills: u64,
    has_data: bool,
) -> PeriodFigures {
    let empty = Book::default();
    let all: Vec<SymbolFigures> = end
        .books
        .iter()
        .map(|(s, b)| symbol_row(s, start.books.get(s).unwrap_or(&empty), b, trips))
        .collect();
    let sum = |f: fn(&SymbolFigures) -> Decimal| all.iter().map(f).sum::<Decimal>();
    let (realized, fees, funding) = (sum(|r| r.realized), sum(|r| r.fees), sum(|r| r.funding));
    // A symbol only watched (candles, no trading) in the period has no row.
    let symbols: Vec<SymbolFigures> = all
        .into_iter()
        .filter(|r| r.trades > 0 || !r.position.is_zero() || !r.pnl.is_zero() || !r.fees.is_zero())
        .collect();
    let starting_equity = start.equity(facts.starting_cash);
    let ending_equity = end.equity(facts.starting_cash);
    let total = ending_equity - starting_equity;
    let count = trips.len() as u64;
    let wins = trips.iter().filter(|t| t.net > Decimal::ZERO).count() as u64;
    let start_unrealized: Decimal = start.books.values().map(Book::unrealized).sum();
    let end_unrealized: Decimal = end.books.values().map(Book::unrealized).sum();
    PeriodFigures {
        kind: period.kind,
        period: period.label.clone(),
        timezone: period.tz.name().to_string(),
        start: period.start,
        end: period.end,
        start_local: period.local(period.start),
        end_local: period.local(period.end),
        source: facts.source.clone(),
        currency: facts.currency.clone(),
        has_data,
        pnl: PnlFigures {
            starting_equity,
            ending_equity,
            total,
            realized,
            unrealized: end_unrealized,
            unrealized_change: end_unrealized - start_unrealized,
            fees,
            funding,
            return_fraction: (!starting_equity.is_zero()).then(|| total / starting_equity),
        },
        trades: TradeFigures {
            count,
            wins,
            losses: count - wins,
            win_rate: (count > 0).then(|| Decimal::from(wins) / Decimal::from(count)),
            net_pnl: trips.iter().map(|t| t.net).sum(),
            best: trips.iter().map(|t| t.net).max(),
            worst: trips.iter().map(|t| t.net).min(),
            fills,
        },
        drawdown: DrawdownFigures {
            max_amount: curve.drawdown.0,
            max_fraction: curve.drawdown.1,
            trough_at: curve.drawdown.2,
            peak_equity: curve.peak,
        },
        exposure: ExposureFigures {
            end: end.exposure(),
            peak: curve.exposure_peak.0,
            peak_at: curve.exposure_peak.1,
        },
        breaker_events: breaker_rows(&facts.breakers, period),
        equity: thin(curve.points, MAX_EQUITY_POINTS),
        symbols,
    }
}

fn breaker_rows(trail: &[BreakerTransition], period: &Period) -> Vec<BreakerEventRow> {
    let mut rows: Vec<BreakerEventRow> = trail
        .iter()
        .filter(|t| period.contains(t.time.ms()))
        .map(|t| BreakerEventRow {
            time: t.time.ms(),
            time_local: period.local(t.time.ms()),
            breaker: t.breaker.clone(),
            action: match t.action {
                Action::Trip => "tripped",
                Action::Reset => "reset",
                Action::CoolDown => "cooldown",
                Action::Arm => "armed",
            }
            .to_string(),
            reason: t.reason.clone(),
            operator: t.operator.clone(),
        })
        .collect();
    rows.sort_by_key(|r| r.time);
    rows
}

/// At most about `max` points: the first and the last, and of each
/// stretch between, its lowest and highest in time order.
fn thin(points: Vec<EquityPoint>, max: usize) -> Vec<EquityPoint> {
    if points.len() <= max {
        return points;
    }
    let stretch = points.len().div_ceil(max / 2);
    let last = points.len() - 1;
    let mut out = vec![points[0].clone()];
    for chunk in points[1..last].chunks(stretch) {
        let lo = chunk.iter().min_by_key(|p| p.equity);
        let hi = chunk.iter().max_by_key(|p| p.equity);
        if let (Some(lo), Some(hi)) = (lo, hi) {
            let (a, b) = if lo.time <= hi.time {
                (lo, hi)
            } else {
                (hi, lo)
            };
            out.push(a.clone());
            if a != b {
                out.push(b.clone());
            }
        }
    }
    out.push(points[last].clone());
    out
}
