//! Zones from the administrative boundaries (`boundary=administrative`) of an OpenStreetMap
//! extract.
//!
//! The file is read with the tool's PBF reader in three passes over its blocks, each decoded in
//! parallel and merged in file order: boundary relations, then the member ways they name, then the nodes of those ways.
//! Member ways are joined end to end into closed rings by their shared node ids. A relation whose
//! rings cannot be closed — usually because the extract cut it, leaving ways or nodes out — is
//! skipped and listed in [`OsmZoneReport::incomplete_relations`].

use super::index::ZoneIndex;
use super::zone::{is_rural, Zone};
use crate::error::{Error, ErrorKind, Result};
use crate::input::pbf::{MemberKind, PbfBlock, PbfFile};
use geo::orient::{Direction, Orient};
use geo::{Area, BoundingRect, Contains, InteriorPoint, Intersects};
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;

/// What [`read_osm_zones`] found and what it had to skip.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OsmZoneReport {
    /// Boundary relations found at the zone level, complete or not.
    pub relations: usize,
    /// Zone-level relations skipped because their rings could not be closed (member ways or
    /// nodes missing from the extract, or broken boundaries), as (relation id, name), by id.
    pub incomplete_relations: Vec<(i64, String)>,
    /// Boundary relations found at the district level (0 without a district level).
    pub district_relations: usize,
    /// District-level relations skipped for the same reason, as (relation id, name), by id.
    pub incomplete_district_relations: Vec<(i64, String)>,
    /// Inner rings of zone boundaries that lie in none of their relation's outer rings (dropped).
    pub inner_rings_dropped: usize,
    /// Zones whose interior point lies in no district boundary (their district is `None`); 0
    /// without a district level.
    pub zones_without_district: usize,
}

