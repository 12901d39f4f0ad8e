//! Service areas: the streets from which a facility (or the nearest facility of a category) is
//! reached within a threshold, and the area around them.
//!
//! A search from the facility's snapped locations runs over the incoming arcs, so every node gets
//! the time *to* the facility, as for coverage (for walking the network is symmetric and this
//! equals the time from the facility). An edge `a → b` of length `L` is then reached:
//!
//! ```text
//!   a ●━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━● b       t(a) + (L − x_a)·… ≤ T
//!     [0 ──── x_a]              [L − x_b ──── L]
//!     x_a = (T − t(a)) / backward time × L    x_b = (T − t(b)) / forward time × L
//! ```
//!
//! from `a` up to the ground length `x_a` that the time left at `a` allows (walking towards `a`
//! travels the edge backwards), from `b` likewise, and around a facility on the edge itself as
//! far as the time left after its access leg allows in each direction. The pieces of one edge
//! are merged; a partly reached edge contributes exactly its reached part: its geometry is cut at
//! the reached ground length ([`cut_polyline`], lengths by [`ground_distance`]).
//!
//! The reached lines are projected onto a conformal plane ([`ConformalPlane`], metres, scale
//! within 4e-5 of 1 up to 80 km from its centre; the network's geometry is projected once for
//! all its areas, [`PlaneNetwork`]), buffered by a given width with round caps and joins and
//! dissolved by building the outline of the union directly ([`crate::analysis::buffer`]: time
//! close to linear in the reached length), then brought back to WGS84. Arcs are drawn as chords
//! within [`ARC_TOLERANCE_M`] of the true circles; straight parts are exact.
//!
//! Metre thresholds (e.g. a rural 5000 m) are turned into times at the travel speed; for the
//! walking modes time and distance are proportional, so the area is exact.

use crate::analysis::buffer::{buffer_lines_plane, buffer_segments, PlanePolygon, SegmentSet};
use crate::geodesy::{ground_distance, ConformalPlane, LocalPlane};
use crate::network::Network;
use crate::output::{GeometryType, Kind, Layer, Value};
use crate::route::access::{push_seeds, OnEdge};
use crate::route::dijkstra::{Seed, Workspace};
use crate::standards::Limit;
use geo::algorithm::buffer::{BufferStyle, LineCap, LineJoin};
use geo::{Area, Buffer};
use geo_types::{Coord, LineString, MultiLineString, MultiPolygon, Polygon};

/// Default buffer width in metres on each side of the reached streets.
pub const DEFAULT_BUFFER_M: f64 = 50.0;

/// Largest sagitta in metres of the chords that draw a service area's arcs (at most 1 % of the
/// buffer width): the outline lies at most this far inside the exact buffer of the reached
/// lines, and on it elsewhere (see [`buffer_lines`]).
pub const ARC_TOLERANCE_M: f64 = 0.2;

/// Pieces shorter than this (metres) are left out of a reach.
const MIN_SPAN_M: f64 = 1e-9;

/// The reached part of one edge: from `start_m` to `end_m` metres of ground length from the
/// edge's start node (`0 ≤ start_m < end_m ≤ length`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    /// The edge.
    pub edge: u32,
    /// Start of the reached part, metres from the edge's start node.
    pub start_m: f64,
    /// End of the reached part, metres from the edge's start node.
    pub end_m: f64,
}

impl Span {
    /// Ground length of the reached part in metres.
    pub fn length_m(&self) -> f64 {
        self.end_m - self.start_m
    }
}

/// Everything reached within one threshold: disjoint spans, sorted by edge, then by start.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reach {
    /// The reached parts of edges.
    pub spans: Vec<Span>,
}

impl Reach {
    /// Total ground length of the reached streets in metres.
    pub fn length_m(&self) -> f64 {
        self.spans.iter().map(Span::length_m).sum()
    }

    /// True when nothing is reached.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The reached lines, one per span, WGS84 `[lon, lat]` degrees, cut from the edge geometry.
    pub fn lines(&self, network: &Network) -> Vec<Vec<[f64; 2]>> {
        self.spans
            .iter()
            .map(|s| cut_polyline(network.edges.geometry(s.edge as usize), s.start_m, s.end_m))
            .collect()
    }

    /// The reached lines as a WGS84 multi-line string (`x` = longitude, `y` = latitude).
    pub fn multi_line_string(&self, network: &Network) -> MultiLineString<f64> {
        MultiLineString(
            self.lines(network)
                .into_iter()
                .map(|l| LineString(l.into_iter().map(|p| Coord { x: p[0], y: p[1] }).collect()))
                .collect(),
        )
    }
}

