//! Leverage through the binary: every shipped scenario under --audit, the liquidation tables
//! and keys, counterfactuals through --set, and bad margin input.

mod common;
use common::*;
use serde_json::Value;
use std::fs;

#[test]
fn every_shipped_scenario_passes_the_audit() {
    for entry in fs::read_dir(root().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ron") {
            let tmp = tempfile::tempdir().unwrap();
            let out = tmp.path().join("r");
            let o = cascade(&[
                "run",
                path.to_str().unwrap(),
                "--audit",
                "--no-charts",
                "--out",
                out.to_str().unwrap(),
            ]);
            assert_ok(&o);
            assert!(
                String::from_utf8_lossy(&o.stdout).contains("the ledger held"),
                "{}",
                describe(&o)
            );
        }
    }
}

#[test]
fn flash_cascade_writes_liquidation_tables_and_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let s = scenario("flash-cascade.ron");
    assert_ok(&cascade(&[
        "run",
        s.to_str().unwrap(),
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]));
    let summary: Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    for key in [
        "count",
        "volume",
        "notional",
        "max_generation",
        "bad_debt",
        "adl_count",
    ] {
        assert!(
            summary["liquidations"][key].is_number(),
            "liquidations.{key}: {summary}"
        );
    }
    for key in ["start", "min", "end"] {
        assert!(
            summary["insurance_fund"][key].is_number(),
            "insurance_fund.{key}"
        );
    }
    assert!(summary["liquidations"]["max_generation"].as_u64().unwrap() >= 3);
    assert!(summary["spread"]["peak_over_baseline"].as_f64().unwrap() >= 5.0);
    assert!(summary["depth"]["min_over_baseline"].as_f64().unwrap() <= 0.3);
    let liq = fs::read_to_string(out.join("liquidations.csv")).unwrap();
    assert!(liq.starts_with("time_s,liquidation,account,side,quantity,book_quantity,adl_quantity,fund_quantity,price,bankruptcy_price,mark,notional,fee,fund_change,trigger,trigger_trade,generation\n"), "{}", &liq[..200]);
    let rows = liq.lines().count() - 1;
    assert_eq!(
        rows as u64,
        summary["liquidations"]["steps"].as_u64().unwrap()
    );
    let adl = fs::read_to_string(out.join("adl.csv")).unwrap();
    assert_eq!(
        (adl.lines().count() - 1) as u64,
        summary["liquidations"]["adl_count"].as_u64().unwrap()
    );

    // The counterfactual: same seed, no liquidation engine.
    let off = tmp.path().join("off");
    assert_ok(&cascade(&[
        "run",
        s.to_str().unwrap(),
        "--no-charts",
        "--set",
        "liquidation.enabled=false",
        "--out",
        off.to_str().unwrap(),
    ]));
    let without: Value =
        serde_json::from_slice(&fs::read(off.join("summary.json")).unwrap()).unwrap();
    assert_eq!(without["liquidations"]["count"], 0);
    let dd = |v: &Value| v["price"]["max_drawdown_pct"].as_f64().unwrap();
    assert!(
        dd(&summary) >= 2.0 * dd(&without),
        "{} vs {}",
        dd(&summary),
        dd(&without)
    );
}

fn refuse_set(set: &str, fragments: &[&str]) {
    let s = scenario("flash-cascade.ron");
    let shown = s.display().to_string();
    let mut all = vec![shown.as_str()];
    all.extend_from_slice(fragments);
    assert_bad_input(
        &cascade(&["check", s.to_str().unwrap(), "--set", set]),
        &all,
    );
}

#[test]
fn bad_margin_and_engine_input_names_the_field() {
    refuse_set(
        "margin.tiers[0].maintenance_rate=0.01",
        &["margin.tiers[0].maintenance_rate", "below initial"],
    );
    refuse_set(
        "margin.tiers[1].notional_cap=10000",
        &["margin.tiers[1].notional_cap", "increase"],
    );
    refuse_set(
        "agents.longs.leverage_max=200",
        &["agents[2].leverage_max", "tier maximum"],
    );
    refuse_set(
        "liquidation.insurance_fund=-5",
        &["liquidation.insurance_fund"],
    );
    refuse_set("shocks[0].at_s=5000", &["shocks[0].at_s", "after the end"]);
    refuse_set(
        "liquidation.step_fraction=1.5",
        &["liquidation.step_fraction"],
    );
    refuse_set("mark=Index", &["mark", "needs an index"]);
}
