//! The mechanisms an ablation switches off, and the scenario fields that switch each off.
//!
//! Every switch is an existing scenario field, set as `--set` would set it, so a variant is
//! an ordinary scenario that `cascade run --set ...` reproduces. A mechanism the scenario does
//! not have is listed with the reason rather than run.

use cascade_sim::scenario::{AgentGroup, LiquidationRules, Remainder, Shortfall};
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

/// Every mechanism of `base`, in table order: the fixed ones, then each agent group. On a
/// multi-venue scenario a mechanism is switched off on every venue that has it: the home
/// venue through its top-level fields, another perpetual through `venues.<name>.*`, and the
/// groups of every venue through their own paths.
pub fn mechanisms(base: &Scenario) -> Vec<Mechanism> {
    let venues: Vec<Perp> = (0..=base.venues.len() as u16)
        .filter(|&id| !base.is_spot(id))
        .map(|id| Perp::of(base, id))
        .collect();
    let liquidating: Vec<&Perp> = venues.iter().filter(|v| v.liquidates()).collect();
    let not_liquidating = if !venues.iter().any(|v| v.on_margin) {
        Some("no account trades on margin")
    } else if liquidating.is_empty() {
        Some("liquidation.enabled is false")
    } else {
        None
    };
    let groups = groups(base);

    let stops: Vec<String> = groups
        .iter()
        .filter_map(|(path, g)| match g {
            AgentGroup::Leveraged(l) if l.count > 0 && l.stop_loss_pct.is_some() => {
                Some(format!("{path}.stop_loss_pct=None"))
            }
            _ => None,
        })
        .collect();
    let withdrawals: Vec<String> = groups
        .iter()
        .filter_map(|(path, g)| match g {
            AgentGroup::Maker(m)
                if m.count > 0 && m.stress.as_ref().is_some_and(|s| s.withdraw) =>
            {
                Some(format!("{path}.stress.withdraw=false"))
            }
            AgentGroup::CrossMaker(m) if m.count > 0 && m.withdraw.is_some() => {
                Some(format!("{path}.withdraw=None"))
            }
            _ => None,
        })
        .collect();
    // Under the Fund and NextStep remainders the engine sends what the fund cannot hold (or
    // what dry steps leave) to ADL whatever `shortfall` says: no field switches ADL off there.
    let with_adl: Vec<&&Perp> = liquidating.iter().filter(|v| v.adl_rule()).collect();
    let adl: Vec<String> = with_adl
        .iter()
        .filter(|v| v.rules.remainder == Remainder::Shortfall)
        .flat_map(|v| {
            [
                format!("{}liquidation.shortfall=SocializedLoss", v.prefix),
                format!("{}liquidation.adl_drawdown=0.0", v.prefix),
            ]
        })
        .collect();
    let adl_no_switch = !with_adl.is_empty() && adl.is_empty();
    // Venues whose ADL stays on whatever is set (their remainder rule): named in the row.
    let adl_kept: Vec<&str> = with_adl
        .iter()
        .filter(|v| v.rules.remainder != Remainder::Shortfall)
        .map(|v| v.name.as_str())
        .collect();
    let adl_what = if adl.is_empty() || adl_kept.is_empty() {
        String::new()
    } else {
        format!(
            "; not on {} (under its remainder rule what the fund cannot hold goes to ADL \
             whatever liquidation.shortfall says)",
            adl_kept.join(", ")
        )
    };
    let funding: Vec<String> = venues
        .iter()
        .filter(|v| v.funds)
        .map(|v| format!("{}funding.enabled=false", v.prefix))
        .collect();
    let no_funding = funding.is_empty();

    let mut out = vec![
        Mechanism::new(
            "liquidations",
            "the exchange never liquidates (liquidation.enabled=false)",
            liquidating
                .iter()
                .map(|v| format!("{}liquidation.enabled=false", v.prefix))
                .collect(),
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
            "makers under stress widen but never withdraw (stress.withdraw=false; a cross-venue \
             maker's withdraw=None)",
            withdrawals,
            None,
        ),
        Mechanism::new(
            "funding",
            "no funding payments (funding.enabled=false)",
            funding,
            no_funding.then_some("the venue pays no funding"),
        ),
        Mechanism::new(
            "adl",
            &format!(
                "socialised loss instead of auto-deleveraging, no drawdown trigger (ADL remains \
                 only as the valve after 3 steps that close nothing){adl_what}"
            ),
            adl,
            if liquidating.is_empty() {
                not_liquidating
            } else if with_adl.is_empty() {
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
    for (path, g) in groups {
        out.push(Mechanism::new(
            &format!("group:{}", g.name()),
            &format!("agent group {} removed (count=0)", g.name()),
            vec![format!("{path}.count=0")],
            (g.count() == 0).then_some("the group has no agents"),
        ));
    }
    out
}

/// A perpetual venue of the scenario as an ablation sees it.
struct Perp {
    /// Its name.
    name: String,
    /// The path prefix of its rule sections: empty for the home venue (top-level fields),
    /// `venues.<name>.` for another perpetual.
    prefix: String,
    /// Its liquidation rules.
    rules: LiquidationRules,
    /// True when one of its accounts trades on margin.
    on_margin: bool,
    /// True when it pays funding.
    funds: bool,
}

impl Perp {
    fn of(base: &Scenario, id: u16) -> Self {
        let view = base.venue_view(id);
        let agents = match id {
            0 => &base.agents,
            k => &base.venues[usize::from(k) - 1].agents,
        };
        Perp {
            name: base.venue_name_of(id).to_string(),
            prefix: match id {
                0 => String::new(),
                _ => format!("venues.{}.", base.venue_name_of(id)),
            },
            rules: view.liquidation.rules(view.venue),
            on_margin: agents.iter().any(|g| {
                g.count() > 0
                    && match g {
                        AgentGroup::Leveraged(_) => true,
                        AgentGroup::Maker(m) => m.collateral.is_some(),
                        AgentGroup::PythonAgent(p) => p.collateral.is_some(),
                        _ => false,
                    }
            }),
            funds: view.funding_rules().is_some(),
        }
    }

    fn liquidates(&self) -> bool {
        self.rules.enabled && self.on_margin
    }

    fn adl_rule(&self) -> bool {
        self.rules.shortfall == Shortfall::Adl || self.rules.adl_drawdown > 0.0
    }
}

/// Every agent group of every venue with the path that reaches it: `agents[i]` on the home
/// venue, `venues.<name>.agents[j]` on another.
fn groups(base: &Scenario) -> Vec<(String, &AgentGroup)> {
    let home = base
        .agents
        .iter()
        .enumerate()
        .map(|(i, g)| (format!("agents[{i}]"), g));
    let others = base.venues.iter().flat_map(|v| {
        v.agents
            .iter()
            .enumerate()
            .map(move |(j, g)| (format!("venues.{}.agents[{j}]", v.name), g))
    });
    home.chain(others).collect()
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

    const VENUES: &str = r#"Scenario(
        name: "v", duration_s: 60.0, sample_interval_s: 1.0,
        instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.0),
        venue_name: "a",
        EXTRA
        agents: [
            Noise(name: "noise-a", count: 10, rate_per_s: 0.5, limit_weight: 0.55,
                  market_weight: 0.2, cancel_weight: 0.35, offset_ticks_mean: 4.0, size_min: 1,
                  size_max: 10, max_orders: 4),
            Leveraged(name: "longs-a", count: 5, long_share: 1.0, collateral: 100.0,
                  leverage_min: 5.0, leverage_max: 10.0, entry_start_s: 0.0, entry_end_s: 10.0,
                  check_interval_s: 1.0),
            CrossMaker(name: "cross", count: 1, venues: ["a", "x"], refresh_s: 1.0,
                  half_spread_ticks: 1, levels: 2, level_spacing_ticks: 1, size: 5,
                  skew_ticks_per_lot: 0.0, max_inventory: 100,
                  withdraw: Some((move_bps: 50.0, cooldown_s: 10.0))),
        ],
        venues: [
            VenueSpec(name: "b", kind: Perp, preset: Binance,
                index_sources: Some(IndexSources(sources: [Venue(name: "x", weight: 1.0)])),
                agents: [
                    Leveraged(name: "longs-b", count: 5, long_share: 1.0, collateral: 100.0,
                          leverage_min: 5.0, leverage_max: 10.0, entry_start_s: 0.0,
                          entry_end_s: 10.0, check_interval_s: 1.0, stop_loss_pct: Some(2.0)),
                ]),
            VenueSpec(name: "x", kind: Spot, agents: [
                Noise(name: "noise-x", count: 10, rate_per_s: 0.5, limit_weight: 0.55,
                      market_weight: 0.2, cancel_weight: 0.35, offset_ticks_mean: 4.0,
                      size_min: 1, size_max: 10, max_orders: 4),
            ]),
        ],
    )"#;

    fn venues(extra: &str) -> Scenario {
        let text = VENUES.replace("EXTRA", extra);
        Scenario::parse(&text).unwrap_or_else(|e| panic!("{e:?}\n{text}"))
    }

    fn switched_off(base: &Scenario, mech: &Mechanism) -> Scenario {
        let o: Vec<Override> = mech
            .sets
            .iter()
            .map(|s| Override::parse(s).unwrap())
            .collect();
        apply(base, &o).unwrap_or_else(|e| panic!("{}: {e}", mech.name))
    }

    #[test]
    fn on_several_venues_each_mechanism_is_switched_off_on_every_venue_that_has_it() {
        let base = venues("");
        let m = mechanisms(&base);
        let get = |n: &str| m.iter().find(|m| m.name == n).unwrap();
        let liq = get("liquidations");
        assert_eq!(
            liq.sets,
            [
                "liquidation.enabled=false",
                "venues.b.liquidation.enabled=false"
            ]
        );
        let off = switched_off(&base, liq);
        for id in [0, 1] {
            let view = off.venue_view(id);
            assert!(!view.liquidation.rules(view.venue).enabled, "venue {id}");
        }
        assert!(off.warnings().is_empty());
        // Binance funds; the home venue's preset may or may not: whichever fund, none does
        // once switched off.
        let funding = get("funding");
        assert!(funding
            .sets
            .contains(&"venues.b.funding.enabled=false".to_string()));
        let off = switched_off(&base, funding);
        assert!((0..=2).all(|id| off.venue_view(id).funding_rules().is_none()));
        assert_eq!(
            get("stop-losses").sets,
            ["venues.b.agents[0].stop_loss_pct=None"]
        );
        let off = switched_off(&base, get("group:noise-x"));
        assert_eq!(off.venues[1].agents[0].count(), 0);
        assert_eq!(off.agents[0].count(), 10, "the home venue's noise stays");
        let names: Vec<&str> = m
            .iter()
            .skip(FIXED.len())
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "group:noise-a",
                "group:longs-a",
                "group:cross",
                "group:longs-b",
                "group:noise-x"
            ]
        );
        // The cross-venue maker's withdrawal is a maker withdrawal.
        assert_eq!(get("maker-withdrawal").sets, ["agents[2].withdraw=None"]);
        let off = switched_off(&base, get("maker-withdrawal"));
        match &off.agents[2] {
            AgentGroup::CrossMaker(m) => assert_eq!(m.withdraw, None),
            other => panic!("{other:?}"),
        }
        // ADL: the home venue (Custom: remainders to ADL, a shortfall rule) is switched off;
        // b (Binance: remainders to its fund, then ADL whatever is set) cannot be, and the
        // row says so.
        let adl = get("adl");
        assert_eq!(
            adl.sets,
            [
                "liquidation.shortfall=SocializedLoss",
                "liquidation.adl_drawdown=0.0"
            ]
        );
        assert!(adl.what.contains("not on b"), "{}", adl.what);
    }

    #[test]
    fn the_home_venue_off_in_the_file_leaves_the_other_perps_liquidations_to_switch_off() {
        let base = venues("liquidation: LiquidationSpec(enabled: false),");
        let m = mechanisms(&base);
        assert_eq!(m[0].sets, ["venues.b.liquidation.enabled=false"]);
        assert!(m[0].present());
        // Home off and b without margin accounts: the reason is the switch, not the margin.
        let lone = switched_off(
            &base,
            &Mechanism::new(
                "t",
                "",
                vec!["venues.b.agents.longs-b.count=0".into()],
                None,
            ),
        );
        assert_eq!(
            mechanisms(&lone)[0].absent.as_deref(),
            Some("liquidation.enabled is false")
        );
        // Off on both perpetuals in the file: nothing left to switch off.
        let both = switched_off(&base, &m[0]);
        let m = mechanisms(&both);
        assert_eq!(m[0].absent.as_deref(), Some("liquidation.enabled is false"));
        assert_eq!(m[4].absent.as_deref(), Some("liquidation.enabled is false"));
    }
}
