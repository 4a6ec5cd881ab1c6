//! A table read back from a run folder (CSV or Parquet), or viewed from memory: named columns
//! of numbers or text. Charts and comparisons draw from frames, so a chart drawn during a run
//! and one redrawn from the folder are the same picture.
// Reads what users hand in: no index may panic on it (checked by clippy, `-D warnings`).
#![warn(clippy::indexing_slicing)]

use crate::table::{Table, Values};
use crate::ReportError;
use std::path::{Path, PathBuf};

/// The values of a column as read back.
#[derive(Clone, Debug, PartialEq)]
pub enum FrameColumn {
    /// Numbers (integers as doubles); `None` for an empty cell or a null.
    Num(Vec<Option<f64>>),
    /// Text.
    Text(Vec<Option<String>>),
}

/// Named columns of equal length.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    columns: Vec<(String, FrameColumn)>,
    rows: usize,
    /// The file it was read from, for messages.
    source: Option<PathBuf>,
}

impl Frame {
    /// A frame of `rows` rows from its columns.
    pub fn new(columns: Vec<(String, FrameColumn)>, rows: usize) -> Self {
        Frame {
            columns,
            rows,
            source: None,
        }
    }

    /// The numbers a reader of `table`'s CSV or Parquet file gets.
    pub fn from_table(table: &Table) -> Self {
        let columns = table
            .columns
            .iter()
            .map(|c| {
                let col = match &c.values {
                    Values::Text(v) => FrameColumn::Text(v.clone()),
                    v => FrameColumn::Num((0..table.rows).map(|i| v.number(i)).collect()),
                };
                (c.name.to_string(), col)
            })
            .collect();
        Frame::new(columns, table.rows)
    }

