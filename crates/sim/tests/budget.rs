//! Every rate and interval of a scenario, driven to its bound and one past it.
//!
//! The fields are found by name in a scenario with every agent kind and every optional section
//! (`…rate_per_s` rates; `…interval_s`, `…refresh_s`, `…wake_s` intervals), so a new one is
//! covered without editing this test. Each field's bound is found by bisection on what the
//! validator accepts; the refusal just past it must name the field and state that same bound.
//! At the run's length (20 s) the budget on rate × duration × agents binds for some fields; on
//! the same scenario shrunk a thousandfold (every time field × 1e-3) the resolution bounds
//! bind, and the run at each bound is carried out: it stays within the budget it was admitted
//! on (events, rows, bytes).

use cascade_sim::scenario::{
    Budget, ACCOUNT_BYTES, MAX_EVENTS, MEMORY_BUDGET_BYTES, SAMPLE_FOOTPRINT_BYTES,
    TRADE_FOOTPRINT_BYTES,
};
use cascade_sim::{prepare, Override, Scenario, ScenarioError, Simulation};
use serde_json::Value;

const EVERY_KIND: &str = include_str!("data/every-kind.ron");

/// Numeric fields below `v` as `--set` paths, with their values.
fn fields(v: &Value, at: &str, out: &mut Vec<(String, f64)>) {
    let join = |k: &str| {
        if at.is_empty() {
            k.to_string()
        } else {
            format!("{at}.{k}")
        }
    };
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                fields(item, &format!("{at}[{i}]"), out);
            }
        }
        Value::Object(m) if m.len() == 1 && m.keys().all(|k| k.starts_with(char::is_uppercase)) => {
            fields(m.values().next().unwrap(), at, out);
        }
        Value::Object(m) => {
            for (k, x) in m {
                match x.as_f64() {
                    Some(n) => out.push((join(k), n)),
                    None => fields(x, &join(k), out),
                }
            }
        }
        _ => {}
    }
}

fn is_interval(path: &str) -> bool {
    ["interval_s", "refresh_s", "wake_s"]
        .iter()
        .any(|k| path.ends_with(k))
}

fn is_time(path: &str) -> bool {
    path.ends_with("_s") && !path.ends_with("_per_s") && !path.ends_with("_per_sqrt_s")
}

/// The every-kind scenario with every time field multiplied by `scale`.
fn scaled(scale: f64) -> Vec<Override> {
    let base = prepare(EVERY_KIND, &[]).expect("the every-kind scenario is valid");
    let mut all = Vec::new();
    fields(&serde_json::to_value(&base).unwrap(), "", &mut all);
    all.into_iter()
        .filter(|(p, _)| is_time(p))
        .map(|(path, x)| Override {
            path,
            value: format!("{:e}", x * scale),
        })
        .collect()
}

/// The reasons given for `path` when it is set to `value` on top of `base`.
fn problems(base: &[Override], path: &str, value: f64) -> Vec<String> {
    let mut sets = base.to_vec();
    sets.push(Override {
        path: path.to_string(),
        value: format!("{value:e}"),
    });
    match prepare(EVERY_KIND, &sets) {
        Ok(_) => Vec::new(),
        Err(ScenarioError::Invalid(v)) => {
            v.0.iter()
                .filter(|e| e.path == path)
                .map(|e| e.reason.clone())
                .collect()
        }
        Err(e) => panic!("{path}={value}: {e}"),
    }
}

/// The number after the last "at most " or "at least " of `reason`.
fn stated_bound(reason: &str) -> f64 {
    let at = reason
        .rfind("at most ")
        .or_else(|| reason.rfind("at least "))
        .unwrap_or_else(|| panic!("no bound stated in {reason:?}"));
    let rest = &reason[at..];
    let number = rest.split_whitespace().nth(2).unwrap();
    number
        .trim_end_matches([',', ';', ')'])
        .parse()
        .unwrap_or_else(|_| panic!("no number in {reason:?}"))
}

