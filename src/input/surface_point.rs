//! A point on the surface of a ring: where an OSM way's facility or building is placed.
//!
//! The method is the one of `geo`'s `InteriorPoint` for polygons: a horizontal line through the
//! middle of the bounding box (moved half-way to the nearest vertex when a vertex lies on it)
//! crosses the ring; the midpoint of the longest piece of that line inside the ring is the
//! point. `geo` intersects every edge with every other edge and tests each candidate with a full
//! spatial relation, which took about 2 µs per building; here each edge is crossed with the line
//! once and the pieces inside are known from the crossings' order (even-odd rule), in time
//! linear in the edges plus the sort of the crossings.

use std::cmp::Ordering;

/// A point on the surface of the closed ring `ring` (first position equal to the last),
/// coordinates as given. `None` for a ring with fewer than four positions or one the line
/// through its middle does not cross in two places (no area, e.g. all positions on one line).
pub fn ring_surface_point(ring: &[[f64; 2]]) -> Option<[f64; 2]> {
    if ring.len() < 4 {
        return None;
    }
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for p in ring {
        lo = lo.min(p[1]);
        hi = hi.max(p[1]);
    }
    let mut y = (lo + hi) / 2.0;
    if ring.iter().any(|p| p[1] == y) {
        let nearest = ring
            .iter()
            .filter(|p| p[1] != y)
            .map(|p| p[1])
            .min_by(|a, b| {
                (a - y)
                    .abs()
                    .partial_cmp(&(b - y).abs())
                    .unwrap_or(Ordering::Less)
            });
        if let Some(n) = nearest {
            y = (y + n) / 2.0;
        }
    }
    let mut xs: Vec<f64> = ring
        .windows(2)
        .filter(|e| (e[0][1] < y) != (e[1][1] < y))
        .map(|e| crossing_x(e[0], e[1], y))
        .collect();
    if xs.len() < 2 {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    let mut best: Option<(f64, f64)> = None;
    for pair in xs.chunks_exact(2) {
        let length = pair[1] - pair[0];
        if best.is_none_or(|(l, _)| length > l) {
            best = Some((length, (pair[0] + pair[1]) / 2.0));
        }
    }
    best.map(|(_, x)| [x, y])
}

/// Where the edge from `a` to `b` (one end below `y`, the other not) crosses the horizontal line
/// at `y`; the result lies between the ends' x.
fn crossing_x(a: [f64; 2], b: [f64; 2], y: f64) -> f64 {
    let t = (y - a[1]) / (b[1] - a[1]);
    let x = a[0] + t * (b[0] - a[0]);
    x.clamp(a[0].min(b[0]), a[0].max(b[0]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Contains, InteriorPoint, LineString, Point, Polygon};
    use proptest::prelude::*;

    fn polygon(ring: &[[f64; 2]]) -> Polygon<f64> {
        Polygon::new(
            LineString::from(ring.iter().map(|p| (p[0], p[1])).collect::<Vec<_>>()),
            vec![],
        )
    }

    #[test]
    fn hand_worked_l_shape() {
        // An L: the line y = 1.5 (middle of 0..3) crosses the ring at x = 0 and x = 1;
        // the midpoint is (0.5, 1.5).
        let ring = [
            [0.0, 0.0],
            [3.0, 0.0],
            [3.0, 1.0],
            [1.0, 1.0],
            [1.0, 3.0],
            [0.0, 3.0],
            [0.0, 0.0],
        ];
        assert_eq!(ring_surface_point(&ring), Some([0.5, 1.5]));
        // A U opening upwards, with the line through its arms: the wider arm wins.
        let u = [
            [0.0, 0.0],
            [5.0, 0.0],
            [5.0, 4.0],
            [2.0, 4.0],
            [2.0, 1.0],
            [1.0, 1.0],
            [1.0, 4.0],
            [0.0, 4.0],
            [0.0, 0.0],
        ];
        assert_eq!(ring_surface_point(&u), Some([3.5, 2.0]));
    }

    #[test]
    fn vertex_on_the_middle_line_moves_the_line() {
        // A diamond: the middle line y = 1 passes through two vertices; it moves half-way to
        // the nearest other y (0 or 2 are equally near: the first found, 0), so y = 0.5, where
        // the diamond spans x 0.5..1.5.
        let ring = [[1.0, 0.0], [2.0, 1.0], [1.0, 2.0], [0.0, 1.0], [1.0, 0.0]];
        assert_eq!(ring_surface_point(&ring), Some([1.0, 0.5]));
    }

    #[test]
    fn no_area_gives_none() {
        let ring = [[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [0.0, 0.0]];
        assert_eq!(ring_surface_point(&ring), None);
        assert_eq!(
            ring_surface_point(&[[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]]),
            None
        );
    }

    proptest! {
        /// Star-shaped rings around a point (no self-crossings): the point is inside the
        /// polygon and agrees with `geo`'s interior point to rounding.
        #[test]
        fn inside_and_as_geo(
            cx in 9.0f64..10.0, cy in 47.0f64..48.0,
            radii in prop::collection::vec(1e-5f64..1e-3, 3..40),
        ) {
            let n = radii.len();
            let mut ring: Vec<[f64; 2]> = radii
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let a = i as f64 / n as f64 * std::f64::consts::TAU;
                    [cx + r * a.cos(), cy + r * a.sin()]
                })
                .collect();
            ring.push(ring[0]);
            let poly = polygon(&ring);
            let got = ring_surface_point(&ring).expect("a star has area");
            prop_assert!(poly.contains(&Point::new(got[0], got[1])));
            let want = poly.interior_point().expect("geo finds one");
            prop_assert!((got[0] - want.x()).abs() <= 1e-12, "{got:?} {want:?}");
            prop_assert_eq!(got[1], want.y());
        }
    }
}
