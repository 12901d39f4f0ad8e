//! A monotone priority queue for Dijkstra's algorithm that can tell which entries come next.
//!
//! Keys are non-negative `f64` times whose bit patterns order like the numbers. Each key also
//! has a *coarse key*: its bit pattern without the lowest [`COARSE_SHIFT`] bits, a window about
//! 0.4 % of the key wide (about 2 s at ten minutes). Entries wait in radix buckets by the
//! highest bit in which their coarse key differs from the current one. When the queue runs
//! dry, the first non-empty bucket is split around its least coarse key and all entries with
//! that coarse key become the *run*: sorted once, then popped from the end. Entries pushed
//! later with the run's own coarse key (arcs shorter than the window) go into a small binary
//! heap that is merged with the run at every pop.
//!
//! The run is what makes a search fast on a large network: a pop's next few entries are known,
//! so a search can fetch their node states and arcs from memory before it needs them
//! ([`RunQueue::upcoming`]). Each entry moves between buckets a few times at most, since the
//! buckets only tell coarse keys apart.
//!
//! Keys pushed must never be smaller than the last key popped, which a Dijkstra search
//! guarantees: a node's tentative time is its settled predecessor's time plus a non-negative
//! arc time. Entries with equal keys pop in the order of their values. The buffers are kept
//! between searches, so a warm queue does not allocate.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Low bits of a key's bit pattern that its coarse key leaves out. 44 of the 52 bits of the
/// mantissa: keys within about 1/256 of each other share a coarse key.
pub const COARSE_SHIFT: u32 = 44;

/// A min-queue of `(key, value)` pairs with monotone keys.
///
/// ```
/// use lifecircle::route::RunQueue;
/// let mut q = RunQueue::new();
/// q.push(2.5, 7);
/// q.push(1.0, 3);
/// q.push(1.0, 2);
/// assert_eq!(q.pop(), Some((1.0, 2)));
/// assert_eq!(q.upcoming(0), Some(3)); // the entry that pops next, unless a smaller one comes
/// assert_eq!(q.pop(), Some((1.0, 3)));
/// q.push(1.5, 4); // not below 1.0, the last key popped
/// assert_eq!(q.pop(), Some((1.5, 4)));
/// assert_eq!(q.pop(), Some((2.5, 7)));
/// assert_eq!(q.pop(), None);
/// ```
#[derive(Debug, Clone)]
pub struct RunQueue {
    /// Entries `(key bits, value)` beyond the run, by the highest bit in which their coarse
    /// key differs from `base`.
    far: Vec<Vec<(u64, u32)>>,
    /// Bit `b` set when `far[b]` is not empty (found with one trailing-zeros count).
    occupied: u128,
    /// The coarse key of the run (or 0 before the first run).
    base: u64,
    /// Whether a run has been taken since the last clear: only then do pushes with coarse key
    /// `base` belong to `late`.
    in_run: bool,
    /// The run: entries with coarse key `base`, in descending order, the next one last.
    run: Vec<(u64, u32)>,
    /// Entries with coarse key `base` pushed after the run was taken.
    late: BinaryHeap<Reverse<(u64, u32)>>,
    len: usize,
}

impl Default for RunQueue {
    fn default() -> Self {
        Self::new()
    }
}

impl RunQueue {
    /// An empty queue.
    pub fn new() -> Self {
        RunQueue {
            far: vec![Vec::new(); 65],
            occupied: 0,
            base: 0,
            in_run: false,
            run: Vec::new(),
            late: BinaryHeap::new(),
            len: 0,
        }
    }

