//! `cascade sweep slurm` and `cascade calibrate slurm`: an sbatch job array that runs the
//! shards of a sweep (or of a calibration's starts), a merge job that waits for it, and a
//! submit script that chains the two. One writer serves both ([`JobKind`] says which command
//! the scripts call).
//!
//! The work is cut into `tasks` shards (`--shard I/tasks`); array task j runs shards
//! `j·chunk … j·chunk + chunk − 1` one after the other, into `OUT/shards/I/`, each with
//! `--resume` so a requeued task continues where it stopped. Slurm refuses arrays larger than
//! its MaxArraySize (1001 by default): `chunk` keeps the array under it. Each shard uses
//! `SLURM_CPUS_PER_TASK` threads. The merge job joins every shard into `OUT`.
//!
//! **Nothing given reaches a script unchecked.** Paths (the binary, the sweep or calibration file, `OUT`)
//! appear only as single-quoted shell words; the `#SBATCH` lines, which sbatch reads with its
//! own rules, hold only numbers, the job name (reduced to letters, digits, '-' and '_'), a
//! partition and a time limit checked against Slurm's syntax, and log paths relative to `OUT`
//! (submit.sh submits from there). Any value with a control character (a newline would end a
//! comment line and start a command) or that is not UTF-8 is refused, naming its option.

use crate::SweepError;
use cascade_report::atomic::write_bytes;
use std::path::{Path, PathBuf};

/// Slurm's default MaxArraySize: array indices must stay below it.
pub const DEFAULT_MAX_ARRAY_SIZE: u32 = 1001;

/// Which command the scripts run: `cascade sweep` or `cascade calibrate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    /// `cascade sweep FILE --shard I/N` and `cascade sweep merge`.
    Sweep,
    /// `cascade calibrate FILE --shard I/N` and `cascade calibrate merge`.
    Calibration,
}

impl JobKind {
    /// The subcommand of `cascade`.
    pub fn command(self) -> &'static str {
        match self {
            JobKind::Sweep => "sweep",
            JobKind::Calibration => "calibrate",
        }
    }

    /// What the file is, for messages and comments.
    pub fn noun(self) -> &'static str {
        match self {
            JobKind::Sweep => "sweep",
            JobKind::Calibration => "calibration",
        }
    }

    /// The script variable holding the file's path.
    fn file_var(self) -> &'static str {
        match self {
            JobKind::Sweep => "SWEEP",
            JobKind::Calibration => "CALIBRATION",
        }
    }
}

/// What the scripts' comments say about the job: its name, hash and size.
#[derive(Clone, Debug)]
pub struct Job {
    /// The sweep's or calibration's name (the job name, reduced to safe characters).
    pub name: String,
    /// Its hash.
    pub hash: String,
    /// Its size in words, e.g. `36 runs` or `8 starts`.
    pub size: String,
    /// The file as given (named by errors).
    pub file: String,
}

