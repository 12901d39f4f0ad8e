//! The union of round-capped buffers of many line segments, on a plane, in time close to linear
//! in the number of segments.
//!
//! The buffer of a set of segments by radius `r` (round caps and joins) is the union of their
//! capsules, and a capsule is the union of the segment's rectangle of half-width `r` and the two
//! disks of radius `r` at its ends. The outline of the union is therefore made of pieces of
//! *offset lines* (a segment's long sides) and of *circles* around end points (see `events`).
//! General polygon overlay (GEOS, i_overlay) unions the capsules' polygons and pays for every
//! crossing of every pair of outlines, most of them deep inside the union: 7–40 µs per segment
//! on a street grid. This module builds the outline directly:
//!
//! 1. **Stars.** Around each end point the incident segments are sorted by direction (exact
//!    orientation tests). A circle arc can only be exposed in an angular gap wider than a half
//!    turn (a dead end, the outside of a bend): at most one per point. A gap of exactly a half
//!    turn (a straight joint) is an arc of length zero that carries the outline from one side
//!    line to the next.
//! 2. **Cover.** Each offset line and each exposed arc is cut by the other shapes within reach
//!    (a uniform grid lists them): the parts strictly inside another rectangle or disk are
//!    dropped (`cover`). Each kept piece starts and ends at a named event.
//! 3. **Rings.** Pieces are linked end to start by their events (sorted, not hashed), and walked
//!    into rings; arcs are drawn with chords whose sagitta is at most the arc tolerance, vertices
//!    on the circle. Counter-clockwise rings are outer rings; each clockwise ring (a hole) goes to
//!    the polygon found by a ray cast to its left (`rings`).
//!
//! Events computed from both sides agree bit for bit (`events`). Where rounding makes the two
//! sides disagree (three outlines meeting within rounding of one point), the loose ends are
//! joined to the nearest loose end within [`LINK_TOLERANCE_M`]; if any end is still loose the
//! union is refused with [`BufferError`], and the caller can fall back on general overlay.
//!
//! The outline lies within the arc tolerance inside the exact buffer's outline (chords inside
//! their arcs) and on it elsewhere, up to rounding.

mod cover;
mod events;
mod grid;
mod rings;

use events::{line_id, Key};
use grid::Grid;
use rayon::prelude::*;

/// Loose ends closer than this (metres) are joined.
pub const LINK_TOLERANCE_M: f64 = 1e-4;

/// A polygon on the plane: outer ring (counter-clockwise) and holes (clockwise), each closed
/// (first point repeated at the end).
#[derive(Debug, Clone, PartialEq)]
pub struct PlanePolygon {
    /// The outer ring.
    pub exterior: Vec<[f64; 2]>,
    /// The holes.
    pub holes: Vec<Vec<[f64; 2]>>,
}

impl PlanePolygon {
    /// Area in square plane units: the outer ring's less the holes'.
    pub fn area(&self) -> f64 {
        ring_area(&self.exterior) - self.holes.iter().map(|h| -ring_area(h)).sum::<f64>()
    }
}

/// Signed area of a closed ring (positive counter-clockwise).
pub(crate) fn ring_area(ring: &[[f64; 2]]) -> f64 {
    let mut s = 0.0;
    for w in ring.windows(2) {
        s += w[0][0] * w[1][1] - w[1][0] * w[0][1];
    }
    0.5 * s
}

/// Why a union could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BufferError {
    /// Outline pieces whose ends could not be linked (degenerate input beyond rounding).
    Unlinked(usize),
}

impl std::fmt::Display for BufferError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BufferError::Unlinked(n) => write!(f, "{n} outline pieces could not be linked"),
        }
    }
}

/// Points on a plane and segments between them (by point number), for [`buffer_segments`].
/// Points should be distinct; segments may repeat, run either way or have equal ends.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SegmentSet {
    /// The points (plane metres).
    pub points: Vec<[f64; 2]>,
    /// Segments as pairs of point numbers.
    pub segments: Vec<[u32; 2]>,
}

