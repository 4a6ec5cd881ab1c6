//! Basis arbitrageurs: sell the perpetual when it trades rich to the index and buy it when it
//! trades cheap, hold the position while the funding it collects and the expected convergence
//! pay, and unwind once the basis has closed.
//!
//! The hedge leg on the index (spot bought against a short perp, sold against a long one) is
//! implicit: it is not simulated, so the account's ledger shows only the perp leg — its
//! trades, fees and the funding it collects — and it is exposed to the perp's moves like any
//! margin account (it can be liquidated). Its edge is the basis in basis points plus the
//! predicted funding rate per interval, also in basis points: a short earns a positive rate,
//! a long a negative one.

use super::{secs_to_ns, Action, Behaviour, Ctx, GroupSpec, Member, OrderList};
use crate::rng::{exp_draw, Rng};
use crate::scenario::{Fields, Scenario};
use cascade_book::{Price, Qty, Side, Tif};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Basis arbitrageurs: trade the perpetual against the index, within capital and position
/// limits, and collect funding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BasisArbSpec {
    /// Group name, unique within the scenario.
    pub name: String,
    /// Number of agents.
    #[schemars(extend("x-unit" = "agents"))]
    pub count: u32,
    /// Mean time between wake-ups, seconds (exponential).
    #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
    pub mean_wake_s: f64,
    /// Collateral of each agent, quote currency (its margin account).
    #[schemars(extend("x-unit" = "quote currency", "exclusiveMinimum" = 0))]
    pub capital: f64,
    /// Largest position value as a multiple of the capital.
    #[schemars(extend("x-unit" = "×", "minimum" = 1))]
    pub leverage: f64,
    /// Largest position either way, lots.
    #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
    pub max_position: i64,
    /// Largest order, lots.
    #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
    pub max_size: i64,
    /// Enter (or add) when basis + predicted funding exceeds this, basis points.
    #[schemars(extend("x-unit" = "bps", "minimum" = 0, "exclusiveMaximum" = 10000))]
    pub entry_bps: f64,
    /// Unwind when |basis| is below this, basis points; orders never trade further than this
    /// from the index on the wrong side.
    #[schemars(extend("x-unit" = "bps", "minimum" = 0))]
    pub exit_bps: f64,
}

impl GroupSpec for BasisArbSpec {
    type Agent = BasisArb;

    fn validate(&self, f: &mut Fields<'_>, scenario: &Scenario) {
        let endogenous = scenario.index_sources.is_some()
            || scenario.venues.iter().any(|v| v.index_sources.is_some());
        if scenario.index.is_none() && !endogenous {
            f.section_err("basis arbitrageurs need an index: add `index: Some(IndexSpec(...))`");
        }
        f.positive("mean_wake_s", self.mean_wake_s);
        if f.positive("capital", self.capital) {
            f.money("capital", self.capital);
        }
        if f.positive("leverage", self.leverage) {
            let top = scenario
                .margin
                .tiers
                .first()
                .map_or(1.0, |t| t.max_leverage);
            if self.leverage < 1.0 || self.leverage > top {
                f.err(
                    "leverage",
                    format!(
                        "must be in [1, {top}] (the first tier's maximum), got {}",
                        self.leverage
                    ),
                );
            } else {
                f.money("leverage", self.capital * self.leverage);
            }
        }
        f.lots("max_position", self.max_position);
        f.lots("max_size", self.max_size);
        let exit_ok = f.non_negative("exit_bps", self.exit_bps);
        if f.non_negative("entry_bps", self.entry_bps) && exit_ok && self.entry_bps < self.exit_bps
        {
            f.err("entry_bps", "must be at least exit_bps");
        }
        if self.entry_bps >= 10_000.0 {
            f.err("entry_bps", "must be below 10000");
        }
    }

    fn max_resting(&self) -> usize {
        1
    }

    fn build(&self, member: &mut Member<'_>) -> BasisArb {
        member.on_margin(self.capital);
        BasisArb {
            mean_wake_s: self.mean_wake_s,
            capital_units: (self.capital / member.unit_quote).round() as i64,
            leverage: self.leverage,
            max_position: self.max_position,
            max_size: self.max_size,
            entry_bps: self.entry_bps,
            exit_bps: self.exit_bps,
        }
    }
}

/// A basis arbitrageur.
#[derive(Clone, Debug)]
pub struct BasisArb {
    mean_wake_s: f64,
    capital_units: i64,
    leverage: f64,
    max_position: i64,
    max_size: i64,
    entry_bps: f64,
    exit_bps: f64,
}

impl BasisArb {
    /// The position it wants now, given the basis and the predicted funding (both bps), and
    /// its limit in lots: short the limit when rich, long when cheap, flat once the basis has
    /// closed, else hold `pos`.
    fn target(&self, basis_bps: f64, funding_bps: f64, limit: i64, pos: i64) -> i64 {
        let edge = basis_bps + funding_bps;
        if edge > self.entry_bps {
            -limit
        } else if edge < -self.entry_bps {
            limit
        } else if basis_bps.abs() < self.exit_bps {
            0
        } else {
            pos
        }
    }
}

impl Behaviour for BasisArb {
    fn first_wake(&mut self, _end_ns: i64, rng: &mut Rng) -> Option<i64> {
        Some(secs_to_ns(exp_draw(rng, self.mean_wake_s)))
    }

