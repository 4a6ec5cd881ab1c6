//! Agents: a closed set of kinds, each a plain struct with a `wake` method.
//!
//! An agent reads the market through [`Ctx`] — the book as the exchange holds it now, the last
//! trade, the fundamental — and writes [`Action`]s, which reach the exchange after the
//! scenario's latency. It learns the handle of an order that came to rest through
//! [`Agent::on_resting`]. Dispatch is a `match` over [`AgentKind`]: no trait objects.
//!
//! Each kind is self-contained in its file: its section of the scenario file (a spec struct
//! with `name` and `count` first, then the kind's own fields), the checks of that section
//! (`GroupSpec::validate`), how a member is built, and its behaviour ([`Behaviour`]). The list
//! in `agent_kinds!` turns the kinds into the closed enums [`AgentGroup`] (what the scenario
//! holds) and [`AgentKind`] (what the event loop runs).

mod adaptive_maker;
mod arbitrageur;
mod basis_arb;
mod cross_arb;
mod cross_maker;
mod flow;
mod fundamentalist;
mod leveraged;
mod maker;
mod momentum;
mod noise;
mod one_shot;
mod orders;
mod python_agent;
mod sizes;
mod value;

pub(crate) use adaptive_maker::flow_window_s;
pub use adaptive_maker::{AdaptiveMaker, AdaptiveMakerSpec, MakerQuotes};
pub use arbitrageur::{Arbitrageur, ArbitrageurSpec};
pub use basis_arb::{BasisArb, BasisArbSpec};
pub use cross_arb::{CrossArb, CrossArbSpec, Quote};
pub use cross_maker::{CrossMaker, CrossMakerSpec, CrossWithdraw};
pub use flow::FlowHistory;
pub use fundamentalist::{Fundamentalist, FundamentalistSpec};
pub use leveraged::{Leveraged, LeveragedSpec, TopUp};
pub use maker::{Maker, MakerSpec, MakerStress};
pub use momentum::{Momentum, MomentumSpec};
pub use noise::{Noise, NoiseSpec};
pub use one_shot::{OneShot, OneShotSpec, OneShotWake};
pub use orders::OrderList;
pub use python_agent::{Brain, ExternalAgent, PythonAgent, PythonAgentSpec, View};
pub use sizes::{OrderSizes, MIXTURE_MAX_LOTS};
pub use value::{AbidesBelief, Value, ValuePricing, ValueSpec};

use crate::accounts::Account;
use crate::fundamental::Fundamental;
use crate::margin::MarginTable;
use crate::rng::Rng;
use crate::rng::{stream, stream_id};
use crate::scenario::{Fields, Scenario};
use cascade_book::{Book, OrderId, Price, Qty, Side, Tif};
pub(crate) use python_agent::attach;
use rand::Rng as _;
use serde::{Deserialize, Serialize};

