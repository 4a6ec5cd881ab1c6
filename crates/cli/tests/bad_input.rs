//! A catalogue of broken scenario files and arguments: each exits 2 with a message naming the
//! file and the field (or line), and none panics.

mod common;
use common::*;
use std::fs;

const GOOD: &str = r#"Scenario(
    name: "t",
    duration_s: 5.0,
    sample_interval_s: 1.0,
    instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.00),
    agents: [
        Noise(name: "noise", count: 5, rate_per_s: 1.0, limit_weight: 1.0, market_weight: 0.2,
              cancel_weight: 0.5, offset_ticks_mean: 2.0, size_min: 1, size_max: 5),
        Maker(name: "makers", count: 1, refresh_s: 1.0, half_spread_ticks: 1, levels: 2,
              level_spacing_ticks: 1, size: 5),
    ],
)"#;

/// Writes `text` as a scenario file and checks `cascade check` and `cascade run` refuse it.
fn check(name: &str, text: &[u8], fragments: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join(format!("{name}.ron"));
    fs::write(&file, text).unwrap();
    refuse(&file, &[], fragments);
}

fn edit(from: &str, to: &str) -> Vec<u8> {
    assert!(GOOD.contains(from), "{from} not in the good scenario");
    GOOD.replacen(from, to, 1).into_bytes()
}

#[test]
fn the_good_scenario_passes() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("good.ron");
    fs::write(&file, GOOD).unwrap();
    assert_ok(&cascade(&["check", file.to_str().unwrap()]));
}

#[test]
fn empty_file() {
    check("empty", b"", &["1:1"]);
}

#[test]
fn not_ron() {
    check("json", br#"{"name": "t"}"#, &["1:"]);
    check("garbage", b"\x00\x01 hello", &["1:"]);
}

#[test]
fn not_utf8() {
    check("latin1", b"Scenario(name: \"caf\xe9\")", &["not UTF-8"]);
}

#[test]
fn truncated() {
    let cut = GOOD.find("agents: [").unwrap() + "agents: [".len();
    check(
        "truncated",
        &GOOD.as_bytes()[..cut],
        &["6:", "Unexpected end"],
    );
    check(
        "truncated-mid-word",
        &GOOD.as_bytes()[..GOOD.len() / 2],
        &["7:"],
    );
}

#[test]
fn unknown_field() {
    check(
        "unknown",
        &edit("duration_s: 5.0,", "duration_s: 5.0,\n    speed: 3,"),
        &["4:", "speed"],
    );
    check(
        "unknown-agent-field",
        &edit("size: 5),", "size: 5, colour: 1),"),
        &["colour"],
    );
    check(
        "unknown-agent-kind",
        &edit("Maker(", "Wizard("),
        &["Wizard"],
    );
}

#[test]
fn missing_field() {
    check(
        "missing",
        &edit("sample_interval_s: 1.0,\n", ""),
        &["sample_interval_s"],
    );
}

#[test]
fn wrong_type() {
    check(
        "wrong-type",
        &edit("duration_s: 5.0", "duration_s: \"long\""),
        &["3:", "duration_s"],
    );
    check(
        "wrong-int",
        &edit("count: 5", "count: -5"),
        &["agents[0].count"],
    );
    check(
        "fraction-for-int",
        &edit("size: 5)", "size: 2.5)"),
        &["10:", "agents[1]"],
    );
}

#[test]
fn out_of_range_values() {
    check(
        "negative-rate",
        &edit("rate_per_s: 1.0", "rate_per_s: -1.0"),
        &["agents[0].rate_per_s", "positive"],
    );
    check(
        "zero-tick",
        &edit("tick_size: 0.01", "tick_size: 0.0"),
        &["instrument.tick_size"],
    );
    check(
        "off-grid",
        &edit("initial_price: 100.00", "initial_price: 100.005"),
        &["instrument.initial_price", "multiple"],
    );
    check(
        "zero-duration",
        &edit("duration_s: 5.0", "duration_s: 0.0"),
        &["duration_s"],
    );
    check(
        "huge-duration",
        &edit("duration_s: 5.0", "duration_s: 1e300"),
        &["duration_s"],
    );
    check(
        "sizes",
        &edit("size_min: 1, size_max: 5", "size_min: 9, size_max: 5"),
        &["agents[0].size_max"],
    );
    check(
        "levels",
        &edit("levels: 2", "levels: 0"),
        &["agents[1].levels"],
    );
    check(
        "duplicate-names",
        &edit("name: \"makers\"", "name: \"noise\""),
        &["agents[1].name"],
    );
    check(
        "nan",
        &edit("rate_per_s: 1.0", "rate_per_s: NaN"),
        &["agents[0].rate_per_s"],
    );
    check(
        "index-weight-above-one",
        &edit("size: 5),", "size: 5, index_weight: 1.5),"),
        &["agents[1].index_weight", "[0, 1]", "1.5"],
    );
    check(
        "index-weight-without-an-index",
        &edit("size: 5),", "size: 5, index_weight: 0.5),"),
        &["agents[1].index_weight", "needs an index"],
    );
}

#[test]
fn a_market_with_no_agents() {
    let text = GOOD
        .replace("count: 5", "count: 0")
        .replace("count: 1", "count: 0");
    check(
        "all-zero",
        text.as_bytes(),
        &["agents", "at least one agent"],
    );
    let start = GOOD.find("agents: [").unwrap();
    let end = GOOD.rfind(']').unwrap();
    let text = format!("{}agents: []{}", &GOOD[..start], &GOOD[end + 1..]);
    check(
        "empty-list",
        text.as_bytes(),
        &["agents", "at least one agent group"],
    );
}

#[test]
fn missing_file_and_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nowhere.ron");
    assert_bad_input(
        &cascade(&["check", missing.to_str().unwrap()]),
        &["nowhere.ron", "no such file"],
    );
    assert_bad_input(
        &cascade(&["run", missing.to_str().unwrap()]),
        &["nowhere.ron", "no such file"],
    );
    assert_bad_input(
        &cascade(&["check", tmp.path().to_str().unwrap()]),
        &["is a directory"],
    );
}

