//! The indicator names and options of the reference library, with its
//! defaults (except `swing_length`, 5 as in its tests).

use std::str::FromStr;

/// One of the reference library's eight indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indicator {
    Fvg,
    SwingHighsLows,
    BosChoch,
    Ob,
    Liquidity,
    PreviousHighLow,
    Sessions,
    Retracements,
}

impl FromStr for Indicator {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "fvg" => Indicator::Fvg,
            "swing_highs_lows" => Indicator::SwingHighsLows,
            "bos_choch" => Indicator::BosChoch,
            "ob" => Indicator::Ob,
            "liquidity" => Indicator::Liquidity,
            "previous_high_low" => Indicator::PreviousHighLow,
            "sessions" => Indicator::Sessions,
            "retracements" => Indicator::Retracements,
            _ => {
                return Err(format!(
                    "unknown indicator `{s}`: use fvg, swing_highs_lows, bos_choch, ob, liquidity, \
                     previous_high_low, sessions or retracements"
                ));
            }
        })
    }
}

/// Options of all indicators; each indicator reads the ones it has.
#[derive(Debug, Clone, PartialEq)]
pub struct ParityOptions {
    pub swing_length: usize,
    pub join_consecutive: bool,
    pub close_break: bool,
    pub close_mitigation: bool,
    pub range_percent: f64,
    pub time_frame: String,
    pub session: String,
    pub start_time: String,
    pub end_time: String,
    pub time_zone: String,
}

impl Default for ParityOptions {
    fn default() -> Self {
        ParityOptions {
            swing_length: 5,
            join_consecutive: false,
            close_break: true,
            close_mitigation: false,
            range_percent: 0.01,
            time_frame: "1D".to_string(),
            session: String::new(),
            start_time: String::new(),
            end_time: String::new(),
            time_zone: "UTC".to_string(),
        }
    }
}
