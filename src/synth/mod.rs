//! Synthetic test cities (`lifecircle synth`): a realistic, Guangzhou-like city of any size
//! from ten thousand to five million street nodes, the same for the same seed on every machine
//! and with every build, in the formats planners receive, with a study file that runs as is.
//!
//! ```text
//!   lattice of blocks (70 m at the centre, 170 m at the edge), bent and stretched
//!     ├ arterials every 6–11 blocks (主干路/次干路), local streets with missing links,
//!     │ diagonal lanes, cul-de-sacs, footpaths; villages among fields in rural zones
//!     ├ a main river and a tributary, crossed only by arterial bridges; an unbridged island
//!     ├ zones (街道/镇) named after Guangzhou's 174 real sub-districts, by district direction
//!     ├ residents beside the streets (population, aged 60+)
//!     └ facilities of every category of the guangzhou profile, with capacities
//! ```
//!
//! The city is decided on a lattice with a stateless hash of the seed ([`rng::hash`]), so the
//! output depends on nothing but the seed, the node count and this code. Its size is
//! calibrated: a first pass measures how many junctions a lattice keeps, the second is sized to
//! the requested count (within a few percent).
//!
//! Files written into the output folder ([`write`] describes their fields):
//!
//! | file | content |
//! |---|---|
//! | `network.gpkg` | road centre-lines, layer `roads`, one feature per segment, WGS84 (spatial index on request) |
//! | `network.osm.pbf` | the same network as OpenStreetMap ways (unless turned off) |
//! | `facilities.csv` | facilities, Chinese headers, GCJ-02 coordinates, capacities |
//! | `demand.csv` | residential buildings: residents and residents aged 60+ |
//! | `zones.gpkg` | 街道/镇 polygons with name, code, level, district, rural flag, CGCS2000 |
//! | `study.toml` | a study of all the above against the built-in `guangzhou` profile |
//! | `synth.json` | what was generated: sizes, connected pieces, zones with their population |

pub mod layout;
pub mod names;
pub mod pbf;
pub mod people;
pub mod phases;
pub mod rng;
pub mod streets;
pub mod write;
pub mod zones;

use crate::error::{Error, ErrorKind, Result};
use layout::{Layout, ZoneGrid};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Version of the generator, recorded in `synth.json`; changes whenever the same seed would give
/// a different city.
pub const GENERATOR_VERSION: u32 = 1;

/// Smallest and largest node counts accepted.
pub const NODE_RANGE: (usize, usize) = (1_000, 8_000_000);

/// What to generate.
#[derive(Debug, Clone)]
pub struct SynthOptions {
    /// Street nodes (junctions and dead ends) wanted.
    pub nodes: usize,
    /// Seed: the same seed and node count always give the same city.
    pub seed: u64,
    /// Also write the network as `network.osm.pbf`.
    pub pbf: bool,
    /// Give `network.gpkg` an R-tree spatial index (for GIS software; five times slower).
    pub spatial_index: bool,
}

/// A generated city in memory.
#[derive(Debug, Clone)]
pub struct City {
    /// The lattice and its map.
    pub layout: Layout,
    /// The zones' lattice rectangles.
    pub grid: ZoneGrid,
    /// The zones' names and kinds.
    pub zones: Vec<zones::SynthZone>,
    /// The streets.
    pub streets: streets::Streets,
    /// The residents' buildings.
    pub homes: Vec<people::Home>,
    /// The facilities.
    pub places: Vec<people::Place>,
}

/// What was generated and written.
#[derive(Debug, Clone)]
pub struct SynthReport {
    /// The folder written.
    pub dir: PathBuf,
    /// Files written, in the folder.
    pub files: Vec<PathBuf>,
    /// Street nodes (all pieces).
    pub nodes: usize,
    /// Street segments.
    pub segments: usize,
    /// Node counts of the connected pieces, largest first.
    pub pieces: Vec<usize>,
    /// Zones.
    pub zones: usize,
    /// Residential buildings (demand points).
    pub homes: usize,
    /// Residents.
    pub population: u64,
    /// Facilities.
    pub facilities: usize,
    /// Seconds spent generating the city in memory.
    pub generate_s: f64,
    /// Seconds spent writing the files.
    pub write_s: f64,
    /// The manifest written as `synth.json`.
    pub manifest: serde_json::Value,
}

/// Zones for a city of `nodes` street nodes: one per 5,000 nodes, between 16 and 174.
pub fn zone_count(nodes: usize) -> usize {
    (nodes / 5_000).clamp(16, 174)
}

fn lattice(cells: f64) -> (usize, usize) {
    let gx = (cells * 1.25).sqrt().round().max(8.0) as usize;
    let gy = (cells / gx as f64).round().max(8.0) as usize;
    (gx, gy)
}

fn streets_for(seed: u64, gx: usize, gy: usize, zones: usize) -> City {
    let layout = Layout::new(seed, gx, gy);
    let grid = ZoneGrid::new(seed, gx, gy, zones);
    let named = zones::name_zones(&layout, &grid);
    let rural: Vec<bool> = named.iter().map(|z| z.rural).collect();
    let streets = streets::generate(&layout, &grid, &rural);
    City {
        layout,
        grid,
        zones: named,
        streets,
        homes: Vec::new(),
        places: Vec::new(),
    }
}