    /// Reads `dir/<stem>.parquet`, or `dir/<stem>.csv` when there is no Parquet file.
    pub fn read(dir: &Path, stem: &str) -> Result<Self, ReportError> {
        let parquet = dir.join(format!("{stem}.parquet"));
        // Present in any form (a link, a FIFO) counts: the reader then refuses what is not a
        // regular file rather than silently falling back to the CSV.
        let source = if parquet.symlink_metadata().is_ok() {
            parquet
        } else {
            dir.join(format!("{stem}.csv"))
        };
        let mut frame = if source == dir.join(format!("{stem}.parquet")) {
            crate::parquet_io::read_parquet(&source)?
        } else {
            read_csv(&source)?
        };
        frame.source = Some(source);
        Ok(frame)
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Column names in order.
    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// A column, if present.
    pub fn column(&self, name: &str) -> Option<&FrameColumn> {
        self.columns.iter().find(|(n, _)| n == name).map(|(_, c)| c)
    }

    /// A numeric column, if present.
    pub fn num(&self, name: &str) -> Option<&[Option<f64>]> {
        self.columns.iter().find_map(|(n, c)| match c {
            FrameColumn::Num(v) if n == name => Some(v.as_slice()),
            _ => None,
        })
    }

    /// A text column, if present.
    pub fn text(&self, name: &str) -> Option<&[Option<String>]> {
        self.columns.iter().find_map(|(n, c)| match c {
            FrameColumn::Text(v) if n == name => Some(v.as_slice()),
            _ => None,
        })
    }

    /// A numeric column that must be there: bad input naming the file and the column if not.
    pub fn need_num(&self, name: &str) -> Result<&[Option<f64>], ReportError> {
        self.num(name)
            .ok_or_else(|| self.missing(name, "a numeric column"))
    }

    /// A text column that must be there.
    pub fn need_text(&self, name: &str) -> Result<&[Option<String>], ReportError> {
        self.text(name)
            .ok_or_else(|| self.missing(name, "a text column"))
    }

    /// Keeps the rows for which `keep(row)` is true, in order.
    pub fn retain_rows(&mut self, keep: impl Fn(usize) -> bool) {
        let kept: Vec<bool> = (0..self.rows).map(&keep).collect();
        let mut rows = 0;
        for (_, column) in &mut self.columns {
            let mut flags = kept.iter();
            rows = match column {
                FrameColumn::Num(v) => {
                    v.retain(|_| flags.next().copied().unwrap_or(false));
                    v.len()
                }
                FrameColumn::Text(v) => {
                    v.retain(|_| flags.next().copied().unwrap_or(false));
                    v.len()
                }
            };
        }
        self.rows = if self.columns.is_empty() {
            kept.iter().filter(|&&k| k).count()
        } else {
            rows
        };
    }

    fn missing(&self, name: &str, what: &str) -> ReportError {
        let path = self.source.clone().unwrap_or_default();
        ReportError::input(path, format!("no column {name:?} ({what})"))
    }
}

/// Reads a CSV file with a header row. A column whose every non-empty cell is a number is
/// numeric; any other is text.
pub fn read_csv(path: &Path) -> Result<Frame, ReportError> {
    let bytes = crate::read::read_bounded(path, crate::read::TABLE)?;
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let names: Vec<String> = reader
        .headers()
        .map_err(|e| ReportError::input(path, e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut cells: Vec<Vec<Option<String>>> = vec![Vec::new(); names.len()];
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| ReportError::input(path, format!("row {}: {e}", i + 1)))?;
        for (col, cell) in cells.iter_mut().zip(record.iter()) {
            col.push((!cell.is_empty()).then(|| cell.to_string()));
        }
    }
    let rows = cells.first().map_or(0, Vec::len);
    let columns = names
        .into_iter()
        .zip(cells)
        .map(|(name, cells)| {
            let nums: Option<Vec<Option<f64>>> = cells
                .iter()
                .map(|c| match c {
                    None => Some(None),
                    Some(s) => s.parse::<f64>().ok().map(Some),
                })
                .collect();
            let col = match nums {
                Some(v) => FrameColumn::Num(v),
                None => FrameColumn::Text(cells),
            };
            (name, col)
        })
        .collect();
    Ok(Frame::new(columns, rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PriceFormat;

    #[test]
    fn csv_reads_back_as_the_table_numbers() {
        let fmt = PriceFormat::new(0.01);
        let t = Table::new("t", 3)
            .seconds("time_s", [Some(1_500_000_000), Some(7), None])
            .price("p", &fmt, [Some(10_007), None, Some(1)])
            .float("bps", 3, [Some(2.0 / 3.0), Some(0.0), None])
            .text("side", [Some("buy".into()), None, Some("sell".into())]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut bytes = Vec::new();
        t.write_csv(&mut bytes).unwrap();
        std::fs::write(&path, bytes).unwrap();
        let mut back = read_csv(&path).unwrap();
        back.source = None;
        assert_eq!(back, Frame::from_table(&t));
    }

    #[test]
    fn retain_rows_keeps_the_chosen_rows_of_every_column() {
        let t = Table::new("t", 3)
            .int("n", [Some(1), None, Some(3)])
            .text("s", [Some("a".into()), Some("b".into()), None]);
        let mut f = Frame::from_table(&t);
        f.retain_rows(|i| i != 0);
        assert_eq!(f.rows(), 2);
        assert_eq!(f.num("n").unwrap(), [None, Some(3.0)]);
        assert_eq!(f.text("s").unwrap(), [Some("b".to_string()), None]);
    }

    #[test]
    fn a_missing_column_names_the_file_and_the_column() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("s.csv"), "a,b\n1,2\n").unwrap();
        let f = Frame::read(dir.path(), "s").unwrap();
        assert_eq!(f.need_num("a").unwrap(), [Some(1.0)]);
        let err = f.need_num("mid").unwrap_err().to_string();
        assert!(err.contains("s.csv") && err.contains("\"mid\""), "{err}");
        let err = Frame::read(dir.path(), "nope").unwrap_err();
        assert!(err.is_bad_input() && err.to_string().contains("nope.csv"));
    }
}
