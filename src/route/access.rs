//! Joining snapped points to searches: seeding a search at the two ends of a facility's street,
//! and reading a demand point's time off a finished search.
//!
//! A facility at offset `s` along edge `a → b` of length `L` seeds `a` with the time to travel
//! `s` towards it (if the edge may be travelled `a → b`) and `b` with `L − s` (if `b → a` is
//! allowed), each plus the facility's access leg. A demand point on an edge combines its two end
//! nodes the same way and also meets facilities on its own edge directly.

use super::dijkstra::{Seed, Workspace};
use crate::network::{Edges, Snap};

/// A facility location snapped onto an edge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OnEdge {
    /// The edge.
    pub edge: u32,
    /// Ground length from the edge's start node to the foot point, metres.
    pub offset_m: f64,
    /// Access leg, metres.
    pub access_m: f64,
    /// Facility index reported as the seed's source.
    pub facility: u32,
}

impl OnEdge {
    /// A facility location from its snap.
    pub fn new(snap: &Snap, facility: u32) -> Self {
        OnEdge {
            edge: snap.edge,
            offset_m: snap.offset_m,
            access_m: snap.access_m,
            facility,
        }
    }
}

/// Time to travel `part` metres of an edge of `len` metres whose full traversal in this direction
/// takes `edge_time_s` (infinite when not allowed). Not moving is always allowed.
#[inline]
pub fn along(edge_time_s: f64, part: f64, len: f64) -> Option<f64> {
    if part <= 0.0 {
        Some(0.0)
    } else if edge_time_s.is_finite() {
        Some(if len > 0.0 {
            edge_time_s * (part / len).min(1.0)
        } else {
            0.0
        })
    } else {
        None
    }
}

/// Appends the seeds of facility locations (for a search over the incoming arcs, i.e. the time
/// from every node *to* a facility). `walk_mps` is the access-leg speed.
pub fn push_seeds(edges: &Edges, on_edge: &[OnEdge], walk_mps: f64, seeds: &mut Vec<Seed>) {
    for o in on_edge {
        let e = o.edge as usize;
        let len = edges.length_m[e];
        let acc_t = o.access_m / walk_mps;
        if let Some(t) = along(edges.forward_s[e], o.offset_m, len) {
            seeds.push(Seed {
                node: edges.from[e],
                time_s: acc_t + t,
                length_m: o.access_m + o.offset_m,
                source: o.facility,
            });
        }
        if let Some(t) = along(edges.backward_s[e], len - o.offset_m, len) {
            seeds.push(Seed {
                node: edges.to[e],
                time_s: acc_t + t,
                length_m: o.access_m + (len - o.offset_m),
                source: o.facility,
            });
        }
    }
}

/// The best trip from a snapped demand point to the searched facilities: `(time_s, distance_m,
/// facility)`. `same_edge` are the facility locations on the demand point's own edge.
pub fn demand_trip(
    edges: &Edges,
    ws: &Workspace,
    s: &Snap,
    walk_mps: f64,
    same_edge: &[OnEdge],
) -> Option<(f64, f64, u32)> {
    let e = s.edge as usize;
    let len = edges.length_m[e];
    let acc_t = s.access_m / walk_mps;
    let mut best: Option<(f64, f64, u32)> = None;
    let mut consider = |time: f64, dist: f64, fac: u32| {
        if best.is_none_or(|b| time < b.0) {
            best = Some((time, dist, fac));
        }
    };
    // Towards the start node: against the edge's direction.
    if let (Some(t_edge), Some((t, l, src))) = (
        along(edges.backward_s[e], s.offset_m, len),
        ws.get(edges.from[e]),
    ) {
        consider(acc_t + t_edge + t, s.access_m + s.offset_m + l, src);
    }
    if let (Some(t_edge), Some((t, l, src))) = (
        along(edges.forward_s[e], len - s.offset_m, len),
        ws.get(edges.to[e]),
    ) {
        consider(acc_t + t_edge + t, s.access_m + (len - s.offset_m) + l, src);
    }
    for o in same_edge {
        debug_assert_eq!(o.edge, s.edge);
        let d_along = o.offset_m - s.offset_m;
        let t_along = if d_along >= 0.0 {
            along(edges.forward_s[e], d_along, len)
        } else {
            along(edges.backward_s[e], -d_along, len)
        };
        if let Some(t_along) = t_along {
            consider(
                acc_t + t_along + o.access_m / walk_mps,
                s.access_m + d_along.abs() + o.access_m,
                o.facility,
            );
        }
    }
    best
}

/// The entries of `sorted` (sorted by edge) that lie on `edge`.
pub fn on_edge_slice(sorted: &[OnEdge], edge: u32) -> &[OnEdge] {
    let start = sorted.partition_point(|o| o.edge < edge);
    let end = start + sorted[start..].partition_point(|o| o.edge == edge);
    &sorted[start..end]
}