    /// Empties the queue (keeping its buffers) and allows any key again.
    pub fn clear(&mut self) {
        while self.occupied != 0 {
            let b = self.occupied.trailing_zeros() as usize;
            self.far[b].clear();
            self.occupied &= self.occupied - 1;
        }
        self.run.clear();
        self.late.clear();
        self.base = 0;
        self.in_run = false;
        self.len = 0;
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    fn bucket(&self, coarse: u64) -> usize {
        (64 - (coarse ^ self.base).leading_zeros()) as usize
    }

    /// Adds `value` with `key` (a non-negative number, not below the last key popped).
    #[inline]
    pub fn push(&mut self, key: f64, value: u32) {
        debug_assert!(key >= 0.0, "keys are non-negative");
        // `+ 0.0` turns -0.0 (whose bit pattern would order after every other key) into 0.0.
        let k = (key + 0.0).to_bits();
        let coarse = k >> COARSE_SHIFT;
        debug_assert!(coarse >= self.base, "keys are monotone");
        if self.in_run && coarse == self.base {
            self.late.push(Reverse((k, value)));
        } else {
            let b = self.bucket(coarse);
            self.far[b].push((k, value));
            self.occupied |= 1 << b;
        }
        self.len += 1;
    }

    /// Removes and returns the entry with the smallest key (of those with equal keys, the one
    /// with the smallest value).
    #[inline]
    pub fn pop(&mut self) -> Option<(f64, u32)> {
        loop {
            let next = match (self.run.last(), self.late.peek()) {
                (Some(&r), Some(&Reverse(l))) if l < r => self.late.pop().map(|e| e.0),
                (Some(_), _) => self.run.pop(),
                (None, Some(_)) => self.late.pop().map(|e| e.0),
                (None, None) => {
                    if !self.take_run() {
                        return None;
                    }
                    continue;
                }
            };
            self.len -= 1;
            return next.map(|(k, v)| (f64::from_bits(k), v));
        }
    }

    /// The value of the entry `d` places after the next one in the run (`d = 0`: the next
    /// entry), if the run holds that many. Entries pushed since may come before it.
    #[inline]
    pub fn upcoming(&self, d: usize) -> Option<u32> {
        let i = self.run.len().checked_sub(d + 1)?;
        Some(self.run[i].1)
    }

    /// Makes the entries with the least coarse key of the buckets the run. False when the
    /// buckets are empty.
    fn take_run(&mut self) -> bool {
        if self.occupied == 0 {
            return false;
        }
        if self.occupied & 1 == 0 {
            let i = self.occupied.trailing_zeros() as usize;
            self.occupied &= !(1 << i);
            let min = self.far[i]
                .iter()
                .map(|e| e.0 >> COARSE_SHIFT)
                .min()
                .expect("an occupied bucket has entries");
            self.base = min;
            let mut moved = std::mem::take(&mut self.far[i]);
            for &(k, v) in &moved {
                let b = self.bucket(k >> COARSE_SHIFT);
                self.far[b].push((k, v));
                self.occupied |= 1 << b;
            }
            moved.clear();
            self.far[i] = moved;
        }
        std::mem::swap(&mut self.run, &mut self.far[0]);
        self.occupied &= !1;
        self.in_run = true;
        self.run.sort_unstable_by(|a, b| b.cmp(a));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A step of a test sequence: push `last popped key × (1 + rel) + abs`, or pop.
    #[derive(Debug, Clone)]
    enum Step {
        Push { rel: f64, abs: f64 },
        Pop,
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            // Within the run's window (late entries), equal keys included.
            (0.0f64..0.003, Just(0.0)).prop_map(|(rel, abs)| Step::Push { rel, abs }),
            Just(Step::Push { rel: 0.0, abs: 0.0 }),
            // Beyond it, near and far.
            (0.0f64..0.1, 0.0f64..1000.0).prop_map(|(rel, abs)| Step::Push { rel, abs }),
            Just(Step::Pop),
            Just(Step::Pop),
        ]
    }

    proptest! {
        /// Interleaved pushes (never below the last pop) and pops give the entries in order of
        /// key, then value, as a sort of everything pushed does. With no late entries waiting,
        /// `upcoming(0..)` names the entries that pop next, in order.
        #[test]
        fn pops_in_order(steps in proptest::collection::vec(step(), 1..400), start in 0.0f64..100.0) {
            let mut q = RunQueue::new();
            let mut reference: Vec<(f64, u32)> = Vec::new();
            let mut last = start;
            for (i, s) in steps.into_iter().enumerate() {
                match s {
                    Step::Pop if !reference.is_empty() => {
                        reference.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
                        let want = reference.pop().unwrap();
                        let got = q.pop().unwrap();
                        prop_assert_eq!(got, want);
                        last = got.0;
                    }
                    Step::Pop => prop_assert_eq!(q.pop(), None),
                    Step::Push { rel, abs } => {
                        let k = last * (1.0 + rel) + abs;
                        q.push(k, i as u32);
                        reference.push((k, i as u32));
                    }
                }
                prop_assert_eq!(q.len(), reference.len());
            }
            // Emptying the queue gives the rest in order too; a cleared queue takes any key.
            reference.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let ahead: Vec<u32> = (0..).map_while(|d| q.upcoming(d)).collect();
            let late = q.late.len();
            let rest: Vec<(f64, u32)> = std::iter::from_fn(|| q.pop()).collect();
            if late == 0 {
                let next: Vec<u32> = rest.iter().take(ahead.len()).map(|e| e.1).collect();
                prop_assert_eq!(next, ahead);
            }
            prop_assert_eq!(rest, reference);
            q.push(1e300, 1); // above every key so far
            q.clear();
            prop_assert!(q.is_empty());
            q.push(0.5, 2);
            prop_assert_eq!(q.pop(), Some((0.5, 2)));
        }
    }

    #[test]
    fn negative_zero_is_zero() {
        let mut q = RunQueue::new();
        q.push(1.0, 1);
        q.push(-0.0, 2);
        q.push(0.0, 3);
        assert_eq!(q.pop(), Some((0.0, 2)));
        assert_eq!(q.pop(), Some((0.0, 3)));
        assert_eq!(q.pop(), Some((1.0, 1)));
    }

    #[test]
    fn upcoming_lists_the_run_in_pop_order() {
        let mut q = RunQueue::new();
        // Five keys within one coarse window, pushed out of order.
        let keys = [600.3, 600.1, 600.4, 600.0, 600.2];
        for (i, &k) in keys.iter().enumerate() {
            q.push(k, i as u32);
        }
        q.push(900.0, 9);
        assert_eq!(q.upcoming(0), None, "no run before the first pop");
        assert_eq!(q.pop(), Some((600.0, 3)));
        let ahead: Vec<u32> = (0..5).map_while(|d| q.upcoming(d)).collect();
        assert_eq!(ahead, vec![1, 4, 0, 2]);
        // A late entry below the run's next one pops first.
        q.push(600.05, 7);
        assert_eq!(q.pop(), Some((600.05, 7)));
        assert_eq!(q.pop(), Some((600.1, 1)));
    }
}
