use super::*;

// A command name with spaces and parentheses, as `prctl` allows.
const STAT: &str = "4242 (smc (serve) x) S 1 4242 4242 0 -1 4194560 3000 0 0 0 \
                    250 75 0 0 20 0 9 0 123456 987654321 2048 18446744073709551615";

#[test]
fn stat_fields_count_from_the_last_parenthesis() {
    let t = parse_stat(STAT).unwrap();
    assert_eq!(
        t,
        StatTicks {
            utime: 250,
            stime: 75,
            start: 123_456
        }
    );
    assert!(matches!(
        parse_stat("4242 (smc) S 1 2"),
        Err(ProcError::Missing { field: "utime", .. })
    ));
    assert!(parse_stat("no name").is_err());
}

#[test]
fn status_sizes_are_kilobytes() {
    let text = "Name:\tsmc\nVmSize:\t  204800 kB\nVmRSS:\t   10240 kB\nThreads:\t7\n";
    let s = parse_status(text).unwrap();
    assert_eq!(s.resident_bytes, 10_240 * 1024);
    assert_eq!(s.virtual_bytes, 204_800 * 1024);
    assert_eq!(s.threads, 7);
    let err = parse_status("Name:\tsmc\nVmSize:\t1 kB\nThreads:\t1\n").unwrap_err();
    assert_eq!(err.to_string(), "/proc/self/status: no VmRSS");
}

#[test]
fn boot_time_and_the_open_file_limit() {
    assert_eq!(
        parse_btime("cpu  1 2 3\nbtime 1700000000\nprocesses 9\n").unwrap(),
        1_700_000_000
    );
    assert!(parse_btime("cpu 1\n").is_err());
    let limits = "Limit                     Soft Limit           Hard Limit           Units\n\
                  Max open files            1024                 524288               files\n";
    assert_eq!(parse_max_fds(limits).unwrap(), 1024);
    assert!(parse_max_fds("Max open files  unlimited unlimited files\n").is_err());
}

#[test]
fn the_clock_tick_comes_from_the_auxiliary_vector() {
    let mut auxv = Vec::new();
    for (kind, value) in [(6usize, 4096usize), (17, 250), (0, 0)] {
        auxv.extend_from_slice(&kind.to_ne_bytes());
        auxv.extend_from_slice(&value.to_ne_bytes());
    }
    assert_eq!(parse_clock_ticks(&auxv), Some(250));
    assert_eq!(
        parse_clock_ticks(&auxv[..2 * std::mem::size_of::<usize>()]),
        None
    );
    assert_eq!(parse_clock_ticks(&[]), None);
}

#[test]
fn render_writes_only_what_was_read() {
    let mut out = String::new();
    let stats = ProcessStats {
        cpu_seconds: Some(1.5),
        threads: Some(4),
        ..ProcessStats::default()
    };
    render(&stats, &mut out);
    assert!(
        out.contains("# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1.5\n")
    );
    assert!(out.contains("process_threads 4\n"));
    assert!(!out.contains("process_resident_memory_bytes"));
    assert!(!out.contains("process_start_time_seconds"));
}
