//! Calibration files: the RON schema, parsed with line, column and field like sweep files.
//!
//! ```ron
//! Calibration(
//!     name: "flash-cascade",
//!     base: "../flash-cascade.ron",        // relative to this file; or `scenario: Scenario(...)`
//!     set: ["duration_s=1200"],            // fixed overrides, as in a sweep
//!     seeds: [1, 2, 3, 4],                 // every candidate runs these seeds
//!     parameters: [                        // sweep axes with bounds
//!         Uniform(path: "agents.makers.size", from: 4.0, to: 40.0),
//!         LogUniform(path: "agents.noise.rate_per_s", from: 0.1, to: 2.0),
//!     ],
//!     start: {"agents.makers.size": 10.0}, // optional; the middle of the bounds otherwise
//!     targets: [
//!         Target(metric: "price.max_fall_12min_pct", value: 13.1, weight: 1.0),
//!     ],
//!     budget: 2000,                        // simulation runs in all (candidates × seeds)
//!     optimiser: NelderMead(step: 0.25, x_tol: 0.001, f_tol: 1e-9, restarts: 2),
//!     bootstrap: 200,                      // resamples of the seeds for standard errors
//!     target_runs: 1,                      // realisations the targets average (the J-test)
//!     starts: 1,                           // independent searches (multi-start; shardable)
//! )
//! ```

use crate::spec::AxisSpec;
use cascade_sim::Scenario;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A calibration file as written.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename = "Calibration", deny_unknown_fields)]
pub struct CalibrationSpec {
    /// Short name; the default output folder is `output/calibrations/<name>/`.
    pub name: String,
    /// The base scenario file, relative to the calibration file.
    #[serde(default)]
    pub base: Option<String>,
    /// The base scenario, inline (instead of `base`).
    #[serde(default)]
    pub scenario: Option<Scenario>,
    /// Overrides (`path=value`) applied to every run before the parameters.
    #[serde(default)]
    pub set: Vec<String>,
    /// The seeds every candidate runs (common random numbers).
    pub seeds: Vec<u64>,
    /// The parameters estimated: `Uniform(path, from, to)` or `LogUniform(path, from, to)`.
    pub parameters: Vec<AxisSpec>,
    /// Where the search starts, by parameter path (the middle of the bounds otherwise).
    #[serde(default)]
    pub start: BTreeMap<String, f64>,
    /// The moments to match.
    pub targets: Vec<Target>,
    /// Most simulation runs (candidates × seeds).
    pub budget: u64,
    /// The search.
    #[serde(default)]
    pub optimiser: Optimiser,
    /// Resamples of the seeds for the bootstrap standard errors (0: none).
    #[serde(default = "default_bootstrap")]
    pub bootstrap: u32,
    /// How many independent realisations the target values average (1: one observed market);
    /// the J-test's variance of target − simulated is (1/target_runs + 1/seeds)·Σ.
    #[serde(default = "default_target_runs")]
    pub target_runs: u32,
    /// Independent Nelder–Mead searches, each with the whole `budget` and the same seeds:
    /// start 0 from `start`, start k ≥ 1 from point k + 1 of the Halton sequence in the unit
    /// cube of the bounds (`starts::start_point`). The estimate is the least objective over
    /// all of them. Starts are what `--shard I/N` splits (start k runs in shard k mod N).
    #[serde(default = "default_starts")]
    pub starts: u32,
}

fn default_starts() -> u32 {
    1
}

fn default_target_runs() -> u32 {
    1
}

fn default_bootstrap() -> u32 {
    200
}

/// One target moment.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename = "Target", deny_unknown_fields)]
pub struct Target {
    /// A summary key (`price.max_fall_12min_pct`) or a stats key (`stats.1s.excess_kurtosis`).
    pub metric: String,
    /// The value to match.
    pub value: f64,
    /// Its weight in the objective (positive).
    #[serde(default = "one")]
    pub weight: f64,
}

fn one() -> f64 {
    1.0
}

/// The optimiser and its settings.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub enum Optimiser {
    /// Nelder–Mead on the unit cube of the bounds (`nelder_mead`).
    NelderMead {
        /// Edge of the first simplex, as a share of each parameter's range.
        #[serde(default = "default_step")]
        step: f64,
        /// Converged when every vertex is this close to the best (share of the range)…
        #[serde(default = "default_x_tol")]
        x_tol: f64,
        /// …and the objective differs by at most this across the simplex.
        #[serde(default = "default_f_tol")]
        f_tol: f64,
        /// Fresh simplices around the best point after convergence.
        #[serde(default = "default_restarts")]
        restarts: u32,
    },
}

impl Default for Optimiser {
    fn default() -> Self {
        Optimiser::NelderMead {
            step: default_step(),
            x_tol: default_x_tol(),
            f_tol: default_f_tol(),
            restarts: default_restarts(),
        }
    }
}

fn default_step() -> f64 {
    0.25
}
fn default_x_tol() -> f64 {
    1e-3
}
fn default_f_tol() -> f64 {
    1e-9
}
fn default_restarts() -> u32 {
    2
}

impl CalibrationSpec {
    /// Parses RON text; unknown fields, missing fields and wrong types are errors with a line,
    /// a column and the field.
    pub fn parse(text: &str) -> Result<Self, crate::spec::SpecError> {
        crate::spec::parse_file(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_calibration_parses_with_defaults() {
        let c = CalibrationSpec::parse(
            r#"Calibration(
                name: "t", base: "../baseline.ron", seeds: [1, 2],
                parameters: [Uniform(path: "a", from: 0.0, to: 1.0),
                             LogUniform(path: "b", from: 1.0, to: 10.0)],
                start: {"a": 0.5},
                targets: [Target(metric: "price.min", value: 99.0)],
                budget: 100,
            )"#,
        )
        .unwrap();
        assert_eq!(c.parameters.len(), 2);
        assert_eq!(c.targets[0].weight, 1.0);
        assert_eq!(c.start["a"], 0.5);
        assert_eq!(c.optimiser, Optimiser::default());
        assert_eq!(c.bootstrap, 200);
        assert_eq!(c.target_runs, 1);
        assert_eq!(c.starts, 1);
    }

    #[test]
    fn the_readme_example_parses_with_every_field() {
        let readme = include_str!("../../../../README.md");
        let from = readme
            .find("```ron\nCalibration(")
            .expect("README has the example")
            + 7;
        let len = readme[from..].find("```").expect("the example ends");
        let c = CalibrationSpec::parse(&readme[from..from + len]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((c.starts, c.target_runs, c.bootstrap), (1, 1, 200));
        assert_eq!(c.parameters.len(), 3);
    }

    #[test]
    fn errors_name_the_line_and_the_field() {
        let e = CalibrationSpec::parse(
            "Calibration(name: \"t\", seeds: [1],\n parameters: [Uniform(path: \"a\", from: 0.0)],\n targets: [], budget: 1)",
        )
        .unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.to_string().contains("parameters[0]"), "{e}");
        assert!(e.message.contains("to"), "{e}");
    }
}
