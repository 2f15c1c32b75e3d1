//! A throwaway PostgreSQL cluster for tests: `initdb` and `pg_ctl` from
//! `/usr/lib/postgresql/15/bin` into a temporary folder, listening on a free
//! loopback port, stopped and removed on drop. Each test takes its own
//! database ([`Cluster::database`]). Postgres refuses to run as root, and CI
//! runs as root: there the folder is given to the `postgres` user and every
//! command runs through `runuser -u postgres`.
//!
//! Standard library only, so that the store's own tests (which testkit
//! depends on, so cannot depend on it) include this file by path.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Where Debian 12 puts PostgreSQL 15.
pub const BIN: &str = "/usr/lib/postgresql/15/bin";

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A running cluster, removed on drop.
#[derive(Debug)]
pub struct Cluster {
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding a loopback port");
    listener.local_addr().expect("the bound address").port()
}

impl Cluster {
    /// Starts a cluster; `None` (with the reason printed) when PostgreSQL is
    /// not installed here and this is not CI, where a missing server must
    /// fail the test instead of skipping it.
    pub fn start() -> Option<Cluster> {
        if !Path::new(BIN).join("initdb").exists() {
            assert!(
                std::env::var_os("CI").is_none(),
                "PostgreSQL 15 is missing from {BIN} in CI (.ci/run installs it)"
            );
            eprintln!("skipped: PostgreSQL 15 is not installed ({BIN}/initdb missing)");
            return None;
        }
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("smc-pg-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("creating the cluster's folder");
        let as_postgres = is_root();
        let mut cluster = Cluster {
            dir,
            port: 0,
            as_postgres,
        };
        if as_postgres {
            let owned = Command::new("chown")
                .arg("postgres:")
                .arg(&cluster.dir)
                .status()
                .expect("running chown");
            assert!(owned.success(), "chown postgres {}", cluster.dir.display());
        }
        let data = cluster.dir.join("data");
        cluster.run(
            "initdb",
            &[
                "-D",
                &data.to_string_lossy(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        // A port can be taken between our probe and the server's bind:
        // try a few.
        for _ in 0..5 {
            cluster.port = free_port();
            let options = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
                cluster.port,
                cluster.dir.display()
            );
            let log = cluster.dir.join("log");
            if cluster.try_run(
                "pg_ctl",
                &[
                    "-D",
                    &data.to_string_lossy(),
                    "-o",
                    &options,
                    "-l",
                    &log.to_string_lossy(),
                    "-w",
                    "start",
                ],
            ) {
                return Some(cluster);
            }
        }
        panic!("pg_ctl start failed (see {}/log)", cluster.dir.display());
    }

    fn command(&self, program: &str) -> Command {
        let path = Path::new(BIN).join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn try_run(&self, program: &str, args: &[&str]) -> bool {
        let out = self
            .command(program)
            .args(args)
            .current_dir(&self.dir)
            .output()
            .expect("running a PostgreSQL command");
        if !out.status.success() {
            eprintln!(
                "{program} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        out.status.success()
    }

    fn run(&self, program: &str, args: &[&str]) {
        assert!(self.try_run(program, args), "{program} failed");
    }

    #[allow(dead_code)] // not every includer asks
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A new empty database; its URL.
    pub fn database(&self) -> String {
        let name = format!("t{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let port = self.port.to_string();
        self.run(
            "psql",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-qc",
                &format!("CREATE DATABASE {name}"),
            ],
        );
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        self.try_run(
            "pg_ctl",
            &[
                "-D",
                &data.to_string_lossy(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
