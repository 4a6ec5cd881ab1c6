//! Scenario files: the RON schema, parsing with positions, and semantic validation.
//!
//! A scenario is plain data. [`Scenario::parse`] turns RON text into it (unknown fields are
//! rejected, errors carry line and column); [`Scenario::validate`] checks every value against
//! its meaning and reports each problem with the field's path, e.g. `agents[1].rate_per_s`.

use serde::{Deserialize, Serialize};

mod risk;
mod validate;
pub use risk::{
    binance_tiers, ArbitrageurSpec, Execution, FundamentalistSpec, IndexSpec, LeveragedSpec,
    LiquidationSpec, MakerStress, MarginSpec, MarkSpec, Shock, Shortfall, StepMode, Tier, TopUp,
};
use validate::Validator;

/// A whole market: the instrument, the clock, the exogenous processes and the agents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name; the default run folder is `output/<name>/seed-<seed>/`.
    pub name: String,
    /// Seed used when the command line gives none.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Simulated time covered by the run, in seconds.
    pub duration_s: f64,
    /// Interval between two rows of the time series, in seconds.
    pub sample_interval_s: f64,
    /// Delay between an agent's decision and its order reaching the exchange.
    #[serde(default)]
    pub latency: Latency,
    /// The traded instrument.
    pub instrument: Instrument,
    /// An exogenous fundamental value that value agents observe with noise.
    #[serde(default)]
    pub fundamental: Option<Fundamental>,
    /// Groups of agents, each of one kind.
    pub agents: Vec<AgentGroup>,
    /// Margin tiers (default: a Binance-style ladder).
    #[serde(default)]
    pub margin: MarginSpec,
    /// How the mark price is computed (default: the mid).
    #[serde(default)]
    pub mark: MarkSpec,
    /// An exogenous index (needed by the Index and Median marks and index jumps).
    #[serde(default)]
    pub index: Option<IndexSpec>,
    /// The exchange's liquidation engine.
    #[serde(default)]
    pub liquidation: LiquidationSpec,
    /// Scripted events.
    #[serde(default)]
    pub shocks: Vec<Shock>,
}

fn default_seed() -> u64 {
    1
}

/// Order latency: every order of one wake-up arrives `base_us` plus a uniform draw in
/// `[0, jitter_us]` after the decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Latency {
    /// Fixed part, in microseconds.
    pub base_us: f64,
    /// Upper bound of the random part, in microseconds.
    #[serde(default)]
    pub jitter_us: f64,
}

impl Default for Latency {
    fn default() -> Self {
        Self {
            base_us: 100.0,
            jitter_us: 0.0,
        }
    }
}

/// The instrument: price grid, lot size and opening price.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    /// Price of one tick in quote currency (e.g. 0.01 for cents).
    pub tick_size: f64,
    /// Base units per lot.
    pub lot_size: f64,
    /// Opening reference price in quote currency; a multiple of `tick_size`.
    pub initial_price: f64,
}

/// A mean-reverting fundamental value with rare jumps (an Ornstein–Uhlenbeck process).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fundamental {
    /// Long-run mean in quote currency; the initial price when absent.
    #[serde(default)]
    pub mean: Option<f64>,
    /// Mean-reversion speed, per second.
    pub kappa_per_s: f64,
    /// Diffusion, in quote currency per square root of a second.
    pub sigma_per_sqrt_s: f64,
    /// Jump intensity, per second.
    #[serde(default)]
    pub jump_rate_per_s: f64,
    /// Mean jump size, quote currency.
    #[serde(default)]
    pub jump_mean: f64,
    /// Standard deviation of the jump size, quote currency.
    #[serde(default)]
    pub jump_std: f64,
}

