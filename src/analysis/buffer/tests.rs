//! The union against brute force: distances from sample points to the segments decide which
//! points must be inside and which outside.

use super::*;
use proptest::prelude::*;

/// Distance from `p` to segment `a`–`b`.
fn seg_dist(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let d = [b[0] - a[0], b[1] - a[1]];
    let l2 = d[0] * d[0] + d[1] * d[1];
    let t = if l2 > 0.0 {
        (((p[0] - a[0]) * d[0] + (p[1] - a[1]) * d[1]) / l2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (p[0] - a[0] - t * d[0]).hypot(p[1] - a[1] - t * d[1])
}

fn dist(p: [f64; 2], lines: &[Vec<[f64; 2]>]) -> f64 {
    let mut best = f64::INFINITY;
    for l in lines {
        if l.len() == 1 {
            best = best.min((p[0] - l[0][0]).hypot(p[1] - l[0][1]));
        }
        for w in l.windows(2) {
            best = best.min(seg_dist(p, w[0], w[1]));
        }
    }
    best
}

/// Crossing-number test on every ring of every polygon.
fn inside(p: [f64; 2], polys: &[PlanePolygon]) -> bool {
    let mut crossings = 0;
    for poly in polys {
        for ring in std::iter::once(&poly.exterior).chain(&poly.holes) {
            for w in ring.windows(2) {
                let (a, b) = (w[0], w[1]);
                if (a[1] > p[1]) != (b[1] > p[1]) {
                    let x = a[0] + (p[1] - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
                    if x > p[0] {
                        crossings += 1;
                    }
                }
            }
        }
    }
    crossings % 2 == 1
}

/// Checks the union of `lines` by `r` against brute force: every outline vertex lies on the
/// exact outline (distance `r` to the lines, within rounding), every outline edge's midpoint
/// within the arc tolerance inside it, and sample points at least `tol` inside (outside) the
/// exact buffer are inside (outside) the polygons. Returns the polygons.
fn check(lines: &[Vec<[f64; 2]>], r: f64, tol: f64, samples: &[[f64; 2]]) -> Vec<PlanePolygon> {
    let polys = buffer_lines_plane(lines, r, tol).expect("rings close");
    let eps = 1e-6 * r;
    for poly in &polys {
        assert!(ring_area(&poly.exterior) > 0.0);
        for ring in std::iter::once(&poly.exterior).chain(&poly.holes) {
            assert_eq!(ring.first(), ring.last());
            for w in ring.windows(2) {
                let d = dist(w[0], lines);
                assert!(
                    (d - r).abs() <= eps,
                    "vertex {:?} at {d} from the lines",
                    w[0]
                );
                let m = [0.5 * (w[0][0] + w[1][0]), 0.5 * (w[0][1] + w[1][1])];
                let dm = dist(m, lines);
                assert!(
                    dm <= r + eps && dm >= r - tol - eps,
                    "edge midpoint {m:?} at {dm}"
                );
            }
        }
        for h in &poly.holes {
            assert!(ring_area(h) < 0.0);
        }
    }
    for &p in samples {
        let d = dist(p, lines);
        if d < r - tol - eps {
            assert!(inside(p, &polys), "{p:?} at {d} < r should be inside");
        } else if d > r + eps {
            assert!(!inside(p, &polys), "{p:?} at {d} > r should be outside");
        }
    }
    polys
}

fn grid_samples(b: [f64; 4], n: usize) -> Vec<[f64; 2]> {
    let mut v = Vec::new();
    for i in 0..n {
        for j in 0..n {
            v.push([
                b[0] + (b[2] - b[0]) * (i as f64 + 0.37) / n as f64,
                b[1] + (b[3] - b[1]) * (j as f64 + 0.61) / n as f64,
            ]);
        }
    }
    v
}

#[test]
fn one_segment_is_a_capsule() {
    let lines = vec![vec![[0.0, 0.0], [100.0, 0.0]]];
    let polys = check(
        &lines,
        10.0,
        0.01,
        &grid_samples([-15.0, -15.0, 115.0, 15.0], 60),
    );
    assert_eq!(polys.len(), 1);
    assert!(polys[0].holes.is_empty());
    let exact = 2000.0 + std::f64::consts::PI * 100.0;
    // Chords lie inside their arcs by at most the tolerance: the area is short by at most the
    // arc length times the tolerance.
    let a = polys[0].area();
    assert!(
        a <= exact && a >= exact - 0.01 * std::f64::consts::TAU * 10.0,
        "{a} vs {exact}"
    );
}

#[test]
fn a_square_block_leaves_a_hole() {
    // A 300 m square street block buffered by 50 m: a 200 m square hole with sharp corners.
    let sq = vec![
        [0.0, 0.0],
        [300.0, 0.0],
        [300.0, 300.0],
        [0.0, 300.0],
        [0.0, 0.0],
    ];
    let polys = check(
        &[sq],
        50.0,
        0.1,
        &grid_samples([-60.0, -60.0, 360.0, 360.0], 50),
    );
    assert_eq!(polys.len(), 1);
    assert_eq!(polys[0].holes.len(), 1);
    assert!((ring_area(&polys[0].holes[0]) + 200.0 * 200.0).abs() < 1e-6);
}

#[test]
fn straight_joints_crossings_without_nodes_and_repeats() {
    let lines = vec![
        // A straight street cut into three pieces (straight joints), repeated once.
        vec![[0.0, 0.0], [50.0, 0.0], [120.0, 0.0], [200.0, 0.0]],
        vec![[50.0, 0.0], [120.0, 0.0]],
        // A bridge over it with no shared node, and a T-junction ending on it mid-segment.
        vec![[80.0, -100.0], [90.0, 100.0]],
        vec![[160.0, 0.0], [160.0, 90.0]],
        // A lone point and a zero-length line.
        vec![[400.0, 0.0]],
        vec![[300.0, 300.0], [300.0, 300.0]],
    ];
    let polys = check(
        &lines,
        20.0,
        0.05,
        &grid_samples([-30.0, -130.0, 430.0, 330.0], 90),
    );
    assert_eq!(
        polys.len(),
        3,
        "street network, lone point, zero-length line"
    );
}

#[test]
fn nothing_gives_nothing() {
    assert!(buffer_lines_plane(&[], 10.0, 0.1).unwrap().is_empty());
    assert!(
        buffer_lines_plane(&[vec![[0.0, 0.0], [1.0, 0.0]]], 0.0, 0.1)
            .unwrap()
            .is_empty()
    );
}

/// A random street network: `n` points in a 600 m square, joined to a few near neighbours,
/// some chains of shape points.
fn network(points: Vec<(f64, f64)>, links: Vec<(usize, usize)>) -> Vec<Vec<[f64; 2]>> {
    let pts: Vec<[f64; 2]> = points.iter().map(|&(x, y)| [x, y]).collect();
    links
        .into_iter()
        .map(|(a, b)| vec![pts[a % pts.len()], pts[b % pts.len()]])
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn random_networks_match_brute_force(
        points in proptest::collection::vec((0.0f64..600.0, 0.0f64..600.0), 2..40),
        links in proptest::collection::vec((0usize..40, 0usize..40), 1..60),
        r in 3.0f64..80.0,
    ) {
        let lines = network(points, links);
        let samples = grid_samples([-90.0, -90.0, 690.0, 690.0], 70);
        check(&lines, r, 0.05 * r.min(4.0), &samples);
    }

    /// Streets on a jittered grid (many near-parallel and near-straight joints).
    #[test]
    fn jittered_grids_match_brute_force(
        jitter in proptest::collection::vec((-3.0f64..3.0, -3.0f64..3.0), 36),
        block in 40.0f64..160.0,
        r in 10.0f64..70.0,
    ) {
        let p = |i: usize, j: usize| {
            let (dx, dy) = jitter[i * 6 + j];
            [i as f64 * block + dx, j as f64 * block + dy]
        };
        let mut lines = Vec::new();
        for i in 0..6 {
            lines.push((0..6).map(|j| p(i, j)).collect::<Vec<_>>());
            lines.push((0..6).map(|j| p(j, i)).collect::<Vec<_>>());
        }
        let e = 5.0 * block;
        let samples = grid_samples([-r - 5.0, -r - 5.0, e + r + 5.0, e + r + 5.0], 70);
        check(&lines, r, 0.1, &samples);
    }
}
