//! Heuristics for maximal covering: lazy greedy, then swaps until no swap improves.
//!
//! The lazy greedy keeps every candidate's last known marginal gain in a heap; since gains only
//! shrink as sites are added (coverage is submodular), a candidate whose recomputed gain is still
//! the largest is the best choice, and most candidates are never recomputed. The greedy result is
//! within 1 − 1/e of the optimum; the swaps usually close most of the rest.

use super::problem::CoverProblem;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A chosen set of sites with the weight it covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Chosen candidates in the order they were added (greedy order, swaps in place).
    pub chosen: Vec<u32>,
    /// Weight covered by them.
    pub covered: f64,
}

/// A candidate's marginal gain in a max-heap: larger gain first, ties to the lower index.
#[derive(PartialEq)]
pub(super) struct Gain(pub(super) f64, pub(super) u32);
impl Eq for Gain {}
impl PartialOrd for Gain {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Gain {
    fn cmp(&self, o: &Self) -> Ordering {
        // Larger gain first; ties to the lower candidate index.
        self.0.total_cmp(&o.0).then_with(|| o.1.cmp(&self.1))
    }
}

struct State<'a> {
    p: &'a CoverProblem,
    count: Vec<u32>,
    chosen: Vec<u32>,
    is_chosen: Vec<bool>,
    covered: f64,
}

impl<'a> State<'a> {
    fn new(p: &'a CoverProblem) -> Self {
        State {
            p,
            count: vec![0; p.weights.len()],
            chosen: Vec::new(),
            is_chosen: vec![false; p.candidates()],
            covered: 0.0,
        }
    }
    fn gain(&self, j: u32) -> f64 {
        self.p
            .covers(j as usize)
            .iter()
            .filter(|&&e| self.count[e as usize] == 0)
            .map(|&e| self.p.weights[e as usize])
            .sum()
    }
    fn loss(&self, j: u32) -> f64 {
        self.p
            .covers(j as usize)
            .iter()
            .filter(|&&e| self.count[e as usize] == 1)
            .map(|&e| self.p.weights[e as usize])
            .sum()
    }
    fn add(&mut self, j: u32) {
        for &e in self.p.covers(j as usize) {
            if self.count[e as usize] == 0 {
                self.covered += self.p.weights[e as usize];
            }
            self.count[e as usize] += 1;
        }
        self.chosen.push(j);
        self.is_chosen[j as usize] = true;
    }
    fn remove(&mut self, j: u32) {
        for &e in self.p.covers(j as usize) {
            self.count[e as usize] -= 1;
            if self.count[e as usize] == 0 {
                self.covered -= self.p.weights[e as usize];
            }
        }
        self.chosen.retain(|&c| c != j);
        self.is_chosen[j as usize] = false;
    }
    fn allowed(&self, j: u32) -> bool {
        !self.is_chosen[j as usize]
            && self.p.at_most.iter().all(|(g, b)| {
                !g.contains(&j) || g.iter().filter(|c| self.is_chosen[**c as usize]).count() < *b
            })
    }
    fn recount(&mut self) {
        // Exact total after many incremental updates.
        self.covered = self
            .count
            .iter()
            .zip(&self.p.weights)
            .filter(|(c, _)| **c > 0)
            .map(|(_, w)| w)
            .sum();
    }
}

/// Chooses up to `k` sites by lazy greedy, first satisfying every at-least-one group (best site
/// of each group in turn), respecting at-most groups.
pub fn greedy(p: &CoverProblem, k: usize) -> Selection {
    let mut s = State::new(p);
    for g in &p.at_least_one {
        if s.chosen.len() >= k || g.iter().any(|&c| s.is_chosen[c as usize]) {
            continue;
        }
        if let Some(&best) = g
            .iter()
            .filter(|&&c| s.allowed(c))
            .max_by(|&&a, &&b| s.gain(a).total_cmp(&s.gain(b)).then_with(|| b.cmp(&a)))
        {
            s.add(best);
        }
    }
    let mut heap: BinaryHeap<Gain> = (0..p.candidates() as u32)
        .filter(|&j| !s.is_chosen[j as usize])
        .map(|j| Gain(s.gain(j), j))
        .collect();
    while s.chosen.len() < k {
        let Some(Gain(old, j)) = heap.pop() else {
            break;
        };
        if !s.allowed(j) {
            continue;
        }
        let now = s.gain(j);
        if now < old {
            heap.push(Gain(now, j));
            continue;
        }
        s.add(j);
    }
    s.recount();
    Selection {
        chosen: s.chosen,
        covered: s.covered,
    }
}

