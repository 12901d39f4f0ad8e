//! The street network of a synthetic city: a jittered lattice of junctions with arterials every
//! six to eleven blocks, local streets with missing links, diagonal lanes, cul-de-sacs and
//! footpaths; rural zones with villages among fields; two rivers crossed only by arterial
//! bridges; an island that no bridge reaches.

use super::layout::{stream, Ground, Layout, ZoneGrid};
use super::rng::{hash, unit};

/// Road class, written as the OpenStreetMap `highway` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RoadClass {
    /// Main arterial (主干路), 60 km/h.
    Primary,
    /// Secondary arterial (次干路), 50 km/h.
    Secondary,
    /// Local street (支路, 街巷), 30 km/h.
    Residential,
    /// Cul-de-sac or estate road, 20 km/h.
    Service,
    /// Footpath, walking only.
    Footway,
}

impl RoadClass {
    /// The OpenStreetMap `highway` value.
    pub fn highway(self) -> &'static str {
        match self {
            RoadClass::Primary => "primary",
            RoadClass::Secondary => "secondary",
            RoadClass::Residential => "residential",
            RoadClass::Service => "service",
            RoadClass::Footway => "footway",
        }
    }

    /// Speed limit for vehicles in km/h (0 for footpaths).
    pub fn maxspeed_kmh(self) -> u32 {
        match self {
            RoadClass::Primary => 60,
            RoadClass::Secondary => 50,
            RoadClass::Residential => 30,
            RoadClass::Service => 20,
            RoadClass::Footway => 0,
        }
    }

    fn arterial(self) -> bool {
        matches!(self, RoadClass::Primary | RoadClass::Secondary)
    }
}

/// One street segment between two junctions (or a junction and a dead end).
#[derive(Debug, Clone, Copy)]
pub struct Segment {
    /// First junction.
    pub a: u32,
    /// Second junction.
    pub b: u32,
    /// Road class.
    pub class: RoadClass,
    /// The street it belongs to (for its name), and the order within it.
    pub street: u32,
    /// A bridge over a river.
    pub bridge: bool,
    /// One-way for vehicles (walking ignores it).
    pub oneway: bool,
    /// Index of the first shape point in [`Streets::shape`].
    pub shape_start: u32,
    /// Number of shape points between `a` and `b`.
    pub shape_len: u8,
}

/// The generated streets.
#[derive(Debug, Clone, Default)]
pub struct Streets {
    /// Junction positions, lattice units (see [`Layout`]).
    pub lattice: Vec<[f64; 2]>,
    /// Junction positions, WGS84 degrees.
    pub pos: Vec<[f64; 2]>,
    /// Street segments.
    pub segments: Vec<Segment>,
    /// Shape points of all segments, WGS84 degrees.
    pub shape: Vec<[f64; 2]>,
    /// Node counts of the connected pieces, largest first.
    pub pieces: Vec<usize>,
    /// Per junction: the piece it belongs to (0 is the largest).
    pub piece_of: Vec<u32>,
    /// Per street: its name.
    pub street_names: Vec<String>,
    /// Number of bridges.
    pub bridges: usize,
}

impl Streets {
    /// Number of junctions and dead ends (every one is used by a segment).
    pub fn node_count(&self) -> usize {
        self.pos.len()
    }

    /// Shape points of segment `s`, without its end points.
    pub fn shape_of(&self, s: &Segment) -> &[[f64; 2]] {
        &self.shape[s.shape_start as usize..s.shape_start as usize + s.shape_len as usize]
    }

    /// Degree of each junction (segments touching it).
    pub fn degrees(&self) -> Vec<u32> {
        let mut d = vec![0u32; self.pos.len()];
        for s in &self.segments {
            d[s.a as usize] += 1;
            d[s.b as usize] += 1;
        }
        d
    }
}

