//! Claiming a run folder before a run writes it: an exclusive lock, and a refusal to mix two
//! runs' files or to overwrite what cascade did not write.
//!
//! The lock is `DIR/.lock`, created with `create_new` (atomic, so of two runs into one folder
//! one gets it and the other is refused) and holding the writer's process id; it is removed
//! when the [`FolderLock`] drops. A run killed by SIGKILL leaves it behind: the next run into
//! the folder is refused and told that `--force` clears it, and `--force` does, unless the
//! process named in it is still running on this machine.
//!
//! A folder is *ours* when every entry in it is a name a run writes (summary.json,
//! manifest.json, stats.json, report.html, the tables as CSV and Parquet, charts/ of PNG and
//! SVG files) and it holds a manifest.json or a summary.json that reads as cascade's. An empty folder is
//! claimed as it is; a folder of ours only with `--force` (the re-run of a run); any other
//! folder never, `--force` or not, so a folder that happens to hold a summary.json is never
//! overwritten.
//!
//! Commands that add files to an existing folder — `plot` (charts/), `stats` (stats.json and
//! its chart), `compare` (its output folder) — take the same lock with [`lock_folder`] for as
//! long as they read and write, so they never read a run being written nor interleave with
//! each other. They have no `--force`: a held lock refuses them, naming the way out.
// Reads what users hand in: no index may panic on it (checked by clippy, `-D warnings`).
#![warn(clippy::indexing_slicing)]

use crate::manifest::RunManifest;
use crate::read::{read_bounded, Limit};
use crate::run_folder::TABLE_NAMES;
use crate::ReportError;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The lock file's name inside the folder.
pub const LOCK: &str = ".lock";

/// The lock file holds a process id, nothing more.
const LOCK_LIMIT: Limit = Limit {
    what: "a lock file",
    bytes: 64,
};

/// Held while a run writes its folder; removes `DIR/.lock` when dropped.
#[derive(Debug)]
pub struct FolderLock {
    path: PathBuf,
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Locks `dir` (created if missing) for a run and empties it of an earlier run's files.
///
/// Refused (bad input naming the folder and the way out): a path that is not a folder; a
/// folder locked by another run (`--force` clears a stale lock); a folder holding an earlier
/// run, without `force`; a non-empty folder that is not a run folder, always. With `force`,
/// the earlier run's manifest.json is removed first (so the folder never looks complete with
/// mixed data), then its other files, charts the new run may not draw among them.
pub fn claim_run_folder(dir: &Path, force: bool) -> Result<FolderLock, ReportError> {
    if dir.symlink_metadata().is_ok() && !dir.is_dir() {
        return Err(ReportError::input(dir, "exists and is not a folder"));
    }
    fs::create_dir_all(dir).map_err(|e| ReportError::io(dir, e))?;
    let lock = lock(dir, force, "pass --force to clear the lock")?;
    let entries = list(dir)?;
    if entries.is_empty() {
        return Ok(lock);
    }
    if let Some(foreign) = foreign_entry(dir, &entries) {
        return Err(ReportError::input(
            dir,
            format!(
                "is not empty and not a run folder (it holds {foreign:?}); cascade does not \
                 write into it, even with --force: choose another --out"
            ),
        ));
    }
    // A run killed before its summary leaves only files a run writes (tables, temporaries, its
    // lock) and neither summary.json nor manifest.json: --force may take it back. A summary or
    // manifest that is not cascade's keeps the folder refused.
    let interrupted = force
        && !entries
            .iter()
            .any(|e| e == "summary.json" || e == "manifest.json");
    if !interrupted && !is_a_run(dir) {
        return Err(ReportError::input(
            dir,
            "is not empty and holds no run of cascade (no manifest.json or summary.json of \
             cascade's); choose another --out",
        ));
    }
    if !force {
        return Err(ReportError::input(
            dir,
            "already holds a run; pass --force to replace it, or choose another --out",
        ));
    }
    clear(dir, &entries)?;
    Ok(lock)
}

/// Locks the existing folder `dir` while a command reads it and adds files to it. Refused
/// (bad input) when `dir` is not a folder or another run or command holds its lock.
pub fn lock_folder(dir: &Path) -> Result<FolderLock, ReportError> {
    // The folder the user named, through a link if it is one (files inside are another matter).
    match fs::metadata(dir) {
        Err(_) => return Err(ReportError::input(dir, "no such folder")),
        Ok(m) if !m.is_dir() => return Err(ReportError::input(dir, "is not a folder")),
        Ok(_) => {}
    }
    let clear = format!(
        "remove {} (or re-run with `cascade run --force`)",
        dir.join(LOCK).display()
    );
    lock(dir, false, &clear)
}

/// Takes `dir/.lock`, clearing a stale one when `force` is given; a held lock is refused with
/// `clear`, how to clear a stale one.
fn lock(dir: &Path, force: bool, clear: &str) -> Result<FolderLock, ReportError> {
    let path = dir.join(LOCK);
    match create_lock(&path) {
        Ok(()) => return Ok(FolderLock { path }),
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
            return Err(ReportError::io(&path, e))
        }
        Err(_) => {}
    }
    let holder = read_bounded(&path, LOCK_LIMIT)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|t| t.trim().parse::<u32>().ok());
    let who = holder.map_or("another run".to_string(), |p| format!("process {p}"));
    if !force {
        return Err(ReportError::input(
            dir,
            format!(
                "is locked by {who} ({LOCK}): another run or command is writing it, or a \
                 killed one left the lock; if none is writing it, {clear}"
            ),
        ));
    }
    if let Some(pid) = holder.filter(|&p| running(p)) {
        return Err(ReportError::input(
            dir,
            format!("is being written by process {pid} ({LOCK}), which is still running"),
        ));
    }
    fs::remove_file(&path).map_err(|e| ReportError::io(&path, e))?;
    // Two forced runs racing here: create_new lets one through.
    create_lock(&path).map_err(|_| {
        ReportError::input(dir, format!("another run took the lock ({LOCK}) first"))
    })?;
    Ok(FolderLock { path })
}

