//! Data by content: blobs (the candle file, a run's spec) named by the
//! SHA-256 of their bytes in a JetStream object store, or read from a path
//! every machine shares. Whatever the source, the reader hashes what it got
//! and refuses a blob whose hash is not its name, so that a corrupted or
//! swapped file can never feed a backtest.

use crate::error::{DistError, DistResult};
use async_nats::jetstream::object_store::{InfoErrorKind, ObjectStore};
use sha2::{Digest, Sha256};
use std::path::Path;
use tokio::io::AsyncReadExt;

/// The SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Refuses `bytes` unless their SHA-256 is `expected`.
pub fn verify(what: &str, expected: &str, bytes: &[u8]) -> DistResult<()> {
    let actual = sha256_hex(bytes);
    if actual.eq_ignore_ascii_case(expected) {
        Ok(())
    } else {
        Err(DistError::HashMismatch {
            what: what.to_string(),
            expected: expected.to_string(),
            actual,
        })
    }
}

/// Reads a shared file and checks it is the blob `expected`.
pub fn read_shared(path: &Path, expected: &str) -> DistResult<Vec<u8>> {
    let bytes = std::fs::read(path).map_err(|source| DistError::Io {
        path: path.display().to_string(),
        source,
    })?;
    verify(&path.display().to_string(), expected, &bytes)?;
    Ok(bytes)
}

/// Puts `bytes` in the store under their hash unless it holds them
/// already (a second run on the same data uploads nothing); returns the hash.
pub async fn store(os: &ObjectStore, bytes: &[u8]) -> DistResult<String> {
    let hash = sha256_hex(bytes);
    match os.info(&hash).await {
        Ok(info) if !info.deleted && info.size == bytes.len() => return Ok(hash),
        Ok(_) => {}
        Err(e) if e.kind() == InfoErrorKind::NotFound => {}
        Err(e) => return Err(DistError::nats(format!("object {hash}"), e)),
    }
    let mut reader = bytes;
    os.put(hash.as_str(), &mut reader)
        .await
        .map_err(|e| DistError::nats(format!("uploading object {hash}"), e))?;
    Ok(hash)
}

/// Puts `bytes` under a name of the caller's choosing (tests use it to
/// plant a corrupted blob).
pub async fn store_as(os: &ObjectStore, name: &str, bytes: &[u8]) -> DistResult<()> {
    let mut reader = bytes;
    os.put(name, &mut reader)
        .await
        .map_err(|e| DistError::nats(format!("uploading object {name}"), e))?;
    Ok(())
}

/// Downloads blob `hash` and checks its bytes.
pub async fn fetch(os: &ObjectStore, hash: &str) -> DistResult<Vec<u8>> {
    let mut object = os
        .get(hash)
        .await
        .map_err(|e| DistError::nats(format!("object {hash}"), e))?;
    let mut bytes = Vec::new();
    object
        .read_to_end(&mut bytes)
        .await
        .map_err(|source| DistError::Io {
            path: format!("object {hash}"),
            source,
        })?;
    verify(&format!("object {hash}"), hash, &bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn the_hash_is_sha256_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_changed_shared_file_is_refused() {
        let dir = std::env::temp_dir().join(format!("smc-dist-blob-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("candles.csv");
        std::fs::write(&path, b"time,open\n1,2\n").unwrap();
        let hash = sha256_hex(b"time,open\n1,2\n");
        assert_eq!(read_shared(&path, &hash).unwrap(), b"time,open\n1,2\n");
        std::fs::write(&path, b"time,open\n1,3\n").unwrap();
        let e = read_shared(&path, &hash).unwrap_err().to_string();
        assert!(e.contains("SHA-256 mismatch") && e.contains(&hash), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
