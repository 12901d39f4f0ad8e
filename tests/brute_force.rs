//! Property tests: routing, snapping and nearest-facility times against brute force on random
//! small networks.

use lifecircle::geodesy::{ground_distance, LocalPlane};
use lifecircle::nearest::{nearest, NearestOptions, Outcome};
use lifecircle::network::{
    build_network, KeepComponents, Mode, Network, Profile, RawNetwork, SnapResult, Snapper,
    WayAccess, NO_KEY,
};
use lifecircle::places::{DemandPoint, Facility};
use lifecircle::route::{Seed, Workspace};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// A random network around Guangzhou: `n` junctions on a jittered grid, random streets between
/// them with up to two shape points, random one-way flags and speeds.
#[derive(Debug, Clone)]
struct Spec {
    junctions: Vec<[f64; 2]>,
    ways: Vec<WaySpec>,
}

/// From junction, to junction, shape points, forward allowed, backward allowed, speed (m/s).
type WaySpec = (usize, usize, Vec<[f64; 2]>, bool, bool, f64);

fn spec(directed: bool) -> impl Strategy<Value = Spec> {
    (3usize..12).prop_flat_map(move |n| {
        let junctions = prop::collection::vec((0.0f64..1.0, 0.0f64..1.0), n);
        let ways = prop::collection::vec(
            (
                0..n,
                0..n,
                prop::collection::vec((0.0f64..1.0, 0.0f64..1.0), 0..3),
                0u8..3,
                0.5f64..3.0,
            ),
            1..(2 * n),
        );
        (junctions, ways).prop_map(move |(j, w)| {
            let to_ll = |(x, y): (f64, f64)| [113.0 + x * 0.01, 23.0 + y * 0.01];
            let junctions: Vec<[f64; 2]> = j.into_iter().map(to_ll).collect();
            let ways = w
                .into_iter()
                .map(|(a, b, shape, dir, speed)| {
                    let (f, bk) = if directed {
                        match dir {
                            0 => (true, false),
                            1 => (false, true),
                            _ => (true, true),
                        }
                    } else {
                        (true, true)
                    };
                    let speed = if directed { speed } else { 1.0 };
                    (a, b, shape.into_iter().map(to_ll).collect(), f, bk, speed)
                })
                .collect();
            Spec { junctions, ways }
        })
    })
}

fn build(s: &Spec) -> Network {
    let mut raw = RawNetwork::new();
    for (i, (a, b, shape, f, bk, speed)) in s.ways.iter().enumerate() {
        let mut coords = vec![s.junctions[*a]];
        coords.extend(shape.iter().copied());
        coords.push(s.junctions[*b]);
        let mut keys = vec![NO_KEY; coords.len()];
        keys[0] = *a as i64;
        *keys.last_mut().unwrap() = *b as i64;
        raw.push_way(
            i as i64,
            &coords,
            &keys,
            WayAccess {
                forward: *f,
                backward: *bk,
                speed_mps: *speed,
            },
        );
    }
    build_network(&raw, KeepComponents::All).unwrap()
}

/// Floyd–Warshall over a dense matrix of arc costs.
fn floyd(mut d: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    let n = d.len();
    for k in 0..n {
        for i in 0..n {
            if d[i][k].is_infinite() {
                continue;
            }
            for j in 0..n {
                let via = d[i][k] + d[k][j];
                if via < d[i][j] {
                    d[i][j] = via;
                }
            }
        }
    }
    d
}

