//! Site selection on a network: existing coverage, candidate catchments, the covering problem,
//! and its solution with the method and the proven gap.

use super::capacity::{
    assign, capacitated_lscp_exact, capacitated_lscp_lp_bound, capacitated_mclp_exact,
    capacitated_mclp_lp_bound, greedy_capacitated, greedy_cover_capacitated,
    improve_capacitated_by_swaps,
};
use super::exact::{lscp_exact, lscp_lp_bound, mclp_exact, mclp_lp_bound};
use super::greedy::{greedy, greedy_cover, improve_by_swaps, Selection};
use super::problem::CoverProblem;
use crate::error::{Error, ErrorKind, Result};
use crate::nearest::{nearest, NearestOptions, Outcome};
use crate::network::{Network, SnapResult, Snapper};
use crate::places::{DemandPoint, Facility};
use crate::route::access::OnEdge;
use crate::route::catchment::{CatchmentSearch, DemandByEdge};
use crate::route::pool::Pool;
use rayon::prelude::*;
use std::time::Instant;

/// What to solve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    /// Choose `k` sites covering the most uncovered population (maximal covering).
    MaxCover {
        /// Number of new sites.
        k: usize,
    },
    /// The fewest sites bringing coverage to this share (0–1) of the coverable population.
    TargetShare(f64),
}

/// How to solve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Lazy greedy plus swaps, then the exact solver when the reduced problem is small enough.
    Auto,
    /// Lazy greedy plus swaps only.
    Greedy,
    /// The exact solver (with the time limit), greedy as a fallback.
    Exact,
}

/// Options of a site selection.
#[derive(Debug, Clone, Copy)]
pub struct SiteOptions {
    /// Travel options (mode, speeds, snapping); `max_time_s` is the coverage threshold.
    pub nearest: NearestOptions,
    /// The goal.
    pub goal: Goal,
    /// The method.
    pub method: Method,
    /// Time limit of the exact solver in seconds.
    pub time_limit_s: f64,
    /// `Auto` tries the exact solver when the reduced problem has at most this many non-zeros.
    pub exact_max_nonzeros: usize,
    /// Keep the covering matrix (candidate, demand point) in the result.
    pub keep_matrix: bool,
}

/// One chosen site.
#[derive(Debug, Clone, PartialEq)]
pub struct ChosenSite {
    /// Rank (1-based), by marginal population added.
    pub rank: usize,
    /// Index into the candidate list.
    pub candidate: usize,
    /// Population it adds given the sites ranked before it.
    pub added_population: f64,
    /// Population added by this and all earlier sites.
    pub cumulative_population: f64,
}

/// The result of a site selection.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteResult {
    /// Chosen sites in rank order.
    pub sites: Vec<ChosenSite>,
    /// Total population of the demand.
    pub total_population: f64,
    /// Population already covered by existing facilities.
    pub covered_before: f64,
    /// Uncovered population that no candidate can cover.
    pub uncoverable: f64,
    /// Population the chosen sites add.
    pub added: f64,
    /// The method that produced the answer (`greedy+swap`, `exact`).
    pub method: String,
    /// Whether the answer is proven optimal.
    pub optimal: bool,
    /// Proven relative gap to the optimum (0 when optimal).
    pub gap: f64,
    /// The proven bound (MCLP: upper bound on added population; LSCP: lower bound on sites).
    pub bound: f64,
    /// Greedy+swap objective (for comparison with the exact one).
    pub heuristic_added: f64,
    /// Candidates farther than the snapping distance from any street (not usable).
    pub unsnapped_candidates: Vec<usize>,
    /// Size of the covering problem: (elements, candidates, non-zeros) after reduction.
    pub problem_size: (usize, usize, usize),
    /// Seconds spent: catchments, heuristic, exact.
    pub seconds: (f64, f64, f64),
    /// With `keep_matrix`: every (candidate, demand point) pair where the candidate covers a
    /// demand point not yet covered (with population), sorted.
    pub matrix: Vec<(u32, u32)>,
}

/// Rule constraints in terms of candidate indices.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// Groups of candidates of which at least one must be chosen.
    pub at_least_one: Vec<Vec<u32>>,
    /// Groups with a maximum count.
    pub at_most: Vec<(Vec<u32>, usize)>,
    /// Per candidate: the population it can serve. `None`: a site covers everyone within the
    /// threshold (uncapacitated covering).
    pub capacity: Option<Vec<f64>>,
}

