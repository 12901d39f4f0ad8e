//! Turning input ways (OSM ways or line features) into a [`Network`].
//!
//! Each way is a polyline whose vertices may carry a *join key*. Vertices that share a key are the
//! same place: ways are split into edges at every key used more than once and at their end
//! points; the other vertices stay as shape points of the edges. Lengths are ground lengths
//! ([`crate::geodesy`]). Nodes are renumbered in Hilbert order; disconnected pieces are found and,
//! on request, all but the largest dropped.

use super::graph::{Arc, ComponentReport, Csr, Edges, Network};
use super::hilbert::hilbert_order;
use super::profile::WayAccess;
use crate::error::{Error, ErrorKind, Result};
use crate::geodesy::polyline_length;
use rayon::prelude::*;

/// The join key of a vertex that never connects to another way.
pub const NO_KEY: i64 = i64::MIN;

/// Input ways in flat arrays.
#[derive(Debug, Clone, Default)]
pub struct RawNetwork {
    coords: Vec<[f64; 2]>,
    keys: Vec<i64>,
    offsets: Vec<u32>,
    access: Vec<WayAccess>,
    source_ids: Vec<i64>,
}

impl RawNetwork {
    /// An empty set of ways.
    pub fn new() -> Self {
        RawNetwork {
            offsets: vec![0],
            ..Default::default()
        }
    }

    /// Number of ways.
    pub fn len(&self) -> usize {
        self.access.len()
    }

    /// True when there are no ways.
    pub fn is_empty(&self) -> bool {
        self.access.is_empty()
    }

    /// Makes room for `ways` more ways of `vertices` vertices in all.
    pub fn reserve(&mut self, ways: usize, vertices: usize) {
        self.coords.reserve(vertices);
        self.keys.reserve(vertices);
        self.offsets.reserve(ways);
        self.access.reserve(ways);
        self.source_ids.reserve(ways);
    }

    /// Adds a way. `coords` are WGS84 degrees; `keys[i]` is the join key of vertex `i`
    /// ([`NO_KEY`] for a vertex that joins nothing; the two end points must have keys). Ways with
    /// fewer than two vertices are ignored.
    pub fn push_way(
        &mut self,
        source_id: i64,
        coords: &[[f64; 2]],
        keys: &[i64],
        access: WayAccess,
    ) {
        assert_eq!(coords.len(), keys.len());
        if coords.len() < 2 || !(access.forward || access.backward) {
            return;
        }
        debug_assert!(keys[0] != NO_KEY && keys[keys.len() - 1] != NO_KEY);
        self.coords.extend_from_slice(coords);
        self.keys.extend_from_slice(keys);
        self.offsets.push(self.coords.len() as u32);
        self.access.push(access);
        self.source_ids.push(source_id);
    }

    /// A copy with every way travelled at `speed_mps` (e.g. elderly walking on the same streets).
    pub fn with_speed(&self, speed_mps: f64) -> RawNetwork {
        let mut r = self.clone();
        for a in &mut r.access {
            a.speed_mps = speed_mps;
        }
        r
    }

    fn way(&self, w: usize) -> std::ops::Range<usize> {
        self.offsets[w] as usize..self.offsets[w + 1] as usize
    }
}

/// Which connected pieces to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeepComponents {
    /// Only the largest piece (by node count); points then snap onto it.
    #[default]
    Largest,
    /// Every piece.
    All,
}