/// The boundary between accepted and refused values of a rate (refused above) or an interval
/// (refused below), to a relative 1e-9; and the reasons given just past it.
fn bound(base: &[Override], path: &str, from: f64) -> (f64, Vec<String>) {
    let refused = |x: f64| !problems(base, path, x).is_empty();
    let (mut ok, mut bad) = if is_interval(path) {
        (from, 1e-300)
    } else {
        (from.max(1e-9), 1e300)
    };
    assert!(!refused(ok), "{path}={ok} is refused to begin with");
    assert!(refused(bad), "{path}={bad} is accepted");
    while (ok / bad).ln().abs() > 1e-9 {
        let mid = (ok * bad).sqrt();
        if refused(mid) {
            bad = mid;
        } else {
            ok = mid;
        }
    }
    (ok, problems(base, path, bad))
}

/// The rates and intervals of the scenario set by `base`.
fn rate_and_interval_fields(base: &[Override]) -> Vec<(String, f64)> {
    let s = prepare(EVERY_KIND, base).unwrap();
    let mut all = Vec::new();
    fields(&serde_json::to_value(&s).unwrap(), "", &mut all);
    all.retain(|(p, _)| is_interval(p) || p.ends_with("rate_per_s"));
    all
}

#[test]
fn every_rate_and_interval_is_refused_just_past_the_bound_it_states() {
    let base = Vec::new();
    let found = rate_and_interval_fields(&base);
    for want in [
        "sample_interval_s",
        "index.interval_s",
        "index.jump_rate_per_s",
        "fundamental.jump_rate_per_s",
        "agents[0].rate_per_s",
        "agents[1].refresh_s",
        "agents[3].mean_wake_s",
        "agents[6].check_interval_s",
    ] {
        assert!(
            found.iter().any(|(p, _)| p == want),
            "{want} not in {found:?}"
        );
    }
    let on_budget = budget_bound_fields(&base, &found);
    // At 20 s the samples meet the memory budget, not the resolution.
    assert!(
        on_budget
            .iter()
            .any(|(p, r)| p == "sample_interval_s" && r.contains("GiB")),
        "no field met the memory budget: {on_budget:?}"
    );
    // Over 20,000 s the noise rate meets the time budget (its trade tape, capped at run time,
    // no longer costs it memory at the check).
    let long = vec![Override {
        path: "duration_s".into(),
        value: "2e4".into(),
    }];
    let on_budget = budget_bound_fields(&long, &rate_and_interval_fields(&long));
    assert!(
        on_budget
            .iter()
            .any(|(p, r)| p == "agents[0].rate_per_s" && r.contains("expected kernel events")),
        "the noise rate did not meet the time budget: {on_budget:?}"
    );
}

/// Checks that each field is refused just past the bound its refusal states; returns the
/// fields whose bound is the budget's, with the refusal.
fn budget_bound_fields(base: &[Override], found: &[(String, f64)]) -> Vec<(String, String)> {
    let mut on_budget = Vec::new();
    for (path, value) in found {
        let (at, past) = bound(base, path, *value);
        assert!(!past.is_empty(), "{path}: nothing said past the bound");
        let stated = stated_bound(&past[0]);
        assert!(
            ((stated - at) / at).abs() < 1e-6,
            "{path}: bisection finds {at:e}, the refusal states {stated:e}: {past:?}"
        );
        if past[0].contains("expected kernel events") || past[0].contains("GiB") {
            on_budget.push((path.clone(), past[0].clone()));
        }
    }
    on_budget
}

#[test]
fn a_run_at_each_bound_stays_within_the_budget_it_was_admitted_on() {
    let base = scaled(1e-3);
    for (path, value) in rate_and_interval_fields(&base) {
        let (at, _) = bound(&base, &path, value);
        let mut sets = base.clone();
        sets.push(Override {
            path: path.clone(),
            value: format!("{at:e}"),
        });
        let s: Scenario = prepare(EVERY_KIND, &sets).unwrap();
        let budget = Budget::of(&s);
        assert!(budget.events <= MAX_EVENTS && budget.bytes <= MEMORY_BUDGET_BYTES);
        let rec = Simulation::new(&s, 7).run();
        let events = rec.counters.events_processed as f64;
        assert!(
            events <= budget.events,
            "{path}={at:e}: {events} events, {} expected at most",
            budget.events
        );
        assert!(rec.samples.len() as f64 <= budget.samples.ceil() + 1.0);
        assert!(rec.trades.len() as f64 <= budget.orders, "{path}: trades");
        // The certain part was checked; the tape stayed within what it leaves.
        let cap = budget.tape_rows(MEMORY_BUDGET_BYTES);
        assert_eq!(rec.tape_full, None, "{path}: the tape filled");
        assert!(rec.trades.len() as u64 <= cap, "{path}: tape over its cap");
        let recorded = rec.samples.len() as f64 * SAMPLE_FOOTPRINT_BYTES
            + rec.trades.len() as f64 * TRADE_FOOTPRINT_BYTES;
        assert!(
            recorded <= budget.bytes + cap as f64 * TRADE_FOOTPRINT_BYTES
                && budget.bytes + cap as f64 * TRADE_FOOTPRINT_BYTES <= MEMORY_BUDGET_BYTES,
            "{path}: {recorded} bytes recorded, {} certain and a tape of {cap} rows budgeted",
            budget.bytes
        );
    }
}

