//! What people read: one paragraph per run (stdout, or stderr when
//! stdout carries the JSON).

use crate::args::Args;
use crate::http::HttpReport;
use crate::stats;
use crate::ws::WsReport;
use std::collections::BTreeMap;

/// A line for people: stdout, or stderr when stdout carries the JSON.
pub fn say(args: &Args, line: &str) {
    if args.json {
        eprintln!("{line}");
    } else {
        println!("{line}");
    }
}

pub fn show_http(args: &Args, r: &HttpReport) {
    let target = if r.target_rate > 0.0 {
        format!("{:.0}/s open loop", r.target_rate)
    } else {
        "closed loop".into()
    };
    say(
        args,
        &format!(
            "{:<7} {} clients, {target}: {} answers in {:.1} s = {:.0}/s, {} ok, errors {:?}\n        latency p50/p95/p99/max {}   service {}   send lag p99 {}",
            r.scenario,
            r.clients,
            r.sent,
            r.seconds,
            r.achieved_rate,
            r.ok,
            r.errors,
            r.latency.line(),
            r.service.line(),
            stats::human(r.send_lag.p99_us)
        ),
    );
    say(
        args,
        &format!(
            "        cpu seconds: {}",
            cpu_line(&r.cpu_seconds, r.seconds)
        ),
    );
    for (status, body) in &r.error_examples {
        say(args, &format!("        e.g. {status}: {body}"));
    }
}

pub fn show_ws(args: &Args, r: &WsReport) {
    say(
        args,
        &format!(
            "ws      {} subscribers, {:.0} events/s asked ({:.0}/s published) for {:.0} s: {} of {} delivered ({} still queued at the end), gaps (lost) {}, dropped {}\n        {:.0} events/s per subscriber = {:.0} frames/s, drained {:.0} ms after the last publish; latency p50/p95/p99/max {}; sustained: {}{}",
            r.subscribers,
            r.target_rate,
            r.published_rate,
            r.seconds,
            r.delivered,
            r.published * r.subscribers as u64,
            r.undelivered,
            r.gaps,
            r.dropped,
            r.delivered_rate_per_subscriber,
            r.delivered_frames_per_second,
            r.drain_ms,
            r.latency.line(),
            r.sustained,
            if r.close_reasons.is_empty() {
                String::new()
            } else {
                format!("\n        closes: {:?}", r.close_reasons)
            }
        ),
    );
    say(
        args,
        &format!(
            "        cpu seconds: {}",
            cpu_line(&r.cpu_seconds, r.seconds + r.drain_ms / 1e3)
        ),
    );
}

/// `server 9.1, load 6.2, pacer 0.1 of 20.0 (10.0 s × 2 cores)`.
pub fn cpu_line(cpu: &BTreeMap<String, f64>, wall: f64) -> String {
    let cores = std::thread::available_parallelism().map_or(1, usize::from) as f64;
    let parts: Vec<String> = cpu.iter().map(|(k, v)| format!("{k} {v:.1}")).collect();
    format!(
        "{} of {:.1} ({wall:.1} s × {cores} cores)",
        parts.join(", "),
        wall * cores
    )
}

/// Adds `since` to `cpu`; the pacing thread had ended, so its time (read by
/// itself) is also in `other processes`: taken out there.
pub fn settle(cpu: &mut BTreeMap<String, f64>, since: BTreeMap<String, f64>) {
    let own: f64 = ["pacer", "publisher"]
        .iter()
        .filter_map(|k| cpu.get(*k))
        .sum();
    cpu.extend(since);
    if let Some(other) = cpu.get_mut("other processes") {
        *other = ((*other - own).max(0.0) * 100.0).round() / 100.0;
    }
}
