//! Scenario sections for leverage: margin tiers, the mark price, the index, the liquidation
//! engine, leveraged traders, stressed makers and scripted shocks — and their validation.

use super::{AgentGroup, Scenario, Validator};
use serde::{Deserialize, Serialize};

/// One margin tier: positions with notional up to `notional_cap` may use `max_leverage` and
/// must keep `maintenance_rate` of their notional (less the tier's maintenance amount).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// Upper bound of the tier's position notional, quote currency.
    pub notional_cap: f64,
    /// Highest leverage allowed in the tier (initial margin rate = 1 / max_leverage).
    pub max_leverage: f64,
    /// Maintenance margin rate, e.g. 0.004 for 0.4%.
    pub maintenance_rate: f64,
}

/// The margin rules of the venue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarginSpec {
    /// Tiers by increasing notional. The default is a Binance-style BTC ladder.
    #[serde(default = "binance_tiers")]
    pub tiers: Vec<Tier>,
}

impl Default for MarginSpec {
    fn default() -> Self {
        Self {
            tiers: binance_tiers(),
        }
    }
}

/// The Binance-style ladder: 125x/0.4% up to 50k, … 1x/50%.
pub fn binance_tiers() -> Vec<Tier> {
    [
        (50_000.0, 125.0, 0.004),
        (250_000.0, 100.0, 0.005),
        (1_000_000.0, 50.0, 0.01),
        (10_000_000.0, 20.0, 0.025),
        (20_000_000.0, 10.0, 0.05),
        (50_000_000.0, 5.0, 0.10),
        (100_000_000.0, 3.0, 0.15),
        (200_000_000.0, 2.0, 0.25),
        (1e15, 1.0, 0.50),
    ]
    .into_iter()
    .map(|(notional_cap, max_leverage, maintenance_rate)| Tier {
        notional_cap,
        max_leverage,
        maintenance_rate,
    })
    .collect()
}

/// How the mark price, on which liquidations trigger, is computed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum MarkSpec {
    /// The last trade price.
    Last,
    /// The mid price (the last mark while one side of the book is empty).
    #[default]
    Mid,
    /// The exogenous index.
    Index,
    /// An exponential moving average of the mid.
    EmaMid {
        /// Half-life of the average, seconds.
        half_life_s: f64,
    },
    /// median(index + EMA of (mid − index), mid, last), as large perpetual venues compute it.
    Median {
        /// Half-life of the basis average, seconds.
        basis_half_life_s: f64,
    },
}

/// An exogenous index: geometric Brownian motion with jumps, or a scripted path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexSpec {
    /// Time between two index updates, seconds.
    pub interval_s: f64,
    /// Drift per second (log).
    #[serde(default)]
    pub drift_per_s: f64,
    /// Volatility per square root of a second (log).
    #[serde(default)]
    pub vol_per_sqrt_s: f64,
    /// Jump intensity per second.
    #[serde(default)]
    pub jump_rate_per_s: f64,
    /// Mean jump, percent.
    #[serde(default)]
    pub jump_mean_pct: f64,
    /// Standard deviation of jumps, percent.
    #[serde(default)]
    pub jump_std_pct: f64,
    /// A scripted path of (time s, price), linearly interpolated; replaces the random walk.
    #[serde(default)]
    pub path: Vec<(f64, f64)>,
}

/// How a liquidation step is sent to the book.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Execution {
    /// Take the book down to the worst price the insurance fund can cover.
    #[default]
    Market,
    /// IOC limit at the bankruptcy price: never draws on the fund.
    IocAtBankruptcy,
}

/// How much of a position one liquidation step closes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepMode {
    /// `step_fraction` of the position.
    #[default]
    Fraction,
    /// Enough to bring the notional down into the next lower margin tier (all of it in the
    /// lowest tier), as OKX and Bybit do.
    DownOneTier,
}

