//! Covering with capacities: a new site serves at most its capacity (people), so covering a
//! demand element means assigning its population to chosen sites that reach it.
//!
//! For a fixed set of sites the best assignment is a maximum flow (source → elements with their
//! weight → the sites covering them → sink with each site's capacity), computed here exactly by
//! Dinic's algorithm. The choice of sites is a lazy greedy on residual gains
//! `min(capacity, uncovered weight in reach)` — gains only shrink as sites are added, so the lazy
//! evaluation is sound — followed by the exact flow; the exact mixed-integer program (binary
//! sites, continuous assignments) proves optimality or the gap.

use super::exact::ExactOutcome;
use super::greedy::{Gain, Selection};
use super::problem::CoverProblem;
use good_lp::solvers::microlp::microlp;
use good_lp::{
    constraint, variable, Expression, ProblemVariables, Solution, SolutionStatus, SolverModel,
    Variable, WithTimeLimit,
};
use std::collections::BinaryHeap;

/// The best assignment of demand to a fixed set of sites.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// Total weight (population) assigned.
    pub total: f64,
    /// Weight assigned to each chosen site, in the order given.
    pub per_site: Vec<f64>,
}

/// The maximum weight the sites `chosen` can serve together, each at most `capacity[j]`, each
/// element split freely among the chosen sites that cover it (maximum flow, exact up to
/// floating-point rounding).
///
/// ```
/// use lifecircle::siting::CoverProblem;
/// use lifecircle::siting::capacity::assign;
/// // Elements of 5, 3 and 2 people; site 0 reaches {0, 1}, site 1 reaches {1, 2}.
/// let p = CoverProblem::new(vec![5.0, 3.0, 2.0], &[vec![0, 1], vec![1, 2]]);
/// let a = assign(&p, &[6.0, 4.0], &[0, 1]);
/// assert_eq!(a.total, 10.0); // site 0 serves 5 + 1, site 1 serves 2 + 2
/// assert_eq!(assign(&p, &[6.0, 4.0], &[0]).total, 6.0);
/// ```
pub fn assign(p: &CoverProblem, capacity: &[f64], chosen: &[u32]) -> Assignment {
    // Local numbering: source 0, sink 1, chosen sites 2.., then the elements they reach.
    let mut local = vec![u32::MAX; p.weights.len()];
    let mut elems: Vec<u32> = Vec::new();
    for &j in chosen {
        for &e in p.covers(j as usize) {
            if local[e as usize] == u32::MAX {
                local[e as usize] = elems.len() as u32;
                elems.push(e);
            }
        }
    }
    let site0 = 2;
    let elem0 = site0 + chosen.len();
    let mut g = FlowGraph::new(elem0 + elems.len());
    let mut site_arc = Vec::with_capacity(chosen.len());
    for (i, &j) in chosen.iter().enumerate() {
        site_arc.push(g.add(site0 + i, 1, capacity[j as usize].max(0.0)));
    }
    for (k, &e) in elems.iter().enumerate() {
        g.add(0, elem0 + k, p.weights[e as usize]);
    }
    for (i, &j) in chosen.iter().enumerate() {
        for &e in p.covers(j as usize) {
            g.add(elem0 + local[e as usize] as usize, site0 + i, f64::INFINITY);
        }
    }
    let total = g.max_flow(0, 1);
    let per_site = site_arc.iter().map(|&a| g.flow(a)).collect();
    Assignment { total, per_site }
}

/// A flow network for Dinic's algorithm (arcs in pairs: arc `a` and its reverse `a ^ 1`).
struct FlowGraph {
    head: Vec<usize>,
    to: Vec<u32>,
    next: Vec<usize>,
    cap: Vec<f64>,
    orig: Vec<f64>,
}

const NONE: usize = usize::MAX;
/// Residual capacities below this many people count as exhausted (rounding noise).
const EPS: f64 = 1e-12;

