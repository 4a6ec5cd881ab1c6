//! Several venues in one run, inside the simulator: every venue's ledger holds under the
//! audit while an arbitrageur trades across them; a perpetual's index built from a spot venue
//! follows that venue's mid; a perpetual with no index is left alone by another venue's index
//! clock; a one-venue scenario gives the same recording with `venues: []` written out.

use cascade_sim::{prepare, Override, Scenario, Simulation};

/// A home perpetual with no index, a second perpetual whose index is spot-x's mid, and spot-x;
/// an arbitrageur trades all three; a sell program on the home venue.
const MARKET: &str = r#"Scenario(
    name: "venues", duration_s: 300.0, sample_interval_s: 1.0,
    latency: Latency(base_us: 100.0, jitter_us: 50.0),
    instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.00),
    venue_name: "a",
    liquidation: LiquidationSpec(insurance_fund: 100000.0),
    agents: [
        Noise(name: "noise-a", count: 50, rate_per_s: 0.5, limit_weight: 0.55, market_weight: 0.20,
              cancel_weight: 0.35, offset_ticks_mean: 4.0, size_min: 1, size_max: 10, max_orders: 4),
        Maker(name: "makers-a", count: 2, refresh_s: 1.0, half_spread_ticks: 2, levels: 10,
              level_spacing_ticks: 5, size: 20, skew_ticks_per_lot: 0.01),
        CrossArb(name: "arb", count: 2, venues: ["a", "b", "x"], mean_wake_s: 0.2,
                 capital: 100000.0, leverage: 5.0, max_position: 2000, max_size: 100,
                 entry_bps: 10.0, exit_bps: 2.0, latency_us: 1000.0),
    ],
    venues: [
        VenueSpec(name: "b", kind: Perp, preset: Binance,
            index_sources: Some(IndexSources(sources: [Venue(name: "x", weight: 1.0)])),
            agents: [
                Noise(name: "noise-b", count: 50, rate_per_s: 0.5, limit_weight: 0.55,
                      market_weight: 0.20, cancel_weight: 0.35, offset_ticks_mean: 4.0,
                      size_min: 1, size_max: 10, max_orders: 4),
                Maker(name: "makers-b", count: 2, refresh_s: 1.0, half_spread_ticks: 2,
                      levels: 10, level_spacing_ticks: 5, size: 20, skew_ticks_per_lot: 0.01),
            ]),
        VenueSpec(name: "x", kind: Spot, agents: [
            Noise(name: "noise-x", count: 50, rate_per_s: 0.5, limit_weight: 0.55,
                  market_weight: 0.20, cancel_weight: 0.35, offset_ticks_mean: 4.0,
                  size_min: 1, size_max: 10, max_orders: 4),
            Maker(name: "makers-x", count: 2, refresh_s: 1.0, half_spread_ticks: 2, levels: 10,
                  level_spacing_ticks: 5, size: 20, skew_ticks_per_lot: 0.01),
        ]),
    ],
    shocks: [MarketSell(at_s: 100.0, qty: 3000, over_s: 30.0)],
)"#;

