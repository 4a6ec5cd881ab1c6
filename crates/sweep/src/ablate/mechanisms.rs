//! The mechanisms an ablation switches off, and the scenario fields that switch each off.
//!
//! Every switch is an existing scenario field, set as `--set` would set it, so a variant is
//! an ordinary scenario that `cascade run --set ...` reproduces. A mechanism the scenario does
//! not have is listed with the reason rather than run.

use cascade_sim::scenario::{AgentGroup, Remainder, Shortfall};
use cascade_sim::Scenario;
use serde::Serialize;

/// One mechanism of a scenario and how it is switched off.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mechanism {
    /// Its name on the command line and in the table.
    pub name: String,
    /// What switching it off means.
    pub what: String,
    /// The overrides (`path=value`) that switch it off; empty when it is not present.
    pub sets: Vec<String>,
    /// Why it is not run (not present, or present with no field that switches it off);
    /// `None` when it is run.
    pub absent: Option<String>,
    /// Present, but no field of the scenario switches it off.
    pub no_switch: bool,
}

impl Mechanism {
    /// True when the scenario has it (and the ablation runs it).
    pub fn present(&self) -> bool {
        self.absent.is_none()
    }

    fn new(name: &str, what: &str, sets: Vec<String>, absent: Option<&str>) -> Self {
        let absent = match (absent, sets.is_empty()) {
            (Some(reason), _) => Some(reason.to_string()),
            (None, true) => Some("nothing to switch off".to_string()),
            (None, false) => None,
        };
        Mechanism {
            name: name.into(),
            what: what.into(),
            sets: if absent.is_some() { Vec::new() } else { sets },
            absent,
            no_switch: false,
        }
    }
}

/// The names of the fixed mechanisms, in table order; agent groups follow as `group:NAME`.
pub const FIXED: [&str; 5] = [
    "liquidations",
    "stop-losses",
    "maker-withdrawal",
    "funding",
    "adl",
];

