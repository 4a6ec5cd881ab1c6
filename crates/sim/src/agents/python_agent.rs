//! Agents whose decisions come from outside the crate: a host (the Python package) attaches a
//! [`Brain`] to each member after the simulation is built, and the member calls it at every
//! wake-up with a read-only [`View`]. The agent still lives in the event loop: its orders take
//! the scenario's latency and settle in its own account like any other agent's.
//!
//! The crate knows nothing of Python: a brain is any `Send` trait object. A member without a
//! brain (a host that attached none, e.g. the CLI) never wakes.

use super::{secs_to_ns, AccountView, Action, Agent, AgentKind, Behaviour, Ctx};
use super::{GroupSpec, MarketState, Member, OrderList};
use crate::rng::Rng;
use crate::scenario::{Fields, Scenario};
use cascade_book::Book;
use rand::Rng as _;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A group of agents driven from outside, as the scenario file writes it:
/// `PythonAgent(name: "buyers", count: 2, wake_every_s: 1.0, class: "examples.agents:Buyer")`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PythonAgentSpec {
    /// Group name, unique within the scenario.
    pub name: String,
    /// Number of agents.
    #[schemars(extend("x-unit" = "agents"))]
    pub count: u32,
    /// Time between two wake-ups, seconds (the first falls at a uniform random phase within
    /// the first period, drawn from the member's stream).
    #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
    pub wake_every_s: f64,
    /// What the host instantiates for each member (for Python: `module:Class`, or a name the
    /// caller registered).
    pub class: String,
    /// Largest order the host may send, lots (default 1,000,000; bounded as every order size
    /// is, so no account's cash can overflow).
    #[serde(default = "default_max_order_lots")]
    #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
    pub max_order_lots: i64,
    /// Collateral, quote currency: with it the agent's account is a margin account holding
    /// it, liquidated like a leveraged trader's; without, a plain account starting at zero.
    #[serde(default)]
    #[schemars(extend("x-unit" = "quote currency", "exclusiveMinimum" = 0))]
    pub collateral: Option<f64>,
}

fn default_max_order_lots() -> i64 {
    1_000_000
}

impl GroupSpec for PythonAgentSpec {
    type Agent = PythonAgent;

    fn validate(&self, f: &mut Fields<'_>, _: &Scenario) {
        f.positive("wake_every_s", self.wake_every_s);
        if self.class.trim().is_empty() {
            f.err("class", "must name the class the host instantiates");
        }
        f.lots("max_order_lots", self.max_order_lots);
        if let Some(c) = self.collateral {
            if f.positive("collateral", c) {
                f.money("collateral", c);
            }
        }
    }

    fn max_resting(&self) -> usize {
        MAX_RESTING
    }

    fn build(&self, member: &mut Member<'_>) -> PythonAgent {
        if let Some(c) = self.collateral {
            member.on_margin(c);
        }
        PythonAgent {
            class: self.class.clone(),
            period_ns: secs_to_ns(self.wake_every_s),
            seed: member.rng.gen(),
            max_order_lots: self.max_order_lots,
            brain: None,
        }
    }
}

/// Resting orders an external agent tracks (its oldest are forgotten beyond this).
const MAX_RESTING: usize = 256;

/// What the host supplies for one external agent.
pub trait Brain: Send {
    /// One wake-up: reads `view`, pushes instructions to `out`. Returns false to stop waking
    /// (the host failed and the run is being abandoned).
    fn wake(&mut self, view: &View<'_>, out: &mut Vec<Action>) -> bool;
}

/// What an external agent sees at a wake-up; read-only.
pub struct View<'a> {
    /// Simulated time, ns.
    pub now_ns: i64,
    /// End of the run, ns.
    pub end_ns: i64,
    /// The book as the exchange holds it now.
    pub book: &'a Book,
    /// Last trade, mark, index, volumes, volatility.
    pub market: &'a MarketState,
    /// The agent's own account.
    pub account: AccountView,
    /// Handles of the agent's resting orders, oldest first.
    pub orders: &'a OrderList,
    /// Largest order the agent may send, lots.
    pub max_order_lots: i64,
}

/// Who one external agent is, for the host building its brain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalAgent<'a> {
    /// Its agent index, which is also its account id (the `maker`/`taker` of trades).
    pub agent: u32,
    /// Its group's name.
    pub group: &'a str,
    /// Its index within the group.
    pub member: u32,
    /// The class the host should instantiate.
    pub class: &'a str,
    /// A seed drawn from the member's own stream: the host's random generator for this agent
    /// (deterministic with the run seed, independent of other agents).
    pub seed: u64,
}

