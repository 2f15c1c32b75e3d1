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

use serde_yaml_ng::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn deploy(path: &str) -> PathBuf {
    root().join("deploy").join(path)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An `smc` command line a deployment file runs, with its environment.
#[derive(Debug, Clone)]
struct Run {
    origin: String,
    args: Vec<String>,
    env: BTreeMap<String, String>,
    /// Variables the file may give (optional secret keys the example
    /// leaves out): checked by name only.
    optional: Vec<String>,
}

impl Run {
    fn command(&self) -> &str {
        &self.args[0]
    }

    /// The value after `flag`.
    fn flag(&self, flag: &str) -> Option<&str> {
        let at = self.args.iter().position(|a| a == flag)?;
        self.args.get(at + 1).map(String::as_str)
    }
}

/// deploy/.env.example's assignments (commented-out ones included: they
/// are documented as optional, so they must be right too).
fn env_example() -> BTreeMap<String, String> {
    read(&deploy(".env.example"))
        .lines()
        .map(|l| l.trim_start_matches("# ").trim())
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| {
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        })
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Compose's `${NAME}`, `${NAME:?message}` and `${NAME:-default}`, from
/// `values`.
fn interpolate(text: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').expect("a closing brace") + start;
        let inner = &rest[start + 2..end];
        let name = inner.split(':').next().unwrap();
        let value = values
            .get(name)
            .cloned()
            .or_else(|| inner.split_once(":-").map(|(_, d)| d.to_string()))
            .unwrap_or_else(|| panic!("${{{name}}} has no value in .env.example"));
        out.push_str(&value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn compose() -> Value {
    let mut v: Value = serde_yaml_ng::from_str(&read(&deploy("docker-compose.yml"))).unwrap();
    v.apply_merge().unwrap();
    v
}

fn strings(v: &Value) -> Vec<String> {
    v.as_sequence()
        .map(|s| s.iter().map(|x| x.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn is_smc_image(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|i| i == "smc" || i.starts_with("smc:"))
}

/// The smc services of docker-compose.yml.
fn compose_runs() -> Vec<Run> {
    let dotenv = env_example();
    let mut runs = Vec::new();
    for (name, service) in compose()["services"].as_mapping().unwrap() {
        if !is_smc_image(&service["image"]) {
            continue;
        }
        let mut env = BTreeMap::new();
        if service["env_file"].as_str() == Some(".env") {
            env.extend(dotenv.clone());
        }
        for (k, v) in service["environment"].as_mapping().into_iter().flatten() {
            env.insert(
                k.as_str().unwrap().to_string(),
                interpolate(v.as_str().unwrap(), &dotenv),
            );
        }
        let args = strings(&service["command"])
            .iter()
            .map(|a| interpolate(a, &dotenv))
            .collect();
        runs.push(Run {
            origin: format!("docker-compose.yml service {}", name.as_str().unwrap()),
            args,
            env,
            optional: Vec::new(),
        });
    }
    assert_eq!(runs.len(), 3, "agent, replica, worker: {runs:?}");
    runs
}

/// Every document of every manifest.
fn manifests() -> Vec<(String, Value)> {
    let mut files: Vec<_> = std::fs::read_dir(deploy("k8s"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut docs = Vec::new();
    for file in files {
        let text = read(&file);
        for doc in serde_yaml_ng::Deserializer::from_str(&text) {
            let value = <Value as serde::Deserialize>::deserialize(doc).unwrap();
            let name = file.file_name().unwrap().to_string_lossy().to_string();
            docs.push((name, value));
        }
    }
    docs
}

/// The smc containers of the Deployments, with `$(VAR)` expanded from
/// their env (secret values from secret.example.yaml).
fn k8s_runs() -> Vec<(Run, Value)> {
    let docs = manifests();
    let secret_text = read(&deploy("k8s/secret.example.yaml"));
    let secret = docs
        .iter()
        .find(|(_, d)| d["kind"] == "Secret")
        .map(|(_, d)| d["stringData"].clone())
        .expect("secret.example.yaml");
    let mut runs = Vec::new();
    for (file, doc) in &docs {
        if doc["kind"] != "Deployment" && doc["kind"] != "StatefulSet" {
            continue;
        }
        for c in doc["spec"]["template"]["spec"]["containers"]
            .as_sequence()
            .unwrap()
        {
            if !is_smc_image(&c["image"]) {
                continue;
            }
            let mut env = BTreeMap::new();
            let mut optional = Vec::new();
            for e in c["env"].as_sequence().into_iter().flatten() {
                let name = e["name"].as_str().unwrap().to_string();
                if let Some(v) = e["value"].as_str() {
                    env.insert(name, v.to_string());
                    continue;
                }
                let reference = &e["valueFrom"]["secretKeyRef"];
                assert_eq!(reference["name"], "smc-secrets", "{file}: {name}");
                let key = reference["key"].as_str().unwrap();
                match secret[key].as_str() {
                    Some(v) => {
                        env.insert(name, v.to_string());
                    }
                    None => {
                        let documented = secret_text.contains(&format!("# {key}: "));
                        assert!(
                            reference["optional"] == true && documented,
                            "{file}: {key} is neither in secret.example.yaml nor an optional key documented there"
                        );
                        optional.push(name);
                    }
                }
            }
            let args = strings(&c["args"])
                .iter()
                .map(|a| {
                    let mut a = a.clone();
                    for (k, v) in &env {
                        a = a.replace(&format!("$({k})"), v);
                    }
                    a
                })
                .collect();
            let origin = format!("k8s/{file} {}", doc["metadata"]["name"].as_str().unwrap());
            runs.push((
                Run {
                    origin,
                    args,
                    env,
                    optional,
                },
                c.clone(),
            ));
        }
    }
    assert_eq!(runs.len(), 3, "agent, api, worker: {runs:?}");
    runs
}

/// The Dockerfile's default command line (ENTRYPOINT smc, then CMD).
fn dockerfile_run() -> Run {
    let text = read(&deploy("Dockerfile"));
    let json = |prefix: &str| -> Vec<String> {
        let line = text
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in the Dockerfile"));
        serde_json::from_str(line[prefix.len()..].trim()).unwrap()
    };
    assert_eq!(json("ENTRYPOINT"), ["smc"]);
    Run {
        origin: "Dockerfile CMD".into(),
        args: json("CMD"),
        env: BTreeMap::new(),
        optional: Vec::new(),
    }
}

fn all_runs() -> Vec<Run> {
    let mut runs = compose_runs();
    runs.extend(k8s_runs().into_iter().map(|(r, _)| r));
    runs.push(dockerfile_run());
    runs
}

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

/// `smc serve` started with `args` and `env`, killed when dropped; the
/// address it printed.
struct Serve {
    child: Child,
    addr: String,
    origin: String,
}

impl Serve {
    fn start(origin: &str, args: &[String], env: &BTreeMap<String, String>) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_smc"))
            .args(args)
            .env_remove("DATABASE_URL")
            .env_remove("REDIS_URL")
            .env_remove("NATS_URL")
            .envs(env)
            .current_dir(root())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut seen = String::new();
        let addr = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                panic!("{origin}: smc serve stopped before listening:\n{seen}");
            };
            seen.push_str(&line);
            seen.push('\n');
            if let Some(at) = line.find("listening on http://") {
                let rest = &line[at + "listening on http://".len()..];
                break rest.split_whitespace().next().unwrap().to_string();
            }
        };
        // Keep draining its log so that it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Serve {
            child,
            addr,
            origin: origin.to_string(),
        }
    }

    /// The status code of GET `path`.
    fn status(&self, path: &str) -> u16 {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        let _ = s.read_to_string(&mut response);
        let code = response.split_whitespace().nth(1);
        code.and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("{}: GET {path}: {response:?}", self.origin))
    }

    /// Polls GET `path` until it answers 200 (readiness may lag the
    /// listener by a moment).
    fn assert_ok(&self, path: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let code = self.status(path);
            if code == 200 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{}: GET {path} answered {code}",
                self.origin
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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
