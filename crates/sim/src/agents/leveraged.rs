//! Leveraged traders: open a position on margin at a random time, hold it, top up or stop out,
//! and — if the scenario says so — come back after a liquidation.

use super::{secs_to_ns, Action, Behaviour, Ctx, GroupSpec, Member, OrderList};
use crate::rng::{exp_draw, Rng};
use crate::scenario::{CollateralShare, Fields, Scenario, Tier};
use cascade_book::{Qty, Side};
use rand::Rng as _;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Margin top-ups of a leveraged trader.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TopUp {
    /// Top up when equity falls below this multiple of the maintenance margin.
    #[schemars(extend("x-unit" = "× maintenance margin", "exclusiveMinimum" = 0))]
    pub below_margin_ratio: f64,
    /// Amount added each time, quote currency.
    #[schemars(extend("x-unit" = "quote currency", "exclusiveMinimum" = 0))]
    pub amount: f64,
    /// Most top-ups per position.
    #[schemars(extend("x-unit" = "top-ups"))]
    pub max_times: u32,
}

/// Leveraged traders: open a position on margin, hold it, maybe re-enter after liquidation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LeveragedSpec {
    /// Group name, unique within the scenario.
    pub name: String,
    /// Number of traders.
    #[schemars(extend("x-unit" = "traders"))]
    pub count: u32,
    /// Probability that a trader is long.
    #[schemars(extend("x-unit" = "probability", "minimum" = 0, "maximum" = 1))]
    pub long_share: f64,
    /// Collateral of each trader, quote currency.
    #[schemars(extend("x-unit" = "quote currency", "exclusiveMinimum" = 0, "maximum" = 1e12))]
    pub collateral: f64,
    /// Smallest leverage; leverage is drawn log-uniformly in [min, max].
    #[schemars(extend("x-unit" = "×", "minimum" = 1))]
    pub leverage_min: f64,
    /// Largest leverage.
    #[schemars(extend("x-unit" = "×", "minimum" = 1))]
    pub leverage_max: f64,
    /// Entries are spread uniformly over [entry_start_s, entry_end_s].
    #[schemars(extend("x-unit" = "s", "minimum" = 0))]
    pub entry_start_s: f64,
    /// End of the entry window, seconds.
    #[schemars(extend("x-unit" = "s", "minimum" = 0))]
    pub entry_end_s: f64,
    /// Time between two looks at an open position, seconds.
    #[serde(default = "default_check")]
    #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
    pub check_interval_s: f64,
    /// Close the position when the price moved this many percent against the entry.
    #[serde(default)]
    #[schemars(extend("x-unit" = "%", "exclusiveMinimum" = 0, "exclusiveMaximum" = 100))]
    pub stop_loss_pct: Option<f64>,
    /// Add collateral when close to maintenance.
    #[serde(default)]
    pub top_up: Option<TopUp>,
    /// After a liquidation (depositing fresh collateral), a stop-out or an auto-deleveraging,
    /// enter again after this delay; never when absent.
    #[serde(default)]
    #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
    pub re_entry_delay_s: Option<f64>,
    /// Part of the collateral held in one of the scenario's collateral assets (bought at its
    /// opening price), counted at its price less its haircut; none: all cash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collateral_asset: Option<CollateralShare>,
}

fn default_check() -> f64 {
    10.0
}

impl GroupSpec for LeveragedSpec {
    type Agent = Leveraged;

