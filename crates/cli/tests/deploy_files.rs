//! The deployment files against the binary they deploy: every `smc`
//! command line in deploy/docker-compose.yml, deploy/k8s/*.yaml and
//! deploy/Dockerfile parses (each flag is one `smc <command> --help`
//! lists); every environment variable they give smc is one the code reads
//! (or, in deploy/.env.example, one compose substitutes); the ports agree
//! with the one smc serve listens on; the health, readiness and metrics
//! paths answer 200 on a real `smc serve`; and the compose and Kubernetes
//! command lines, with their environment, start real servers against
//! throwaway PostgreSQL, Redis and NATS servers on loopback (skipped only
//! where those are not installed and this is not CI).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "deploy_files/files.rs"]
mod files;
#[path = "deploy_files/serve.rs"]
mod serve;

use files::{
    Run, all_runs, compose, compose_runs, deploy, env_example, is_smc_image, k8s_runs, manifests,
    read, root, strings,
};
use serde_yaml_ng::Value;
use serve::Serve;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn help(command: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_smc"))
        .args([command, "--help"])
        .output()
        .unwrap();
    assert!(out.status.success(), "smc {command} --help");
    String::from_utf8(out.stdout).unwrap()
}

/// Whether `help` lists `flag` as a flag of its own (not as a prefix of a
/// longer one).
fn lists(help: &str, flag: &str) -> bool {
    help.match_indices(flag).any(|(at, _)| {
        let next = help[at + flag.len()..].chars().next();
        !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
    })
}

#[test]
fn every_smc_command_and_flag_the_deploy_files_run_exists() {
    let runs = all_runs();
    let mut checked = 0;
    for run in &runs {
        let help = help(run.command());
        for arg in run.args.iter().filter(|a| a.starts_with("--")) {
            let flag = arg.split('=').next().unwrap();
            assert!(
                lists(&help, flag),
                "{}: smc {} has no {flag}",
                run.origin,
                run.command()
            );
            checked += 1;
        }
        // The whole line parses: clap stops at --help only after the
        // arguments before it were accepted.
        let out = Command::new(env!("CARGO_BIN_EXE_smc"))
            .args(&run.args)
            .arg("--help")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {:?}: {}",
            run.origin,
            run.args,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(checked >= 20, "only {checked} flags found");
    // The two kinds of serve: the writer and the replicas.
    let replicas = runs
        .iter()
        .filter(|r| r.command() == "serve" && r.args.iter().any(|a| a == "--replica"))
        .count();
    assert_eq!(replicas, 2, "compose's replica and the k8s smc-api");
}

/// Environment variable names the code reads: the string literals of that
/// shape in crates/*/src, and the venue key pairs `<VENUE>_API_KEY` and
/// `<VENUE>_API_SECRET` (smc_config::env::credentials).
fn read_by_the_code() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut stack = vec![root().join("crates")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                if name != "tests" && name != "target" && name != "benches" {
                    stack.push(path);
                }
            } else if name.ends_with(".rs") && path.components().any(|c| c.as_os_str() == "src") {
                let text = read(&path);
                for literal in text.split('"').skip(1).step_by(2) {
                    if literal.len() > 3
                        && literal.contains('_')
                        && literal
                            .chars()
                            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                    {
                        names.insert(literal.to_string());
                    }
                }
            }
        }
    }
    let env_rs = read(&root().join("crates/config/src/env.rs"));
    assert!(env_rs.contains("\"{prefix}_API_KEY\"") && env_rs.contains("\"{prefix}_API_SECRET\""));
    for venue in ["BINANCE", "BYBIT", "OANDA"] {
        names.insert(format!("{venue}_API_KEY"));
        names.insert(format!("{venue}_API_SECRET"));
    }
    names
}

