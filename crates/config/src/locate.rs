//! Finds the line where a dotted key (`exchanges.bybit.enabled`) is written,
//! for errors found after parsing, by following the YAML block indentation.

/// The 1-based line of `dotted`, or of its deepest ancestor written in the
/// file when the key itself is not (a default, or a flow mapping `{…}`).
pub fn line_of_key(text: &str, dotted: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = None;
    let mut from = 0;
    let mut parent_indent: Option<usize> = None;
    for segment in dotted.split('.') {
        let Some(at) = find_child(&lines, from, parent_indent, segment) else {
            break;
        };
        found = Some(at + 1);
        parent_indent = Some(indent(lines[at]));
        from = at + 1;
    }
    found
}

/// The first line at or after `from`, inside the block deeper than
/// `parent_indent`, that writes `key:`.
fn find_child(
    lines: &[&str],
    from: usize,
    parent_indent: Option<usize>,
    key: &str,
) -> Option<usize> {
    for (i, line) in lines.iter().enumerate().skip(from) {
        let body = line.trim_start();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if parent_indent.is_some_and(|p| indent(line) <= p) {
            return None;
        }
        let written = body.trim_start_matches("- ");
        let name = written
            .strip_prefix(key)
            .map(|rest| rest.trim_start_matches(['"', '\'']));
        if name.is_some_and(|rest| rest.starts_with(':')) {
            return Some(i);
        }
    }
    None
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

#[cfg(test)]
mod tests {
    use super::line_of_key;

    const TEXT: &str = "\
trading:
  max_positions: 3
exchanges:
  binance:
    enabled: true
  # bybit:
  bybit:
    symbols: []
    enabled: true
storage:
  enabled: 1
";

    #[test]
    fn nested_keys_are_found_in_their_own_block() {
        assert_eq!(line_of_key(TEXT, "trading.max_positions"), Some(2));
        assert_eq!(line_of_key(TEXT, "exchanges.binance.enabled"), Some(5));
        assert_eq!(line_of_key(TEXT, "exchanges.bybit.enabled"), Some(9));
        assert_eq!(line_of_key(TEXT, "storage.enabled"), Some(11));
    }

    #[test]
    fn a_key_not_written_points_at_its_deepest_written_ancestor() {
        assert_eq!(line_of_key(TEXT, "exchanges.bybit.base_url"), Some(7));
        assert_eq!(line_of_key(TEXT, "trading.position_size_percent"), Some(1));
        assert_eq!(line_of_key(TEXT, "app.mode"), None);
    }
}