    fn validate(&self, f: &mut Fields<'_>, scenario: &Scenario) {
        f.probability("long_share", self.long_share);
        if f.positive("collateral", self.collateral) && self.collateral > 1e12 {
            f.err("collateral", "must be at most 1e12");
        } else if self.collateral.is_finite() && self.collateral > 0.0 {
            f.money("collateral", self.collateral);
            if self.leverage_max.is_finite() && self.leverage_max > 0.0 {
                // The largest position: the collateral at the highest leverage.
                f.money("leverage_max", self.collateral * self.leverage_max);
            }
        }
        self.validate_leverage(f, scenario.margin.tiers.first());
        f.non_negative("entry_start_s", self.entry_start_s);
        if f.non_negative("entry_end_s", self.entry_end_s) {
            if self.entry_end_s < self.entry_start_s {
                f.err("entry_end_s", "must not be before entry_start_s");
            }
            if self.entry_end_s > scenario.duration_s {
                f.err("entry_end_s", "is after the end of the run");
            }
        }
        f.positive("check_interval_s", self.check_interval_s);
        if let Some(sl) = self.stop_loss_pct {
            if f.positive("stop_loss_pct", sl) && sl >= 100.0 {
                f.err("stop_loss_pct", "must be below 100");
            }
        }
        if let Some(t) = &self.top_up {
            f.positive("top_up.below_margin_ratio", t.below_margin_ratio);
            if f.positive("top_up.amount", t.amount) {
                f.money("top_up.amount", t.amount);
            }
        }
        if let Some(d) = self.re_entry_delay_s {
            f.positive("re_entry_delay_s", d);
        }
        if let Some(share) = &self.collateral_asset {
            crate::scenario::check_share(f, scenario, share, self.collateral);
        }
    }

    fn max_resting(&self) -> usize {
        2
    }

    fn build(&self, member: &mut Member<'_>) -> Leveraged {
        member.on_margin(self.collateral);
        if let Some(share) = &self.collateral_asset {
            member.hold_collateral(share);
        }
        Leveraged::new(self, member.unit_quote, member.rng)
    }
}

