//! A throwaway NATS server with JetStream for tests: `nats-server -js` on a
//! free loopback port with its own store folder (`-sd`) under the temporary
//! directory, stopped and removed on drop. [`Server::stop`] and
//! [`Server::restart`] take it down and bring it back on the same port and
//! store, for tests of what a client does while NATS is briefly away.
//!
//! Standard library only, so that a crate which testkit depends on can
//! include this file by path in its own tests.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Where Debian puts the server (not on a non-root PATH).
pub const DEBIAN_BIN: &str = "/usr/sbin/nats-server";

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A running (or stopped, see [`Server::stop`]) server, removed on drop.
#[derive(Debug)]
pub struct Server {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    child: Option<Child>,
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding a loopback port");
    listener.local_addr().expect("the bound address").port()
}

/// The server binary: `NATS_SERVER_BIN`, then PATH, then Debian's place.
fn binary() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("NATS_SERVER_BIN") {
        return Some(PathBuf::from(bin));
    }
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("nats-server"))
            .find(|candidate| candidate.is_file())
    });
    on_path.or_else(|| {
        let debian = Path::new(DEBIAN_BIN);
        debian.is_file().then(|| debian.to_path_buf())
    })
}

impl Server {
    /// Starts a server; `None` (with the reason printed) when nats-server is
    /// not installed here and this is not CI, where a missing server must
    /// fail the test instead of skipping it.
    pub fn start() -> Option<Server> {
        let Some(bin) = binary() else {
            assert!(
                std::env::var_os("CI").is_none(),
                "nats-server is missing in CI (.ci/run installs it)"
            );
            eprintln!("skipped: nats-server is not installed (not on PATH nor {DEBIAN_BIN})");
            return None;
        };
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("smc-nats-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("creating the server's folder");
        let mut server = Server {
            bin,
            dir,
            port: 0,
            child: None,
        };
        // A port can be taken between our probe and the server's bind:
        // try a few.
        for _ in 0..5 {
            server.port = free_port();
            if server.launch() {
                return Some(server);
            }
        }
        panic!("nats-server did not start (see {})", server.log().display());
    }

    fn log(&self) -> PathBuf {
        self.dir.join("log")
    }

    /// Spawns the server on `self.port` and waits until it greets a client
    /// with JetStream on; false when it exited first (the port was taken).
    fn launch(&mut self) -> bool {
        let store = self.dir.join("store");
        let child = Command::new(&self.bin)
            .args([
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-js",
                "-sd",
            ])
            .arg(&store)
            .arg("-l")
            .arg(self.log())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawning nats-server");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                eprintln!("nats-server exited early ({status}) on port {}", self.port);
                self.child = None;
                return false;
            }
            if self.greets_with_jetstream() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.stop();
        false
    }

    /// The server's first line to a client is `INFO {...}`; it names
    /// JetStream once JetStream is enabled.
    fn greets_with_jetstream(&self) -> bool {
        let Ok(stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line).is_ok()
            && line.starts_with("INFO")
            && line.contains("\"jetstream\":true")
    }

    /// `nats://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The JetStream store folder (kept across [`Server::restart`]).
    pub fn store_dir(&self) -> PathBuf {
        self.dir.join("store")
    }

    /// Kills the server (SIGKILL: no goodbye to clients); the store stays.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Whether the server process is running.
    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// Starts the server again on the same port and store (stopping it first
    /// if it runs). Panics when it cannot (the port was taken meanwhile).
    pub fn restart(&mut self) {
        self.stop();
        // The old listener's port may take a moment to be free again.
        for _ in 0..5 {
            if self.launch() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!(
            "nats-server did not restart on port {} (see {})",
            self.port,
            self.log().display()
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_stops_and_restarts_on_the_same_port() {
        let Some(mut server) = Server::start() else {
            return;
        };
        assert!(server.greets_with_jetstream());
        assert!(server.url().starts_with("nats://127.0.0.1:"));
        let port = server.port();
        server.stop();
        assert!(!server.is_running());
        assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
        server.restart();
        assert_eq!(server.port(), port);
        assert!(server.greets_with_jetstream());
        let dir = server.dir.clone();
        drop(server);
        assert!(!dir.exists(), "the store folder is removed on drop");
    }
}