/// A point of a cut polyline: a vertex of it, or a point between vertex `i` and `i + 1` at
/// fraction `f` of the segment (by degrees; the fraction is refined so that the ground length to
/// the point is the one asked for).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cut {
    Vertex(usize),
    Between(usize, f64),
}

/// The points of the part of a polyline (WGS84 degrees) between `start_m` and `end_m` metres of
/// ground length from its first point, as [`Cut`]s (at least two unless `points` is empty).
fn cut_points(points: &[[f64; 2]], start_m: f64, end_m: f64) -> Vec<Cut> {
    let mut out = Vec::new();
    if points.is_empty() {
        return out;
    }
    let start = start_m.max(0.0);
    let end = end_m.max(start);
    let mut at = 0.0; // ground length at the start of the current segment
    for (i, w) in points.windows(2).enumerate() {
        let seg = ground_distance(w[0], w[1]);
        let next = at + seg;
        // The fraction of the segment at ground length `d` from the line's start, refined until
        // the ground length to it is `d − at` (the ground length is not exactly linear in
        // degrees: the radii of curvature change with latitude).
        let cut_at = |d: f64| -> Cut {
            let want = d - at;
            if seg <= 0.0 || want <= 0.0 {
                return Cut::Vertex(i);
            }
            if want >= seg {
                return Cut::Vertex(i + 1);
            }
            let lerp = |f: f64| {
                [
                    w[0][0] + f * (w[1][0] - w[0][0]),
                    w[0][1] + f * (w[1][1] - w[0][1]),
                ]
            };
            let mut f = want / seg;
            for _ in 0..4 {
                let got = ground_distance(w[0], lerp(f));
                if got <= 0.0 || (got - want).abs() <= 1e-12 * seg {
                    break;
                }
                f = (f * want / got).clamp(0.0, 1.0);
            }
            Cut::Between(i, f)
        };
        if out.is_empty() && start <= next {
            out.push(if start <= at {
                Cut::Vertex(i)
            } else {
                cut_at(start)
            });
        }
        if !out.is_empty() {
            if end <= next {
                out.push(if end >= next {
                    Cut::Vertex(i + 1)
                } else {
                    cut_at(end)
                });
                return out;
            }
            out.push(Cut::Vertex(i + 1));
        }
        at = next;
    }
    // Bounds past the end of the line: clamp to its last point.
    let last = Cut::Vertex(points.len() - 1);
    if out.is_empty() {
        out.push(last);
    }
    if out.len() < 2 {
        out.push(last);
    }
    out
}

/// The position of a [`Cut`] on `points` (any coordinates: degrees, or the same polyline
/// projected).
fn cut_position(points: &[[f64; 2]], c: Cut) -> [f64; 2] {
    match c {
        Cut::Vertex(i) => points[i],
        Cut::Between(i, f) => {
            let (a, b) = (points[i], points[i + 1]);
            [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])]
        }
    }
}

/// The part of a polyline (WGS84 degrees) between `start_m` and `end_m` metres of ground length
/// from its first point ([`ground_distance`] per segment), cut inside segments by linear
/// interpolation. Bounds are clamped to the line; the result has at least two points.
///
/// ```
/// use lifecircle::analysis::service_area::cut_polyline;
/// use lifecircle::geodesy::polyline_length;
/// let line = [[113.0, 23.0], [113.0, 23.001], [113.001, 23.001]];
/// let part = cut_polyline(&line, 50.0, 150.0);
/// assert!((polyline_length(&part) - 100.0).abs() < 1e-6);
/// assert_eq!(part.len(), 3); // the shape point at 110.7 m is kept
/// ```
pub fn cut_polyline(points: &[[f64; 2]], start_m: f64, end_m: f64) -> Vec<[f64; 2]> {
    cut_points(points, start_m, end_m)
        .into_iter()
        .map(|c| cut_position(points, c))
        .collect()
}

/// Reusable buffers for service-area searches on one network.
pub struct ServiceAreaSearch {
    ws: Workspace,
    seeds: Vec<Seed>,
    edges: Vec<u32>,
    intervals: Vec<(f64, f64)>,
}

impl ServiceAreaSearch {
    /// Buffers for `network`.
    pub fn new(network: &Network) -> Self {
        ServiceAreaSearch {
            ws: Workspace::new(network.node_count()),
            seeds: Vec::new(),
            edges: Vec::new(),
            intervals: Vec::new(),
        }
    }

