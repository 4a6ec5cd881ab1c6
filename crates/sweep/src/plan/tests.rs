use super::*;

fn scenarios() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/sweeps")
}

fn plan(axes: &str) -> Result<Plan, String> {
    let text = format!(
        r#"Sweep(name: "t", base: "../baseline.ron", seed: 5, replicates: 2,
                 set: ["duration_s=10"], axes: [{axes}])"#
    );
    plan_text(&text, "t.ron", &scenarios()).map_err(|e| e.to_string())
}

/// The error of a sweep with these axes.
fn check_err(axes: &str, fragments: &[&str]) {
    let e = plan(axes).unwrap_err();
    for f in fragments {
        assert!(e.contains(f), "{f:?} not in {e}");
    }
}

#[test]
fn a_grid_crosses_axes_with_the_first_slowest() {
    let p = plan(
        r#"Values(path: "agents.makers.size", values: [5, 10]),
           Linear(path: "agents.noise.rate_per_s", from: 0.25, to: 1.0, steps: 3)"#,
    )
    .unwrap();
    let d = &p.design;
    assert_eq!(d.points.len(), 6);
    assert_eq!(d.run_count(), 12);
    let cells: Vec<String> = (0..6)
        .map(|i| {
            d.cells(i)
                .iter()
                .map(|c| c.to_text())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert_eq!(
        cells,
        ["5 0.25", "5 0.625", "5 1", "10 0.25", "10 0.625", "10 1"]
    );
    assert_eq!(d.axes[0].kind, Kind::Int);
    assert_eq!(d.axes[1].kind, Kind::Float);
    assert_eq!(d.overrides(5)[1].value, "1.0");
    assert_eq!(p.base.duration_s, 10.0, "set applies to the base");
}

#[test]
fn ranges_over_integer_fields_round_and_refuse_repeats() {
    let p = plan(r#"Log(path: "agents.makers.size", from: 1, to: 100, steps: 3)"#).unwrap();
    assert_eq!(p.design.axes[0].kind, Kind::Int);
    let rons: Vec<&str> = p.design.axes[0]
        .values
        .iter()
        .map(|v| v.ron.as_str())
        .collect();
    assert_eq!(rons, ["1", "10", "100"]);
    check_err(
        r#"Linear(path: "agents.makers.size", from: 1, to: 2, steps: 5)"#,
        &["axis agents.makers.size", "fewer steps"],
    );
}

#[test]
fn bad_axes_are_refused_naming_the_axis() {
    check_err(
        r#"Values(path: "agents.makers.sizee", values: [1])"#,
        &["t.ron", "axis agents.makers.sizee", "no field"],
    );
    check_err(
        r#"Values(path: "agents.makers.size", values: [])"#,
        &["axis agents.makers.size", "no values"],
    );
    check_err(
        r#"Values(path: "agents.makers.size", values: [1, "big"])"#,
        &[
            "axis agents.makers.size",
            "value \"big\"",
            "expected a number",
        ],
    );
    check_err(
        r#"Values(path: "agents.makers.size", values: [1, 2.5])"#,
        &["axis agents.makers.size", "value 2.5"],
    );
    check_err(
        r#"Values(path: "duration_s", values: [1.0]), Linear(path: "duration_s", from: 1.0, to: 2.0, steps: 2)"#,
        &["axis duration_s", "twice"],
    );
    check_err(
        r#"Values(path: "agents.makers.size", values: [5]), Values(path: "agents[1].size", values: [6])"#,
        &[
            "axes agents.makers.size and agents[1].size",
            "both set agents[1].size",
        ],
    );
    check_err(
        r#"Values(path: "agents[1].size", values: [5]), Values(path: "agents.[1].size", values: [6])"#,
        &[
            "axes agents[1].size and agents.[1].size",
            "both set agents[1].size",
        ],
    );
    check_err(
        r#"Values(path: "agents.makers.size", values: [5]), Values(path: "agents[1]", values: [1])"#,
        &[
            "axes agents.makers.size and agents[1]",
            "one sets part of the other",
        ],
    );
    check_err(
        r#"Linear(path: "duration_s", from: 1.0, to: 2.0, steps: 0)"#,
        &["axis duration_s", "steps"],
    );
    check_err(
        r#"Log(path: "duration_s", from: 0.0, to: 2.0, steps: 2)"#,
        &["axis duration_s", "positive"],
    );
    check_err(
        r#"Uniform(path: "duration_s", from: 1.0, to: 2.0)"#,
        &["axis duration_s", "samples"],
    );
    check_err(
        r#"Values(path: "seed", values: [1])"#,
        &["axis seed", "replicates"],
    );
}

#[test]
fn an_invalid_value_is_planned_and_fails_at_its_point_only() {
    // A negative size applies (it is an integer) but does not validate: a failed row later.
    let p = plan(r#"Values(path: "agents.makers.size", values: [5, -1])"#).unwrap();
    assert_eq!(p.design.points.len(), 2);
}

#[test]
fn random_axes_cross_with_the_grid_and_stay_in_range() {
    let text = r#"Sweep(name: "t", base: "../baseline.ron", seed: 5,
        samples: LatinHypercube(points: 4),
        axes: [Values(path: "agents.makers.size", values: [5, 10]),
               LogUniform(path: "agents.noise.rate_per_s", from: 0.1, to: 10.0),
               Uniform(path: "agents.makers.levels", from: 1, to: 9)])"#;
    let p = plan_text(text, "t.ron", &scenarios()).unwrap();
    let d = &p.design;
    assert_eq!(d.points.len(), 8);
    assert_eq!(d.axes[2].kind, Kind::Int);
    for i in 0..8 {
        let c = d.cells(i);
        let rate = c[1].as_f64().unwrap();
        assert!((0.1..=10.0).contains(&rate), "{rate}");
        let levels = c[2].as_f64().unwrap();
        assert!((1.0..=9.0).contains(&levels), "{levels}");
    }
    // The sample varies fastest: points 0..4 share size 5 and use samples 0..4.
    assert_eq!(d.points[1], [0, 1, 1]);
    assert_eq!(d.points[4], [1, 0, 0]);
    assert_eq!(plan_text(text, "t.ron", &scenarios()).unwrap().hash, p.hash);
}

#[test]
fn the_hash_changes_with_anything_that_changes_results() {
    let a = plan(r#"Values(path: "agents.makers.size", values: [5, 10])"#).unwrap();
    let b = plan(r#"Values(path: "agents.makers.size", values: [5, 11])"#).unwrap();
    assert_ne!(a.hash, b.hash);
    let c = plan(r#"Values(path: "agents.makers.size", values: [5, 10])"#).unwrap();
    assert_eq!(a.hash, c.hash);
    // SHA-256 of the design's JSON, like a run manifest's digests (it was 64-bit FNV-1a, 16
    // hex digits, until the sweep crate took its digests from cascade-report).
    let json = serde_json::to_vec(&a.design).unwrap();
    assert_eq!(a.hash, cascade_report::manifest::sha256_hex(&json));
    assert_eq!(a.hash.len(), 64);
}

#[test]
fn a_missing_base_names_the_file() {
    let e = plan_text(
        r#"Sweep(name: "t", base: "nowhere.ron", seed: 1, axes: [])"#,
        "t.ron",
        &scenarios(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("nowhere.ron") && e.contains("no such file"),
        "{e}"
    );
}

#[test]
fn a_spec_built_in_memory_plans_as_its_text_does() {
    use crate::spec::{AxisSpec, SweepSpec};
    let text = r#"Sweep(name: "t", base: "../baseline.ron", seed: 5, seeds: [1, 2],
        set: ["duration_s=10"], axes: [
            Values(path: "agents.makers.size", values: [5, 10]),
            Log(path: "agents.noise.rate_per_s", from: 0.25, to: 1.0, steps: 3)])"#;
    let from_text = plan_text(text, "t.ron", &scenarios()).unwrap();
    let spec = SweepSpec {
        name: "t".into(),
        base: Some("../baseline.ron".into()),
        scenario: None,
        set: vec!["duration_s=10".into()],
        seed: 5,
        replicates: 1,
        common_seeds: false,
        seeds: Some(vec![1, 2]),
        samples: None,
        axes: vec![
            AxisSpec::Values {
                path: "agents.makers.size".into(),
                values: vec![
                    ron::Value::Number(ron::Number::Integer(5)),
                    ron::Value::Number(ron::Number::Integer(10)),
                ],
            },
            AxisSpec::Log {
                path: "agents.noise.rate_per_s".into(),
                from: 0.25,
                to: 1.0,
                steps: 3,
            },
        ],
    };
    let built = plan_spec_named(&spec, "t.ron", &scenarios()).unwrap();
    assert_eq!(built.design, from_text.design);
    assert_eq!(built.hash, from_text.hash);
    assert_eq!(built.design.run_count(), 12);
    let e = plan_spec_named(&spec, "<sweep>", Path::new("/nowhere")).unwrap_err();
    assert!(e.to_string().starts_with("<sweep>: field base: "), "{e}");
}
