//! Running a study's analysis in memory: load inputs, route, evaluate coverage and rules, tally
//! by zone, district and city, find gap areas.

use super::config::Study;
use super::load::{crs, enc, load_inputs, load_networks, Inputs};
use super::observer::{step, Observer};
use crate::analysis::access::{tally_access, two_step_fca, Catchments, Decay, StudyAccess};
use crate::analysis::coverage::{evaluate, CategoryTimes, Coverage};
use crate::analysis::gaps::{centred_grid, BinnedPoints, GapArea};
use crate::analysis::service_area::{
    service_areas_with_progress, AreaJob, AreaOptions, ServiceAreaRecord,
};
use crate::analysis::tally::{tally, Tally, TallyInput};
use crate::categories::CategoryMap;
use crate::error::{Error, ErrorKind, Result};
use crate::input::{read_facilities, PointSource};
use crate::nearest::{nearest, nearest_snapped, snap_places_with, NearestOptions, Outcome};
use crate::network::{Mode, Network, Profile as TravelProfile, SnapResult, Snapper};
use crate::places::{DemandSet, Facility};
use crate::route::access::OnEdge;
use crate::route::catchment::{CatchmentSearch, DemandByEdge};
use crate::route::pool::Pool;
use crate::route::reach_bound::Nearby;
use crate::siting::request::{plan_sites, Candidates, SiteCapacity, SiteRequest, SiteStudy};
use crate::siting::select::{Goal, SiteOptions};
use crate::standards::{Limit, Profile};
use crate::zones::{read_zone_layer, Zone, ZoneIndex, ZoneLayerOptions};
use rayon::prelude::*;

/// Everything a study computed, before it is written.
#[derive(Debug, Clone)]
pub struct StudyResult {
    /// The standards used.
    pub profile: Profile,
    /// The zones (街道/镇).
    pub zones: Vec<Zone>,
    /// District names (区), sorted; zones without a district are not in any.
    pub districts: Vec<String>,
    /// Per zone: index into `districts`.
    pub zone_district: Vec<Option<usize>>,
    /// Facilities of every category.
    pub facilities: Vec<Facility>,
    /// Facility category names, sorted.
    pub facility_categories: Vec<String>,
    /// Per facility: index into `facility_categories`.
    pub facility_category: Vec<usize>,
    /// Per facility: its zone.
    pub facility_zone: Vec<Option<usize>>,
    /// Per facility: access leg of its nearest location in metres, `None` when no location snapped.
    pub facility_access_m: Vec<Option<f64>>,
    /// Per facility of a profile category: population (of the category's base) within its threshold.
    pub facility_served: Vec<Option<f64>>,
    /// The demand.
    pub demand: DemandSet,
    /// Per demand point: its population (1 when the input has none).
    pub population: Vec<f64>,
    /// Per demand point: its zone.
    pub demand_zone: Vec<Option<usize>>,
    /// Per demand point: access leg in metres (or distance to the nearest street when unsnapped).
    pub demand_access_m: Vec<f64>,
    /// Per demand point: snapped within the maximum distance.
    pub demand_snapped: Vec<bool>,
    /// Per profile category: travel to the nearest facility.
    pub times: Vec<CategoryTimes>,
    /// Coverage flags.
    pub coverage: Coverage,
    /// Per zone sums.
    pub zone_tallies: Vec<Tally>,
    /// Per district sums.
    pub district_tallies: Vec<Tally>,
    /// City-wide sums (every demand point, including those in no zone).
    pub city: Tally,
    /// Gap areas: per profile category, then the headline circle: `(id, label, areas)`.
    pub gaps: Vec<(String, String, Vec<GapArea>)>,
    /// Notes for the summary (what was dropped, reported or assumed).
    pub notes: Vec<String>,
    /// Ratio rules that have capacity data (indices into `profile.ratio_rules`).
    pub ratio_rules_with_data: Vec<usize>,
    /// Villages / neighbourhood committees (村居), when the study gives them.
    pub villages: Vec<Zone>,
    /// Per village: its zone (the zone containing a point on its surface).
    pub village_zone: Vec<Option<usize>>,
    /// Per village, per facility category: number of facilities inside.
    pub village_facilities: Vec<Vec<usize>>,
    /// Capacity-aware access (2SFCA) per category of the study's `[access]` section, in its
    /// order; empty without the section.
    pub access: Vec<StudyAccess>,
    /// Service areas (when the study's `[report]` asks for them): per profile category, in
    /// profile order, then per facility, in facility order; thresholds in order within each.
    pub service_areas: Vec<ServiceAreaRecord>,
    /// Site selections of the study's `[[siting]]` sections, in order (baseline only; a plan
    /// has none).
    pub siting: Vec<SiteStudy>,
}

/// Runs the analysis of a study.
pub fn compute(study: &Study, obs: &dyn Observer) -> Result<StudyResult> {
    compute_with(study, obs, None, Vec::new())
}

