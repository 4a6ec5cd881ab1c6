//! A market maker quoting on two venues with one inventory: its fills on one venue move its
//! quotes on the other, so a sell program on the home venue reaches a spot market that no
//! arbitrageur and no index connects to it — and does not without the shared skew.

use cascade_sim::{prepare, Override, Recording, Scenario, Simulation};

/// A home venue `a` and a spot market `x`, each with noise and its own makers; one
/// cross-venue maker (agent 52) quotes on both; a sell program on `a`.
const MARKET: &str = r#"Scenario(
    name: "cross-maker", duration_s: 200.0, sample_interval_s: 1.0,
    latency: Latency(base_us: 100.0, jitter_us: 50.0),
    instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.00),
    venue_name: "a",
    agents: [
        Noise(name: "noise-a", count: 50, rate_per_s: 0.5, limit_weight: 0.55, market_weight: 0.20,
              cancel_weight: 0.35, offset_ticks_mean: 4.0, size_min: 1, size_max: 10, max_orders: 4),
        Maker(name: "makers-a", count: 2, refresh_s: 1.0, half_spread_ticks: 3, levels: 5,
              level_spacing_ticks: 5, size: 10, skew_ticks_per_lot: 0.01),
        CrossMaker(name: "shared", count: 1, venues: ["a", "x"], refresh_s: 0.5,
                   half_spread_ticks: 1, levels: 5, level_spacing_ticks: 2, size: 40,
                   skew_ticks_per_lot: 0.2, max_inventory: 5000),
    ],
    venues: [
        VenueSpec(name: "x", kind: Spot, agents: [
            Noise(name: "noise-x", count: 50, rate_per_s: 0.5, limit_weight: 0.55,
                  market_weight: 0.20, cancel_weight: 0.35, offset_ticks_mean: 4.0,
                  size_min: 1, size_max: 10, max_orders: 4),
            Maker(name: "makers-x", count: 2, refresh_s: 1.0, half_spread_ticks: 3, levels: 5,
                  level_spacing_ticks: 5, size: 10, skew_ticks_per_lot: 0.01),
        ]),
    ],
    shocks: [MarketSell(at_s: 60.0, qty: 2000, over_s: 20.0)],
)"#;

const SHARED: u32 = 52;

fn run(overrides: &[&str]) -> Recording {
    let overrides: Vec<Override> = overrides
        .iter()
        .map(|o| Override::parse(o).unwrap_or_else(|e| panic!("{o}: {e}")))
        .collect();
    let s: Scenario = prepare(MARKET, &overrides).unwrap_or_else(|e| panic!("{e}"));
    Simulation::new(&s, 7).audit(true).run()
}

/// The mid of venue x at `t_s`, ticks.
fn x_mid_at(rec: &Recording, t_s: i64) -> f64 {
    let x = &rec.venues[0].recording;
    let s = x
        .samples
        .iter()
        .find(|s| s.time_ns >= t_s * 1_000_000_000)
        .expect("a sample");
    let (b, a) = (s.bid.expect("a bid").0 .0, s.ask.expect("an ask").0 .0);
    (b + a) as f64 / 2.0
}

#[test]
fn a_cross_venue_maker_carries_one_venue_s_selling_to_the_other_through_its_inventory() {
    let shared = run(&[]);
    assert!(shared.audit.is_none(), "{:?}", shared.audit);
    // It quotes and is filled on both venues.
    let made =
        |trades: &[cascade_sim::Trade]| trades.iter().filter(|t| t.maker.0 == SHARED).count();
    assert!(made(&shared.trades) > 0, "no fill on a");
    assert!(made(&shared.venues[0].recording.trades) > 0, "no fill on x");
    // Bought on a during the program: long over both venues, so it quotes x lower and sells
    // there. Without the skew its x ladder stays at x's mid, and x barely moves.
    let flat = run(&["agents.shared.skew_ticks_per_lot=0"]);
    assert!(flat.audit.is_none(), "{:?}", flat.audit);
    let (before, after) = (x_mid_at(&shared, 55), x_mid_at(&shared, 85));
    let (flat_before, flat_after) = (x_mid_at(&flat, 55), x_mid_at(&flat, 85));
    let fall = before - after;
    let flat_fall = flat_before - flat_after;
    assert!(
        fall > 20.0 && fall > 2.0 * flat_fall.abs(),
        "x fell {fall} ticks with the shared skew and {flat_fall} without"
    );
}

