//! The checks of a multi-venue scenario: venue names, each venue's agents, index sources.

use super::{Fields, Validator};
use crate::agents::AgentGroup;
use crate::scenario::{IndexSource, IndexSources, Scenario, VenueKind};

/// Most venues in one run (the home venue and 15 more).
pub const MAX_VENUES: usize = 16;

impl Validator {
    /// Venue names, each venue's agents and each perpetual's index sources.
    pub(super) fn venues(&mut self, s: &Scenario) {
        self.venue_name("venue_name", &s.venue_name);
        if s.venues.len() + 1 > MAX_VENUES {
            self.err(
                "venues",
                format!(
                    "at most {} venues besides the home venue, got {}",
                    MAX_VENUES - 1,
                    s.venues.len()
                ),
            );
        }
        for (i, v) in s.venues.iter().enumerate() {
            let at = format!("venues[{i}]");
            if !self.venue_name(&format!("{at}.name"), &v.name) {
            } else if v.name == s.venue_name
                || s.venues
                    .iter()
                    .take(i)
                    .any(|earlier| earlier.name == v.name)
            {
                self.err(
                    format!("{at}.name"),
                    format!("{:?} names two venues", v.name),
                );
            }
            if v.agents.iter().all(|g| g.count() == 0) {
                self.err(
                    format!("{at}.agents"),
                    "a venue needs at least one agent (its book would stay empty)",
                );
            }
            if v.kind == VenueKind::Spot {
                if v.index_sources.is_some() {
                    self.err(
                        format!("{at}.index_sources"),
                        "a spot venue has no index (only a perpetual does)",
                    );
                }
                for (j, g) in v.agents.iter().enumerate() {
                    if let AgentGroup::Leveraged(_) | AgentGroup::BasisArb(_) = g {
                        self.err(
                            format!("{at}.agents[{j}]"),
                            format!(
                                "{:?} trades on margin, which a spot venue does not offer: \
                                 put it on a perpetual venue",
                                g.name()
                            ),
                        );
                    }
                    if let AgentGroup::Fundamentalist(f) = g {
                        if f.anchor_half_life_s.is_none() && s.fundamental.is_none() {
                            self.err(
                                format!("{at}.agents[{j}].anchor_half_life_s"),
                                format!(
                                    "{:?} would revert to the index, which a spot venue has \
                                     not: give it anchor_half_life_s (its own average of \
                                     the venue's price)",
                                    g.name()
                                ),
                            );
                        }
                    }
                }
            }
            if v.kind == VenueKind::Spot {
                for field in v.rules_given() {
                    self.err(
                        format!("{at}.{field}"),
                        format!(
                            "a spot venue has no margin, liquidation, funding or fees of its \
                             own: `{field}` applies to a perpetual venue only; leave it out"
                        ),
                    );
                }
            }
            if v.kind == VenueKind::Perp {
                let view = s.venue_view(i as u16 + 1);
                self.perp_rules(&view, &at);
                let needs = view.mark_rule().needs_index() || view.funding_rules().is_some();
                if needs && !view.has_index() {
                    self.err(
                        format!("{at}.index_sources"),
                        format!(
                            "a {} perpetual marks or funds against an index: give it \
                             index_sources or the scenario an `index`",
                            v.preset.name()
                        ),
                    );
                }
            }
            if let Some(ix) = &v.index_sources {
                self.index_sources(s, &format!("{at}.index_sources"), i as u16 + 1, ix);
            }
        }
        if let Some(ix) = &s.index_sources {
            self.index_sources(s, "index_sources", 0, ix);
        }
        for (_, at, g) in s.groups() {
            let mut f = Fields { v: self, at };
            match g {
                AgentGroup::CrossArb(c) => c.check_venues(&mut f, s),
                AgentGroup::CrossMaker(c) => c.check_venues(&mut f, s),
                _ => {}
            }
        }
    }

    /// A venue's name names a folder of the run (`venues/<name>/`): 1 to 32 letters, digits,
    /// `-` or `_`. True when it is one.
    fn venue_name(&mut self, path: &str, name: &str) -> bool {
        let ok = (1..=32).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            self.err(
                path,
                format!("{name:?} must be 1 to 32 letters, digits, '-' or '_' (it names a folder)"),
            );
        }
        ok
    }

    /// The sources of venue `own`'s index, at `at`.
    fn index_sources(&mut self, s: &Scenario, at: &str, own: u16, ix: &IndexSources) {
        if ix.sources.is_empty() {
            self.err(format!("{at}.sources"), "needs at least one source");
        }
        let mut total = 0.0;
        for (k, src) in ix.sources.iter().enumerate() {
            let path = format!("{at}.sources[{k}]");
            if self.non_negative(&format!("{path}.weight"), src.weight()) {
                total += src.weight();
            }
            match src {
                IndexSource::Venue { name, .. } => match s.venue_id(name) {
                    None => self.err(
                        format!("{path}.name"),
                        format!("{name:?} names no venue of the scenario"),
                    ),
                    Some(id) if id == own => self.err(
                        format!("{path}.name"),
                        format!(
                            "{name:?} is this perpetual itself: an index cannot read its own book"
                        ),
                    ),
                    Some(id) if !s.is_spot(id) => self.err(
                        format!("{path}.name"),
                        format!("{name:?} is a perpetual: index sources are spot venues"),
                    ),
                    Some(_) => {}
                },
                IndexSource::Scripted { .. } => {
                    if s.index.is_none() {
                        self.err(
                            path,
                            "a Scripted source reads the scenario's `index`, which is not given",
                        );
                    }
                }
            }
        }
        if !ix.sources.is_empty() && total <= 0.0 {
            self.err(
                format!("{at}.sources"),
                format!("the weights must sum to a positive number, got {total}"),
            );
        }
        self.positive(&format!("{at}.max_deviation_pct"), ix.max_deviation_pct);
        self.positive(&format!("{at}.stale_s"), ix.stale_s);
        self.positive(&format!("{at}.interval_s"), ix.interval_s);
    }
}