/// What closes the gap when the book and the fund cannot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Shortfall {
    /// Auto-deleveraging: opposite positions ranked by profit × leverage take the rest at the
    /// bankruptcy price.
    #[default]
    Adl,
    /// The rest is closed in the book at any price; the loss beyond the fund is shared by the
    /// accounts in profit.
    SocializedLoss,
}

/// The exchange's liquidation engine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiquidationSpec {
    /// Off: accounts are never liquidated (a counterfactual).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Share of the position closed in one step (1 closes it at once), in `Fraction` mode.
    #[serde(default = "one")]
    pub step_fraction: f64,
    /// How much one step closes.
    #[serde(default)]
    pub step_mode: StepMode,
    /// Time between two steps of one account, seconds.
    #[serde(default = "one")]
    pub cooldown_s: f64,
    /// How steps are sent to the book.
    #[serde(default)]
    pub execution: Execution,
    /// Liquidation fee on the closed notional, paid into the insurance fund.
    #[serde(default = "default_fee")]
    pub fee_rate: f64,
    /// The insurance fund at the start, quote currency.
    #[serde(default)]
    pub insurance_fund: f64,
    /// What happens when the fund cannot cover a shortfall.
    #[serde(default)]
    pub shortfall: Shortfall,
}

fn yes() -> bool {
    true
}
fn one() -> f64 {
    1.0
}
fn default_fee() -> f64 {
    0.005
}

impl Default for LiquidationSpec {
    fn default() -> Self {
        Self {
            enabled: true,
            step_fraction: 1.0,
            step_mode: StepMode::Fraction,
            cooldown_s: 1.0,
            execution: Execution::Market,
            fee_rate: default_fee(),
            insurance_fund: 0.0,
            shortfall: Shortfall::Adl,
        }
    }
}

/// Margin top-ups of a leveraged trader.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopUp {
    /// Top up when equity falls below this multiple of the maintenance margin.
    pub below_margin_ratio: f64,
    /// Amount added each time, quote currency.
    pub amount: f64,
    /// Most top-ups per position.
    pub max_times: u32,
}

/// Leveraged traders: open a position on margin, hold it, maybe re-enter after liquidation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeveragedSpec {
    /// Group name, unique within the scenario.
    pub name: String,
    /// Number of traders.
    pub count: u32,
    /// Probability that a trader is long.
    pub long_share: f64,
    /// Collateral of each trader, quote currency.
    pub collateral: f64,
    /// Smallest leverage; leverage is drawn log-uniformly in [min, max].
    pub leverage_min: f64,
    /// Largest leverage.
    pub leverage_max: f64,
    /// Entries are spread uniformly over [entry_start_s, entry_end_s].
    pub entry_start_s: f64,
    /// End of the entry window, seconds.
    pub entry_end_s: f64,
    /// Time between two looks at an open position, seconds.
    #[serde(default = "default_check")]
    pub check_interval_s: f64,
    /// Close the position when the price moved this many percent against the entry.
    #[serde(default)]
    pub stop_loss_pct: Option<f64>,
    /// Add collateral when close to maintenance.
    #[serde(default)]
    pub top_up: Option<TopUp>,
    /// After a liquidation (depositing fresh collateral), a stop-out or an auto-deleveraging,
    /// enter again after this delay; never when absent.
    #[serde(default)]
    pub re_entry_delay_s: Option<f64>,
}

fn default_check() -> f64 {
    10.0
}

/// Fundamental traders: trade toward the index (or the fundamental) when the mid strays.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundamentalistSpec {
    /// Group name, unique within the scenario.
    pub name: String,
    /// Number of agents.
    pub count: u32,
    /// Mean time between wake-ups, seconds (exponential).
    pub mean_wake_s: f64,
    /// Act only when the mid is this far from the reference value, basis points.
    pub threshold_bps: f64,
    /// Lots per basis point of deviation beyond the threshold.
    pub lots_per_bps: f64,
    /// Largest order, lots.
    pub max_size: i64,
}

