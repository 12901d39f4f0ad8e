//! `lifecircle access`: capacity-aware accessibility (2SFCA / E2SFCA) per demand point, and the
//! supply-to-demand ratio of every facility.

use super::args::{check_outputs, parse_crs, NetworkOpts, SnapOpts, TableOpts};
use super::load;
use super::progress::Progress;
use clap::Args;
use lifecircle::analysis::access::{access_snapped, snap_inputs, AccessOptions, Decay};
use lifecircle::analysis::access_layers::{
    access_catchment_layer, access_demand_layer, access_facility_layer, access_warnings,
};
use lifecircle::bounds;
use lifecircle::categories::CategoryMap;
use lifecircle::crs::Crs;
use lifecircle::input::table::names;
use lifecircle::input::{read_demand, read_facilities, FileKind, Table};
use lifecircle::output::write_layer;
use lifecircle::places::{DemandPoint, Facility};
use lifecircle::{Error, ErrorKind, Result};
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct AccessArgs {
    #[command(flatten)]
    pub network: NetworkOpts,
    /// Facilities with a capacity column (capacity, 容量, 规模, 床位 or 学位: beds, places, m²):
    /// a CSV/XLSX table (id, category, lon, lat, capacity) or a point/polygon layer.
    #[arg(long, value_name = "FILE")]
    pub facilities: PathBuf,
    /// Demand points with a population column (population, pop, 人口 or 常住人口): a CSV/XLSX
    /// table (id, lon, lat, population) or a point/polygon layer.
    #[arg(long, value_name = "FILE")]
    pub demand: PathBuf,
    /// Catchment size in minutes (above 0, at most 600): every facility serves the demand within
    /// this travel time.
    #[arg(long, value_name = "M")]
    pub max_minutes: f64,
    /// Output: one row per demand point and category, `demand_id,category,access,...`
    /// (access = capacity per person within reach; .csv, .geojson or .gpkg).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Also write one row per facility, `facility_id,category,ratio,...` (ratio = capacity per
    /// person of weighted demand in its catchment; empty with status no_demand when there is none).
    #[arg(long, value_name = "FILE")]
    pub facility_out: Option<PathBuf>,
    /// Distance decay within the catchment: step (2SFCA, weight 1) or gaussian
    /// ((exp(-½(t/t0)²) − exp(-½)) / (1 − exp(-½)), t0 = --max-minutes).
    #[arg(long, default_value = "step", value_parser = parse_decay)]
    pub decay: Decay,
    /// Stepwise weights (E2SFCA) instead of --decay: bands `upper_minutes:weight`, comma-separated,
    /// upper bounds inclusive and increasing (at most 600 minutes), weights 0 to 1, e.g.
    /// `5:1,10:0.68,15:0.22`; weight 0 beyond the last.
    #[arg(long, value_name = "M:W,...", conflicts_with = "decay")]
    pub weights: Option<String>,
    /// Only facilities of this category (when the facilities have a category column), or the
    /// category of every facility (when they have none).
    #[arg(long, value_name = "NAME")]
    pub category: Option<String>,
    /// Diagnostic: also write every facility–demand pair within the catchment size with its
    /// travel time and distance (the sparse travel-time matrix the values are computed from).
    #[arg(long, value_name = "FILE")]
    pub catchments_out: Option<PathBuf>,
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
    #[command(flatten)]
    pub snap: SnapOpts,
    #[command(flatten)]
    pub table: TableOpts,
    /// No progress or information on stderr (warnings and errors still appear).
    #[arg(long, short)]
    pub quiet: bool,
}

fn parse_decay(s: &str) -> std::result::Result<Decay, String> {
    s.parse().map_err(|e: Error| e.message().to_string())
}

/// Parses `5:1,10:0.68,15:0.22` into `(upper minutes, weight)` bands.
fn parse_weights(s: &str) -> Result<Decay> {
    let bad = |msg: String| Error::new(ErrorKind::InvalidValue, msg).field("--weights");
    let mut bands = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (m, w) = part
            .split_once(':')
            .ok_or_else(|| bad(format!("{part:?} is not upper_minutes:weight")))?;
        let num = |x: &str| {
            x.trim()
                .parse::<f64>()
                .map_err(|_| bad(format!("not a number: {x:?}")))
        };
        bands.push((num(m)?, num(w)?));
    }
    Decay::weights_minutes(&bands, "--weights")
}

