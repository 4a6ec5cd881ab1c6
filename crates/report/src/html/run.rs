//! The report of one run folder: every file it draws from is checked against manifest.json
//! first (listed, present, a regular file within its size limit, the recorded SHA-256), so a
//! missing, partial or damaged folder is bad input naming the file, never a report with a
//! section left out.

use super::decimate::{bucket_size, min_max, Points};
use crate::frame::{read_csv, Frame, FrameColumn};
use crate::manifest::{sha256_hex, RunManifest};
use crate::read::{read_bounded, Limit, SUMMARY, TABLE};
use crate::ReportError;
use cascade_sim::Scenario;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// Most points of one series on the page (the cascade window is kept whole within it): a
/// 24-hour run's page becomes interactive in under 3 s with ten charts of this many.
pub const POINTS_BUDGET: usize = 3_000;
/// Most time columns of the book heatmap outside the cascade window.
const HEATMAP_TIMES: usize = 200;
/// Price rows of the book heatmap.
const HEATMAP_PRICES: usize = 160;
/// Share of the liquidated value the default zoom window must hold.
const WINDOW_SHARE: f64 = 0.9;

/// Series columns drawn by their own charts; any other numeric column is drawn under
/// "Other series", so columns added later appear without a change here.
const CHARTED: &[&str] = &[
    "mid",
    "mark",
    "index",
    "fundamental",
    "spread_bps",
    "depth_1pct",
    "insurance_fund",
];

/// Series columns the page leaves to series.csv: the time itself, and the best bid, best ask
/// and last price, which the mid and the spread summarise.
const NOT_DRAWN: &[&str] = &["time_s", "bid", "ask", "last"];

/// The page's title and data for the run in `dir`.
pub fn read(dir: &Path) -> Result<(String, Value), ReportError> {
    let manifest = RunManifest::read(dir)?;
    let scenario = cascade_sim::prepare(&manifest.scenario, &[]).map_err(|e| {
        ReportError::input(
            dir.join("manifest.json"),
            format!("field scenario: does not validate: {e}"),
        )
    })?;
    let summary_bytes = listed_bytes(dir, &manifest, "summary.json", SUMMARY)?;
    let summary: Value = serde_json::from_slice(&summary_bytes).map_err(|e| {
        ReportError::input(dir.join("summary.json"), format!("not valid JSON: {e}"))
    })?;
    let series = Table::read(dir, &manifest, "series")?;
    let book = Table::read(dir, &manifest, "book")?;
    let liq = Table::read(dir, &manifest, "liquidations")?;

    let times = series.num("time_s")?;
    let steps = liquidation_steps(&liq, scenario.instrument.lot_size)?;
    let window = cascade_window(&steps, &scenario);
    let kept = window.map_or(0, |(a, b)| {
        times.iter().filter(|&&t| t >= a && t <= b).count()
    });
    let thinning = bucket_size(times.len(), kept, POINTS_BUDGET);
    let mut columns = Map::new();
    let mut others = Vec::new();
    for name in series.frame.names() {
        let Some(values) = series.frame.num(name) else {
            continue;
        };
        if NOT_DRAWN.contains(&name) {
            continue;
        }
        let points = min_max(&times, values, window, thinning.bucket);
        // A column with no value in this run (no index, no funding) gets no chart.
        if !CHARTED.contains(&name) && !points.is_empty() {
            others.push(name.to_string());
        }
        columns.insert(name.to_string(), points_json(&points));
    }
    let title = format!("{}, seed {}", manifest.scenario_name, manifest.seed);
    let data = json!({
        "title": title,
        "duration_s": scenario.duration_s,
        "sample_interval_s": scenario.sample_interval_s,
        "rows": times.len(),
        "bucket": thinning.bucket,
        "window": window.map(|(a, b)| vec![a, b]),
        "series": columns,
        "other_series": others,
        "liquidations": steps_json(&steps),
        "tree": tree_json(&steps),
        "heatmap": heatmap(&book, window, scenario.sample_interval_s)?,
        "shocks": shocks(&scenario),
        "summary": crate::json::flatten(&summary)
            .into_iter()
            .map(|(k, v)| json!([k, v]))
            .collect::<Vec<_>>(),
        "manifest": serde_json::to_value(&manifest)
            .map_err(|e| ReportError::Chart(format!("manifest as JSON: {e}")))?,
    });
    Ok((title, data))
}

