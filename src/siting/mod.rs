//! Site selection: where new facilities cover the most people not yet covered (maximal
//! covering), or how few reach a coverage target (set covering), under the plan's rules.

pub mod candidates;
pub mod capacity;
pub mod exact;
pub mod greedy;
pub mod problem;
pub mod request;
pub mod select;

pub use exact::{lscp_exact, lscp_lp_bound, mclp_exact, mclp_lp_bound, ExactOutcome};
pub use greedy::{greedy, greedy_cover, improve_by_swaps, Selection};
pub use problem::CoverProblem;
