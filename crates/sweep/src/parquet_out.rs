//! results.parquet through parquet's low-level column writers: the schema is built at run
//! time from the table (its columns depend on the sweep's axes and the summary's metrics).
//! Every column is optional (empty cells are nulls) except the run's identity; integers are
//! INT64 (seeds UINT64), numbers DOUBLE, text UTF-8; snappy compression.

use crate::results::{Data, Table};
use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::sync::Arc;

/// Rows per row group: bounds the writer's memory on very large sweeps.
const ROW_GROUP: usize = 1 << 16;

/// The table as a Parquet file, in memory.
pub fn write_parquet(t: &Table) -> Result<Vec<u8>, String> {
    let fields = t
        .columns
        .iter()
        .map(|c| field(&c.name, &c.data).map(Arc::new))
        .collect::<Result<Vec<_>, _>>()?;
    let schema = Type::group_type_builder("results")
        .with_fields(fields)
        .build()
        .map_err(|e| e.to_string())?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut buf = Vec::new();
    let mut w = SerializedFileWriter::new(&mut buf, Arc::new(schema), Arc::new(props))
        .map_err(|e| e.to_string())?;
    let mut start = 0;
    while start < t.rows || (start == 0 && t.rows == 0) {
        let end = (start + ROW_GROUP).min(t.rows);
        let mut rg = w.next_row_group().map_err(|e| e.to_string())?;
        for c in &t.columns {
            let mut col = rg
                .next_column()
                .map_err(|e| e.to_string())?
                .ok_or("the schema has fewer columns than the table")?;
            write_column(&mut col, &c.data, start, end).map_err(|e| e.to_string())?;
            col.close().map_err(|e| e.to_string())?;
        }
        rg.close().map_err(|e| e.to_string())?;
        if t.rows == 0 {
            break;
        }
        start = end;
    }
    w.close().map_err(|e| e.to_string())?;
    Ok(buf)
}

fn field(name: &str, data: &Data) -> Result<Type, String> {
    let (physical, logical, repetition) = match data {
        Data::Int(_) => (Physical::INT64, None, Repetition::OPTIONAL),
        Data::UInt(_) => (
            Physical::INT64,
            Some(LogicalType::Integer {
                bit_width: 64,
                is_signed: false,
            }),
            Repetition::REQUIRED,
        ),
        Data::Float(_) => (Physical::DOUBLE, None, Repetition::OPTIONAL),
        Data::Text(_) => (
            Physical::BYTE_ARRAY,
            Some(LogicalType::String),
            Repetition::OPTIONAL,
        ),
    };
    Type::primitive_type_builder(name, physical)
        .with_repetition(repetition)
        .with_logical_type(logical)
        .build()
        .map_err(|e| format!("column {name}: {e}"))
}

/// Definition levels (1 = present) and the present values of an optional column.
fn split<T: Clone, U>(cells: &[Option<T>], f: impl Fn(&T) -> U) -> (Vec<U>, Vec<i16>) {
    let defs = cells.iter().map(|c| i16::from(c.is_some())).collect();
    let values = cells.iter().flatten().map(f).collect();
    (values, defs)
}

fn write_column(
    col: &mut parquet::file::writer::SerializedColumnWriter<'_>,
    data: &Data,
    start: usize,
    end: usize,
) -> parquet::errors::Result<()> {
    match data {
        Data::Int(v) => {
            let (values, defs) = split(&v[start..end], |x| *x);
            col.typed::<Int64Type>()
                .write_batch(&values, Some(&defs), None)?;
        }
        Data::UInt(v) => {
            // UINT64 is stored in INT64's bits.
            let values: Vec<i64> = v[start..end].iter().map(|&x| x as i64).collect();
            col.typed::<Int64Type>().write_batch(&values, None, None)?;
        }
        Data::Float(v) => {
            let (values, defs) = split(&v[start..end], |x| *x);
            col.typed::<DoubleType>()
                .write_batch(&values, Some(&defs), None)?;
        }
        Data::Text(v) => {
            let (values, defs) = split(&v[start..end], |s: &String| ByteArray::from(s.as_str()));
            col.typed::<ByteArrayType>()
                .write_batch(&values, Some(&defs), None)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Column;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    #[test]
    fn a_table_reads_back_with_its_types_and_nulls() {
        let t = Table {
            columns: vec![
                Column {
                    name: "point".into(),
                    data: Data::Int(vec![Some(0), Some(1)]),
                },
                Column {
                    name: "seed".into(),
                    data: Data::UInt(vec![u64::MAX, 3]),
                },
                Column {
                    name: "price.min".into(),
                    data: Data::Float(vec![Some(1.5), None]),
                },
                Column {
                    name: "error".into(),
                    data: Data::Text(vec![None, Some("bad".into())]),
                },
            ],
            rows: 2,
            metrics: vec!["price.min".into()],
            points: vec![0, 1],
        };
        let bytes = write_parquet(&t).unwrap();
        assert_eq!(bytes, write_parquet(&t).unwrap(), "not deterministic");
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("t.parquet");
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
}
