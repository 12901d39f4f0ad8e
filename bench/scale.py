"""City-scale benchmark on synthetic cities (`lifecircle synth`), with scipy on the same graphs.

For each size (millions of street nodes, default 0.25 0.5 1 2 4):

1. generates the city into bench/out/synth/n<N>-s<seed>/ unless it is there already
   (`lifecircle synth`; time and peak RSS recorded on the first generation);
2. times the phases in one process (`lifecircle synth --time-phases DIR`): reading the network
   (GeoPackage and PBF), building the graph, reading facilities and demand, snapping (R-tree
   build, every demand point, every facility), one multi-source search from S node sources
   (S = number of clinics; median of --runs after one warm-up) and the nearest facility of every
   category (`nearest()`, snapping included);
3. exports the graph (`lifecircle network --edges-out`) and runs scipy's
   `csgraph.dijkstra(indices=sources, min_only=True)` on it from the same S sources (median of
   --runs), checking that both reach the same nodes with the same total distance;
4. runs the whole study as `synth` wrote it, every output on (service areas, maps, report):
   `lifecircle analyze --config DIR/study.toml`, and reads its step times (read network, build
   graphs, read inputs, route, catchments, service areas, coverage, gap areas, write outputs)
   from stderr, with the size of the report;
5. with --facility-service-areas, runs it once more with `[report] facility_service_areas =
   true` (one area per facility and threshold) and reports the extra time.

Peak RSS comes from `/usr/bin/time -f %M`. Prints two tables and writes bench/out/scale.json.

    python bench/scale.py --lifecircle target/release/lifecircle [--sizes 0.25,1] [--seed 1]
        [--runs 5] [--analyze-timeout 900] [--no-analyze] [--facility-service-areas]

No output of the study is switched off for the timed analyze.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENERATOR_VERSION = 1


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def timed(cmd: list[str], timeout: float | None = None, env=None) -> tuple[float, int, str, str]:
    """Runs cmd under /usr/bin/time; returns (wall s, peak RSS KB, stdout, stderr)."""
    tf = "/tmp/lifecircle-scale-time.txt"
    full = ["/usr/bin/time", "-o", tf, "-f", "%e %M"] + cmd
    t0 = time.perf_counter()
    p = subprocess.run(full, capture_output=True, text=True, timeout=timeout, env=env)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-3000:]}")
    with open(tf) as f:
        last = f.read().strip().splitlines()[-1].split()
    return wall, int(last[1]), p.stdout, p.stderr


def dedup_min(u, v, w):
    a, b = np.minimum(u, v), np.maximum(u, v)
    keep = a != b
    a, b, w = a[keep], b[keep], w[keep]
    order = np.lexsort((w, b, a))
    a, b, w = a[order], b[order], w[order]
    first = np.ones(len(a), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return a[first], b[first], w[first]


def scipy_run(edges_csv: str, n: int, sources: list[int], runs: int) -> dict:
    t0 = time.perf_counter()
    e = pd.read_csv(edges_csv, encoding="utf-8-sig", usecols=["from", "to", "length_m"],
                    dtype={"from": np.int64, "to": np.int64, "length_m": np.float64})
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    a, b, d = dedup_min(e["from"].to_numpy(), e["to"].to_numpy(), e["length_m"].to_numpy())
    del e
    g = sp.csr_matrix((np.concatenate([d, d]), (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n, n))
    t_build = time.perf_counter() - t0
    src = np.asarray(sources, dtype=np.int64)
    times, dist = [], None
    for _ in range(max(runs, 1)):
        t0 = time.perf_counter()
        dist = dijkstra(g, directed=True, indices=src, min_only=True)
        times.append(time.perf_counter() - t0)
    reached = np.isfinite(dist)
    return {
        "read_s": t_read,
        "build_s": t_build,
        "one_run_s": statistics.median(times),
        "one_run_min_s": min(times),
        "reached": int(reached.sum()),
        "sum_m": float(dist[reached].sum()),
    }


STEP = re.compile(r"^(.+?): ([0-9.]+) s$")


def analyze_steps(stderr: str) -> dict[str, float]:
    steps: dict[str, float] = {}
    for line in stderr.splitlines():
        m = STEP.match(line.strip())
        if m:
            steps[m.group(1)] = steps.get(m.group(1), 0.0) + float(m.group(2))
    return steps


def run_analyze(binary: str, study: str, out: str, timeout: float) -> dict:
    """One whole `analyze`: wall time, peak RSS, step times, report size."""
    shutil.rmtree(out, ignore_errors=True)
    log(f"scale: analyze {study}")
    try:
        wall, rss, _, err = timed([binary, "analyze", "--config", study, "--out", out], timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"timeout_s": timeout}
    except RuntimeError as e:
        return {"error": str(e)[-500:]}
    report = os.path.join(out, "report.html")
    return {"wall_s": wall, "rss_kb": rss, "steps": analyze_steps(err),
            "report_mb": os.path.getsize(report) / 1e6 if os.path.exists(report) else None}


def with_report_key(study: str, key: str, value: str) -> str:
    """A copy of `study` beside it with `[report] key = value` set."""
    with open(study, encoding="utf-8") as f:
        lines = f.read().splitlines()
    out, section, done = [], None, False
    for line in lines:
        t = line.strip()
        if t.startswith("[") and section == "[report]" and not done:
            out.append(f"{key} = {value}")
            done = True
        if t.startswith("["):
            section = t
        if section == "[report]" and t.split("=")[0].strip() == key:
            continue
        out.append(line)
    if not done:
        if section != "[report]":
            out.append("[report]")
        out.append(f"{key} = {value}")
    path = study.replace(".toml", f"-{key}.toml")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    return path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lifecircle", default=os.path.join(ROOT, "target", "release", "lifecircle"))
    ap.add_argument("--sizes", default="0.25,0.5,1,2,4", help="millions of nodes, comma-separated")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "out"))
    ap.add_argument("--no-analyze", action="store_true")
    ap.add_argument("--facility-service-areas", action="store_true",
                    help="also time the study with one service area per facility")
    ap.add_argument("--analyze-timeout", type=float, default=900.0)
    args = ap.parse_args(argv)
    binary = args.lifecircle
    sizes = [float(s) for s in args.sizes.split(",") if s.strip()]
    os.makedirs(args.out, exist_ok=True)
    results = []
    for size in sizes:
        n_req = int(round(size * 1e6))
        d = os.path.join(args.out, "synth", f"n{n_req}-s{args.seed}")
        row: dict = {"requested_nodes": n_req, "dir": d}
        man_path = os.path.join(d, "synth.json")
        man = None
        if os.path.exists(man_path):
            with open(man_path, encoding="utf-8") as f:
                man = json.load(f)
            if man.get("generator_version") != GENERATOR_VERSION:
                man = None
        cached_gen = os.path.join(d, "generation.json")
        if man is None:
            log(f"scale: generating {n_req} nodes into {d}")
            shutil.rmtree(d, ignore_errors=True)
            wall, rss, _, err = timed([binary, "synth", "--nodes", str(n_req), "--seed", str(args.seed), "--out", d])
            gen = {"wall_s": wall, "rss_kb": rss, "log": err.strip().splitlines()[:2]}
            with open(cached_gen, "w") as f:
                json.dump(gen, f)
            with open(man_path, encoding="utf-8") as f:
                man = json.load(f)
        else:
            log(f"scale: reusing {d}")
        gen = json.load(open(cached_gen)) if os.path.exists(cached_gen) else {}
        row["synth"] = gen
        row["city"] = {k: man[k] for k in ("nodes", "segments", "homes", "population")}
        row["city"]["pieces"] = man["pieces"]["count"]

        log("scale: phases")
        wall, rss, out, _ = timed([binary, "synth", "--time-phases", d, "--runs", str(args.runs)])
        ph = json.loads(out)
        ph["process_wall_s"], ph["rss_kb"] = wall, rss
        row["phases"] = ph

        edges_csv = os.path.join(d, "edges.csv")
        if not os.path.exists(edges_csv):
            log("scale: exporting edges")
            wall, rss, _, _ = timed([binary, "network", "--network", os.path.join(d, "network.gpkg"),
                                     "--edges-out", edges_csv, "--quiet"])
            row["export"] = {"wall_s": wall, "rss_kb": rss}
        log("scale: scipy")
        sc = scipy_run(edges_csv, ph["nodes"], ph["one_run_sources"], args.runs)
        sc["same_reach"] = sc["reached"] == ph["one_run_reached"]
        sc["sum_rel_diff"] = abs(sc["sum_m"] - ph["one_run_sum_m"]) / max(sc["sum_m"], 1e-9)
        row["scipy"] = sc

        if not args.no_analyze:
            study = os.path.join(d, "study.toml")
            row["analyze"] = run_analyze(binary, study, os.path.join(d, "out"), args.analyze_timeout)
            if args.facility_service_areas:
                per = with_report_key(study, "facility_service_areas", "true")
                row["analyze_facility_areas"] = run_analyze(binary, per, os.path.join(d, "out-facility-areas"),
                                                            args.analyze_timeout)
        results.append(row)
        with open(os.path.join(args.out, "scale.json"), "w") as f:
            json.dump(results, f, indent=2)

    print_tables(results)
    return 0


def fmt(x, spec=".2f"):
    return "-" if x is None else format(x, spec)


def print_tables(results):
    print("== synthetic cities: phases (seconds unless noted; one process per column group)")
    hdr = ["nodes", "edges", "demand", "synth s", "synth MB", "load gpkg", "load pbf", "build", "snap",
           "1 run ms", "scipy ms", "ratio", "all cats", "catchm.", "analyze s", "analyze MB", "phases MB"]
    print(" | ".join(hdr))
    print(" | ".join("---" for _ in hdr))
    for r in results:
        ph, sc, an = r["phases"], r["scipy"], r.get("analyze", {})
        snap = ph["snap_index_s"] + ph["snap_demand_s"] + ph["snap_facilities_s"]
        steps = an.get("steps", {})
        catch = sum(v for k, v in steps.items() if k.startswith("catchments"))
        cells = [
            f"{ph['nodes']:,}", f"{ph['edges']:,}", f"{ph['demand_points']:,}",
            fmt(r["synth"].get("wall_s")), fmt(r["synth"].get("rss_kb", 0) / 1024, ".0f"),
            fmt(ph["load_gpkg_s"]), fmt(ph.get("load_pbf_s")), fmt(ph["build_s"]), fmt(snap),
            fmt(ph["one_run_s"] * 1e3, ".0f"), fmt(sc["one_run_s"] * 1e3, ".0f"),
            fmt(ph["one_run_s"] / sc["one_run_s"], ".2f"),
            fmt(ph["all_categories_s"]), fmt(catch) if steps else "-",
            fmt(an.get("wall_s")), fmt(an.get("rss_kb", 0) / 1024, ".0f") if "rss_kb" in an else "-",
            fmt(ph["rss_kb"] / 1024, ".0f"),
        ]
        print(" | ".join(cells))
    print()
    print("one run: multi-source search from S node sources over the whole graph (S = clinics), median;")
    print("ratio = lifecircle / scipy (same graph, same sources); all cats = nearest() with snapping;")
    print("checks: " + "; ".join(
        f"{r['phases']['nodes']:,}: S={len(r['phases']['one_run_sources'])}, reach equal={r['scipy']['same_reach']}, "
        f"sum rel diff={r['scipy']['sum_rel_diff']:.1e}" for r in results))
    print()
    names = []
    for r in results:
        for k in r.get("analyze", {}).get("steps", {}):
            if k not in names:
                names.append(k)
    if names:
        print("== lifecircle analyze: step times (s), from its stderr")
        print(" | ".join(["step"] + [f"{r['phases']['nodes']:,}" for r in results]))
        print(" | ".join(["---"] * (len(results) + 1)))
        for k in names:
            print(" | ".join([k] + [fmt(r.get("analyze", {}).get("steps", {}).get(k)) for r in results]))
        print(" | ".join(["whole (wall)"] + [fmt(r.get("analyze", {}).get("wall_s")) for r in results]))
        print(" | ".join(["peak RSS (GB)"] + [fmt(r.get("analyze", {}).get("rss_kb", 0) / 1048576) for r in results]))
        print(" | ".join(["report.html (MB)"] + [fmt(r.get("analyze", {}).get("report_mb")) for r in results]))
        if any("analyze_facility_areas" in r for r in results):
            per = [r.get("analyze_facility_areas", {}) for r in results]
            print(" | ".join(["with per-facility areas (wall)"] + [fmt(p.get("wall_s")) for p in per]))
            print(" | ".join(["  of which service areas"] + [
                fmt(sum(v for k, v in p.get("steps", {}).items() if k.startswith("service areas")) or None)
                for p in per]))
            print(" | ".join(["  peak RSS (GB)"] + [fmt(p.get("rss_kb", 0) / 1048576) for p in per]))
        by_n = {r["requested_nodes"]: r.get("analyze", {}).get("wall_s") for r in results}
        if by_n.get(1_000_000) and by_n.get(4_000_000):
            print(f"time(4 M) / time(1 M) = {by_n[4_000_000] / by_n[1_000_000]:.2f}")
        for r in results:
            if "timeout_s" in r.get("analyze", {}) or "error" in r.get("analyze", {}):
                print(f"note: {r['phases']['nodes']:,} nodes: analyze {r['analyze']}")


if __name__ == "__main__":
    sys.exit(main())
