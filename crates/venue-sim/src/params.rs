//! Request parameters: the query string and the form body, percent-decoded,
//! with Binance's precedence (a parameter in both places takes the query
//! string's value) and typed getters that fail with Binance's -1102/-1100.

use crate::error::ApiError;
use rust_decimal::Decimal;
use std::str::FromStr;

/// The decimal grammar Binance reports in -1100 messages.
const DECIMAL_RANGE: &str = "^([0-9]{1,20})(\\.[0-9]{1,20})?$";
const INTEGER_RANGE: &str = "^[0-9]{1,20}$";

/// Decoded `name=value` pairs, query string first.
#[derive(Debug, Clone, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

fn illegal() -> ApiError {
    ApiError::bad(-1100, "Illegal characters found in a parameter.")
}

/// Refuses the escapes `form_urlencoded` would let through unchanged: a
/// `%` not followed by two hex digits.
fn check_escapes(raw: &[u8]) -> Result<(), ApiError> {
    for (i, _) in raw.iter().enumerate().filter(|(_, b)| **b == b'%') {
        match raw.get(i + 1..i + 3) {
            Some([a, b]) if a.is_ascii_hexdigit() && b.is_ascii_hexdigit() => {}
            _ => return Err(illegal()),
        }
    }
    Ok(())
}

impl Params {
    /// Parses the raw query string and the raw form body.
    pub fn parse(query: &str, body: &[u8]) -> Result<Self, ApiError> {
        check_escapes(query.as_bytes())?;
        check_escapes(body)?;
        // Bytes that are not UTF-8 once decoded come back as U+FFFD.
        let pairs = form_urlencoded::parse(query.as_bytes())
            .chain(form_urlencoded::parse(body))
            .map(|(name, value)| {
                if name.contains('\u{FFFD}') || value.contains('\u{FFFD}') {
                    Err(illegal())
                } else {
                    Ok((name.into_owned(), value.into_owned()))
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(Params { pairs })
    }

    /// The value of `name` (the query string's, if both carry it).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name).ok_or_else(|| ApiError::mandatory(name))
    }

    /// An optional decimal parameter.
    pub fn decimal(&self, name: &str) -> Result<Option<Decimal>, ApiError> {
        self.get(name)
            .map(|v| {
                let ok = !v.is_empty()
                    && v.chars().all(|c| c.is_ascii_digit() || c == '.')
                    && v.matches('.').count() <= 1;
                if !ok {
                    return Err(ApiError::illegal(name, DECIMAL_RANGE));
                }
                Decimal::from_str(v).map_err(|_| ApiError::illegal(name, DECIMAL_RANGE))
            })
            .transpose()
    }

    /// An optional non-negative integer parameter.
    pub fn integer(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.get(name)
            .map(|v| {
                v.parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 0)
                    .ok_or_else(|| ApiError::illegal(name, INTEGER_RANGE))
            })
            .transpose()
    }

    /// An optional boolean (`true`/`false`, any case).
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, ApiError> {
        self.get(name)
            .map(|v| match v.to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(ApiError::bad(
                    -1130,
                    format!("Data sent for parameter '{name}' is not valid."),
                )),
            })
            .transpose()
    }

    /// The `symbol` parameter, upper-cased as Binance does.
    pub fn symbol(&self) -> Option<String> {
        self.get("symbol").map(str::to_ascii_uppercase)
    }

    /// `symbols=["A","B"]` (the JSON list form of exchangeInfo).
    pub fn symbol_list(&self) -> Result<Option<Vec<String>>, ApiError> {
        self.get("symbols")
            .map(|raw| {
                serde_json::from_str::<Vec<String>>(raw)
                    .map(|v| v.into_iter().map(|s| s.to_ascii_uppercase()).collect())
                    .map_err(|_| {
                        ApiError::illegal(
                            "symbols",
                            "^\\[(\"[A-Z0-9-_.]{1,20}\"(,\"[A-Z0-9-_.]{1,20}\"){0,}){0,1}\\]$",
                        )
                    })
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_string_wins_over_the_body() {
        let p = Params::parse("symbol=BTCUSDT&side=BUY", b"side=SELL&quantity=1").unwrap();
        assert_eq!(p.get("side"), Some("BUY"));
        assert_eq!(p.get("quantity"), Some("1"));
    }

    #[test]
    fn components_are_percent_decoded() {
        let p = Params::parse("symbols=%5B%22BTCUSDT%22%5D&x=a+b", b"").unwrap();
        assert_eq!(p.symbol_list().unwrap(), Some(vec!["BTCUSDT".to_string()]));
        assert_eq!(p.get("x"), Some("a b"));
        assert!(Params::parse("x=%G1", b"").is_err());
        assert!(Params::parse("x=%4", b"").is_err());
        assert!(Params::parse("x=%FF", b"").is_err(), "not UTF-8");
        assert!(Params::parse("", b"x=%FF").is_err());
        assert_eq!(Params::parse("x=%C3%A9", b"").unwrap().get("x"), Some("é"));
    }

    proptest::proptest! {
        /// Any query and body: no panic, and every failure is a Binance
        /// error code, not a crash of the simulator's request handler.
        #[test]
        fn any_request_parses_or_is_refused_with_a_code(
            query in r"[a-zA-Z0-9=&%+\[\]\x22.,-]{0,80}|\PC{0,40}",
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80),
        ) {
            match Params::parse(&query, &body) {
                Ok(p) => {
                    for name in ["quantity", "price", "limit", "symbols", "newClientOrderId"] {
                        for code in [
                            p.decimal(name).err().map(|e| e.code),
                            p.integer(name).err().map(|e| e.code),
                            p.boolean(name).err().map(|e| e.code),
                            p.symbol_list().err().map(|e| e.code),
                        ]
                        .into_iter()
                        .flatten()
                        {
                            proptest::prop_assert!(code == -1100 || code == -1102, "{code}");
                        }
                    }
                }
                Err(e) => proptest::prop_assert!(e.code < 0),
            }
        }
    }

    #[test]
    fn typed_getters_use_binance_codes() {
        let p = Params::parse("quantity=1e5&price=-1&limit=x", b"").unwrap();
        assert_eq!(p.decimal("quantity").unwrap_err().code, -1100);
        assert_eq!(p.decimal("price").unwrap_err().code, -1100);
        assert_eq!(p.integer("limit").unwrap_err().code, -1100);
        assert_eq!(p.required("symbol").unwrap_err().code, -1102);
    }
}
