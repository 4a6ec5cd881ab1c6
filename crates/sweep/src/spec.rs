//! Sweep files: the RON schema and parsing with line, column and field.
//!
//! ```ron
//! Sweep(
//!     name: "smoke",
//!     base: "../baseline.ron",          // relative to this file; or `scenario: Scenario(...)`
//!     set: ["duration_s=120"],          // fixed overrides applied to every run
//!     seed: 7,
//!     replicates: 3,
//!     axes: [
//!         Values(path: "agents.makers.size", values: [5, 10, 20]),
//!         Linear(path: "agents.noise.rate_per_s", from: 0.25, to: 1.0, steps: 4),
//!         Log(path: "agents.makers.refresh_s", from: 0.1, to: 10.0, steps: 3),
//!     ],
//! )
//! ```
//!
//! `Uniform(path, from, to)` and `LogUniform(path, from, to)` axes are drawn at random; they
//! need `samples: LatinHypercube(points: N)` (or `Random(points: N)`), and the grid axes are
//! crossed with those N points.

use cascade_sim::scenario::parse_ron;
use cascade_sim::Scenario;
use schemars::JsonSchema;
use serde::Deserialize;

/// The sweep file's JSON Schema (draft 2020-12), as `cascade schema sweep` prints it: each
/// field's description, `x-unit`, range keywords and default, as in the scenario's schema
/// (`cascade_sim::scenario::schema`), whose definitions the inline `scenario` refers to.
pub fn sweep_schema() -> serde_json::Value {
    schemars::schema_for!(SweepSpec).to_value()
}

/// A sweep file as written.
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(rename = "Sweep", deny_unknown_fields)]
pub struct SweepSpec {
    /// Short name; the default output folder is `output/sweeps/<name>/`.
    pub name: String,
    /// The base scenario file, relative to the sweep file.
    #[serde(default)]
    pub base: Option<String>,
    /// The base scenario, inline (instead of `base`).
    #[serde(default)]
    pub scenario: Option<Scenario>,
    /// Overrides (`path=value`) applied to every run before the axes.
    #[serde(default)]
    pub set: Vec<String>,
    /// The sweep seed; every run seed derives from it.
    #[schemars(extend("x-unit" = "seed"))]
    pub seed: u64,
    /// Runs per point, each with its own seed.
    #[serde(default = "one")]
    #[schemars(extend("x-unit" = "runs per point", "minimum" = 1))]
    pub replicates: u32,
    /// Give replicate r of every point the same seed (common random numbers), so that
    /// differences between points are not blurred by different draws.
    #[serde(default)]
    pub common_seeds: bool,
    /// The replicates' seeds, given explicitly: replicate r of every point runs with
    /// `seeds[r]`, exactly as `cascade run --seed` would. Replaces `replicates` and the
    /// seeds derived from `seed`.
    #[serde(default)]
    #[schemars(extend("x-unit" = "seed"))]
    pub seeds: Option<Vec<u64>>,
    /// How the random axes are sampled (needed when there are any).
    #[serde(default)]
    pub samples: Option<Sampling>,
    /// The parameters that vary.
    pub axes: Vec<AxisSpec>,
}

fn one() -> u32 {
    1
}