/// A group of `count` identical agents of one kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum AgentGroup {
    /// Poisson flow of limit, market and cancel orders around the mid.
    Noise(NoiseSpec),
    /// Quote ladders refreshed on a fixed timer.
    Maker(MakerSpec),
    /// Wakes once, at a U-shaped random time, and takes the opposite best price.
    OneShot(OneShotSpec),
    /// Observes the fundamental with noise and trades toward its estimate.
    Value(ValueSpec),
    /// Compares a short and a long moving average of mid and trades in that direction.
    Momentum(MomentumSpec),
    /// Ladders sized to a share of recent volume, half-spread adapted to the observed spread.
    AdaptiveMaker(AdaptiveMakerSpec),
    /// Leveraged traders holding positions on margin.
    Leveraged(LeveragedSpec),
    /// Fundamental traders reverting the mid toward the index or the fundamental.
    Fundamentalist(FundamentalistSpec),
    /// Arbitrageurs pulling the book toward the index.
    Arbitrageur(ArbitrageurSpec),
}

/// Noise traders.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoiseSpec {
    /// Group name, unique within the scenario.
    pub name: String,
    /// Number of agents.
    pub count: u32,
    /// Wake-ups per second per agent (a Poisson process).
    pub rate_per_s: f64,
    /// Relative weight of a passive limit order at a wake-up.
    pub limit_weight: f64,
    /// Relative weight of a market order.
    pub market_weight: f64,
    /// Relative weight of cancelling one of the agent's resting orders.
    pub cancel_weight: f64,
    /// Mean distance of a limit order behind the mid, in ticks (geometric).
    pub offset_ticks_mean: f64,
    /// Widening of the offset with the market's realised volatility: the mean offset is
    /// `offset_ticks_mean × (1 + offset_vol_scale × vol_bps)`, vol_bps being the volatility of
    /// one-second mid returns. 0 (the default) keeps it fixed.
    #[serde(default)]
    pub offset_vol_scale: f64,
    /// Largest widening factor of the offset (default 10).
    #[serde(default = "default_vol_cap")]
    pub offset_vol_cap: f64,
    /// Smallest order, lots.
    pub size_min: i64,
    /// Largest order, lots.
    pub size_max: i64,
    /// Resting orders an agent keeps at most; the oldest is cancelled beyond it.
    #[serde(default = "default_max_orders")]
    pub max_orders: u32,
}

fn default_vol_cap() -> f64 {
    10.0
}

fn default_max_orders() -> u32 {
    16
}

/// Market makers with a fixed ladder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MakerSpec {
    /// Group name, unique within the scenario.
    pub name: String,
    /// Number of agents.
    pub count: u32,
    /// Time between two refreshes of the ladder, seconds.
    pub refresh_s: f64,
    /// Distance from the mid to the first quote on each side, ticks.
    pub half_spread_ticks: i64,
    /// Quotes per side.
    pub levels: u32,
    /// Distance between two quotes of one side, ticks.
    pub level_spacing_ticks: i64,
    /// Size of each quote, lots.
    pub size: i64,
    /// Ladder shift against inventory, ticks per lot held (a long maker quotes lower).
    #[serde(default)]
    pub skew_ticks_per_lot: f64,
    /// Volatility- and inventory-driven spreads and withdrawal under stress.
    #[serde(default)]
    pub stress: Option<MakerStress>,
    /// Collateral, quote currency: with it the maker is a margin account that can be
    /// liquidated, and it stops quoting the side that would grow its position once its
    /// equity falls below twice its maintenance margin (its capital limit).
    #[serde(default)]
    pub collateral: Option<f64>,
}

/// One-shot noise agents (ABIDES's NoiseAgent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneShotSpec {
    /// Group name, unique within the scenario.
    pub name: String,
    /// Number of agents.
    pub count: u32,
    /// Smallest order, lots.
    pub size_min: i64,
    /// Largest order, lots.
    pub size_max: i64,
}