    /// The streets from which one of `locations` (snapped facility locations; several for a
    /// facility with several entrances or for a whole category) is reached within each of
    /// `limits_s` (seconds, including the facility's access leg at `access_mps` metres per
    /// second). One search runs, up to the largest limit; one [`Reach`] per limit, in order.
    pub fn run(
        &mut self,
        network: &Network,
        locations: &[OnEdge],
        access_mps: f64,
        limits_s: &[f64],
    ) -> Vec<Reach> {
        let max = limits_s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if locations.is_empty() || max.is_nan() || max < 0.0 {
            return vec![Reach::default(); limits_s.len()];
        }
        let mut locs = locations.to_vec();
        locs.sort_by_key(|o| o.edge);
        self.seeds.clear();
        push_seeds(&network.edges, &locs, access_mps, &mut self.seeds);
        self.ws.run(&network.incoming, &self.seeds, max);
        limits_s
            .iter()
            .map(|&t| self.reach(network, &locs, access_mps, t))
            .collect()
    }

    fn reach(&mut self, network: &Network, locs: &[OnEdge], access_mps: f64, limit: f64) -> Reach {
        let edges = &network.edges;
        let ws = &self.ws;
        self.edges.clear();
        self.edges.extend(locs.iter().map(|o| o.edge));
        for &v in ws.settled() {
            if ws.time(v).is_none_or(|t| t > limit) {
                break; // settled in order of time
            }
            self.edges
                .extend(network.incoming.arcs(v).iter().map(|a| a.edge));
        }
        self.edges.sort_unstable();
        self.edges.dedup();
        let within = |v: u32| ws.time(v).filter(|&t| t <= limit);
        let mut spans = Vec::new();
        for &e in &self.edges {
            let i = e as usize;
            let len = edges.length_m[i];
            let (fwd, bwd) = (edges.forward_s[i], edges.backward_s[i]);
            // Ground length walked in `left` seconds along a direction taking `full` for the edge.
            let reach = |left: f64, full: f64| -> Option<f64> {
                if !full.is_finite() || left < 0.0 {
                    None
                } else if full <= 0.0 {
                    Some(len)
                } else {
                    Some((left / full * len).min(len))
                }
            };
            self.intervals.clear();
            // Towards the start node the edge is travelled backwards, towards the end forwards.
            if let Some(x) = within(edges.from[i]).and_then(|t| reach(limit - t, bwd)) {
                self.intervals.push((0.0, x));
            }
            if let Some(x) = within(edges.to[i]).and_then(|t| reach(limit - t, fwd)) {
                self.intervals.push((len - x, len));
            }
            let start = locs.partition_point(|o| o.edge < e);
            for o in locs[start..].iter().take_while(|o| o.edge == e) {
                let left = limit - o.access_m / access_mps;
                if left < 0.0 {
                    continue;
                }
                let lo = reach(left, fwd).map_or(o.offset_m, |x| o.offset_m - x);
                let hi = reach(left, bwd).map_or(o.offset_m, |x| o.offset_m + x);
                self.intervals.push((lo.max(0.0), hi.min(len)));
            }
            self.intervals.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut cur: Option<(f64, f64)> = None;
            for &(lo, hi) in &self.intervals {
                cur = match cur {
                    Some((a, b)) if lo <= b => Some((a, b.max(hi))),
                    Some((a, b)) => {
                        push_span(&mut spans, e, a, b);
                        Some((lo, hi))
                    }
                    None => Some((lo, hi)),
                };
            }
            if let Some((a, b)) = cur {
                push_span(&mut spans, e, a, b);
            }
        }
        Reach { spans }
    }
}

fn push_span(spans: &mut Vec<Span>, edge: u32, start_m: f64, end_m: f64) {
    if end_m - start_m > MIN_SPAN_M {
        spans.push(Span {
            edge,
            start_m,
            end_m,
        });
    }
}

/// A service area: the reached streets buffered and dissolved.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceArea {
    /// The area, WGS84 degrees (`x` = longitude, `y` = latitude); empty when nothing is reached.
    pub geometry: MultiPolygon<f64>,
    /// Ground length of the reached streets in metres (before buffering).
    pub street_length_m: f64,
    /// Area in square metres (on the conformal plane the lines were buffered on, whose scale
    /// is within 4e-5 of 1 up to 80 km from its centre).
    pub area_m2: f64,
}

/// Buffers and dissolves the lines of `reach` by `buffer_m` metres on each side (projecting
/// them on their own; [`PlaneNetwork::service_area`] reuses one projection for many areas).
pub fn service_area(network: &Network, reach: &Reach, buffer_m: f64) -> ServiceArea {
    let (geometry, area_m2) = buffer_lines(&reach.lines(network), buffer_m);
    ServiceArea {
        geometry,
        street_length_m: reach.length_m(),
        area_m2,
    }
}

