//! Shortest-path searches over the network.

pub mod access;
pub mod catchment;
pub mod dijkstra;
pub mod huge;
pub mod pool;
pub mod reach_bound;
pub mod run_queue;

pub use dijkstra::{Seed, Workspace};
pub use run_queue::RunQueue;
