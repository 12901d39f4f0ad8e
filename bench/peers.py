"""Time peer shortest-path libraries on the exact graph lifecircle builds.

The tool exports its walking graph with

    lifecircle network --network PBF --nodes-out nodes.csv --edges-out edges.csv --quiet

(nodes.csv: node,osm_id,lon,lat,component; edges.csv:
edge,from,to,length_m,forward,backward with from/to node indices 0..n-1). The
same undirected graph is then loaded into:

* scipy     -- symmetric ``csr_matrix`` (parallel edges keep the shortest),
               ``scipy.sparse.csgraph.dijkstra(indices=sources, min_only=True)``;
* networkx  -- ``nx.Graph`` (parallel edges keep the shortest),
               ``nx.multi_source_dijkstra_path_length``;
* igraph    -- ``igraph.Graph`` with every edge (multi-edges allowed) plus one
               extra super-source vertex; per query the super-source is joined
               to the sources by 0-length edges, ``Graph.distances`` runs from
               it, and the temporary edges are removed (all inside the timing);
* pandana   -- ``pandana.Network(x, y, from, to, weights, twoway=True)`` (the
               constructor builds a contraction hierarchy); a query is
               ``set_pois(maxdist=1e6, maxitems=1)`` + ``nearest_pois(1e6,
               num_pois=1)``; pandana truncates every edge weight to whole
               millimetres (its hierarchy works in integer mm) and returns
               float32 distances, so errors of a few centimetres accumulate
               along long paths and show up in the difference column.

Sources: for category c (0-based) of C, node indices
``[(k * n // S + c * 7919) % n for k in range(S)]`` with n nodes and S sources
per category (the rule of the tool's criterion benchmark).

Reported per peer: graph construction time (median of up to 3 builds), the
median over --repeat runs of one multi-source query per category, summarised
as the median over categories ("one run") and the sum over categories ("all
categories"), and the largest absolute distance difference against scipy.
The tool itself is timed end to end as subprocesses (median of 5 runs each):
``network`` (parse + build + CSV export) and ``nearest`` with the same sources
as a facilities CSV (parse + build + all categories + output); its per-node
distances from ``nearest --nodes-out`` are compared with scipy too.

Usage:
    python bench/peers.py --pbf FILE --lifecircle BINARY [--repeat 20]
        [--sources-per-category 5] [--categories 6] [--json OUT.json] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from importlib.metadata import version

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

# pandana's OpenMP runtime reads this when pandana is first imported (see Pandana.__init__)
os.environ["OMP_NUM_THREADS"] = "1"

PANDANA_MAXDIST = 1e6
TOOL_RUNS = 5


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


@contextlib.contextmanager
def stdout_to_stderr():
    """Send file descriptor 1 to stderr (pandana's C++ code prints progress there)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def median_time(fn, runs: int) -> tuple[float, object]:
    """Median wall time of `runs` calls of fn() and the result of the last call."""
    times = []
    result = None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def run_cmd(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if proc.returncode != 0:
        log(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-4000:]}")
        raise SystemExit(1)


def sources_for(n: int, categories: int, per_category: int) -> list[np.ndarray]:
    return [
        np.array([(k * n // per_category + c * 7919) % n for k in range(per_category)], dtype=np.int64)
        for c in range(categories)
    ]


def dedup_min(u: np.ndarray, v: np.ndarray, w: np.ndarray):
    """Undirected simple edges: canonical (min, max), no self-loops, shortest parallel edge."""
    a, b = np.minimum(u, v), np.maximum(u, v)
    keep = a != b
    a, b, w = a[keep], b[keep], w[keep]
    order = np.lexsort((w, b, a))
    a, b, w = a[order], b[order], w[order]
    first = np.ones(len(a), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return a[first], b[first], w[first]


# --- peers -----------------------------------------------------------------
# Each peer: build(nodes, u, v, w) -> graph object; query(graph, sources) -> float64 array
# of length n with np.inf where unreached.


class Scipy:
    name = "scipy"

    def build(self, n, lon, lat, u, v, w):
        a, b, d = dedup_min(u, v, w)
        # symmetric matrix = undirected graph; directed=True then avoids a per-call symmetrisation
        return sp.csr_matrix((np.concatenate([d, d]), (np.concatenate([a, b]), np.concatenate([b, a]))),
                             shape=(n, n))

    def query(self, g, sources):
        return dijkstra(g, directed=True, indices=sources, min_only=True)


class NetworkX:
    name = "networkx"

    def build(self, n, lon, lat, u, v, w):
        a, b, d = dedup_min(u, v, w)
        g = nx.Graph()
        g.add_nodes_from(range(n))
        g.add_weighted_edges_from(zip(a.tolist(), b.tolist(), d.tolist()))
        return g

    def query(self, g, sources):
        res = nx.multi_source_dijkstra_path_length(g, sources.tolist(), weight="weight")
        out = np.full(g.number_of_nodes(), np.inf)
        out[np.fromiter(res.keys(), dtype=np.int64, count=len(res))] = np.fromiter(
            res.values(), dtype=np.float64, count=len(res))
        return out


class IGraph:
    name = "igraph"

    def build(self, n, lon, lat, u, v, w):
        g = ig.Graph(n=n + 1, edges=np.column_stack([u, v]).tolist(), directed=False)
        g.es["weight"] = w.tolist()
        return g

    def query(self, g, sources):
        n = g.vcount() - 1  # last vertex is the super-source
        m = g.ecount()
        g.add_edges([(n, int(s)) for s in sources], attributes={"weight": [0.0] * len(sources)})
        try:
            d = g.distances(source=[n], weights="weight")[0]
        finally:
            g.delete_edges(range(m, m + len(sources)))
        return np.asarray(d[:n], dtype=np.float64)


class Pandana:
    name = "pandana"

    def __init__(self):
        with stdout_to_stderr():  # imported here, after OMP_NUM_THREADS is set and outside the timings
            import pandana
        self.pandana = pandana

    def build(self, n, lon, lat, u, v, w):
        idx = pd.Index(np.arange(n), name="node")
        with stdout_to_stderr():
            net = self.pandana.Network(pd.Series(lon, index=idx), pd.Series(lat, index=idx),
                                  pd.Series(u), pd.Series(v), pd.DataFrame({"length": w}), twoway=True)
        net._bench_xy = (lon, lat)
        return net

    def set_pois(self, net, sources):
        lon, lat = net._bench_xy
        with stdout_to_stderr():
            net.set_pois("bench", PANDANA_MAXDIST, 1, pd.Series(lon[sources]), pd.Series(lat[sources]))

    def nearest(self, net):
        with stdout_to_stderr():
            res = net.nearest_pois(PANDANA_MAXDIST, "bench", num_pois=1)
        d = res[1].reindex(np.arange(len(net._bench_xy[0]))).to_numpy(dtype=np.float64, copy=True)
        d[~(d < PANDANA_MAXDIST)] = np.inf  # pandana fills unreached nodes with max_distance
        return d

    def query(self, net, sources):
        self.set_pois(net, sources)
        return self.nearest(net)


# --- main ------------------------------------------------------------------


def max_abs_diff(d: np.ndarray, ref: np.ndarray) -> tuple[float, int]:
    """Largest |d - ref| where both are reached, and the count of reachability mismatches."""
    fd, fr = np.isfinite(d), np.isfinite(ref)
    both = fd & fr
    diff = float(np.max(np.abs(d[both] - ref[both]))) if both.any() else 0.0
    return diff, int((fd != fr).sum())


def write_facilities(path: str, lon, lat, sources: list[np.ndarray]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("id,category,lon,lat\n")
        k = 0
        for c, src in enumerate(sources):
            for s in src:
                f.write(f"f{k},cat{c},{float(lon[s])!r},{float(lat[s])!r}\n")
                k += 1


def fmt(x, spec):
    return "-" if x is None else format(x, spec)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pbf", required=True)
    ap.add_argument("--lifecircle", required=True, help="path to the lifecircle binary")
    ap.add_argument("--repeat", type=int, default=20, help="timed runs per category and peer (median)")
    ap.add_argument("--sources-per-category", type=int, default=5)
    ap.add_argument("--categories", type=int, default=6)
    ap.add_argument("--json", help="also write the results to this JSON file")
    ap.add_argument("--workdir", help="keep the tool's CSV files here (default: a temp dir)")
    args = ap.parse_args(argv)

    tmp = None
    workdir = args.workdir
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="lifecircle-peers-")
        workdir = tmp.name
    os.makedirs(workdir, exist_ok=True)
    nodes_csv = os.path.join(workdir, "network_nodes.csv")
    edges_csv = os.path.join(workdir, "network_edges.csv")
    fac_csv = os.path.join(workdir, "facilities.csv")
    out_csv = os.path.join(workdir, "nearest_out.csv")
    tool_nodes_csv = os.path.join(workdir, "nearest_nodes.csv")

    binary = args.lifecircle
    net_cmd = [binary, "network", "--network", args.pbf, "--nodes-out", nodes_csv,
               "--edges-out", edges_csv, "--quiet"]
    log(f"peers: exporting the tool's graph: {' '.join(net_cmd)}")
    t_tool_network, _ = median_time(partial(run_cmd, net_cmd), TOOL_RUNS)

    nodes = pd.read_csv(nodes_csv, encoding="utf-8-sig")
    edges = pd.read_csv(edges_csv, encoding="utf-8-sig")
    n = len(nodes)
    if n == 0:
        log("peers: the tool's graph has no nodes")
        return 1
    if not np.array_equal(nodes["node"].to_numpy(), np.arange(n)):
        nodes = nodes.sort_values("node").reset_index(drop=True)
    lon = nodes["lon"].to_numpy(np.float64)
    lat = nodes["lat"].to_numpy(np.float64)
    u = edges["from"].to_numpy(np.int64)
    v = edges["to"].to_numpy(np.int64)
    w = edges["length_m"].to_numpy(np.float64)
    one_way = int((edges["forward"].astype(str).str.lower() != edges["backward"].astype(str).str.lower()).sum())
    n_comp = int(nodes["component"].nunique()) if "component" in nodes else None

    S, C = args.sources_per_category, args.categories
    sources = sources_for(n, C, S)
    write_facilities(fac_csv, lon, lat, sources)

    results = []
    ref = None
    for peer in (Scipy(), NetworkX(), IGraph(), Pandana()):
        log(f"peers: {peer.name}: build")
        t_build, graph = median_time(partial(peer.build, n, lon, lat, u, v, w), min(3, max(args.repeat, 1)))
        per_cat, dists, nearest_only = [], [], []
        for src in sources:
            t, d = median_time(partial(peer.query, graph, src), args.repeat)
            per_cat.append(t)
            dists.append(d)
            if isinstance(peer, Pandana):
                peer.set_pois(graph, src)
                t_np, _ = median_time(partial(peer.nearest, graph), args.repeat)
                nearest_only.append(t_np)
        if ref is None:
            ref = dists
        diffs = [max_abs_diff(d, r) for d, r in zip(dists, ref)]
        row = {
            "peer": peer.name,
            "version": version("igraph" if peer.name == "igraph" else peer.name),
            "build_s": t_build,
            "per_category_ms": [t * 1e3 for t in per_cat],
            "one_run_ms": statistics.median(per_cat) * 1e3,
            "all_categories_ms": sum(per_cat) * 1e3,
            "max_abs_diff_m": max(d for d, _ in diffs),
            "reach_mismatch": sum(k for _, k in diffs),
        }
        if nearest_only:
            row["nearest_pois_only_ms"] = statistics.median(nearest_only) * 1e3
        results.append(row)
        graph = None  # free it before the next peer is built

    near_cmd = [binary, "nearest", "--network", args.pbf, "--facilities", fac_csv, "--demand", fac_csv,
                "--out", out_csv, "--quiet"]
    log(f"peers: timing the tool end to end: {' '.join(near_cmd)}")
    run_cmd(near_cmd + ["--nodes-out", tool_nodes_csv])  # warm-up, and the distances to compare
    t_tool_nearest, _ = median_time(partial(run_cmd, near_cmd), TOOL_RUNS)

    tool = pd.read_csv(tool_nodes_csv, encoding="utf-8-sig", dtype={"category": str}, keep_default_na=False,
                       na_values={"distance_m": [""], "time_s": [""]})
    node_of = pd.Series(np.arange(n), index=nodes["osm_id"].to_numpy())
    tool_diff, tool_mismatch, tool_unmatched = 0.0, 0, 0
    for c in range(C):
        part = tool[tool["category"] == f"cat{c}"]
        idx = node_of.reindex(part["osm_id"].to_numpy()).to_numpy()
        matched = ~np.isnan(idx)
        tool_unmatched += int((~matched).sum())
        d = np.full(n, np.inf)
        dt = pd.to_numeric(part["distance_m"]).to_numpy(np.float64)[matched]
        d[idx[matched].astype(np.int64)] = np.where(np.isnan(dt), np.inf, dt)
        covered = np.zeros(n, dtype=bool)
        covered[idx[matched].astype(np.int64)] = True
        diff, mism = max_abs_diff(d[covered], ref[c][covered])
        tool_diff = max(tool_diff, diff)
        tool_mismatch += mism
    tool_row = {
        "peer": "lifecircle (end to end)",
        "network_cmd_s": t_tool_network,
        "nearest_cmd_ms": t_tool_nearest * 1e3,
        "max_abs_diff_m": tool_diff,
        "reach_mismatch": tool_mismatch,
        "rows_not_in_network_export": tool_unmatched,
    }

    print(f"== peers: {args.pbf}")
    print(f"graph: {n} nodes, {len(edges)} edges ({one_way} not two-way, treated as two-way), "
          f"{f'{n_comp} components' if n_comp is not None else 'no component column'}; {C} categories x {S} sources; "
          f"median of {args.repeat} runs; OMP_NUM_THREADS=1")
    hdr = f"{'peer':<26} {'build s':>9} {'one run ms':>11} {'all cats ms':>12} {'max |d-scipy| m':>16} {'reach diff':>10}"
    print(hdr)
    print("-" * len(hdr))
    for r in results:
        print(f"{r['peer'] + ' ' + r['version']:<26} {r['build_s']:>9.3f} {r['one_run_ms']:>11.3f} "
              f"{r['all_categories_ms']:>12.3f} {r['max_abs_diff_m']:>16.3g} {r['reach_mismatch']:>10d}")
    print(f"{'lifecircle (end to end)':<26} {t_tool_network:>9.3f} {'-':>11} {t_tool_nearest * 1e3:>12.1f} "
          f"{tool_diff:>16.3g} {tool_mismatch:>10d}")
    pd_row = next(r for r in results if r["peer"] == "pandana")
    print(f"pandana one run = set_pois + nearest_pois; nearest_pois alone: {pd_row['nearest_pois_only_ms']:.3f} ms")
    print("lifecircle row: build = `network` command, all cats = `nearest` command; both are whole "
          f"processes (PBF parse, graph build, CSV I/O), median of {TOOL_RUNS}")
    if tool_unmatched:
        print(f"warning: {tool_unmatched} rows of the tool's nearest output have an osm_id absent from its network export")

    if args.json:
        payload = {
            "pbf": args.pbf,
            "nodes": n,
            "edges": len(edges),
            "components": n_comp,
            "categories": C,
            "sources_per_category": S,
            "repeat": args.repeat,
            "sources": [s.tolist() for s in sources],
            "python": platform.python_version(),
            "peers": results,
            "lifecircle": tool_row,
        }
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(payload, f, indent=2)
        log(f"peers: wrote {args.json}")
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