#[test]
fn bad_overrides() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("good.ron");
    fs::write(&file, GOOD).unwrap();
    refuse(
        &file,
        &["--set", "instrument.tick=1"],
        &["instrument.tick", "no field"],
    );
    refuse(
        &file,
        &["--set", "agents.makers.size=big"],
        &["agents.makers.size", "expected a number"],
    );
    refuse(&file, &["--set", "agents.makers.size=1.5"], &["integer"]);
    refuse(
        &file,
        &["--set", "agents[0].rate_per_s=-3"],
        &["agents[0].rate_per_s", "positive"],
    );
    refuse(&file, &["--set", "duration_s"], &["path=value"]);
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    check("deep", text.as_bytes(), &["1:"]);
}

#[test]
fn money_that_would_overflow_64_bits_is_refused_naming_the_fields() {
    // 1e15 ticks × 1e9 lots would wrap i64; the bound is the value of one order at the initial
    // price, so a price of 1e15 ticks is refused through every order size that meets it.
    let text = edit("initial_price: 100.00", "initial_price: 10000000000000.0");
    let text = String::from_utf8(text)
        .unwrap()
        .replace("size_max: 5", "size_max: 1000000000");
    check(
        "overflow",
        text.as_bytes(),
        &[
            "agents[0].size_max",
            "instrument.initial_price",
            "64-bit",
            "agents[1].size",
        ],
    );
    // At a sane price, a fund of 1e15 quote at a 1e-4 tick and lot is 1e23 units.
    let text = String::from_utf8(edit(
        "tick_size: 0.01, lot_size: 1.0",
        "tick_size: 0.0001, lot_size: 0.0001",
    ))
    .unwrap()
    .replace(
        "    ],\n)",
        "    ],\n    liquidation: LiquidationSpec(insurance_fund: 1000000000000.0),\n)",
    );
    check(
        "fund-overflow",
        text.as_bytes(),
        &["liquidation.insurance_fund", "64-bit"],
    );
}

#[test]
fn a_misspelt_field_inside_a_shock_or_a_mark_is_refused_not_defaulted() {
    let text = String::from_utf8(edit(
        "    ],\n)",
        "    ],\n    shocks: [MarketSell(at_s: 1.0, qty: 5, overs: 2.0)],\n)",
    ))
    .unwrap();
    check(
        "shock-typo",
        text.as_bytes(),
        &["shocks[0].overs", "over_s"],
    );
    let text = String::from_utf8(edit(
        "    ],\n)",
        "    ],\n    mark: EmaMid(half_life: 3.0),\n)",
    ))
    .unwrap();
    check("mark-typo", text.as_bytes(), &["half_life", "half_life_s"]);
}

#[test]
fn thousands_of_bad_tiers_are_said_once_not_line_by_line() {
    let tiers: Vec<String> = (1..=5_000)
        .map(|i| format!("Tier(notional_cap: {i}.0, max_leverage: 0.0, maintenance_rate: 0.5)"))
        .collect();
    let text = String::from_utf8(edit(
        "    ],\n)",
        &format!(
            "    ],\n    margin: MarginSpec(tiers: [{}]),\n)",
            tiers.join(",")
        ),
    ))
    .unwrap();
    check(
        "tiers",
        text.as_bytes(),
        &[
            "margin.tiers[0].max_leverage",
            "and 4980 more problems (5000 in all)",
        ],
    );
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("tiers.ron");
    fs::write(&file, &text).unwrap();
    let out = cascade(&["check", file.to_str().unwrap()]);
    assert!(
        out.stderr.len() < 4_000,
        "{} bytes of message",
        out.stderr.len()
    );
}

#[test]
fn a_fraction_for_a_count_names_the_count_and_says_an_integer_was_expected() {
    check(
        "fraction",
        &edit("count: 5,", "count: 200.5,"),
        &["agents[0].count", "expected an integer, found 200.5"],
    );
}

#[test]
fn a_missing_field_is_named_where_it_is_missing() {
    check(
        "missing",
        &edit("    sample_interval_s: 1.0,\n", ""),
        &[
            "field sample_interval_s",
            "missing field `sample_interval_s`",
        ],
    );
}

#[test]
fn a_scenario_with_python_agents_is_refused_naming_the_group() {
    let with_python = edit(
        "    ],\n)",
        "        PythonAgent(name: \"mine\", count: 2, wake_every_s: 1.0, class: \"Mine\"),\n    ],\n)",
    );
    check(
        "python",
        &with_python,
        &[
            "agents[2] (\"mine\")",
            "PythonAgent groups run only inside the Python package",
        ],
    );
}
