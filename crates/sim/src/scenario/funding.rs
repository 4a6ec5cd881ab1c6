//! The funding, fee and initial-margin-gate sections, and what each venue preset puts in them.
//!
//! Every rule field is an `Option`: given in the scenario it wins, left out the preset's value
//! is taken (`FundingSpec::resolve`, `FeeSpec::resolve`). `Custom` has no funding, no fees and
//! no gate, so a scenario without `venue:` runs as it always did. Sources of the numbers:
//! /work/shared/REFERENCE.md "Venue rules in detail"; the lead's docs/venues.md tabulates them.

use super::{MarginSpec, MarkSpec, Preset};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What the premium index compares with the index.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum PremiumSource {
    /// The mid price.
    Mid,
    /// The average fill price of a market order of `notional` (quote currency) on each side:
    /// P = (max(0, ImpBid − Idx) − max(0, Idx − ImpAsk)) / Idx. A side too thin to fill it
    /// gives the average over what rests.
    Impact {
        /// Impact margin notional, quote currency.
        #[schemars(extend("x-unit" = "quote currency", "exclusiveMinimum" = 0))]
        notional: f64,
    },
}

/// The `funding:` section. Left out (or any field left out): the venue preset's value. Custom
/// has no funding; switched on there (`enabled: true`), it starts from Binance's values.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FundingSpec {
    /// Funding on or off (preset: on for every named venue, off for Custom).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// The period the interest, band and cap are quoted for, seconds (8 h on every preset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-unit" = "s", "minimum" = 0.001))]
    pub interval_s: Option<f64>,
    /// Time between two payments, seconds; each pays the interval's rate × this / interval
    /// (8 h; Hyperliquid 1 h, paying F/8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-unit" = "s", "minimum" = 0.001))]
    pub pay_every_s: Option<f64>,
    /// Time between two premium samples, seconds (Binance, Hyperliquid 5 s; others 60 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-unit" = "s", "minimum" = 0.001))]
    pub premium_sample_s: Option<f64>,
    /// What the premium compares with the index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub premium: Option<PremiumSource>,
    /// Interest component per interval, basis points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-unit" = "bps per interval", "minimum" = -10000, "maximum" = 10000))]
    pub interest_bps: Option<f64>,
    /// The clamp of (interest − premium), ± basis points per interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-unit" = "bps per interval", "minimum" = 0, "maximum" = 10000))]
    pub band_bps: Option<f64>,
    /// The largest |rate| per interval, basis points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-unit" = "bps per interval", "minimum" = 0, "maximum" = 10000))]
    pub cap_bps: Option<f64>,
}

/// The funding rules in force: every field resolved.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FundingRules {
    /// See [`FundingSpec::interval_s`].
    pub interval_s: f64,
    /// See [`FundingSpec::pay_every_s`].
    pub pay_every_s: f64,
    /// See [`FundingSpec::premium_sample_s`].
    pub premium_sample_s: f64,
    /// See [`FundingSpec::premium`].
    pub premium: PremiumSource,
    /// See [`FundingSpec::interest_bps`].
    pub interest_bps: f64,
    /// See [`FundingSpec::band_bps`].
    pub band_bps: f64,
    /// See [`FundingSpec::cap_bps`].
    pub cap_bps: f64,
}

const HOUR_S: f64 = 3600.0;

impl FundingSpec {
    /// True when no field is given (the section is then left out of the manifest).
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// The rules in force under `preset`, or none when funding is off. `margin` gives BitMEX's
    /// cap, 0.75 × (initial − maintenance) of the first tier.
    pub fn resolve(&self, preset: Preset, margin: &MarginSpec) -> Option<FundingRules> {
        let base = preset.funding(margin);
        if !self.enabled.unwrap_or(base.is_some()) {
            return None;
        }
        // Custom with funding switched on starts from Binance's numbers.
        let base = base.unwrap_or_else(|| {
            Preset::Binance
                .funding(margin)
                .expect("Binance has funding")
        });
        Some(FundingRules {
            interval_s: self.interval_s.unwrap_or(base.interval_s),
            pay_every_s: self
                .pay_every_s
                .or(self.interval_s)
                .unwrap_or(base.pay_every_s),
            premium_sample_s: self.premium_sample_s.unwrap_or(base.premium_sample_s),
            premium: self.premium.clone().unwrap_or(base.premium),
            interest_bps: self.interest_bps.unwrap_or(base.interest_bps),
            band_bps: self.band_bps.unwrap_or(base.band_bps),
            cap_bps: self.cap_bps.unwrap_or(base.cap_bps),
        })
    }
}

