//! Errors of parity runs: only bad options can fail, as in the reference.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParityError {
    #[error(
        "unsupported --time-frame `{0}`: use 15min, 1h, 4h, 1D, D, W, 1W, MS or ME (pandas 3 spellings)"
    )]
    TimeFrame(String),
    #[error(
        "unknown --session `{0}`: use Sydney, Tokyo, London, New York, Asian kill zone, London open kill zone, New York kill zone, london close kill zone or Custom"
    )]
    Session(String),
    #[error("--session Custom needs both --start HH:MM and --end HH:MM")]
    CustomSessionTimes,
    #[error("bad time `{0}`: expected HH:MM")]
    Time(String),
    #[error(
        "unknown --time-zone `{0}`: use UTC, UTC+N / GMT-N, or an IANA name such as Europe/London"
    )]
    TimeZone(String),
}
