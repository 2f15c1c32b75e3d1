//! A write as data — its SQL and its values — so that the same write can
//! run on its own or join a batch that commits in one transaction.

use rusqlite::types::{ToSql, ToSqlOutput};
use smc_model::Timestamp;
use std::borrow::Cow;

/// One value bound to a `?`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Int(i64),
    Text(String),
    Null,
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match self {
            Value::Int(i) => i.to_sql(),
            Value::Text(t) => t.to_sql(),
            Value::Null => Ok(ToSqlOutput::from(rusqlite::types::Null)),
        }
    }
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

    /// A time, stored as epoch milliseconds.
    pub(crate) fn time(self, v: Timestamp) -> Self {
        self.int(v.ms())
    }

    pub(crate) fn opt_time(self, v: Option<Timestamp>) -> Self {
        self.opt_int(v.map(Timestamp::ms))
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

    pub(crate) fn sql(&self) -> &str {
        &self.sql
    }

    pub(crate) fn values(&self) -> &[Value] {
        &self.values
    }
}
