//! Perpetual funding rates from `timestamp,funding_rate` CSV files
//! (timestamp in epoch ms, rate as a fraction: 0.0001 = 0.01 %).

use rust_decimal::Decimal;
use smc_model::Timestamp;
use std::path::{Path, PathBuf};

/// One funding settlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FundingRate {
    pub time: Timestamp,
    pub rate: Decimal,
}

/// A funding file that cannot be used, naming the file, line and field.
#[derive(Debug, thiserror::Error)]
pub enum FundingError {
    #[error("cannot read funding file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: the header must be `timestamp,funding_rate`, found `{found}`")]
    Header { path: PathBuf, found: String },
    #[error("{path}:{line}: bad {field} `{value}`")]
    Field {
        path: PathBuf,
        line: usize,
        field: &'static str,
        value: String,
    },
    #[error("{path}:{line}: timestamp {time} is not after the previous one")]
    Order {
        path: PathBuf,
        line: usize,
        time: Timestamp,
    },
}

/// Reads a funding-rate file.
pub fn read_funding_rates(path: &Path) -> Result<Vec<FundingRate>, FundingError> {
    let text = std::fs::read_to_string(path).map_err(|source| FundingError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_funding_rates(path, &text)
}

/// Parses funding-rate CSV text; `path` is only for messages.
pub fn parse_funding_rates(path: &Path, text: &str) -> Result<Vec<FundingRate>, FundingError> {
    let mut lines = text.lines().enumerate();
    let header = lines.next().map_or("", |(_, h)| h.trim());
    if header.replace(' ', "") != "timestamp,funding_rate" {
        return Err(FundingError::Header {
            path: path.to_path_buf(),
            found: header.to_string(),
        });
    }
    let field_error = |line: usize, field: &'static str, value: &str| FundingError::Field {
        path: path.to_path_buf(),
        line,
        field,
        value: value.to_string(),
    };
    let mut rates: Vec<FundingRate> = Vec::new();
    for (n, row) in lines {
        let line = n + 1;
        let row = row.trim();
        if row.is_empty() {
            continue;
        }
        let (t, r) = row
            .split_once(',')
            .ok_or_else(|| field_error(line, "row", row))?;
        let time = t
            .trim()
            .parse()
            .map(Timestamp::from_ms)
            .map_err(|_| field_error(line, "timestamp", t))?;
        let rate = parse_rate(r.trim()).ok_or_else(|| field_error(line, "funding_rate", r))?;
        if rates.last().is_some_and(|p| p.time >= time) {
            return Err(FundingError::Order {
                path: path.to_path_buf(),
                line,
                time,
            });
        }
        rates.push(FundingRate { time, rate });
    }
    Ok(rates)
}

/// Plain or scientific notation (exchanges export both).
fn parse_rate(s: &str) -> Option<Decimal> {
    s.parse::<Decimal>()
        .ok()
        .or_else(|| Decimal::from_scientific(s).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn parses_rates_and_names_bad_fields() {
        let p = Path::new("f.csv");
        let ok =
            parse_funding_rates(p, "timestamp,funding_rate\n0,0.0001\n28800000,-1e-4\n").unwrap();
        assert_eq!(
            ok[1],
            FundingRate {
                time: Timestamp::from_ms(28_800_000),
                rate: dec!(-0.0001)
            }
        );
        let e = parse_funding_rates(p, "timestamp,funding_rate\n0,abc\n").unwrap_err();
        assert_eq!(e.to_string(), "f.csv:2: bad funding_rate `abc`");
        assert!(parse_funding_rates(p, "time,rate\n").is_err());
        assert!(parse_funding_rates(p, "timestamp,funding_rate\n5,0\n5,0\n").is_err());
    }
}
