//! From a sweep file to a plan: the base scenario, every axis's values, every point, every
//! run's seed, and the sweep hash that names all of it.
//!
//! Every axis value is applied to the base scenario while planning, so an unknown path or a
//! value of the wrong type is refused before any run starts (naming the axis). Whether a
//! whole point is a valid scenario is found out by its runs: an invalid point is a failed
//! row, not a refused sweep.

use crate::sample;
use crate::seed::{run_seed, sample_seed};
use crate::spec::{check_name, Sampling, SweepSpec};
use crate::SweepError;
use axes::{grid_axis, sampled_axis};
use cascade_report::manifest::sha256_hex;
use cascade_sim::overrides::apply;
use cascade_sim::{Override, Scenario};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Most points a sweep may have.
pub const MAX_POINTS: u64 = 10_000_000;
/// Most runs a sweep may have.
pub const MAX_RUNS: u64 = 100_000_000;

/// One parameter value as it appears in the results table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Cell {
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// Anything else, as text.
    Text(String),
}

impl Cell {
    /// The value as a results-table cell.
    pub fn to_text(&self) -> String {
        match self {
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => f.to_string(),
            Cell::Text(t) => t.clone(),
        }
    }

    /// The value as a number, when it is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Cell::Int(i) => Some(*i as f64),
            Cell::Float(f) => Some(*f),
            Cell::Text(_) => None,
        }
    }
}

/// The type of an axis's column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Integers.
    Int,
    /// Floating-point numbers.
    Float,
    /// Text.
    Text,
}

/// One value of an axis: its cell and the RON text that `--set` applies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AxisValue {
    /// As shown in the results.
    pub cell: Cell,
    /// As applied to the scenario.
    pub ron: String,
    /// On a bundle axis, the overrides (`path=value`) this value applies; empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sets: Vec<String>,
}

/// One resolved axis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    /// Scenario path, also the results column name.
    pub path: String,
    /// Column type.
    pub kind: Kind,
    /// Distinct values (grid axes) or one value per sample point (random axes).
    pub values: Vec<AxisValue>,
    /// Drawn at random rather than crossed as a grid.
    pub sampled: bool,
    /// Spaced (or drawn) on a log scale: charts use a log axis.
    #[serde(default)]
    pub log: bool,
    /// Each value is a named set of overrides (an ablation's mechanisms): `path` is only the
    /// column's name and a value's `sets` are what it applies.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bundle: bool,
}

/// Identifies one run: a point and a replicate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RunId {
    /// Point index (grid order).
    pub point: u32,
    /// Replicate index.
    pub replicate: u32,
}

/// What a sweep runs: everything that decides its results, and nothing else.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Design {
    /// The sweep's name.
    pub name: String,
    /// The base scenario after the fixed overrides, RON.
    pub scenario: String,
    /// The fixed overrides, as written.
    pub set: Vec<String>,
    /// The sweep seed.
    pub seed: u64,
    /// Runs per point.
    pub replicates: u32,
    /// Replicate r of every point shares a seed.
    pub common_seeds: bool,
    /// Explicit replicate seeds (replicate r runs with `seeds[r]`), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seeds: Option<Vec<u64>>,
    /// The axes, in file order.
    pub axes: Vec<Axis>,
    /// For each point, the index of its value on each axis.
    pub points: Vec<Vec<u32>>,
    /// With a Sobol design, its base rows N: points 0..N are A, N..2N are B, and the
    /// (2 + i)-th block of N is A with random axis i from B (`crate::sensitivity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sobol_points: Option<u32>,
}

impl Design {
    /// Number of runs.
    pub fn run_count(&self) -> u64 {
        self.points.len() as u64 * u64::from(self.replicates)
    }

    /// The run with index `index` (point-major: all replicates of point 0 first).
    pub fn run_id(&self, index: u64) -> RunId {
        let r = u64::from(self.replicates);
        RunId {
            point: (index / r) as u32,
            replicate: (index % r) as u32,
        }
    }

    /// The seed of a run.
    pub fn seed_of(&self, id: RunId) -> u64 {
        if let Some(seeds) = &self.seeds {
            return seeds[id.replicate as usize];
        }
        let point = if self.common_seeds { 0 } else { id.point };
        run_seed(self.seed, u64::from(point), u64::from(id.replicate))
    }

