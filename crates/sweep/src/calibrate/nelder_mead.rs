//! Nelder–Mead on the unit cube: a derivative-free minimiser that asks for points in batches
//! (the first simplex, a shrink) or one by one, kept inside `[0, 1]^n` by projection (every
//! point it asks for is clamped to the cube before it is evaluated).
//!
//! The search is a pure function of the values it is told: asked the same points and told the
//! same values, it asks the same next points. A calibration resumed from its journal replays
//! it to the same state.
//!
//! Coefficients are the standard ones (reflection 1, expansion 2, contraction ½, shrink ½).
//! The search stops when the simplex is smaller than `x_tol` in every coordinate and its
//! values are within `f_tol` of each other, or when the evaluator reports the budget spent;
//! after a stop on convergence it restarts `restarts` times from a fresh simplex around the
//! best point (a simplex can collapse on a face of the cube or a plateau).

/// How the search runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Edge of the first simplex, in unit coordinates (each vertex moves one coordinate).
    pub step: f64,
    /// Simplex size (largest coordinate distance from the best vertex) below which it has
    /// converged.
    pub x_tol: f64,
    /// Spread of the simplex's values below which it has converged.
    pub f_tol: f64,
    /// Fresh simplices around the best point after convergence.
    pub restarts: u32,
    /// Most iterations in all (a guard: the budget or convergence stops it first).
    pub max_iterations: u64,
}

/// Why the search stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The simplex converged (after every restart).
    Converged,
    /// The evaluator had no budget left for the next points.
    Budget,
    /// `max_iterations` reached.
    Iterations,
}

/// The best point found.
#[derive(Clone, Debug, PartialEq)]
pub struct Minimum {
    /// Its unit coordinates.
    pub x: Vec<f64>,
    /// Its value.
    pub f: f64,
    /// Why the search stopped.
    pub stop: Stop,
    /// Iterations done (each a reflection and what follows it).
    pub iterations: u64,
}

/// `x` clamped to the unit cube.
pub fn project(x: &[f64]) -> Vec<f64> {
    x.iter().map(|v| v.clamp(0.0, 1.0)).collect()
}

/// Minimises from `x0` (unit coordinates). `eval` gets a batch of points (inside the cube) and
/// returns their values (NaN is taken as +∞), or `None` when there is no budget for them.
pub fn minimize<E>(
    x0: &[f64],
    settings: &Settings,
    mut eval: impl FnMut(&[Vec<f64>]) -> Result<Option<Vec<f64>>, E>,
) -> Result<Minimum, E> {
    let mut best = Vertex {
        x: project(x0),
        f: f64::INFINITY,
    };
    let mut iterations = 0;
    for _ in 0..=settings.restarts {
        let (stop, found, its) = search(&best.x, settings, iterations, &mut eval)?;
        iterations = its;
        if let Some(v) = found {
            if v.f < best.f || best.f.is_infinite() {
                best = v;
            }
        }
        if stop != Stop::Converged {
            return Ok(best.into_minimum(stop, iterations));
        }
    }
    Ok(best.into_minimum(Stop::Converged, iterations))
}

#[derive(Clone, Debug)]
struct Vertex {
    x: Vec<f64>,
    f: f64,
}

impl Vertex {
    fn into_minimum(self, stop: Stop, iterations: u64) -> Minimum {
        Minimum {
            x: self.x,
            f: self.f,
            stop,
            iterations,
        }
    }
}

/// Evaluates a batch; `None` when the budget is spent.
fn values<E>(
    points: Vec<Vec<f64>>,
    eval: &mut impl FnMut(&[Vec<f64>]) -> Result<Option<Vec<f64>>, E>,
) -> Result<Option<Vec<Vertex>>, E> {
    let Some(fs) = eval(&points)? else {
        return Ok(None);
    };
    assert_eq!(fs.len(), points.len(), "one value per point");
    Ok(Some(
        points
            .into_iter()
            .zip(fs)
            .map(|(x, f)| Vertex {
                x,
                f: if f.is_nan() { f64::INFINITY } else { f },
            })
            .collect(),
    ))
}

/// One simplex from `x0` to convergence or the budget; the best vertex seen (none if the
/// first simplex could not be evaluated) and the iteration count so far.
fn search<E>(
    x0: &[f64],
    s: &Settings,
    mut iterations: u64,
    eval: &mut impl FnMut(&[Vec<f64>]) -> Result<Option<Vec<f64>>, E>,
) -> Result<(Stop, Option<Vertex>, u64), E> {
    let Some(mut simplex) = values(first_simplex(x0, s.step), eval)? else {
        return Ok((Stop::Budget, None, iterations));
    };
    loop {
        // Stable: equal values keep their order, so ties never depend on anything but history.
        simplex.sort_by(|a, b| a.f.total_cmp(&b.f));
        let best = simplex[0].clone();
        if converged(&simplex, s) {
            return Ok((Stop::Converged, Some(best), iterations));
        }
        if iterations >= s.max_iterations {
            return Ok((Stop::Iterations, Some(best), iterations));
        }
        iterations += 1;
        match step(&mut simplex, eval)? {
            true => {}
            false => return Ok((Stop::Budget, Some(simplex_best(&simplex)), iterations)),
        }
    }
}

