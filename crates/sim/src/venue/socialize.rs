//! Socialised loss: a negative fund shared among the accounts in profit.

use super::adl::pnl;
use super::Venue;

impl Venue {
    /// Shares a negative fund among the accounts in profit, in proportion to their profit.
    pub(super) fn socialize(&mut self, id: u32) {
        if self.fund >= 0 {
            return;
        }
        let deficit = -self.fund;
        self.ledger.bad_debt += deficit;
        let mark = self.mark.value();
        let winners: Vec<(u32, i64)> = self
            .accounts
            .iter()
            .enumerate()
            .filter(|&(i, a)| i as u32 != id && a.pos != 0)
            .map(|(i, a)| (i as u32, pnl(a, mark)))
            .filter(|&(_, p)| p > 0)
            .collect();
        let total: i128 = winners.iter().map(|&(_, p)| i128::from(p)).sum();
        if total == 0 {
            return;
        }
        let share_of = |p: i64| {
            (i128::from(deficit.min(total.min(i128::from(i64::MAX)) as i64)) * i128::from(p)
                / total) as i64
        };
        let mut collected = 0;
        for &(i, p) in &winners {
            let s = share_of(p);
            self.accounts[i as usize].cash -= s;
            self.dirty.push(i);
            self.touched.push(i);
            collected += s;
        }
        self.fund += collected;
        self.reindex_touched();
    }
}
