//! Agents and engine options of the leverage issue, each against a counterfactual.

use cascade_sim::{prepare, Override, Recording, Scenario, Simulation};

const MARKET: &str = r#"Scenario(
    name: "t",
    duration_s: 600.0,
    sample_interval_s: 1.0,
    instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.00),
    mark: Mid,
    index: Some(IndexSpec(interval_s: 1.0, path: [(0.0, 100.0), (600.0, 100.0)])),
    margin: MarginSpec(tiers: [
        Tier(notional_cap: 2000.0, max_leverage: 50.0, maintenance_rate: 0.01),
        Tier(notional_cap: 10000.0, max_leverage: 20.0, maintenance_rate: 0.02),
        Tier(notional_cap: 1e12, max_leverage: 10.0, maintenance_rate: 0.05),
    ]),
    liquidation: LiquidationSpec(insurance_fund: 100000.0),
    agents: [
        Noise(name: "noise", count: 100, rate_per_s: 0.5, limit_weight: 0.55, market_weight: 0.2,
              cancel_weight: 0.35, offset_ticks_mean: 4.0, size_min: 1, size_max: 10, max_orders: 4),
        Maker(name: "makers", count: 2, refresh_s: 1.0, half_spread_ticks: 2, levels: 20,
              level_spacing_ticks: 5, size: 20),
        Leveraged(name: "longs", count: 100, long_share: 1.0, collateral: 400.0,
                  leverage_min: 15.0, leverage_max: 20.0, entry_start_s: 0.0, entry_end_s: 100.0),
        Leveraged(name: "shorts", count: 100, long_share: 0.0, collateral: 400.0,
                  leverage_min: 2.0, leverage_max: 3.0, entry_start_s: 0.0, entry_end_s: 100.0),
    ],
    shocks: [MarketSell(at_s: 300.0, qty: 6000, over_s: 30.0)],
)"#;

fn scenario(sets: &[&str]) -> Scenario {
    let o: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    prepare(MARKET, &o).unwrap_or_else(|e| panic!("{e}"))
}

fn run(s: &Scenario) -> Recording {
    let rec = Simulation::new(s, 3).audit(true).run();
    assert_eq!(rec.audit, None);
    rec
}

#[test]
fn down_one_tier_closes_only_enough_to_leave_the_tier() {
    let rec = run(&scenario(&[
        "liquidation.step_mode=DownOneTier",
        "liquidation.cooldown_s=5",
    ]));
    let first_steps: Vec<_> = rec
        .liquidations
        .iter()
        .filter(|l| rec.liquidations.iter().filter(|m| m.id == l.id).count() > 1)
        .collect();
    assert!(
        !first_steps.is_empty(),
        "some takeovers need more than one step: {:?}",
        rec.liquidation_stats()
    );
    let whole = run(&scenario(&[]));
    assert!(whole
        .liquidations
        .iter()
        .all(|l| l.book_qty + l.adl_qty > 0));
    let steps_per =
        |r: &Recording| r.liquidations.len() as f64 / r.liquidation_stats().count.max(1) as f64;
    assert!(
        steps_per(&rec) > steps_per(&whole),
        "{} vs {}",
        steps_per(&rec),
        steps_per(&whole)
    );
}

fn end_gap_bps(rec: &Recording) -> f64 {
    let tail: Vec<f64> = rec
        .samples
        .iter()
        .rev()
        .take(60)
        .filter_map(|s| s.mid_x2())
        .map(|m| m as f64 / 2.0)
        .collect();
    let mid = tail.iter().sum::<f64>() / tail.len() as f64;
    (mid - 10_000.0).abs() / 10_000.0 * 1e4
}

#[test]
fn arbitrageurs_and_fundamentalists_pull_the_price_back_to_the_index() {
    let without = run(&scenario(&["liquidation.enabled=false"]));
    let text = MARKET.replace(
        "    ],\n    shocks",
        "        Arbitrageur(name: \"arbs\", count: 4, mean_wake_s: 2.0, edge_bps: 10.0, max_size: 200, max_position: 5000),\n        Fundamentalist(name: \"funds\", count: 20, mean_wake_s: 10.0, threshold_bps: 20.0, lots_per_bps: 1.0, max_size: 100),\n    ],\n    shocks",
    );
    let with = prepare(
        &text,
        &[Override::parse("liquidation.enabled=false").unwrap()],
    )
    .unwrap();
    let with = run(&with);
    let (a, b) = (end_gap_bps(&with), end_gap_bps(&without));
    assert!(
        a < b / 2.0,
        "distance to the index at the end: {a} bps with, {b} bps without"
    );
}

#[test]
fn a_maker_on_margin_can_itself_be_liquidated() {
    let s = scenario(&[
        "agents.makers.collateral=Some(50.0)",
        "agents.makers.skew_ticks_per_lot=0.0",
    ]);
    let rec = run(&s);
    let makers = [100u32, 101];
    assert!(
        rec.liquidations.iter().any(|l| makers.contains(&l.account)),
        "a thinly capitalised maker absorbing the sell program is liquidated"
    );
}

