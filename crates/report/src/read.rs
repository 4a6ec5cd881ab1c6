//! Bounded reads of the files cascade writes: regular files only, never more bytes than the
//! limit of their kind. A FIFO, a device (`/dev/zero`), a folder or a symbolic link to one of
//! them is refused before it is read, and the file is opened without blocking, so nothing a
//! folder holds can make a reader wait forever or fill the memory.
// Reads what users hand in: no index may panic on it (checked by clippy, `-D warnings`).
#![warn(clippy::indexing_slicing)]

use crate::ReportError;
use std::fs;
use std::io::Read;
use std::path::Path;

/// The most bytes cascade reads from one kind of file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// What the file is, for messages ("a run manifest").
    pub what: &'static str,
    /// Largest size accepted, in bytes.
    pub bytes: u64,
}

const MIB: u64 = 1 << 20;

/// manifest.json: the scenario text (at most 16 MiB) and one line per file (~150 bytes).
pub const MANIFEST: Limit = Limit {
    what: "a run manifest",
    bytes: 64 * MIB,
};

/// summary.json: a few kilobytes in practice.
pub const SUMMARY: Limit = Limit {
    what: "a run summary",
    bytes: 16 * MIB,
};

/// A table, CSV or Parquet: read whole into memory, so bounded well below the memory of a
/// workstation (a day of trades at 100 a second is ~700 MB of CSV).
pub const TABLE: Limit = Limit {
    what: "a table",
    bytes: 2048 * MIB,
};

/// A sweep's runs.jsonl: one line of ~2 KB per run, so a million runs fit.
pub const RUNS_LOG: Limit = Limit {
    what: "a sweep's run log",
    bytes: 4096 * MIB,
};

/// A sweep's sweep.json: the design (every axis value).
pub const SWEEP_MANIFEST: Limit = Limit {
    what: "a sweep manifest",
    bytes: 64 * MIB,
};

/// What a path that is not a regular file is, for messages.
fn kind_of(meta: &fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// Refuses `meta` unless it is a regular file of at most `limit` bytes.
fn check(path: &Path, meta: &fs::Metadata, limit: Limit) -> Result<(), ReportError> {
    if !meta.is_file() {
        return Err(ReportError::input(
            path,
            format!(
                "is {}, expected {} (cascade reads regular files only)",
                kind_of(meta),
                limit.what
            ),
        ));
    }
    if meta.len() > limit.bytes {
        return Err(too_big(path, meta.len(), limit));
    }
    Ok(())
}

fn too_big(path: &Path, len: u64, limit: Limit) -> ReportError {
    ReportError::input(
        path,
        format!(
            "is {len} bytes, more than the {} MiB cascade reads from {}",
            limit.bytes / MIB,
            limit.what
        ),
    )
}

/// The bytes of `path`, a regular file (symbolic links followed) of at most `limit` bytes.
/// Anything else is bad input naming the file and the reason; a missing file reads as
/// [`ReportError::read`] says (bad input, "no such file").
pub fn read_bounded(path: &Path, limit: Limit) -> Result<Vec<u8>, ReportError> {
    let meta = fs::metadata(path).map_err(|e| ReportError::read(path, e))?;
    check(path, &meta, limit)?;
    let file = open_nonblocking(path).map_err(|e| ReportError::read(path, e))?;
    // The path may have been swapped between the check and the open: check what was opened.
    let meta = file.metadata().map_err(|e| ReportError::read(path, e))?;
    check(path, &meta, limit)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit.bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReportError::read(path, e))?;
    if bytes.len() as u64 > limit.bytes {
        return Err(too_big(path, bytes.len() as u64, limit));
    }
    Ok(bytes)
}

/// Refuses `path` unless it is a regular file (symbolic links followed) of at most `limit`
/// bytes, without opening it: for a caller that opens the file itself (to append, say).
pub fn check_file(path: &Path, limit: Limit) -> Result<(), ReportError> {
    let meta = fs::metadata(path).map_err(|e| ReportError::read(path, e))?;
    check(path, &meta, limit)
}

/// Opens for reading with O_NONBLOCK, so opening a FIFO returns at once instead of waiting
/// for a writer (the checks above then refuse it).
fn open_nonblocking(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Limit = Limit {
        what: "a test file",
        bytes: 8,
    };

    #[test]
    fn a_regular_file_within_the_limit_reads_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        fs::write(&path, b"12345678").unwrap();
        assert_eq!(read_bounded(&path, SMALL).unwrap(), b"12345678");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_naming_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        fs::write(&path, b"123456789").unwrap();
        let err = read_bounded(&path, SMALL).unwrap_err();
        assert!(err.is_bad_input());
        let text = err.to_string();
        assert!(
            text.contains("9 bytes") && text.contains("a test file"),
            "{text}"
        );
    }

    #[test]
    fn devices_folders_and_links_to_them_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        for (path, kind) in [
            (Path::new("/dev/zero"), "a character device"),
            (link.as_path(), "a character device"),
            (dir.path(), "a folder"),
        ] {
            let err = read_bounded(path, SMALL).unwrap_err();
            assert!(err.is_bad_input(), "{err}");
            assert!(err.to_string().contains(kind), "{err}");
        }
        let err = read_bounded(&dir.path().join("nope"), SMALL).unwrap_err();
        assert!(err.to_string().contains("no such file"), "{err}");
    }
}