/// The largest long inventory agent `SHARED` held over both venues, lots (trades in time order).
fn most_long(rec: &Recording) -> i64 {
    let mut fills: Vec<(i64, i64)> = [&rec.trades, &rec.venues[0].recording.trades]
        .iter()
        .flat_map(|t| t.iter())
        .filter_map(|t| {
            let q = t.qty.0;
            match (t.maker.0 == SHARED, t.taker.0 == SHARED, t.taker_side) {
                (true, _, cascade_book::Side::Sell) | (_, true, cascade_book::Side::Buy) => {
                    Some((t.time_ns, q))
                }
                (true, _, _) | (_, true, _) => Some((t.time_ns, -q)),
                _ => None,
            }
        })
        .collect();
    fills.sort_by_key(|&(t, _)| t);
    let mut held = 0;
    let mut most = 0;
    for (_, q) in fills {
        held += q;
        most = most.max(held);
    }
    most
}

#[test]
fn it_stops_quoting_the_side_that_would_grow_its_inventory_past_its_limit() {
    // One 40-lot quote a side and no skew, so only the limit holds its inventory back.
    let plain = [
        "agents.shared.levels=1",
        "agents.shared.skew_ticks_per_lot=0",
    ];
    // Unlimited (5,000 lots), the program leaves it long by far more than one quote (1,166
    // lots at most on this seed).
    let free = most_long(&run(&plain));
    // A limit of 20: once long 20 lots over both venues it posts no bid on either. Each wake
    // sees the inventory it holds then: a bid quoted under the limit can fill whole (40 lots)
    // before the next wake pulls it (59 at most on this seed).
    let rec = run(&[plain[0], plain[1], "agents.shared.max_inventory=20"]);
    assert!(rec.audit.is_none(), "{:?}", rec.audit);
    let limited = most_long(&rec);
    assert!(free > 20 + 40, "unlimited it was long at most {free} lots");
    assert!(limited <= 20 + 40, "long {limited} lots past a limit of 20");
}

/// Fills of agent `SHARED` as maker on both venues between `from_s` and `to_s`.
fn made_between(rec: &Recording, from_s: i64, to_s: i64) -> usize {
    [&rec.trades, &rec.venues[0].recording.trades]
        .iter()
        .flat_map(|t| t.iter())
        .filter(|t| {
            t.maker.0 == SHARED
                && t.time_ns >= from_s * 1_000_000_000
                && t.time_ns < to_s * 1_000_000_000
        })
        .count()
}

#[test]
fn with_withdraw_a_jump_on_one_venue_takes_it_out_of_both_books() {
    // The program (60-80 s) moves a's price more than 20 bps between two refreshes: the
    // maker pulls its ladders from both venues and stays out 30 s; without `withdraw` it
    // goes on quoting and is filled through the program.
    let stays = run(&[]);
    let away = run(&["agents.shared.withdraw=(move_bps: 20.0, cooldown_s: 30.0)"]);
    assert!(away.audit.is_none(), "{:?}", away.audit);
    let (before, during) = (made_between(&stays, 0, 60), made_between(&stays, 62, 90));
    let (away_before, away_during) = (made_between(&away, 0, 60), made_between(&away, 62, 90));
    assert!(
        during > 20,
        "{during} fills during the program without withdraw"
    );
    assert!(
        away_during * 10 <= during,
        "{away_during} fills with withdraw against {during} without"
    );
    // Before the program nothing moves 20 bps: it quotes as it does without.
    assert!(away_before > 0 && before > 0, "{away_before} {before}");
}
