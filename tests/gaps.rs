//! Gap areas worked out by hand: demand points placed at known offsets (in metres) from a centre
//! near Guangzhou, with the expected cells, corner counts, holes and areas derived from the
//! geometry of a pointy-top hexagon of flat-to-flat size `s` (circumradius `R = s/√3`, area
//! `√3/2·s²`; cell `(q, r)` centred `s·(q + r/2)` east and `s·√3/2·r` north of the grid centre).
//! Ground areas and distances are measured with Karney's geodesic algorithms (geo), not with the
//! local plane the grid is built on.

use geo::{
    Area, BoundingRect, Distance, Euclidean, Geodesic, GeodesicArea, Intersects, LineString, Point,
    Polygon, Winding,
};
use lifecircle::analysis::gaps::{gap_areas, gap_areas_on, GapArea, HexGrid};
use lifecircle::geodesy::{metres_per_degree, LocalPlane};
use proptest::prelude::*;

const O: [f64; 2] = [113.26, 23.13];

fn sqrt3() -> f64 {
    3f64.sqrt()
}

/// The position `x` metres east and `y` metres north of `o`.
fn at(o: [f64; 2], x: f64, y: f64) -> [f64; 2] {
    let (kx, ky) = metres_per_degree(o[1]);
    [o[0] + x / kx, o[1] + y / ky]
}

fn cell_area(s: f64) -> f64 {
    sqrt3() / 2.0 * s * s
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs()
}

/// The corners of a closed ring without the repeated first one; checks that the ring is closed
/// and that no corner repeats.
fn corners(ring: &LineString<f64>) -> Vec<[f64; 2]> {
    let c = &ring.0;
    assert!(c.len() >= 4, "ring too short: {c:?}");
    assert_eq!(c[0], c[c.len() - 1], "ring not closed");
    let v: Vec<[f64; 2]> = c[..c.len() - 1].iter().map(|p| [p.x, p.y]).collect();
    let mut keys: Vec<(u64, u64)> = v.iter().map(|p| (p[0].to_bits(), p[1].to_bits())).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), v.len(), "repeated corner in {v:?}");
    v
}

fn pt(p: [f64; 2]) -> Point<f64> {
    Point::new(p[0], p[1])
}

fn ground(a: [f64; 2], b: [f64; 2]) -> f64 {
    Geodesic.distance(pt(a), pt(b))
}

/// Ground area enclosed by a ring of either orientation.
fn ring_area(ring: &LineString<f64>) -> f64 {
    Polygon::new(ring.clone(), vec![])
        .geodesic_area_signed()
        .abs()
}

#[test]
fn one_cell_is_a_regular_hexagon() {
    let s = 300.0;
    let areas = gap_areas(&[O], &[12.5], s);
    assert_eq!(areas.len(), 1);
    let a = &areas[0];
    assert_eq!((a.cells, a.points, a.population), (1, 1, 12.5));
    assert!(close(a.area_m2, cell_area(s), 1e-12));
    assert!(a.geometry.interiors().is_empty());
    assert_eq!(a.geometry.exterior().0.len(), 7);
    let v = corners(a.geometry.exterior());
    assert_eq!(v.len(), 6);
    assert!(a.geometry.exterior().is_ccw());
    // Area on the ellipsoid.
    let g = a.geometry.geodesic_area_unsigned();
    assert!(close(g, cell_area(s), 1e-4), "{g} vs {}", cell_area(s));
    // Every corner lies R = s/√3 from the point (the grid is centred on the only point), and
    // the midpoints of opposite edges lie s apart, up to the distortion of the tangent plane
    // (tan(23.13°) × R/2 / 6.37e6 m ≈ 6e-6 relative).
    for c in &v {
        let d = ground(O, *c);
        assert!(close(d, s / sqrt3(), 2e-5), "{d}");
    }
    let mid = |i: usize| {
        let (p, q) = (v[i % 6], v[(i + 1) % 6]);
        [0.5 * (p[0] + q[0]), 0.5 * (p[1] + q[1])]
    };
    for i in 0..3 {
        assert!(close(ground(mid(i), mid(i + 3)), s, 2e-5));
        // Adjacent corners are one side (= R) apart.
        assert!(close(ground(v[i], v[i + 1]), s / sqrt3(), 2e-5));
    }
}

