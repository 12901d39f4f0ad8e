//! The routable street network: nodes, edges with their geometry, and compact adjacency arrays.

/// An array shared by the networks that differ only in travel times.
pub type Shared<T> = std::sync::Arc<Vec<T>>;

/// A street network ready for routing.
///
/// Nodes are street junctions and dead ends, numbered in spatial (Hilbert curve) order so that
/// searches touch memory locally. Edges are the street pieces between nodes, with their full
/// geometry; their lengths are ground lengths in metres. Two compact adjacency arrays (CSR) list
/// for every node its outgoing and its incoming arcs.
#[derive(Debug, Clone)]
pub struct Network {
    /// Node positions, WGS84 `[lon, lat]` in degrees.
    pub nodes: Vec<[f64; 2]>,
    /// Per node the identifier it had in the input (OSM node id), or -1.
    pub node_source_ids: Vec<i64>,
    /// The edges.
    pub edges: Edges,
    /// Arcs leaving each node.
    pub outgoing: Csr,
    /// Arcs arriving at each node (their `head` is the arc's tail).
    pub incoming: Csr,
    /// Connected pieces found when building, before any were dropped.
    pub components: ComponentReport,
}

/// Edge arrays (structure of arrays). Edge `e` runs from `from[e]` to `to[e]`; its geometry is
/// `geometry[geom_offsets[e]..geom_offsets[e + 1]]`, starting at `from` and ending at `to`.
///
/// The geometry, its offsets and the source identifiers are shared (reference-counted) between
/// a network and its copies at another speed ([`Network::with_speed`]), which differ only in
/// their times.
#[derive(Debug, Clone, Default)]
pub struct Edges {
    /// Start node.
    pub from: Vec<u32>,
    /// End node.
    pub to: Vec<u32>,
    /// Ground length in metres.
    pub length_m: Vec<f64>,
    /// Travel time in seconds from `from` to `to`, `f64::INFINITY` where not allowed.
    pub forward_s: Vec<f64>,
    /// Travel time in seconds from `to` to `from`, `f64::INFINITY` where not allowed.
    pub backward_s: Vec<f64>,
    /// Offsets into `geometry`, one more than there are edges.
    pub geom_offsets: Shared<u32>,
    /// Shape points of all edges, WGS84 degrees.
    pub geometry: Shared<[f64; 2]>,
    /// Per edge the identifier of the input way or feature it came from.
    pub source_ids: Shared<i64>,
}

impl Edges {
    /// Number of edges.
    pub fn len(&self) -> usize {
        self.from.len()
    }

    /// True when there are no edges.
    pub fn is_empty(&self) -> bool {
        self.from.is_empty()
    }

    /// The shape points of edge `e`.
    pub fn geometry(&self, e: usize) -> &[[f64; 2]] {
        &self.geometry[self.geom_offsets[e] as usize..self.geom_offsets[e + 1] as usize]
    }

    /// The highest speed of any allowed traversal, metres per second: the largest length over
    /// time of every edge in every direction it may be travelled (infinite when an edge of
    /// some length takes no time; 0 without edges).
    pub fn max_speed_mps(&self) -> f64 {
        let speed = |len: f64, t: f64| if t.is_finite() { len / t } else { 0.0 };
        (0..self.len())
            .map(|e| {
                let len = self.length_m[e];
                speed(len, self.forward_s[e]).max(speed(len, self.backward_s[e]))
            })
            .fold(0.0, f64::max)
    }
}

/// One arc of an adjacency array.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arc {
    /// The node at the other end.
    pub head: u32,
    /// The edge this arc travels along.
    pub edge: u32,
    /// Travel time in seconds.
    pub time_s: f64,
    /// Length in metres.
    pub length_m: f64,
}

/// Compressed sparse rows: the arcs of node `v` are `arcs[offsets[v]..offsets[v + 1]]`.
#[derive(Debug, Clone, Default)]
pub struct Csr {
    /// Row offsets, one more than there are nodes.
    pub offsets: Vec<u32>,
    /// The arcs, grouped by node.
    pub arcs: Vec<Arc>,
}

impl Csr {
    /// The arcs of node `v`.
    #[inline]
    pub fn arcs(&self, v: u32) -> &[Arc] {
        &self.arcs[self.offsets[v as usize] as usize..self.offsets[v as usize + 1] as usize]
    }

    /// Builds the array from `(tail, arc)` pairs for `n` nodes, keeping the input order within a row.
    pub fn from_arcs(n: usize, arcs: &[(u32, Arc)]) -> Csr {
        let mut offsets = vec![0u32; n + 1];
        for (t, _) in arcs {
            offsets[*t as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets.clone();
        let mut out = crate::route::huge::filled(
            arcs.len(),
            Arc {
                head: 0,
                edge: 0,
                time_s: 0.0,
                length_m: 0.0,
            },
        );
        for (t, a) in arcs {
            let slot = &mut fill[*t as usize];
            out[*slot as usize] = *a;
            *slot += 1;
        }
        Csr { offsets, arcs: out }
    }
}

/// The connected pieces of the network (ignoring one-way restrictions).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComponentReport {
    /// Node counts of all pieces, largest first.
    pub sizes: Vec<usize>,
    /// Whether only the largest piece was kept.
    pub kept_largest_only: bool,
}

impl ComponentReport {
    /// Number of pieces.
    pub fn count(&self) -> usize {
        self.sizes.len()
    }

    /// Nodes outside the largest piece.
    pub fn nodes_outside_largest(&self) -> usize {
        self.sizes.iter().skip(1).sum()
    }
}

impl Network {
    /// The same network travelled at a uniform `speed_mps` (metres per second) wherever travel is
    /// allowed: every arc and edge time becomes its length divided by the speed, exactly as
    /// building the network from ways of that speed would give. Geometry, numbering and edge
    /// identifiers are unchanged, so snaps onto `self` hold for the copy (e.g. elderly walking
    /// on the walking network).
    pub fn with_speed(&self, speed_mps: f64) -> Network {
        let mut n = self.clone();
        let e = &mut n.edges;
        for i in 0..e.len() {
            if e.forward_s[i].is_finite() {
                e.forward_s[i] = e.length_m[i] / speed_mps;
            }
            if e.backward_s[i].is_finite() {
                e.backward_s[i] = e.length_m[i] / speed_mps;
            }
        }
        for a in n.outgoing.arcs.iter_mut().chain(n.incoming.arcs.iter_mut()) {
            a.time_s = a.length_m / speed_mps;
        }
        n
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Number of edges.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// Total ground length of all edges in metres.
    pub fn total_length_m(&self) -> f64 {
        self.edges.length_m.iter().sum()
    }

    /// Bounding box `[min_lon, min_lat, max_lon, max_lat]` of all edge geometry.
    pub fn bbox(&self) -> [f64; 4] {
        let mut b = [f64::INFINITY, f64::INFINITY, -f64::INFINITY, -f64::INFINITY];
        for p in self.edges.geometry.iter() {
            b[0] = b[0].min(p[0]);
            b[1] = b[1].min(p[1]);
            b[2] = b[2].max(p[0]);
            b[3] = b[3].max(p[1]);
        }
        b
    }
}
