//! Analyses over travel times: coverage, life circles, zone tables, gap areas.

pub mod coverage;
pub mod gaps;
pub mod tally;