/// Arbitrageurs: take asks below (or bids above) the index by more than an edge, pulling the
/// book toward the index; optionally they also rest a deep bid and ask around the index.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArbitrageurSpec {
    /// Group name, unique within the scenario.
    pub name: String,
    /// Number of agents.
    pub count: u32,
    /// Mean time between wake-ups, seconds (exponential).
    pub mean_wake_s: f64,
    /// Required distance from the index, basis points.
    pub edge_bps: f64,
    /// Largest order, lots.
    pub max_size: i64,
    /// Largest position either way, lots.
    pub max_position: i64,
    /// Also rest a bid and an ask of `max_size` lots this far from the index, basis points, and
    /// move them with the index: the deep, slow liquidity of traders who would buy this
    /// venue's dip and hedge elsewhere. None: take only.
    #[serde(default)]
    pub quote_edge_bps: Option<f64>,
}

/// Stress behaviour of a market maker: volatility- and inventory-driven spreads, withdrawal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MakerStress {
    /// Weight of the newest squared return in the volatility average (per wake-up).
    pub vol_alpha: f64,
    /// Extra half-spread, ticks per basis point of realised volatility.
    pub spread_per_vol_bps: f64,
    /// Extra half-spread, ticks per lot of inventory.
    #[serde(default)]
    pub spread_per_inventory_lot: f64,
    /// Stop quoting the side that would grow inventory beyond this many lots.
    pub max_inventory: i64,
    /// Withdraw or not (false: a counterfactual maker that never withdraws).
    #[serde(default = "yes")]
    pub withdraw: bool,
    /// Withdraw when realised volatility per wake-up exceeds this, basis points.
    pub withdraw_vol_bps: f64,
    /// Withdraw when one-sided taker flow since the last wake-up exceeds this share (0.5–1).
    pub withdraw_imbalance: f64,
    /// Time out of the market after a withdrawal, seconds.
    pub cooldown_s: f64,
}

/// A scripted event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Shock {
    /// A sell program: `qty` lots sold at market from `at_s`, in slices every 100 ms spread
    /// over `over_s` seconds (all at once when `over_s` is 0).
    MarketSell {
        /// Time, seconds.
        at_s: f64,
        /// Lots.
        qty: i64,
        /// Duration of the program, seconds.
        #[serde(default)]
        over_s: f64,
    },
    /// A buy program, as `MarketSell`.
    MarketBuy {
        /// Time, seconds.
        at_s: f64,
        /// Lots.
        qty: i64,
        /// Duration of the program, seconds.
        #[serde(default)]
        over_s: f64,
    },
    /// The index jumps by `pct` percent at `at_s`.
    IndexJump {
        /// Time, seconds.
        at_s: f64,
        /// Percent, e.g. -5.0.
        pct: f64,
    },
    /// The makers of `group` pull their quotes and stay out for `duration_s`.
    MakerOutage {
        /// Time, seconds.
        at_s: f64,
        /// Name of a `Maker` group.
        group: String,
        /// Seconds.
        duration_s: f64,
    },
    /// Every maintenance rate is multiplied by `maintenance_multiplier`.
    MarginChange {
        /// Time, seconds.
        at_s: f64,
        /// Factor on maintenance rates (must keep them below the initial rates).
        maintenance_multiplier: f64,
    },
}

impl Shock {
    /// The time of the shock, seconds.
    pub fn at_s(&self) -> f64 {
        match self {
            Shock::MarketSell { at_s, .. }
            | Shock::MarketBuy { at_s, .. }
            | Shock::IndexJump { at_s, .. }
            | Shock::MakerOutage { at_s, .. }
            | Shock::MarginChange { at_s, .. } => *at_s,
        }
    }
}

