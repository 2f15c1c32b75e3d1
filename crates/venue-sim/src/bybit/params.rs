//! Request parameters: the query string of a GET or the JSON object body of
//! a POST (Bybit's two forms), with getters that fail with 10001 naming the
//! parameter. JSON values may be strings, numbers or booleans, as clients
//! send them (pybit sends quantities as strings, `positionIdx` as a number).

use super::envelope::BybitError;
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::BTreeMap;
use std::str::FromStr;

/// Parsed parameters.
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: BTreeMap<String, String>,
}

impl Params {
    /// A GET's raw query string.
    pub fn from_query(query: &str) -> Params {
        let values = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Params { values }
    }

    /// A POST's raw JSON body (an object; empty means no parameter).
    pub fn from_json(body: &[u8]) -> Result<Params, BybitError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Params::default());
        }
        let v: Value = serde_json::from_slice(body)
            .map_err(|_| BybitError::params("Request parameter error: the body is not JSON"))?;
        let obj = v
            .as_object()
            .ok_or_else(|| BybitError::params("Request parameter error: expected an object"))?;
        let mut values = BTreeMap::new();
        for (k, v) in obj {
            let s = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Null => continue,
                other => other.to_string(),
            };
            values.insert(k.clone(), s);
        }
        Ok(Params { values })
    }

    /// A non-empty value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn required(&self, name: &str) -> Result<&str, BybitError> {
        self.get(name).ok_or_else(|| BybitError::missing(name))
    }

    pub fn decimal(&self, name: &str) -> Result<Option<Decimal>, BybitError> {
        self.get(name)
            .map(|v| {
                Decimal::from_str(v)
                    .ok()
                    .filter(|d| *d >= Decimal::ZERO)
                    .ok_or_else(|| BybitError::invalid(name, v))
            })
            .transpose()
    }

    pub fn integer(&self, name: &str) -> Result<Option<i64>, BybitError> {
        self.get(name)
            .map(|v| v.parse().map_err(|_| BybitError::invalid(name, v)))
            .transpose()
    }

    pub fn boolean(&self, name: &str) -> Result<Option<bool>, BybitError> {
        self.get(name)
            .map(|v| match v {
                "true" | "1" => Ok(true),
                "false" | "0" => Ok(false),
                _ => Err(BybitError::invalid(name, v)),
            })
            .transpose()
    }

    /// The category, required.
    pub fn category(&self) -> Result<super::Category, BybitError> {
        super::Category::parse(self.required("category")?)
    }
}
