//! The PostgreSQL side of [`super`]: `pg_dump --format=custom` for a
//! backup; for a restore, `psql` checks that nobody else is connected,
//! `pg_restore` turns the archive into SQL and `psql` runs it in one
//! transaction. The tools come from `PATH`, else [`PG_BIN`].

use super::{BackupError, PG_BIN, io};
use crate::postgres::redacted;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A PostgreSQL client tool: on `PATH`, else in [`PG_BIN`].
fn pg_tool(tool: &'static str) -> Result<PathBuf, BackupError> {
    find_tool(tool, std::env::var_os("PATH").as_deref(), Path::new(PG_BIN))
}

/// `tool` in the folders of `path` (a `PATH` value), else in `fallback`.
fn find_tool(
    tool: &'static str,
    path: Option<&std::ffi::OsStr>,
    fallback: &Path,
) -> Result<PathBuf, BackupError> {
    let mut places: Vec<PathBuf> = path
        .map(|p| std::env::split_paths(p).collect())
        .unwrap_or_default();
    places.push(fallback.to_path_buf());
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

pub(super) fn dump(url: &str, to: &Path) -> Result<(), BackupError> {
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
pub(super) fn restore(from: &Path, url: &str, force: bool) -> Result<(), BackupError> {
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
    fn a_missing_tool_says_what_to_install() {
        let empty = std::env::temp_dir().join("smc-backup-no-tools");
        let e = find_tool("pg_dump", Some(empty.as_os_str()), &empty).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("pg_dump") && text.contains("postgresql-client-15"),
            "{text}"
        );
        let dir = tempfile_dir();
        std::fs::write(dir.join("pg_dump"), "").unwrap();
        assert_eq!(
            find_tool("pg_dump", None, &dir).unwrap(),
            dir.join("pg_dump"),
            "the fallback folder"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A fresh folder (the store's unit tests have no tempfile crate).
    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("smc-backup-tools-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
