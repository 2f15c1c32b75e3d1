//! Reading the sessions back, for an API replica: the live sessions (those
//! whose `summary` key has not expired) and any part of one. Every answer
//! is checked to be of this version's schema.

use crate::link::Link;
use crate::{CacheError, SCHEMA, keys};
use serde_json::Value;

/// A live session as the index and its summary key describe it.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedSession {
    pub id: String,
    /// The summary the primary wrote, with `heartbeat_ms` and `schema`.
    pub summary: Value,
}

/// A reader; cheap to share behind an `Arc`.
pub struct CacheReader {
    link: Link,
}

impl std::fmt::Debug for CacheReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CacheReader")
    }
}

impl CacheReader {
    /// A reader of `url`; connects on first use.
    pub fn new(url: &str) -> Result<CacheReader, CacheError> {
        Ok(CacheReader {
            link: Link::new(url)?,
        })
    }

    /// Whether Redis answers a PING now.
    pub async fn ping(&self) -> Result<(), CacheError> {
        self.link
            .run(|mut c| async move { redis::cmd("PING").query_async::<String>(&mut c).await })
            .await
            .map(drop)
    }

    /// The live sessions, by id.
    pub async fn sessions(&self) -> Result<Vec<CachedSession>, CacheError> {
        let ids: Vec<String> = self
            .link
            .run(|mut c| async move {
                redis::cmd("HKEYS")
                    .arg(keys::SESSIONS)
                    .query_async::<Vec<String>>(&mut c)
                    .await
            })
            .await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut ids = ids;
        ids.sort();
        let names: Vec<String> = ids.iter().map(|id| keys::part(id, "summary")).collect();
        let values = self.mget(names.clone()).await?;
        let mut live = Vec::new();
        for ((id, key), value) in ids.into_iter().zip(names).zip(values) {
            // An index entry without its summary key is a session whose
            // primary stopped writing: expired.
            if let Some(raw) = value {
                live.push(CachedSession {
                    id,
                    summary: unwrap_envelope(&key, &raw)?,
                });
            }
        }
        Ok(live)
    }

    /// Part `part` of session `id`; `None` when absent or expired.
    pub async fn part(&self, id: &str, part: &str) -> Result<Option<Value>, CacheError> {
        let key = keys::part(id, part);
        let raw = self.mget(vec![key.clone()]).await?;
        match raw.into_iter().next().flatten() {
            Some(raw) => unwrap_envelope(&key, &raw).map(Some),
            None => Ok(None),
        }
    }

    /// The time to live of a key in ms (`None`: no such key or no expiry).
    pub async fn ttl_ms(&self, key: &str) -> Result<Option<i64>, CacheError> {
        let key = key.to_string();
        let ttl: i64 = self
            .link
            .run(|mut c| async move { redis::cmd("PTTL").arg(key).query_async(&mut c).await })
            .await?;
        Ok((ttl >= 0).then_some(ttl))
    }

    async fn mget(&self, names: Vec<String>) -> Result<Vec<Option<String>>, CacheError> {
        self.link
            .run(|mut c| async move {
                redis::cmd("MGET")
                    .arg(names)
                    .query_async::<Vec<Option<String>>>(&mut c)
                    .await
            })
            .await
    }
}

/// The `data` of a `{"schema":1,…,"data":…}` value.
fn unwrap_envelope(key: &str, raw: &str) -> Result<Value, CacheError> {
    let malformed = |reason: String| CacheError::Malformed {
        key: key.to_string(),
        reason,
    };
    let mut value: Value = serde_json::from_str(raw).map_err(|e| malformed(e.to_string()))?;
    let schema = value.get("schema").and_then(Value::as_u64);
    if schema != Some(u64::from(SCHEMA)) {
        return Err(malformed(format!(
            "schema {schema:?}, this version reads {SCHEMA}"
        )));
    }
    value
        .get_mut("data")
        .map(Value::take)
        .ok_or_else(|| malformed("no `data`".into()))
}
