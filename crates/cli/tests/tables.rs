//! The run folder's tables: Parquet beside CSV with the same columns and the same numbers,
//! read back the way a pandas or polars user would get them.

mod common;
use cascade_report::frame::{read_csv, FrameColumn};
use cascade_report::parquet_io::read_parquet;
use common::*;

#[test]
fn parquet_reads_back_as_the_csv_of_every_table() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    run_into(
        "reference-market.ron",
        &dir,
        &[
            "--set",
            "duration_s=1800",
            "--set",
            "sample_interval_s=60",
            "--no-charts",
        ],
    );
    for table in ["series", "trades", "book"] {
        let csv = read_csv(&dir.join(format!("{table}.csv"))).unwrap();
        let pq = read_parquet(&dir.join(format!("{table}.parquet"))).unwrap();
        assert!(csv.rows() > 0, "{table} is empty");
        assert_eq!(pq.names(), csv.names(), "{table}: columns");
        assert_eq!(pq.rows(), csv.rows(), "{table}: rows");
        for name in csv.names() {
            match (csv.column(name).unwrap(), pq.column(name).unwrap()) {
                (FrameColumn::Num(a), FrameColumn::Num(b)) => assert_eq!(a, b, "{table}.{name}"),
                (FrameColumn::Text(a), FrameColumn::Text(b)) => assert_eq!(a, b, "{table}.{name}"),
                // An all-empty CSV column reads as numbers; Parquet knows it is text or not.
                (FrameColumn::Num(a), FrameColumn::Text(b)) => {
                    assert!(a.iter().all(Option::is_none) && b.iter().all(Option::is_none))
                }
                _ => panic!("{table}.{name}: text in CSV, numbers in Parquet"),
            }
        }
    }
    let series = read_parquet(&dir.join("series.parquet")).unwrap();
    assert_eq!(series.rows(), 30, "one row a minute for half an hour");
    let mid = series.num("mid").unwrap();
    assert!(mid.iter().flatten().all(|m| (900.0..1100.0).contains(m)));
    let fundamental = series.num("fundamental").unwrap();
    assert!(
        fundamental.iter().all(Option::is_some),
        "the scenario has a fundamental"
    );
    let book = read_parquet(&dir.join("book.parquet")).unwrap();
    let sides = book.text("side").unwrap();
    assert!(sides
        .iter()
        .all(|s| matches!(s.as_deref(), Some("bid" | "ask"))));
    assert!(book
        .num("level")
        .unwrap()
        .iter()
        .flatten()
        .all(|l| (0.0..20.0).contains(l)));
}