impl Job {
    /// The job of a sweep plan.
    pub fn of_plan(plan: &crate::plan::Plan) -> Self {
        Job {
            name: plan.design.name.clone(),
            hash: plan.hash.clone(),
            size: format!("{} runs", plan.design.run_count()),
            file: plan.file.clone(),
        }
    }
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct SlurmOptions {
    /// Sweep or calibration.
    pub kind: JobKind,
    /// The `cascade` binary the jobs run (absolute).
    pub cascade: PathBuf,
    /// The sweep or calibration file (absolute).
    pub file: PathBuf,
    /// The output folder (absolute); scripts go to `OUT/slurm/`.
    pub out: PathBuf,
    /// Number of shards.
    pub tasks: u32,
    /// Shards per array task.
    pub chunk: u32,
    /// Cores per array task (`--cpus-per-task`).
    pub cpus_per_task: u32,
    /// `--partition`, if any.
    pub partition: Option<String>,
    /// `--time` limit of each array task, if any.
    pub time: Option<String>,
}

/// The scripts written.
#[derive(Clone, Debug)]
pub struct SlurmFiles {
    /// The job array.
    pub array: PathBuf,
    /// The merge job.
    pub merge: PathBuf,
    /// Submits both, the merge depending on the array.
    pub submit: PathBuf,
    /// Array tasks.
    pub array_tasks: u32,
}

/// Quotes text for a POSIX shell.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Checks the options: the array must fit under MaxArraySize and every value must be safe to
/// write into a script (see the module doc). The error names the option.
pub fn check(opts: &SlurmOptions) -> Result<u32, String> {
    if opts.tasks == 0 {
        return Err("--tasks must be at least 1".into());
    }
    if opts.chunk == 0 {
        return Err("--chunk must be at least 1".into());
    }
    check_path("--cascade", &opts.cascade)?;
    check_path(&format!("the {} file path", opts.kind.noun()), &opts.file)?;
    check_path("--out", &opts.out)?;
    if let Some(p) = &opts.partition {
        check_partition(p)?;
    }
    if let Some(t) = &opts.time {
        check_time(t)?;
    }
    let array_tasks = opts.tasks.div_ceil(opts.chunk);
    if array_tasks > DEFAULT_MAX_ARRAY_SIZE {
        return Err(format!(
            "{} shards in chunks of {} make {array_tasks} array tasks, more than Slurm's default \
             MaxArraySize ({DEFAULT_MAX_ARRAY_SIZE}); pass --chunk {} or more",
            opts.tasks,
            opts.chunk,
            opts.tasks.div_ceil(DEFAULT_MAX_ARRAY_SIZE)
        ));
    }
    Ok(array_tasks)
}

/// Refuses text with a control character (newline, carriage return, NUL, escape, ...): quoted
/// or not, it has no business in a script line.
pub fn check_text(option: &str, text: &str) -> Result<(), String> {
    match text.chars().find(|c| c.is_control()) {
        Some(c) => Err(format!(
            "{option}: {text:?} contains the control character U+{:04X}; scripts cannot carry it \
             safely",
            u32::from(c)
        )),
        None => Ok(()),
    }
}

/// A path for a script: UTF-8 (it is written as text) without control characters.
pub fn check_path(option: &str, path: &Path) -> Result<(), String> {
    let text = path
        .to_str()
        .ok_or_else(|| format!("{option}: {} is not UTF-8 text", path.display()))?;
    check_text(option, text)
}

/// Longest `--partition` value accepted.
pub const MAX_PARTITION_CHARS: usize = 256;

/// `--partition`: one partition name or a comma-separated list of them (Slurm tries each),
/// names of letters, digits, '-', '_' and '.'.
pub fn check_partition(p: &str) -> Result<(), String> {
    check_text("--partition", p)?;
    let name_ok = |n: &str| {
        !n.is_empty()
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    };
    if p.len() > MAX_PARTITION_CHARS || !p.split(',').all(name_ok) {
        return Err(format!(
            "--partition: expected a partition name (letters, digits, '-', '_', '.') or a \
             comma-separated list of them, at most {MAX_PARTITION_CHARS} characters, got {p:?}"
        ));
    }
    Ok(())
}

/// `--time`: Slurm's time limit forms, `minutes`, `minutes:seconds`,
/// `hours:minutes:seconds`, `days-hours`, `days-hours:minutes`,
/// `days-hours:minutes:seconds` (each field 1 to 9 digits), or `UNLIMITED` / `INFINITE`.
pub fn check_time(t: &str) -> Result<(), String> {
    check_text("--time", t)?;
    let field = |f: &str| (1..=9).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit());
    let (days, clock) = match t.split_once('-') {
        Some((d, c)) => (Some(d), c),
        None => (None, t),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let ok = matches!(t, "UNLIMITED" | "INFINITE")
        || (days.is_none_or(field) && parts.len() <= 3 && parts.iter().all(|p| field(p)));
    if !ok {
        return Err(format!(
            "--time: expected minutes, minutes:seconds, hours:minutes:seconds, days-hours, \
             days-hours:minutes or days-hours:minutes:seconds (digits), or UNLIMITED, got {t:?}"
        ));
    }
    Ok(())
}

/// The job array script.
pub fn array_script(job: &Job, opts: &SlurmOptions, array_tasks: u32) -> String {
    let kind = opts.kind;
    let mut s = String::from("#!/bin/bash\n");
    s += &format!(
        "# {} {:?} (hash {}): {} in {} shards, {} array task(s) of {} shard(s).\n",
        capitalised(kind.noun()),
        job.name,
        job.hash,
        job.size,
        opts.tasks,
        array_tasks,
        opts.chunk
    );
    s += &format!(
        "# Written by `cascade {} slurm`; submit with submit.sh: it submits from OUT, where\n",
        kind.command()
    );
    s += "# the log paths below start, and queues the merge.\n";
    s += &format!("#SBATCH --job-name=cascade-{}\n", job_name(&job.name));
    s += &format!("#SBATCH --array=0-{}\n", array_tasks - 1);
    s += "#SBATCH --ntasks=1\n";
    s += &format!("#SBATCH --cpus-per-task={}\n", opts.cpus_per_task);
    s += &sbatch_common(opts);
    s += "#SBATCH --output=slurm/logs/shard-%a.out\n";
    s += "\nset -euo pipefail\n";
    s += &format!(
        "CASCADE={}\n",
        shell_quote(&opts.cascade.display().to_string())
    );
    s += &format!(
        "{}={}\n",
        kind.file_var(),
        shell_quote(&opts.file.display().to_string())
    );
    s += &format!("OUT={}\n", shell_quote(&opts.out.display().to_string()));
    s += &format!("SHARDS={}\nCHUNK={}\n", opts.tasks, opts.chunk);
    s += &format!(
        r#"
first=$((SLURM_ARRAY_TASK_ID * CHUNK))
last=$((first + CHUNK - 1))
if [ "$last" -ge "$SHARDS" ]; then last=$((SHARDS - 1)); fi
for shard in $(seq "$first" "$last"); do
    # Threads default to SLURM_CPUS_PER_TASK; --resume continues a requeued shard.
    "$CASCADE" {command} "${var}" --out "$OUT/shards/$shard" --shard "$shard/$SHARDS" --resume
done
"#,
        command = kind.command(),
        var = kind.file_var()
    );
    s
}

/// The merge job script.
pub fn merge_script(job: &Job, opts: &SlurmOptions) -> String {
    let kind = opts.kind;
    let mut s = String::from("#!/bin/bash\n");
    s += &format!(
        "# Merges the {} shards of {} {:?} (hash {}) once the array has finished.\n",
        opts.tasks,
        kind.noun(),
        job.name,
        job.hash
    );
    s += &format!("#SBATCH --job-name=cascade-{}-merge\n", job_name(&job.name));
    s += "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n";
    s += &sbatch_common(opts);
    s += "#SBATCH --output=slurm/logs/merge.out\n";
    s += "\nset -euo pipefail\n";
    s += &format!(
        "CASCADE={}\n",
        shell_quote(&opts.cascade.display().to_string())
    );
    s += &format!("OUT={}\n", shell_quote(&opts.out.display().to_string()));
    s += &format!("SHARDS={}\n", opts.tasks);
    s += &format!(
        r#"
dirs=()
for shard in $(seq 0 $((SHARDS - 1))); do dirs+=("$OUT/shards/$shard"); done
"$CASCADE" {} merge "${{dirs[@]}}" --out "$OUT"
"#,
        kind.command()
    );
    s
}

fn capitalised(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// The submit script: the array, then the merge with `afterok` on it, both submitted from
/// `OUT` (the jobs start there, and their `#SBATCH --output` paths are relative to it).
pub fn submit_script(opts: &SlurmOptions) -> String {
    format!(
        r#"#!/bin/sh
# Submits the {noun}'s job array and its merge job (which runs once every array task succeeded).
# The jobs start in OUT: their log paths (#SBATCH --output) are relative to it.
set -eu
OUT={out}
cd "$OUT"
mkdir -p slurm/logs
array=$(sbatch --parsable slurm/array.sbatch)
array=${{array%%;*}}
merge=$(sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes slurm/merge.sbatch)
merge=${{merge%%;*}}
echo "array job $array, merge job $merge"
echo "$array" > slurm/array.jobid
echo "$merge" > slurm/merge.jobid
"#,
        out = shell_quote(&opts.out.display().to_string()),
        noun = opts.kind.noun()
    )
}

/// The `--partition` and `--time` lines, their values checked by [`check`].
fn sbatch_common(opts: &SlurmOptions) -> String {
    let mut s = String::new();
    if let Some(p) = &opts.partition {
        s += &format!("#SBATCH --partition={p}\n");
    }
    if let Some(t) = &opts.time {
        s += &format!("#SBATCH --time={t}\n");
    }
    s
}

fn job_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes the three scripts under `OUT/slurm/` (and creates `OUT/slurm/logs/`).
pub fn write_scripts(job: &Job, opts: &SlurmOptions) -> Result<SlurmFiles, SweepError> {
    let array_tasks = check(opts).map_err(|message| SweepError::BadSweep {
        file: job.file.clone(),
        message,
    })?;
    let dir = opts.out.join("slurm");
    std::fs::create_dir_all(dir.join("logs")).map_err(|e| SweepError::io(&dir, e))?;
    let files = SlurmFiles {
        array: dir.join("array.sbatch"),
        merge: dir.join("merge.sbatch"),
        submit: dir.join("submit.sh"),
        array_tasks,
    };
    write_script(&files.array, &array_script(job, opts, array_tasks))?;
    write_script(&files.merge, &merge_script(job, opts))?;
    write_script(&files.submit, &submit_script(opts))?;
    Ok(files)
}

fn write_script(path: &Path, text: &str) -> Result<(), SweepError> {
    write_bytes(path, text.as_bytes())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| SweepError::io(path, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(tasks: u32, chunk: u32) -> SlurmOptions {
        SlurmOptions {
            kind: JobKind::Sweep,
            cascade: "/bin/cascade".into(),
            file: "/s/it's.ron".into(),
            out: "/o".into(),
            tasks,
            chunk,
            cpus_per_task: 2,
            partition: Some("short".into()),
            time: None,
        }
    }

    #[test]
    fn the_array_fits_under_max_array_size_with_chunks() {
        assert_eq!(check(&opts(10, 1)), Ok(10));
        assert_eq!(check(&opts(10, 3)), Ok(4));
        assert_eq!(check(&opts(1001, 1)), Ok(1001));
        let e = check(&opts(5000, 1)).unwrap_err();
        assert!(e.contains("--chunk 5"), "{e}");
        assert_eq!(check(&opts(5000, 5)), Ok(1000));
    }

    #[test]
    fn paths_are_quoted_for_the_shell() {
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("$(x) `y` \"z\""), "'$(x) `y` \"z\"'");
    }

    #[test]
    fn control_characters_are_refused_in_every_option() {
        type Set = fn(&mut SlurmOptions, &str);
        let cases: [(&str, Set); 5] = [
            ("--partition", |o, v| o.partition = Some(v.into())),
            ("--time", |o, v| o.time = Some(v.into())),
            ("--out", |o, v| o.out = format!("/o/{v}").into()),
            ("--cascade", |o, v| o.cascade = format!("/c/{v}").into()),
            ("the sweep file path", |o, v| {
                o.file = format!("/s/{v}").into()
            }),
        ];
        for bad in ["a\nb", "a\rb", "a\0b", "a\u{1b}b", "a\tb"] {
            for (option, set) in cases {
                let mut o = opts(2, 1);
                set(&mut o, bad);
                let e = check(&o).unwrap_err();
                assert!(e.starts_with(option), "{option} with {bad:?}: {e}");
                assert!(e.contains("control character"), "{e}");
            }
        }
    }

    #[test]
    fn time_limits_take_slurms_forms_only() {
        for good in [
            "30",
            "30:00",
            "01:00:00",
            "2-0",
            "2-12:30",
            "2-12:30:00",
            "UNLIMITED",
            "INFINITE",
        ] {
            assert_eq!(check_time(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "1h",
            "1:2:3:4",
            "-1",
            "1-",
            "1--2",
            "1:",
            ":1",
            "1-2-3",
            "$(id)",
            "1 2",
            "01:00:00'",
            "1234567890",
        ] {
            let e = check_time(bad).unwrap_err();
            assert!(e.starts_with("--time:"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn partitions_are_names_or_lists_of_names() {
        for good in ["short", "gpu-a100", "a.b_c", "short,long"] {
            assert_eq!(check_partition(good), Ok(()), "{good}");
        }
        let long = "p".repeat(MAX_PARTITION_CHARS + 1);
        for bad in [
            "", "a,", ",a", "a b", "a;b", "$(id)", "a'b", "a\"b", "a#b", &long,
        ] {
            let e = check_partition(bad).unwrap_err();
            assert!(e.starts_with("--partition:"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn one_writer_serves_sweeps_and_calibrations() {
        let job = Job {
            name: "flash cascade".into(),
            hash: "abc".into(),
            size: "8 starts".into(),
            file: "f.ron".into(),
        };
        let mut o = opts(4, 3);
        o.kind = JobKind::Calibration;
        o.file = "/c/it's.ron".into();
        let array = array_script(&job, &o, 2);
        assert!(array.starts_with("#!/bin/bash\n# Calibration \"flash cascade\" (hash abc): 8 starts in 4 shards, 2 array task(s) of 3 shard(s).\n# Written by `cascade calibrate slurm`"), "{array}");
        assert!(
            array.contains("#SBATCH --job-name=cascade-flash_cascade\n"),
            "{array}"
        );
        assert!(array.contains(r"CALIBRATION='/c/it'\''s.ron'"), "{array}");
        assert!(
            array.contains(
                r#""$CASCADE" calibrate "$CALIBRATION" --out "$OUT/shards/$shard" --shard "$shard/$SHARDS" --resume"#
            ),
            "{array}"
        );
        let merge = merge_script(&job, &o);
        assert!(
            merge.contains("shards of calibration \"flash cascade\""),
            "{merge}"
        );
        assert!(
            merge.contains(r#""$CASCADE" calibrate merge "${dirs[@]}" --out "$OUT""#),
            "{merge}"
        );
        assert!(submit_script(&o).contains("Submits the calibration's job array"));
        // The sweep's scripts call the sweep command with its file variable.
        o.kind = JobKind::Sweep;
        let array = array_script(&job, &o, 2);
        assert!(array.contains("# Sweep \"flash cascade\""), "{array}");
        assert!(
            array.contains(r#""$CASCADE" sweep "$SWEEP" --out"#),
            "{array}"
        );
        assert!(merge_script(&job, &o).contains(r#""$CASCADE" sweep merge"#));
        // A control character in the calibration file's path is named as such.
        o.kind = JobKind::Calibration;
        o.file = "/c/a\nb".into();
        let e = check(&o).unwrap_err();
        assert!(e.starts_with("the calibration file path"), "{e}");
    }

    #[test]
    fn the_submit_script_quotes_out_and_submits_from_it() {
        let mut o = opts(2, 1);
        o.out = "/o/it's $(touch x)".into();
        let submit = submit_script(&o);
        assert!(submit.contains(r"OUT='/o/it'\''s $(touch x)'"), "{submit}");
        assert!(submit.contains("cd \"$OUT\"\n"), "{submit}");
        assert!(!submit.contains("--output="), "{submit}");
    }
}
