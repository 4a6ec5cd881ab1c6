//! The `cascade` command-line tool: run, check and inspect simulated markets.
//!
//! **API boundary**: the only crate that prints or exits. Exit codes: 0 success, 1 a failed
//! run or verification, 2 bad input (with a message naming the file, the field and the reason).

// The CLI reads what users hand in: no index may panic on it (checked by clippy, `-D warnings`).
#![warn(clippy::indexing_slicing)]

mod ablate_cmd;
mod calibrate_cmd;
mod compare;
mod input;
mod new;
mod plot;
mod progress;
mod replay;
mod report_cmd;
mod run;
mod schema;
mod stats;
mod sweep;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Agent-based simulator of cascading liquidations.
#[derive(Parser, Debug)]
#[command(name = "cascade", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a scenario and write a run folder.
    Run(run::RunArgs),
    /// Validate a scenario file without running it.
    Check(input::CheckArgs),
    /// Run again from RUN_DIR/manifest.json alone and verify every file of the folder.
    Replay {
        /// The run folder.
        run_dir: PathBuf,
    },
    /// Redraw a run's charts from its folder alone, into RUN_DIR/charts.
    Plot {
        /// The run folder.
        run_dir: PathBuf,
        /// Image format.
        #[arg(long, value_enum, default_value = "both")]
        format: plot::Format,
        /// Draw only this time window, seconds (e.g. 1200..1320); needs --out.
        #[arg(long, value_parser = plot::parse_window)]
        window: Option<plot::Window>,
        /// Folder to draw into (its charts/), instead of the run folder.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Compare two runs: summary metrics side by side, and an overlay chart.
    Compare(compare::CompareArgs),
    /// Run a parameter sweep (or merge its shards, write Slurm scripts, chart it).
    Sweep(sweep::SweepArgs),
    /// Run a scenario with each mechanism switched off in turn, on the same seeds.
    Ablate(ablate_cmd::AblateArgs),
    /// Stylized facts of a run's returns: stats.json, a chart, a table (or the JSON).
    Stats(stats::StatsArgs),
    /// Write one self-contained report.html (interactive charts, tables) into a run or sweep folder.
    Report(report_cmd::ReportArgs),
    /// Print the JSON Schema of the scenario (or sweep) file format, or its Markdown reference.
    Schema(schema::SchemaArgs),
    /// Write NAME.ron: a commented scenario to start from.
    New(new::NewArgs),
    /// Estimate scenario parameters by the method of simulated moments (or merge its shards,
    /// write Slurm scripts).
    Calibrate(calibrate_cmd::CalibrateArgs),
}

impl Command {
    /// True when the command was asked for one JSON object on stdout (`--json`).
    fn json(&self) -> bool {
        match self {
            Command::Run(a) => a.json,
            Command::Check(a) => a.json,
            Command::Compare(a) => a.json,
            Command::Sweep(a) => a.json(),
            Command::Stats(a) => a.json,
            Command::Calibrate(a) => a.json(),
            Command::Ablate(a) => a.json,
            _ => false,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.command.json();
    let result = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Check(args) => input::check(&args),
        Command::Replay { run_dir } => replay::replay(&run_dir),
        Command::Plot {
            run_dir,
            format,
            window,
            out,
        } if sweep::is_sweep_dir(&run_dir) => {
            if window.is_some() || out.is_some() {
                Err(input::bad(
                    "--window and --out apply to a run folder, not to a sweep folder",
                ))
            } else {
                sweep::plot(&run_dir, &[], format)
            }
        }
        Command::Plot {
            run_dir,
            format,
            window,
            out,
        } => plot::plot(&run_dir, format, window, out.as_deref()),
        Command::Compare(args) => compare::compare(&args),
        Command::Sweep(args) => sweep::sweep(args),
        Command::Ablate(args) => ablate_cmd::ablate(&args),
        Command::Stats(args) => stats::stats(&args),
        Command::Report(args) => report_cmd::report(&args),
        Command::Schema(args) => schema::schema(&args),
        Command::New(args) => new::new(&args),
        Command::Calibrate(args) => calibrate_cmd::calibrate(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            let code = input::exit_code(&e);
            if json {
                input::print_json_error(&e, code);
            }
            ExitCode::from(code)
        }
    }
}