/// Runs the analysis of the study's `[scenario]` plan: its facilities added and removed, its
/// population scaled. A plan with `add_sites` needs the baseline: see [`compute_plan_from`].
pub fn compute_plan(study: &Study, obs: &dyn Observer) -> Result<StudyResult> {
    let plan = study.scenario.as_ref().ok_or_else(|| {
        Error::new(ErrorKind::MissingField, "the study has no [scenario]").field("scenario")
    })?;
    if plan.add_sites {
        return Err(Error::new(
            ErrorKind::InvalidValue,
            "the plan adds the sites chosen in the baseline: compute it from the baseline",
        )
        .field("scenario.add_sites"));
    }
    compute_with(study, obs, Some(plan), Vec::new())
}

/// Runs the analysis of the study's `[scenario]` plan after the baseline `base`: with
/// `add_sites`, the sites `base` chose (`[[siting]]`) are added as facilities of their category.
pub fn compute_plan_from(
    study: &Study,
    obs: &dyn Observer,
    base: &StudyResult,
) -> Result<StudyResult> {
    let plan = study.scenario.as_ref().ok_or_else(|| {
        Error::new(ErrorKind::MissingField, "the study has no [scenario]").field("scenario")
    })?;
    let sites = if plan.add_sites {
        base.siting
            .iter()
            .flat_map(SiteStudy::chosen_facilities)
            .collect()
    } else {
        Vec::new()
    };
    compute_with(study, obs, Some(plan), sites)
}

