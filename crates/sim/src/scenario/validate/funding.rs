//! Checks of the funding and fee sections, as given and as the venue preset resolves them.

use super::Validator;
use crate::scenario::{PremiumSource, Scenario};

/// Largest |fee| accepted, ppm (10% of the notional).
const MAX_FEE_PPM: i64 = 100_000;
/// Largest interest, band or cap accepted, basis points per interval (100%).
const MAX_RATE_BPS: f64 = 10_000.0;

impl Validator {
    /// Funding in force needs an index (the home venue's: another perpetual's is checked at
    /// its `index_sources`).
    pub(super) fn funding_needs_index(&mut self, s: &Scenario) {
        if s.funding_rules().is_some() && !s.has_index() {
            let at = if s.funding.enabled.is_some() {
                "funding.enabled"
            } else {
                "venue"
            };
            self.err(
                at,
                "funding needs an index: add `index: Some(IndexSpec(...))` or set \
                 `funding: (enabled: false)`",
            );
        }
    }

    /// The funding section (each field given, then the rules in force) and the fees.
    pub(super) fn funding_and_fees(&mut self, s: &Scenario) {
        let f = &s.funding;
        for (field, x) in [
            ("funding.interval_s", f.interval_s),
            ("funding.pay_every_s", f.pay_every_s),
            ("funding.premium_sample_s", f.premium_sample_s),
        ] {
            if let Some(x) = x {
                if self.positive(field, x) && x < 1e-3 {
                    self.err(field, format!("must be at least 0.001 s, got {x}"));
                }
            }
        }
        for (field, x) in [
            ("funding.band_bps", f.band_bps),
            ("funding.cap_bps", f.cap_bps),
        ] {
            if let Some(x) = x {
                if self.non_negative(field, x) && x > MAX_RATE_BPS {
                    self.err(field, format!("must be at most {MAX_RATE_BPS}, got {x}"));
                }
            }
        }
        if let Some(i) = f.interest_bps {
            if !(i.is_finite() && i.abs() <= MAX_RATE_BPS) {
                self.err(
                    "funding.interest_bps",
                    format!("must be a number within ±{MAX_RATE_BPS}, got {i}"),
                );
            }
        }
        if let Some(PremiumSource::Impact { notional }) = &f.premium {
            if self.positive("funding.premium.notional", *notional) {
                self.money("funding.premium.notional", *notional);
            }
        }
        if let Some(r) = s.funding_rules() {
            // Named where the user can fix it: the field if given, else the venue.
            let at = |given: bool, field: &str| {
                if given {
                    format!("funding.{field}")
                } else {
                    "venue".to_string()
                }
            };
            if r.cap_bps < r.band_bps {
                self.err(
                    at(f.cap_bps.is_some(), "cap_bps"),
                    format!(
                        "the cap ({} bps) is below the band ({} bps): the clamp could never reach it",
                        r.cap_bps, r.band_bps
                    ),
                );
            }
            if r.pay_every_s > r.interval_s {
                self.err(
                    at(f.pay_every_s.is_some(), "pay_every_s"),
                    format!(
                        "pays every {} s, longer than the interval ({} s)",
                        r.pay_every_s, r.interval_s
                    ),
                );
            }
        }
        for (field, x) in [
            ("fees.maker_ppm", s.fees.maker_ppm),
            ("fees.taker_ppm", s.fees.taker_ppm),
        ] {
            if let Some(x) = x {
                if x.abs() > MAX_FEE_PPM {
                    self.err(field, format!("must be within ±{MAX_FEE_PPM} ppm, got {x}"));
                }
            }
        }
        let fees = s.fee_rules();
        if fees.taker_ppm < 0 {
            self.err(
                "fees.taker_ppm",
                "must not be negative (a taker never earns)",
            );
        }
        if fees.maker_ppm + fees.taker_ppm < 0 {
            let field = if s.fees.maker_ppm.is_some() {
                "fees.maker_ppm"
            } else {
                "fees.taker_ppm"
            };
            self.err(
                field,
                format!(
                    "maker ({}) + taker ({}) is below 0: the venue would pay for every trade",
                    fees.maker_ppm, fees.taker_ppm
                ),
            );
        }
    }
}