const BASELINE: &str = include_str!("../../../scenarios/baseline.ron");

/// Baseline over 60 s with the tape capped at `cap` rows (or not recorded).
fn baseline_run(cap: u64, tape: bool) -> cascade_sim::Recording {
    let sets = [Override {
        path: "duration_s".into(),
        value: "60".into(),
    }];
    let s = prepare(BASELINE, &sets).unwrap();
    Simulation::new(&s, 3)
        .record_trades(tape)
        .tape_cap_rows(cap)
        .run()
}

#[test]
fn a_full_tape_stops_the_run_at_its_cap_with_the_same_rows_as_an_uncapped_run() {
    let free = baseline_run(u64::MAX, true);
    assert_eq!(free.tape_full, None);
    assert!(free.trades.len() > 1000, "{} trades", free.trades.len());
    let capped = baseline_run(1000, true);
    let full = capped.tape_full.expect("the tape filled");
    assert_eq!(full.rows, 1000);
    assert_eq!(capped.trades.len(), 1000);
    assert_eq!(full.end_ns, 60_000_000_000);
    // Stopped at the 1,001st trade: its time, and no event after it.
    let next = &free.trades[1000];
    assert_eq!(full.time_ns, next.time_ns);
    assert!(capped.counters.events_processed < free.counters.events_processed);
    assert!(capped.samples.len() < free.samples.len());
    for (a, b) in capped.trades.iter().zip(&free.trades) {
        assert_eq!(
            (a.time_ns, a.price, a.qty, a.maker_order, a.taker_order),
            (b.time_ns, b.price, b.qty, b.maker_order, b.taker_order)
        );
    }
    // Without a tape there is nothing to cap: the run goes to its end.
    let untaped = baseline_run(0, false);
    assert_eq!(untaped.tape_full, None);
    assert!(untaped.trades.is_empty());
    assert_eq!(
        untaped.counters.events_processed,
        free.counters.events_processed
    );
}

#[test]
fn the_tape_cap_is_what_the_budget_leaves_after_the_certain_part() {
    let b = Budget {
        bytes: 1000.0,
        ..Budget::default()
    };
    assert_eq!(b.tape_rows(1000.0 + 10.0 * TRADE_FOOTPRINT_BYTES), 10);
    assert_eq!(b.tape_rows(1000.0 + 10.5 * TRADE_FOOTPRINT_BYTES), 10);
    assert_eq!(b.tape_rows(999.0), 0);
}

#[test]
fn venue_day_is_admitted_with_room_for_the_tape_it_makes() {
    let s = prepare(include_str!("../../../scenarios/bench/venue-day.ron"), &[])
        .expect("venue-day passes the check");
    let b = Budget::of(&s);
    assert!(b.bytes <= MEMORY_BUDGET_BYTES && b.events <= MAX_EVENTS);
    // Its run (seed 1) records 7,963,578 trades; the orders bound alone would not admit it.
    let cap = b.tape_rows(MEMORY_BUDGET_BYTES);
    assert!(cap > 7_963_578, "cap {cap}");
    assert!(b.bytes + b.orders * TRADE_FOOTPRINT_BYTES > MEMORY_BUDGET_BYTES);
}

/// The accounts every venue of the run really holds (the fund's included).
fn allocated_accounts(s: &Scenario) -> f64 {
    let sim = Simulation::new(s, 1);
    sim.venues()
        .iter()
        .map(|v| v.accounts().len())
        .sum::<usize>() as f64
}