/// The network's edge geometry on one conformal plane ([`ConformalPlane`], centred on the
/// network), projected once for every service area drawn on it.
pub struct PlaneNetwork<'a> {
    network: &'a Network,
    plane: ConformalPlane,
    /// Projected `network.edges.geometry`, point for point.
    points: Vec<[f64; 2]>,
}

impl<'a> PlaneNetwork<'a> {
    /// Projects the geometry of `network` (in parallel).
    pub fn new(network: &'a Network) -> Self {
        use rayon::prelude::*;
        let geometry = &network.edges.geometry;
        let mut b = [f64::INFINITY, f64::INFINITY, -f64::INFINITY, -f64::INFINITY];
        for p in network.nodes.iter() {
            b = [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ];
        }
        let centre = if b[0].is_finite() {
            [0.5 * (b[0] + b[2]), 0.5 * (b[1] + b[3])]
        } else {
            [0.0, 0.0]
        };
        let plane = ConformalPlane::new(centre);
        let points = geometry.par_iter().map(|&p| plane.project(p)).collect();
        PlaneNetwork {
            network,
            plane,
            points,
        }
    }

    /// The reached lines of `reach`, projected, as numbered points and segments: network nodes
    /// keep one number however many spans meet there; shape points and cut points are their
    /// span's own.
    fn segment_set(&self, reach: &Reach) -> SegmentSet {
        let edges = &self.network.edges;
        let mut node_point = vec![u32::MAX; self.network.node_count()];
        let mut set = SegmentSet::default();
        for s in &reach.spans {
            let e = s.edge as usize;
            let (lo, hi) = (
                edges.geom_offsets[e] as usize,
                edges.geom_offsets[e + 1] as usize,
            );
            let plane = &self.points[lo..hi];
            let last = hi - lo - 1;
            let mut prev = u32::MAX;
            for c in cut_points(edges.geometry(e), s.start_m, s.end_m) {
                let node = match c {
                    Cut::Vertex(0) => Some(edges.from[e]),
                    Cut::Vertex(i) if i == last => Some(edges.to[e]),
                    _ => None,
                };
                let id = match node {
                    Some(n) if node_point[n as usize] != u32::MAX => node_point[n as usize],
                    _ => {
                        let id = set.points.len() as u32;
                        set.points.push(cut_position(plane, c));
                        if let Some(n) = node {
                            node_point[n as usize] = id;
                        }
                        id
                    }
                };
                if prev != u32::MAX {
                    set.segments.push([prev, id]);
                }
                prev = id;
            }
        }
        set
    }

    /// The service area of `reach`, buffered by `buffer_m` metres.
    pub fn service_area(&self, reach: &Reach, buffer_m: f64) -> ServiceArea {
        let polys = if buffer_m.is_nan() || buffer_m <= 0.0 {
            Ok(Vec::new())
        } else {
            buffer_segments(self.segment_set(reach), buffer_m, arc_tolerance(buffer_m))
        };
        let (geometry, area_m2) = match polys {
            Ok(polys) => to_wgs84(&self.plane, &polys),
            Err(_) => buffer_lines_overlay(&reach.lines(self.network), buffer_m),
        };
        ServiceArea {
            geometry,
            street_length_m: reach.length_m(),
            area_m2,
        }
    }
}

/// The union of WGS84 polylines each buffered by `buffer_m` metres (round caps and joins),
/// computed on a conformal plane centred on the lines; returns the area in WGS84 degrees and its
/// size in square metres. Empty for no lines or a width that is not positive.
///
/// The outline lies within [`ARC_TOLERANCE_M`] inside the exact buffer of the lines (arcs are
/// drawn as chords), and on it elsewhere; see [`crate::analysis::buffer`].
///
/// ```
/// use lifecircle::analysis::service_area::buffer_lines;
/// // A 100 m street buffered by 10 m: a 100 × 20 m rectangle and two half discs.
/// let north = 100.0 / 110_758.0; // degrees of latitude per 100 m near 23°N, roughly
/// let (_, area) = buffer_lines(&[vec![[113.0, 23.0], [113.0, 23.0 + north]]], 10.0);
/// let expected = 2000.0 + std::f64::consts::PI * 100.0;
/// assert!((area - expected).abs() / expected < 0.01);
/// ```
pub fn buffer_lines(lines: &[Vec<[f64; 2]>], buffer_m: f64) -> (MultiPolygon<f64>, f64) {
    let mut b = [f64::INFINITY, f64::INFINITY, -f64::INFINITY, -f64::INFINITY];
    for p in lines.iter().flatten() {
        b = [
            b[0].min(p[0]),
            b[1].min(p[1]),
            b[2].max(p[0]),
            b[3].max(p[1]),
        ];
    }
    if buffer_m.is_nan() || buffer_m <= 0.0 || !b[0].is_finite() {
        return (MultiPolygon(Vec::new()), 0.0);
    }
    let plane = ConformalPlane::new([0.5 * (b[0] + b[2]), 0.5 * (b[1] + b[3])]);
    let projected: Vec<Vec<[f64; 2]>> = lines
        .iter()
        .map(|l| l.iter().map(|&p| plane.project(p)).collect())
        .collect();
    buffer_plane(&plane, &projected, buffer_m)
        .unwrap_or_else(|| buffer_lines_overlay(lines, buffer_m))
}

