//! Residents and facilities of a synthetic city.
//!
//! Residents live in buildings beside the streets: about one demand point for every two
//! junctions, more in the centre, with more people per building in the centre (high-rise) than
//! in the villages, and a share aged 60+ per zone (older in the old centre). Facilities of
//! every category of the built-in `guangzhou` profile sit at buildings chosen in proportion to
//! population, with a per-zone provision level so that some zones lag behind, and capacities in
//! the units the profile's ratio rules use.

use super::layout::{keep_off_boundaries, stream, Layout, ZoneGrid};
use super::rng::{hash, unit, SplitMix64};
use super::streets::{RoadClass, Streets};
use super::zones::SynthZone;

/// A building with residents.
#[derive(Debug, Clone, Copy)]
pub struct Home {
    /// WGS84 `[lon, lat]`.
    pub pos: [f64; 2],
    /// Zone index.
    pub zone: u32,
    /// Residents.
    pub population: u32,
    /// Residents aged 60 and over.
    pub age_60plus: u32,
}

/// A facility.
#[derive(Debug, Clone)]
pub struct Place {
    /// Identifier, e.g. `clinic-00012`.
    pub id: String,
    /// Name, e.g. `沙面街道社区卫生服务站2`.
    pub name: String,
    /// Category of the built-in profile, e.g. `clinic`.
    pub category: &'static str,
    /// WGS84 `[lon, lat]`.
    pub pos: [f64; 2],
    /// Zone index.
    pub zone: u32,
    /// Capacity in the category's unit, `None` when unknown.
    pub capacity: Option<f64>,
}

/// A facility category: name, Chinese label, Chinese name suffix, residents per facility at
/// normal provision, minimum per zone, and the capacity range (unit in [`CATEGORIES`] docs).
pub struct CategorySpec {
    /// Category name of the built-in profile.
    pub name: &'static str,
    /// Chinese label.
    pub label: &'static str,
    /// Appended to the zone name to name a facility.
    pub suffix: &'static str,
    /// Residents per facility at normal provision.
    pub residents_per: f64,
    /// Facilities every zone gets at least (before provision gaps).
    pub min_per_zone: usize,
    /// Capacity range `(low, high)`; `None`: capacity unknown (empty cell).
    pub capacity: Option<(f64, f64)>,
}

/// The categories written: the six coverage categories of the `guangzhou` profile, plus the
/// 颐康服务站 (per-village count rule) and hospitals (beds per 1,000 residents). Capacities:
/// elderly care and stations in places (beds), childcare in places (托位), culture and sports
/// in m² of floor or ground area, libraries in seats, hospitals in beds; clinics unknown.
pub const CATEGORIES: &[CategorySpec] = &[
    CategorySpec {
        name: "elderly_care",
        label: "颐康中心",
        suffix: "颐康中心",
        residents_per: 30_000.0,
        min_per_zone: 1,
        capacity: Some((40.0, 160.0)),
    },
    CategorySpec {
        name: "elderly_station",
        label: "颐康服务站",
        suffix: "颐康服务站",
        residents_per: 4_000.0,
        min_per_zone: 0,
        capacity: Some((10.0, 40.0)),
    },
    CategorySpec {
        name: "clinic",
        label: "社区卫生服务中心（站）",
        suffix: "社区卫生服务站",
        residents_per: 8_000.0,
        min_per_zone: 1,
        capacity: None,
    },
    CategorySpec {
        name: "childcare",
        label: "托育机构",
        suffix: "托育园",
        residents_per: 6_000.0,
        min_per_zone: 0,
        capacity: Some((20.0, 60.0)),
    },
    CategorySpec {
        name: "culture",
        label: "文化站（室）",
        suffix: "文化站",
        residents_per: 10_000.0,
        min_per_zone: 1,
        capacity: Some((200.0, 1_500.0)),
    },
    CategorySpec {
        name: "library",
        label: "图书馆（分馆）",
        suffix: "图书馆",
        residents_per: 50_000.0,
        min_per_zone: 0,
        capacity: Some((40.0, 400.0)),
    },
    CategorySpec {
        name: "sports",
        label: "体育健身场地",
        suffix: "全民健身场地",
        residents_per: 2_500.0,
        min_per_zone: 0,
        capacity: Some((500.0, 18_000.0)),
    },
    CategorySpec {
        name: "hospital",
        label: "医院",
        suffix: "医院",
        residents_per: 110_000.0,
        min_per_zone: 0,
        capacity: Some((150.0, 2_000.0)),
    },
];

