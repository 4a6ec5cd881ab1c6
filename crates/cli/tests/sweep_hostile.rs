//! Hostile input to `cascade sweep` through the binary: values that would run commands from
//! the Slurm scripts are refused or quoted, sweep names that would escape the output folder
//! are refused, two axes over one field are refused, and an absurd thread count is refused at
//! once.

mod common;
use common::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Characters that end a script line or that a terminal or a shell would act on.
const CONTROL: [&str; 4] = ["\n", "\r", "\u{1b}", "\u{7f}"];

/// Shell syntax that runs a command when it is not quoted (each creates `pwned`).
const SHELL: [&str; 4] = [
    "$(touch pwned)",
    "`touch pwned`",
    "x'; touch pwned; '",
    "x\"; touch pwned; \"",
];

/// A sweep file over the shipped baseline (by absolute path), written as `path`.
fn write_sweep(path: &Path, name: &str, axes: &str) {
    let base = scenario("baseline.ron");
    let text = format!(
        "Sweep(name: {name:?}, base: {:?}, set: [\"duration_s=5\"], seed: 1, axes: [{axes}])",
        base.to_str().unwrap()
    );
    fs::write(path, text).unwrap();
}

fn simple_sweep(dir: &Path) -> PathBuf {
    let path = dir.join("sweep.ron");
    write_sweep(
        &path,
        "hostile",
        r#"Values(path: "agents.makers.size", values: [5])"#,
    );
    path
}

/// `cascade sweep slurm FILE --tasks 3 --chunk 2` plus `extra`.
fn slurm(file: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["sweep", "slurm", file.to_str().unwrap(), "--tasks", "3"];
    args.extend_from_slice(&["--chunk", "2"]);
    args.extend_from_slice(extra);
    cascade(&args)
}

/// Every file and folder under `dir` whose name is `name`.
fn find_named(dir: &Path, name: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return found;
    };
    for e in entries.flatten() {
        let p = e.path();
        if e.file_name() == name {
            found.push(p.clone());
        }
        if p.is_dir() && !p.is_symlink() {
            found.extend(find_named(&p, name));
        }
    }
    found
}

#[test]
fn a_control_character_in_any_slurm_option_exits_2_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let file = simple_sweep(tmp.path());
    let ok = tmp.path().join("ok");
    for c in CONTROL {
        let out = tmp.path().join(format!("out{c}touch pwned"));
        let path_value = out.to_str().unwrap().to_string();
        let cases: [(&str, String); 4] = [
            ("--partition", format!("short{c}touch pwned")),
            ("--time", format!("00:05:00{c}touch pwned")),
            ("--out", path_value.clone()),
            ("--cascade", path_value.clone()),
        ];
        for (option, value) in &cases {
            let mut args = vec![*option, value.as_str()];
            if *option != "--out" {
                args.extend_from_slice(&["--out", ok.to_str().unwrap()]);
            }
            assert_bad_input(&slurm(&file, &args), &[option, "control character"]);
        }
        assert!(!out.exists(), "{} was created", out.display());
        assert!(!ok.exists(), "a refused command created its --out");
    }
    // The sweep file's own path reaches the scripts too.
    let dir = tmp.path().join("a\nb");
    fs::create_dir(&dir).unwrap();
    let evil_file = simple_sweep(&dir);
    let out = tmp.path().join("ok2");
    assert_bad_input(
        &slurm(&evil_file, &["--out", out.to_str().unwrap()]),
        &["the sweep file path", "control character"],
    );
    assert!(!out.exists(), "the refused command created its --out");
    assert!(find_named(tmp.path(), "pwned").is_empty());
}

#[test]
fn partition_and_time_outside_slurms_syntax_exit_2_naming_the_option() {
    let tmp = tempfile::tempdir().unwrap();
    let file = simple_sweep(tmp.path());
    let out = tmp.path().join("out");
    let out = out.to_str().unwrap();
    for s in SHELL.iter().chain(&["a b", "short#x", "", "short,"]) {
        assert_bad_input(
            &slurm(&file, &["--partition", s, "--out", out]),
            &["--partition", "partition name"],
        );
        assert_bad_input(
            &slurm(&file, &["--time", s, "--out", out]),
            &["--time", "days-hours"],
        );
    }
    for time in [
        "90",
        "1:30",
        "01:00:00",
        "2-00",
        "2-12:00",
        "2-12:00:00",
        "UNLIMITED",
    ] {
        assert_ok(&slurm(&file, &["--time", time, "--out", out]));
        let array = fs::read_to_string(Path::new(out).join("slurm/array.sbatch")).unwrap();
        assert!(
            array.contains(&format!("\n#SBATCH --time={time}\n")),
            "{array}"
        );
    }
    assert_ok(&slurm(&file, &["--partition", "short,long", "--out", out]));
}

