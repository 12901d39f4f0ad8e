//! The study's results as layers: zones, districts, demand, facilities, gaps.
//!
//! Column names are English identifiers; every column also has a Chinese label used for Chinese
//! headers in CSV and XLSX. Shares are fractions between 0 and 1; `*_pass` columns are 1 (target
//! met) or 0, empty when the value cannot be computed.

use super::compute::StudyResult;
use crate::analysis::access::{AccessTally, Ratio, StudyAccess};
use crate::analysis::tally::{count_rule, ratio_rule_in, share, RollUp, RuleOutcome, Tally};
use crate::output::{GeometryType, Kind, Layer, Value};
use crate::standards::{CountRule, CountUnit};
use std::sync::Arc;

fn opt(v: Option<f64>) -> Value {
    match v {
        Some(x) if x.is_finite() => Value::Real(x),
        _ => Value::Null,
    }
}

fn flag(b: Option<bool>) -> Value {
    b.map(|b| Value::Int(i64::from(b))).unwrap_or(Value::Null)
}

/// Whose row a tally is: a zone's own, or a roll-up of zones (a district or the city), where each
/// count and ratio rule passes when every zone in it passes.
#[derive(Clone, Copy)]
enum Row<'a> {
    Zone,
    /// The zones in the district or city.
    Zones(&'a dyn Fn(usize) -> bool),
}

/// Columns and Chinese labels shared by the zone layer and the district table; the district
/// table (`rolled_up`) also counts the zones that meet each zone rule.
fn tally_columns(r: &StudyResult, rolled_up: bool) -> Vec<(String, Kind, String)> {
    let p = &r.profile;
    let mut c: Vec<(String, Kind, String)> = vec![
        ("demand_points".into(), Kind::Int, "需求点数".into()),
        ("population".into(), Kind::Real, "常住人口".into()),
    ];
    for g in &r.demand.groups {
        c.push((format!("pop_{g}"), Kind::Real, format!("人口_{g}")));
    }
    for cat in &p.categories {
        let (n, l) = (&cat.name, &cat.label);
        c.push((format!("{n}_facilities"), Kind::Int, format!("{l}_设施数")));
        c.push((format!("{n}_covered"), Kind::Real, format!("{l}_覆盖人口")));
        c.push((format!("{n}_share"), Kind::Real, format!("{l}_覆盖率")));
    }
    for circle in &p.circles {
        let (n, l) = (&circle.id, &circle.label);
        c.push((format!("{n}_covered"), Kind::Real, format!("{l}_覆盖人口")));
        c.push((format!("{n}_share"), Kind::Real, format!("{l}_覆盖率")));
        if circle.target_share.is_some() {
            c.push((format!("{n}_target"), Kind::Real, format!("{l}_目标")));
            c.push((format!("{n}_pass"), Kind::Int, format!("{l}_达标")));
        }
    }
    c.push((
        "complete_share".into(),
        Kind::Real,
        "完整生活圈覆盖率".into(),
    ));
    c.push(("uncovered".into(), Kind::Real, "生活圈未覆盖人口".into()));
    let zone_rule = |c: &mut Vec<(String, Kind, String)>, id: &str, l: &str| {
        c.push((format!("{id}_value"), Kind::Real, format!("{l}_现状")));
        c.push((format!("{id}_target"), Kind::Real, format!("{l}_目标")));
        if rolled_up {
            c.push((format!("{id}_zones"), Kind::Int, format!("{l}_街镇数")));
            c.push((
                format!("{id}_zones_passing"),
                Kind::Int,
                format!("{l}_达标街镇数"),
            ));
        }
        c.push((format!("{id}_pass"), Kind::Int, format!("{l}_达标")));
    };
    for rule in &p.count_rules {
        let (id, l) = (&rule.id, &rule.label);
        match rule.per {
            CountUnit::Zone => zone_rule(&mut c, id, l),
            CountUnit::Village if r.villages.is_empty() => {}
            CountUnit::Village => {
                c.push((format!("{id}_villages"), Kind::Int, format!("{l}_村居数")));
                c.push((
                    format!("{id}_passing"),
                    Kind::Int,
                    format!("{l}_达标村居数"),
                ));
                c.push((format!("{id}_pass"), Kind::Int, format!("{l}_达标")));
            }
        }
    }
    for &i in &r.ratio_rules_with_data {
        let rule = &p.ratio_rules[i];
        zone_rule(&mut c, &rule.id, &rule.label);
    }
    for a in &r.access {
        let (n, l) = (&a.category, &a.label);
        c.push((
            format!("{n}_access_mean"),
            Kind::Real,
            format!("{l}_2SFCA可达性均值"),
        ));
        if a.target.is_some() {
            c.push((
                format!("{n}_access_target"),
                Kind::Real,
                format!("{l}_2SFCA可达性目标"),
            ));
            c.push((
                format!("{n}_access_below_share"),
                Kind::Real,
                format!("{l}_低于目标人口比例"),
            ));
        }
    }
    c
}

