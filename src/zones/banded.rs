//! Point-in-polygon tests for many points against the same polygons: each ring's edges sorted
//! into horizontal bands, so that a test looks only at the edges of the point's band instead of
//! all of a sub-district boundary's thousands of edges.
//!
//! The answer is exactly that of geo's `Polygon::intersects(&Point)` (points on the boundary
//! count as inside): the same winding-number rule with the same robust orientation test, applied
//! to the edges whose vertical extent contains the point, which are the only edges that rule
//! ever counts. Holes are taken in order, as geo takes them.

use geo::kernels::{Kernel, Orientation};
use geo_types::{Coord, LineString, Polygon};

/// A polygon prepared for repeated point-in-polygon tests.
#[derive(Debug, Clone)]
pub struct BandedPolygon {
    /// The exterior ring, then the holes; `None` for a polygon without an exterior.
    rings: Option<Vec<BandedRing>>,
}

/// Where a point lies relative to a ring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    Inside,
    OnBoundary,
    Outside,
}

/// The edges of one closed ring, by horizontal band.
#[derive(Debug, Clone)]
struct BandedRing {
    /// A ring of a single point, compared directly.
    single: Option<Coord<f64>>,
    /// Bottom of the first band and bands per unit of y.
    y0: f64,
    per_y: f64,
    /// `offsets[b]..offsets[b + 1]` index the edges of band `b` in `edges`.
    offsets: Vec<u32>,
    edges: Vec<[Coord<f64>; 2]>,
}

/// Edges per band aimed at: fewer bands waste little memory, more bands shorten the scan.
const EDGES_PER_BAND: usize = 4;

impl BandedRing {
    fn new(ring: &LineString<f64>) -> BandedRing {
        let pts = &ring.0;
        let mut r = BandedRing {
            single: (pts.len() == 1).then(|| pts[0]),
            y0: 0.0,
            per_y: 0.0,
            offsets: vec![0, 0],
            edges: Vec::new(),
        };
        if pts.len() < 2 {
            return r;
        }
        let (lo, hi) = pts
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), c| {
                (lo.min(c.y), hi.max(c.y))
            });
        let lines = pts.len() - 1;
        let bands = (lines / EDGES_PER_BAND).max(1);
        r.y0 = lo;
        r.per_y = if hi > lo && hi.is_finite() && lo.is_finite() {
            bands as f64 / (hi - lo)
        } else {
            0.0
        };
        let nb = if r.per_y > 0.0 { bands } else { 1 };
        let range = |a: f64, b: f64| (r.band(a.min(b), nb), r.band(a.max(b), nb));
        let mut counts = vec![0u32; nb + 1];
        for w in pts.windows(2) {
            let (b0, b1) = range(w[0].y, w[1].y);
            for b in b0..=b1 {
                counts[b + 1] += 1;
            }
        }
        for b in 0..nb {
            counts[b + 1] += counts[b];
        }
        let mut next = counts.clone();
        let mut edges = vec![[Coord { x: 0.0, y: 0.0 }; 2]; counts[nb] as usize];
        for w in pts.windows(2) {
            let (b0, b1) = range(w[0].y, w[1].y);
            for slot in &mut next[b0..=b1] {
                edges[*slot as usize] = [w[0], w[1]];
                *slot += 1;
            }
        }
        r.offsets = counts;
        r.edges = edges;
        r
    }

    /// The band of height `y`, clamped to the ring's bands (`nb` of them). A point outside the
    /// ring's vertical extent lands in an end band, whose edges all reject it.
    fn band(&self, y: f64, nb: usize) -> usize {
        let b = ((y - self.y0) * self.per_y).floor();
        if b.is_nan() || b < 0.0 {
            0
        } else {
            (b as usize).min(nb - 1)
        }
    }

    /// geo's `coord_pos_relative_to_ring`, over the edges of the point's band.
    fn position(&self, c: Coord<f64>) -> Position {
        if let Some(p) = self.single {
            return if p == c {
                Position::OnBoundary
            } else {
                Position::Outside
            };
        }
        let nb = self.offsets.len() - 1;
        if self.edges.is_empty() {
            return Position::Outside;
        }
        let b = self.band(c.y, nb);
        let between = |v: f64, a: f64, b: f64| v >= a.min(b) && v <= a.max(b);
        let mut winding = 0i32;
        for &[start, end] in &self.edges[self.offsets[b] as usize..self.offsets[b + 1] as usize] {
            if start.y <= c.y {
                if end.y >= c.y {
                    let o = geo::kernels::RobustKernel::orient2d(start, end, c);
                    if o == Orientation::CounterClockwise && end.y != c.y {
                        winding += 1;
                    } else if o == Orientation::Collinear && between(c.x, start.x, end.x) {
                        return Position::OnBoundary;
                    }
                }
            } else if end.y <= c.y {
                let o = geo::kernels::RobustKernel::orient2d(start, end, c);
                if o == Orientation::Clockwise {
                    winding -= 1;
                } else if o == Orientation::Collinear && between(c.x, start.x, end.x) {
                    return Position::OnBoundary;
                }
            }
        }
        if winding == 0 {
            Position::Outside
        } else {
            Position::Inside
        }
    }
}