/// The sagitta of the chords drawing arcs of a buffer of `buffer_m` metres: [`ARC_TOLERANCE_M`],
/// at most 1 % of the width.
fn arc_tolerance(buffer_m: f64) -> f64 {
    ARC_TOLERANCE_M.min(0.01 * buffer_m)
}

/// Buffers plane lines with [`buffer_lines_plane`] and brings the area back to WGS84; `None`
/// when its outline cannot be closed (then general overlay does it).
fn buffer_plane(
    plane: &ConformalPlane,
    lines: &[Vec<[f64; 2]>],
    buffer_m: f64,
) -> Option<(MultiPolygon<f64>, f64)> {
    if buffer_m.is_nan() || buffer_m <= 0.0 {
        return Some((MultiPolygon(Vec::new()), 0.0));
    }
    let polys = buffer_lines_plane(lines, buffer_m, arc_tolerance(buffer_m)).ok()?;
    Some(to_wgs84(plane, &polys))
}

/// Plane polygons in WGS84 degrees, with their area in square metres (on the plane). Rings are
/// brought back in parallel.
fn to_wgs84(plane: &ConformalPlane, polys: &[PlanePolygon]) -> (MultiPolygon<f64>, f64) {
    use rayon::prelude::*;
    let area: f64 = polys.iter().map(PlanePolygon::area).sum();
    let rings: Vec<&[[f64; 2]]> = polys
        .iter()
        .flat_map(|p| std::iter::once(&p.exterior).chain(&p.holes))
        .map(Vec::as_slice)
        .collect();
    let mut back = rings
        .par_iter()
        .map(|ring| {
            LineString(
                ring.iter()
                    .map(|&p| {
                        let q = plane.unproject(p);
                        Coord { x: q[0], y: q[1] }
                    })
                    .collect(),
            )
        })
        .collect::<Vec<_>>()
        .into_iter();
    let geometry = MultiPolygon(
        polys
            .iter()
            .map(|p| {
                let exterior = back.next().expect("a ring per ring");
                let holes = back.by_ref().take(p.holes.len()).collect();
                Polygon::new(exterior, holes)
            })
            .collect(),
    );
    (geometry, area)
}

/// [`buffer_lines`] by general polygon overlay (geo's buffer, i_overlay), on an equirectangular
/// local plane: the fallback where the direct outline cannot be closed. Many times slower.
fn buffer_lines_overlay(lines: &[Vec<[f64; 2]>], buffer_m: f64) -> (MultiPolygon<f64>, f64) {
    let mut b = [f64::INFINITY, f64::INFINITY, -f64::INFINITY, -f64::INFINITY];
    for p in lines.iter().flatten() {
        b = [
            b[0].min(p[0]),
            b[1].min(p[1]),
            b[2].max(p[0]),
            b[3].max(p[1]),
        ];
    }
    if buffer_m.is_nan() || buffer_m <= 0.0 || !b[0].is_finite() {
        return (MultiPolygon(Vec::new()), 0.0);
    }
    let plane = LocalPlane::new([0.5 * (b[0] + b[2]), 0.5 * (b[1] + b[3])]);
    let projected = MultiLineString(
        chain(lines)
            .into_iter()
            .map(|l| {
                LineString(
                    l.into_iter()
                        .map(|p| {
                            let q = plane.project(p);
                            Coord { x: q[0], y: q[1] }
                        })
                        .collect(),
                )
            })
            .collect(),
    );
    // Round caps and joins drawn with chords whose sagitta is the arc tolerance.
    let step = 2.0 * (1.0 - arc_tolerance(buffer_m) / buffer_m).acos();
    let style = BufferStyle::new(buffer_m)
        .line_join(LineJoin::Round(step))
        .line_cap(LineCap::Round(step));
    let area = projected.buffer_with_style(style);
    let area_m2 = area.unsigned_area();
    let back = |ring: &LineString<f64>| {
        LineString(
            ring.0
                .iter()
                .map(|c| {
                    let p = plane.unproject([c.x, c.y]);
                    Coord { x: p[0], y: p[1] }
                })
                .collect(),
        )
    };
    let geometry = MultiPolygon(
        area.0
            .iter()
            .map(|p| Polygon::new(back(p.exterior()), p.interiors().iter().map(back).collect()))
            .collect(),
    );
    (geometry, area_m2)
}