/// The bytes of a file the manifest lists, checked against its digest.
fn listed_bytes(
    dir: &Path,
    manifest: &RunManifest,
    name: &str,
    limit: Limit,
) -> Result<Vec<u8>, ReportError> {
    let path = dir.join(name);
    let Some(entry) = manifest.files.iter().find(|f| f.name == name) else {
        return Err(ReportError::input(
            &path,
            "not listed in manifest.json: the folder is not a whole run",
        ));
    };
    let bytes = read_bounded(&path, limit)?;
    if sha256_hex(&bytes) != entry.sha256 {
        return Err(ReportError::input(
            &path,
            "does not match its SHA-256 in manifest.json: the file was changed or damaged \
             (cascade replay shows where)",
        ));
    }
    Ok(bytes)
}

/// A run-folder table read back after its digest was checked, with its file for messages.
struct Table {
    frame: Frame,
    file: std::path::PathBuf,
}

impl Table {
    /// `stem.parquet` when the manifest lists it, else `stem.csv`; one of them must be listed.
    fn read(dir: &Path, manifest: &RunManifest, stem: &str) -> Result<Self, ReportError> {
        let listed = |ext: &str| {
            let name = format!("{stem}.{ext}");
            manifest
                .files
                .iter()
                .any(|f| f.name == name)
                .then_some(name)
        };
        let Some(name) = listed("parquet").or_else(|| listed("csv")) else {
            return Err(ReportError::input(
                dir.join("manifest.json"),
                format!(
                    "lists neither {stem}.parquet nor {stem}.csv: the folder is not a whole run"
                ),
            ));
        };
        listed_bytes(dir, manifest, &name, TABLE)?;
        let file = dir.join(&name);
        let frame = if name.ends_with(".parquet") {
            crate::parquet_io::read_parquet(&file)?
        } else {
            read_csv(&file)?
        };
        Ok(Table { frame, file })
    }

    fn num(&self, name: &str) -> Result<Vec<f64>, ReportError> {
        let col = self.frame.num(name).ok_or_else(|| self.missing(name))?;
        col.iter()
            .enumerate()
            .map(|(i, v)| {
                v.ok_or_else(|| {
                    ReportError::input(
                        &self.file,
                        format!("row {}: column {name:?} is empty", i + 1),
                    )
                })
            })
            .collect()
    }

    fn text(&self, name: &str) -> Result<Vec<String>, ReportError> {
        match self.frame.column(name) {
            Some(FrameColumn::Text(v)) => {
                Ok(v.iter().map(|s| s.clone().unwrap_or_default()).collect())
            }
            // An all-empty text column reads back as numbers.
            Some(FrameColumn::Num(v)) if v.iter().all(Option::is_none) => {
                Ok(vec![String::new(); v.len()])
            }
            _ => Err(self.missing(name)),
        }
    }

    fn missing(&self, name: &str) -> ReportError {
        ReportError::input(&self.file, format!("no column {name:?}"))
    }
}

/// One step of the liquidation engine, as the page draws it.
#[derive(Clone, Debug, PartialEq)]
struct Step {
    time_s: f64,
    id: i64,
    long: bool,
    quantity: f64,
    adl_quantity: f64,
    fund_quantity: f64,
    price: Option<f64>,
    mark: f64,
    value: f64,
    generation: i64,
    parent: Option<i64>,
    trigger: String,
}

