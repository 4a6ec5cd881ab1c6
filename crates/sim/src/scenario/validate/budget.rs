//! The run's budget: every rate and interval bounded so that the run a scenario asks for fits
//! in memory and in time.
//!
//! # The derivation
//!
//! **Resolution.** The clock counts whole nanoseconds and every wait is rounded to one. An
//! interval of at least [`MIN_INTERVAL_S`] (1 µs) moves by at most 0.05% in that rounding; a
//! shorter one would silently run as another (0.4 ns runs as 1 ns). So every interval (a field
//! named `…interval_s`, `…refresh_s` or `…wake_s`) is at least 1 µs, and every rate (a field
//! named `…rate_per_s`) at most [`MAX_RATE_PER_S`] = 1 / 1 µs.
//!
//! **Jumps.** The jumps of one step of the index (or one advance of the fundamental, read at
//! least once per sample) are drawn at once, Poisson(rate × step), and at most 1,000 are
//! applied. With rate × step ≤ [`MAX_JUMPS_PER_STEP`] = 100 the cap is never reached in
//! practice (P(Poisson(100) > 1,000) < 1e-300), and the draw itself stays cheap.
//!
//! **Time.** A run's work is its kernel events (wake-ups, order arrivals, samples, index and
//! volatility ticks, shock slices) plus its jump draws. Expected counts: a Poisson process of
//! rate r over the duration D gives r·D, a periodic one of interval i gives D/i; a wake-up
//! sends at most the instructions its kind can send (a noise trader 2, a leveraged trader 1,
//! any other kind at most 2 × the orders it tracks + 1: cancel each, place as many again, and
//! one that does not rest), each one more event. The kernel runs at least 5 M events/s on the 2.2 GHz core the targets
//! assume (11 M/s on the benchmark machine, BENCHMARKS.md), so [`MAX_EVENTS`] = 3e9 keeps a
//! run within [`TIME_BUDGET_S`] = 10 minutes of one core.
//!
//! **Memory.** What grows with the parameters is the recording: per sample one series row and
//! 2 × `SNAPSHOT_LEVELS` book rows; per trade one row of the tape; per agent its state,
//! account and index entry ([`AGENT_BYTES`]) and a book node and a handle for each order it
//! may rest ([`RESTING_BYTES`]). What a recorded row costs at the peak is measured, not its
//! `size_of`: the report holds each table again as columns, as CSV text and as Parquet pages
//! while it writes it. `cascade run` of `baseline.ron` over 60 s peaked at 7.2 MB of resident
//! memory; with 150,000 samples (a 0.4 ms interval) at 1,135 MB, 7,700 bytes per sample
//! ([`SAMPLE_FOOTPRINT_BYTES`] = 8 KiB); with 746,031 trades (noise at 200 per second) at
//! 296 MB, 396 bytes per trade ([`TRADE_FOOTPRINT_BYTES`] = 400). `venue-day.ron` (7,963,578
//! trades, 86,400 samples) peaked at 3,052,288 KB: at most 393 bytes per trade even if its
//! samples cost nothing, so 400 holds at scale too. The sum stays within
//! [`MEMORY_BUDGET_BYTES`] = 4 GiB: a third of a 12 GiB laptop, or two runs of a sweep on each
//! 8 GiB of a cluster node. Checked at the bound: the same 60 s with a sample every 114.57 µs
//! (524,000 samples, just inside the bound) peaked at 3,775,468 KB (3.6 GiB) and took 49 s.
//! A multi-venue run holds an account for every agent on every venue: each beyond the
//! agent's own costs [`ACCOUNT_BYTES`].
//!
//! **Certain cost at check time, the tape at run time.** The samples, book snapshots, agents
//! and resting orders are known from the scenario, and `cascade check` refuses a scenario
//! whose certain part is over the budget. The tape is not: the only bound the scenario gives
//! is one row per order that can trade (a trade fills its incoming order or its resting one
//! completely, and each order reaches the book once), and for a realistic market that is
//! ten times what trades — `venue-day.ron` would need over 30 GiB by it and peaks at 3 GiB.
//! So the check counts the orders ([`Budget::orders`], for the report of what a run may do)
//! but not their tape, and the run holds the tape to what the budget leaves after the certain part,
//! [`Budget::tape_rows`]: a trade past that cap stops the run (`Recording::tape_full`), and
//! the CLI refuses to write a folder for it. An admitted run therefore fits in the budget
//! whatever its market does, and a realistic one is not refused for a market it does not make.
//! A run without a tape (a sweep that keeps no run folders) has no cap to meet.
//!
//! A field over the budget is named with what it costs and the value the rest of the scenario
//! leaves it: its bound *here*, since the budget is on the product (rate × duration × agents).