fn create_lock(path: &Path) -> std::io::Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    writeln!(file, "{}", std::process::id())
}

/// Whether process `pid` runs on this machine (Linux: /proc; elsewhere assumed not, so
/// `--force` clears the lock).
fn running(pid: u32) -> bool {
    pid != std::process::id() && Path::new("/proc").join(pid.to_string()).exists()
}

/// The folder's entries, except the lock and temporary files of interrupted writes.
fn list(dir: &Path) -> Result<Vec<String>, ReportError> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| ReportError::io(dir, e))? {
        let entry = entry.map_err(|e| ReportError::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name != LOCK && !is_temporary(&name) {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// `.<name>.tmp-<pid>`, what [`crate::atomic`] writes before the rename.
fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.contains(".tmp-")
}

/// A name a run writes at the top of its folder (charts/ aside).
fn is_run_file(name: &str) -> bool {
    matches!(
        name,
        "summary.json" | "manifest.json" | "stats.json" | crate::html::REPORT_FILE
    ) || TABLE_NAMES.iter().any(|t| {
        name.strip_prefix(t)
            .is_some_and(|ext| ext == ".csv" || ext == ".parquet")
    })
}

/// The first entry a run does not write, if any; charts/ must be a real folder of images.
fn foreign_entry(dir: &Path, entries: &[String]) -> Option<String> {
    for name in entries {
        let Ok(meta) = dir.join(name).symlink_metadata() else {
            return Some(name.clone());
        };
        if name == "charts" {
            if !meta.is_dir() {
                return Some("charts (not a folder: a link or a file)".into());
            }
            let Ok(charts) = list(&dir.join(name)) else {
                return Some("charts (unreadable)".into());
            };
            let bad = charts.into_iter().find(|c| {
                let image = c.ends_with(".png") || c.ends_with(".svg");
                let file = dir.join(name).join(c).symlink_metadata();
                !(image && file.is_ok_and(|m| m.is_file()))
            });
            if let Some(c) = bad {
                return Some(format!("charts/{c}"));
            }
        } else if name == VENUES {
            if let Some(bad) = foreign_in_venues(&dir.join(name), &meta) {
                return Some(format!("{VENUES}/{bad}"));
            }
        } else if !(is_run_file(name) && meta.is_file()) {
            return Some(name.clone());
        }
    }
    None
}

/// The folder of the other venues' tables in a multi-venue run.
const VENUES: &str = "venues";

/// The first entry of `venues/` a multi-venue run does not write (a folder per venue holding
/// its tables), if any.
fn foreign_in_venues(dir: &Path, meta: &fs::Metadata) -> Option<String> {
    if !meta.is_dir() {
        return Some("(not a folder: a link or a file)".into());
    }
    let Ok(venues) = list(dir) else {
        return Some("(unreadable)".into());
    };
    for v in venues {
        let path = dir.join(&v);
        if !path.symlink_metadata().is_ok_and(|m| m.is_dir()) {
            return Some(v);
        }
        let Ok(files) = list(&path) else {
            return Some(format!("{v} (unreadable)"));
        };
        let table = |f: &str| {
            TABLE_NAMES.iter().any(|t| {
                f.strip_prefix(t)
                    .is_some_and(|ext| ext == ".csv" || ext == ".parquet")
            })
        };
        if let Some(f) = files
            .into_iter()
            .find(|f| !(table(f) && path.join(f).symlink_metadata().is_ok_and(|m| m.is_file())))
        {
            return Some(format!("{v}/{f}"));
        }
    }
    None
}

/// Whether the folder holds cascade's manifest or summary.
fn is_a_run(dir: &Path) -> bool {
    RunManifest::read(dir).is_ok() || crate::compare::read_summary(dir).is_ok()
}

/// Removes an earlier run's files: manifest.json first, charts/ last.
fn clear(dir: &Path, entries: &[String]) -> Result<(), ReportError> {
    let remove = |p: PathBuf| fs::remove_file(&p).map_err(|e| ReportError::io(&p, e));
    if entries.iter().any(|e| e == "manifest.json") {
        remove(dir.join("manifest.json"))?;
    }
    for name in entries.iter().filter(|e| *e != "manifest.json") {
        let path = dir.join(name);
        if name == "charts" {
            for c in list(&path)? {
                remove(path.join(c))?;
            }
            fs::remove_dir(&path).map_err(|e| ReportError::io(&path, e))?;
        } else if name == VENUES {
            for v in list(&path)? {
                let venue = path.join(v);
                for f in list(&venue)? {
                    remove(venue.join(f))?;
                }
                fs::remove_dir(&venue).map_err(|e| ReportError::io(&venue, e))?;
            }
            fs::remove_dir(&path).map_err(|e| ReportError::io(&path, e))?;
        } else {
            remove(path)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(dir: &Path, force: bool) -> Result<FolderLock, String> {
        claim_run_folder(dir, force).map_err(|e| e.to_string())
    }

    #[test]
    fn an_empty_or_missing_folder_is_claimed_and_the_lock_goes_with_the_guard() {
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("a/b");
        let lock = claim(&run, false).unwrap();
        assert!(run.join(LOCK).is_file());
        assert!(claim(&run, false)
            .unwrap_err()
            .contains("is locked by process"));
        drop(lock);
        assert!(!run.join(LOCK).exists());
        assert!(claim(&run, false).is_ok());
    }

    #[test]
    fn a_stale_lock_is_cleared_by_force_only() {
        let dir = tempfile::tempdir().unwrap();
        // A process id that no running process has (above the kernel's pid_max).
        fs::write(dir.path().join(LOCK), "4294967\n").unwrap();
        let err = claim(dir.path(), false).unwrap_err();
        assert!(err.contains("pass --force to clear the lock"), "{err}");
        assert!(claim(dir.path(), true).is_ok());
    }

    #[test]
    fn a_foreign_folder_is_never_written_even_with_force() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("summary.json"), "{\"mine\": 1}").unwrap();
        for force in [false, true] {
            let err = claim(dir.path(), force).unwrap_err();
            assert!(err.contains("holds no run of cascade"), "{err}");
        }
        fs::write(dir.path().join("notes.txt"), "x").unwrap();
        let err = claim(dir.path(), true).unwrap_err();
        assert!(
            err.contains("\"notes.txt\"") && err.contains("even with --force"),
            "{err}"
        );
        assert_eq!(
            fs::read(dir.path().join("summary.json")).unwrap(),
            b"{\"mine\": 1}"
        );
        assert!(!dir.path().join(LOCK).exists());
    }

    #[test]
    fn a_command_writing_into_a_folder_is_refused_while_it_is_locked() {
        let dir = tempfile::tempdir().unwrap();
        let run = claim(dir.path(), false).unwrap();
        let err = lock_folder(dir.path()).unwrap_err().to_string();
        assert!(err.contains("is locked by process"), "{err}");
        assert!(
            !err.contains("--force to clear"),
            "plot has no --force: {err}"
        );
        drop(run);
        let plot = lock_folder(dir.path()).unwrap();
        assert!(claim(dir.path(), false).unwrap_err().contains("is locked"));
        drop(plot);
        assert!(!dir.path().join(LOCK).exists());
        let missing = dir.path().join("nowhere");
        assert!(lock_folder(&missing).is_err());
        assert!(!missing.exists(), "a missing folder is not created");
    }

    #[test]
    fn a_symlinked_charts_folder_is_foreign() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), dir.path().join("charts")).unwrap();
        let err = claim(dir.path(), true).unwrap_err();
        assert!(err.contains("charts (not a folder"), "{err}");
    }
}
