//! One axis of a sweep from its spec: a list of values or a range (linear, log, sampled), each
//! value tried on the base scenario so that an unknown path or a wrong type is refused while
//! planning, and range values typed by probing the field (integers round).

use super::{Axis, AxisValue, Cell, Kind, MAX_POINTS};
use crate::sample::{self, scale};
use crate::spec::AxisSpec;
use cascade_sim::overrides::apply;
use cascade_sim::{Override, Scenario};
use std::collections::BTreeSet;

fn try_value(base: &Scenario, path: &str, ron: &str) -> Result<(), String> {
    let o = Override {
        path: path.to_string(),
        value: ron.to_string(),
    };
    apply(base, &[o]).map(|_| ()).map_err(|e| e.reason)
}

pub(super) fn grid_axis(a: &AxisSpec, base: &Scenario) -> Result<Axis, String> {
    match a {
        AxisSpec::Values { path, values } => {
            if values.is_empty() {
                return Err("no values (an axis needs at least one)".into());
            }
            let kind = values_kind(values);
            let mut out = Vec::with_capacity(values.len());
            for v in values {
                let ron = ron::to_string(v).map_err(|e| format!("value {v:?}: {e}"))?;
                try_value(base, path, &ron).map_err(|e| format!("value {ron}: {e}"))?;
                out.push(AxisValue {
                    cell: value_cell(v, &ron, kind),
                    ron,
                    sets: Vec::new(),
                });
            }
            Ok(Axis {
                path: path.clone(),
                kind,
                values: out,
                sampled: false,
                log: false,
                bundle: false,
            })
        }
        AxisSpec::Linear {
            path,
            from,
            to,
            steps,
        }
        | AxisSpec::Log {
            path,
            from,
            to,
            steps,
        } => {
            let log = matches!(a, AxisSpec::Log { .. });
            check_range(*from, *to, log)?;
            if *steps == 0 {
                return Err("steps must be at least 1".into());
            }
            if u64::from(*steps) > MAX_POINTS {
                return Err(format!("steps must be at most {MAX_POINTS}"));
            }
            let xs = if log {
                sample::log(*from, *to, *steps)
            } else {
                sample::linear(*from, *to, *steps)
            };
            let mut axis = numeric_axis(path, &xs, base, true)?;
            axis.log = log;
            Ok(axis)
        }
        AxisSpec::Uniform { .. } | AxisSpec::LogUniform { .. } => {
            Err("a random axis is not a grid axis".into())
        }
    }
}

pub(super) fn sampled_axis(a: &AxisSpec, unit: &[f64], base: &Scenario) -> Result<Axis, String> {
    let (path, from, to, log) = match a {
        AxisSpec::Uniform { path, from, to } => (path, *from, *to, false),
        AxisSpec::LogUniform { path, from, to } => (path, *from, *to, true),
        _ => return Err("not a random axis".into()),
    };
    check_range(from, to, log)?;
    let xs: Vec<f64> = unit.iter().map(|&u| scale(u, from, to, log)).collect();
    let mut axis = numeric_axis(path, &xs, base, false)?;
    axis.sampled = true;
    axis.log = log;
    Ok(axis)
}

fn check_range(from: f64, to: f64, log: bool) -> Result<(), String> {
    if !from.is_finite() || !to.is_finite() {
        return Err(format!("from and to must be finite, got {from} and {to}"));
    }
    if log && (from <= 0.0 || to <= 0.0) {
        return Err(format!(
            "a log scale needs positive bounds, got {from} and {to}"
        ));
    }
    Ok(())
}

/// A numeric axis: floats if the field takes them, else rounded to integers.
fn numeric_axis(path: &str, xs: &[f64], base: &Scenario, distinct: bool) -> Result<Axis, String> {
    let first = xs.first().copied().unwrap_or_default();
    let float_ok = try_value(base, path, &float_ron(first));
    let kind = match float_ok {
        Ok(()) => Kind::Float,
        Err(float_err) => match try_value(base, path, &format!("{}", first.round() as i64)) {
            Ok(()) => Kind::Int,
            Err(_) => return Err(float_err),
        },
    };
    let values: Vec<AxisValue> = xs.iter().map(|&x| numeric_value(x, kind)).collect();
    if distinct && kind == Kind::Int {
        let mut seen = BTreeSet::new();
        if let Some(v) = values.iter().find(|v| !seen.insert(v.ron.clone())) {
            return Err(format!(
                "the field takes integers and the range repeats {} after rounding; use fewer steps",
                v.ron
            ));
        }
    }
    // Every value of a range has the first one's type: the ends are enough to check.
    for v in values.first().into_iter().chain(values.last()) {
        try_value(base, path, &v.ron).map_err(|e| format!("value {}: {e}", v.ron))?;
    }
    Ok(Axis {
        path: path.to_string(),
        kind,
        values,
        sampled: false,
        log: false,
        bundle: false,
    })
}

/// `x` as a value of a numeric axis of this kind: rounded for integers.
pub(crate) fn numeric_value(x: f64, kind: Kind) -> AxisValue {
    match kind {
        Kind::Int => {
            let i = x.round() as i64;
            AxisValue {
                cell: Cell::Int(i),
                ron: i.to_string(),
                sets: Vec::new(),
            }
        }
        _ => AxisValue {
            cell: Cell::Float(x),
            ron: float_ron(x),
            sets: Vec::new(),
        },
    }
}

/// A float as RON text that reads back as the same float (always with a point or an
/// exponent, so it is never taken for an integer).
fn float_ron(x: f64) -> String {
    format!("{x:?}")
}

fn values_kind(values: &[ron::Value]) -> Kind {
    use ron::value::Number;
    let int = |v: &ron::Value| matches!(v, ron::Value::Number(Number::Integer(_)));
    let num = |v: &ron::Value| matches!(v, ron::Value::Number(_));
    if values.iter().all(int) {
        Kind::Int
    } else if values.iter().all(num) {
        Kind::Float
    } else {
        Kind::Text
    }
}

fn value_cell(v: &ron::Value, ron: &str, kind: Kind) -> Cell {
    use ron::value::Number;
    match (kind, v) {
        (Kind::Int, ron::Value::Number(Number::Integer(i))) => Cell::Int(*i),
        (Kind::Float, ron::Value::Number(n)) => Cell::Float(n.into_f64()),
        (_, ron::Value::String(s)) => Cell::Text(s.clone()),
        _ => Cell::Text(ron.to_string()),
    }
}
