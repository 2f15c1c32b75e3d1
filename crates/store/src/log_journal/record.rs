//! One record of the append-only journal log: an engine step (its candle,
//! if any, and its events) numbered by a sequence, framed so that a reader
//! finds where a record ends and whether it was written whole.
//!
//! Frame: `len: u32 LE` (of what follows the checksum), `crc: u32 LE`
//! (CRC-32 of what follows it), `seq: u64 LE`, then the step as JSON. JSON
//! because the events already serialize exactly (decimals as text) and a
//! log read by a person during an incident should be legible; a step is a
//! few hundred bytes, encoded in a few microseconds.

use crate::journal::{CandleReceipt, LoggedCandle};
use serde::{Deserialize, Serialize};
use smc_model::{Candle, EngineEvent, InstrumentId, Timeframe, Timestamp};

/// Bytes before the payload: length, checksum, sequence.
pub(crate) const HEADER: usize = 16;
/// A record longer than this is a damaged length field, not a step.
const MAX_PAYLOAD: usize = 64 << 20;

/// One engine step as logged.
#[derive(Debug, Clone, PartialEq)]
pub struct LogStep {
    pub candle: Option<LoggedCandle>,
    pub events: Vec<EngineEvent>,
}

/// The candle of a step, in the log's shape.
#[derive(Serialize, Deserialize)]
struct CandleRecord {
    instrument: InstrumentId,
    timeframe: String,
    candle: Candle,
    received_at: Option<Timestamp>,
    history: bool,
}

#[derive(Serialize)]
struct StepOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    candle: Option<CandleRecord>,
    events: &'a [EngineEvent],
}

#[derive(Deserialize)]
struct StepIn {
    candle: Option<CandleRecord>,
    events: Vec<EngineEvent>,
}

/// Why a record cannot be read back.
#[derive(Debug, PartialEq, Eq)]
pub enum Damage {
    /// The bytes end before the record does (a write cut short).
    Torn,
    /// The checksum disagrees with the bytes.
    Checksum,
    /// The bytes are whole but not a step (a bug or another file).
    Content(String),
}

/// Appends the frame of step `seq` to `out`.
pub fn encode(
    seq: u64,
    candle: Option<&LoggedCandle>,
    events: &[EngineEvent],
    out: &mut Vec<u8>,
) -> Result<(), serde_json::Error> {
    let start = out.len();
    out.extend_from_slice(&[0; HEADER]);
    let step = StepOut {
        candle: candle.map(|c| CandleRecord {
            instrument: c.instrument.clone(),
            timeframe: c.timeframe.to_string(),
            candle: c.candle,
            received_at: c.receipt.received_at,
            history: c.receipt.history,
        }),
        events,
    };
    serde_json::to_writer(&mut *out, &step)?;
    out[start + 8..start + 16].copy_from_slice(&seq.to_le_bytes());
    let crc = crc32fast::hash(&out[start + 8..]);
    let len = (out.len() - start - 8) as u32;
    out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    out[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
    Ok(())
}

/// The record at the start of `bytes`: its sequence, its step and its
/// length in bytes.
pub fn decode(bytes: &[u8]) -> Result<(u64, LogStep, usize), Damage> {
    let (seq, payload, total) = frame(bytes)?;
    let step: StepIn =
        serde_json::from_slice(payload).map_err(|e| Damage::Content(e.to_string()))?;
    let candle = match step.candle {
        Some(c) => Some(LoggedCandle {
            instrument: c.instrument,
            timeframe: c
                .timeframe
                .parse::<Timeframe>()
                .map_err(|e| Damage::Content(e.to_string()))?,
            candle: c.candle,
            receipt: CandleReceipt {
                received_at: c.received_at,
                history: c.history,
            },
        }),
        None => None,
    };
    let step = LogStep {
        candle,
        events: step.events,
    };
    Ok((seq, step, total))
}

/// The sequence and payload of the frame at the start of `bytes`, checked.
fn frame(bytes: &[u8]) -> Result<(u64, &[u8], usize), Damage> {
    let word = |at: usize| -> Option<u32> {
        let b = bytes.get(at..at + 4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let (Some(len), Some(crc)) = (word(0), word(4)) else {
        return Err(Damage::Torn);
    };
    let len = len as usize;
    if !(8..=MAX_PAYLOAD).contains(&len) {
        return Err(Damage::Checksum);
    }
    let Some(body) = bytes.get(8..8 + len) else {
        return Err(Damage::Torn);
    };
    if crc32fast::hash(body) != crc {
        return Err(Damage::Checksum);
    }
    let mut seq = [0u8; 8];
    seq.copy_from_slice(&body[..8]);
    Ok((u64::from_le_bytes(seq), &body[8..], 8 + len))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use rust_decimal::Decimal;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn candle() -> LoggedCandle {
        LoggedCandle {
            instrument: "binance:BTCUSDT".parse().unwrap(),
            timeframe: "1m".parse().unwrap(),
            candle: Candle {
                open_time: Timestamp::from_ms(60_000),
                open: dec("100.5"),
                high: dec("101"),
                low: dec("99.25"),
                close: dec("100"),
                volume: dec("3.000001"),
            },
            receipt: CandleReceipt {
                received_at: Some(Timestamp::from_ms(120_003)),
                history: false,
            },
        }
    }

    #[test]
    fn a_step_reads_back_exactly_with_its_sequence_and_length() {
        let mut out = Vec::new();
        encode(7, Some(&candle()), &[], &mut out).unwrap();
        encode(8, None, &[], &mut out).unwrap();
        let (seq, step, len) = decode(&out).unwrap();
        assert_eq!(
            (seq, step.candle, step.events.len()),
            (7, Some(candle()), 0)
        );
        let (seq, step, rest) = decode(&out[len..]).unwrap();
        assert_eq!((seq, step.candle), (8, None));
        assert_eq!(len + rest, out.len());
    }

    #[test]
    fn a_cut_record_is_torn_and_a_flipped_byte_fails_the_checksum() {
        let mut out = Vec::new();
        encode(1, Some(&candle()), &[], &mut out).unwrap();
        for cut in [0, 3, 7, 15, out.len() - 1] {
            assert_eq!(
                decode(&out[..cut]).unwrap_err(),
                Damage::Torn,
                "cut at {cut}"
            );
        }
        for at in [4, 9, 20, out.len() - 1] {
            let mut bad = out.clone();
            bad[at] ^= 0x10;
            assert_eq!(decode(&bad).unwrap_err(), Damage::Checksum, "byte {at}");
        }
    }
}