/// Joins lines that share end points (bit-identical coordinates) into longer lines, so that
/// buffering strokes fewer separate pieces: at every shared end point the ends are paired in
/// order and each pair becomes a vertex inside one line. The union of the lines is unchanged;
/// lines of fewer than two points are dropped. Deterministic: depends only on the input order.
fn chain(lines: &[Vec<[f64; 2]>]) -> Vec<Vec<[f64; 2]>> {
    use std::collections::HashMap;
    let lines: Vec<&Vec<[f64; 2]>> = lines.iter().filter(|l| l.len() >= 2).collect();
    let key = |p: [f64; 2]| (p[0].to_bits(), p[1].to_bits());
    // End `2 i` is the first point of line `i`, `2 i + 1` its last.
    let point = |end: usize| {
        let l = lines[end / 2];
        if end.is_multiple_of(2) {
            l[0]
        } else {
            l[l.len() - 1]
        }
    };
    let mut waiting: HashMap<(u64, u64), usize> = HashMap::new();
    let mut link = vec![usize::MAX; 2 * lines.len()];
    for end in 0..2 * lines.len() {
        match waiting.remove(&key(point(end))) {
            Some(other) if other / 2 != end / 2 => {
                link[end] = other;
                link[other] = end;
            }
            Some(other) => {
                // A closed line: leave its ends unpaired.
                waiting.insert(key(point(end)), other);
            }
            None => {
                waiting.insert(key(point(end)), end);
            }
        }
    }
    let mut used = vec![false; lines.len()];
    let mut out = Vec::new();
    for first in 0..lines.len() {
        if used[first] {
            continue;
        }
        // Walk back from the start of `first` to the start of its chain (or around a cycle).
        let mut start_end = 2 * first;
        loop {
            let l = link[start_end];
            if l == usize::MAX || l / 2 == first {
                break;
            }
            // Enter line l/2 at `l`; its other end leads further back.
            start_end = l ^ 1;
            if start_end / 2 == first {
                break;
            }
        }
        // Walk forward from `start_end`, entering each line at that end.
        let mut pts: Vec<[f64; 2]> = Vec::new();
        let mut enter = start_end;
        loop {
            let i = enter / 2;
            if used[i] {
                break;
            }
            used[i] = true;
            let l = lines[i];
            let skip = usize::from(!pts.is_empty());
            if enter.is_multiple_of(2) {
                pts.extend(l.iter().skip(skip));
            } else {
                pts.extend(l.iter().rev().skip(skip));
            }
            let next = link[enter ^ 1];
            if next == usize::MAX {
                break;
            }
            enter = next;
        }
        out.push(pts);
    }
    out
}

/// One row of a service-area layer: a facility's (or a whole category's) area at one threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceAreaRecord {
    /// The facility (index into the study's facilities), `None` for a whole category.
    pub facility: Option<usize>,
    /// Facility category.
    pub category: String,
    /// The threshold.
    pub threshold: Limit,
    /// The search limit in seconds (a metre threshold at the travel speed).
    pub limit_s: f64,
    /// Number of facilities searched from (1 for a facility; the category's snapped facilities).
    pub facilities: usize,
    /// The area.
    pub area: ServiceArea,
    /// The reached streets (WGS84), when asked for ([`AreaOptions::lines`]).
    pub lines: Option<MultiLineString<f64>>,
}

/// What to compute for one facility or one category: where to search from and at which
/// thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaJob {
    /// The facility, `None` for a whole category.
    pub facility: Option<usize>,
    /// Facility category.
    pub category: String,
    /// Number of facilities searched from.
    pub facilities: usize,
    /// Their snapped locations.
    pub locations: Vec<OnEdge>,
    /// The thresholds.
    pub thresholds: Vec<Limit>,
}