/// Builds the routable network from input ways.
pub fn build_network(raw: &RawNetwork, keep: KeepComponents) -> Result<Network> {
    if raw.is_empty() {
        return Err(Error::new(
            ErrorKind::Empty,
            "the network has no usable street segments",
        ));
    }
    // 1. Which keys are nodes: used more than once, or an end point. Node ids are the ranks of
    //    their keys; every vertex learns its node from one sort of (key, vertex) pairs, which
    //    reads memory in order where a search per vertex would jump around.
    let mut end = vec![false; raw.keys.len()];
    for w in 0..raw.len() {
        let r = raw.way(w);
        end[r.start] = true;
        end[r.end - 1] = true;
    }
    let mut pairs: Vec<(i64, u32)> = raw
        .keys
        .iter()
        .enumerate()
        .filter(|(_, k)| **k != NO_KEY)
        .map(|(v, &k)| (k, v as u32))
        .collect();
    pairs.par_sort_unstable();
    let mut node_keys: Vec<i64> = Vec::new();
    let mut vertex_node = vec![u32::MAX; raw.keys.len()];
    for group in pairs.chunk_by(|a, b| a.0 == b.0) {
        if group.len() > 1 || end[group[0].1 as usize] {
            let id = node_keys.len() as u32;
            node_keys.push(group[0].0);
            for &(_, v) in group {
                vertex_node[v as usize] = id;
            }
        }
    }
    drop(pairs);
    drop(end);
    let node_of = |v: usize| -> Option<u32> { Some(vertex_node[v]).filter(|&n| n != u32::MAX) };

    // 2. Split ways into edges at nodes.
    let n = node_keys.len();
    let mut node_pos = vec![[f64::NAN; 2]; n];
    // The edges in way order; their geometry and source ids stay in plain vectors until step 5
    // puts them, reordered, into the shared arrays of the final edges.
    let mut edges = Edges::default();
    let (mut geometry, mut geom_offsets, mut source_ids) = (Vec::new(), vec![0u32], Vec::new());
    // The way of each edge, for its speed and directions.
    let mut edge_way: Vec<u32> = Vec::new();
    for w in 0..raw.len() {
        let r = raw.way(w);
        let mut start = r.start;
        let mut start_node = node_of(start).expect("end points are nodes");
        node_pos[start_node as usize] = raw.coords[start];
        for v in r.start + 1..r.end {
            let Some(node) = node_of(v) else {
                continue;
            };
            node_pos[node as usize] = raw.coords[v];
            let shape = &raw.coords[start..=v];
            if let Some(bad) = shape
                .iter()
                .find(|p| !(p[0].is_finite() && p[1].is_finite()))
            {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!(
                        "way {} has a non-finite coordinate {:?}",
                        raw.source_ids[w], bad
                    ),
                ));
            }
            edges.from.push(start_node);
            edges.to.push(node);
            edge_way.push(w as u32);
            geometry.extend_from_slice(shape);
            geom_offsets.push(geometry.len() as u32);
            source_ids.push(raw.source_ids[w]);
            start = v;
            start_node = node;
        }
    }

    // Ground lengths and times, in parallel (the geodesic lengths are most of the work).
    (edges.length_m, (edges.forward_s, edges.backward_s)) = edge_way
        .par_iter()
        .enumerate()
        .map(|(e, &w)| {
            let len =
                polyline_length(&geometry[geom_offsets[e] as usize..geom_offsets[e + 1] as usize]);
            let acc = raw.access[w as usize];
            let time = |allowed: bool| {
                if allowed {
                    len / acc.speed_mps
                } else {
                    f64::INFINITY
                }
            };
            (len, (time(acc.forward), time(acc.backward)))
        })
        .unzip();
    drop(edge_way);

    // 3. Connected pieces (ignoring direction).
    let mut uf = UnionFind::new(n);
    for e in 0..edges.len() {
        uf.union(edges.from[e], edges.to[e]);
    }
    let mut size = vec![0usize; n];
    for v in 0..n as u32 {
        size[uf.find(v) as usize] += 1;
    }
    let mut sizes: Vec<usize> = size.iter().copied().filter(|s| *s > 0).collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    let largest_root = (0..n as u32)
        .max_by_key(|&v| (size[v as usize], std::cmp::Reverse(v)))
        .map(|v| uf.find(v))
        .expect("at least one node");
    let keep_node: Vec<bool> = (0..n as u32)
        .map(|v| keep == KeepComponents::All || uf.find(v) == largest_root)
        .collect();

    // 4. Renumber kept nodes in Hilbert order.
    let kept: Vec<u32> = (0..n as u32).filter(|&v| keep_node[v as usize]).collect();
    let kept_pos: Vec<[f64; 2]> = kept.iter().map(|&v| node_pos[v as usize]).collect();
    let order = hilbert_order(&kept_pos);
    let mut new_id = vec![u32::MAX; n];
    for (new, &k) in order.iter().enumerate() {
        new_id[kept[k as usize] as usize] = new as u32;
    }
    let nodes: Vec<[f64; 2]> = order.iter().map(|&k| kept_pos[k as usize]).collect();
    let node_source_ids: Vec<i64> = order
        .iter()
        .map(|&k| node_keys[kept[k as usize] as usize])
        .collect();

    // 5. Keep and reorder edges by their new start node.
    let mut keyed: Vec<(u32, u32, u32)> = (0..edges.len())
        .filter(|&e| keep_node[edges.from[e] as usize])
        .map(|e| {
            (
                new_id[edges.from[e] as usize],
                new_id[edges.to[e] as usize],
                e as u32,
            )
        })
        .collect();
    keyed.par_sort_unstable();
    let edge_order: Vec<u32> = keyed.into_iter().map(|(_, _, e)| e).collect();
    let edge_geometry =
        |e: usize| &geometry[geom_offsets[e] as usize..geom_offsets[e + 1] as usize];
    // The per-edge columns are gathered on one thread, the geometry on another.
    let gather =
        |column: &[f64]| -> Vec<f64> { edge_order.iter().map(|&e| column[e as usize]).collect() };
    let (mut out, (out_geometry, out_offsets, out_ids)) = rayon::join(
        || Edges {
            from: edge_order
                .iter()
                .map(|&e| new_id[edges.from[e as usize] as usize])
                .collect(),
            to: edge_order
                .iter()
                .map(|&e| new_id[edges.to[e as usize] as usize])
                .collect(),
            length_m: gather(&edges.length_m),
            forward_s: gather(&edges.forward_s),
            backward_s: gather(&edges.backward_s),
            ..Edges::default()
        },
        || {
            let mut out_geometry = Vec::with_capacity(geometry.len());
            let mut out_offsets = Vec::with_capacity(edge_order.len() + 1);
            out_offsets.push(0u32);
            for &e in &edge_order {
                out_geometry.extend_from_slice(edge_geometry(e as usize));
                out_offsets.push(out_geometry.len() as u32);
            }
            let out_ids: Vec<i64> = edge_order.iter().map(|&e| source_ids[e as usize]).collect();
            (out_geometry, out_offsets, out_ids)
        },
    );
    drop((geometry, geom_offsets, source_ids));
    out.geometry = out_geometry.into();
    out.geom_offsets = out_offsets.into();
    out.source_ids = out_ids.into();
    if out.is_empty() {
        return Err(Error::new(
            ErrorKind::Empty,
            "the network has no usable street segments",
        ));
    }
    let (outgoing, incoming) = adjacency(nodes.len(), &out);
    Ok(Network {
        nodes,
        node_source_ids,
        edges: out,
        outgoing,
        incoming,
        components: ComponentReport {
            sizes,
            kept_largest_only: keep == KeepComponents::Largest,
        },
    })
}