fn compute_with(
    study: &Study,
    obs: &dyn Observer,
    plan: Option<&crate::study::config::ScenarioSection>,
    new_sites: Vec<Facility>,
) -> Result<StudyResult> {
    let profile =
        Profile::load(&study.profile, Some(&study.base_dir)).map_err(|e| e.field("profile"))?;
    let mut notes = Vec::new();
    let warn = |notes: &mut Vec<String>, msg: String| {
        obs.warn(&msg);
        notes.push(msg);
    };

    // The network, then its graphs; then the facilities, demand and zones, while the walking
    // streets are indexed for snapping on the other core.
    let networks = load_networks(study, &profile, obs)?;
    let walking = |mode: &Mode| matches!(mode, Mode::Walk | Mode::WalkElderly);
    let (street_index, inputs) = rayon::join(
        || {
            networks
                .iter()
                .find(|(m, _, _)| walking(m))
                .map(|(_, _, net)| Snapper::new(net, study.network.max_snap_m))
        },
        || load_inputs(study, &profile, plan, new_sites, obs),
    );
    let Inputs {
        facilities,
        facility_categories,
        facility_category,
        mut demand,
        mut population,
        mut groups,
        mut zones,
        notes: input_notes,
    } = inputs?;
    notes.extend(input_notes);
    let surface = |z: &Zone| -> Option<[f64; 2]> {
        use geo::InteriorPoint;
        z.geometry.interior_point().map(|p| [p.x(), p.y()])
    };
    let side_layer =
        |file: &str, name_field: &Option<String>, code_field: Option<String>, key: &str| {
            let z = &study.zones;
            let opts = ZoneLayerOptions {
                layer: None,
                crs: crs(&z.crs, "zones.crs")?,
                encoding: enc(&z.encoding, "zones.encoding")?,
                name_field: name_field.clone(),
                code_field,
                district_field: None,
                rural_field: None,
            };
            read_zone_layer(&study.resolve(file), &opts).map_err(|e| e.field(key))
        };
    if let Some(f) = &study.zones.districts {
        let ds = step(obs, "read districts", || {
            side_layer(f, &study.zones.district_name_field, None, "zones.districts")
        })?;
        let di = ZoneIndex::new(&ds);
        for z in zones.iter_mut() {
            z.district = surface(z)
                .and_then(|p| di.locate(p))
                .map(|d| ds[d].name.clone());
            if z.district.is_none() {
                warn(
                    &mut notes,
                    format!("zone {} {} lies in no district", z.code, z.name),
                );
            }
        }
    }
    let index = ZoneIndex::new(&zones);
    let demand_locs: Vec<[f64; 2]> = demand.points.iter().map(|d| d.location).collect();
    let demand_zone = step(obs, "assign zones", || index.locate_all(&demand_locs));
    let facility_zone: Vec<Option<usize>> = facilities
        .iter()
        .map(|f| index.locate(f.locations[0]))
        .collect();
    // The plan's population projection, per zone.
    if let Some(p) = plan {
        for code in p.zone_population_scale.keys() {
            if !zones.iter().any(|z| &z.code == code) {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!("no zone has code {code:?}"),
                )
                .field("scenario.zone_population_scale"));
            }
        }
        for (d, z) in demand_zone.iter().enumerate() {
            let f = p.population_scale
                * z.and_then(|z| p.zone_population_scale.get(&zones[z].code))
                    .copied()
                    .unwrap_or(1.0);
            population[d] *= f;
            groups[d].iter_mut().for_each(|g| *g *= f);
            let dp = &mut demand.points[d];
            dp.population = dp.population.map(|x| x * f);
            dp.groups.iter_mut().for_each(|g| *g *= f);
        }
    }
    let unzoned: Vec<usize> = (0..demand_zone.len())
        .filter(|&d| demand_zone[d].is_none())
        .collect();
    if !unzoned.is_empty() {
        let pop: f64 = unzoned.iter().map(|&d| population[d]).sum();
        warn(&mut notes, format!(
            "{} demand points (population {:.1}) lie in no zone; they count in the city totals only \
             and are listed in the demand layer with an empty zone",
            unzoned.len(),
            pop
        ));
    }
    let mut districts: Vec<String> = zones.iter().filter_map(|z| z.district.clone()).collect();
    districts.sort();
    districts.dedup();
    let zone_district: Vec<Option<usize>> = zones
        .iter()
        .map(|z| {
            z.district
                .as_ref()
                .map(|d| districts.binary_search(d).expect("listed"))
        })
        .collect();
    let rural: Vec<bool> = demand_zone
        .iter()
        .map(|z| z.is_some_and(|z| zones[z].rural))
        .collect();

    // Travel times per category, per mode.
    let max_time_s = study.analysis.max_minutes.map(|m| m * 60.0);
    let mut times: Vec<CategoryTimes> = Vec::new();
    let mut demand_access_m = vec![0.0; demand.points.len()];
    let mut demand_snapped = vec![false; demand.points.len()];
    let mut facility_access_m: Vec<Option<f64>> = vec![None; facilities.len()];
    let mut facility_served: Vec<Option<f64>> = vec![None; facilities.len()];
    let mut all_service_areas: Vec<ServiceAreaRecord> = Vec::new();
    let base_group = |c: &crate::standards::CategoryRule| {
        c.population
            .as_ref()
            .and_then(|g| demand.groups.iter().position(|n| n == g))
    };
    let access_plans = access_plans(study, &profile, &facilities, &demand.groups, &mut notes)?;
    let mut study_access: Vec<StudyAccess> = Vec::new();
    // Per network (mode): its categories, the indices of their facilities, and those facilities.
    type ModeFacilities<'p> = (
        Vec<&'p crate::standards::CategoryRule>,
        Vec<usize>,
        Vec<Facility>,
    );
    let per_mode: Vec<ModeFacilities> = networks
        .iter()
        .map(|(mode, _, _)| {
            let cats: Vec<&crate::standards::CategoryRule> = profile
                .categories
                .iter()
                .filter(|c| c.mode == *mode)
                .collect();
            let fac_idx: Vec<usize> = (0..facilities.len())
                .filter(|&f| cats.iter().any(|c| c.name == facilities[f].category))
                .collect();
            let subset = fac_idx.iter().map(|&f| facilities[f].clone()).collect();
            (cats, fac_idx, subset)
        })
        .collect();
    // Every mode's searches at once, so that they share the cores (elderly walking has one
    // category: on its own it would leave a core idle).
    let routes = step(obs, "route", || {
        // Walking and elderly walking share the streets: everything is snapped once.
        let walk_snaps = match &street_index {
            Some(index) => Some(snap_places_with(index, &facilities, &demand.points)?),
            None => None,
        };
        networks
            .par_iter()
            .zip(&per_mode)
            .map(|((mode, tp, net), (_, fac_idx, subset))| {
                let opts = NearestOptions {
                    profile: *tp,
                    max_time_s,
                    max_snap_m: study.network.max_snap_m,
                    keep_node_times: false,
                };
                match &walk_snaps {
                    Some((fs, ds)) if walking(mode) => {
                        let fs: Vec<Vec<SnapResult>> =
                            fac_idx.iter().map(|&f| fs[f].clone()).collect();
                        nearest_snapped(net, subset, &demand.points, fs, ds.clone(), &opts)
                    }
                    _ => nearest(net, subset, &demand.points, &opts),
                }
            })
            .collect::<Vec<_>>()
            .into_iter()
            .collect::<Result<Vec<_>>>() // the first mode's error, whichever failed first
    })
    .map_err(|e| e.field("demand"))?;
    for (((mode, tp, net), r), (cats, fac_idx, subset)) in
        networks.iter().zip(&routes).zip(&per_mode)
    {
        if *mode == Mode::Walk || networks.len() == 1 {
            for (d, s) in r.demand_snaps.iter().enumerate() {
                (demand_access_m[d], demand_snapped[d]) = match s {
                    SnapResult::Snapped(s) => (s.access_m, true),
                    SnapResult::TooFar(m) => (*m, false),
                };
            }
        }
        for (k, snaps) in r.facility_snaps.iter().enumerate() {
            let best = snaps
                .iter()
                .filter_map(|s| match s {
                    SnapResult::Snapped(s) => Some(s.access_m),
                    SnapResult::TooFar(_) => None,
                })
                .fold(None, |a: Option<f64>, x| Some(a.map_or(x, |a| a.min(x))));
            facility_access_m[fac_idx[k]] = best;
            if best.is_none() {
                warn(
                    &mut notes,
                    format!(
                        "facility {} ({}, {}) is farther than {} m from any street and is not used",
                        facilities[fac_idx[k]].id,
                        facilities[fac_idx[k]].category,
                        facilities[fac_idx[k]].origin,
                        study.network.max_snap_m
                    ),
                );
            }
        }
        for c in cats {
            let n = demand.points.len();
            let mut t = CategoryTimes {
                category: c.name.clone(),
                time_s: vec![f64::INFINITY; n],
                distance_m: vec![f64::INFINITY; n],
                facility: vec![u32::MAX; n],
            };
            if let Some(ci) = r.categories.iter().position(|x| *x == c.name) {
                for d in 0..n {
                    if let Outcome::Reached(h) = r.outcome(d, ci) {
                        t.time_s[d] = h.time_s;
                        t.distance_m[d] = h.distance_m;
                        t.facility[d] = fac_idx[h.facility as usize] as u32;
                    }
                }
            }
            times.push(t);
        }

        // Population served by each facility within its category's threshold.
        let snaps: Vec<Option<crate::network::Snap>> = r
            .demand_snaps
            .iter()
            .map(|s| match s {
                SnapResult::Snapped(s) => Some(*s),
                SnapResult::TooFar(_) => None,
            })
            .collect();
        // A catchment search goes to the rural limit only from facilities that could reach a
        // rural demand point within it; the others stop at the urban limit.
        let rural_places = Nearby::new(
            snaps
                .iter()
                .enumerate()
                .filter(|(d, s)| s.is_some() && rural[*d])
                .map(|(d, _)| demand.points[d].location)
                .collect(),
        );
        let fastest_mps = net.edges.max_speed_mps().max(tp.access_speed_mps);
        let by_edge = DemandByEdge::new(snaps);
        let buffers = Pool::new(|| (CatchmentSearch::new(net, demand.points.len()), Vec::new()));
        let served: Vec<(usize, f64)> = step(obs, &format!("catchments ({mode})"), || {
            (0..fac_idx.len())
                .into_par_iter()
                .map_init(
                    || buffers.take(),
                    |buf, k| {
                        let (search, out) = &mut **buf;
                        let f = fac_idx[k];
                        let rule = cats
                            .iter()
                            .find(|c| c.name == facilities[f].category)
                            .expect("filtered");
                        let locs: Vec<OnEdge> = r.facility_snaps[k]
                            .iter()
                            .filter_map(|s| match s {
                                SnapResult::Snapped(s) => Some(OnEdge::new(s, k as u32)),
                                SnapResult::TooFar(_) => None,
                            })
                            .collect();
                        let slowest = tp.speed_mps.min(tp.access_speed_mps);
                        let urban_s = rule.threshold.urban.max_time_s(slowest);
                        let rural_s = rule.threshold.rural.max_time_s(slowest);
                        let rural_reach_m = match rule.threshold.rural {
                            Limit::Metres(m) => m,
                            Limit::Seconds(s) => s * fastest_mps,
                        };
                        let bound = if rural_s > urban_s
                            && facilities[f]
                                .locations
                                .iter()
                                .any(|&p| rural_places.any_within(p, rural_reach_m))
                        {
                            rural_s
                        } else {
                            urban_s
                        };
                        out.clear();
                        search.run(net, &by_edge, &locs, bound, tp.access_speed_mps, out);
                        let bg = base_group(rule);
                        let pop: f64 = out
                            .iter()
                            .filter(|(d, t, dist)| {
                                rule.threshold.limit(rural[*d as usize]).admits(*t, *dist)
                            })
                            .map(|(d, _, _)| {
                                bg.map_or(population[*d as usize], |g| groups[*d as usize][g])
                            })
                            .sum::<f64>()
                            + 0.0; // the empty sum is -0.0
                        (f, pop)
                    },
                )
                .collect()
        });
        for (f, pop) in served {
            facility_served[f] = Some(pop);
        }

        // Capacity-aware access (2SFCA) of the [access] categories of this mode.
        for plan in access_plans.iter().filter(|p| p.rule.mode == *mode) {
            let ctx = AccessContext {
                net,
                tp,
                by_edge: &by_edge,
                fac_idx,
                snaps: &r.facility_snaps,
                facilities: &facilities,
                population: &population,
                groups: &groups,
                demand_zone: &demand_zone,
                zone_district: &zone_district,
                zone_count: zones.len(),
                district_count: districts.len(),
            };
            let a = step(obs, &format!("2SFCA ({})", plan.rule.name), || {
                run_access(plan, &ctx)
            })?;
            study_access.push(a);
        }

        // Service areas of each category and each facility.
        if study.report.service_areas {
            let jobs = area_jobs(study, cats, &zones, fac_idx, subset, &r.facility_snaps);
            let areas = step(obs, &format!("service areas ({mode})"), || {
                let total = jobs.len() as u64;
                let finished = std::sync::atomic::AtomicU64::new(0);
                let done = |n: usize| {
                    let k = finished.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
                    obs.progress(k + n as u64, total);
                };
                let opts = AreaOptions {
                    speed_mps: tp.speed_mps,
                    access_mps: tp.access_speed_mps,
                    buffer_m: study.report.service_area_buffer_m,
                    lines: study.report.service_area_lines,
                };
                service_areas_with_progress(net, &jobs, &opts, &done)
            });
            all_service_areas.extend(areas);
        }
    }
    // Site selection (baseline only).
    let mut siting = Vec::new();
    if plan.is_none() {
        for (i, sec) in study.siting.iter().enumerate() {
            let st = step(obs, &format!("site selection ({})", sec.category), || {
                run_siting(
                    study,
                    i,
                    sec,
                    &profile,
                    &networks,
                    &facilities,
                    &demand,
                    &zones,
                )
            })
            .map_err(|e| e.field_prefix(&format!("siting[{i}]")))?;
            for w in &st.warnings {
                warn(&mut notes, format!("siting ({}): {w}", sec.category));
            }
            obs.note(&format!("siting ({}): {}", sec.category, st.summary_line()));
            siting.push(st);
        }
    }
    all_service_areas.sort_by_key(|a| {
        (
            a.facility.is_some(),
            a.facility,
            profile.categories.iter().position(|c| c.name == a.category),
        )
    });
    // Keep times in profile order, access results in the [access] order.
    times.sort_by_key(|t| profile.categories.iter().position(|c| c.name == t.category));
    study_access.sort_by_key(|a| access_plans.iter().position(|p| p.rule.name == a.category));
    for a in &study_access {
        if !a.without_capacity.is_empty() {
            warn(
                &mut notes,
                format!(
                    "access ({}): {} facilities without a capacity are left out of the 2SFCA",
                    a.category,
                    a.without_capacity.len()
                ),
            );
        }
        let no_demand: Vec<&str> = a
            .fca
            .no_demand()
            .into_iter()
            .map(|k| facilities[a.facilities[k]].id.as_str())
            .collect();
        if !no_demand.is_empty() {
            warn(
                &mut notes,
                format!(
                    "access ({}): {} facilities have no demand within their catchment (no ratio): {}{}",
                    a.category,
                    no_demand.len(),
                    no_demand[..no_demand.len().min(20)].join(", "),
                    if no_demand.len() > 20 { ", ..." } else { "" }
                ),
            );
        }
    }
    let unsnapped = demand_snapped.iter().filter(|s| !**s).count();
    if unsnapped > 0 {
        warn(&mut notes, format!(
            "{unsnapped} demand points are farther than {} m from any street: not covered, listed as unsnapped",
            study.network.max_snap_m
        ));
    }

    let coverage = step(obs, "coverage", || evaluate(&profile, &times, &rural));
    let input = TallyInput {
        profile: &profile,
        coverage: &coverage,
        population: &population,
        groups: &groups,
        group_names: &demand.groups,
        facility_categories: &facility_categories,
        facility_category: &facility_category,
        facility_capacity: &facilities.iter().map(|f| f.capacity).collect::<Vec<_>>(),
    };
    let zone_tallies = tally(zones.len(), &demand_zone, &facility_zone, &input);
    let to_district = |z: &Option<usize>| z.and_then(|z| zone_district[z]);
    let district_tallies = tally(
        districts.len(),
        &demand_zone.iter().map(to_district).collect::<Vec<_>>(),
        &facility_zone.iter().map(to_district).collect::<Vec<_>>(),
        &input,
    );
    let city = tally(
        1,
        &vec![Some(0); demand.points.len()],
        &vec![Some(0); facilities.len()],
        &input,
    )
    .pop()
    .expect("one group");

    // Villages (村居) for per-village count rules.
    let (villages, village_zone, village_facilities) = match &study.zones.villages {
        Some(f) => {
            let vs = step(obs, "read villages", || {
                side_layer(
                    f,
                    &study.zones.village_name_field,
                    study.zones.village_code_field.clone(),
                    "zones.villages",
                )
            })?;
            let vi = ZoneIndex::new(&vs);
            let vz: Vec<Option<usize>> = vs
                .iter()
                .map(|v| surface(v).and_then(|p| index.locate(p)))
                .collect();
            let mut counts = vec![vec![0usize; facility_categories.len()]; vs.len()];
            for (fi, f) in facilities.iter().enumerate() {
                if let Some(v) = vi.locate(f.locations[0]) {
                    counts[v][facility_category[fi]] += 1;
                }
            }
            (vs, vz, counts)
        }
        None => {
            for r in profile
                .count_rules
                .iter()
                .filter(|r| r.per == crate::standards::CountUnit::Village)
            {
                notes.push(format!(
                    "count rule {} ({}) not evaluated: the study has no village layer (zones.villages)",
                    r.id, r.label
                ));
            }
            (Vec::new(), Vec::new(), Vec::new())
        }
    };

    let has_group = |r: &crate::standards::RatioRule| {
        r.population
            .as_ref()
            .is_none_or(|g| demand.groups.contains(g))
    };
    let ratio_rules_with_data: Vec<usize> = (0..profile.ratio_rules.len())
        .filter(|&i| {
            let r = &profile.ratio_rules[i];
            has_group(r)
                && match r.kind {
                    crate::standards::RatioKind::CapacityPerPopulation => facilities
                        .iter()
                        .any(|f| f.category == r.category && f.capacity.is_some()),
                    crate::standards::RatioKind::PopulationPerFacility => true,
                }
        })
        .collect();
    for (i, r) in profile.ratio_rules.iter().enumerate() {
        if !has_group(r) {
            notes.push(format!(
                "ratio rule {} ({}) not evaluated: the demand has no population group {}",
                r.id,
                r.label,
                r.population.as_deref().unwrap_or_default()
            ));
        } else if !ratio_rules_with_data.contains(&i) {
            notes.push(format!(
                "ratio rule {} ({}) not evaluated: no {} facility has a capacity",
                r.id, r.label, r.category
            ));
        }
    }

    // Gap areas: uncovered, populated demand per category and for the headline circle, on one
    // grid centred on the populated demand (so that the hexagons of every category coincide),
    // binned once. Each kind is independent: they are found in parallel, listed in a fixed order.
    let populated = |d: usize| population[d] > 0.0;
    let grid = centred_grid(
        (0..demand.points.len())
            .filter(|&d| populated(d))
            .map(|d| demand.points[d].location),
        study.analysis.gap_cell_m,
    )
    .map_err(|e| e.field("analysis.gap_cell_m"))?;
    let gaps = step(obs, "gap areas", || {
        let locations: Vec<[f64; 2]> = demand.points.iter().map(|p| p.location).collect();
        let binned = grid.map(|g| BinnedPoints::on(&g, &locations));
        let h = &profile.circles[profile.headline];
        let kinds: Vec<(&String, &String, &Vec<bool>)> = profile
            .categories
            .iter()
            .zip(&coverage.category)
            .map(|(rule, flags)| (&rule.name, &rule.label, flags))
            .chain([(&h.id, &h.label, &coverage.circle[profile.headline])])
            .collect();
        kinds
            .into_par_iter()
            .map(|(id, label, flags)| {
                let areas = binned.as_ref().map_or_else(Vec::new, |b| {
                    b.gap_areas(|d| (!flags[d] && populated(d)).then(|| population[d]))
                });
                (id.clone(), label.clone(), areas)
            })
            .collect::<Vec<_>>()
    });

    Ok(StudyResult {
        profile,
        zones,
        districts,
        zone_district,
        facilities,
        facility_categories,
        facility_category,
        facility_zone,
        facility_access_m,
        facility_served,
        demand,
        population,
        demand_zone,
        demand_access_m,
        demand_snapped,
        times,
        coverage,
        zone_tallies,
        district_tallies,
        city,
        gaps,
        notes,
        ratio_rules_with_data,
        villages,
        village_zone,
        village_facilities,
        service_areas: all_service_areas,
        access: study_access,
        siting,
    })
}