/// The foot of the perpendicular from `q` onto segment `a`–`b` (plane metres), clamped to the
/// segment, with its position `t` (0–1) along it.
fn plane_foot(a: [f64; 2], b: [f64; 2], q: [f64; 2]) -> (f64, [f64; 2]) {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let l2 = dx * dx + dy * dy;
    let t = if l2 > 0.0 {
        (((q[0] - a[0]) * dx + (q[1] - a[1]) * dy) / l2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (t, [a[0] + t * dx, a[1] + t * dy])
}

/// Brute-force snap: scan every segment in the local plane.
fn brute_snap(net: &Network, plane: &LocalPlane, p: [f64; 2]) -> (usize, [f64; 2], f64) {
    let q = plane.project(p);
    let mut best = (usize::MAX, [0.0; 2], f64::INFINITY);
    for e in 0..net.edge_count() {
        let g = net.edges.geometry(e);
        for w in g.windows(2) {
            let (_, f) = plane_foot(plane.project(w[0]), plane.project(w[1]), q);
            let d = ((q[0] - f[0]).powi(2) + (q[1] - f[1]).powi(2)).sqrt();
            if d < best.2 {
                best = (e, f, d);
            }
        }
    }
    best
}

/// A larger random network: up to 150 junctions and 400 streets, each winding through up to 30
/// shape points, so that the snapping index has several levels and edges span several of its
/// objects.
fn large_spec() -> impl Strategy<Value = Spec> {
    (20usize..150).prop_flat_map(|n| {
        let junctions = prop::collection::vec((0.0f64..1.0, 0.0f64..1.0), n);
        let ways = prop::collection::vec(
            (
                0..n,
                0..n,
                prop::collection::vec((0.0f64..1.0, 0.0f64..1.0), 0..30),
            ),
            50..400,
        );
        (junctions, ways).prop_map(|(j, w)| {
            let to_ll = |(x, y): (f64, f64)| [113.0 + x * 0.01, 23.0 + y * 0.01];
            Spec {
                junctions: j.into_iter().map(to_ll).collect(),
                ways: w
                    .into_iter()
                    .map(|(a, b, shape)| {
                        let shape = shape.into_iter().map(to_ll).collect();
                        (a, b, shape, true, true, 1.0)
                    })
                    .collect(),
            }
        })
    })
}

/// Ground lengths along edge `e` from its start to the foot of the perpendicular from plane
/// point `q` onto each of the edge's nearest segments (several when equally near, as on a street
/// that runs out and back), measured segment by segment as the snapper does.
fn brute_offsets(net: &Network, plane: &LocalPlane, e: usize, q: [f64; 2]) -> Vec<f64> {
    let g = net.edges.geometry(e);
    let feet: Vec<(f64, f64)> = g
        .windows(2)
        .map(|w| {
            let (t, f) = plane_foot(plane.project(w[0]), plane.project(w[1]), q);
            ((q[0] - f[0]).powi(2) + (q[1] - f[1]).powi(2), t)
        })
        .collect();
    let best = feet.iter().map(|f| f.0).fold(f64::INFINITY, f64::min);
    let mut along = 0.0;
    let mut out = Vec::new();
    for (i, &(d, t)) in feet.iter().enumerate() {
        if d <= best * (1.0 + 1e-9) + 1e-12 {
            let foot = [
                g[i][0] + t * (g[i + 1][0] - g[i][0]),
                g[i][1] + t * (g[i + 1][1] - g[i][1]),
            ];
            out.push(along + ground_distance(g[i], foot));
        }
        along += ground_distance(g[i], g[i + 1]);
    }
    out
}

/// Snaps the points `pts` (fractions of the test area) with the index and checks each against
/// brute force: the plane distance, the access leg, and the position along the snapped edge.
fn check_snaps(net: &Network, pts: &[(f64, f64)]) -> Result<(), TestCaseError> {
    let snapper = Snapper::new(net, f64::INFINITY);
    let b = net.bbox();
    let plane = LocalPlane::new([0.5 * (b[0] + b[2]), 0.5 * (b[1] + b[3])]);
    for &(x, y) in pts {
        let p = [113.0 + x * 0.01, 23.0 + y * 0.01];
        let (_, foot, d) = brute_snap(net, &plane, p);
        let SnapResult::Snapped(sn) = snapper.snap(p) else {
            panic!("unbounded snap")
        };
        let plane_d = snapper.plane_distance(p);
        prop_assert!(
            (plane_d - d).abs() <= 1e-9 * d.max(1.0),
            "rtree {plane_d} brute {d}"
        );
        let brute_access = ground_distance(p, plane.unproject(foot));
        prop_assert!(
            (sn.access_m - brute_access).abs() <= 1e-6 + 1e-6 * brute_access,
            "access {} vs {}",
            sn.access_m,
            brute_access
        );
        let offsets = brute_offsets(net, &plane, sn.edge as usize, plane.project(p));
        prop_assert!(
            offsets.iter().any(|o| (sn.offset_m - o).abs() <= 1e-6),
            "offset {} vs {offsets:?} on edge {}",
            sn.offset_m,
            sn.edge
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// On networks large enough for a deep index, the snap is as close as the brute-force scan,
    /// and its position along the edge is that of the edge's nearest segment.
    #[test]
    fn snapping_matches_brute_force_on_large_networks(
        s in large_spec(),
        pts in prop::collection::vec((-0.1f64..1.1, -0.1f64..1.1), 1..40),
    ) {
        check_snaps(&build(&s), &pts)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Multi-source Dijkstra equals Floyd–Warshall from a super-source.
    #[test]
    fn dijkstra_matches_floyd(s in spec(true), seeds in prop::collection::vec((0usize..100, 0.0f64..50.0), 1..4)) {
        let net = build(&s);
        let n = net.node_count();
        // Node n is a super-source with arcs to the seeds.
        let mut d = vec![vec![f64::INFINITY; n + 1]; n + 1];
        for (i, row) in d.iter_mut().enumerate() { row[i] = 0.0; }
        for v in 0..n as u32 {
            for a in net.outgoing.arcs(v) {
                let c = &mut d[v as usize][a.head as usize];
                *c = c.min(a.time_s);
            }
        }
        let seeds: Vec<Seed> = seeds.iter().map(|&(v, t)| Seed { node: (v % n) as u32, time_s: t, length_m: 0.0, source: 0 }).collect();
        for sd in &seeds {
            let c = &mut d[n][sd.node as usize];
            *c = c.min(sd.time_s);
        }
        let d = floyd(d);
        let mut ws = Workspace::new(n);
        // Run twice to exercise buffer reuse.
        ws.run(&net.outgoing, &[Seed { node: 0, time_s: 0.0, length_m: 0.0, source: 9 }], f64::INFINITY);
        ws.run(&net.outgoing, &seeds, f64::INFINITY);
        for (v, &expect) in d[n].iter().enumerate().take(n) {
            match ws.time(v as u32) {
                Some(t) => prop_assert!((t - expect).abs() <= 1e-9 * expect.max(1.0), "node {v}: {t} vs {expect}"),
                None => prop_assert!(expect.is_infinite(), "node {v} unreached, expected {expect}"),
            }
        }
    }

    /// The R-tree snap finds a segment as close as the brute-force scan does.
    #[test]
    fn snapping_matches_brute_force(s in spec(false), pts in prop::collection::vec((0.0f64..1.0, 0.0f64..1.0), 1..10)) {
        check_snaps(&build(&s), &pts)?;
    }

    /// Nearest-facility times equal Floyd–Warshall on the network with every snapped point
    /// inserted as a node (edges split at the feet), plus access legs.
    #[test]
    fn nearest_matches_split_graph(
        s in spec(true),
        fac in prop::collection::vec((0.0f64..1.0, 0.0f64..1.0, 0u8..2), 1..5),
        dem in prop::collection::vec((0.0f64..1.0, 0.0f64..1.0), 1..6),
    ) {
        let net = build(&s);
        let to_ll = |x: f64, y: f64| [113.0 + x * 0.01, 23.0 + y * 0.01];
        let facilities: Vec<Facility> = fac.iter().enumerate().map(|(i, &(x, y, c))| Facility {
            id: format!("f{i}"), name: String::new(), category: format!("c{c}"),
            locations: vec![to_ll(x, y)], capacity: None, origin: String::new(),
        }).collect();
        let demand: Vec<DemandPoint> = dem.iter().enumerate().map(|(i, &(x, y))| DemandPoint {
            id: format!("d{i}"), location: to_ll(x, y), population: None,
 groups: Vec::new(), origin: String::new(),
        }).collect();
        let walk = 1.0;
        let profile = Profile::new(Mode::Drive).with_access_speed(walk).unwrap();
        let opts = NearestOptions { profile, max_time_s: None, max_snap_m: f64::INFINITY, keep_node_times: false };
        let r = nearest(&net, &facilities, &demand, &opts).unwrap();

        // Split graph: network nodes, then one vertex per snapped point.
        let snapper = Snapper::new(&net, f64::INFINITY);
        let points: Vec<[f64; 2]> = facilities.iter().map(|f| f.locations[0]).chain(demand.iter().map(|d| d.location)).collect();
        let snaps: Vec<_> = points.iter().map(|&p| match snapper.snap(p) { SnapResult::Snapped(s) => s, _ => unreachable!() }).collect();
        let n = net.node_count();
        let m = n + points.len();
        let mut d = vec![vec![f64::INFINITY; m]; m];
        for (i, row) in d.iter_mut().enumerate() { row[i] = 0.0; }
        for e in 0..net.edge_count() {
            let len = net.edges.length_m[e];
            // Vertices along the edge by offset.
            let mut chain: Vec<(f64, usize)> = vec![(0.0, net.edges.from[e] as usize)];
            for (k, sn) in snaps.iter().enumerate() {
                if sn.edge as usize == e { chain.push((sn.offset_m, n + k)); }
            }
            chain.push((len, net.edges.to[e] as usize));
            chain.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
            let (fs, bs) = (net.edges.forward_s[e], net.edges.backward_s[e]);
            for w in chain.windows(2) {
                let frac = if len > 0.0 { (w[1].0 - w[0].0) / len } else { 0.0 };
                let (a, b) = (w[0].1, w[1].1);
                // Two points at the same place are joined whatever the direction.
                let cost = |t: f64| if frac == 0.0 { 0.0 } else { t * frac };
                if fs.is_finite() || frac == 0.0 { d[a][b] = d[a][b].min(cost(fs)); }
                if bs.is_finite() || frac == 0.0 { d[b][a] = d[b][a].min(cost(bs)); }
            }
        }
        let d = floyd(d);
        let nf = facilities.len();
        for (di, _) in demand.iter().enumerate() {
            let dv = n + nf + di;
            for (ci, cat) in r.categories.iter().enumerate() {
                let mut expect = f64::INFINITY;
                for (fi, f) in facilities.iter().enumerate() {
                    if &f.category != cat { continue; }
                    let t = snaps[nf + di].access_m / walk + d[dv][n + fi] + snaps[fi].access_m / walk;
                    expect = expect.min(t);
                }
                match r.outcome(di, ci) {
                    Outcome::Reached(h) => {
                        prop_assert!((h.time_s - expect).abs() <= 1e-9 * expect.max(1.0),
                            "demand {di} cat {cat}: {} vs {expect}", h.time_s);
                        prop_assert_eq!(&facilities[h.facility as usize].category, cat);
                    }
                    Outcome::NotReached => prop_assert!(expect.is_infinite(), "demand {di}: expected {expect}"),
                    Outcome::Unsnapped => prop_assert!(false, "unbounded snap"),
                }
            }
        }
    }
}