fn scenario() -> Scenario {
    prepare(MARKET, &[]).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_venue_ledger_holds_while_an_arbitrageur_trades_across_them() {
    let s = scenario();
    let rec = Simulation::new(&s, 1).audit(true).run();
    assert!(rec.audit.is_none(), "{:?}", rec.audit);
    assert_eq!(rec.venues.len(), 2);
    // The arbitrageurs (agents 52 and 53) traded on every venue: the program's gap on the home
    // venue is arbitraged against b and x.
    let traded = |trades: &[cascade_sim::Trade]| {
        trades
            .iter()
            .filter(|t| (52..54).contains(&t.taker.0) || (52..54).contains(&t.maker.0))
            .count()
    };
    assert!(
        traded(&rec.trades) > 0,
        "no arbitrage trade on the home venue"
    );
    for v in &rec.venues {
        assert!(
            traded(&v.recording.trades) > 0,
            "no arbitrage trade on {}",
            v.name
        );
    }
}

#[test]
fn a_perp_index_built_from_a_spot_venue_follows_its_mid_and_a_perp_without_one_has_none() {
    let s = scenario();
    let rec = Simulation::new(&s, 2).run();
    let b = &rec.venues[0].recording;
    let x = &rec.venues[1].recording;
    // At every sample after the first second, b's index is x's mid at the previous index tick
    // (one second earlier): within a tick of x's mid one sample before.
    let mut compared = 0;
    for (i, row) in b.samples.iter().enumerate().skip(2) {
        let (Some(ix), Some(prev_mid_x2)) = (row.index, x.samples[i - 1].mid_x2()) else {
            continue;
        };
        assert!(
            (2 * ix.0 - prev_mid_x2).abs() <= 2,
            "at {} s b's index {} against x's mid {}",
            row.time_ns / 1_000_000_000,
            ix.0,
            prev_mid_x2 as f64 / 2.0
        );
        compared += 1;
    }
    assert!(compared > 250, "{compared}");
    // The home venue has no index: the index clock b's sources run does not give it one.
    assert!(rec.samples.iter().all(|r| r.index.is_none()));
    // The spot venue has neither an index nor margin accounts to liquidate.
    assert!(x.samples.iter().all(|r| r.index.is_none()));
    assert!(x.liquidations.is_empty());
}

/// The scenario with its sell program moved to venue `venue`.
fn program_on(venue: &str) -> Result<Scenario, cascade_sim::ScenarioError> {
    let set = format!(
        "shocks=[MarketSell(at_s: 100.0, qty: 3000, over_s: 30.0, venue: Some(\"{venue}\"))]"
    );
    prepare(MARKET, &[Override::parse(&set).unwrap()])
}

#[test]
fn a_sell_program_on_a_spot_venue_trades_there_and_reaches_the_perp_through_its_index() {
    let s = program_on("x").unwrap_or_else(|e| panic!("{e}"));
    let rec = Simulation::new(&s, 1).audit(true).run();
    assert!(rec.audit.is_none(), "{:?}", rec.audit);
    // The shock account is the one after the 158 agents (54 on a, 52 on b, 52 on x).
    let shock = 158;
    let (b, x) = (&rec.venues[0].recording, &rec.venues[1].recording);
    let sold = |trades: &[cascade_sim::Trade]| {
        trades
            .iter()
            .filter(|t| t.taker.0 == shock)
            .map(|t| t.qty.0)
            .sum::<i64>()
    };
    assert_eq!(sold(&rec.trades), 0, "the program traded on the home venue");
    assert_eq!(sold(&b.trades), 0, "the program traded on b");
    assert!(sold(&x.trades) > 1000, "{}", sold(&x.trades));
    // x's mid and b's index (built from x alone) fall over the program; the run's stress
    // starts at the program.
    let at = |r: &cascade_sim::Recording, s: usize| r.samples[s].mid_x2().unwrap() as f64 / 2.0;
    assert!(
        at(x, 135) < at(x, 99) * 0.995,
        "{} {}",
        at(x, 99),
        at(x, 135)
    );
    let ix = |s: usize| b.samples[s].index.unwrap().0 as f64;
    assert!(ix(136) < ix(99) * 0.995, "{} {}", ix(99), ix(136));
    assert_eq!(rec.stress_from_ns, Some(100_000_000_000));
}

#[test]
fn a_sell_program_on_a_venue_that_does_not_exist_is_refused_naming_the_field() {
    let e = program_on("nowhere").unwrap_err().to_string();
    assert!(e.contains("shocks[0].venue"), "{e}");
    assert!(e.contains("no venue named \"nowhere\""), "{e}");
}

/// The scenario with `sets` applied.
fn with(sets: &[&str]) -> Result<Scenario, cascade_sim::ScenarioError> {
    let sets: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    prepare(MARKET, &sets)
}

#[test]
fn another_perps_rule_sections_override_its_preset_as_the_top_level_ones_do_the_home_venues() {
    use cascade_sim::scenario::{Execution, Preset};
    let s = scenario();
    let b = s.venue_view(1);
    let binance = Preset::Binance.liquidation();
    assert_eq!(b.liquidation.rules(b.venue), binance, "the preset alone");
    let s = with(&[
        "venues.b.liquidation.enabled=false",
        "venues.b.liquidation.execution=IocAtBankruptcy",
        "venues.b.fees.taker_ppm=700",
        "venues.b.initial_margin_gate=false",
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    let b = s.venue_view(1);
    let rules = b.liquidation.rules(b.venue);
    assert!(!rules.enabled);
    assert_eq!(rules.execution, Execution::IocAtBankruptcy);
    assert_eq!(
        rules.fee_rate, binance.fee_rate,
        "a field left out: the preset's"
    );
    assert_eq!(b.fee_rules().taker_ppm, 700);
    assert!(!b.gate_on());
    // The home venue keeps its own.
    assert!(s.liquidation.rules(s.venue).enabled);
    assert!(s.warnings().is_empty());
}

#[test]
fn a_bad_rule_of_another_perp_is_named_under_it_and_a_spot_venue_refuses_rules() {
    let e = with(&["venues.b.liquidation.fee_rate=0.7"])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("venues[0].liquidation.fee_rate: must be below 0.5"),
        "{e}"
    );
    // Binance sends remainders to its fund: a shortfall rule there would be ignored.
    let e = with(&["venues.b.liquidation.shortfall=SocializedLoss"])
        .unwrap_err()
        .to_string();
    assert!(e.contains("venues[0].liquidation.shortfall"), "{e}");
    assert!(
        e.contains("`preset: Custom`") && !e.contains("`venue: Custom`"),
        "{e}"
    );
    let e = with(&["venues.b.funding.cap_bps=1"])
        .unwrap_err()
        .to_string();
    assert!(e.contains("venues[0].funding.cap_bps"), "{e}");
    for (set, field) in [
        ("venues.x.liquidation.enabled=false", "liquidation"),
        ("venues.x.funding.enabled=false", "funding"),
        ("venues.x.mark=Last", "mark"),
        ("venues.x.fees.taker_ppm=1", "fees"),
        ("venues.x.initial_margin_gate=true", "initial_margin_gate"),
    ] {
        let e = with(&[set]).unwrap_err().to_string();
        assert!(
            e.contains(&format!("venues[1].{field}: a spot venue has no margin")),
            "{set}: {e}"
        );
    }
}

#[test]
fn liquidations_off_at_the_top_warn_of_each_perp_that_still_liquidates() {
    let s = with(&["liquidation.enabled=false"]).unwrap();
    let w = s.warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("\"a\" only: perpetual \"b\" still liquidates"),
        "{w:?}"
    );
    assert!(w[0].contains("venues.b.liquidation.enabled=false"), "{w:?}");
    let s = with(&[
        "liquidation.enabled=false",
        "venues.b.liquidation.enabled=false",
    ])
    .unwrap();
    assert!(s.warnings().is_empty());
}