/// Runs one `[[siting]]` section: the category's population, mode and threshold.
#[allow(clippy::too_many_arguments)]
fn run_siting(
    study: &Study,
    i: usize,
    sec: &crate::study::config::SitingSection,
    profile: &Profile,
    networks: &[(Mode, TravelProfile, Network)],
    facilities: &[Facility],
    demand: &DemandSet,
    zones: &[Zone],
) -> Result<SiteStudy> {
    let key = |k: &str| format!("siting[{i}].{k}");
    let rule = profile.category(&sec.category).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidValue,
            format!(
                "{:?} is not a category of the profile ({})",
                sec.category,
                profile
                    .categories
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .field(key("category"))
    })?;
    let (_, tp, net) = networks
        .iter()
        .find(|(m, _, _)| *m == rule.mode)
        .expect("a network per profile mode");
    let limit_s = match sec.minutes {
        Some(m) => m * 60.0,
        None => rule
            .threshold
            .urban
            .max_time_s(tp.speed_mps.min(tp.access_speed_mps)),
    };
    // The category's population (e.g. residents aged 60+), when the demand has that group.
    let group = rule
        .population
        .as_ref()
        .and_then(|g| demand.groups.iter().position(|n| n == g));
    let points: Vec<crate::places::DemandPoint> = demand
        .points
        .iter()
        .map(|d| {
            let mut d = d.clone();
            if let Some(g) = group {
                d.population = Some(d.groups[g]);
            }
            d
        })
        .collect();
    let candidates = match Candidates::generated(&sec.candidates)? {
        Some(c) => c,
        None => {
            let src = PointSource {
                crs: crs(&sec.candidates_crs, &key("candidates_crs"))?,
                category: Some(sec.category.clone()),
                ..Default::default()
            };
            Candidates::Given(read_facilities(
                &study.resolve(&sec.candidates),
                &src,
                &CategoryMap::builtin(),
            )?)
        }
    };
    let mask = match &sec.mask {
        Some(m) => read_zone_layer(&study.resolve(m), &ZoneLayerOptions::default())?,
        None => Vec::new(),
    };
    let goal = match (sec.k, sec.target_share) {
        (Some(k), _) => Goal::MaxCover { k },
        (None, Some(s)) => Goal::TargetShare(s),
        (None, None) => unreachable!("checked when the study was read"),
    };
    let capacity = match (sec.site_capacity, sec.people_per_unit) {
        (Some(c), _) => Some(SiteCapacity::Uniform(c)),
        (None, Some(r)) => Some(SiteCapacity::PerCandidate { people_per_unit: r }),
        (None, None) => None,
    };
    let req = SiteRequest {
        category: sec.category.clone(),
        options: SiteOptions {
            nearest: NearestOptions {
                profile: *tp,
                max_time_s: Some(limit_s),
                max_snap_m: study.network.max_snap_m,
                keep_node_times: false,
            },
            goal,
            method: sec.method.parse()?,
            time_limit_s: sec.time_limit,
            exact_max_nonzeros: 200_000,
            keep_matrix: false,
        },
        candidates,
        exclude_zones: sec.exclude_zones.clone(),
        one_per_zone: sec.one_per_zone,
        max_per_district: sec.max_per_district,
        capacity,
    };
    plan_sites(net, facilities, &points, zones, &mask, &req)
}

