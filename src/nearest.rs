//! Travel time and distance from every demand point to the nearest facility of every category.
//!
//! One multi-source search per category (categories in parallel) gives every node its time to the
//! nearest facility; each demand point then combines the two ends of the street it snaps onto,
//! the facilities on that same street, and its access leg.
//!
//! ```text
//!   demand d ─access─┐            facility f ─access─┐
//!        a ──────────●───────── b ──── ... ── c ─────●────── e
//!          offset s    L − s                           seeds c and e with the partial lengths
//! ```

use crate::error::{Error, ErrorKind, Result};
use crate::network::{Network, Profile, SnapResult, Snapper};
use crate::output::{Kind, Layer, Value};
use crate::places::{DemandPoint, Facility};
use crate::route::access::{demand_trip, on_edge_slice, push_seeds, OnEdge};
use crate::route::Workspace;
use rayon::prelude::*;
use std::sync::Arc;

/// Options of a nearest-facility run.
#[derive(Debug, Clone, Copy)]
pub struct NearestOptions {
    /// Travel mode and speeds.
    pub profile: Profile,
    /// Cut-off in seconds; facilities farther than this count as not reached.
    pub max_time_s: Option<f64>,
    /// Maximum access-leg length in metres for snapping.
    pub max_snap_m: f64,
    /// Keep each category's per-node times (for inspection and checks).
    pub keep_node_times: bool,
}

/// The nearest facility of one category for one demand point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Index into the facility list.
    pub facility: u32,
    /// Ground distance in metres: network length plus both access legs.
    pub distance_m: f64,
    /// Travel time in seconds, access legs walked.
    pub time_s: f64,
}

/// The outcome for one demand point and one category.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    /// The nearest facility.
    Reached(Hit),
    /// No facility within the cut-off (or none reachable at all).
    NotReached,
    /// The demand point could not be snapped.
    Unsnapped,
}

/// Per-node result of one category's search.
#[derive(Debug, Clone)]
pub struct NodeTimes {
    /// Seconds to the nearest facility, `f64::INFINITY` when not reached.
    pub time_s: Vec<f64>,
    /// Metres to the nearest facility along the best path (with the facility's access leg).
    pub distance_m: Vec<f64>,
}

/// Results of a nearest-facility run.
#[derive(Debug, Clone)]
pub struct NearestResult {
    /// Category names, sorted.
    pub categories: Vec<String>,
    /// Snapping of each demand point.
    pub demand_snaps: Vec<SnapResult>,
    /// Snapping of each facility location, per facility.
    pub facility_snaps: Vec<Vec<SnapResult>>,
    /// One column per category: `outcomes[c * demand + d]` for category `c` and demand point
    /// `d` (see [`NearestResult::outcome`]). Shared, so that tables made from it need no copy.
    pub outcomes: Arc<Vec<Outcome>>,
    /// Per category, per-node results (when asked for).
    pub node_times: Vec<NodeTimes>,
}

impl NearestResult {
    /// The outcome for demand point `d` and category `c`.
    pub fn outcome(&self, d: usize, c: usize) -> Outcome {
        self.outcomes[c * self.demand_snaps.len() + d]
    }

    /// Facilities none of whose locations snapped.
    pub fn unsnapped_facilities(&self) -> Vec<usize> {
        (0..self.facility_snaps.len())
            .filter(|&f| {
                self.facility_snaps[f]
                    .iter()
                    .all(|s| matches!(s, SnapResult::TooFar(_)))
            })
            .collect()
    }
}

/// Runs the analysis. Every location is WGS84; checks that the demand lies near the network.
pub fn nearest(
    network: &Network,
    facilities: &[Facility],
    demand: &[DemandPoint],
    opts: &NearestOptions,
) -> Result<NearestResult> {
    let (facility_snaps, demand_snaps) = snap_places(network, facilities, demand, opts.max_snap_m)?;
    nearest_snapped(
        network,
        facilities,
        demand,
        facility_snaps,
        demand_snaps,
        opts,
    )
}

/// Checks that every location is a valid longitude/latitude and snaps it within `max_snap_m`
/// metres: per facility its locations' snaps, per demand point its snap.
pub fn snap_places(
    network: &Network,
    facilities: &[Facility],
    demand: &[DemandPoint],
    max_snap_m: f64,
) -> Result<(Vec<Vec<SnapResult>>, Vec<SnapResult>)> {
    validate_places(facilities, demand)?;
    Ok(snap_all(
        &Snapper::new(network, max_snap_m),
        facilities,
        demand,
    ))
}

