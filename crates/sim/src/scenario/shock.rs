//! The shocks section: scripted events at given times.

use serde::{Deserialize, Serialize};

/// A scripted event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
// Struct variants refuse unknown fields too: a misspelt `overs:` must not leave `over_s` at
// its default without a word.
#[serde(deny_unknown_fields)]
pub enum Shock {
    /// A sell program: `qty` lots sold at market from `at_s`, in slices every 100 ms spread
    /// over `over_s` seconds (all at once when `over_s` is 0).
    MarketSell {
        /// Time, seconds.
        at_s: f64,
        /// Lots.
        qty: i64,
        /// Duration of the program, seconds.
        #[serde(default)]
        over_s: f64,
    },
    /// A buy program, as `MarketSell`.
    MarketBuy {
        /// Time, seconds.
        at_s: f64,
        /// Lots.
        qty: i64,
        /// Duration of the program, seconds.
        #[serde(default)]
        over_s: f64,
    },
    /// The index jumps by `pct` percent at `at_s`.
    IndexJump {
        /// Time, seconds.
        at_s: f64,
        /// Percent, e.g. -5.0.
        pct: f64,
    },
    /// The makers of `group` pull their quotes and stay out for `duration_s`.
    MakerOutage {
        /// Time, seconds.
        at_s: f64,
        /// Name of a `Maker` group.
        group: String,
        /// Seconds.
        duration_s: f64,
    },
    /// Every maintenance rate is multiplied by `maintenance_multiplier`.
    MarginChange {
        /// Time, seconds.
        at_s: f64,
        /// Factor on maintenance rates (must keep them below the initial rates).
        maintenance_multiplier: f64,
    },
}

impl Shock {
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
