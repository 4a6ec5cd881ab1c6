//! Semantic validation of a parsed scenario: every problem, each with its field path.
//!
//! The core sections are checked here, the venue's in `venue.rs`, the shocks in `shocks.rs`;
//! each agent kind checks its own section through [`Fields`].

mod budget;
mod collateral;
mod funding;
mod multi;
mod prices;
mod shocks;
mod venue;
pub(crate) use collateral::check_share;
pub(crate) use prices::PRICE_HEADROOM;

pub use budget::{
    Budget, ACCOUNT_BYTES, AGENT_BYTES, EVENTS_PER_S, MAX_EVENTS, MAX_JUMPS_PER_STEP,
    MAX_RATE_PER_S, MEMORY_BUDGET_BYTES, MIN_INTERVAL_S, RESTING_BYTES, SAMPLE_FOOTPRINT_BYTES,
    TIME_BUDGET_S, TRADE_FOOTPRINT_BYTES,
};

use super::{
    Fundamental, Instrument, Scenario, MAX_AGENTS, MAX_DURATION_S, MAX_ORDER_LOTS, MAX_ORDER_UNITS,
};

/// One semantic problem: the field's path and what is wrong with its value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct FieldError {
    /// Path of the field, e.g. `agents[1].rate_per_s`.
    pub path: String,
    /// Why the value is refused.
    pub reason: String,
}

/// All the semantic problems of a scenario (never empty). Shown, the list stops after
/// [`ValidationErrors::SHOWN`] problems and says how many more there are: a table of 150,000
/// bad tiers is one screen, not 21 MB.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.shown().join("; "))]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    /// Most problems shown; the rest are counted.
    pub const SHOWN: usize = 20;

    /// One line per problem, the first [`Self::SHOWN`], then "… and N more" if any were left.
    pub fn shown(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .0
            .iter()
            .take(Self::SHOWN)
            .map(|e| e.to_string())
            .collect();
        if self.0.len() > Self::SHOWN {
            lines.push(format!(
                "… and {} more problems ({} in all)",
                self.0.len() - Self::SHOWN,
                self.0.len()
            ));
        }
        lines
    }
}

/// The problems found so far, in the order the checks ran.
#[derive(Default)]
pub(super) struct Validator {
    pub(super) errors: Vec<FieldError>,
    /// The initial price in ticks and the quote value of one unit (tick × lot), once the
    /// instrument is known to be valid: what money bounds are measured against.
    instrument: Option<(f64, f64)>,
}

impl Validator {
    fn err(&mut self, path: impl Into<String>, reason: impl Into<String>) {
        self.errors.push(FieldError {
            path: path.into(),
            reason: reason.into(),
        });
    }

    fn positive(&mut self, path: &str, x: f64) -> bool {
        if !(x.is_finite() && x > 0.0) {
            self.err(path, format!("must be a positive number, got {x}"));
            return false;
        }
        true
    }

    fn non_negative(&mut self, path: &str, x: f64) -> bool {
        if !(x.is_finite() && x >= 0.0) {
            self.err(path, format!("must be zero or positive, got {x}"));
            return false;
        }
        true
    }

    fn probability(&mut self, path: &str, x: f64) {
        if !(x.is_finite() && (0.0..=1.0).contains(&x)) {
            self.err(path, format!("must be a probability in [0, 1], got {x}"));
        }
    }

    fn int_range(&mut self, path: &str, x: i64, lo: i64, hi: i64) -> bool {
        if x < lo || x > hi {
            self.err(path, format!("must be in [{lo}, {hi}], got {x}"));
            return false;
        }
        true
    }

    /// An order size in lots: in [1, MAX_ORDER_LOTS], and worth at most [`MAX_ORDER_UNITS`]
    /// at the initial price, so that no sum of money in the run can overflow 64 bits.
    fn order_lots(&mut self, path: &str, lots: i64) {
        if !self.int_range(path, lots, 1, MAX_ORDER_LOTS) {
            return;
        }
        if let Some((ticks, _)) = self.instrument {
            let units = ticks * lots as f64;
            if units > MAX_ORDER_UNITS {
                self.err(
                    path,
                    format!(
                        "{lots} lots at instrument.initial_price ({ticks:.0} ticks) are worth \
                         {units:.3e} units of tick × lot, over the {MAX_ORDER_UNITS:.3e} that keeps \
                         64-bit cash exact (room for prices ×16 and 4,096 such orders in one \
                         account); use smaller orders or a coarser instrument.tick_size or lot_size"
                    ),
                );
            }
        }
    }

    /// An amount of quote currency (collateral, a fund, a position's notional): at most
    /// [`MAX_ORDER_UNITS`] units of tick × lot and, when not zero, at least one (cash is counted
    /// in whole units: a smaller amount would silently become nothing).
    fn money(&mut self, path: &str, quote: f64) {
        if let Some((_, unit_quote)) = self.instrument {
            let units = quote / unit_quote;
            if quote > 0.0 && units < 1.0 {
                self.err(
                    path,
                    format!(
                        "{quote} is {units:.3e} units of tick × lot, less than the one unit cash \
                         is counted in; use a finer instrument.tick_size or lot_size, or a \
                         larger amount"
                    ),
                );
            } else if units > MAX_ORDER_UNITS {
                self.err(
                    path,
                    format!(
                        "{quote} is {units:.3e} units of tick × lot, over the \
                         {MAX_ORDER_UNITS:.3e} that keeps 64-bit cash exact; use a coarser \
                         instrument.tick_size or lot_size, or a smaller amount"
                    ),
                );
            }
        }
    }

