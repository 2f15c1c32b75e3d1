//! A small PromQL reader for the dashboards test.

const AGGREGATORS: [&str; 14] = [
    "sum",
    "min",
    "max",
    "avg",
    "count",
    "group",
    "stddev",
    "stdvar",
    "topk",
    "bottomk",
    "quantile",
    "count_values",
    "limitk",
    "limit_ratio",
];
const KEYWORDS: [&str; 5] = ["and", "or", "unless", "bool", "offset"];
const GROUPING: [&str; 6] = [
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
];

/// A metric selector of a query: its name and the labels it matches on.
#[derive(Debug, Default)]
pub struct Query {
    pub selectors: Vec<(String, Vec<String>)>,
    pub grouping: Vec<String>,
}

/// A small PromQL reader: enough to find metric names, matcher labels and
/// grouping labels; strings, ranges and `$variables` are skipped.
pub fn read_promql(expr: &str) -> Query {
    let b: Vec<char> = expr.chars().collect();
    let mut q = Query::default();
    let mut i = 0;
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
    let skip_ws = |mut i: usize| {
        while i < b.len() && b[i].is_whitespace() {
            i += 1;
        }
        i
    };
    let word_at = |mut i: usize| {
        let start = i;
        while i < b.len() && ident(b[i]) {
            i += 1;
        }
        (b[start..i].iter().collect::<String>(), i)
    };
    while i < b.len() {
        let c = b[i];
        if c == '"' || c == '\'' || c == '`' {
            i += 1;
            while i < b.len() && b[i] != c {
                i += if b[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if c == '[' {
            while i < b.len() && b[i] != ']' {
                i += 1;
            }
            i += 1;
        } else if c == '$' {
            i += 1;
            if b.get(i) == Some(&'{') {
                while i < b.len() && b[i] != '}' {
                    i += 1;
                }
                i += 1;
            } else {
                i = word_at(i).1;
            }
        } else if c.is_ascii_digit() || c == '.' {
            while i < b.len() && (ident(b[i]) || b[i] == '.') {
                i += 1;
            }
        } else if c == '{' {
            // Matchers of the selector just read (or of a nameless one).
            let mut labels = Vec::new();
            i += 1;
            loop {
                i = skip_ws(i);
                if i >= b.len() || b[i] == '}' {
                    break;
                }
                let (label, after) = word_at(i);
                assert!(!label.is_empty(), "cannot read matchers in `{expr}`");
                labels.push(label);
                i = after;
                while i < b.len() && b[i] != '"' {
                    i += 1;
                }
                i += 1;
                while i < b.len() && b[i] != '"' {
                    i += if b[i] == '\\' { 2 } else { 1 };
                }
                i = skip_ws(i + 1);
                if b.get(i) == Some(&',') {
                    i += 1;
                }
            }
            i += 1;
            match q.selectors.last_mut() {
                Some(last) if last.1.is_empty() => last.1 = labels,
                _ => panic!("matchers without a metric name in `{expr}`"),
            }
        } else if ident(c) {
            let (word, after) = word_at(i);
            let next = skip_ws(after);
            i = after;
            if GROUPING.contains(&word.as_str()) {
                if b.get(next) == Some(&'(') {
                    let close = (next..b.len()).find(|&k| b[k] == ')').expect(expr);
                    let list: String = b[next + 1..close].iter().collect();
                    q.grouping.extend(
                        list.split(',')
                            .map(|l| l.trim().to_string())
                            .filter(|l| !l.is_empty()),
                    );
                    i = close + 1;
                }
            } else if b.get(next) == Some(&'(')
                || AGGREGATORS.contains(&word.as_str())
                || KEYWORDS.contains(&word.as_str())
            {
                // A function or an operator keyword, not a series.
            } else {
                q.selectors.push((word, Vec::new()));
            }
        } else {
            i += 1;
        }
    }
    q
}
