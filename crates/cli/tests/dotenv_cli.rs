//! The `.env` file: read from the working folder, beaten by variables
//! already set, and refused for live trading when others can read it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::smc;
use std::os::unix::fs::PermissionsExt;

#[test]
fn the_env_file_is_read_and_the_environment_wins_over_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), "LOG_LEVEL=loud\n").unwrap();
    // Read: its LOG_LEVEL is the one refused.
    let out = smc()
        .current_dir(dir.path())
        .env_remove("LOG_LEVEL")
        .args(["backtest", "--input", "none.csv"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`loud`"), "{stderr}");
    // Set in the environment: the file's value is not used.
    let out = smc()
        .current_dir(dir.path())
        .env("LOG_LEVEL", "info")
        .args(["backtest", "--input", "none.csv"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("loud") && stderr.contains("none.csv"),
        "{stderr}"
    );
}

#[test]
fn live_mode_refuses_an_env_file_others_can_read() {
    let dir = tempfile::tempdir().unwrap();
    let env = dir.path().join(".env");
    std::fs::write(&env, "BINANCE_API_KEY=k\nBINANCE_API_SECRET=s\n").unwrap();
    std::fs::set_permissions(&env, std::fs::Permissions::from_mode(0o644)).unwrap();
    let live = |dir: &std::path::Path| {
        smc()
            .current_dir(dir)
            .env_remove("BINANCE_API_KEY")
            .env_remove("BINANCE_API_SECRET")
            .args([
                "run",
                "--mode",
                "live",
                "--confirm-live",
                "--allow-local-venue",
                "--venue-url",
                "127.0.0.1:9",
            ])
            .args(["--max-bars", "1", "--db", "live.db"])
            .output()
            .unwrap()
    };
    let out = live(dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("chmod 600"), "{stderr}");
    // Private: the check passes (the session then fails on the dead port,
    // for another reason).
    std::fs::set_permissions(&env, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = live(dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("chmod 600"), "{stderr}");
}