/// One parameter that varies: a scenario path (as `--set` takes) and its values.
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum AxisSpec {
    /// An explicit list of values (RON: numbers, strings, booleans, `Some(..)`).
    Values {
        /// Scenario path.
        path: String,
        /// The values, in order.
        #[schemars(with = "Vec<serde_json::Value>")]
        values: Vec<ron::Value>,
    },
    /// `steps` evenly spaced values from `from` to `to`, both included.
    Linear {
        /// Scenario path.
        path: String,
        /// First value.
        #[schemars(extend("x-unit" = "the field's unit"))]
        from: f64,
        /// Last value.
        #[schemars(extend("x-unit" = "the field's unit"))]
        to: f64,
        /// Number of values.
        #[schemars(extend("x-unit" = "values", "minimum" = 1, "maximum" = 10000000))]
        steps: u32,
    },
    /// `steps` geometrically spaced values from `from` to `to` (both positive), both included.
    Log {
        /// Scenario path.
        path: String,
        /// First value.
        #[schemars(extend("x-unit" = "the field's unit"))]
        from: f64,
        /// Last value.
        #[schemars(extend("x-unit" = "the field's unit"))]
        to: f64,
        /// Number of values.
        #[schemars(extend("x-unit" = "values", "minimum" = 1, "maximum" = 10000000))]
        steps: u32,
    },
    /// Drawn uniformly in `[from, to]`, one value per sample point.
    Uniform {
        /// Scenario path.
        path: String,
        /// Lower bound.
        #[schemars(extend("x-unit" = "the field's unit"))]
        from: f64,
        /// Upper bound.
        #[schemars(extend("x-unit" = "the field's unit"))]
        to: f64,
    },
    /// Drawn log-uniformly in `[from, to]` (both positive), one value per sample point.
    LogUniform {
        /// Scenario path.
        path: String,
        /// Lower bound.
        #[schemars(extend("x-unit" = "the field's unit"))]
        from: f64,
        /// Upper bound.
        #[schemars(extend("x-unit" = "the field's unit"))]
        to: f64,
    },
}

impl AxisSpec {
    /// The scenario path the axis sets.
    pub fn path(&self) -> &str {
        match self {
            AxisSpec::Values { path, .. }
            | AxisSpec::Linear { path, .. }
            | AxisSpec::Log { path, .. }
            | AxisSpec::Uniform { path, .. }
            | AxisSpec::LogUniform { path, .. } => path,
        }
    }

    /// True for axes drawn at random (one value per sample point).
    pub fn is_sampled(&self) -> bool {
        matches!(self, AxisSpec::Uniform { .. } | AxisSpec::LogUniform { .. })
    }
}

/// How random axes are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum Sampling {
    /// Independent uniform draws.
    Random {
        /// Number of sample points.
        #[schemars(extend("x-unit" = "sample points", "minimum" = 1, "maximum" = 10000000))]
        points: u32,
    },
    /// A Latin hypercube: each axis's range is cut into `points` strata, each stratum used
    /// exactly once.
    LatinHypercube {
        /// Number of sample points.
        #[schemars(extend("x-unit" = "sample points", "minimum" = 1, "maximum" = 10000000))]
        points: u32,
    },
    /// Saltelli's design for variance-based (Sobol) sensitivity indices: two independent
    /// random matrices A and B of `points` rows over the random axes, and for each random
    /// axis i the matrix A with column i taken from B — `points × (axes + 2)` sample points in
    /// all. The sweep also writes sensitivity.csv and sensitivity.parquet: the first-order and
    /// total index of every metric on every random axis, with bootstrap intervals.
    Sobol {
        /// Number of base rows (N); the sweep runs N × (random axes + 2) points, at most
        /// 10,000,000 in all.
        #[schemars(extend("x-unit" = "base rows", "minimum" = 2))]
        points: u32,
    },
}

impl Sampling {
    /// Number of sample points asked for (for `Sobol`, the base rows N).
    pub fn points(&self) -> u32 {
        match *self {
            Sampling::Random { points }
            | Sampling::LatinHypercube { points }
            | Sampling::Sobol { points } => points,
        }
    }

    /// Number of sample points the design has over `dims` random axes.
    pub fn rows(&self, dims: usize) -> u64 {
        match *self {
            Sampling::Sobol { points } => u64::from(points).saturating_mul(dims as u64 + 2),
            other => u64::from(other.points()),
        }
    }
}

/// Checks a sweep's `name`: it names the default output folder (`output/sweeps/<name>/`) and
/// Slurm jobs, so it follows the scenario name rule — letters, digits, '-', '_' and '.', not
/// empty and not starting with '.' (no `..`, no `/`, no absolute path).
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("field name: must not be empty".into());
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.';
    if !name.chars().all(allowed) || name.starts_with('.') {
        return Err(format!(
            "field name: must use only letters, digits, '-', '_' and '.' and not start with '.' \
             (it names a folder), got {name:?}"
        ));
    }
    Ok(())
}