/// Long traders that sold on their own (not through the liquidation engine).
fn self_closed_longs(rec: &Recording) -> Vec<u32> {
    let longs = 102u32..202;
    let liquidated: Vec<u32> = rec.liquidations.iter().map(|l| l.account).collect();
    let mut ids: Vec<u32> = rec
        .trades
        .iter()
        .filter(|t| t.taker_side == cascade_book::Side::Sell && longs.contains(&t.taker.0))
        .map(|t| t.taker.0)
        .filter(|a| !liquidated.contains(a))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

#[test]
fn stop_losses_close_positions_themselves() {
    let base = run(&scenario(&[]));
    assert!(
        self_closed_longs(&base).is_empty(),
        "without stops, longs only leave through the engine"
    );
    let stopped = run(&scenario(&[
        "agents.longs.stop_loss_pct=Some(1.0)",
        "agents.longs.check_interval_s=1.0",
    ]));
    assert!(
        self_closed_longs(&stopped).len() >= 10,
        "{:?}",
        self_closed_longs(&stopped)
    );
}

#[test]
fn top_ups_are_declared_deposits_that_save_positions() {
    let base = run(&scenario(&[]));
    let topped = run(&scenario(&[
        "agents.longs.top_up=Some(TopUp(below_margin_ratio: 3.0, amount: 400.0, max_times: 3))",
        "agents.longs.check_interval_s=1.0",
    ]));
    assert!(topped.counters.deposits > 0);
    assert!(
        topped.ledger.deposits > base.ledger.deposits,
        "deposits enter the ledger"
    );
    assert!(topped.liquidation_stats().count < base.liquidation_stats().count);
}

#[test]
fn traders_re_enter_after_liquidation_only_when_asked() {
    let once = run(&scenario(&[]));
    assert_eq!(once.counters.deposits, 0);
    let again = run(&scenario(&["agents.longs.re_entry_delay_s=Some(20.0)"]));
    assert!(
        again.counters.deposits > 0,
        "a re-entry deposits fresh collateral"
    );
    let accounts = |r: &Recording| {
        let mut a: Vec<u32> = r.liquidations.iter().map(|l| l.account).collect();
        a.sort_unstable();
        a.dedup();
        a.len()
    };
    assert!(again.liquidation_stats().count as usize >= accounts(&again));
}

#[test]
fn an_index_jump_liquidates_on_an_index_mark_with_the_shock_as_trigger() {
    let s = scenario(&["mark=Index", "shocks[0]=IndexJump(at_s: 300.0, pct: -8.0)"]);
    let rec = run(&s);
    let first = rec
        .liquidations
        .first()
        .expect("an 8% index drop liquidates 15-20x longs");
    assert_eq!(first.trigger, cascade_sim::Trigger::Shock(0));
    assert_eq!(first.generation, 0);
    assert_eq!(first.time_ns, 300_000_000_000);
}

#[test]
fn a_margin_change_liquidates_with_its_own_trigger() {
    let text = MARKET.replace(
        "shocks: [MarketSell(at_s: 300.0, qty: 6000, over_s: 30.0)]",
        "shocks: [MarketSell(at_s: 300.0, qty: 5000, over_s: 30.0), MarginChange(at_s: 335.0, maintenance_multiplier: 1.95)]",
    );
    let rec = run(&prepare(&text, &[]).unwrap());
    assert!(
        rec.liquidations
            .iter()
            .any(|l| l.trigger == cascade_sim::Trigger::MarginChange),
        "{:?}",
        rec.liquidation_stats()
    );
}

#[test]
fn a_maker_outage_pulls_its_quotes_at_once() {
    let s = scenario(&["shocks[0]=MakerOutage(at_s: 300.0, group: \"makers\", duration_s: 30.0)"]);
    let rec = run(&s);
    let depth_at = |t: i64| {
        rec.samples
            .iter()
            .find(|x| x.time_ns == t * 1_000_000_000)
            .unwrap()
            .depth_1pct
            .0
    };
    assert!(
        depth_at(300) * 2 < depth_at(299),
        "depth {} → {}",
        depth_at(299),
        depth_at(300)
    );
    assert!(
        depth_at(340) * 2 > depth_at(299),
        "the makers come back after the outage"
    );
}

fn lowest_trade(rec: &Recording) -> i64 {
    rec.trades.iter().map(|t| t.price.0).min().unwrap()
}

#[test]
fn quoting_arbitrageurs_rest_a_wall_that_a_sell_program_cannot_run_through() {
    let arbs = |quote: &str| {
        let text = MARKET.replace(
            "    ],\n    shocks",
            &format!("        Arbitrageur(name: \"arbs\", count: 4, mean_wake_s: 1.0, edge_bps: 5000.0, max_size: 3000, max_position: 10000{quote}),\n    ],\n    shocks"),
        );
        let s = prepare(
            &text,
            &[Override::parse("liquidation.enabled=false").unwrap()],
        )
        .unwrap();
        run(&s)
    };
    let taking = arbs("");
    let quoting = arbs(", quote_edge_bps: Some(100.0)");
    // The wall rests at index × (1 − 1%) = 99.00, within the re-quote tolerance of 10 bps.
    assert!(
        lowest_trade(&taking) < 9_890,
        "without quotes the program runs deeper: {}",
        lowest_trade(&taking)
    );
    assert!(
        lowest_trade(&quoting) >= 9_890,
        "the wall at 99.00 holds: lowest trade {}",
        lowest_trade(&quoting)
    );
    let arb_ids = 302u32..306;
    assert!(
        quoting
            .trades
            .iter()
            .any(|t| arb_ids.contains(&t.maker.0) && t.price.0 == 9_900),
        "the arbitrageurs' resting bid at 99.00 is what fills"
    );
}

/// manifest.json holds `to_ron()` of the scenario as run. Every kind and every optional section,
/// against the text written before the kinds moved into their own files.
#[test]
fn every_kind_reserialises_to_the_pinned_manifest_text() {
    let s = Scenario::parse(include_str!("data/every-kind.ron")).unwrap();
    s.validate().unwrap();
    let text = s.to_ron().unwrap();
    assert_eq!(text, include_str!("data/every-kind.to_ron"));
    assert_eq!(Scenario::parse(&text).unwrap(), s);
}