    /// The overrides that make a point's scenario from the base.
    pub fn overrides(&self, point: u32) -> Vec<Override> {
        self.axes
            .iter()
            .zip(&self.points[point as usize])
            .flat_map(|(a, &v)| {
                let value = &a.values[v as usize];
                if a.bundle {
                    // Written by the planner as path=value, so they parse.
                    value
                        .sets
                        .iter()
                        .filter_map(|s| Override::parse(s).ok())
                        .collect()
                } else {
                    vec![Override {
                        path: a.path.clone(),
                        value: value.ron.clone(),
                    }]
                }
            })
            .collect()
    }

    /// The parameter cells of a point, one per axis.
    pub fn cells(&self, point: u32) -> Vec<&Cell> {
        self.axes
            .iter()
            .zip(&self.points[point as usize])
            .map(|(a, &v)| &a.values[v as usize].cell)
            .collect()
    }

    /// The sweep hash: SHA-256 of the design's canonical JSON, 64 hex digits (the digest a
    /// run manifest gives its files).
    pub fn hash(&self) -> Result<String, serde_json::Error> {
        Ok(sha256_hex(&serde_json::to_vec(self)?))
    }
}

/// A planned sweep: the design and the base scenario ready to override.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The sweep file as given (for messages and manifests).
    pub file: String,
    /// What runs.
    pub design: Design,
    /// The base scenario after the fixed overrides.
    pub base: Scenario,
    /// The sweep hash.
    pub hash: String,
}

impl Plan {
    /// What a researcher should know before the sweep runs that is not an error: each
    /// warning of a point's scenario ([`Scenario::warnings`], e.g. the home venue's
    /// liquidations off while another perpetual still liquidates), once, with the number of
    /// points it holds on. Only a scenario with other venues can warn (an axis may make a
    /// spot venue a perpetual), so a one-venue sweep costs nothing here.
    pub fn warnings(&self) -> Vec<String> {
        if self.base.venues.is_empty() {
            return Vec::new();
        }
        let points = self.design.points.len();
        let mut seen: Vec<(String, usize)> = Vec::new();
        for point in 0..points as u32 {
            // A point whose overrides do not apply fails as a run, which reports it.
            let Ok(s) = apply(&self.base, &self.design.overrides(point)) else {
                continue;
            };
            for w in s.warnings() {
                match seen.iter_mut().find(|(text, _)| *text == w) {
                    Some((_, n)) => *n += 1,
                    None => seen.push((w, 1)),
                }
            }
        }
        seen.into_iter()
            .map(|(w, n)| format!("{w} (on {n} of the sweep's {points} points)"))
            .collect()
    }
}

/// Reads and plans a sweep file; a base scenario path is taken relative to it.
pub fn load(path: &Path) -> Result<Plan, SweepError> {
    let file = path.display().to_string();
    let bad = |message: String| SweepError::BadSweep {
        file: file.clone(),
        message,
    };
    let text = read_text(path).map_err(&bad)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    plan_text(&text, &file, dir)
}

/// Plans sweep text; `dir` is where a relative base path starts.
pub fn plan_text(text: &str, file: &str, dir: &Path) -> Result<Plan, SweepError> {
    let spec = SweepSpec::parse(text).map_err(|e| SweepError::BadSweep {
        file: format!("{file}:{}:{}", e.line, e.column),
        message: match &e.field {
            Some(f) => format!("field {f}: {}", e.message),
            None => e.message.clone(),
        },
    })?;
    plan_spec_named(&spec, file, dir)
}

/// Plans a sweep given as a [`SweepSpec`] built in memory (the Python package builds one from
/// its arguments): the same planning as a sweep file's. `file` names the sweep in messages and
/// manifests; `dir` is where a relative base path starts.
pub fn plan_spec_named(spec: &SweepSpec, file: &str, dir: &Path) -> Result<Plan, SweepError> {
    let mut plan = plan_spec(spec, dir).map_err(|message| SweepError::BadSweep {
        file: file.to_string(),
        message,
    })?;
    plan.file = file.to_string();
    Ok(plan)
}