/// Reads the administrative boundaries at `admin_level` of a `.osm.pbf` file as zones.
///
/// Relations tagged `boundary=administrative`, `admin_level=N` and `type=boundary` or
/// `type=multipolygon` are used. Their member ways with role `outer`, `inner` or no role (taken
/// as outer) form the rings; each inner ring becomes a hole of the smallest outer ring that
/// contains it. Name: `name:zh`, else `name`, else `relation <id>`; code: `ref`, else
/// `ISO3166-2`, else the relation id. Zones are rural by name ([`is_rural`]). With
/// `district_level`, a zone's district is the name of the boundary at that level containing the
/// zone's interior point.
///
/// Zones come sorted by code, then name. It is an error when the file has no complete boundary
/// at `admin_level`; incomplete ones are skipped and reported.
pub fn read_osm_zones(
    path: &Path,
    admin_level: u8,
    district_level: Option<u8>,
) -> Result<(Vec<Zone>, OsmZoneReport)> {
    let file = PbfFile::read(path)?;
    // Each of the three passes decodes every block again: boundaries need few of the file's
    // elements, and keeping the blocks would hold the whole file decompressed.
    let batches: Vec<RelationBatch> = (0..file.blobs.len())
        .into_par_iter()
        .map(|b| relations_of(&file.block(b)?, admin_level, district_level))
        .collect::<Result<_>>()
        .map_err(|e| e.file(path))?;
    let mut levels_seen: Vec<u8> = batches.iter().flat_map(|b| b.levels.clone()).collect();
    levels_seen.sort_unstable();
    levels_seen.dedup();
    let rels: Vec<AdminRelation> = batches.into_iter().flat_map(|b| b.relations).collect();
    if !rels.iter().any(|r| r.level == admin_level) {
        let seen: Vec<String> = levels_seen.iter().map(u8::to_string).collect();
        return Err(Error::new(
            ErrorKind::Empty,
            format!(
                "no administrative boundary relation at admin_level {admin_level} \
                 (levels present: {})",
                if seen.is_empty() {
                    "none".to_string()
                } else {
                    seen.join(", ")
                }
            ),
        )
        .file(path));
    }

    let mut way_ids: Vec<i64> = rels
        .iter()
        .flat_map(|r| r.outer.iter().chain(&r.inner))
        .copied()
        .collect();
    way_ids.par_sort_unstable();
    way_ids.dedup();
    let way_batches: Vec<Vec<(u32, Vec<i64>)>> = (0..file.blobs.len())
        .into_par_iter()
        .map(|b| ways_of(&file.block(b)?, &way_ids))
        .collect::<Result<_>>()
        .map_err(|e| e.file(path))?;
    let mut way_refs: Vec<Option<Vec<i64>>> = vec![None; way_ids.len()];
    for (i, refs) in way_batches.into_iter().flatten() {
        way_refs[i as usize] = Some(refs);
    }

    let mut node_ids: Vec<i64> = way_refs.iter().flatten().flatten().copied().collect();
    node_ids.par_sort_unstable();
    node_ids.dedup();
    let node_batches: Vec<Vec<(u32, [f64; 2])>> = (0..file.blobs.len())
        .into_par_iter()
        .map(|b| nodes_of(&file.block(b)?, &node_ids))
        .collect::<Result<_>>()
        .map_err(|e| e.file(path))?;
    drop(file);
    let mut coords = vec![[f64::NAN; 2]; node_ids.len()];
    for (i, p) in node_batches.into_iter().flatten() {
        coords[i as usize] = p;
    }
    let lookup = Lookup {
        way_ids,
        way_refs,
        node_ids,
        coords,
    };

    let shapes: Vec<Option<Shape>> = rels.par_iter().map(|r| assemble(r, &lookup)).collect();
    let mut report = OsmZoneReport::default();
    let mut zones = Vec::new();
    let mut districts = Vec::new();
    for (rel, shape) in rels.iter().zip(&shapes) {
        for (is_zone_level, level) in [(true, Some(admin_level)), (false, district_level)] {
            if level != Some(rel.level) {
                continue;
            }
            if is_zone_level {
                report.relations += 1;
            } else {
                report.district_relations += 1;
            }
            let Some(shape) = shape else {
                let list = if is_zone_level {
                    &mut report.incomplete_relations
                } else {
                    &mut report.incomplete_district_relations
                };
                list.push((rel.id, rel.name.clone()));
                continue;
            };
            let zone = Zone {
                code: rel.code.clone(),
                name: rel.name.clone(),
                district: None,
                rural: is_rural(&rel.name, None),
                geometry: shape.geometry.clone(),
                origin: format!("{} relation {}", path.display(), rel.id),
            };
            if is_zone_level {
                report.inner_rings_dropped += shape.inner_rings_dropped;
                zones.push(zone);
            } else {
                districts.push(zone);
            }
        }
    }
    report.incomplete_relations.sort();
    report.incomplete_district_relations.sort();
    if zones.is_empty() {
        return Err(Error::new(
            ErrorKind::Empty,
            format!(
                "all {} administrative boundaries at admin_level {admin_level} are incomplete \
                 in this extract (member ways or nodes missing)",
                report.relations
            ),
        )
        .file(path));
    }

    let by_code_name = |a: &Zone, b: &Zone| a.code.cmp(&b.code).then_with(|| a.name.cmp(&b.name));
    zones.sort_by(by_code_name);
    if district_level.is_some() {
        districts.sort_by(by_code_name);
        let index = ZoneIndex::new(&districts);
        let found: Vec<Option<usize>> = zones
            .par_iter()
            .map(|z| {
                z.geometry
                    .interior_point()
                    .and_then(|p| index.locate([p.x(), p.y()]))
            })
            .collect();
        for (zone, d) in zones.iter_mut().zip(found) {
            match d {
                Some(d) => zone.district = Some(districts[d].name.clone()),
                None => report.zones_without_district += 1,
            }
        }
    }
    Ok((zones, report))
}

/// A boundary relation at one of the requested levels, with its member ways.
struct AdminRelation {
    id: i64,
    level: u8,
    name: String,
    code: String,
    /// Member ways with role `outer` or no role, sorted, without repeats.
    outer: Vec<i64>,
    /// Member ways with role `inner`, sorted, without repeats.
    inner: Vec<i64>,
}

