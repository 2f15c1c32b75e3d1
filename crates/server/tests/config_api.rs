//! The config through the API: read without secrets; the risk section and
//! the strategy settings replaced, validated, and written back to the
//! config file (which running sessions watch for risk limits).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::start_with;
use serde_json::{Value, json};

const CONFIG: &str = "risk_manager:\n  max_position_size: 1000.0\n  max_daily_loss: 5000.0\nbacktest:\n  strategy: smc\n  timeframes: [\"1h\", \"4h\"]\n  smc_strategy:\n    reward_risk: 2.5\n";

#[test]
fn risk_and_strategy_settings_are_validated_and_written_back() {
    let s = start_with(CONFIG, "  metrics_token: scrape-me-secret\n");
    let admin = s.admin_token();
    let config: Value = s.get("/api/v1/config", &admin).json().unwrap();
    assert_eq!(config["api"]["metrics_token"], "***");
    assert!(!config.to_string().contains("scrape-me-secret"));
    assert_eq!(config["risk_manager"]["max_daily_loss"], 5000.0);

    let put = |path: &str, body: Value| {
        s.request("PUT", path)
            .bearer_auth(&admin)
            .json(&body)
            .send()
            .unwrap()
    };
    let r = put(
        "/api/v1/config/risk",
        json!({"max_position_size": 800, "max_daily_loss": 250}),
    );
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().unwrap()["applied_to_running_sessions"],
        true
    );
    let file = smc_config::load(&s.dir.path().join("config.yaml")).unwrap();
    assert_eq!(file.risk_manager.max_daily_loss, 250.into());
    assert_eq!(
        file.backtest.smc_strategy.reward_risk,
        "2.5".parse().unwrap(),
        "other sections kept"
    );
    assert!(s.dir.path().join("config.yaml.bak").exists());
    let r = put("/api/v1/config/risk", json!({"max_position_size": -5}));
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<Value>().unwrap()["field"],
        "risk_manager.max_position_size"
    );
    let r = put("/api/v1/config/risk", json!({"no_such_limit": 1}));
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().unwrap()["field"], "no_such_limit");

    let strategy: Value = s.get("/api/v1/config/strategy", &admin).json().unwrap();
    assert_eq!(strategy["strategy"], "smc");
    assert_eq!(strategy["params"]["reward_risk"], 2.5);
    let r = put(
        "/api/v1/config/strategy",
        json!({"strategy": "smc", "timeframes": ["1h", "1d"], "params": {"reward_risk": 3.5}}),
    );
    assert_eq!(r.status(), 200, "{}", r.text().unwrap());
    let file = smc_config::load(&s.dir.path().join("config.yaml")).unwrap();
    assert_eq!(
        file.backtest.smc_strategy.reward_risk,
        "3.5".parse().unwrap()
    );
    assert_eq!(
        file.backtest.timeframes,
        vec!["1h".to_string(), "1d".to_string()]
    );
    assert_eq!(
        file.risk_manager.max_daily_loss,
        250.into(),
        "the risk section is kept"
    );
    let r = put("/api/v1/config/strategy", json!({"params": {"bogus": 1}}));
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().unwrap()["field"], "params.bogus");
    let r = put("/api/v1/config/strategy", json!({"strategy": "martingale"}));
    assert_eq!(r.json::<Value>().unwrap()["field"], "strategy");
    let r = put("/api/v1/config/strategy", json!({"timeframes": ["7m"]}));
    assert_eq!(r.json::<Value>().unwrap()["field"], "timeframes");
}
