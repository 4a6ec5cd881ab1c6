//! Parquet without Arrow: a [`Table`] to a file through the column writers, a file back to a
//! [`Frame`] through the record reader.
//!
//! Types: integers INT64, decimals and floats DOUBLE, text BYTE_ARRAY (UTF-8), all OPTIONAL (a
//! missing value is a null, as an empty CSV cell); unsigned integers (seeds) a REQUIRED INT64
//! with the UINT64 logical type. The schema is built at run time from the table, so a sweep's
//! results (columns named by its axes and metrics) go through the same writer as a run's
//! series. Snappy compression. The bytes depend only on the table and the parquet crate's
//! version, so they are reproducible.
// Reads what users hand in: no index may panic on it (checked by clippy, `-D warnings`).
#![warn(clippy::indexing_slicing)]

use crate::frame::{Frame, FrameColumn};
use crate::table::{decimal_value, Table, Values};
use crate::ReportError;
use bytes::Bytes;
use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::metadata::ParquetMetaData;
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::record::Field;
use parquet::schema::types::Type;
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::{Arc, Once};

/// Rows per row group: large enough for fast scans, small enough to bound writer memory.
const ROW_GROUP_ROWS: usize = 1 << 20;

/// The Parquet file of `table`, as bytes.
pub fn to_parquet(table: &Table) -> Result<Vec<u8>, parquet::errors::ParquetError> {
    let fields = table
        .columns
        .iter()
        .map(|c| field(&c.name, &c.values).map(Arc::new))
        .collect::<Result<Vec<_>, _>>()?;
    let schema = Arc::new(
        Type::group_type_builder(table.name)
            .with_fields(fields)
            .build()?,
    );
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(format!("cascade {}", env!("CARGO_PKG_VERSION")))
        .build();
    let mut writer = SerializedFileWriter::new(Vec::new(), schema, Arc::new(props))?;
    let mut start = 0;
    // An empty table still gets one (empty) row group, so readers see the schema and 0 rows.
    loop {
        let end = (start + ROW_GROUP_ROWS).min(table.rows);
        let mut group = writer.next_row_group()?;
        for column in &table.columns {
            let mut col = group
                .next_column()?
                .expect("the schema has one field per column");
            write_column(&mut col, &column.values, start..end)?;
            col.close()?;
        }
        group.close()?;
        start = end;
        if start >= table.rows {
            break;
        }
    }
    writer.into_inner()
}

/// The schema field of a column.
fn field(name: &str, values: &Values) -> Result<Type, parquet::errors::ParquetError> {
    let (physical, logical, repetition) = match values {
        Values::Int(_) => (Physical::INT64, None, Repetition::OPTIONAL),
        Values::UInt(_) => {
            let unsigned = LogicalType::Integer {
                bit_width: 64,
                is_signed: false,
            };
            (Physical::INT64, Some(unsigned), Repetition::REQUIRED)
        }
        Values::Decimal { .. } | Values::Float { .. } => {
            (Physical::DOUBLE, None, Repetition::OPTIONAL)
        }
        Values::Text(_) => (
            Physical::BYTE_ARRAY,
            Some(LogicalType::String),
            Repetition::OPTIONAL,
        ),
    };
    Type::primitive_type_builder(name, physical)
        .with_repetition(repetition)
        .with_logical_type(logical)
        .build()
}

/// The rows of `v` in `rows`, cut to what `v` holds.
fn chunk<T>(v: &[T], rows: std::ops::Range<usize>) -> &[T] {
    let end = rows.end.min(v.len());
    v.get(rows.start.min(end)..end).unwrap_or_default()
}

fn write_column(
    col: &mut parquet::file::writer::SerializedColumnWriter<'_>,
    values: &Values,
    rows: std::ops::Range<usize>,
) -> Result<(), parquet::errors::ParquetError> {
    fn split<T: Copy, U>(v: &[Option<T>], f: impl Fn(T) -> U) -> (Vec<U>, Vec<i16>) {
        let def = v.iter().map(|x| i16::from(x.is_some())).collect();
        (v.iter().flatten().map(|&x| f(x)).collect(), def)
    }
    match values {
        Values::Int(v) => {
            let (vals, def) = split(chunk(v, rows), |x| x);
            col.typed::<Int64Type>()
                .write_batch(&vals, Some(&def), None)?;
        }
        Values::UInt(v) => {
            // UINT64 is stored in INT64's bits.
            let vals: Vec<i64> = chunk(v, rows).iter().map(|&x| x as i64).collect();
            col.typed::<Int64Type>().write_batch(&vals, None, None)?;
        }
        Values::Decimal {
            mantissa, scale, ..
        } => {
            let (vals, def) = split(chunk(mantissa, rows), |m| decimal_value(m, *scale));
            col.typed::<DoubleType>()
                .write_batch(&vals, Some(&def), None)?;
        }
        Values::Float { .. } => {
            let nums: Vec<Option<f64>> = rows.map(|i| values.number(i)).collect();
            let (vals, def) = split(&nums, |x| x);
            col.typed::<DoubleType>()
                .write_batch(&vals, Some(&def), None)?;
        }
        Values::Text(v) => {
            let v = chunk(v, rows);
            let def: Vec<i16> = v.iter().map(|x| i16::from(x.is_some())).collect();
            let vals: Vec<ByteArray> = v.iter().flatten().map(|s| s.as_str().into()).collect();
            col.typed::<ByteArrayType>()
                .write_batch(&vals, Some(&def), None)?;
        }
    }
    Ok(())
}

