//! The liquidation section: how the exchange closes accounts below maintenance — the venue's
//! liquidation waterfall.
//!
//! Every field is optional: a field left out takes the value of the scenario's venue preset
//! (`venue:`), see [`Preset::liquidation`]; a field given overrides it. [`LiquidationSpec::rules`]
//! resolves the two into [`LiquidationRules`], which is what validation checks and the engine
//! runs. The presets follow the venues' documents as docs/venues.md lays out, rule by rule.

use super::Preset;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How a liquidation step is sent to the book.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Execution {
    /// Take the book down to the worst price the insurance fund can cover.
    #[default]
    Market,
    /// IOC limit at the bankruptcy price: never draws on the fund.
    IocAtBankruptcy,
    /// Fill-or-kill at the bankruptcy price: the step's whole quantity or nothing (Bybit).
    FokAtBankruptcy,
    /// A limit order at the bankruptcy price resting in the book until the next step
    /// (BitMEX): others trade against it as against any maker.
    RestAtBankruptcy,
}

/// How much of a position one liquidation step closes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum StepMode {
    /// `step_fraction` of the position.
    #[default]
    Fraction,
    /// Enough to bring the notional down into the next lower margin tier (all of it in the
    /// lowest tier), as OKX and Bybit do.
    DownOneTier,
}

/// What closes the gap when the book and the fund cannot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Shortfall {
    /// Auto-deleveraging: opposite positions ranked by profit × leverage take the rest at the
    /// bankruptcy price.
    #[default]
    Adl,
    /// The rest is closed in the book at any price; the loss beyond the fund is shared by the
    /// accounts in profit.
    SocializedLoss,
}

/// What happens to the part of a step the book did not take.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Remainder {
    /// The shortfall rule at once (ADL, or the book at any price under socialised loss).
    #[default]
    Shortfall,
    /// Kept by the engine for the next step, after the cooldown (OKX re-checks on a clock);
    /// after [`crate::venue::MAX_DRY_STEPS`] steps that close nothing, the shortfall rule.
    NextStep,
    /// The insurance fund takes it over at the bankruptcy price and works it off into the
    /// book (Binance, Bybit); the shortfall rule only when the fund cannot.
    Fund,
}

/// The exchange's liquidation engine, as written in the scenario (every field optional).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LiquidationSpec {
    /// Off: accounts are never liquidated (a counterfactual).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Share of the position closed in one step (1 closes it at once), in `Fraction` mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-unit" = "fraction of the position", "exclusiveMinimum" = 0, "maximum" = 1))]
    pub step_fraction: Option<f64>,
    /// How much one step closes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_mode: Option<StepMode>,
    /// Positions of at most this notional (quote currency) are closed whole in one step;
    /// only larger ones are closed in partial steps. 0: every position in partial steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-unit" = "quote currency", "minimum" = 0))]
    pub partial_above: Option<f64>,
    /// Time between two steps of one account, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-unit" = "s", "minimum" = 0))]
    pub cooldown_s: Option<f64>,
    /// How steps are sent to the book.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<Execution>,
    /// Liquidation (clearance) fee on the closed notional, paid into the insurance fund.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-unit" = "fraction of notional", "minimum" = 0, "exclusiveMaximum" = 0.5))]
    pub fee_rate: Option<f64>,
    /// True: a fill better than the bankruptcy price pays the difference (the margin left)
    /// to the fund; false: the trader keeps it (Hyperliquid) and the fund only covers fills
    /// worse than bankruptcy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surplus_to_fund: Option<bool>,
    /// The insurance fund at the start, quote currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-unit" = "quote currency", "minimum" = 0, "maximum" = 1e15))]
    pub insurance_fund: Option<f64>,
    /// What happens to what a step's order did not fill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remainder: Option<Remainder>,
    /// The fund takes a position over only while its position's notional stays within this
    /// multiple of its equity (Binance: 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-unit" = "× fund equity", "minimum" = 0, "maximum" = 100))]
    pub fund_capacity: Option<f64>,
    /// Below this fraction of maintenance margin the fund (a backstop vault) takes the whole
    /// account over — position and margin — without the book (Hyperliquid: 2/3). 0: never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-unit" = "fraction of maintenance margin", "minimum" = 0, "exclusiveMaximum" = 1))]
    pub backstop_below: Option<f64>,
    /// Time between two work-off orders of the fund, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
    pub workoff_interval_s: Option<f64>,
    /// Share of its position the fund offers in one work-off order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-unit" = "fraction of the position", "exclusiveMinimum" = 0, "maximum" = 1))]
    pub workoff_fraction: Option<f64>,
    /// How far beyond the mark a work-off IOC may trade, basis points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-unit" = "bps", "exclusiveMinimum" = 0, "exclusiveMaximum" = 10000))]
    pub workoff_slippage_bps: Option<f64>,
    /// ADL also fires (instead of the fund or the next step) once the fund has fallen this
    /// share from its peak over `adl_drawdown_window_s` (OKX, Bybit: 0.3 over 8 h). 0: off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-unit" = "fraction of the fund", "minimum" = 0, "exclusiveMaximum" = 1))]
    pub adl_drawdown: Option<f64>,
    /// The window of the fund's peak for `adl_drawdown`, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
    pub adl_drawdown_window_s: Option<f64>,
    /// What happens to what a step's book orders leave under `remainder: Shortfall`: ADL, or
    /// closed at any price with the loss shared. Refused under the Fund and NextStep remainders,
    /// which send what cannot be closed to ADL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shortfall: Option<Shortfall>,
}

