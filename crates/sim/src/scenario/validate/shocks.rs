//! Checks of the scripted shocks: times within the run, and what each shock needs.

use super::Validator;
use crate::scenario::{AgentGroup, Scenario, Shock};

impl Validator {
    pub(super) fn shocks(&mut self, s: &Scenario) {
        for (i, shock) in s.shocks.iter().enumerate() {
            self.shock(&format!("shocks[{i}]"), shock, s);
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
                self.order_lots(&format!("{p}.qty"), *qty);
                if self.non_negative(&format!("{p}.over_s"), *over_s) && at + over_s > s.duration_s
                {
                    self.err(
                        format!("{p}.over_s"),
                        "the program would run past the end of the run",
                    );
                }
                if let Some(name) = shock.venue() {
                    if s.venue_id(name).is_none() {
                        self.err(
                            format!("{p}.venue"),
                            format!(
                                "no venue named {name:?} (the home venue is {:?})",
                                s.venue_name
                            ),
                        );
                    }
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
}
