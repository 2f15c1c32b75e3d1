//! The straightforward CSV reader the fast one replaced, kept (tests only)
//! as the oracle the property tests compare the fast reader with: same
//! bytes in, the same candles (to the decimal's scale) or the same error out.

use crate::error::DataError;
use crate::fields::{parse_epoch_ms, parse_metatrader_date};
use crate::reader::{CsvFormat, Loaded, ReadOptions};
use rust_decimal::Decimal;
use smc_model::Candle;
use smc_model::Timestamp;
use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

/// Parses the time field of one layout.
type TimeParser = fn(&[u8]) -> Option<i64>;

/// Column positions of the fields we use, resolved once from the header.
struct Layout {
    format: CsvFormat,
    time: usize,
    time_name: &'static str,
    open: usize,
    high: usize,
    low: usize,
    close: usize,
    volume: usize,
}

/// Parses OHLCV CSV content; `path` is used only in error messages.
///
/// Files without quotes (every market data file we know) are split directly,
/// several times faster than a general CSV parser; anything quoted goes
/// through the `csv` crate, which handles the full RFC 4180 grammar.
pub fn parse_ohlcv(path: &Path, bytes: &[u8], options: ReadOptions) -> Result<Loaded, DataError> {
    let mut acc = Accumulator::new(path, options, bytes.len() / 48);
    if bytes.contains(&b'"') {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut record = csv::ByteRecord::new();
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let line = record.position().map_or(0, |p| p.line());
                    let fields: Vec<&[u8]> = record.iter().collect();
                    acc.row(line, &fields)?;
                }
                Err(e) => acc.reject(row_error(path, e.position().map_or(0, |p| p.line()), &e))?,
            }
        }
    } else {
        let mut fields: Vec<&[u8]> = Vec::with_capacity(16);
        let mut start = 0;
        let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
        for (index, end) in ends.enumerate() {
            let raw = &bytes[start..end];
            start = (end + 1).min(bytes.len());
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            fields.clear();
            fields.extend(raw.split(|&b| b == b','));
            acc.row(index as u64 + 1, &fields)?;
        }
    }
    acc.finish()
}

/// Turns rows into candles: the header fixes the layout, each later row is
/// parsed and checked against the previous one.
struct Accumulator<'p> {
    path: &'p Path,
    options: ReadOptions,
    layout: Option<Layout>,
    candles: Vec<Candle>,
    skipped: Vec<DataError>,
    previous: Option<Timestamp>,
}

impl<'p> Accumulator<'p> {
    fn new(path: &'p Path, options: ReadOptions, capacity: usize) -> Self {
        let (layout, skipped, previous) = (None, Vec::new(), None);
        Accumulator {
            path,
            options,
            layout,
            candles: Vec::with_capacity(capacity),
            skipped,
            previous,
        }
    }

    /// Takes one row; an error is returned only when it must stop the read.
    fn row(&mut self, line: u64, fields: &[&[u8]]) -> Result<(), DataError> {
        if fields.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            return Ok(()); // a blank line, e.g. the trailing newline
        }
        let Some(layout) = &self.layout else {
            self.layout = Some(detect_layout(self.path, fields)?);
            return Ok(());
        };
        match parse_row(self.path, layout, fields, line, self.previous) {
            Ok(candle) => {
                self.previous = Some(candle.open_time);
                self.candles.push(candle);
                Ok(())
            }
            Err(err) => self.reject(err),
        }
    }

    /// Records a bad row in lenient mode, or stops the read.
    fn reject(&mut self, err: DataError) -> Result<(), DataError> {
        if self.options.lenient {
            self.skipped.push(err);
            Ok(())
        } else {
            Err(err)
        }
    }

    fn finish(self) -> Result<Loaded, DataError> {
        let path = self.path.to_path_buf();
        let Some(layout) = self.layout else {
            return Err(DataError::Empty { path });
        };
        if self.candles.is_empty() && self.skipped.is_empty() {
            return Err(DataError::NoRows { path });
        }
        Ok(Loaded {
            format: layout.format,
            candles: self.candles,
            skipped: self.skipped,
        })
    }
}

fn row_error(path: &Path, line: u64, e: &csv::Error) -> DataError {
    DataError::Row {
        path: path.to_path_buf(),
        line,
        reason: e.to_string(),
    }
}