/// The liquidation rules a run follows: the preset's, with the scenario's fields over them.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LiquidationRules {
    /// Liquidations happen at all.
    pub enabled: bool,
    /// Share of the position closed in one `Fraction` step.
    pub step_fraction: f64,
    /// How much one step closes.
    pub step_mode: StepMode,
    /// Notional (quote) up to which a position is closed whole.
    pub partial_above: f64,
    /// Time between steps, seconds.
    pub cooldown_s: f64,
    /// How steps reach the book.
    pub execution: Execution,
    /// Clearance fee rate.
    pub fee_rate: f64,
    /// A fill better than bankruptcy pays the margin left to the fund.
    pub surplus_to_fund: bool,
    /// The fund at the start, quote.
    pub insurance_fund: f64,
    /// What happens to what a step did not fill.
    pub remainder: Remainder,
    /// The fund's position notional stays within this multiple of its equity.
    pub fund_capacity: f64,
    /// Share of maintenance below which the backstop takes the account over (0: never).
    pub backstop_below: f64,
    /// Time between the fund's work-off orders, seconds.
    pub workoff_interval_s: f64,
    /// Share of its position the fund offers per work-off order.
    pub workoff_fraction: f64,
    /// Work-off price limit beyond the mark, bps.
    pub workoff_slippage_bps: f64,
    /// Fund drawdown from its peak that triggers ADL (0: off).
    pub adl_drawdown: f64,
    /// Window of that peak, seconds.
    pub adl_drawdown_window_s: f64,
    /// What closes a shortfall.
    pub shortfall: Shortfall,
}

impl Preset {
    /// The liquidation waterfall of the venue (docs/venues.md gives the source of each rule).
    pub fn liquidation(self) -> LiquidationRules {
        let custom = LiquidationRules {
            enabled: true,
            step_fraction: 1.0,
            step_mode: StepMode::Fraction,
            partial_above: 0.0,
            cooldown_s: 1.0,
            execution: Execution::Market,
            fee_rate: 0.005,
            surplus_to_fund: true,
            insurance_fund: 0.0,
            remainder: Remainder::Shortfall,
            fund_capacity: 0.0,
            backstop_below: 0.0,
            workoff_interval_s: 1.0,
            workoff_fraction: 0.1,
            workoff_slippage_bps: 50.0,
            adl_drawdown: 0.0,
            adl_drawdown_window_s: 8.0 * 3600.0,
            shortfall: Shortfall::Adl,
        };
        match self {
            Preset::Custom => custom,
            // Partial IOC at bankruptcy down the tiers; margin left and a clearance fee to the
            // fund; the fund takes over what the book does not, up to 100% of its equity,
            // and works it off; ADL only when it cannot.
            Preset::Binance => LiquidationRules {
                step_mode: StepMode::DownOneTier,
                execution: Execution::IocAtBankruptcy,
                remainder: Remainder::Fund,
                fund_capacity: 1.0,
                ..custom
            },
            // Cancel, fill-or-kill down one risk tier, takeover at bankruptcy by the fund;
            // ADL when the fund is exhausted or 30% below its 8-hour peak.
            Preset::Bybit => LiquidationRules {
                step_mode: StepMode::DownOneTier,
                execution: Execution::FokAtBankruptcy,
                fee_rate: 0.0,
                remainder: Remainder::Fund,
                fund_capacity: 1.0,
                adl_drawdown: 0.3,
                ..custom
            },
            // Partial down the tiers, re-checked about every minute, at a price the fund can
            // cover; ADL when the fund cannot, or 30% below its 8-hour peak.
            Preset::Okx => LiquidationRules {
                step_mode: StepMode::DownOneTier,
                cooldown_s: 60.0,
                execution: Execution::Market,
                remainder: Remainder::NextStep,
                adl_drawdown: 0.3,
                ..custom
            },
            // A limit at the bankruptcy price resting in the book; margin left lost to the
            // fund; no partials below the first risk limit; the fund takes over what the book
            // does not fill once the mark is past bankruptcy; ADL on fund depletion.
            Preset::BitMex => LiquidationRules {
                step_mode: StepMode::DownOneTier,
                partial_above: 2_000_000.0,
                execution: Execution::RestAtBankruptcy,
                fee_rate: 0.0,
                remainder: Remainder::Fund,
                fund_capacity: 1.0,
                ..custom
            },
            // Market orders into the book; positions over 100k quote 20% at a time with a
            // 30 s cooldown; the trader keeps the margin left, no clearance fee; below 2/3 of
            // maintenance the backstop vault takes position and margin; ADL when it cannot.
            Preset::Hyperliquid => LiquidationRules {
                step_fraction: 0.2,
                partial_above: 100_000.0,
                cooldown_s: 30.0,
                execution: Execution::Market,
                fee_rate: 0.0,
                surplus_to_fund: false,
                remainder: Remainder::NextStep,
                fund_capacity: 1.0,
                backstop_below: 2.0 / 3.0,
                ..custom
            },
        }
    }
}