/// The 2SFCA columns of a zone, district or the city: population-weighted mean access, and the
/// target and share of the population below it when there is a target.
fn access_values(r: &StudyResult, tally: &dyn Fn(&StudyAccess) -> AccessTally) -> Vec<Value> {
    let mut v = Vec::new();
    for a in &r.access {
        let t = tally(a);
        v.push(opt(t.mean()));
        if let Some(target) = a.target {
            v.push(Value::Real(target));
            v.push(opt(t.below_share()));
        }
    }
    v
}

/// A village rule rolled up over the villages for which `member` is true.
pub fn village_rule(r: &StudyResult, rule: &CountRule, member: &dyn Fn(usize) -> bool) -> RollUp {
    let c = r
        .facility_categories
        .iter()
        .position(|x| *x == rule.category);
    RollUp::of((0..r.villages.len()).filter(|&v| member(v)).map(|v| {
        let count = c.map(|c| r.village_facilities[v][c]).unwrap_or(0);
        Some(count >= rule.min as usize)
    }))
}

/// A zone rule (`outcome` of a zone's tally) rolled up over the zones for which `member` is true.
pub fn zone_rule(
    r: &StudyResult,
    member: &dyn Fn(usize) -> bool,
    outcome: &dyn Fn(&Tally) -> RuleOutcome,
) -> RollUp {
    RollUp::of(
        (0..r.zones.len())
            .filter(|&z| member(z))
            .map(|z| outcome(&r.zone_tallies[z]).pass),
    )
}

/// The values of [`tally_columns`] for a tally `t`; `village` tells the villages in the row's
/// area.
fn tally_values(
    r: &StudyResult,
    t: &Tally,
    row: Row<'_>,
    village: &dyn Fn(usize) -> bool,
) -> Vec<Value> {
    let p = &r.profile;
    let mut v = vec![
        Value::Int(t.demand_points as i64),
        Value::Real(t.population),
    ];
    v.extend(t.groups.iter().map(|g| Value::Real(*g)));
    for (c, cat) in p.categories.iter().enumerate() {
        let nf = r
            .facility_categories
            .iter()
            .position(|x| *x == cat.name)
            .map(|i| t.facilities[i])
            .unwrap_or(0);
        v.push(Value::Int(nf as i64));
        v.push(Value::Real(t.category_covered[c]));
        v.push(opt(share(t.category_covered[c], t.category_base[c])));
    }
    for (c, circle) in p.circles.iter().enumerate() {
        let s = share(t.circle_covered[c], t.population);
        v.push(Value::Real(t.circle_covered[c]));
        v.push(opt(s));
        if let Some(target) = circle.target_share {
            v.push(Value::Real(target));
            v.push(flag(s.map(|s| s >= target)));
        }
    }
    let h = p.headline;
    v.push(opt(share(t.circle_covered[h], t.population)));
    v.push(Value::Real(t.population - t.circle_covered[h]));
    let zone_rule_values = |v: &mut Vec<Value>, outcome: &dyn Fn(&Tally) -> RuleOutcome| {
        let o = outcome(t);
        v.extend([opt(o.value), Value::Real(o.target)]);
        match row {
            Row::Zone => v.push(flag(o.pass)),
            Row::Zones(member) => {
                let u = zone_rule(r, member, outcome);
                v.extend([
                    Value::Int(u.units as i64),
                    Value::Int(u.passing as i64),
                    flag(u.pass),
                ]);
            }
        }
    };
    for rule in &p.count_rules {
        match rule.per {
            CountUnit::Zone => {
                zone_rule_values(&mut v, &|t| count_rule(t, rule, &r.facility_categories))
            }
            CountUnit::Village if r.villages.is_empty() => {}
            CountUnit::Village => {
                let u = village_rule(r, rule, village);
                v.extend([
                    Value::Int(u.units as i64),
                    Value::Int(u.passing as i64),
                    flag(u.pass),
                ]);
            }
        }
    }
    for &i in &r.ratio_rules_with_data {
        zone_rule_values(&mut v, &|t| {
            ratio_rule_in(
                t,
                &p.ratio_rules[i],
                &r.facility_categories,
                &r.demand.groups,
            )
        });
    }
    v
}

