//! Service areas against reach worked out by hand on a small graph, walked at 1 m/s.
//!
//! ```text
//!   C
//!   │ 100 m
//!   B ──── D      (BD: 100 m east)
//!   │ 100 m
//!   A  facility at A (or 30 m up AB, 5 m to the east of it)
//! ```
//!
//! Every street is exactly 100 m of ground length (the points are placed by iterating
//! `ground_distance`). Within 140 s of A: all of AB (100 s), then 40 s left at B, so 40 m of BC
//! and 40 m of BD — partly reached edges contribute exactly their reached 40 m.

use geo::{Contains, GeodesicArea};
use lifecircle::analysis::service_area::{
    buffer_lines, service_area, Reach, ServiceAreaSearch, Span,
};
use lifecircle::geodesy::{ground_distance, metres_per_degree, polyline_length};
use lifecircle::network::{build_network, KeepComponents, Network, RawNetwork, WayAccess};
use lifecircle::network::{SnapResult, Snapper};
use lifecircle::route::access::OnEdge;
use std::f64::consts::PI;

/// The point `m` metres of ground length north (`dir = [0, 1]`) or east (`[1, 0]`) of `p`
/// (south or west for negative `m`).
fn step(p: [f64; 2], m: f64, dir: [f64; 2]) -> [f64; 2] {
    let (kx, ky) = metres_per_degree(p[1]);
    let mut q = [p[0] + dir[0] * m / kx, p[1] + dir[1] * m / ky];
    for _ in 0..20 {
        let d = ground_distance(p, q);
        let k = m.abs() / d;
        q = [p[0] + (q[0] - p[0]) * k, p[1] + (q[1] - p[1]) * k];
    }
    assert!((ground_distance(p, q) - m.abs()).abs() < 1e-9);
    q
}

const NORTH: [f64; 2] = [0.0, 1.0];
const EAST: [f64; 2] = [1.0, 0.0];

struct Town {
    net: Network,
    a: [f64; 2],
    b: [f64; 2],
    c: [f64; 2],
    d: [f64; 2],
}

fn town(bd_forward: bool, bd_backward: bool) -> Town {
    let a = [113.0, 23.0];
    let b = step(a, 100.0, NORTH);
    let c = step(b, 100.0, NORTH);
    let d = step(b, 100.0, EAST);
    let both = WayAccess {
        forward: true,
        backward: true,
        speed_mps: 1.0,
    };
    let mut raw = RawNetwork::new();
    raw.push_way(1, &[a, b], &[1, 2], both);
    raw.push_way(2, &[b, c], &[2, 3], both);
    let bd = WayAccess {
        forward: bd_forward,
        backward: bd_backward,
        speed_mps: 1.0,
    };
    raw.push_way(3, &[b, d], &[2, 4], bd);
    let net = build_network(&raw, KeepComponents::All).unwrap();
    assert_eq!(net.edge_count(), 3);
    for l in &net.edges.length_m {
        assert!((l - 100.0).abs() < 1e-9, "{l}");
    }
    Town { net, a, b, c, d }
}

fn snap(net: &Network, p: [f64; 2], facility: u32) -> OnEdge {
    match Snapper::new(net, 500.0).snap(p) {
        SnapResult::Snapped(s) => OnEdge::new(&s, facility),
        SnapResult::TooFar(m) => panic!("too far: {m}"),
    }
}

/// The edge between two points, in either direction.
fn edge(net: &Network, p: [f64; 2], q: [f64; 2]) -> u32 {
    (0..net.edge_count())
        .find(|&e| {
            let g = net.edges.geometry(e);
            let (s, t) = (g[0], g[g.len() - 1]);
            (s == p && t == q) || (s == q && t == p)
        })
        .expect("edge exists") as u32
}

/// The span of `reach` on edge `e`, as ground metres from point `from` (either end of `e`).
fn span_from(net: &Network, reach: &Reach, e: u32, from: [f64; 2]) -> (f64, f64) {
    let s: Vec<&Span> = reach.spans.iter().filter(|s| s.edge == e).collect();
    assert_eq!(s.len(), 1, "one span on edge {e}: {:?}", reach.spans);
    let len = net.edges.length_m[e as usize];
    if net.edges.geometry(e as usize)[0] == from {
        (s[0].start_m, s[0].end_m)
    } else {
        (len - s[0].end_m, len - s[0].start_m)
    }
}