impl Validator {
    pub(super) fn risk(&mut self, s: &Scenario) {
        self.tiers(&s.margin.tiers);
        let l = &s.liquidation;
        if self.positive("liquidation.step_fraction", l.step_fraction) && l.step_fraction > 1.0 {
            self.err(
                "liquidation.step_fraction",
                format!("must be at most 1, got {}", l.step_fraction),
            );
        }
        self.non_negative("liquidation.cooldown_s", l.cooldown_s);
        if self.non_negative("liquidation.fee_rate", l.fee_rate) && l.fee_rate >= 0.5 {
            self.err(
                "liquidation.fee_rate",
                format!("must be below 0.5, got {}", l.fee_rate),
            );
        }
        if self.non_negative("liquidation.insurance_fund", l.insurance_fund)
            && l.insurance_fund > 1e15
        {
            self.err("liquidation.insurance_fund", "must be at most 1e15");
        }
        match &s.mark {
            MarkSpec::EmaMid { half_life_s } => {
                self.positive("mark.half_life_s", *half_life_s);
            }
            MarkSpec::Median { basis_half_life_s } => {
                self.positive("mark.basis_half_life_s", *basis_half_life_s);
                if s.index.is_none() {
                    self.err(
                        "mark",
                        "the Median mark needs an index: add `index: Some(IndexSpec(...))`",
                    );
                }
            }
            MarkSpec::Index if s.index.is_none() => {
                self.err(
                    "mark",
                    "the Index mark needs an index: add `index: Some(IndexSpec(...))`",
                );
            }
            _ => {}
        }
        if let Some(ix) = &s.index {
            self.index(ix, s.duration_s);
        }
        for (i, shock) in s.shocks.iter().enumerate() {
            self.shock(&format!("shocks[{i}]"), shock, s);
        }
    }

    fn tiers(&mut self, tiers: &[Tier]) {
        if tiers.is_empty() {
            self.err("margin.tiers", "needs at least one tier");
            return;
        }
        for (i, t) in tiers.iter().enumerate() {
            let p = format!("margin.tiers[{i}]");
            self.positive(&format!("{p}.notional_cap"), t.notional_cap);
            let lev_ok = self.positive(&format!("{p}.max_leverage"), t.max_leverage);
            if lev_ok && (t.max_leverage < 1.0 || t.max_leverage > 1000.0) {
                self.err(
                    format!("{p}.max_leverage"),
                    format!("must be in [1, 1000], got {}", t.max_leverage),
                );
            }
            if self.positive(&format!("{p}.maintenance_rate"), t.maintenance_rate)
                && lev_ok
                && t.maintenance_rate >= 1.0 / t.max_leverage
            {
                self.err(
                    format!("{p}.maintenance_rate"),
                    format!(
                        "maintenance margin must be below initial margin (1 / max_leverage = {}), got {}",
                        1.0 / t.max_leverage,
                        t.maintenance_rate
                    ),
                );
            }
            if i > 0 {
                let prev = &tiers[i - 1];
                if t.notional_cap <= prev.notional_cap {
                    self.err(
                        format!("{p}.notional_cap"),
                        format!(
                            "tiers must increase: {} is not above {}",
                            t.notional_cap, prev.notional_cap
                        ),
                    );
                }
                if t.maintenance_rate < prev.maintenance_rate {
                    self.err(
                        format!("{p}.maintenance_rate"),
                        "must not fall from one tier to the next",
                    );
                }
                if t.max_leverage > prev.max_leverage {
                    self.err(
                        format!("{p}.max_leverage"),
                        "must not rise from one tier to the next",
                    );
                }
            }
        }
    }

    fn index(&mut self, ix: &IndexSpec, duration_s: f64) {
        if self.positive("index.interval_s", ix.interval_s)
            && duration_s / ix.interval_s > super::MAX_SAMPLES
        {
            self.err(
                "index.interval_s",
                "gives too many index updates over duration_s",
            );
        }
        if !ix.drift_per_s.is_finite() {
            self.err("index.drift_per_s", "must be finite");
        }
        self.non_negative("index.vol_per_sqrt_s", ix.vol_per_sqrt_s);
        self.non_negative("index.jump_rate_per_s", ix.jump_rate_per_s);
        if !(ix.jump_mean_pct.is_finite() && ix.jump_mean_pct > -100.0) {
            self.err(
                "index.jump_mean_pct",
                "must be a finite percentage above -100",
            );
        }
        self.non_negative("index.jump_std_pct", ix.jump_std_pct);
        for (i, (t, p)) in ix.path.iter().enumerate() {
            self.non_negative(&format!("index.path[{i}].0"), *t);
            self.positive(&format!("index.path[{i}].1"), *p);
            if i > 0 && *t <= ix.path[i - 1].0 {
                self.err(format!("index.path[{i}].0"), "times must increase");
            }
        }
    }

