//! Reading OpenStreetMap `.osm.pbf` extracts: the street network of a travel mode, facilities
//! through a [`CategoryMap`], and buildings as demand points.
//!
//! The file is read in two passes over its blocks (decoded by the tool's own reader, `pbf`),
//! each in parallel and merged in file order (so results do not depend on thread timing): ways
//! first, then the coordinates of just the nodes those ways use. Blocks with nodes are decoded
//! once and kept between the passes for files up to 16 MB, decoded again for larger ones. Ways
//! that reference nodes missing from the extract (typical at the edge of a cut-out) are cut at
//! the missing nodes, and the cuts are counted in [`OsmReport`].
//!
//! Buildings are ways tagged `building=*` (any value but `no`), placed at a point on their
//! surface. With [`OsmRequest::building_info`] each also comes with its footprint (closed ways
//! only), floors and whether it is residential ([`BuildingInfo`], [`is_residential_building`]);
//! footprints are measured after the node pass, block by block in parallel. Buildings mapped as
//! multipolygon relations are counted in [`OsmReport`], not read.

use super::pbf::{PbfBlock, PbfFile};
use super::surface_point::ring_surface_point;
use super::work_queue::map_in_order;
use crate::categories::CategoryMap;
use crate::error::{Error, Result};
use crate::network::{Profile, RawNetwork, WayAccess};
use crate::places::{DemandPoint, Facility};
use geo::{InteriorPoint, LineString};
use rayon::prelude::*;
use std::path::Path;

/// What to extract from a PBF file.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsmRequest<'a> {
    /// Build the street network for this profile.
    pub network: Option<Profile>,
    /// Extract facilities with this mapping.
    pub facilities: Option<&'a CategoryMap>,
    /// Extract buildings (closed ways tagged `building`) as demand points.
    pub buildings: bool,
    /// With `buildings`, also measure each building's footprint, floors and use
    /// ([`OsmData::building_info`]); left empty otherwise, which saves the geodesic areas.
    pub building_info: bool,
}

/// What was extracted.
#[derive(Debug, Default)]
pub struct OsmData {
    /// The network's ways, when requested.
    pub network: Option<RawNetwork>,
    /// Facilities, one per matching feature and category.
    pub facilities: Vec<Facility>,
    /// Buildings as demand points at a point on their surface.
    pub buildings: Vec<DemandPoint>,
    /// Footprint, floors and use of each building, in the order of [`OsmData::buildings`]; empty
    /// unless [`OsmRequest::building_info`] was asked for.
    pub building_info: Vec<BuildingInfo>,
    /// Counts of what could not be used, for the log.
    pub report: OsmReport,
}

/// Counts of input the reader had to cut or skip.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OsmReport {
    /// Network ways that referenced nodes missing from the extract and were cut there.
    pub network_ways_cut: usize,
    /// Node references of network ways that were missing from the extract.
    pub missing_node_refs: usize,
    /// Facility or building ways with no node inside the extract (not usable).
    pub ways_without_nodes: usize,
    /// Relations (multipolygons) whose tags match a facility category; not yet used.
    pub facility_relations_skipped: usize,
    /// Multipolygon relations tagged `building=*` (not `no`); not used as buildings yet.
    pub building_relations_skipped: usize,
}

/// Footprint, floors and use of a building way.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildingInfo {
    /// Geodesic area of the footprint on the WGS84 ellipsoid, m². Zero when the way is not a
    /// closed ring of at least three distinct positions with all its nodes in the extract.
    pub footprint_m2: f64,
    /// Floors from `building:levels`: a number of at least 1 (fractions allowed); 1 when the
    /// tag is absent or anything else.
    pub levels: f64,
    /// Whether the `building` value is residential, see [`is_residential_building`].
    pub residential: bool,
}

impl BuildingInfo {
    /// Floor area: footprint × floors, m².
    pub fn floor_area_m2(&self) -> f64 {
        self.footprint_m2 * self.levels
    }
}

/// Values of the OSM `building` key counted as homes (compared ignoring ASCII case):
/// `yes` (unspecified use; in residential areas mostly homes), `residential`, `house`,
/// `apartments`, `detached`, `semidetached_house`, `terrace`, `dormitory`, `bungalow`, `farm`
/// (a farmhouse) and `住宅`.
pub const RESIDENTIAL_BUILDING_VALUES: &[&str] = &[
    "yes",
    "residential",
    "house",
    "apartments",
    "detached",
    "semidetached_house",
    "terrace",
    "dormitory",
    "bungalow",
    "farm",
    "住宅",
];

