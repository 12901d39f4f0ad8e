//! Reading a study's inputs: its network (a graph per travel mode its profile uses), and its
//! facilities, demand and zones.

use super::config::{ScenarioSection, Study};
use super::observer::{step, Observer};
use crate::categories::CategoryMap;
use crate::crs::Crs;
use crate::error::{Error, ErrorKind, Result};
use crate::input::population::{BuildingSource, DemandSource, GroupField};
use crate::input::{
    read_facilities, read_network_ways, read_osm, LineNetworkOptions, OsmRequest, PointSource,
    TextEncoding,
};
use crate::network::{
    build_network, KeepComponents, Mode, Network, Profile as TravelProfile, RawNetwork,
};
use crate::places::{DemandSet, Facility};
use crate::standards::Profile;
use crate::zones::{read_osm_zones, read_zone_layer, Zone, ZoneLayerOptions};

/// A travel mode, its travel profile and the graph built for it.
pub(super) type ModeNetwork = (Mode, TravelProfile, Network);

/// The text encoding named by study key `key` (UTF-8 when not given).
pub(super) fn enc(s: &Option<String>, key: &str) -> Result<TextEncoding> {
    s.as_deref()
        .map(|e| e.parse().map_err(|e: Error| e.field(key)))
        .transpose()
        .map(Option::unwrap_or_default)
}

/// The coordinate system named by study key `key`, if given.
pub(super) fn crs(s: &Option<String>, key: &str) -> Result<Option<Crs>> {
    s.as_deref()
        .map(|c| c.parse().map_err(|e: Error| e.field(key)))
        .transpose()
}

/// Reads the study's network once and builds a graph per travel mode of `profile`.
pub(super) fn load_networks(
    study: &Study,
    profile: &Profile,
    obs: &dyn Observer,
) -> Result<Vec<ModeNetwork>> {
    let net_path = study.resolve(&study.network.file);
    let walk = TravelProfile::new(Mode::Walk).with_speed(study.network.walk_speed)?;
    let line_opts = LineNetworkOptions {
        layer: study.network.layer.clone(),
        crs: crs(&study.network.crs, "network.crs")?,
        encoding: enc(&study.network.encoding, "network.encoding")?,
        oneway_field: study.network.oneway_field.clone(),
        speed_field: study.network.speed_field.clone(),
        exclude_field: study.network.exclude_field.clone(),
    };
    let keep = if study.network.keep_components == "all" {
        KeepComponents::All
    } else {
        KeepComponents::Largest
    };
    let (walk_raw, report) = step(obs, "read network", || {
        read_network_ways(&net_path, &walk, &line_opts)
    })?;
    if report.network_ways_cut > 0 {
        obs.note(&format!(
            "{} ways reference nodes missing from the extract and were cut there",
            report.network_ways_cut
        ));
    }
    let mut modes: Vec<Mode> = profile.categories.iter().map(|c| c.mode).collect();
    modes.sort_by_key(|m| *m as u8);
    modes.dedup();
    let mut networks: Vec<(Mode, TravelProfile, Network)> = Vec::new();
    for mode in modes {
        let (tp, raw): (TravelProfile, Option<RawNetwork>) = match mode {
            Mode::Walk => (walk, None),
            Mode::WalkElderly => {
                let p = TravelProfile::new(Mode::WalkElderly)
                    .with_speed(study.network.elderly_walk_speed)?;
                (p, Some(walk_raw.with_speed(p.speed_mps)))
            }
            m => {
                let p = TravelProfile::new(m).with_access_speed(study.network.walk_speed)?;
                (p, Some(read_network_ways(&net_path, &p, &line_opts)?.0))
            }
        };
        // Elderly walking uses the walking streets at one uniform speed: the walking graph
        // with its times recomputed is the graph those ways would build, without building it.
        let walk_net = networks.iter().find(|(m, _, _)| *m == Mode::Walk);
        let net = match (mode, walk_net) {
            (Mode::WalkElderly, Some((_, _, w))) => {
                step(obs, &format!("build {mode} graph"), || {
                    Ok(w.with_speed(tp.speed_mps))
                })
            }
            _ => step(obs, &format!("build {mode} graph"), || {
                build_network(raw.as_ref().unwrap_or(&walk_raw), keep)
            }),
        }
        .map_err(|e: Error| e.file(&net_path))?;
        obs.note(&format!(
            "{mode} network: {} nodes, {} edges, {:.1} km, {} connected pieces",
            net.node_count(),
            net.edge_count(),
            net.total_length_m() / 1000.0,
            net.components.count()
        ));
        networks.push((mode, tp, net));
    }
    // The ways (every street's geometry and tags) are in the graphs now.
    drop(walk_raw);
    Ok(networks)
}