    pub(super) fn check(&mut self, s: &Scenario) {
        if s.name.trim().is_empty() {
            self.err("name", "must not be empty");
        } else if !s
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
            || s.name.starts_with('.')
        {
            self.err(
                "name",
                format!(
                    "must use only letters, digits, '-', '_' and '.' (it names a folder), got {:?}",
                    s.name
                ),
            );
        }
        if self.positive("duration_s", s.duration_s) && s.duration_s > MAX_DURATION_S {
            self.err(
                "duration_s",
                format!("must be at most {MAX_DURATION_S} s, got {}", s.duration_s),
            );
        }
        self.positive("sample_interval_s", s.sample_interval_s);
        if self.non_negative("latency.base_us", s.latency.base_us) && s.latency.base_us > 1e9 {
            self.err("latency.base_us", "must be at most 1e9 µs");
        }
        if self.non_negative("latency.jitter_us", s.latency.jitter_us) && s.latency.jitter_us > 1e9
        {
            self.err("latency.jitter_us", "must be at most 1e9 µs");
        }
        if let Some(m) = s.latency.line_m {
            if self.non_negative("latency.line_m", m) && m > 1e9 {
                self.err(
                    "latency.line_m",
                    "must be at most 1e9 m (a light time of 3.3 s)",
                );
            }
        }
        self.instrument(&s.instrument);
        if let Some(f) = &s.fundamental {
            self.fundamental(f);
        }
        self.agents(s);
        self.venues(s);
        self.collateral(s);
        self.venue(s);
        self.shocks(s);
        self.times(s);
        self.prices(s);
        self.budget(s);
    }

    /// Every duration or time in seconds — each field named `…_s` (not a rate `…_per_s` or
    /// `…_per_sqrt_s`), anywhere in the scenario — is at most [`MAX_DURATION_S`]. The kernel
    /// keeps times as i64 nanoseconds and adds at most two of them (now + a wait), so with
    /// 3.2e8 s = 3.2e17 ns each no sum can reach i64::MAX (9.2e18). A field the other checks
    /// already refused (not finite, negative) is not named twice.
    fn times(&mut self, s: &Scenario) {
        let Ok(tree) = serde_json::to_value(s) else {
            return;
        };
        let mut found = Vec::new();
        numeric_fields(&tree, String::new(), &mut found);
        for (path, x) in found {
            let seconds =
                path.ends_with("_s") && !path.ends_with("_per_s") && !path.ends_with("_per_sqrt_s");
            if !seconds {
                continue;
            }
            let named = self.errors.iter().any(|e| e.path == path);
            if !named && x.is_finite() && x > MAX_DURATION_S {
                self.err(
                    path,
                    format!(
                        "must be at most {MAX_DURATION_S:e} s (about 10 years: times are kept in \
                         64-bit nanoseconds), got {x}"
                    ),
                );
            }
        }
    }

    fn instrument(&mut self, i: &Instrument) {
        let tick_ok = self.positive("instrument.tick_size", i.tick_size);
        self.positive("instrument.lot_size", i.lot_size);
        if self.positive("instrument.initial_price", i.initial_price) && tick_ok {
            let ticks = i.initial_price / i.tick_size;
            if ticks > 1e15 {
                self.err(
                    "instrument.initial_price",
                    "is too many ticks (over 1e15) for the tick size",
                );
            } else if (ticks - ticks.round()).abs() > 1e-6 * ticks.max(1.0) {
                self.err(
                    "instrument.initial_price",
                    format!(
                        "must be a multiple of tick_size ({}), got {}",
                        i.tick_size, i.initial_price
                    ),
                );
            } else if ticks.round() < 10.0 {
                self.err(
                    "instrument.initial_price",
                    "must be at least 10 ticks, so prices can move",
                );
            } else if i.lot_size.is_finite() && i.lot_size > 0.0 {
                self.instrument = Some((ticks.round(), i.tick_size * i.lot_size));
            }
        }
    }

    fn fundamental(&mut self, f: &Fundamental) {
        if let Some(m) = f.mean {
            self.positive("fundamental.mean", m);
        }
        self.non_negative("fundamental.kappa_per_s", f.kappa_per_s);
        self.non_negative("fundamental.sigma_per_sqrt_s", f.sigma_per_sqrt_s);
        self.non_negative("fundamental.jump_rate_per_s", f.jump_rate_per_s);
        if !f.jump_mean.is_finite() {
            self.err("fundamental.jump_mean", "must be a finite number");
        }
        self.non_negative("fundamental.jump_std", f.jump_std);
    }