/// Value agents (ABIDES's ValueAgent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueSpec {
    /// Group name, unique within the scenario.
    pub name: String,
    /// Number of agents.
    pub count: u32,
    /// Mean time between wake-ups, seconds (exponential).
    pub mean_wake_s: f64,
    /// Standard deviation of the observation noise, quote currency.
    pub observation_noise: f64,
    /// Probability that an order crosses the spread.
    pub aggressive_prob: f64,
    /// Passive orders sit up to this many spreads behind the estimate.
    pub depth_spreads: f64,
    /// Smallest order, lots.
    pub size_min: i64,
    /// Largest order, lots.
    pub size_max: i64,
}

/// Momentum agents (ABIDES's MomentumAgent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MomentumSpec {
    /// Group name, unique within the scenario.
    pub name: String,
    /// Number of agents.
    pub count: u32,
    /// Mean time between wake-ups, seconds (exponential).
    pub mean_wake_s: f64,
    /// Observations in the short moving average.
    pub short_window: u32,
    /// Observations in the long moving average.
    pub long_window: u32,
    /// Smallest order, lots.
    pub size_min: i64,
    /// Largest order, lots.
    pub size_max: i64,
}

/// Adaptive market makers (ABIDES's AdaptiveMarketMakerAgent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdaptiveMakerSpec {
    /// Group name, unique within the scenario.
    pub name: String,
    /// Number of agents.
    pub count: u32,
    /// Mean time between wake-ups, seconds (exponential).
    pub mean_wake_s: f64,
    /// Quotes per side.
    pub levels: u32,
    /// Distance between two quotes of one side, ticks.
    pub level_spacing_ticks: i64,
    /// Size of each quote as a share of the volume traded since the last wake-up.
    pub pov: f64,
    /// Smallest quote, lots.
    pub min_size: i64,
    /// Weight of the newest spread observation in the half-spread average.
    pub spread_alpha: f64,
}

impl AgentGroup {
    /// The group's name.
    pub fn name(&self) -> &str {
        match self {
            AgentGroup::Noise(s) => &s.name,
            AgentGroup::Maker(s) => &s.name,
            AgentGroup::OneShot(s) => &s.name,
            AgentGroup::Value(s) => &s.name,
            AgentGroup::Momentum(s) => &s.name,
            AgentGroup::AdaptiveMaker(s) => &s.name,
            AgentGroup::Leveraged(s) => &s.name,
            AgentGroup::Fundamentalist(s) => &s.name,
            AgentGroup::Arbitrageur(s) => &s.name,
        }
    }

    /// The number of agents in the group.
    pub fn count(&self) -> u32 {
        match self {
            AgentGroup::Noise(s) => s.count,
            AgentGroup::Maker(s) => s.count,
            AgentGroup::OneShot(s) => s.count,
            AgentGroup::Value(s) => s.count,
            AgentGroup::Momentum(s) => s.count,
            AgentGroup::AdaptiveMaker(s) => s.count,
            AgentGroup::Leveraged(s) => s.count,
            AgentGroup::Fundamentalist(s) => s.count,
            AgentGroup::Arbitrageur(s) => s.count,
        }
    }
}

/// A scenario the parser could not read: the reason and where.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("line {line}, column {column}{}: {message}", field.as_ref().map(|f| format!(", field {f}")).unwrap_or_default())]
pub struct ParseError {
    /// 1-based line of the problem.
    pub line: usize,
    /// 1-based column of the problem.
    pub column: usize,
    /// Path of the field being read, e.g. `agents[0].count`, when known.
    pub field: Option<String>,
    /// What the parser expected or found.
    pub message: String,
}

impl ParseError {
    fn at(e: ron::error::SpannedError, field: Option<String>) -> Self {
        Self {
            line: e.position.line,
            column: e.position.col,
            field,
            message: e.code.to_string(),
        }
    }
}

/// One semantic problem: the field's path and what is wrong with its value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct FieldError {
    /// Path of the field, e.g. `agents[1].rate_per_s`.
    pub path: String,
    /// Why the value is refused.
    pub reason: String,
}

/// All the semantic problems of a scenario (never empty).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
pub struct ValidationErrors(pub Vec<FieldError>);

