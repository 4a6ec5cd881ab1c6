//! The shocks section: scripted events at given times.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A scripted event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
// Struct variants refuse unknown fields too: a misspelt `overs:` must not leave `over_s` at
// its default without a word.
#[serde(deny_unknown_fields)]
pub enum Shock {
    /// A sell program: `qty` lots sold at market from `at_s`, in slices every 100 ms spread
    /// over `over_s` seconds (all at once when `over_s` is 0).
    MarketSell {
        /// Time, seconds.
        #[schemars(extend("x-unit" = "s", "minimum" = 0))]
        at_s: f64,
        /// Lots.
        #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
        qty: i64,
        /// Duration of the program, seconds.
        #[serde(default)]
        #[schemars(extend("x-unit" = "s", "minimum" = 0))]
        over_s: f64,
        /// The venue the program trades on, by name (default: the home venue). A program on a
        /// spot venue is news reaching spot markets first; the home perpetual feels it only
        /// through its index and the agents trading across venues.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        venue: Option<String>,
    },
    /// A buy program, as `MarketSell`.
    MarketBuy {
        /// Time, seconds.
        #[schemars(extend("x-unit" = "s", "minimum" = 0))]
        at_s: f64,
        /// Lots.
        #[schemars(extend("x-unit" = "lots", "minimum" = 1, "maximum" = 1000000000))]
        qty: i64,
        /// Duration of the program, seconds.
        #[serde(default)]
        #[schemars(extend("x-unit" = "s", "minimum" = 0))]
        over_s: f64,
        /// The venue, as `MarketSell`'s.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        venue: Option<String>,
    },
    /// The index jumps by `pct` percent at `at_s`.
    IndexJump {
        /// Time, seconds.
        #[schemars(extend("x-unit" = "s", "minimum" = 0))]
        at_s: f64,
        /// Percent, e.g. -5.0.
        #[schemars(extend("x-unit" = "%", "exclusiveMinimum" = -100, "exclusiveMaximum" = 1000))]
        pct: f64,
    },
    /// The makers of `group` pull their quotes and stay out for `duration_s`.
    MakerOutage {
        /// Time, seconds.
        #[schemars(extend("x-unit" = "s", "minimum" = 0))]
        at_s: f64,
        /// Name of a `Maker` group.
        group: String,
        /// Seconds.
        #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
        duration_s: f64,
    },
    /// Every maintenance rate is multiplied by `maintenance_multiplier`.
    MarginChange {
        /// Time, seconds.
        #[schemars(extend("x-unit" = "s", "minimum" = 0))]
        at_s: f64,
        /// Factor on maintenance rates (must keep them below the initial rates).
        #[schemars(extend("x-unit" = "×", "exclusiveMinimum" = 0))]
        maintenance_multiplier: f64,
    },
}

impl Shock {
    /// The venue a sell or buy program trades on, when it names one (else the home venue).
    pub fn venue(&self) -> Option<&str> {
        match self {
            Shock::MarketSell { venue, .. } | Shock::MarketBuy { venue, .. } => venue.as_deref(),
            _ => None,
        }
    }

    /// The time of the shock, seconds.
    pub fn at_s(&self) -> f64 {
        match self {
            Shock::MarketSell { at_s, .. }
            | Shock::MarketBuy { at_s, .. }
            | Shock::IndexJump { at_s, .. }
            | Shock::MakerOutage { at_s, .. }
            | Shock::MarginChange { at_s, .. } => *at_s,
        }
    }
}