/// The study's facilities, demand and zones, as read.
pub(super) struct Inputs {
    /// Facilities of every category (the plan's removals and additions applied).
    pub facilities: Vec<Facility>,
    /// Facility category names, sorted.
    pub facility_categories: Vec<String>,
    /// Per facility: index into `facility_categories`.
    pub facility_category: Vec<usize>,
    /// The demand.
    pub demand: DemandSet,
    /// Per demand point: its population (1 when the input has none).
    pub population: Vec<f64>,
    /// Per demand point: its group populations, in the order of `demand.groups`.
    pub groups: Vec<Vec<f64>>,
    /// The zones, without their districts.
    pub zones: Vec<Zone>,
    /// Notes for the summary, in the order they arose.
    pub notes: Vec<String>,
}

/// Reads the facilities (with `plan`'s changes and `new_sites`), the demand and the zones.
pub(super) fn load_inputs(
    study: &Study,
    profile: &Profile,
    plan: Option<&ScenarioSection>,
    new_sites: Vec<Facility>,
    obs: &dyn Observer,
) -> Result<Inputs> {
    let mut notes = Vec::new();
    let warn = |notes: &mut Vec<String>, msg: String| {
        obs.warn(&msg);
        notes.push(msg);
    };
    // Facilities.
    let map = match &study.facilities.category_map {
        Some(p) => CategoryMap::read(&study.resolve(p))?,
        None => CategoryMap::builtin(),
    };
    let mut facilities: Vec<Facility> = Vec::new();
    if let Some(osm) = &study.facilities.osm {
        let p = study.resolve(osm);
        let d = step(obs, "read OSM facilities", || {
            read_osm(
                &p,
                OsmRequest {
                    facilities: Some(&map),
                    ..Default::default()
                },
            )
        })?;
        if d.report.facility_relations_skipped > 0 {
            warn(
                &mut notes,
                format!(
                    "{} facility relations (multipolygons) in {} are not used",
                    d.report.facility_relations_skipped,
                    p.display()
                ),
            );
        }
        facilities.extend(d.facilities);
    }
    let added: Vec<(String, &crate::study::config::FacilityFile)> = plan
        .map(|p| {
            p.add_facilities
                .iter()
                .enumerate()
                .map(|(i, f)| (format!("scenario.add_facilities[{i}]"), f))
                .collect()
        })
        .unwrap_or_default();
    let files = study
        .facilities
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (format!("facilities.files[{i}]"), f))
        .chain(added);
    for (key, f) in files {
        let src = PointSource {
            crs: crs(&f.crs, &format!("{key}.crs"))?,
            encoding: enc(&f.encoding, &format!("{key}.encoding"))?,
            layer: f.layer.clone(),
            category: f.category.clone(),
            ..Default::default()
        };
        let p = study.resolve(&f.path);
        facilities.extend(step(obs, "read facilities", || {
            read_facilities(&p, &src, &map)
        })?);
    }
    if let Some(p) = plan {
        for id in &p.remove_facilities {
            if !facilities.iter().any(|f| &f.id == id) {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!("no facility has id {id:?}"),
                )
                .field("scenario.remove_facilities"));
            }
        }
        facilities.retain(|f| !p.remove_facilities.contains(&f.id));
    }
    facilities.extend(new_sites);
    if facilities.is_empty() {
        return Err(Error::new(ErrorKind::Empty, "the study has no facilities").field("facilities"));
    }
    let mut facility_categories: Vec<String> =
        facilities.iter().map(|f| f.category.clone()).collect();
    facility_categories.sort();
    facility_categories.dedup();
    let facility_category: Vec<usize> = facilities
        .iter()
        .map(|f| {
            facility_categories
                .binary_search(&f.category)
                .expect("listed")
        })
        .collect();
    for c in &profile.categories {
        if facility_categories.binary_search(&c.name).is_err() {
            warn(
                &mut notes,
                format!(
                    "no facility of category {} ({}): nobody is covered for it",
                    c.name, c.label
                ),
            );
        }
    }

    // Demand.
    let read_zones = || -> Result<(Vec<Zone>, Vec<String>)> {
        let z = &study.zones;
        if let Some(f) = &z.file {
            let opts = ZoneLayerOptions {
                layer: z.layer.clone(),
                crs: crs(&z.crs, "zones.crs")?,
                encoding: enc(&z.encoding, "zones.encoding")?,
                name_field: z.name_field.clone(),
                code_field: z.code_field.clone(),
                district_field: z.district_field.clone(),
                rural_field: z.rural_field.clone(),
            };
            read_zone_layer(&study.resolve(f), &opts).map(|z| (z, Vec::new()))
        } else {
            let p = study.resolve(z.osm.as_ref().expect("checked"));
            let (zones, rep) = read_osm_zones(&p, z.admin_level, z.district_level)?;
            let notes = rep
                .incomplete_relations
                .iter()
                .map(|(id, name)| {
                    format!("boundary relation {id} ({name}) is incomplete in the extract and is not used")
                })
                .collect();
            Ok((zones, notes))
        }
    };
    // Demand and zones are independent: read them side by side.
    let demand_src = demand_source(study)?;
    let (demand_read, zones_read) = step(obs, "read demand and zones", || {
        rayon::join(
            || crate::input::population::read_demand_source(&demand_src),
            read_zones,
        )
    });
    let (demand, demand_report) = demand_read?;
    for n in demand_report.notes() {
        obs.note(&n);
        notes.push(n);
    }
    if demand.points.is_empty() {
        return Err(Error::new(ErrorKind::Empty, "no demand points").field("demand"));
    }
    let population: Vec<f64> = demand
        .points
        .iter()
        .map(|d| d.population.unwrap_or(1.0))
        .collect();
    if demand.points.iter().all(|d| d.population.is_none()) {
        notes.push("the demand has no population field: every point counts as 1".into());
    }
    let groups: Vec<Vec<f64>> = demand.points.iter().map(|d| d.groups.clone()).collect();

    // Zones.
    let (zones, zone_notes) = zones_read?;
    for n in zone_notes {
        obs.note(&n);
    }
    if zones.is_empty() {
        return Err(Error::new(ErrorKind::Empty, "no zones").field("zones"));
    }
    Ok(Inputs {
        facilities,
        facility_categories,
        facility_category,
        demand,
        population,
        groups,
        zones,
        notes,
    })
}

