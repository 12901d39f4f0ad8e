//! Criterion benchmarks of the kernels on the bundled OpenStreetMap samples:
//! reading a PBF and building the graph, one multi-source search, snapping, and the whole
//! nearest-facility analysis (all categories).
//!
//! Sources of the multi-source search follow the same rule as `bench/peers.py`, so the figures
//! compare directly with scipy, networkx, igraph and pandana on the same graph: for category `c`
//! of `S` sources on `n` nodes, node `(k * n / S + c * 7919) % n` for `k` in `0..S`.

use criterion::{criterion_group, criterion_main, Criterion};
use lifecircle::categories::CategoryMap;
use lifecircle::input::{read_osm, OsmRequest};
use lifecircle::nearest::{nearest, NearestOptions};
use lifecircle::network::{build_network, KeepComponents, Mode, Network, Profile, Snapper};
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
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = kernels
}
criterion_main!(benches);