use super::{numeric_fields, Validator};
use crate::agents::{Agent, AgentGroup, GroupSpec};
use crate::scenario::{Scenario, Shock};

/// Shortest interval, seconds: 1,000 nanoseconds of the clock.
pub const MIN_INTERVAL_S: f64 = 1e-6;
/// Largest rate, per second: one event per [`MIN_INTERVAL_S`].
pub const MAX_RATE_PER_S: f64 = 1e6;
/// Most expected jumps in one step of the index or one advance of the fundamental.
pub const MAX_JUMPS_PER_STEP: f64 = 100.0;
/// Wall time one run may take on one core, seconds.
pub const TIME_BUDGET_S: f64 = 600.0;
/// Kernel events per second of the slowest core the targets assume.
pub const EVENTS_PER_S: f64 = 5e6;
/// Most expected kernel events (and jump draws) in one run: [`TIME_BUDGET_S`] ×
/// [`EVENTS_PER_S`].
pub const MAX_EVENTS: f64 = TIME_BUDGET_S * EVENTS_PER_S;
/// Most memory one run's recording, agents and book may take, bytes.
pub const MEMORY_BUDGET_BYTES: f64 = 4.0 * 1024.0 * 1024.0 * 1024.0;
/// Peak memory per sample (a series row and a book snapshot of both sides) while it is
/// recorded and written: 7,700 bytes measured, rounded up (see the module).
pub const SAMPLE_FOOTPRINT_BYTES: f64 = 8192.0;
/// Peak memory per row of the trade tape while it is recorded and written: 396 bytes
/// measured on baseline, at most 393 on venue-day, rounded up (see the module).
pub const TRADE_FOOTPRINT_BYTES: f64 = 400.0;
/// Bytes per agent: its state (with its ChaCha stream), its account, its liquidation index
/// entry (48 bytes, measured by the liquidation bench).
pub const AGENT_BYTES: f64 =
    (std::mem::size_of::<Agent>() + std::mem::size_of::<crate::accounts::Account>() + 48) as f64;
/// Bytes of one more account: every venue of a multi-venue run holds one for every agent (zero
/// for an agent that does not trade there), beyond the one [`AGENT_BYTES`] counts.
pub const ACCOUNT_BYTES: f64 = std::mem::size_of::<crate::accounts::Account>() as f64;
/// Bytes per order an agent may rest: a 32-byte book node and an 8-byte handle in its list.
pub const RESTING_BYTES: f64 = 40.0;
/// The volatility clock's interval, seconds (`exogenous::VOL_INTERVAL_NS`).
const VOL_INTERVAL_S: f64 = 1.0;
/// Time between two slices of a scripted program, seconds (`exogenous::SHOCK_SLICE_S`).
const SHOCK_SLICE_S: f64 = 0.1;

/// How a source's cost grows with its field.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Scaling {
    /// In proportion (a rate, a count).
    Linear,
    /// In inverse proportion (an interval).
    Inverse,
}

/// What one field of the scenario costs: events and bytes that grow with it, and what the
/// thing it belongs to costs whatever its value (an agent's state).
#[derive(Clone, Debug)]
struct Source {
    path: String,
    value: f64,
    scaling: Scaling,
    events: f64,
    bytes: f64,
    fixed_bytes: f64,
}