/// `b` grown by `r` on every side.
fn grown(b: [f64; 4], r: f64) -> [f64; 4] {
    [b[0] - r, b[1] - r, b[2] + r, b[3] + r]
}

/// [`buffer_lines_plane`] for segments whose end points are already numbered (no sorting of
/// points by coordinates): points without segments are buffered as discs.
///
/// # Errors
/// As [`buffer_lines_plane`].
pub fn buffer_segments(
    set: SegmentSet,
    radius: f64,
    arc_tolerance: f64,
) -> Result<Vec<PlanePolygon>, BufferError> {
    if radius.is_nan() || radius <= 0.0 {
        return Ok(Vec::new());
    }
    let Some(shapes) = Shapes::from_set(set, radius) else {
        return Ok(Vec::new());
    };
    let pieces = shapes.pieces();
    shapes.rings(pieces, arc_tolerance)
}

/// A segment of the prepared input.
#[derive(Debug, Clone, Copy)]
struct Seg {
    /// End points (vertex numbers), `a < b`.
    a: u32,
    b: u32,
    /// Unit direction from `a` to `b`.
    u: [f64; 2],
    /// Unit normal to the left of `u`.
    n: [f64; 2],
    /// Length.
    len: f64,
    /// Angle of `u` from east, radians.
    angle: f64,
}

/// An exposed arc of a vertex's circle: from angle `theta0`, `delta` radians counter-clockwise,
/// between two tangent events.
#[derive(Debug, Clone, Copy)]
struct ArcSpec {
    v: u32,
    theta0: f64,
    delta: f64,
    start: Key,
    end: Key,
}

/// The prepared input: distinct vertices, segments, exposed arcs, and a grid of the shapes.
struct Shapes {
    r: f64,
    pts: Vec<[f64; 2]>,
    segs: Vec<Seg>,
    arcs: Vec<ArcSpec>,
    /// Items: segments `0..S` (box of the segment grown by `r`), then vertices `S..S+V`.
    grid: Grid,
    /// Per vertex, the incident segment that owns its disk in grid queries (the first one),
    /// `u32::MAX` for a vertex without segments.
    owner: Vec<u32>,
    /// Vertices without segments, grid items `S..`.
    lone: Vec<u32>,
    /// Per vertex, its exposed arcs: `arcs[arc_first[v]..arc_first[v + 1]]` (a vertex has at
    /// most one arc wider than zero, and one of length zero per straight joint).
    arc_first: Vec<u32>,
}

/// What a piece of outline lies on.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Prim {
    /// Offset line number.
    Line(u32),
    /// The circle of a vertex.
    Arc(u32),
}

/// A piece of outline: from parameter `t0` to `t1` of its primitive (metres along a line from
/// its start, or absolute angles on a circle), from event `start` to event `end`, with the
/// union on its left.
#[derive(Debug, Clone, Copy)]
struct Piece {
    prim: Prim,
    t0: f64,
    t1: f64,
    start: Key,
    end: Key,
}

/// The union of the buffers of radius `radius` (round caps and joins) of `lines` (polylines of
/// plane points, metres), as polygons; arcs are drawn with chords of sagitta at most
/// `arc_tolerance`. Lines of one point, repeated points and repeated segments are harmless.
///
/// ```
/// use lifecircle::analysis::buffer::buffer_lines_plane;
/// // One 100 m segment buffered by 10 m: a 100 × 20 m rectangle and two half discs.
/// let polys = buffer_lines_plane(&[vec![[0.0, 0.0], [100.0, 0.0]]], 10.0, 0.01).unwrap();
/// assert_eq!(polys.len(), 1);
/// let exact = 2000.0 + std::f64::consts::PI * 100.0;
/// assert!((polys[0].area() - exact).abs() < 0.01 * 10.0 * 6.3);
/// ```
///
/// # Errors
/// [`BufferError::Unlinked`] when the outline cannot be closed into rings (see the module
/// documentation); the input is then degenerate beyond what rounding explains.
///
/// # Complexity
/// `O(n log n + n k)` for `n` segments, `k` the shapes within reach of a segment's sides.
pub fn buffer_lines_plane(
    lines: &[Vec<[f64; 2]>],
    radius: f64,
    arc_tolerance: f64,
) -> Result<Vec<PlanePolygon>, BufferError> {
    if radius.is_nan() || radius <= 0.0 {
        return Ok(Vec::new());
    }
    let Some(shapes) = Shapes::new(lines, radius) else {
        return Ok(Vec::new());
    };
    let pieces = shapes.pieces();
    shapes.rings(pieces, arc_tolerance)
}