/// Per-line road class: an arterial every 6 to 11 lines, every third of them a main one.
fn line_classes(seed: u64, n: usize, key: u64) -> Vec<Option<RoadClass>> {
    let mut out = vec![None; n];
    let mut k = 2 + (hash(seed, stream::LINES, key, 0) % 5) as usize;
    let mut count = 0u64;
    while k < n {
        out[k] = Some(if count.is_multiple_of(3) {
            RoadClass::Primary
        } else {
            RoadClass::Secondary
        });
        count += 1;
        k += 6 + (hash(seed, stream::LINES, key, count) % 6) as usize;
    }
    out
}

/// Local streets kept, per zone kind.
const KEEP_URBAN: f64 = 0.90;
const KEEP_RURAL: f64 = 0.80;

/// Generates the streets of a `layout`; `rural[z]` tells the rural zones of `zones`.
pub fn generate(layout: &Layout, zones: &ZoneGrid, rural: &[bool]) -> Streets {
    let (gx, gy, seed) = (layout.gx, layout.gy, layout.seed);
    let rows = line_classes(seed, gy, 1);
    let cols = line_classes(seed, gx, 2);
    let idx = |i: usize, j: usize| j * gx + i;

    // 1. Junction candidates: position, ground, alive.
    let n = gx * gy;
    let mut lat: Vec<[f64; 2]> = Vec::with_capacity(n);
    let mut side: Vec<u8> = Vec::with_capacity(n);
    let mut cell_rural: Vec<bool> = Vec::with_capacity(n);
    for j in 0..gy {
        for i in 0..gx {
            let (fi, fj) = (i as u64, j as u64);
            let jx = if cols[i].is_some() { 0.06 } else { 0.28 };
            let jy = if rows[j].is_some() { 0.06 } else { 0.28 };
            let u = [
                i as f64 + jx * (2.0 * unit(seed, stream::JITTER_X, fi, fj) - 1.0),
                j as f64 + jy * (2.0 * unit(seed, stream::JITTER_Y, fi, fj) - 1.0),
            ];
            let g = layout.ground(u);
            let r = rural[zones.zone_of_cell(i, j)];
            let arterial = rows[j].is_some() || cols[i].is_some();
            let alive = g != Ground::River && (!r || arterial || layout.village(u) > 0.0);
            lat.push(u);
            side.push(if alive { g.side() } else { 255 });
            cell_rural.push(r);
        }
    }

    let mut segs: Vec<Segment> = Vec::new();
    let mut bridges = 0usize;
    let mut street_names_keys: Vec<u64> = Vec::new();
    // A street id per lattice line: rows 0..gy, columns gy..gy+gx; then per-segment streets.
    for j in 0..gy {
        street_names_keys.push(hash(seed, stream::NAMES, 1, j as u64));
    }
    for i in 0..gx {
        street_names_keys.push(hash(seed, stream::NAMES, 2, i as u64));
    }

    // 2. Segments along rows and columns between consecutive living junctions.
    let line = |horizontal: bool, l: usize, segs: &mut Vec<Segment>, bridges: &mut usize| {
        let (len, class) = if horizontal {
            (gx, rows[l])
        } else {
            (gy, cols[l])
        };
        let at = |k: usize| if horizontal { idx(k, l) } else { idx(l, k) };
        let street = if horizontal { l } else { gy + l } as u32;
        let mut prev: Option<usize> = None;
        for k in 0..len {
            let v = at(k);
            if side[v] == 255 {
                continue;
            }
            if let Some(p) = prev {
                let pv = at(p);
                let same = side[pv] == side[v];
                let adjacent = k == p + 1;
                let key = (v as u64) << 1 | u64::from(horizontal);
                let seg_class = match class {
                    Some(c) if same && adjacent => Some((c, false)),
                    Some(c) if !same => {
                        // Across water: a bridge on some arterials.
                        let all_water =
                            (p + 1..k).all(|m| layout.ground(lat[at(m)]) == Ground::River);
                        let chance = if c == RoadClass::Primary { 0.75 } else { 0.3 };
                        (all_water
                            && side[pv] != 3
                            && side[v] != 3
                            && unit(seed, stream::BRIDGE, key, 0) < chance)
                            .then_some((c, true))
                    }
                    Some(_) => None,
                    None if same && adjacent => {
                        let keep = if cell_rural[v] {
                            KEEP_RURAL
                        } else {
                            KEEP_URBAN
                        };
                        (unit(seed, stream::EDGE_KEEP, key, 0) < keep).then(|| {
                            let foot = !cell_rural[v] && unit(seed, stream::FOOTWAY, key, 0) < 0.05;
                            (
                                if foot {
                                    RoadClass::Footway
                                } else {
                                    RoadClass::Residential
                                },
                                false,
                            )
                        })
                    }
                    None => None,
                };
                if let Some((c, bridge)) = seg_class {
                    *bridges += usize::from(bridge);
                    let oneway = !c.arterial()
                        && c != RoadClass::Footway
                        && unit(seed, stream::ONEWAY, key, 0) < 0.04;
                    segs.push(Segment {
                        a: pv as u32,
                        b: v as u32,
                        class: c,
                        street,
                        bridge,
                        oneway,
                        shape_start: 0,
                        shape_len: 0,
                    });
                }
            }
            prev = Some(k);
        }
    };
    for j in 0..gy {
        line(true, j, &mut segs, &mut bridges);
    }
    for i in 0..gx {
        line(false, i, &mut segs, &mut bridges);
    }

    // 3. Diagonal lanes across some blocks (never across water or between zones' kinds).
    let mut extra_street = street_names_keys.len() as u32;
    for j in 0..gy.saturating_sub(1) {
        for i in 0..gx.saturating_sub(1) {
            let r = unit(seed, stream::DIAGONAL, i as u64, j as u64);
            let (p, q) = if r < 0.015 {
                (idx(i, j), idx(i + 1, j + 1))
            } else if r < 0.03 {
                (idx(i + 1, j), idx(i, j + 1))
            } else {
                continue;
            };
            if side[p] == 255 || side[p] != side[q] || cell_rural[p] {
                continue;
            }
            street_names_keys.push(hash(seed, stream::NAMES, 3, (j * gx + i) as u64));
            segs.push(Segment {
                a: p as u32,
                b: q as u32,
                class: RoadClass::Residential,
                street: extra_street,
                bridge: false,
                oneway: false,
                shape_start: 0,
                shape_len: 0,
            });
            extra_street += 1;
        }
    }

    // 4. Cul-de-sacs: short dead-end spurs into blocks from local junctions.
    let mut spur_ends: Vec<[f64; 2]> = Vec::new();
    let mut spur_segs: Vec<(u32, usize)> = Vec::new();
    for (j, row) in rows.iter().enumerate() {
        if row.is_some() {
            continue;
        }
        for (i, col) in cols.iter().enumerate() {
            let v = idx(i, j);
            if side[v] == 255 || col.is_some() {
                continue;
            }
            let h = hash(seed, stream::SPUR, i as u64, j as u64);
            let chance = if cell_rural[v] { 0.08 } else { 0.06 };
            if super::rng::to_unit(h) >= chance {
                continue;
            }
            let (sx, sy) = (
                if h & 1 == 0 { 1.0 } else { -1.0 },
                if h & 2 == 0 { 1.0 } else { -1.0 },
            );
            let len = 0.25 + 0.12 * super::rng::to_unit(h.rotate_left(17));
            let u = lat[v];
            let end = [u[0] + sx * len, u[1] + sy * len];
            if end[0] < -0.45 || end[1] < -0.45 || end[0] > gx as f64 - 0.55 {
                continue;
            }
            if end[1] > gy as f64 - 0.55 || layout.ground(end).side() != side[v] {
                continue;
            }
            spur_segs.push((v as u32, spur_ends.len()));
            spur_ends.push(end);
        }
    }

    // 5. Keep junctions that some segment uses; number them in lattice order, spur ends after.
    let mut used = vec![false; n];
    for s in &segs {
        used[s.a as usize] = true;
        used[s.b as usize] = true;
    }
    for (v, _) in &spur_segs {
        used[*v as usize] = true;
    }
    let mut new_id = vec![u32::MAX; n];
    let mut lattice: Vec<[f64; 2]> = Vec::new();
    for v in 0..n {
        if used[v] {
            new_id[v] = lattice.len() as u32;
            lattice.push(lat[v]);
        }
    }
    drop(lat);
    for s in &mut segs {
        s.a = new_id[s.a as usize];
        s.b = new_id[s.b as usize];
    }
    for (k, (v, e)) in spur_segs.iter().enumerate() {
        let end_id = lattice.len() as u32;
        lattice.push(spur_ends[*e]);
        street_names_keys.push(hash(seed, stream::NAMES, 4, k as u64));
        let class = if k % 3 == 0 {
            RoadClass::Service
        } else {
            RoadClass::Residential
        };
        segs.push(Segment {
            a: new_id[*v as usize],
            b: end_id,
            class,
            street: extra_street,
            bridge: false,
            oneway: false,
            shape_start: 0,
            shape_len: 0,
        });
        extra_street += 1;
    }
    drop(new_id);

    // 6. Positions and shape points (curves follow the map; local streets wobble a little).
    let pos: Vec<[f64; 2]> = lattice.iter().map(|&u| layout.to_wgs84(u)).collect();
    let mut shape: Vec<[f64; 2]> = Vec::new();
    for (e, s) in segs.iter_mut().enumerate() {
        let k = if s.bridge {
            0
        } else if s.class.arterial() {
            1
        } else {
            let r = unit(seed, stream::SHAPE, e as u64, 0);
            if r < 0.6 {
                0
            } else if r < 0.9 {
                1
            } else {
                2
            }
        };
        s.shape_start = shape.len() as u32;
        s.shape_len = k as u8;
        let (ua, ub) = (lattice[s.a as usize], lattice[s.b as usize]);
        let (dx, dy) = (ub[0] - ua[0], ub[1] - ua[1]);
        let wobble = if s.class.arterial() { 0.0 } else { 0.07 };
        for m in 1..=k {
            let t = m as f64 / (k + 1) as f64;
            let w = wobble * (2.0 * unit(seed, stream::SHAPE, e as u64, m as u64) - 1.0);
            let u = [ua[0] + t * dx - w * dy, ua[1] + t * dy + w * dx];
            shape.push(layout.to_wgs84(u));
        }
    }

    // 7. Connected pieces.
    let nn = lattice.len();
    let mut parent: Vec<u32> = (0..nn as u32).collect();
    fn find(p: &mut [u32], mut v: u32) -> u32 {
        while p[v as usize] != v {
            let q = p[p[v as usize] as usize];
            p[v as usize] = q;
            v = q;
        }
        v
    }
    for s in &segs {
        let (ra, rb) = (find(&mut parent, s.a), find(&mut parent, s.b));
        if ra != rb {
            parent[ra.max(rb) as usize] = ra.min(rb);
        }
    }
    let mut size = vec![0usize; nn];
    let roots: Vec<u32> = (0..nn as u32).map(|v| find(&mut parent, v)).collect();
    for &r in &roots {
        size[r as usize] += 1;
    }
    let mut order: Vec<u32> = (0..nn as u32).filter(|&v| size[v as usize] > 0).collect();
    order.sort_by_key(|&r| (std::cmp::Reverse(size[r as usize]), r));
    let mut rank = vec![0u32; nn];
    for (k, &r) in order.iter().enumerate() {
        rank[r as usize] = k as u32;
    }
    let pieces: Vec<usize> = order.iter().map(|&r| size[r as usize]).collect();
    let piece_of: Vec<u32> = roots.iter().map(|&r| rank[r as usize]).collect();

    let street_names = street_names_keys
        .iter()
        .enumerate()
        .map(|(k, &h)| {
            let arterial =
                (k < gy && rows[k].is_some()) || (k >= gy && k < gy + gx && cols[k - gy].is_some());
            if arterial {
                super::names::arterial_name(h)
            } else {
                super::names::street_name(h)
            }
        })
        .collect();

    Streets {
        lattice,
        pos,
        segments: segs,
        shape,
        pieces,
        piece_of,
        street_names,
        bridges,
    }
}