fn new_layer(
    name: &str,
    label: &str,
    head: &[(&str, Kind, &str)],
    rest: &[(String, Kind, String)],
) -> Layer {
    let cols: Vec<(&str, Kind)> = head
        .iter()
        .map(|(n, k, _)| (*n, *k))
        .chain(rest.iter().map(|(n, k, _)| (n.as_str(), *k)))
        .collect();
    let mut l = Layer::new(name, &cols);
    for (n, _, zh) in head {
        l.label(n, zh);
    }
    for (n, _, zh) in rest {
        l.label(n, zh);
    }
    l.set_layer_label(label);
    l
}

/// Gap rank of each zone: 1 for the largest population outside the complete life circle; ties
/// by zone code.
pub fn gap_ranks(r: &StudyResult) -> Vec<usize> {
    let h = r.profile.headline;
    let mut order: Vec<usize> = (0..r.zones.len()).collect();
    order.sort_by(|&a, &b| {
        let ua = r.zone_tallies[a].population - r.zone_tallies[a].circle_covered[h];
        let ub = r.zone_tallies[b].population - r.zone_tallies[b].circle_covered[h];
        ub.total_cmp(&ua)
            .then_with(|| r.zones[a].code.cmp(&r.zones[b].code))
    });
    let mut rank = vec![0; r.zones.len()];
    for (i, z) in order.into_iter().enumerate() {
        rank[z] = i + 1;
    }
    rank
}

/// The zones layer: one polygon per 街道/镇 with every figure and rule.
pub fn zones_layer(r: &StudyResult) -> Layer {
    let head = [
        ("zone_code", Kind::Text, "街镇代码"),
        ("zone_name", Kind::Text, "街镇名称"),
        ("district", Kind::Text, "所属区"),
        ("rural", Kind::Int, "农村地区"),
        ("gap_rank", Kind::Int, "缺口排名"),
    ];
    let mut l = new_layer("zones", "街镇", &head, &tally_columns(r, false))
        .with_geometry_type(GeometryType::MultiPolygon);
    let ranks = gap_ranks(r);
    for (z, zone) in r.zones.iter().enumerate() {
        let mut v = vec![
            Value::Text(zone.code.clone()),
            Value::Text(zone.name.clone()),
            zone.district
                .clone()
                .map(Value::Text)
                .unwrap_or(Value::Null),
            Value::Int(i64::from(zone.rural)),
            Value::Int(ranks[z] as i64),
        ];
        v.extend(tally_values(r, &r.zone_tallies[z], Row::Zone, &|vi| {
            r.village_zone[vi] == Some(z)
        }));
        v.extend(access_values(r, &|a| a.zones[z]));
        l.push_geometry(
            v,
            Some(geo_types::Geometry::MultiPolygon(zone.geometry.clone())),
        );
    }
    l
}