/// Whether a building with this `building=*` value houses residents: one of
/// [`RESIDENTIAL_BUILDING_VALUES`]. Every other value is not residential, e.g. `commercial`,
/// `industrial`, `retail`, `office`, `church`, `garage`, `garages`, `shed`, `roof`, `hut`,
/// `cabin`, `school`, `hospital`, `public`, `warehouse`, `barn`, `service`, `construction`,
/// `kiosk`, `parking`.
pub fn is_residential_building(value: &str) -> bool {
    let v = value.trim();
    RESIDENTIAL_BUILDING_VALUES
        .iter()
        .any(|r| v.eq_ignore_ascii_case(r))
}

/// Floors from a `building:levels` value: a finite number ≥ 1, else 1.
fn building_levels(value: Option<&str>) -> f64 {
    value
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|l| l.is_finite() && *l >= 1.0)
        .unwrap_or(1.0)
}

/// Reads what `req` asks for from a PBF file.
pub fn read_osm(path: &Path, req: OsmRequest<'_>) -> Result<OsmData> {
    read_osm_file(PbfFile::read(path)?, path, req)
}

/// [`read_osm`] from a file already in memory; `path` names it in messages and origins.
pub(crate) fn read_osm_file(file: PbfFile, path: &Path, req: OsmRequest<'_>) -> Result<OsmData> {
    let keep = file.len() <= KEEP_DECODED_MAX_BYTES;
    // Sorted files hold their ways and relations after the nodes, and a block of ways takes
    // about ten times as long as a block of nodes: the last blocks go first.
    let last_first: Vec<usize> = (0..file.blobs.len()).rev().collect();
    let first: Vec<(WayBatch, NodeBlock)> = map_in_order(&last_first, |b| {
        let blk = file.block(b)?;
        let ways = ways_of(&blk, &req)?;
        let nodes = match (blk.has_nodes(), keep) {
            (false, _) => NodeBlock::None,
            (true, true) => NodeBlock::Decoded(blk),
            (true, false) => NodeBlock::Encoded,
        };
        Ok((ways, nodes))
    })
    .into_iter()
    .collect::<Result<_>>()
    .map_err(|e: Error| e.file(path))?;
    let (ways, node_blocks): (Vec<WayBatch>, Vec<NodeBlock>) = first.into_iter().unzip();

    let mut needed: Vec<i64> = ways
        .iter()
        .flat_map(|w| {
            w.net_refs
                .iter()
                .chain(w.feature_ways.iter().flat_map(|f| f.refs.iter()))
                .copied()
        })
        .collect();
    needed.par_sort_unstable();
    needed.dedup();

    let nodes: Vec<NodeBatch> = node_blocks
        .into_par_iter()
        .enumerate()
        .map(|(b, nb)| match nb {
            NodeBlock::None => Ok(NodeBatch::default()),
            NodeBlock::Decoded(blk) => nodes_of(&blk, &needed, req.facilities),
            NodeBlock::Encoded => nodes_of(&file.block(b)?, &needed, req.facilities),
        })
        .collect::<Result<_>>()
        .map_err(|e: Error| e.file(path))?;
    drop(file);

    let mut coords = vec![[f64::NAN; 2]; needed.len()];
    let mut entrance = vec![false; needed.len()];
    let mut data = OsmData::default();
    for batch in nodes {
        for (i, p) in batch.found {
            coords[i as usize] = p;
        }
        for i in batch.entrances {
            entrance[i as usize] = true;
        }
        data.facilities
            .extend(batch.facilities.into_iter().map(|mut f| {
                f.origin = format!("{} {}", path.display(), f.origin);
                f
            }));
    }
    let lookup = |id: i64| -> Option<(usize, [f64; 2])> {
        let i = needed.binary_search(&id).ok()?;
        let p = coords[i];
        p[0].is_finite().then_some((i, p))
    };

    // The street network and the features are put together at the same time.
    let (network, features) = rayon::join(
        || req.network.map(|_| assemble_network(&ways, &lookup)),
        || features_of(&ways, &lookup, &entrance, path, &req),
    );
    if let Some(n) = network {
        data.report.missing_node_refs += n.missing_node_refs;
        data.report.network_ways_cut += n.ways_cut;
        data.network = Some(n.raw);
    }
    data.facilities.extend(features.facilities);
    data.buildings = features.buildings;
    data.building_info = features.building_info;
    data.report.ways_without_nodes += features.ways_without_nodes;
    for batch in &ways {
        data.report.facility_relations_skipped += batch.facility_relations;
        data.report.building_relations_skipped += batch.building_relations;
    }
    Ok(data)
}