/// How service areas are drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AreaOptions {
    /// Travel speed in metres per second (metre thresholds are turned into times at it).
    pub speed_mps: f64,
    /// Speed of the facilities' access legs, metres per second.
    pub access_mps: f64,
    /// Buffer width in metres on each side of the reached streets.
    pub buffer_m: f64,
    /// Also keep the reached streets themselves ([`ServiceAreaRecord::lines`]).
    pub lines: bool,
}

/// Computes the service areas of `jobs` on `network`: one search per job, one record per job and
/// threshold, in order.
///
/// Whole-category jobs (large) run one after the other, each buffering in parallel inside, so
/// that only one large area's working memory is alive at a time; per-facility jobs (small) run
/// in parallel with each other.
pub fn service_areas(
    network: &Network,
    jobs: &[AreaJob],
    opts: &AreaOptions,
) -> Vec<ServiceAreaRecord> {
    service_areas_with_progress(network, jobs, opts, &|_| {})
}

/// [`service_areas`], calling `done(n)` each time `n` more of the jobs have been finished (from
/// any thread), so that a long run can show its progress.
pub fn service_areas_with_progress(
    network: &Network,
    jobs: &[AreaJob],
    opts: &AreaOptions,
    done: &(dyn Fn(usize) + Sync),
) -> Vec<ServiceAreaRecord> {
    use rayon::prelude::*;
    let buffers = crate::route::pool::Pool::new(|| ServiceAreaSearch::new(network));
    let plane = PlaneNetwork::new(network);
    let run = |search: &mut ServiceAreaSearch, job: &AreaJob| -> Vec<ServiceAreaRecord> {
        let limits: Vec<f64> = job
            .thresholds
            .iter()
            .map(|l| l.max_time_s(opts.speed_mps))
            .collect();
        let reaches = search.run(network, &job.locations, opts.access_mps, &limits);
        job.thresholds
            .iter()
            .zip(limits)
            .zip(reaches)
            .map(|((&threshold, limit_s), reach)| ServiceAreaRecord {
                facility: job.facility,
                category: job.category.clone(),
                threshold,
                limit_s,
                facilities: job.facilities,
                area: plane.service_area(&reach, opts.buffer_m),
                lines: opts.lines.then(|| reach.multi_line_string(network)),
            })
            .collect()
    };
    let mut out: Vec<Option<Vec<ServiceAreaRecord>>> = vec![None; jobs.len()];
    let (large, small): (Vec<usize>, Vec<usize>) =
        (0..jobs.len()).partition(|&k| jobs[k].facility.is_none());
    {
        let mut search = buffers.take();
        for &k in &large {
            out[k] = Some(run(&mut search, &jobs[k]));
            done(1);
        }
    }
    let finished: Vec<(usize, Vec<ServiceAreaRecord>)> = small
        .par_iter()
        .map_init(
            || buffers.take(),
            |search, &k| {
                let records = run(search, &jobs[k]);
                done(1);
                (k, records)
            },
        )
        .collect();
    for (k, records) in finished {
        out[k] = Some(records);
    }
    out.into_iter().flatten().flatten().collect()
}

/// The service-area layers of a study.
#[derive(Debug, Clone)]
pub struct ServiceAreaLayers {
    /// `service_areas`: one row per category and threshold.
    pub by_category: Layer,
    /// `facility_service_areas`: one row per facility and threshold.
    pub by_facility: Layer,
    /// `service_area_lines`: the reached streets of each category and threshold, when they
    /// were kept.
    pub lines: Layer,
}

