//! The theme: the embedded font, text sizes, margins, colours and the heat ramp.

use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};
use std::sync::Once;

/// DejaVu Sans 2.37 (licence in assets/LICENSE-DejaVu.txt).
pub const FONT: &[u8] = include_bytes!("../../../assets/DejaVuSans.ttf");

/// The font family every chart text uses. An SVG names it as is, so a viewer with DejaVu Sans
/// shows the text as laid out, and one without falls back to its sans-serif font.
pub const FAMILY: &str = "DejaVu Sans, sans-serif";

/// Registers the embedded font for our family and for the generic families plotters falls
/// back to, in every style, once.
pub fn ensure_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for family in [FAMILY, "sans-serif", "serif", "monospace"] {
            for style in [
                FontStyle::Normal,
                FontStyle::Bold,
                FontStyle::Italic,
                FontStyle::Oblique,
            ] {
                // The bytes are a valid TrueType font (a unit test draws text with it).
                let _ = register_font(family, style, FONT);
            }
        }
    });
}

/// Title text size, pixels.
pub const TITLE_PX: u32 = 26;
/// Axis description size.
pub const LABEL_PX: u32 = 17;
/// Tick label size.
pub const TICK_PX: u32 = 14;
/// Legend text size.
pub const LEGEND_PX: u32 = 15;
/// Height of the legend strip under the title.
pub const LEGEND_STRIP_PX: u32 = 34;
/// Width kept left of a plot for tick labels and the axis description.
pub const Y_LABEL_AREA_PX: u32 = 96;
/// Height kept under a plot for tick labels and the axis description.
pub const X_LABEL_AREA_PX: u32 = 56;
/// Most tick labels on a time axis.
pub const X_LABELS: usize = 10;
/// Most tick labels on a value axis.
pub const Y_LABELS: usize = 8;
/// Outer margin around a plot.
pub const MARGIN_PX: u32 = 18;

/// Okabe–Ito colours, readable by colour-blind readers.
pub const BLUE: RGBColor = RGBColor(0, 114, 178);
/// Orange.
pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
/// Bluish green.
pub const GREEN: RGBColor = RGBColor(0, 158, 115);
/// Vermillion.
pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
/// Reddish purple.
pub const PURPLE: RGBColor = RGBColor(204, 121, 167);
/// Sky blue.
pub const SKY: RGBColor = RGBColor(86, 180, 233);
/// Brown, for the fundamental value.
pub const BROWN: RGBColor = RGBColor(140, 86, 75);
/// Near-black for text and axes.
pub const INK: RGBColor = RGBColor(30, 30, 30);
/// Grey for grid lines and annotations.
pub const GREY: RGBColor = RGBColor(150, 150, 150);

/// Colours of liquidation generations 0, 1, 2, …; the last also stands for deeper ones.
/// None of them is the colour of a price line (mid blue, mark orange, index green, fundamental
/// brown) nor of the insurance fund line (blue).
pub const GENERATIONS: [RGBColor; 5] = [
    RGBColor(40, 40, 40),
    VERMILLION,
    PURPLE,
    SKY,
    RGBColor(150, 130, 0),
];

/// Auto-deleveraging on the liquidations chart: a colour no generation has.
pub const ADL: RGBColor = GREEN;

/// The colour index of a generation (deep generations share the last).
pub fn generation_bucket(generation: usize) -> usize {
    generation.min(GENERATIONS.len() - 1)
}

/// The colour of a liquidation generation.
pub fn generation_colour(generation: usize) -> RGBColor {
    GENERATIONS[generation_bucket(generation)]
}

/// A light-to-dark ramp (yellow–green–blue); empty cells stay white.
pub const HEAT_RAMP: [(f64, [f64; 3]); 5] = [
    (0.0, [237.0, 248.0, 177.0]),
    (0.25, [127.0, 205.0, 187.0]),
    (0.5, [29.0, 145.0, 192.0]),
    (0.75, [34.0, 94.0, 168.0]),
    (1.0, [8.0, 29.0, 88.0]),
];

/// The heat colour of `u` in [0, 1] on [`HEAT_RAMP`], interpolated linearly.
pub fn heat_colour(u: f64) -> RGBColor {
    ramp_colour(&HEAT_RAMP, u)
}

/// The asks' ramp on the book heatmap, light peach to dark brown through orange, so asks do
/// not read as bids (on [`HEAT_RAMP`]).
pub const ASK_RAMP: [(f64, [f64; 3]); 5] = [
    (0.0, [254.0, 230.0, 206.0]),
    (0.25, [253.0, 174.0, 107.0]),
    (0.5, [241.0, 105.0, 19.0]),
    (0.75, [217.0, 72.0, 1.0]),
    (1.0, [127.0, 39.0, 4.0]),
];

/// The ask colour of `u` in [0, 1] on [`ASK_RAMP`].
pub fn ask_colour(u: f64) -> RGBColor {
    ramp_colour(&ASK_RAMP, u)
}

fn ramp_colour(ramp: &[(f64, [f64; 3])], u: f64) -> RGBColor {
    let u = u.clamp(0.0, 1.0);
    let i = ramp
        .iter()
        .rposition(|(x, _)| *x <= u)
        .unwrap_or(0)
        .min(ramp.len() - 2);
    let ((x0, c0), (x1, c1)) = (ramp[i], ramp[i + 1]);
    let f = (u - x0) / (x1 - x0);
    let ch = |k: usize| (c0[k] + (c1[k] - c0[k]) * f).round() as u8;
    RGBColor(ch(0), ch(1), ch(2))
}
