//! A study: one file naming inputs, standards and outputs; computed and written in one run.

pub mod compute;
pub mod config;
pub mod layers;
mod load;
pub mod observer;
pub mod scenario;
pub mod summary;
pub mod write;

pub use compute::{compute, StudyResult};
pub use config::Study;
pub use observer::{Observer, Silent};
