//! Funding, fees and the initial-margin gate in a whole run, under the audit.

use cascade_sim::{prepare, Override, Simulation};

const EVERY_KIND: &str = include_str!("data/every-kind.ron");

fn run(sets: &[&str]) -> cascade_sim::Recording {
    let o: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    let s = prepare(EVERY_KIND, &o).unwrap();
    Simulation::new(&s, 3).audit(true).run()
}

#[test]
fn every_rule_on_keeps_the_ledger_and_pays_funding_on_its_clock() {
    // every-kind with funding paid every 5 s of a 20 s run, a maker rebate, the gate on.
    let rec = run(&["funding.pay_every_s=5"]);
    assert_eq!(
        rec.audit, None,
        "the audit holds with funding, fees and the gate"
    );
    let f = rec.funding.expect("funding is on");
    assert_eq!(f.payments, 4, "at 5, 10, 15 and 20 s");
    assert!(f.rate_max_abs_ppb > 0);
    assert!(rec.fees_on && rec.gate_on);
    assert!(rec.ledger.taker_fees > 0, "{:?}", rec.ledger);
    assert!(
        rec.ledger.maker_fees < 0,
        "the -100 ppm maker rate is a rebate: {:?}",
        rec.ledger
    );
    assert!(rec.samples.iter().all(|s| s.funding.is_some()));
}

#[test]
fn custom_rules_leave_the_run_as_it_was() {
    let rec = run(&[
        "funding.enabled=false",
        "fees.maker_ppm=0",
        "fees.taker_ppm=0",
        "initial_margin_gate=false",
    ]);
    assert_eq!(rec.audit, None);
    assert_eq!(rec.funding, None);
    assert!(!rec.fees_on && !rec.gate_on);
    assert_eq!((rec.ledger.maker_fees, rec.ledger.taker_fees), (0, 0));
    assert_eq!(rec.counters.rejected_margin, 0);
    assert!(rec.samples.iter().all(|s| s.funding.is_none()));
}

#[test]
fn a_venue_preset_switches_every_rule_on() {
    let mut s = cascade_sim::Scenario::parse(EVERY_KIND).unwrap();
    s.venue = cascade_sim::scenario::Preset::Binance;
    s.funding = Default::default();
    s.fees = Default::default();
    s.initial_margin_gate = None;
    // Binance's waterfall has no shortfall rule (what the fund cannot hold goes to ADL), so a
    // given one is refused.
    assert!(s.validate().is_err());
    s.liquidation.shortfall = None;
    s.validate().unwrap();
    let rec = Simulation::new(&s, 3).audit(true).run();
    assert_eq!(rec.audit, None);
    assert_eq!(
        rec.funding.map(|f| f.payments),
        Some(0),
        "8 h: no payment in 20 s"
    );
    assert!(rec.fees_on && rec.gate_on);
    assert!(rec.ledger.maker_fees > 0, "Binance's maker fee is 200 ppm");
}