impl FlowGraph {
    fn new(n: usize) -> Self {
        FlowGraph {
            head: vec![NONE; n],
            to: Vec::new(),
            next: Vec::new(),
            cap: Vec::new(),
            orig: Vec::new(),
        }
    }
    fn add(&mut self, u: usize, v: usize, c: f64) -> usize {
        let a = self.to.len();
        for (x, y, c) in [(u, v, c), (v, u, 0.0)] {
            self.to.push(y as u32);
            self.next.push(self.head[x]);
            self.cap.push(c);
            self.orig.push(c);
            self.head[x] = self.to.len() - 1;
        }
        a
    }
    fn flow(&self, a: usize) -> f64 {
        self.orig[a] - self.cap[a]
    }
    fn max_flow(&mut self, s: usize, t: usize) -> f64 {
        let n = self.head.len();
        let mut total = 0.0;
        let mut level = vec![u32::MAX; n];
        let mut iter = vec![NONE; n];
        let mut queue = Vec::with_capacity(n);
        loop {
            level.fill(u32::MAX);
            level[s] = 0;
            queue.clear();
            queue.push(s);
            let mut qi = 0;
            while qi < queue.len() {
                let u = queue[qi];
                qi += 1;
                let mut a = self.head[u];
                while a != NONE {
                    let v = self.to[a] as usize;
                    if self.cap[a] > EPS && level[v] == u32::MAX {
                        level[v] = level[u] + 1;
                        queue.push(v);
                    }
                    a = self.next[a];
                }
            }
            if level[t] == u32::MAX {
                return total;
            }
            iter.copy_from_slice(&self.head);
            loop {
                let f = self.push(s, t, f64::INFINITY, &level, &mut iter);
                if f <= EPS {
                    break;
                }
                total += f;
            }
        }
    }
    /// One augmenting path in the level graph. The recursion depth is the path length, at most
    /// twice the number of chosen sites plus three (levels strictly increase, and a path
    /// alternates elements and sites).
    fn push(&mut self, u: usize, t: usize, f: f64, level: &[u32], iter: &mut [usize]) -> f64 {
        if u == t {
            return f;
        }
        while iter[u] != NONE {
            let a = iter[u];
            let v = self.to[a] as usize;
            if self.cap[a] > EPS && level[v] == level[u] + 1 {
                let d = self.push(v, t, f.min(self.cap[a]), level, iter);
                if d > EPS {
                    self.cap[a] -= d;
                    self.cap[a ^ 1] += d;
                    return d;
                }
            }
            iter[u] = self.next[a];
        }
        0.0
    }
}

/// Greedy state: residual (unassigned) weight of every element.
struct Residual<'a> {
    p: &'a CoverProblem,
    capacity: &'a [f64],
    left: Vec<f64>,
    /// Number of candidates covering each element (elements few sites reach are served first).
    degree: Vec<u32>,
    chosen: Vec<u32>,
    is_chosen: Vec<bool>,
}

impl<'a> Residual<'a> {
    fn new(p: &'a CoverProblem, capacity: &'a [f64]) -> Self {
        let mut degree = vec![0u32; p.weights.len()];
        for &e in &p.elements {
            degree[e as usize] += 1;
        }
        Residual {
            p,
            capacity,
            left: p.weights.clone(),
            degree,
            chosen: Vec::new(),
            is_chosen: vec![false; p.candidates()],
        }
    }
    fn gain(&self, j: u32) -> f64 {
        let reach: f64 = self
            .p
            .covers(j as usize)
            .iter()
            .map(|&e| self.left[e as usize])
            .sum();
        reach.min(self.capacity[j as usize].max(0.0))
    }
    fn add(&mut self, j: u32) {
        let mut order: Vec<u32> = self.p.covers(j as usize).to_vec();
        order.sort_by_key(|&e| (self.degree[e as usize], e));
        let mut room = self.capacity[j as usize].max(0.0);
        for e in order {
            if room <= 0.0 {
                break;
            }
            let take = self.left[e as usize].min(room);
            self.left[e as usize] -= take;
            room -= take;
        }
        self.chosen.push(j);
        self.is_chosen[j as usize] = true;
    }
    fn allowed(&self, j: u32) -> bool {
        !self.is_chosen[j as usize]
            && self.p.at_most.iter().all(|(g, b)| {
                !g.contains(&j) || g.iter().filter(|c| self.is_chosen[**c as usize]).count() < *b
            })
    }
    fn selection(self) -> Selection {
        let covered = assign(self.p, self.capacity, &self.chosen).total;
        Selection {
            chosen: self.chosen,
            covered,
        }
    }
}

