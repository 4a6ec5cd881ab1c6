//! `cascade sweep slurm`: an sbatch job array that runs a sweep's shards, a merge job that
//! waits for it, and a submit script that chains the two.
//!
//! The sweep is cut into `tasks` shards (`--shard I/tasks`); array task j runs shards
//! `j·chunk … j·chunk + chunk − 1` one after the other, into `OUT/shards/I/`, each with
//! `--resume` so a requeued task continues where it stopped. Slurm refuses arrays larger than
//! its MaxArraySize (1001 by default): `chunk` keeps the array under it. Each shard uses
//! `SLURM_CPUS_PER_TASK` threads. The merge job joins every shard into `OUT`.

use crate::plan::Plan;
use crate::SweepError;
use cascade_report::atomic::write_bytes;
use std::path::{Path, PathBuf};

/// Slurm's default MaxArraySize: array indices must stay below it.
pub const DEFAULT_MAX_ARRAY_SIZE: u32 = 1001;

/// What to generate.
#[derive(Clone, Debug)]
pub struct SlurmOptions {
    /// The `cascade` binary the jobs run (absolute).
    pub cascade: PathBuf,
    /// The sweep file (absolute).
    pub sweep_file: PathBuf,
    /// The sweep's output folder (absolute); scripts go to `OUT/slurm/`.
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

/// Checks the options against the plan: the array must fit under MaxArraySize.
pub fn check(opts: &SlurmOptions) -> Result<u32, String> {
    if opts.tasks == 0 {
        return Err("--tasks must be at least 1".into());
    }
    if opts.chunk == 0 {
        return Err("--chunk must be at least 1".into());
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

/// The job array script.
pub fn array_script(plan: &Plan, opts: &SlurmOptions, array_tasks: u32) -> String {
    let d = &plan.design;
    let logs = opts.out.join("slurm").join("logs");
    let mut s = String::from("#!/bin/bash\n");
    s += &format!(
        "# Sweep {:?} (hash {}): {} runs in {} shards, {} array task(s) of {} shard(s).\n",
        d.name,
        plan.hash,
        d.run_count(),
        opts.tasks,
        array_tasks,
        opts.chunk
    );
    s += "# Written by `cascade sweep slurm`; submit with submit.sh (it also queues the merge).\n";
    s += &format!("#SBATCH --job-name=cascade-{}\n", job_name(&d.name));
    s += &format!("#SBATCH --array=0-{}\n", array_tasks - 1);
    s += "#SBATCH --ntasks=1\n";
    s += &format!("#SBATCH --cpus-per-task={}\n", opts.cpus_per_task);
    s += &sbatch_common(opts);
    s += &format!("#SBATCH --output={}/shard-%a.out\n", logs.display());
    s += "\nset -euo pipefail\n";
    s += &format!(
        "CASCADE={}\n",
        shell_quote(&opts.cascade.display().to_string())
    );
    s += &format!(
        "SWEEP={}\n",
        shell_quote(&opts.sweep_file.display().to_string())
    );
    s += &format!("OUT={}\n", shell_quote(&opts.out.display().to_string()));
    s += &format!("SHARDS={}\nCHUNK={}\n", opts.tasks, opts.chunk);
    s += r#"
first=$((SLURM_ARRAY_TASK_ID * CHUNK))
last=$((first + CHUNK - 1))
if [ "$last" -ge "$SHARDS" ]; then last=$((SHARDS - 1)); fi
for shard in $(seq "$first" "$last"); do
    # Threads default to SLURM_CPUS_PER_TASK; --resume continues a requeued shard.
    "$CASCADE" sweep "$SWEEP" --out "$OUT/shards/$shard" --shard "$shard/$SHARDS" --resume
done
"#;
    s
}

/// The merge job script.
pub fn merge_script(plan: &Plan, opts: &SlurmOptions) -> String {
    let logs = opts.out.join("slurm").join("logs");
    let mut s = String::from("#!/bin/bash\n");
    s += &format!(
        "# Merges the {} shards of sweep {:?} (hash {}) once the array has finished.\n",
        opts.tasks, plan.design.name, plan.hash
    );
    s += &format!(
        "#SBATCH --job-name=cascade-{}-merge\n",
        job_name(&plan.design.name)
    );
    s += "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n";
    s += &sbatch_common(opts);
    s += &format!("#SBATCH --output={}/merge.out\n", logs.display());
    s += "\nset -euo pipefail\n";
    s += &format!(
        "CASCADE={}\n",
        shell_quote(&opts.cascade.display().to_string())
    );
    s += &format!("OUT={}\n", shell_quote(&opts.out.display().to_string()));
    s += &format!("SHARDS={}\n", opts.tasks);
    s += r#"
dirs=()
for shard in $(seq 0 $((SHARDS - 1))); do dirs+=("$OUT/shards/$shard"); done
"$CASCADE" sweep merge "${dirs[@]}" --out "$OUT"
"#;
    s
}

/// The submit script: the array, then the merge with `afterok` on it.
pub fn submit_script(opts: &SlurmOptions) -> String {
    let dir = opts.out.join("slurm");
    format!(
        r#"#!/bin/sh
# Submits the sweep's job array and its merge job (which runs once every array task succeeded).
set -eu
DIR={dir}
mkdir -p "$DIR/logs"
array=$(sbatch --parsable "$DIR/array.sbatch")
array=${{array%%;*}}
merge=$(sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes "$DIR/merge.sbatch")
merge=${{merge%%;*}}
echo "array job $array, merge job $merge"
echo "$array" > "$DIR/array.jobid"
echo "$merge" > "$DIR/merge.jobid"
"#,
        dir = shell_quote(&dir.display().to_string())
    )
}

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
pub fn write_scripts(plan: &Plan, opts: &SlurmOptions) -> Result<SlurmFiles, SweepError> {
    let array_tasks = check(opts).map_err(|message| SweepError::BadSweep {
        file: plan.file.clone(),
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
    write_script(&files.array, &array_script(plan, opts, array_tasks))?;
    write_script(&files.merge, &merge_script(plan, opts))?;
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
            cascade: "/bin/cascade".into(),
            sweep_file: "/s/it's.ron".into(),
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
    }
}
