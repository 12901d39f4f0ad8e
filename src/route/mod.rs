//! Shortest-path searches over the network.

pub mod dijkstra;

pub use dijkstra::{Seed, Workspace};