fn detect_layout(path: &Path, header: &[&[u8]]) -> Result<Layout, DataError> {
    let names: HashMap<String, usize> = header
        .iter()
        .enumerate()
        .map(|(i, f)| {
            (
                String::from_utf8_lossy(f)
                    .trim()
                    .trim_start_matches('\u{feff}')
                    .to_ascii_lowercase(),
                i,
            )
        })
        .collect();
    let (format, time_name) = if names.contains_key("timestamp") {
        (CsvFormat::Uniform, "timestamp")
    } else if names.contains_key("date") {
        (CsvFormat::MetaTrader, "date")
    } else {
        let header = header
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect::<Vec<_>>()
            .join(",");
        return Err(DataError::UnknownHeader {
            path: path.to_path_buf(),
            header,
        });
    };
    let column = |name: &'static str| {
        names
            .get(name)
            .copied()
            .ok_or_else(|| DataError::MissingColumn {
                path: path.to_path_buf(),
                column: name,
            })
    };
    Ok(Layout {
        format,
        time: column(time_name)?,
        time_name,
        open: column("open")?,
        high: column("high")?,
        low: column("low")?,
        close: column("close")?,
        volume: column("volume")?,
    })
}

fn parse_row(
    path: &Path,
    layout: &Layout,
    record: &[&[u8]],
    line: u64,
    previous: Option<Timestamp>,
) -> Result<Candle, DataError> {
    let field =
        |index: usize, name: &'static str, expected: &'static str| -> Result<&[u8], DataError> {
            record.get(index).copied().ok_or_else(|| DataError::Field {
                path: path.to_path_buf(),
                line,
                field: name,
                value: String::new(),
                expected,
            })
        };
    let bad = |name: &'static str, raw: &[u8], expected: &'static str| DataError::Field {
        path: path.to_path_buf(),
        line,
        field: name,
        value: String::from_utf8_lossy(raw).into_owned(),
        expected,
    };
    let (time_expected, time_parser): (&'static str, TimeParser) = match layout.format {
        CsvFormat::Uniform | CsvFormat::Parquet => ("epoch milliseconds", parse_epoch_ms),
        CsvFormat::MetaTrader => ("a date `YYYY.MM.DD HH:MM:SS`", parse_metatrader_date),
    };
    let raw_time = field(layout.time, layout.time_name, time_expected)?;
    let open_time =
        time_parser(raw_time).ok_or_else(|| bad(layout.time_name, raw_time, time_expected))?;
    let number = |index: usize, name: &'static str| -> Result<Decimal, DataError> {
        let raw = field(index, name, "a decimal number")?;
        parse_decimal(raw).ok_or_else(|| bad(name, raw, "a decimal number"))
    };
    let candle = Candle {
        open_time: Timestamp::from_ms(open_time),
        open: number(layout.open, "open")?,
        high: number(layout.high, "high")?,
        low: number(layout.low, "low")?,
        close: number(layout.close, "close")?,
        volume: number(layout.volume, "volume")?,
    };
    if let Some(previous) = previous.filter(|&p| open_time <= p.ms()) {
        return Err(DataError::NotIncreasing {
            path: path.to_path_buf(),
            line,
            field: layout.time_name,
            time: open_time,
            previous: previous.ms(),
        });
    }
    candle.check().map_err(|reason| DataError::Inconsistent {
        path: path.to_path_buf(),
        line,
        reason,
    })?;
    Ok(candle)
}

/// Parses an exact decimal such as `4261.48`, `-0.0000533` or `1e-5`.
pub fn parse_decimal(field: &[u8]) -> Option<Decimal> {
    parse_plain_decimal(field).or_else(|| {
        let s = std::str::from_utf8(field).ok()?.trim();
        Decimal::from_str(s)
            .or_else(|_| Decimal::from_scientific(s))
            .ok()
    })
}

fn parse_plain_decimal(field: &[u8]) -> Option<Decimal> {
    let (negative, digits) = match field.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, field),
    };
    let mut mantissa: u64 = 0;
    let mut scale: u32 = 0;
    let mut seen_dot = false;
    let mut seen_digit = false;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                // 18 significant digits always fit in u64; longer input uses the fallback.
                mantissa = mantissa.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
                if mantissa > 999_999_999_999_999_999 {
                    return None;
                }
                seen_digit = true;
                if seen_dot {
                    scale += 1;
                }
            }
            b'.' if !seen_dot => seen_dot = true,
            _ => return None,
        }
    }
    if !seen_digit || scale > 28 {
        return None;
    }
    let signed = if negative {
        -(mantissa as i128)
    } else {
        mantissa as i128
    };
    Decimal::try_from_i128_with_scale(signed, scale).ok()
}

