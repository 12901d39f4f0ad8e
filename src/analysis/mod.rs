//! Analyses over travel times: coverage, life circles, zone tables, gap areas.

pub mod access;
pub mod access_layers;
pub mod buffer;
pub mod coverage;
pub mod gaps;
pub mod service_area;
pub mod tally;
