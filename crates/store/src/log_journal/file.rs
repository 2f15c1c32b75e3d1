//! The journal log's file: locked by one session, read back whole at open
//! (a torn last record dropped), appended to with one `write` per step,
//! synced as the policy asks, and emptied once every record is applied.

use super::record::{self, Damage, HEADER, LogStep};
use crate::error::StoreError;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// An open, locked log file.
pub(crate) struct LogFile {
    file: File,
    path: PathBuf,
    len: u64,
}

/// What the file held when it was opened.
pub(crate) struct Contents {
    pub records: Vec<(u64, LogStep)>,
    /// Bytes of a torn last record, dropped.
    pub dropped: u64,
}

impl LogFile {
    /// Opens (creating) and locks the log at `path`, and reads its records.
    /// A last record cut short or failing its checksum (a write the
    /// machine did not finish) is dropped; damage before the last record
    /// is refused: records after it would be lost.
    pub(crate) fn open(path: &Path) -> Result<(LogFile, Contents), StoreError> {
        let fail = |message: String| StoreError::Log {
            path: path.display().to_string(),
            message,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(|e| fail(format!("cannot open: {e}")))?;
        file.try_lock().map_err(|e| {
            fail(format!(
                "held by another process ({e}): one session per journal"
            ))
        })?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|e| fail(format!("cannot read: {e}")))?;
        let (records, good) = scan(&bytes).map_err(fail)?;
        let dropped = (bytes.len() - good) as u64;
        if dropped > 0 {
            file.set_len(good as u64)
                .map_err(|e| fail(format!("cannot drop a torn last record: {e}")))?;
        }
        let log = LogFile {
            file,
            path: path.to_path_buf(),
            len: good as u64,
        };
        Ok((log, Contents { records, dropped }))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    fn fail(&self, what: &str, e: std::io::Error) -> StoreError {
        StoreError::Log {
            path: self.path.display().to_string(),
            message: format!("{what}: {e}"),
        }
    }

    /// Appends whole records in one `write` (a kill after it returns
    /// leaves them in the page cache, which the kernel writes out).
    pub(crate) fn append(&mut self, bytes: &[u8]) -> Result<(), StoreError> {
        self.file
            .write_all(bytes)
            .map_err(|e| self.fail("cannot append", e))?;
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// `fdatasync`: what was appended survives a power loss.
    pub(crate) fn sync(&self) -> Result<(), StoreError> {
        self.file
            .sync_data()
            .map_err(|e| self.fail("cannot sync", e))
    }

    /// Empties the log (every record in it applied).
    pub(crate) fn clear(&mut self) -> Result<(), StoreError> {
        self.file
            .set_len(0)
            .map_err(|e| self.fail("cannot truncate", e))?;
        self.len = 0;
        Ok(())
    }
}

/// The records of `bytes` and where the readable ones end.
fn scan(bytes: &[u8]) -> Result<(Vec<(u64, LogStep)>, usize), String> {
    let mut records = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        match record::decode(&bytes[at..]) {
            Ok((seq, step, len)) => {
                if records.last().is_some_and(|(last, _)| *last >= seq) {
                    return Err(format!("record at byte {at}: sequence {seq} out of order"));
                }
                records.push((seq, step));
                at += len;
            }
            Err(Damage::Torn) => break,
            Err(Damage::Checksum) if is_last(&bytes[at..]) => break,
            Err(Damage::Checksum) => {
                return Err(format!(
                    "record at byte {at} fails its checksum and records follow it: the file is damaged"
                ));
            }
            Err(Damage::Content(e)) => {
                return Err(format!("record at byte {at} is not a journal step: {e}"));
            }
        }
    }
    Ok((records, at))
}

/// Whether the record at the start of `rest` reaches the end of the file
/// (its length field may be damaged too: then nothing follows a header).
fn is_last(rest: &[u8]) -> bool {
    let len = rest
        .get(..4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize + 8);
    match len {
        Some(len) if len >= HEADER => len >= rest.len(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn records(seqs: &[u64]) -> Vec<u8> {
        let mut out = Vec::new();
        for s in seqs {
            record::encode(*s, None, &[], &mut out).unwrap();
        }
        out
    }

    #[test]
    fn a_torn_last_record_is_dropped_and_the_file_cut_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.log");
        let whole = records(&[1, 2]);
        let mut bytes = whole.clone();
        bytes.extend_from_slice(&records(&[3])[..10]);
        std::fs::write(&path, &bytes).unwrap();
        let (log, contents) = LogFile::open(&path).unwrap();
        let seqs: Vec<u64> = contents.records.iter().map(|r| r.0).collect();
        assert_eq!((seqs, contents.dropped), (vec![1, 2], 10));
        assert_eq!(log.len(), whole.len() as u64);
        assert_eq!(std::fs::metadata(&path).unwrap().len(), whole.len() as u64);
    }

    #[test]
    fn a_bad_checksum_is_dropped_at_the_end_and_refused_in_the_middle() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.log");
        let mut bytes = records(&[1, 2]);
        let last = bytes.len() - 3;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let (_, contents) = LogFile::open(&path).unwrap();
        assert_eq!(contents.records.len(), 1);
        assert!(contents.dropped > 0);

        let path = dir.path().join("k.log");
        let mut bytes = records(&[1, 2]);
        bytes[20] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let err = LogFile::open(&path).err().unwrap().to_string();
        assert!(err.contains("damaged") && err.contains("byte 0"), "{err}");
    }

    #[test]
    fn a_second_opener_is_refused_while_the_first_holds_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.log");
        let (_first, _) = LogFile::open(&path).unwrap();
        let err = LogFile::open(&path).err().unwrap().to_string();
        assert!(err.contains("one session per journal"), "{err}");
    }
}
