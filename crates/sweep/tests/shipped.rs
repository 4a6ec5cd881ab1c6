//! Every shipped sweep (scenarios/sweeps/*.ron) and calibration (scenarios/calibrations/*.ron)
//! plans: its base scenario reads, and every axis value (every parameter's bounds) applies to
//! it, so a change to the scenario schema cannot silently break a sweep or a calibration.

use std::path::Path;

#[test]
fn every_shipped_sweep_plans() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/sweeps");
    let mut planned = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ron") {
            let plan = cascade_sweep::load(&path).unwrap_or_else(|e| panic!("{e}"));
            assert!(plan.design.run_count() > 0, "{}", path.display());
            planned.push(plan.design.name.clone());
        }
    }
    planned.sort();
    assert!(planned.contains(&"smoke".to_string()), "{planned:?}");
}

#[test]
fn every_shipped_calibration_plans() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/calibrations");
    let mut planned = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ron") {
            let cal = cascade_sweep::calibrate::load(&path).unwrap_or_else(|e| panic!("{e}"));
            assert!(!cal.design.parameters.is_empty(), "{}", path.display());
            planned.push(cal.design.name.clone());
        }
    }
    assert_eq!(planned, ["flash-cascade"]);
}
