//! manifest.json: what was run (enough to run it again) and a SHA-256 digest of every file
//! the run wrote, so `cascade replay` can re-run it and verify the folder byte for byte.
//!
//! The digests are plain SHA-256 of the file bytes: `sha256sum series.csv` gives the same hex.
// Reads what users hand in: no index may panic on it (checked by clippy, `-D warnings`).
#![warn(clippy::indexing_slicing)]

use crate::ReportError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

/// The manifest format this build writes and reads.
pub const MANIFEST_VERSION: u32 = 1;

/// The git commit this build was made from, when built from a checkout.
pub fn git_commit() -> Option<String> {
    let c = env!("CASCADE_GIT_COMMIT");
    (!c.is_empty()).then(|| c.to_string())
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// What was run, as the caller knows it. [`write_run`](crate::write_run) adds the digests,
/// the scenario's hash and the git commit, and writes a [`RunManifest`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Version of cascade that wrote the folder.
    pub cascade_version: String,
    /// The scenario's name.
    pub scenario_name: String,
    /// The scenario file as given on the command line.
    pub scenario_file: String,
    /// The run seed.
    pub seed: u64,
    /// The `--set` overrides, in order, as given.
    pub overrides: Vec<String>,
    /// The scenario as run (after overrides), RON.
    pub scenario: String,
    /// Ignored on input; the written manifest lists the files with their digests.
    pub files: Vec<String>,
}

impl Manifest {
    /// What `cascade run` (and the Python package's `run`) records for `scenario` read from
    /// `scenario_file`, run with `seed` after the `overrides` (`path=value`, as given). Fails
    /// only if the scenario cannot be written as RON.
    pub fn of_run(
        scenario: &cascade_sim::Scenario,
        scenario_file: &str,
        seed: u64,
        overrides: Vec<String>,
    ) -> Result<Self, String> {
        Ok(Manifest {
            cascade_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario_name: scenario.name.clone(),
            scenario_file: scenario_file.to_string(),
            seed,
            overrides,
            scenario: scenario.to_ron().map_err(|e| {
                format!("the scenario cannot be written as RON for the manifest: {e}")
            })?,
            files: Vec::new(),
        })
    }
}

/// One file of a run folder and its digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileDigest {
    /// Path inside the run folder, `/`-separated (`series.csv`, `charts/price.png`).
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
}

impl FileDigest {
    /// The digest of `bytes` stored as `name`.
    pub fn of(name: &str, bytes: &[u8]) -> Self {
        FileDigest {
            name: name.to_string(),
            bytes: bytes.len() as u64,
            sha256: sha256_hex(bytes),
        }
    }
}

/// manifest.json as written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunManifest {
    /// Format of this file ([`MANIFEST_VERSION`]).
    pub manifest_version: u32,
    /// Version of cascade that wrote the folder.
    pub cascade_version: String,
    /// The git commit cascade was built from, when built from a checkout.
    pub git_commit: Option<String>,
    /// The scenario's name.
    pub scenario_name: String,
    /// The scenario file as given on the command line (informative: replay does not read it).
    pub scenario_file: String,
    /// The run seed.
    pub seed: u64,
    /// The `--set` overrides, in order, as given (already applied to `scenario`).
    pub overrides: Vec<String>,
    /// SHA-256 of `scenario`.
    pub scenario_sha256: String,
    /// The scenario as run (after overrides), RON. Replay runs this text.
    pub scenario: String,
    /// True when the run drew its charts (charts/ is then listed in `files`).
    pub charts: bool,
    /// Every file the run wrote, in writing order, with its digest.
    pub files: Vec<FileDigest>,
}

impl RunManifest {
    /// The manifest of a run described by `m` that wrote `files`.
    pub fn new(m: &Manifest, charts: bool, files: Vec<FileDigest>) -> Self {
        RunManifest {
            manifest_version: MANIFEST_VERSION,
            cascade_version: m.cascade_version.clone(),
            git_commit: git_commit(),
            scenario_name: m.scenario_name.clone(),
            scenario_file: m.scenario_file.clone(),
            seed: m.seed,
            overrides: m.overrides.clone(),
            scenario_sha256: sha256_hex(m.scenario.as_bytes()),
            scenario: m.scenario.clone(),
            charts,
            files,
        }
    }

    /// The caller's view of this manifest (to run it again).
    pub fn request(&self) -> Manifest {
        Manifest {
            cascade_version: self.cascade_version.clone(),
            scenario_name: self.scenario_name.clone(),
            scenario_file: self.scenario_file.clone(),
            seed: self.seed,
            overrides: self.overrides.clone(),
            scenario: self.scenario.clone(),
            files: Vec::new(),
        }
    }

    /// The JSON text, pretty, with a final newline.
    pub fn to_bytes(&self) -> Result<Vec<u8>, serde_json::Error> {
        crate::json::json_bytes(self)
    }