/// Reads a Parquet file written by [`to_parquet`] (or any flat file of numbers and strings).
///
/// Every damage is bad input naming the file: the file is read whole (bounded, a regular file
/// only), its metadata checked before the decoder trusts it (a flat schema, every column
/// chunk inside the file), and the decoder itself run under [`catch_unwind`] — the parquet
/// crate panics on some damaged pages, and a reader of a damaged file must say so, not crash.
pub fn read_parquet(path: &Path) -> Result<Frame, ReportError> {
    let bytes = Bytes::from(crate::read::read_bounded(path, crate::read::TABLE)?);
    match quietly(|| decode(bytes)) {
        Ok(Ok(frame)) => Ok(frame),
        Ok(Err(reason)) => Err(ReportError::input(path, reason)),
        Err(reason) => Err(ReportError::input(
            path,
            format!("damaged Parquet (the decoder failed: {reason})"),
        )),
    }
}

/// The schema of a Parquet file: each column's name and type, as
/// `OPTIONAL DOUBLE`, `REQUIRED INT64 UINT64` (repetition, physical type, logical type). Two
/// tables that concatenate in pandas or polars have equal schemas.
pub fn parquet_schema(path: &Path) -> Result<Vec<(String, String)>, ReportError> {
    let bytes = Bytes::from(crate::read::read_bounded(path, crate::read::TABLE)?);
    let schema = quietly(|| -> Result<_, String> {
        let len = bytes.len() as u64;
        let reader = SerializedFileReader::new(bytes).map_err(|e| e.to_string())?;
        check_metadata(reader.metadata(), len)?;
        Ok(reader
            .metadata()
            .file_metadata()
            .schema_descr()
            .columns()
            .iter()
            .map(|c| {
                let mut ty = format!(
                    "{} {}",
                    c.self_type().get_basic_info().repetition(),
                    c.physical_type()
                );
                match c.logical_type_ref() {
                    Some(LogicalType::Integer {
                        bit_width,
                        is_signed,
                    }) => ty += &format!(" {}INT{bit_width}", if *is_signed { "" } else { "U" }),
                    Some(LogicalType::String) => ty += " UTF8",
                    Some(other) => ty += &format!(" {other:?}"),
                    None => {}
                }
                (c.name().to_string(), ty)
            })
            .collect())
    });
    match schema {
        Ok(Ok(s)) => Ok(s),
        Ok(Err(reason)) => Err(ReportError::input(path, reason)),
        Err(reason) => Err(ReportError::input(
            path,
            format!("damaged Parquet (the decoder failed: {reason})"),
        )),
    }
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, turning a panic into `Err` with its message. While `f` runs on this thread, the
/// panic hook stays silent (no trace on stderr); panics elsewhere print as before.
fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown failure".into())
    })
}

/// The frame of a Parquet file's bytes, after checking its metadata.
fn decode(bytes: Bytes) -> Result<Frame, String> {
    let len = bytes.len() as u64;
    let reader = SerializedFileReader::new(bytes).map_err(|e| e.to_string())?;
    check_metadata(reader.metadata(), len)?;
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let mut columns: Vec<(String, FrameColumn)> = schema
        .columns()
        .iter()
        .map(|c| {
            let col = match c.physical_type() {
                Physical::BYTE_ARRAY => FrameColumn::Text(Vec::new()),
                _ => FrameColumn::Num(Vec::new()),
            };
            (c.name().to_string(), col)
        })
        .collect();
    let rows = reader.get_row_iter(None).map_err(|e| e.to_string())?;
    let mut count = 0;
    for row in rows {
        let row = row.map_err(|e| format!("row {}: {e}", count + 1))?;
        if row.len() != columns.len() {
            return Err(format!(
                "row {}: {} values for {} columns",
                count + 1,
                row.len(),
                columns.len()
            ));
        }
        for ((name, column), (_, field)) in columns.iter_mut().zip(row.get_column_iter()) {
            push(column, field).map_err(|other| {
                format!("row {}: column {name}: unexpected value {other}", count + 1)
            })?;
        }
        count += 1;
    }
    Ok(Frame::new(columns, count))
}