#[derive(Default)]
struct RelationBatch {
    relations: Vec<AdminRelation>,
    /// Every `admin_level` of administrative boundaries seen, for messages.
    levels: Vec<u8>,
}

fn relations_of(block: &PbfBlock, admin_level: u8, district: Option<u8>) -> Result<RelationBatch> {
    let mut out = RelationBatch::default();
    block.for_each_relation(|id, tags, members| {
        let tag = |k: &str| {
            tags.iter()
                .find(|(kk, _)| *kk == k)
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty())
        };
        if tag("boundary") != Some("administrative")
            || !matches!(tag("type"), Some("boundary" | "multipolygon"))
        {
            return;
        }
        let Some(level) = tag("admin_level").and_then(|v| v.parse::<u8>().ok()) else {
            return;
        };
        if !out.levels.contains(&level) {
            out.levels.push(level);
        }
        if level != admin_level && Some(level) != district {
            return;
        }
        let mut outer = Vec::new();
        let mut inner = Vec::new();
        for m in members {
            if m.kind != MemberKind::Way {
                continue;
            }
            match m.role.map(str::trim) {
                Some("outer" | "") => outer.push(m.id),
                Some("inner") => inner.push(m.id),
                _ => {}
            }
        }
        for v in [&mut outer, &mut inner] {
            v.sort_unstable();
            v.dedup();
        }
        out.relations.push(AdminRelation {
            id,
            level,
            name: tag("name:zh")
                .or_else(|| tag("name"))
                .map(str::to_string)
                .unwrap_or_else(|| format!("relation {id}")),
            code: tag("ref")
                .or_else(|| tag("ISO3166-2"))
                .map(str::to_string)
                .unwrap_or_else(|| id.to_string()),
            outer,
            inner,
        });
    })?;
    Ok(out)
}

/// The node ids of the ways in `wanted` (sorted), by position in `wanted`.
fn ways_of(block: &PbfBlock, wanted: &[i64]) -> Result<Vec<(u32, Vec<i64>)>> {
    let mut out = Vec::new();
    block.for_each_way(|id, _, refs| {
        if let Ok(i) = wanted.binary_search(&id) {
            out.push((i as u32, refs.to_vec()));
        }
    })?;
    Ok(out)
}

/// The coordinates (WGS84 degrees) of the nodes in `wanted` (sorted), by position in `wanted`.
fn nodes_of(block: &PbfBlock, wanted: &[i64]) -> Result<Vec<(u32, [f64; 2])>> {
    let mut out = Vec::new();
    if block.has_nodes() {
        block.for_each_node(|id, nano_lon, nano_lat, _| {
            if let Ok(i) = wanted.binary_search(&id) {
                out.push((i as u32, [nano_lon as f64 / 1e9, nano_lat as f64 / 1e9]));
            }
        })?;
    }
    Ok(out)
}

/// Ways and nodes found in the file, by sorted id.
struct Lookup {
    way_ids: Vec<i64>,
    way_refs: Vec<Option<Vec<i64>>>,
    node_ids: Vec<i64>,
    coords: Vec<[f64; 2]>,
}

impl Lookup {
    fn way(&self, id: i64) -> Option<&[i64]> {
        let i = self.way_ids.binary_search(&id).ok()?;
        self.way_refs[i].as_deref()
    }

    fn node(&self, id: i64) -> Option<Coord<f64>> {
        let i = self.node_ids.binary_search(&id).ok()?;
        let [x, y] = self.coords[i];
        x.is_finite().then_some(Coord { x, y })
    }

    /// The closed rings formed by `ways`, or `None` when a way or node is missing or the ways do
    /// not close.
    fn rings(&self, ways: &[i64]) -> Option<Vec<LineString<f64>>> {
        let seqs = ways
            .iter()
            .map(|&w| self.way(w))
            .collect::<Option<Vec<&[i64]>>>()?;
        join_rings(&seqs)?
            .into_iter()
            .map(|ring| {
                ring.iter()
                    .map(|&n| self.node(n))
                    .collect::<Option<Vec<_>>>()
                    .map(LineString)
            })
            .collect()
    }
}