pub(crate) fn read_text(path: &Path) -> Result<String, String> {
    if path.is_dir() {
        return Err("is a directory, expected a sweep file (.ron)".into());
    }
    // Regular files only and bounded: a FIFO or /dev/zero is refused, not read forever.
    let limit = cascade_report::read::Limit {
        what: "a sweep or scenario file (.ron)",
        bytes: crate::spec::MAX_SWEEP_BYTES as u64,
    };
    let bytes = cascade_report::read::read_bounded(path, limit).map_err(|e| match e {
        cascade_report::ReportError::Input { reason, .. } => reason,
        other => other.to_string(),
    })?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

pub(crate) fn plan_spec(spec: &SweepSpec, dir: &Path) -> Result<Plan, String> {
    check_name(&spec.name)?;
    let base = base_scenario(spec, dir)?;
    let sets = spec
        .set
        .iter()
        .enumerate()
        .map(|(i, s)| Override::parse(s).map_err(|e| format!("set[{i}]: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let base = apply(&base, &sets).map_err(|e| format!("set: {e}"))?;
    let replicates = replicates(spec)?;
    check_axis_paths(spec, &base)?;
    let axes = resolve_axes(spec, &base)?;
    let sampled = spec.axes.iter().filter(|a| a.is_sampled()).count();
    // Bounded by MAX_POINTS above, so it fits a u32.
    let rows = spec.samples.map(|s| s.rows(sampled).min(MAX_POINTS) as u32);
    let points = points(&axes, rows)?;
    let design = Design {
        name: spec.name.clone(),
        scenario: base
            .to_ron()
            .map_err(|e| format!("the base scenario cannot be written as RON: {e}"))?,
        set: spec.set.clone(),
        seed: spec.seed,
        replicates,
        common_seeds: spec.common_seeds,
        seeds: spec.seeds.clone(),
        axes,
        points,
        sobol_points: match spec.samples {
            Some(Sampling::Sobol { points }) => Some(points),
            _ => None,
        },
    };
    if design.run_count() > MAX_RUNS {
        return Err(format!(
            "the sweep has {} runs, more than the {MAX_RUNS} allowed",
            design.run_count()
        ));
    }
    let hash = design
        .hash()
        .map_err(|e| format!("the design cannot be written as JSON for its hash: {e}"))?;
    Ok(Plan {
        file: String::new(),
        design,
        base,
        hash,
    })
}

/// Runs per point: `replicates`, or the number of explicit `seeds`.
fn replicates(spec: &SweepSpec) -> Result<u32, String> {
    if spec.replicates == 0 {
        return Err("field replicates: must be at least 1".into());
    }
    Ok(match &spec.seeds {
        None => spec.replicates,
        Some(seeds) if seeds.is_empty() => {
            return Err("field seeds: give at least one seed".into());
        }
        Some(seeds) if u64::try_from(seeds.len()).unwrap_or(u64::MAX) > MAX_POINTS => {
            return Err(format!("field seeds: at most {MAX_POINTS} seeds"));
        }
        Some(seeds) if spec.replicates != 1 && spec.replicates as usize != seeds.len() => {
            return Err(format!(
                "field seeds: {} seeds but replicates: {}; give one or the other",
                seeds.len(),
                spec.replicates
            ));
        }
        Some(seeds) => seeds.len() as u32,
    })
}

/// Refuses an axis over the seed, and two axes over one field however each names it
/// (`agents.makers.size` and `agents[1].size`), or over a field and a part of it
/// (`agents[1]` and `agents[1].size`): the later would silently win.
fn check_axis_paths(spec: &SweepSpec, base: &Scenario) -> Result<(), String> {
    let json = serde_json::to_value(base)
        .map_err(|e| format!("the base scenario cannot be read as JSON: {e}"))?;
    let mut seen: Vec<(&str, String)> = Vec::with_capacity(spec.axes.len());
    for a in &spec.axes {
        let canonical = axis_path::canonical(&json, a.path());
        if canonical == "seed" {
            return Err(
                "axis seed: run seeds come from the sweep's seed; use replicates for more draws"
                    .into(),
            );
        }
        for (earlier, earlier_canonical) in &seen {
            if *earlier == a.path() {
                return Err(format!(
                    "axis {}: appears twice; give each parameter one axis",
                    a.path()
                ));
            }
            if *earlier_canonical == canonical {
                return Err(format!(
                    "axes {earlier} and {}: both set {canonical}; give each parameter one axis",
                    a.path()
                ));
            }
            if axis_path::contains(earlier_canonical, &canonical)
                || axis_path::contains(&canonical, earlier_canonical)
            {
                return Err(format!(
                    "axes {earlier} and {}: one sets part of the other ({earlier_canonical} and \
                     {canonical}); give each parameter one axis",
                    a.path()
                ));
            }
        }
        seen.push((a.path(), canonical));
    }
    Ok(())
}

/// Every axis resolved against the base: grid axes as given, random axes drawn from the
/// sample design.
fn resolve_axes(spec: &SweepSpec, base: &Scenario) -> Result<Vec<Axis>, String> {
    let sampled = spec.axes.iter().filter(|a| a.is_sampled()).count();
    let design_rows = match (spec.samples, sampled) {
        (None, 0) => Vec::new(),
        (Some(_), 0) => {
            return Err("field samples: there is no Uniform or LogUniform axis to sample".into())
        }
        (None, _) => {
            let a = spec.axes.iter().find(|a| a.is_sampled()).map(|a| a.path());
            return Err(format!(
                "axis {}: a random axis needs `samples: LatinHypercube(points: N)` or \
                 `samples: Random(points: N)`",
                a.unwrap_or_default()
            ));
        }
        (Some(s), d) if s.points() == 0 || s.rows(d) > MAX_POINTS => {
            return Err(format!(
                "field samples: points must be between 1 and {MAX_POINTS}{}",
                match s {
                    Sampling::Sobol { .. } =>
                        format!(" in all (N × (random axes + 2) = {})", s.rows(d)),
                    _ => String::new(),
                }
            ))
        }
        (Some(Sampling::Sobol { points }), _) if points < 2 => {
            return Err("field samples: a Sobol design needs at least 2 base points".into())
        }
        (Some(Sampling::Sobol { .. }), _) if spec.axes.iter().any(|a| !a.is_sampled()) => {
            let a = spec.axes.iter().find(|a| !a.is_sampled()).map(|a| a.path());
            return Err(format!(
                "axis {}: a Sobol design varies only Uniform and LogUniform axes; fix this \
                 parameter with `set:` or run one sweep per value",
                a.unwrap_or_default()
            ));
        }
        (Some(s), d) => sample::unit_design(s, d, sample_seed(spec.seed)),
    };

    let mut axes = Vec::with_capacity(spec.axes.len());
    let mut sampled_dim = 0;
    for a in &spec.axes {
        let axis = if a.is_sampled() {
            let column: Vec<f64> = design_rows.iter().map(|r| r[sampled_dim]).collect();
            sampled_dim += 1;
            sampled_axis(a, &column, base)
        } else {
            grid_axis(a, base)
        }
        .map_err(|reason| format!("axis {}: {reason}", a.path()))?;
        axes.push(axis);
    }
    Ok(axes)
}

fn base_scenario(spec: &SweepSpec, dir: &Path) -> Result<Scenario, String> {
    let base = match (&spec.base, &spec.scenario) {
        (Some(path), None) => {
            let full = dir.join(path);
            let shown = full.display();
            let text = read_text(&full).map_err(|e| format!("field base: {shown}: {e}"))?;
            Scenario::parse(&text).map_err(|e| {
                let field = e.field.map(|f| format!(" field {f}:")).unwrap_or_default();
                format!(
                    "field base: {shown}:{}:{}:{field} {}",
                    e.line, e.column, e.message
                )
            })
        }
        (None, Some(s)) => Ok(s.clone()),
        (Some(_), Some(_)) => Err("give either base or scenario, not both".into()),
        (None, None) => {
            Err("missing the base scenario: base: \"file.ron\" or scenario: Scenario(...)".into())
        }
    }?;
    base.refuse_external()
        .map_err(|e| format!("field base: {e}"))?;
    Ok(base)
}

/// Applies one value to the base: refuses an unknown path or a value of the wrong type.
/// Every point: the grid axes crossed in file order (the first varies slowest), then the
/// sample points (fastest).
fn points(axes: &[Axis], samples: Option<u32>) -> Result<Vec<Vec<u32>>, String> {
    let grid: Vec<usize> = (0..axes.len()).filter(|&i| !axes[i].sampled).collect();
    let sampled: Vec<usize> = (0..axes.len()).filter(|&i| axes[i].sampled).collect();
    let n_samples = if sampled.is_empty() {
        1
    } else {
        u64::from(samples.unwrap_or(1))
    };
    let count = grid
        .iter()
        .map(|&i| axes[i].values.len() as u64)
        .try_fold(n_samples, u64::checked_mul)
        .filter(|&n| n <= MAX_POINTS)
        .ok_or_else(|| format!("the sweep has more than {MAX_POINTS} points"))?;
    let mut out = Vec::with_capacity(count as usize);
    for k in 0..count {
        let mut idx = vec![0u32; axes.len()];
        let s = k % n_samples;
        let mut rest = k / n_samples;
        for &i in grid.iter().rev() {
            let n = axes[i].values.len() as u64;
            idx[i] = (rest % n) as u32;
            rest /= n;
        }
        for &i in &sampled {
            idx[i] = s as u32;
        }
        out.push(idx);
    }
    Ok(out)
}

pub(crate) mod axes;
mod axis_path;

#[cfg(test)]
mod tests;