/// A fake program at `path` that appends its working folder and arguments, one per line, to
/// `log`, then prints `42` (a job id, for sbatch).
fn fake_program(path: &Path, log: &Path) {
    let log = log.to_str().unwrap();
    assert!(!log.contains('\''), "the log path must be plain");
    let text = format!(
        "#!/bin/sh\n{{ echo \"cwd=$(pwd -P)\"; for a in \"$0\" \"$@\"; do echo \"arg=$a\"; done; \
         echo end; }} >> '{log}'\necho 42\n"
    );
    fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// The calls a fake program logged: (working folder, arguments after the program).
fn calls(log: &Path) -> Vec<(String, Vec<String>)> {
    let text = fs::read_to_string(log).unwrap_or_default();
    let mut out = Vec::new();
    let (mut cwd, mut args) = (String::new(), Vec::new());
    for line in text.lines() {
        if let Some(c) = line.strip_prefix("cwd=") {
            cwd = c.to_string();
        } else if let Some(a) = line.strip_prefix("arg=") {
            args.push(a.to_string());
        } else if line == "end" {
            args.remove(0);
            out.push((std::mem::take(&mut cwd), std::mem::take(&mut args)));
        }
    }
    out
}

fn run_script(shell: &str, script: &Path, cwd: &Path, env: &[(&str, &str)]) -> Output {
    let mut path = std::env::var_os("PATH").unwrap_or_default();
    let bin = cwd.join("bin");
    if bin.is_dir() {
        let mut p = bin.into_os_string();
        p.push(":");
        p.push(path);
        path = p;
    }
    Command::new(shell)
        .arg(script)
        .current_dir(cwd)
        .env("PATH", path)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

#[test]
fn hostile_paths_are_quoted_so_the_scripts_never_run_them() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    for (k, evil) in SHELL.iter().enumerate() {
        let work = root.join(format!("w{k}"));
        let dir = work.join(format!("sweep {evil} #x"));
        fs::create_dir_all(work.join("bin")).unwrap();
        fs::create_dir_all(&dir).unwrap();
        let file = simple_sweep(&dir);
        let out = dir.join(format!("out {evil}"));
        let fake_cascade = dir.join(format!("cascade {evil}"));
        let cascade_log = work.join("cascade.log");
        let sbatch_log = work.join("sbatch.log");
        fake_program(&fake_cascade, &cascade_log);
        fake_program(&work.join("bin/sbatch"), &sbatch_log);

        let made = slurm(
            &file,
            &[
                "--out",
                out.to_str().unwrap(),
                "--cascade",
                fake_cascade.to_str().unwrap(),
                "--partition",
                "short",
                "--time",
                "00:05:00",
            ],
        );
        assert_ok(&made);
        let scripts = out.join("slurm");
        // The sbatch scripts are bash (arrays); submit.sh is plain sh.
        for (script, shells) in [
            ("array.sbatch", &["bash"][..]),
            ("merge.sbatch", &["bash"][..]),
            ("submit.sh", &["sh", "bash"][..]),
        ] {
            for shell in shells {
                let check = Command::new(shell)
                    .arg("-n")
                    .arg(scripts.join(script))
                    .output()
                    .unwrap();
                assert!(check.status.success(), "{shell} -n {script}: {check:?}");
            }
            let text = fs::read_to_string(scripts.join(script)).unwrap();
            for line in text.lines().filter(|l| l.starts_with("#SBATCH")) {
                assert!(
                    !line.contains(evil) && !line.contains(&root.display().to_string()),
                    "{script}: a path reaches an #SBATCH line: {line}"
                );
            }
        }

        // submit.sh with a fake sbatch: both jobs are submitted, from OUT.
        let submitted = run_script("sh", &scripts.join("submit.sh"), &work, &[]);
        assert_ok(&submitted);
        let sbatch_calls = calls(&sbatch_log);
        assert_eq!(sbatch_calls.len(), 2, "{sbatch_calls:?}");
        for (cwd, args) in &sbatch_calls {
            assert_eq!(
                Path::new(cwd),
                out.as_path(),
                "sbatch ran elsewhere: {args:?}"
            );
        }
        assert_eq!(sbatch_calls[0].1, ["--parsable", "slurm/array.sbatch"]);
        assert_eq!(sbatch_calls[1].1.last().unwrap(), "slurm/merge.sbatch");
        assert_eq!(
            fs::read_to_string(scripts.join("merge.jobid")).unwrap(),
            "42\n"
        );

        // The array task and the merge with a fake cascade: every path arrives whole.
        let task = run_script(
            "bash",
            &scripts.join("array.sbatch"),
            &out,
            &[("SLURM_ARRAY_TASK_ID", "1")],
        );
        assert_ok(&task);
        assert_ok(&run_script(
            "bash",
            &scripts.join("merge.sbatch"),
            &out,
            &[],
        ));
        let out_text = out.to_str().unwrap();
        let shard = |i: u32| format!("{out_text}/shards/{i}");
        let file_text = file.to_str().unwrap().to_string();
        let want: Vec<Vec<String>> = vec![
            vec![
                "sweep".into(),
                file_text,
                "--out".into(),
                shard(2),
                "--shard".into(),
                "2/3".into(),
                "--resume".into(),
            ],
            vec![
                "sweep".into(),
                "merge".into(),
                shard(0),
                shard(1),
                shard(2),
                "--out".into(),
                out_text.into(),
            ],
        ];
        let got: Vec<Vec<String>> = calls(&cascade_log).into_iter().map(|c| c.1).collect();
        assert_eq!(got, want);
    }
    let ran = find_named(&root, "pwned");
    assert!(ran.is_empty(), "an injected command ran: {ran:?}");
}

#[test]
fn sweep_names_that_are_not_folder_names_exit_2_naming_the_field() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path().join("a/b");
    fs::create_dir_all(&cwd).unwrap();
    for name in [
        "../../escaped",
        "/tmp/escaped",
        "",
        ".hidden",
        "a/b",
        "a b",
        "a\nb",
    ] {
        let file = tmp.path().join("named.ron");
        write_sweep(
            &file,
            name,
            r#"Values(path: "agents.makers.size", values: [5])"#,
        );
        let f = file.to_str().unwrap();
        for args in [
            vec!["sweep", f, "--threads", "1"],
            vec!["sweep", "slurm", f, "--tasks", "2"],
        ] {
            let got = cascade_in(&cwd, &args);
            assert_bad_input(&got, &["field name"]);
            let left: Vec<_> = fs::read_dir(&cwd).unwrap().collect();
            assert!(left.is_empty(), "{name:?}: {args:?} wrote {left:?}");
        }
    }
    assert!(!tmp.path().join("escaped").exists());
}

