"""Check lifecircle's 2SFCA / E2SFCA against PySAL `access` on the same travel-time matrix.

Inputs (São Paulo sample by default):

* demand: every hexagon centre of ``spo_hexgrid.csv`` with its ``population``;
* supply: the hexagon centres with ``schools > 0``, capacity = ``schools``;
* network: ``spo_osm.pbf``, walking at 1 m/s, catchments of ``--minutes`` (15).

The script writes both inputs as CSV, runs ``lifecircle access ... --catchments-out`` and feeds
the tool's own sparse travel-time matrix (every facility-demand pair within the catchment,
seconds, written with full precision) to PySAL: ``access.Access(...).two_stage_fca(max_cost=t0)``
for the demand side and PySAL's first stage (``access.fca.weighted_catchment``, the call
``two_stage_fca`` makes internally) for each facility's ratio ``R_j = S_j / sum w P``. So only
the 2SFCA arithmetic is compared, not the routing (which ``reference_distances.py`` checks).

Checked, for each decay:

* ``step``: classic 2SFCA, PySAL with no weight function;
* ``gaussian``: the tool's ``(exp(-t^2/(2 t0^2)) - exp(-1/2)) / (1 - exp(-1/2))`` passed to PySAL
  as ``weight_fn`` (PySAL's own ``weights.gaussian(sigma)`` is plain ``exp(-t^2/(2 sigma^2))``);
* ``weights``: E2SFCA bands 5:1, 10:0.68, 15:0.22 minutes, PySAL's ``weights.step_fn`` with the
  same inclusive upper bounds (in seconds).

Every demand point's access and every facility's ratio must agree to ``--rtol`` (1e-9)
relative; a demand point PySAL leaves out (reached by no facility) must be 0 in the tool.
Facilities with no demand in their catchment must be ``no_demand`` in the tool and infinite,
NaN or absent in PySAL; PySAL is then rerun without them for the demand comparison (the tool
leaves them out of step 2). Prints the number of values compared and the maximum relative
difference per decay; exits 1 on any disagreement.

Usage:
    python bench/pysal_2sfca.py --lifecircle target/release/lifecircle \
        [--hexgrid data/sao-paulo/spo_hexgrid.csv] [--pbf data/sao-paulo/spo_osm.pbf] \
        [--minutes 15] [--rtol 1e-9] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import pandas as pd
from access import Access, fca, weights

E2SFCA_BANDS = [(5, 1.0), (10, 0.68), (15, 0.22)]  # (upper bound minutes, weight)


def tool_gaussian(t0: float):
    e = math.exp(-0.5)

    def w(t):
        x = t / t0
        return (np.exp(-0.5 * x * x) - e) / (1.0 - e) if t <= t0 else 0.0

    return w


def rel_diff(a: float, b: float) -> float:
    if a == b:
        return 0.0
    return abs(a - b) / max(abs(a), abs(b))


def run_tool(args, workdir: str, decay: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    out = os.path.join(workdir, f"access_{decay}.csv")
    fac_out = os.path.join(workdir, f"facilities_{decay}.csv")
    matrix = os.path.join(workdir, f"catchments_{decay}.csv")
    cmd = [
        args.lifecircle, "access",
        "--network", args.pbf,
        "--facilities", os.path.join(workdir, "schools.csv"),
        "--demand", os.path.join(workdir, "population.csv"),
        "--category", "school",
        "--max-minutes", str(args.minutes),
        "--out", out, "--facility-out", fac_out, "--catchments-out", matrix,
        "--quiet",
    ]
    if decay == "weights":
        cmd += ["--weights", ",".join(f"{m}:{w}" for m, w in E2SFCA_BANDS)]
    else:
        cmd += ["--decay", decay]
    subprocess.run(cmd, check=True)
    read = lambda p: pd.read_csv(p, encoding="utf-8-sig", dtype={"demand_id": str, "facility_id": str})
    return read(out), read(fac_out), read(matrix)


def pysal_side(demand, supply, cost, t0, weight_fn):
    """PySAL's 2SFCA per demand point and its first-stage ratio per facility."""
    acc = Access(
        demand_df=demand.copy(), demand_index="geoid", demand_value="population",
        supply_df=supply.copy(), supply_index="geoid", supply_value="capacity",
        cost_df=cost, cost_origin="origin", cost_dest="dest", cost_name="cost",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = acc.two_stage_fca(name="2sfca", max_cost=t0, weight_fn=weight_fn)["2sfca_capacity"]
        # The first stage, exactly as fca.two_stage_fca computes it.
        d = fca.weighted_catchment(
            demand.set_index("geoid"), cost, t0,
            cost_source="origin", cost_dest="dest", cost_cost="cost",
            loc_index="geoid", loc_value="population", weight_fn=weight_fn,
        )
    s = supply.set_index("geoid")["capacity"]
    ratio = s.reindex(d.index) / d
    return a, ratio


def compare(args, workdir: str, decay: str, demand, supply, t0: float) -> bool:
    tool_a, tool_f, matrix = run_tool(args, workdir, decay)
    cost = pd.DataFrame({
        "origin": matrix["demand_id"], "dest": matrix["facility_id"], "cost": matrix["time_s"],
    })
    weight_fn = {
        "step": None,
        "gaussian": tool_gaussian(t0),
        "weights": weights.step_fn({m * 60.0: w for m, w in E2SFCA_BANDS}),
    }[decay]
    ok = True
    p_access, p_ratio = pysal_side(demand, supply, cost, t0, weight_fn)

    # Facilities.
    no_demand = set()
    worst_f, n_f = 0.0, 0
    for row in tool_f.itertuples():
        fid = row.facility_id
        p = p_ratio.get(fid, np.nan)
        if row.status == "no_demand":
            no_demand.add(fid)
            if np.isfinite(p):
                print(f"  {decay}: facility {fid}: tool no_demand, PySAL ratio {p}")
                ok = False
            continue
        if row.status != "ok" or not np.isfinite(p):
            print(f"  {decay}: facility {fid}: tool {row.status} {row.ratio}, PySAL {p}")
            ok = False
            continue
        r = rel_diff(row.ratio, p)
        worst_f = max(worst_f, r)
        n_f += 1
        if r > args.rtol:
            print(f"  {decay}: facility {fid}: ratio tool {row.ratio!r} PySAL {p!r} (rel {r:.3g})")
            ok = False

    # Demand points: PySAL without the no-demand facilities (whose ratio is infinite there).
    if no_demand:
        keep = ~cost["dest"].isin(no_demand)
        p_access, _ = pysal_side(demand, supply[~supply["geoid"].isin(no_demand)],
                                 cost[keep], t0, weight_fn)
    worst_d, n_d = 0.0, 0
    for row in tool_a.itertuples():
        p = p_access.get(row.demand_id, np.nan)
        if not np.isfinite(p):
            p = 0.0  # reached by no facility: PySAL has NaN, the tool 0
        r = rel_diff(row.access, p)
        worst_d = max(worst_d, r)
        n_d += 1
        if r > args.rtol:
            print(f"  {decay}: demand {row.demand_id}: access tool {row.access!r} PySAL {p!r} (rel {r:.3g})")
            ok = False
    if n_d != len(demand):
        print(f"  {decay}: {n_d} demand rows from the tool, {len(demand)} demand points")
        ok = False
    reached = int((tool_a["access"] > 0).sum())
    print(
        f"{decay:>8}: {n_d} demand points ({reached} with access > 0), {n_f} facility ratios "
        f"({len(no_demand)} no demand), {len(matrix)} pairs; max relative difference "
        f"access {worst_d:.3g}, ratio {worst_f:.3g} -> {'ok' if ok else 'FAIL'}"
    )
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lifecircle", required=True)
    ap.add_argument("--hexgrid", default="data/sao-paulo/spo_hexgrid.csv")
    ap.add_argument("--pbf", default="data/sao-paulo/spo_osm.pbf")
    ap.add_argument("--minutes", type=float, default=15.0)
    ap.add_argument("--rtol", type=float, default=1e-9)
    ap.add_argument("--workdir")
    args = ap.parse_args()

    hexes = pd.read_csv(args.hexgrid, dtype={"id": str})
    demand = pd.DataFrame({"geoid": hexes["id"], "population": hexes["population"].astype(float)})
    schools = hexes[hexes["schools"] > 0]
    supply = pd.DataFrame({"geoid": "s" + schools["id"], "capacity": schools["schools"].astype(float)})
    t0 = args.minutes * 60.0

    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or tmp
        os.makedirs(workdir, exist_ok=True)
        pd.DataFrame({
            "id": hexes["id"], "lon": hexes["lon"], "lat": hexes["lat"], "population": hexes["population"],
        }).to_csv(os.path.join(workdir, "population.csv"), index=False)
        pd.DataFrame({
            "id": "s" + schools["id"], "lon": schools["lon"], "lat": schools["lat"],
            "capacity": schools["schools"],
        }).to_csv(os.path.join(workdir, "schools.csv"), index=False)
        print(
            f"PySAL access 2SFCA check: {len(demand)} demand points (population "
            f"{demand['population'].sum():.0f}), {len(supply)} facilities, {args.minutes} min, "
            f"rtol {args.rtol}"
        )
        ok = all([compare(args, workdir, d, demand, supply, t0) for d in ("step", "gaussian", "weights")])
    print("PySAL 2SFCA check passed" if ok else "PySAL 2SFCA check FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
