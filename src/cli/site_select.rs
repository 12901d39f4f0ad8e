//! `lifecircle site-select`: where should the next facilities go?

use super::args::{check_outputs, parse_crs, NetworkOpts, SnapOpts, TableOpts};
use super::load;
use super::progress::Progress;
use clap::Args;
use lifecircle::bounds;
use lifecircle::categories::CategoryMap;
use lifecircle::crs::Crs;
use lifecircle::input::{read_demand, read_facilities};
use lifecircle::nearest::NearestOptions;
use lifecircle::output::{write_atomic, write_layer};
use lifecircle::siting::request::{plan_sites, Candidates, SiteCapacity, SiteRequest};
use lifecircle::siting::select::{Goal, Method, SiteOptions};
use lifecircle::zones::{read_zone_layer, ZoneLayerOptions};
use lifecircle::{Error, ErrorKind, Result};
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct SiteSelectArgs {
    #[command(flatten)]
    pub network: NetworkOpts,
    /// Existing facilities (table, layer or .osm.pbf); only those of --category count. Without
    /// it nobody is covered yet.
    #[arg(long, value_name = "FILE")]
    pub facilities: Option<PathBuf>,
    /// Demand points with a population column.
    #[arg(long, value_name = "FILE")]
    pub demand: PathBuf,
    /// Candidate sites: a table with at least id, lon, lat, or a point/polygon layer; or
    /// `gap-nodes[:SPACING_M]` (network nodes no existing facility reaches in time, at most one
    /// per hexagon of SPACING_M, default 200) or `hexagons[:CELL_M]` (centres of hexagons
    /// holding uncovered demand, default 250); sizes from 10 to 100,000 m.
    #[arg(long, value_name = "FILE|SPEC")]
    pub candidates: String,
    /// Exclude candidates inside these zones (codes, comma-separated; needs --zones).
    #[arg(long, value_name = "CODES", value_delimiter = ',', requires = "zones")]
    pub exclude_zones: Vec<String>,
    /// Exclude candidates inside the polygons of this layer (e.g. water, protected land).
    #[arg(long, value_name = "FILE")]
    pub mask: Option<PathBuf>,
    /// The facility category to site.
    #[arg(long, value_name = "NAME")]
    pub category: String,
    /// Number of new sites (maximal covering), 1 to 100,000.
    #[arg(long, value_name = "K", conflicts_with = "target_share")]
    pub k: Option<usize>,
    /// Instead of --k: the fewest sites that bring coverage to this share (0–1) of the population
    /// any site or existing facility can cover (set covering).
    #[arg(long, value_name = "SHARE")]
    pub target_share: Option<f64>,
    /// Coverage threshold in minutes (above 0, at most 600).
    #[arg(long, value_name = "M")]
    pub max_minutes: f64,
    /// Output CSV: rank, candidate_id, added_population, cumulative_population, lon, lat[, zone].
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Also write the summary (method, proven gap, figures) as JSON.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Also write the covering problem: one row per (candidate, demand point) it covers among
    /// the demand not yet covered, with the demand's population (CSV).
    #[arg(long, value_name = "FILE")]
    pub matrix_out: Option<PathBuf>,
    /// auto (greedy + swaps, then exact when small enough), greedy, or exact.
    #[arg(long, default_value = "auto")]
    pub method: String,
    /// Time limit of the exact solver, seconds (above 0, at most 86,400).
    #[arg(long, default_value_t = 60.0)]
    pub time_limit: f64,
    /// Zones (街道/镇 polygons) for the rules and the output.
    #[arg(long, value_name = "FILE")]
    pub zones: Option<PathBuf>,
    /// Rule: at least one new site in every zone that has no facility of the category.
    #[arg(long, requires = "zones")]
    pub one_per_zone: bool,
    /// Rule: at most this many new sites per district (区) (zones need a district field).
    #[arg(long, value_name = "N", requires = "zones")]
    pub max_per_district: Option<usize>,
    /// Capacity: every new site serves at most this many people (capacitated covering: the
    /// population counted is the population assigned to the sites, none above capacity).
    #[arg(
        long,
        value_name = "PEOPLE",
        conflicts_with = "capacity_from_candidates"
    )]
    pub site_capacity: Option<f64>,
    /// Capacity from the candidates' capacity column (beds, places), times this many people per
    /// unit (e.g. 25 residents aged 60+ per bed; 1 child per childcare place).
    #[arg(long = "people-per-unit", value_name = "R")]
    pub capacity_from_candidates: Option<f64>,
    /// Coordinate system of the facilities.
    #[arg(long, value_name = "CRS", value_parser = parse_crs)]
    pub facilities_crs: Option<Crs>,
    /// Coordinate system of the demand.
    #[arg(long, value_name = "CRS", value_parser = parse_crs)]
    pub demand_crs: Option<Crs>,
    /// Coordinate system of the candidates.
    #[arg(long, value_name = "CRS", value_parser = parse_crs)]
    pub candidates_crs: Option<Crs>,
    /// Mapping of OSM tags to categories for .osm.pbf facilities.
    #[arg(long, value_name = "FILE")]
    pub category_map: Option<PathBuf>,
    #[command(flatten)]
    pub snap: SnapOpts,
    #[command(flatten)]
    pub table: TableOpts,
    /// No progress on stderr (the summary still appears).
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(a: SiteSelectArgs) -> Result<()> {
    check_outputs([Some(&a.out), a.matrix_out.as_ref()])?;
    let progress = Progress::new(a.quiet);
    let limit = bounds::MINUTES.check(a.max_minutes, "--max-minutes")? * 60.0;
    let goal = match (a.k, a.target_share) {
        (Some(k), None) => Goal::MaxCover {
            k: bounds::K.check_count(k, "--k")?,
        },
        (None, Some(s)) => Goal::TargetShare(bounds::SHARE.check(s, "--target-share")?),
        _ => {
            return Err(
                Error::new(ErrorKind::MissingField, "give --k or --target-share").field("--k"),
            )
        }
    };
    let method: Method = a.method.parse().map_err(|e: Error| e.field("--method"))?;
    let time_limit_s = bounds::TIME_LIMIT_S.check(a.time_limit, "--time-limit")?;
    let max_snap_m = bounds::SNAP_M.check(a.snap.max_snap_m, "--max-snap-m")?;
    if let Some(n) = a.max_per_district {
        bounds::MAX_PER_DISTRICT.check_count(n, "--max-per-district")?;
    }
    let capacity = match (a.site_capacity, a.capacity_from_candidates) {
        (Some(c), _) => Some(SiteCapacity::Uniform(
            bounds::SITE_CAPACITY.check(c, "--site-capacity")?,
        )),
        (None, Some(r)) => Some(SiteCapacity::PerCandidate {
            people_per_unit: bounds::PEOPLE_PER_UNIT.check(r, "--people-per-unit")?,
        }),
        (None, None) => None,
    };
    let profile = a.network.profile()?;
    let generated = Candidates::generated(&a.candidates)
        .map_err(|e| e.rename_field("candidates", "--candidates"))?;
    let map = match &a.category_map {
        Some(p) => CategoryMap::read(p)?,
        None => CategoryMap::builtin(),
    };
    let net = load::network(&a.network, a.table.encoding, &progress)?;
    let src = a.table.source(a.facilities_crs, None);
    let existing = match &a.facilities {
        Some(f) => read_facilities(f, &src, &map)?,
        None => Vec::new(),
    };
    let demand = read_demand(&a.demand, &a.table.source(a.demand_crs, None))?;
    let candidates = match generated {
        Some(c) => c,
        None => {
            let mut src = a.table.source(a.candidates_crs, None);
            src.category = Some(a.category.clone());
            Candidates::Given(read_facilities(Path::new(&a.candidates), &src, &map)?)
        }
    };
    let zones = match &a.zones {
        Some(zp) => read_zone_layer(zp, &ZoneLayerOptions::default())?,
        None => Vec::new(),
    };
    let mask = match &a.mask {
        Some(m) => read_zone_layer(m, &ZoneLayerOptions::default())?,
        None => Vec::new(),
    };
    let req = SiteRequest {
        category: a.category.clone(),
        options: SiteOptions {
            nearest: NearestOptions {
                profile,
                max_time_s: Some(limit),
                max_snap_m,
                keep_node_times: false,
            },
            goal,
            method,
            time_limit_s,
            exact_max_nonzeros: 200_000,
            keep_matrix: a.matrix_out.is_some(),
        },
        candidates,
        exclude_zones: a.exclude_zones.clone(),
        one_per_zone: a.one_per_zone,
        max_per_district: a.max_per_district,
        capacity,
    };
    let study = progress.step("select sites", || {
        plan_sites(&net, &existing, &demand, &zones, &mask, &req)
            .map_err(|e| e.rename_field("candidates", "--candidates"))
    })?;
    for w in &study.warnings {
        progress.warn(w);
    }
    if study.excluded > 0 {
        progress.info(&format!(
            "{} candidates excluded by zone or mask",
            study.excluded
        ));
    }
    write_layer(&a.out, &study.sites_layer())?;
    if let Some(p) = &a.matrix_out {
        write_layer(p, &study.matrix_layer(&demand))?;
    }
    eprintln!("{}", study.summary_line());
    if let Some(p) = &a.summary {
        let text = serde_json::to_string_pretty(&study.summary_json()).expect("serialisable");
        write_atomic(p, |tmp| {
            std::fs::write(tmp, &text).map_err(|e| Error::io(tmp, e))
        })?;
    }
    Ok(())
}
