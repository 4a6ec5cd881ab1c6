//! The liquidation engine end to end: the shipped scenarios meet their properties, the ledger
//! invariant holds on random markets, and cascades record their causality.

use cascade_sim::{prepare, Override, Recording, Scenario, Simulation, Trigger};
use proptest::prelude::*;
use std::path::Path;

fn shipped(name: &str, sets: &[&str]) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(name);
    let text = std::fs::read_to_string(path).unwrap();
    let o: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    prepare(&text, &o).unwrap()
}

fn run(s: &Scenario) -> Recording {
    let rec = Simulation::new(s, s.seed).audit(true).run();
    assert_eq!(rec.audit, None, "the ledger invariant broke");
    rec
}

fn drawdown_pct(rec: &Recording) -> f64 {
    let mut peak = i64::MIN;
    let mut worst = 0.0f64;
    for m in rec.samples.iter().filter_map(|s| s.mid_x2()) {
        peak = peak.max(m);
        worst = worst.max((peak - m) as f64 * 100.0 / peak as f64);
    }
    worst
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn spread_bps(s: &cascade_sim::Sample) -> Option<f64> {
    match (s.bid, s.ask) {
        (Some((b, _)), Some((a, _))) => Some((a.0 - b.0) as f64 * 2e4 / (a.0 + b.0) as f64),
        _ => None,
    }
}

#[test]
fn flash_cascade_is_a_multi_generation_cascade_that_doubles_the_drawdown() {
    let s = shipped("flash-cascade.ron", &[]);
    let rec = run(&s);
    let stats = rec.liquidation_stats();
    assert!(stats.max_generation >= 3, "{stats:?}");
    let stress = rec.stress_from_ns.expect("the shock marks the stress");
    let before = |x: &&cascade_sim::Sample| x.time_ns < stress;
    let spread_base = median(
        rec.samples
            .iter()
            .filter(before)
            .filter_map(spread_bps)
            .collect(),
    );
    let spread_peak = rec
        .samples
        .iter()
        .filter_map(spread_bps)
        .fold(0.0, f64::max);
    assert!(
        spread_peak / spread_base >= 5.0,
        "spread {spread_base} → {spread_peak}"
    );
    let depth_base = median(
        rec.samples
            .iter()
            .filter(before)
            .map(|x| x.depth_1pct.0 as f64)
            .collect(),
    );
    let depth_min = rec
        .samples
        .iter()
        .map(|x| x.depth_1pct.0 as f64)
        .fold(f64::MAX, f64::min);
    assert!(
        depth_min / depth_base <= 0.3,
        "depth {depth_base} → {depth_min}"
    );

    let without = run(&shipped(
        "flash-cascade.ron",
        &["liquidation.enabled=false"],
    ));
    assert!(without.liquidations.is_empty());
    let (with_dd, without_dd) = (drawdown_pct(&rec), drawdown_pct(&without));
    assert!(
        with_dd >= 2.0 * without_dd,
        "drawdown {with_dd}% with liquidations, {without_dd}% without"
    );
}

#[test]
fn cascade_generations_follow_their_parents() {
    let rec = run(&shipped("flash-cascade.ron", &[]));
    let gen_of = |id: u32| {
        rec.liquidations
            .iter()
            .find(|l| l.id == id)
            .map(|l| l.generation)
    };
    for l in &rec.liquidations {
        match l.trigger {
            Trigger::Liquidation(parent) => {
                assert_eq!(Some(l.generation), gen_of(parent).map(|g| g + 1), "{l:?}");
            }
            _ => assert_eq!(l.generation, 0, "{l:?}"),
        }
    }
    assert!(rec
        .liquidations
        .iter()
        .any(|l| matches!(l.trigger, Trigger::Liquidation(_))));
}

#[test]
fn calm_market_has_few_liquidations_and_spreads_near_baseline() {
    let rec = run(&shipped("calm.ron", &[]));
    assert!(
        rec.liquidation_stats().count <= 5,
        "{:?}",
        rec.liquidation_stats()
    );
    let spreads: Vec<f64> = rec.samples.iter().filter_map(spread_bps).collect();
    let base = median(spreads.clone());
    let mut sorted = spreads;
    sorted.sort_by(f64::total_cmp);
    let p95 = sorted[sorted.len() * 95 / 100];
    assert!(
        p95 <= 3.0 * base,
        "95th percentile spread {p95} bps, median {base} bps"
    );
}

/// Median |mid − index| / index over the two-sided samples, bps.
fn median_abs_basis_bps(rec: &Recording) -> f64 {
    median(
        rec.samples
            .iter()
            .filter_map(|s| Some((s.mid_x2()? as f64 / 2.0, s.index?.0 as f64)))
            .map(|(mid, ix)| (mid - ix).abs() / ix * 1e4)
            .collect(),
    )
}

/// Runs calm on seed 4 with `sets`: (median |basis| in bps, the basis arbitrageurs' final
/// positions).
fn calm_seed_4(sets: &[&str]) -> (f64, Vec<i64>) {
    let mut sets = sets.to_vec();
    sets.push("seed=4");
    let s = shipped("calm.ron", &sets);
    let mut sim = Simulation::new(&s, s.seed).audit(true);
    sim.run_until(sim.end_ns());
    // Agents 1404–1407: after 200 noise traders, 4 makers and 1,200 leveraged traders.
    let arbs = sim.positions()[1404..1408].to_vec();
    let rec = sim.finish();
    assert_eq!(rec.audit, None);
    (median_abs_basis_bps(&rec), arbs)
}

#[test]
fn calm_makers_anchored_on_the_index_hold_the_basis_where_the_arbitrageurs_capacity_runs_out() {
    // Seed 4: the crowd and the noise traders end net short about 1,600 lots. With makers
    // quoting around their own mid alone, the four arbitrageurs buy to their 400-lot limit and
    // nothing else pulls the book back: the perp wanders below the index.
    let (off, arbs) = calm_seed_4(&["agents.makers.index_weight=0"]);
    assert!(off >= 10.0, "without the anchor seed 4 misses: {off} bps");
    assert_eq!(arbs, vec![400; 4], "the arbitrageurs' capacity binds");
    // As shipped the makers centre half way to the index and take the imbalance themselves.
    let (on, arbs) = calm_seed_4(&[]);
    assert!(
        on < 10.0 && on < off / 2.0,
        "anchored: {on} bps (off: {off})"
    );
    assert!(
        arbs.iter().all(|p| p.abs() < 400),
        "capacity to spare: {arbs:?}"
    );
}

#[test]
fn a_thin_fund_forces_auto_deleveraging_at_the_bankruptcy_price() {
    let rec = run(&shipped("adl.ron", &[]));
    let stats = rec.liquidation_stats();
    assert!(stats.adl_count > 0, "{stats:?}");
    assert!(
        rec.ledger.fund_min >= 0,
        "the fund never goes negative under ADL"
    );
    for a in &rec.adl {
        assert_ne!(a.bankrupt, a.counterparty);
        assert!(a.qty > 0 && a.price > 0.0);
    }
}

#[test]
fn socialised_loss_spreads_bad_debt_and_keeps_the_ledger() {
    // The Custom engine's socialised loss (adl.ron ships on Binance, whose waterfall hands what
    // the fund cannot hold to ADL whatever `shortfall` says).
    let rec = run(&shipped(
        "adl.ron",
        &[
            "venue=Custom",
            "liquidation=LiquidationSpec(enabled: true, step_fraction: 1.0, cooldown_s: 0.5, \
             execution: Market, fee_rate: 0.005, insurance_fund: 0.0, shortfall: SocializedLoss)",
        ],
    ));
    let stats = rec.liquidation_stats();
    assert!(stats.count > 0);
    // Bad debt is what the fund could not cover: collected from winners step by step, plus a
    // deficit still carried at the end — to the unit.
    let collected: i64 = rec.liquidations.iter().map(|l| l.socialized).sum();
    assert!(
        collected > 0,
        "the book's fills below bankruptcy left a deficit"
    );
    assert_eq!(
        rec.ledger.bad_debt,
        collected + (-rec.ledger.fund_end).max(0)
    );
    // ADL only takes what the book could not close in MAX_DRY_STEPS steps in a row: every ADL
    // step closed nothing in the book and follows dry steps of the same liquidation.
    for (i, l) in rec.liquidations.iter().enumerate() {
        if l.adl_qty == 0 {
            continue;
        }
        assert_eq!(l.book_qty, 0, "{l:?}");
        let dry = rec.liquidations[..i]
            .iter()
            .rev()
            .filter(|p| p.id == l.id)
            .take_while(|p| p.book_qty == 0 && p.adl_qty == 0)
            .count() as u32;
        assert!(dry + 1 >= cascade_sim::venue::MAX_DRY_STEPS, "{l:?}");
    }
    // No spinning: a step that cannot fill is retried a bounded number of times.
    let steps = rec.counters.liquidation_steps;
    assert!(
        steps < 10 * stats.count,
        "{steps} steps for {} liquidations",
        stats.count
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    /// Over random leveraged markets the audit never fires: positions sum to zero, and
    /// cash + fund equals deposits after every event.
    #[test]
    fn ledger_invariant_holds_on_random_markets(
        seed in 0u64..10_000,
        shock in 2_000i64..20_000,
        fund in 0.0f64..200_000.0,
        lev_max in 10.0f64..100.0,
        step in 0.2f64..1.0,
        socialized in any::<bool>(),
        ioc in any::<bool>(),
        mark in 0usize..3,
    ) {
        let marks = ["Mid", "Last", "EmaMid(half_life_s: 1.0)"];
        // The Custom engine, whose `shortfall` rule this drives (flash-cascade ships on Binance,
        // whose waterfall has no shortfall rule).
        let s = shipped("flash-cascade.ron", &[
            "venue=Custom",
            "duration_s=300", "agents.longs.entry_end_s=100", "agents.shorts.entry_end_s=100",
            "agents.longs.count=150", "agents.shorts.count=150",
            "shocks[0].at_s=150", "shocks[0].over_s=60",
            &format!("shocks[0].qty={shock}"),
            &format!("liquidation.insurance_fund={fund}"),
            &format!("agents.longs.leverage_max={lev_max}"),
            &format!("liquidation.step_fraction={step}"),
            if socialized { "liquidation.shortfall=SocializedLoss" } else { "liquidation.shortfall=Adl" },
            if ioc { "liquidation.execution=IocAtBankruptcy" } else { "liquidation.execution=Market" },
            &format!("mark={}", marks[mark]),
        ]);
        let rec = Simulation::new(&s, seed).audit(true).run();
        prop_assert_eq!(rec.audit.clone(), None);
    }
}

/// flash-cascade through every venue preset's waterfall, with the ledger audit on and the
/// engine's assertion that ADL takes only what the fund cannot hold: every preset runs, its
/// lots add up (book + fund + ADL = liquidated), the fund works off all it took over when the
/// book lets it, and only the presets whose fund trades hold positions.
#[test]
fn flash_cascade_runs_through_every_preset_waterfall_under_the_audit() {
    for venue in ["Binance", "Bybit", "OKX", "BitMEX", "Hyperliquid"] {
        let s = shipped(
            "flash-cascade.ron",
            &[
                &format!("venue={venue}"),
                "duration_s=1500",
                "liquidation=LiquidationSpec(insurance_fund: 1000000.0)",
                // flash-cascade has no index to fund against: the waterfall alone here.
                "funding.enabled=false",
            ],
        );
        let rec = run(&s);
        let stats = rec.liquidation_stats();
        assert!(stats.count > 0, "{venue}: no liquidation");
        let (book, fund, adl): (i64, i64, i64) = rec.liquidations.iter().fold((0, 0, 0), |t, l| {
            (t.0 + l.book_qty, t.1 + l.fund_qty, t.2 + l.adl_qty)
        });
        assert_eq!(book + fund + adl, stats.volume, "{venue}");
        let c = &rec.counters;
        assert_eq!(fund as u64, c.fund_takeover_lots, "{venue}");
        assert!(c.fund_workoff_lots <= c.fund_takeover_lots, "{venue}");
        match venue {
            "OKX" => assert_eq!(fund, 0, "OKX's fund holds no positions"),
            _ => assert!(fund > 0, "{venue}: the fund took nothing over"),
        }
        if venue == "Hyperliquid" {
            assert!(c.backstop_takeovers > 0, "the vault took no account over");
        }
    }
}
