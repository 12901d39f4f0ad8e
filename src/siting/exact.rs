//! Exact site selection by integer programming (good_lp with the pure-Rust microlp solver).
//!
//! Maximal covering (MCLP): maximise Σ wᵢ yᵢ subject to yᵢ ≤ Σ_{j covers i} xⱼ, Σ xⱼ = k,
//! the rule groups, xⱼ ∈ {0, 1}, 0 ≤ yᵢ ≤ 1. Set covering with a target (LSCP): minimise Σ xⱼ
//! subject to Σ wᵢ yᵢ ≥ target and the same linking constraints. Problems are reduced first
//! (identical elements merged), which keeps real instances small. A time limit returns the best
//! solution found with the bound proven so far.

use super::greedy::Selection;
use super::problem::CoverProblem;
use good_lp::solvers::microlp::microlp;
use good_lp::{
    constraint, variable, Expression, ProblemVariables, Solution, SolutionStatus, SolverModel,
    Variable, WithTimeLimit,
};

/// The outcome of an exact solve.
#[derive(Debug, Clone, PartialEq)]
pub struct ExactOutcome {
    /// The best selection found.
    pub selection: Selection,
    /// True when the solver proved it optimal.
    pub optimal: bool,
    /// Proven bound on the objective (upper bound for MCLP, lower bound for LSCP).
    pub bound: f64,
}

impl ExactOutcome {
    /// Relative gap between the selection and the proven bound (0 when optimal).
    pub fn gap(&self, objective: f64) -> f64 {
        if self.optimal {
            0.0
        } else if self.bound.abs() > 0.0 {
            ((self.bound - objective) / self.bound).abs()
        } else {
            0.0
        }
    }
}

fn variables(p: &CoverProblem, integer: bool) -> (ProblemVariables, Vec<Variable>, Vec<Variable>) {
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
    let y: Vec<Variable> = (0..p.weights.len())
        .map(|_| vars.add(variable().min(0.0).max(1.0)))
        .collect();
    (vars, x, y)
}

fn linking(p: &CoverProblem, x: &[Variable], y: &[Variable]) -> Vec<good_lp::Constraint> {
    let mut covering: Vec<Expression> = vec![Expression::from(0.0); p.weights.len()];
    for (j, xj) in x.iter().enumerate() {
        for &e in p.covers(j) {
            covering[e as usize] += *xj;
        }
    }
    let mut cs: Vec<good_lp::Constraint> = covering
        .into_iter()
        .zip(y)
        .map(|(c, yi)| constraint!(*yi <= c))
        .collect();
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

fn chosen(sol: &impl Solution, x: &[Variable]) -> Vec<u32> {
    (0..x.len())
        .filter(|&j| sol.value(x[j]) > 0.5)
        .map(|j| j as u32)
        .collect()
}

/// Upper bound of MCLP from its linear relaxation.
pub fn mclp_lp_bound(p: &CoverProblem, k: usize) -> Option<f64> {
    let (vars, x, y) = variables(p, false);
    let obj: Expression = y.iter().zip(&p.weights).map(|(yi, w)| *w * *yi).sum();
    let sites: Expression = x.iter().copied().sum();
    let mut m = vars.maximise(obj.clone()).using(microlp);
    for c in linking(p, &x, &y) {
        m.add_constraint(c);
    }
    m.add_constraint(constraint!(sites <= k as f64));
    m.solve().ok().map(|s| s.eval(&obj))
}

/// Solves MCLP exactly (or to the time limit, in seconds), starting from nothing.
pub fn mclp_exact(p: &CoverProblem, k: usize, time_limit_s: f64) -> Option<ExactOutcome> {
    let k = k.min(p.candidates());
    let (vars, x, y) = variables(p, true);
    let obj: Expression = y.iter().zip(&p.weights).map(|(yi, w)| *w * *yi).sum();
    let sites: Expression = x.iter().copied().sum();
    let mut m = vars
        .maximise(obj.clone())
        .using(microlp)
        .with_time_limit(time_limit_s);
    for c in linking(p, &x, &y) {
        m.add_constraint(c);
    }
    m.add_constraint(constraint!(sites == k as f64));
    let sol = m.solve().ok()?;
    let optimal = matches!(sol.status(), SolutionStatus::Optimal);
    let ch = chosen(&sol, &x);
    let covered = p.covered_weight(&ch);
    let bound = if optimal {
        covered
    } else {
        mclp_lp_bound(p, k).unwrap_or(f64::INFINITY)
    };
    Some(ExactOutcome {
        selection: Selection {
            chosen: ch,
            covered,
        },
        optimal,
        bound,
    })
}

/// Lower bound on the number of sites reaching `target`, from the linear relaxation (rounded up).
pub fn lscp_lp_bound(p: &CoverProblem, target: f64) -> Option<f64> {
    let (vars, x, y) = variables(p, false);
    let sites: Expression = x.iter().copied().sum();
    let covered: Expression = y.iter().zip(&p.weights).map(|(yi, w)| *w * *yi).sum();
    let mut m = vars.minimise(sites.clone()).using(microlp);
    for c in linking(p, &x, &y) {
        m.add_constraint(c);
    }
    m.add_constraint(constraint!(
        covered >= target - 1e-9 * target.abs().max(1.0)
    ));
    m.solve()
        .ok()
        .map(|s| (s.eval(&sites) - 1e-6).ceil().max(0.0))
}

/// Solves the covering problem with a target weight exactly: the fewest sites covering at least
/// `target`. `None` when infeasible or unsolved.
pub fn lscp_exact(p: &CoverProblem, target: f64, time_limit_s: f64) -> Option<ExactOutcome> {
    let (vars, x, y) = variables(p, true);
    let sites: Expression = x.iter().copied().sum();
    let covered: Expression = y.iter().zip(&p.weights).map(|(yi, w)| *w * *yi).sum();
    let mut m = vars
        .minimise(sites.clone())
        .using(microlp)
        .with_time_limit(time_limit_s);
    for c in linking(p, &x, &y) {
        m.add_constraint(c);
    }
    // A hair of tolerance so that floating sums of the same weights meet the target.
    m.add_constraint(constraint!(
        covered >= target - 1e-9 * target.abs().max(1.0)
    ));
    let sol = m.solve().ok()?;
    let ch = chosen(&sol, &x);
    let n = ch.len() as f64;
    let mut optimal = matches!(sol.status(), SolutionStatus::Optimal);
    let bound = if optimal {
        n
    } else {
        let b = lscp_lp_bound(p, target).unwrap_or(0.0);
        // The relaxation can prove the incumbent optimal on its own.
        optimal = b >= n;
        b
    };
    Some(ExactOutcome {
        selection: Selection {
            covered: p.covered_weight(&ch),
            chosen: ch,
        },
        optimal,
        bound,
    })
}