fn simplex_best(simplex: &[Vertex]) -> Vertex {
    let mut best = simplex[0].clone();
    for v in simplex {
        if v.f < best.f {
            best = v.clone();
        }
    }
    best
}

/// `x0` and one vertex per coordinate, `step` away (inwards when the cube's edge is nearer).
fn first_simplex(x0: &[f64], step: f64) -> Vec<Vec<f64>> {
    let mut points = vec![x0.to_vec()];
    for i in 0..x0.len() {
        let mut x = x0.to_vec();
        x[i] = if x0[i] + step <= 1.0 {
            x0[i] + step
        } else {
            x0[i] - step
        };
        points.push(project(&x));
    }
    points
}

fn converged(simplex: &[Vertex], s: &Settings) -> bool {
    let best = &simplex[0];
    let size = simplex
        .iter()
        .flat_map(|v| v.x.iter().zip(&best.x).map(|(a, b)| (a - b).abs()))
        .fold(0.0, f64::max);
    let worst = simplex[simplex.len() - 1].f;
    let spread = if worst == best.f { 0.0 } else { worst - best.f };
    size <= s.x_tol && spread <= s.f_tol
}

/// `a + t (b − a)`, projected.
fn along(a: &[f64], b: &[f64], t: f64) -> Vec<f64> {
    project(
        &a.iter()
            .zip(b)
            .map(|(a, b)| a + t * (b - a))
            .collect::<Vec<_>>(),
    )
}

/// Evaluates one point; `None` when the budget is spent.
fn one<E>(
    x: Vec<f64>,
    eval: &mut impl FnMut(&[Vec<f64>]) -> Result<Option<Vec<f64>>, E>,
) -> Result<Option<Vertex>, E> {
    Ok(values(vec![x], eval)?.and_then(|mut v| v.pop()))
}

