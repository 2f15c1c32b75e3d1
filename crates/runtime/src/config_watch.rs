//! Notices when the config file of a running session changes and reads it
//! again, so that its risk limits apply without a restart. A file that no
//! longer parses or validates is reported and ignored: the limits in force
//! stay until a good file replaces it.

use smc_config::Config;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub struct ConfigWatcher {
    path: PathBuf,
    seen: Option<SystemTime>,
}

impl ConfigWatcher {
    /// Watches `path`, whose current content is already loaded.
    pub fn new(path: &Path) -> Self {
        ConfigWatcher {
            path: path.to_path_buf(),
            seen: modified(path),
        }
    }

    /// The config, re-read, if the file changed since the last call: `Ok`
    /// with the new config, `Err` with why the changed file was refused.
    pub fn poll(&mut self) -> Option<Result<Config, String>> {
        let now = modified(&self.path);
        if now == self.seen {
            return None;
        }
        self.seen = now;
        Some(smc_config::load(&self.path).map_err(|e| e.to_string()))
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn write(path: &Path, text: &str, age: u64) {
        std::fs::write(path, text).unwrap();
        // Distinct modification times, whatever the filesystem's resolution.
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + age);
        let f = std::fs::File::options().write(true).open(path).unwrap();
        f.set_modified(t).unwrap();
    }

    #[test]
    fn a_changed_file_is_read_again_and_a_bad_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        write(&path, "risk_manager:\n  max_position_size: 1000\n", 1);
        let mut w = ConfigWatcher::new(&path);
        assert!(w.poll().is_none(), "unchanged");
        write(&path, "risk_manager:\n  max_position_size: 250\n", 2);
        let c = w.poll().unwrap().unwrap();
        assert_eq!(
            c.risk_manager.max_position_size,
            rust_decimal::Decimal::from(250)
        );
        assert!(w.poll().is_none());
        write(&path, "risk_manager:\n  max_position_size: lots\n", 3);
        let err = w.poll().unwrap().unwrap_err();
        assert!(err.contains("max_position_size"), "{err}");
    }
}
