//! What the sweep page of `cascade report` draws, read from a sweep folder: the design, the
//! recorded runs and the runs kept with `--keep-runs` (the page itself is built by
//! [`cascade_report::html::sweep`]).
#![warn(clippy::indexing_slicing)]

use crate::chart::{SweepData, HEADLINE_METRICS};
use crate::record::{run_name, runs_dir, Status};
use crate::SweepError;
use cascade_report::html::sweep::{SweepAxis, SweepInput, SweepRun};
use cascade_report::html::REPORT_FILE;
use std::path::Path;

/// Reads the sweep folder `dir` (sweep.json and runs.jsonl, through the sweep's own readers).
pub fn report_input(dir: &Path) -> Result<SweepInput, SweepError> {
    let data = SweepData::read(dir)?;
    let design = &data.design;
    let axes = design
        .axes
        .iter()
        .map(|a| SweepAxis {
            path: a.path.clone(),
            labels: a.values.iter().map(|v| v.cell.to_text()).collect(),
            sampled: a.sampled,
        })
        .collect();
    let mut runs = Vec::with_capacity(data.records.len());
    for r in &data.records {
        let Some(values) = design.points.get(r.point as usize) else {
            return Err(SweepError::folder(
                crate::record::log_path(dir),
                format!("run {} is outside the design", run_name(r.id())),
            ));
        };
        runs.push({
            let name = run_name(r.id());
            let folder = runs_dir(dir).join(&name);
            let kept = folder.is_dir().then(|| format!("runs/{name}/"));
            let kept_report = folder
                .join(REPORT_FILE)
                .is_file()
                .then(|| format!("runs/{name}/{REPORT_FILE}"));
            SweepRun {
                point: r.point,
                replicate: r.replicate,
                seed: r.seed,
                values: values.clone(),
                ok: r.status == Status::Ok,
                error: r.error.clone(),
                metrics: r
                    .metrics
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_f64()?)))
                    .collect(),
                kept,
                kept_report,
            }
        });
    }
    Ok(SweepInput {
        name: design.name.clone(),
        hash: data.hash.clone(),
        run_count: design.run_count(),
        axes,
        runs,
        headline: HEADLINE_METRICS.iter().map(|m| m.to_string()).collect(),
    })
}