/// An agent driven by an attached [`Brain`].
pub struct PythonAgent {
    class: String,
    period_ns: i64,
    seed: u64,
    max_order_lots: i64,
    brain: Option<Box<dyn Brain>>,
}

impl Behaviour for PythonAgent {
    fn first_wake(&mut self, end_ns: i64, rng: &mut Rng) -> Option<i64> {
        let t = rng.gen_range(1..=self.period_ns);
        (t <= end_ns).then_some(t)
    }

    /// Asks the brain; keeps only what the agent may send (sizes in bounds, cancels of its own
    /// resting orders), so a host cannot break the ledger's bounds or touch others' orders.
    fn wake(&mut self, ctx: &mut Ctx<'_>, _: &mut Rng, orders: &mut OrderList) -> Option<i64> {
        let brain = self.brain.as_mut()?;
        let view = View {
            now_ns: ctx.now_ns,
            end_ns: ctx.end_ns,
            book: ctx.book,
            market: ctx.market,
            account: ctx.account,
            orders,
            max_order_lots: self.max_order_lots,
        };
        let start = ctx.out.len();
        let go_on = brain.wake(&view, ctx.out);
        let max = self.max_order_lots;
        let mut i = start;
        while i < ctx.out.len() {
            let ok = match ctx.out[i] {
                Action::Limit { qty, price, .. } => (1..=max).contains(&qty.0) && price.0 >= 1,
                Action::Market { qty, .. } => (1..=max).contains(&qty.0),
                Action::Cancel(id) => (0..orders.len()).any(|k| orders.get(k) == Some(id)),
                Action::Deposit(_) => false,
            };
            if ok {
                i += 1;
            } else {
                ctx.out.remove(i);
            }
        }
        go_on.then_some(ctx.now_ns + self.period_ns)
    }
}