/// Chooses new sites among `candidates` (their first location is used) for the facilities of
/// one category (`existing`, possibly empty) and the `demand`.
pub fn select_sites(
    network: &Network,
    existing: &[Facility],
    demand: &[DemandPoint],
    candidates: &[Facility],
    rules: &Rules,
    opts: &SiteOptions,
) -> Result<SiteResult> {
    let limit = opts.nearest.max_time_s.ok_or_else(|| {
        Error::new(
            ErrorKind::MissingField,
            "site selection needs a travel-time threshold",
        )
        .field("max-minutes")
    })?;
    let population: Vec<f64> = demand.iter().map(|d| d.population.unwrap_or(1.0)).collect();
    let total: f64 = population.iter().sum::<f64>() + 0.0;
    let t0 = Instant::now();
    // Existing coverage.
    let covered: Vec<bool> = if existing.is_empty() {
        vec![false; demand.len()]
    } else {
        let r = nearest(network, existing, demand, &opts.nearest)?;
        (0..demand.len())
            .map(|d| matches!(r.outcome(d, 0), Outcome::Reached(h) if h.time_s <= limit))
            .collect()
    };
    // `+ 0.0` turns the empty sum's -0.0 into 0.
    let covered_before: f64 = (0..demand.len())
        .filter(|&d| covered[d])
        .map(|d| population[d])
        .sum::<f64>()
        + 0.0;
    // Elements: uncovered demand with population.
    let mut element_of = vec![u32::MAX; demand.len()];
    let mut demand_of = Vec::new();
    let mut weights = Vec::new();
    for d in 0..demand.len() {
        if !covered[d] && population[d] > 0.0 {
            element_of[d] = weights.len() as u32;
            demand_of.push(d as u32);
            weights.push(population[d]);
        }
    }
    // Candidate catchments.
    let snapper = Snapper::new(network, opts.nearest.max_snap_m);
    let demand_snaps: Vec<Option<crate::network::Snap>> = demand
        .par_iter()
        .map(|d| match snapper.snap(d.location) {
            SnapResult::Snapped(s) => Some(s),
            SnapResult::TooFar(_) => None,
        })
        .collect();
    let by_edge = DemandByEdge::new(demand_snaps);
    let cand_snaps: Vec<SnapResult> = candidates
        .par_iter()
        .map(|c| snapper.snap(c.locations[0]))
        .collect();
    let unsnapped_candidates: Vec<usize> = (0..candidates.len())
        .filter(|&c| matches!(cand_snaps[c], SnapResult::TooFar(_)))
        .collect();
    let walk = opts.nearest.profile.access_speed_mps;
    let buffers = Pool::new(|| (CatchmentSearch::new(network, demand.len()), Vec::new()));
    let sets: Vec<Vec<u32>> = (0..candidates.len())
        .into_par_iter()
        .map_init(
            || buffers.take(),
            |buf, c| match &cand_snaps[c] {
                SnapResult::TooFar(_) => Vec::new(),
                SnapResult::Snapped(s) => {
                    let (search, out) = &mut **buf;
                    out.clear();
                    search.run(
                        network,
                        &by_edge,
                        &[OnEdge::new(s, c as u32)],
                        limit,
                        walk,
                        out,
                    );
                    out.iter()
                        .map(|(d, _, _)| element_of[*d as usize])
                        .filter(|&e| e != u32::MAX)
                        .collect()
                }
            },
        )
        .collect();
    let matrix: Vec<(u32, u32)> = if opts.keep_matrix {
        let mut m: Vec<(u32, u32)> = sets
            .iter()
            .enumerate()
            .flat_map(|(c, s)| s.iter().map(move |&e| (c as u32, e)))
            .map(|(c, e)| (c, demand_of[e as usize]))
            .collect();
        m.sort_unstable();
        m.dedup();
        m
    } else {
        Vec::new()
    };
    let mut problem = CoverProblem::new(weights, &sets);
    problem.at_least_one = rules.at_least_one.clone();
    problem.at_most = rules.at_most.clone();
    let uncoverable = problem.uncoverable_weight();
    let reduced = problem.reduced();
    let t_catch = t0.elapsed().as_secs_f64();
    let nnz = reduced.elements.len();
    let size = (reduced.weights.len(), reduced.candidates(), nnz);

    let t1 = Instant::now();
    if let Some(cap) = &rules.capacity {
        if cap.len() != candidates.len() {
            return Err(Error::new(
                ErrorKind::Mismatch,
                format!(
                    "{} capacities for {} candidates",
                    cap.len(),
                    candidates.len()
                ),
            )
            .field("capacity"));
        }
    }
    // The capacitated model has a variable per non-zero: allow it a tenth of the size.
    let exact_limit = match rules.capacity {
        Some(_) => opts.exact_max_nonzeros / 10,
        None => opts.exact_max_nonzeros,
    };
    let try_exact = match opts.method {
        Method::Greedy => false,
        Method::Exact => true,
        Method::Auto => nnz <= exact_limit,
    };
    let capacity = rules.capacity.as_deref();
    let (selection, heuristic, method, optimal, bound) = match (opts.goal, capacity) {
        (Goal::MaxCover { k }, Some(cap)) => {
            let g = greedy_capacitated(&reduced, cap, k);
            // Swaps judged by exact assignments, within a budget of flow work.
            let h = improve_capacitated_by_swaps(&reduced, cap, &g, 200, 20, 50_000_000);
            let name = if h.covered > g.covered {
                "greedy+swap"
            } else {
                "greedy"
            };
            let mut best = (h.clone(), name.to_string(), false, f64::INFINITY);
            if try_exact {
                if let Some(e) = capacitated_mclp_exact(&reduced, cap, k, opts.time_limit_s) {
                    if e.selection.covered >= h.covered - 1e-9 * h.covered.max(1.0)
                        && reduced.feasible(&e.selection.chosen)
                    {
                        best = (e.selection.clone(), "exact".into(), e.optimal, e.bound);
                    } else {
                        best.3 = e.bound;
                    }
                    if e.optimal && best.1 != "exact" {
                        best.2 = true;
                    }
                }
            }
            if !best.3.is_finite() {
                best.3 = capacitated_mclp_lp_bound(&reduced, cap, k).unwrap_or(f64::INFINITY);
            }
            (best.0, h.covered, best.1, best.2, best.3)
        }
        (Goal::TargetShare(share), Some(cap)) => {
            let all: Vec<u32> = (0..reduced.candidates() as u32).collect();
            let servable = assign(&reduced, cap, &all).total;
            let target = (share * (covered_before + servable) - covered_before).max(0.0);
            let h = greedy_cover_capacitated(&reduced, cap, target).ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidValue,
                    "the candidates cannot reach the target",
                )
            })?;
            let mut best = (h.clone(), "greedy".to_string(), false, 0.0);
            if try_exact {
                if let Some(e) = capacitated_lscp_exact(&reduced, cap, target, opts.time_limit_s) {
                    if e.selection.chosen.len() <= h.chosen.len() {
                        best = (e.selection.clone(), "exact".into(), e.optimal, e.bound);
                    } else {
                        best.3 = e.bound;
                    }
                }
            }
            if best.3 <= 0.0 {
                best.3 = capacitated_lscp_lp_bound(&reduced, cap, target).unwrap_or(0.0);
            }
            best.2 |= best.3 >= best.0.chosen.len() as f64;
            let hc = h.covered;
            (best.0, hc, best.1, best.2, best.3)
        }
        (goal, None) => match goal {
            Goal::MaxCover { k } => {
                let h = improve_by_swaps(&reduced, &greedy(&reduced, k), 1000);
                let t_h = t1.elapsed().as_secs_f64();
                let _ = t_h;
                let mut best = (h.clone(), "greedy+swap".to_string(), false, f64::INFINITY);
                if try_exact {
                    if let Some(e) = mclp_exact(&reduced, k, opts.time_limit_s) {
                        if e.selection.covered >= h.covered - 1e-9 * h.covered.max(1.0)
                            && reduced.feasible(&e.selection.chosen)
                        {
                            best = (e.selection.clone(), "exact".into(), e.optimal, e.bound);
                        } else {
                            best.3 = e.bound;
                        }
                        if e.optimal && best.1 != "exact" {
                            // The heuristic matched the optimum.
                            best.2 = true;
                        }
                    }
                }
                if !best.3.is_finite() {
                    best.3 =
                        mclp_lp_bound(&reduced, k).unwrap_or(h.covered / (1.0 - (-1.0f64).exp()));
                }
                (best.0, h.covered, best.1, best.2, best.3)
            }
            Goal::TargetShare(share) => {
                let coverable_total =
                    covered_before + (problem.weights.iter().sum::<f64>() - uncoverable);
                let target = (share * coverable_total - covered_before).max(0.0);
                let h = greedy_cover(&reduced, target).ok_or_else(|| {
                    Error::new(
                        ErrorKind::InvalidValue,
                        "the candidates cannot reach the target",
                    )
                })?;
                let mut best = (h.clone(), "greedy".to_string(), false, 0.0);
                if try_exact {
                    if let Some(e) = lscp_exact(&reduced, target, opts.time_limit_s) {
                        if e.selection.chosen.len() <= h.chosen.len() {
                            best = (e.selection.clone(), "exact".into(), e.optimal, e.bound);
                        } else {
                            best.3 = e.bound;
                        }
                    }
                }
                if best.3 <= 0.0 {
                    best.3 = lscp_lp_bound(&reduced, target).unwrap_or(0.0);
                }
                best.2 |= best.3 >= best.0.chosen.len() as f64;
                let hc = h.covered;
                (best.0, hc, best.1, best.2, best.3)
            }
        },
    };
    let t_solve = t1.elapsed().as_secs_f64();
    let sites = match capacity {
        Some(cap) => rank_by_assignment(&reduced, cap, &selection),
        None => rank(&reduced, &selection),
    };
    let added = selection.covered;
    let gap = match opts.goal {
        Goal::MaxCover { .. } => {
            if optimal || bound <= 0.0 {
                0.0
            } else {
                ((bound - added) / bound).max(0.0)
            }
        }
        Goal::TargetShare(_) => {
            if optimal {
                0.0
            } else {
                // Without any bound the gap is unknown: report it as 100 %.
                (sites.len() as f64 - bound.max(0.0)) / sites.len().max(1) as f64
            }
        }
    };
    Ok(SiteResult {
        sites,
        total_population: total,
        covered_before,
        uncoverable,
        added,
        method,
        optimal,
        gap,
        bound,
        heuristic_added: heuristic,
        unsnapped_candidates,
        problem_size: size,
        seconds: (t_catch, t_solve, 0.0),
        matrix,
    })
}

