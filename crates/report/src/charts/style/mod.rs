//! The look shared by every chart: the embedded font, colours, text sizes ([`theme`]), the
//! time axis and mesh ([`axes`]), tick labels ([`ticks`]), the title, legend strip and colour
//! bar ([`legend`]), and helpers that turn columns into lines ([`series`]).

pub mod axes;
pub mod legend;
pub mod series;
pub mod theme;
pub mod ticks;

pub use axes::*;
pub use legend::*;
pub use series::*;
pub use theme::*;
pub use ticks::*;

#[cfg(test)]
mod tests {
    use super::ticks::nice_up;
    use super::*;

    #[test]
    fn tick_labels_carry_the_decimals_the_step_needs() {
        // Span 2 with 8 labels: plotters steps by 0.5.
        assert_eq!(tick_label(100.5, 2.0, 8), "100.5");
        // Span 0.4 with 8 labels: steps of 0.05.
        assert_eq!(tick_label(99.95, 0.4, 8), "99.95");
        assert_eq!(tick_label(100.0, 40.0, 8), "100");
        assert_eq!(tick_label(12_500.0, 50_000.0, 8), "12,500");
        assert_eq!(tick_label(-1e-15, 1.0, 8), "0.0");
        // A finer step than span / max_labels still gives distinct labels.
        assert_eq!(tick_label(0.25, 0.5, 8), "0.25");
        assert_eq!(tick_label(0.3, 0.5, 8), "0.3");
        assert_eq!(nice_up(0.25), 0.5);
        assert_eq!(nice_up(0.1), 0.1);
    }

    #[test]
    fn time_axes_pick_a_readable_unit() {
        assert_eq!(TimeAxis::for_span(60.0).label, "simulated time (s)");
        assert_eq!(TimeAxis::for_span(3600.0).x(1800.0), 30.0);
        assert_eq!(TimeAxis::for_span(23_400.0).label, "simulated time (h)");
    }

    #[test]
    fn lines_break_at_missing_values_and_thin_keeps_the_extremes() {
        let axis = TimeAxis::for_span(10.0);
        let t: Vec<Option<f64>> = (0..5).map(|i| Some(i as f64)).collect();
        let y = [Some(1.0), None, Some(2.0), Some(3.0), None];
        assert_eq!(
            segments(&axis, &t, &y),
            vec![vec![(0.0, 1.0)], vec![(2.0, 2.0), (3.0, 3.0)]]
        );
        let pts: Vec<(f64, f64)> = (0..1000)
            .map(|i| (i as f64, if i == 500 { 99.0 } else { 0.0 }))
            .collect();
        let thin = thin(&pts, 100);
        assert!(thin.len() <= 102, "{}", thin.len());
        assert!(thin.contains(&(500.0, 99.0)));
    }

    #[test]
    fn the_rolling_mean_is_centred_and_shrinks_at_the_ends() {
        let pts: Vec<(f64, f64)> = [1.0, 2.0, 3.0, 4.0]
            .iter()
            .enumerate()
            .map(|(i, y)| (i as f64, *y))
            .collect();
        assert_eq!(
            rolling_mean(&pts, 3)
                .iter()
                .map(|p| p.1)
                .collect::<Vec<_>>(),
            [1.5, 2.0, 3.0, 3.5]
        );
        assert_eq!(rolling_window(3600, 1.0), Some((30, "30 s".to_string())));
        assert_eq!(rolling_window(100, 1.0), None);
    }
}