/// One iteration on a simplex sorted best first; false when the budget ran out.
fn step<E>(
    simplex: &mut [Vertex],
    eval: &mut impl FnMut(&[Vec<f64>]) -> Result<Option<Vec<f64>>, E>,
) -> Result<bool, E> {
    let n = simplex.len() - 1;
    let centroid: Vec<f64> = (0..simplex[0].x.len())
        .map(|i| simplex[..n].iter().map(|v| v.x[i]).sum::<f64>() / n as f64)
        .collect();
    let worst = simplex[n].clone();
    let (f_best, f_second) = (simplex[0].f, simplex[n - 1].f);
    // Reflection: the worst vertex through the centroid.
    let Some(r) = one(along(&centroid, &worst.x, -1.0), eval)? else {
        return Ok(false);
    };
    if r.f < f_best {
        let Some(e) = one(along(&centroid, &worst.x, -2.0), eval)? else {
            return Ok(false);
        };
        simplex[n] = if e.f < r.f { e } else { r };
        return Ok(true);
    }
    if r.f < f_second {
        simplex[n] = r;
        return Ok(true);
    }
    // Contraction: outside (towards the reflection) when it beat the worst, else inside.
    let (towards, bar) = if r.f < worst.f {
        (&r.x, r.f)
    } else {
        (&worst.x, worst.f)
    };
    let Some(c) = one(along(&centroid, towards, 0.5), eval)? else {
        return Ok(false);
    };
    if c.f < bar || (c.f <= bar && r.f < worst.f) {
        simplex[n] = c;
        return Ok(true);
    }
    // Shrink every vertex halfway to the best.
    let points: Vec<Vec<f64>> = simplex[1..]
        .iter()
        .map(|v| along(&simplex[0].x, &v.x, 0.5))
        .collect();
    let Some(shrunk) = values(points, eval)? else {
        return Ok(false);
    };
    for (slot, v) in simplex[1..].iter_mut().zip(shrunk) {
        *slot = v;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    fn settings() -> Settings {
        Settings {
            step: 0.2,
            x_tol: 1e-7,
            f_tol: 1e-12,
            restarts: 1,
            max_iterations: 20_000,
        }
    }

    /// Minimises `f` over the unit cube with an evaluation budget; returns the minimum and the
    /// points evaluated, in order.
    fn run(f: impl Fn(&[f64]) -> f64, x0: &[f64], budget: usize) -> (Minimum, Vec<Vec<f64>>) {
        let mut asked = Vec::new();
        let m = minimize(x0, &settings(), |batch| {
            if asked.len() + batch.len() > budget {
                return Ok::<_, Infallible>(None);
            }
            for x in batch {
                assert!(x.iter().all(|v| (0.0..=1.0).contains(v)), "{x:?} outside");
            }
            asked.extend(batch.iter().cloned());
            Ok(Some(batch.iter().map(|x| f(x)).collect()))
        })
        .unwrap();
        (m, asked)
    }

    fn close(x: &[f64], want: &[f64], tol: f64) -> bool {
        x.iter().zip(want).all(|(a, b)| (a - b).abs() <= tol)
    }

    /// Rosenbrock's valley on [-2, 2]², minimum 0 at (1, 1) = unit (0.75, 0.75).
    fn rosenbrock(u: &[f64]) -> f64 {
        let (x, y) = (4.0 * u[0] - 2.0, 4.0 * u[1] - 2.0);
        (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2)
    }

    #[test]
    fn finds_the_bottom_of_rosenbrocks_valley() {
        // (-1.2, 1) is the classic start: unit (0.2, 0.75).
        let (m, asked) = run(rosenbrock, &[0.2, 0.75], 5_000);
        assert_eq!(m.stop, Stop::Converged, "{m:?}");
        assert!(close(&m.x, &[0.75, 0.75], 1e-4), "{m:?}");
        assert!(m.f < 1e-8, "{m:?}");
        assert!(asked.len() < 2_000, "{} evaluations", asked.len());
    }

    #[test]
    fn finds_the_minimum_of_a_skewed_quadratic_in_four_dimensions() {
        let want = [0.3, 0.6, 0.45, 0.8];
        let f = |u: &[f64]| {
            let d: Vec<f64> = u.iter().zip(&want).map(|(a, b)| a - b).collect();
            // Correlated and badly scaled: a narrow tilted bowl.
            d[0] * d[0]
                + 10.0 * d[1] * d[1]
                + 0.1 * d[2] * d[2]
                + 5.0 * d[3] * d[3]
                + 2.0 * d[0] * d[1]
        };
        let (m, _) = run(f, &[0.5; 4], 10_000);
        assert_eq!(m.stop, Stop::Converged, "{m:?}");
        assert!(close(&m.x, &want, 1e-4), "{m:?}");
    }

    #[test]
    fn a_minimum_outside_the_cube_is_found_on_its_face() {
        // Unconstrained minimum at (1.5, 0.25): the constrained one is (1, 0.25).
        let f = |u: &[f64]| (u[0] - 1.5).powi(2) + (u[1] - 0.25).powi(2);
        let (m, _) = run(f, &[0.5, 0.5], 5_000);
        assert!(close(&m.x, &[1.0, 0.25], 1e-4), "{m:?}");
        assert!((m.f - 0.25).abs() < 1e-8, "{m:?}");
    }

    #[test]
    fn the_budget_stops_it_with_the_best_point_so_far() {
        let (m, asked) = run(rosenbrock, &[0.2, 0.75], 40);
        assert_eq!(m.stop, Stop::Budget);
        assert!(asked.len() <= 40);
        let best = asked
            .iter()
            .map(|x| rosenbrock(x))
            .fold(f64::INFINITY, f64::min);
        assert_eq!(m.f, best, "the best value asked for is the one returned");
        assert_eq!(rosenbrock(&m.x), m.f);
        // No budget even for the first simplex: the start comes back, unevaluated.
        let (m, asked) = run(rosenbrock, &[0.2, 0.75], 2);
        assert!(asked.is_empty() && m.stop == Stop::Budget && m.f.is_infinite());
    }

    #[test]
    fn the_same_values_give_the_same_points() {
        let (a, asked_a) = run(rosenbrock, &[0.1, 0.9], 300);
        let (b, asked_b) = run(rosenbrock, &[0.1, 0.9], 300);
        assert_eq!(a, b);
        assert_eq!(asked_a, asked_b);
        // A longer budget asks the same points first: a resumed search retraces its path.
        let (_, asked_c) = run(rosenbrock, &[0.1, 0.9], 600);
        assert_eq!(asked_c[..asked_a.len()], asked_a[..]);
    }

    #[test]
    fn infinite_and_nan_values_are_avoided() {
        // Undefined (NaN) left of 0.3, infinite above 0.9: the minimum at 0.6 is still found.
        let f = |u: &[f64]| match u[0] {
            x if x < 0.3 => f64::NAN,
            x if x > 0.9 => f64::INFINITY,
            x => (x - 0.6).powi(2) + (u[1] - 0.5).powi(2),
        };
        let (m, _) = run(f, &[0.95, 0.1], 5_000);
        assert!(close(&m.x, &[0.6, 0.5], 1e-4), "{m:?}");
    }
}
