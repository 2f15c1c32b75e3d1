//! Parameter specs (`NAME=SPEC` on the command line) and parameter sets.
//!
//! Grammar of one spec:
//!
//! ```text
//! spec    := NAME "=" body
//! body    := list | range | stepped
//! list    := value ("," value)*          e.g. reward_risk=1.5,2,3   bias_timeframe=1h,4h
//! range   := number ".." number          e.g. risk_percent=0.5..2.0   fast=5..50
//! stepped := number ".." number ":" step e.g. slow=20..100:20  (20,40,60,80,100)
//! value   := integer | decimal | word    (integer: digits with an optional sign;
//!                                         decimal: has a "." or an exponent; word: anything else)
//! ```
//!
//! A list and a stepped range are finite sets, usable by grid and random
//! search alike. A plain range is for random search, which samples it
//! uniformly: integers when both bounds are integers (both bounds
//! included), decimals otherwise, rounded to two more decimal places than
//! the more precise bound so that reports stay readable and values exact.
//! A grid expands a plain integer range to every integer in it and refuses
//! a decimal one.

use crate::error::OptimizeError;
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Most values a stepped or integer range may expand to: a typo such as
/// `1..1000000` must fail rather than exhaust memory.
pub const MAX_EXPANDED: usize = 10_000;

/// One parameter value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    Int(i64),
    Dec(Decimal),
    Text(String),
}

impl Value {
    /// Parses a value by the grammar above.
    pub fn parse(s: &str) -> Value {
        let t = s.trim();
        if let Ok(i) = t.parse::<i64>() {
            return Value::Int(i);
        }
        let numeric_shape = t.contains(['.', 'e', 'E'])
            && t.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'));
        if numeric_shape {
            let parsed = Decimal::from_str(t).or_else(|_| Decimal::from_scientific(t));
            if let Ok(d) = parsed {
                return Value::Dec(d.normalize());
            }
        }
        Value::Text(t.to_string())
    }

    /// The value as a decimal, when it is a number.
    pub fn as_decimal(&self) -> Option<Decimal> {
        match self {
            Value::Int(i) => Some(Decimal::from(*i)),
            Value::Dec(d) => Some(*d),
            Value::Text(_) => None,
        }
    }

    /// The value as a count, when it is a non-negative integer.
    pub fn as_usize(&self) -> Option<usize> {
        match self {
            Value::Int(i) => usize::try_from(*i).ok(),
            // `2.0` is a fine way to write 2.
            Value::Dec(d) if d.fract().is_zero() => d.to_string().parse().ok(),
            _ => None,
        }
    }

    /// The value as a number for statistics and JSON.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Dec(d) => f64::try_from(*d).ok(),
            Value::Text(_) => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(i) => write!(f, "{i}"),
            Value::Dec(d) => write!(f, "{}", d.normalize()),
            Value::Text(s) => f.write_str(s),
        }
    }
}

/// Numbers as JSON numbers, words as strings.
impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Int(i) => s.serialize_i64(*i),
            Value::Dec(d) => match f64::try_from(*d) {
                Ok(x) => s.serialize_f64(x),
                Err(_) => s.serialize_str(&d.to_string()),
            },
            Value::Text(t) => s.serialize_str(t),
        }
    }
}

/// The values one parameter may take.
#[derive(Debug, Clone, PartialEq)]
pub enum Domain {
    /// A finite set, in the order given.
    List(Vec<Value>),
    /// Every integer in `lo..=hi`.
    IntRange { lo: i64, hi: i64 },
    /// Decimals in `[lo, hi]`, sampled with `dp` decimal places.
    DecRange { lo: Decimal, hi: Decimal, dp: u32 },
}

/// One `NAME=SPEC`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSpec {
    pub name: String,
    pub domain: Domain,
}

impl FromStr for ParamSpec {
    type Err = OptimizeError;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let bad = |reason: &str| OptimizeError::Spec {
            spec: spec.to_string(),
            reason: reason.to_string(),
        };
        let (name, body) = spec
            .split_once('=')
            .ok_or_else(|| bad("expected NAME=SPEC, e.g. reward_risk=1.5,2,3"))?;
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(bad("the name must be letters, digits and `_`"));
        }
        let body = body.trim();
        if body.is_empty() {
            return Err(bad("no value"));
        }
        let domain = match body.split_once("..") {
            Some((lo, rest)) => parse_range(lo, rest).map_err(|r| bad(&r))?,
            None => {
                let values: Vec<Value> = body.split(',').map(Value::parse).collect();
                if values
                    .iter()
                    .any(|v| matches!(v, Value::Text(t) if t.is_empty()))
                {
                    return Err(bad("an empty value in the list"));
                }
                Domain::List(values)
            }
        };
        Ok(ParamSpec {
            name: name.to_string(),
            domain,
        })
    }
}

