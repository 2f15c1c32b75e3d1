//! The fast path of the CSV reader: a clean unquoted file (a header on line
//! 1, then only good rows, strictly increasing in time) is split at newline
//! boundaries into chunks parsed in parallel and stitched in order.
//!
//! It is optimistic by design: it never reports an error. At the first row
//! it cannot take as-is (a bad field, a blank line, an inconsistent candle,
//! time not increasing, too many columns) it gives up and the caller reads
//! the file with the sequential reader, which owns every rule, line number
//! and message. So the fast path only has to agree with the sequential one
//! on good files, which the property tests check against the old reader.

use crate::fields::{parse_decimal, parse_epoch_ms, parse_metatrader_date};
use crate::reader::{CsvFormat, Layout, detect_layout};
use rayon::prelude::*;
use rust_decimal::Decimal;
use smc_model::{Candle, Timestamp};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// Columns beyond this are rare enough to leave to the sequential reader.
const MAX_COLUMNS: usize = 16;
/// Small inputs are not worth a thread hand-off.
const MIN_CHUNK_BYTES: usize = 256 * 1024;
/// Chunks per thread: a few, so a thread slowed by a neighbour on a shared
/// machine does not hold the others up.
const CHUNKS_PER_THREAD: usize = 4;
/// Rows a thread takes at a time.
const ROWS_PER_TASK: usize = 8192;
/// What a row the fast path cannot take becomes until the whole result is
/// thrown away.
const PLACEHOLDER: Candle = Candle {
    open_time: Timestamp::from_ms(0),
    open: Decimal::ZERO,
    high: Decimal::ZERO,
    low: Decimal::ZERO,
    close: Decimal::ZERO,
    volume: Decimal::ZERO,
};

/// Where the fields we use sit in a row.
struct Columns {
    /// time, open, high, low, close, volume.
    index: [usize; 6],
    /// Fields to split off a row: one past the largest index.
    width: usize,
    time: fn(&[u8]) -> Option<i64>,
    /// `timestamp,open,high,low,close,volume` in that order, epoch ms.
    standard: bool,
}

/// The candles of a clean unquoted file, or `None` when the file needs the
/// sequential reader (which then reports what is wrong, if anything is).
pub(crate) fn parse_clean(bytes: &[u8]) -> Option<(CsvFormat, Vec<Candle>)> {
    parse_clean_in(bytes, MIN_CHUNK_BYTES)
}

/// `parse_clean` with chunks of at least `min_chunk` bytes (small in the
/// tests, so small inputs still take the parallel path).
pub(crate) fn parse_clean_in(bytes: &[u8], min_chunk: usize) -> Option<(CsvFormat, Vec<Candle>)> {
    let header_end = memchr::memchr(b'\n', bytes)?;
    let header_line = strip_cr(&bytes[..header_end]);
    let header: Vec<&[u8]> = header_line.split(|&b| b == b',').collect();
    if header.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
        return None;
    }
    let layout = detect_layout(Path::new(""), &header).ok()?;
    let columns = columns(&layout)?;
    let body = &bytes[header_end + 1..];
    let chunk_bytes =
        (body.len() / (rayon::current_num_threads() * CHUNKS_PER_THREAD)).max(min_chunk);
    let chunks = split_at_newlines(body, chunk_bytes);
    let ends = line_ends(body, &chunks);
    let gave_up = AtomicBool::new(false);
    let row = |i: usize| {
        if gave_up.load(Ordering::Relaxed) {
            return PLACEHOLDER;
        }
        let start = if i == 0 { 0 } else { ends[i - 1] + 1 };
        match parse_line(&body[start..ends[i]], &columns) {
            Some(candle) => candle,
            None => {
                gave_up.store(true, Ordering::Relaxed);
                PLACEHOLDER
            }
        }
    };
    // An indexed parallel map collects straight into the one output vector,
    // so the 100 bytes per candle are written once, by both threads.
    let mut candles = Vec::new();
    if chunks.len() == 1 {
        candles.extend((0..ends.len()).map(row));
    } else {
        (0..ends.len())
            .into_par_iter()
            .with_min_len(ROWS_PER_TASK)
            .map(row)
            .collect_into_vec(&mut candles);
    }
    let increasing = candles
        .windows(2)
        .all(|pair| pair[0].open_time < pair[1].open_time);
    let clean = increasing && !candles.is_empty() && !gave_up.load(Ordering::Relaxed);
    clean.then_some((layout.format, candles))
}