impl Shapes {
    /// Distinct vertices (by exact coordinates, numbered in grid order), distinct segments,
    /// stars and the grid; `None` without any point.
    fn new(lines: &[Vec<[f64; 2]>], r: f64) -> Option<Shapes> {
        let mut extent = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for p in lines.iter().flatten() {
            if p[0].is_finite() && p[1].is_finite() {
                extent = [
                    extent[0].min(p[0]),
                    extent[1].min(p[1]),
                    extent[2].max(p[0]),
                    extent[3].max(p[1]),
                ];
            }
        }
        if !extent[0].is_finite() {
            return None;
        }
        let grid = Grid::new(grown(extent, r), 2.0 * r);
        // Distinct vertices: sort all points by grid cell (so that the items of a cell are
        // numbered together), then by their bits (−0.0 made 0.0 so that equal points are equal).
        let bits = |x: f64| if x == 0.0 { 0u64 } else { x.to_bits() };
        let mut all: Vec<(u64, [u64; 2], u32, u32)> = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            for (j, p) in l.iter().enumerate() {
                if p[0].is_finite() && p[1].is_finite() {
                    let key = grid.locality_key(*p);
                    all.push((key, [bits(p[0]), bits(p[1])], i as u32, j as u32));
                }
            }
        }
        all.sort_unstable();
        let mut pts: Vec<[f64; 2]> = Vec::new();
        let mut id: Vec<Vec<u32>> = lines.iter().map(|l| vec![u32::MAX; l.len()]).collect();
        for (k, a) in all.iter().enumerate() {
            if k == 0 || all[k - 1].1 != a.1 {
                pts.push([f64::from_bits(a.1[0]), f64::from_bits(a.1[1])]);
            }
            id[a.2 as usize][a.3 as usize] = (pts.len() - 1) as u32;
        }
        drop(all);
        let mut pairs: Vec<[u32; 2]> = Vec::new();
        for l in &id {
            for w in l.windows(2) {
                if w[0] != u32::MAX && w[1] != u32::MAX {
                    pairs.push([w[0], w[1]]);
                }
            }
        }
        Some(Shapes::indexed(
            SegmentSet {
                points: pts,
                segments: pairs,
            },
            r,
            grid,
        ))
    }

    /// The shapes of numbered points and segments (see [`SegmentSet`]), with a grid over
    /// `extent` (the points' box) unless one is given; `None` without points.
    fn from_set(set: SegmentSet, r: f64) -> Option<Shapes> {
        let mut extent = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for p in &set.points {
            extent = [
                extent[0].min(p[0]),
                extent[1].min(p[1]),
                extent[2].max(p[0]),
                extent[3].max(p[1]),
            ];
        }
        if !extent[0].is_finite() {
            return None;
        }
        let grid = Grid::new(grown(extent, r), 2.0 * r);
        Some(Shapes::indexed(set, r, grid))
    }

    /// Distinct segments (end points in increasing order), owners, lone points, the filled grid
    /// and the stars.
    fn indexed(set: SegmentSet, r: f64, mut grid: Grid) -> Shapes {
        let pts = set.points;
        let mut pairs: Vec<(u32, u32)> = set
            .segments
            .iter()
            .filter(|s| s[0] != s[1])
            .map(|s| (s[0].min(s[1]), s[0].max(s[1])))
            .collect();
        pairs.par_sort_unstable();
        pairs.dedup();
        let segs: Vec<Seg> = pairs
            .par_iter()
            .map(|&(a, b)| {
                let (p, q) = (pts[a as usize], pts[b as usize]);
                let d = [q[0] - p[0], q[1] - p[1]];
                let len = d[0].hypot(d[1]);
                let u = [d[0] / len, d[1] / len];
                Seg {
                    a,
                    b,
                    u,
                    n: [-u[1], u[0]],
                    len,
                    angle: u[1].atan2(u[0]),
                }
            })
            .collect();
        let mut owner = vec![u32::MAX; pts.len()];
        for (k, g) in segs.iter().enumerate() {
            for v in [g.a, g.b] {
                if owner[v as usize] == u32::MAX {
                    owner[v as usize] = k as u32;
                }
            }
        }
        let lone: Vec<u32> = (0..pts.len() as u32)
            .filter(|&v| owner[v as usize] == u32::MAX)
            .collect();
        let ns = segs.len();
        grid.fill(ns + lone.len(), |i| {
            let (p, q) = if i < ns {
                (pts[segs[i].a as usize], pts[segs[i].b as usize])
            } else {
                (pts[lone[i - ns] as usize], pts[lone[i - ns] as usize])
            };
            [
                p[0].min(q[0]) - r,
                p[1].min(q[1]) - r,
                p[0].max(q[0]) + r,
                p[1].max(q[1]) + r,
            ]
        });
        let mut shapes = Shapes {
            r,
            pts,
            segs,
            arcs: Vec::new(),
            grid,
            owner,
            lone,
            arc_first: Vec::new(),
        };
        shapes.arcs = shapes.stars();
        let mut first = vec![0u32; shapes.pts.len() + 1];
        for a in &shapes.arcs {
            first[a.v as usize + 1] += 1;
        }
        for v in 0..shapes.pts.len() {
            first[v + 1] += first[v];
        }
        shapes.arc_first = first;
        shapes
    }

    /// The exposed arc of every vertex that has one: the angular gap between consecutive
    /// incident segments that is wider than a half turn (or exactly a half turn, an arc of
    /// length zero), or the far side of a dead end, or the whole circle of a lone point.
    fn stars(&self) -> Vec<ArcSpec> {
        let nv = self.pts.len();
        let mut offsets = vec![0u32; nv + 1];
        for g in &self.segs {
            offsets[g.a as usize + 1] += 1;
            offsets[g.b as usize + 1] += 1;
        }
        for v in 0..nv {
            offsets[v + 1] += offsets[v];
        }
        let mut fill = offsets[..nv].to_vec();
        let mut inc = vec![0u32; offsets[nv] as usize];
        for (s, g) in self.segs.iter().enumerate() {
            for v in [g.a, g.b] {
                inc[fill[v as usize] as usize] = s as u32;
                fill[v as usize] += 1;
            }
        }
        const CHUNK: usize = 4096;
        let chunks: Vec<Vec<ArcSpec>> = (0..nv.div_ceil(CHUNK))
            .into_par_iter()
            .map(|k| {
                let mut arcs = Vec::new();
                let mut list = Vec::new();
                for v in k * CHUNK..((k + 1) * CHUNK).min(nv) {
                    list.clear();
                    list.extend_from_slice(&inc[offsets[v] as usize..offsets[v + 1] as usize]);
                    self.star(v, &mut list, &mut arcs);
                }
                arcs
            })
            .collect();
        chunks.concat()
    }

    /// The exposed arcs of vertex `v`, whose incident segments are `list` (sorted here), pushed
    /// onto `arcs`.
    fn star(&self, v: usize, list: &mut [u32], arcs: &mut Vec<ArcSpec>) {
        let c = self.pts[v];
        let far = |s: u32| {
            let g = &self.segs[s as usize];
            self.pts[if g.a as usize == v { g.b } else { g.a } as usize]
        };
        if list.is_empty() {
            // A lone point: its whole circle, from angle 0 back to 0, cut by others; its start
            // and end are one event.
            let k = Key::new(events::Kind::Tangent, 1, u32::MAX, v as u32);
            arcs.push(ArcSpec {
                v: v as u32,
                theta0: 0.0,
                delta: std::f64::consts::TAU,
                start: k,
                end: k,
            });
            return;
        }
        list.sort_by(|&s, &t| direction_order(c, far(s), far(t)));
        let n = list.len();
        for i in 0..n {
            let (s, t) = (list[i], list[(i + 1) % n]);
            let (p, q) = (far(s), far(t));
            let turn = if n == 1 {
                -1.0
            } else {
                robust::orient2d(
                    robust::Coord { x: c[0], y: c[1] },
                    robust::Coord { x: p[0], y: p[1] },
                    robust::Coord { x: q[0], y: q[1] },
                )
            };
            let same_way = n > 1
                && turn == 0.0
                && (p[0] - c[0]) * (q[0] - c[0]) + (p[1] - c[1]) * (q[1] - c[1]) > 0.0;
            if turn > 0.0 || same_way {
                continue; // a gap narrower than a half turn: no arc
            }
            // Left of the outgoing direction of s, right of the outgoing direction of t.
            let (gs, gt) = (&self.segs[s as usize], &self.segs[t as usize]);
            let left_s = if gs.a as usize == v { 1.0 } else { -1.0 };
            let right_t = if gt.a as usize == v { -1.0 } else { 1.0 };
            let start = Key::tangent(line_id(s as usize, left_s), v as u32);
            let end = Key::tangent(line_id(t as usize, right_t), v as u32);
            let ps = self.event_point(start);
            let pe = self.event_point(end);
            let theta0 = (ps[1] - c[1]).atan2(ps[0] - c[0]);
            let delta = if turn == 0.0 && n > 1 {
                0.0
            } else {
                ((pe[1] - c[1]).atan2(pe[0] - c[0]) - theta0).rem_euclid(std::f64::consts::TAU)
            };
            arcs.push(ArcSpec {
                v: v as u32,
                theta0,
                delta,
                start,
                end,
            });
        }
    }

    /// Every outline piece: the uncovered parts of every offset line and exposed arc, in a
    /// deterministic order (lines by segment, then arcs by vertex).
    fn pieces(&self) -> Vec<Piece> {
        let nsegs = self.segs.len();
        // Segments (with the arcs of the end points they own), then the circles of lone points.
        let jobs = nsegs + self.lone.len();
        const CHUNK: usize = 2048;
        let chunks: Vec<Vec<Piece>> = (0..jobs.div_ceil(CHUNK))
            .into_par_iter()
            .map_init(cover::Scratch::new, |sc, chunk| {
                sc.restart(chunk as u32);
                let mut out = Vec::new();
                for j in chunk * CHUNK..((chunk + 1) * CHUNK).min(jobs) {
                    if j < nsegs {
                        self.cover_segment(j, sc, &mut out);
                    } else {
                        let v = self.lone[j - nsegs] as usize;
                        let k = self.arc_first[v] as usize;
                        self.cover_arc(&self.arcs[k], true, sc, &mut out);
                    }
                }
                out
            })
            .collect();
        chunks.concat()
    }
}

/// Orders directions from `c` to `p` and to `q` counter-clockwise from east, exactly.
fn direction_order(c: [f64; 2], p: [f64; 2], q: [f64; 2]) -> std::cmp::Ordering {
    // Upper half (angle in [0, π)) first; the sign of a difference of floats is exact.
    let half = |x: [f64; 2]| {
        let (dx, dy) = (x[0] - c[0], x[1] - c[1]);
        u8::from(!(dy > 0.0 || (dy == 0.0 && dx > 0.0)))
    };
    half(p).cmp(&half(q)).then_with(|| {
        let o = robust::orient2d(
            robust::Coord { x: c[0], y: c[1] },
            robust::Coord { x: p[0], y: p[1] },
            robust::Coord { x: q[0], y: q[1] },
        );
        // Counter-clockwise from p to q: p comes first.
        0.0f64.total_cmp(&o)
    })
}

#[cfg(test)]
mod tests;