/// Scenario text above this size is refused before parsing.
pub const MAX_SCENARIO_BYTES: usize = 16 << 20;
/// Limits that keep a scenario within what one run can hold.
pub const MAX_AGENTS: u64 = 10_000_000;
/// Longest simulated duration accepted: about 10 years.
pub const MAX_DURATION_S: f64 = 3.2e8;
/// Most samples a run may record.
pub const MAX_SAMPLES: f64 = 50_000_000.0;
/// Longest ladder a maker may quote per side.
pub const MAX_LEVELS: u32 = 1_000;
/// Largest single order, lots.
pub const MAX_ORDER_LOTS: i64 = 1_000_000_000;
/// Longest moving-average window.
pub const MAX_WINDOW: u32 = 100_000;

impl Scenario {
    /// Parses RON text. Unknown fields, missing fields and wrong types are errors with a
    /// line and column.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        parse_ron(
            text,
            ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES,
            MAX_SCENARIO_BYTES,
        )
    }

    /// The scenario as RON text, as it was run (after overrides). Parses back to itself.
    pub fn to_ron(&self) -> String {
        let pretty = ron::ser::PrettyConfig::new()
            .depth_limit(8)
            .struct_names(true)
            .extensions(ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES)
            .indentor("    ".to_string());
        // Serialising plain data with string keys cannot fail.
        ron::ser::to_string_pretty(self, pretty).unwrap_or_default()
    }

    /// Checks every value against its meaning; returns all problems found.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut v = Validator::default();
        v.check(self);
        if v.errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(v.errors))
        }
    }

    /// Total number of agents over all groups.
    pub fn agent_count(&self) -> u64 {
        self.agents.iter().map(|g| u64::from(g.count())).sum()
    }

    /// The initial price in ticks (valid scenarios only).
    pub fn initial_price_ticks(&self) -> i64 {
        (self.instrument.initial_price / self.instrument.tick_size).round() as i64
    }

    /// Seconds to nanoseconds, rounded.
    pub fn ns(seconds: f64) -> i64 {
        (seconds * 1e9).round() as i64
    }
}

/// Parses RON text of at most `max_bytes` into `T` with `extensions` on by default. Errors
/// carry the line, the column and, when it can be told, the path of the field being read.
pub fn parse_ron<T: serde::de::DeserializeOwned>(
    text: &str,
    extensions: ron::extensions::Extensions,
    max_bytes: usize,
) -> Result<T, ParseError> {
    if text.len() > max_bytes {
        return Err(ParseError {
            line: 1,
            column: 1,
            field: None,
            message: format!("file is larger than {max_bytes} bytes"),
        });
    }
    let options = ron::Options::default().with_default_extension(extensions);
    let mut de = ron::Deserializer::from_str_with_options(text, options)
        .map_err(|e| ParseError::at(e, None))?;
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(value) => {
            de.end()
                .map_err(|e| ParseError::at(de.span_error(e), None))?;
            Ok(value)
        }
        Err(e) => {
            let field = field_path(&e.path().to_string());
            let err = ParseError::at(de.span_error(e.into_inner()), field);
            let near = err
                .field
                .clone()
                .or_else(|| field_before(text, err.line, err.column));
            Err(ParseError { field: near, ..err })
        }
    }
}

/// A serde path as the user writes it: `agents[0].Noise.count` → `agents[0].count`.
fn field_path(raw: &str) -> Option<String> {
    let kept: Vec<&str> = raw
        .split('.')
        .filter(|seg| {
            !seg.is_empty() && !seg.starts_with(|c: char| c.is_ascii_uppercase()) && *seg != "?"
        })
        .collect();
    if kept.is_empty() {
        None
    } else {
        Some(kept.join("."))
    }
}