#[cfg(test)]
mod tests {
    //! The fast reader against this one: on generated files, valid and
    //! damaged, in every layout, strict and lenient, the same candles (to
    //! each decimal's scale) and skipped rows, or the same error message.
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use crate::DataError;
    use crate::chunked::parse_clean_in;
    use crate::reader::{self, CsvFormat, Loaded, ReadOptions};
    use proptest::prelude::*;
    use std::path::Path;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// How many generated files the fast path took (checked below: a test
    /// whose files all fell back would compare the old reader with itself).
    static TAKEN: AtomicU32 = AtomicU32::new(0);

    /// What a read gives, in a form where equal means identical.
    type Outcome = Result<(CsvFormat, Vec<(i64, [[u8; 16]; 5])>, Vec<String>), String>;

    fn outcome(result: Result<Loaded, DataError>) -> Outcome {
        let loaded = result.map_err(|e| e.to_string())?;
        let candles = loaded
            .candles
            .iter()
            .map(|c| {
                let d = [c.open, c.high, c.low, c.close, c.volume].map(|x| x.serialize());
                (c.open_time.ms(), d)
            })
            .collect();
        let skipped = loaded.skipped.iter().map(ToString::to_string).collect();
        Ok((loaded.format, candles, skipped))
    }

    fn both(bytes: &[u8], lenient: bool) -> (Outcome, Outcome) {
        let path = Path::new("x.csv");
        let options = ReadOptions { lenient };
        (
            outcome(reader::parse_ohlcv(path, bytes, options)),
            outcome(super::parse_ohlcv(path, bytes, options)),
        )
    }

    /// A decimal as files write it: sometimes signed, sometimes long enough
    /// for the general parser, sometimes in exponent form.
    fn decimal() -> impl Strategy<Value = String> {
        prop_oneof![
            40 => ("[0-9]{1,7}", proptest::option::of("[0-9]{0,9}")).prop_map(|(i, f)| match f {
                Some(f) => format!("{i}.{f}"),
                None => i,
            }),
            1 => "[+-]?[0-9]{0,12}\\.?[0-9]{0,12}",
            1 => "[0-9]{1,3}e-?[0-9]",
            1 => "0\\.0{0,20}[1-9]",
        ]
    }

    /// A row whose four prices are sorted into a consistent candle most of
    /// the time, with a time step that is usually positive.
    fn rows() -> impl Strategy<Value = Vec<(i64, Vec<String>, String)>> {
        prop::collection::vec(
            (
                prop_oneof![200 => 1i64..120_000, 1 => -60_000i64..1],
                prop::collection::vec(decimal(), 4),
                decimal(),
                prop::bool::weighted(0.98),
            ),
            1..60,
        )
        .prop_map(|rows| {
            rows.into_iter()
                .map(|(step, mut prices, volume, sort)| {
                    if sort {
                        prices.sort_by(|a, b| {
                            let p = |s: &String| s.parse::<f64>().unwrap_or(0.0);
                            p(a).total_cmp(&p(b))
                        });
                        // low, open, close, high -> open, high, low, close
                        prices = vec![
                            prices[1].clone(),
                            prices[3].clone(),
                            prices[0].clone(),
                            prices[2].clone(),
                        ];
                    }
                    (step, prices, volume)
                })
                .collect()
        })
    }