/// Places homes beside the streets (none on bridges).
pub fn homes(
    layout: &Layout,
    grid: &ZoneGrid,
    zones: &[SynthZone],
    streets: &Streets,
) -> Vec<Home> {
    let seed = layout.seed;
    let mut out = Vec::with_capacity(streets.segments.len() / 3);
    for (e, s) in streets.segments.iter().enumerate() {
        if s.bridge || s.class == RoadClass::Footway {
            continue;
        }
        let (ua, ub) = (streets.lattice[s.a as usize], streets.lattice[s.b as usize]);
        let mid = [0.5 * (ua[0] + ub[0]), 0.5 * (ua[1] + ub[1])];
        let r = layout.radius(mid);
        let zone = grid.zone_at(mid, layout.gx, layout.gy);
        let z = &zones[zone];
        let (rate, mean) = if z.rural {
            (0.22, 16.0)
        } else if r < 0.35 {
            (0.42, 90.0)
        } else {
            (0.32, 40.0)
        };
        let e = e as u64;
        if unit(seed, stream::DEMAND, e, 0) >= rate {
            continue;
        }
        let t = 0.2 + 0.6 * unit(seed, stream::DEMAND, e, 1);
        let side = if unit(seed, stream::DEMAND, e, 2) < 0.5 {
            -1.0
        } else {
            1.0
        };
        let off = side * (0.12 + 0.18 * unit(seed, stream::DEMAND, e, 3));
        let (dx, dy) = (ub[0] - ua[0], ub[1] - ua[1]);
        let len = dx.hypot(dy).max(1e-9);
        let u = [
            ua[0] + t * dx - off * dy / len,
            ua[1] + t * dy + off * dx / len,
        ];
        let u = keep_off_boundaries(u, layout.gx, layout.gy);
        let zone = grid.zone_at(u, layout.gx, layout.gy);
        let z = &zones[zone];
        let mut rng = SplitMix64::new(hash(seed, stream::DEMAND, e, 4));
        let population = (mean * (0.5 * rng.normal() - 0.125).exp()).round().max(1.0);
        let old = (population * z.old_share * rng.range(0.6, 1.4))
            .round()
            .min(population);
        out.push(Home {
            pos: layout.to_wgs84(u),
            zone: zone as u32,
            population: population as u32,
            age_60plus: old as u32,
        });
    }
    out
}

/// Places the facilities of every category, zone by zone.
pub fn facilities(layout: &Layout, zones: &[SynthZone], homes: &[Home]) -> Vec<Place> {
    let seed = layout.seed;
    // Homes of each zone with cumulative population, for picking sites by population.
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); zones.len()];
    for (h, home) in homes.iter().enumerate() {
        members[home.zone as usize].push(h as u32);
    }
    let mut out = Vec::new();
    for (c, spec) in CATEGORIES.iter().enumerate() {
        let mut serial = 0usize;
        for (z, zone) in zones.iter().enumerate() {
            let m = &members[z];
            if m.is_empty() {
                continue;
            }
            let mut rng = SplitMix64::new(hash(seed, stream::FACILITY, c as u64, z as u64));
            let pop: f64 = m
                .iter()
                .map(|&h| f64::from(homes[h as usize].population))
                .sum();
            // Provision: the zone's level (shared by categories) times a category factor.
            let level = unit(seed, stream::FACILITY, 1000, z as u64);
            let provision =
                (0.45 + 0.9 * level) * rng.range(0.7, 1.3) * if zone.rural { 0.7 } else { 1.0 };
            let expected = pop / spec.residents_per * provision;
            let mut count = expected.floor() as usize + usize::from(rng.unit() < expected.fract());
            if level > 0.06 {
                count = count.max(spec.min_per_zone);
            }
            let cum: Vec<f64> = m
                .iter()
                .scan(0.0, |acc, &h| {
                    *acc += f64::from(homes[h as usize].population);
                    Some(*acc)
                })
                .collect();
            for k in 0..count {
                let target = rng.unit() * pop;
                let pick = cum.partition_point(|&x| x <= target).min(m.len() - 1);
                let home = &homes[m[pick] as usize];
                let jitter = [rng.range(-5e-5, 5e-5), rng.range(-5e-5, 5e-5)];
                let pos = [
                    super::layout::round7(home.pos[0] + jitter[0]),
                    super::layout::round7(home.pos[1] + jitter[1]),
                ];
                serial += 1;
                let capacity = spec.capacity.map(|(lo, hi)| {
                    // Skewed towards the low end: many small, few large.
                    let x = rng.unit();
                    (lo + (hi - lo) * x * x).round()
                });
                let name = if count > 1 {
                    format!("{}{}{}", zone.unit.name, spec.suffix, k + 1)
                } else {
                    format!("{}{}", zone.unit.name, spec.suffix)
                };
                out.push(Place {
                    id: format!("{}-{serial:05}", spec.name),
                    name,
                    category: spec.name,
                    pos,
                    zone: home.zone,
                    capacity,
                });
            }
        }
    }
    out
}
