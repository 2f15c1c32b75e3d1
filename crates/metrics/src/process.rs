//! The standard `process_*` metrics, read from `/proc` at render time (the
//! names and meanings of the Prometheus client libraries, so stock
//! dashboards and alerts work). Linux only: elsewhere they are absent.
//!
//! Reading happens in the scrape, never on a trading path, and each value
//! stands alone: a file that cannot be read or parsed drops its metrics,
//! not the scrape.

use std::fmt::Write as _;

/// Why a `/proc` file gave no value.
#[derive(Debug, thiserror::Error)]
pub enum ProcError {
    #[error("reading {path}: {source}")]
    Io {
        path: &'static str,
        source: std::io::Error,
    },
    #[error("{path}: no {field}")]
    Missing {
        path: &'static str,
        field: &'static str,
    },
}

/// One reading of the process; `None` where the value is unavailable.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ProcessStats {
    pub cpu_seconds: Option<f64>,
    pub resident_bytes: Option<u64>,
    pub virtual_bytes: Option<u64>,
    pub threads: Option<u64>,
    pub open_fds: Option<u64>,
    pub max_fds: Option<u64>,
    pub start_time_seconds: Option<f64>,
}

/// CPU times and start time from `/proc/self/stat`, in clock ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatTicks {
    pub utime: u64,
    pub stime: u64,
    /// Since boot.
    pub start: u64,
}

/// Memory and threads from `/proc/self/status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusFields {
    pub resident_bytes: u64,
    pub virtual_bytes: u64,
    pub threads: u64,
}

/// Parses `/proc/self/stat`. The command name (field 2) is in parentheses
/// and may itself contain spaces and parentheses, so fields are counted
/// from the last `)`.
pub fn parse_stat(text: &str) -> Result<StatTicks, ProcError> {
    let missing = |field| ProcError::Missing {
        path: "/proc/self/stat",
        field,
    };
    let rest = text.rsplit_once(')').ok_or(missing("command"))?.1;
    // After the name: field 3 (state) is index 0, so field n is n - 3.
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |n: usize, name| -> Result<u64, ProcError> {
        fields
            .get(n - 3)
            .and_then(|v| v.parse().ok())
            .ok_or(missing(name))
    };
    Ok(StatTicks {
        utime: field(14, "utime")?,
        stime: field(15, "stime")?,
        start: field(22, "starttime")?,
    })
}

/// Parses `/proc/self/status` (sizes there are in kB, which spares us the
/// page size that `stat`'s RSS is counted in).
pub fn parse_status(text: &str) -> Result<StatusFields, ProcError> {
    let value = |key: &'static str| -> Result<u64, ProcError> {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .ok_or(ProcError::Missing {
                path: "/proc/self/status",
                field: key,
            })
    };
    Ok(StatusFields {
        resident_bytes: value("VmRSS")?.saturating_mul(1024),
        virtual_bytes: value("VmSize")?.saturating_mul(1024),
        threads: value("Threads")?,
    })
}

/// The boot time (epoch seconds) from `/proc/stat`.
pub fn parse_btime(text: &str) -> Result<u64, ProcError> {
    text.lines()
        .find_map(|l| l.strip_prefix("btime ")?.trim().parse().ok())
        .ok_or(ProcError::Missing {
            path: "/proc/stat",
            field: "btime",
        })
}

/// The soft limit on open files from `/proc/self/limits`.
pub fn parse_max_fds(text: &str) -> Result<u64, ProcError> {
    text.lines()
        .find_map(|l| {
            l.strip_prefix("Max open files")?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .ok_or(ProcError::Missing {
            path: "/proc/self/limits",
            field: "Max open files",
        })
}

/// The kernel's clock tick rate (`AT_CLKTCK`) from the auxiliary vector:
/// native-endian word pairs of type and value. It is what `sysconf`
/// reports, without the `unsafe` a libc call would need.
pub fn parse_clock_ticks(auxv: &[u8]) -> Option<u64> {
    const AT_CLKTCK: usize = 17;
    const WORD: usize = std::mem::size_of::<usize>();
    let read = |b: &[u8]| Some(usize::from_ne_bytes(b.try_into().ok()?));
    auxv.chunks_exact(2 * WORD).find_map(|pair| {
        let (kind, value) = pair.split_at(WORD);
        (read(kind)? == AT_CLKTCK).then(|| read(value)?.try_into().ok())?
    })
}

#[cfg(target_os = "linux")]
fn file(path: &'static str) -> Result<String, ProcError> {
    std::fs::read_to_string(path).map_err(|source| ProcError::Io { path, source })
}

/// Reads the process's figures now.
#[cfg(target_os = "linux")]
pub fn read() -> ProcessStats {
    // USER_HZ is 100 on every architecture Linux exports it for; the
    // auxiliary vector confirms it when readable.
    let hz = std::fs::read("/proc/self/auxv")
        .ok()
        .and_then(|a| parse_clock_ticks(&a))
        .filter(|&hz| hz > 0)
        .unwrap_or(100) as f64;
    let stat = file("/proc/self/stat").and_then(|t| parse_stat(&t)).ok();
    let status = file("/proc/self/status")
        .and_then(|t| parse_status(&t))
        .ok();
    let btime = file("/proc/stat").and_then(|t| parse_btime(&t)).ok();
    let open_fds = std::fs::read_dir("/proc/self/fd")
        .ok()
        .map(|d| d.count() as u64);
    ProcessStats {
        cpu_seconds: stat.map(|s| s.utime.saturating_add(s.stime) as f64 / hz),
        resident_bytes: status.map(|s| s.resident_bytes),
        virtual_bytes: status.map(|s| s.virtual_bytes),
        threads: status.map(|s| s.threads),
        open_fds,
        max_fds: file("/proc/self/limits")
            .and_then(|t| parse_max_fds(&t))
            .ok(),
        start_time_seconds: stat
            .zip(btime)
            .map(|(s, boot)| boot as f64 + s.start as f64 / hz),
    }
}

/// No `/proc`: nothing to report.
#[cfg(not(target_os = "linux"))]
pub fn read() -> ProcessStats {
    ProcessStats::default()
}

/// Appends the available figures in the Prometheus text format.
pub fn render(stats: &ProcessStats, out: &mut String) {
    let mut one = |name: &str, kind: &str, help: &str, value: Option<f64>| {
        if let Some(v) = value {
            // Writing to a String cannot fail.
            let _ = write!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}\n"
            );
        }
    };
    let int = |v: Option<u64>| v.map(|v| v as f64);
    one(
        "process_cpu_seconds_total",
        "counter",
        "Total user and system CPU time spent in seconds.",
        stats.cpu_seconds,
    );
    one(
        "process_resident_memory_bytes",
        "gauge",
        "Resident memory size in bytes.",
        int(stats.resident_bytes),
    );
    one(
        "process_virtual_memory_bytes",
        "gauge",
        "Virtual memory size in bytes.",
        int(stats.virtual_bytes),
    );
    one(
        "process_threads",
        "gauge",
        "Number of OS threads in the process.",
        int(stats.threads),
    );
    one(
        "process_open_fds",
        "gauge",
        "Number of open file descriptors.",
        int(stats.open_fds),
    );
    one(
        "process_max_fds",
        "gauge",
        "Maximum number of open file descriptors.",
        int(stats.max_fds),
    );
    one(
        "process_start_time_seconds",
        "gauge",
        "Start time of the process since unix epoch in seconds.",
        stats.start_time_seconds,
    );
}

#[cfg(test)]
#[path = "process_tests.rs"]
mod tests;
