//! CPU time of this process's threads, by thread name (Linux `/proc`):
//! the share the in-process server, the load generator and the publisher
//! took of the shared cores during a run.

use std::collections::BTreeMap;

/// `USER_HZ`: the unit of `/proc/*/stat` times on Linux.
const TICKS_PER_SECOND: f64 = 100.0;

/// CPU seconds (user + system) so far, per thread name.
pub fn snapshot() -> BTreeMap<String, f64> {
    let mut by_name = BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return by_name;
    };
    for task in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state …`: comm may hold spaces; fields follow the last `)`.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let name = group(&stat[open + 1..close]);
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        // After the comm: state is field 0, utime 11, stime 12.
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        *by_name.entry(name).or_insert(0.0) += (ticks(11) + ticks(12)) / TICKS_PER_SECOND;
    }
    by_name.insert(MACHINE.into(), machine_busy());
    by_name
}

/// Thread names without their numbers (`server-3` → `server`).
fn group(comm: &str) -> String {
    comm.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-')
        .to_string()
}

/// CPU seconds per thread group between two snapshots (finished threads'
/// time is lost, so the pacing threads are read before they end).
/// `other processes`: what the rest of the machine used meanwhile.
pub fn since(before: &BTreeMap<String, f64>) -> BTreeMap<String, f64> {
    let round = |d: f64| (d * 100.0).round() / 100.0;
    let mut used: BTreeMap<String, f64> = snapshot()
        .into_iter()
        .filter(|(k, _)| k != MACHINE)
        .map(|(k, v)| {
            let d = v - before.get(&k).copied().unwrap_or(0.0);
            (k, round(d))
        })
        .filter(|(_, v)| *v > 0.0)
        .collect();
    let ours: f64 = used.values().sum();
    let machine = machine_busy() - before.get(MACHINE).copied().unwrap_or(0.0);
    used.insert("other processes".into(), round((machine - ours).max(0.0)));
    used
}

/// The key of the machine's total in a snapshot.
const MACHINE: &str = "(machine)";

/// CPU seconds the calling thread has used.
pub fn this_thread() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/thread-self/stat") else {
        return 0.0;
    };
    let Some(close) = stat.rfind(')') else {
        return 0.0;
    };
    let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / TICKS_PER_SECOND
}

/// CPU seconds all processes of the machine have used (`/proc/stat`).
pub fn machine_busy() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/stat") else {
        return 0.0;
    };
    let Some(line) = stat.lines().next() else {
        return 0.0;
    };
    // cpu user nice system idle iowait irq softirq steal …: all but idle and iowait.
    let v: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let busy: f64 = v
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 4 && *i < 8)
        .map(|(_, x)| x)
        .sum();
    busy / TICKS_PER_SECOND
}
