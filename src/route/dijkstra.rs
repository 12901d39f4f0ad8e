//! Multi-source Dijkstra over a compact adjacency array.
//!
//! ```text
//!   seed s1 ──(3 s)── a ──(2 s)── b          time(a) = 3, time(b) = 5 via s1,
//!                     │                      but b is also a seed at 4 s:
//!   seed s2 ──────────┘ (10 s)               time(b) = 4, source(b) = s2
//! ```
//!
//! Every node gets the least travel time (seconds) to or from the nearest seed, the ground length
//! (metres) of that best path and which seed it came from. Seeds may start with a time and a
//! length already (e.g. a facility in the middle of a street seeds both ends of the street with
//! the partial lengths plus its access leg). The buffers are reused between runs: a generation
//! stamp marks which entries belong to the current run, so nothing is cleared between runs and
//! the loop does no hashing and, once warm, no allocation.

use crate::network::Csr;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A starting point of a search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seed {
    /// The node where the search starts.
    pub node: u32,
    /// Travel time already spent, in seconds.
    pub time_s: f64,
    /// Ground length already travelled, in metres.
    pub length_m: f64,
    /// Identifier reported for nodes reached from this seed (e.g. a facility index).
    pub source: u32,
}

/// Reusable buffers of a search, and its result.
#[derive(Debug, Clone)]
pub struct Workspace {
    time: Vec<f64>,
    length: Vec<f64>,
    source: Vec<u32>,
    stamp: Vec<u32>,
    generation: u32,
    heap: BinaryHeap<Reverse<(u64, u32)>>,
    limit_s: f64,
}

impl Workspace {
    /// Buffers for a network of `n` nodes.
    pub fn new(n: usize) -> Self {
        Workspace {
            time: vec![f64::INFINITY; n],
            length: vec![f64::INFINITY; n],
            source: vec![u32::MAX; n],
            stamp: vec![0; n],
            generation: 0,
            heap: BinaryHeap::new(),
            limit_s: f64::INFINITY,
        }
    }

    /// Runs a search from `seeds` over `csr`, stopping at `limit_s` seconds (use
    /// `f64::INFINITY` for no limit). Relaxing arc `v → head` of `csr` reaches `head` from `v`:
    /// pass the outgoing arrays to search away from the seeds and the incoming arrays to find the
    /// time from every node *to* its nearest seed.
    pub fn run(&mut self, csr: &Csr, seeds: &[Seed], limit_s: f64) {
        assert_eq!(csr.offsets.len(), self.time.len() + 1, "workspace size");
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.fill(0);
            self.generation = 1;
        }
        self.limit_s = limit_s;
        self.heap.clear();
        let g = self.generation;
        for s in seeds {
            debug_assert!(s.time_s >= 0.0);
            if s.time_s > limit_s {
                continue;
            }
            let v = s.node as usize;
            if self.stamp[v] != g || s.time_s < self.time[v] {
                self.stamp[v] = g;
                self.time[v] = s.time_s;
                self.length[v] = s.length_m;
                self.source[v] = s.source;
                self.heap.push(Reverse((s.time_s.to_bits(), s.node)));
            }
        }
        while let Some(Reverse((bits, v))) = self.heap.pop() {
            let t = f64::from_bits(bits);
            let vi = v as usize;
            if t > self.time[vi] {
                continue; // stale entry
            }
            if t > limit_s {
                break;
            }
            let (len, src) = (self.length[vi], self.source[vi]);
            for arc in csr.arcs(v) {
                let h = arc.head as usize;
                let nt = t + arc.time_s;
                if self.stamp[h] != g || nt < self.time[h] {
                    self.stamp[h] = g;
                    self.time[h] = nt;
                    self.length[h] = len + arc.length_m;
                    self.source[h] = src;
                    self.heap.push(Reverse((nt.to_bits(), arc.head)));
                }
            }
        }
    }

    /// Travel time in seconds of node `v` in the last run, `None` if not reached within the limit.
    #[inline]
    pub fn time(&self, v: u32) -> Option<f64> {
        let v = v as usize;
        (self.stamp[v] == self.generation && self.time[v] <= self.limit_s).then(|| self.time[v])
    }

    /// `(time_s, length_m, source)` of node `v` in the last run, `None` if not reached.
    #[inline]
    pub fn get(&self, v: u32) -> Option<(f64, f64, u32)> {
        let i = v as usize;
        self.time(v).map(|t| (t, self.length[i], self.source[i]))
    }

    /// Number of nodes the buffers are sized for.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// True for a zero-node workspace.
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }
}
