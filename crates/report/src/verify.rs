//! Verifying a run folder against a replay of it: every file listed in the manifest must have
//! the digest the manifest records, in the folder and in the replay. A mismatch names the file
//! and where it first differs: the row of a CSV or Parquet table, the line of a text file, the
//! byte of an image.
// Reads what users hand in: no index may panic on it (checked by clippy, `-D warnings`).
#![warn(clippy::indexing_slicing)]

use crate::frame::{Frame, FrameColumn};
use crate::manifest::{sha256_hex, RunManifest};
use crate::read::{read_bounded, TABLE};
use std::path::Path;

/// A file that did not verify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// Name inside the run folder.
    pub file: String,
    /// Where and how it differs.
    pub detail: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.detail)
    }
}

/// Checks every file of `manifest` in `folder` against the replay written to `replay_dir`,
/// and every file the replay wrote against the manifest: a file the run writes but the
/// manifest does not list (its `files` list was shortened) does not verify, whatever it holds.
/// Empty when the folder verifies.
pub fn verify_folder(
    manifest: &RunManifest,
    folder: &Path,
    replay: &RunManifest,
    replay_dir: &Path,
) -> Vec<Mismatch> {
    let listed: std::collections::HashSet<&str> =
        manifest.files.iter().map(|f| f.name.as_str()).collect();
    let mut out: Vec<Mismatch> = replay
        .files
        .iter()
        .filter(|r| !listed.contains(r.name.as_str()))
        .map(|r| Mismatch {
            file: r.name.clone(),
            detail: "the run writes this file but manifest.json does not list it (the list was shortened)"
                .into(),
        })
        .collect();
    for f in &manifest.files {
        let mismatch = |detail: String| Mismatch {
            file: f.name.clone(),
            detail,
        };
        let Ok(found) = read_bounded(&folder.join(&f.name), TABLE) else {
            out.push(mismatch(
                "missing from the run folder, or not a regular file within the size limit".into(),
            ));
            continue;
        };
        let Some(r) = replay.files.iter().find(|r| r.name == f.name) else {
            out.push(mismatch("the replay did not write this file".into()));
            continue;
        };
        if sha256_hex(&found) == f.sha256 && r.sha256 == f.sha256 {
            continue;
        }
        let Ok(expected) = read_bounded(&replay_dir.join(&f.name), TABLE) else {
            out.push(mismatch("the replay's copy cannot be read".into()));
            continue;
        };
        let detail = if expected == found {
            "the file matches the replay, but not the digest in manifest.json (the manifest was edited)"
                .to_string()
        } else {
            first_difference(
                &f.name,
                &expected,
                &found,
                &replay_dir.join(&f.name),
                &folder.join(&f.name),
            )
        };
        out.push(mismatch(detail));
    }
    out
}

/// Where `found` (the folder's file) first departs from `expected` (the replay's).
fn first_difference(
    name: &str,
    expected: &[u8],
    found: &[u8],
    exp_path: &Path,
    found_path: &Path,
) -> String {
    if name.ends_with(".parquet") {
        if let (Ok(e), Ok(f)) = (
            crate::parquet_io::read_parquet(exp_path),
            crate::parquet_io::read_parquet(found_path),
        ) {
            if let Some(d) = frame_difference(&e, &f) {
                return d;
            }
        }
        return byte_difference(expected, found);
    }
    match (std::str::from_utf8(expected), std::str::from_utf8(found)) {
        (Ok(e), Ok(f)) => line_difference(name, e, f),
        _ => byte_difference(expected, found),
    }
}

fn clip(s: &str) -> String {
    const MAX: usize = 160;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        s.chars().take(MAX).collect::<String>() + "…"
    }
}

fn line_difference(name: &str, expected: &str, found: &str) -> String {
    let table = name.ends_with(".csv");
    let (mut e, mut f) = (expected.lines(), found.lines());
    let mut line = 1;
    loop {
        let where_ = if table && line > 1 {
            format!("first differing row {} (line {line})", line - 1)
        } else if table {
            "the header differs (line 1)".to_string()
        } else {
            format!("first differing line {line}")
        };
        match (e.next(), f.next()) {
            (Some(a), Some(b)) if a == b => line += 1,
            (Some(a), Some(b)) => {
                return format!(
                    "{where_}: the replay has `{}`, the folder `{}`",
                    clip(a),
                    clip(b)
                )
            }
            (Some(a), None) => {
                return format!(
                    "{where_}: the folder's file ends early; the replay has `{}`",
                    clip(a)
                )
            }
            (None, Some(b)) => {
                return format!(
                    "{where_}: the folder's file has an extra line `{}`",
                    clip(b)
                )
            }
            (None, None) => {
                return "the files differ only in line endings or a final newline".into()
            }
        }
    }
}

fn byte_difference(expected: &[u8], found: &[u8]) -> String {
    let at = expected
        .iter()
        .zip(found)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(found.len()));
    format!(
        "first differing byte at offset {at} ({} bytes in the replay, {} in the folder)",
        expected.len(),
        found.len()
    )
}

fn cell(c: &FrameColumn, i: usize) -> String {
    match c {
        FrameColumn::Num(v) => v
            .get(i)
            .copied()
            .flatten()
            .map_or_else(|| "null".into(), |x| x.to_string()),
        FrameColumn::Text(v) => v.get(i).cloned().flatten().unwrap_or_else(|| "null".into()),
    }
}

/// The first row (1-based, as in the CSV) where two tables differ, if any.
fn frame_difference(expected: &Frame, found: &Frame) -> Option<String> {
    if expected.names() != found.names() {
        return Some(format!(
            "the columns differ: the replay has {:?}, the folder {:?}",
            expected.names(),
            found.names()
        ));
    }
    let rows = expected.rows().min(found.rows());
    for i in 0..rows {
        for name in expected.names() {
            let (a, b) = (expected.column(name)?, found.column(name)?);
            let (x, y) = (cell(a, i), cell(b, i));
            if x != y {
                return Some(format!(
                    "first differing row {}: column {name}: the replay has {x}, the folder {y}",
                    i + 1
                ));
            }
        }
    }
    (expected.rows() != found.rows()).then(|| {
        format!(
            "first differing row {}: the replay has {} rows, the folder {}",
            rows + 1,
            expected.rows(),
            found.rows()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_difference_names_the_row() {
        let d = line_difference("series.csv", "a,b\n1,2\n3,4\n", "a,b\n1,2\n3,5\n");
        assert!(d.starts_with("first differing row 2 (line 3)"), "{d}");
        assert!(d.contains("`3,4`") && d.contains("`3,5`"), "{d}");
        let d = line_difference("series.csv", "a,b\n1,2\n", "a,b\n");
        assert!(d.contains("row 1") && d.contains("ends early"), "{d}");
        let d = line_difference("summary.json", "{\n  \"a\": 1\n}", "{\n  \"a\": 2\n}");
        assert!(d.starts_with("first differing line 2"), "{d}");
    }

    #[test]
    fn a_binary_difference_names_the_offset() {
        assert!(byte_difference(b"abcd", b"abXd").contains("offset 2"));
        assert!(byte_difference(b"abcd", b"ab").contains("offset 2"));
    }

    #[test]
    fn a_table_difference_names_the_row_and_column() {
        let f = |v: f64| {
            Frame::new(
                vec![("x".into(), FrameColumn::Num(vec![Some(1.0), Some(v)]))],
                2,
            )
        };
        assert_eq!(frame_difference(&f(2.0), &f(2.0)), None);
        let d = frame_difference(&f(2.0), &f(3.0)).unwrap();
        assert!(d.contains("row 2: column x"), "{d}");
    }
}