    fn agents(&mut self, s: &Scenario) {
        if s.agents.is_empty() {
            self.err("agents", "a market needs at least one agent group");
            return;
        }
        let total = s.agent_count();
        if total == 0 {
            self.err(
                "agents",
                "a market needs at least one agent (all counts are 0)",
            );
        } else if total > MAX_AGENTS {
            self.err(
                "agents",
                format!("at most {MAX_AGENTS} agents in all, got {total}"),
            );
        }
        let mut names: Vec<&str> = Vec::new();
        for (venue, at, g) in s.groups() {
            let mut f = Fields { v: self, at };
            let name = g.name();
            if name.trim().is_empty() {
                f.err("name", "must not be empty");
            } else if names.contains(&name) {
                f.err("name", format!("{name:?} names two groups"));
            }
            names.push(name);
            g.validate(&mut f, s);
            if g.index_weight() > 0.0 && !s.venue_has_index(venue) {
                f.err(
                    "index_weight",
                    if s.is_spot(venue) {
                        "needs an index to weigh, which a spot venue has not: leave it at 0"
                    } else {
                        "needs an index to weigh: add `index: Some(IndexSpec(...))` or the \
                         venue's `index_sources`"
                    },
                );
            }
        }
    }
}

/// Every numeric field below `v` with its path as the checks name it (`agents[1].refresh_s`,
/// `shocks[0].at_s`, `mark.half_life_s`); numbers in lists of numbers (an index path's
/// points) are not fields and are left out.
pub(super) fn numeric_fields(v: &serde_json::Value, at: String, out: &mut Vec<(String, f64)>) {
    use serde_json::Value;
    let join = |key: &str| {
        if at.is_empty() {
            key.to_string()
        } else {
            format!("{at}.{key}")
        }
    };
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                numeric_fields(item, format!("{at}[{i}]"), out);
            }
        }
        // An enum variant with fields (`{"EmaMid": {...}}`, `{"Noise": {...}}`): its fields
        // sit at the variant's own path, as the checks name them.
        Value::Object(m)
            if m.len() == 1
                && m.keys()
                    .all(|k| k.starts_with(|c: char| c.is_ascii_uppercase())) =>
        {
            if let Some(inner) = m.values().next() {
                numeric_fields(inner, at, out);
            }
        }
        Value::Object(m) => {
            for (key, value) in m {
                match value.as_f64() {
                    Some(x) => out.push((join(key), x)),
                    None => numeric_fields(value, join(key), out),
                }
            }
        }
        _ => {}
    }
}

/// The checks of one section, naming each field below the section's path: at `agents[1]`,
/// the field `rate_per_s` is `agents[1].rate_per_s`.
pub(crate) struct Fields<'a> {
    v: &'a mut Validator,
    at: String,
}

impl Fields<'_> {
    fn path(&self, field: &str) -> String {
        format!("{}.{field}", self.at)
    }

    /// A problem with the section as a whole.
    pub(crate) fn section_err(&mut self, reason: impl Into<String>) {
        self.v.err(self.at.clone(), reason);
    }

    /// A problem with `field`.
    pub(crate) fn err(&mut self, field: &str, reason: impl Into<String>) {
        let path = self.path(field);
        self.v.err(path, reason);
    }

    /// Refuses anything but a finite number above zero; true when it is one.
    pub(crate) fn positive(&mut self, field: &str, x: f64) -> bool {
        self.v.positive(&self.path(field), x)
    }

    /// Refuses anything but a finite number at or above zero; true when it is one.
    pub(crate) fn non_negative(&mut self, field: &str, x: f64) -> bool {
        self.v.non_negative(&self.path(field), x)
    }

    /// Refuses anything outside [0, 1].
    pub(crate) fn probability(&mut self, field: &str, x: f64) {
        self.v.probability(&self.path(field), x);
    }

    /// Refuses an integer outside [lo, hi].
    pub(crate) fn int_range(&mut self, field: &str, x: i64, lo: i64, hi: i64) {
        self.v.int_range(&self.path(field), x, lo, hi);
    }

    /// An order size or position in lots: at least 1, at most [`MAX_ORDER_LOTS`], and worth at
    /// most [`MAX_ORDER_UNITS`] at the initial price.
    pub(crate) fn lots(&mut self, field: &str, lots: i64) {
        self.v.order_lots(&self.path(field), lots);
    }

    /// An amount of quote currency: at most [`MAX_ORDER_UNITS`] units of tick × lot.
    pub(crate) fn money(&mut self, field: &str, quote: f64) {
        self.v.money(&self.path(field), quote);
    }

    /// `size_min` and `size_max`: order sizes in lots, the first not above the second.
    pub(crate) fn sizes(&mut self, min: i64, max: i64) {
        self.lots("size_min", min);
        self.lots("size_max", max);
        if min > max {
            self.err(
                "size_max",
                format!("must be at least size_min ({min}), got {max}"),
            );
        }
    }

    /// The checks of the subsection `field`, e.g. a maker's `stress`.
    pub(crate) fn within(&mut self, field: &str) -> Fields<'_> {
        Fields {
            at: self.path(field),
            v: self.v,
        }
    }
}
