//! The street network: travel modes, building a compact graph from input ways, and snapping
//! points onto it.

pub mod build;
pub mod graph;
pub mod hilbert;
pub mod profile;
pub mod snap;

pub use build::{build_network, KeepComponents, RawNetwork, NO_KEY};
pub use graph::{Arc, ComponentReport, Csr, Edges, Network};
pub use profile::{Mode, Profile, WayAccess};
pub use snap::{Snap, SnapResult, Snapper, DEFAULT_MAX_SNAP_M};