/// Chooses up to `k` sites with capacities by lazy greedy on residual gains, first one site in
/// every at-least-one group, respecting at-most groups; `covered` is the exact best assignment
/// of the sites chosen.
pub fn greedy_capacitated(p: &CoverProblem, capacity: &[f64], k: usize) -> Selection {
    let mut s = Residual::new(p, capacity);
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
        if now <= 0.0 && p.at_least_one.is_empty() {
            // Nothing left to serve: more sites add nothing.
            break;
        }
        s.add(j);
    }
    s.selection()
}

/// Improves a capacitated selection by swaps: each round tries replacing every chosen site by
/// each of the `pool` most promising other candidates (largest `min(capacity, weight in reach)`),
/// evaluates each swap by the exact assignment, and makes the best improving one, keeping the
/// rule constraints; at most `max_rounds` rounds, and no more flow work than about `budget`
/// arcs in all (large problems keep the greedy answer).
pub fn improve_capacitated_by_swaps(
    p: &CoverProblem,
    capacity: &[f64],
    start: &Selection,
    pool: usize,
    max_rounds: usize,
    budget: usize,
) -> Selection {
    let mut best = start.clone();
    if best.chosen.is_empty() {
        return best;
    }
    let standalone = |j: usize| -> f64 {
        let w: f64 = p.covers(j).iter().map(|&e| p.weights[e as usize]).sum();
        w.min(capacity[j].max(0.0))
    };
    let mut others: Vec<u32> = (0..p.candidates() as u32)
        .filter(|j| !best.chosen.contains(j))
        .collect();
    others.sort_by(|&a, &b| {
        standalone(b as usize)
            .total_cmp(&standalone(a as usize))
            .then(a.cmp(&b))
    });
    others.truncate(pool);
    let mut spent = 0usize;
    for _ in 0..max_rounds {
        let mut improved: Option<Selection> = None;
        for i in 0..best.chosen.len() {
            for &c in &others {
                if best.chosen.contains(&c) {
                    continue;
                }
                let mut trial = best.chosen.clone();
                trial[i] = c;
                if !p.feasible(&trial) {
                    continue;
                }
                spent += trial
                    .iter()
                    .map(|&j| p.covers(j as usize).len())
                    .sum::<usize>();
                if spent > budget {
                    return improved.map_or(best, |s| s);
                }
                let v = assign(p, capacity, &trial).total;
                let bar = improved.as_ref().map_or(best.covered, |s| s.covered);
                if v > bar + 1e-9 * bar.max(1.0) {
                    improved = Some(Selection {
                        chosen: trial,
                        covered: v,
                    });
                }
            }
        }
        match improved {
            Some(s) => best = s,
            None => break,
        }
    }
    best
}

