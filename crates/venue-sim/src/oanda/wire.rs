//! OANDA's wire conventions: RFC 3339 times with nanoseconds (or UNIX
//! seconds with a fraction, when the client asks with
//! `Accept-Datetime-Format: UNIX`), numbers as strings, and error bodies
//! `{"errorMessage", "errorCode"?}` with the HTTP status (v20.yaml).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use smc_model::time::{DAY_MS, HOUR_MS, MINUTE_MS, civil_from_days, days_from_civil};

/// `2016-06-22T18:41:29.285000000Z` (milliseconds padded to nanoseconds).
pub fn time(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
    let rem = ms.rem_euclid(DAY_MS);
    let (h, mi, s, milli) = (
        rem / HOUR_MS,
        rem % HOUR_MS / MINUTE_MS,
        rem % MINUTE_MS / 1000,
        rem % 1000,
    );
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}000000Z")
}

/// Parses an RFC 3339 time (`Z` or an offset, any fraction) or UNIX
/// seconds with an optional fraction; milliseconds.
pub fn parse_time(s: &str) -> Option<i64> {
    if let Ok(secs) = s.parse::<Decimal>() {
        let ms = (secs * Decimal::from(1000)).trunc();
        return i64::try_from(ms).ok();
    }
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &s[19..];
    let mut frac_ms = 0;
    if let Some(f) = rest.strip_prefix('.') {
        let digits = f.chars().take_while(char::is_ascii_digit).count();
        let padded = format!("{:0<3}", &f[..digits.min(3)]);
        frac_ms = padded.parse::<i64>().ok()?;
        rest = &f[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        o if o.len() == 6 => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let oh = o.get(1..3)?.parse::<i64>().ok()?;
            let om = o.get(4..6)?.parse::<i64>().ok()?;
            sign * (oh * HOUR_MS + om * MINUTE_MS)
        }
        _ => return None,
    };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let days = days_from_civil(y, mo as u32, d as u32);
    Some(days * DAY_MS + h * HOUR_MS + mi * MINUTE_MS + sec * 1000 + frac_ms - offset)
}

/// Keys whose values are times (rewritten for `Accept-Datetime-Format: UNIX`).
const TIME_KEYS: [&str; 12] = [
    "time",
    "openTime",
    "closeTime",
    "createTime",
    "createdTime",
    "filledTime",
    "cancelledTime",
    "triggeredTime",
    "gtdTime",
    "timestamp",
    "lastUpdateTime",
    "from",
];

/// Rewrites every RFC 3339 time of `v` as UNIX seconds (`"1476732900.000000000"`).
pub fn to_unix_times(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, x) in map.iter_mut() {
                let is_time = TIME_KEYS.contains(&k.as_str()) || k == "to";
                match x {
                    Value::String(s) if is_time => {
                        if let Some(ms) = parse_time(s).filter(|_| s.contains('T')) {
                            *s =
                                format!("{}.{:03}000000", ms.div_euclid(1000), ms.rem_euclid(1000));
                        }
                    }
                    _ => to_unix_times(x),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(to_unix_times),
        _ => {}
    }
}

/// An amount of the account currency: 4 decimals, as OANDA prints them.
pub fn money(d: Decimal) -> String {
    format!("{:.4}", d.round_dp(4))
}

/// A price at `dp` decimals.
pub fn price(d: Decimal, dp: u32) -> String {
    format!("{:.*}", dp as usize, d.round_dp(dp))
}

/// Whole units with their sign.
pub fn units(d: Decimal) -> String {
    d.trunc().normalize().to_string()
}

/// An id as OANDA writes it (a string).
pub fn id(n: u64) -> String {
    n.to_string()
}

/// An error answer of OANDA's shape.
#[derive(Debug, Clone)]
pub struct OandaError {
    pub status: u16,
    pub message: String,
    pub code: Option<String>,
    /// Extra members of the body (an `orderRejectTransaction`, ids).
    pub extra: Option<Value>,
}

impl OandaError {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        OandaError {
            status,
            message: message.into(),
            code: None,
            extra: None,
        }
    }

    /// 401, OANDA's text for a missing or unknown token.
    pub fn unauthorized() -> Self {
        OandaError::new(401, "Insufficient authorization to perform request.")
    }

    /// 400 `Invalid value specified for 'name'`.
    pub fn invalid(name: &str) -> Self {
        OandaError::new(400, format!("Invalid value specified for '{name}'"))
    }

    pub fn body(&self) -> Value {
        let mut v = match &self.extra {
            Some(Value::Object(m)) => Value::Object(m.clone()),
            _ => json!({}),
        };
        v["errorMessage"] = json!(self.message);
        if let Some(c) = &self.code {
            v["errorCode"] = json!(c);
        }
        v
    }
}

/// A JSON answer with OANDA's headers.
pub fn respond(status: u16, body: &Value, unix: bool) -> Response {
    let mut body = body.clone();
    if unix {
        to_unix_times(&mut body);
    }
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = (code, body.to_string()).into_response();
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_in_both_formats() {
        let ms = 1_466_620_889_285;
        assert_eq!(time(ms), "2016-06-22T18:41:29.285000000Z");
        assert_eq!(parse_time("2016-06-22T18:41:29.285982286Z"), Some(ms));
        assert_eq!(parse_time("2016-06-22T20:41:29.285+02:00"), Some(ms));
        assert_eq!(parse_time("1466620889.285"), Some(ms));
        assert_eq!(parse_time("2016-13-22T18:41:29Z"), None);
        let mut v = json!({"time": time(ms), "price": "1.10000"});
        to_unix_times(&mut v);
        assert_eq!(v["time"], "1466620889.285000000");
        assert_eq!(v["price"], "1.10000");
    }
}
