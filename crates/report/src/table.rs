//! A table of typed columns, written both as CSV (exact text) and as Parquet (typed columns).
//!
//! A run folder's series, trades and book tables are each one [`Table`]; adding a table to the
//! folder is building one more and handing it to the writer. A sweep's results table is one
//! too, its columns named at run time (one per axis and per summary metric). CSV and Parquet
//! hold the same numbers: a Parquet double is the value of the CSV text, so a reader gets the
//! same data from either file.
// Reads what users hand in: no index may panic on it (checked by clippy, `-D warnings`).
#![warn(clippy::indexing_slicing)]

use crate::price_format::PriceFormat;

/// The values of one column.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// Integers (lots, counts, ids, levels). CSV: decimal digits. Parquet: INT64.
    Int(Vec<Option<i64>>),
    /// Unsigned integers that are never missing (seeds). CSV: decimal digits. Parquet: a
    /// required INT64 holding the bits of a UINT64.
    UInt(Vec<u64>),
    /// Exact decimals `mantissa / 10^scale` (prices, times). CSV: the exact decimal text with
    /// trailing zeros trimmed down to `min_decimals`. Parquet: DOUBLE (the nearest double).
    Decimal {
        /// The values times 10^scale.
        mantissa: Vec<Option<i64>>,
        /// Decimal places held.
        scale: u32,
        /// Decimal places always shown.
        min_decimals: u32,
    },
    /// Measured floats (ratios, basis points). CSV: fixed `decimals` places, or without them
    /// the shortest text that reads back as the same double. Parquet: DOUBLE, the value of
    /// that text.
    Float {
        /// The values.
        values: Vec<Option<f64>>,
        /// Decimal places written; none for every digit needed.
        decimals: Option<u32>,
    },
    /// Text (sides, names). CSV: as is. Parquet: BYTE_ARRAY, UTF-8.
    Text(Vec<Option<String>>),
}

impl Values {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Values::Int(v) => v.len(),
            Values::UInt(v) => v.len(),
            Values::Decimal { mantissa, .. } => mantissa.len(),
            Values::Float { values, .. } => values.len(),
            Values::Text(v) => v.len(),
        }
    }

    /// True when the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The CSV text of row `i` (empty for a missing value).
    pub fn text(&self, i: usize) -> String {
        match self {
            Values::Int(v) => cell(v, i).map(|x| x.to_string()).unwrap_or_default(),
            Values::UInt(v) => v.get(i).map(|x| x.to_string()).unwrap_or_default(),
            Values::Decimal {
                mantissa,
                scale,
                min_decimals,
            } => cell(mantissa, i)
                .map(|m| decimal_text(m, *scale, *min_decimals))
                .unwrap_or_default(),
            Values::Float { values, decimals } => cell(values, i)
                .map(|x| float_text(x, *decimals))
                .unwrap_or_default(),
            Values::Text(v) => v.get(i).cloned().flatten().unwrap_or_default(),
        }
    }

    /// Row `i` as a number, exactly as a reader of the CSV or Parquet file gets it; `None`
    /// for a missing value or a text column.
    pub fn number(&self, i: usize) -> Option<f64> {
        match self {
            Values::Int(v) => cell(v, i).map(|x| x as f64),
            Values::UInt(v) => v.get(i).map(|&x| x as f64),
            Values::Decimal {
                mantissa, scale, ..
            } => cell(mantissa, i).map(|m| decimal_value(m, *scale)),
            Values::Float { values, decimals } => {
                cell(values, i).map(|x| float_value(x, *decimals))
            }
            Values::Text(_) => None,
        }
    }
}

/// One named column.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Header in CSV, field name in Parquet.
    pub name: String,
    /// The values.
    pub values: Values,
}

/// A named table: the file stem (`series` → series.csv, series.parquet) and its columns.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// File stem.
    pub name: &'static str,
    /// Number of rows every column has.
    pub rows: usize,
    /// Columns in order.
    pub columns: Vec<Column>,
}

impl Table {
    /// An empty table of `rows` rows, to which columns are added.
    pub fn new(name: &'static str, rows: usize) -> Self {
        Table {
            name,
            rows,
            columns: Vec::new(),
        }
    }

    fn push(mut self, name: impl Into<String>, values: Values) -> Self {
        let name = name.into();
        assert_eq!(
            values.len(),
            self.rows,
            "column {}.{name} has {} rows, the table {}",
            self.name,
            values.len(),
            self.rows
        );
        assert!(
            self.columns.iter().all(|c| c.name != name),
            "column {}.{name} twice",
            self.name
        );
        self.columns.push(Column { name, values });
        self
    }

