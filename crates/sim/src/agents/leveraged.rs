//! Leveraged traders: open a position on margin at a random time, hold it, top up or stop out,
//! and — if the scenario says so — come back after a liquidation.

use super::{secs_to_ns, Action, Ctx, OrderList};
use crate::rng::{exp_draw, Rng};
use crate::scenario::LeveragedSpec;
use cascade_book::{Qty, Side};
use rand::Rng as _;

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
    pub leverage: f64,
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

    /// The entry time.
    pub fn first_wake(&self) -> i64 {
        self.entry_ns
    }

    /// The side of the trader's position.
    pub fn side(&self) -> Side {
        self.side
    }

    /// Enters, watches or re-enters.
    pub fn wake(
        &mut self,
        ctx: &mut Ctx<'_>,
        rng: &mut Rng,
        _orders: &mut OrderList,
    ) -> Option<i64> {
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
