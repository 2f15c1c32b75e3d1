//! The schema: numbered migrations in `migrations/` (`V1__breakers.sql`,
//! …), embedded in the binary and applied by refinery when a store opens;
//! refinery records them in `refinery_schema_history`. Databases created
//! before refinery (sqlx recorded its migrations in `_sqlx_migrations`)
//! get their history carried over first, so nothing already applied runs
//! twice and no journal is lost.

use crate::error::StoreError;
use rusqlite::{Connection, OptionalExtension};

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// Brings the schema of `conn` up to date.
pub(super) fn run(conn: &mut Connection, url: &str) -> Result<(), StoreError> {
    let failed = |message: String| StoreError::Migrate {
        url: url.to_string(),
        message,
    };
    adopt_sqlx_history(conn).map_err(|e| failed(e.to_string()))?;
    embedded::migrations::runner()
        .run(conn)
        .map_err(|e| failed(e.to_string()))?;
    Ok(())
}

/// The versions applied, in order.
pub(super) fn applied(conn: &Connection) -> Result<Vec<i64>, StoreError> {
    let what = "reading the applied migrations";
    let mut prepared = conn
        .prepare("SELECT version FROM refinery_schema_history ORDER BY version")
        .map_err(StoreError::query(what))?;
    let versions = prepared
        .query_map([], |r| r.get(0))
        .map_err(StoreError::query(what))?;
    versions
        .collect::<Result<Vec<i64>, _>>()
        .map_err(StoreError::query(what))
}

fn table_exists(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
        [name],
        |_| Ok(()),
    )
    .optional()
    .map(|found| found.is_some())
}

/// Writes refinery's history for the migrations sqlx applied, once.
fn adopt_sqlx_history(conn: &mut Connection) -> rusqlite::Result<()> {
    if !table_exists(conn, "_sqlx_migrations")? || table_exists(conn, "refinery_schema_history")? {
        return Ok(());
    }
    let tx = conn.transaction()?;
    tx.execute_batch(
        "CREATE TABLE refinery_schema_history(
             version int4 PRIMARY KEY,
             name VARCHAR(255),
             applied_on VARCHAR(255),
             checksum VARCHAR(255));",
    )?;
    let applied: Vec<(i64, String)> = {
        let mut prepared = tx.prepare(
            "SELECT version, installed_on FROM _sqlx_migrations WHERE success ORDER BY version",
        )?;
        let rows = prepared.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let runner = embedded::migrations::runner();
    for (version, installed_on) in applied {
        let Some(m) = runner
            .get_migrations()
            .iter()
            .find(|m| i64::from(m.version()) == version)
        else {
            continue;
        };
        // sqlx wrote `YYYY-MM-DD HH:MM:SS` (UTC); refinery reads RFC 3339.
        let applied_on = format!("{}Z", installed_on.replacen(' ', "T", 1));
        tx.execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) \
             VALUES (?, ?, ?, ?)",
            rusqlite::params![version, m.name(), applied_on, m.checksum().to_string()],
        )?;
    }
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first five migrations as sqlx applied them, with its table.
    fn sqlx_era_database() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL,
             installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL,
             checksum BLOB NOT NULL, execution_time BIGINT NOT NULL);",
        )
        .unwrap();
        let tx = conn.transaction().unwrap();
        for m in embedded::migrations::runner().get_migrations() {
            if m.version() > 5 {
                continue;
            }
            tx.execute_batch(m.sql().unwrap()).unwrap();
            tx.execute(
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
                 VALUES (?, ?, 1, x'00', 0)",
                rusqlite::params![m.version(), m.name()],
            )
            .unwrap();
        }
        tx.execute(
            "INSERT INTO orders (client_id, instrument, request, status, created_at, updated_at)
             VALUES ('a', 'binance:BTCUSDT', '{}', 'pending', 1, 1)",
            [],
        )
        .unwrap();
        tx.commit().unwrap();
        conn
    }

    #[test]
    fn a_database_migrated_by_sqlx_keeps_its_rows_and_gets_the_new_migrations() {
        let mut conn = sqlx_era_database();
        run(&mut conn, "sqlite::memory:").unwrap();
        let versions = applied(&conn).unwrap();
        let latest = embedded::migrations::runner()
            .get_migrations()
            .iter()
            .map(|m| i64::from(m.version()))
            .max()
            .unwrap();
        assert_eq!(versions, (1..=latest).collect::<Vec<_>>());
        // V6 renamed the journal's `pending` to `pending_new`.
        let status: String = conn
            .query_row("SELECT status FROM orders WHERE client_id = 'a'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(status, "pending_new");
        // Running again changes nothing.
        run(&mut conn, "sqlite::memory:").unwrap();
        assert_eq!(applied(&conn).unwrap().len(), versions.len());
    }
}
