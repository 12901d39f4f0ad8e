//! `lifecircle site-select`: where should the next facilities go?

use super::args::{parse_crs, positive, NetworkOpts, SnapOpts, TableOpts};
use super::load;
use super::progress::Progress;
use clap::Args;
use lifecircle::categories::CategoryMap;
use lifecircle::categories::CategoryMap as Map;
use lifecircle::crs::Crs;
use lifecircle::input::{read_demand, read_facilities};
use lifecircle::nearest::NearestOptions;
use lifecircle::nearest::{nearest, Outcome};
use lifecircle::network::{Network, Profile, SnapResult, Snapper};
use lifecircle::output::{write_atomic, write_layer, Kind, Layer, Value};
use lifecircle::places::{DemandPoint, Facility};
use lifecircle::route::access::OnEdge;
use lifecircle::siting::candidates::{exclude, hexagon_centres, nodes_in_gaps};
use lifecircle::siting::select::{select_sites, Goal, Method, Rules, SiteOptions};
use lifecircle::zones::{read_zone_layer, ZoneIndex, ZoneLayerOptions};
use lifecircle::{Error, ErrorKind, Result};
use std::path::PathBuf;

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
    /// holding uncovered demand, default 250).
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
    /// Number of new sites (maximal covering).
    #[arg(long, value_name = "K", conflicts_with = "target_share")]
    pub k: Option<usize>,
    /// Instead of --k: the fewest sites that bring coverage to this share (0–1) of the population
    /// any site or existing facility can cover (set covering).
    #[arg(long, value_name = "SHARE")]
    pub target_share: Option<f64>,
    /// Coverage threshold in minutes.
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
    /// Time limit of the exact solver, seconds.
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
    let progress = Progress::new(a.quiet);
    let limit = positive(a.max_minutes, "--max-minutes")? * 60.0;
    let goal = match (a.k, a.target_share) {
        (Some(k), None) if k > 0 => Goal::MaxCover { k },
        (None, Some(s)) if s > 0.0 && s <= 1.0 => Goal::TargetShare(s),
        (Some(_), None) => {
            return Err(Error::new(ErrorKind::InvalidValue, "must be at least 1").field("--k"))
        }
        (None, Some(s)) => {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!("must be in (0, 1], got {s}"),
            )
            .field("--target-share"))
        }
        _ => {
            return Err(
                Error::new(ErrorKind::MissingField, "give --k or --target-share").field("--k"),
            )
        }
    };
    let method = match a.method.as_str() {
        "auto" => Method::Auto,
        "greedy" => Method::Greedy,
        "exact" => Method::Exact,
        m => {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!("unknown method {m:?}; use auto, greedy or exact"),
            )
            .field("--method"))
        }
    };
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
    let existing: Vec<_> = existing
        .into_iter()
        .filter(|f| f.category == a.category)
        .collect();
    if existing.is_empty() {
        progress.warn(&format!(
            "no existing facility of category {:?}: everyone starts uncovered",
            a.category
        ));
    }
    let demand = read_demand(&a.demand, &a.table.source(a.demand_crs, None))?;
    if demand.iter().all(|d| d.population.is_none()) {
        progress.warn("the demand has no population column: every point counts as 1");
    }
    let profile = a.network.profile()?;
    let candidates = candidates(&a, &net, &existing, &demand, &map, limit, &profile)?;

    // Rules from zones.
    let mut rules = Rules::default();
    let mut zone_names: Vec<String> = Vec::new();
    let zones = match &a.zones {
        Some(zp) => read_zone_layer(zp, &ZoneLayerOptions::default())?,
        None => Vec::new(),
    };
    let mask = match &a.mask {
        Some(m) => read_zone_layer(m, &ZoneLayerOptions::default())?,
        None => Vec::new(),
    };
    let before = candidates.len();
    let candidates = exclude(candidates, &zones, &a.exclude_zones, &mask);
    if candidates.len() < before {
        progress.info(&format!(
            "{} candidates excluded by zone or mask",
            before - candidates.len()
        ));
    }
    if candidates.is_empty() {
        return Err(Error::new(ErrorKind::Empty, "no candidate sites left").field("--candidates"));
    }
    let mut cand_zone: Vec<Option<usize>> = vec![None; candidates.len()];
    if a.zones.is_some() {
        let index = ZoneIndex::new(&zones);
        cand_zone = candidates
            .iter()
            .map(|c| index.locate(c.locations[0]))
            .collect();
        zone_names = zones
            .iter()
            .map(|z| format!("{} {}", z.code, z.name))
            .collect();
        if a.one_per_zone {
            let mut has = vec![false; zones.len()];
            for f in &existing {
                if let Some(z) = index.locate(f.locations[0]) {
                    has[z] = true;
                }
            }
            for z in 0..zones.len() {
                if has[z] {
                    continue;
                }
                let g: Vec<u32> = (0..candidates.len())
                    .filter(|&c| cand_zone[c] == Some(z))
                    .map(|c| c as u32)
                    .collect();
                if g.is_empty() {
                    progress.warn(&format!(
                        "zone {} has no facility and no candidate: the rule cannot be met there",
                        zone_names[z]
                    ));
                } else {
                    rules.at_least_one.push(g);
                }
            }
        }
        if let Some(b) = a.max_per_district {
            let mut districts: Vec<String> =
                zones.iter().filter_map(|z| z.district.clone()).collect();
            districts.sort();
            districts.dedup();
            for d in &districts {
                let g: Vec<u32> = (0..candidates.len())
                    .filter(|&c| {
                        cand_zone[c].is_some_and(|z| zones[z].district.as_ref() == Some(d))
                    })
                    .map(|c| c as u32)
                    .collect();
                rules.at_most.push((g, b));
            }
        }
    }
    let opts = SiteOptions {
        nearest: NearestOptions {
            profile,
            max_time_s: Some(limit),
            max_snap_m: a.snap.max_snap_m,
            keep_node_times: false,
        },
        goal,
        method,
        time_limit_s: positive(a.time_limit, "--time-limit")?,
        exact_max_nonzeros: 200_000,
        keep_matrix: a.matrix_out.is_some(),
    };
    let r = progress.step("select sites", || {
        select_sites(&net, &existing, &demand, &candidates, &rules, &opts)
    })?;
    for &c in r.unsnapped_candidates.iter().take(20) {
        progress.warn(&format!(
            "candidate {} is farther than {} m from any street and cannot be chosen",
            candidates[c].id, a.snap.max_snap_m
        ));
    }

    let mut l = Layer::new(
        "sites",
        &[
            ("rank", Kind::Int),
            ("candidate_id", Kind::Text),
            ("added_population", Kind::Real),
            ("cumulative_population", Kind::Real),
            ("lon", Kind::Real),
            ("lat", Kind::Real),
            ("zone", Kind::Text),
        ],
    );
    for s in &r.sites {
        let c = &candidates[s.candidate];
        let p = c.locations[0];
        l.push(
            vec![
                Value::Int(s.rank as i64),
                Value::Text(c.id.clone()),
                Value::Real(s.added_population),
                Value::Real(s.cumulative_population),
                Value::Real(p[0]),
                Value::Real(p[1]),
                cand_zone[s.candidate]
                    .map(|z| Value::Text(zone_names[z].clone()))
                    .unwrap_or(Value::Null),
            ],
            Some(p),
        );
    }
    write_layer(&a.out, &l)?;
    if let Some(p) = &a.matrix_out {
        let mut m = Layer::new(
            "coverage_matrix",
            &[
                ("candidate_id", Kind::Text),
                ("demand_id", Kind::Text),
                ("population", Kind::Real),
            ],
        );
        for &(c, d) in &r.matrix {
            let dp = &demand[d as usize];
            m.push(
                vec![
                    Value::Text(candidates[c as usize].id.clone()),
                    Value::Text(dp.id.clone()),
                    Value::Real(dp.population.unwrap_or(1.0)),
                ],
                None,
            );
        }
        write_layer(p, &m)?;
    }
    let summary = serde_json::json!({
        "category": a.category,
        "goal": match goal { Goal::MaxCover { k } => format!("maximal covering, k = {k}"), Goal::TargetShare(s) => format!("set covering to {:.1} % of the coverable population", s * 100.0) },
        "threshold_minutes": a.max_minutes,
        "method": r.method,
        "optimal": r.optimal,
        "proven_gap": r.gap,
        "bound": if r.bound.is_finite() { serde_json::json!(r.bound) } else { serde_json::Value::Null },
        "sites": r.sites.len(),
        "total_population": r.total_population,
        "covered_before": r.covered_before,
        "added_population": r.added,
        "covered_after": r.covered_before + r.added,
        "uncoverable_population": r.uncoverable,
        "greedy_swap_added_population": r.heuristic_added,
        "candidates": candidates.len(),
        "unsnapped_candidates": r.unsnapped_candidates.len(),
        "problem": {"elements": r.problem_size.0, "candidates": r.problem_size.1, "nonzeros": r.problem_size.2},
        "seconds": {"catchments": r.seconds.0, "solve": r.seconds.1},
    });
    eprintln!(
        "{} sites, method {}, {} (gap {:.4} %): added population {:.1} (covered {:.1} → {:.1} of {:.1}; {:.1} not coverable by any candidate)",
        r.sites.len(),
        r.method,
        if r.optimal { "proven optimal" } else { "not proven optimal" },
        r.gap * 100.0,
        r.added,
        r.covered_before,
        r.covered_before + r.added,
        r.total_population,
        r.uncoverable
    );
    if let Some(p) = &a.summary {
        let text = serde_json::to_string_pretty(&summary).expect("serialisable");
        write_atomic(p, |tmp| {
            std::fs::write(tmp, &text).map_err(|e| Error::io(tmp, e))
        })?;
    }
    Ok(())
}

