//! `cascade compare RUN_A RUN_B [--out DIR]`: summary metrics side by side with their
//! differences, and an overlay chart of price, spread and depth.

use crate::input::{print_json, say};
use anyhow::{Context, Result};
use cascade_report::charts::compare::{Overlay, STEM};
use cascade_report::charts::{ChartFormat, RunData};
use cascade_report::claim::lock_folder;
use cascade_report::compare::{read_summary, summary_rows, to_csv, to_markdown, to_text};
use cascade_report::{FolderWriter, RunManifest};
use clap::Args;
use std::path::{Path, PathBuf};

/// Arguments of `cascade compare`.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Run folder A (the reference).
    run_a: PathBuf,
    /// Run folder B (compared with A: differences are B − A).
    run_b: PathBuf,
    /// Folder for compare.csv, compare.md, compare.png and compare.svg
    /// (default: output/compare/<A>-vs-<B>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print one JSON object on stdout (the runs, the folder written, every metric of A and B
    /// with the difference); the table goes to stderr.
    #[arg(long)]
    pub json: bool,
}

/// A run folder's name for the default output folder: `output/baseline/seed-1` → `baseline-seed-1`.
fn short_name(dir: &Path) -> String {
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "run".into())
    };
    let last = name(dir);
    let full = match dir.parent() {
        Some(parent) if last.starts_with("seed-") && parent.file_name().is_some() => {
            format!("{}-{last}", name(parent))
        }
        _ => last,
    };
    full.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// "baseline, seed 1, duration_s=60 (output/x)".
fn label(m: &RunManifest, dir: &Path) -> String {
    let mut s = format!("{}, seed {}", m.scenario_name, m.seed);
    for o in &m.overrides {
        s.push_str(&format!(", {o}"));
    }
    format!("{s} ({})", dir.display())
}

/// Prints the metric table and writes the files.
pub fn compare(args: &CompareArgs) -> Result<()> {
    let (dir_a, dir_b) = (&args.run_a, &args.run_b);
    let ma = RunManifest::read(dir_a).map_err(crate::input::report_error)?;
    let mb = RunManifest::read(dir_b).map_err(crate::input::report_error)?;
    let sa = read_summary(dir_a).map_err(crate::input::report_error)?;
    let sb = read_summary(dir_b).map_err(crate::input::report_error)?;
    let (la, lb) = (label(&ma, dir_a), label(&mb, dir_b));
    let rows = summary_rows(&sa, &sb).context("listing the summaries' metrics")?;

    let tables = ["series"];
    let da = RunData::read(dir_a, &ma.scenario_name, ma.seed, &tables)
        .map_err(crate::input::report_error)?;
    let db = RunData::read(dir_b, &mb.scenario_name, mb.seed, &tables)
        .map_err(crate::input::report_error)?;
    let overlay = Overlay {
        a: &da,
        b: &db,
        label_a: la.clone(),
        label_b: lb.clone(),
    };
    let out_dir = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("output").join("compare").join(format!(
            "{}-vs-{}",
            short_name(dir_a),
            short_name(dir_b)
        ))
    });
    std::fs::create_dir_all(&out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    // Two compares into one folder would interleave their files.
    let _lock = lock_folder(&out_dir).map_err(crate::input::report_error)?;
    let mut out = FolderWriter::new(&out_dir).map_err(crate::input::report_error)?;
    let csv = to_csv(&rows).context("writing compare.csv")?;
    let mut files = vec!["compare.csv".to_string(), "compare.md".to_string()];
    out.put("compare.csv", &csv)
        .map_err(crate::input::report_error)?;
    out.put("compare.md", to_markdown(&rows, &la, &lb).as_bytes())
        .map_err(crate::input::report_error)?;
    for &format in ChartFormat::ALL {
        let bytes = overlay.render(format).map_err(crate::input::report_error)?;
        let name = format!("{STEM}.{}", format.ext());
        out.put(&name, &bytes).map_err(crate::input::report_error)?;
        files.push(name);
    }

    let json = args.json;
    let table = to_text(&rows);
    say(json, &format!("A: {la}\nB: {lb}\n"));
    say(json, table.trim_end_matches('\n'));
    say(json, &format!("\n-> {}", out_dir.display()));
    if json {
        let run = |dir: &Path, m: &RunManifest, label: &str| {
            serde_json::json!({
                "dir": dir.display().to_string(),
                "scenario": m.scenario_name,
                "seed": m.seed,
                "overrides": m.overrides,
                "label": label,
            })
        };
        let metrics: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "metric": r.metric,
                    "a": r.a,
                    "b": r.b,
                    "diff": r.diff(),
                    "change_pct": r.change_pct(),
                })
            })
            .collect();
        let files: Vec<String> = files
            .iter()
            .map(|f| out_dir.join(f).display().to_string())
            .collect();
        print_json(&serde_json::json!({
            "ok": true,
            "a": run(dir_a, &ma, &la),
            "b": run(dir_b, &mb, &lb),
            "out": out_dir.display().to_string(),
            "files": files,
            "metrics": metrics,
        }))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_keep_the_scenario_and_seed() {
        assert_eq!(
            short_name(Path::new("output/baseline/seed-1")),
            "baseline-seed-1"
        );
        assert_eq!(short_name(Path::new("runs/with liq")), "with_liq");
        assert_eq!(short_name(Path::new("seed-2")), "seed-2");
    }
}
