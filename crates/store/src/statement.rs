//! A write as data — its SQL and its values — so that the same write can
//! run on its own (through sqlx) or join a batch that commits in one
//! transaction: on the direct connection (`crate::direct`) for a file, or
//! as one `BEGIN; …; COMMIT` query to sqlx's worker for an in-memory
//! database, paying the hop to the worker thread (≈45 µs on the 2-vCPU CI
//! machine) once.

use crate::db::Store;
use crate::error::StoreError;
use sqlx::Sqlite;
use sqlx::query::Query;
use sqlx::sqlite::SqliteArguments;
use std::borrow::Cow;

/// One value bound to a `?`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Int(i64),
    Text(String),
    Null,
}

/// One SQL statement with its values, in `?` order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Statement {
    sql: Cow<'static, str>,
    values: Vec<Value>,
}

impl Statement {
    pub(crate) fn new(sql: impl Into<Cow<'static, str>>) -> Self {
        Statement {
            sql: sql.into(),
            values: Vec::new(),
        }
    }

    pub(crate) fn int(mut self, v: i64) -> Self {
        self.values.push(Value::Int(v));
        self
    }

    pub(crate) fn opt_int(mut self, v: Option<i64>) -> Self {
        self.values.push(v.map_or(Value::Null, Value::Int));
        self
    }

    pub(crate) fn text(mut self, v: impl Into<String>) -> Self {
        self.values.push(Value::Text(v.into()));
        self
    }

    pub(crate) fn opt_text(mut self, v: Option<&str>) -> Self {
        self.values
            .push(v.map_or(Value::Null, |s| Value::Text(s.to_string())));
        self
    }

    /// `tail` appended to the SQL (a further condition).
    pub(crate) fn with_sql_tail(mut self, tail: &str) -> Self {
        self.sql = format!("{}{tail}", self.sql).into();
        self
    }

    /// The sqlx query of `sql` with `values` bound in order.
    fn query(sql: String, values: Vec<Value>) -> Query<'static, Sqlite, SqliteArguments> {
        values
            .into_iter()
            .fold(sqlx::query(sqlx::AssertSqlSafe(sql)), |q, v| match v {
                Value::Int(i) => q.bind(i),
                Value::Text(t) => q.bind(t),
                Value::Null => q.bind(None::<String>),
            })
    }

    pub(crate) fn sql(&self) -> &str {
        &self.sql
    }

    pub(crate) fn values(&self) -> &[Value] {
        &self.values
    }

    /// This statement alone, for an open transaction.
    pub(crate) fn into_query(self) -> Query<'static, Sqlite, SqliteArguments> {
        Statement::query(self.sql.into_owned(), self.values)
    }
}

impl Store {
    /// Runs one statement in its own transaction; returns the rows it
    /// changed.
    pub(crate) fn run(&self, statement: Statement, what: &'static str) -> Result<u64, StoreError> {
        self.block_on(statement.into_query().execute(&mut *self.conn()))
            .map(|done| done.rows_affected())
            .map_err(StoreError::query(what))
    }

    /// Runs `statements` as one transaction, sent as one query: all of
    /// them are written, or (on any error) none.
    pub(crate) fn run_batch(
        &self,
        statements: Vec<Statement>,
        what: &'static str,
    ) -> Result<(), StoreError> {
        if statements.is_empty() {
            return Ok(());
        }
        if let Some(mut direct) = self.direct() {
            return crate::direct::run_batch(&mut direct, &statements, what);
        }
        // An in-memory database has no second connection: one query to
        // sqlx's worker.
        let mut sql = String::from("BEGIN;\n");
        let mut values = Vec::new();
        for s in statements {
            sql.push_str(&s.sql);
            sql.push_str(";\n");
            values.extend(s.values);
        }
        sql.push_str("COMMIT");
        let mut conn = self.conn();
        let done = self.block_on(Statement::query(sql, values).execute(&mut *conn));
        if let Err(e) = done {
            // The statement that failed left the transaction open: end it,
            // so that nothing of the batch stays and the next write starts
            // clean. (If BEGIN itself failed there is nothing to roll back,
            // and this fails harmlessly.)
            let _ = self.block_on(sqlx::query("ROLLBACK").execute(&mut *conn));
            return Err(StoreError::query(what)(e));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Store {
        let store = Store::open("sqlite::memory:").unwrap();
        store
            .run(
                Statement::new("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)"),
                "test",
            )
            .unwrap();
        store
    }

    fn count(store: &Store) -> i64 {
        store
            .block_on(sqlx::query_scalar("SELECT COUNT(*) FROM t").fetch_one(&mut *store.conn()))
            .unwrap()
    }

    fn insert(k: i64, v: Option<&str>) -> Statement {
        Statement::new("INSERT INTO t (k, v) VALUES (?, ?)")
            .int(k)
            .opt_text(v)
    }

    #[test]
    fn a_batch_writes_every_statement_with_its_own_values() {
        let store = store();
        store
            .run_batch(
                vec![insert(1, Some("a")), insert(2, None), insert(3, Some("c"))],
                "test",
            )
            .unwrap();
        let rows: Vec<(i64, Option<String>)> = store
            .block_on(sqlx::query_as("SELECT k, v FROM t ORDER BY k").fetch_all(&mut *store.conn()))
            .unwrap();
        assert_eq!(
            rows,
            vec![(1, Some("a".into())), (2, None), (3, Some("c".into()))]
        );
    }

    #[test]
    fn a_failing_statement_leaves_nothing_of_its_batch_and_the_next_one_works() {
        let store = store();
        store.run(insert(2, Some("first")), "test").unwrap();
        let failed = store.run_batch(
            vec![insert(1, Some("a")), insert(2, Some("duplicate"))],
            "writing the test batch",
        );
        let message = failed.unwrap_err().to_string();
        assert!(message.contains("writing the test batch"), "{message}");
        assert_eq!(count(&store), 1, "the batch's first insert was rolled back");
        store
            .run_batch(vec![insert(1, Some("a")), insert(3, None)], "test")
            .unwrap();
        assert_eq!(count(&store), 3);
    }
}
