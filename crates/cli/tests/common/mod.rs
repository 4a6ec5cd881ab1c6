//! Helpers for end-to-end tests through the `cascade` binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (shipped scenarios live under it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// A shipped scenario by file name.
pub fn scenario(name: &str) -> PathBuf {
    root().join("scenarios").join(name)
}

/// Runs `cascade` with `args` in `cwd`.
pub fn cascade_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cascade"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the cascade binary starts")
}

/// Runs `cascade` with `args` in a scratch folder.
pub fn cascade(args: &[&str]) -> Output {
    cascade_in(&std::env::temp_dir(), args)
}

/// `cascade COMMAND FILE --out OUT EXTRA...`: the shape of sweep, ablate and calibrate.
pub fn cascade_file_out(command: &str, file: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        command,
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    cascade(&args)
}

/// Exit code, stdout and stderr, for assertion messages.
pub fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Asserts a clean success.
pub fn assert_ok(out: &Output) {
    assert_eq!(out.status.code(), Some(0), "{}", describe(out));
}

/// Asserts exit code 2 with every fragment in stderr and no panic trace.
pub fn assert_bad_input(out: &Output, fragments: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}", describe(out));
    assert!(!err.contains("panicked"), "panic on bad input: {err}");
    for f in fragments {
        assert!(err.contains(f), "stderr lacks {f:?}: {err}");
    }
}

/// Every file of a run folder, name → bytes, sorted by name.
pub fn folder_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Copies the files of a folder (not its subfolders) into `to`, creating it.
pub fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Runs a shipped scenario into `dir` with extra arguments, asserting success.
pub fn run_into(scenario_file: &str, dir: &Path, extra: &[&str]) {
    let s = scenario(scenario_file);
    let mut args = vec!["run", s.to_str().unwrap(), "--out", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    assert_ok(&cascade(&args));
}

/// Width and height of a PNG, after checking its signature and header chunk.
pub fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 33, "too short for a PNG");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR", "no IHDR chunk first");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    assert_eq!(
        &bytes[bytes.len() - 8..bytes.len() - 4],
        b"IEND",
        "no IEND chunk last"
    );
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// Width and height declared by an SVG's root element, after checking it is one.
pub fn svg_size(text: &str) -> (u32, u32) {
    let start = text.find("<svg").expect("an <svg> element");
    assert!(text.trim_end().ends_with("</svg>"), "the SVG is not closed");
    let tag = &text[start..start + text[start..].find('>').unwrap()];
    let attr = |name: &str| -> u32 {
        let key = format!(" {name}=\"");
        let at = tag
            .find(&key)
            .unwrap_or_else(|| panic!("no {name} in {tag}"))
            + key.len();
        tag[at..at + tag[at..].find('"').unwrap()].parse().unwrap()
    };
    (attr("width"), attr("height"))
}

/// Rewrites one byte of a file: `at` from the start, replaced by a different digit/letter.
pub fn flip_byte(path: &Path, at: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    std::fs::write(path, bytes).unwrap();
}

/// Checks `cascade check FILE EXTRA…` and `cascade run FILE --out DIR EXTRA…` both exit 2 naming
/// the file and every fragment, and that the refused run wrote nothing.
pub fn refuse(file: &Path, extra: &[&str], fragments: &[&str]) {
    let shown = file.display().to_string();
    let mut all = vec![shown.as_str()];
    all.extend_from_slice(fragments);
    let mut args = vec!["check", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    assert_bad_input(&cascade(&args), &all);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let mut args = vec![
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    assert_bad_input(&cascade(&args), &all);
    assert!(!out.exists(), "a refused run wrote {}", out.display());
}

/// The summary.json of a run folder.
pub fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap()
}

/// The integer at `path` (keys, outermost first) of a summary.
pub fn int(v: &serde_json::Value, path: &[&str]) -> u64 {
    path.iter()
        .fold(v, |v, k| &v[*k])
        .as_u64()
        .unwrap_or_else(|| panic!("{path:?} is not an integer in {v}"))
}