/// A relation's area.
struct Shape {
    geometry: MultiPolygon<f64>,
    inner_rings_dropped: usize,
}

/// The area of a relation, or `None` when it is incomplete.
fn assemble(rel: &AdminRelation, lookup: &Lookup) -> Option<Shape> {
    let outers = lookup.rings(&rel.outer)?;
    if outers.is_empty() {
        return None;
    }
    let inners = lookup.rings(&rel.inner)?;
    let outers: Vec<(Polygon<f64>, f64)> = outers
        .into_iter()
        .map(|r| {
            let p = Polygon::new(r, vec![]);
            let a = p.unsigned_area();
            (p, a)
        })
        .collect();
    let mut holes: Vec<Vec<LineString<f64>>> = vec![Vec::new(); outers.len()];
    let mut inner_rings_dropped = 0;
    for ring in inners {
        let owner = owner_of(&ring, &outers);
        match owner {
            Some(i) => holes[i].push(ring),
            None => inner_rings_dropped += 1,
        }
    }
    let polygons = outers
        .into_iter()
        .zip(holes)
        .map(|((p, _), h)| Polygon::new(p.into_inner().0, h).orient(Direction::Default))
        .collect();
    Some(Shape {
        geometry: MultiPolygon(polygons),
        inner_rings_dropped,
    })
}

/// The index of the smallest outer ring (with its planar area) that contains `inner`: its
/// bounding box holds the inner ring's, its area holds a sample of the inner ring's vertices
/// (boundary included) and the inner ring's interior point. `None` when there is none.
fn owner_of(inner: &LineString<f64>, outers: &[(Polygon<f64>, f64)]) -> Option<usize> {
    let bbox = inner.bounding_rect()?;
    let probe = Polygon::new(inner.clone(), vec![]).interior_point()?;
    let step = (inner.0.len() / 16).max(1);
    outers
        .iter()
        .enumerate()
        .filter(|(_, (p, _))| {
            p.bounding_rect().is_some_and(|r| {
                r.min().x <= bbox.min().x
                    && r.min().y <= bbox.min().y
                    && r.max().x >= bbox.max().x
                    && r.max().y >= bbox.max().y
            }) && inner.0.iter().step_by(step).all(|&c| p.intersects(&c))
                && p.contains(&probe)
        })
        .min_by(|a, b| a.1 .1.total_cmp(&b.1 .1))
        .map(|(i, _)| i)
}