/// A sweep file the parser could not read: where and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {}{message}", field.as_ref().map(|f| format!("field {f}: ")).unwrap_or_default())]
pub struct SpecError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The field being read, e.g. `axes[1].steps`, when known.
    pub field: Option<String>,
    /// What the parser expected or found.
    pub message: String,
}

/// Sweep text above this size is refused before parsing.
pub const MAX_SWEEP_BYTES: usize = 16 << 20;

impl SweepSpec {
    /// Parses RON text; unknown fields, missing fields and wrong types are errors with a line
    /// and column.
    pub fn parse(text: &str) -> Result<Self, SpecError> {
        parse_file(text)
    }
}

/// Parses a sweep-like file (a sweep, a calibration) of at most [`MAX_SWEEP_BYTES`].
pub(crate) fn parse_file<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, SpecError> {
    let extensions = ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES
        | ron::extensions::Extensions::IMPLICIT_SOME;
    parse_ron(text, extensions, MAX_SWEEP_BYTES).map_err(|e| SpecError {
        line: e.line,
        column: e.column,
        field: e.field,
        message: e.message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sweep_with_every_axis_kind_parses() {
        let s = SweepSpec::parse(
            r#"Sweep(
                name: "t", base: "../baseline.ron", seed: 3, replicates: 2,
                samples: LatinHypercube(points: 4),
                axes: [
                    Values(path: "a", values: [1, 2.5, "x", true, Some(1.0)]),
                    Linear(path: "b", from: 0.0, to: 1.0, steps: 3),
                    Log(path: "c", from: 1.0, to: 100.0, steps: 3),
                    Uniform(path: "d", from: 0.0, to: 1.0),
                    LogUniform(path: "e", from: 1.0, to: 10.0),
                ],
            )"#,
        )
        .unwrap();
        assert_eq!(s.base.as_deref(), Some("../baseline.ron"));
        assert_eq!(s.axes.len(), 5);
        assert_eq!(s.axes[3].path(), "d");
        assert!(s.axes[4].is_sampled() && !s.axes[1].is_sampled());
        assert_eq!(s.samples.unwrap().points(), 4);
    }

    #[test]
    fn names_follow_the_scenario_name_rule() {
        for good in ["smoke", "a.b-c_1", "Z9"] {
            assert_eq!(check_name(good), Ok(()), "{good}");
        }
        for bad in ["", "../../x", "/abs", ".hidden", "a/b", "a b", "a\nb", "é"] {
            let e = check_name(bad).unwrap_err();
            assert!(e.starts_with("field name:"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn errors_name_the_line_and_the_field() {
        let e = SweepSpec::parse(
            "Sweep(\n  name: \"t\", seed: 1,\n  axes: [Linear(path: \"b\", from: 0.0, to: 1.0, steps: -3)],\n)",
        )
        .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert_eq!(e.field.as_deref(), Some("axes[0].steps"), "{e}");
        let e = SweepSpec::parse("Sweep(name: \"t\", seed: 1, axes: [], colour: 3)").unwrap_err();
        assert!(e.message.contains("colour"), "{e}");
    }

    #[test]
    fn the_schema_states_the_planners_bounds() {
        let s = sweep_schema();
        let max = crate::plan::MAX_POINTS as f64;
        let linear = &s["$defs"]["AxisSpec"]["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|v| v.pointer("/properties/Linear/properties/steps"))
            .cloned()
            .unwrap();
        assert_eq!(linear["maximum"].as_f64(), Some(max));
        assert_eq!(linear["minimum"].as_f64(), Some(1.0));
        let points = s["$defs"]["Sampling"]["oneOf"][0]["properties"]["Random"]["properties"]
            ["points"]["maximum"]
            .as_f64();
        assert_eq!(points, Some(max));
        assert_eq!(s["properties"]["replicates"]["default"], 1);
    }
}
