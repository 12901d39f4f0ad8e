//! # lifecircle (生活圈)
//!
//! Who can walk to a clinic, an elderly-care centre (颐康中心), a library, a sports ground or a
//! childcare centre within 10 or 15 minutes — measured along real streets, to the metre.
//!
//! The pipeline runs one way:
//!
//! ```text
//! inputs ─► WGS84 (crs) ─► street network (network: CSR graph, ground lengths)
//!   ├ facilities ─ snap (R-trees over edge pieces) ──┐
//!   └ demand ───── snap ─────────────────────────────┤
//!                                                    ▼
//!               routing: multi-source Dijkstra per category (route), categories in parallel
//!                                                    ▼
//!               nearest facility per demand point and category (nearest) ─► output
//! ```
//!
//! ## Example
//!
//! ```
//! use lifecircle::network::{build_network, KeepComponents, Mode, Profile, RawNetwork};
//! use lifecircle::nearest::{nearest, NearestOptions, Outcome};
//! use lifecircle::places::{DemandPoint, Facility};
//!
//! // One straight street of about 222 m running north, walked at 1 m/s.
//! let profile = Profile::new(Mode::Walk);
//! let mut raw = RawNetwork::new();
//! let access = profile.osm_way(|k| (k == "highway").then_some("residential")).unwrap();
//! raw.push_way(1, &[[113.0, 23.000], [113.0, 23.002]], &[1, 2], access);
//! let net = build_network(&raw, KeepComponents::Largest).unwrap();
//!
//! let clinic = Facility {
//!     id: "c1".into(), name: "社区卫生服务中心".into(), category: "clinic".into(),
//!     locations: vec![[113.0, 23.002]], capacity: None, origin: "example".into(),
//! };
//! let home = DemandPoint {
//!     id: "h1".into(), location: [113.0, 23.000], population: None, groups: vec![],
//!     origin: "example".into(),
//! };
//! let opts = NearestOptions {
//!     profile, max_time_s: None, max_snap_m: 500.0, keep_node_times: false,
//! };
//! let r = nearest(&net, &[clinic], &[home], &opts).unwrap();
//! let Outcome::Reached(hit) = r.outcome(0, 0) else { panic!() };
//! assert!((hit.distance_m - net.total_length_m()).abs() < 1e-9);
//! assert!((hit.time_s - hit.distance_m / 1.0).abs() < 1e-9);
//! ```

#![deny(missing_docs)]

pub mod analysis;
pub mod bounds;
pub mod categories;
pub mod crs;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod geodesy;
pub mod input;
pub mod nearest;
pub mod network;
pub mod output;
pub mod places;
pub mod report;
pub mod route;
pub mod siting;
pub mod sql;
pub mod standards;
pub mod study;
pub mod synth;
pub mod wkb;
pub mod zones;

pub use error::{Error, ErrorKind, Result};
