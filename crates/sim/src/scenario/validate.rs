//! Semantic validation of a parsed scenario: every problem, each with its field path.

use super::*;

#[derive(Default)]
pub(super) struct Validator {
    pub(super) errors: Vec<FieldError>,
}

impl Validator {
    pub(super) fn err(&mut self, path: impl Into<String>, reason: impl Into<String>) {
        self.errors.push(FieldError {
            path: path.into(),
            reason: reason.into(),
        });
    }

    pub(super) fn positive(&mut self, path: &str, x: f64) -> bool {
        if !(x.is_finite() && x > 0.0) {
            self.err(path, format!("must be a positive number, got {x}"));
            return false;
        }
        true
    }

    pub(super) fn non_negative(&mut self, path: &str, x: f64) -> bool {
        if !(x.is_finite() && x >= 0.0) {
            self.err(path, format!("must be zero or positive, got {x}"));
            return false;
        }
        true
    }

    pub(super) fn probability(&mut self, path: &str, x: f64) {
        if !(x.is_finite() && (0.0..=1.0).contains(&x)) {
            self.err(path, format!("must be a probability in [0, 1], got {x}"));
        }
    }

    pub(super) fn int_range(&mut self, path: &str, x: i64, lo: i64, hi: i64) {
        if x < lo || x > hi {
            self.err(path, format!("must be in [{lo}, {hi}], got {x}"));
        }
    }

