//! Cost per liquidation inside a whole run, as the accounts in the market grow from 10^3 to
//! 10^6: `cargo bench -p cascade-sim --bench liquidation_run [-- [--venues 1|5] [N ...]]`.
//!
//! The market holds N leveraged accounts at 2x (a sell-off of a few percent never reaches
//! them) and 1,000 accounts at 50x that a sell program liquidates, whatever N is. The cost per
//! liquidation is the time of the liquidation window with the engine on, less the same
//! window with the engine off, divided by the liquidations: it should not depend on N, since a
//! mark move pops only the accounts it crosses. Prints one row per N.
//!
//! With five venues (issue 12) the N accounts are spread over five perpetual venues, N/5 on
//! each (every venue with its own makers), and the 1,000 victims and the sell program are on
//! the home venue: every venue holds an account for every agent, so the run holds 5 × (N +
//! 1,000 + its makers and noise) accounts, and the liquidations happen among N/5 + 1,000.
//!
//! Each window is run five times with the engine on and five with it off, and the best of
//! each is kept: by the thread's CPU time (which leaves out the time a shared machine kept the
//! thread waiting) and, in brackets, by wall time.
//!
//! Arguments (all optional, after `--`): `--venues 1` or `--venues 5` (both by default) and
//! the values of N (10^3, 10^4, 10^5 and 10^6 by default).

use cascade_sim::accounts::Account;
use cascade_sim::agents::Agent;
use cascade_sim::{prepare, Override, Simulation};
use std::time::Instant;

const SHOCK_S: f64 = 120.0;
const WINDOW_S: f64 = 60.0;
/// Runs of each window, engine on and off: the best is kept.
const REPEATS: usize = 5;
/// Makers on every venue: enough depth for the crowd's entries there.
const MAKERS: &str = r#"Maker(name: "makers{v}", count: 4, refresh_s: 1.0, half_spread_ticks: 2,
              levels: 20, level_spacing_ticks: 5, size: 50)"#;

/// The crowd of `count` accounts at 2x, half long and half short, named for venue `v`.
fn crowd(v: &str, count: u32) -> String {
    let side = |name: &str, share: f64| {
        format!(
            r#"Leveraged(name: "crowd-{name}{v}", count: {half}, long_share: {share:.1},
                  collateral: 50.0, leverage_min: 2.0, leverage_max: 2.0, entry_start_s: 0.0,
                  entry_end_s: 100.0, check_interval_s: 3e8)"#,
            half = count / 2
        )
    };
    format!("{},\n{}", side("long", 1.0), side("short", 0.0))
}

/// N crowd accounts over `venues` venues (N / venues on each), the victims on the home venue.
fn scenario(n: u32, venues: u32) -> String {
    let per_venue = n / venues;
    let others: Vec<String> = (2..=venues)
        .map(|v| {
            let v = format!("-{v}");
            format!(
                "VenueSpec(name: \"v{v}\", kind: Perp, agents: [\n{},\n{}])",
                MAKERS.replace("{v}", &v),
                crowd(&v, per_venue)
            )
        })
        .collect();
    format!(
        r#"Scenario(
    name: "scale", duration_s: 200.0, sample_interval_s: 1.0,
    instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.00),
    mark: Mid,
    liquidation: LiquidationSpec(insurance_fund: 1000000000.0, shortfall: SocializedLoss),
    agents: [
        Noise(name: "noise", count: 50, rate_per_s: 0.5, limit_weight: 0.55, market_weight: 0.2,
              cancel_weight: 0.35, offset_ticks_mean: 4.0, size_min: 1, size_max: 10, max_orders: 4),
        {makers},
        {crowd},
        Leveraged(name: "victims", count: 1000, long_share: 1.0, collateral: 20.0,
                  leverage_min: 50.0, leverage_max: 50.0, entry_start_s: 100.0, entry_end_s: 110.0,
                  check_interval_s: 3e8),
    ],
    venues: [{others}],
    shocks: [MarketSell(at_s: {SHOCK_S}, qty: 15000, over_s: 10.0)],
)"#,
        makers = MAKERS.replace("{v}", ""),
        crowd = crowd("", per_venue),
        others = others.join(",\n")
    )
}

