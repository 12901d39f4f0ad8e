//! Snapping points onto the nearest street with an R-tree over edge segments.
//!
//! A point is projected onto the closest segment of the closest edge. The result records where on
//! the edge the foot of the perpendicular lies (as the ground length from the edge's start node)
//! and the ground length of the access leg from the point to that foot. Routing then starts at
//! both end nodes of the edge with the partial lengths, so a point in the middle of a long street
//! is neither moved to a junction nor given a straight-line shortcut.

use super::graph::Network;
use crate::geodesy::{ground_distance, LocalPlane};
use rayon::prelude::*;
use rstar::{PointDistance, RTree, RTreeObject, AABB};

/// Default maximum access-leg length in metres.
pub const DEFAULT_MAX_SNAP_M: f64 = 500.0;

/// Where a point meets the network.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snap {
    /// The edge the point snaps onto.
    pub edge: u32,
    /// Ground length in metres from the edge's start node to the foot point, along the edge.
    pub offset_m: f64,
    /// Ground length in metres from the point to the foot point (the access leg).
    pub access_m: f64,
    /// The foot point, WGS84 degrees.
    pub foot: [f64; 2],
}

/// The outcome of snapping one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SnapResult {
    /// Snapped within the maximum distance.
    Snapped(Snap),
    /// The nearest street is farther than the maximum distance; the distance (m) is given.
    TooFar(f64),
}

/// One segment of an edge's geometry in the local plane, with its bounding box computed once
/// (bulk loading compares bounding boxes millions of times), the edge and the index of the
/// segment's first point in the geometry array.
#[derive(Debug, Clone, Copy)]
struct Segment {
    from: [f64; 2],
    to: [f64; 2],
    bbox: AABB<[f64; 2]>,
    edge: u32,
    point: u32,
}

impl Segment {
    fn new(from: [f64; 2], to: [f64; 2], edge: u32, point: u32) -> Self {
        Segment {
            from,
            to,
            bbox: AABB::from_corners(from, to),
            edge,
            point,
        }
    }