/// The expected cost of a scenario's run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Budget {
    /// Expected kernel events and jump draws.
    pub events: f64,
    /// Expected rows of the series (samples).
    pub samples: f64,
    /// Expected orders reaching the book: an upper bound on the trade tape's rows (not
    /// budgeted: the tape is capped at run time, [`Budget::tape_rows`]).
    pub orders: f64,
    /// Accounts the run holds over all its venues: on each venue one per agent, one for the
    /// scripted shocks and one for the insurance fund when the fund trades.
    pub accounts: f64,
    /// Expected memory of what is certain (samples, book snapshots, agents, resting orders),
    /// bytes; the trade tape is not in it.
    pub bytes: f64,
}

impl Budget {
    /// The expected cost of running `s` (a scenario whose other fields are valid).
    pub fn of(s: &Scenario) -> Self {
        let (sources, base) = sources(s);
        let mut b = base;
        for src in &sources {
            b.events += src.events;
            b.bytes += src.bytes + src.fixed_bytes;
        }
        b
    }

    /// The most rows the trade tape may hold within `budget_bytes`: what the certain part
    /// leaves, at [`TRADE_FOOTPRINT_BYTES`] a row (0 when nothing is left).
    pub fn tape_rows(&self, budget_bytes: f64) -> u64 {
        let room = (budget_bytes - self.bytes).max(0.0);
        // `as` saturates; the floor keeps the cap a true bound.
        (room / TRADE_FOOTPRINT_BYTES).floor() as u64
    }
}

