//! The `.env` file: the product's documented place for exchange keys and
//! other variables (see `.env.example`). It is read from the working
//! folder before anything else; a variable already set in the environment
//! wins over the file. Live trading refuses a `.env` that others can read.

use crate::error::ConfigError;
use std::path::{Path, PathBuf};

/// Loads `./.env` when there is one; its path, for the live-mode check.
/// Call it before any thread starts: it sets environment variables.
pub fn load() -> Result<Option<PathBuf>, ConfigError> {
    let path = PathBuf::from(".env");
    let bad = |message: String| ConfigError::EnvFile {
        path: ".env".into(),
        message,
    };
    match dotenvy::from_path(&path) {
        Ok(()) => Ok(Some(path)),
        Err(e) if e.not_found() => Ok(None),
        Err(dotenvy::Error::LineParse(line, at)) => {
            Err(bad(format!("cannot parse `{line}` (at character {at})")))
        }
        Err(e) => Err(bad(format!("cannot read: {e}"))),
    }
}

/// Refuses a file with secrets that its group or other users can read.
pub fn check_private(path: &Path) -> Result<(), ConfigError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|source| ConfigError::Io {
                path: path.display().to_string(),
                source,
            })?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(ConfigError::EnvFile {
                path: path.display().to_string(),
                message: format!(
                    "holds secrets but is readable by others (mode {:o}): run `chmod 600 {}` before trading live",
                    mode & 0o777,
                    path.display()
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::check_private;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_file_others_can_read_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "BINANCE_API_KEY=k\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = check_private(&path).unwrap_err().to_string();
        assert!(err.contains("chmod 600") && err.contains("644"), "{err}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        check_private(&path).unwrap();
    }
}