/// Orders capacitated sites by the population assigned to them in the best assignment (largest
/// first, ties to the lower candidate index).
fn rank_by_assignment(p: &CoverProblem, capacity: &[f64], s: &Selection) -> Vec<ChosenSite> {
    let a = assign(p, capacity, &s.chosen);
    let mut order: Vec<(u32, f64)> = s.chosen.iter().copied().zip(a.per_site).collect();
    order.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    let mut cum = 0.0;
    order
        .into_iter()
        .enumerate()
        .map(|(i, (j, g))| {
            cum += g;
            ChosenSite {
                rank: i + 1,
                candidate: j as usize,
                added_population: g,
                cumulative_population: cum,
            }
        })
        .collect()
}

/// Orders chosen sites by marginal gain (largest first, given the ones before).
fn rank(p: &CoverProblem, s: &Selection) -> Vec<ChosenSite> {
    let mut hit = vec![false; p.weights.len()];
    let mut left: Vec<u32> = s.chosen.clone();
    let mut out = Vec::new();
    let mut cum = 0.0;
    while !left.is_empty() {
        let gain = |j: u32, hit: &[bool]| -> f64 {
            p.covers(j as usize)
                .iter()
                .filter(|&&e| !hit[e as usize])
                .map(|&e| p.weights[e as usize])
                .sum()
        };
        let (i, g) = left
            .iter()
            .enumerate()
            .map(|(i, &j)| (i, gain(j, &hit)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| left[b.0].cmp(&left[a.0])))
            .expect("non-empty");
        let j = left.remove(i);
        for &e in p.covers(j as usize) {
            hit[e as usize] = true;
        }
        cum += g;
        out.push(ChosenSite {
            rank: out.len() + 1,
            candidate: j as usize,
            added_population: g,
            cumulative_population: cum,
        });
    }
    out
}