/// Each field that costs events or memory in proportion (or inverse proportion) to its value,
/// and the cost no field scales (the volatility clock, shock slices): `Budget` holds that
/// base, with the samples and orders of the whole run.
fn sources(s: &Scenario) -> (Vec<Source>, Budget) {
    let d = s.duration_s;
    let mut out = Vec::new();
    let mut base = Budget {
        events: d / VOL_INTERVAL_S,
        ..Budget::default()
    };
    // Every venue is sampled: a series row and a book snapshot each.
    let samples = d / s.sample_interval_s * (1 + s.venues.len()) as f64;
    base.samples = samples;
    out.push(Source {
        path: "sample_interval_s".into(),
        value: s.sample_interval_s,
        scaling: Scaling::Inverse,
        events: samples,
        bytes: samples * SAMPLE_FOOTPRINT_BYTES,
        fixed_bytes: 0.0,
    });
    // Each venue's rules: the home venue's top-level sections, another perpetual's own.
    let views: Vec<_> = (0..=s.venues.len() as u16)
        .map(|v| (v, s.venue_view(v)))
        .collect();
    for (v, view) in &views {
        let Some(f) = view.funding_rules() else {
            continue;
        };
        let at = match v {
            0 => String::new(),
            k => format!("venues[{}].", k - 1),
        };
        // Premium samples and payments: periodic events of the venue's funding clock.
        let samples = d / f.premium_sample_s;
        out.push(periodic(
            &format!("{at}funding.premium_sample_s"),
            f.premium_sample_s,
            samples,
        ));
        // A payment visits every account: count one unit of work per account and payment.
        let payments = d / f.pay_every_s;
        let accounts = s.agent_count() as f64 + 2.0;
        out.push(periodic(
            &format!("{at}funding.pay_every_s"),
            f.pay_every_s,
            payments * accounts,
        ));
    }
    if let Some(ix) = &s.index {
        let ticks = d / ix.interval_s;
        out.push(periodic("index.interval_s", ix.interval_s, ticks));
        out.push(rate("index.jump_rate_per_s", ix.jump_rate_per_s, d));
    }
    if let Some(f) = &s.fundamental {
        out.push(rate("fundamental.jump_rate_per_s", f.jump_rate_per_s, d));
    }
    // Every venue holds an account for every agent and the shock account, and one for its
    // fund when the fund trades: beyond each agent's own (in AGENT_BYTES), the rest cost
    // ACCOUNT_BYTES each, the agents' extra ones counted with their group.
    let n_venues = 1 + s.venues.len();
    let unit_quote = s.instrument.tick_size * s.instrument.lot_size;
    let rules: Vec<_> = views
        .iter()
        .map(|(_, view)| view.liquidation.rules(view.venue))
        .collect();
    let funds = rules
        .iter()
        .filter(|r| crate::venue::EngineConfig::new(r, unit_quote).fund_trades())
        .count();
    let extra_per_agent = (n_venues - 1) as f64;
    base.accounts = (s.agent_count() as f64 + 1.0) * n_venues as f64 + funds as f64;
    base.bytes += (n_venues + funds) as f64 * ACCOUNT_BYTES;
    for (venue, at, g) in s.groups() {
        let (field, value, scaling, wakes_per_agent) = wakes(g, d);
        let agents = f64::from(g.count());
        let wakes = agents * wakes_per_agent;
        let sends = sends_per_wake(g);
        let members =
            agents * (AGENT_BYTES + extra_per_agent * ACCOUNT_BYTES + resting(g) * RESTING_BYTES);
        // Orders that can trade: in proportion to the wake-ups, or per life of a leveraged
        // trader whatever its checks.
        let (scaled, fixed) = match g {
            AgentGroup::Leveraged(l) => {
                let lives = 1.0 + l.re_entry_delay_s.map_or(0.0, |r| d / r);
                // Steps of one takeover: by fraction, or one per tier; plus the dry steps a
                // remainder may wait before ADL.
                // The waterfall of the group's venue.
                let rules = &rules[usize::from(venue)];
                let steps = (1.0 / rules.step_fraction)
                    .ceil()
                    .max(s.margin.tiers.len() as f64)
                    + f64::from(crate::venue::MAX_DRY_STEPS);
                (0.0, agents * lives * (2.0 + steps))
            }
            _ => (wakes * placed_per_wake(g), 0.0),
        };
        base.orders += scaled + fixed;
        out.push(Source {
            path: format!("{at}.{field}"),
            value,
            scaling,
            events: wakes * (1.0 + sends),
            bytes: 0.0,
            fixed_bytes: members,
        });
    }
    for shock in &s.shocks {
        if let Shock::MarketSell { over_s, .. } | Shock::MarketBuy { over_s, .. } = shock {
            let slices = (over_s / SHOCK_SLICE_S).round().max(1.0);
            base.events += slices;
            base.orders += slices;
        }
    }
    // Any other interval (a field the lists above do not know yet) is the period of a process
    // that runs the whole run.
    if let Ok(tree) = serde_json::to_value(s) {
        let mut found = Vec::new();
        numeric_fields(&tree, String::new(), &mut found);
        for (path, x) in found {
            if path.ends_with("interval_s") && !out.iter().any(|src| src.path == path) {
                out.push(periodic(&path, x, d / x));
            }
        }
    }
    (out, base)
}

/// A periodic process: `count` events over the run, fewer as `interval` grows.
fn periodic(path: &str, interval: f64, count: f64) -> Source {
    Source {
        path: path.into(),
        value: interval,
        scaling: Scaling::Inverse,
        events: count,
        bytes: 0.0,
        fixed_bytes: 0.0,
    }
}

/// A Poisson process of jumps: rate × duration draws.
fn rate(path: &str, per_s: f64, duration_s: f64) -> Source {
    Source {
        path: path.into(),
        value: per_s,
        scaling: Scaling::Linear,
        events: per_s * duration_s,
        bytes: 0.0,
        fixed_bytes: 0.0,
    }
}

