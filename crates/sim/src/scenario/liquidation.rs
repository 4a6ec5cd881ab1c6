//! The liquidation section: how the exchange closes accounts below maintenance.

use serde::{Deserialize, Serialize};

/// How a liquidation step is sent to the book.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Execution {
    /// Take the book down to the worst price the insurance fund can cover.
    #[default]
    Market,
    /// IOC limit at the bankruptcy price: never draws on the fund.
    IocAtBankruptcy,
}

/// How much of a position one liquidation step closes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepMode {
    /// `step_fraction` of the position.
    #[default]
    Fraction,
    /// Enough to bring the notional down into the next lower margin tier (all of it in the
    /// lowest tier), as OKX and Bybit do.
    DownOneTier,
}

/// What closes the gap when the book and the fund cannot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Shortfall {
    /// Auto-deleveraging: opposite positions ranked by profit × leverage take the rest at the
    /// bankruptcy price.
    #[default]
    Adl,
    /// The rest is closed in the book at any price; the loss beyond the fund is shared by the
    /// accounts in profit.
    SocializedLoss,
}

/// The exchange's liquidation engine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiquidationSpec {
    /// Off: accounts are never liquidated (a counterfactual).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Share of the position closed in one step (1 closes it at once), in `Fraction` mode.
    #[serde(default = "one")]
    pub step_fraction: f64,
    /// How much one step closes.
    #[serde(default)]
    pub step_mode: StepMode,
    /// Time between two steps of one account, seconds.
    #[serde(default = "one")]
    pub cooldown_s: f64,
    /// How steps are sent to the book.
    #[serde(default)]
    pub execution: Execution,
    /// Liquidation fee on the closed notional, paid into the insurance fund.
    #[serde(default = "default_fee")]
    pub fee_rate: f64,
    /// The insurance fund at the start, quote currency.
    #[serde(default)]
    pub insurance_fund: f64,
    /// What happens when the fund cannot cover a shortfall.
    #[serde(default)]
    pub shortfall: Shortfall,
}

fn yes() -> bool {
    true
}
fn one() -> f64 {
    1.0
}
fn default_fee() -> f64 {
    0.005
}

impl Default for LiquidationSpec {
    fn default() -> Self {
        Self {
            enabled: true,
            step_fraction: 1.0,
            step_mode: StepMode::Fraction,
            cooldown_s: 1.0,
            execution: Execution::Market,
            fee_rate: default_fee(),
            insurance_fund: 0.0,
            shortfall: Shortfall::Adl,
        }
    }
}
