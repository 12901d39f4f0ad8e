//! A monotone priority queue for Dijkstra's algorithm: a radix heap over the bit patterns of
//! non-negative `f64` keys (which order like the numbers they encode).
//!
//! Keys pushed must never be smaller than the last key popped — exactly what a Dijkstra search
//! does, since a node's tentative time is its settled predecessor's time plus a non-negative arc
//! time. Entries live in 65 buckets by the highest bit in which they differ from the last key
//! popped; a pop empties bucket 0, or redistributes the first non-empty bucket around its
//! minimum. Each entry moves down at most 64 times and usually once or twice, and the buckets
//! are plain vectors scanned sequentially, which is what makes it faster than a binary heap on
//! large graphs. Bucket buffers are kept between searches, so a warm queue does not allocate.

/// A min-queue of `(key, value)` pairs with monotone keys.
///
/// ```
/// use lifecircle::route::RadixHeap;
/// let mut q = RadixHeap::new();
/// q.push(2.5, 7);
/// q.push(1.0, 3);
/// assert_eq!(q.pop(), Some((1.0, 3)));
/// q.push(1.5, 4); // not below 1.0, the last key popped
/// assert_eq!(q.pop(), Some((1.5, 4)));
/// assert_eq!(q.pop(), Some((2.5, 7)));
/// assert_eq!(q.pop(), None);
/// ```
#[derive(Debug, Clone)]
pub struct RadixHeap {
    buckets: Vec<Vec<(u64, u32)>>,
    /// Bit `b` set when bucket `b` is not empty (found with one trailing-zeros count).
    occupied: u128,
    last: u64,
    len: usize,
}

impl Default for RadixHeap {
    fn default() -> Self {
        Self::new()
    }
}

impl RadixHeap {
    /// An empty queue.
    pub fn new() -> Self {
        RadixHeap {
            buckets: vec![Vec::new(); 65],
            occupied: 0,
            last: 0,
            len: 0,
        }
    }

    /// Empties the queue (keeping its buffers) and allows any key again.
    pub fn clear(&mut self) {
        while self.occupied != 0 {
            let b = self.occupied.trailing_zeros() as usize;
            self.buckets[b].clear();
            self.occupied &= self.occupied - 1;
        }
        self.last = 0;
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
    fn bucket(&self, key: u64) -> usize {
        (64 - (key ^ self.last).leading_zeros()) as usize
    }

    /// Adds `value` with `key` (a non-negative number, not below the last key popped).
    #[inline]
    pub fn push(&mut self, key: f64, value: u32) {
        debug_assert!(key >= 0.0, "keys are non-negative");
        let k = key.to_bits();
        debug_assert!(k >= self.last, "keys are monotone");
        let b = self.bucket(k);
        self.buckets[b].push((k, value));
        self.occupied |= 1 << b;
        self.len += 1;
    }

    /// Removes and returns an entry with the smallest key.
    #[inline]
    pub fn pop(&mut self) -> Option<(f64, u32)> {
        if self.occupied & 1 == 0 {
            if self.occupied == 0 {
                return None;
            }
            let i = self.occupied.trailing_zeros() as usize;
            self.occupied &= !(1 << i);
            let min = self.buckets[i]
                .iter()
                .map(|e| e.0)
                .min()
                .expect("non-empty");
            self.last = min;
            let mut moved = std::mem::take(&mut self.buckets[i]);
            for &(k, v) in &moved {
                let b = self.bucket(k);
                self.buckets[b].push((k, v));
                self.occupied |= 1 << b;
            }
            moved.clear();
            self.buckets[i] = moved;
        }
        let (k, v) = self.buckets[0].pop()?;
        if self.buckets[0].is_empty() {
            self.occupied &= !1;
        }
        self.len -= 1;
        Some((f64::from_bits(k), v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Interleaved pushes (never below the last pop) and pops give the keys in order.
        #[test]
        fn pops_in_order(steps in proptest::collection::vec((0.0f64..1000.0, any::<bool>()), 1..300)) {
            let mut q = RadixHeap::new();
            let mut reference: Vec<f64> = Vec::new();
            let mut last = 0.0f64;
            for (i, (delta, pop)) in steps.into_iter().enumerate() {
                if pop && !reference.is_empty() {
                    reference.sort_by(|a, b| b.total_cmp(a));
                    let want = reference.pop().unwrap();
                    let (k, _) = q.pop().unwrap();
                    prop_assert_eq!(k, want);
                    last = k;
                } else {
                    let k = last + delta;
                    q.push(k, i as u32);
                    reference.push(k);
                }
                prop_assert_eq!(q.len(), reference.len());
            }
        }
    }
}
