//! Shortest-path searches over the network.

pub mod access;
pub mod catchment;
pub mod dijkstra;
pub mod huge;
pub mod pool;
pub mod radix_heap;
pub mod reach_bound;

pub use dijkstra::{Seed, Workspace};
pub use radix_heap::RadixHeap;
