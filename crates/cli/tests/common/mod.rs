//! What the command-line tests share: the `smc` binary, the repository
//! root, and `smc venue-sim` started on a free loopback port.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub fn smc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_smc"))
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The simulator replaying BTCUSDT 1m, killed when dropped.
pub struct Sim {
    child: Child,
    pub addr: String,
}

impl Sim {
    /// Starts it at `speed` candles per second with `extra` arguments
    /// (keys, faults), and waits for the address it prints first.
    pub fn start(speed: u32, extra: &[&str]) -> Sim {
        let mut child = smc()
            .current_dir(root())
            .args(["venue-sim", "--port", "0", "--speed", &speed.to_string()])
            .args([
                "--market",
                "testdata/market/binance-usdm/BTCUSDT-1m.csv",
                "--symbol",
                "BTCUSDT",
            ])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        out.read_line(&mut first).unwrap();
        // Keep reading: a closed pipe would end the simulator at its next line.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let addr = first
            .split_whitespace()
            .find_map(|w| w.strip_prefix("http://"))
            .expect("the simulator prints its address")
            .to_string();
        Sim { child, addr }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `make()` `kills` times and SIGKILLs it after a pseudo-random
/// `min_ms .. min_ms + spread_ms` each time (xorshift from `seed`, so the
/// moments are reproducible): no chance to flush, answer or clean up.
pub fn kill_repeatedly(
    make: impl Fn() -> Command,
    kills: usize,
    min_ms: u64,
    spread_ms: u64,
    mut seed: u64,
) {
    for _ in 0..kills {
        let mut child = make()
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(std::time::Duration::from_millis(min_ms + seed % spread_ms));
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
