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

use crate::postgres::{is_postgres_url, redacted};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

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
        pg_dump(url, &partial).map(|()| "postgres")
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
        pg_restore(from, url, force)?;
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

/// A PostgreSQL client tool: on `PATH`, else in [`PG_BIN`].
fn pg_tool(tool: &'static str) -> Result<PathBuf, BackupError> {
    let mut places: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    places.push(PG_BIN.into());
    places
        .into_iter()
        .map(|dir| dir.join(tool))
        .find(|p| p.is_file())
        .ok_or(BackupError::ToolMissing { tool })
}

/// A command for `tool` on the database at `url`: the URL without its
/// password as `--dbname` (a command line is visible to every user of the
/// machine), the password in `PGPASSWORD`.
fn pg_command(tool: &'static str, url: &str) -> Result<Command, BackupError> {
    let config: postgres::Config = url.parse().map_err(|e| crate::StoreError::Url {
        url: redacted(url),
        message: format!("{e}"),
    })?;
    let mut command = Command::new(pg_tool(tool)?);
    command.arg(format!("--dbname={}", without_password(url)));
    if let Some(password) = config.get_password() {
        command.env("PGPASSWORD", String::from_utf8_lossy(password).as_ref());
    }
    Ok(command)
}

/// `url` with the password taken out of its user part.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((user, host)) if user.contains(':') => {
            let name = user.split(':').next().unwrap_or_default();
            format!("{scheme}://{name}@{host}{tail}")
        }
        _ => url.to_string(),
    }
}

/// Runs `command`; its standard output, or an error with its stderr.
fn run(tool: &'static str, mut command: Command) -> Result<String, BackupError> {
    let out = command.output().map_err(|source| BackupError::Io {
        path: tool.to_string(),
        source,
    })?;
    if !out.status.success() {
        return Err(BackupError::Tool {
            tool,
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn pg_dump(url: &str, to: &Path) -> Result<(), BackupError> {
    let mut command = pg_command("pg_dump", url)?;
    command
        .args(["--format=custom", "--no-owner", "--no-privileges"])
        .arg(format!("--file={}", to.display()));
    run("pg_dump", command).map(drop)
}

/// Restores the archive `from` into `url` in one transaction, after
/// checking that no other client is connected and, unless `force`, that
/// the database has no tables. `pg_restore` turns the archive into SQL and
/// `psql` runs it in one transaction behind statements that first empty
/// the database (every schema dropped, `public` made anew): `pg_restore
/// --clean` cannot replace the journal's partitioned tables ("cannot drop
/// inherited constraint" on each partition's key), and a failure half way
/// must leave the target as it was.
fn pg_restore(from: &Path, url: &str, force: bool) -> Result<(), BackupError> {
    let refused = |reason: String| BackupError::Refused {
        target: redacted(url),
        reason,
    };
    let mut probe = pg_command("psql", url)?;
    probe.args(["-XAtq", "-F", " ", "-c"]).arg(
        "SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
         AND pid <> pg_backend_pid() AND backend_type = 'client backend'), \
         (SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema'))",
    );
    let answer = run("psql", probe)?;
    let counts: Vec<u64> = answer
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    let [clients, tables] = counts[..] else {
        return Err(BackupError::Tool {
            tool: "psql",
            status: "unexpected answer".into(),
            stderr: answer,
        });
    };
    if clients > 0 {
        return Err(refused(format!(
            "{clients} other client(s) are connected to it (a running smc serve or session?); \
             stop them first"
        )));
    }
    if tables > 0 && !force {
        return Err(refused(format!(
            "it holds {tables} table(s); pass --force to replace the whole database with the backup"
        )));
    }
    let mut script = Command::new(pg_tool("pg_restore")?);
    script
        .args(["--no-owner", "--no-privileges", "--file=-"])
        .arg(from);
    let mut apply = pg_command("psql", url)?;
    apply.args(["-X", "-q", "-v", "ON_ERROR_STOP=1"]);
    pipe(script, apply)
}

/// What opens the transaction and empties the database before the
/// archive's SQL.
const EMPTY_DATABASE: &str = "\
BEGIN;
DO $$DECLARE s name; BEGIN
  FOR s IN SELECT nspname FROM pg_namespace
           WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public')
             AND nspname NOT LIKE 'pg\\_%'
  LOOP EXECUTE format('DROP SCHEMA %I CASCADE', s); END LOOP;
END$$;
DROP SCHEMA IF EXISTS public CASCADE;
CREATE SCHEMA public;
";

/// Runs `pg_restore`'s SQL through `psql`: [`EMPTY_DATABASE`] first, then
/// the script as it comes (never all in memory), then `COMMIT` only if
/// `pg_restore` read the whole archive: a truncated or corrupt one ends
/// the connection inside the transaction, which rolls it back.
fn pipe(mut script: Command, mut apply: Command) -> Result<(), BackupError> {
    use std::io::Write;
    use std::process::Stdio;
    let spawn = |c: &mut Command, tool: &'static str| {
        c.spawn().map_err(|source| BackupError::Io {
            path: tool.to_string(),
            source,
        })
    };
    let mut psql = spawn(
        apply
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped()),
        "psql",
    )?;
    let mut restore = spawn(
        script.stdout(Stdio::piped()).stderr(Stdio::piped()),
        "pg_restore",
    )?;
    let (Some(mut sql_in), Some(mut sql_out), Some(mut restore_err)) = (
        psql.stdin.take(),
        restore.stdout.take(),
        restore.stderr.take(),
    ) else {
        return Err(BackupError::Tool {
            tool: "pg_restore",
            status: "no pipes".into(),
            stderr: String::new(),
        });
    };
    // Its complaints are read meanwhile, so that a full pipe never stalls it.
    let complaints = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = restore_err.read_to_string(&mut text);
        text
    });
    // A write that fails means psql stopped at an error: its stderr says
    // which, below.
    let _ = sql_in
        .write_all(EMPTY_DATABASE.as_bytes())
        .and_then(|()| std::io::copy(&mut sql_out, &mut sql_in).map(drop));
    drop(sql_out);
    let restored = restore.wait().map_err(io(Path::new("pg_restore")))?;
    if restored.success() {
        let _ = sql_in.write_all(b"COMMIT;\n");
    }
    drop(sql_in);
    let restore_stderr = complaints.join().unwrap_or_default();
    let applied = psql.wait_with_output().map_err(io(Path::new("psql")))?;
    if !applied.status.success() {
        return Err(BackupError::Tool {
            tool: "psql",
            status: applied.status.to_string(),
            stderr: String::from_utf8_lossy(&applied.stderr).trim().to_string(),
        });
    }
    if !restored.success() {
        return Err(BackupError::Tool {
            tool: "pg_restore",
            status: restored.to_string(),
            stderr: restore_stderr.trim().to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_command_line() {
        assert_eq!(
            without_password("postgres://smc:s3cr%40t@db:5432/smc?sslmode=require"),
            "postgres://smc@db:5432/smc?sslmode=require"
        );
        assert_eq!(
            without_password("postgresql://smc@db/smc"),
            "postgresql://smc@db/smc"
        );
        let config: postgres::Config = "postgres://smc:s3cr%40t@db:5432/smc".parse().unwrap();
        assert_eq!(config.get_password(), Some(&b"s3cr@t"[..]));
    }

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