/// Joins node-id sequences end to end (either direction) into closed rings, each given as node
/// ids with the first repeated at the end. `None` when some sequence cannot be closed into a
/// ring. Sequences of fewer than two nodes and degenerate rings (fewer than three distinct
/// nodes) are left out.
fn join_rings(ways: &[&[i64]]) -> Option<Vec<Vec<i64>>> {
    let mut rings = Vec::new();
    let mut open: Vec<&[i64]> = Vec::new();
    for &w in ways {
        match w {
            [] | [_] => {}
            [first, .., last] if first == last => rings.push(w.to_vec()),
            _ => open.push(w),
        }
    }
    let mut at_end: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, w) in open.iter().enumerate() {
        at_end.entry(w[0]).or_default().push(i);
        at_end.entry(w[w.len() - 1]).or_default().push(i);
    }
    let mut used = vec![false; open.len()];
    for start in 0..open.len() {
        if used[start] {
            continue;
        }
        used[start] = true;
        let mut ring = open[start].to_vec();
        while ring.first() != ring.last() {
            let end = *ring.last().expect("rings are never empty");
            let next = at_end.get(&end)?.iter().copied().find(|&j| !used[j])?;
            used[next] = true;
            let w = open[next];
            if w[0] == end {
                ring.extend_from_slice(&w[1..]);
            } else {
                ring.extend(w.iter().rev().skip(1));
            }
        }
        rings.push(ring);
    }
    rings.retain(|r| r.len() >= 4);
    Some(rings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalise(mut ring: Vec<i64>) -> Vec<i64> {
        // Rotate to start at the smallest id and orient towards the smaller neighbour.
        ring.pop();
        let k = (0..ring.len()).min_by_key(|&i| ring[i]).unwrap();
        ring.rotate_left(k);
        if ring.len() > 2 && ring[ring.len() - 1] < ring[1] {
            ring[1..].reverse();
        }
        ring
    }

    #[test]
    fn joins_ways_in_any_order_and_direction() {
        let ways: [&[i64]; 4] = [&[1, 2, 3], &[5, 4, 3], &[5, 6, 1], &[10, 11, 12, 10]];
        let rings = join_rings(&ways).unwrap();
        let mut rings: Vec<Vec<i64>> = rings.into_iter().map(normalise).collect();
        rings.sort();
        assert_eq!(rings, vec![vec![1, 2, 3, 4, 5, 6], vec![10, 11, 12]]);
    }

    #[test]
    fn a_gap_leaves_the_ring_open() {
        let ways: [&[i64]; 2] = [&[1, 2, 3], &[3, 4, 5]];
        assert!(join_rings(&ways).is_none());
        // Two rings touching at node 1 still close.
        let ways: [&[i64]; 4] = [&[1, 2, 3], &[3, 1], &[1, 4, 5], &[5, 1]];
        let rings = join_rings(&ways).unwrap();
        assert_eq!(rings.iter().map(|r| r.len() - 1).sum::<usize>(), 6);
    }

    #[test]
    fn inner_rings_go_to_the_smallest_outer_ring_containing_them() {
        // Nodes on a 10x10 square (1-4), an island 8x8 square inside... laid out as:
        // outer A: (0,0)-(10,10); inner: (2,2)-(8,8); outer B (island): (4,4)-(6,6).
        let pts: [(i64, [f64; 2]); 12] = [
            (1, [0.0, 0.0]),
            (2, [10.0, 0.0]),
            (3, [10.0, 10.0]),
            (4, [0.0, 10.0]),
            (5, [2.0, 2.0]),
            (6, [8.0, 2.0]),
            (7, [8.0, 8.0]),
            (8, [2.0, 8.0]),
            (9, [4.0, 4.0]),
            (10, [6.0, 4.0]),
            (11, [6.0, 6.0]),
            (12, [4.0, 6.0]),
        ];
        let lookup = Lookup {
            way_ids: vec![100, 101, 102, 103],
            way_refs: vec![
                Some(vec![1, 2, 3]),
                Some(vec![3, 4, 1]),
                Some(vec![5, 6, 7, 8, 5]),
                Some(vec![9, 10, 11, 12, 9]),
            ],
            node_ids: pts.iter().map(|p| p.0).collect(),
            coords: pts.iter().map(|p| p.1).collect(),
        };
        let rel = AdminRelation {
            id: 1,
            level: 8,
            name: "x".into(),
            code: "1".into(),
            outer: vec![100, 101, 103],
            inner: vec![102],
        };
        let shape = assemble(&rel, &lookup).unwrap();
        assert_eq!(shape.inner_rings_dropped, 0);
        let polys = &shape.geometry.0;
        assert_eq!(polys.len(), 2);
        let holes: Vec<(f64, usize)> = polys
            .iter()
            .map(|p| {
                (
                    p.exterior().bounding_rect().unwrap().width(),
                    p.interiors().len(),
                )
            })
            .collect();
        assert!(
            holes.contains(&(10.0, 1)) && holes.contains(&(2.0, 0)),
            "{holes:?}"
        );
        let area = shape.geometry.unsigned_area();
        assert!((area - (100.0 - 36.0 + 4.0)).abs() < 1e-12, "{area}");
        // A missing way makes the relation incomplete.
        let rel = AdminRelation {
            outer: vec![100, 104],
            ..rel
        };
        assert!(assemble(&rel, &lookup).is_none());
    }
}
