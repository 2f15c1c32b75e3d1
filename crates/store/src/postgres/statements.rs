//! Statements prepared once per connection: a step's writes are a handful
//! of fixed SQL texts, and preparing each on every call would double the
//! round trips to the server.

use postgres::types::ToSql;
use postgres::{GenericClient, Row, Statement};
use std::collections::HashMap;

/// A connection (or its open transaction) with the journal's prepared
/// statements: each SQL text is prepared once per connection, not once per
/// call, which halves a step's round trips.
pub(crate) struct Cx<'a, C: GenericClient> {
    pub(crate) c: &'a mut C,
    pub(crate) cache: &'a mut HashMap<String, Statement>,
}

impl<C: GenericClient> Cx<'_, C> {
    fn statement(&mut self, sql: &str) -> Result<Statement, postgres::Error> {
        if let Some(s) = self.cache.get(sql) {
            return Ok(s.clone());
        }
        let s = self.c.prepare(sql)?;
        self.cache.insert(sql.to_string(), s.clone());
        Ok(s)
    }

    pub(crate) fn execute(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, postgres::Error> {
        let s = self.statement(sql)?;
        self.c.execute(&s, params)
    }

    pub(crate) fn query_opt(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, postgres::Error> {
        let s = self.statement(sql)?;
        self.c.query_opt(&s, params)
    }
}