#[test]
fn two_adjacent_cells_dissolve_into_ten_corners() {
    // Grid centre = centre of the bounding box = O. P1 and P2 lie in cell (0, 0); Q lies in
    // cell (0, 1), centred (s/2, 1.5 R): Q is (−0.2 s, −0.7 R) from that centre, inside the
    // hexagon with a margin of 0.05 s.
    let s = 200.0;
    let r = s / sqrt3();
    let p1 = at(O, -0.3 * s, 0.0);
    let p2 = at(O, 0.0, -0.8 * r);
    let q = at(O, 0.3 * s, 0.8 * r);
    let areas = gap_areas(&[p1, p2, q], &[1.0, 2.0, 4.0], s);
    assert_eq!(areas.len(), 1);
    let a = &areas[0];
    assert_eq!((a.cells, a.points, a.population), (2, 3, 7.0));
    assert!(close(a.area_m2, 2.0 * cell_area(s), 1e-12));
    assert!(a.geometry.interiors().is_empty());
    assert_eq!(corners(a.geometry.exterior()).len(), 10);
    assert!(a.geometry.exterior().is_ccw());
    assert!(close(
        a.geometry.geodesic_area_unsigned(),
        2.0 * cell_area(s),
        1e-4
    ));
    for p in [p1, p2, q] {
        assert!(a.geometry.intersects(&pt(p)));
    }
}

#[test]
fn far_apart_cells_are_separate_areas_sorted_by_population() {
    let s = 100.0;
    let west = at(O, -5.0 * s, 0.0); // centre of cell (−5, 0)
    let east = at(O, 5.0 * s, 0.0); // centre of cell (5, 0)
    let areas = gap_areas(&[west, east], &[3.0, 7.0], s);
    assert_eq!(areas.len(), 2);
    assert_eq!(areas[0].population, 7.0);
    assert_eq!(areas[1].population, 3.0);
    assert!(areas[0].geometry.intersects(&pt(east)));
    assert!(areas[1].geometry.intersects(&pt(west)));
    for a in &areas {
        assert_eq!((a.cells, a.points), (1, 1));
        assert_eq!(corners(a.geometry.exterior()).len(), 6);
    }
    // Equal populations: the smaller cell key, (−5, 0), comes first.
    let tied = gap_areas(&[east, west], &[5.0, 5.0], s);
    assert!(tied[0].geometry.intersects(&pt(west)));
    assert!(tied[1].geometry.intersects(&pt(east)));
}

#[test]
fn ring_of_six_cells_has_one_hole_of_one_cell() {
    let s = 250.0;
    let h = sqrt3() / 2.0 * s;
    // The centres of the six neighbours of the cell centred on O.
    let ring = [
        at(O, s, 0.0),
        at(O, -s, 0.0),
        at(O, 0.5 * s, h),
        at(O, -0.5 * s, h),
        at(O, 0.5 * s, -h),
        at(O, -0.5 * s, -h),
    ];
    let areas = gap_areas(&ring, &[1.0; 6], s);
    assert_eq!(areas.len(), 1);
    let a = &areas[0];
    assert_eq!((a.cells, a.points, a.population), (6, 6, 6.0));
    assert_eq!(a.geometry.interiors().len(), 1);
    let hole = &a.geometry.interiors()[0];
    assert_eq!(corners(hole).len(), 6);
    assert!(hole.is_cw());
    assert!(a.geometry.exterior().is_ccw());
    // The outline of seven cells in a flower: 6 × 3 corners.
    assert_eq!(corners(a.geometry.exterior()).len(), 18);
    assert!(close(ring_area(hole), cell_area(s), 1e-4));
    assert!(close(
        a.geometry.geodesic_area_unsigned(),
        6.0 * cell_area(s),
        1e-4
    ));
    assert!(!a.geometry.intersects(&pt(O)));
    for p in ring {
        assert!(a.geometry.intersects(&pt(p)));
    }

    // Filling the middle removes the hole.
    let mut all = ring.to_vec();
    all.push(O);
    let areas = gap_areas(&all, &[1.0; 7], s);
    assert_eq!(areas.len(), 1);
    assert_eq!(areas[0].cells, 7);
    assert!(areas[0].geometry.interiors().is_empty());
    assert_eq!(corners(areas[0].geometry.exterior()).len(), 18);
}

