//! The chi-square survival function for integer degrees of freedom: P(X > x) for X ~ χ²(k),
//! which is Q(k/2, x/2), the regularised upper incomplete gamma function.
//!
//! Q is computed as Numerical Recipes does (§6.2): by its power series for P = 1 − Q when
//! x < a + 1, and by its continued fraction (modified Lentz) otherwise, so that a small Q is
//! computed directly rather than as 1 − P (which would lose it to rounding). With integer k,
//! a = k/2 is a whole or half number and ln Γ(a) is summed exactly from Γ(1) = 1 and
//! Γ(½) = √π, with no series approximation.

/// Relative precision of the series and the continued fraction.
const EPS: f64 = 1e-15;
/// Most terms of either expansion (both converge in O(√a) terms near x ≈ a).
const MAX_TERMS: u32 = 10_000;
/// Guards the continued fraction against division by zero.
const TINY: f64 = 1e-300;

/// P(X > x) for X ~ χ²(dof); 1 for x ≤ 0. `dof` must be at least 1.
pub fn survival(x: f64, dof: u32) -> f64 {
    assert!(dof >= 1, "chi-square degrees of freedom must be at least 1");
    if x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    upper_regularised_gamma(f64::from(dof) / 2.0, x / 2.0, ln_gamma_half_integer(dof))
}

/// ln Γ(k/2) for k ≥ 1: Γ(a + 1) = a·Γ(a), from Γ(1) = 1 (k even) or Γ(½) = √π (k odd).
fn ln_gamma_half_integer(k: u32) -> f64 {
    let mut a = if k % 2 == 0 { 1.0 } else { 0.5 };
    let mut ln = if k % 2 == 0 {
        0.0
    } else {
        0.5 * std::f64::consts::PI.ln()
    };
    let target = f64::from(k) / 2.0;
    while a < target {
        ln += a.ln();
        a += 1.0;
    }
    ln
}

/// Q(a, x) = Γ(a, x) / Γ(a), with `ln_gamma_a` = ln Γ(a).
fn upper_regularised_gamma(a: f64, x: f64, ln_gamma_a: f64) -> f64 {
    // x^a e^(−x) / Γ(a), the factor both expansions share.
    let front = (a * x.ln() - x - ln_gamma_a).exp();
    if x < a + 1.0 {
        // P(a, x) = front · Σ_n x^n / (a (a+1) … (a+n)).
        let mut term = 1.0 / a;
        let mut sum = term;
        let mut ap = a;
        for _ in 0..MAX_TERMS {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * EPS {
                break;
            }
        }
        (1.0 - front * sum).clamp(0.0, 1.0)
    } else {
        // Q(a, x) = front · 1/(x+1−a− 1·(1−a)/(x+3−a− 2·(2−a)/(x+5−a− …))).
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..=MAX_TERMS {
            let an = -f64::from(i) * (f64::from(i) - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let step = d * c;
            h *= step;
            if (step - 1.0).abs() < EPS {
                break;
            }
        }
        (front * h).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64, rel: f64) {
        assert!(
            (got - want).abs() <= rel * want.abs(),
            "got {got:e}, want {want:e}"
        );
    }

    #[test]
    fn even_degrees_of_freedom_match_the_closed_form() {
        // k = 2: e^(−x/2); k = 4: e^(−x/2)(1 + x/2); k = 6: e^(−x/2)(1 + x/2 + x²/8).
        for x in [0.01, 0.5, 1.0, 2.9, 3.0, 7.5, 20.0, 100.0, 400.0] {
            let e = (-x / 2.0_f64).exp();
            close(survival(x, 2), e, 1e-12);
            close(survival(x, 4), e * (1.0 + x / 2.0), 1e-12);
            close(survival(x, 6), e * (1.0 + x / 2.0 + x * x / 8.0), 1e-12);
        }
    }

    #[test]
    fn tabled_critical_values_give_their_levels() {
        // Upper quantiles of the chi-square distribution (any statistics table).
        for (x, dof, p) in [
            (3.841_458_820_694_124, 1, 0.05),
            (6.634_896_601_021_214, 1, 0.01),
            (10.827_566_170_662_733, 1, 0.001),
            (7.814_727_903_251_178, 3, 0.05),
            (11.070_497_693_516_351, 5, 0.05),
            (23.209_251_158_954_356, 10, 0.01),
            (43.772_971_825_742_19, 30, 0.05),
        ] {
            close(survival(x, dof), p, 1e-9);
        }
        // k = 1 is erfc(√(x/2)): erfc(1/√2) at x = 1, and a tail far out.
        close(survival(1.0, 1), 0.317_310_507_862_914_1, 1e-12);
        close(survival(100.0, 1), 1.523_970_604_832_1e-23, 1e-9);
    }

    #[test]
    fn the_survival_function_starts_at_one_and_falls() {
        assert_eq!(survival(0.0, 3), 1.0);
        assert_eq!(survival(-1.0, 3), 1.0);
        assert!(survival(f64::NAN, 3).is_nan());
        let mut last = 1.0;
        for i in 1..200 {
            let s = survival(f64::from(i) * 0.25, 7);
            assert!(s < last && s > 0.0, "{i}: {s}");
            last = s;
        }
        // The mean of χ²(k) is k: for large k the median sits just below it.
        let s = survival(1000.0, 1000);
        assert!(s > 0.45 && s < 0.5, "{s}");
    }
}