fn demand_source(study: &Study) -> Result<DemandSource> {
    let d = &study.demand;
    let groups: Vec<GroupField> = d
        .groups
        .iter()
        .map(|(n, f)| GroupField::new(n, f))
        .collect();
    let source = PointSource {
        crs: crs(&d.crs, "demand.crs")?,
        encoding: enc(&d.encoding, "demand.encoding")?,
        layer: d.layer.clone(),
        ..Default::default()
    };
    Ok(if let Some(p) = &d.osm_buildings {
        DemandSource::OsmBuildings {
            path: study.resolve(p),
            total_population: d.total_population,
        }
    } else if let Some(p) = &d.points {
        DemandSource::Points {
            path: study.resolve(p),
            source,
            population_field: d.population_field.clone(),
            groups,
        }
    } else if let Some(p) = &d.polygons {
        DemandSource::Polygons {
            path: study.resolve(p),
            source,
            population_field: d.population_field.clone().expect("checked"),
            groups,
            buildings: match &d.buildings {
                Some(b) => Some(BuildingSource {
                    path: study.resolve(b),
                    source: PointSource {
                        crs: crs(&d.buildings_crs, "demand.buildings_crs")?,
                        encoding: enc(&d.buildings_encoding, "demand.buildings_encoding")?,
                        layer: d.buildings_layer.clone(),
                        ..Default::default()
                    },
                    levels_field: d.levels_field.clone(),
                }),
                None => None,
            },
            sample_spacing_m: d.sample_spacing_m,
        }
    } else {
        DemandSource::Raster {
            path: study.resolve(d.raster.as_ref().expect("checked")),
            band: d.band,
            crs: crs(&d.crs, "demand.crs")?,
        }
    })
}