/// The candidate sites: from a file, or generated in the gaps.
fn candidates(
    a: &SiteSelectArgs,
    net: &Network,
    existing: &[Facility],
    demand: &[DemandPoint],
    map: &Map,
    limit_s: f64,
    profile: &Profile,
) -> Result<Vec<Facility>> {
    let spec = a.candidates.as_str();
    let (kind, size) = match spec.split_once(':') {
        Some((k, v)) => (k, Some(v)),
        None => (spec, None),
    };
    let size = |default: f64| -> Result<f64> {
        match size {
            None => Ok(default),
            Some(v) => v
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x > 0.0)
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::InvalidValue,
                        format!("bad size {v:?} in {spec:?}"),
                    )
                    .field("--candidates")
                }),
        }
    };
    match kind {
        "gap-nodes" => {
            let snapper = Snapper::new(net, a.snap.max_snap_m);
            let locs: Vec<OnEdge> = existing
                .iter()
                .enumerate()
                .flat_map(|(i, f)| f.locations.iter().map(move |&p| (i, p)))
                .filter_map(|(i, p)| match snapper.snap(p) {
                    SnapResult::Snapped(s) => Some(OnEdge::new(&s, i as u32)),
                    SnapResult::TooFar(_) => None,
                })
                .collect();
            Ok(nodes_in_gaps(
                net,
                &locs,
                limit_s,
                profile.access_speed_mps,
                size(200.0)?,
                &a.category,
            ))
        }
        "hexagons" => {
            let uncovered: Vec<[f64; 2]> = if existing.is_empty() {
                demand.iter().map(|d| d.location).collect()
            } else {
                let opts = NearestOptions {
                    profile: *profile,
                    max_time_s: Some(limit_s),
                    max_snap_m: a.snap.max_snap_m,
                    keep_node_times: false,
                };
                let r = nearest(net, existing, demand, &opts)?;
                (0..demand.len())
                    .filter(|&d| !matches!(r.outcome(d, 0), Outcome::Reached(_)))
                    .map(|d| demand[d].location)
                    .collect()
            };
            Ok(hexagon_centres(&uncovered, size(250.0)?, &a.category))
        }
        _ => {
            let mut src = a.table.source(a.candidates_crs, None);
            src.category = Some(a.category.clone());
            read_facilities(std::path::Path::new(spec), &src, map)
        }
    }
}