/// Fewest sites (greedy) whose best assignment reaches `target`; `None` when all candidates
/// together cannot.
pub fn greedy_cover_capacitated(
    p: &CoverProblem,
    capacity: &[f64],
    target: f64,
) -> Option<Selection> {
    let tol = 1e-9 * target.abs().max(1.0);
    let all: Vec<u32> = (0..p.candidates() as u32).collect();
    if assign(p, capacity, &all).total + tol < target {
        return None;
    }
    let order = greedy_capacitated(p, capacity, p.candidates()).chosen;
    // The greedy order's prefixes only grow; find the shortest that reaches the target.
    let (mut lo, mut hi) = (0usize, order.len());
    if assign(p, capacity, &order).total + tol < target {
        // The greedy stopped early (nothing more to serve by its residuals) below the target:
        // add the remaining candidates in index order.
        let mut full = order.clone();
        full.extend(all.iter().filter(|j| !order.contains(j)));
        return shortest_prefix(p, capacity, &full, target, tol, 0, full.len());
    }
    while lo < hi {
        let mid = (lo + hi) / 2;
        let prefix = &order[..mid];
        if assign(p, capacity, prefix).total + tol >= target && p.feasible(prefix) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    shortest_prefix(p, capacity, &order, target, tol, lo, order.len())
}

fn shortest_prefix(
    p: &CoverProblem,
    capacity: &[f64],
    order: &[u32],
    target: f64,
    tol: f64,
    from: usize,
    to: usize,
) -> Option<Selection> {
    (from..=to).find_map(|n| {
        let prefix = &order[..n];
        let a = assign(p, capacity, prefix);
        (a.total + tol >= target && p.feasible(prefix)).then(|| Selection {
            chosen: prefix.to_vec(),
            covered: a.total,
        })
    })
}

fn model_vars(p: &CoverProblem, integer: bool) -> (ProblemVariables, Vec<Variable>, Vec<Variable>) {
    let mut vars = ProblemVariables::new();
    let x: Vec<Variable> = (0..p.candidates())
        .map(|_| {
            if integer {
                vars.add(variable().binary())
            } else {
                vars.add(variable().min(0.0).max(1.0))
            }
        })
        .collect();
    // One assignment variable per (candidate, element) pair, in the order of `p.elements`.
    let z: Vec<Variable> = p
        .elements
        .iter()
        .map(|&e| vars.add(variable().min(0.0).max(p.weights[e as usize])))
        .collect();
    (vars, x, z)
}

fn model_constraints(
    p: &CoverProblem,
    capacity: &[f64],
    x: &[Variable],
    z: &[Variable],
) -> Vec<good_lp::Constraint> {
    let mut per_element: Vec<Expression> = vec![Expression::from(0.0); p.weights.len()];
    let mut cs = Vec::new();
    for (j, xj) in x.iter().enumerate() {
        let mut served = Expression::from(0.0);
        let range = p.offsets[j]..p.offsets[j + 1];
        for (&e, &za) in p.elements[range.clone()].iter().zip(&z[range]) {
            let e = e as usize;
            per_element[e] += za;
            served += za;
            // Only an open site serves (a tighter relaxation than the capacity row alone).
            cs.push(constraint!(za <= p.weights[e] * *xj));
        }
        cs.push(constraint!(served <= capacity[j].max(0.0) * *xj));
    }
    for (e, s) in per_element.into_iter().enumerate() {
        cs.push(constraint!(s <= p.weights[e]));
    }
    for g in &p.at_least_one {
        let s: Expression = g.iter().map(|&j| x[j as usize]).sum();
        cs.push(constraint!(s >= 1.0));
    }
    for (g, b) in &p.at_most {
        let s: Expression = g.iter().map(|&j| x[j as usize]).sum();
        cs.push(constraint!(s <= *b as f64));
    }
    cs
}

fn open_sites(sol: &impl Solution, x: &[Variable]) -> Vec<u32> {
    (0..x.len())
        .filter(|&j| sol.value(x[j]) > 0.5)
        .map(|j| j as u32)
        .collect()
}

/// Upper bound on the population `k` sites with capacities can serve (linear relaxation).
pub fn capacitated_mclp_lp_bound(p: &CoverProblem, capacity: &[f64], k: usize) -> Option<f64> {
    let (vars, x, z) = model_vars(p, false);
    let obj: Expression = z.iter().copied().sum();
    let sites: Expression = x.iter().copied().sum();
    let mut m = vars.maximise(obj.clone()).using(microlp);
    for c in model_constraints(p, capacity, &x, &z) {
        m.add_constraint(c);
    }
    m.add_constraint(constraint!(sites <= k as f64));
    m.solve().ok().map(|s| s.eval(&obj))
}

/// Maximal covering with capacities, exactly (or to the time limit, seconds): `k` sites and an
/// assignment of demand to them maximising the population served.
pub fn capacitated_mclp_exact(
    p: &CoverProblem,
    capacity: &[f64],
    k: usize,
    time_limit_s: f64,
) -> Option<ExactOutcome> {
    let k = k.min(p.candidates());
    let (vars, x, z) = model_vars(p, true);
    let obj: Expression = z.iter().copied().sum();
    let sites: Expression = x.iter().copied().sum();
    let mut m = vars
        .maximise(obj)
        .using(microlp)
        .with_time_limit(time_limit_s);
    for c in model_constraints(p, capacity, &x, &z) {
        m.add_constraint(c);
    }
    m.add_constraint(constraint!(sites == k as f64));
    let sol = m.solve().ok()?;
    let optimal = matches!(sol.status(), SolutionStatus::Optimal);
    let chosen = open_sites(&sol, &x);
    let covered = assign(p, capacity, &chosen).total;
    let bound = if optimal {
        covered
    } else {
        capacitated_mclp_lp_bound(p, capacity, k).unwrap_or(f64::INFINITY)
    };
    Some(ExactOutcome {
        selection: Selection { chosen, covered },
        optimal,
        bound,
    })
}

/// Lower bound on the number of sites with capacities serving `target` (linear relaxation,
/// rounded up).
pub fn capacitated_lscp_lp_bound(p: &CoverProblem, capacity: &[f64], target: f64) -> Option<f64> {
    let (vars, x, z) = model_vars(p, false);
    let sites: Expression = x.iter().copied().sum();
    let served: Expression = z.iter().copied().sum();
    let mut m = vars.minimise(sites.clone()).using(microlp);
    for c in model_constraints(p, capacity, &x, &z) {
        m.add_constraint(c);
    }
    m.add_constraint(constraint!(served >= target - 1e-9 * target.abs().max(1.0)));
    m.solve()
        .ok()
        .map(|s| (s.eval(&sites) - 1e-6).ceil().max(0.0))
}

/// The fewest sites with capacities that together serve at least `target`, exactly (or to the
/// time limit). `None` when infeasible or unsolved.
pub fn capacitated_lscp_exact(
    p: &CoverProblem,
    capacity: &[f64],
    target: f64,
    time_limit_s: f64,
) -> Option<ExactOutcome> {
    let (vars, x, z) = model_vars(p, true);
    let sites: Expression = x.iter().copied().sum();
    let served: Expression = z.iter().copied().sum();
    let mut m = vars
        .minimise(sites)
        .using(microlp)
        .with_time_limit(time_limit_s);
    for c in model_constraints(p, capacity, &x, &z) {
        m.add_constraint(c);
    }
    m.add_constraint(constraint!(served >= target - 1e-9 * target.abs().max(1.0)));
    let sol = m.solve().ok()?;
    let chosen = open_sites(&sol, &x);
    let n = chosen.len() as f64;
    let mut optimal = matches!(sol.status(), SolutionStatus::Optimal);
    let bound = if optimal {
        n
    } else {
        let b = capacitated_lscp_lp_bound(p, capacity, target).unwrap_or(0.0);
        optimal = b >= n;
        b
    };
    let covered = assign(p, capacity, &chosen).total;
    Some(ExactOutcome {
        selection: Selection { chosen, covered },
        optimal,
        bound,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Maximum flow by the max-flow/min-cut theorem, enumerating every set `A` of elements left
    /// on the source side: cut = weight of elements outside `A` + capacity of the sites any
    /// element of `A` reaches (the middle arcs are unbounded, so those sites must be cut).
    /// The most any `k` sites can serve, by enumerating every set of `k` candidates.
    fn best_of_k(p: &CoverProblem, cap: &[f64], k: usize) -> f64 {
        let m = p.candidates();
        (0u32..(1 << m))
            .filter(|s| s.count_ones() as usize == k)
            .map(|s| {
                let chosen: Vec<u32> = (0..m as u32).filter(|j| s & (1 << j) != 0).collect();
                min_cut(p, cap, &chosen)
            })
            .fold(0.0f64, f64::max)
    }

    fn min_cut(p: &CoverProblem, cap: &[f64], chosen: &[u32]) -> f64 {
        let n = p.weights.len();
        let mut best = f64::INFINITY;
        for mask in 0u32..(1 << n) {
            let mut cut = 0.0;
            for e in 0..n {
                if mask & (1 << e) == 0 {
                    cut += p.weights[e];
                }
            }
            for &j in chosen {
                if p.covers(j as usize).iter().any(|&e| mask & (1 << e) != 0) {
                    cut += cap[j as usize];
                }
            }
            best = best.min(cut);
        }
        best
    }

    fn instance() -> impl Strategy<Value = (CoverProblem, Vec<f64>)> {
        (1usize..7, 1usize..6).prop_flat_map(|(n, m)| {
            (
                proptest::collection::vec(1u32..20, n),
                proptest::collection::vec(proptest::collection::vec(0..n as u32, 0..n + 1), m),
                proptest::collection::vec(0u32..25, m),
            )
                .prop_map(|(w, sets, cap)| {
                    (
                        CoverProblem::new(w.into_iter().map(f64::from).collect(), &sets),
                        cap.into_iter().map(f64::from).collect(),
                    )
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn flow_equals_min_cut((p, cap) in instance(), pick in any::<u32>()) {
            let chosen: Vec<u32> = (0..p.candidates() as u32).filter(|j| pick & (1 << j) != 0).collect();
            let a = assign(&p, &cap, &chosen);
            prop_assert!((a.total - min_cut(&p, &cap, &chosen)).abs() < 1e-9);
            prop_assert!((a.per_site.iter().sum::<f64>() - a.total).abs() < 1e-9);
            for (i, &j) in chosen.iter().enumerate() {
                prop_assert!(a.per_site[i] <= cap[j as usize] + 1e-9);
            }
        }

        #[test]
        fn greedy_value_is_the_flow_of_its_sites((p, cap) in instance(), k in 1usize..4) {
            let s = greedy_capacitated(&p, &cap, k);
            prop_assert!(s.chosen.len() <= k);
            prop_assert!((s.covered - min_cut(&p, &cap, &s.chosen)).abs() < 1e-9);
        }

        #[test]
        fn exact_equals_enumeration((p, cap) in instance(), k in 1usize..4) {
            let m = p.candidates();
            let k = k.min(m);
            let best = best_of_k(&p, &cap, k);
            let e = capacitated_mclp_exact(&p, &cap, k, 60.0).expect("solved");
            prop_assert!(e.optimal);
            prop_assert_eq!(e.selection.chosen.len(), k);
            prop_assert!((e.selection.covered - best).abs() < 1e-6, "{} vs {}", e.selection.covered, best);
            let g = greedy_capacitated(&p, &cap, k);
            prop_assert!(g.covered <= best + 1e-9);
            let lp = capacitated_mclp_lp_bound(&p, &cap, k).expect("solved");
            prop_assert!(lp + 1e-6 >= best);
        }

        #[test]
        fn exact_cover_equals_enumeration((p, cap) in instance(), share in 0.05f64..1.0) {
            let m = p.candidates();
            let all: Vec<u32> = (0..m as u32).collect();
            let target = share * min_cut(&p, &cap, &all);
            let fewest = (0u32..(1 << m))
                .filter(|&s| {
                    let chosen: Vec<u32> = (0..m as u32).filter(|j| s & (1 << j) != 0).collect();
                    min_cut(&p, &cap, &chosen) + 1e-9 >= target
                })
                .map(|s| s.count_ones())
                .min()
                .expect("all sites reach it") as usize;
            let e = capacitated_lscp_exact(&p, &cap, target, 60.0).expect("solved");
            prop_assert!(e.optimal);
            prop_assert_eq!(e.selection.chosen.len(), fewest);
            prop_assert!(e.selection.covered + 1e-6 >= target);
        }

        #[test]
        fn swaps_only_improve_and_stay_below_the_optimum((p, cap) in instance(), k in 1usize..4) {
            let m = p.candidates();
            let k = k.min(m);
            let best = best_of_k(&p, &cap, k);
            let g = greedy_capacitated(&p, &cap, k);
            let s = improve_capacitated_by_swaps(&p, &cap, &g, 10, 10, usize::MAX);
            prop_assert!(s.covered + 1e-9 >= g.covered);
            prop_assert!(s.covered <= best + 1e-9);
            prop_assert_eq!(s.chosen.len(), g.chosen.len());
            prop_assert!((s.covered - min_cut(&p, &cap, &s.chosen)).abs() < 1e-9);
        }

        #[test]
        fn greedy_cover_reaches_the_target((p, cap) in instance(), share in 0.05f64..1.0) {
            let all: Vec<u32> = (0..p.candidates() as u32).collect();
            let best = min_cut(&p, &cap, &all);
            let target = share * best;
            let s = greedy_cover_capacitated(&p, &cap, target).expect("reachable");
            prop_assert!(s.covered + 1e-9 >= target);
            prop_assert!(greedy_cover_capacitated(&p, &cap, best + 1.0).is_none());
        }
    }
}