fn close(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "{a} vs {b}");
}

#[test]
fn partly_reached_edges_contribute_exactly_their_reached_part() {
    let t = town(true, true);
    let f = snap(&t.net, t.a, 0);
    assert_eq!(f.access_m, 0.0);
    let mut search = ServiceAreaSearch::new(&t.net);
    let reaches = search.run(&t.net, &[f], 1.0, &[50.0, 140.0, 1000.0]);
    let [r50, r140, r_all] = [&reaches[0], &reaches[1], &reaches[2]];

    // 50 s: half of AB.
    assert_eq!(r50.spans.len(), 1);
    let ab = edge(&t.net, t.a, t.b);
    let (s, e) = span_from(&t.net, r50, ab, t.a);
    close(s, 0.0, 1e-12);
    close(e, 50.0, 1e-9);

    // 140 s: AB whole, 40 m of BC and of BD, from B.
    assert_eq!(r140.spans.len(), 3);
    close(r140.length_m(), 180.0, 1e-9);
    let (bc, bd) = (edge(&t.net, t.b, t.c), edge(&t.net, t.b, t.d));
    let (s, e) = span_from(&t.net, r140, ab, t.a);
    close(s, 0.0, 1e-12);
    close(e, 100.0, 1e-9);
    for (edge_id, far, dir) in [(bc, t.c, NORTH), (bd, t.d, EAST)] {
        let (s, e) = span_from(&t.net, r140, edge_id, t.b);
        close(s, 0.0, 1e-9);
        close(e, 40.0, 1e-9);
        // The reached line runs from B for exactly 40 m of ground towards the far end.
        let i = r140.spans.iter().position(|s| s.edge == edge_id).unwrap();
        let line = &r140.lines(&t.net)[i];
        assert_eq!(line.len(), 2);
        let (near, cut) = if line[0] == t.b {
            (line[0], line[1])
        } else {
            (line[1], line[0])
        };
        assert_eq!(near, t.b);
        close(polyline_length(line), 40.0, 1e-9);
        close(ground_distance(t.b, cut), 40.0, 1e-9);
        close(ground_distance(cut, far), 60.0, 1e-9);
        let expected = step(t.b, 40.0, dir);
        close(cut[0], expected[0], 1e-12);
        close(cut[1], expected[1], 1e-12);
    }

    // 1000 s: everything.
    close(r_all.length_m(), 300.0, 1e-9);
    assert_eq!(r_all.spans.len(), 3);
}

#[test]
fn buffered_area_matches_the_hand_worked_shape() {
    let t = town(true, true);
    let f = snap(&t.net, t.a, 0);
    let reach = ServiceAreaSearch::new(&t.net)
        .run(&t.net, &[f], 1.0, &[140.0])
        .remove(0);
    let w = 10.0;
    let area = service_area(&t.net, &reach, w);
    close(area.street_length_m, 180.0, 1e-9);
    // A straight 140 m stroke (A to 40 m past B) with round ends: 2·w·140 + π·w²; plus the
    // 40 m branch east of B outside that stroke: (40 − w)·2·w and a half disc π·w²/2.
    let expected = 2.0 * w * 140.0 + PI * w * w + (40.0 - w) * 2.0 * w + PI * w * w / 2.0;
    assert_eq!(area.geometry.0.len(), 1, "one dissolved polygon");
    assert!(
        (area.area_m2 - expected).abs() < 0.005 * expected,
        "{} vs {expected}",
        area.area_m2
    );
    // The same on the ellipsoid, from the WGS84 polygon.
    let geodesic = area.geometry.geodesic_area_unsigned();
    assert!((geodesic / area.area_m2 - 1.0).abs() < 1e-3, "{geodesic}");
    // Inside: 9 m east of the middle of AB, 45 m east of B; outside: 55 m east of B,
    // 11 m west of AB, 45 m north of B plus 11 m.
    let mid_ab = step(t.a, 50.0, NORTH);
    let inside = [step(mid_ab, 9.0, EAST), step(t.b, 45.0, EAST)];
    let outside = [
        step(t.b, 55.0, EAST),
        step(mid_ab, -11.0, EAST),
        step(step(t.b, 40.0, NORTH), 11.0, EAST),
    ];
    for p in inside {
        assert!(
            area.geometry.contains(&geo::Point::new(p[0], p[1])),
            "{p:?}"
        );
    }
    for p in outside {
        assert!(
            !area.geometry.contains(&geo::Point::new(p[0], p[1])),
            "{p:?}"
        );
    }
}