    /// Adds an integer column.
    pub fn int(
        self,
        name: impl Into<String>,
        values: impl IntoIterator<Item = Option<i64>>,
    ) -> Self {
        self.push(name, Values::Int(values.into_iter().collect()))
    }

    /// Adds an exact-decimal column of `mantissa / 10^scale`.
    pub fn decimal(
        self,
        name: impl Into<String>,
        scale: u32,
        min_decimals: u32,
        mantissa: impl IntoIterator<Item = Option<i64>>,
    ) -> Self {
        self.push(
            name,
            Values::Decimal {
                mantissa: mantissa.into_iter().collect(),
                scale,
                min_decimals,
            },
        )
    }

    /// Adds a column of seconds from nanoseconds (exact, trailing zeros trimmed).
    pub fn seconds(
        self,
        name: impl Into<String>,
        ns: impl IntoIterator<Item = Option<i64>>,
    ) -> Self {
        self.decimal(name, 9, 0, ns)
    }

    /// Adds a price column from ticks, in quote currency with the tick size's decimals.
    pub fn price(
        self,
        name: impl Into<String>,
        fmt: &PriceFormat,
        ticks: impl IntoIterator<Item = Option<i64>>,
    ) -> Self {
        let (scale, mantissa) = fmt.scaled();
        let values = ticks.into_iter().map(|t| t.map(|t| saturate(t, mantissa)));
        self.decimal(name, scale, scale, values)
    }

    /// Adds a price column from twice-a-price in ticks (a mid), one more decimal on a half tick.
    pub fn price_x2(
        self,
        name: impl Into<String>,
        fmt: &PriceFormat,
        ticks_x2: impl IntoIterator<Item = Option<i64>>,
    ) -> Self {
        let (scale, mantissa) = fmt.scaled();
        // x2 × m / 2 = x2 × 5m / 10: one more decimal place, exact.
        let values = ticks_x2
            .into_iter()
            .map(|t| t.map(|t| saturate(t, mantissa * 5)));
        self.decimal(name, scale + 1, scale, values)
    }

    /// Adds a float column written with `decimals` places.
    pub fn float(
        self,
        name: impl Into<String>,
        decimals: u32,
        values: impl IntoIterator<Item = Option<f64>>,
    ) -> Self {
        let values = values.into_iter().collect();
        let decimals = Some(decimals);
        self.push(name, Values::Float { values, decimals })
    }

    /// Adds a float column written with every digit needed to read it back exactly.
    pub fn float_full(
        self,
        name: impl Into<String>,
        values: impl IntoIterator<Item = Option<f64>>,
    ) -> Self {
        let values = values.into_iter().collect();
        self.push(
            name,
            Values::Float {
                values,
                decimals: None,
            },
        )
    }

    /// Adds a column of unsigned integers, none missing.
    pub fn uint(self, name: impl Into<String>, values: impl IntoIterator<Item = u64>) -> Self {
        self.push(name, Values::UInt(values.into_iter().collect()))
    }

    /// Adds a text column.
    pub fn text(
        self,
        name: impl Into<String>,
        values: impl IntoIterator<Item = Option<String>>,
    ) -> Self {
        self.push(name, Values::Text(values.into_iter().collect()))
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Writes the table as CSV with a header row.
    pub fn write_csv(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut out = csv::Writer::from_writer(w);
        out.write_record(self.columns.iter().map(|c| c.name.as_str()))?;
        let mut record = Vec::with_capacity(self.columns.len());
        for i in 0..self.rows {
            record.clear();
            record.extend(self.columns.iter().map(|c| c.values.text(i)));
            out.write_record(&record)?;
        }
        out.flush()
    }
}

/// Row `i` of a column, none when missing or past the end (a row past the end reads as
/// missing rather than panicking).
fn cell<T: Copy>(v: &[Option<T>], i: usize) -> Option<T> {
    v.get(i).copied().flatten()
}

fn saturate(ticks: i64, factor: i64) -> i64 {
    // Prices are far below this; saturating keeps a corrupt value visible instead of wrapping.
    i64::try_from(i128::from(ticks) * i128::from(factor)).unwrap_or(i64::MAX)
}

/// `m / 10^scale` as text, trailing zeros trimmed down to `min_decimals` places.
pub fn decimal_text(m: i64, scale: u32, min_decimals: u32) -> String {
    let p = 10i128.pow(scale);
    let v = i128::from(m);
    let sign = if v < 0 { "-" } else { "" };
    let (whole, frac) = (v.abs() / p, v.abs() % p);
    if scale == 0 {
        return format!("{sign}{whole}");
    }
    let digits = format!("{frac:0width$}", width = scale as usize);
    let keep = digits
        .trim_end_matches('0')
        .len()
        .max(min_decimals as usize);
    if keep == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{}", &digits[..keep])
    }
}

