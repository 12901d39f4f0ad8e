//! `lifecircle nearest`: nearest facility of every category for every demand point.

use super::args::{check_outputs, parse_crs, NetworkOpts, SnapOpts, TableOpts};
use super::load;
use super::progress::Progress;
use clap::Args;
use lifecircle::bounds;
use lifecircle::categories::CategoryMap;
use lifecircle::crs::Crs;
use lifecircle::input::{read_demand, read_facilities, read_osm, FileKind, OsmRequest};
use lifecircle::nearest::{
    facility_snapping_layer, nearest, nearest_layer, nearest_table, node_times_layer,
    NearestOptions, NearestResult,
};
use lifecircle::network::{build_network, Network, SnapResult};
use lifecircle::output::{write_layer, Format};
use lifecircle::places::{DemandPoint, Facility};
use lifecircle::{Error, ErrorKind, Result};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct NearestArgs {
    #[command(flatten)]
    pub network: NetworkOpts,
    /// Facilities: a CSV/XLSX table (columns id, category, lon, lat — or Chinese names 编号, 类别, 经度, 纬度),
    /// a point or polygon layer, or an .osm.pbf file classified with --category-map.
    #[arg(long, value_name = "FILE")]
    pub facilities: PathBuf,
    /// Demand points: a CSV/XLSX table (id, lon, lat), a point or polygon layer, or an .osm.pbf file
    /// (its buildings).
    #[arg(long, value_name = "FILE")]
    pub demand: PathBuf,
    /// Output: one row per demand point and category (.csv, .geojson or .gpkg).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Cut-off in minutes (above 0, at most 600): facilities farther away count as not reached.
    #[arg(long, value_name = "M")]
    pub max_minutes: Option<f64>,
    /// Coordinate system of the facilities: wgs84, cgcs2000, gcj02, bd09 or EPSG:n.
    #[arg(long, value_name = "CRS", value_parser = parse_crs)]
    pub facilities_crs: Option<Crs>,
    /// Coordinate system of the demand points.
    #[arg(long, value_name = "CRS", value_parser = parse_crs)]
    pub demand_crs: Option<Crs>,
    /// Layer of a multi-layer facilities file.
    #[arg(long, value_name = "NAME")]
    pub facilities_layer: Option<String>,
    /// Layer of a multi-layer demand file.
    #[arg(long, value_name = "NAME")]
    pub demand_layer: Option<String>,
    /// Mapping of OSM tags to categories (TOML); default: the built-in mapping.
    #[arg(long, value_name = "FILE")]
    pub category_map: Option<PathBuf>,
    /// Only these categories (comma-separated).
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub categories: Vec<String>,
    /// Give every facility of a table or layer this category (instead of a category column).
    #[arg(long, value_name = "NAME")]
    pub category: Option<String>,
    /// Also write every network node's time and distance to the nearest facility of each category (CSV).
    #[arg(long, value_name = "FILE")]
    pub nodes_out: Option<PathBuf>,
    /// Also write every facility location with how it snapped (CSV/GeoJSON/GeoPackage).
    #[arg(long, value_name = "FILE")]
    pub facility_report: Option<PathBuf>,
    #[command(flatten)]
    pub snap: SnapOpts,
    #[command(flatten)]
    pub table: TableOpts,
    /// No progress or information on stderr (warnings and errors still appear).
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(a: NearestArgs) -> Result<()> {
    let progress = Progress::new(a.quiet);
    let profile = a.network.profile()?;
    let max_time_s = a
        .max_minutes
        .map(|m| bounds::MINUTES.check(m, "--max-minutes").map(|m| m * 60.0))
        .transpose()?;
    bounds::SNAP_M.check(a.snap.max_snap_m, "--max-snap-m")?;
    check_outputs([
        Some(&a.out),
        a.nodes_out.as_ref(),
        a.facility_report.as_ref(),
    ])?;
    let mut map = match &a.category_map {
        Some(p) => CategoryMap::read(p)?,
        None => CategoryMap::builtin(),
    };
    if !a.categories.is_empty() && FileKind::of(&a.facilities) == FileKind::OsmPbf {
        map.select(&a.categories)?;
    }

    let (net, mut facilities, demand) = load_inputs(&a, &map, &progress)?;
    if !a.categories.is_empty() && FileKind::of(&a.facilities) != FileKind::OsmPbf {
        for c in &a.categories {
            if !facilities.iter().any(|f| &f.category == c) {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!("no facility has category {c:?}"),
                )
                .file(&a.facilities)
                .field("--categories"));
            }
        }
        facilities.retain(|f| a.categories.contains(&f.category));
    }
    progress.info(&format!(
        "{} facilities in {} categories, {} demand points",
        facilities.len(),
        {
            let mut c: Vec<&str> = facilities.iter().map(|f| f.category.as_str()).collect();
            c.sort();
            c.dedup();
            c.len()
        },
        demand.len()
    ));

    let opts = NearestOptions {
        profile,
        max_time_s,
        max_snap_m: a.snap.max_snap_m,
        keep_node_times: a.nodes_out.is_some(),
    };
    let result = progress
        .step("snap and route", || {
            nearest(&net, &facilities, &demand, &opts)
        })
        .map_err(|e| e.file(&a.demand))?;
    report_snapping(&result, &facilities, &demand, &progress);

    progress.step("write", || -> Result<()> {
        // Tables carry no geometry: leave the points out.
        let out = match Format::of(&a.out)? {
            Format::Csv | Format::Xlsx => nearest_table(&result, &facilities, &demand),
            Format::GeoJson | Format::Gpkg => nearest_layer(&result, &facilities, &demand),
        };
        write_layer(&a.out, &out)?;
        if let Some(p) = &a.nodes_out {
            write_layer(p, &node_times_layer(&net, &result))?;
        }
        if let Some(p) = &a.facility_report {
            write_layer(p, &facility_snapping_layer(&result, &facilities))?;
        }
        Ok(())
    })?;
    progress.done();
    Ok(())
}