impl BandedPolygon {
    /// Prepares `polygon` (any coordinates; rings closed, as geo_types keeps them).
    pub fn new(polygon: &Polygon<f64>) -> BandedPolygon {
        if polygon.exterior().0.is_empty() {
            return BandedPolygon { rings: None };
        }
        let rings = std::iter::once(polygon.exterior())
            .chain(polygon.interiors())
            .map(BandedRing::new)
            .collect();
        BandedPolygon { rings: Some(rings) }
    }

    /// True when `p` (`[x, y]`) lies inside the polygon or on its boundary.
    pub fn intersects(&self, p: [f64; 2]) -> bool {
        let Some(rings) = &self.rings else {
            return false;
        };
        let c = Coord { x: p[0], y: p[1] };
        match rings[0].position(c) {
            Position::Outside => false,
            Position::OnBoundary => true,
            Position::Inside => {
                for hole in &rings[1..] {
                    match hole.position(c) {
                        Position::Outside => {}
                        Position::OnBoundary => return true,
                        Position::Inside => return false,
                    }
                }
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Intersects;
    use geo_types::Point;
    use proptest::prelude::*;

    /// A star-shaped ring around `(cx, cy)` with `n` vertices at radii from `radii`; snapped
    /// to a coarse grid so that points on edges and vertices occur.
    fn star(cx: f64, cy: f64, radii: &[f64]) -> LineString<f64> {
        let n = radii.len();
        let mut pts: Vec<(f64, f64)> = radii
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let a = i as f64 / n as f64 * std::f64::consts::TAU;
                (
                    ((cx + r * a.cos()) * 8.0).round() / 8.0,
                    ((cy + r * a.sin()) * 8.0).round() / 8.0,
                )
            })
            .collect();
        pts.push(pts[0]);
        LineString::from(pts)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Same answer as geo for polygons with holes (possibly self-touching after snapping to
        /// the grid), for points on a grid that hits vertices and edges, and random points.
        #[test]
        fn answers_exactly_like_geo(
            outer in prop::collection::vec(2.0f64..10.0, 3..40),
            holes in prop::collection::vec(prop::collection::vec(0.3f64..1.5, 3..10), 0..3),
            pts in prop::collection::vec((-12.0f64..12.0, -12.0f64..12.0), 1..60),
        ) {
            let interiors: Vec<LineString<f64>> = holes
                .iter()
                .enumerate()
                .map(|(k, h)| star(-1.5 + 1.5 * k as f64, 0.5, h))
                .collect();
            let poly = Polygon::new(star(0.0, 0.0, &outer), interiors);
            let banded = BandedPolygon::new(&poly);
            let grid = (-96..=96).step_by(3).flat_map(|i| {
                (-96..=96).step_by(3).map(move |j| (i as f64 / 8.0, j as f64 / 8.0))
            });
            let vertices: Vec<(f64, f64)> = poly
                .exterior()
                .0
                .iter()
                .chain(poly.interiors().iter().flat_map(|r| r.0.iter()))
                .map(|c| (c.x, c.y))
                .collect();
            for (x, y) in grid.chain(pts).chain(vertices) {
                prop_assert_eq!(
                    banded.intersects([x, y]),
                    poly.intersects(&Point::new(x, y)),
                    "point ({}, {})", x, y
                );
            }
        }
    }

    #[test]
    fn degenerate_polygons() {
        let empty = Polygon::new(LineString::<f64>::new(vec![]), vec![]);
        assert!(!BandedPolygon::new(&empty).intersects([0.0, 0.0]));
        let flat = Polygon::new(
            LineString::from(vec![(0.0, 1.0), (2.0, 1.0), (0.0, 1.0)]),
            vec![],
        );
        let b = BandedPolygon::new(&flat);
        for p in [[1.0, 1.0], [3.0, 1.0], [1.0, 1.5]] {
            assert_eq!(
                b.intersects(p),
                flat.intersects(&Point::new(p[0], p[1])),
                "{p:?}"
            );
        }
    }
}