impl LeveragedSpec {
    /// The leverage range: at least 1, ordered, and within the highest tier's maximum.
    fn validate_leverage(&self, f: &mut Fields<'_>, top: Option<&Tier>) {
        let min_ok = f.positive("leverage_min", self.leverage_min);
        let max_ok = f.positive("leverage_max", self.leverage_max);
        if min_ok && self.leverage_min < 1.0 {
            f.err(
                "leverage_min",
                format!("must be at least 1, got {}", self.leverage_min),
            );
        }
        if min_ok && max_ok && self.leverage_max < self.leverage_min {
            f.err("leverage_max", "must be at least leverage_min");
        }
        if let Some(top) = top {
            if max_ok && self.leverage_max > top.max_leverage {
                f.err(
                    "leverage_max",
                    format!(
                        "{} is above the highest tier maximum ({}x)",
                        self.leverage_max, top.max_leverage
                    ),
                );
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Flat, about to enter.
    Flat,
    /// Entered (the order may still be in flight); `filled` once a position was seen.
    Open { top_ups: u32, filled: bool },
    /// Out of the market for good.
    Done,
}

/// A leveraged trader.
#[derive(Clone, Debug)]
pub struct Leveraged {
    side: Side,
    collateral: i64,
    leverage_ln_min: f64,
    leverage_ln_max: f64,
    entry_ns: i64,
    check_s: f64,
    stop_loss: Option<f64>,
    top_up: Option<(f64, i64, u32)>,
    re_entry_ns: Option<i64>,
    state: State,
    seen_liquidations: u32,
    /// Leverage of the current position, as drawn.
    leverage: f64,
}

impl Leveraged {
    /// A trader following `spec`; its side and entry time are drawn from its own stream.
    pub fn new(spec: &LeveragedSpec, unit_quote: f64, rng: &mut Rng) -> Self {
        let side = if rng.gen::<f64>() < spec.long_share {
            Side::Buy
        } else {
            Side::Sell
        };
        let entry_s =
            spec.entry_start_s + rng.gen::<f64>() * (spec.entry_end_s - spec.entry_start_s);
        Self {
            side,
            collateral: (spec.collateral / unit_quote).round() as i64,
            leverage_ln_min: spec.leverage_min.ln(),
            leverage_ln_max: spec.leverage_max.ln(),
            entry_ns: secs_to_ns(entry_s),
            check_s: spec.check_interval_s,
            stop_loss: spec.stop_loss_pct.map(|p| p / 100.0),
            top_up: spec.top_up.as_ref().map(|t| {
                (
                    t.below_margin_ratio,
                    (t.amount / unit_quote).round() as i64,
                    t.max_times,
                )
            }),
            re_entry_ns: spec.re_entry_delay_s.map(secs_to_ns),
            state: State::Flat,
            seen_liquidations: 0,
            leverage: 0.0,
        }
    }

    /// Leverage of the current position, as drawn.
    pub fn leverage(&self) -> f64 {
        self.leverage
    }

    /// The side of the trader's position.
    pub fn side(&self) -> Side {
        self.side
    }

    /// Out of the market: back after the re-entry delay, or for good.
    fn leave(&mut self, now_ns: i64) -> Option<i64> {
        match self.re_entry_ns {
            Some(delay) => {
                self.state = State::Flat;
                Some(now_ns + delay)
            }
            None => {
                self.state = State::Done;
                None
            }
        }
    }

    fn enter(&mut self, ctx: &mut Ctx<'_>, rng: &mut Rng) {
        let equity = ctx.account.equity;
        let mark = ctx.market.mark.0.max(1);
        if equity <= 0 {
            self.state = State::Done;
            return;
        }
        let u: f64 = rng.gen();
        self.leverage =
            (self.leverage_ln_min + u * (self.leverage_ln_max - self.leverage_ln_min)).exp();
        let notional = ctx.margin.max_notional(equity, self.leverage);
        let qty = notional / mark;
        if qty >= 1 {
            ctx.out.push(Action::Market {
                side: self.side,
                qty: Qty(qty),
            });
            self.state = State::Open {
                top_ups: 0,
                filled: false,
            };
        } else {
            self.state = State::Done;
        }
    }

    fn stopped_out(&self, ctx: &Ctx<'_>) -> bool {
        let Some(limit) = self.stop_loss else {
            return false;
        };
        let acc = ctx.account;
        let entry = acc.entry_value.abs() as f64 / acc.position.abs().max(1) as f64;
        let mark = ctx.market.mark.0 as f64;
        let adverse = match self.side {
            Side::Buy => (entry - mark) / entry,
            Side::Sell => (mark - entry) / entry,
        };
        adverse >= limit
    }
}

impl Behaviour for Leveraged {
    /// The entry time.
    fn first_wake(&mut self, _end_ns: i64, _rng: &mut Rng) -> Option<i64> {
        Some(self.entry_ns)
    }

    /// Enters, watches or re-enters.
    fn wake(&mut self, ctx: &mut Ctx<'_>, rng: &mut Rng, _orders: &mut OrderList) -> Option<i64> {
        let (now, check_s) = (ctx.now_ns, self.check_s);
        let next = move |rng: &mut Rng| now + secs_to_ns(exp_draw(rng, check_s));
        let acc = ctx.account;
        if acc.in_liquidation {
            return Some(next(rng));
        }
        if acc.liquidations > self.seen_liquidations {
            self.seen_liquidations = acc.liquidations;
            if self.re_entry_ns.is_some() {
                // The liquidation took the collateral: bring it again.
                ctx.out.push(Action::Deposit(self.collateral));
            }
            return self.leave(ctx.now_ns);
        }
        match self.state {
            State::Done => None,
            State::Flat => {
                self.enter(ctx, rng);
                Some(next(rng))
            }
            State::Open { top_ups, filled } => {
                if acc.position == 0 {
                    if filled {
                        // Closed from outside (auto-deleveraged).
                        return self.leave(ctx.now_ns);
                    }
                    // The entry found no liquidity: try again later.
                    self.state = State::Flat;
                    return Some(next(rng));
                }
                self.state = State::Open {
                    top_ups,
                    filled: true,
                };
                if self.stopped_out(ctx) {
                    ctx.out.push(Action::Market {
                        side: self.side.opposite(),
                        qty: Qty(acc.position.abs()),
                    });
                    return self.leave(ctx.now_ns);
                }
                if let Some((ratio, amount, max)) = self.top_up {
                    if top_ups < max
                        && acc.maintenance > 0
                        && (acc.equity as f64) < ratio * acc.maintenance as f64
                    {
                        ctx.out.push(Action::Deposit(amount));
                        self.state = State::Open {
                            top_ups: top_ups + 1,
                            filled: true,
                        };
                    }
                }
                Some(next(rng))
            }
        }
    }
}
