//! The square-root impact law: a metaorder of Q lots in a market trading V lots a day moves
//! the price by ΔP = Y · σ · (Q/V)^δ with δ ≈ 0.5 and Y of order 1 (Tóth et al. 2011).
//!
//! Run folders do not record metaorders yet, so `cascade stats` reports `"impact": null`; the
//! fit is here for when they do (and for callers holding metaorders of their own).

use super::estimators::linear_fit;
use serde::Serialize;

/// One executed metaorder.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Metaorder {
    /// Size over the volume traded in the reference period, Q / V.
    pub participation: f64,
    /// Price impact in the direction of the order over the volatility of the reference
    /// period, ΔP / σ (both as returns, or both in price units).
    pub impact_over_sigma: f64,
}

/// A fitted impact law.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ImpactFit {
    /// δ of ΔP/σ = Y · (Q/V)^δ, fitted on log-log (only positive impacts count).
    pub exponent: f64,
    /// Y of that fit.
    pub y: f64,
    /// R² of the log-log fit.
    pub r2: f64,
    /// Y with δ fixed at 1/2: least squares through the origin of ΔP/σ on √(Q/V), every
    /// metaorder counted (negative impacts too).
    pub y_at_half: f64,
    /// Metaorders given.
    pub metaorders: usize,
    /// Metaorders in the log-log fit.
    pub fitted: usize,
}

/// Fits the impact law. Needs 3 metaorders with positive participation and impact, whose
/// participations are not all equal.
pub fn fit_square_root_impact(orders: &[Metaorder]) -> Option<ImpactFit> {
    let usable: Vec<&Metaorder> = orders
        .iter()
        .filter(|m| m.participation > 0.0 && m.participation.is_finite())
        .filter(|m| m.impact_over_sigma.is_finite())
        .collect();
    let (x, y): (Vec<f64>, Vec<f64>) = usable
        .iter()
        .filter(|m| m.impact_over_sigma > 0.0)
        .map(|m| (m.participation.ln(), m.impact_over_sigma.ln()))
        .unzip();
    let line = linear_fit(&x, &y)?;
    let (sxy, sxx) = usable.iter().fold((0.0, 0.0), |(sxy, sxx), m| {
        (
            sxy + m.impact_over_sigma * m.participation.sqrt(),
            sxx + m.participation,
        )
    });
    Some(ImpactFit {
        exponent: line.slope,
        y: line.intercept.exp(),
        r2: line.r2,
        y_at_half: sxy / sxx,
        metaorders: orders.len(),
        fitted: line.n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exact_square_root_law_is_recovered() {
        let orders: Vec<Metaorder> = [0.001, 0.004, 0.01, 0.04, 0.09]
            .iter()
            .map(|q: &f64| Metaorder {
                participation: *q,
                impact_over_sigma: 0.8 * q.sqrt(),
            })
            .collect();
        let f = fit_square_root_impact(&orders).unwrap();
        assert!((f.exponent - 0.5).abs() < 1e-9, "{f:?}");
        assert!((f.y - 0.8).abs() < 1e-9 && (f.y_at_half - 0.8).abs() < 1e-9);
        assert!((f.r2 - 1.0).abs() < 1e-9);
        assert_eq!((f.metaorders, f.fitted), (5, 5));
    }

    #[test]
    fn a_linear_law_gives_exponent_one_and_too_little_data_gives_none() {
        let orders: Vec<Metaorder> = (1..=6)
            .map(|i| Metaorder {
                participation: f64::from(i) * 0.01,
                impact_over_sigma: 3.0 * f64::from(i) * 0.01,
            })
            .collect();
        let f = fit_square_root_impact(&orders).unwrap();
        assert!((f.exponent - 1.0).abs() < 1e-9 && (f.y - 3.0).abs() < 1e-9);
        assert_eq!(fit_square_root_impact(&orders[..2]), None);
        assert_eq!(fit_square_root_impact(&[]), None);
    }
}
