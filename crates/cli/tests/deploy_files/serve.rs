//! `smc serve` as a child process on a loopback port, asked over plain
//! HTTP/1.1.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `smc serve` started with `args` and `env`, killed when dropped; the
/// address it printed.
pub struct Serve {
    child: Child,
    addr: String,
    origin: String,
}

impl Serve {
    pub fn start(origin: &str, args: &[String], env: &BTreeMap<String, String>) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_smc"))
            .args(args)
            .env_remove("DATABASE_URL")
            .env_remove("REDIS_URL")
            .env_remove("NATS_URL")
            .envs(env)
            .current_dir(super::files::root())
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
    pub fn status(&self, path: &str) -> u16 {
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
    pub fn assert_ok(&self, path: &str) {
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
