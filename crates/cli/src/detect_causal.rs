//! Writing causal detection events: one JSON object per line, or CSV rows
//! with the same fields (a contract other tools read).

use smc_analysis::SmcEvent;
use std::io::{self, Write};

/// The CSV columns, in order.
const HEADER: &str =
    "timeframe,kind,event,direction,time,known_at,top,bottom,level,id,origin_time,scope";

/// One JSON object per line and event.
pub fn write_json(events: &[SmcEvent], out: &mut dyn Write) -> io::Result<()> {
    for e in events {
        serde_json::to_writer(&mut *out, e)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// A header line, then one row per event; absent values are empty fields.
pub fn write_csv(events: &[SmcEvent], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{HEADER}")?;
    let opt_f = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    let opt_i = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    for e in events {
        // Enum names come from their serde spelling, so CSV and JSON agree.
        let name = |v: serde_json::Value| v.as_str().unwrap_or_default().to_string();
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            e.timeframe,
            name(serde_json::to_value(e.kind).unwrap_or_default()),
            name(serde_json::to_value(e.event).unwrap_or_default()),
            e.direction,
            e.time,
            e.known_at,
            opt_f(e.top),
            opt_f(e.bottom),
            opt_f(e.level),
            e.id,
            opt_i(e.origin_time),
            e.scope
                .map(|s| name(serde_json::to_value(s).unwrap_or_default()))
                .unwrap_or_default(),
        )?;
    }
    Ok(())
}