/// The district (区) and city table: one row per district, then one for the whole city.
pub fn districts_layer(r: &StudyResult) -> Layer {
    let head = [("district", Kind::Text, "区")];
    let mut l = new_layer("districts", "区及全市", &head, &tally_columns(r, true));
    for (d, name) in r.districts.iter().enumerate() {
        let mut v = vec![Value::Text(name.clone())];
        let in_district = |z: usize| r.zone_district[z] == Some(d);
        v.extend(tally_values(
            r,
            &r.district_tallies[d],
            Row::Zones(&in_district),
            &|vi| r.village_zone[vi].is_some_and(in_district),
        ));
        v.extend(access_values(r, &|a| a.districts[d]));
        l.push(v, None);
    }
    let mut v = vec![Value::Text("全市 city".into())];
    v.extend(tally_values(r, &r.city, Row::Zones(&|_| true), &|_| true));
    v.extend(access_values(r, &|a| a.city));
    l.push(v, None);
    l
}

/// The demand layer: each demand point with its travel time per category and its flags.
///
/// Its rows are made while they are written, from the shared result, so that a million demand
/// points do not become forty million cells in memory.
pub fn demand_layer(r: &Arc<StudyResult>) -> Layer {
    let p = &r.profile;
    let mut rest: Vec<(String, Kind, String)> = Vec::new();
    for g in &r.demand.groups {
        rest.push((format!("pop_{g}"), Kind::Real, format!("人口_{g}")));
    }
    for cat in &p.categories {
        let (n, l) = (&cat.name, &cat.label);
        rest.push((format!("{n}_min"), Kind::Real, format!("{l}_步行分钟")));
        rest.push((format!("{n}_m"), Kind::Real, format!("{l}_距离米")));
        rest.push((format!("{n}_id"), Kind::Text, format!("{l}_最近设施")));
        rest.push((format!("{n}_ok"), Kind::Int, format!("{l}_覆盖")));
    }
    for c in &p.circles {
        rest.push((c.id.clone(), Kind::Int, c.label.clone()));
    }
    for a in &r.access {
        rest.push((
            format!("{}_access", a.category),
            Kind::Real,
            format!("{}_2SFCA可达性", a.label),
        ));
    }
    let head = [
        ("demand_id", Kind::Text, "需求点编号"),
        ("zone_code", Kind::Text, "街镇代码"),
        ("zone_name", Kind::Text, "街镇名称"),
        ("population", Kind::Real, "人口"),
        ("snapped", Kind::Int, "已接入路网"),
        ("access_m", Kind::Real, "接入距离米"),
    ];
    let mut l = new_layer("demand", "需求点", &head, &rest)
        .with_geometry_type(GeometryType::Point)
        .with_made_rows(r.demand.points.len(), {
            let r = Arc::clone(r);
            move |d, cells| demand_row(&r, d, cells)
        });
    l.set_geometries(
        r.demand
            .points
            .iter()
            .map(|dp| geo_types::Point::new(dp.location[0], dp.location[1]).into())
            .collect(),
    );
    l
}

/// The cells of demand point `d`, in the columns of [`demand_layer`].
fn demand_row(r: &StudyResult, d: usize, cells: &mut [Value]) {
    let dp = &r.demand.points[d];
    let zone = r.demand_zone[d].map(|z| &r.zones[z]);
    let mut c = cells.iter_mut();
    let mut next = || c.next().expect("a cell per column");
    next().set_text(&dp.id);
    match zone {
        Some(z) => {
            next().set_text(&z.code);
            next().set_text(&z.name);
        }
        None => {
            *next() = Value::Null;
            *next() = Value::Null;
        }
    }
    *next() = Value::Real(r.population[d]);
    *next() = Value::Int(i64::from(r.demand_snapped[d]));
    *next() = Value::Real(r.demand_access_m[d]);
    for g in &dp.groups {
        *next() = Value::Real(*g);
    }
    for (c, t) in r.times.iter().enumerate() {
        let reached = t.time_s[d].is_finite();
        *next() = opt(reached.then(|| t.time_s[d] / 60.0));
        *next() = opt(reached.then_some(t.distance_m[d]));
        let cell = next();
        if reached {
            cell.set_text(&r.facilities[t.facility[d] as usize].id);
        } else {
            *cell = Value::Null;
        }
        *next() = Value::Int(i64::from(r.coverage.category[c][d]));
    }
    for flags in &r.coverage.circle {
        *next() = Value::Int(i64::from(flags[d]));
    }
    for a in &r.access {
        *next() = Value::Real(a.fca.access[d]);
    }
    debug_assert!(c.next().is_none(), "a value for every cell");
}