#[test]
fn points_on_cell_boundaries_go_to_exactly_one_cell() {
    let s = 120.0;
    let r = s / sqrt3();
    let grid = HexGrid::new(O, s);
    // The edge shared by (0, 0) and (1, 0) is the segment x = s/2, |y| ≤ R/2.
    let on_edge: Vec<[f64; 2]> = (-9..=9)
        .map(|k| at(O, 0.5 * s, f64::from(k) * 0.05 * r))
        .collect();
    // The corner (s/2, R/2) is shared by (0, 0), (1, 0) and (0, 1).
    let corner = at(O, 0.5 * s, 0.5 * r);
    let cases = on_edge
        .iter()
        .map(|&p| (p, vec![(0, 0), (1, 0)]))
        .chain(std::iter::once((corner, vec![(0, 0), (1, 0), (0, 1)])));
    for (p, allowed) in cases {
        let c = grid.cell_of(p);
        assert!(allowed.contains(&c), "{p:?} -> {c:?}");
        let areas = gap_areas_on(&grid, &[p], &[1.0]);
        assert_eq!(areas.len(), 1);
        assert_eq!((areas[0].cells, areas[0].points), (1, 1));
        assert_eq!(areas[0].geometry, grid.polygon(c));
        let d = Euclidean.distance(&pt(p), &areas[0].geometry);
        assert!(d < 1e-10, "{p:?} is {d} degrees from its cell");
    }
    let mut all = on_edge.clone();
    all.push(corner);
    let areas = gap_areas_on(&grid, &all, &vec![1.0; all.len()]);
    assert_eq!(areas.iter().map(|a| a.points).sum::<usize>(), all.len());
    assert_eq!(areas.len(), 1);
}

#[test]
fn empty_and_non_finite_input() {
    assert!(gap_areas(&[], &[], 100.0).is_empty());
    assert!(gap_areas(&[[f64::NAN, 23.0]], &[1.0], 100.0).is_empty());
    let areas = gap_areas(
        &[[f64::NAN, 23.0], O, [113.0, f64::INFINITY]],
        &[1.0; 3],
        100.0,
    );
    assert_eq!(areas.len(), 1);
    assert_eq!((areas[0].points, areas[0].population), (1, 1.0));
}

#[test]
#[should_panic(expected = "one weight per demand point")]
fn weights_must_match_points() {
    gap_areas(&[O], &[], 100.0);
}

#[test]
#[should_panic(expected = "cell size")]
fn cell_size_must_be_positive() {
    gap_areas(&[O], &[1.0], 0.0);
}

/// Small deterministic generator (xorshift64*), uniform in [0, 1).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn ten_thousand_random_points() {
    let s = 150.0;
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let n = 10_000;
    let points: Vec<[f64; 2]> = (0..n)
        .map(|_| {
            at(
                O,
                (rng.next() - 0.5) * 20_000.0,
                (rng.next() - 0.5) * 20_000.0,
            )
        })
        .collect();
    let weights: Vec<f64> = (0..n).map(|_| (1.0 + 9.0 * rng.next()).floor()).collect();
    let areas = gap_areas(&points, &weights, s);

    // Totals (integer weights: the sums are exact).
    assert_eq!(areas.iter().map(|a| a.points).sum::<usize>(), n);
    assert_eq!(
        areas.iter().map(|a| a.population).sum::<f64>(),
        weights.iter().sum::<f64>()
    );
    assert!(areas.len() > 100);
    assert!(areas.iter().any(|a| !a.geometry.interiors().is_empty()));
    assert!(areas.windows(2).all(|w| w[0].population >= w[1].population));

    // Every point lies in exactly one area, and each area counts exactly the points inside it.
    let rects: Vec<_> = areas
        .iter()
        .map(|a| a.geometry.bounding_rect().unwrap())
        .collect();
    let mut counted = vec![(0usize, 0.0f64); areas.len()];
    for (p, w) in points.iter().zip(&weights) {
        let hits: Vec<usize> = (0..areas.len())
            .filter(|&i| rects[i].intersects(&pt(*p)) && areas[i].geometry.intersects(&pt(*p)))
            .collect();
        assert_eq!(hits.len(), 1, "{p:?} lies in areas {hits:?}");
        counted[hits[0]].0 += 1;
        counted[hits[0]].1 += w;
    }
    for (a, c) in areas.iter().zip(&counted) {
        assert_eq!((a.points, a.population), *c);
    }

    // Outlines are exact: on the grid's plane (tangent at the centre of the bounding box) the
    // polygon's area is exactly cells × cell area; on the ellipsoid within the plane's
    // distortion (under 1e-3 within 10 km of the centre at 23°N).
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in &points {
        for k in 0..2 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    let plane = LocalPlane::new([0.5 * (lo[0] + hi[0]), 0.5 * (lo[1] + hi[1])]);
    let to_plane = |ls: &LineString<f64>| -> LineString<f64> {
        ls.0.iter()
            .map(|c| {
                let [x, y] = plane.project([c.x, c.y]);
                (x, y)
            })
            .collect::<Vec<_>>()
            .into()
    };
    for a in &areas {
        assert!(close(a.area_m2, a.cells as f64 * cell_area(s), 1e-12));
        assert!(a.geometry.exterior().is_ccw());
        corners(a.geometry.exterior());
        for h in a.geometry.interiors() {
            assert!(h.is_cw());
            corners(h);
        }
        let planar = Polygon::new(
            to_plane(a.geometry.exterior()),
            a.geometry.interiors().iter().map(to_plane).collect(),
        );
        assert!(close(planar.unsigned_area(), a.area_m2, 1e-9));
        assert!(close(a.geometry.geodesic_area_unsigned(), a.area_m2, 1e-3));
    }

    // The input order does not matter.
    let rev_points: Vec<[f64; 2]> = points.iter().rev().copied().collect();
    let rev_weights: Vec<f64> = weights.iter().rev().copied().collect();
    let again: Vec<GapArea> = gap_areas(&rev_points, &rev_weights, s);
    assert_eq!(again, areas);
}