/// Appends one value to its column; the value back when its type does not fit.
fn push<'a>(column: &mut FrameColumn, field: &'a Field) -> Result<(), &'a Field> {
    match (column, field) {
        (FrameColumn::Num(v), Field::Null) => v.push(None),
        (FrameColumn::Text(v), Field::Null) => v.push(None),
        (FrameColumn::Num(v), Field::Double(x)) => v.push(Some(*x)),
        (FrameColumn::Num(v), Field::Float(x)) => v.push(Some(f64::from(*x))),
        (FrameColumn::Num(v), Field::Long(x)) => v.push(Some(*x as f64)),
        (FrameColumn::Num(v), Field::ULong(x)) => v.push(Some(*x as f64)),
        (FrameColumn::Num(v), Field::Int(x)) => v.push(Some(f64::from(*x))),
        (FrameColumn::Text(v), Field::Str(s)) => v.push(Some(s.clone())),
        (_, other) => return Err(other),
    }
    Ok(())
}

/// The metadata a flat file of ours has: columns at the top level only, row counts that are
/// not negative, and every column chunk inside the file.
fn check_metadata(meta: &ParquetMetaData, file_len: u64) -> Result<(), String> {
    let schema = meta.file_metadata().schema_descr();
    for c in schema.columns() {
        if c.max_rep_level() != 0 || c.max_def_level() > 1 {
            return Err(format!(
                "column {}: nested or repeated; cascade's tables are flat",
                c.name()
            ));
        }
    }
    for (g, group) in meta.row_groups().iter().enumerate() {
        if group.num_rows() < 0 {
            return Err(format!("row group {g}: negative row count"));
        }
        if group.num_columns() != schema.num_columns() {
            return Err(format!(
                "row group {g}: {} column chunks for {} columns",
                group.num_columns(),
                schema.num_columns()
            ));
        }
        for (i, col) in group.columns().iter().enumerate() {
            let start = col.data_page_offset().min(
                col.dictionary_page_offset()
                    .unwrap_or(col.data_page_offset()),
            );
            let size = col.compressed_size();
            let inside = start >= 0
                && size >= 0
                && (start as u64)
                    .checked_add(size as u64)
                    .is_some_and(|end| end <= file_len);
            if !inside {
                return Err(format!(
                    "row group {g}, column {i}: the data ({size} bytes at offset {start}) is not inside the file ({file_len} bytes)"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PriceFormat;

    fn table() -> Table {
        let fmt = PriceFormat::new(0.01);
        Table::new("t", 3)
            .seconds("time_s", [Some(1_500_000_000), Some(2_000_000_001), None])
            .price_x2("mid", &fmt, [Some(20_015), None, Some(20_014)])
            .float("bps", 3, [Some(1.0 / 3.0), None, Some(2.0)])
            .int("qty", [Some(5), Some(-1), None])
            .text("side", [Some("buy".into()), None, Some("sell".into())])
    }

    #[test]
    fn parquet_reads_back_as_the_csv_numbers() {
        let t = table();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        std::fs::write(&path, to_parquet(&t).unwrap()).unwrap();
        let back = read_parquet(&path).unwrap();
        assert_eq!(back, Frame::from_table(&t));
        assert_eq!(back.num("mid").unwrap()[0], Some(100.075));
        assert_eq!(back.num("bps").unwrap()[0], Some(0.333));
        assert_eq!(back.num("time_s").unwrap()[1], Some(2.000000001));
        assert_eq!(back.text("side").unwrap()[2].as_deref(), Some("sell"));
    }

    #[test]
    fn run_time_columns_read_back_with_their_types_and_nulls() {
        let t = Table::new("results", 2)
            .int("point", [Some(0), Some(1)])
            .uint("seed", [u64::MAX, 3])
            .float_full("price.min", [Some(1.5), None])
            .text("error", [None, Some("bad".to_string())]);
        let bytes = to_parquet(&t).unwrap();
        assert_eq!(bytes, to_parquet(&t).unwrap(), "not deterministic");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.parquet");
        std::fs::write(&path, bytes).unwrap();
        let reader = SerializedFileReader::try_from(path.as_path()).unwrap();
        let rows: Vec<String> = reader
            .get_row_iter(None)
            .unwrap()
            .map(|r| r.unwrap().to_string())
            .collect();
        assert_eq!(
            rows,
            [
                "{point: 0, seed: 18446744073709551615, price.min: 1.5, error: null}",
                "{point: 1, seed: 3, price.min: null, error: \"bad\"}"
            ]
        );
    }

    #[test]
    fn the_bytes_are_reproducible_and_an_empty_table_keeps_its_schema() {
        assert_eq!(to_parquet(&table()).unwrap(), to_parquet(&table()).unwrap());
        let empty = Table::new("e", 0).int("a", []).text("b", []);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.parquet");
        std::fs::write(&path, to_parquet(&empty).unwrap()).unwrap();
        let back = read_parquet(&path).unwrap();
        assert_eq!(back.rows(), 0);
        assert_eq!(back.names(), ["a", "b"]);
    }

    #[test]
    fn a_file_that_is_not_parquet_is_bad_input_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.parquet");
        std::fs::write(&path, b"not parquet at all").unwrap();
        let err = read_parquet(&path).unwrap_err();
        assert!(err.is_bad_input());
        assert!(err.to_string().contains("x.parquet"), "{err}");
    }
}
