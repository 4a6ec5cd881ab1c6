//! Checks of the venue's sections: margin tiers, the liquidation engine, the mark and the index.

use super::Validator;
use crate::mark::MAX_BASIS_WINDOW_S;
use crate::scenario::{IndexSpec, LiquidationRules, MarkSpec, Remainder, Scenario, Tier};

impl Validator {
    /// The home venue's sections: margin, its rules, what needs an index, the index.
    pub(super) fn venue(&mut self, s: &Scenario) {
        self.tiers(&s.margin.tiers);
        self.rules(s);
        self.mark_needs_index(s);
        self.funding_needs_index(s);
        if let Some(ix) = &s.index {
            self.index(ix);
        }
    }

    /// Another perpetual's rule sections as its view of the scenario resolves them (its
    /// preset with its own sections over it), each problem named under `at`:
    /// `venues[0].liquidation.fee_rate`, or `venues[0].preset` for the preset's value.
    pub(super) fn perp_rules(&mut self, view: &Scenario, at: &str) {
        let mut sub = Validator {
            errors: Vec::new(),
            instrument: self.instrument,
        };
        sub.rules(view);
        for e in sub.errors {
            let path = match e.path.as_str() {
                "venue" => format!("{at}.preset"),
                field => format!("{at}.{field}"),
            };
            // The hints name the home venue's field; a venue entry's is `preset`.
            self.err(path, e.reason.replace("`venue: ", "`preset: "));
        }
    }

    /// The rule sections a venue's preset resolves: liquidation, mark, funding and fees.
    fn rules(&mut self, s: &Scenario) {
        let rules = s.liquidation.rules(s.venue);
        self.liquidation(&rules);
        // `shortfall` decides only what a `remainder: Shortfall` step leaves; under the Fund and
        // NextStep remainders what the fund (or the next steps) cannot close goes to ADL, so a
        // given `shortfall` would be silently ignored.
        if s.liquidation.shortfall.is_some() && rules.remainder != Remainder::Shortfall {
            self.err(
                "liquidation.shortfall",
                format!(
                    "has no effect with `remainder: {:?}` (the {:?} venue's rule): what the fund \
                     or the next steps cannot close goes to auto-deleveraging; leave it out, or \
                     set `remainder: Shortfall` (or `venue: Custom`) to choose the shortfall rule",
                    rules.remainder, s.venue
                ),
            );
        }
        self.mark(s);
        self.funding_and_fees(s);
    }

    /// The liquidation rules as the run will follow them (the preset's, with the scenario's
    /// fields over them); a problem is named at the field, whether given or the preset's.
    fn liquidation(&mut self, l: &LiquidationRules) {
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
        } else {
            self.money("liquidation.insurance_fund", l.insurance_fund);
        }
        if self.non_negative("liquidation.partial_above", l.partial_above) {
            self.money("liquidation.partial_above", l.partial_above);
        }
        if self.non_negative("liquidation.fund_capacity", l.fund_capacity)
            && l.fund_capacity > 100.0
        {
            self.err(
                "liquidation.fund_capacity",
                format!(
                    "must be at most 100 (times the fund's equity), got {}",
                    l.fund_capacity
                ),
            );
        }
        if l.remainder == Remainder::Fund && l.fund_capacity == 0.0 {
            self.err(
                "liquidation.fund_capacity",
                "is 0, so the fund can take nothing over: with `remainder: Fund` give a positive capacity",
            );
        }
        self.fraction_below_one("liquidation.backstop_below", l.backstop_below);
        self.fraction_below_one("liquidation.adl_drawdown", l.adl_drawdown);
        self.positive("liquidation.workoff_interval_s", l.workoff_interval_s);
        if self.positive("liquidation.workoff_fraction", l.workoff_fraction)
            && l.workoff_fraction > 1.0
        {
            self.err(
                "liquidation.workoff_fraction",
                format!("must be at most 1, got {}", l.workoff_fraction),
            );
        }
        if self.positive("liquidation.workoff_slippage_bps", l.workoff_slippage_bps)
            && l.workoff_slippage_bps >= 10_000.0
        {
            self.err(
                "liquidation.workoff_slippage_bps",
                format!("must be below 10000 (100%), got {}", l.workoff_slippage_bps),
            );
        }
        self.positive("liquidation.adl_drawdown_window_s", l.adl_drawdown_window_s);
    }

    /// A share in [0, 1).
    fn fraction_below_one(&mut self, path: &str, x: f64) {
        if self.non_negative(path, x) && x >= 1.0 {
            self.err(path, format!("must be below 1, got {x}"));
        }
    }

    fn mark(&mut self, s: &Scenario) {
        let rule = s.mark_rule();
        match &rule {
            MarkSpec::EmaMid { half_life_s } | MarkSpec::OracleEma { half_life_s } => {
                self.positive("mark.half_life_s", *half_life_s);
            }
            MarkSpec::Median { basis_half_life_s } => {
                self.positive("mark.basis_half_life_s", *basis_half_life_s);
            }
            MarkSpec::VenueMedian { basis_window_s } | MarkSpec::IndexBasis { basis_window_s } => {
                let ok = self.positive("mark.basis_window_s", *basis_window_s);
                if ok && *basis_window_s > f64::from(MAX_BASIS_WINDOW_S) {
                    self.err(
                        "mark.basis_window_s",
                        format!("must be at most {MAX_BASIS_WINDOW_S} s, got {basis_window_s}"),
                    );
                }
            }
            _ => {}
        }
    }

    /// The home venue's mark reads an index: the scenario must have one.
    fn mark_needs_index(&mut self, s: &Scenario) {
        let rule = s.mark_rule();
        if rule.needs_index() && !s.has_index() {
            let (at, whose) = if s.mark.is_some() {
                ("mark", "the")
            } else {
                ("venue", "the venue's")
            };
            self.err(
                at,
                format!(
                    "{whose} {} mark needs an index: add `index: Some(IndexSpec(...))`",
                    rule.name()
                ),
            );
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

    fn index(&mut self, ix: &IndexSpec) {
        // How many updates the run can afford is the budget's to say (budget.rs).
        self.positive("index.interval_s", ix.interval_s);
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
}