/// The field that sets how often a member of `g` wakes, its value, how the wake-ups scale with
/// it, and the expected wake-ups of one member over `duration_s`.
fn wakes(g: &AgentGroup, duration_s: f64) -> (&'static str, f64, Scaling, f64) {
    let every = |field, s: f64| (field, s, Scaling::Inverse, duration_s / s);
    match g {
        AgentGroup::Noise(n) => (
            "rate_per_s",
            n.rate_per_s,
            Scaling::Linear,
            n.rate_per_s * duration_s,
        ),
        AgentGroup::Maker(m) => every("refresh_s", m.refresh_s),
        // One wake-up in the whole run: the cost grows with the count.
        AgentGroup::OneShot(o) => ("count", f64::from(o.count), Scaling::Linear, 1.0),
        AgentGroup::Value(v) => every("mean_wake_s", v.mean_wake_s),
        AgentGroup::Momentum(m) => every("mean_wake_s", m.mean_wake_s),
        AgentGroup::AdaptiveMaker(a) => every("mean_wake_s", a.mean_wake_s),
        // The entry, then a check every check_interval_s on average.
        AgentGroup::Leveraged(l) => {
            let (f, x, sc, n) = every("check_interval_s", l.check_interval_s);
            (f, x, sc, n + 1.0)
        }
        AgentGroup::Fundamentalist(f) => every("mean_wake_s", f.mean_wake_s),
        AgentGroup::Arbitrageur(a) => every("mean_wake_s", a.mean_wake_s),
        AgentGroup::BasisArb(b) => every("mean_wake_s", b.mean_wake_s),
        AgentGroup::PythonAgent(p) => every("wake_every_s", p.wake_every_s),
        AgentGroup::CrossArb(c) => every("mean_wake_s", c.mean_wake_s),
        AgentGroup::CrossMaker(c) => every("refresh_s", c.refresh_s),
    }
}

/// The most orders one member of `g` may rest at once.
fn resting(g: &AgentGroup) -> f64 {
    let n = match g {
        AgentGroup::Noise(s) => s.max_resting(),
        AgentGroup::Maker(s) => s.max_resting(),
        AgentGroup::OneShot(s) => s.max_resting(),
        AgentGroup::Value(s) => s.max_resting(),
        AgentGroup::Momentum(s) => s.max_resting(),
        AgentGroup::AdaptiveMaker(s) => s.max_resting(),
        AgentGroup::Leveraged(s) => s.max_resting(),
        AgentGroup::Fundamentalist(s) => s.max_resting(),
        AgentGroup::Arbitrageur(s) => s.max_resting(),
        AgentGroup::BasisArb(s) => s.max_resting(),
        AgentGroup::PythonAgent(s) => s.max_resting(),
        AgentGroup::CrossArb(s) => s.max_resting(),
        // Its ladder on each venue it quotes.
        AgentGroup::CrossMaker(s) => s.max_resting() * s.venues.len(),
    };
    n as f64
}

/// The most instructions one wake-up of a member of `g` sends: a noise trader one order and
/// the cancel of its oldest; a leveraged trader one (an entry, a stop-loss close or a deposit,
/// each path of its wake-up sends at most one); any other kind at most a cancel of each order
/// it tracks, as many new ones, and one that does not rest.
fn sends_per_wake(g: &AgentGroup) -> f64 {
    match g {
        AgentGroup::Noise(_) => 2.0,
        AgentGroup::Leveraged(_) => 1.0,
        // Two IOCs, one on each of two venues.
        AgentGroup::CrossArb(_) => 2.0,
        _ => 2.0 * resting(g) + 1.0,
    }
}

/// The most orders one wake-up of a member of `g` places (cancels never trade): a noise
/// trader one; any other kind as many as it tracks, and one that does not rest.
fn placed_per_wake(g: &AgentGroup) -> f64 {
    match g {
        AgentGroup::Noise(_) => 1.0,
        AgentGroup::CrossArb(_) => 2.0,
        _ => resting(g) + 1.0,
    }
}

