//! The margin section: tiers of leverage and maintenance by position notional.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One margin tier: positions with notional up to `notional_cap` may use `max_leverage` and
/// must keep `maintenance_rate` of their notional (less the tier's maintenance amount).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// Upper bound of the tier's position notional, quote currency.
    #[schemars(extend("x-unit" = "quote currency", "exclusiveMinimum" = 0))]
    pub notional_cap: f64,
    /// Highest leverage allowed in the tier (initial margin rate = 1 / max_leverage).
    #[schemars(extend("x-unit" = "×", "minimum" = 1, "maximum" = 1000))]
    pub max_leverage: f64,
    /// Maintenance margin rate, e.g. 0.004 for 0.4%.
    #[schemars(extend("x-unit" = "fraction of notional", "exclusiveMinimum" = 0, "exclusiveMaximum" = 1))]
    pub maintenance_rate: f64,
}

/// The margin rules of the venue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MarginSpec {
    /// Tiers by increasing notional. The default is a Binance-style BTC ladder.
    #[serde(default = "binance_tiers")]
    pub tiers: Vec<Tier>,
}

impl Default for MarginSpec {
    fn default() -> Self {
        Self {
            tiers: binance_tiers(),
        }
    }
}

/// The Binance-style ladder: 125x/0.4% up to 50k, … 1x/50%.
pub fn binance_tiers() -> Vec<Tier> {
    [
        (50_000.0, 125.0, 0.004),
        (250_000.0, 100.0, 0.005),
        (1_000_000.0, 50.0, 0.01),
        (10_000_000.0, 20.0, 0.025),
        (20_000_000.0, 10.0, 0.05),
        (50_000_000.0, 5.0, 0.10),
        (100_000_000.0, 3.0, 0.15),
        (200_000_000.0, 2.0, 0.25),
        (1e15, 1.0, 0.50),
    ]
    .into_iter()
    .map(|(notional_cap, max_leverage, maintenance_rate)| Tier {
        notional_cap,
        max_leverage,
        maintenance_rate,
    })
    .collect()
}