    /// One IOC toward the target position, priced no worse than the index ± `exit_bps`.
    fn wake(&mut self, ctx: &mut Ctx<'_>, rng: &mut Rng, _orders: &mut OrderList) -> Option<i64> {
        let next = Some(ctx.now_ns + secs_to_ns(exp_draw(rng, self.mean_wake_s)));
        let (Some(ix), Some(mid_x2)) = (ctx.market.index, ctx.book.l1().mid_x2()) else {
            return next;
        };
        if ix < 1.0 || ctx.account.in_liquidation {
            return next;
        }
        let basis_bps = (mid_x2 as f64 / 2.0 - ix) / ix * 1e4;
        let funding_bps = ctx.market.predicted_funding_rate * 1e4;
        let mark = ctx.market.mark.0.max(1) as f64;
        let by_capital = (self.capital_units as f64 * self.leverage / mark).floor() as i64;
        let limit = self.max_position.min(by_capital).max(0);
        let pos = ctx.position;
        let want = self.target(basis_bps, funding_bps, limit, pos);
        let qty = (want - pos).abs().min(self.max_size);
        if qty == 0 {
            return next;
        }
        let band = self.exit_bps / 1e4;
        let (side, price) = if want > pos {
            (Side::Buy, (ix * (1.0 + band)).floor() as i64)
        } else {
            (Side::Sell, (ix * (1.0 - band)).ceil() as i64)
        };
        // Entering buys below the index and sells above it; unwinding may cross by the band.
        let price = match (side, want) {
            (Side::Buy, w) if w > 0 => price.min((ix * (1.0 - band)).floor() as i64),
            (Side::Sell, w) if w < 0 => price.max((ix * (1.0 + band)).ceil() as i64),
            _ => price,
        };
        if price >= 1 {
            ctx.out.push(Action::Limit {
                side,
                price: Price(price),
                qty: Qty(qty),
                tif: Tif::Ioc,
            });
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::MarketState;
    use crate::rng::stream;

    fn arb() -> BasisArb {
        BasisArb {
            mean_wake_s: 1.0,
            capital_units: 100_000,
            leverage: 5.0,
            max_position: 400,
            max_size: 50,
            entry_bps: 10.0,
            exit_bps: 2.0,
        }
    }

    /// One wake with the book's best bid and ask, the index, the predicted rate, a position.
    fn wake(a: &mut BasisArb, bid: i64, ask: i64, ix: f64, rate: f64, pos: i64) -> Vec<Action> {
        let book = crate::agents::testing::two_sided(bid, ask, 100);
        let market = MarketState {
            last_price: Price(bid),
            predicted_funding_rate: rate,
            ..MarketState::opening(Price(1_000), Some(ix))
        };
        let (_, out) = crate::agents::testing::wake_with(&book, &market, 0, pos, None, |ctx| {
            a.wake(ctx, &mut stream(1, 1), &mut OrderList::new(1))
        });
        out
    }

    fn ioc(side: Side, price: i64, qty: i64) -> Vec<Action> {
        vec![Action::Limit {
            side,
            price: Price(price),
            qty: Qty(qty),
            tif: Tif::Ioc,
        }]
    }

    #[test]
    fn sells_a_rich_perp_above_the_index_and_buys_a_cheap_one_below_it() {
        let mut a = arb();
        // Mid 1002 against an index of 1000: 20 bps rich. Sell 50 (max_size) at ≥ 1000.2 → 1001.
        assert_eq!(
            wake(&mut a, 1001, 1003, 1000.0, 0.0, 0),
            ioc(Side::Sell, 1001, 50)
        );
        // Mid 998: 20 bps cheap. Buy at ≤ 999.8 → 999.
        assert_eq!(
            wake(&mut a, 997, 999, 1000.0, 0.0, 0),
            ioc(Side::Buy, 999, 50)
        );
    }

    #[test]
    fn predicted_funding_adds_to_the_edge_and_capital_bounds_the_position() {
        let mut a = arb();
        // 5 bps rich alone is below the 10 bps entry; with +6 bps predicted funding a short
        // earns 11: it sells.
        assert!(wake(&mut a, 1000, 1001, 1000.0, 0.0, -10).is_empty());
        assert_eq!(
            wake(&mut a, 1000, 1001, 1000.0, 0.0006, 0),
            ioc(Side::Sell, 1001, 50)
        );
        // Capital 100,000 × 5 at mark 1,000 allows 500 lots, max_position 400: at −380 it
        // sells the last 20.
        assert_eq!(
            wake(&mut a, 1001, 1003, 1000.0, 0.0, -380),
            ioc(Side::Sell, 1001, 20)
        );
        assert!(wake(&mut a, 1001, 1003, 1000.0, 0.0, -400).is_empty());
    }

    #[test]
    fn unwinds_once_the_basis_has_closed() {
        let mut a = arb();
        // Mid 1000.5 against 1000.4 (1 bp): short 120 buys back 50, paying up to
        // 1000.4 × 1.0002 = 1000.6 → 1000.
        assert_eq!(
            wake(&mut a, 1000, 1001, 1000.4, 0.0, -120),
            ioc(Side::Buy, 1000, 50)
        );
        // Between exit and entry (5 bps): it holds.
        assert!(wake(&mut a, 1000, 1001, 1000.0, 0.0, -120).is_empty());
    }
}
