"""`lifecircle.site_select` equals `lifecircle site-select` on the Liechtenstein sample: generated
and given candidates, the one-per-zone rule, maximal and set covering."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest

import lifecircle
from lifecircle import LifecircleError
from conftest import PBF, ROOT, assert_table_equal, read_cli_csv, run_cli

CATEGORY_MAP = ROOT / "data" / "liechtenstein" / "categories.toml"


@pytest.fixture(scope="module")
def inputs(demo, tmp_path_factory):
    """The demo's demand points (with population) as a table, every 40th as candidate sites,
    and the demo's zones as a GeoPackage layer (code, name, district)."""
    d = tmp_path_factory.mktemp("siting")
    pts = demo.demand
    homes = pd.DataFrame(
        {"id": pts["demand_id"], "lon": pts.geometry.x, "lat": pts.geometry.y,
         "population": pts["population"]}
    )
    homes.to_csv(d / "homes.csv", index=False, float_format="%.12f")
    cands = homes.iloc[::40][["id", "lon", "lat"]].assign(id=lambda t: "c" + t["id"])
    cands.to_csv(d / "candidates.csv", index=False, float_format="%.12f")
    z = demo.zones
    zones = gpd.GeoDataFrame(
        {"code": z["zone_code"], "name": z["zone_name"], "district": z["district"]},
        geometry=z.geometry, crs=z.crs,
    )
    zones.to_file(d / "zones.gpkg", layer="zones")
    return {
        "dir": d,
        "homes": d / "homes.csv",
        "candidates_csv": d / "candidates.csv",
        "candidates": gpd.GeoDataFrame(
            cands[["id"]], geometry=gpd.points_from_xy(cands["lon"], cands["lat"]), crs="EPSG:4326"
        ),
        "zones_gpkg": d / "zones.gpkg",
    }


@pytest.fixture(scope="module")
def li_network():
    return lifecircle.Network.read(PBF)


def comparable(summary: dict) -> dict:
    return {k: v for k, v in summary.items() if k != "seconds"}


CASES = {
    "gap nodes, k": (["--candidates", "gap-nodes:300", "--k", "3"],
                     {"candidates": "gap-nodes:300", "k": 3}),
    "given, share": (["--candidates", "{candidates_csv}", "--target-share", "0.9",
                      "--method", "greedy"],
                     {"candidates": "{candidates}", "target_share": 0.9, "method": "greedy"}),
    "one per zone": (["--candidates", "{candidates_csv}", "--k", "4", "--zones", "{zones_gpkg}",
                      "--one-per-zone"],
                     {"candidates": "{candidates}", "k": 4, "zones": "demo_zones",
                      "one_per_zone": True}),
    "hexagons, capacity": (["--candidates", "hexagons:400", "--k", "3", "--site-capacity", "800"],
                           {"candidates": "hexagons:400", "k": 3, "site_capacity": 800}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_site_select_equals_cli(cli, li_network, inputs, demo, tmp_path, case):
    cli_args, kwargs = CASES[case]
    cli_args = [a.format(**{k: str(v) for k, v in inputs.items()}) for a in cli_args]
    out, summary = tmp_path / "sites.csv", tmp_path / "summary.json"
    run_cli(
        cli, "site-select", "--network", PBF, "--facilities", PBF, "--category-map", CATEGORY_MAP,
        "--demand", inputs["homes"], "--category", "elderly_care", "--max-minutes", "10",
        *cli_args, "--out", out, "--summary", summary, "--quiet",
    )
    kw = dict(kwargs)
    if kw["candidates"] == "{candidates}":
        kw["candidates"] = inputs["candidates"]
    if kw.get("zones") == "demo_zones":
        kw["zones"] = demo.zones
    r = lifecircle.site_select(
        li_network, inputs["homes"], facilities=PBF, category_map=CATEGORY_MAP,
        category="elderly_care", max_minutes=10, **kw,
    )
    assert len(r.sites) > 0
    assert r.sites["added_population"].min() > 0
    assert_table_equal(read_cli_csv(out), r.sites, headers="en")
    with open(summary, encoding="utf-8") as f:
        assert comparable(r.summary) == comparable(json.load(f))
    sites, s = r  # unpacks as (sites, summary)
    assert s["sites"] == len(sites)
    assert s["covered_after"] == pytest.approx(s["covered_before"] + s["added_population"])


def test_one_per_zone_puts_a_site_in_every_zone_without_one(li_network, inputs, demo):
    r = lifecircle.site_select(
        li_network, inputs["homes"], facilities=PBF, category_map=CATEGORY_MAP,
        category="elderly_care", max_minutes=10, k=11, candidates=inputs["candidates"],
        zones=inputs["zones_gpkg"], one_per_zone=True,
    )
    lacking = demo.zones.loc[demo.zones["elderly_care_facilities"] == 0]
    names = {f"{c} {n}" for c, n in zip(lacking["zone_code"], lacking["zone_name"])}
    assert names <= set(r.sites["zone"]), r.warnings


def test_site_select_errors(li_network, inputs):
    with pytest.raises(LifecircleError, match="`k`: give k or target_share"):
        lifecircle.site_select(li_network, inputs["homes"], category="elderly_care", max_minutes=10)
    with pytest.raises(LifecircleError, match="`candidates`"):
        lifecircle.site_select(
            li_network, inputs["homes"], category="elderly_care", max_minutes=10, k=2,
            candidates="hexagons:-5",
        )
    with pytest.raises(LifecircleError, match="`zones`"):
        lifecircle.site_select(
            li_network, inputs["homes"], category="elderly_care", max_minutes=10, k=2,
            one_per_zone=True,
        )
    with pytest.raises(LifecircleError, match="`method`"):
        lifecircle.site_select(
            li_network, inputs["homes"], category="elderly_care", max_minutes=10, k=2,
            method="magic",
        )
