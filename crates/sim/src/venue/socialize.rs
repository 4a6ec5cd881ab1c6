//! Socialised loss: a negative fund shared among the accounts in profit.
//!
//! The deficit is split in proportion to unrealised profit at the mark, by the largest
//! remainder: each winner pays the floor of its exact share, and the units left by the floors
//! go one each to the largest fractional parts (ties to the lower account id). So what is
//! collected equals the deficit to the unit whenever the winners' profit covers it; otherwise
//! every winner pays its whole profit and the rest stays in the fund as a carried deficit.
//! Bad debt is what the fund could not cover: everything collected from winners, plus the
//! deficit still carried at the end of the run.

use super::adl::pnl;
use super::Venue;

impl Venue {
    /// Shares a negative fund among the accounts in profit, in proportion to their profit.
    pub(super) fn socialize(&mut self, id: u32) {
        if self.fund >= 0 {
            return;
        }
        let deficit = -self.fund;
        let mark = self.mark.value();
        let winners: Vec<(u32, i64)> = self
            .accounts
            .iter()
            .enumerate()
            .filter(|&(i, a)| i as u32 != id && a.pos != 0 && Some(i as u32) != self.fund_acct)
            .map(|(i, a)| (i as u32, pnl(a, mark)))
            .filter(|&(_, p)| p > 0)
            .collect();
        let shares = shares_of(deficit, &winners);
        let mut collected = 0;
        for (&(i, _), &s) in winners.iter().zip(&shares) {
            if s == 0 {
                // No cash moves, so the liquidation key does not change: nothing to reindex.
                continue;
            }
            self.accounts[i as usize].cash -= s;
            self.mark_dirty(i);
            self.touched.push(i);
            collected += s;
        }
        self.fund += collected;
        self.socialized += collected;
        self.reindex_touched();
    }
}

/// Each winner's share of `deficit`, in proportion to its profit, by the largest remainder.
/// The shares sum to `min(deficit, total profit)` exactly; no share exceeds its profit.
pub(super) fn shares_of(deficit: i64, winners: &[(u32, i64)]) -> Vec<i64> {
    let total: i128 = winners.iter().map(|&(_, p)| i128::from(p)).sum();
    if total == 0 || deficit <= 0 {
        return vec![0; winners.len()];
    }
    let owed = i128::from(deficit).min(total);
    let mut shares = Vec::with_capacity(winners.len());
    // (fractional part numerator, account id, position in `winners`)
    let mut fractions = Vec::with_capacity(winners.len());
    for (k, &(id, p)) in winners.iter().enumerate() {
        let exact = owed * i128::from(p);
        shares.push((exact / total) as i64);
        fractions.push((exact % total, id, k));
    }
    let mut left = owed - shares.iter().map(|&s| i128::from(s)).sum::<i128>();
    fractions.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, _, k) in &fractions {
        if left == 0 {
            break;
        }
        shares[k] += 1;
        left -= 1;
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::shares_of;

    #[test]
    fn shares_sum_to_the_deficit_by_the_largest_remainder_ties_to_the_lower_id() {
        // 10 among three equal winners: 3 each, the unit left goes to the lowest id.
        assert_eq!(shares_of(10, &[(7, 5), (2, 5), (9, 5)]), vec![3, 4, 3]);
        // 100 in proportion 1:2:3 of 600 profit: 16.67, 33.33, 50 → 17, 33, 50.
        assert_eq!(
            shares_of(100, &[(1, 100), (2, 200), (3, 300)]),
            vec![17, 33, 50]
        );
    }

    #[test]
    fn winners_never_pay_more_than_their_profit() {
        // A deficit of 1,000 against 60 of profit: everyone pays all of it, 940 stays carried.
        assert_eq!(
            shares_of(1_000, &[(1, 10), (2, 20), (3, 30)]),
            vec![10, 20, 30]
        );
        assert_eq!(shares_of(5, &[]), Vec::<i64>::new());
        assert_eq!(shares_of(0, &[(1, 10)]), vec![0]);
    }
}