/// The end (exclusive) of each row of `body`: every newline, and the end of
/// input when the last row has no newline.
fn line_ends(body: &[u8], chunks: &[&[u8]]) -> Vec<usize> {
    let offsets: Vec<usize> = chunks
        .iter()
        .scan(0, |at, chunk| {
            let start = *at;
            *at += chunk.len();
            Some(start)
        })
        .collect();
    let per_chunk = |(chunk, offset): (&&[u8], &usize)| -> Vec<usize> {
        memchr::memchr_iter(b'\n', chunk)
            .map(|i| i + offset)
            .collect()
    };
    let parts: Vec<Vec<usize>> = if chunks.len() == 1 {
        chunks.iter().zip(&offsets).map(per_chunk).collect()
    } else {
        chunks.par_iter().zip(&offsets).map(per_chunk).collect()
    };
    let mut ends = Vec::with_capacity(parts.iter().map(Vec::len).sum::<usize>() + 1);
    for part in &parts {
        ends.extend_from_slice(part);
    }
    let last_start = ends.last().map_or(0, |&e| e + 1);
    if last_start < body.len() {
        ends.push(body.len());
    }
    ends
}

fn columns(layout: &Layout) -> Option<Columns> {
    let index = [
        layout.time,
        layout.open,
        layout.high,
        layout.low,
        layout.close,
        layout.volume,
    ];
    let width = index.iter().max()? + 1;
    let time = match layout.format {
        CsvFormat::MetaTrader => parse_metatrader_date,
        CsvFormat::Uniform | CsvFormat::Parquet => parse_epoch_ms,
    };
    let standard = layout.format == CsvFormat::Uniform && index == [0, 1, 2, 3, 4, 5];
    (width <= MAX_COLUMNS).then_some(Columns {
        index,
        width,
        time,
        standard,
    })
}

/// Cuts `body` into pieces of about `size` bytes, each ending just after a
/// newline (the last one at the end of the input).
fn split_at_newlines(body: &[u8], size: usize) -> Vec<&[u8]> {
    let mut chunks = Vec::new();
    let mut start = 0;
    while body.len() - start > size {
        match memchr::memchr(b'\n', &body[start + size..]) {
            Some(i) => {
                let end = start + size + i + 1;
                chunks.push(&body[start..end]);
                start = end;
            }
            None => break,
        }
    }
    chunks.push(&body[start..]);
    chunks
}

fn parse_line(line: &[u8], columns: &Columns) -> Option<Candle> {
    if columns.standard
        && let Some(candle) = parse_standard(line)
    {
        return Some(candle);
    }
    let candle = parse_fields(line, columns)?;
    candle.check().ok()?;
    Some(candle)
}

/// One pass over a row of the usual layout: each field is parsed as its
/// bytes are met, up to the comma. It takes only the plainest text (digits,
/// one point, a leading sign, at most 18 characters), which the general
/// parsers read to the same value and scale, and only consistent candles
/// (`Candle::check`, done here on the integers); anything else goes to the
/// general path.
fn parse_standard(line: &[u8]) -> Option<Candle> {
    let (time, rest) = epoch_prefix(line)?;
    let (open, rest) = plain_prefix(rest.strip_prefix(b",")?)?;
    let (high, rest) = plain_prefix(rest.strip_prefix(b",")?)?;
    let (low, rest) = plain_prefix(rest.strip_prefix(b",")?)?;
    let (close, rest) = plain_prefix(rest.strip_prefix(b",")?)?;
    let (volume, rest) = plain_prefix(rest.strip_prefix(b",")?)?;
    // After the sixth field: the end of the row, a CR, or columns we ignore.
    if !(rest.is_empty() || rest == b"\r" || rest[0] == b',') {
        return None;
    }
    let consistent = !high.less(low)
        && !high.less(open)
        && !high.less(close)
        && !open.less(low)
        && !close.less(low)
        && volume.mantissa >= 0;
    consistent.then(|| Candle {
        open_time: Timestamp::from_ms(time),
        open: open.decimal(),
        high: high.decimal(),
        low: low.decimal(),
        close: close.decimal(),
        volume: volume.decimal(),
    })
}