/// [`snap_places`] with an index of the network's streets already built (see
/// [`Snapper::new`]); the snapper's maximum distance applies.
pub fn snap_places_with(
    snapper: &Snapper,
    facilities: &[Facility],
    demand: &[DemandPoint],
) -> Result<(Vec<Vec<SnapResult>>, Vec<SnapResult>)> {
    validate_places(facilities, demand)?;
    Ok(snap_all(snapper, facilities, demand))
}

/// Snaps every facility location and demand point (validated) with `snapper`.
fn snap_all(
    snapper: &Snapper,
    facilities: &[Facility],
    demand: &[DemandPoint],
) -> (Vec<Vec<SnapResult>>, Vec<SnapResult>) {
    let facility_snaps: Vec<Vec<SnapResult>> = facilities
        .par_iter()
        .map(|f| f.locations.iter().map(|&p| snapper.snap(p)).collect())
        .collect();
    // Queries in spatial order: neighbouring queries walk the same parts of the index, which
    // then stay in the cache.
    let locations: Vec<[f64; 2]> = demand.iter().map(|d| d.location).collect();
    let order = crate::network::hilbert::hilbert_order(&locations);
    let snapped: Vec<SnapResult> = order
        .par_iter()
        .map(|&d| snapper.snap(locations[d as usize]))
        .collect();
    let mut demand_snaps: Vec<Option<SnapResult>> = vec![None; demand.len()];
    for (&d, s) in order.iter().zip(snapped) {
        demand_snaps[d as usize] = Some(s);
    }
    let demand_snaps = demand_snaps
        .into_iter()
        .map(|s| s.expect("every point snapped once"))
        .collect();
    (facility_snaps, demand_snaps)
}

/// [`nearest`] with the facilities and demand already snapped onto `network` (or onto a network
/// of the same geometry, such as one from [`Network::with_speed`]): per facility its locations'
/// snaps, per demand point its snap.
pub fn nearest_snapped(
    network: &Network,
    facilities: &[Facility],
    demand: &[DemandPoint],
    facility_snaps: Vec<Vec<SnapResult>>,
    demand_snaps: Vec<SnapResult>,
    opts: &NearestOptions,
) -> Result<NearestResult> {
    assert_eq!(
        facility_snaps.len(),
        facilities.len(),
        "a snap list per facility"
    );
    assert_eq!(demand_snaps.len(), demand.len(), "a snap per demand point");
    if !demand.is_empty()
        && demand_snaps
            .iter()
            .all(|s| matches!(s, SnapResult::TooFar(_)))
    {
        let nearest = demand_snaps
            .iter()
            .map(|s| match s {
                SnapResult::TooFar(d) => *d,
                SnapResult::Snapped(_) => 0.0,
            })
            .fold(f64::INFINITY, f64::min);
        return Err(Error::new(
            ErrorKind::Mismatch,
            format!(
                "no demand point lies within {} m of the network (the closest is {:.0} m away): \
                 is the demand outside the network's area, or in another coordinate system?",
                opts.max_snap_m, nearest
            ),
        ));
    }

    let mut categories: Vec<String> = facilities.iter().map(|f| f.category.clone()).collect();
    categories.sort();
    categories.dedup();
    let walk = opts.profile.access_speed_mps;
    let limit = opts.max_time_s.unwrap_or(f64::INFINITY);
    let edges = &network.edges;
    // The snapped demand points in the order of their edges (edges are numbered along the
    // network's space-filling order): each category's pass then reads the edges, the nodes'
    // times and the facilities on the same edge nearly in memory order.
    let mut by_edge: Vec<(u32, u32)> = demand_snaps
        .iter()
        .enumerate()
        .filter_map(|(d, s)| match s {
            SnapResult::Snapped(s) => Some((s.edge, d as u32)),
            SnapResult::TooFar(_) => None,
        })
        .collect();
    by_edge.par_sort_unstable();

    // Each category's search fills its own column of the outcomes.
    let nd = demand_snaps.len();
    // Filled in parallel (a city's table is hundreds of megabytes of fresh memory).
    let mut outcomes = Vec::new();
    (0..nd * categories.len())
        .into_par_iter()
        .map(|_| Outcome::Unsnapped)
        .collect_into_vec(&mut outcomes);
    let columns: Vec<&mut [Outcome]> = if nd == 0 {
        categories.iter().map(|_| &mut [][..]).collect()
    } else {
        outcomes.chunks_mut(nd).collect()
    };
    let node_times: Vec<NodeTimes> = columns
        .into_par_iter()
        .zip(categories.par_iter())
        .map_init(
            || Workspace::new(network.node_count()),
            |ws, (outcomes, cat)| {
                let mut on_edge: Vec<OnEdge> = Vec::new();
                for (fi, f) in facilities.iter().enumerate() {
                    if &f.category != cat {
                        continue;
                    }
                    for s in &facility_snaps[fi] {
                        if let SnapResult::Snapped(s) = s {
                            on_edge.push(OnEdge::new(s, fi as u32));
                        }
                    }
                }
                on_edge.sort_by_key(|o| (o.edge, o.facility));
                let mut seeds = Vec::with_capacity(on_edge.len() * 2);
                push_seeds(edges, &on_edge, walk, &mut seeds);
                ws.run(&network.incoming, &seeds, limit);
                let mut rest = on_edge.as_slice();
                for &(edge, d) in &by_edge {
                    let SnapResult::Snapped(s) = &demand_snaps[d as usize] else {
                        unreachable!("only snapped points are listed")
                    };
                    // The facilities on this edge: `rest` starts at the first with edge >= this.
                    let skip = rest.partition_point(|o| o.edge < edge);
                    rest = &rest[skip..];
                    let same = on_edge_slice(rest, edge);
                    outcomes[d as usize] = match demand_trip(edges, ws, s, walk, same) {
                        Some((time_s, distance_m, facility)) if time_s <= limit => {
                            Outcome::Reached(Hit {
                                facility,
                                distance_m,
                                time_s,
                            })
                        }
                        _ => Outcome::NotReached,
                    };
                }
                opts.keep_node_times.then(|| {
                    let n = network.node_count();
                    let mut nt = NodeTimes {
                        time_s: vec![f64::INFINITY; n],
                        distance_m: vec![f64::INFINITY; n],
                    };
                    for v in 0..n as u32 {
                        if let Some((t, l, _)) = ws.get(v) {
                            nt.time_s[v as usize] = t;
                            nt.distance_m[v as usize] = l;
                        }
                    }
                    nt
                })
            },
        )
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect();
    Ok(NearestResult {
        categories,
        demand_snaps,
        facility_snaps,
        outcomes: Arc::new(outcomes),
        node_times,
    })
}