/// The service-area layers of a study (see [`ServiceAreaLayers`]). `facilities` are the study's
/// facilities (for ids and names), `label` gives a category's Chinese label, `buffer_m` the
/// buffer width used.
pub fn service_area_layers(
    records: &[ServiceAreaRecord],
    facilities: &[crate::places::Facility],
    label: &dyn Fn(&str) -> String,
    buffer_m: f64,
) -> ServiceAreaLayers {
    let common = [
        ("threshold", Kind::Text, "阈值"),
        ("minutes", Kind::Real, "时间阈值分钟"),
        ("street_km", Kind::Real, "可达道路长度公里"),
        ("area_km2", Kind::Real, "面积平方公里"),
        ("buffer_m", Kind::Real, "缓冲宽度米"),
    ];
    let make = |name: &str, zh: &str, head: &[(&str, Kind, &str)]| {
        let cols: Vec<(&str, Kind)> = head
            .iter()
            .chain(&common)
            .map(|(n, k, _)| (*n, *k))
            .collect();
        let mut l = Layer::new(name, &cols).with_geometry_type(GeometryType::MultiPolygon);
        for (n, _, z) in head.iter().chain(&common) {
            l.label(n, z);
        }
        l.set_layer_label(zh);
        l
    };
    let mut by_category = make(
        "service_areas",
        "服务范围（按类别）",
        &[
            ("category", Kind::Text, "类别"),
            ("label", Kind::Text, "类别名称"),
            ("facilities", Kind::Int, "设施数"),
        ],
    );
    let mut by_facility = make(
        "facility_service_areas",
        "服务范围（按设施）",
        &[
            ("facility_id", Kind::Text, "设施编号"),
            ("name", Kind::Text, "设施名称"),
            ("category", Kind::Text, "类别"),
            ("label", Kind::Text, "类别名称"),
        ],
    );
    let line_cols = [
        ("category", Kind::Text, "类别"),
        ("label", Kind::Text, "类别名称"),
        ("threshold", Kind::Text, "阈值"),
        ("minutes", Kind::Real, "时间阈值分钟"),
        ("street_km", Kind::Real, "可达道路长度公里"),
    ];
    let mut lines = Layer::new("service_area_lines", &line_cols.map(|(n, k, _)| (n, k)))
        .with_geometry_type(GeometryType::MultiLineString);
    for (n, _, z) in &line_cols {
        lines.label(n, z);
    }
    lines.set_layer_label("可达道路（按类别）");
    for a in records {
        if let (None, Some(l)) = (a.facility, &a.lines) {
            lines.push_geometry(
                vec![
                    Value::Text(a.category.clone()),
                    Value::Text(label(&a.category)),
                    Value::Text(a.threshold.label()),
                    Value::Real(a.limit_s / 60.0),
                    Value::Real(a.area.street_length_m / 1000.0),
                ],
                Some(geo_types::Geometry::MultiLineString(l.clone())),
            );
        }
        let tail = [
            Value::Text(a.threshold.label()),
            Value::Real(a.limit_s / 60.0),
            Value::Real(a.area.street_length_m / 1000.0),
            Value::Real(a.area.area_m2 / 1e6),
            Value::Real(buffer_m),
        ];
        let g = Some(geo_types::Geometry::MultiPolygon(a.area.geometry.clone()));
        match a.facility {
            None => {
                let mut v = vec![
                    Value::Text(a.category.clone()),
                    Value::Text(label(&a.category)),
                    Value::Int(a.facilities as i64),
                ];
                v.extend(tail);
                by_category.push_geometry(v, g);
            }
            Some(f) => {
                let fac = &facilities[f];
                let mut v = vec![
                    Value::Text(fac.id.clone()),
                    Value::Text(fac.name.clone()),
                    Value::Text(a.category.clone()),
                    Value::Text(label(&a.category)),
                ];
                v.extend(tail);
                by_facility.push_geometry(v, g);
            }
        }
    }
    ServiceAreaLayers {
        by_category,
        by_facility,
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesy::polyline_length;

    #[test]
    fn cut_keeps_inner_points_and_clamps() {
        let line = [[113.0, 23.0], [113.0, 23.001], [113.001, 23.001]];
        let total = polyline_length(&line);
        assert_eq!(cut_polyline(&line, 0.0, total), line.to_vec());
        assert_eq!(cut_polyline(&line, -5.0, total + 5.0), line.to_vec());
        let p = cut_polyline(&line, 10.0, 20.0);
        assert_eq!(p.len(), 2);
        assert!((polyline_length(&p) - 10.0).abs() < 1e-9);
        assert!((ground_distance(line[0], p[0]) - 10.0).abs() < 1e-9);
        let tail = cut_polyline(&line, total, total);
        assert_eq!(tail, vec![line[2], line[2]]);
    }

    #[test]
    fn crossing_lines_dissolve() {
        let d = 100.0 / 111_000.0;
        let a = vec![[113.0 - d, 23.0], [113.0 + d, 23.0]];
        let b = vec![[113.0, 23.0 - d], [113.0, 23.0 + d]];
        let (one, a1) = buffer_lines(std::slice::from_ref(&a), 5.0);
        let (_, b1) = buffer_lines(std::slice::from_ref(&b), 5.0);
        let (both, a2) = buffer_lines(&[a, b], 5.0);
        assert_eq!(one.0.len(), 1);
        assert_eq!(both.0.len(), 1, "one dissolved polygon");
        // Two strokes minus the 10 × 10 m square where they cross.
        assert!(
            (a2 - (a1 + b1 - 100.0)).abs() < 0.002 * a2,
            "{a1} {b1} {a2}"
        );
    }
}