    fn shock(&mut self, p: &str, shock: &Shock, s: &Scenario) {
        let at = shock.at_s();
        if self.non_negative(&format!("{p}.at_s"), at) && at > s.duration_s {
            self.err(
                format!("{p}.at_s"),
                format!("is after the end of the run ({} s), got {at}", s.duration_s),
            );
        }
        match shock {
            Shock::MarketSell { qty, over_s, .. } | Shock::MarketBuy { qty, over_s, .. } => {
                self.int_range(&format!("{p}.qty"), *qty, 1, super::MAX_ORDER_LOTS);
                if self.non_negative(&format!("{p}.over_s"), *over_s) && at + over_s > s.duration_s
                {
                    self.err(
                        format!("{p}.over_s"),
                        "the program would run past the end of the run",
                    );
                }
            }
            Shock::IndexJump { pct, .. } => {
                if s.index.is_none() {
                    self.err(
                        p.to_string(),
                        "an index jump needs an index: add `index: Some(IndexSpec(...))`",
                    );
                }
                if !(pct.is_finite() && *pct > -100.0 && *pct < 1000.0) {
                    self.err(
                        format!("{p}.pct"),
                        format!("must be in (-100, 1000), got {pct}"),
                    );
                }
            }
            Shock::MakerOutage {
                group, duration_s, ..
            } => {
                let is_maker = s
                    .agents
                    .iter()
                    .any(|g| matches!(g, AgentGroup::Maker(m) if &m.name == group));
                if !is_maker {
                    self.err(
                        format!("{p}.group"),
                        format!("no Maker group named {group:?}"),
                    );
                }
                self.positive(&format!("{p}.duration_s"), *duration_s);
            }
            Shock::MarginChange {
                maintenance_multiplier,
                ..
            } => {
                if self.positive(
                    &format!("{p}.maintenance_multiplier"),
                    *maintenance_multiplier,
                ) {
                    for (i, t) in s.margin.tiers.iter().enumerate() {
                        if t.maintenance_rate * maintenance_multiplier >= 1.0 / t.max_leverage {
                            self.err(
                                format!("{p}.maintenance_multiplier"),
                                format!("raises margin.tiers[{i}] maintenance to or above its initial margin"),
                            );
                            break;
                        }
                    }
                }
            }
        }
    }

