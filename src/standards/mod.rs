//! Planning standards: categories with coverage thresholds, life circles, count and ratio rules.

pub mod profile;
pub mod threshold;

pub use profile::{CategoryRule, Circle, CountRule, CountUnit, Profile, RatioKind, RatioRule};
pub use threshold::{Limit, Threshold};