/// One category of the study's `[access]` section, ready to run.
struct AccessPlan {
    rule: crate::standards::CategoryRule,
    minutes: Option<f64>,
    decay: Decay,
    target: Option<f64>,
    /// Index of the measured population group in the demand's groups.
    group: Option<usize>,
}

/// The categories of the `[access]` section with their decay, catchment and target.
fn access_plans(
    study: &Study,
    profile: &Profile,
    facilities: &[Facility],
    group_names: &[String],
    notes: &mut Vec<String>,
) -> Result<Vec<AccessPlan>> {
    let Some(a) = &study.access else {
        return Ok(Vec::new());
    };
    let decay = a.decay()?;
    let with_capacity = |c: &str| {
        facilities
            .iter()
            .any(|f| f.category == c && f.capacity.is_some())
    };
    let names: Vec<String> = if a.categories.is_empty() {
        profile
            .categories
            .iter()
            .filter(|c| with_capacity(&c.name))
            .map(|c| c.name.clone())
            .collect()
    } else {
        a.categories.clone()
    };
    if names.is_empty() {
        notes.push(
            "[access]: no profile category has facilities with a capacity: nothing measured".into(),
        );
    }
    for c in a.targets.keys() {
        if !names.contains(c) {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!("{c:?} is not a measured category ({})", names.join(", ")),
            )
            .field(format!("access.targets.{c}")));
        }
    }
    let mut plans = Vec::new();
    for name in names {
        let rule = profile
            .categories
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidValue,
                    format!(
                        "unknown category {name:?}: the profile has {}",
                        profile
                            .categories
                            .iter()
                            .map(|c| c.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .field("access.categories")
            })?;
        if !with_capacity(&name) {
            notes.push(format!(
                "access ({name}): no facility has a capacity: every access value is 0"
            ));
        }
        let group = rule
            .population
            .as_ref()
            .and_then(|g| group_names.iter().position(|n| n == g));
        let measured = group.map(|g| &group_names[g]);
        let target = a.targets.get(&name).copied().or_else(|| {
            profile
                .ratio_rules
                .iter()
                .find(|r| {
                    r.category == name
                        && r.kind == crate::standards::RatioKind::CapacityPerPopulation
                        && r.population.as_ref() == measured
                })
                .map(|r| r.target / r.per)
        });
        plans.push(AccessPlan {
            rule: rule.clone(),
            minutes: a.minutes,
            decay: decay.clone(),
            target,
            group,
        });
    }
    Ok(plans)
}