impl Validator {
    /// The resolution, jump and budget bounds of every rate and interval (see the module).
    pub(super) fn budget(&mut self, s: &Scenario) {
        let Ok(tree) = serde_json::to_value(s) else {
            return;
        };
        let mut found = Vec::new();
        numeric_fields(&tree, String::new(), &mut found);
        for (path, x) in found {
            if self.errors.iter().any(|e| e.path == path) || !x.is_finite() {
                continue;
            }
            let interval = ["interval_s", "refresh_s", "wake_s"]
                .iter()
                .any(|k| path.ends_with(k));
            if interval && x < MIN_INTERVAL_S {
                self.err(
                    path,
                    format!(
                        "must be at least {MIN_INTERVAL_S:e} s (1 µs: the clock counts whole \
                         nanoseconds), got {x}"
                    ),
                );
            } else if path.ends_with("rate_per_s") && x > MAX_RATE_PER_S {
                self.err(
                    path,
                    format!(
                        "must be at most {MAX_RATE_PER_S:e} per second (one per µs: the clock \
                         counts whole nanoseconds), got {x}"
                    ),
                );
            }
        }
        self.jump_steps(s);
        // The budget is only meaningful once every field it reads is valid.
        if !self.errors.is_empty() {
            return;
        }
        let (sources, base) = sources(s);
        self.over_budget(
            &sources,
            base.events,
            |src| src.events,
            MAX_EVENTS,
            |n| {
                format!(
                    "{n:.3e} expected kernel events, over the {MAX_EVENTS:.1e} a run may have \
                 ({TIME_BUDGET_S} s at {EVENTS_PER_S:.0e} events/s)"
                )
            },
        );
        let fixed: f64 = base.bytes + sources.iter().map(|src| src.fixed_bytes).sum::<f64>();
        self.over_budget(
            &sources,
            fixed,
            |src| src.bytes,
            MEMORY_BUDGET_BYTES,
            |n| {
                format!(
                    "{:.2} GiB of samples, book snapshots, agents and resting orders (the \
                     trade tape is capped at run time), over the {:.0} GiB a run may hold",
                    n / 1073741824.0,
                    MEMORY_BUDGET_BYTES / 1073741824.0
                )
            },
        );
    }

    /// Jumps per step within [`MAX_JUMPS_PER_STEP`]: the index steps every `interval_s`, the
    /// fundamental is advanced at least once per sample.
    fn jump_steps(&mut self, s: &Scenario) {
        let check = |v: &mut Self, path: &str, per_s: f64, step_path: &str, step_s: f64| {
            if v.errors
                .iter()
                .any(|e| e.path == path || e.path == step_path)
            {
                return;
            }
            if per_s * step_s > MAX_JUMPS_PER_STEP {
                let bound = MAX_JUMPS_PER_STEP / step_s;
                v.err(
                    path,
                    format!(
                        "gives {:.3e} expected jumps per step of {step_path} ({step_s} s), over \
                         the {MAX_JUMPS_PER_STEP} drawn at once without loss; at most {bound:e} \
                         here",
                        per_s * step_s
                    ),
                );
            }
        };
        if let Some(ix) = &s.index {
            check(
                self,
                "index.jump_rate_per_s",
                ix.jump_rate_per_s,
                "index.interval_s",
                ix.interval_s,
            );
        }
        if let Some(f) = &s.fundamental {
            check(
                self,
                "fundamental.jump_rate_per_s",
                f.jump_rate_per_s,
                "sample_interval_s",
                s.sample_interval_s,
            );
        }
    }

    /// Refuses a run whose `cost` (summed over the sources, plus `fixed`) is over `ceiling`,
    /// naming the source that costs the most and the value the others leave it.
    fn over_budget(
        &mut self,
        sources: &[Source],
        fixed: f64,
        cost: impl Fn(&Source) -> f64,
        ceiling: f64,
        what: impl Fn(f64) -> String,
    ) {
        let total = fixed + sources.iter().map(&cost).sum::<f64>();
        if total <= ceiling {
            return;
        }
        let Some(top) = sources.iter().max_by(|a, b| cost(a).total_cmp(&cost(b))) else {
            return;
        };
        let own = cost(top);
        let room = ceiling - (total - own);
        let bound = if room <= 0.0 {
            "no value of it fits with the rest of the scenario".to_string()
        } else {
            match top.scaling {
                Scaling::Linear => format!("at most {:e} here", top.value * room / own),
                Scaling::Inverse => format!("at least {:e} here", top.value * own / room),
            }
        };
        self.err(
            top.path.clone(),
            format!(
                "{} makes the run need {} (this field costs the most); {bound}",
                top.value,
                what(total)
            ),
        );
    }
}