    /// The columns in some order, perhaps with an extra one, as uniform or
    /// MetaTrader text.
    fn render(
        rows: &[(i64, Vec<String>, String)],
        order: &[usize],
        metatrader: bool,
        crlf: bool,
        final_newline: bool,
    ) -> String {
        let names = if metatrader {
            ["Date", "Open", "High", "Low", "Close", "Volume", "Spread"]
        } else {
            [
                "timestamp",
                "open",
                "high",
                "low",
                "close",
                "volume",
                "trades",
            ]
        };
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut text = order
            .iter()
            .map(|&i| names[i])
            .collect::<Vec<_>>()
            .join(",");
        let mut time = 1_600_000_000_000i64;
        for (step, prices, volume) in rows {
            time += step;
            let stamp = if metatrader {
                smc_model::time::format_utc(time)
                    .replace('-', ".")
                    .replace('T', " ")
                    .trim_end_matches('Z')
                    .chars()
                    .take(19)
                    .collect()
            } else {
                time.to_string()
            };
            let values = [
                stamp,
                prices[0].clone(),
                prices[1].clone(),
                prices[2].clone(),
                prices[3].clone(),
                volume.clone(),
                "7".to_string(),
            ];
            text.push_str(eol);
            text.push_str(
                &order
                    .iter()
                    .map(|&i| values[i].as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            );
        }
        if final_newline {
            text.push_str(eol);
        }
        text
    }

    /// Damage: a byte replaced, deleted or inserted, or a line repeated.
    fn damage(text: &str, edits: &[(usize, u8, u8)]) -> Vec<u8> {
        const BYTES: &[u8] = b"0123456789.,-+e \r\n\"xZ";
        let mut bytes = text.as_bytes().to_vec();
        for &(at, kind, with) in edits {
            if bytes.is_empty() {
                break;
            }
            let at = at % bytes.len();
            let with = BYTES[usize::from(with) % BYTES.len()];
            match kind % 4 {
                0 => bytes[at] = with,
                1 => {
                    bytes.remove(at);
                }
                2 => bytes.insert(at, with),
                _ => {
                    let start = bytes[..at]
                        .iter()
                        .rposition(|&b| b == b'\n')
                        .map_or(0, |i| i + 1);
                    let end = bytes[at..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(bytes.len(), |i| at + i + 1);
                    let line = bytes[start..end].to_vec();
                    bytes.splice(end..end, line);
                }
            }
        }
        bytes
    }

    fn order() -> impl Strategy<Value = Vec<usize>> {
        (
            Just((0..6).collect::<Vec<usize>>()).prop_shuffle(),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(shuffled, shuffle, extra)| {
                let mut order = if shuffle { shuffled } else { (0..6).collect() };
                if extra {
                    order.insert(order.len() / 2, 6);
                }
                order
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1_000))]

        #[test]
        fn fast_reader_equals_the_old_one(
            rows in rows(),
            order in order(),
            metatrader in prop::bool::weighted(0.2),
            crlf in any::<bool>(),
            final_newline in any::<bool>(),
            edits in prop_oneof![
                Just(Vec::new()),
                prop::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..4),
            ],
            lenient in any::<bool>(),
        ) {
            let text = render(&rows, &order, metatrader, crlf, final_newline);
            let bytes = damage(&text, &edits);
            let (fast, old) = both(&bytes, lenient);
            TAKEN.fetch_add(u32::from(crate::chunked::parse_clean_in(&bytes, 1).is_some()), Ordering::Relaxed);
            prop_assert_eq!(&fast, &old, "{}", String::from_utf8_lossy(&bytes));
            // The parallel path, in chunks of a few rows, on the same bytes.
            if memchr::memchr(b'"', &bytes).is_none() {
                for min_chunk in [1, 64, 200] {
                    if let Some((format, candles)) = parse_clean_in(&bytes, min_chunk) {
                        let skipped = Vec::new();
                        let chunked = outcome(Ok(Loaded { format, candles, skipped }));
                        prop_assert_eq!(&chunked, &old, "chunk {}", min_chunk);
                    }
                }
            }
        }
    }

    #[test]
    fn many_generated_files_take_the_fast_path() {
        fast_reader_equals_the_old_one();
        let n = TAKEN.load(Ordering::Relaxed);
        assert!(n >= 200, "only {n} of the generated files were clean");
    }

    #[test]
    fn a_clean_file_takes_the_parallel_path() {
        let text =
            "timestamp,open,high,low,close,volume\n60000,1,2,0.5,1.5,10\n120000,1.5,2.25,1,2,0\n";
        let (format, candles) = parse_clean_in(text.as_bytes(), 1).expect("clean");
        assert_eq!(format, CsvFormat::Uniform);
        assert_eq!(candles.len(), 2);
        assert_eq!(candles[1].high.to_string(), "2.25");
        // A blank line in the middle leaves the file to the sequential reader.
        let blank = text.replace("\n120000", "\n\n120000");
        assert!(parse_clean_in(blank.as_bytes(), 1).is_none());
    }
}
