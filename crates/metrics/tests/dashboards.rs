//! The Grafana dashboards under `deploy/grafana/` query only what the agent
//! exports: every metric name in every panel's PromQL (and every label it
//! filters or groups by) must appear in `Metrics::render()` once a session
//! has touched every family.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::promql::read_promql;
use serde_json::Value;
use smc_metrics::Metrics;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Labels Prometheus attaches at scrape time, not the exporter.
const TARGET_LABELS: [&str; 2] = ["instance", "job"];

/// Every sample name the agent renders, with the labels it carries.
fn exported() -> BTreeMap<String, BTreeSet<String>> {
    let m = Metrics::new();
    common::exercise(&m);
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in common::samples(&m.render()) {
        out.entry(s.name).or_default().extend(s.labels.into_keys());
    }
    out
}

fn dashboards() -> Vec<(String, Value)> {
    // Canonical first: `..` of a symlinked crate directory is the link's.
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .canonicalize()
        .unwrap();
    let dir = crate_dir.join("../../deploy/grafana");
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, json)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Every panel, rows' nested panels included.
fn panels(v: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    for p in v["panels"].as_array().into_iter().flatten() {
        out.push(p);
        out.extend(panels(p));
    }
    out
}

fn check(
    name: &str,
    what: &str,
    expr: &str,
    exported: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<String> {
    let q = read_promql(expr);
    assert!(
        !q.selectors.is_empty(),
        "{name}: {what}: no metric in `{expr}`"
    );
    let mut used = BTreeSet::new();
    for (metric, labels) in &q.selectors {
        let Some(has) = exported.get(metric) else {
            panic!("{name}: {what}: `{metric}` is not exported (in `{expr}`)");
        };
        used.extend(has.iter().cloned());
        for l in labels
            .iter()
            .filter(|l| !TARGET_LABELS.contains(&l.as_str()))
        {
            assert!(
                has.contains(l),
                "{name}: {what}: `{metric}` has no label `{l}` (in `{expr}`)"
            );
        }
    }
    for l in q
        .grouping
        .iter()
        .filter(|l| !TARGET_LABELS.contains(&l.as_str()))
    {
        assert!(
            used.contains(l),
            "{name}: {what}: grouping by `{l}`, which none of its metrics has (in `{expr}`)"
        );
    }
    q.selectors.into_iter().map(|s| s.0).collect()
}

#[test]
fn every_dashboard_queries_only_exported_metrics_and_labels() {
    let exported = exported();
    let boards = dashboards();
    let names: Vec<&str> = boards.iter().map(|b| b.0.as_str()).collect();
    assert_eq!(
        names,
        ["analytics.json", "risk.json", "system.json", "trading.json"]
    );
    let mut queried = BTreeSet::new();
    for (name, board) in &boards {
        assert!(board["schemaVersion"].as_i64().unwrap() >= 36, "{name}");
        assert!(!board["uid"].as_str().unwrap().is_empty(), "{name}");
        let vars = board["templating"]["list"].as_array().unwrap();
        assert!(
            vars.iter()
                .any(|v| v["name"] == "DS_PROMETHEUS" && v["type"] == "datasource"),
            "{name}"
        );
        for v in vars.iter().filter(|v| v["type"] == "query") {
            // label_values(selector, label)
            let query = v["definition"].as_str().unwrap();
            let args = query
                .strip_prefix("label_values(")
                .and_then(|a| a.strip_suffix(')'))
                .expect(query);
            let (selector, label) = args.rsplit_once(',').expect(query);
            let label = label.trim();
            for metric in check(name, "variable", selector, &exported) {
                let ok = TARGET_LABELS.contains(&label) || exported[&metric].contains(label);
                assert!(ok, "{name}: `{metric}` has no label `{label}`");
            }
        }
        let mut count = 0;
        for p in panels(board).into_iter().filter(|p| p["type"] != "row") {
            let title = p["title"].as_str().unwrap();
            assert_eq!(
                p["datasource"]["uid"], "${DS_PROMETHEUS}",
                "{name}: {title}"
            );
            let targets = p["targets"].as_array().unwrap();
            assert!(!targets.is_empty(), "{name}: {title} has no query");
            for t in targets {
                queried.extend(check(name, title, t["expr"].as_str().unwrap(), &exported));
                count += 1;
            }
        }
        assert!(count >= 6, "{name} has only {count} queries");
    }
    // The dashboards chart what the brief promised.
    for family in [
        "smc_equity",
        "smc_realized_pnl",
        "smc_unrealized_pnl",
        "smc_orders_total",
        "smc_fills_total",
        "smc_order_rejections_total",
        "smc_candle_to_order_seconds_bucket",
        "smc_exposure",
        "smc_breaker_state",
        "smc_api_requests_total",
        "smc_api_request_duration_seconds_bucket",
        "smc_ws_clients",
        "smc_venue_reconnects_total",
        "smc_venue_errors_total",
        "process_resident_memory_bytes",
        "process_cpu_seconds_total",
    ] {
        assert!(queried.contains(family), "no dashboard charts {family}");
    }
}

#[test]
fn the_promql_reader_finds_names_matchers_and_grouping() {
    let q = read_promql(
        r#"histogram_quantile(0.99, sum by (le, route) (rate(smc_x_bucket{route=~"/a/{id}", method!="GET"}[$__rate_interval]))) / on (session) smc_y offset $__range"#,
    );
    let names: Vec<&str> = q.selectors.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(names, ["smc_x_bucket", "smc_y"]);
    assert_eq!(q.selectors[0].1, ["route", "method"]);
    assert_eq!(q.grouping, ["le", "route", "session"]);
    // A misspelt family is caught.
    let exported = exported();
    let typo = std::panic::catch_unwind(|| check("t", "p", "rate(smc_order_total[5m])", &exported));
    assert!(typo.is_err());
    let bad_label =
        std::panic::catch_unwind(|| check("t", "p", r#"smc_equity{symbol="X"}"#, &exported));
    assert!(bad_label.is_err());
}
