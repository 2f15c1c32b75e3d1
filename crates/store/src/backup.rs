//! `smc store backup` and `smc store restore`: a database copied to one
//! file and back. SQLite through its online backup API (a consistent
//! snapshot taken while the session keeps writing: in WAL mode the copy is
//! one read transaction, which blocks no writer); PostgreSQL through
//! `pg_dump --format=custom`, and `pg_restore` with `psql`, found on `PATH`
//! or in `/usr/lib/postgresql/15/bin`.
//!
//! A backup is written beside its destination and renamed into place, so
//! a failed one never leaves a truncated file under the asked name. A
//! restore refuses a database that a process has open (a running session
//! or server would go on with its own picture of the orders and overwrite
//! the restored rows), and a database that already holds data unless
//! `force` is given. PostgreSQL restores run in one transaction: a failed
//! one leaves the target as it was.

use crate::postgres::is_postgres_url;
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The PostgreSQL side: pg_dump, pg_restore and psql.
mod pg;

/// Where Debian 12 puts the PostgreSQL 15 client tools when they are not on
/// `PATH`.
pub const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// The first bytes of a SQLite database file.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
/// The first bytes of a `pg_dump --format=custom` archive.
const PG_MAGIC: &[u8] = b"PGDMP";

/// Why a backup or a restore failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Store(#[from] crate::StoreError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("SQLite, {what} ({path}): {source}")]
    Sqlite {
        what: &'static str,
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "{tool} is not installed (looked on PATH and in {PG_BIN}); install the PostgreSQL 15 \
         client tools (Debian: postgresql-client-15)"
    )]
    ToolMissing { tool: &'static str },
    #[error("{tool} failed ({status}): {stderr}")]
    Tool {
        tool: &'static str,
        status: String,
        stderr: String,
    },
    #[error("refusing to restore into {target}: {reason}")]
    Refused { target: String, reason: String },
    #[error("{path} is not {expected}")]
    WrongFormat {
        path: String,
        expected: &'static str,
    },
}

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    /// `sqlite` or `postgres`.
    pub kind: &'static str,
    pub path: PathBuf,
    pub bytes: u64,
}

/// What a restore put back, read from the restored journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestoreReport {
    pub orders: usize,
    pub fills: usize,
}

/// Copies the database at `url` (`sqlite://FILE` or `postgres://…`) into
/// the file `to`, replacing it.
pub fn backup(url: &str, to: &Path) -> Result<BackupReport, BackupError> {
    let partial = partial_path(to);
    let written = if is_postgres_url(url) {
        pg::dump(url, &partial).map(|()| "postgres")
    } else {
        sqlite_backup(&sqlite_file(url)?, &partial).map(|()| "sqlite")
    };
    let kind = match written {
        Ok(kind) => kind,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, to).map_err(io(to))?;
    let bytes = std::fs::metadata(to).map_err(io(to))?.len();
    Ok(BackupReport {
        kind,
        path: to.to_path_buf(),
        bytes,
    })
}

/// Puts the backup `from` back into the database at `url`. Refused while
/// any process has that database open, and, unless `force`, when it
/// already holds data (a SQLite file that exists; a PostgreSQL database
/// with tables).
pub fn restore(from: &Path, url: &str, force: bool) -> Result<RestoreReport, BackupError> {
    if is_postgres_url(url) {
        expect_magic(
            from,
            PG_MAGIC,
            "a pg_dump custom-format archive (smc store backup of a postgres:// database)",
        )?;
        pg::restore(from, url, force)?;
    } else {
        expect_magic(
            from,
            SQLITE_MAGIC,
            "a SQLite database (smc store backup of a sqlite:// database)",
        )?;
        sqlite_restore(from, &sqlite_file(url)?, force)?;
    }
    let journal = crate::open_journal_reader(url)?;
    Ok(RestoreReport {
        orders: journal.orders()?.len(),
        fills: journal.fills()?.len(),
    })
}

/// The file a `sqlite:` URL (or a bare path) names; memory is refused.
fn sqlite_file(url: &str) -> Result<PathBuf, BackupError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path.starts_with(':') {
        return Err(crate::StoreError::Url {
            url: url.to_string(),
            message: "a backup needs a database file".into(),
        }
        .into());
    }
    Ok(PathBuf::from(path))
}

/// `FILE.partial`, beside `file` so that the final rename stays on one file
/// system.
fn partial_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn sqlite<'a>(
    what: &'static str,
    path: &'a Path,
) -> impl FnOnce(rusqlite::Error) -> BackupError + 'a {
    move |source| BackupError::Sqlite {
        what,
        path: path.display().to_string(),
        source,
    }
}

/// Fails unless the file starts with `magic`.
fn expect_magic(path: &Path, magic: &[u8], expected: &'static str) -> Result<(), BackupError> {
    let mut head = vec![0u8; magic.len()];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .map_err(io(path))?;
    if head != magic {
        return Err(BackupError::WrongFormat {
            path: path.display().to_string(),
            expected,
        });
    }
    Ok(())
}

