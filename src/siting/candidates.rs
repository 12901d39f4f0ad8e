//! Candidate sites when the planner has no list: network nodes in the uncovered areas, or the
//! centres of hexagons holding uncovered demand; and exclusions by zone or by a mask layer.

use crate::analysis::gaps::HexGrid;
use crate::error::Result;
use crate::network::Network;
use crate::places::Facility;
use crate::route::access::{push_seeds, OnEdge};
use crate::route::Workspace;
use crate::zones::{Zone, ZoneIndex};

/// Network nodes that no existing facility reaches within `limit_s` (`existing` are snapped
/// facility locations), thinned to at most one per hexagon of `spacing_m` (the first node in
/// the network's spatial order), as candidate sites named `node{index}`. An error when the
/// spacing is not a positive number or its grid would span too many cells over the network
/// (see [`HexGrid::spanning`]).
pub fn nodes_in_gaps(
    network: &Network,
    existing: &[OnEdge],
    limit_s: f64,
    walk_mps: f64,
    spacing_m: f64,
    category: &str,
) -> Result<Vec<Facility>> {
    let b = network.bbox();
    let grid = HexGrid::spanning(b, spacing_m)?;
    let mut ws = Workspace::new(network.node_count());
    let mut seeds = Vec::new();
    push_seeds(&network.edges, existing, walk_mps, &mut seeds);
    ws.run(&network.incoming, &seeds, limit_s);
    let mut picked: Vec<((i32, i32), u32)> = (0..network.node_count() as u32)
        .filter(|&v| ws.time(v).is_none())
        .filter_map(|v| grid.try_cell_of(network.nodes[v as usize]).map(|c| (c, v)))
        .collect();
    picked.sort_unstable();
    picked.dedup_by_key(|(c, _)| *c);
    picked.sort_unstable_by_key(|(_, v)| *v);
    Ok(picked
        .into_iter()
        .map(|(_, v)| candidate(format!("node{v}"), network.nodes[v as usize], category))
        .collect())
}

/// Centres of the hexagons (`cell_m` flat to flat) that hold uncovered demand points (those
/// with finite coordinates). An error when the cell size is not a positive number or its grid
/// would span too many cells over the points (see [`HexGrid::spanning`]).
pub fn hexagon_centres(
    uncovered: &[[f64; 2]],
    cell_m: f64,
    category: &str,
) -> Result<Vec<Facility>> {
    let (mut x0, mut y0, mut x1, mut y1) =
        (f64::INFINITY, f64::INFINITY, -f64::INFINITY, -f64::INFINITY);
    for p in uncovered
        .iter()
        .filter(|p| p[0].is_finite() && p[1].is_finite())
    {
        x0 = x0.min(p[0]);
        y0 = y0.min(p[1]);
        x1 = x1.max(p[0]);
        y1 = y1.max(p[1]);
    }
    if x0 > x1 {
        return Ok(Vec::new());
    }
    let grid = HexGrid::spanning([x0, y0, x1, y1], cell_m)?;
    let mut cells: Vec<(i32, i32)> = uncovered
        .iter()
        .filter_map(|&p| grid.try_cell_of(p))
        .collect();
    cells.sort_unstable();
    cells.dedup();
    Ok(cells
        .into_iter()
        .map(|c| candidate(format!("hex{}_{}", c.0, c.1), grid.centre(c), category))
        .collect())
}

/// Removes candidates inside any of the `excluded` zones or inside the `mask` polygons.
pub fn exclude(
    candidates: Vec<Facility>,
    zones: &[Zone],
    excluded_codes: &[String],
    mask: &[Zone],
) -> Vec<Facility> {
    let zi = ZoneIndex::new(zones);
    let mi = ZoneIndex::new(mask);
    candidates
        .into_iter()
        .filter(|c| {
            let p = c.locations[0];
            let in_excluded = !excluded_codes.is_empty()
                && zi
                    .locate(p)
                    .is_some_and(|z| excluded_codes.contains(&zones[z].code));
            let in_mask = !mask.is_empty() && mi.locate(p).is_some();
            !(in_excluded || in_mask)
        })
        .collect()
}

fn candidate(id: String, p: [f64; 2], category: &str) -> Facility {
    Facility {
        origin: format!("generated candidate {id}"),
        id,
        name: String::new(),
        category: category.to_string(),
        locations: vec![p],
        capacity: None,
    }
}