#[test]
fn facility_in_the_middle_of_a_street_reaches_both_ways() {
    let t = town(true, true);
    // 30 m up AB, 5 m east of it: access leg 5 m.
    let p = step(step(t.a, 30.0, NORTH), 5.0, EAST);
    let f = snap(&t.net, p, 0);
    close(f.access_m, 5.0, 1e-6);
    let r = ServiceAreaSearch::new(&t.net)
        .run(&t.net, &[f], 1.0, &[50.0, 80.0])
        .into_iter()
        .collect::<Vec<_>>();
    let ab = edge(&t.net, t.a, t.b);
    // 50 s: 45 s left after the access leg: down to A (30 m), up to 75 m.
    assert_eq!(r[0].spans.len(), 1);
    let (s, e) = span_from(&t.net, &r[0], ab, t.a);
    close(s, 0.0, 1e-9);
    close(e, 75.0, 1e-6);
    // 80 s: 75 s left: all of AB (B at 5 + 70 s), then 5 m beyond B on BC and BD.
    close(r[1].length_m(), 110.0, 1e-6);
    let bc = edge(&t.net, t.b, t.c);
    let (s, e) = span_from(&t.net, &r[1], bc, t.b);
    close(s, 0.0, 1e-9);
    close(e, 5.0, 1e-6);
}

#[test]
fn a_category_searches_from_all_its_facilities() {
    let t = town(true, true);
    let fa = snap(&t.net, t.a, 0);
    let fc = snap(&t.net, t.c, 1);
    let r = ServiceAreaSearch::new(&t.net).run(&t.net, &[fa, fc], 1.0, &[60.0, 100.0]);
    // 60 s: 60 m from A and 60 m from C; B is not reached.
    close(r[0].length_m(), 120.0, 1e-9);
    let (ab, bc) = (edge(&t.net, t.a, t.b), edge(&t.net, t.b, t.c));
    close(span_from(&t.net, &r[0], ab, t.a).1, 60.0, 1e-9);
    close(span_from(&t.net, &r[0], bc, t.c).1, 60.0, 1e-9);
    // 100 s: AB and BC whole; B is reached with no time left, so nothing of BD.
    close(r[1].length_m(), 200.0, 1e-9);
    assert!(r[1].spans.iter().all(|s| s.edge != edge(&t.net, t.b, t.d)));
}

#[test]
fn one_way_streets_count_in_the_direction_towards_the_facility() {
    // BD may only be travelled from B to D: from a point on BD nobody can walk back to B, so
    // none of it is within reach of the facility at A (D is a dead end).
    let t = town(true, false);
    let f = snap(&t.net, t.a, 0);
    let r = ServiceAreaSearch::new(&t.net)
        .run(&t.net, &[f], 1.0, &[1000.0])
        .remove(0);
    let bd = edge(&t.net, t.b, t.d);
    assert!(r.spans.iter().all(|s| s.edge != bd), "{:?}", r.spans);
    close(r.length_m(), 200.0, 1e-9);
    // Only from D to B: the whole of BD leads to B, 40 m of it within 140 s.
    let t = town(false, true);
    let f = snap(&t.net, t.a, 0);
    let r = ServiceAreaSearch::new(&t.net)
        .run(&t.net, &[f], 1.0, &[140.0])
        .remove(0);
    let bd = edge(&t.net, t.b, t.d);
    close(span_from(&t.net, &r, bd, t.b).1, 40.0, 1e-9);
}

#[test]
fn nothing_reached_gives_an_empty_area() {
    let t = town(true, true);
    let far = step(t.a, 20.0, EAST);
    let f = snap(&t.net, far, 0); // access leg 20 m
    let r = ServiceAreaSearch::new(&t.net)
        .run(&t.net, &[f], 1.0, &[10.0])
        .remove(0);
    assert!(r.is_empty());
    let area = service_area(&t.net, &r, 50.0);
    assert!(area.geometry.0.is_empty());
    assert_eq!(area.area_m2, 0.0);
    assert!(buffer_lines(&[], 50.0).0 .0.is_empty());
}