    pub(super) fn sizes(&mut self, p: &str, min: i64, max: i64) {
        self.int_range(&format!("{p}.size_min"), min, 1, MAX_ORDER_LOTS);
        self.int_range(&format!("{p}.size_max"), max, 1, MAX_ORDER_LOTS);
        if min > max {
            self.err(
                format!("{p}.size_max"),
                format!("must be at least size_min ({min}), got {max}"),
            );
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
        if self.positive("sample_interval_s", s.sample_interval_s)
            && s.duration_s.is_finite()
            && s.duration_s > 0.0
        {
            if s.sample_interval_s < 1e-6 {
                self.err("sample_interval_s", "must be at least one microsecond");
            } else if s.duration_s / s.sample_interval_s > MAX_SAMPLES {
                self.err(
                    "sample_interval_s",
                    format!("gives more than {MAX_SAMPLES} samples over duration_s"),
                );
            }
        }
        if self.non_negative("latency.base_us", s.latency.base_us) && s.latency.base_us > 1e9 {
            self.err("latency.base_us", "must be at most 1e9 µs");
        }
        if self.non_negative("latency.jitter_us", s.latency.jitter_us) && s.latency.jitter_us > 1e9
        {
            self.err("latency.jitter_us", "must be at most 1e9 µs");
        }
        self.instrument(&s.instrument);
        if let Some(f) = &s.fundamental {
            self.fundamental(f);
        }
        self.agents(s);
        self.risk(s);
    }

    pub(super) fn instrument(&mut self, i: &Instrument) {
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
            }
        }
    }

    pub(super) fn fundamental(&mut self, f: &Fundamental) {
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

    pub(super) fn agents(&mut self, s: &Scenario) {
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
        for (i, g) in s.agents.iter().enumerate() {
            let p = format!("agents[{i}]");
            let name = g.name();
            if name.trim().is_empty() {
                self.err(format!("{p}.name"), "must not be empty");
            } else if names.contains(&name) {
                self.err(format!("{p}.name"), format!("{name:?} names two groups"));
            }
            names.push(name);
            self.group(&p, g, s);
        }
    }

    pub(super) fn group(&mut self, p: &str, g: &AgentGroup, s: &Scenario) {
        match g {
            AgentGroup::Noise(n) => {
                self.positive(&format!("{p}.rate_per_s"), n.rate_per_s);
                let w = [
                    ("limit_weight", n.limit_weight),
                    ("market_weight", n.market_weight),
                    ("cancel_weight", n.cancel_weight),
                ];
                let mut all_ok = true;
                for (f, x) in w {
                    all_ok &= self.non_negative(&format!("{p}.{f}"), x);
                }
                if all_ok && n.limit_weight + n.market_weight + n.cancel_weight <= 0.0 {
                    self.err(format!("{p}.limit_weight"), "the three weights sum to zero");
                }
                if self.positive(&format!("{p}.offset_vol_cap"), n.offset_vol_cap)
                    && !(1.0..=1e6).contains(&n.offset_vol_cap)
                {
                    self.err(format!("{p}.offset_vol_cap"), "must be in [1, 1e6]");
                }
                if self.non_negative(&format!("{p}.offset_vol_scale"), n.offset_vol_scale)
                    && n.offset_vol_scale > 1e3
                {
                    self.err(format!("{p}.offset_vol_scale"), "must be at most 1000");
                }
                if self.non_negative(&format!("{p}.offset_ticks_mean"), n.offset_ticks_mean)
                    && n.offset_ticks_mean > 1e6
                {
                    self.err(
                        format!("{p}.offset_ticks_mean"),
                        "must be at most 1e6 ticks",
                    );
                }
                self.sizes(p, n.size_min, n.size_max);
                self.int_range(&format!("{p}.max_orders"), i64::from(n.max_orders), 1, 4096);
            }
            AgentGroup::Maker(m) => {
                self.positive(&format!("{p}.refresh_s"), m.refresh_s);
                self.int_range(
                    &format!("{p}.half_spread_ticks"),
                    m.half_spread_ticks,
                    1,
                    1_000_000,
                );
                self.int_range(
                    &format!("{p}.levels"),
                    i64::from(m.levels),
                    1,
                    i64::from(MAX_LEVELS),
                );
                self.int_range(
                    &format!("{p}.level_spacing_ticks"),
                    m.level_spacing_ticks,
                    1,
                    1_000_000,
                );
                self.int_range(&format!("{p}.size"), m.size, 1, MAX_ORDER_LOTS);
                if let Some(st) = &m.stress {
                    self.maker_stress(&format!("{p}.stress"), st);
                }
                if let Some(c) = m.collateral {
                    if self.positive(&format!("{p}.collateral"), c) && c > 1e12 {
                        self.err(format!("{p}.collateral"), "must be at most 1e12");
                    }
                }
                if self.non_negative(&format!("{p}.skew_ticks_per_lot"), m.skew_ticks_per_lot)
                    && m.skew_ticks_per_lot > 1e6
                {
                    self.err(format!("{p}.skew_ticks_per_lot"), "must be at most 1e6");
                }
            }
            AgentGroup::OneShot(o) => self.sizes(p, o.size_min, o.size_max),
            AgentGroup::Value(v) => {
                if s.fundamental.is_none() {
                    self.err(
                        p.to_string(),
                        "value agents need a fundamental: add `fundamental: Some(Fundamental(...))`",
                    );
                }
                self.positive(&format!("{p}.mean_wake_s"), v.mean_wake_s);
                self.non_negative(&format!("{p}.observation_noise"), v.observation_noise);
                self.probability(&format!("{p}.aggressive_prob"), v.aggressive_prob);
                if self.non_negative(&format!("{p}.depth_spreads"), v.depth_spreads)
                    && v.depth_spreads > 1000.0
                {
                    self.err(format!("{p}.depth_spreads"), "must be at most 1000");
                }
                self.sizes(p, v.size_min, v.size_max);
            }
            AgentGroup::Momentum(m) => {
                self.positive(&format!("{p}.mean_wake_s"), m.mean_wake_s);
                self.int_range(
                    &format!("{p}.short_window"),
                    i64::from(m.short_window),
                    1,
                    i64::from(MAX_WINDOW),
                );
                self.int_range(
                    &format!("{p}.long_window"),
                    i64::from(m.long_window),
                    1,
                    i64::from(MAX_WINDOW),
                );
                if m.short_window >= m.long_window {
                    self.err(
                        format!("{p}.long_window"),
                        format!(
                            "must be longer than short_window ({}), got {}",
                            m.short_window, m.long_window
                        ),
                    );
                }
                self.sizes(p, m.size_min, m.size_max);
            }
            AgentGroup::Leveraged(l) => self.leveraged(p, l, s),
            AgentGroup::Fundamentalist(f) => self.fundamentalist(p, f, s),
            AgentGroup::Arbitrageur(a) => self.arbitrageur(p, a, s),
            AgentGroup::AdaptiveMaker(a) => {
                self.positive(&format!("{p}.mean_wake_s"), a.mean_wake_s);
                self.int_range(
                    &format!("{p}.levels"),
                    i64::from(a.levels),
                    1,
                    i64::from(MAX_LEVELS),
                );
                self.int_range(
                    &format!("{p}.level_spacing_ticks"),
                    a.level_spacing_ticks,
                    1,
                    1_000_000,
                );
                self.probability(&format!("{p}.pov"), a.pov);
                self.int_range(&format!("{p}.min_size"), a.min_size, 1, MAX_ORDER_LOTS);
                self.probability(&format!("{p}.spread_alpha"), a.spread_alpha);
            }
        }
    }
}
