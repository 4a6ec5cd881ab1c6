//! Cost per liquidation inside a whole run, as the accounts in the market grow from 10^3 to
//! 10^6: `cargo bench -p cascade-sim --bench liquidation_run`.
//!
//! The market holds N leveraged accounts at 2x (a sell-off of a few percent never reaches
//! them) and 1,000 accounts at 50x that a sell program liquidates, whatever N is. The cost per
//! liquidation is the wall time of the liquidation window with the engine on, less the same
//! window with the engine off, divided by the liquidations: it should not depend on N, since a
//! mark move pops only the accounts it crosses. Prints one row per N.

use cascade_sim::accounts::Account;
use cascade_sim::agents::Agent;
use cascade_sim::{prepare, Override, Simulation};
use std::time::Instant;

const SHOCK_S: f64 = 120.0;
const WINDOW_S: f64 = 60.0;

fn scenario(crowd: u32) -> String {
    format!(
        r#"Scenario(
    name: "scale", duration_s: 200.0, sample_interval_s: 1.0,
    instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.00),
    mark: Mid,
    liquidation: LiquidationSpec(insurance_fund: 1000000000.0, shortfall: SocializedLoss),
    agents: [
        Noise(name: "noise", count: 50, rate_per_s: 0.5, limit_weight: 0.55, market_weight: 0.2,
              cancel_weight: 0.35, offset_ticks_mean: 4.0, size_min: 1, size_max: 10, max_orders: 4),
        Maker(name: "makers", count: 4, refresh_s: 1.0, half_spread_ticks: 2, levels: 20,
              level_spacing_ticks: 5, size: 50),
        Leveraged(name: "crowd-long", count: {half}, long_share: 1.0, collateral: 50.0,
                  leverage_min: 2.0, leverage_max: 2.0, entry_start_s: 0.0, entry_end_s: 100.0,
                  check_interval_s: 3e8),
        Leveraged(name: "crowd-short", count: {half}, long_share: 0.0, collateral: 50.0,
                  leverage_min: 2.0, leverage_max: 2.0, entry_start_s: 0.0, entry_end_s: 100.0,
                  check_interval_s: 3e8),
        Leveraged(name: "victims", count: 1000, long_share: 1.0, collateral: 20.0,
                  leverage_min: 50.0, leverage_max: 50.0, entry_start_s: 100.0, entry_end_s: 110.0,
                  check_interval_s: 3e8),
    ],
    shocks: [MarketSell(at_s: {SHOCK_S}, qty: 15000, over_s: 10.0)],
)"#,
        half = crowd / 2
    )
}

/// Wall time of the liquidation window and the liquidations in it.
fn window(crowd: u32, engine: bool) -> (f64, usize) {
    let text = scenario(crowd);
    let sets = [Override::parse(&format!("liquidation.enabled={engine}")).unwrap()];
    let s = prepare(&text, &sets).expect("bench scenario is valid");
    let mut sim = Simulation::new(&s, 1).record_trades(false);
    sim.run_until((SHOCK_S * 1e9) as i64 - 1);
    let start = Instant::now();
    sim.run_until(((SHOCK_S + WINDOW_S) * 1e9) as i64);
    let secs = start.elapsed().as_secs_f64();
    let rec = sim.finish();
    (secs, rec.liquidation_stats().count as usize)
}

fn main() {
    let per_account = std::mem::size_of::<Agent>() + std::mem::size_of::<Account>() + 16;
    println!("memory per leveraged account: about {per_account} bytes (agent with its ChaCha stream, account, order list) + one index entry");
    println!(
        "{:>10} {:>13} {:>14} {:>14} {:>16}",
        "accounts", "liquidations", "window on (s)", "window off (s)", "ns/liquidation"
    );
    let mut base = None;
    for crowd in [1_000u32, 10_000, 100_000, 1_000_000] {
        // Best of three, to keep the other load of a shared machine out.
        let best = |engine| {
            (0..3)
                .map(|_| window(crowd, engine))
                .fold((f64::MAX, 0), |a, b| if b.0 < a.0 { b } else { a })
        };
        let (on, liquidations) = best(true);
        let (off, _) = best(false);
        let per = (on - off).max(0.0) / liquidations.max(1) as f64 * 1e9;
        let ratio = per / *base.get_or_insert(per);
        println!(
            "{:>10} {:>13} {:>14.4} {:>14.4} {:>11.0} ({ratio:.2}x)",
            crowd + 1000,
            liquidations,
            on,
            off,
            per
        );
    }
}
