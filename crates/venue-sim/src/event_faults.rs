//! The faults a user-event connection suffers, the same for both
//! protocols: an event sent twice, one held back until the next overtakes
//! it (or [`HOLD_MS`] passes), one cut in half, and the connection dropped
//! without a close frame once it is old enough.

use crate::faults::{FaultKind, FaultSet};
use crate::state::lock;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// A reordered event is sent this late if no other event overtakes it.
pub const HOLD_MS: u64 = 200;

/// One connection's state under the event faults.
#[derive(Debug)]
pub struct EventFaults {
    opened: Instant,
    drop_checked: bool,
    held: Option<(String, Instant)>,
}

impl Default for EventFaults {
    fn default() -> Self {
        EventFaults {
            opened: Instant::now(),
            drop_checked: false,
            held: None,
        }
    }
}

impl EventFaults {
    /// Puts `text` into `out` as the active faults on `path` have it.
    pub fn push(
        &mut self,
        faults: &Mutex<FaultSet>,
        path: &str,
        mut text: String,
        out: &mut Vec<String>,
    ) {
        let (dup, reorder, garble) = {
            let mut f = lock(faults);
            let dup = f
                .fire(path, |k| matches!(k, FaultKind::DuplicateEvents))
                .is_some();
            let reorder = self.held.is_none()
                && f.fire(path, |k| matches!(k, FaultKind::ReorderEvents))
                    .is_some();
            let garble = f
                .fire(path, |k| matches!(k, FaultKind::GarbleEvents))
                .is_some();
            (dup, reorder, garble)
        };
        if garble {
            let mut cut = text.len() / 2;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
        }
        if reorder {
            self.held = Some((text.clone(), Instant::now()));
        } else {
            out.push(text.clone());
            if let Some((h, _)) = self.held.take() {
                out.push(h);
            }
        }
        if dup {
            out.push(text);
        }
    }

    /// On the connection's tick: releases a held event whose time is up
    /// into `out`; `true` when the connection is to be dropped now.
    pub fn tick(&mut self, faults: &Mutex<FaultSet>, path: &str, out: &mut Vec<String>) -> bool {
        let due = self
            .held
            .as_ref()
            .is_some_and(|(_, since)| since.elapsed() >= Duration::from_millis(HOLD_MS));
        if due && let Some((h, _)) = self.held.take() {
            out.push(h);
        }
        if self.drop_checked {
            return false;
        }
        let after = lock(faults).faults.iter().find_map(|f| match f.kind {
            FaultKind::DropWs { after_ms } => Some(after_ms),
            _ => None,
        });
        match after {
            Some(after) if self.opened.elapsed() >= Duration::from_millis(after) => {
                self.drop_checked = true;
                lock(faults)
                    .fire(path, |k| matches!(k, FaultKind::DropWs { .. }))
                    .is_some()
            }
            _ => false,
        }
    }
}