/// A street network put together from the ways of the first pass.
struct AssembledNetwork {
    raw: RawNetwork,
    /// References to nodes missing from the file.
    missing_node_refs: usize,
    /// Ways cut in pieces at missing nodes.
    ways_cut: usize,
}

/// Puts the network ways together from their node positions (`lookup`: node id to its index
/// among the needed nodes and its position). A way is cut where a node is missing.
fn assemble_network(
    ways: &[WayBatch],
    lookup: &(impl Fn(i64) -> Option<(usize, [f64; 2])> + Sync),
) -> AssembledNetwork {
    let mut raw = RawNetwork::new();
    raw.reserve(
        ways.iter().map(|b| b.net_ids.len()).sum(),
        ways.iter().map(|b| b.net_refs.len()).sum(),
    );
    let (mut missing_node_refs, mut ways_cut) = (0, 0);
    let mut buf_c = Vec::new();
    let mut buf_k = Vec::new();
    for batch in ways {
        for w in 0..batch.net_ids.len() {
            let refs =
                &batch.net_refs[batch.net_offsets[w] as usize..batch.net_offsets[w + 1] as usize];
            let mut cut = false;
            buf_c.clear();
            buf_k.clear();
            for &r in refs {
                match lookup(r) {
                    Some((_, p)) => {
                        buf_c.push(p);
                        buf_k.push(r);
                    }
                    None => {
                        cut = true;
                        missing_node_refs += 1;
                        raw.push_way(batch.net_ids[w], &buf_c, &buf_k, batch.net_access[w]);
                        buf_c.clear();
                        buf_k.clear();
                    }
                }
            }
            raw.push_way(batch.net_ids[w], &buf_c, &buf_k, batch.net_access[w]);
            ways_cut += usize::from(cut);
        }
    }
    AssembledNetwork {
        raw,
        missing_node_refs,
        ways_cut,
    }
}

/// Facilities and buildings drawn as ways.
#[derive(Default)]
struct WayFeatures {
    facilities: Vec<Facility>,
    buildings: Vec<DemandPoint>,
    building_info: Vec<BuildingInfo>,
    /// Feature ways none of whose nodes are in the file.
    ways_without_nodes: usize,
}

/// The facilities and (when asked for) the buildings among the ways of the first pass.
/// `entrance[i]` tells whether needed node `i` is a facility's entrance.
fn features_of(
    ways: &[WayBatch],
    lookup: &(impl Fn(i64) -> Option<(usize, [f64; 2])> + Sync),
    entrance: &[bool],
    path: &Path,
    req: &OsmRequest<'_>,
) -> WayFeatures {
    let mut out = WayFeatures::default();
    for batch in ways {
        for f in &batch.feature_ways {
            let FeatureKind::Facility { categories, name } = &f.kind else {
                continue;
            };
            let pts: Vec<(usize, [f64; 2])> = f.refs.iter().filter_map(|&r| lookup(r)).collect();
            if pts.is_empty() {
                out.ways_without_nodes += 1;
                continue;
            }
            let surface = point_on_surface(&pts.iter().map(|(_, p)| *p).collect::<Vec<_>>());
            let origin = format!("{} way {}", path.display(), f.id);
            let mut entrances: Vec<[f64; 2]> = pts
                .iter()
                .filter(|(i, _)| entrance[*i])
                .map(|(_, p)| *p)
                .collect();
            entrances.dedup();
            let locations = if entrances.is_empty() {
                vec![surface]
            } else {
                entrances
            };
            let map = req.facilities.expect("facility ways only when requested");
            for &c in categories {
                out.facilities.push(Facility {
                    id: format!("w{}", f.id),
                    name: name.clone(),
                    category: map.name(c as usize).to_string(),
                    locations: locations.clone(),
                    capacity: None,
                    origin: origin.clone(),
                });
            }
        }
    }
    if req.buildings {
        let batches: Vec<BuildingBatch> = ways
            .par_iter()
            .map(|batch| buildings_of(batch, lookup, path, req.building_info))
            .collect();
        for b in batches {
            out.buildings.extend(b.points);
            out.building_info.extend(b.info);
            out.ways_without_nodes += b.without_nodes;
        }
    }
    out
}

