"""Whole pipeline on the Liechtenstein sample: pyrosm + pandana against `lifecircle nearest`.

Both sides do the same job from the same PBF: read it, build the walking network, find the
facilities of every category of `data/liechtenstein/categories.toml` and every building, and
give every building its network distance to the nearest facility of each category.

* pyrosm + pandana (in process, imports not timed): ``OSM(pbf)``;
  ``get_network("walking", nodes=True)``; ``to_graph(..., graph_type="pandana")`` (pandana
  builds its contraction hierarchy, OMP_NUM_THREADS=1); ``get_pois(custom_filter=...)`` with the
  category mapping's tags, each feature classified into its categories as the tool does;
  ``get_buildings()``; points on the features' surfaces; ``get_node_ids`` for buildings and
  facilities; per category ``set_pois`` + ``nearest_pois`` (one nearest, max distance 50 km).
  pandana works in whole millimetres and float32, and snaps points to the nearest node (the
  tool snaps to the nearest street and adds the access legs).
* lifecircle (whole process, median of --runs): ``lifecircle nearest --network PBF
  --facilities PBF --category-map categories.toml --demand PBF --out out.csv --quiet``, with
  all cores and with RAYON_NUM_THREADS=1; the tool also writes its 63,000-row table to disk
  (fsync included), which the Python side keeps in memory. With --lifecircle-without-gdal, the
  same for the build without GDAL (``cargo build --no-default-features``), which starts in
  about a millisecond instead of forty.

Prints the times and the ratio pyrosm+pandana / lifecircle.

    python bench/pipeline.py --lifecircle target/release/lifecircle \
        [--lifecircle-without-gdal target/without-gdal/lifecircle] [--runs 9] [--json OUT]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
import tomllib

os.environ["OMP_NUM_THREADS"] = "1"

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PBF = os.path.join(ROOT, "data", "liechtenstein", "liechtenstein-latest.osm.pbf")
CATS = os.path.join(ROOT, "data", "liechtenstein", "categories.toml")
MAXDIST = 50_000.0


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


@contextlib.contextmanager
def stdout_to_stderr():
    """Send file descriptor 1 to stderr (pandana's C++ code prints its progress there)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def rules(path: str) -> dict[str, list[tuple[str, list[str] | None]]]:
    """Category -> [(key, values or None for any value)]."""
    with open(path, "rb") as f:
        cats = tomllib.load(f)["categories"]
    out = {}
    for cat, specs in cats.items():
        rs = []
        for s in specs:
            k, v = s.split("=", 1)
            rs.append((k, None if v == "*" else v.split("|")))
        out[cat] = rs
    return out


def python_pipeline(pbf: str, cat_rules) -> dict:
    import numpy as np
    import pandas as pd
    from pyrosm import OSM

    t = {}
    t0 = time.perf_counter()
    osm = OSM(pbf)
    nodes, edges = osm.get_network(network_type="walking", nodes=True)
    t["network"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    net = osm.to_graph(nodes, edges, graph_type="pandana")
    t["graph"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    flt: dict[str, list[str] | bool] = {}
    for rs in cat_rules.values():
        for k, vals in rs:
            if vals is None:
                flt[k] = True
            elif flt.get(k) is not True:
                flt[k] = sorted(set(flt.get(k, [])) | set(vals))
    pois = osm.get_pois(custom_filter=flt)
    pts = pois.geometry.representative_point()
    fx, fy = pts.x.to_numpy(), pts.y.to_numpy()
    t["facilities"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    b = osm.get_buildings()
    bp = b.geometry.representative_point()
    bx, by = bp.x.to_numpy(), bp.y.to_numpy()
    t["buildings"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    bnode = net.get_node_ids(pd.Series(bx), pd.Series(by)).to_numpy()
    counts = {}
    dists = {}
    for cat, rs in cat_rules.items():
        mask = np.zeros(len(pois), dtype=bool)
        for k, vals in rs:
            if k not in pois.columns:
                continue
            col = pois[k]
            mask |= col.notna().to_numpy() if vals is None else col.isin(vals).to_numpy()
        counts[cat] = int(mask.sum())
        if not mask.any():
            continue
        net.set_pois(category=cat, maxdist=MAXDIST, maxitems=1,
                     x_col=pd.Series(fx[mask]), y_col=pd.Series(fy[mask]))
        res = net.nearest_pois(distance=MAXDIST, category=cat, num_pois=1)
        dists[cat] = res[1].reindex(bnode).to_numpy()
    t["nearest"] = time.perf_counter() - t1
    t["total"] = time.perf_counter() - t0
    return {"times_s": t, "facilities": counts, "buildings": int(len(bx)),
            "network_nodes": int(len(nodes)), "network_edges": int(len(edges))}


def tool_runs(binary: str, runs: int, threads: int | None) -> float:
    out = "/tmp/lifecircle-pipeline-out.csv"
    cmd = [binary, "nearest", "--network", PBF, "--facilities", PBF, "--category-map", CATS,
           "--demand", PBF, "--out", out, "--quiet"]
    env = dict(os.environ)
    if threads:
        env["RAYON_NUM_THREADS"] = str(threads)
    subprocess.run(cmd, check=True, env=env)  # warm the file cache
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, env=env)
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lifecircle", default=os.path.join(ROOT, "target", "release", "lifecircle"))
    ap.add_argument("--lifecircle-without-gdal")
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    cat_rules = rules(CATS)

    t0 = time.perf_counter()
    import pyrosm  # noqa: F401
    import pandana  # noqa: F401
    t_import = time.perf_counter() - t0
    log("pipeline: pyrosm + pandana")
    with stdout_to_stderr():
        py_runs = [python_pipeline(PBF, cat_rules) for _ in range(max(1, min(args.runs, 3)))]
    py = min(py_runs, key=lambda r: r["times_s"]["total"])
    log("pipeline: lifecircle nearest")
    t_tool = tool_runs(args.lifecircle, args.runs, None)
    t_tool1 = tool_runs(args.lifecircle, args.runs, 1)
    lite = args.lifecircle_without_gdal
    t_lite = tool_runs(lite, args.runs, None) if lite else None
    t_lite1 = tool_runs(lite, args.runs, 1) if lite else None

    tt = py["times_s"]
    print(f"== whole pipeline, Liechtenstein ({os.path.basename(PBF)}): read PBF, walking network, "
          f"facilities of {len(cat_rules)} categories, {py['buildings']:,} buildings, nearest per category")
    print("side | read+network s | graph s | facilities s | buildings s | nearest s | total s")
    print("--- | --- | --- | --- | --- | --- | ---")
    print(f"pyrosm {__import__('pyrosm').__version__} + pandana {__import__('pandana').__version__} "
          f"(best of {len(py_runs)}) | {tt['network']:.2f} | {tt['graph']:.2f} | {tt['facilities']:.2f} | "
          f"{tt['buildings']:.2f} | {tt['nearest']:.2f} | {tt['total']:.2f}")
    print(f"lifecircle nearest, all cores (median of {args.runs}, whole process) | - | - | - | - | - | {t_tool:.3f}")
    print(f"lifecircle nearest, 1 thread | - | - | - | - | - | {t_tool1:.3f}")
    if lite:
        print(f"lifecircle nearest without GDAL, all cores (median of {args.runs}, whole process) | - | - | - | - | - | {t_lite:.3f}")
        print(f"lifecircle nearest without GDAL, 1 thread | - | - | - | - | - | {t_lite1:.3f}")
    print(f"ratio pyrosm+pandana / lifecircle: {tt['total'] / t_tool:.1f}x (1 thread: {tt['total'] / t_tool1:.1f}x); "
          f"python imports not counted ({t_import:.2f} s)")
    if lite:
        print(f"ratio pyrosm+pandana / lifecircle without GDAL: {tt['total'] / t_lite:.1f}x "
              f"(1 thread: {tt['total'] / t_lite1:.1f}x)")
    print("facilities found by pyrosm per category: " + ", ".join(f"{k} {v}" for k, v in py["facilities"].items()))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"python": py_runs, "lifecircle_s": t_tool, "lifecircle_1thread_s": t_tool1,
                       "lifecircle_without_gdal_s": t_lite, "lifecircle_without_gdal_1thread_s": t_lite1,
                       "python_import_s": t_import}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
