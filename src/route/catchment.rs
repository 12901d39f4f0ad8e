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
    /// `entries[edge_start[e]..edge_start[e + 1]]` lie on edge `e` (up to the largest edge used).
    edge_start: Vec<u32>,
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
        let edges = entries.last().map_or(0, |e| e.0 as usize + 1);
        let mut edge_start = vec![0u32; edges + 1];
        for e in &entries {
            edge_start[e.0 as usize + 1] += 1;
        }
        for i in 1..edge_start.len() {
            edge_start[i] += edge_start[i - 1];
        }
        DemandByEdge {
            entries,
            edge_start,
            snaps,
        }
    }

    /// Number of demand points (snapped or not).
    pub fn len(&self) -> usize {
        self.snaps.len()
    }

    /// True when there are no demand points.
    pub fn is_empty(&self) -> bool {
        self.snaps.is_empty()
    }

    #[inline]
    fn on(&self, edge: u32) -> &[(u32, u32)] {
        let e = edge as usize;
        if e + 1 >= self.edge_start.len() {
            return &[];
        }
        &self.entries[self.edge_start[e] as usize..self.edge_start[e + 1] as usize]
    }
}

/// Reusable buffers for catchment searches.
pub struct CatchmentSearch {
    ws: Workspace,
    seeds: Vec<Seed>,
    /// Per edge: the stamp of the last run that evaluated the demand points on it.
    seen: Vec<u32>,
    stamp: u32,
}

impl CatchmentSearch {
    /// Buffers for `network` (searches of up to `demand_count` demand points; the buffers are
    /// sized by the network's nodes and edges).
    pub fn new(network: &Network, demand_count: usize) -> Self {
        let _ = demand_count;
        CatchmentSearch {
            ws: Workspace::new(network.node_count()),
            seeds: Vec::new(),
            seen: vec![0; network.edge_count()],
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
            // Every demand point lies on one edge: an edge evaluated once covers its points.
            if seen[edge as usize] == stamp {
                return;
            }
            seen[edge as usize] = stamp;
            for &(_, d) in demand.on(edge) {
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
