//! Catchments: the demand points that reach one facility within a limit, by a bounded search
//! from that facility alone.
//!
//! The search runs over the incoming arcs (time from each node *to* the facility) and stops at
//! the limit. Only demand points on edges touching a settled node — found through the arcs'
//! edge ids and an index of demand points by edge — are evaluated, so the work grows with the
//! size of the catchment, not of the city.

use super::access::{demand_trip, on_edge_slice, push_seeds, OnEdge};
use super::dijkstra::{Seed, Workspace};
use crate::network::{Network, Snap};

/// Demand points indexed by the edge they snap onto.
#[derive(Debug, Clone)]
pub struct DemandByEdge {
    /// `(edge, demand index)` sorted.
    entries: Vec<(u32, u32)>,
    snaps: Vec<Option<Snap>>,
}

impl DemandByEdge {
    /// Builds the index from each demand point's snap (`None`: unsnapped).
    pub fn new(snaps: Vec<Option<Snap>>) -> Self {
        let mut entries: Vec<(u32, u32)> = snaps
            .iter()
            .enumerate()
            .filter_map(|(d, s)| s.map(|s| (s.edge, d as u32)))
            .collect();
        entries.sort_unstable();
        DemandByEdge { entries, snaps }
    }

    fn on(&self, edge: u32) -> &[(u32, u32)] {
        let start = self.entries.partition_point(|e| e.0 < edge);
        let end = start + self.entries[start..].partition_point(|e| e.0 == edge);
        &self.entries[start..end]
    }
}

/// Reusable buffers for catchment searches.
pub struct CatchmentSearch {
    ws: Workspace,
    seeds: Vec<Seed>,
    seen: Vec<u32>,
    stamp: u32,
}

impl CatchmentSearch {
    /// Buffers for `network` and `demand_count` demand points.
    pub fn new(network: &Network, demand_count: usize) -> Self {
        CatchmentSearch {
            ws: Workspace::new(network.node_count()),
            seeds: Vec::new(),
            seen: vec![0; demand_count],
            stamp: 0,
        }
    }

    /// Appends to `out` every demand point `(index, time_s, distance_m)` whose trip to the
    /// facility at `locations` takes at most `limit_s` seconds. `walk_mps` is the access speed.
    pub fn run(
        &mut self,
        network: &Network,
        demand: &DemandByEdge,
        locations: &[OnEdge],
        limit_s: f64,
        walk_mps: f64,
        out: &mut Vec<(u32, f64, f64)>,
    ) {
        let edges = &network.edges;
        let mut locs = locations.to_vec();
        locs.sort_by_key(|o| o.edge);
        self.seeds.clear();
        push_seeds(edges, &locs, walk_mps, &mut self.seeds);
        self.ws.run(&network.incoming, &self.seeds, limit_s);
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.seen.fill(0);
            self.stamp = 1;
        }
        let mut visit = |edge: u32, ws: &Workspace, seen: &mut [u32], stamp: u32| {
            for &(_, d) in demand.on(edge) {
                if seen[d as usize] == stamp {
                    continue;
                }
                seen[d as usize] = stamp;
                let s = demand.snaps[d as usize]
                    .as_ref()
                    .expect("indexed points are snapped");
                let same = on_edge_slice(&locs, edge);
                if let Some((t, dist, _)) = demand_trip(edges, ws, s, walk_mps, same) {
                    if t <= limit_s {
                        out.push((d, t, dist));
                    }
                }
            }
        };
        for o in &locs {
            visit(o.edge, &self.ws, &mut self.seen, self.stamp);
        }
        for &v in self.ws.settled() {
            for arc in network.incoming.arcs(v) {
                visit(arc.edge, &self.ws, &mut self.seen, self.stamp);
            }
        }
    }
}
