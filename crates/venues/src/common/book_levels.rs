//! A REST order book answer's sides (`[["price","qty"],…]`, as Binance
//! and Bybit both send them) to levels, and the check that makes the
//! snapshot usable before it is cut to the asked depth.

use crate::binance::error::ParseError;
use crate::binance::parse_util::dec;
use crate::market::{BookLevel, OrderBookSnapshot};

/// The levels of the side called `name` in the answer `what`.
pub(crate) fn levels(
    what: &'static str,
    name: &str,
    raw: &[[&str; 2]],
) -> Result<Vec<BookLevel>, ParseError> {
    raw.iter()
        .enumerate()
        .map(|(i, [p, q])| {
            Ok(BookLevel {
                price: dec(what, &format!("{name}[{i}][0]"), p)?,
                qty: dec(what, &format!("{name}[{i}][1]"), q)?,
            })
        })
        .collect()
}

/// `book` cut to its best `depth` levels, or why it cannot be used (a
/// side out of best-first order, a crossed book): such a snapshot would
/// misprice every fill walked through it. `sides` names the fields.
pub(crate) fn checked(
    what: &'static str,
    sides: &str,
    mut book: OrderBookSnapshot,
    depth: usize,
) -> Result<OrderBookSnapshot, ParseError> {
    if let Some(fault) = book.fault() {
        return Err(ParseError::Field {
            what,
            field: sides.into(),
            detail: fault,
        });
    }
    book.truncate(depth);
    Ok(book)
}