    /// Position (0–1) of the point of the segment nearest to `q`.
    #[inline]
    fn nearest_t(&self, q: [f64; 2]) -> f64 {
        let (a, b) = (self.from, self.to);
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len2 = dx * dx + dy * dy;
        if len2 > 0.0 {
            (((q[0] - a[0]) * dx + (q[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

impl RTreeObject for Segment {
    type Envelope = AABB<[f64; 2]>;

    #[inline]
    fn envelope(&self) -> AABB<[f64; 2]> {
        self.bbox
    }
}

impl PointDistance for Segment {
    #[inline]
    fn distance_2(&self, q: &[f64; 2]) -> f64 {
        let t = self.nearest_t(*q);
        let x = self.from[0] + t * (self.to[0] - self.from[0]) - q[0];
        let y = self.from[1] + t * (self.to[1] - self.from[1]) - q[1];
        x * x + y * y
    }
}

/// Reorders `segs` so that each run of `per_strip` segments (the last may be shorter) holds the
/// next strip from west to east: ordered by the segment's centre, ties by its position in the
/// geometry (a total order, so the strips do not depend on the input order or the threads).
/// Within a run the order is left unspecified.
fn strip_partition(segs: &mut [Segment], per_strip: usize) {
    let before = |a: &Segment, b: &Segment| {
        (a.from[0] + a.to[0])
            .total_cmp(&(b.from[0] + b.to[0]))
            .then(a.point.cmp(&b.point))
    };
    let strips = segs.len().div_ceil(per_strip);
    if strips <= 1 {
        return;
    }
    // Cut at the strip boundary nearest the middle, then each side on its own.
    let cut = strips / 2 * per_strip;
    segs.select_nth_unstable_by(cut, before);
    let (west, east) = segs.split_at_mut(cut);
    rayon::join(
        || strip_partition(west, per_strip),
        || strip_partition(east, per_strip),
    );
}

/// R-trees over all edge segments of a network, in a local plane.
pub struct Snapper<'a> {
    network: &'a Network,
    plane: LocalPlane,
    /// The segment index, in strips (see [`STRIPS`]).
    strips: Vec<RTree<Segment>>,
    /// Maximum access-leg length in metres.
    pub max_snap_m: f64,
}

/// The segments are indexed in this many strips of equal size from west to east, each its own
/// R-tree, so that the trees are bulk-loaded in parallel. The number is fixed, so that which of
/// two equally near segments a point snaps to does not depend on the machine.
const STRIPS: usize = 4;

impl<'a> Snapper<'a> {
    /// Indexes every segment of `network`.
    pub fn new(network: &'a Network, max_snap_m: f64) -> Self {
        let b = network.bbox();
        let plane = LocalPlane::new([0.5 * (b[0] + b[2]), 0.5 * (b[1] + b[3])]);
        let edges = &network.edges;
        let mut segs = Vec::with_capacity(edges.geometry.len());
        for e in 0..edges.len() {
            let start = edges.geom_offsets[e] as usize;
            let g = edges.geometry(e);
            for i in 0..g.len() - 1 {
                segs.push(Segment::new(
                    plane.project(g[i]),
                    plane.project(g[i + 1]),
                    e as u32,
                    (start + i) as u32,
                ));
            }
        }
        let per_strip = segs.len().div_ceil(STRIPS).max(1);
        strip_partition(&mut segs, per_strip);
        // Cut the strips off the end one by one, giving the memory back as they go (a network's
        // segments take hundreds of megabytes), then load them in parallel.
        let mut parts = Vec::with_capacity(STRIPS);
        while !segs.is_empty() {
            let start = (segs.len() - 1) / per_strip * per_strip;
            parts.push(segs.split_off(start));
            segs.shrink_to_fit();
        }
        parts.reverse();
        let strips = parts.into_par_iter().map(RTree::bulk_load).collect();
        Snapper {
            network,
            plane,
            strips,
            max_snap_m,
        }
    }

    /// The segment nearest to `q` (plane metres): the strips are searched nearest first, until a
    /// strip's box lies farther than the best segment found; of equally near segments, the one
    /// in the strip searched first.
    fn nearest_segment(&self, q: [f64; 2]) -> Option<&Segment> {
        let mut order = [(f64::INFINITY, usize::MAX); STRIPS];
        for (k, t) in self.strips.iter().enumerate() {
            order[k] = (t.root().envelope().distance_2(&q), k);
        }
        order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut best: Option<(&Segment, f64)> = None;
        for &(box_d2, k) in &order {
            if k == usize::MAX || best.is_some_and(|(_, d)| box_d2 > d) {
                break;
            }
            if let Some(s) = self.strips[k].nearest_neighbor(&q) {
                let d = s.distance_2(&q);
                if best.is_none_or(|(_, b)| d < b) {
                    best = Some((s, d));
                }
            }
        }
        best.map(|(s, _)| s)
    }

    /// Snaps a WGS84 point onto its nearest edge.
    pub fn snap(&self, p: [f64; 2]) -> SnapResult {
        let q = self.plane.project(p);
        let seg = self
            .nearest_segment(q)
            .expect("a network has at least one segment");
        let (edge, gi) = (seg.edge, seg.point);
        let foot = self.foot_on_segment(seg, q, gi as usize);
        let access_m = ground_distance(p, foot);
        if access_m > self.max_snap_m {
            return SnapResult::TooFar(access_m);
        }
        let edges = &self.network.edges;
        let first = edges.geom_offsets[edge as usize] as usize;
        let g = &edges.geometry;
        let mut offset: f64 = (first..gi as usize)
            .map(|i| ground_distance(g[i], g[i + 1]))
            .sum();
        offset += ground_distance(g[gi as usize], foot);
        let offset_m = offset.min(edges.length_m[edge as usize]);
        SnapResult::Snapped(Snap {
            edge,
            offset_m,
            access_m,
            foot,
        })
    }

    /// The foot of the perpendicular from plane point `q` onto a segment, as WGS84 degrees.
    /// End points are returned exactly (not through the plane) so that a point at a vertex snaps
    /// with a zero access leg.
    fn foot_on_segment(&self, seg: &Segment, q: [f64; 2], gi: usize) -> [f64; 2] {
        let g = &self.network.edges.geometry;
        let t = seg.nearest_t(q);
        if t == 0.0 {
            g[gi]
        } else if t == 1.0 {
            g[gi + 1]
        } else {
            let (pa, pb) = (g[gi], g[gi + 1]);
            [pa[0] + t * (pb[0] - pa[0]), pa[1] + t * (pb[1] - pa[1])]
        }
    }

    /// Plane distance in metres from a WGS84 point to the nearest segment (for diagnostics).
    pub fn plane_distance(&self, p: [f64; 2]) -> f64 {
        let q = self.plane.project(p);
        self.nearest_segment(q)
            .map(|s| s.distance_2(&q).sqrt())
            .unwrap_or(f64::INFINITY)
    }
}
