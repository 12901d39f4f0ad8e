"""Independent check of lifecircle's network distances against a reference graph.

The reference graph is built here from the OSM PBF with pyosmium, without any
code shared with the tool:

* every OSM node of a kept walking way is a vertex (shape points are kept, no
  contraction), the graph is undirected (oneway is ignored for walking);
* an edge joins each pair of consecutive way nodes when both nodes exist in
  the extract; its weight is the WGS84 geodesic length in metres
  (``pyproj.Geod(ellps="WGS84").inv``); parallel edges keep the shortest;
* only the largest connected component (by vertex count) is kept.

Walking ways (the same rules the tool applies):

* ``highway`` in WALK_HIGHWAYS, or in FOOT_ONLY_HIGHWAYS when ``foot`` is
  yes/designated/permissive;
* dropped when ``foot`` is no/private/use_sidepath, when ``access`` is
  no/private unless ``foot`` is yes/designated/permissive, and when
  ``area=yes``.

The script picks seeded random source vertices for several categories, writes
them as a facilities CSV (exact node coordinates), runs
``lifecircle nearest ... --nodes-out nodes.csv`` and compares every row of
nodes.csv (joined on ``osm_id``) with a multi-source Dijkstra from scipy on the
reference graph:

    |d_tool - d_ref| <= 1e-5 * d_ref + 0.01 m

Both unreached counts as agreement; exactly one unreached is a failure, as is a
tool node that is not a vertex of the reference largest component, a category
missing from the tool output, a duplicated (osm_id, category) row, or an
empty tool graph.

Sources are taken by default among vertices whose degree is not 2 and whose
coordinates are unique, so that any contraction of shape points keeps them and
snapping a facility to the network is unambiguous; ``--any-vertex`` lifts that
restriction.

Usage:
    python bench/reference_distances.py --pbf FILE.osm.pbf --lifecircle BINARY \
        [--seed 1] [--categories 6] [--sources-per-category 5] [--workdir DIR]

Exit status: 0 when every row agrees, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import numpy as np
import osmium
import pandas as pd
import scipy.sparse as sp
from pyproj import Geod
from scipy.sparse.csgraph import connected_components, dijkstra

WALK_HIGHWAYS = frozenset(
    {
        "footway", "path", "steps", "pedestrian", "living_street", "residential",
        "service", "unclassified", "tertiary", "tertiary_link", "secondary",
        "secondary_link", "primary", "primary_link", "track", "road", "cycleway",
        "bridleway", "corridor", "platform",
    }
)
FOOT_ONLY_HIGHWAYS = frozenset({"motorway", "motorway_link", "trunk", "trunk_link"})
FOOT_ALLOWED = frozenset({"yes", "designated", "permissive"})
FOOT_DENIED = frozenset({"no", "private", "use_sidepath"})
ACCESS_DENIED = frozenset({"no", "private"})

REL_TOL = 1e-5
ABS_TOL = 0.01  # metres


def is_walkable(tags) -> bool:
    """Walking rules for one way, given its tag list (pyosmium TagList or dict)."""
    highway = tags.get("highway")
    if highway is None:
        return False
    foot = tags.get("foot")
    if highway in WALK_HIGHWAYS:
        pass
    elif highway in FOOT_ONLY_HIGHWAYS:
        if foot not in FOOT_ALLOWED:
            return False
    else:
        return False
    if foot in FOOT_DENIED:
        return False
    if tags.get("access") in ACCESS_DENIED and foot not in FOOT_ALLOWED:
        return False
    return tags.get("area") != "yes"


@dataclass
class RefGraph:
    """Reference walking graph (all vertices; `in_lcc` marks the largest component)."""

    osm_ids: np.ndarray  # int64, sorted, one per vertex
    lon: np.ndarray
    lat: np.ndarray
    csr: sp.csr_matrix  # symmetric, weights in metres
    in_lcc: np.ndarray  # bool per vertex
    degree: np.ndarray  # distinct neighbours per vertex
    n_ways: int
    n_edges: int

    def index_of(self, ids: np.ndarray) -> np.ndarray:
        """Vertex index of each OSM id, -1 when the id is not a vertex."""
        ids = np.asarray(ids, dtype=np.int64)
        if len(self.osm_ids) == 0:
            return np.full(len(ids), -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.osm_ids, ids), len(self.osm_ids) - 1)
        return np.where(self.osm_ids[pos] == ids, pos, -1)


def read_walk_ways(pbf: str) -> list[np.ndarray]:
    """Node-id arrays of every walkable way in the file."""
    ways = []
    fp = osmium.FileProcessor(pbf, osmium.osm.WAY).with_filter(osmium.filter.KeyFilter("highway"))
    for w in fp:
        if is_walkable(w.tags):
            ways.append(np.fromiter((n.ref for n in w.nodes), dtype=np.int64, count=len(w.nodes)))
    return ways


def read_node_coords(pbf: str, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ids, lon, lat) of the wanted node ids that exist in the file, sorted by id."""
    ids, lon, lat = [], [], []
    fp = osmium.FileProcessor(pbf, osmium.osm.NODE).with_filter(osmium.filter.IdFilter(wanted.tolist()))
    for n in fp:
        loc = n.location
        if not loc.valid():
            continue
        ids.append(n.id)
        lon.append(loc.lon)
        lat.append(loc.lat)
    ids = np.asarray(ids, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    return ids[order], np.asarray(lon, dtype=np.float64)[order], np.asarray(lat, dtype=np.float64)[order]


def build_reference_graph(pbf: str) -> RefGraph:
    """Walking graph of the extract: one vertex per existing node of a walkable way."""
    ways = read_walk_ways(pbf)
    if ways:
        refs = np.concatenate(ways)
        # pair (refs[i], refs[i+1]) is an edge candidate unless i is the last node of its way
        way_last = np.cumsum([len(w) for w in ways]) - 1
        pair_ok = np.ones(max(len(refs) - 1, 0), dtype=bool)
        pair_ok[way_last[:-1]] = False
        u_id, v_id = refs[:-1][pair_ok], refs[1:][pair_ok]
    else:
        refs = np.zeros(0, dtype=np.int64)
        u_id = v_id = refs
    wanted = np.unique(refs)
    ids, lon, lat = read_node_coords(pbf, wanted)

    # vertex = existing node of a kept way; a pair is an edge when both ends exist
    def lookup(x):
        if len(ids) == 0:
            return np.zeros(len(x), dtype=np.int64), np.zeros(len(x), dtype=bool)
        pos = np.minimum(np.searchsorted(ids, x), len(ids) - 1)
        return pos, ids[pos] == x

    ui, uok = lookup(u_id)
    vi, vok = lookup(v_id)
    keep = uok & vok & (ui != vi)
    ui, vi = ui[keep], vi[keep]
    geod = Geod(ellps="WGS84")
    _, _, length = geod.inv(lon[ui], lat[ui], lon[vi], lat[vi])
    length = np.abs(np.asarray(length, dtype=np.float64))

    # undirected: canonical (min, max) pairs, parallel edges keep the shortest
    a, b = np.minimum(ui, vi), np.maximum(ui, vi)
    order = np.lexsort((length, b, a))
    a, b, length = a[order], b[order], length[order]
    first = np.ones(len(a), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    a, b, length = a[first], b[first], length[first]

    n = len(ids)
    rows = np.concatenate([a, b])
    cols = np.concatenate([b, a])
    data = np.concatenate([length, length])
    # explicit zeros (distinct nodes at identical coordinates) stay edges in csgraph
    csr = sp.csr_matrix((data, (rows, cols)), shape=(n, n))
    degree = np.diff(csr.indptr)
    ncomp, labels = connected_components(csr, directed=False)
    if n:
        sizes = np.bincount(labels, minlength=ncomp)
        in_lcc = labels == int(np.argmax(sizes))
    else:
        in_lcc = np.zeros(0, dtype=bool)
    return RefGraph(ids, lon, lat, csr, in_lcc, degree, len(ways), len(a))


def lcc_graph(g: RefGraph) -> tuple[sp.csr_matrix, np.ndarray]:
    """CSR restricted to the largest component and the vertex indices it holds."""
    keep = np.flatnonzero(g.in_lcc)
    return g.csr[keep][:, keep].tocsr(), keep


def choose_sources(g: RefGraph, categories: int, per_category: int, seed: int, any_vertex: bool) -> list[np.ndarray]:
    """Seeded random distinct source vertices (global indices), one array per category."""
    cand = g.in_lcc.copy()
    if not any_vertex:
        cand &= g.degree != 2
        coords = np.stack([g.lon, g.lat], axis=1)
        _, inverse, counts = np.unique(coords, axis=0, return_inverse=True, return_counts=True)
        cand &= counts[inverse.ravel()] == 1
    cand_idx = np.flatnonzero(cand)
    need = categories * per_category
    if len(cand_idx) < need:
        raise SystemExit(f"only {len(cand_idx)} candidate source vertices, {need} needed")
    rng = np.random.default_rng(seed)
    chosen = rng.choice(cand_idx, size=need, replace=False)
    return [np.sort(chosen[c * per_category:(c + 1) * per_category]) for c in range(categories)]


def write_facilities(path: str, g: RefGraph, sources: list[np.ndarray]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("id,category,lon,lat\n")
        k = 0
        for c, src in enumerate(sources):
            for v in src:
                f.write(f"f{k},cat{c},{float(g.lon[v])!r},{float(g.lat[v])!r}\n")
                k += 1


def run_tool(binary: str, pbf: str, fac: str, out: str, nodes_out: str) -> float:
    cmd = [binary, "nearest", "--network", pbf, "--facilities", fac, "--demand", fac,
           "--out", out, "--nodes-out", nodes_out, "--quiet"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        print(proc.stderr[-4000:], file=sys.stderr)
        print(f"FAIL: tool exited with {proc.returncode}: {' '.join(cmd)}")
        print("RESULT: FAIL")
        raise SystemExit(1)
    return elapsed


def compare(g: RefGraph, sources: list[np.ndarray], nodes_csv: str) -> int:
    tool = pd.read_csv(
        nodes_csv,
        encoding="utf-8-sig",
        dtype={"node": np.int64, "osm_id": np.int64, "category": str},
        keep_default_na=False,
        na_values={"distance_m": [""], "time_s": [""]},
    )
    missing = {"node", "osm_id", "category", "distance_m"} - set(tool.columns)
    if missing:
        print(f"FAIL: {nodes_csv} lacks columns {sorted(missing)} (has {list(tool.columns)})")
        print("RESULT: FAIL")
        return 1
    tool["distance_m"] = pd.to_numeric(tool["distance_m"], errors="raise").astype(np.float64)
    failures: list[str] = []

    n_tool_nodes = tool["node"].nunique()
    if n_tool_nodes == 0:
        failures.append("tool graph has zero nodes")

    sub, keep = lcc_graph(g)
    local = np.full(len(g.osm_ids), -1, dtype=np.int64)
    local[keep] = np.arange(len(keep))

    vidx = g.index_of(tool["osm_id"].to_numpy())
    in_lcc = np.zeros(len(vidx), dtype=bool)
    in_lcc[vidx >= 0] = g.in_lcc[vidx[vidx >= 0]]
    for _, row in tool[~in_lcc].head(10).iterrows():
        failures.append(f"osm_id {row.osm_id} (node {row.node}) is not a vertex of the reference largest component")
    n_not_in_lcc = int((~in_lcc).sum())

    dups = tool.duplicated(["osm_id", "category"], keep=False)
    if dups.any():
        failures.append(f"{int(dups.sum())} rows repeat an (osm_id, category) pair, e.g. "
                        f"{tool[dups].iloc[0][['osm_id', 'category']].to_dict()}")

    names = [f"cat{c}" for c in range(len(sources))]
    unknown = sorted(set(tool["category"]) - set(names))
    if unknown:
        failures.append(f"tool output has unexpected categories {unknown[:5]}")

    max_abs = 0.0
    max_rel = 0.0
    rows_compared = 0
    both_unreached = 0
    bad_rows = []
    n_bad = 0
    t_dij = 0.0
    for c, name in enumerate(names):
        mask = (tool["category"] == name).to_numpy()
        if not mask.any():
            failures.append(f"category {name} missing from tool output")
            continue
        t0 = time.perf_counter()
        ref = dijkstra(sub, directed=False, indices=local[sources[c]], min_only=True)
        t_dij += time.perf_counter() - t0
        m = mask & in_lcc
        d_tool = tool["distance_m"].to_numpy()[m]
        d_ref = ref[local[vidx[m]]]
        t_un = np.isnan(d_tool)
        r_un = ~np.isfinite(d_ref)
        both_unreached += int((t_un & r_un).sum())
        both = ~t_un & ~r_un
        diff = np.abs(d_tool[both] - d_ref[both])
        if diff.size:
            max_abs = max(max_abs, float(diff.max()))
            pos = d_ref[both] > 0
            if pos.any():
                max_rel = max(max_rel, float((diff[pos] / d_ref[both][pos]).max()))
        ok = np.ones(len(d_tool), dtype=bool)
        ok[t_un != r_un] = False
        ok_both = diff <= REL_TOL * d_ref[both] + ABS_TOL
        ok[np.flatnonzero(both)[~ok_both]] = False
        rows_compared += len(d_tool)
        n_bad += int((~ok).sum())
        if (~ok).any() and len(bad_rows) < 10:
            sel = tool[m].iloc[np.flatnonzero(~ok)[: 10 - len(bad_rows)]]
            for (_, row), dr in zip(sel.iterrows(), d_ref[np.flatnonzero(~ok)[: 10 - len(bad_rows)]]):
                bad_rows.append((int(row.node), int(row.osm_id), name, float(row.distance_m), float(dr)))

    # informative only: a contraction must keep every vertex whose degree is not 2
    tool_ids = set(tool["osm_id"].unique().tolist())
    junctions = g.osm_ids[g.in_lcc & (g.degree != 2)]
    missing_junctions = sum(1 for i in junctions.tolist() if i not in tool_ids)

    print(f"reference: {g.n_ways} walk ways, {len(g.osm_ids)} vertices, {g.n_edges} edges, "
          f"largest component {int(g.in_lcc.sum())} vertices")
    print(f"tool: {n_tool_nodes} nodes, {len(tool)} rows; {n_not_in_lcc} rows outside the reference largest component")
    print(f"compared: {rows_compared} rows over {len(names)} categories "
          f"({both_unreached} unreached in both), reference dijkstra {t_dij * 1000:.1f} ms total")
    print(f"max abs diff: {max_abs:.6g} m, max rel diff: {max_rel:.3g}  "
          f"(tolerance {REL_TOL:g}*d + {ABS_TOL:g} m)")
    print(f"note: {missing_junctions} of {len(junctions)} reference junction/dead-end vertices "
          f"(degree != 2) have no tool node")

    if n_bad:
        failures.append(f"{n_bad} rows disagree")
        print("first offending rows (node, osm_id, category, d_tool, d_ref):")
        for node, osm_id, name, dt, dr in bad_rows:
            print(f"  {node}, {osm_id}, {name}, {dt!r}, {dr!r}")
    if failures:
        for f in failures[:10]:
            print(f"FAIL: {f}")
        print("RESULT: FAIL")
        return 1
    print("RESULT: OK")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pbf", required=True, help="OSM extract (.osm.pbf)")
    ap.add_argument("--lifecircle", required=True, help="path to the lifecircle binary")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--categories", type=int, default=6)
    ap.add_argument("--sources-per-category", type=int, default=5)
    ap.add_argument("--workdir", help="keep facilities.csv, out.csv, nodes.csv here (default: a temp dir)")
    ap.add_argument("--any-vertex", action="store_true",
                    help="allow shape points and vertices sharing coordinates as sources")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    g = build_reference_graph(args.pbf)
    t_build = time.perf_counter() - t0
    if not g.in_lcc.any():
        print("FAIL: reference graph is empty")
        return 1
    sources = choose_sources(g, args.categories, args.sources_per_category, args.seed, args.any_vertex)

    tmp = None
    workdir = args.workdir
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="lifecircle-ref-")
        workdir = tmp.name
    os.makedirs(workdir, exist_ok=True)
    fac = os.path.join(workdir, "facilities.csv")
    out = os.path.join(workdir, "out.csv")
    nodes = os.path.join(workdir, "nodes.csv")
    write_facilities(fac, g, sources)
    print(f"== reference_distances: {args.pbf}", flush=True)
    t_tool = run_tool(args.lifecircle, args.pbf, fac, out, nodes)
    print(f"reference graph built in {t_build:.2f} s; tool nearest ran in {t_tool:.2f} s "
          f"({args.categories} categories x {args.sources_per_category} sources, seed {args.seed})")
    rc = compare(g, sources, nodes)
    if tmp is not None:
        tmp.cleanup()
    return rc


if __name__ == "__main__":
    sys.exit(main())