/// Files up to this size (bytes) keep their blocks with nodes decompressed between the two passes
/// (several times this size in memory); larger files decompress them again.
const KEEP_DECODED_MAX_BYTES: u64 = 16 << 20;

/// The nodes of one block for the second pass.
enum NodeBlock {
    /// The block has no nodes.
    None,
    /// Decoded in the first pass and kept.
    Decoded(PbfBlock),
    /// To be decoded again.
    Encoded,
}

#[derive(Default)]
struct BuildingBatch {
    points: Vec<DemandPoint>,
    info: Vec<BuildingInfo>,
    without_nodes: usize,
}

/// The buildings of one block of ways, in file order, with their footprints when `info`.
fn buildings_of(
    batch: &WayBatch,
    lookup: &(impl Fn(i64) -> Option<(usize, [f64; 2])> + Sync),
    path: &Path,
    info: bool,
) -> BuildingBatch {
    let mut out = BuildingBatch::default();
    let mut pts: Vec<[f64; 2]> = Vec::new();
    for f in &batch.feature_ways {
        let FeatureKind::Building {
            levels,
            residential,
        } = f.kind
        else {
            continue;
        };
        pts.clear();
        pts.extend(f.refs.iter().filter_map(|&r| lookup(r).map(|(_, p)| p)));
        if pts.is_empty() {
            out.without_nodes += 1;
            continue;
        }
        out.points.push(DemandPoint {
            id: format!("w{}", f.id),
            location: point_on_surface(&pts),
            population: None,
            groups: Vec::new(),
            origin: format!("{} way {}", path.display(), f.id),
        });
        if info {
            out.info.push(BuildingInfo {
                footprint_m2: footprint_m2(f, &pts),
                levels,
                residential,
            });
        }
    }
    out
}

/// Geodesic area of a building way's footprint, m², whichever way the way runs: zero unless the way is closed and all its
/// nodes (`pts`, the positions found) are in the extract.
fn footprint_m2(way: &FeatureWay, pts: &[[f64; 2]]) -> f64 {
    let complete = pts.len() == way.refs.len();
    let closed = way.refs.len() >= 4 && way.refs.first() == way.refs.last();
    if !(complete && closed) {
        return 0.0;
    }
    let ring: LineString<f64> = pts.iter().map(|p| (p[0], p[1])).collect();
    let a = crate::geodesy::ring_area_m2(&ring);
    if a.is_finite() {
        a
    } else {
        0.0
    }
}

#[derive(Default)]
struct WayBatch {
    net_ids: Vec<i64>,
    net_refs: Vec<i64>,
    net_offsets: Vec<u32>,
    net_access: Vec<WayAccess>,
    feature_ways: Vec<FeatureWay>,
    facility_relations: usize,
    building_relations: usize,
}

struct FeatureWay {
    id: i64,
    refs: Vec<i64>,
    kind: FeatureKind,
}

enum FeatureKind {
    Facility { categories: Vec<u16>, name: String },
    Building { levels: f64, residential: bool },
}

fn ways_of(block: &PbfBlock, req: &OsmRequest<'_>) -> Result<WayBatch> {
    let mut out = WayBatch {
        net_offsets: vec![0],
        ..Default::default()
    };
    block.for_each_way(|id, tags, refs| {
        let tag = |k: &str| tags.iter().find(|(kk, _)| *kk == k).map(|(_, v)| *v);
        if let Some(access) = req.network.and_then(|p| p.osm_way(tag)) {
            out.net_ids.push(id);
            out.net_refs.extend_from_slice(refs);
            out.net_offsets.push(out.net_refs.len() as u32);
            out.net_access.push(access);
        }
        if let Some(map) = req.facilities {
            let cats = map.classify(tag);
            if !cats.is_empty() {
                out.feature_ways.push(FeatureWay {
                    id,
                    refs: refs.to_vec(),
                    kind: FeatureKind::Facility {
                        categories: cats.into_iter().map(|c| c as u16).collect(),
                        name: tag("name").unwrap_or("").to_string(),
                    },
                });
            }
        }
        if req.buildings {
            if let Some(b) = tag("building").filter(|v| *v != "no") {
                out.feature_ways.push(FeatureWay {
                    id,
                    refs: refs.to_vec(),
                    kind: FeatureKind::Building {
                        levels: building_levels(tag("building:levels")),
                        residential: is_residential_building(b),
                    },
                });
            }
        }
    })?;
    if req.buildings || req.facilities.is_some() {
        block.for_each_relation(|_, tags, _| {
            if req.buildings {
                let (mut building, mut multipolygon) = (false, false);
                for &(k, v) in tags {
                    building |= k == "building" && v != "no";
                    multipolygon |= k == "type" && v == "multipolygon";
                }
                out.building_relations += usize::from(building && multipolygon);
            }
            if let Some(map) = req.facilities {
                let tag = |k: &str| tags.iter().find(|(kk, _)| *kk == k).map(|(_, v)| *v);
                if !map.classify(tag).is_empty() {
                    out.facility_relations += 1;
                }
            }
        })?;
    }
    Ok(out)
}