/// The facilities layer: category, zone, capacity and population served within the threshold.
pub fn facilities_layer(r: &StudyResult) -> Layer {
    let head = [
        ("facility_id", Kind::Text, "设施编号"),
        ("name", Kind::Text, "设施名称"),
        ("category", Kind::Text, "类别"),
        ("zone_code", Kind::Text, "街镇代码"),
        ("zone_name", Kind::Text, "街镇名称"),
        ("capacity", Kind::Real, "规模"),
        ("snapped", Kind::Int, "已接入路网"),
        ("access_m", Kind::Real, "接入距离米"),
        ("served_population", Kind::Real, "服务范围内人口"),
    ];
    // With an [access] section: each facility's 2SFCA weighted demand and ratio.
    let rest: Vec<(String, Kind, String)> = if r.access.is_empty() {
        Vec::new()
    } else {
        vec![
            (
                "access_demand".into(),
                Kind::Real,
                "服务范围加权需求".into(),
            ),
            ("access_ratio".into(), Kind::Real, "供需比".into()),
            ("access_status".into(), Kind::Text, "供需比状态".into()),
        ]
    };
    let mut l =
        new_layer("facilities", "设施", &head, &rest).with_geometry_type(GeometryType::Point);
    for (f, fac) in r.facilities.iter().enumerate() {
        let zone = r.facility_zone[f].map(|z| &r.zones[z]);
        let mut access = Vec::new();
        if !r.access.is_empty() {
            let found = r.access.iter().find_map(|a| a.position(f).map(|k| (a, k)));
            access = match found {
                Some((a, k)) => {
                    let (ratio, status) = match a.fca.ratio[k] {
                        Ratio::Value(v) => (Value::Real(v), "ok"),
                        Ratio::NoDemand if r.facility_access_m[f].is_none() => {
                            (Value::Null, "unsnapped")
                        }
                        Ratio::NoDemand => (Value::Null, "no_demand"),
                    };
                    vec![Value::Real(a.fca.demand[k]), ratio, Value::from(status)]
                }
                None if r.access.iter().any(|a| a.without_capacity.contains(&f)) => {
                    vec![Value::Null, Value::Null, Value::from("no_capacity")]
                }
                None => vec![Value::Null, Value::Null, Value::Null],
            };
        }
        l.push(
            [
                vec![
                    Value::Text(fac.id.clone()),
                    Value::Text(fac.name.clone()),
                    Value::Text(fac.category.clone()),
                    zone.map(|z| Value::Text(z.code.clone()))
                        .unwrap_or(Value::Null),
                    zone.map(|z| Value::Text(z.name.clone()))
                        .unwrap_or(Value::Null),
                    opt(fac.capacity),
                    Value::Int(i64::from(r.facility_access_m[f].is_some())),
                    opt(r.facility_access_m[f]),
                    opt(r.facility_served[f]),
                ],
                access,
            ]
            .concat(),
            Some(fac.locations[0]),
        );
    }
    l
}

/// The gaps layer: connected areas of uncovered population per category and for the complete
/// life circle.
pub fn gaps_layer(r: &StudyResult) -> Layer {
    let head = [
        ("gap_for", Kind::Text, "缺口类型"),
        ("label", Kind::Text, "名称"),
        ("rank", Kind::Int, "排名"),
        ("population", Kind::Real, "未覆盖人口"),
        ("demand_points", Kind::Int, "需求点数"),
        ("area_km2", Kind::Real, "面积平方公里"),
    ];
    let mut l = new_layer("gaps", "服务缺口", &head, &[]).with_geometry_type(GeometryType::Polygon);
    for (id, label, areas) in &r.gaps {
        for (i, a) in areas.iter().enumerate() {
            l.push_geometry(
                vec![
                    Value::Text(id.clone()),
                    Value::Text(label.clone()),
                    Value::Int(i as i64 + 1),
                    Value::Real(a.population),
                    Value::Int(a.points as i64),
                    Value::Real(a.area_m2 / 1e6),
                ],
                Some(geo_types::Geometry::Polygon(a.geometry.clone())),
            );
        }
    }
    l
}

