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
//!
//! On a city of millions of nodes a search waits mostly on memory: each settled node's state,
//! its arcs and its neighbours' states lie far apart. The queue ([`RunQueue`]) tells which nodes
//! come next, so the loop asks for their memory a few nodes ahead, in three stages: the node
//! state and row offset [`AHEAD_NODE`] pops ahead, the arcs [`AHEAD_ARCS`] ahead (their place
//! is known by then) and the neighbours' states [`AHEAD_HEADS`] ahead. The requests are hints
//! only; the results do not depend on them.

use super::run_queue::RunQueue;
use crate::network::Csr;

/// How many pops ahead the loop requests a node's state and row offset.
pub const AHEAD_NODE: usize = 12;
/// How many pops ahead the loop requests a node's arcs.
pub const AHEAD_ARCS: usize = 6;
/// How many pops ahead the loop requests the states of a node's neighbours.
pub const AHEAD_HEADS: usize = 2;

/// Asks the processor to bring the cache line at `p` closer. Any address is allowed; nothing
/// is read.
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and has no effect the program can observe.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p as *const i8)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

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

/// Per-node state, kept together so that a relaxation touches one cache line.
#[derive(Debug, Clone, Copy)]
struct NodeState {
    time: f64,
    length: f64,
    source: u32,
    stamp: u32,
}

/// Reusable buffers of a search, and its result.
#[derive(Debug, Clone)]
pub struct Workspace {
    nodes: Vec<NodeState>,
    generation: u32,
    heap: RunQueue,
    settled: Vec<u32>,
    limit_s: f64,
}

impl Workspace {
    /// Buffers for a network of `n` nodes.
    pub fn new(n: usize) -> Self {
        Workspace {
            nodes: super::huge::filled(
                n,
                NodeState {
                    time: f64::INFINITY,
                    length: f64::INFINITY,
                    source: u32::MAX,
                    stamp: 0,
                },
            ),
            generation: 0,
            heap: RunQueue::new(),
            settled: Vec::new(),
            limit_s: f64::INFINITY,
        }
    }

    /// Runs a search from `seeds` over `csr`, stopping at `limit_s` seconds (use
    /// `f64::INFINITY` for no limit). Relaxing arc `v → head` of `csr` reaches `head` from `v`:
    /// pass the outgoing arrays to search away from the seeds and the incoming arrays to find the
    /// time from every node *to* its nearest seed.
    pub fn run(&mut self, csr: &Csr, seeds: &[Seed], limit_s: f64) {
        assert_eq!(csr.offsets.len(), self.nodes.len() + 1, "workspace size");
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.nodes.iter_mut().for_each(|n| n.stamp = 0);
            self.generation = 1;
        }
        self.limit_s = limit_s;
        self.heap.clear();
        self.settled.clear();
        let g = self.generation;
        for s in seeds {
            debug_assert!(s.time_s >= 0.0);
            if s.time_s > limit_s {
                continue;
            }
            let n = &mut self.nodes[s.node as usize];
            if n.stamp != g || s.time_s < n.time {
                *n = NodeState {
                    time: s.time_s,
                    length: s.length_m,
                    source: s.source,
                    stamp: g,
                };
                self.heap.push(s.time_s, s.node);
            }
        }
        while let Some((t, v)) = self.heap.pop() {
            self.fetch_ahead(csr);
            let here = self.nodes[v as usize];
            if t > here.time {
                continue; // stale entry
            }
            if t > limit_s {
                break;
            }
            self.settled.push(v);
            for arc in csr.arcs(v) {
                let nt = t + arc.time_s;
                let h = &mut self.nodes[arc.head as usize];
                if h.stamp != g || nt < h.time {
                    *h = NodeState {
                        time: nt,
                        length: here.length + arc.length_m,
                        source: here.source,
                        stamp: g,
                    };
                    self.heap.push(nt, arc.head);
                }
            }
        }
    }

    /// Requests the memory the next pops will read (see the module documentation).
    #[inline(always)]
    fn fetch_ahead(&self, csr: &Csr) {
        if let Some(w) = self.heap.upcoming(AHEAD_NODE) {
            prefetch(self.nodes.as_ptr().wrapping_add(w as usize));
            prefetch(csr.offsets.as_ptr().wrapping_add(w as usize));
        }
        if let Some(w) = self.heap.upcoming(AHEAD_ARCS) {
            let first = csr.offsets[w as usize] as usize;
            prefetch(csr.arcs.as_ptr().wrapping_add(first));
        }
        if let Some(w) = self.heap.upcoming(AHEAD_HEADS) {
            for arc in csr.arcs(w) {
                prefetch(self.nodes.as_ptr().wrapping_add(arc.head as usize));
            }
        }
    }

    /// Travel time in seconds of node `v` in the last run, `None` if not reached within the limit.
    #[inline]
    pub fn time(&self, v: u32) -> Option<f64> {
        let n = &self.nodes[v as usize];
        (n.stamp == self.generation && n.time <= self.limit_s).then_some(n.time)
    }

    /// `(time_s, length_m, source)` of node `v` in the last run, `None` if not reached.
    #[inline]
    pub fn get(&self, v: u32) -> Option<(f64, f64, u32)> {
        let n = &self.nodes[v as usize];
        (n.stamp == self.generation && n.time <= self.limit_s)
            .then_some((n.time, n.length, n.source))
    }

    /// The nodes settled by the last run (reached within the limit), in the order they were settled.
    pub fn settled(&self) -> &[u32] {
        &self.settled
    }

    /// Number of nodes the buffers are sized for.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True for a zero-node workspace.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}