#[derive(Default)]
struct NodeBatch {
    found: Vec<(u32, [f64; 2])>,
    entrances: Vec<u32>,
    facilities: Vec<Facility>,
}

fn nodes_of(block: &PbfBlock, needed: &[i64], map: Option<&CategoryMap>) -> Result<NodeBatch> {
    let mut out = NodeBatch::default();
    let mut needed = AscendingSearch::new(needed);
    block.for_each_node(|id, nano_lon, nano_lat, tags| {
        let pos = [nano_lon as f64 / 1e9, nano_lat as f64 / 1e9];
        let tag = |k: &str| tags.iter().find(|(kk, _)| *kk == k).map(|(_, v)| *v);
        if let Some(i) = needed.find(id) {
            out.found.push((i as u32, pos));
            if matches!(tag("entrance"), Some(v) if v != "no") {
                out.entrances.push(i as u32);
            }
        }
        if let Some(map) = map {
            if tags.is_empty() {
                return;
            }
            for c in map.classify(tag) {
                out.facilities.push(Facility {
                    id: format!("n{id}"),
                    name: tag("name").unwrap_or("").to_string(),
                    category: map.name(c).to_string(),
                    locations: vec![pos],
                    capacity: None,
                    origin: format!("node {id}"),
                });
            }
        }
    })?;
    Ok(out)
}

/// Finds ids in a sorted list, fastest when asked in ascending order (as a sorted file's node
/// blocks list them): each search gallops forward from where the last one ended, and starts
/// over from the front when an id is smaller than the last.
struct AscendingSearch<'a> {
    sorted: &'a [i64],
    from: usize,
}

impl<'a> AscendingSearch<'a> {
    fn new(sorted: &'a [i64]) -> Self {
        AscendingSearch { sorted, from: 0 }
    }

    /// The position of `id` in the list.
    fn find(&mut self, id: i64) -> Option<usize> {
        let s = self.sorted;
        if self.from > 0 && s[self.from - 1] >= id {
            self.from = 0;
        }
        let mut step = 1;
        while self.from + step < s.len() && s[self.from + step] < id {
            step *= 2;
        }
        let end = (self.from + step + 1).min(s.len());
        let i = self.from + s[self.from..end].partition_point(|&x| x < id);
        self.from = i;
        (s.get(i) == Some(&id)).then_some(i)
    }
}

/// A point on the surface of a closed ring ([`ring_surface_point`]), or on an open line.
fn point_on_surface(pts: &[[f64; 2]]) -> [f64; 2] {
    let closed = pts.len() >= 4 && pts.first() == pts.last();
    let p = if closed {
        ring_surface_point(pts)
    } else {
        let line: LineString<f64> = pts.iter().map(|p| (p[0], p[1])).collect();
        line.interior_point().map(|p| [p.x(), p.y()])
    };
    p.unwrap_or(pts[0])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Finds what a binary search finds, for queries in any order.
        #[test]
        fn ascending_search_finds_as_binary_search(
            mut list in prop::collection::vec(-50i64..500, 0..200),
            mut queries in prop::collection::vec(-60i64..520, 0..300),
            sorted_queries in any::<bool>(),
        ) {
            list.sort_unstable();
            list.dedup();
            if sorted_queries {
                queries.sort_unstable();
            }
            let mut search = AscendingSearch::new(&list);
            for q in queries {
                prop_assert_eq!(search.find(q), list.binary_search(&q).ok(), "query {}", q);
            }
        }
    }
}
