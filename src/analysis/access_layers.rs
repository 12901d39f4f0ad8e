//! The tables of an accessibility run ([`access`](super::access::access)): one row per demand
//! point and category, one per facility, one per facility–demand pair within reach; and the
//! warnings a user should read about what was left out.

use super::access::{AccessResult, Ratio};
use crate::network::SnapResult;
use crate::output::{Kind, Layer, Value};
use crate::places::{DemandPoint, Facility};

/// One row per demand point and category: `demand_id, category, access` (capacity per person
/// within reach), `population`, `facilities` (facilities reaching it) and `status` (`ok`,
/// `not_reached`, `unsnapped`); point geometry.
pub fn access_demand_layer(r: &AccessResult, demand: &[DemandPoint]) -> Layer {
    let mut l = Layer::new(
        "access",
        &[
            ("demand_id", Kind::Text),
            ("category", Kind::Text),
            ("access", Kind::Real),
            ("population", Kind::Real),
            ("facilities", Kind::Int),
            ("status", Kind::Text),
        ],
    );
    let reached: Vec<Vec<u32>> = r
        .categories
        .iter()
        .map(|c| c.catchments.facilities_per_demand())
        .collect();
    for (d, dp) in demand.iter().enumerate() {
        let unsnapped = matches!(r.demand_snaps[d], SnapResult::TooFar(_));
        for (c, cat) in r.categories.iter().enumerate() {
            let n = reached[c][d];
            let status = if unsnapped {
                "unsnapped"
            } else if n == 0 {
                "not_reached"
            } else {
                "ok"
            };
            l.push(
                vec![
                    Value::Text(dp.id.clone()),
                    Value::Text(cat.category.clone()),
                    Value::Real(cat.fca.access[d]),
                    Value::Real(dp.population.unwrap_or(0.0)),
                    Value::Int(i64::from(n)),
                    Value::from(status),
                ],
                Some(dp.location),
            );
        }
    }
    l
}

/// One row per facility: `facility_id, category, ratio` (capacity per weighted person in the
/// catchment; empty when nobody is within reach), `capacity`, `demand` (weighted population in
/// reach), `demand_points` and `status` (`ok`, `no_demand`, `unsnapped`); point geometry.
pub fn access_facility_layer(r: &AccessResult, facilities: &[Facility]) -> Layer {
    let mut l = Layer::new(
        "facility_access",
        &[
            ("facility_id", Kind::Text),
            ("category", Kind::Text),
            ("ratio", Kind::Real),
            ("capacity", Kind::Real),
            ("demand", Kind::Real),
            ("demand_points", Kind::Int),
            ("status", Kind::Text),
        ],
    );
    let unsnapped = r.unsnapped_facilities();
    for c in &r.categories {
        for (k, &f) in c.facilities.iter().enumerate() {
            let fac = &facilities[f];
            let (ratio, status) = match c.fca.ratio[k] {
                Ratio::Value(v) => (Value::Real(v), "ok"),
                Ratio::NoDemand if unsnapped.contains(&f) => (Value::Null, "unsnapped"),
                Ratio::NoDemand => (Value::Null, "no_demand"),
            };
            l.push(
                vec![
                    Value::Text(fac.id.clone()),
                    Value::Text(c.category.clone()),
                    ratio,
                    Value::Real(fac.capacity.unwrap_or(0.0)),
                    Value::Real(c.fca.demand[k]),
                    Value::Int(c.catchments.of(k).len() as i64),
                    Value::from(status),
                ],
                Some(fac.locations[0]),
            );
        }
    }
    l
}

/// One row per facility–demand pair within the catchment: `facility_id, category, demand_id,
/// time_s` (seconds) and `distance_m` (metres along the streets, access legs included).
pub fn access_catchment_layer(
    r: &AccessResult,
    facilities: &[Facility],
    demand: &[DemandPoint],
) -> Layer {
    let mut l = Layer::new(
        "catchments",
        &[
            ("facility_id", Kind::Text),
            ("category", Kind::Text),
            ("demand_id", Kind::Text),
            ("time_s", Kind::Real),
            ("distance_m", Kind::Real),
        ],
    );
    for c in &r.categories {
        for (k, reach) in c.catchments.pairs() {
            l.push(
                vec![
                    Value::Text(facilities[c.facilities[k]].id.clone()),
                    Value::Text(c.category.clone()),
                    Value::Text(demand[reach.demand as usize].id.clone()),
                    Value::Real(reach.time_s),
                    Value::Real(reach.distance_m),
                ],
                None,
            );
        }
    }
    l
}

/// What a user should know about a run: facilities not snapped (not used), facilities with no
/// demand in their catchment, demand points not snapped. At most 20 names per message.
pub fn access_warnings(
    r: &AccessResult,
    facilities: &[Facility],
    demand: &[DemandPoint],
) -> Vec<String> {
    let mut out = Vec::new();
    let unsnapped = r.unsnapped_facilities();
    for &f in unsnapped.iter().take(20) {
        out.push(format!(
            "facility {} ({}, {}) is farther than the snapping distance from any street and is not used",
            facilities[f].id, facilities[f].category, facilities[f].origin
        ));
    }
    if unsnapped.len() > 20 {
        out.push(format!(
            "... {} more facilities not snapped",
            unsnapped.len() - 20
        ));
    }
    let mut no_demand: Vec<&str> = Vec::new();
    for c in &r.categories {
        for k in c.fca.no_demand() {
            let f = c.facilities[k];
            if !unsnapped.contains(&f) {
                no_demand.push(&facilities[f].id);
            }
        }
    }
    if !no_demand.is_empty() {
        out.push(format!(
            "{} facilities have no demand within the catchment (ratio empty, status no_demand): {}{}",
            no_demand.len(),
            no_demand
                .iter()
                .take(20)
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
            if no_demand.len() > 20 { ", ..." } else { "" }
        ));
    }
    let n = r
        .demand_snaps
        .iter()
        .filter(|s| matches!(s, SnapResult::TooFar(_)))
        .count();
    if n > 0 {
        out.push(format!(
            "{n} of {} demand points are farther than the snapping distance from any street; \
             they have access 0 and status \"unsnapped\"",
            demand.len()
        ));
    }
    out
}
