//! The venue preset: one scenario field, `venue:`, that sets every rule of the exchange —
//! liquidation waterfall, funding, mark, fees, the initial-margin gate — as a named venue
//! documents them (docs/venues.md). Each rule stays overridable field by field: a rule field
//! given in the scenario wins over the preset's value, a field left out takes it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A named venue whose rules a scenario starts from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum Preset {
    /// No venue: every rule is the scenario's own field or cascade's neutral default (no
    /// funding, no trading fees, no margin gate, the mid as mark, remainders to ADL at once).
    #[default]
    Custom,
    /// Binance USDⓈ-M perpetuals.
    Binance,
    /// Bybit linear perpetuals.
    Bybit,
    /// OKX perpetual swaps.
    #[serde(rename = "OKX")]
    Okx,
    /// BitMEX perpetual swaps.
    #[serde(rename = "BitMEX")]
    BitMex,
    /// Hyperliquid perpetuals.
    Hyperliquid,
}

impl Preset {
    /// Every preset, in the order of docs/venues.md.
    pub const ALL: [Preset; 6] = [
        Preset::Binance,
        Preset::Bybit,
        Preset::Okx,
        Preset::BitMex,
        Preset::Hyperliquid,
        Preset::Custom,
    ];

    /// The name as written in a scenario file.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Custom => "Custom",
            Preset::Binance => "Binance",
            Preset::Bybit => "Bybit",
            Preset::Okx => "OKX",
            Preset::BitMex => "BitMEX",
            Preset::Hyperliquid => "Hyperliquid",
        }
    }
}
