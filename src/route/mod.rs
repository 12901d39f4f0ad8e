//! Shortest-path searches over the network.

pub mod access;
pub mod catchment;
pub mod dijkstra;

pub use dijkstra::{Seed, Workspace};