impl LiquidationSpec {
    /// True when no field is given (every rule the preset's).
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// Every field given (with the Custom values), so that each one's name appears where a
    /// scenario is walked field by field (`--set` reaches fields left out of the text).
    pub fn every_field() -> Self {
        let r = Preset::Custom.liquidation();
        Self {
            enabled: Some(r.enabled),
            step_fraction: Some(r.step_fraction),
            step_mode: Some(r.step_mode),
            partial_above: Some(r.partial_above),
            cooldown_s: Some(r.cooldown_s),
            execution: Some(r.execution),
            fee_rate: Some(r.fee_rate),
            surplus_to_fund: Some(r.surplus_to_fund),
            insurance_fund: Some(r.insurance_fund),
            remainder: Some(r.remainder),
            fund_capacity: Some(r.fund_capacity),
            backstop_below: Some(r.backstop_below),
            workoff_interval_s: Some(r.workoff_interval_s),
            workoff_fraction: Some(r.workoff_fraction),
            workoff_slippage_bps: Some(r.workoff_slippage_bps),
            adl_drawdown: Some(r.adl_drawdown),
            adl_drawdown_window_s: Some(r.adl_drawdown_window_s),
            shortfall: Some(r.shortfall),
        }
    }

    /// The rules a run follows under `preset`: each field given here over the preset's value.
    pub fn rules(&self, preset: Preset) -> LiquidationRules {
        let p = preset.liquidation();
        LiquidationRules {
            enabled: self.enabled.unwrap_or(p.enabled),
            step_fraction: self.step_fraction.unwrap_or(p.step_fraction),
            step_mode: self.step_mode.unwrap_or(p.step_mode),
            partial_above: self.partial_above.unwrap_or(p.partial_above),
            cooldown_s: self.cooldown_s.unwrap_or(p.cooldown_s),
            execution: self.execution.unwrap_or(p.execution),
            fee_rate: self.fee_rate.unwrap_or(p.fee_rate),
            surplus_to_fund: self.surplus_to_fund.unwrap_or(p.surplus_to_fund),
            insurance_fund: self.insurance_fund.unwrap_or(p.insurance_fund),
            remainder: self.remainder.unwrap_or(p.remainder),
            fund_capacity: self.fund_capacity.unwrap_or(p.fund_capacity),
            backstop_below: self.backstop_below.unwrap_or(p.backstop_below),
            workoff_interval_s: self.workoff_interval_s.unwrap_or(p.workoff_interval_s),
            workoff_fraction: self.workoff_fraction.unwrap_or(p.workoff_fraction),
            workoff_slippage_bps: self.workoff_slippage_bps.unwrap_or(p.workoff_slippage_bps),
            adl_drawdown: self.adl_drawdown.unwrap_or(p.adl_drawdown),
            adl_drawdown_window_s: self
                .adl_drawdown_window_s
                .unwrap_or(p.adl_drawdown_window_s),
            shortfall: self.shortfall.unwrap_or(p.shortfall),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_given_overrides_the_preset_and_the_rest_follow_it() {
        let spec = LiquidationSpec {
            cooldown_s: Some(5.0),
            ..LiquidationSpec::default()
        };
        let r = spec.rules(Preset::Hyperliquid);
        assert_eq!(r.cooldown_s, 5.0);
        assert_eq!(r.step_fraction, 0.2);
        assert!(!r.surplus_to_fund);
        assert_eq!(spec.rules(Preset::Custom).execution, Execution::Market);
        assert_eq!(
            LiquidationSpec::default().rules(Preset::Binance).remainder,
            Remainder::Fund
        );
    }
}