proptest! {
    #[test]
    fn cell_of_is_the_nearest_cell_centre(
        lon in -179.0f64..179.0, lat in -70.0f64..70.0, s in 20.0f64..2000.0,
        fx in -30.0f64..30.0, fy in -30.0f64..30.0,
    ) {
        let centre = [lon, lat];
        let grid = HexGrid::new(centre, s);
        let (x, y) = (fx * s, fy * s);
        let (q, r) = grid.cell_of(at(centre, x, y));
        let h = sqrt3() / 2.0 * s;
        let dist = |q: i32, r: i32| {
            (x - s * (f64::from(q) + 0.5 * f64::from(r))).hypot(y - h * f64::from(r))
        };
        let mut best = f64::INFINITY;
        for rr in -40..=40 {
            for qq in -60..=60 {
                best = best.min(dist(qq, rr));
            }
        }
        prop_assert!(dist(q, r) <= best + 1e-9 * s, "({q}, {r}) {} vs {best}", dist(q, r));
    }

    #[test]
    fn centre_of_a_cell_polygon_is_in_that_cell(
        lon in -179.0f64..179.0, lat in -70.0f64..70.0, s in 5.0f64..5000.0,
        q in -2000i32..2000, r in -2000i32..2000,
    ) {
        let grid = HexGrid::new([lon, lat], s);
        let poly = grid.polygon((q, r));
        let v = corners(poly.exterior());
        prop_assert_eq!(v.len(), 6);
        let c = [
            v.iter().map(|p| p[0]).sum::<f64>() / 6.0,
            v.iter().map(|p| p[1]).sum::<f64>() / 6.0,
        ];
        prop_assert_eq!(grid.cell_of(c), (q, r));
        prop_assert_eq!(grid.cell_of(grid.centre((q, r))), (q, r));
    }

    #[test]
    fn totals_are_kept(
        pts in prop::collection::vec((-3000.0f64..3000.0, -3000.0f64..3000.0, 0.0f64..100.0), 1..300),
        s in 50.0f64..800.0,
    ) {
        let points: Vec<[f64; 2]> = pts.iter().map(|&(x, y, _)| at(O, x, y)).collect();
        let weights: Vec<f64> = pts.iter().map(|&(_, _, w)| w).collect();
        let areas = gap_areas(&points, &weights, s);
        let total: f64 = weights.iter().sum();
        let got: f64 = areas.iter().map(|a| a.population).sum();
        prop_assert!((got - total).abs() <= 1e-9 * total.max(1.0));
        prop_assert_eq!(areas.iter().map(|a| a.points).sum::<usize>(), points.len());
        prop_assert!(areas.iter().all(|a| a.cells >= 1 && a.points >= a.cells));
        prop_assert!(areas.windows(2).all(|w| w[0].population >= w[1].population));
    }
}
