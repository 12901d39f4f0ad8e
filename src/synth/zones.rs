//! Naming the zones of a synthetic city after Guangzhou's real sub-districts, laid out roughly
//! as the real districts lie: the old centre (越秀, 荔湾, 海珠, 天河) in the middle, the inner
//! suburbs (白云, 黄埔, 番禺) around it and the mostly rural outer districts (花都, 从化, 增城,
//! 南沙) at the edge, each in its real direction from the centre; within a district the 街道
//! lie nearer the centre than the 镇.

use super::layout::{Layout, ZoneGrid};
use super::names::{district_place, subdistricts, Subdistrict};
use geo_types::{Coord, LineString, MultiPolygon, Polygon};

/// A zone of the synthetic city.
#[derive(Debug, Clone)]
pub struct SynthZone {
    /// The real sub-district whose name, code and district it carries.
    pub unit: Subdistrict,
    /// Rural (镇 and other units) or urban (街道).
    pub rural: bool,
    /// Share of residents aged 60 and over, 0–1.
    pub old_share: f64,
}

/// Picks `zones` of the 174 units (all of them when `zones >= 174`), spread over the districts
/// in proportion to their real number of units, and gives one to every zone of `grid`.
pub fn name_zones(layout: &Layout, grid: &ZoneGrid) -> Vec<SynthZone> {
    let all = subdistricts();
    let z = grid.len().min(all.len());
    // Districts in file order with their units, 街道 first, then other units, then 镇.
    let mut districts: Vec<(String, Vec<Subdistrict>)> = Vec::new();
    for s in &all {
        match districts.iter_mut().find(|(d, _)| *d == s.district) {
            Some((_, v)) => v.push(s.clone()),
            None => districts.push((s.district.clone(), vec![s.clone()])),
        }
    }
    for (_, v) in &mut districts {
        v.sort_by_key(|s| match s.level.as_str() {
            "街道" => 0,
            "镇" => 2,
            _ => 1,
        });
    }
    // Zones per district: largest remainder of z × share.
    let total = all.len() as f64;
    let mut cap: Vec<usize> = Vec::new();
    let mut rem: Vec<(f64, usize)> = Vec::new();
    for (k, (_, v)) in districts.iter().enumerate() {
        let x = z as f64 * v.len() as f64 / total;
        cap.push(x.floor() as usize);
        rem.push((x - x.floor(), k));
    }
    rem.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let short = z - cap.iter().sum::<usize>();
    for &(_, k) in rem.iter().take(short) {
        cap[k] += 1;
    }

    // Zone centres in lattice units: radius and direction.
    let centre = |k: usize| {
        let (i0, i1, j0, j1) = grid.rect(k);
        [0.5 * (i0 + i1) as f64 - 0.5, 0.5 * (j0 + j1) as f64 - 0.5]
    };
    let mut by_radius: Vec<usize> = (0..grid.len()).collect();
    by_radius.sort_by(|&a, &b| {
        layout
            .radius(centre(a))
            .total_cmp(&layout.radius(centre(b)))
            .then(a.cmp(&b))
    });
    // Rings take the zones nearest the centre first.
    let ring_cap = |ring: u8| -> usize {
        districts
            .iter()
            .zip(&cap)
            .filter(|((d, _), _)| district_place(d).0 == ring)
            .map(|(_, c)| c)
            .sum()
    };
    let mut district_of = vec![usize::MAX; grid.len()];
    let mut start = 0;
    for ring in 0..3u8 {
        let n = ring_cap(ring);
        let mut members: Vec<usize> = by_radius[start..start + n].to_vec();
        start += n;
        members.sort_by(|&a, &b| {
            layout
                .angle_deg(centre(a))
                .total_cmp(&layout.angle_deg(centre(b)))
                .then(a.cmp(&b))
        });
        let mut ds: Vec<usize> = (0..districts.len())
            .filter(|&k| district_place(&districts[k].0).0 == ring && cap[k] > 0)
            .collect();
        ds.sort_by(|&a, &b| {
            district_place(&districts[a].0)
                .1
                .total_cmp(&district_place(&districts[b].0).1)
        });
        // Contiguous runs of zones by direction, rotated to fit the districts' directions best.
        let mut slots: Vec<usize> = Vec::new();
        for &d in &ds {
            slots.extend(std::iter::repeat_n(d, cap[d]));
        }
        let gap = |a: f64, b: f64| {
            let d = (a - b).rem_euclid(360.0);
            d.min(360.0 - d)
        };
        let best = (0..n.max(1))
            .min_by(|&r1, &r2| {
                let cost = |r: usize| -> f64 {
                    (0..n)
                        .map(|k| {
                            let d = slots[(k + r) % n];
                            gap(
                                layout.angle_deg(centre(members[k])),
                                district_place(&districts[d].0).1,
                            )
                        })
                        .sum()
                };
                cost(r1).total_cmp(&cost(r2))
            })
            .unwrap_or(0);
        for k in 0..n {
            district_of[members[k]] = slots[(k + best) % n];
        }
    }
    // Within a district: zones by radius take its units in order (街道 before 镇), spread over
    // the district's list when there are fewer zones than units.
    let mut out: Vec<Option<SynthZone>> = vec![None; grid.len()];
    for (d, (_, units)) in districts.iter().enumerate() {
        let zs: Vec<usize> = by_radius
            .iter()
            .copied()
            .filter(|&k| district_of[k] == d)
            .collect();
        let m = zs.len();
        for (k, &zone) in zs.iter().enumerate() {
            let pick = ((k as f64 + 0.5) * units.len() as f64 / m as f64).floor() as usize;
            let unit = units[pick.min(units.len() - 1)].clone();
            let ring = district_place(&unit.district).0;
            let h = super::rng::unit(layout.seed, super::layout::stream::ZONES, 7, zone as u64);
            let old_share = match ring {
                0 => 0.15 + 0.07 * h,
                1 => 0.09 + 0.05 * h,
                _ => 0.11 + 0.07 * h,
            };
            out[zone] = Some(SynthZone {
                rural: unit.rural(),
                unit,
                old_share,
            });
        }
    }
    out.into_iter()
        .map(|z| z.expect("every zone is named"))
        .collect()
}

/// The outline of zone `z` on the map: its lattice rectangle traced every quarter unit and
/// mapped to WGS84, counter-clockwise. Neighbouring zones share their boundary points exactly.
pub fn zone_polygon(layout: &Layout, grid: &ZoneGrid, z: usize) -> MultiPolygon<f64> {
    let (i0, i1, j0, j1) = grid.rect(z);
    let (x0, x1, y0, y1) = (
        i0 as f64 - 0.5,
        i1 as f64 - 0.5,
        j0 as f64 - 0.5,
        j1 as f64 - 0.5,
    );
    let steps = |a: f64, b: f64| ((b - a).abs() * 4.0).round() as usize;
    let mut ring: Vec<Coord<f64>> = Vec::new();
    let mut push = |u: [f64; 2]| {
        let p = layout.to_wgs84(u);
        ring.push(Coord { x: p[0], y: p[1] });
    };
    let (nx, ny) = (steps(x0, x1), steps(y0, y1));
    for k in 0..nx {
        push([x0 + k as f64 * 0.25, y0]);
    }
    for k in 0..ny {
        push([x1, y0 + k as f64 * 0.25]);
    }
    for k in 0..nx {
        push([x1 - k as f64 * 0.25, y1]);
    }
    for k in 0..ny {
        push([x0, y1 - k as f64 * 0.25]);
    }
    let first = ring[0];
    ring.push(first);
    MultiPolygon(vec![Polygon::new(LineString(ring), vec![])])
}
