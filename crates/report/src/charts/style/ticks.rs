//! Tick labels: as many decimals as the tick step needs, thousands separated.

/// Tick label text on an axis of `span` with at most `max_labels` labels: as many decimals as
/// the tick step needs. Plotters steps by 1, 2 or 5 × 10^k and takes at least `span / max`;
/// the smallest such step bounds the decimals needed from above.
pub fn tick_label(v: f64, span: f64, max_labels: usize) -> String {
    let step = nice_up(span / max_labels.max(1) as f64);
    let decimals = if step >= 1.0 || step <= 0.0 || !step.is_finite() {
        0
    } else {
        (-step.log10() - 1e-9).ceil().clamp(0.0, 6.0) as usize
    };
    let v = if v.abs() < 1e-12 { 0.0 } else { v };
    // Plotters may step finer than span / max_labels (0.05 where 0.1 was expected): add
    // decimals until the tick value is shown exactly, so two ticks never print alike.
    let mut decimals = decimals;
    while decimals < 6 {
        let scale = 10f64.powi(decimals as i32);
        if ((v * scale).round() / scale - v).abs() <= 1e-9 * v.abs().max(1.0) {
            break;
        }
        decimals += 1;
    }
    let text = format!("{v:.decimals$}");
    if decimals == 0 && v.abs() >= 10_000.0 {
        thousands(&text)
    } else {
        text
    }
}

/// The smallest 1, 2 or 5 × 10^k at least `x`.
pub(super) fn nice_up(x: f64) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return x;
    }
    let p = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|s| *s >= x * (1.0 - 1e-9))
        .unwrap_or(10.0 * p)
}

/// "1234567" → "1,234,567" (integers only).
pub fn thousands(text: &str) -> String {
    let (sign, digits) = text.strip_prefix('-').map_or(("", text), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}