/// Generates a city in memory.
pub fn city(opts: &SynthOptions) -> Result<City> {
    let (lo, hi) = NODE_RANGE;
    if !(lo..=hi).contains(&opts.nodes) {
        return Err(Error::new(
            ErrorKind::InvalidValue,
            format!(
                "the node count must be between {lo} and {hi}, got {}",
                opts.nodes
            ),
        )
        .field("--nodes"));
    }
    let z = zone_count(opts.nodes);
    // Calibration: a lattice keeps about 80 % of its cells as nodes; measure on the first pass.
    let first = opts.nodes as f64 / 0.8;
    let (gx, gy) = lattice(first);
    let probe = streets_for(opts.seed, gx, gy, z);
    let kept = probe.streets.node_count() as f64 / (gx * gy) as f64;
    drop(probe);
    let (gx, gy) = lattice(opts.nodes as f64 / kept.max(0.05));
    let mut c = streets_for(opts.seed, gx, gy, z);
    c.homes = people::homes(&c.layout, &c.grid, &c.zones, &c.streets);
    c.places = people::facilities(&c.layout, &c.zones, &c.homes);
    Ok(c)
}

/// Generates a city and writes it into `dir` (created when missing).
pub fn generate(opts: &SynthOptions, dir: &Path) -> Result<SynthReport> {
    let t0 = Instant::now();
    let c = city(opts)?;
    let generate_s = t0.elapsed().as_secs_f64();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let t1 = Instant::now();
    let shapes: Vec<_> = (0..c.zones.len())
        .map(|z| zones::zone_polygon(&c.layout, &c.grid, z))
        .collect();
    let manifest = manifest(opts, &c);
    let mut files = vec![
        dir.join("network.gpkg"),
        dir.join("facilities.csv"),
        dir.join("demand.csv"),
        dir.join("zones.gpkg"),
        dir.join("study.toml"),
        dir.join("synth.json"),
    ];
    if opts.pbf {
        files.insert(1, dir.join("network.osm.pbf"));
    }
    let (a, b) = rayon::join(
        || write::network_gpkg(&dir.join("network.gpkg"), &c.streets, opts.spatial_index),
        || -> Result<()> {
            let (x, y) = rayon::join(
                || {
                    if opts.pbf {
                        write::network_pbf(&dir.join("network.osm.pbf"), &c.streets)
                    } else {
                        Ok(())
                    }
                },
                || write::demand_csv(&dir.join("demand.csv"), &c.homes, &c.zones),
            );
            x?;
            y?;
            write::facilities_csv(&dir.join("facilities.csv"), &c.places, &c.zones)?;
            write::zones_gpkg(&dir.join("zones.gpkg"), &c.zones, &shapes)?;
            write::study_toml(&dir.join("study.toml"), opts.nodes, opts.seed)?;
            write::manifest(&dir.join("synth.json"), &manifest)
        },
    );
    a?;
    b?;
    Ok(SynthReport {
        dir: dir.to_path_buf(),
        files,
        nodes: c.streets.node_count(),
        segments: c.streets.segments.len(),
        pieces: c.streets.pieces.clone(),
        zones: c.zones.len(),
        homes: c.homes.len(),
        population: c.homes.iter().map(|h| u64::from(h.population)).sum(),
        facilities: c.places.len(),
        generate_s,
        write_s: t1.elapsed().as_secs_f64(),
        manifest,
    })
}

fn manifest(opts: &SynthOptions, c: &City) -> serde_json::Value {
    let s = &c.streets;
    let mut zpop = vec![(0u64, 0u64, 0usize); c.zones.len()];
    for h in &c.homes {
        let z = &mut zpop[h.zone as usize];
        z.0 += u64::from(h.population);
        z.1 += u64::from(h.age_60plus);
        z.2 += 1;
    }
    let zones: Vec<serde_json::Value> = c
        .zones
        .iter()
        .zip(&zpop)
        .map(|(z, p)| {
            serde_json::json!({
                "code": z.unit.code, "name": z.unit.name, "district": z.unit.district,
                "level": z.unit.level, "rural": z.rural,
                "population": p.0, "age_60plus": p.1, "homes": p.2,
            })
        })
        .collect();
    let mut per_cat = serde_json::Map::new();
    for spec in people::CATEGORIES {
        let n = c.places.iter().filter(|p| p.category == spec.name).count();
        per_cat.insert(spec.name.to_string(), n.into());
    }
    let mut classes = serde_json::Map::new();
    for seg in &s.segments {
        let e = classes
            .entry(seg.class.highway().to_string())
            .or_insert(serde_json::Value::from(0u64));
        *e = (e.as_u64().unwrap_or(0) + 1).into();
    }
    let degrees = s.degrees();
    serde_json::json!({
        "generator_version": GENERATOR_VERSION,
        "requested_nodes": opts.nodes,
        "seed": opts.seed,
        "lattice": [c.layout.gx, c.layout.gy],
        "nodes": s.node_count(),
        "dead_ends": degrees.iter().filter(|&&d| d == 1).count(),
        "segments": s.segments.len(),
        "shape_points": s.shape.len(),
        "segments_by_class": classes,
        "bridges": s.bridges,
        "pieces": {
            "count": s.pieces.len(),
            "largest": s.pieces.first().copied().unwrap_or(0),
            "nodes_outside_largest": s.pieces.iter().skip(1).sum::<usize>(),
            "sizes": s.pieces,
        },
        "homes": c.homes.len(),
        "population": c.homes.iter().map(|h| u64::from(h.population)).sum::<u64>(),
        "age_60plus": c.homes.iter().map(|h| u64::from(h.age_60plus)).sum::<u64>(),
        "facilities": per_cat,
        "zones": zones,
    })
}