    /// Reads and checks `dir/manifest.json`. Every problem is bad input naming the file and
    /// the field: a missing folder or manifest, truncated or malformed JSON, an unknown or
    /// missing field, a scenario that does not match its hash, a file name outside the folder.
    pub fn read(dir: &Path) -> Result<Self, ReportError> {
        if !dir.is_dir() {
            let reason = if dir.exists() {
                "not a folder (expected a run folder)"
            } else {
                "no such folder"
            };
            return Err(ReportError::input(dir, reason));
        }
        let path = dir.join("manifest.json");
        if path.symlink_metadata().is_err() {
            return Err(ReportError::input(
                &path,
                "no such file: not a run folder, or a run that did not finish",
            ));
        }
        let bytes = crate::read::read_bounded(&path, crate::read::MANIFEST)?;
        let m: RunManifest = serde_json::from_slice(&bytes).map_err(|e| {
            let kind = if e.is_eof() {
                "truncated"
            } else {
                "malformed or hand-edited"
            };
            ReportError::input(&path, format!("{kind}: {e}"))
        })?;
        m.check()
            .map_err(|reason| ReportError::input(&path, reason))?;
        Ok(m)
    }

    fn check(&self) -> Result<(), String> {
        if self.manifest_version != MANIFEST_VERSION {
            return Err(format!(
                "field manifest_version: {} is not supported (this build reads {MANIFEST_VERSION})",
                self.manifest_version
            ));
        }
        if sha256_hex(self.scenario.as_bytes()) != self.scenario_sha256 {
            return Err(
                "field scenario: does not match scenario_sha256 (the manifest was edited)".into(),
            );
        }
        // A set, not a scan of the names before each: 100,000 entries check in milliseconds.
        let mut seen = std::collections::HashSet::with_capacity(self.files.len());
        for (i, f) in self.files.iter().enumerate() {
            let field = format!("field files[{i}]");
            if !is_safe_name(&f.name) {
                return Err(format!(
                    "{field}.name: {:?} is not a file inside the run folder",
                    f.name
                ));
            }
            if f.sha256.len() != 64 || !f.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!(
                    "{field}.sha256: not a SHA-256 digest (64 hex digits)"
                ));
            }
            if !seen.insert(f.name.as_str()) {
                return Err(format!("{field}.name: {:?} is listed twice", f.name));
            }
        }
        if self.files.is_empty() {
            return Err("field files: empty (a run writes at least summary.json)".into());
        }
        Ok(())
    }
}

/// A relative `/`-separated path with no empty, `.` or `..` part.
fn is_safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.contains('\\')
        && name
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> RunManifest {
        let m = Manifest {
            cascade_version: "0.1.0".into(),
            scenario_name: "s".into(),
            scenario_file: "s.ron".into(),
            seed: 7,
            overrides: vec![],
            scenario: "Scenario(name: \"s\")".into(),
            files: vec![],
        };
        RunManifest::new(&m, false, vec![FileDigest::of("summary.json", b"{}")])
    }

    fn read_back(text: &[u8]) -> Result<RunManifest, String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("manifest.json"), text).unwrap();
        RunManifest::read(dir.path()).map_err(|e| e.to_string())
    }

    #[test]
    fn sha256_matches_the_standard_test_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_manifest_reads_back_as_written() {
        let m = manifest();
        assert_eq!(read_back(&m.to_bytes().unwrap()).unwrap(), m);
        assert_eq!(m.request().seed, 7);
    }

    #[test]
    fn a_truncated_or_edited_manifest_is_refused_with_the_reason() {
        let bytes = manifest().to_bytes().unwrap();
        let err = read_back(&bytes[..bytes.len() / 2]).unwrap_err();
        assert!(err.contains("manifest.json: truncated"), "{err}");

        let mut m = manifest();
        m.scenario.push(' ');
        let err = read_back(&m.to_bytes().unwrap()).unwrap_err();
        assert!(err.contains("field scenario"), "{err}");

        let mut m = manifest();
        m.files[0].name = "../x".into();
        let err = read_back(&m.to_bytes().unwrap()).unwrap_err();
        assert!(err.contains("field files[0].name"), "{err}");

        let text = String::from_utf8(manifest().to_bytes().unwrap()).unwrap();
        let err = read_back(text.replacen("\"seed\"", "\"sed\"", 1).as_bytes()).unwrap_err();
        assert!(err.contains("hand-edited") && err.contains("sed"), "{err}");
    }

    #[test]
    fn a_manifest_of_100_000_files_checks_fast_and_a_duplicate_is_named() {
        let mut m = manifest();
        m.files = (0..100_000)
            .map(|i| FileDigest::of(&format!("f{i}.csv"), b""))
            .collect();
        let started = std::time::Instant::now();
        assert_eq!(m.check(), Ok(()));
        assert!(
            started.elapsed().as_secs_f64() < 1.0,
            "{:?}",
            started.elapsed()
        );
        m.files.push(FileDigest::of("f7.csv", b""));
        let err = m.check().unwrap_err();
        assert!(
            err.contains("files[100000].name") && err.contains("twice"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_folder_or_manifest_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let err = RunManifest::read(&dir.path().join("nope")).unwrap_err();
        assert!(err.to_string().contains("no such folder"), "{err}");
        let err = RunManifest::read(dir.path()).unwrap_err();
        assert!(
            err.to_string().contains("manifest.json: no such file"),
            "{err}"
        );
    }
}