/// `mantissa × 10^-scale` with at most 18 digits, as read from the text.
#[derive(Clone, Copy)]
struct Plain {
    mantissa: i64,
    scale: u32,
}

impl Plain {
    /// Exact comparison: both mantissas (below 10^18) brought to the larger
    /// scale (at most 18) stay below 10^36, within an i128.
    #[inline]
    fn less(self, other: Plain) -> bool {
        if self.scale == other.scale {
            return self.mantissa < other.mantissa;
        }
        let scale = self.scale.max(other.scale);
        let widen = |p: Plain| i128::from(p.mantissa) * 10i128.pow(scale - p.scale);
        widen(self) < widen(other)
    }

    #[inline]
    fn decimal(self) -> Decimal {
        let magnitude = self.mantissa.unsigned_abs();
        Decimal::from_parts(
            magnitude as u32,
            (magnitude >> 32) as u32,
            0,
            self.mantissa < 0,
            self.scale,
        )
    }
}

/// An epoch-ms field at the start of `text`: an optional `-` and 1 to 18
/// digits, then the rest of the text from the first byte that is no digit.
#[inline]
fn epoch_prefix(text: &[u8]) -> Option<(i64, &[u8])> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let mut value: i64 = 0;
    let mut n = 0;
    while let Some(&b) = digits.get(n) {
        let d = b.wrapping_sub(b'0');
        if d >= 10 || n == 18 {
            break;
        }
        // At most 18 digits: no overflow, so no overflow check either.
        value = value.wrapping_mul(10).wrapping_add(i64::from(d));
        n += 1;
    }
    let rest = &digits[n..];
    if n == 0 || rest.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some((if negative { -value } else { value }, rest))
}

/// A plain decimal at the start of `text` (see `parse_standard`), then the
/// rest of the text from the first byte that is neither digit nor point.
/// Zero is never negative, as `Decimal::try_from_i128_with_scale` makes it.
#[inline]
fn plain_prefix(text: &[u8]) -> Option<(Plain, &[u8])> {
    let (negative, body) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    let mut mantissa: i64 = 0;
    let mut dot: Option<usize> = None;
    let mut n = 0;
    while let Some(&b) = body.get(n) {
        let d = b.wrapping_sub(b'0');
        if d < 10 {
            // At most 18 digits: no overflow, so no overflow check either.
            mantissa = mantissa.wrapping_mul(10).wrapping_add(i64::from(d));
        } else if b == b'.' && dot.is_none() {
            dot = Some(n);
        } else {
            break;
        }
        n += 1;
        if n > 18 {
            return None;
        }
    }
    if n == usize::from(dot.is_some()) {
        return None;
    }
    let scale = dot.map_or(0, |i| n - i - 1) as u32;
    let mantissa = if negative { -mantissa } else { mantissa };
    Some((Plain { mantissa, scale }, &body[n..]))
}

fn parse_fields(line: &[u8], columns: &Columns) -> Option<Candle> {
    let mut fields: [&[u8]; MAX_COLUMNS] = [&[]; MAX_COLUMNS];
    let mut rest = Some(strip_cr(line));
    for field in fields.iter_mut().take(columns.width) {
        let text = rest?;
        match text.iter().position(|&b| b == b',') {
            Some(i) => {
                *field = &text[..i];
                rest = Some(&text[i + 1..]);
            }
            None => {
                *field = text;
                rest = None;
            }
        }
    }
    let [time, open, high, low, close, volume] = columns.index;
    Some(Candle {
        open_time: Timestamp::from_ms((columns.time)(fields[time])?),
        open: parse_decimal(fields[open])?,
        high: parse_decimal(fields[high])?,
        low: parse_decimal(fields[low])?,
        close: parse_decimal(fields[close])?,
        volume: parse_decimal(fields[volume])?,
    })
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}