/// What a 2SFCA run of one category needs from the study's routing of its travel mode.
struct AccessContext<'a> {
    net: &'a Network,
    tp: &'a TravelProfile,
    by_edge: &'a DemandByEdge,
    /// Study index of each facility routed in this mode.
    fac_idx: &'a [usize],
    /// Snapping of each facility routed in this mode.
    snaps: &'a [Vec<SnapResult>],
    facilities: &'a [Facility],
    population: &'a [f64],
    groups: &'a [Vec<f64>],
    demand_zone: &'a [Option<usize>],
    zone_district: &'a [Option<usize>],
    zone_count: usize,
    district_count: usize,
}

/// Catchments of the category's facilities (to the category's urban threshold, or the
/// section's `minutes`) and the 2SFCA, with sums per zone, district and city.
fn run_access(plan: &AccessPlan, c: &AccessContext<'_>) -> Result<StudyAccess> {
    let rule = &plan.rule;
    let limit_s = plan
        .minutes
        .map(|m| m * 60.0)
        .unwrap_or_else(|| rule.threshold.urban.max_time_s(c.tp.speed_mps));
    let mut members = Vec::new();
    let mut without_capacity = Vec::new();
    let mut capacity = Vec::new();
    let mut locations: Vec<Vec<OnEdge>> = Vec::new();
    for (k, &f) in c.fac_idx.iter().enumerate() {
        let fac = &c.facilities[f];
        if fac.category != rule.name {
            continue;
        }
        match fac.capacity {
            None => without_capacity.push(f),
            Some(cap) if !(cap.is_finite() && cap >= 0.0) => {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!("capacity must be a number ≥ 0, got {cap}"),
                )
                .at(&fac.origin)
                .field("capacity"))
            }
            Some(cap) => {
                members.push(f);
                capacity.push(cap);
                locations.push(
                    c.snaps[k]
                        .iter()
                        .filter_map(|s| match s {
                            SnapResult::Snapped(s) => Some(OnEdge::new(s, k as u32)),
                            SnapResult::TooFar(_) => None,
                        })
                        .collect(),
                );
            }
        }
    }
    let weight: Vec<f64> = (0..c.population.len())
        .map(|d| plan.group.map_or(c.population[d], |g| c.groups[d][g]))
        .collect();
    let catchments = Catchments::compute(
        c.net,
        c.by_edge,
        &locations,
        &vec![limit_s; locations.len()],
        c.tp.access_speed_mps,
    );
    let fca = two_step_fca(&catchments, &capacity, &weight, limit_s, &plan.decay);
    let to_district: Vec<Option<usize>> = c
        .demand_zone
        .iter()
        .map(|z| z.and_then(|z| c.zone_district[z]))
        .collect();
    let zones = tally_access(
        c.zone_count,
        c.demand_zone,
        &weight,
        &fca.access,
        plan.target,
    );
    let districts = tally_access(
        c.district_count,
        &to_district,
        &weight,
        &fca.access,
        plan.target,
    );
    let city = tally_access(
        1,
        &vec![Some(0); weight.len()],
        &weight,
        &fca.access,
        plan.target,
    )[0];
    Ok(StudyAccess {
        category: rule.name.clone(),
        label: rule.label.clone(),
        limit_s,
        decay: plan.decay.clone(),
        target: plan.target,
        group: rule.population.clone().filter(|_| plan.group.is_some()),
        facilities: members,
        without_capacity,
        fca,
        zones,
        districts,
        city,
    })
}

