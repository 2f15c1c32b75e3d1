//! The hot path of the pricing stream: a `PRICE` line read in one pass,
//! values as slices of the input (shared scalar reading in
//! `common::json_scan`), tried before serde. It gives up (`None`) on
//! anything unusual — an escape, a nested value other than the level
//! arrays, a missing field — and [`parse_price_line`] then runs the serde
//! parser, which names the field it refuses. Faster, never more lenient.

use super::error::ParseError;
use super::instruments::VENUE;
use super::market_parse::{PriceLine, Quote, parse_price_line_serde};
use super::time::parse_time_ms;
use crate::binance::parse_util::plain_decimal;
use crate::common::json_scan::{Val, scalar, skip_ws, string};
use crate::market::BookLevel;
use rust_decimal::Decimal;
use smc_model::{InstrumentId, Timestamp};

/// Parses a pricing stream line: the scanner first, serde when it gives up.
pub fn parse_price_line(line: &str) -> Result<PriceLine, ParseError> {
    match scan_price(line) {
        Some(p) => Ok(p),
        None => parse_price_line_serde(line),
    }
}

struct Cur<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Cur<'a> {
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.i).copied()
    }
    #[inline(always)]
    fn ws(&mut self) {
        skip_ws(self.s, &mut self.i);
    }
    #[inline(always)]
    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.peek()? == c).then(|| self.i += 1)
    }
    /// After a value: `true` on `,` (more follows), `false` on `close`.
    #[inline(always)]
    fn next_or(&mut self, close: u8) -> Option<bool> {
        self.ws();
        let c = self.peek()?;
        self.i += 1;
        if c == b',' {
            Some(true)
        } else if c == close {
            Some(false)
        } else {
            None
        }
    }
    /// `[{"price":"…","liquidity":…}, …]`.
    fn levels(&mut self) -> Option<Vec<BookLevel>> {
        self.eat(b'[')?;
        let mut out = Vec::with_capacity(4);
        self.ws();
        if self.peek()? == b']' {
            self.i += 1;
            return Some(out);
        }
        loop {
            self.eat(b'{')?;
            let (mut price, mut qty) = (None, Decimal::ZERO);
            loop {
                self.ws();
                let key = string(self.s, &mut self.i)?;
                self.eat(b':')?;
                self.ws();
                let v = scalar(self.s, &mut self.i)?;
                match key {
                    "price" => price = Some(v.dec()?),
                    "liquidity" => {
                        qty = match v {
                            Val::Num(n) | Val::Str(n) => plain_decimal(n)?,
                            _ => return None,
                        }
                    }
                    _ => {}
                }
                if !self.next_or(b'}')? {
                    break;
                }
            }
            out.push(BookLevel { price: price?, qty });
            if !self.next_or(b']')? {
                return Some(out);
            }
        }
    }
}

/// The scanner: `Some` only for a well-formed `PRICE` or `HEARTBEAT` line.
pub fn scan_price(line: &str) -> Option<PriceLine> {
    let mut c = Cur { s: line, i: 0 };
    c.eat(b'{')?;
    let mut kind = None;
    let mut instrument = None;
    let mut time = None;
    let mut bids = None;
    let mut asks = None;
    let mut tradeable = None;
    let mut status = None;
    loop {
        c.ws();
        let key = string(line, &mut c.i)?;
        c.eat(b':')?;
        c.ws();
        match key {
            "bids" => bids = Some(c.levels()?),
            "asks" => asks = Some(c.levels()?),
            _ => {
                let v = scalar(line, &mut c.i)?;
                match key {
                    "type" => kind = v.str(),
                    "instrument" => instrument = v.str(),
                    "time" => time = v.str(),
                    "tradeable" => tradeable = v.bool(),
                    "status" => status = v.str(),
                    _ => {}
                }
            }
        }
        if !c.next_or(b'}')? {
            break;
        }
    }
    let time = Timestamp::from_ms(parse_time_ms(time?)?);
    match kind? {
        "HEARTBEAT" => Some(PriceLine::Heartbeat { time }),
        "PRICE" => Some(PriceLine::Price(Quote {
            instrument: InstrumentId::new(VENUE, instrument?).ok()?,
            bids: bids?,
            asks: asks?,
            time,
            tradeable: tradeable.unwrap_or_else(|| status.is_none_or(|s| s == "tradeable")),
        })),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = r#"{"type":"PRICE","time":"2016-10-27T08:38:45.664613867Z","bids":[{"price":"1.09177","liquidity":10000000},{"price":"1.09175","liquidity":"5000000"}],"asks":[{"price":"1.09188","liquidity":10000000}],"closeoutBid":"1.09173","closeoutAsk":"1.09192","status":"tradeable","tradeable":true,"instrument":"EUR_USD"}"#;

    #[test]
    fn the_scanner_agrees_with_serde() {
        let fast = scan_price(LINE).unwrap();
        assert_eq!(fast, parse_price_line_serde(LINE).unwrap());
        let PriceLine::Price(q) = fast else {
            panic!("not a price")
        };
        assert_eq!(q.bids.len(), 2);
        assert_eq!(q.bids[1].qty, Decimal::from(5_000_000));
        let hb = r#"{"type":"HEARTBEAT","time":"2016-10-27T08:38:44.327443673Z"}"#;
        assert_eq!(scan_price(hb), Some(parse_price_line_serde(hb).unwrap()));
    }

    #[test]
    fn gives_up_on_the_unusual_and_serde_names_the_field() {
        let nested = LINE.replace(r#""closeoutBid":"1.09173""#, r#""x":{"a":1}"#);
        assert!(scan_price(&nested).is_none());
        assert!(parse_price_line(&nested).is_ok(), "serde reads it");
        let bad = LINE.replace(r#""price":"1.09177""#, r#""price":"1.0x""#);
        assert!(scan_price(&bad).is_none());
        let e = parse_price_line(&bad).unwrap_err();
        assert!(e.to_string().contains("bids[0].price"), "{e}");
        assert!(scan_price(&LINE[..LINE.len() - 1]).is_none(), "truncated");
    }
}