/// Every location of the facilities and demand is a finite WGS84 position.
fn validate_places(facilities: &[Facility], demand: &[DemandPoint]) -> Result<()> {
    validate_locations(
        facilities
            .iter()
            .flat_map(|f| f.locations.iter().map(move |l| (l, &f.origin))),
    )?;
    validate_locations(demand.iter().map(|d| (&d.location, &d.origin)))
}

fn validate_locations<'a>(locs: impl Iterator<Item = (&'a [f64; 2], &'a String)>) -> Result<()> {
    for (p, origin) in locs {
        let valid = (-180.0..=180.0).contains(&p[0]) && (-90.0..=90.0).contains(&p[1]);
        if !valid {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "{origin}: position {:?} is not a valid longitude/latitude after conversion to WGS84 \
                     (wrong coordinate system?)",
                    p
                ),
            ));
        }
    }
    Ok(())
}

/// The map layer of a nearest-facility run (the output of `lifecircle nearest`): one row per demand
/// point and category, `demand_id, category, facility_id, distance_m, time_s, status, access_m`,
/// at the demand point. `status` is `ok`, `not_reached` or `unsnapped`; `access_m` is the access
/// leg, or the distance to the nearest street when unsnapped.
pub fn nearest_layer(r: &NearestResult, facilities: &[Facility], demand: &[DemandPoint]) -> Layer {
    let mut l = nearest_table(r, facilities, demand);
    if !l.is_empty() {
        let per_demand = r.categories.len();
        l.set_geometries(
            demand
                .iter()
                .flat_map(|d| {
                    std::iter::repeat_n(
                        geo_types::Geometry::Point(geo_types::Point::new(
                            d.location[0],
                            d.location[1],
                        )),
                        per_demand,
                    )
                })
                .collect(),
        );
    }
    l
}