/// The villages layer (村居): each village with its zone and the per-village count rules.
pub fn villages_layer(r: &StudyResult) -> Layer {
    let rules: Vec<&CountRule> = r
        .profile
        .count_rules
        .iter()
        .filter(|c| c.per == CountUnit::Village)
        .collect();
    let mut rest: Vec<(String, Kind, String)> = Vec::new();
    for rule in &rules {
        rest.push((
            format!("{}_value", rule.id),
            Kind::Int,
            format!("{}_现状", rule.label),
        ));
        rest.push((
            format!("{}_pass", rule.id),
            Kind::Int,
            format!("{}_达标", rule.label),
        ));
    }
    let head = [
        ("village_code", Kind::Text, "村居代码"),
        ("village_name", Kind::Text, "村居名称"),
        ("zone_code", Kind::Text, "街镇代码"),
        ("zone_name", Kind::Text, "街镇名称"),
    ];
    let mut l =
        new_layer("villages", "村居", &head, &rest).with_geometry_type(GeometryType::MultiPolygon);
    for (vi, v) in r.villages.iter().enumerate() {
        let zone = r.village_zone[vi].map(|z| &r.zones[z]);
        let mut vals = vec![
            Value::Text(v.code.clone()),
            Value::Text(v.name.clone()),
            zone.map(|z| Value::Text(z.code.clone()))
                .unwrap_or(Value::Null),
            zone.map(|z| Value::Text(z.name.clone()))
                .unwrap_or(Value::Null),
        ];
        for rule in &rules {
            let count = r
                .facility_categories
                .iter()
                .position(|x| *x == rule.category)
                .map(|c| r.village_facilities[vi][c])
                .unwrap_or(0);
            vals.push(Value::Int(count as i64));
            vals.push(Value::Int(i64::from(count >= rule.min as usize)));
        }
        l.push_geometry(
            vals,
            Some(geo_types::Geometry::MultiPolygon(v.geometry.clone())),
        );
    }
    l
}

/// The sites layer: the sites chosen by every `[[siting]]` section, in section and rank order,
/// with the category, its label, the population each adds (people not covered before, given the
/// sites ranked before it; with capacities, the people assigned to it) and, with capacities,
/// the people it can serve; point geometry.
pub fn sites_layer(r: &StudyResult) -> Layer {
    let head = [
        ("category", Kind::Text, "设施类别"),
        ("label", Kind::Text, "类别名称"),
        ("rank", Kind::Int, "排序"),
        ("candidate_id", Kind::Text, "候选点编号"),
        ("added_population", Kind::Real, "新增覆盖人口"),
        ("cumulative_population", Kind::Real, "累计新增覆盖人口"),
        ("zone", Kind::Text, "街道/镇"),
        ("capacity", Kind::Real, "可服务人口"),
        ("method", Kind::Text, "求解方法"),
        ("optimal", Kind::Int, "已证明最优"),
    ];
    let mut l =
        new_layer("sites", "新增设施选址", &head, &[]).with_geometry_type(GeometryType::Point);
    for st in &r.siting {
        let label = r.profile.label_of(&st.category);
        for s in &st.result.sites {
            let c = &st.candidates[s.candidate];
            l.push(
                vec![
                    Value::Text(st.category.clone()),
                    Value::Text(label.clone()),
                    Value::Int(s.rank as i64),
                    Value::Text(c.id.clone()),
                    Value::Real(s.added_population),
                    Value::Real(s.cumulative_population),
                    st.candidate_zone[s.candidate]
                        .map(|z| Value::Text(st.zone_names[z].clone()))
                        .unwrap_or(Value::Null),
                    st.capacities
                        .as_ref()
                        .map_or(Value::Null, |cap| Value::Real(cap[s.candidate])),
                    Value::Text(st.result.method.clone()),
                    Value::Int(i64::from(st.result.optimal)),
                ],
                Some(c.locations[0]),
            );
        }
    }
    l
}
