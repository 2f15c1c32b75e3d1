//! Errors of parity runs: bad options (where the reference raises too),
//! inputs the reference cannot represent, and the few option values pandas
//! accepts that we deliberately do not reproduce.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParityError {
    #[error(
        "unsupported --time-frame `{0}`: use 15min, 1h, 4h, 1D, D, W, 1W, MS or ME (pandas 3 spellings; \
         also N+min/h/D/s/ms such as 30min or 1h30min, W-MON…W-SUN, QE, QS, YE, YS; \
         `1H`, `4H`, `15m` and `1M` are pre-pandas-3 spellings that pandas 3 rejects)"
    )]
    TimeFrame(String),
    #[error("--time-frame `{time_frame}` is valid for pandas but not reproduced here: {reason}")]
    TimeFrameUnsupported {
        time_frame: String,
        reason: &'static str,
    },
    #[error(
        "unknown --session `{0}`: use Sydney, Tokyo, London, New York, Asian kill zone, London open kill zone, New York kill zone, london close kill zone or Custom"
    )]
    Session(String),
    #[error("--session Custom needs both --start HH:MM and --end HH:MM")]
    CustomSessionTimes,
    #[error("bad time `{0}`: expected HH:MM")]
    Time(String),
    #[error(
        "unknown --time-zone `{0}`: use UTC, UTC+N / GMT-N, an IANA name such as Europe/London, or a fixed offset such as +02:00"
    )]
    TimeZone(String),
    #[error(
        "time {time} does not exist in time zone {zone} (daylight saving gap); the reference raises here too"
    )]
    NonexistentTime { time: String, zone: String },
    #[error(
        "time {time} is ambiguous in time zone {zone} (daylight saving overlap); the reference raises here too"
    )]
    AmbiguousTime { time: String, zone: String },
    #[error(
        "timestamp {0} ms is outside pandas' datetime64[ns] range (1677-09-21 to 2262-04-11), or its period is"
    )]
    TimestampRange(i64),
    #[error("input columns have different lengths")]
    ColumnLengths,
}
