//! The log reaches the user: a paper session's venue client logs its
//! requests at DEBUG, which `LOG_LEVEL=debug` shows and `LOG_LEVEL=error`
//! hides; `--log-level` wins over `LOG_LEVEL`, which wins over the config's
//! `app.log_level`; `--log-format json` writes one JSON object per stderr
//! line while stdout keeps the engine's events.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Sim, smc};
use std::path::Path;
use std::process::Output;

fn paper(sim: &Sim, dir: &Path, config: &str, env_level: Option<&str>, extra: &[&str]) -> Output {
    let cfg = dir.join("log.yaml");
    std::fs::write(&cfg, config).unwrap();
    let mut c = smc();
    c.args(["run", "--mode", "paper", "--venue-url", &sim.addr])
        .args(["--symbol", "BTCUSDT", "--max-bars", "3"])
        .arg("--config")
        .arg(&cfg)
        .arg("--db")
        .arg(dir.join("log.db"))
        .args(extra)
        .env_remove("LOG_LEVEL");
    if let Some(level) = env_level {
        c.env("LOG_LEVEL", level);
    }
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

const STRATEGY: &str = "backtest:\n  strategy: sma_cross\n  timeframes: [\"1m\"]\n";

fn venue_debug_lines(stderr: &str) -> usize {
    stderr
        .lines()
        .filter(|l| l.contains("DEBUG") && l.contains("smc_venues") && l.contains("HTTP response"))
        .count()
}

#[test]
fn the_level_comes_from_the_flag_then_the_environment_then_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(200, &[]);
    let debug = paper(&sim, dir.path(), STRATEGY, Some("debug"), &[]);
    let debug = String::from_utf8_lossy(&debug.stderr).into_owned();
    assert!(venue_debug_lines(&debug) > 0, "{debug}");
    assert!(
        debug.contains("INFO") && debug.contains("paper: BTCUSDT 1m"),
        "{debug}"
    );

    let error = paper(&sim, dir.path(), STRATEGY, Some("error"), &[]);
    let error = String::from_utf8_lossy(&error.stderr).into_owned();
    assert_eq!(venue_debug_lines(&error), 0, "{error}");
    assert!(
        !error.contains("INFO") && !error.contains("paper: BTCUSDT"),
        "{error}"
    );

    // The flag beats the environment.
    let flag = paper(
        &sim,
        dir.path(),
        STRATEGY,
        Some("error"),
        &["--log-level", "debug"],
    );
    assert!(venue_debug_lines(&String::from_utf8_lossy(&flag.stderr)) > 0);
    // The config speaks when neither does.
    let configured = format!("app:\n  log_level: \"DEBUG\"\n{STRATEGY}");
    let from_config = paper(&sim, dir.path(), &configured, None, &[]);
    assert!(venue_debug_lines(&String::from_utf8_lossy(&from_config.stderr)) > 0);
    let quiet = format!("app:\n  log_level: \"WARN\"\n{STRATEGY}");
    let quiet = paper(&sim, dir.path(), &quiet, None, &[]);
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains("INFO"));
}

#[test]
fn json_logs_go_to_stderr_and_the_events_stay_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(200, &[]);
    let out = paper(
        &sim,
        dir.path(),
        STRATEGY,
        Some("debug"),
        &["--log-format", "json"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let logs: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        logs.iter()
            .any(|l| l["level"] == "DEBUG"
                && l["target"].as_str().unwrap().starts_with("smc_venues"))
    );
    assert!(logs.iter().any(|l| {
        l["level"] == "INFO"
            && l["fields"]["message"]
                .as_str()
                .unwrap()
                .starts_with("paper: BTCUSDT 1m")
    }));
    // stdout: only the engine's JSON events, no log line among them.
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v.get("level").is_none(), "{line}");
    }
}

#[test]
fn a_bad_log_level_is_a_clear_error() {
    let out = smc()
        .args(["backtest", "--input", "x.csv"])
        .env("LOG_LEVEL", "loud")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("LOG_LEVEL") && stderr.contains("loud"),
        "{stderr}"
    );
}
