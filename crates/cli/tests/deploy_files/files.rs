//! The deployment files read as the tests need them: the `smc` command
//! lines of docker-compose.yml, the Kubernetes manifests and the
//! Dockerfile, each with the environment its file gives it.

use serde_yaml_ng::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn deploy(path: &str) -> PathBuf {
    root().join("deploy").join(path)
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An `smc` command line a deployment file runs, with its environment.
#[derive(Debug, Clone)]
pub struct Run {
    pub origin: String,
    pub args: Vec<String>,
    pub env: BTreeMap<String, String>,
    /// Variables the file may give (optional secret keys the example
    /// leaves out): checked by name only.
    pub optional: Vec<String>,
}

impl Run {
    pub fn command(&self) -> &str {
        &self.args[0]
    }

    /// The value after `flag`.
    pub fn flag(&self, flag: &str) -> Option<&str> {
        let at = self.args.iter().position(|a| a == flag)?;
        self.args.get(at + 1).map(String::as_str)
    }
}

/// deploy/.env.example's assignments (commented-out ones included: they
/// are documented as optional, so they must be right too).
pub fn env_example() -> BTreeMap<String, String> {
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
pub fn interpolate(text: &str, values: &BTreeMap<String, String>) -> String {
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

pub fn compose() -> Value {
    let mut v: Value = serde_yaml_ng::from_str(&read(&deploy("docker-compose.yml"))).unwrap();
    v.apply_merge().unwrap();
    v
}

pub fn strings(v: &Value) -> Vec<String> {
    v.as_sequence()
        .map(|s| s.iter().map(|x| x.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

pub fn is_smc_image(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|i| i == "smc" || i.starts_with("smc:"))
}

/// The smc services of docker-compose.yml.
pub fn compose_runs() -> Vec<Run> {
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
pub fn manifests() -> Vec<(String, Value)> {
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
pub fn k8s_runs() -> Vec<(Run, Value)> {
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
pub fn dockerfile_run() -> Run {
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

pub fn all_runs() -> Vec<Run> {
    let mut runs = compose_runs();
    runs.extend(k8s_runs().into_iter().map(|(r, _)| r));
    runs.push(dockerfile_run());
    runs
}