/// Every mechanism of `base`, in table order: the fixed ones, then each agent group.
pub fn mechanisms(base: &Scenario) -> Vec<Mechanism> {
    let rules = base.liquidation.rules(base.venue);
    let groups: Vec<(usize, &AgentGroup)> = base.agents.iter().enumerate().collect();
    let on_margin = groups.iter().any(|(_, g)| {
        g.count() > 0
            && match g {
                AgentGroup::Leveraged(_) => true,
                AgentGroup::Maker(m) => m.collateral.is_some(),
                AgentGroup::PythonAgent(p) => p.collateral.is_some(),
                _ => false,
            }
    });
    let liquidations = rules.enabled && on_margin;
    let not_liquidating = if !rules.enabled {
        Some("liquidation.enabled is false")
    } else if !on_margin {
        Some("no account trades on margin")
    } else {
        None
    };

    let stops: Vec<String> = groups
        .iter()
        .filter_map(|(i, g)| match g {
            AgentGroup::Leveraged(l) if l.count > 0 && l.stop_loss_pct.is_some() => {
                Some(format!("agents[{i}].stop_loss_pct=None"))
            }
            _ => None,
        })
        .collect();
    let withdrawals: Vec<String> = groups
        .iter()
        .filter_map(|(i, g)| match g {
            AgentGroup::Maker(m)
                if m.count > 0 && m.stress.as_ref().is_some_and(|s| s.withdraw) =>
            {
                Some(format!("agents[{i}].stress.withdraw=false"))
            }
            _ => None,
        })
        .collect();
    let adl_rule = rules.shortfall == Shortfall::Adl || rules.adl_drawdown > 0.0;
    // Under the Fund and NextStep remainders the engine sends what the fund cannot hold (or
    // what dry steps leave) to ADL whatever `shortfall` says: no field switches ADL off there.
    let adl_switch = rules.remainder == Remainder::Shortfall;
    let adl = if liquidations && adl_rule && adl_switch {
        vec![
            "liquidation.shortfall=SocializedLoss".to_string(),
            "liquidation.adl_drawdown=0.0".to_string(),
        ]
    } else {
        Vec::new()
    };

    let adl_no_switch = liquidations && adl_rule && !adl_switch;
    let mut out = vec![
        Mechanism::new(
            "liquidations",
            "the exchange never liquidates (liquidation.enabled=false)",
            if liquidations {
                vec!["liquidation.enabled=false".into()]
            } else {
                Vec::new()
            },
            not_liquidating,
        ),
        Mechanism::new(
            "stop-losses",
            "leveraged traders hold without a stop (stop_loss_pct=None)",
            stops,
            None,
        ),
        Mechanism::new(
            "maker-withdrawal",
            "makers under stress widen but never withdraw (stress.withdraw=false)",
            withdrawals,
            None,
        ),
        Mechanism::new(
            "funding",
            "no funding payments (funding.enabled=false)",
            if base.funding_rules().is_some() {
                vec!["funding.enabled=false".into()]
            } else {
                Vec::new()
            },
            base.funding_rules()
                .is_none()
                .then_some("the venue pays no funding"),
        ),
        Mechanism::new(
            "adl",
            "socialised loss instead of auto-deleveraging, no drawdown trigger (ADL remains \
             only as the valve after 3 steps that close nothing)",
            adl,
            if !liquidations {
                not_liquidating
            } else if !adl_rule {
                Some("the shortfall rule is already socialised loss")
            } else if adl_no_switch {
                Some(
                    "no off-switch: under the venue's remainder rule (Fund or NextStep) what the \
                     fund cannot hold goes to ADL whatever liquidation.shortfall says",
                )
            } else {
                None
            },
        ),
    ];
    if let Some(adl) = out.last_mut() {
        adl.no_switch = adl_no_switch;
    }
    for (i, g) in groups {
        out.push(Mechanism::new(
            &format!("group:{}", g.name()),
            &format!("agent group {} removed (count=0)", g.name()),
            vec![format!("agents[{i}].count=0")],
            (g.count() == 0).then_some("the group has no agents"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use cascade_sim::overrides::apply;
    use cascade_sim::Override;

    fn scenario(extra: &str, agents: &str) -> Scenario {
        let text = format!(
            r#"Scenario(
                name: "t", duration_s: 60.0, sample_interval_s: 1.0,
                instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.0),
                {extra}
                agents: [{agents}],
            )"#
        );
        Scenario::parse(&text).unwrap_or_else(|e| panic!("{e:?}\n{text}"))
    }

    const NOISE: &str = "Noise(name: \"noise\", count: 10, rate_per_s: 0.5, limit_weight: 0.55, \
        market_weight: 0.2, cancel_weight: 0.35, offset_ticks_mean: 4.0, size_min: 1, \
        size_max: 10, max_orders: 4)";
    const LEVERED: &str = "Leveraged(name: \"longs\", count: 5, long_share: 1.0, \
        collateral: 100.0, leverage_min: 5.0, leverage_max: 10.0, entry_start_s: 0.0, \
        entry_end_s: 10.0, check_interval_s: 1.0, stop_loss_pct: Some(2.0))";

    #[test]
    fn a_market_without_margin_has_only_its_groups() {
        let m = mechanisms(&scenario("", NOISE));
        let names: Vec<&str> = m.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "liquidations",
                "stop-losses",
                "maker-withdrawal",
                "funding",
                "adl",
                "group:noise"
            ]
        );
        let present: Vec<&str> = m
            .iter()
            .filter(|m| m.present())
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(present, ["group:noise"]);
        assert_eq!(m[0].absent.as_deref(), Some("no account trades on margin"));
        assert_eq!(m[3].absent.as_deref(), Some("the venue pays no funding"));
        assert!(m.iter().all(|m| m.present() != m.sets.is_empty()));
    }

    #[test]
    fn every_switch_applies_and_switches_its_mechanism_off() {
        let base = scenario("", &format!("{NOISE}, {LEVERED}"));
        let m = mechanisms(&base);
        let get = |n: &str| m.iter().find(|m| m.name == n).unwrap();
        for mech in m.iter().filter(|m| m.present()) {
            let o: Vec<Override> = mech
                .sets
                .iter()
                .map(|s| Override::parse(s).unwrap())
                .collect();
            let off = apply(&base, &o).unwrap_or_else(|e| panic!("{}: {e}", mech.name));
            match mech.name.as_str() {
                "liquidations" => assert!(!off.liquidation.rules(off.venue).enabled),
                "adl" => {
                    let r = off.liquidation.rules(off.venue);
                    assert_eq!(r.shortfall, Shortfall::SocializedLoss);
                    assert_eq!(r.adl_drawdown, 0.0);
                }
                "stop-losses" => match &off.agents[1] {
                    AgentGroup::Leveraged(l) => assert_eq!(l.stop_loss_pct, None),
                    _ => unreachable!(),
                },
                "group:noise" => assert_eq!(off.agents[0].count(), 0),
                "group:longs" => assert_eq!(off.agents[1].count(), 0),
                other => panic!("unexpected mechanism {other}"),
            }
        }
        assert!(get("liquidations").present() && get("adl").present());
        assert!(!get("maker-withdrawal").present());
        // With liquidations off in the file, neither they nor ADL can be switched off.
        let off = mechanisms(&scenario(
            "liquidation: LiquidationSpec(enabled: false),",
            &format!("{NOISE}, {LEVERED}"),
        ));
        assert_eq!(
            off[0].absent.as_deref(),
            Some("liquidation.enabled is false")
        );
        assert_eq!(
            off[4].absent.as_deref(),
            Some("liquidation.enabled is false")
        );
    }
}