/// The name of the field whose value starts before (line, column): the identifier in front of
/// the nearest preceding `:`. Used when serde could not say which field it was reading.
fn field_before(text: &str, line: usize, column: usize) -> Option<String> {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let offset = (line_start + column.saturating_sub(1)).min(text.len());
    let head = text.get(..offset)?;
    let colon = head.rfind(':')?;
    let before = head[..colon].trim_end();
    let start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    let name = &before[start..];
    (!name.is_empty() && name.starts_with(|c: char| c.is_ascii_lowercase()))
        .then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"Scenario(
        name: "t",
        duration_s: 10.0,
        sample_interval_s: 1.0,
        instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.0),
        agents: [
            Noise(name: "noise", count: 2, rate_per_s: 1.0, limit_weight: 1.0,
                  market_weight: 0.1, cancel_weight: 0.5, offset_ticks_mean: 3.0,
                  size_min: 1, size_max: 5),
        ],
    )"#;

    fn check_invalid(edit: impl Fn(&mut Scenario), path: &str) {
        let mut s = Scenario::parse(MINIMAL).expect("minimal parses");
        edit(&mut s);
        let errs = s.validate().expect_err("must be refused").0;
        assert!(
            errs.iter().any(|e| e.path == path),
            "expected an error at {path}, got {errs:?}"
        );
    }

    #[test]
    fn minimal_scenario_is_valid_and_round_trips_through_ron() {
        let s = Scenario::parse(MINIMAL).unwrap();
        s.validate().unwrap();
        assert_eq!(s.seed, 1);
        assert_eq!(s.initial_price_ticks(), 10_000);
        assert_eq!(Scenario::parse(&s.to_ron()).unwrap(), s);
    }

    #[test]
    fn unknown_field_is_a_parse_error_with_position() {
        let text = MINIMAL.replace("duration_s: 10.0,", "duration_s: 10.0,\n        speed: 3,");
        let e = Scenario::parse(&text).unwrap_err();
        assert_eq!(e.line, 4);
        assert!(e.message.contains("speed"), "{e}");
    }

    #[test]
    fn semantic_errors_name_the_field() {
        check_invalid(|s| s.instrument.tick_size = 0.0, "instrument.tick_size");
        check_invalid(
            |s| s.instrument.initial_price = 100.005,
            "instrument.initial_price",
        );
        check_invalid(|s| s.duration_s = -1.0, "duration_s");
        check_invalid(|s| s.duration_s = f64::NAN, "duration_s");
        check_invalid(|s| s.sample_interval_s = 0.0, "sample_interval_s");
        check_invalid(|s| s.agents.clear(), "agents");
        check_invalid(
            |s| {
                if let AgentGroup::Noise(n) = &mut s.agents[0] {
                    n.rate_per_s = -2.0;
                }
            },
            "agents[0].rate_per_s",
        );
        check_invalid(
            |s| {
                if let AgentGroup::Noise(n) = &mut s.agents[0] {
                    n.size_min = 9;
                }
            },
            "agents[0].size_max",
        );
        check_invalid(
            |s| {
                let g = s.agents[0].clone();
                s.agents.push(g);
            },
            "agents[1].name",
        );
        check_invalid(|s| s.name = "../x".into(), "name");
    }

    #[test]
    fn a_quote_edge_must_leave_the_bid_above_zero() {
        let with_arbs = |edge: f64| {
            let text = MINIMAL.replace(
                "        ],",
                &format!(
                    "            Arbitrageur(name: \"arbs\", count: 1, mean_wake_s: 1.0, \
                     edge_bps: 10.0, max_size: 10, max_position: 100, \
                     quote_edge_bps: Some({edge:?})),\n        ],\n        \
                     index: Some(IndexSpec(interval_s: 1.0, path: [(0.0, 100.0)])),"
                ),
            );
            Scenario::parse(&text).unwrap()
        };
        for bad in [0.0, -5.0, 10_000.0, f64::NAN] {
            let errs = with_arbs(bad).validate().expect_err("refused").0;
            assert!(
                errs.iter().any(|e| e.path == "agents[1].quote_edge_bps"),
                "{bad}: {errs:?}"
            );
        }
        with_arbs(700.0).validate().unwrap();
    }
}
