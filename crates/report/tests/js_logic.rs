//! The chart's pure JavaScript logic (tick steps, time → bar index, event
//! lifecycles → drawn geometry, unknown kinds) checked under Node, when it
//! is installed; skipped with a notice otherwise. The drawing itself is
//! checked in a real browser by tests/browser.rs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Stdio};

#[test]
fn chart_logic_under_node() {
    let Ok(mut node) = Command::new("node")
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    else {
        println!("JS logic test skipped: no node on PATH");
        return;
    };
    let script = [
        "\"use strict\";",
        include_str!("../assets/chart/format.js"),
        include_str!("../assets/chart/objects.js"),
        include_str!("js/logic_test.js"),
    ]
    .join("\n");
    node.stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = node.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.starts_with("ok "),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!("JS logic: {}", stdout.trim());
}