    pub(super) fn leveraged(&mut self, p: &str, l: &LeveragedSpec, s: &Scenario) {
        self.probability(&format!("{p}.long_share"), l.long_share);
        if self.positive(&format!("{p}.collateral"), l.collateral) && l.collateral > 1e12 {
            self.err(format!("{p}.collateral"), "must be at most 1e12");
        }
        let min_ok = self.positive(&format!("{p}.leverage_min"), l.leverage_min);
        let max_ok = self.positive(&format!("{p}.leverage_max"), l.leverage_max);
        if min_ok && l.leverage_min < 1.0 {
            self.err(
                format!("{p}.leverage_min"),
                format!("must be at least 1, got {}", l.leverage_min),
            );
        }
        if min_ok && max_ok && l.leverage_max < l.leverage_min {
            self.err(format!("{p}.leverage_max"), "must be at least leverage_min");
        }
        if let Some(top) = s.margin.tiers.first() {
            if max_ok && l.leverage_max > top.max_leverage {
                self.err(
                    format!("{p}.leverage_max"),
                    format!(
                        "{} is above the highest tier maximum ({}x)",
                        l.leverage_max, top.max_leverage
                    ),
                );
            }
        }
        self.non_negative(&format!("{p}.entry_start_s"), l.entry_start_s);
        if self.non_negative(&format!("{p}.entry_end_s"), l.entry_end_s) {
            if l.entry_end_s < l.entry_start_s {
                self.err(
                    format!("{p}.entry_end_s"),
                    "must not be before entry_start_s",
                );
            }
            if l.entry_end_s > s.duration_s {
                self.err(format!("{p}.entry_end_s"), "is after the end of the run");
            }
        }
        self.positive(&format!("{p}.check_interval_s"), l.check_interval_s);
        if let Some(sl) = l.stop_loss_pct {
            if self.positive(&format!("{p}.stop_loss_pct"), sl) && sl >= 100.0 {
                self.err(format!("{p}.stop_loss_pct"), "must be below 100");
            }
        }
        if let Some(t) = &l.top_up {
            self.positive(
                &format!("{p}.top_up.below_margin_ratio"),
                t.below_margin_ratio,
            );
            self.positive(&format!("{p}.top_up.amount"), t.amount);
        }
        if let Some(d) = l.re_entry_delay_s {
            self.positive(&format!("{p}.re_entry_delay_s"), d);
        }
    }

    pub(super) fn fundamentalist(&mut self, p: &str, f: &FundamentalistSpec, s: &Scenario) {
        if s.index.is_none() && s.fundamental.is_none() {
            self.err(
                p.to_string(),
                "fundamental traders need an index or a fundamental to revert to",
            );
        }
        self.positive(&format!("{p}.mean_wake_s"), f.mean_wake_s);
        self.non_negative(&format!("{p}.threshold_bps"), f.threshold_bps);
        self.positive(&format!("{p}.lots_per_bps"), f.lots_per_bps);
        self.int_range(
            &format!("{p}.max_size"),
            f.max_size,
            1,
            super::MAX_ORDER_LOTS,
        );
    }

    pub(super) fn arbitrageur(&mut self, p: &str, a: &ArbitrageurSpec, s: &Scenario) {
        if s.index.is_none() {
            self.err(
                p.to_string(),
                "arbitrageurs need an index: add `index: Some(IndexSpec(...))`",
            );
        }
        self.positive(&format!("{p}.mean_wake_s"), a.mean_wake_s);
        self.non_negative(&format!("{p}.edge_bps"), a.edge_bps);
        self.int_range(
            &format!("{p}.max_size"),
            a.max_size,
            1,
            super::MAX_ORDER_LOTS,
        );
        self.int_range(
            &format!("{p}.max_position"),
            a.max_position,
            1,
            super::MAX_ORDER_LOTS,
        );
        if let Some(q) = a.quote_edge_bps {
            if !(q > 0.0 && q < 10_000.0) {
                self.err(
                    format!("{p}.quote_edge_bps"),
                    format!("must be above 0 and below 10000 (a bid above zero), got {q}"),
                );
            }
        }
    }

    pub(super) fn maker_stress(&mut self, p: &str, m: &MakerStress) {
        self.probability(&format!("{p}.vol_alpha"), m.vol_alpha);
        self.non_negative(&format!("{p}.spread_per_vol_bps"), m.spread_per_vol_bps);
        self.non_negative(
            &format!("{p}.spread_per_inventory_lot"),
            m.spread_per_inventory_lot,
        );
        self.int_range(
            &format!("{p}.max_inventory"),
            m.max_inventory,
            1,
            super::MAX_ORDER_LOTS,
        );
        self.positive(&format!("{p}.withdraw_vol_bps"), m.withdraw_vol_bps);
        if !(m.withdraw_imbalance.is_finite() && (0.5..=1.0).contains(&m.withdraw_imbalance)) {
            self.err(
                format!("{p}.withdraw_imbalance"),
                format!("must be in [0.5, 1], got {}", m.withdraw_imbalance),
            );
        }
        self.non_negative(&format!("{p}.cooldown_s"), m.cooldown_s);
    }
}