/// CPU time of this thread so far, seconds (`CLOCK_THREAD_CPUTIME_ID`): on a shared machine it
/// leaves out the time the thread waited for a core, which wall time does not.
fn thread_cpu_s() -> f64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

/// One run's liquidation window.
#[derive(Clone, Copy)]
struct Window {
    /// Wall time, seconds.
    wall: f64,
    /// CPU time of the thread, seconds.
    cpu: f64,
    liquidations: usize,
    /// Accounts the run holds over all its venues.
    accounts: usize,
}

/// The liquidation window of one run.
fn window(n: u32, venues: u32, engine: bool) -> Window {
    let text = scenario(n, venues);
    let sets = [Override::parse(&format!("liquidation.enabled={engine}")).unwrap()];
    let s = prepare(&text, &sets).expect("bench scenario is valid");
    let mut sim = Simulation::new(&s, 1).record_trades(false);
    sim.run_until((SHOCK_S * 1e9) as i64 - 1);
    let (start, cpu_start) = (Instant::now(), thread_cpu_s());
    sim.run_until(((SHOCK_S + WINDOW_S) * 1e9) as i64);
    let wall = start.elapsed().as_secs_f64();
    let cpu = thread_cpu_s() - cpu_start;
    let accounts = sim.venues().iter().map(|v| v.accounts().len()).sum();
    let rec = sim.finish();
    Window {
        wall,
        cpu,
        liquidations: rec.liquidation_stats().count as usize,
        accounts,
    }
}

/// One table: a row per N, best of `REPEATS` on and off (by CPU time and, separately, by wall
/// time), the ratio to the first row.
fn table(venues: u32, ns: &[u32]) {
    println!("{venues} venue(s), best of {REPEATS}; CPU time of the thread (wall time):");
    println!(
        "{:>10} {:>12} {:>6} {:>22} {:>22} {:>24}",
        "accounts", "all venues", "liqs", "window on, ms", "window off, ms", "ns/liquidation"
    );
    let mut base = None;
    for &n in ns {
        // Best of several, to keep the other load of a shared machine out.
        let best = |engine| {
            let runs: Vec<Window> = (0..REPEATS).map(|_| window(n, venues, engine)).collect();
            let min = |f: fn(&Window) -> f64| runs.iter().map(f).fold(f64::MAX, f64::min);
            (min(|w| w.cpu), min(|w| w.wall), runs[0])
        };
        let (on_cpu, on_wall, first) = best(true);
        let (off_cpu, off_wall, _) = best(false);
        let per = |on: f64, off: f64| (on - off).max(0.0) / first.liquidations.max(1) as f64 * 1e9;
        let (cpu, wall) = (per(on_cpu, off_cpu), per(on_wall, off_wall));
        let ratio = cpu / *base.get_or_insert(cpu);
        println!(
            "{:>10} {:>12} {:>6} {:>11.3} ({:>8.3}) {:>11.3} ({:>8.3}) {:>6.0} ({:>6.0}) {ratio:.2}x",
            n + 1000,
            first.accounts,
            first.liquidations,
            on_cpu * 1e3,
            on_wall * 1e3,
            off_cpu * 1e3,
            off_wall * 1e3,
            cpu,
            wall
        );
    }
}

fn main() {
    // `cargo bench` passes `--bench`; the rest are this bench's own arguments.
    let mut venues = vec![1u32, 5];
    let mut ns = Vec::new();
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    while let Some(a) = args.next() {
        if a == "--venues" {
            let v = args.next().and_then(|v| v.parse().ok());
            venues = vec![v.filter(|v| [1, 5].contains(v)).expect("--venues 1 or 5")];
        } else {
            ns.push(a.parse::<u32>().expect("N: a whole number of accounts"));
        }
    }
    if ns.is_empty() {
        ns = vec![1_000, 10_000, 100_000, 1_000_000];
    }
    let per_account = std::mem::size_of::<Agent>() + std::mem::size_of::<Account>() + 16;
    println!("memory per leveraged account: about {per_account} bytes (agent with its ChaCha stream, account, order list) + one index entry");
    println!(
        "an account on each further venue: {} bytes (every venue holds one for every agent)",
        std::mem::size_of::<Account>()
    );
    for v in venues {
        table(v, &ns);
    }
}