/// The `fees:` section: maker and taker fees in parts per million of the traded notional.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeeSpec {
    /// Maker fee, ppm (negative: a rebate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-unit" = "ppm of notional", "minimum" = -100000, "maximum" = 100000))]
    pub maker_ppm: Option<i64>,
    /// Taker fee, ppm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-unit" = "ppm of notional", "minimum" = 0, "maximum" = 100000))]
    pub taker_ppm: Option<i64>,
}

/// The trading fees in force, ppm of notional.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FeeRules {
    /// Maker fee (negative: a rebate).
    pub maker_ppm: i64,
    /// Taker fee.
    pub taker_ppm: i64,
}

impl FeeRules {
    /// True when no fill pays or receives a fee.
    pub fn is_zero(&self) -> bool {
        self.maker_ppm == 0 && self.taker_ppm == 0
    }
}

impl FeeSpec {
    /// True when no field is given.
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// The fees in force under `preset`.
    pub fn resolve(&self, preset: Preset) -> FeeRules {
        let base = preset.fees();
        FeeRules {
            maker_ppm: self.maker_ppm.unwrap_or(base.maker_ppm),
            taker_ppm: self.taker_ppm.unwrap_or(base.taker_ppm),
        }
    }
}

impl Preset {
    /// The venue's funding rules, none for Custom.
    pub fn funding(self, margin: &MarginSpec) -> Option<FundingRules> {
        let eight_hours = 8.0 * HOUR_S;
        let rules = |pay_every_s: f64, premium_sample_s: f64, premium, cap_bps| FundingRules {
            interval_s: eight_hours,
            pay_every_s,
            premium_sample_s,
            premium,
            // 0.01% per 8 h on every venue (Bybit quotes 0.03% a day).
            interest_bps: 1.0,
            // clamp(I − P̄, ±0.05%) on every venue.
            band_bps: 5.0,
            cap_bps,
        };
        let impact = |notional| PremiumSource::Impact { notional };
        match self {
            Preset::Custom => None,
            // IMN = 200 USDT ÷ IMR at 125x = 25,000 USDT; sampled every 5 s; BTCUSDT cap ±0.3%.
            Preset::Binance => Some(rules(eight_hours, 5.0, impact(25_000.0), 30.0)),
            // Sampled each minute; the cap is per symbol (±0.375% assumed, unverified).
            Preset::Bybit => Some(rules(eight_hours, 60.0, impact(25_000.0), 37.5)),
            // BTC cap ±0.375%.
            Preset::Okx => Some(rules(eight_hours, 60.0, impact(25_000.0), 37.5)),
            // |F| ≤ 0.75 × (IM − MM) of the first risk-limit tier.
            Preset::BitMex => {
                let cap = margin.tiers.first().map_or(30.0, |t| {
                    0.75 * (1.0 / t.max_leverage - t.maintenance_rate) * 1e4
                });
                Some(rules(eight_hours, 60.0, impact(25_000.0), cap))
            }
            // Paid hourly at F/8; capped at 4% per hour (32% per 8 h); impact notional 20k.
            Preset::Hyperliquid => Some(rules(HOUR_S, 5.0, impact(20_000.0), 3200.0)),
        }
    }

    /// The venue's regular (lowest-volume tier) trading fees.
    pub fn fees(self) -> FeeRules {
        let (maker_ppm, taker_ppm) = match self {
            Preset::Custom => (0, 0),
            // USDⓈ-M futures VIP 0: 0.0200% / 0.0500%.
            Preset::Binance => (200, 500),
            // Derivatives non-VIP: 0.0200% / 0.0550%.
            Preset::Bybit => (200, 550),
            // Perpetual swaps Lv1: 0.020% / 0.050%.
            Preset::Okx => (200, 500),
            // XBTUSD as long documented: −0.0100% maker rebate / 0.0750% taker.
            Preset::BitMex => (-100, 750),
            // Perps tier 0: 0.015% / 0.045%.
            Preset::Hyperliquid => (150, 450),
        };
        FeeRules {
            maker_ppm,
            taker_ppm,
        }
    }