/// The steps of liquidations.csv; value = lots closed × the step's mark × lot size (quote),
/// as summary.json's `liquidations.value`. A column naming lots taken over by the insurance
/// fund (`fund_quantity`), when a later engine writes one, marks those steps.
fn liquidation_steps(t: &Table, lot_size: f64) -> Result<Vec<Step>, ReportError> {
    let n = t.frame.rows();
    let times = t.num("time_s")?;
    let ids = t.num("liquidation")?;
    let sides = t.text("side")?;
    let qty = t.num("quantity")?;
    let adl = t.num("adl_quantity")?;
    let mark = t.num("mark")?;
    let generation = t.num("generation")?;
    let trigger = t.text("trigger")?;
    let price = t
        .frame
        .num("price")
        .map(<[_]>::to_vec)
        .unwrap_or(vec![None; n]);
    let fund = t
        .frame
        .num("fund_quantity")
        .map(<[_]>::to_vec)
        .unwrap_or(vec![None; n]);
    Ok((0..n)
        .map(|i| Step {
            time_s: times[i],
            id: ids[i] as i64,
            long: sides[i] == "long",
            quantity: qty[i],
            adl_quantity: adl[i],
            fund_quantity: fund[i].unwrap_or(0.0),
            price: price[i],
            mark: mark[i],
            value: qty[i] * mark[i] * lot_size,
            generation: generation[i] as i64,
            parent: trigger[i]
                .strip_prefix("liquidation:")
                .and_then(|p| p.parse().ok()),
            trigger: trigger[i].clone(),
        })
        .collect())
}

/// The window zoomed by default: the shortest span holding 90% of the liquidated value,
/// reaching back to the last shock at most a minute (or one span) before it, so the cause is
/// in view, and padded by a quarter of its length on each side (at least 5 samples); without
/// liquidations, around the first shock; without either, none (the whole run).
fn cascade_window(steps: &[Step], s: &Scenario) -> Option<(f64, f64)> {
    let (a, b) = match shortest_span(steps, WINDOW_SHARE) {
        Some((a, b)) => {
            let reach = (b - a).max(60.0);
            let cause = s
                .shocks
                .iter()
                .map(|x| x.at_s())
                .filter(|&t| t <= a && a - t <= reach)
                .reduce(f64::max);
            (cause.unwrap_or(a), b)
        }
        None => {
            let at = s.shocks.iter().map(|x| x.at_s()).reduce(f64::min)?;
            (at, at + s.duration_s / 10.0)
        }
    };
    let pad = ((b - a) / 4.0).max(5.0 * s.sample_interval_s);
    let window = ((a - pad).max(0.0), (b + pad).min(s.duration_s));
    // A window that is most of the run is no zoom at all.
    (window.1 - window.0 < 0.8 * s.duration_s).then_some(window)
}

/// The shortest `[from, to]` whose steps (in time order) hold `share` of the total value.
fn shortest_span(steps: &[Step], share: f64) -> Option<(f64, f64)> {
    let total: f64 = steps.iter().map(|s| s.value).sum();
    if steps.is_empty() || total <= 0.0 {
        return None;
    }
    let target = share * total;
    let (mut best, mut sum, mut first) = (None::<(f64, f64)>, 0.0, 0);
    for (i, s) in steps.iter().enumerate() {
        sum += s.value;
        while first < i && sum - steps[first].value >= target {
            sum -= steps[first].value;
            first += 1;
        }
        if sum >= target {
            let span = (steps[first].time_s, s.time_s);
            if best.is_none_or(|b| span.1 - span.0 < b.1 - b.0) {
                best = Some(span);
            }
        }
    }
    best
}

fn points_json(points: &Points) -> Value {
    Value::Array(points.iter().map(|&(t, v)| json!([t, v])).collect())
}

