//! Collateral that can fall: assets besides the quote currency that margin accounts post,
//! each counted at its price less a haircut.
//!
//! A leveraged group may hold part of its margin in one of these assets
//! (`collateral_asset: Some((asset: "USDe", share: 0.5))`). Its account's margin balance is its
//! cash plus units × price × (1 − haircut), so a fall of the asset's price alone can take the
//! account below maintenance: the 10 October 2025 case, where one venue priced a yield-bearing
//! stablecoin from its own thin spot book and the depeg liquidated accounts there.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The scenario's collateral assets and the clock of their prices.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollateralSpec {
    /// The assets, names unique.
    pub assets: Vec<CollateralAsset>,
    /// Time between two readings of every asset's price, seconds; each reading that changes
    /// a price re-values the accounts holding that asset.
    #[serde(default = "default_interval_s")]
    #[schemars(extend("x-unit" = "s", "exclusiveMinimum" = 0))]
    pub interval_s: f64,
}

fn default_interval_s() -> f64 {
    1.0
}

/// One collateral asset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollateralAsset {
    /// The asset's name (what a group's `collateral_asset` names).
    pub name: String,
    /// Share of the asset's value the venues do not count as margin, in [0, 1): 0.1 counts a
    /// unit at 90% of its price. At a takeover the units are sold at this discounted value.
    #[schemars(extend("x-unit" = "fraction", "minimum" = 0, "exclusiveMaximum" = 1))]
    pub haircut: f64,
    /// Where the asset's price comes from.
    pub price: CollateralPrice,
}

/// Where a collateral asset's price comes from. Prices are quote currency per token, held
/// exactly in parts per million of the quote currency; one unit of an asset held in an
/// account is worth one unit of cash (tick × lot) at a price of 1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum CollateralPrice {
    /// A scripted path: the price at each point, linear in between, the first point's price
    /// before it and the last's after it.
    Path {
        /// The points, times increasing.
        points: Vec<PricePoint>,
    },
    /// A spot venue's book (one of `venues`), read as the token's own market: the price is
    /// `peg` × the venue's mid over its opening price (every venue opens at the instrument's
    /// `initial_price`), or its last trade when one side is empty. The way one venue priced
    /// USDe from its own USDe/USDT book on 10 October 2025.
    Book {
        /// The spot venue's name.
        venue: String,
        /// The price the book's opening price stands for, quote currency per token.
        #[serde(default = "default_peg")]
        #[schemars(extend("x-unit" = "quote currency", "exclusiveMinimum" = 0, "maximum" = 1e6))]
        peg: f64,
    },
}

fn default_peg() -> f64 {
    1.0
}

/// A point of a scripted collateral price path.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PricePoint {
    /// Time of the point, seconds from the start.
    #[schemars(extend("x-unit" = "s", "minimum" = 0))]
    pub at_s: f64,
    /// The price at that time, quote currency per token.
    #[schemars(extend("x-unit" = "quote currency", "exclusiveMinimum" = 0, "maximum" = 1e6))]
    pub price: f64,
}

/// Part of a group's margin held in a collateral asset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollateralShare {
    /// The asset (a name in the scenario's `collateral.assets`).
    pub asset: String,
    /// Share of each trader's `collateral` held in the asset (bought at its opening price),
    /// in (0, 1]; the rest is cash.
    #[schemars(extend("x-unit" = "fraction", "exclusiveMinimum" = 0, "maximum" = 1))]
    pub share: f64,
}

/// Most collateral assets in one scenario.
pub const MAX_COLLATERAL_ASSETS: usize = 16;

/// Highest collateral price accepted, quote currency per token.
pub const MAX_COLLATERAL_PRICE: f64 = 1e6;

impl CollateralAsset {
    /// The price before the first reading, quote currency per token: the path's first point,
    /// or the book's peg.
    pub fn opening_price(&self) -> f64 {
        match &self.price {
            CollateralPrice::Path { points } => points.first().map_or(1.0, |p| p.price),
            CollateralPrice::Book { peg, .. } => *peg,
        }
    }
}

impl CollateralAsset {
    /// The highest price the asset can have, quote currency per token: its path's highest
    /// point, or for a book its peg times the [`crate::scenario::PRICE_HEADROOM`] that the
    /// money bound leaves any price.
    pub fn highest_price(&self) -> f64 {
        match &self.price {
            CollateralPrice::Path { points } => points.iter().map(|p| p.price).fold(0.0, f64::max),
            CollateralPrice::Book { peg, .. } => peg * crate::scenario::PRICE_HEADROOM,
        }
    }
}

impl CollateralSpec {
    /// The index of the asset named `name`.
    pub fn asset_id(&self, name: &str) -> Option<u16> {
        self.assets
            .iter()
            .position(|a| a.name == name)
            .map(|i| i as u16)
    }
}