    /// The venue's mark rule.
    pub fn mark(self) -> MarkSpec {
        match self {
            Preset::Custom => MarkSpec::Mid,
            // median(P1, P2 = Idx + 30 s average of (mid − Idx), last).
            Preset::Binance => MarkSpec::VenueMedian {
                basis_window_s: 30.0,
            },
            // The same median with a 5-minute average basis.
            Preset::Bybit => MarkSpec::VenueMedian {
                basis_window_s: 300.0,
            },
            // Idx + moving average of (mid − Idx); the window is not documented (60 s assumed).
            Preset::Okx => MarkSpec::IndexBasis {
                basis_window_s: 60.0,
            },
            // Fair price: Idx × (1 + F × τ / interval), no book input.
            Preset::BitMex => MarkSpec::FairPrice,
            // Oracle + 150 s EMA of (mid − oracle).
            Preset::Hyperliquid => MarkSpec::OracleEma { half_life_s: 150.0 },
        }
    }

    /// True when orders past the initial margin of their tier are refused at entry.
    pub fn initial_margin_gate(self) -> bool {
        self != Preset::Custom
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::binance_tiers;

    fn margin() -> MarginSpec {
        MarginSpec {
            tiers: binance_tiers(),
        }
    }

    #[test]
    fn custom_has_no_funding_no_fees_no_gate_and_the_mid() {
        assert_eq!(
            FundingSpec::default().resolve(Preset::Custom, &margin()),
            None
        );
        assert!(FeeSpec::default().resolve(Preset::Custom).is_zero());
        assert!(!Preset::Custom.initial_margin_gate());
        assert_eq!(Preset::Custom.mark(), MarkSpec::Mid);
    }

    #[test]
    fn a_field_given_wins_over_the_preset() {
        let spec = FundingSpec {
            cap_bps: Some(10.0),
            ..FundingSpec::default()
        };
        let r = spec.resolve(Preset::Binance, &margin()).unwrap();
        assert_eq!((r.cap_bps, r.band_bps, r.interval_s), (10.0, 5.0, 28_800.0));
        let off = FundingSpec {
            enabled: Some(false),
            ..FundingSpec::default()
        };
        assert_eq!(off.resolve(Preset::Binance, &margin()), None);
        let fees = FeeSpec {
            maker_ppm: Some(-50),
            taker_ppm: None,
        };
        assert_eq!(
            fees.resolve(Preset::Bybit),
            FeeRules {
                maker_ppm: -50,
                taker_ppm: 550
            }
        );
    }

    #[test]
    fn hyperliquid_pays_hourly_and_bitmex_caps_at_three_quarters_of_im_minus_mm() {
        let h = FundingSpec::default()
            .resolve(Preset::Hyperliquid, &margin())
            .unwrap();
        assert_eq!((h.interval_s, h.pay_every_s), (28_800.0, 3_600.0));
        let b = FundingSpec::default()
            .resolve(Preset::BitMex, &margin())
            .unwrap();
        let t = &margin().tiers[0];
        let expect = 0.75 * (1.0 / t.max_leverage - t.maintenance_rate) * 1e4;
        assert!(
            (b.cap_bps - expect).abs() < 1e-9,
            "{} vs {expect}",
            b.cap_bps
        );
    }

    #[test]
    fn custom_switched_on_starts_from_binance_and_one_interval_sets_both_clocks() {
        let spec = FundingSpec {
            enabled: Some(true),
            interval_s: Some(600.0),
            ..FundingSpec::default()
        };
        let r = spec.resolve(Preset::Custom, &margin()).unwrap();
        assert_eq!(
            (r.interval_s, r.pay_every_s, r.cap_bps),
            (600.0, 600.0, 30.0)
        );
    }
}
