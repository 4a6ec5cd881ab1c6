//! The checks of the `collateral` section: asset names, haircuts, price sources.

use super::Validator;
use crate::scenario::collateral::{
    CollateralPrice, CollateralSpec, PricePoint, MAX_COLLATERAL_ASSETS, MAX_COLLATERAL_PRICE,
};
use crate::scenario::Scenario;

impl Validator {
    /// The collateral assets: unique names, a haircut in [0, 1), a price source that exists.
    pub(super) fn collateral(&mut self, s: &Scenario) {
        let Some(c) = &s.collateral else {
            return;
        };
        if c.assets.is_empty() {
            self.err("collateral.assets", "needs at least one asset");
        } else if c.assets.len() > MAX_COLLATERAL_ASSETS {
            self.err(
                "collateral.assets",
                format!(
                    "at most {MAX_COLLATERAL_ASSETS} assets, got {}",
                    c.assets.len()
                ),
            );
        }
        self.positive("collateral.interval_s", c.interval_s);
        for (i, a) in c.assets.iter().enumerate() {
            let at = format!("collateral.assets[{i}]");
            if a.name.trim().is_empty() {
                self.err(format!("{at}.name"), "must not be empty");
            } else if c.assets.iter().take(i).any(|b| b.name == a.name) {
                self.err(
                    format!("{at}.name"),
                    format!("{:?} names two assets", a.name),
                );
            }
            if !(a.haircut.is_finite() && (0.0..1.0).contains(&a.haircut)) {
                self.err(
                    format!("{at}.haircut"),
                    format!(
                        "must be in [0, 1) (0 counts the asset whole; 1 would count it as \
                         nothing), got {}",
                        a.haircut
                    ),
                );
            }
            match &a.price {
                CollateralPrice::Path { points } => {
                    self.price_path(&format!("{at}.price.points"), points)
                }
                CollateralPrice::Book { venue, peg } => {
                    match s.venue_id(venue) {
                        None => self.err(
                            format!("{at}.price.venue"),
                            format!("{venue:?} names no venue of the scenario"),
                        ),
                        Some(id) if !s.is_spot(id) => self.err(
                            format!("{at}.price.venue"),
                            format!(
                                "{venue:?} is a perpetual: a collateral price reads a spot \
                                 venue's book"
                            ),
                        ),
                        Some(_) => {}
                    }
                    self.collateral_price(&format!("{at}.price.peg"), *peg);
                }
            }
        }
    }

    /// A scripted path: at least one point, times increasing, prices positive.
    fn price_path(&mut self, at: &str, points: &[PricePoint]) {
        if points.is_empty() {
            self.err(at, "a price path needs at least one point");
        }
        let mut last: Option<f64> = None;
        for (k, p) in points.iter().enumerate() {
            let path = format!("{at}[{k}]");
            if self.non_negative(&format!("{path}.at_s"), p.at_s) {
                if let Some(prev) = last.filter(|&prev| p.at_s <= prev) {
                    self.err(
                        format!("{path}.at_s"),
                        format!(
                            "the times of a price path must increase: {} does not follow {prev}",
                            p.at_s
                        ),
                    );
                }
                last = Some(p.at_s);
            }
            self.collateral_price(&format!("{path}.price"), p.price);
        }
    }

    /// A price of a collateral asset: positive, at most [`MAX_COLLATERAL_PRICE`], and not
    /// below one part per million of the quote currency (its exact unit).
    fn collateral_price(&mut self, path: &str, price: f64) {
        if !self.positive(path, price) {
            return;
        }
        if price > MAX_COLLATERAL_PRICE {
            self.err(
                path,
                format!("must be at most {MAX_COLLATERAL_PRICE}, got {price}"),
            );
        } else if (price * 1e6).round() < 1.0 {
            self.err(
                path,
                format!("{price} is below 0.000001, the unit collateral prices are kept in"),
            );
        }
    }
}

/// Checks a group's `collateral_asset` against the scenario's assets.
pub(crate) fn check_share(
    f: &mut super::Fields<'_>,
    scenario: &Scenario,
    share: &crate::scenario::CollateralShare,
    collateral: f64,
) {
    let spec = scenario.collateral.as_ref();
    let known = spec.and_then(|c: &CollateralSpec| c.asset_id(&share.asset));
    if let (Some(c), Some(a)) = (spec, known) {
        let asset = &c.assets[usize::from(a)];
        let (opening, top) = (asset.opening_price(), asset.highest_price());
        let held = collateral * share.share;
        if opening.is_finite() && opening > 0.0 && held.is_finite() && held > 0.0 {
            // The units bought at the opening price, at the highest price the asset can have,
            // are counted like money.
            f.money("collateral_asset.share", held / opening * top);
        }
    }
    if known.is_none() {
        f.err(
            "collateral_asset.asset",
            format!(
                "{:?} is not an asset of the scenario's `collateral.assets`",
                share.asset
            ),
        );
    }
    if !(share.share.is_finite() && share.share > 0.0 && share.share <= 1.0) {
        f.err(
            "collateral_asset.share",
            format!("must be in (0, 1], got {}", share.share),
        );
    }
}
