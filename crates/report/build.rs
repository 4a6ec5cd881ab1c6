//! Records the git commit the crate is built from, for manifest.json, as the environment
//! variable `CASCADE_GIT_COMMIT` (empty when not built from a git checkout or without git).
//!
//! Only the commit id is recorded (no time, no dirty flag), and the build script reruns only
//! when HEAD or the branch it points to moves, so a rebuild at the same commit is identical.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

fn watch(path: &Path) {
    // Cargo reruns a build script on every build when a watched path does not exist.
    if path.exists() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CASCADE_GIT_COMMIT");
    let commit = std::env::var("CASCADE_GIT_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&["rev-parse", "HEAD"]))
        .filter(|c| c.len() == 40 && c.bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap_or_default();
    if let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]).map(PathBuf::from) {
        watch(&dir.join("HEAD"));
        watch(&dir.join("packed-refs"));
        if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
            watch(&dir.join(branch));
        }
    }
    println!("cargo:rustc-env=CASCADE_GIT_COMMIT={commit}");
}
