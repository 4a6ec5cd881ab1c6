//! `cascade ablate`: a scenario with each mechanism switched off in turn, on the same seeds,
//! through the sweep machinery; prints the headline effects (or ablation.json).

use crate::input::{bad, load};
use crate::sweep::{lift, threads, Bar};
use anyhow::{Context, Result};
use cascade_sweep::ablate::{self, chart::METRICS, MechanismResult};
use cascade_sweep::{ExecOptions, Shard};
use clap::Args;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Arguments of `cascade ablate`.
#[derive(Args, Debug)]
pub struct AblateArgs {
    /// The scenario file (RON).
    scenario: PathBuf,
    /// Seeds every variant runs on: A..B (both included), A,B,C, or one seed.
    #[arg(long)]
    seeds: String,
    /// Switch off only these mechanisms (repeatable; see the README for names, e.g.
    /// liquidations, stop-losses, group:noise).
    #[arg(long = "only", value_name = "MECHANISM")]
    only: Vec<String>,
    /// Override a scenario field of the baseline first: path=value (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Output folder (default: output/ablations/<scenario name>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Worker threads, at most 16 per core (default: every core).
    #[arg(long)]
    threads: Option<usize>,
    /// Continue the ablation in --out, skipping its finished runs.
    #[arg(long)]
    resume: bool,
    /// Print ablation.json instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// Runs `cascade ablate`.
pub fn ablate(args: &AblateArgs) -> Result<()> {
    let threads = threads(args.threads)?;
    let seeds = ablate::parse_seeds(&args.seeds).map_err(|e| bad(format!("--seeds {e}")))?;
    let base = load(&args.scenario, &args.set)?;
    let file = args.scenario.display().to_string();
    let ab = ablate::plan(base, &file, seeds, &args.only).map_err(lift)?;
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("output")
            .join("ablations")
            .join(&ab.plan.design.name)
    });
    let opts = ExecOptions {
        threads,
        shard: Shard::WHOLE,
        resume: args.resume,
        keep_runs: false,
    };
    let bar = Bar::new(std::io::stderr().is_terminal());
    let (outcome, results, _) = ablate::run(&ab, &out, &opts, &bar).map_err(lift)?;
    bar.finish();
    if args.json {
        let bytes = std::fs::read(out.join("ablation.json"))
            .with_context(|| format!("reading {}", out.join("ablation.json").display()))?;
        print!("{}", String::from_utf8_lossy(&bytes));
    } else {
        print!("{}", text(&results));
        println!(
            "{}: {} runs ({} failed) on {threads} threads -> {}",
            ab.plan.design.name,
            outcome.runs,
            outcome.failed,
            out.display()
        );
    }
    Ok(())
}

/// The headline table: one line per mechanism, the mean change of each charted metric with
/// its 95% interval.
fn text(results: &[MechanismResult]) -> String {
    let mut out = format!("{:<24}{:<13}", "mechanism", "status");
    for m in METRICS {
        out.push_str(&format!("{m:>34}"));
    }
    out.push('\n');
    for r in results {
        out.push_str(&format!("{:<24}{:<13}", r.mechanism.name, r.status));
        for m in METRICS {
            let cell = match (r.status.as_str(), r.metrics.get(m)) {
                ("baseline", Some(e)) => format!("{:.4}", e.baseline_mean),
                (_, Some(e)) => match (e.lo, e.hi) {
                    (Some(lo), Some(hi)) => format!("{:+.4} [{lo:+.3}, {hi:+.3}]", e.diff),
                    _ => format!("{:+.4}", e.diff),
                },
                (_, None) => "—".into(),
            };
            out.push_str(&format!("{cell:>34}"));
        }
        if let Some(note) = r.mechanism.absent.as_ref().or(r.error.as_ref()) {
            out.push_str(&format!("  ({note})"));
        }
        out.push('\n');
    }
    out
}