#[test]
fn the_budget_counts_an_account_per_agent_on_every_venue() {
    for text in [
        include_str!("../../../scenarios/bench/venues-1.ron"),
        include_str!("../../../scenarios/bench/venues-5.ron"),
        include_str!("../../../scenarios/flash-cascade.ron"),
    ] {
        let s = prepare(text, &[]).unwrap();
        let b = Budget::of(&s);
        assert_eq!(b.accounts, allocated_accounts(&s), "{}", s.name);
    }
    // venues-5: 7,020 agents and the shock account on each of five venues.
    let s = prepare(include_str!("../../../scenarios/bench/venues-5.ron"), &[]).unwrap();
    assert_eq!(Budget::of(&s).accounts, 5.0 * 7_021.0);

    // The same agents on one venue, then with one of their groups on a second venue: the
    // second venue costs its samples and one more account for every agent and the shocks.
    let market = |second: bool| {
        let noise = r#"Noise(name: "far", count: 100, rate_per_s: 0.5, limit_weight: 0.55,
            market_weight: 0.2, cancel_weight: 0.35, offset_ticks_mean: 4.0, size_min: 1,
            size_max: 10, max_orders: 4)"#;
        let (home, venues) = if second {
            (
                String::new(),
                format!(r#"VenueSpec(name: "v2", kind: Perp, agents: [{noise}])"#),
            )
        } else {
            (format!("{noise},"), String::new())
        };
        let text = format!(
            r#"Scenario(name: "two", duration_s: 60.0, sample_interval_s: 1.0,
    instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.00),
    agents: [{home}
        Maker(name: "makers", count: 4, refresh_s: 1.0, half_spread_ticks: 2, levels: 20,
              level_spacing_ticks: 5, size: 20),
        Leveraged(name: "longs", count: 1000, long_share: 1.0, collateral: 300.0,
                  leverage_min: 5.0, leverage_max: 50.0, entry_start_s: 0.0, entry_end_s: 60.0,
                  check_interval_s: 30.0),
    ],
    venues: [{venues}],
)"#
        );
        prepare(&text, &[]).unwrap()
    };
    let (one, two) = (market(false), market(true));
    let (b1, b2) = (Budget::of(&one), Budget::of(&two));
    assert_eq!((b1.accounts, b2.accounts), (1_105.0, 2.0 * 1_105.0));
    assert_eq!(b1.accounts, allocated_accounts(&one));
    assert_eq!(b2.accounts, allocated_accounts(&two));
    let second_venue = (b2.samples - b1.samples) * SAMPLE_FOOTPRINT_BYTES + 1_105.0 * ACCOUNT_BYTES;
    assert_eq!(b2.bytes - b1.bytes, second_venue);
    // An account is not free: the difference above would not see a zero.
    const { assert!(ACCOUNT_BYTES >= 48.0) };
}

#[test]
fn the_tape_cap_is_the_runs_shared_by_its_venues_not_each_venues() {
    const CONTAGION: &str = include_str!("../../../scenarios/contagion.ron");
    let sets = [
        Override::parse("duration_s=660").unwrap(),
        Override::parse("shocks=[]").unwrap(),
    ];
    let s = prepare(CONTAGION, &sets).unwrap();
    let venues = 1 + s.venues.len() as u64;
    assert_eq!(venues, 5);
    let free = Simulation::new(&s, 1).run();
    let all = |r: &cascade_sim::Recording| {
        r.trades.len() as u64
            + r.venues
                .iter()
                .map(|v| v.recording.trades.len() as u64)
                .sum::<u64>()
    };
    assert!(all(&free) > 20_000, "{} trades", all(&free));
    let cap = 10_000;
    let capped = Simulation::new(&s, 1).tape_cap_rows(cap).run();
    let full = capped.tape_full.expect("the tapes filled");
    // Each venue holds at most its share; the run at most the cap; the report counts all.
    assert!(capped.trades.len() as u64 <= cap / venues);
    for v in &capped.venues {
        assert!(
            v.recording.trades.len() as u64 <= cap / venues,
            "{}",
            v.name
        );
    }
    assert!(all(&capped) <= cap, "{} rows", all(&capped));
    assert_eq!(full.rows, all(&capped));
    assert!(full.rows >= cap / venues, "{} rows", full.rows);
}
