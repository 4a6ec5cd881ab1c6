//! The `cascade` command-line tool: run, check and inspect simulated markets.
//!
//! **API boundary**: the only crate that prints or exits. Exit codes: 0 success, 1 a failed
//! run or verification, 2 bad input (with a message naming the file, the field and the reason).

mod input;
mod run;

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
    Check {
        /// The scenario file (RON).
        scenario: PathBuf,
        /// Override a scenario field before validating: path=value (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Check { scenario, set } => input::check(&scenario, &set),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(input::exit_code(&e))
        }
    }
}