/// The nearest double to `m / 10^scale` (one correctly rounded division while both are exact).
pub fn decimal_value(m: i64, scale: u32) -> f64 {
    m as f64 / 10f64.powi(scale as i32)
}

fn float_text(x: f64, decimals: Option<u32>) -> String {
    match decimals {
        Some(d) => format!("{x:.prec$}", prec = d as usize),
        None => x.to_string(),
    }
}

/// The value a reader parses from the CSV text of `x`.
fn float_value(x: f64, decimals: Option<u32>) -> f64 {
    match decimals {
        Some(_) => float_text(x, decimals).parse().unwrap_or(f64::NAN),
        // The shortest text reads back as `x` itself.
        None => x,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_render_exactly_and_trim_to_the_minimum() {
        assert_eq!(decimal_text(1_500_000_000, 9, 0), "1.5");
        assert_eq!(decimal_text(3_000_000_000, 9, 0), "3");
        assert_eq!(decimal_text(2_000_000_001, 9, 0), "2.000000001");
        assert_eq!(decimal_text(10_000, 2, 2), "100.00");
        assert_eq!(decimal_text(-5, 2, 2), "-0.05");
        assert_eq!(decimal_text(1_000_050, 3, 2), "1000.05");
        assert_eq!(decimal_text(1_000_055, 3, 2), "1000.055");
        assert_eq!(decimal_text(42, 0, 0), "42");
    }

    #[test]
    fn prices_and_mids_match_the_price_format() {
        let fmt = PriceFormat::new(0.01);
        let t = Table::new("t", 3)
            .price("p", &fmt, [Some(10_007), None, Some(7)])
            .price_x2("m", &fmt, [Some(20_015), Some(20_014), None]);
        let p = &t.column("p").unwrap().values;
        let m = &t.column("m").unwrap().values;
        assert_eq!(
            (0..3).map(|i| p.text(i)).collect::<Vec<_>>(),
            [fmt.ticks(10_007), String::new(), fmt.ticks(7)]
        );
        assert_eq!(m.text(0), fmt.ticks_x2(20_015));
        assert_eq!(m.text(1), fmt.ticks_x2(20_014));
        assert_eq!(p.number(0), Some(100.07));
        assert_eq!(m.number(0), Some(100.075));
        assert_eq!(m.number(2), None);
    }

    #[test]
    fn a_float_reads_back_as_its_csv_text() {
        let v = Values::Float {
            values: vec![Some(1.0 / 3.0)],
            decimals: Some(3),
        };
        assert_eq!(v.text(0), "0.333");
        assert_eq!(v.number(0), Some(0.333));
        let full = Values::Float {
            values: vec![Some(1.0 / 3.0), Some(2.0), None],
            decimals: None,
        };
        assert_eq!(full.text(0), "0.3333333333333333");
        assert_eq!(full.text(1), "2");
        assert_eq!(full.text(2), "");
        assert_eq!(full.number(0), Some(1.0 / 3.0));
    }

    #[test]
    fn seeds_are_written_in_full_and_never_missing() {
        let t = Table::new("t", 1).uint("seed", [u64::MAX]);
        assert_eq!(t.columns[0].values.text(0), "18446744073709551615");
    }

    #[test]
    fn csv_has_a_header_and_empty_cells_for_missing_values() {
        let t = Table::new("t", 2)
            .int("a", [Some(1), None])
            .text("b", [Some("x".into()), Some("y".into())]);
        let mut out = Vec::new();
        t.write_csv(&mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "a,b\n1,x\n,y\n");
    }

    #[test]
    #[should_panic(expected = "column t.b has 1 rows")]
    fn a_short_column_is_refused() {
        let _ = Table::new("t", 2)
            .int("a", [Some(1), None])
            .int("b", [Some(1)]);
    }
}