/// The rows of [`nearest_layer`] without their points, for tables (CSV, XLSX).
pub fn nearest_table(r: &NearestResult, facilities: &[Facility], demand: &[DemandPoint]) -> Layer {
    // Rows are made as they are written, from shared copies of what they show.
    let per_demand = r.categories.len();
    let demand_ids: Arc<[String]> = demand.iter().map(|d| d.id.clone()).collect();
    let facility_ids: Arc<[String]> = facilities.iter().map(|f| f.id.clone()).collect();
    let categories: Arc<[String]> = r.categories.iter().cloned().collect();
    let outcomes = Arc::clone(&r.outcomes);
    let nd = demand.len();
    let access: Arc<[f64]> = r
        .demand_snaps
        .iter()
        .map(|s| match s {
            SnapResult::Snapped(s) => s.access_m,
            SnapResult::TooFar(m) => *m,
        })
        .collect();
    let rows = demand.len() * per_demand;
    Layer::new(
        "nearest",
        &[
            ("demand_id", Kind::Text),
            ("category", Kind::Text),
            ("facility_id", Kind::Text),
            ("distance_m", Kind::Real),
            ("time_s", Kind::Real),
            ("status", Kind::Text),
            ("access_m", Kind::Real),
        ],
    )
    .with_made_rows(rows, move |i, row| {
        let (d, c) = (i / per_demand, i % per_demand);
        row[0].set_text(&demand_ids[d]);
        row[1].set_text(&categories[c]);
        let outcome = outcomes[c * nd + d];
        let status = match outcome {
            Outcome::Reached(h) => {
                row[2].set_text(&facility_ids[h.facility as usize]);
                row[3] = Value::Real(h.distance_m);
                row[4] = Value::Real(h.time_s);
                "ok"
            }
            Outcome::NotReached | Outcome::Unsnapped => {
                row[2..5].fill(Value::Null);
                if outcome == Outcome::NotReached {
                    "not_reached"
                } else {
                    "unsnapped"
                }
            }
        };
        row[5].set_text(status);
        row[6] = Value::Real(access[d]);
    })
}

/// Every network node's time and distance to the nearest facility of each category (empty
/// when the run did not keep node times): one row per category and node.
pub fn node_times_layer(net: &Network, r: &NearestResult) -> Layer {
    let mut l = Layer::new(
        "nodes",
        &[
            ("node", Kind::Int),
            ("osm_id", Kind::Int),
            ("lon", Kind::Real),
            ("lat", Kind::Real),
            ("category", Kind::Text),
            ("distance_m", Kind::Real),
            ("time_s", Kind::Real),
        ],
    );
    for (c, cat) in r.categories.iter().enumerate() {
        let nt = &r.node_times[c];
        for v in 0..net.node_count() {
            let p = net.nodes[v];
            let fin = |x: f64| {
                if x.is_finite() {
                    Value::Real(x)
                } else {
                    Value::Null
                }
            };
            l.push(
                vec![
                    Value::Int(v as i64),
                    Value::Int(net.node_source_ids[v]),
                    Value::Real(p[0]),
                    Value::Real(p[1]),
                    Value::Text(cat.clone()),
                    fin(nt.distance_m[v]),
                    fin(nt.time_s[v]),
                ],
                Some(p),
            );
        }
    }
    l
}

/// How every facility location snapped: one row per facility and location, with the access
/// leg and the edge, or `unsnapped` with the distance to the nearest street.
pub fn facility_snapping_layer(r: &NearestResult, facilities: &[Facility]) -> Layer {
    let mut l = Layer::new(
        "facility_snapping",
        &[
            ("facility_id", Kind::Text),
            ("name", Kind::Text),
            ("category", Kind::Text),
            ("location", Kind::Int),
            ("status", Kind::Text),
            ("access_m", Kind::Real),
            ("edge", Kind::Int),
            ("origin", Kind::Text),
        ],
    );
    for (fi, f) in facilities.iter().enumerate() {
        for (li, s) in r.facility_snaps[fi].iter().enumerate() {
            let (status, access, edge) = match s {
                SnapResult::Snapped(s) => ("snapped", s.access_m, Value::Int(i64::from(s.edge))),
                SnapResult::TooFar(d) => ("unsnapped", *d, Value::Null),
            };
            l.push(
                vec![
                    Value::Text(f.id.clone()),
                    Value::Text(f.name.clone()),
                    Value::Text(f.category.clone()),
                    Value::Int(li as i64),
                    Value::from(status),
                    Value::Real(access),
                    edge,
                    Value::Text(f.origin.clone()),
                ],
                Some(f.locations[li]),
            );
        }
    }
    l
}
