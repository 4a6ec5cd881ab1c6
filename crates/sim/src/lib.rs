//! cascade-sim: scenarios, the event kernel, agents and recording.
//!
//! Data flows one way: RON text → [`Scenario`] (parsed, overridden, validated) →
//! [`Simulation::new`] → the event loop → a [`Recording`] of series, trades and counters.
//!
//! **Architecture invariants**: no I/O (the caller reads files and writes results); no wall
//! clock and no global random generator — every draw comes from a ChaCha stream derived from
//! (run seed, stream key); prices, quantities and cash are integers.

pub mod accounts;
pub mod agents;
mod audit;
pub mod collateral;
mod composite_index;
mod exogenous;
pub mod fundamental;
mod geo_latency;
pub mod kernel;
pub mod margin;
pub mod mark;
pub mod overrides;
pub mod record;
mod recorder;
pub mod rng;
pub mod scenario;
mod scheduler;
pub mod venue;

pub use kernel::Simulation;
pub use overrides::{Override, OverrideError};
pub use record::{
    AdlRecord, AuditError, CascadeLink, Counters, FundingStats, LedgerStats, LevelRow,
    LiquidationRecord, LiquidationStats, Recording, RootTriggers, Sample, TapeFull, Trade, Trigger,
    VenueRecording, SNAPSHOT_LEVELS,
};
pub use scenario::{FieldError, ParseError, Scenario, ValidationErrors};
pub use venue::{Venue, VenueId, PPB};

/// Why a scenario could not be prepared for a run.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ScenarioError {
    /// The text is not a scenario.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// An override could not be applied.
    #[error(transparent)]
    Override(#[from] OverrideError),
    /// Values are out of their meaning.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
}

/// Parses `text`, applies `overrides` in order, and validates the result.
pub fn prepare(text: &str, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    let scenario = Scenario::parse(text)?;
    let scenario = overrides::apply(&scenario, overrides)?;
    scenario.validate()?;
    Ok(scenario)
}

/// Runs a prepared scenario to the end with one seed.
pub fn run(scenario: &Scenario, seed: u64) -> Recording {
    Simulation::new(scenario, seed).run()
}