/// `lo..hi` or `lo..hi:step` (the part after `..` is `rest`).
fn parse_range(lo: &str, rest: &str) -> Result<Domain, String> {
    let (hi, step) = match rest.split_once(':') {
        Some((h, s)) => (h, Some(s)),
        None => (rest, None),
    };
    let number = |s: &str| match Value::parse(s) {
        Value::Text(_) => Err(format!("`{}` is not a number", s.trim())),
        v => Ok(v),
    };
    let (lo, hi) = (number(lo)?, number(hi)?);
    let (lo_d, hi_d) = (
        lo.as_decimal().unwrap_or_default(),
        hi.as_decimal().unwrap_or_default(),
    );
    if lo_d > hi_d {
        return Err("the lower bound is above the upper one".into());
    }
    let Some(step) = step else {
        return Ok(match (lo, hi) {
            (Value::Int(lo), Value::Int(hi)) => Domain::IntRange { lo, hi },
            _ => Domain::DecRange {
                lo: lo_d,
                hi: hi_d,
                dp: lo_d.scale().max(hi_d.scale()) + 2,
            },
        });
    };
    let step_v = number(step)?;
    let step_d = step_v.as_decimal().unwrap_or_default();
    if step_d <= Decimal::ZERO {
        return Err("the step must be positive".into());
    }
    let all_int = [&lo, &hi, &step_v]
        .iter()
        .all(|v| matches!(v, Value::Int(_)));
    let mut values = Vec::new();
    let mut x = lo_d;
    while x <= hi_d {
        if values.len() == MAX_EXPANDED {
            return Err(format!("expands to more than {MAX_EXPANDED} values"));
        }
        values.push(match (all_int, i64::try_from(x)) {
            (true, Ok(i)) => Value::Int(i),
            _ => Value::Dec(x.normalize()),
        });
        x += step_d;
    }
    Ok(Domain::List(values))
}

/// Parses every spec and refuses a name given twice.
pub fn parse_specs<S: AsRef<str>>(specs: &[S]) -> Result<Vec<ParamSpec>, OptimizeError> {
    let mut out: Vec<ParamSpec> = Vec::with_capacity(specs.len());
    for s in specs {
        let spec: ParamSpec = s.as_ref().parse()?;
        if out.iter().any(|p| p.name == spec.name) {
            return Err(OptimizeError::DuplicateParam { name: spec.name });
        }
        out.push(spec);
    }
    Ok(out)
}

/// One combination of parameter values, in the order of the specs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ParamSet {
    pub values: Vec<(String, Value)>,
}

impl ParamSet {
    /// The value of `name`, if the set has it.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

impl fmt::Display for ParamSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.values.is_empty() {
            return f.write_str("(defaults)");
        }
        for (k, (name, value)) in self.values.iter().enumerate() {
            if k > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{name}={value}")?;
        }
        Ok(())
    }
}

/// A JSON object `{name: value}`, in spec order.
impl Serialize for ParamSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.values.len()))?;
        for (name, value) in &self.values {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn lists_keep_order_and_types() {
        let p: ParamSpec = "reward_risk=1.5,2,3".parse().unwrap();
        assert_eq!(p.name, "reward_risk");
        assert_eq!(
            p.domain,
            Domain::List(vec![Value::Dec(dec!(1.5)), Value::Int(2), Value::Int(3)])
        );
        let p: ParamSpec = "bias_timeframe=1h,4h".parse().unwrap();
        assert_eq!(
            p.domain,
            Domain::List(vec![Value::Text("1h".into()), Value::Text("4h".into())])
        );
    }

    #[test]
    fn ranges_are_integer_or_decimal() {
        let p: ParamSpec = "fast=5..50".parse().unwrap();
        assert_eq!(p.domain, Domain::IntRange { lo: 5, hi: 50 });
        let p: ParamSpec = "risk_percent=0.5..2.0".parse().unwrap();
        assert_eq!(
            p.domain,
            Domain::DecRange {
                lo: dec!(0.5),
                hi: dec!(2),
                dp: 3
            }
        );
    }

    #[test]
    fn stepped_ranges_expand_inclusively() {
        let p: ParamSpec = "slow=20..100:20".parse().unwrap();
        let want: Vec<Value> = [20, 40, 60, 80, 100].map(Value::Int).into();
        assert_eq!(p.domain, Domain::List(want));
        let p: ParamSpec = "stop_buffer=0..0.3:0.1".parse().unwrap();
        assert_eq!(
            p.domain,
            Domain::List(vec![
                Value::Dec(dec!(0)),
                Value::Dec(dec!(0.1)),
                Value::Dec(dec!(0.2)),
                Value::Dec(dec!(0.3))
            ])
        );
    }

    #[test]
    fn bad_specs_are_errors() {
        for bad in [
            "noequals",
            "=1,2",
            "x=",
            "x=1,,2",
            "x=3..1",
            "x=a..b",
            "x=1..5:0",
            "x=1..5:-1",
            "x=0..100000:1",
            "bad name=1",
        ] {
            assert!(bad.parse::<ParamSpec>().is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn duplicate_names_are_refused() {
        assert!(matches!(
            parse_specs(&["a=1", "a=2"]),
            Err(OptimizeError::DuplicateParam { .. })
        ));
    }

    #[test]
    fn value_conversions() {
        assert_eq!(Value::parse("2.0").as_usize(), Some(2));
        assert_eq!(Value::parse("2.5").as_usize(), None);
        assert_eq!(Value::parse("-3").as_usize(), None);
        assert_eq!(Value::parse("1e-3"), Value::Dec(dec!(0.001)));
        assert_eq!(Value::parse("true"), Value::Text("true".into()));
    }

    #[test]
    fn sets_display_and_serialize_in_order() {
        let set = ParamSet {
            values: vec![
                ("slow".into(), Value::Int(40)),
                ("rr".into(), Value::Dec(dec!(1.50))),
                ("tf".into(), Value::Text("4h".into())),
            ],
        };
        assert_eq!(set.to_string(), "slow=40 rr=1.5 tf=4h");
        assert_eq!(
            serde_json::to_string(&set).unwrap(),
            r#"{"slow":40,"rr":1.5,"tf":"4h"}"#
        );
        assert_eq!(set.get("rr"), Some(&Value::Dec(dec!(1.5))));
    }
}
