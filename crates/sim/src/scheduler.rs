//! The scheduler: a priority queue of events on (time ns, sequence) and the clock.
//!
//! It knows nothing of what an event means. The kernel pops the earliest event and hands it to
//! the part that owns it; ties in time break on the sequence number given when the event was
//! scheduled, so the order of events depends only on the scenario and the seed.

use crate::agents::Action;
use crate::venue::VenueId;
use dary_heap::QuaternaryHeap;
use std::cmp::{Ordering, Reverse};

/// What an event does, and so which part it belongs to. `A` is what an arrival carries: for the
/// kernel ([`EventKind`]) the agent, the venue and the instruction; in the queue ([`Queued`]) the
/// slot where the scheduler keeps them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind<A> {
    /// Agent `0` wakes up.
    Wake(u32),
    /// An instruction reaches a venue.
    Arrive(A),
    /// The recorder samples the market.
    Sample,
    /// The index moves on.
    IndexTick,
    /// The liquidation engine of a venue works on account `1`.
    LiqStep(VenueId, u32),
    /// A work-off order of the venue's insurance fund.
    FundWorkOff(VenueId),
    /// Scripted shock number `0`.
    Shock(u32),
    /// The market's realised volatility is updated.
    VolTick,
    /// A venue samples its funding premium.
    FundingSample(VenueId),
    /// A venue pays funding between longs and shorts.
    FundingPay(VenueId),
    /// The collateral assets' prices are read; holders of a changed one are re-valued.
    CollateralTick,
}

/// An event as the kernel sees it: an arrival is (agent, venue, instruction).
pub(crate) type EventKind = Kind<(u32, VenueId, Action)>;

/// An event as the queue holds it: an arrival's instruction is kept aside in
/// [`Scheduler::arrivals`] and the queue holds its slot, so every queued event is 24 bytes
/// (an [`EventKind`] with its instruction is 32, and the event 48). The queue is sifted on
/// every push and pop and holds a pending wake-up for every agent, so its size is what a
/// large run's cache sees.
type Queued = Kind<u32>;

impl<A> Kind<A> {
    /// The same event with what an arrival carries replaced by `f` of it.
    fn map_arrive<B>(self, f: impl FnOnce(A) -> B) -> Kind<B> {
        match self {
            Kind::Wake(a) => Kind::Wake(a),
            Kind::Arrive(x) => Kind::Arrive(f(x)),
            Kind::Sample => Kind::Sample,
            Kind::IndexTick => Kind::IndexTick,
            Kind::LiqStep(v, a) => Kind::LiqStep(v, a),
            Kind::FundWorkOff(v) => Kind::FundWorkOff(v),
            Kind::Shock(i) => Kind::Shock(i),
            Kind::VolTick => Kind::VolTick,
            Kind::FundingSample(v) => Kind::FundingSample(v),
            Kind::FundingPay(v) => Kind::FundingPay(v),
            Kind::CollateralTick => Kind::CollateralTick,
        }
    }
}

/// A scheduled event. Ordered by time, then by the sequence number given when scheduled.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Event {
    pub(crate) time_ns: i64,
    seq: u64,
    kind: Queued,
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Event {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.time_ns, self.seq).cmp(&(other.time_ns, other.seq))
    }
}

/// The event queue and the clock of one run.
#[derive(Debug)]
pub(crate) struct Scheduler {
    now_ns: i64,
    end_ns: i64,
    seq: u64,
    queue: QuaternaryHeap<Reverse<Event>>,
    /// Instructions on their way to a venue (agent, venue, instruction), by slot; a slot is
    /// reused once its arrival is popped.
    arrivals: Vec<(u32, VenueId, Action)>,
    /// Slots of `arrivals` free for reuse.
    free: Vec<u32>,
    /// Accounts taken over during the event being processed (venue, account), oldest first,
    /// whose agents' resting orders the kernel cancels once the event is done: one queue for
    /// all venues, so the kernel looks at one list after every event, not one per venue.
    take_overs: std::collections::VecDeque<(VenueId, u32)>,
}

impl Scheduler {
    /// An empty queue for a run ending at `end_ns`.
    pub(crate) fn new(end_ns: i64, capacity: usize) -> Self {
        Self {
            now_ns: 0,
            end_ns,
            seq: 0,
            queue: QuaternaryHeap::with_capacity(capacity),
            arrivals: Vec::new(),
            free: Vec::new(),
            take_overs: std::collections::VecDeque::new(),
        }
    }

    /// Simulated time of the event being processed (or the last one), ns.
    pub(crate) fn now(&self) -> i64 {
        self.now_ns
    }