/// The steps as columns: `[time_s, value, quantity, adl_quantity, generation, id, side,
/// price, mark, trigger, kind]`, kind `book`, `adl` (any lots to ADL) or `fund`.
fn steps_json(steps: &[Step]) -> Value {
    let rows: Vec<Value> = steps
        .iter()
        .map(|s| {
            let kind = if s.fund_quantity > 0.0 {
                "fund"
            } else if s.adl_quantity > 0.0 {
                "adl"
            } else {
                "book"
            };
            json!([
                s.time_s,
                s.value,
                s.quantity,
                s.adl_quantity,
                s.generation,
                s.id,
                if s.long { "long" } else { "short" },
                s.price,
                s.mark,
                s.trigger,
                kind
            ])
        })
        .collect();
    Value::Array(rows)
}

/// The cascade as a tree: one node per liquidation (its first step's time, its generation,
/// its total value, its side) with the liquidation whose fill triggered it as parent.
fn tree_json(steps: &[Step]) -> Value {
    let mut nodes: BTreeMap<i64, (f64, i64, f64, bool, Option<i64>)> = BTreeMap::new();
    for s in steps {
        let node = nodes
            .entry(s.id)
            .or_insert((s.time_s, s.generation, 0.0, s.long, s.parent));
        node.0 = node.0.min(s.time_s);
        node.2 += s.value;
    }
    let rows: Vec<Value> = nodes
        .iter()
        .map(|(id, &(t, g, v, long, parent))| {
            let parent = parent.filter(|p| nodes.contains_key(p));
            json!([id, t, g, v, if long { "long" } else { "short" }, parent])
        })
        .collect();
    Value::Array(rows)
}

/// The book heatmap: mean resting lots per sample in cells of (time, price), bids and asks
/// apart, over the whole price range of the table (deep quotes included). Inside the cascade
/// window every book sample is its own column; outside it, consecutive samples share one, so
/// the columns number about [`HEATMAP_TIMES`] plus the window's samples.
fn heatmap(t: &Table, window: Option<(f64, f64)>, interval_s: f64) -> Result<Value, ReportError> {
    let times = t.num("time_s")?;
    let sides = t.text("side")?;
    let prices = t.num("price")?;
    let qty = t.num("qty")?;
    if times.is_empty() {
        return Ok(Value::Null);
    }
    let mut samples: Vec<f64> = times.clone();
    samples.sort_by(f64::total_cmp);
    samples.dedup();
    let (column_of, starts, group) = heatmap_columns(&samples, window, HEATMAP_TIMES);
    let last = samples[samples.len() - 1] + interval_s;
    let columns: Vec<Value> = (0..starts.len())
        .map(|i| json!([starts[i], starts.get(i + 1).copied().unwrap_or(last)]))
        .collect();
    let mut per_column = vec![0usize; starts.len()];
    for &c in &column_of {
        per_column[c] += 1;
    }
    let (p0, p1) = prices
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &p| {
            (a.min(p), b.max(p))
        });
    let np = HEATMAP_PRICES;
    let dp = ((p1 - p0) / np as f64).max(f64::MIN_POSITIVE);
    let row_of = |x: f64| (((x - p0) / dp) as usize).min(np - 1);
    let mut sums: [BTreeMap<(usize, usize), f64>; 2] = [BTreeMap::new(), BTreeMap::new()];
    for i in 0..times.len() {
        let side = usize::from(sides[i] == "ask");
        let col = column_of[samples.partition_point(|&x| x < times[i])];
        *sums[side].entry((col, row_of(prices[i]))).or_insert(0.0) += qty[i];
    }
    let cells = |m: &BTreeMap<(usize, usize), f64>| -> Value {
        Value::Array(
            m.iter()
                .map(|(&(i, j), &q)| {
                    let mean = q / per_column[i].max(1) as f64;
                    json!([i, j, (mean * 100.0).round() / 100.0])
                })
                .collect(),
        )
    };
    Ok(json!({
        "columns": columns, "group": group,
        "p0": p0, "dp": dp, "np": np,
        "samples": samples.len(),
        "bids": cells(&sums[0]),
        "asks": cells(&sums[1]),
    }))
}