/// Improves a selection by swapping a chosen site for another while that covers more weight
/// (the best improving swap each round), keeping the rule constraints. Stops after `max_rounds`.
///
/// Each round costs one pass over the problem: the gain of every candidate is computed once, and
/// the gain a swap-out of `j` would add back is accumulated through the elements only `j`
/// covers.
pub fn improve_by_swaps(p: &CoverProblem, start: &Selection, max_rounds: usize) -> Selection {
    let by_element = transpose(p);
    let mut s = State::new(p);
    for &j in &start.chosen {
        s.add(j);
    }
    let nc = p.candidates();
    let mut bonus = vec![0.0f64; nc];
    let mut touched: Vec<u32> = Vec::new();
    for _ in 0..max_rounds {
        let gains: Vec<f64> = (0..nc as u32)
            .map(|j| {
                if s.is_chosen[j as usize] {
                    0.0
                } else {
                    s.gain(j)
                }
            })
            .collect();
        let mut best: Option<(f64, u32, u32)> = None;
        let chosen = s.chosen.clone();
        for &out in &chosen {
            let loss = s.loss(out);
            // Weight of elements only `out` covers, per candidate that also covers them.
            for &e in p.covers(out as usize) {
                if s.count[e as usize] != 1 {
                    continue;
                }
                for &c in &by_element.1[by_element.0[e as usize]..by_element.0[e as usize + 1]] {
                    if bonus[c as usize] == 0.0 {
                        touched.push(c);
                    }
                    bonus[c as usize] += p.weights[e as usize];
                }
            }
            s.is_chosen[out as usize] = false;
            for inn in 0..nc as u32 {
                if inn == out || s.is_chosen[inn as usize] {
                    continue;
                }
                let delta = gains[inn as usize] + bonus[inn as usize] - loss;
                if delta <= 1e-9 * (1.0 + s.covered) || best.is_some_and(|b| delta <= b.0) {
                    continue;
                }
                let keeps = s.allowed(inn)
                    && p.at_least_one
                        .iter()
                        .all(|g| g.contains(&inn) || g.iter().any(|&c| s.is_chosen[c as usize]));
                if keeps {
                    best = Some((delta, out, inn));
                }
            }
            s.is_chosen[out as usize] = true;
            for c in touched.drain(..) {
                bonus[c as usize] = 0.0;
            }
        }
        let Some((_, out, inn)) = best else { break };
        let pos = start_pos(&s.chosen, out);
        s.remove(out);
        s.add(inn);
        // Keep the replaced site's rank.
        let last = s.chosen.pop().expect("just added");
        s.chosen.insert(pos, last);
    }
    s.recount();
    Selection {
        chosen: s.chosen,
        covered: s.covered,
    }
}

/// Element → candidates covering it, as (offsets, candidates).
fn transpose(p: &CoverProblem) -> (Vec<usize>, Vec<u32>) {
    let n = p.weights.len();
    let mut off = vec![0usize; n + 1];
    for &e in &p.elements {
        off[e as usize + 1] += 1;
    }
    for i in 0..n {
        off[i + 1] += off[i];
    }
    let mut fill = off.clone();
    let mut cands = vec![0u32; p.elements.len()];
    for j in 0..p.candidates() {
        for &e in p.covers(j) {
            cands[fill[e as usize]] = j as u32;
            fill[e as usize] += 1;
        }
    }
    (off, cands)
}

fn start_pos(chosen: &[u32], j: u32) -> usize {
    chosen.iter().position(|&c| c == j).expect("chosen")
}

/// Fewest sites (greedy) whose coverage reaches `target` weight; `None` when the candidates
/// cannot reach it.
pub fn greedy_cover(p: &CoverProblem, target: f64) -> Option<Selection> {
    let all = greedy(p, p.candidates());
    if all.covered + 1e-9 * target.max(1.0) < target {
        return None;
    }
    let mut s = State::new(p);
    for &j in &all.chosen {
        if s.covered + 1e-9 * target.max(1.0) >= target && p.feasible(&s.chosen) {
            break;
        }
        s.add(j);
    }
    s.recount();
    Some(Selection {
        chosen: s.chosen,
        covered: s.covered,
    })
}