/// The closed list of agent kinds. An entry `Kind(KindSpec) => Store` names the variant of
/// [`AgentGroup`] (holding `KindSpec`) and of [`AgentKind`] (holding the agent struct `Kind` as
/// `Store`: the struct itself, or `Box<Kind>` for a large kind few agents have, so that every
/// agent is not as large as the largest kind), both defined in the kind's file; the doc line is
/// the variant's.
macro_rules! agent_kinds {
    ($($(#[doc = $doc:literal])* $kind:ident($spec:ident) => $store:ty,)+) => {
        /// A group of `count` identical agents of one kind, as the scenario file writes it:
        /// `Noise(name: "noise", count: 200, rate_per_s: 0.5, ...)`.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
        pub enum AgentGroup {
            $($(#[doc = $doc])* $kind($spec),)+
        }

        /// The closed set of agent kinds, each with its state.
        pub enum AgentKind {
            $($(#[doc = $doc])* $kind($store),)+
        }

        impl AgentGroup {
            /// The group's name.
            pub fn name(&self) -> &str {
                match self {
                    $(AgentGroup::$kind(s) => &s.name,)+
                }
            }

            /// The number of agents in the group.
            pub fn count(&self) -> u32 {
                match self {
                    $(AgentGroup::$kind(s) => s.count,)+
                }
            }

            /// Checks the kind's own fields (the group's name is checked by the caller).
            pub(crate) fn validate(&self, f: &mut Fields<'_>, scenario: &Scenario) {
                match self {
                    $(AgentGroup::$kind(s) => s.validate(f, scenario),)+
                }
            }

            /// One member of the group and the most resting orders it tracks.
            fn build(&self, member: &mut Member<'_>) -> (AgentKind, usize) {
                match self {
                    $(AgentGroup::$kind(s) => (AgentKind::$kind(s.build(member).into()), s.max_resting()),)+
                }
            }
        }

        impl Agent {
            /// The time of the first wake-up, or none.
            pub fn first_wake(&mut self, end_ns: i64) -> Option<i64> {
                let rng = &mut self.rng;
                match &mut self.kind {
                    $(AgentKind::$kind(a) => a.first_wake(end_ns, rng),)+
                }
            }

            /// Reads the market, writes actions to `ctx.out`, returns the next wake-up time.
            pub fn wake(&mut self, ctx: &mut Ctx<'_>) -> Option<i64> {
                self.orders.prune(ctx.book);
                let (rng, orders) = (&mut self.rng, &mut self.orders);
                match &mut self.kind {
                    $(AgentKind::$kind(a) => a.wake(ctx, rng, orders),)+
                }
            }
        }
    };
}

agent_kinds! {
    /// Poisson flow of limit, market and cancel orders around the mid.
    Noise(NoiseSpec) => Noise,
    /// Quote ladders refreshed on a fixed timer.
    Maker(MakerSpec) => Box<Maker>,
    /// Wakes once, at a U-shaped random time, and takes the opposite best price.
    OneShot(OneShotSpec) => OneShot,
    /// Observes the fundamental with noise and trades toward its estimate.
    Value(ValueSpec) => Value,
    /// Compares a short and a long moving average of mid and trades in that direction.
    Momentum(MomentumSpec) => Momentum,
    /// Ladders sized to a share of recent volume, half-spread adapted to the observed spread.
    AdaptiveMaker(AdaptiveMakerSpec) => Box<AdaptiveMaker>,
    /// Leveraged traders holding positions on margin.
    Leveraged(LeveragedSpec) => Leveraged,
    /// Fundamental traders reverting the mid toward the index or the fundamental.
    Fundamentalist(FundamentalistSpec) => Fundamentalist,
    /// Arbitrageurs pulling the book toward the index.
    Arbitrageur(ArbitrageurSpec) => Arbitrageur,
    /// Basis arbitrageurs trading the perpetual against the index and collecting funding.
    BasisArb(BasisArbSpec) => BasisArb,
    /// Agents whose decisions come from a host (the Python package) through a `Brain`.
    PythonAgent(PythonAgentSpec) => PythonAgent,
    /// Arbitrageurs taking price gaps between venues, within capital and position limits.
    CrossArb(CrossArbSpec) => CrossArb,
    /// Market makers quoting on several venues, every ladder shifted against one inventory.
    CrossMaker(CrossMakerSpec) => Box<CrossMaker>,
}

/// A kind's section of the scenario file: it checks itself and builds the group's members.
/// Every spec also has `name: String` and `count: u32`, read by [`AgentGroup`].
pub(crate) trait GroupSpec {
    /// The agent one member becomes.
    type Agent;

    /// Checks the kind's own fields, naming them through `f` (`agents[1].rate_per_s`).
    fn validate(&self, f: &mut Fields<'_>, scenario: &Scenario);

    /// The most resting orders one member tracks (the bound of its [`OrderList`]).
    fn max_resting(&self) -> usize;

    /// One member of the group; any draw comes from `member.rng`, before the run starts.
    fn build(&self, member: &mut Member<'_>) -> Self::Agent;
}

/// What an agent does when the event loop wakes it.
pub trait Behaviour {
    /// The time of the first wake-up (`end_ns` is the end of the run), or none.
    fn first_wake(&mut self, end_ns: i64, rng: &mut Rng) -> Option<i64>;

    /// Reads the market, writes actions to `ctx.out`, returns the next wake-up time.
    fn wake(&mut self, ctx: &mut Ctx<'_>, rng: &mut Rng, orders: &mut OrderList) -> Option<i64>;
}

/// One member of a group being built: its stream, its account and the instrument's units.
pub(crate) struct Member<'a> {
    /// The member's own stream.
    pub rng: &'a mut Rng,
    account: &'a mut Account,
    /// Price of one tick, quote currency.
    pub tick_size: f64,
    /// Quote currency per unit of cash.
    pub unit_quote: f64,
    /// The scenario (for what a member resolves by name, e.g. its venues).
    pub scenario: &'a Scenario,
}

impl Member<'_> {
    /// Makes the member's account a margin account holding `collateral`, quote currency.
    pub fn on_margin(&mut self, collateral: f64) {
        self.account.cash = (collateral / self.unit_quote).round() as i64;
        self.account.margin = true;
    }

    /// Moves `share.share` of the margin account's cash into units of the collateral asset
    /// `share.asset`, bought at its opening price (one unit is one unit of cash at a price
    /// of 1). The venue values them when the run starts.
    pub fn hold_collateral(&mut self, share: &crate::scenario::CollateralShare) {
        let Some(spec) = &self.scenario.collateral else {
            return;
        };
        let Some(asset) = spec.asset_id(&share.asset) else {
            return;
        };
        let moved = (self.account.cash as f64 * share.share).round() as i64;
        let opening = spec.assets[usize::from(asset)].opening_price();
        self.account.cash -= moved;
        self.account.collateral_units = (moved as f64 / opening).round() as i64;
        self.account.collateral_asset = asset;
    }
}

/// An order instruction on its way to the exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// A limit order.
    Limit {
        /// Buy or sell.
        side: Side,
        /// Limit price, ticks.
        price: Price,
        /// Quantity, lots.
        qty: Qty,
        /// Time in force.
        tif: Tif,
    },
    /// A market order.
    Market {
        /// Buy or sell.
        side: Side,
        /// Quantity, lots.
        qty: Qty,
    },
    /// Cancel a resting order of the agent's.
    Cancel(OrderId),
    /// Add collateral to the agent's account, units (a declared flow of the ledger).
    Deposit(i64),
}

/// What the market shows an agent beyond the book.
#[derive(Clone, Copy, Debug)]
pub struct MarketState {
    /// Price of the last trade (the initial price before any trade), ticks.
    pub last_price: Price,
    /// The mark price, ticks.
    pub mark: Price,
    /// Lots traded since the start of the run.
    pub cum_volume: i64,
    /// The index, ticks, when the scenario has one.
    pub index: Option<f64>,
    /// Realised volatility of one-second mid returns, basis points (an exponential average
    /// with a half-life of about 10 s, updated every second).
    pub vol_bps: f64,
    /// Lots bought by takers since the start.
    pub cum_taker_buy: i64,
    /// Lots sold by takers since the start.
    pub cum_taker_sell: i64,
    /// The funding rate of the last payment, per interval (a fraction; 0 before one, or
    /// without funding).
    pub funding_rate: f64,
    /// The rate the premium average so far would give at the next payment.
    pub predicted_funding_rate: f64,
    /// Time of the next funding payment, ns (0 without funding).
    pub next_funding_ns: i64,
}

impl MarketState {
    /// The market before any trade: last price and mark at `price`, nothing traded, no
    /// funding paid yet.
    pub fn opening(price: Price, index: Option<f64>) -> Self {
        Self {
            last_price: price,
            mark: price,
            cum_volume: 0,
            index,
            vol_bps: 0.0,
            cum_taker_buy: 0,
            cum_taker_sell: 0,
            funding_rate: 0.0,
            predicted_funding_rate: 0.0,
            next_funding_ns: 0,
        }
    }
}

/// The waking agent's own account, as the exchange sees it.
#[derive(Clone, Copy, Debug, Default)]
pub struct AccountView {
    /// Cash, units.
    pub cash: i64,
    /// Position, lots.
    pub position: i64,
    /// Signed entry value of the position, units.
    pub entry_value: i64,
    /// Equity at the mark, units.
    pub equity: i64,
    /// Maintenance margin at the mark, units (0 for accounts without margin).
    pub maintenance: i64,
    /// Completed liquidations of the account.
    pub liquidations: u32,
    /// True while the liquidation engine holds the account.
    pub in_liquidation: bool,
}

/// Everything an agent may read or write during one wake-up.
pub struct Ctx<'a> {
    /// Simulated time, ns.
    pub now_ns: i64,
    /// End of the run, ns.
    pub end_ns: i64,
    /// The book as the exchange holds it now.
    pub book: &'a Book,
    /// Last trade and volume.
    pub market: &'a MarketState,
    /// The waking agent's position, lots.
    pub position: i64,
    /// The waking agent's account.
    pub account: AccountView,
    /// The venue's margin table.
    pub margin: &'a MarginTable,
    /// The fundamental value, if the scenario has one.
    pub fundamental: Option<&'a mut Fundamental>,
    /// Instructions to send; the kernel delivers them after the latency.
    pub out: &'a mut Vec<Action>,
    /// Taker flow at the last whole seconds, when an agent of the scenario asks for a
    /// trailing window of it.
    pub flow: Option<&'a FlowHistory>,
    /// Every venue of the run, for an agent trading on several (none in unit tests).
    pub cross: Option<CrossCtx<'a>>,
}

/// What an agent trading on several venues reads and writes besides its own venue's `Ctx`.
pub struct CrossCtx<'a> {
    /// Every venue of the run, by id.
    pub venues: &'a [crate::venue::Venue],
    /// The waking agent (its account's index on every venue).
    pub agent: u32,
    /// Instructions to send to a venue by id; the kernel delivers them after the latency.
    pub routed: &'a mut Vec<(u16, Action)>,
}

impl Ctx<'_> {
    /// Twice the reference price in ticks: the mid when both sides rest, else the last trade.
    pub fn reference_x2(&self) -> i64 {
        self.book
            .l1()
            .mid_x2()
            .unwrap_or(2 * self.market.last_price.0)
    }

    /// Twice the centre of a ladder that weighs the index by `index_weight` against the
    /// reference price: (1 − w) × reference + w × index, to the half tick; the reference
    /// alone at weight 0 or without an index.
    pub fn anchored_x2(&self, index_weight: f64) -> i64 {
        let reference_x2 = self.reference_x2();
        match self.market.index {
            Some(ix) if index_weight > 0.0 && ix >= 1.0 => {
                let w = index_weight.min(1.0);
                ((1.0 - w) * reference_x2 as f64 + w * 2.0 * ix).round() as i64
            }
            _ => reference_x2,
        }
    }
}

/// One agent: its random stream, its resting orders and its kind-specific state.
pub struct Agent {
    /// The agent's own ChaCha stream.
    pub rng: Rng,
    /// Handles of its orders that came to rest (some may since have filled).
    pub orders: OrderList,
    /// What kind of agent and its state.
    pub kind: AgentKind,
}

impl AgentKind {
    /// The venues a cross-venue agent trades on (it holds an account on each, and its
    /// instructions are routed to them); none for an agent of one venue.
    pub(crate) fn cross_venues(&self) -> Option<&[u16]> {
        match self {
            AgentKind::CrossArb(c) => Some(&c.venues),
            AgentKind::CrossMaker(c) => Some(&c.venues),
            _ => None,
        }
    }

    /// A cross-venue agent's latency to its venues on top of the scenario's, ns.
    pub(crate) fn cross_latency_ns(&self) -> i64 {
        match self {
            AgentKind::CrossArb(c) => c.latency_ns,
            AgentKind::CrossMaker(c) => c.latency_ns,
            _ => 0,
        }
    }
}

impl Agent {
    /// Tells the agent that one of its orders came to rest under `id`.
    pub fn on_resting(&mut self, id: OrderId) {
        self.orders.push(id);
    }
}

/// A uniform size in `[min, max]` lots.
fn draw_size(rng: &mut Rng, min: i64, max: i64) -> Qty {
    Qty(rng.gen_range(min..=max))
}

/// A fair coin for the side.
fn draw_side(rng: &mut Rng) -> Side {
    if rng.gen::<bool>() {
        Side::Buy
    } else {
        Side::Sell
    }
}

/// Checks a maker's ladder fields: `half_spread_ticks`, `levels`, `level_spacing_ticks`,
/// `size`.
fn validate_ladder(f: &mut Fields<'_>, half_spread: i64, levels: u32, spacing: i64, size: i64) {
    f.int_range("half_spread_ticks", half_spread, 1, 1_000_000);
    f.int_range(
        "levels",
        i64::from(levels),
        1,
        i64::from(crate::scenario::MAX_LEVELS),
    );
    f.int_range("level_spacing_ticks", spacing, 1, 1_000_000);
    f.lots("size", size);
}

/// Checks a maker's `index_weight` (the share of the index in its ladder's centre, see
/// [`Ctx::anchored_x2`]): a weight in [0, 1]. Shared by every maker kind that leans on the
/// index; that its venue has an index to weigh is checked with the venues
/// ([`AgentGroup::index_weight`]).
fn validate_index_weight(f: &mut Fields<'_>, w: f64) {
    if !(0.0..=1.0).contains(&w) {
        f.err(
            "index_weight",
            format!("must be a weight in [0, 1], got {w}"),
        );
    }
}

impl AgentGroup {
    /// The share of the index in the group's quoting centre, for the maker kinds that lean
    /// on it (0 for every other kind).
    pub fn index_weight(&self) -> f64 {
        match self {
            AgentGroup::Maker(m) => m.index_weight,
            AgentGroup::AdaptiveMaker(m) => m.index_weight,
            _ => 0.0,
        }
    }
}

/// Pushes a two-sided ladder around `center_x2` (twice a price, ticks).
fn push_ladder(
    out: &mut Vec<Action>,
    center_x2: i64,
    half_spread: i64,
    levels: u32,
    spacing: i64,
    size: Qty,
) {
    // Bids at or below the centre minus the half spread, asks at or above plus it.
    let bid0 = center_x2.div_euclid(2) - half_spread;
    let ask0 = (center_x2 + 1).div_euclid(2) + half_spread;
    for k in 0..i64::from(levels) {
        let bid = bid0 - k * spacing;
        if bid >= 1 {
            out.push(Action::Limit {
                side: Side::Buy,
                price: Price(bid),
                qty: size,
                tif: Tif::Gtc,
            });
        }
        out.push(Action::Limit {
            side: Side::Sell,
            price: Price(ask0 + k * spacing),
            qty: size,
            tif: Tif::Gtc,
        });
    }
}

/// Seconds to nanoseconds for a draw (floats are fine in decisions; time is an integer).
fn secs_to_ns(s: f64) -> i64 {
    (s * 1e9).round().clamp(1.0, 1e18) as i64
}

/// The agents of a run, built from every venue's groups.
pub(crate) struct Built {
    pub agents: Vec<Agent>,
    /// Group index of each agent (over every venue's groups, home first).
    pub groups: Vec<u16>,
    /// The venue each agent belongs to.
    pub venues: Vec<u16>,
    /// One account per agent plus the shock account (the account an agent opens on each
    /// venue it trades on).
    pub accounts: Vec<Account>,
}

/// One agent per group member of every venue, each with its own stream; one account per
/// agent plus the shock account.
pub(crate) fn build_agents(scenario: &Scenario, seed: u64, unit_quote: f64) -> Built {
    let n = scenario.agent_count() as usize;
    let mut agents = Vec::with_capacity(n);
    let mut groups = Vec::with_capacity(n);
    let mut venues = Vec::with_capacity(n);
    let mut accounts = Vec::with_capacity(n + 1);
    for (gi, (venue, _, group)) in scenario.groups().enumerate() {
        for i in 0..group.count() {
            let mut rng = stream(seed, stream_id(group.name(), i));
            let mut account = Account::default();
            let mut member = Member {
                rng: &mut rng,
                account: &mut account,
                tick_size: scenario.instrument.tick_size,
                unit_quote,
                scenario,
            };
            let (kind, max_resting) = group.build(&mut member);
            agents.push(Agent {
                rng,
                orders: OrderList::new(max_resting),
                kind,
            });
            groups.push(gi as u16);
            venues.push(venue);
            accounts.push(account);
        }
    }
    accounts.push(Account::default());
    Built {
        agents,
        groups,
        venues,
        accounts,
    }
}

/// What the agent kinds' unit tests share: a small book and one wake-up over it.
#[cfg(test)]
pub(crate) mod testing {
    use super::{AccountView, Action, Ctx, FlowHistory, MarketState};
    use crate::margin::MarginTable;
    use crate::scenario::MarginSpec;
    use cascade_book::{Book, OwnerId, Price, Qty, Side, Tif};

    /// A book holding one bid and one ask of `qty` lots.
    pub(crate) fn two_sided(bid: i64, ask: i64, qty: i64) -> Book {
        let mut book = Book::new();
        let mut ev = Vec::new();
        for (side, p) in [(Side::Buy, bid), (Side::Sell, ask)] {
            book.limit(OwnerId(9), side, Price(p), Qty(qty), Tif::Gtc, &mut ev)
                .unwrap();
        }
        book
    }

    /// Calls `wake` with a `Ctx` over `book` and `market` at `now_ns` for an agent holding
    /// `position` (default margin table, no fundamental, no other venue); what it returned
    /// and the actions it sent.
    pub(crate) fn wake_with<R>(
        book: &Book,
        market: &MarketState,
        now_ns: i64,
        position: i64,
        flow: Option<&FlowHistory>,
        wake: impl FnOnce(&mut Ctx<'_>) -> R,
    ) -> (R, Vec<Action>) {
        let table = MarginTable::new(&MarginSpec::default(), 1.0);
        let mut out = Vec::new();
        let mut ctx = Ctx {
            now_ns,
            end_ns: i64::MAX,
            book,
            market,
            position,
            account: AccountView::default(),
            margin: &table,
            fundamental: None,
            out: &mut out,
            flow,
            cross: None,
        };
        let r = wake(&mut ctx);
        (r, out)
    }

    /// Best bid and best ask of the limit orders among `out`.
    pub(crate) fn touch(out: &[Action]) -> (i64, i64) {
        let best = |side: Side| {
            out.iter().filter_map(move |a| match a {
                Action::Limit { side: s, price, .. } if *s == side => Some(price.0),
                _ => None,
            })
        };
        (
            best(Side::Buy).max().unwrap(),
            best(Side::Sell).min().unwrap(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ladder_is_symmetric_around_an_integer_mid_and_skips_non_positive_bids() {
        let mut out = Vec::new();
        push_ladder(&mut out, 200, 2, 3, 5, Qty(4));
        let prices: Vec<(Side, i64)> = out
            .iter()
            .map(|a| match a {
                Action::Limit { side, price, .. } => (*side, price.0),
                _ => panic!("ladder holds only limits"),
            })
            .collect();
        assert_eq!(
            prices,
            vec![
                (Side::Buy, 98),
                (Side::Sell, 102),
                (Side::Buy, 93),
                (Side::Sell, 107),
                (Side::Buy, 88),
                (Side::Sell, 112)
            ]
        );
        out.clear();
        push_ladder(&mut out, 6, 2, 3, 1, Qty(1));
        assert_eq!(out.len(), 4, "bids at 0 and -1 are skipped: {out:?}");
    }

    #[test]
    fn ladder_around_a_half_tick_mid_does_not_cross_it() {
        let mut out = Vec::new();
        push_ladder(&mut out, 201, 1, 1, 1, Qty(1));
        assert_eq!(
            out,
            vec![
                Action::Limit {
                    side: Side::Buy,
                    price: Price(99),
                    qty: Qty(1),
                    tif: Tif::Gtc
                },
                Action::Limit {
                    side: Side::Sell,
                    price: Price(102),
                    qty: Qty(1),
                    tif: Tif::Gtc
                },
            ]
        );
    }
}

#[cfg(test)]
mod size_tests {
    use super::*;

    /// Every agent carries its kind's state inline unless the kind is boxed: the boxed kinds
    /// (makers, few in a run) must not set the size of the noise and leveraged traders, of
    /// whom there are thousands.
    #[test]
    fn an_agent_is_as_large_as_its_common_kinds_not_its_largest() {
        use std::mem::size_of;
        let common = size_of::<leveraged::Leveraged>().max(size_of::<noise::Noise>());
        assert!(
            size_of::<maker::Maker>() > common,
            "nothing to box any more"
        );
        assert!(
            size_of::<AgentKind>() <= common + 8,
            "{}",
            size_of::<AgentKind>()
        );
        assert!(size_of::<Agent>() <= 320, "{}", size_of::<Agent>());
    }
}
