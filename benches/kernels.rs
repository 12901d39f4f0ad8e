//! Criterion benchmarks of the kernels on the bundled OpenStreetMap samples:
//! reading a PBF and building the graph, one multi-source search, snapping, and the whole
//! nearest-facility analysis (all categories), and the catchments of 1,000 facilities.
//!
//! Sources of the multi-source search follow the same rule as `bench/peers.py`, so the figures
//! compare directly with scipy, networkx, igraph and pandana on the same graph: for category `c`
//! of `S` sources on `n` nodes, node `(k * n / S + c * 7919) % n` for `k` in `0..S`.

use criterion::{criterion_group, criterion_main, Criterion};
use lifecircle::analysis::access::Catchments;
use lifecircle::categories::CategoryMap;
use lifecircle::input::{read_osm, OsmRequest};
use lifecircle::nearest::{nearest, NearestOptions};
use lifecircle::network::{
    build_network, KeepComponents, Mode, Network, Profile, Snap, SnapResult, Snapper,
};
use lifecircle::route::access::{push_seeds, OnEdge};
use lifecircle::route::catchment::DemandByEdge;
use lifecircle::route::{Seed, Workspace};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

const SAMPLES: [(&str, &str); 2] = [
    (
        "liechtenstein",
        "data/liechtenstein/liechtenstein-latest.osm.pbf",
    ),
    ("sao-paulo", "data/sao-paulo/spo_osm.pbf"),
];

fn graph(path: &str) -> Network {
    let d = read_osm(
        Path::new(path),
        OsmRequest {
            network: Some(Profile::new(Mode::Walk)),
            ..Default::default()
        },
    )
    .unwrap();
    build_network(&d.network.unwrap(), KeepComponents::Largest).unwrap()
}

fn sources(n: usize, s: usize, c: usize) -> Vec<Seed> {
    (0..s)
        .map(|k| Seed {
            node: ((k * n / s + c * 7919) % n) as u32,
            time_s: 0.0,
            length_m: 0.0,
            source: k as u32,
        })
        .collect()
}

fn kernels(c: &mut Criterion) {
    for (name, path) in SAMPLES {
        c.bench_function(&format!("pbf_to_graph/{name}"), |b| {
            b.iter(|| black_box(graph(path)))
        });
        let net = graph(path);
        let n = net.node_count();
        let mut ws = Workspace::new(n);
        let seeds = sources(n, 5, 0);
        c.bench_function(&format!("multi_source_run/{name}"), |b| {
            b.iter(|| {
                ws.run(&net.incoming, black_box(&seeds), f64::INFINITY);
                black_box(ws.time(0))
            })
        });
        c.bench_function(&format!("snapper_new/{name}"), |b| {
            b.iter(|| black_box(Snapper::new(&net, 500.0)))
        });
        let snapper = Snapper::new(&net, 500.0);
        let b0 = net.bbox();
        let pts: Vec<[f64; 2]> = (0..1000)
            .map(|i| {
                let f = i as f64 / 1000.0;
                [
                    b0[0] + f * (b0[2] - b0[0]),
                    b0[1] + (1.0 - f) * (b0[3] - b0[1]),
                ]
            })
            .collect();
        c.bench_function(&format!("snap_1000_points/{name}"), |b| {
            b.iter(|| {
                for p in &pts {
                    black_box(snapper.snap(*p));
                }
            })
        });
    }
    let path = SAMPLES[0].1;
    let map = CategoryMap::read(Path::new("data/liechtenstein/categories.toml")).unwrap();
    let d = read_osm(
        Path::new(path),
        OsmRequest {
            network: Some(Profile::new(Mode::Walk)),
            facilities: Some(&map),
            buildings: true,
            building_info: false,
        },
    )
    .unwrap();
    let net = build_network(d.network.as_ref().unwrap(), KeepComponents::Largest).unwrap();
    let opts = NearestOptions {
        profile: Profile::new(Mode::Walk),
        max_time_s: None,
        max_snap_m: 500.0,
        keep_node_times: false,
    };
    c.bench_function("nearest_all_categories/liechtenstein", |b| {
        b.iter(|| black_box(nearest(&net, &d.facilities, &d.buildings, &opts).unwrap()))
    });

    // Catchments of 1,000 facilities at every 18th building or so, 15 minutes on foot, over all
    // buildings as demand (compare with 10 × multi_source_run/liechtenstein).
    let snapper = Snapper::new(&net, 500.0);
    let demand_snaps: Vec<Option<Snap>> = d
        .buildings
        .iter()
        .map(|b| match snapper.snap(b.location) {
            SnapResult::Snapped(s) => Some(s),
            SnapResult::TooFar(_) => None,
        })
        .collect();
    let by_edge = DemandByEdge::new(demand_snaps);
    let nb = d.buildings.len();
    let sites: Vec<Vec<OnEdge>> = (0..1000)
        .map(
            |k| match snapper.snap(d.buildings[k * nb / 1000].location) {
                SnapResult::Snapped(s) => vec![OnEdge::new(&s, k as u32)],
                SnapResult::TooFar(_) => Vec::new(),
            },
        )
        .collect();
    let limits = vec![900.0; sites.len()];
    let once = Catchments::compute(&net, &by_edge, &sites, &limits, 1.0);
    // How much of the network one catchment search settles, on average.
    let mut settled = 0usize;
    let mut seeds = Vec::new();
    let mut ws = Workspace::new(net.node_count());
    for site in &sites {
        seeds.clear();
        push_seeds(&net.edges, site, 1.0, &mut seeds);
        ws.run(&net.incoming, &seeds, 900.0);
        settled += ws.settled().len();
    }
    eprintln!(
        "catchments_1000/liechtenstein: {} nodes, {} demand points, {} facility-demand pairs; \
         a search settles {:.0} nodes on average ({:.1} % of the network)",
        net.node_count(),
        nb,
        once.pair_count(),
        settled as f64 / sites.len() as f64,
        100.0 * settled as f64 / sites.len() as f64 / net.node_count() as f64
    );
    c.bench_function("catchments_1000/liechtenstein", |b| {
        b.iter(|| black_box(Catchments::compute(&net, &by_edge, &sites, &limits, 1.0)))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = kernels
}
criterion_main!(benches);