/// The column of each sample (sorted) and each column's first sample time: one column per
/// sample inside `window`, and runs of up to `group` samples outside it, where `group` brings
/// the samples outside to at most `max_outside` columns.
fn heatmap_columns(
    samples: &[f64],
    window: Option<(f64, f64)>,
    max_outside: usize,
) -> (Vec<usize>, Vec<f64>, usize) {
    let inside = |x: f64| window.is_some_and(|(a, b)| x >= a && x <= b);
    let outside = samples.iter().filter(|&&x| !inside(x)).count();
    let group = outside.div_ceil(max_outside.max(1)).max(1);
    let (mut column_of, mut starts) = (Vec::with_capacity(samples.len()), Vec::new());
    let mut open = 0; // samples in the current column outside the window; 0: none open
    for &x in samples {
        if inside(x) {
            starts.push(x);
            open = 0;
        } else {
            if open == 0 || open == group {
                starts.push(x);
                open = 0;
            }
            open += 1;
        }
        column_of.push(starts.len() - 1);
    }
    (column_of, starts, group)
}

/// Shock times and what each is.
fn shocks(s: &Scenario) -> Value {
    Value::Array(
        s.shocks
            .iter()
            .map(|x| {
                let text = format!("{x:?}");
                let name = text
                    .split([' ', '{', '('])
                    .next()
                    .unwrap_or("shock")
                    .to_string();
                json!({"t": x.at_s(), "name": name, "detail": text})
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(time_s: f64, value: f64) -> Step {
        Step {
            time_s,
            id: 0,
            long: true,
            quantity: 1.0,
            adl_quantity: 0.0,
            fund_quantity: 0.0,
            price: None,
            mark: value,
            value,
            generation: 0,
            parent: None,
            trigger: "flow".into(),
        }
    }

    #[test]
    fn the_window_leaves_out_a_late_straggler() {
        let mut steps: Vec<Step> = (0..20).map(|i| step(100.0 + f64::from(i), 10.0)).collect();
        steps.push(step(1_500.0, 1.0));
        // 90% of 201 is 180.9: nineteen steps of 10, so 100 to 118; the straggler is out.
        assert_eq!(shortest_span(&steps, 0.9), Some((100.0, 118.0)));
        assert_eq!(shortest_span(&[], 0.9), None);
    }

    #[test]
    fn heatmap_columns_are_whole_samples_in_the_window_and_groups_outside() {
        let samples: Vec<f64> = (0..10).map(f64::from).collect();
        let (col, starts, group) = heatmap_columns(&samples, Some((4.0, 5.0)), 3);
        assert_eq!(group, 3);
        assert_eq!(col, [0, 0, 0, 1, 2, 3, 4, 4, 4, 5]);
        assert_eq!(starts, [0.0, 3.0, 4.0, 5.0, 6.0, 9.0]);
        let (col, _, _) = heatmap_columns(&samples, None, 100);
        assert_eq!(col, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn each_step_says_what_closed_it() {
        let book = step(1.0, 2.0);
        let mut adl = step(2.0, 2.0);
        adl.adl_quantity = 1.0;
        let mut fund = adl.clone();
        fund.fund_quantity = 1.0;
        let kinds: Vec<Value> = steps_json(&[book, adl, fund])
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[10].clone())
            .collect();
        assert_eq!(kinds, [json!("book"), json!("adl"), json!("fund")]);
    }

    #[test]
    fn the_tree_links_each_liquidation_to_the_one_that_set_it_off() {
        let mut a = step(1.0, 5.0);
        a.id = 1;
        let mut b = step(2.0, 3.0);
        b.id = 2;
        b.generation = 1;
        b.parent = Some(1);
        let mut b2 = b.clone();
        b2.time_s = 3.0;
        let tree = tree_json(&[a, b, b2]);
        assert_eq!(
            tree,
            json!([[1, 1.0, 0, 5.0, "long", null], [2, 2.0, 1, 6.0, "long", 1]])
        );
    }
}