    /// End of the run, ns.
    pub(crate) fn end(&self) -> i64 {
        self.end_ns
    }

    /// Schedules `kind` at `time_ns`.
    pub(crate) fn schedule(&mut self, time_ns: i64, kind: EventKind) {
        self.seq += 1;
        let kind = kind.map_arrive(|arrival| self.park(arrival));
        self.queue.push(Reverse(Event {
            time_ns,
            seq: self.seq,
            kind,
        }));
    }

    /// Notes that venue `v` took over account `id`: its agent's orders are to be cancelled.
    pub(crate) fn take_over(&mut self, v: VenueId, id: u32) {
        self.take_overs.push_back((v, id));
    }

    /// The oldest take-over not yet handed to the kernel, if any.
    pub(crate) fn next_take_over(&mut self) -> Option<(VenueId, u32)> {
        self.take_overs.pop_front()
    }

    /// Keeps an arrival's instruction aside; its slot.
    fn park(&mut self, arrival: (u32, VenueId, Action)) -> u32 {
        match self.free.pop() {
            Some(slot) => {
                self.arrivals[slot as usize] = arrival;
                slot
            }
            None => {
                self.arrivals.push(arrival);
                (self.arrivals.len() - 1) as u32
            }
        }
    }

    /// The event a queued one stands for; an arrival's slot is freed.
    fn unpark(&mut self, kind: Queued) -> EventKind {
        kind.map_arrive(|slot| {
            self.free.push(slot);
            self.arrivals[slot as usize]
        })
    }

    /// Schedules `kind` at `time_ns` if that is not past the end of the run.
    pub(crate) fn schedule_within(&mut self, time_ns: i64, kind: EventKind) {
        if time_ns <= self.end_ns {
            self.schedule(time_ns, kind);
        }
    }

    /// Time of the next event, if any.
    pub(crate) fn peek_time(&self) -> Option<i64> {
        self.queue.peek().map(|Reverse(e)| e.time_ns)
    }

    /// Removes the next event if it is due at or before `limit_ns`, and moves the clock to it.
    pub(crate) fn pop_until(&mut self, limit_ns: i64) -> Option<EventKind> {
        let Reverse(event) = *self.queue.peek()?;
        if event.time_ns > limit_ns {
            return None;
        }
        self.queue.pop();
        self.now_ns = event.time_ns;
        Some(self.unpark(event.kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_order_by_time_then_sequence() {
        let mut s = Scheduler::new(100, 4);
        for (t, k) in [(5, 0), (2, 1), (5, 2), (2, 3)] {
            s.schedule(t, EventKind::Shock(k));
        }
        let order: Vec<(i64, EventKind)> =
            std::iter::from_fn(|| s.pop_until(100).map(|k| (s.now(), k))).collect();
        let shock = EventKind::Shock;
        assert_eq!(
            order,
            vec![(2, shock(1)), (2, shock(3)), (5, shock(0)), (5, shock(2))]
        );
    }

    /// Arrivals keep their instruction through the queue, in (time, sequence) order among the
    /// other events, and their slots are reused once popped.
    #[test]
    fn arrivals_carry_their_instruction_and_reuse_slots() {
        let mut s = Scheduler::new(100, 4);
        let arrive = |a: u32, k: i64| EventKind::Arrive((a, VenueId(a as u16), Action::Deposit(k)));
        s.schedule(3, arrive(1, 10));
        s.schedule(1, EventKind::Wake(9));
        s.schedule(3, arrive(2, 20));
        assert_eq!(s.pop_until(100), Some(EventKind::Wake(9)));
        assert_eq!(s.pop_until(100), Some(arrive(1, 10)));
        s.schedule(5, arrive(3, 30));
        assert_eq!(s.arrivals.len(), 2, "the freed slot is reused");
        assert_eq!(s.pop_until(100), Some(arrive(2, 20)));
        assert_eq!(s.pop_until(100), Some(arrive(3, 30)));
        assert_eq!(s.pop_until(100), None);
        assert!(std::mem::size_of::<Event>() <= 24);
    }

    #[test]
    fn nothing_past_the_limit_is_popped_and_the_end_is_kept() {
        let mut s = Scheduler::new(10, 4);
        s.schedule(7, EventKind::Sample);
        s.schedule_within(11, EventKind::VolTick);
        assert_eq!(s.pop_until(6), None);
        assert_eq!(s.now(), 0);
        assert_eq!(s.pop_until(7), Some(EventKind::Sample));
        assert_eq!(s.now(), 7);
        assert_eq!(s.peek_time(), None, "an event past the end is never queued");
    }
}