/// Reads the network, facilities and demand; an OSM file used for several of them is read once.
fn load_inputs(
    a: &NearestArgs,
    map: &CategoryMap,
    progress: &Progress,
) -> Result<(Network, Vec<Facility>, Vec<DemandPoint>)> {
    let enc = a.table.encoding;
    let same_osm = |p: &PathBuf| FileKind::of(p) == FileKind::OsmPbf && p == &a.network.network;
    let (fac_from_net, dem_from_net) = (same_osm(&a.facilities), same_osm(&a.demand));
    let (net, mut facilities, mut demand) = if fac_from_net || dem_from_net {
        let profile = a.network.profile()?;
        let d = progress.step("read OpenStreetMap", || {
            read_osm(
                &a.network.network,
                OsmRequest {
                    network: Some(profile),
                    facilities: fac_from_net.then_some(map),
                    buildings: dem_from_net,
                    building_info: false,
                },
            )
        })?;
        if d.report.network_ways_cut > 0 {
            progress.info(&format!(
                "{} ways reference {} nodes missing from the extract and were cut there",
                d.report.network_ways_cut, d.report.missing_node_refs
            ));
        }
        if d.report.facility_relations_skipped > 0 {
            progress.warn(&format!(
                "{} facility relations (multipolygons) are not used yet",
                d.report.facility_relations_skipped
            ));
        }
        let raw = d.network.expect("requested");
        let net = progress
            .step("build graph", || {
                build_network(&raw, a.network.keep_components)
            })
            .map_err(|e| e.file(&a.network.network))?;
        progress.info(&format!(
            "network: {} nodes, {} edges, {:.1} km, {} connected pieces",
            net.node_count(),
            net.edge_count(),
            net.total_length_m() / 1000.0,
            net.components.count()
        ));
        (
            net,
            fac_from_net.then_some(d.facilities),
            dem_from_net.then_some(d.buildings),
        )
    } else {
        (load::network(&a.network, enc, progress)?, None, None)
    };
    if facilities.is_none() {
        let mut src = a.table.source(a.facilities_crs, a.facilities_layer.clone());
        src.category = a.category.clone();
        facilities = Some(progress.step("read facilities", || {
            read_facilities(&a.facilities, &src, map)
        })?);
    }
    if demand.is_none() {
        let src = a.table.source(a.demand_crs, a.demand_layer.clone());
        demand = Some(progress.step("read demand", || read_demand(&a.demand, &src))?);
    }
    let facilities = facilities.expect("set");
    if facilities.is_empty() {
        return Err(Error::new(ErrorKind::Empty, "no facilities found").file(&a.facilities));
    }
    let demand = demand.expect("set");
    if demand.is_empty() {
        return Err(Error::new(ErrorKind::Empty, "no demand points found").file(&a.demand));
    }
    Ok((net, facilities, demand))
}

fn report_snapping(
    r: &NearestResult,
    facilities: &[Facility],
    demand: &[DemandPoint],
    p: &Progress,
) {
    let unsnapped: Vec<usize> = r.unsnapped_facilities();
    for &f in unsnapped.iter().take(20) {
        let d = r.facility_snaps[f]
            .iter()
            .map(|s| match s {
                SnapResult::TooFar(d) => *d,
                SnapResult::Snapped(s) => s.access_m,
            })
            .fold(f64::INFINITY, f64::min);
        p.warn(&format!(
            "facility {} ({}, {}) is {:.0} m from the nearest street and is not used",
            facilities[f].id, facilities[f].category, facilities[f].origin, d
        ));
    }
    if unsnapped.len() > 20 {
        p.warn(&format!(
            "... {} more facilities not snapped (see --facility-report)",
            unsnapped.len() - 20
        ));
    }
    let n = r
        .demand_snaps
        .iter()
        .filter(|s| matches!(s, SnapResult::TooFar(_)))
        .count();
    if n > 0 {
        p.warn(&format!(
            "{n} of {} demand points are farther than the snapping distance from any street; \
             they are listed with status \"unsnapped\"",
            demand.len()
        ));
    }
}
