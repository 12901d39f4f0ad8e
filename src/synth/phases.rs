//! Timing the pipeline's phases on a city written by [`super::generate`], in one process:
//! reading the network (GeoPackage and PBF), building the graph, reading facilities and
//! demand, snapping, one multi-source search, and the nearest facility of every category.
//! Catchments, coverage, gap areas and output writing are timed by `lifecircle analyze`
//! itself (its step times on stderr).

use crate::categories::CategoryMap;
use crate::crs::Crs;
use crate::error::Result;
use crate::input::population::{read_demand_source, DemandSource, GroupField};
use crate::input::{read_facilities, read_network_ways, LineNetworkOptions, PointSource};
use crate::nearest::{nearest, NearestOptions, Outcome};
use crate::network::{build_network, KeepComponents, Mode, Profile, Snapper, DEFAULT_MAX_SNAP_M};
use crate::route::{Seed, Workspace};
use rayon::prelude::*;
use serde_json::json;
use std::path::Path;
use std::time::Instant;

/// How to time the phases.
#[derive(Debug, Clone)]
pub struct PhaseOptions {
    /// Timed repetitions of the one multi-source search (after one untimed run); the median is
    /// reported.
    pub runs: usize,
    /// Sources of the one multi-source search; `None`: as many as the city has clinics.
    pub sources: Option<usize>,
}

/// Node indices of the sources of the one multi-source search: `(k * n / s) % n` for
/// `k = 0..s`, the rule of `bench/peers.py` for its first category.
pub fn source_nodes(n: usize, s: usize) -> Vec<u32> {
    (0..s)
        .map(|k| ((k * n / s.max(1)) % n.max(1)) as u32)
        .collect()
}

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        f64::NAN
    } else {
        v[v.len() / 2]
    }
}

/// Times the phases on the city in `dir`; returns them as JSON (seconds, counts).
pub fn time_phases(dir: &Path, opts: &PhaseOptions) -> Result<serde_json::Value> {
    let walk = Profile::new(Mode::Walk);
    let line = LineNetworkOptions::default();
    let mut out = serde_json::Map::new();
    out.insert("threads".into(), rayon::current_num_threads().into());

    let pbf = dir.join("network.osm.pbf");
    if pbf.exists() {
        let t = Instant::now();
        let (raw, _) = read_network_ways(&pbf, &walk, &line)?;
        out.insert("load_pbf_s".into(), secs(t).into());
        out.insert("pbf_ways".into(), raw.len().into());
    }
    let t = Instant::now();
    let (raw, _) = read_network_ways(&dir.join("network.gpkg"), &walk, &line)?;
    out.insert("load_gpkg_s".into(), secs(t).into());
    out.insert("gpkg_features".into(), raw.len().into());

    let t = Instant::now();
    let net = build_network(&raw, KeepComponents::Largest)?;
    out.insert("build_s".into(), secs(t).into());
    drop(raw);
    let n = net.node_count();
    out.insert("nodes".into(), n.into());
    out.insert("edges".into(), net.edge_count().into());
    out.insert("pieces".into(), net.components.count().into());

    let t = Instant::now();
    let src = PointSource {
        crs: Some(Crs::Gcj02),
        ..Default::default()
    };
    let facilities = read_facilities(&dir.join("facilities.csv"), &src, &CategoryMap::builtin())?;
    out.insert("load_facilities_s".into(), secs(t).into());
    out.insert("facilities".into(), facilities.len().into());
    let t = Instant::now();
    let (demand, _) = read_demand_source(&DemandSource::Points {
        path: dir.join("demand.csv"),
        source: PointSource::default(),
        population_field: Some("人口".into()),
        groups: vec![GroupField::new("age_60plus", "60岁以上")],
    })?;
    out.insert("load_demand_s".into(), secs(t).into());
    out.insert("demand_points".into(), demand.points.len().into());

    // Snapping: the R-tree over edge segments, then every demand point and facility.
    let t = Instant::now();
    let snapper = Snapper::new(&net, DEFAULT_MAX_SNAP_M);
    out.insert("snap_index_s".into(), secs(t).into());
    let t = Instant::now();
    let snapped = demand
        .points
        .par_iter()
        .filter(|d| {
            matches!(
                snapper.snap(d.location),
                crate::network::SnapResult::Snapped(_)
            )
        })
        .count();
    out.insert("snap_demand_s".into(), secs(t).into());
    out.insert("demand_snapped".into(), snapped.into());
    let t = Instant::now();
    facilities.par_iter().for_each(|f| {
        snapper.snap(f.locations[0]);
    });
    out.insert("snap_facilities_s".into(), secs(t).into());
    drop(snapper);

    // One multi-source search over the whole graph, from node sources (as scipy gets them).
    let clinics = facilities.iter().filter(|f| f.category == "clinic").count();
    let s = opts.sources.unwrap_or(clinics).max(1);
    let sources = source_nodes(n, s);
    let seeds: Vec<Seed> = sources
        .iter()
        .enumerate()
        .map(|(k, &v)| Seed {
            node: v,
            time_s: 0.0,
            length_m: 0.0,
            source: k as u32,
        })
        .collect();
    let t = Instant::now();
    let mut ws = Workspace::new(n);
    out.insert("workspace_alloc_s".into(), secs(t).into());
    let t = Instant::now();
    ws.run(&net.incoming, &seeds, f64::INFINITY);
    out.insert("one_run_first_s".into(), secs(t).into());
    let mut times = Vec::new();
    for _ in 0..opts.runs.max(1) {
        let t = Instant::now();
        ws.run(&net.incoming, &seeds, f64::INFINITY);
        times.push(secs(t));
    }
    out.insert(
        "one_run_min_s".into(),
        times.iter().copied().fold(f64::INFINITY, f64::min).into(),
    );
    out.insert("one_run_s".into(), median(times).into());
    let (mut reached, mut sum) = (0usize, 0.0f64);
    for v in 0..n as u32 {
        if let Some((_, len, _)) = ws.get(v) {
            reached += 1;
            sum += len;
        }
    }
    drop(ws);
    out.insert("one_run_sources".into(), sources.clone().into());
    out.insert("one_run_reached".into(), reached.into());
    out.insert("one_run_sum_m".into(), sum.into());

    // The nearest facility of every category (one search per category, in parallel),
    // snapping included.
    let opts_n = NearestOptions {
        profile: walk,
        max_time_s: None,
        max_snap_m: DEFAULT_MAX_SNAP_M,
        keep_node_times: false,
    };
    let t = Instant::now();
    let r = nearest(&net, &facilities, &demand.points, &opts_n)?;
    out.insert("all_categories_s".into(), secs(t).into());
    out.insert("categories".into(), r.categories.len().into());
    let reached = (0..demand.points.len())
        .filter(|&d| matches!(r.outcome(d, 0), Outcome::Reached(_)))
        .count();
    out.insert("first_category_reached".into(), reached.into());
    Ok(json!(out))
}
