//! Writing causal detection events: one JSON object per line, or CSV rows
//! with the same fields (a contract other tools read). Times are epoch
//! milliseconds, prices JSON numbers, direction 1 or -1, and the timeframe
//! is spelled `1m`, `5m`, `15m`, `1h`, `4h`, `1d`, `1w`.

use crate::commands::detect::Format;
use smc_analysis::SmcEvent;
use std::io::{self, Write};

/// The CSV columns, in order.
const HEADER: &str =
    "timeframe,kind,event,direction,time,known_at,top,bottom,level,id,origin_time,scope";

/// Writes `events` as `format` (json or csv; the html chart is the report
/// crate's and is refused here).
pub fn write_events(format: Format, events: &[SmcEvent], out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Json => write_json(events, out),
        Format::Csv => write_csv(events, out),
        Format::Html => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "html is written by smc_report::write_detect_chart",
        )),
    }
}

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
    for e in events {
        write!(
            out,
            "{},{},{},{},{},{},",
            e.timeframe,
            e.kind.as_str(),
            e.event.as_str(),
            e.direction,
            e.time,
            e.known_at,
        )?;
        for price in [e.top, e.bottom, e.level] {
            if let Some(p) = price {
                write!(out, "{p}")?;
            }
            out.write_all(b",")?;
        }
        write!(out, "{},", e.id)?;
        if let Some(t) = e.origin_time {
            write!(out, "{t}")?;
        }
        writeln!(out, ",{}", e.scope.map(|s| s.as_str()).unwrap_or_default())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use smc_analysis::{Kind, Lifecycle, Scope};
    use smc_model::Timeframe;

    fn events() -> Vec<SmcEvent> {
        vec![
            SmcEvent::new(
                Timeframe::H1,
                Kind::Fvg,
                Lifecycle::Formed,
                1,
                0,
                10_800_000,
            )
            .zone(12.5, 11.0)
            .id(7),
            SmcEvent::new(
                Timeframe::M5,
                Kind::Choch,
                Lifecycle::Formed,
                -1,
                300_000,
                600_000,
            )
            .level(9.25)
            .id(8)
            .origin(0)
            .scope(Scope::Swing),
        ]
    }

    fn written(format: Format) -> String {
        let mut buf = Vec::new();
        write_events(format, &events(), &mut buf).unwrap_or_default();
        String::from_utf8(buf).unwrap_or_default()
    }

    #[test]
    fn json_lines_carry_the_contract_fields() {
        let text = written(Format::Json);
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_default())
            .collect();
        assert_eq!(lines.len(), 2);
        let gap = &lines[0];
        assert_eq!(gap["timeframe"], "1h");
        assert_eq!(gap["kind"], "fvg");
        assert_eq!(gap["event"], "formed");
        assert_eq!(gap["direction"], 1);
        assert_eq!(gap["known_at"], 10_800_000);
        assert_eq!(gap["top"], 12.5);
        assert_eq!(gap["bottom"], 11.0);
        assert!(gap.get("level").is_none());
        assert_eq!(lines[1]["level"], 9.25);
        assert_eq!(lines[1]["direction"], -1);
    }

    #[test]
    fn csv_rows_have_the_same_fields_empty_where_absent() {
        let text = written(Format::Csv);
        let rows: Vec<&str> = text.lines().collect();
        assert_eq!(rows[0], HEADER);
        assert_eq!(rows[1], "1h,fvg,formed,1,0,10800000,12.5,11,,7,,");
        assert_eq!(rows[2], "5m,choch,formed,-1,300000,600000,,,9.25,8,0,swing");
        let columns = HEADER.split(',').count();
        assert!(rows.iter().all(|r| r.split(',').count() == columns));
    }
}