#[test]
fn every_variable_the_deploy_files_give_smc_is_one_it_reads() {
    let known = read_by_the_code();
    for expected in [
        "DATABASE_URL",
        "REDIS_URL",
        "NATS_URL",
        "SMC_ADMIN_PASSWORD",
    ] {
        assert!(known.contains(expected), "the scan finds {expected}");
    }
    let compose_text = read(&deploy("docker-compose.yml"));
    let substituted = |k: &str| compose_text.contains(&format!("${{{k}"));
    let dotenv = env_example();
    let mut checked = 0;
    for run in compose_runs()
        .iter()
        .chain(k8s_runs().iter().map(|(r, _)| r))
    {
        for name in run.env.keys().chain(&run.optional) {
            let from_dotenv = dotenv.contains_key(name) && run.origin.starts_with("docker");
            assert!(
                known.contains(name) || (from_dotenv && substituted(name)),
                "{}: {name} is read neither by smc nor by a ${{{name}}} in docker-compose.yml",
                run.origin
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} variables found");
}

/// The port of a `HOST:PORT`.
fn port_of(addr: &str) -> u16 {
    addr.rsplit(':').next().unwrap().parse().unwrap()
}

#[test]
fn every_port_agrees_with_the_one_smc_serve_listens_on() {
    let runs = all_runs();
    let serves: Vec<_> = runs.iter().filter(|r| r.command() == "serve").collect();
    assert_eq!(serves.len(), 5);
    let port = port_of(serves[0].flag("--listen").unwrap());
    for run in &serves {
        let listen = run.flag("--listen").unwrap();
        assert_eq!(port_of(listen), port, "{}", run.origin);
        assert!(
            listen.starts_with("0.0.0.0:"),
            "{}: every interface",
            run.origin
        );
    }
    // The config the containers read says the same (with no --listen).
    let config: Value = serde_yaml_ng::from_str(&read(&deploy("config.yaml"))).unwrap();
    assert_eq!(port_of(config["api"]["listen"].as_str().unwrap()), port);
    // And the default without a config, which the help states.
    assert!(help("serve").contains(&format!("127.0.0.1:{port}")));

    let dockerfile = read(&deploy("Dockerfile"));
    assert!(dockerfile.contains(&format!("\nEXPOSE {port}\n")));
    assert!(dockerfile.contains(&format!("http://127.0.0.1:{port}/healthz")));

    let compose = compose();
    for name in ["agent", "replica"] {
        let service = &compose["services"][name];
        assert_eq!(strings(&service["expose"]), [port.to_string()], "{name}");
        let test = strings(&service["healthcheck"]["test"]).join(" ");
        assert!(
            test.contains(&format!("127.0.0.1:{port}/")),
            "{name}: {test}"
        );
    }

    for (run, container) in k8s_runs() {
        if run.command() != "serve" {
            continue;
        }
        let ports = container["ports"].as_sequence().unwrap();
        let http = ports.iter().find(|p| p["name"] == "http").unwrap();
        assert_eq!(
            http["containerPort"].as_u64(),
            Some(u64::from(port)),
            "{}",
            run.origin
        );
    }
    for (file, doc) in manifests() {
        if doc["kind"] == "Service"
            && doc["metadata"]["name"]
                .as_str()
                .unwrap()
                .starts_with("smc-")
        {
            let p = &doc["spec"]["ports"][0];
            assert_eq!(p["port"].as_u64(), Some(u64::from(port)), "{file}");
            assert_eq!(p["targetPort"], "http", "{file}");
        }
        if doc["kind"] == "NetworkPolicy" && doc["metadata"]["name"] == "smc-http" {
            assert_eq!(
                doc["spec"]["ingress"][0]["ports"][0]["port"].as_u64(),
                Some(u64::from(port))
            );
        }
    }

    let prometheus: Value =
        serde_yaml_ng::from_str(&read(&deploy("prometheus/prometheus.yml"))).unwrap();
    let targets = &prometheus["scrape_configs"][0]["static_configs"];
    for group in targets.as_sequence().unwrap() {
        for target in strings(&group["targets"]) {
            let (host, p) = target.split_once(':').unwrap();
            assert!(
                compose["services"][host].is_mapping(),
                "{target}: a compose service"
            );
            assert_eq!(p.parse::<u16>().unwrap(), port, "{target}");
        }
    }
    let nginx = read(&deploy("nginx/smc.conf"));
    assert!(nginx.contains(&format!("server agent:{port};")));
}

#[test]
fn the_configmap_holds_deploy_config_yaml() {
    let docs = manifests();
    let (_, map) = docs.iter().find(|(_, d)| d["kind"] == "ConfigMap").unwrap();
    assert_eq!(
        map["data"]["config.yaml"].as_str().unwrap(),
        read(&deploy("config.yaml"))
    );
}

/// Every HTTP path a file probes smc on: the k8s probes, the compose and
/// Dockerfile health checks, Prometheus's metrics path.
fn probed_paths() -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    for (run, container) in k8s_runs() {
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            if let Some(path) = container[probe]["httpGet"]["path"].as_str() {
                assert_eq!(
                    container[probe]["httpGet"]["port"], "http",
                    "{}",
                    run.origin
                );
                paths.insert(path.to_string());
            }
        }
    }
    let url_path = |url: &str| {
        format!(
            "/{}",
            url.split_once("//").unwrap().1.split_once('/').unwrap().1
        )
    };
    let compose = compose();
    for (_, service) in compose["services"].as_mapping().unwrap() {
        if is_smc_image(&service["image"]) {
            for arg in strings(&service["healthcheck"]["test"]) {
                if arg.starts_with("http://") {
                    paths.insert(url_path(&arg));
                }
            }
        }
    }
    let dockerfile = read(&deploy("Dockerfile"));
    let healthcheck = dockerfile.split("HEALTHCHECK").nth(1).unwrap();
    let url = healthcheck
        .split('"')
        .find(|s| s.starts_with("http://"))
        .unwrap();
    paths.insert(url_path(url));
    let prometheus: Value =
        serde_yaml_ng::from_str(&read(&deploy("prometheus/prometheus.yml"))).unwrap();
    paths.insert(
        prometheus["scrape_configs"][0]["metrics_path"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    paths
}

#[test]
fn the_probed_paths_answer_200_on_a_real_server() {
    let paths = probed_paths();
    assert_eq!(
        paths.iter().map(String::as_str).collect::<Vec<_>>(),
        ["/healthz", "/metrics", "/readyz"]
    );
    let dir = tempfile::tempdir().unwrap();
    let args: Vec<String> = [
        "serve",
        "--config",
        deploy("config.yaml").to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
        "--db",
        &format!("sqlite://{}", dir.path().join("smc.db").display()),
    ]
    .map(String::from)
    .to_vec();
    let env = BTreeMap::from([(
        "SMC_ADMIN_PASSWORD".to_string(),
        env_example()["SMC_ADMIN_PASSWORD"].clone(),
    )]);
    let serve = Serve::start("deploy/config.yaml on SQLite", &args, &env);
    for path in &paths {
        serve.assert_ok(path);
    }
    // The WebSocket path nginx upgrades is the server's (it asks for
    // credentials; an unknown path would be 404).
    let nginx = read(&deploy("nginx/smc.conf"));
    let ws = nginx
        .lines()
        .find_map(|l| l.trim().strip_prefix("location = /api/"))
        .map(|rest| format!("/api/{}", rest.trim_end_matches(" {")))
        .unwrap();
    assert_eq!(ws, "/api/v1/ws");
    assert_eq!(serve.status(&ws), 401);
    assert_eq!(
        serve.status("/api/v1/no-such-route"),
        404,
        "the 401 above means something"
    );
}

/// `run` as it would start in its container, pointed at the loopback
/// servers instead of the service names, with the config file from the
/// repository and a free port.
fn localised(
    run: &Run,
    db: &str,
    redis: &str,
    nats: &str,
) -> (Vec<String>, BTreeMap<String, String>) {
    let local = |value: &str| -> String {
        if value.starts_with("postgres://") {
            db.to_string()
        } else if value.starts_with("redis://") {
            redis.to_string()
        } else if value.starts_with("nats://") {
            nats.to_string()
        } else if value == "/etc/smc/config.yaml" {
            deploy("config.yaml").display().to_string()
        } else if value.starts_with("0.0.0.0:") {
            "127.0.0.1:0".to_string()
        } else {
            value.to_string()
        }
    };
    let args = run.args.iter().map(|a| local(a)).collect();
    let env = run.env.iter().map(|(k, v)| (k.clone(), local(v))).collect();
    (args, env)
}

#[test]
fn the_compose_and_kubernetes_command_lines_start_with_their_environment() {
    let Some(pg) = smc_testkit::postgres::Cluster::start() else {
        return;
    };
    let Some(redis) = smc_testkit::redis::RedisServer::start() else {
        return;
    };
    let Some(nats) = smc_testkit::nats::Server::start() else {
        return;
    };
    let db = pg.database();
    let mut runs = compose_runs();
    runs.extend(k8s_runs().into_iter().map(|(r, _)| r));
    let replica = |r: &Run| r.args.iter().any(|a| a == "--replica");
    let (writers, rest): (Vec<_>, Vec<_>) = runs
        .iter()
        .partition(|r| r.command() == "serve" && !replica(r));
    let mut started = 0;
    for writer in writers {
        let (args, env) = localised(writer, &db, &redis.url(), &nats.url());
        let primary = Serve::start(&writer.origin, &args, &env);
        primary.assert_ok("/healthz");
        primary.assert_ok("/readyz");
        started += 1;
        // The replicas read what a writer writes to Redis.
        for run in rest.iter().filter(|r| replica(r)) {
            let (args, env) = localised(run, &db, &redis.url(), &nats.url());
            let replica = Serve::start(&run.origin, &args, &env);
            replica.assert_ok("/healthz");
            replica.assert_ok("/readyz");
            started += 1;
        }
        // One writer at a time on the database, as in the deployments.
        drop(primary);
    }
    assert_eq!(started, 2 + 2 * 2);
    // The workers connect to NATS, set up their consumer and say so.
    for run in rest.iter().filter(|r| r.command() == "worker") {
        let (args, env) = localised(run, &db, &redis.url(), &nats.url());
        let mut worker = Command::new(env!("CARGO_BIN_EXE_smc"))
            .args(&args)
            .env_remove("NATS_URL")
            .envs(&env)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut seen = String::new();
        let ready = BufReader::new(worker.stderr.take().unwrap())
            .lines()
            .map_while(Result::ok)
            .inspect(|l| {
                seen.push_str(l);
                seen.push('\n');
            })
            .any(|l| l.contains(" ready on nats://"));
        let _ = worker.kill();
        let _ = worker.wait();
        assert!(ready, "{}: smc worker never got ready:\n{seen}", run.origin);
    }
}
