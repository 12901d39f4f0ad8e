"""Independent check of lifecircle's service areas against GEOS (through shapely).

For each case the tool runs a study with ``[report] service_area_lines = true``, so that the
GeoPackage holds, per category and threshold, both the service area (``service_areas``) and the
reached streets it was drawn from (``service_area_lines``). This script then buffers those exact
reached streets itself with GEOS (each line with round caps and joins, 64 segments per quarter
circle, so arcs within 4 mm of true circles, then their union) on a local azimuthal equidistant plane (pyproj) centred on the
area, and checks, for every area:

* every point of the tool's area is within 0.5 m of the GEOS buffer, and every point of the GEOS
  buffer within 0.5 m of the tool's area: ``A - buffer(B, 0.5 - 0.02)`` and
  ``B - buffer(A, 0.5 - 0.02)`` are empty (the 2 cm leave room for GEOS's own chords);
* the reached street length (``street_km``) equals the geodesic length of the lines (pyproj
  ``Geod``) within 1 mm + 1e-9 relative;
* the area (``area_km2``) equals the tool polygon's area on the local plane within 1e-4
  relative.

It prints the largest deviation seen between the two outlines (sampled boundary points, each
way) and the area difference.

Cases: the demo study (Liechtenstein, OpenStreetMap), a study on the São Paulo OSM sample with
facilities at hexagon centres, and a synthetic city (``lifecircle synth``).

Usage:
    python bench/service_area_accuracy.py --lifecircle BINARY [--synth-nodes 20000] [--workdir DIR]

Exit status: 0 when every area passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer
from shapely import wkb

ROOT = Path(__file__).resolve().parent.parent
TOL = 0.5
GEOS_SLACK = 0.02
GEOD = Geod(ellps="WGS84")


def gpkg_geometry(blob: bytes):
    flags = blob[3]
    env = (flags >> 1) & 7
    n = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[env]
    return wkb.loads(bytes(blob[8 + n :]))


def read_layer(gpkg: Path, table: str) -> list[dict]:
    con = sqlite3.connect(gpkg)
    con.row_factory = sqlite3.Row
    rows = [dict(r) for r in con.execute(f'SELECT * FROM "{table}"')]
    con.close()
    for r in rows:
        r["geom"] = gpkg_geometry(r["geom"]) if r["geom"] is not None else None
    return rows


def local_plane(geom) -> Transformer:
    c = geom.centroid
    crs = CRS.from_proj4(f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +ellps=WGS84 +units=m")
    return Transformer.from_crs("EPSG:4326", crs, always_xy=True)


def project(geom, t: Transformer):
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def geodesic_length_m(lines) -> float:
    total = 0.0
    for ls in getattr(lines, "geoms", [lines]):
        x, y = ls.xy
        total += GEOD.line_length(list(x), list(y))
    return total


def sampled_deviation(a, b, n: int = 4000) -> float:
    """Largest distance from sampled boundary points of `a` to the boundary of `b`."""
    pts = shapely.get_coordinates(a.boundary)
    if len(pts) == 0:
        return 0.0
    rng = np.random.default_rng(7)
    pts = pts[rng.choice(len(pts), size=min(n, len(pts)), replace=False)]
    edges = []
    for ring in shapely.get_parts(b.boundary):
        c = shapely.get_coordinates(ring)
        edges.extend(shapely.linestrings(np.stack([c[:-1], c[1:]], axis=1)))
    tree = shapely.STRtree(edges)
    _, dist = tree.query_nearest(shapely.points(pts), return_distance=True)
    return float(dist.max())


def check_case(name: str, gpkg: Path) -> list[str]:
    areas = read_layer(gpkg, "service_areas")
    lines = {(r["category"], r["threshold"]): r for r in read_layer(gpkg, "service_area_lines")}
    failures = []
    worst = 0.0
    for a in areas:
        key = (a["category"], a["threshold"])
        lr = lines.get(key)
        if lr is None:
            failures.append(f"{name} {key}: no reached lines")
            continue
        r = float(a["buffer_m"])
        length = geodesic_length_m(lr["geom"]) if lr["geom"] is not None else 0.0
        if abs(length - a["street_km"] * 1000.0) > 1e-3 + 1e-9 * length:
            failures.append(f"{name} {key}: street_km {a['street_km']} vs geodesic {length / 1000}")
        if a["geom"] is None or a["geom"].is_empty:
            if length > 0:
                failures.append(f"{name} {key}: empty area for {length:.1f} m of streets")
            continue
        t = local_plane(a["geom"])
        ours = shapely.make_valid(project(a["geom"], t))
        parts = shapely.get_parts(project(lr["geom"], t))
        exact = shapely.union_all(shapely.buffer(parts, r, quad_segs=64))
        slack = TOL - GEOS_SLACK
        out_a = ours.difference(exact.buffer(slack, quad_segs=16)).area
        out_b = exact.difference(ours.buffer(slack, quad_segs=16)).area
        dev = max(sampled_deviation(ours, exact), sampled_deviation(exact, ours))
        worst = max(worst, dev)
        rel = abs(ours.area - a["area_km2"] * 1e6) / ours.area
        print(
            f"  {name} {key[0]} {key[1]}: {length / 1000:.1f} km of streets, area {ours.area / 1e6:.3f} km² "
            f"(GEOS {exact.area / 1e6:.3f}), outline deviation ≤ {dev:.3f} m (sampled)"
        )
        if out_a > 0 or out_b > 0:
            failures.append(f"{name} {key}: {out_a:.3f} m² of the area beyond 0.5 m of GEOS, {out_b:.3f} m² the other way")
        if rel > 1e-4:
            failures.append(f"{name} {key}: area_km2 {a['area_km2']} vs {ours.area / 1e6} on the local plane")
    print(f"{name}: {len(areas)} areas, largest sampled outline deviation {worst:.3f} m")
    return failures


def with_lines(study: Path, out_study: Path) -> None:
    text = study.read_text(encoding="utf-8")
    if "[report]" in text:
        text = text.replace("[report]", "[report]\nservice_area_lines = true", 1)
    else:
        text += "\n[report]\nservice_area_lines = true\nmaps = false\nhtml = false\n"
    out_study.write_text(text, encoding="utf-8")


def run(binary: str, study: Path, out: Path) -> Path:
    subprocess.run([binary, "analyze", "--config", str(study), "--out", str(out), "--quiet"], check=True)
    return out / "lifecircle.gpkg"


def demo_case(binary: str, work: Path) -> Path:
    src = ROOT / "data/liechtenstein/study.toml"
    study = src.parent / "accuracy-check.toml"
    try:
        with_lines(src, study)
        return run(binary, study, work / "demo")
    finally:
        study.unlink(missing_ok=True)


def sao_paulo_case(binary: str, work: Path) -> Path:
    d = work / "sp"
    d.mkdir()
    with open(ROOT / "data/sao-paulo/spo_hexgrid.csv", newline="") as f:
        hexes = list(csv.DictReader(f))
    with open(d / "facilities.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "category", "lon", "lat"])
        for i, h in enumerate(hexes[::40]):
            w.writerow([f"c{i}", "clinic", h["lon"], h["lat"]])
        for i, h in enumerate(hexes[7::25]):
            w.writerow([f"s{i}", "sports", h["lon"], h["lat"]])
    with open(d / "demand.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "lon", "lat", "population"])
        for i, h in enumerate(hexes):
            w.writerow([f"h{i}", h["lon"], h["lat"], h["population"]])
    lons = [float(h["lon"]) for h in hexes]
    lats = [float(h["lat"]) for h in hexes]
    x0, x1, y0, y1 = min(lons) - 0.02, max(lons) + 0.02, min(lats) - 0.02, max(lats) + 0.02
    (d / "zones.geojson").write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"centro","code":"1"},'
        f'"geometry":{{"type":"Polygon","coordinates":[[[{x0},{y0}],[{x1},{y0}],[{x1},{y1}],[{x0},{y1}],[{x0},{y0}]]]}}}}]}}'
    )
    (d / "study.toml").write_text(
        f'''name = "São Paulo accuracy check"
profile = "guangzhou"
[output]
folder = "out"
formats = ["gpkg"]
[network]
file = "{ROOT / 'data/sao-paulo/spo_osm.pbf'}"
[[facilities.files]]
path = "facilities.csv"
[demand]
points = "demand.csv"
population_field = "population"
[zones]
file = "zones.geojson"
name_field = "name"
code_field = "code"
[report]
service_area_lines = true
maps = false
html = false
''',
        encoding="utf-8",
    )
    return run(binary, d / "study.toml", d / "out")


def synth_case(binary: str, work: Path, nodes: int) -> Path:
    d = work / "synth"
    subprocess.run([binary, "synth", "--nodes", str(nodes), "--seed", "5", "--out", str(d), "--quiet"], check=True)
    with_lines(d / "study.toml", d / "study.toml")
    return run(binary, d / "study.toml", d / "out")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lifecircle", required=True)
    ap.add_argument("--synth-nodes", type=int, default=20000)
    ap.add_argument("--workdir")
    a = ap.parse_args()
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(a.workdir or tmp)
        work.mkdir(parents=True, exist_ok=True)
        failures += check_case("liechtenstein", demo_case(a.lifecircle, work))
        failures += check_case("sao-paulo", sao_paulo_case(a.lifecircle, work))
        failures += check_case(f"synth-{a.synth_nodes}", synth_case(a.lifecircle, work, a.synth_nodes))
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    print("service_area_accuracy:", "FAILED" if failures else "all areas within 0.5 m of GEOS")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
