//! OANDA's times to epoch milliseconds. OANDA writes RFC 3339 in UTC with
//! nanoseconds (`2016-06-22T18:41:29.285982286Z`) by default, or, with
//! `Accept-Datetime-Format: UNIX`, seconds with a fraction as a string
//! (`1466620889.285982286`) (v20.yaml, `DateTime`). Both are read; the
//! fraction is cut to milliseconds (a candle's or fill's millisecond is
//! all the engine keeps).

use super::error::ParseError;
use smc_model::time::epoch_ms;

/// Epoch ms of an OANDA time, or `None` if it is neither form.
pub fn parse_time_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() >= 20 && b[4] == b'-' && b[10] == b'T' {
        return rfc3339(b);
    }
    unix(s)
}

/// [`parse_time_ms`] with an error naming `what` and `field`.
pub fn time_ms(what: &'static str, field: &str, s: &str) -> Result<i64, ParseError> {
    parse_time_ms(s).ok_or_else(|| ParseError::Field {
        what,
        field: field.to_string(),
        detail: format!("`{s}` is not an RFC 3339 (UTC) or UNIX time"),
    })
}

#[inline(always)]
fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let mut v = 0u32;
    for &c in b.get(at..at + n)? {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// `YYYY-MM-DDTHH:MM:SS[.fff…]Z`; an offset other than `Z` is refused
/// (OANDA writes UTC only).
#[inline]
fn rfc3339(b: &[u8]) -> Option<i64> {
    let y = digits(b, 0, 4)?;
    let mo = digits(b, 5, 2)?;
    let d = digits(b, 8, 2)?;
    let h = digits(b, 11, 2)?;
    let mi = digits(b, 14, 2)?;
    let sec = digits(b, 17, 2)?;
    if b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut ms = 0u32;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 3 {
                ms = ms * 10 + u32::from(b[i] - b'0');
            }
            i += 1;
        }
        let n = i - start;
        if n == 0 {
            return None;
        }
        for _ in n..3 {
            ms *= 10;
        }
    }
    if b.get(i) != Some(&b'Z') || i + 1 != b.len() {
        return None;
    }
    Some(epoch_ms(i64::from(y), mo, d, h, mi, sec) + i64::from(ms))
}

/// `seconds[.fraction]`.
fn unix(s: &str) -> Option<i64> {
    let (secs, frac) = s.split_once('.').unwrap_or((s, ""));
    if secs.is_empty() || !secs.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = secs.parse().ok()?;
    let mut ms = 0i64;
    for k in 0..3 {
        ms = ms * 10 + frac.as_bytes().get(k).map_or(0, |c| i64::from(c - b'0'));
    }
    whole.checked_mul(1000)?.checked_add(ms)
}

/// Epoch ms as OANDA's RFC 3339 with milliseconds, for `from`/`to`.
pub fn format_time(ms: i64) -> String {
    let base = smc_model::time::format_utc(ms);
    // `YYYY-MM-DDTHH:MM:SSZ` → with the millisecond.
    let stem = base.trim_end_matches('Z');
    format!("{stem}.{:03}Z", ms.rem_euclid(1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_forms_to_the_millisecond() {
        assert_eq!(
            parse_time_ms("2016-06-22T18:41:29.285982286Z"),
            Some(1_466_620_889_285)
        );
        assert_eq!(
            parse_time_ms("2016-10-17T19:35:00Z"),
            Some(1_476_732_900_000)
        );
        assert_eq!(
            parse_time_ms("2016-10-17T19:35:00.5Z"),
            Some(1_476_732_900_500)
        );
        assert_eq!(
            parse_time_ms("1466620889.285982286"),
            Some(1_466_620_889_285)
        );
        assert_eq!(parse_time_ms("1466620889"), Some(1_466_620_889_000));
        assert_eq!(parse_time_ms("2016-06-22T18:41:29+01:00"), None);
        assert_eq!(parse_time_ms("2016-13-22T18:41:29Z"), None);
        assert_eq!(parse_time_ms("2016-06-22T18:41:29.Z"), None);
        assert_eq!(parse_time_ms("soon"), None);
        let e = time_ms("candles", "time", "x").unwrap_err();
        assert!(e.to_string().contains("field `time`"), "{e}");
        assert_eq!(format_time(1_466_620_889_285), "2016-06-22T18:41:29.285Z");
        assert_eq!(
            parse_time_ms(&format_time(1_466_620_889_285)),
            Some(1_466_620_889_285)
        );
    }
}