/// Outgoing and incoming adjacency arrays of the edges, filled in place (two passes over the
/// edges: count, then place), with the arcs of a node in edge order. The two are built at the
/// same time.
fn adjacency(n: usize, edges: &Edges) -> (Csr, Csr) {
    rayon::join(
        || one_way_adjacency(n, edges, false),
        || one_way_adjacency(n, edges, true),
    )
}

/// The outgoing arcs of every node, or with `incoming` the incoming ones (each arc's `head` then
/// being the node it comes from).
fn one_way_adjacency(n: usize, edges: &Edges, incoming: bool) -> Csr {
    // (node the arc is listed under, the other end, time) of edge e's arcs.
    let arcs_of = |e: usize| {
        let (a, b) = (edges.from[e], edges.to[e]);
        let (fwd, bwd) = (edges.forward_s[e], edges.backward_s[e]);
        let pair = if incoming {
            [(b, a, fwd), (a, b, bwd)]
        } else {
            [(a, b, fwd), (b, a, bwd)]
        };
        pair.into_iter().filter(|(_, _, t)| t.is_finite())
    };
    let mut offsets = vec![0u32; n + 1];
    for e in 0..edges.len() {
        for (row, _, _) in arcs_of(e) {
            offsets[row as usize + 1] += 1;
        }
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    let blank = Arc {
        head: 0,
        edge: 0,
        time_s: 0.0,
        length_m: 0.0,
    };
    let mut arcs = crate::route::huge::filled(offsets[n] as usize, blank);
    let mut next = offsets.clone();
    for e in 0..edges.len() {
        let len = edges.length_m[e];
        for (row, other, t) in arcs_of(e) {
            let slot = &mut next[row as usize];
            arcs[*slot as usize] = Arc {
                head: other,
                edge: e as u32,
                time_s: t,
                length_m: len,
            };
            *slot += 1;
        }
    }
    Csr { offsets, arcs }
}

struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
        }
    }
    fn find(&mut self, mut v: u32) -> u32 {
        while self.parent[v as usize] != v {
            let p = self.parent[v as usize];
            self.parent[v as usize] = self.parent[p as usize];
            v = p;
        }
        v
    }
    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi as usize] = lo;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The in-place adjacency equals the arrays built from the list of every arc.
        #[test]
        fn adjacency_equals_the_arrays_of_the_arc_list(
            n in 1usize..40,
            raw in proptest::collection::vec((0u32..40, 0u32..40, 0u8..4, 0.5f64..100.0), 0..120),
        ) {
            let mut edges = Edges::default();
            for &(a, b, dir, len) in &raw {
                edges.from.push(a % n as u32);
                edges.to.push(b % n as u32);
                edges.length_m.push(len);
                edges.forward_s.push(if dir & 1 == 0 { len } else { f64::INFINITY });
                edges.backward_s.push(if dir & 2 == 0 { len * 2.0 } else { f64::INFINITY });
            }
            let mut out = Vec::new();
            let mut inc = Vec::new();
            for e in 0..edges.len() {
                let (a, b) = (edges.from[e], edges.to[e]);
                for (tail, head, t) in [(a, b, edges.forward_s[e]), (b, a, edges.backward_s[e])] {
                    if t.is_finite() {
                        let arc = |head| Arc { head, edge: e as u32, time_s: t, length_m: edges.length_m[e] };
                        out.push((tail, arc(head)));
                        inc.push((head, arc(tail)));
                    }
                }
            }
            let (o, i) = adjacency(n, &edges);
            let (want_o, want_i) = (Csr::from_arcs(n, &out), Csr::from_arcs(n, &inc));
            prop_assert_eq!(o.offsets, want_o.offsets);
            prop_assert_eq!(o.arcs, want_o.arcs);
            prop_assert_eq!(i.offsets, want_i.offsets);
            prop_assert_eq!(i.arcs, want_i.arcs);
        }
    }

    fn both(speed: f64) -> WayAccess {
        WayAccess {
            forward: true,
            backward: true,
            speed_mps: speed,
        }
    }

    #[test]
    fn a_network_at_another_speed_equals_one_built_at_it() {
        let mut raw = RawNetwork::new();
        raw.push_way(
            1,
            &[[9.5, 47.1], [9.501, 47.1], [9.502, 47.1]],
            &[1, 2, 3],
            both(1.3),
        );
        let one_way = WayAccess {
            forward: true,
            backward: false,
            speed_mps: 1.3,
        };
        raw.push_way(2, &[[9.502, 47.1], [9.502, 47.101]], &[3, 4], one_way);
        raw.push_way(3, &[[9.502, 47.101], [9.5, 47.1]], &[4, 1], both(2.0));
        let built = build_network(&raw.with_speed(0.8), KeepComponents::Largest).unwrap();
        let copied = build_network(&raw, KeepComponents::Largest)
            .unwrap()
            .with_speed(0.8);
        assert_eq!(built.edges.forward_s, copied.edges.forward_s);
        assert_eq!(built.edges.backward_s, copied.edges.backward_s);
        assert_eq!(built.outgoing.arcs, copied.outgoing.arcs);
        assert_eq!(built.incoming.arcs, copied.incoming.arcs);
        assert!(copied.edges.backward_s.iter().any(|t| t.is_infinite()));
    }

    #[test]
    fn splits_at_shared_vertices_and_keeps_shape_points() {
        // Way 1: A - s - B - C, way 2: B - D. Node keys A=1, s=2, B=3, C=4, D=5.
        let mut raw = RawNetwork::new();
        let a = [9.500, 47.100];
        let s = [9.501, 47.100];
        let b = [9.502, 47.100];
        let c = [9.503, 47.100];
        let d = [9.502, 47.101];
        raw.push_way(1, &[a, s, b, c], &[1, 2, 3, 4], both(1.0));
        raw.push_way(2, &[b, d], &[3, 5], both(1.0));
        // An isolated piece far away.
        raw.push_way(3, &[[9.6, 47.2], [9.601, 47.2]], &[6, 7], both(1.0));
        let net = build_network(&raw, KeepComponents::Largest).unwrap();
        assert_eq!(net.node_count(), 4); // A, B, C, D; s is a shape point
        assert_eq!(net.edge_count(), 3);
        assert_eq!(net.components.sizes, vec![4, 2]);
        let ab = (0..3)
            .find(|&e| net.edges.geometry(e).len() == 3)
            .expect("edge A-B keeps its shape point");
        let expected = crate::geodesy::polyline_length(&[a, s, b]);
        assert_eq!(net.edges.length_m[ab], expected);
        let all = build_network(&raw, KeepComponents::All).unwrap();
        assert_eq!(all.node_count(), 6);
    }

    #[test]
    fn no_edges_is_an_error() {
        let raw = RawNetwork::new();
        let e = build_network(&raw, KeepComponents::All).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Empty);
    }
}
