//! The output table of a parity run: named columns, one row per candle,
//! printed the way pandas' `DataFrame.to_csv(index=False)` prints the
//! reference's output (shortest round-trip floats, `1.0` not `1`, NaN as an
//! empty field, float32 columns at float32 precision).

use std::io::{self, Write};

/// The values of one column. NaN marks an empty cell in float columns.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// A float64 column.
    F64(Vec<f64>),
    /// A column the reference stores as float32.
    F32(Vec<f32>),
    /// An integer column (flags, directions).
    Int(Vec<i64>),
}

impl Values {
    fn len(&self) -> usize {
        match self {
            Values::F64(v) => v.len(),
            Values::F32(v) => v.len(),
            Values::Int(v) => v.len(),
        }
    }

    /// The cell at `row` widened to f64 (NaN for empty).
    pub fn get(&self, row: usize) -> Option<f64> {
        match self {
            Values::F64(v) => v.get(row).copied(),
            Values::F32(v) => v.get(row).map(|&x| f64::from(x)),
            Values::Int(v) => v.get(row).map(|&x| x as f64),
        }
    }

    fn write_cell(&self, row: usize, out: &mut String) {
        match self {
            Values::F64(v) => push_python_float(v[row], out),
            Values::F32(v) => push_python_float32(v[row], out),
            Values::Int(v) => out.push_str(&v[row].to_string()),
        }
    }
}

/// A named column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: &'static str,
    pub values: Values,
}

/// A table with one row per input candle.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frame {
    pub columns: Vec<Column>,
}

impl Frame {
    /// Adds a column; all columns must have the same length.
    pub fn with(mut self, name: &'static str, values: Values) -> Self {
        debug_assert!(
            self.columns
                .first()
                .is_none_or(|c| c.values.len() == values.len())
        );
        self.columns.push(Column { name, values });
        self
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.values.len())
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&Values> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.values)
    }

    /// Writes the header and one line per row, `\n`-terminated.
    pub fn write_csv<W: Write>(&self, mut w: W) -> io::Result<()> {
        let header: Vec<&str> = self.columns.iter().map(|c| c.name).collect();
        writeln!(w, "{}", header.join(","))?;
        let mut line = String::with_capacity(64);
        for row in 0..self.rows() {
            line.clear();
            for (i, column) in self.columns.iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                column.values.write_cell(row, &mut line);
            }
            line.push('\n');
            w.write_all(line.as_bytes())?;
        }
        Ok(())
    }
}

/// Appends Python's `repr(float)` of `x`; NaN is an empty string.
pub fn push_python_float(x: f64, out: &mut String) {
    if x.is_nan() {
        return;
    }
    if x.is_infinite() {
        out.push_str(if x > 0.0 { "inf" } else { "-inf" });
        return;
    }
    push_repr(&format!("{x:e}"), out);
}

/// Appends numpy's `repr(np.float32)` of `x` (shortest float32 digits).
pub fn push_python_float32(x: f32, out: &mut String) {
    if x.is_nan() {
        return;
    }
    if x.is_infinite() {
        out.push_str(if x > 0.0 { "inf" } else { "-inf" });
        return;
    }
    push_repr(&format!("{x:e}"), out);
}

/// Turns Rust's shortest scientific form (`-9.7345555e-1`) into Python's
/// repr: positional for decimal exponents in -4..16, else `1e-05` style.
fn push_repr(sci: &str, out: &mut String) {
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = mantissa
        .strip_prefix('-')
        .map_or(("", mantissa), |m| ("-", m));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    out.push_str(sign);
    if (-4..16).contains(&exp) {
        let point = exp + 1; // digits before the decimal point
        if point <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-point) as usize));
            out.push_str(&digits);
        } else if point as usize >= digits.len() {
            out.push_str(&digits);
            out.extend(std::iter::repeat_n('0', point as usize - digits.len()));
            out.push_str(".0");
        } else {
            let (int, frac) = digits.split_at(point as usize);
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
        }
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push_str(&format!(
            "e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn py(x: f64) -> String {
        let mut s = String::new();
        push_python_float(x, &mut s);
        s
    }

    fn py32(x: f32) -> String {
        let mut s = String::new();
        push_python_float32(x, &mut s);
        s
    }

    #[test]
    fn matches_python_repr() {
        assert_eq!(py(1.0), "1.0");
        assert_eq!(py(-1.0), "-1.0");
        assert_eq!(py(0.0), "0.0");
        assert_eq!(py(153.0), "153.0");
        assert_eq!(py(0.97369), "0.97369");
        assert_eq!(py(12.5), "12.5");
        assert_eq!(py(0.0001), "0.0001");
        assert_eq!(py(0.00001), "1e-05");
        assert_eq!(py(1.5e-7), "1.5e-07");
        assert_eq!(py(1e16), "1e+16");
        assert_eq!(py(1234567890123456.0), "1234567890123456.0");
        assert_eq!(py(f64::NAN), "");
    }

    #[test]
    fn float32_uses_shortest_float32_digits() {
        assert_eq!(py32(0.973_455_55_f32), "0.97345555");
        assert_eq!(py32(100.0), "100.0");
        assert_eq!(py32(0.97369_f64 as f32), "0.97369");
    }

    #[test]
    fn csv_layout() {
        let frame = Frame::default()
            .with("FVG", Values::F64(vec![f64::NAN, 1.0]))
            .with("Active", Values::Int(vec![0, 1]))
            .with("Top", Values::F32(vec![f32::NAN, 0.5]));
        let mut out = Vec::new();
        frame.write_csv(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "FVG,Active,Top\n,0,\n1.0,1,0.5\n"
        );
    }
}
