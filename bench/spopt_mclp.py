"""Check lifecircle's site selection against PySAL spopt's MCLP solved with PuLP's CBC.

On the São Paulo sample: demand = the population hexagon centres of spo_hexgrid.csv, candidates
= 200 walking-network nodes drawn with a fixed seed, k = 10 new sites, a 15-minute walk, no
existing facilities. The tool writes its coverage matrix (candidate, demand point) with
`site-select --matrix-out`; this script feeds the same matrix to spopt (as a cost matrix: 0
where covered, 2 elsewhere, service radius 1) and compares:

- the tool's exact optimum must equal spopt/CBC's optimum (to 1e-9 relative);
- the tool's greedy + swap result must be within 1 % of it;
- with a capacity per site (--site-capacity, default 40,000 people, binding for most sites), the tool's exact capacitated
  optimum must equal CBC's optimum of the same model written here in PuLP (to 1e-6 relative:
  assignments are continuous).

Usage: python bench/spopt_mclp.py --lifecircle target/release/lifecircle [--k 10] [--candidates 200]
Exits non-zero on any failure.
"""

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time

import numpy as np
import pulp
from spopt.locate import MCLP

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lifecircle", required=True)
    ap.add_argument("--pbf", default=os.path.join(ROOT, "data/sao-paulo/spo_osm.pbf"))
    ap.add_argument("--hexgrid", default=os.path.join(ROOT, "data/sao-paulo/spo_hexgrid.csv"))
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--candidates", type=int, default=200)
    ap.add_argument("--minutes", type=float, default=15.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--site-capacity", type=float, default=40000.0,
                    help="people each new site can serve, for the capacitated check")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="spopt-")
    nodes = os.path.join(work, "nodes.csv")
    subprocess.run([args.lifecircle, "network", "--network", args.pbf, "--nodes-out", nodes, "--quiet"], check=True)
    rows = read_csv(nodes)
    rng = random.Random(args.seed)
    picks = sorted(rng.sample(range(len(rows)), args.candidates))
    cand = os.path.join(work, "candidates.csv")
    with open(cand, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "lon", "lat"])
        for i in picks:
            w.writerow([f"n{rows[i]['node']}", rows[i]["lon"], rows[i]["lat"]])

    results = {}
    for method in ("exact", "greedy"):
        out = os.path.join(work, f"sites_{method}.csv")
        summary = os.path.join(work, f"summary_{method}.json")
        matrix = os.path.join(work, "matrix.csv")
        t0 = time.perf_counter()
        subprocess.run(
            [args.lifecircle, "site-select", "--network", args.pbf, "--demand", args.hexgrid,
             "--candidates", cand, "--category", "school", "--k", str(args.k),
             "--max-minutes", str(args.minutes), "--method", method, "--out", out,
             "--summary", summary, "--matrix-out", matrix, "--quiet"],
            check=True,
        )
        results[method] = (json.load(open(summary)), read_csv(out), time.perf_counter() - t0)

    # The same coverage matrix for spopt.
    m = read_csv(matrix)
    demand = read_csv(args.hexgrid)
    dem_ids = [d["id"] for d in demand]
    pop = np.array([float(d["population"]) for d in demand])
    cand_ids = [f"n{rows[i]['node']}" for i in picks]
    di = {d: i for i, d in enumerate(dem_ids)}
    ci = {c: j for j, c in enumerate(cand_ids)}
    cost = np.full((len(dem_ids), len(cand_ids)), 2.0)
    for r in m:
        cost[di[r["demand_id"]], ci[r["candidate_id"]]] = 0.0
    t0 = time.perf_counter()
    model = MCLP.from_cost_matrix(cost, pop, service_radius=1.0, p_facilities=args.k)
    model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    t_spopt = time.perf_counter() - t0
    status = pulp.LpStatus[model.problem.status]
    chosen = [j for j in range(len(cand_ids)) if model.fac_vars[j].value() > 0.5]
    covered = cost[:, chosen].min(axis=1) == 0 if chosen else np.zeros(len(dem_ids), bool)
    opt = float(pop[covered].sum())

    exact = results["exact"][0]
    greedy = results["greedy"][0]
    ok = True
    rel = abs(exact["added_population"] - opt) / max(opt, 1.0)
    gap_greedy = (opt - greedy["added_population"]) / max(opt, 1.0)
    print(f"São Paulo MCLP: {len(dem_ids)} demand points (population {pop.sum():.0f}), {len(cand_ids)} candidates, "
          f"k = {args.k}, {args.minutes:g} min walk; matrix {len(m)} pairs")
    print(f"spopt + CBC ({status}): optimum {opt:.1f} in {t_spopt:.2f} s")
    print(f"lifecircle exact: {exact['added_population']:.1f} ({exact['method']}, optimal={exact['optimal']}, "
          f"gap {exact['proven_gap']:.2e}) in {results['exact'][2]:.2f} s (whole command)")
    print(f"lifecircle greedy+swap: {greedy['added_population']:.1f}, {gap_greedy * 100:.3f} % below the optimum, "
          f"in {results['greedy'][2]:.2f} s (whole command)")
    if status != "Optimal":
        print("FAIL: spopt did not prove optimality"); ok = False
    if rel > 1e-9:
        print(f"FAIL: exact differs from spopt by {rel:.3e} relative"); ok = False
    if not exact["optimal"]:
        print("FAIL: the tool did not prove optimality"); ok = False
    if gap_greedy > 0.01:
        print("FAIL: greedy+swap more than 1 % below the optimum"); ok = False
    # Capacitated maximal covering: every new site serves at most --site-capacity people; the
    # same matrix as a PuLP model of our own (binary sites, continuous assignments) for CBC.
    cap = args.site_capacity
    out = os.path.join(work, "sites_cap.csv")
    summary = os.path.join(work, "summary_cap.json")
    t0 = time.perf_counter()
    subprocess.run(
        [args.lifecircle, "site-select", "--network", args.pbf, "--demand", args.hexgrid,
         "--candidates", cand, "--category", "school", "--k", str(args.k),
         "--max-minutes", str(args.minutes), "--method", "exact", "--site-capacity", str(cap),
         "--out", out, "--summary", summary, "--quiet"],
        check=True,
    )
    t_cap = time.perf_counter() - t0
    cap_tool = json.load(open(summary))
    prob = pulp.LpProblem("cmclp", pulp.LpMaximize)
    y = [pulp.LpVariable(f"y{j}", cat="Binary") for j in range(len(cand_ids))]
    pairs = [(i, j) for i in range(len(dem_ids)) for j in range(len(cand_ids)) if cost[i, j] == 0.0]
    z = {(i, j): pulp.LpVariable(f"z{i}_{j}", lowBound=0, upBound=pop[i]) for (i, j) in pairs}
    prob += pulp.lpSum(z.values())
    prob += pulp.lpSum(y) == args.k
    for j in range(len(cand_ids)):
        prob += pulp.lpSum(z[i, jj] for (i, jj) in pairs if jj == j) <= cap * y[j]
    for i in range(len(dem_ids)):
        terms = [z[i, j] for (ii, j) in pairs if ii == i]
        if terms:
            prob += pulp.lpSum(terms) <= pop[i]
    t0 = time.perf_counter()
    prob.solve(pulp.PULP_CBC_CMD(msg=False))
    t_cbc = time.perf_counter() - t0
    cap_status = pulp.LpStatus[prob.status]
    cap_opt = float(pulp.value(prob.objective))
    cap_rel = abs(cap_tool["added_population"] - cap_opt) / max(cap_opt, 1.0)
    print(f"capacitated (each site serves at most {cap:g}): CBC ({cap_status}) optimum {cap_opt:.1f} in {t_cbc:.2f} s; "
          f"lifecircle {cap_tool['added_population']:.1f} ({cap_tool['method']}, optimal={cap_tool['optimal']}) "
          f"in {t_cap:.2f} s (whole command); greedy {cap_tool['greedy_swap_added_population']:.1f}")
    if cap_status != "Optimal":
        print("FAIL: CBC did not prove the capacitated optimum"); ok = False
    if cap_rel > 1e-6:
        print(f"FAIL: capacitated exact differs from CBC by {cap_rel:.3e} relative"); ok = False
    if not cap_tool["optimal"]:
        print("FAIL: the tool did not prove the capacitated optimum"); ok = False
    print("RESULT:", "OK" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
