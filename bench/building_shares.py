"""Independent check of the demo's population on buildings.

The demo study (``data/liechtenstein/study.toml``) spreads a total population over the
residential OpenStreetMap buildings by floor area: footprint area × ``building:levels``. This
script computes every building's share itself, without any code shared with the tool:

* the PBF is read with pyosmium; a building is a way with ``building=*`` (not ``no``) whose value
  is one of the residential values the README lists (compared ignoring ASCII case);
* its footprint is used when the way is closed, has at least 4 node references and all of its
  nodes are in the extract; the area is pyproj's geodesic area on the WGS84 ellipsoid
  (``Geod(ellps="WGS84").polygon_area_perimeter``), taken as an absolute value so that the ring's
  direction does not matter;
* floors: ``building:levels`` when it is a decimal number of at least 1, else 1;
* population = total × floor area / sum of floor areas.

It then runs ``lifecircle demo`` and compares the ``demand`` table (``demand.csv``) building by
building: the same set of ids, and every population equal to the reference within 1e-9
relative. It also checks that no building holds the same population as another of a different
floor area (the symptom of areas measured the wrong way round).

Usage:
    python bench/building_shares.py --lifecircle BINARY [--workdir DIR]

Exit status: 0 when every building agrees, 1 otherwise.
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import osmium
from pyproj import Geod

ROOT = Path(__file__).resolve().parent.parent
PBF = ROOT / "data/liechtenstein/liechtenstein-latest.osm.pbf"
TOTAL_POPULATION = 37600.0  # data/liechtenstein/study.toml, [demand] total_population
RESIDENTIAL = {
    "yes", "residential", "house", "apartments", "detached", "semidetached_house", "terrace",
    "dormitory", "bungalow", "farm", "住宅",
}
DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
REL_TOL = 1e-9


def levels(value: str | None) -> float:
    if value is None or not DECIMAL.match(value.strip()):
        return 1.0
    x = float(value.strip())
    return x if math.isfinite(x) and x >= 1.0 else 1.0


class Buildings(osmium.SimpleHandler):
    def __init__(self) -> None:
        super().__init__()
        self.ways: list[tuple[int, list[int], float]] = []

    def way(self, w) -> None:
        b = w.tags.get("building")
        if b is None or b == "no":
            return
        if b.strip().lower() not in RESIDENTIAL and b.strip() not in RESIDENTIAL:
            return
        self.ways.append((w.id, [n.ref for n in w.nodes], levels(w.tags.get("building:levels"))))


class Nodes(osmium.SimpleHandler):
    def __init__(self, wanted: set[int]) -> None:
        super().__init__()
        self.wanted = wanted
        self.pos: dict[int, tuple[float, float]] = {}

    def node(self, n) -> None:
        if n.id in self.wanted:
            self.pos[n.id] = (n.location.lon, n.location.lat)


def reference() -> dict[str, float]:
    b = Buildings()
    b.apply_file(str(PBF))
    wanted = {r for _, refs, _ in b.ways for r in refs}
    n = Nodes(wanted)
    n.apply_file(str(PBF))
    geod = Geod(ellps="WGS84")
    floor: dict[str, float] = {}
    for wid, refs, lv in b.ways:
        closed = len(refs) >= 4 and refs[0] == refs[-1]
        if not closed or any(r not in n.pos for r in refs):
            continue
        lons = [n.pos[r][0] for r in refs]
        lats = [n.pos[r][1] for r in refs]
        area, _ = geod.polygon_area_perimeter(lons, lats)
        fa = abs(area) * lv
        if fa > 0.0 and math.isfinite(fa):
            floor[f"w{wid}"] = fa
    total = sum(floor.values())
    return {k: TOTAL_POPULATION * v / total for k, v in floor.items()}


def tool(binary: str, workdir: Path) -> dict[str, float]:
    out = workdir / "demo"
    subprocess.run([binary, "demo", "--out", str(out), "--quiet"], check=True)
    with open(out / "demand.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    id_col = "需求点编号" if "需求点编号" in rows[0] else "demand_id"
    pop_col = "人口" if "人口" in rows[0] else "population"
    return {r[id_col]: float(r[pop_col]) for r in rows}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lifecircle", required=True)
    ap.add_argument("--workdir")
    a = ap.parse_args()
    ref = reference()
    with tempfile.TemporaryDirectory() as tmp:
        got = tool(a.lifecircle, Path(a.workdir or tmp))
    failures = []
    if set(ref) != set(got):
        only_ref = sorted(set(ref) - set(got))[:5]
        only_tool = sorted(set(got) - set(ref))[:5]
        failures.append(f"building sets differ: {len(set(ref) - set(got))} only in the reference "
                        f"(e.g. {only_ref}), {len(set(got) - set(ref))} only in the tool (e.g. {only_tool})")
    worst = 0.0
    bad = 0
    for k in set(ref) & set(got):
        rel = abs(got[k] - ref[k]) / ref[k]
        worst = max(worst, rel)
        if rel > REL_TOL:
            bad += 1
            if bad <= 5:
                failures.append(f"{k}: tool {got[k]!r}, reference {ref[k]!r} (relative {rel:.3g})")
    total = sum(got.values())
    if abs(total - TOTAL_POPULATION) > 1e-9 * TOTAL_POPULATION:
        failures.append(f"total population {total!r}, expected {TOTAL_POPULATION}")
    print(f"building_shares: {len(ref)} reference buildings, {len(got)} in the demand table, "
          f"{bad} off by more than {REL_TOL:g} relative (largest {worst:.3g}); total {total:.6f}")
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