#[test]
fn an_axis_given_by_group_name_and_by_index_exits_2_naming_both() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let cases: [(&str, &[&str]); 3] = [
        (
            r#"Values(path: "agents.makers.size", values: [5]), Values(path: "agents[1].size", values: [6])"#,
            &[
                "agents.makers.size",
                "agents[1].size",
                "both set agents[1].size",
            ],
        ),
        (
            r#"Linear(path: "agents[0].rate_per_s", from: 0.5, to: 1.0, steps: 2), Values(path: "agents.noise.rate_per_s", values: [0.7])"#,
            &[
                "agents[0].rate_per_s",
                "agents.noise.rate_per_s",
                "both set",
            ],
        ),
        (
            r#"Values(path: "agents.makers.size", values: [5]), Values(path: "agents[1]", values: [1])"#,
            &[
                "agents.makers.size",
                "agents[1]",
                "one sets part of the other",
            ],
        ),
    ];
    for (axes, fragments) in cases {
        let file = tmp.path().join("dup.ron");
        write_sweep(&file, "dup", axes);
        let got = cascade(&[
            "sweep",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_bad_input(&got, fragments);
        assert!(!out.exists(), "a refused sweep created its folder");
    }
}

#[test]
fn threads_above_the_cap_exit_2_at_once_naming_the_source() {
    let tmp = tempfile::tempdir().unwrap();
    let file = simple_sweep(tmp.path());
    let out = tmp.path().join("out");
    let run = |threads: Option<&str>, slurm_cpus: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cascade"));
        cmd.args([
            "sweep",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        if let Some(t) = threads {
            cmd.args(["--threads", t]);
        }
        cmd.env_remove("SLURM_CPUS_PER_TASK");
        if let Some(c) = slurm_cpus {
            cmd.env("SLURM_CPUS_PER_TASK", c);
        }
        let started = Instant::now();
        let got = cmd.output().unwrap();
        (got, started.elapsed())
    };
    for (threads, slurm_cpus, source) in [
        (Some("100000"), None, "--threads"),
        (Some("18446744073709551615"), None, "--threads"),
        (Some("0"), None, "--threads"),
        (Some("100000"), Some("2"), "--threads"),
        (None, Some("100000"), "SLURM_CPUS_PER_TASK"),
    ] {
        let (got, took) = run(threads, slurm_cpus);
        assert_bad_input(&got, &[source]);
        assert!(
            took < Duration::from_secs(5),
            "{source} refused after {took:?}"
        );
        assert!(!out.exists(), "a refused sweep created its folder");
    }
    let (got, _) = run(Some("100000"), None);
    let err = String::from_utf8_lossy(&got.stderr);
    assert!(err.contains("per core"), "the cap is not explained: {err}");
    let (got, _) = run(Some("2"), Some("100000"));
    assert_ok(&got);
}

#[test]
fn a_run_log_that_is_a_device_is_bad_input_on_resume() {
    let tmp = tempfile::tempdir().unwrap();
    let file = simple_sweep(tmp.path());
    let out_dir = tmp.path().join("out");
    let o = out_dir.to_str().unwrap();
    assert_ok(&cascade(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        o,
        "--threads",
        "1",
    ]));
    let log = out_dir.join("runs.jsonl");
    fs::remove_file(&log).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &log).unwrap();
    let started = Instant::now();
    let out = cascade(&["sweep", file.to_str().unwrap(), "--out", o, "--resume"]);
    assert_bad_input(&out, &["runs.jsonl"]);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}