/// Gives every external agent of `agents` the brain `make` builds for it, in agent order.
pub(crate) fn attach(
    agents: &mut [Agent],
    groups: &[u16],
    group_names: &[String],
    mut make: impl FnMut(&ExternalAgent<'_>) -> Box<dyn Brain>,
) {
    let mut member = 0u32;
    for (i, agent) in agents.iter_mut().enumerate() {
        if i > 0 && groups[i] != groups[i - 1] {
            member = 0;
        }
        if let AgentKind::PythonAgent(p) = &mut agent.kind {
            let who = ExternalAgent {
                agent: i as u32,
                group: &group_names[groups[i] as usize],
                member,
                class: &p.class,
                seed: p.seed,
            };
            p.brain = Some(make(&who));
        }
        member += 1;
    }
}

impl super::AgentGroup {
    /// True for a group driven from outside ([`PythonAgentSpec`]): only a host that attaches
    /// brains can run it.
    pub fn is_external(&self) -> bool {
        matches!(self, super::AgentGroup::PythonAgent(_))
    }
}

impl Scenario {
    /// Refuses a scenario with agents driven from outside, for hosts that cannot attach brains
    /// (the CLI, sweeps): the message names the first such group.
    pub fn refuse_external(&self) -> Result<(), String> {
        match self.agents.iter().position(super::AgentGroup::is_external) {
            None => Ok(()),
            Some(i) => Err(format!(
                "agents[{i}] ({:?}): PythonAgent groups run only inside the Python package \
                 (cascade.run); the cascade CLI and sweeps cannot host Python agents",
                self.agents[i].name()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{prepare, Simulation};
    use cascade_book::{OrderId, Qty, Side};
    use std::sync::{Arc, Mutex};

    const SCENARIO: &str = r#"Scenario(
        name: "external",
        seed: 1,
        duration_s: 20.0,
        sample_interval_s: 1.0,
        latency: Latency(base_us: 100.0, jitter_us: 0.0),
        instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.0),
        mark: Mid,
        agents: [
            Maker(name: "makers", count: 1, refresh_s: 1.0, half_spread_ticks: 2, levels: 5,
                  level_spacing_ticks: 1, size: 50, skew_ticks_per_lot: 0.0),
            PythonAgent(name: "ext", count: 2, wake_every_s: 1.0, class: "C", max_order_lots: 3),
        ],
    )"#;

    /// Sends `script` at every wake and logs (agent, time) of each wake.
    struct Scripted {
        agent: u32,
        script: Vec<Action>,
        log: Arc<Mutex<Vec<(u32, i64)>>>,
    }

    impl Brain for Scripted {
        fn wake(&mut self, view: &View<'_>, out: &mut Vec<Action>) -> bool {
            self.log.lock().unwrap().push((self.agent, view.now_ns));
            out.extend(self.script.iter().copied());
            true
        }
    }

    /// (agent, time ns) of each wake.
    type Wakes = Vec<(u32, i64)>;
    /// (agent, member, seed) of each brain built.
    type Built = Vec<(u32, u32, u64)>;

    fn run_with(script: Vec<Action>) -> (crate::Recording, Wakes, Built) {
        let s = prepare(SCENARIO, &[]).unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut who = Vec::new();
        let sim = Simulation::new(&s, 9).attach_brains(|a| {
            assert_eq!(a.class, "C");
            assert_eq!(a.group, "ext");
            who.push((a.agent, a.member, a.seed));
            Box::new(Scripted {
                agent: a.agent,
                script: script.clone(),
                log: log.clone(),
            })
        });
        let rec = sim.run();
        let log = log.lock().unwrap().clone();
        (rec, log, who)
    }

    #[test]
    fn every_member_gets_a_brain_called_once_a_period_with_its_own_seed() {
        let (_, log, who) = run_with(Vec::new());
        assert_eq!(who.len(), 2);
        assert_eq!((who[0].0, who[0].1), (1, 0));
        assert_eq!((who[1].0, who[1].1), (2, 1));
        assert_ne!(who[0].2, who[1].2);
        let times: Vec<i64> = log.iter().filter(|w| w.0 == 1).map(|w| w.1).collect();
        assert_eq!(times.len(), 20, "one wake a second for 20 s: {times:?}");
        assert!(times.windows(2).all(|w| w[1] - w[0] == 1_000_000_000));
    }

    #[test]
    fn orders_from_a_brain_trade_in_the_book_and_settle_in_the_agent_s_account() {
        let buy = Action::Market {
            side: Side::Buy,
            qty: Qty(2),
        };
        let (rec, _, _) = run_with(vec![buy]);
        let mine: i64 = rec
            .trades
            .iter()
            .filter(|t| t.taker.0 == 1 && t.taker_side == Side::Buy)
            .map(|t| t.qty.0)
            .sum();
        // 20 wakes of 2 lots; the last may arrive after the end.
        assert!((38..=40).contains(&mine), "{mine}");
    }

    #[test]
    fn oversized_orders_and_cancels_of_orders_not_its_own_are_dropped() {
        let big = Action::Market {
            side: Side::Buy,
            qty: Qty(4),
        };
        let foreign = Action::Cancel(OrderId::new(0, 0));
        let (rec, _, _) = run_with(vec![big, foreign]);
        let (quiet, _, _) = run_with(Vec::new());
        // Nothing reached the venue: the run is the one of brains that send nothing.
        assert_eq!(rec.counters.arrivals, quiet.counters.arrivals);
        assert_eq!(rec.counters.cancels, quiet.counters.cancels);
        assert_eq!(rec.trades.len(), quiet.trades.len());
        assert!(rec.trades.iter().all(|t| t.taker.0 != 1 && t.taker.0 != 2));
    }

    #[test]
    fn without_a_brain_an_external_agent_never_acts_and_hosts_can_refuse_the_scenario() {
        let s = prepare(SCENARIO, &[]).unwrap();
        let rec = Simulation::new(&s, 9).run();
        assert!(rec.trades.iter().all(|t| t.taker.0 != 1 && t.maker.0 != 1));
        let e = s.refuse_external().unwrap_err();
        assert!(
            e.starts_with("agents[1] (\"ext\"): PythonAgent groups run only"),
            "{e}"
        );
        let calm = prepare(&SCENARIO.replace("PythonAgent(name: \"ext\", count: 2, wake_every_s: 1.0, class: \"C\", max_order_lots: 3),", ""), &[]).unwrap();
        assert_eq!(calm.refuse_external(), Ok(()));
    }

    #[test]
    fn the_section_is_validated() {
        let bad = SCENARIO
            .replace("wake_every_s: 1.0", "wake_every_s: 0.0")
            .replace("class: \"C\"", "class: \" \"")
            .replace("max_order_lots: 3", "max_order_lots: 0");
        let e = prepare(&bad, &[]).unwrap_err().to_string();
        for field in [
            "agents[1].wake_every_s",
            "agents[1].class",
            "agents[1].max_order_lots",
        ] {
            assert!(e.contains(field), "{field} in {e}");
        }
    }
}