/// The service-area searches of one travel mode: each category of `cats` from all its snapped
/// facilities, then each facility, at the study's thresholds (or the category's own: urban, and
/// rural when some zone is rural). `fac_idx[k]` is the study index of `subset[k]`.
fn area_jobs(
    study: &Study,
    cats: &[&crate::standards::CategoryRule],
    zones: &[Zone],
    fac_idx: &[usize],
    subset: &[Facility],
    snaps: &[Vec<SnapResult>],
) -> Vec<AreaJob> {
    use crate::standards::Limit;
    let any_rural = zones.iter().any(|z| z.rural);
    let locations = |k: usize| -> Vec<OnEdge> {
        snaps[k]
            .iter()
            .filter_map(|s| match s {
                SnapResult::Snapped(s) => Some(OnEdge::new(s, k as u32)),
                SnapResult::TooFar(_) => None,
            })
            .collect()
    };
    let mut jobs = Vec::new();
    for c in cats {
        let thresholds: Vec<Limit> = if study.report.service_area_minutes.is_empty() {
            let t = c.threshold;
            let mut v = vec![t.urban];
            if any_rural && t.rural != t.urban {
                v.push(t.rural);
            }
            v
        } else {
            study
                .report
                .service_area_minutes
                .iter()
                .map(|m| Limit::Seconds(m * 60.0))
                .collect()
        };
        let members: Vec<usize> = (0..subset.len())
            .filter(|&k| subset[k].category == c.name)
            .collect();
        let locs: Vec<OnEdge> = members.iter().flat_map(|&k| locations(k)).collect();
        jobs.push(AreaJob {
            facility: None,
            category: c.name.clone(),
            facilities: members
                .iter()
                .filter(|&&k| !locations(k).is_empty())
                .count(),
            locations: locs,
            thresholds: thresholds.clone(),
        });
        if study.report.facility_service_areas {
            for &k in &members {
                jobs.push(AreaJob {
                    facility: Some(fac_idx[k]),
                    category: c.name.clone(),
                    facilities: 1,
                    locations: locations(k),
                    thresholds: thresholds.clone(),
                });
            }
        }
    }
    jobs
}
