//! Exact decimal rendering of tick prices in quote currency.

/// Converts ticks to quote currency text without floating-point rounding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriceFormat {
    /// The tick size times 10^decimals, an integer.
    tick_scaled: i64,
    /// Decimal places of the tick size.
    decimals: u32,
}

impl PriceFormat {
    /// The format for a tick size (e.g. 0.01 → two decimals).
    pub fn new(tick_size: f64) -> Self {
        let mut decimals = 0;
        while decimals < 12 {
            let scaled = tick_size * 10f64.powi(decimals as i32);
            if (scaled - scaled.round()).abs() < 1e-9 * scaled.max(1.0) {
                break;
            }
            decimals += 1;
        }
        let tick_scaled = (tick_size * 10f64.powi(decimals as i32)).round().max(1.0) as i64;
        Self {
            tick_scaled,
            decimals,
        }
    }

    /// Decimal places of the tick size and the tick size times 10^decimals: a price of `t`
    /// ticks is `t × scaled / 10^decimals`, exactly.
    pub fn scaled(&self) -> (u32, i64) {
        (self.decimals, self.tick_scaled)
    }

    /// Ticks as quote currency, a float (for statistics and JSON).
    pub fn to_quote(&self, ticks: i64) -> f64 {
        // Integer first, one correctly rounded division: 10007 cents → 100.07, not 100.07000000000001.
        (i128::from(ticks) * i128::from(self.tick_scaled)) as f64 / 10f64.powi(self.decimals as i32)
    }

    /// Twice-a-price in ticks (a mid) as quote currency, a float.
    pub fn x2_to_quote(&self, ticks_x2: i64) -> f64 {
        (i128::from(ticks_x2) * i128::from(self.tick_scaled)) as f64
            / (2.0 * 10f64.powi(self.decimals as i32))
    }

    /// Ticks as exact decimal text: 100000 ticks of 0.01 → "1000.00".
    pub fn ticks(&self, ticks: i64) -> String {
        fixed(
            i128::from(ticks) * i128::from(self.tick_scaled),
            self.decimals,
        )
    }

    /// Twice-a-price as exact decimal text, one more decimal when it falls on a half tick.
    pub fn ticks_x2(&self, ticks_x2: i64) -> String {
        let v = i128::from(ticks_x2) * i128::from(self.tick_scaled);
        if v % 2 == 0 {
            fixed(v / 2, self.decimals)
        } else {
            fixed(v * 5, self.decimals + 1)
        }
    }
}

/// `v / 10^decimals` as text with exactly `decimals` places.
fn fixed(v: i128, decimals: u32) -> String {
    if decimals == 0 {
        return v.to_string();
    }
    let p = 10i128.pow(decimals);
    let sign = if v < 0 { "-" } else { "" };
    let a = v.abs();
    format!(
        "{sign}{}.{:0width$}",
        a / p,
        a % p,
        width = decimals as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_ticks_exactly() {
        let cents = PriceFormat::new(0.01);
        assert_eq!(cents.ticks(100_000), "1000.00");
        assert_eq!(cents.ticks(7), "0.07");
        assert_eq!(cents.ticks_x2(200_001), "1000.005");
        assert_eq!(cents.ticks_x2(200_002), "1000.01");
        let halves = PriceFormat::new(0.5);
        assert_eq!(halves.ticks(3), "1.5");
        assert_eq!(halves.ticks_x2(3), "0.75");
        let whole = PriceFormat::new(1.0);
        assert_eq!(whole.ticks(42), "42");
        assert_eq!(whole.ticks_x2(85), "42.5");
        assert_eq!(fixed(-5, 2), "-0.05");
        assert_eq!(cents.to_quote(10_007), 100.07);
        assert_eq!(cents.x2_to_quote(20_014), 100.07);
    }
}