/// Copies every page of `source` into a new database at `to`, in one step:
/// one read transaction, so the copy is a single consistent snapshot even
/// while a session commits (stepping in pieces would restart on each of
/// its writes). The copy leaves WAL mode so that it is one
/// self-contained file.
fn sqlite_backup(source: &Path, to: &Path) -> Result<(), BackupError> {
    if !source.exists() {
        return Err(crate::StoreError::Missing {
            path: source.display().to_string(),
        }
        .into());
    }
    let from = Connection::open_with_flags(
        source,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite("opening the database", source))?;
    from.busy_timeout(Duration::from_secs(5))
        .map_err(sqlite("opening the database", source))?;
    let _ = std::fs::remove_file(to);
    let mut dest = Connection::open(to).map_err(sqlite("creating the backup", to))?;
    copy_pages(&from, &mut dest, to)?;
    dest.pragma_update(None, "journal_mode", "DELETE")
        .map_err(sqlite("leaving WAL mode", to))?;
    check_integrity(&dest, to)
}

/// The online backup of `from` into `to`, retried while the source is busy
/// (a writer checkpointing); `path` names the destination in errors.
fn copy_pages(from: &Connection, to: &mut Connection, path: &Path) -> Result<(), BackupError> {
    let backup = Backup::new(from, to).map_err(sqlite("starting the backup", path))?;
    for _ in 0..100 {
        match backup.step(-1).map_err(sqlite("copying pages", path))? {
            StepResult::Done => return Ok(()),
            // Busy, locked, or a step that was cut short: try again.
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    Err(BackupError::Sqlite {
        what: "copying pages",
        path: path.display().to_string(),
        source: rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            Some("the source stayed busy for 5 s".into()),
        ),
    })
}

fn check_integrity(conn: &Connection, path: &Path) -> Result<(), BackupError> {
    let verdict: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(sqlite("checking the copy", path))?;
    if verdict != "ok" {
        return Err(BackupError::WrongFormat {
            path: format!("{} ({verdict})", path.display()),
            expected: "an intact SQLite database",
        });
    }
    Ok(())
}

/// Replaces `target` with a copy of the backup `from`. The copy is made
/// and checked beside the target, then renamed over it, after the target's
/// stale `-wal` and `-shm` files are removed (SQLite would otherwise replay
/// the old database's last writes onto the restored one).
fn sqlite_restore(from: &Path, target: &Path, force: bool) -> Result<(), BackupError> {
    let refused = |reason: String| BackupError::Refused {
        target: target.display().to_string(),
        reason,
    };
    // The session lock (`FILE.lock`, smc_runtime's SessionLock), held until
    // the restore is done so that no session starts meanwhile.
    let _session = session_lock(target).map_err(&refused)?;
    if target.exists() {
        if !force {
            return Err(refused(
                "the file exists; pass --force to replace it (after stopping every process using it)".into(),
            ));
        }
        if let Some(reason) = sqlite_in_use(target)? {
            return Err(refused(reason));
        }
    }
    let partial = partial_path(target);
    let made = (|| {
        let _ = std::fs::remove_file(&partial);
        let source = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(sqlite("opening the backup", from))?;
        let mut dest = Connection::open(&partial).map_err(sqlite("creating the copy", &partial))?;
        copy_pages(&source, &mut dest, &partial)?;
        check_integrity(&dest, &partial)
    })();
    if let Err(e) = made {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    for suffix in ["-wal", "-shm"] {
        let mut side = target.as_os_str().to_owned();
        side.push(suffix);
        match std::fs::remove_file(&side) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(Path::new(&side))(e)),
        }
    }
    std::fs::rename(&partial, target).map_err(io(target))
}

/// The session lock beside `target`, taken if its file exists (a session
/// creates it before it opens the journal); why not, when another process
/// holds it.
fn session_lock(target: &Path) -> Result<Option<File>, String> {
    let mut name = target.as_os_str().to_owned();
    name.push(".lock");
    let path = PathBuf::from(name);
    if !path.exists() {
        return Ok(None);
    }
    let file = OpenOptions::new()
        .write(true)
        .open(&path)
        .map_err(|e| format!("opening {}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(format!(
            "a session is running on it (it holds {}); stop it first",
            path.display()
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(format!("locking {}: {e}", path.display())),
    }
}

/// Why `target` is in use, if it is: an exclusive lock cannot be had while
/// another connection (a server, a reader) has the WAL database open.
fn sqlite_in_use(target: &Path) -> Result<Option<String>, BackupError> {
    let conn = Connection::open_with_flags(target, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(sqlite("opening the target", target))?;
    conn.busy_timeout(Duration::from_millis(200))
        .map_err(sqlite("opening the target", target))?;
    conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
        .map_err(sqlite("locking the target", target))?;
    match conn.execute_batch("BEGIN EXCLUSIVE; ROLLBACK;") {
        Ok(()) => Ok(None),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) =>
        {
            Ok(Some(
                "another process has it open (a running smc serve or session?); stop it first"
                    .into(),
            ))
        }
        Err(e) => Err(sqlite("locking the target", target)(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_cannot_be_backed_up() {
        assert!(sqlite_file("sqlite::memory:").is_err());
        assert_eq!(
            sqlite_file("sqlite:///tmp/a.db").unwrap(),
            PathBuf::from("/tmp/a.db")
        );
        assert_eq!(sqlite_file("j.db").unwrap(), PathBuf::from("j.db"));
    }
}