pub fn run(a: AccessArgs) -> Result<()> {
    check_outputs([
        Some(&a.out),
        a.facility_out.as_ref(),
        a.catchments_out.as_ref(),
    ])?;
    let progress = Progress::new(a.quiet);
    let profile = a.network.profile()?;
    let limit_s = bounds::MINUTES.check(a.max_minutes, "--max-minutes")? * 60.0;
    bounds::SNAP_M.check(a.snap.max_snap_m, "--max-snap-m")?;
    let decay = match &a.weights {
        Some(w) => parse_weights(w)?,
        None => a.decay.clone(),
    };
    for (p, what) in [(&a.facilities, "--facilities"), (&a.demand, "--demand")] {
        if FileKind::of(p) == FileKind::OsmPbf {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "an OpenStreetMap file has no {} column: give a table or layer",
                    if what == "--facilities" {
                        "capacity"
                    } else {
                        "population"
                    }
                ),
            )
            .file(p)
            .field(what));
        }
    }
    let net = load::network(&a.network, a.table.encoding, &progress)?;
    let facilities = progress.step("read facilities", || read_access_facilities(&a))?;
    let demand = progress.step("read demand", || {
        let src = a.table.source(a.demand_crs, a.demand_layer.clone());
        read_demand(&a.demand, &src)
    })?;
    check_columns(&a, &facilities, &demand)?;
    progress.info(&format!(
        "{} facilities in {} categories, {} demand points (population {:.0}), catchments {} min, decay {}",
        facilities.len(),
        {
            let mut c: Vec<&str> = facilities.iter().map(|f| f.category.as_str()).collect();
            c.sort_unstable();
            c.dedup();
            c.len()
        },
        demand.len(),
        demand.iter().filter_map(|d| d.population).sum::<f64>(),
        a.max_minutes,
        decay.describe()
    ));
    let opts = AccessOptions {
        profile,
        limit_s,
        max_snap_m: a.snap.max_snap_m,
        decay,
    };
    let (facility_snaps, demand_snaps) = progress
        .step("snap", || {
            snap_inputs(&net, &facilities, &demand, a.snap.max_snap_m)
        })
        .map_err(|e| e.file(&a.demand))?;
    let result = progress.step("catchments and 2SFCA", || {
        access_snapped(
            &net,
            &facilities,
            &demand,
            facility_snaps,
            demand_snaps,
            &opts,
        )
    })?;
    progress.info(&format!(
        "{} facility-demand pairs within {} min",
        result
            .categories
            .iter()
            .map(|c| c.catchments.pair_count())
            .sum::<usize>(),
        a.max_minutes
    ));
    for w in access_warnings(&result, &facilities, &demand) {
        progress.warn(&w);
    }
    progress.step("write", || -> Result<()> {
        write_layer(&a.out, &access_demand_layer(&result, &demand))?;
        if let Some(p) = &a.facility_out {
            write_layer(p, &access_facility_layer(&result, &facilities))?;
        }
        if let Some(p) = &a.catchments_out {
            write_layer(p, &access_catchment_layer(&result, &facilities, &demand))?;
        }
        Ok(())
    })?;
    progress.done();
    Ok(())
}

/// Reads the facilities; `--category` filters a file with a category column and names the
/// category of a file without one.
fn read_access_facilities(a: &AccessArgs) -> Result<Vec<Facility>> {
    let map = CategoryMap::builtin();
    let src = a.table.source(a.facilities_crs, a.facilities_layer.clone());
    let mut facilities = match read_facilities(&a.facilities, &src, &map) {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::MissingField && a.category.is_some() => {
            // No category column: every row is of the given category.
            let mut src = src.clone();
            src.category = a.category.clone();
            return read_facilities(&a.facilities, &src, &map);
        }
        Err(e) => return Err(e),
    };
    if let Some(c) = &a.category {
        facilities.retain(|f| &f.category == c);
        if facilities.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!("no facility has category {c:?}"),
            )
            .file(&a.facilities)
            .field("--category"));
        }
    }
    Ok(facilities)
}

/// The name of the column holding `candidates` in a table, for messages.
fn column_name(path: &Path, a: &AccessArgs, candidates: &[&str], fallback: &str) -> String {
    if FileKind::of(path) == FileKind::Table {
        if let Ok(t) = Table::read(path, a.table.encoding) {
            if let Some(c) = t.find_column(candidates) {
                return t.headers[c].clone();
            }
        }
    }
    fallback.to_string()
}

/// Capacity and population columns: present, every value given, capacities not negative.
fn check_columns(a: &AccessArgs, facilities: &[Facility], demand: &[DemandPoint]) -> Result<()> {
    let row = |origin: &str, path: &Path| {
        origin
            .strip_prefix(&format!("{} ", path.display()))
            .unwrap_or(origin)
            .to_string()
    };
    if facilities.iter().all(|f| f.capacity.is_none()) {
        return Err(Error::new(
            ErrorKind::MissingField,
            format!(
                "no capacity column: expected one of {} with the capacity of every facility",
                names::CAPACITY.join(", ")
            ),
        )
        .file(&a.facilities)
        .field("capacity"));
    }
    let cap_field = || column_name(&a.facilities, a, names::CAPACITY, "capacity");
    for f in facilities {
        let at = row(&f.origin, &a.facilities);
        match f.capacity {
            None => {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    "empty capacity: every facility needs one (0 for none)",
                )
                .file(&a.facilities)
                .at(at)
                .field(cap_field()))
            }
            Some(c) if !c.is_finite() => {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!("not a finite number: {c}"),
                )
                .file(&a.facilities)
                .at(at)
                .field(cap_field()))
            }
            Some(c) if c < 0.0 => {
                return Err(
                    Error::new(ErrorKind::InvalidValue, format!("negative capacity: {c}"))
                        .file(&a.facilities)
                        .at(at)
                        .field(cap_field()),
                )
            }
            Some(_) => {}
        }
    }
    if demand.iter().any(|d| d.population.is_none()) {
        return Err(Error::new(
            ErrorKind::MissingField,
            format!(
                "no population column: expected one of {}",
                names::POPULATION.join(", ")
            ),
        )
        .file(&a.demand)
        .field("population"));
    }
    Ok(())
}
