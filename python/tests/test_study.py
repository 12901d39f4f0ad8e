"""The demo study through the Python API equals `lifecircle analyze` on the same study file."""

from __future__ import annotations

import json

import numpy as np
import pyogrio
import pytest
import shapely

import lifecircle
from conftest import STUDY, assert_table_equal, read_cli_csv


@pytest.mark.parametrize("layer", ["zones", "districts", "demand", "facilities", "gaps", "sites"])
def test_tables_equal_cli_csv(demo, cli_demo, layer):
    df = getattr(demo, layer)
    csv = read_cli_csv(cli_demo / f"{layer}.csv")
    assert len(df) > 0
    assert_table_equal(csv, df, headers="zh")


def test_zone_figures_are_not_trivial(demo):
    z = demo.zones
    # 11 municipalities, a real population, and some coverage that is neither none nor all.
    assert len(z) == 11
    assert z["population"].sum() > 30000
    shares = z["complete_share"].dropna()
    assert ((shares >= 0) & (shares <= 1)).all()
    assert 0 < shares.mean() < 1


def test_summary_equals_cli(demo, cli_demo):
    with open(cli_demo / "summary.json", encoding="utf-8") as f:
        assert demo.summary == json.load(f)


def test_geometries_equal_cli_geopackage(demo, cli_demo):
    gpkg = cli_demo / "lifecircle.gpkg"
    for layer in ["zones", "gaps", "facilities"]:
        ours = getattr(demo, layer)
        theirs = pyogrio.read_dataframe(gpkg, layer=layer)
        assert len(ours) == len(theirs)
        assert shapely.equals_exact(
            ours.geometry.values, theirs.geometry.values, tolerance=1e-12
        ).all(), layer
        # The attribute columns are the GeoPackage's, in order.
        assert [c for c in ours.columns if c != "geometry"] == [
            c for c in theirs.columns if c != "geometry"
        ]


def test_write_is_byte_identical_to_cli(demo, cli_demo, tmp_path):
    files = demo.write(tmp_path)
    names = {f.name for f in files}
    for name in ["zones.csv", "districts.csv", "demand.csv", "summary.json", "summary.md"]:
        assert name in names
        assert (tmp_path / name).read_bytes() == (cli_demo / name).read_bytes(), name


def test_layers_are_wgs84_with_chinese_labels(demo):
    for layer in ["zones", "demand", "facilities", "gaps", "service_areas"]:
        df = getattr(demo, layer)
        assert df.crs.to_epsg() == 4326, layer
        assert df.attrs["name"] == layer
    z = demo.zones
    assert z.attrs["labels"]["population"] == "常住人口"
    zh = lifecircle.with_chinese_headers(z)
    assert "常住人口" in zh.columns and "population" not in zh.columns
    assert np.array_equal(zh["常住人口"].to_numpy(), z["population"].to_numpy())
    # The districts table is a plain table, not a map layer.
    assert not hasattr(demo.districts, "geometry")


def test_zone_population_adds_up_to_demand(demo):
    d = demo.demand
    in_zones = d[d["zone_code"].notna() & (d["zone_code"] != "")]
    assert demo.zones["population"].sum() == pytest.approx(in_zones["population"].sum(), rel=1e-9)


def test_study_properties():
    s = lifecircle.Study.read(STUDY)
    assert s.name.startswith("列支敦士登")
    assert s.path == STUDY
    assert not s.has_scenario
    assert s.output_folder.name == "demo"


def scenario_study(tmp_path):
    """The demo study with a plan that adds the sites its [[siting]] chooses."""
    data = STUDY.parent
    text = STUDY.read_text(encoding="utf-8")
    for name in ["liechtenstein-latest.osm.pbf", "categories.toml"]:
        text = text.replace(f'"{name}"', f'"{(data / name).as_posix()}"')
    text = text.replace('"../../out/demo"', f'"{(tmp_path / "unused").as_posix()}"')
    text += '\n[scenario]\nname = "sites added"\nadd_sites = true\npopulation_scale = 1.05\n'
    path = tmp_path / "study.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_scenario_equals_cli(cli, tmp_path):
    from conftest import run_cli

    study = scenario_study(tmp_path)
    run_cli(cli, "analyze", "--config", study, "--out", tmp_path / "cli", "--quiet")
    r = lifecircle.run_study(study, out=tmp_path / "py")
    assert r.plan is not None and r.scenario is not None
    assert len(r.sites) > 0
    # The plan holds the chosen sites and 5 % more people.
    assert len(r.plan.facilities) == len(r.facilities) + len(r.sites)
    assert r.plan.summary["population"] == pytest.approx(1.05 * r.summary["population"], rel=1e-12)
    for name in ["scenario_zones.csv", "scenario.json", "plan/zones.csv", "plan/summary.json", "sites.csv"]:
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    assert_table_equal(read_cli_csv(tmp_path / "cli" / "scenario_zones.csv"), r.scenario, headers="zh")
    assert_table_equal(read_cli_csv(tmp_path / "cli" / "plan" / "zones.csv"), r.plan.zones, headers="zh")
    delta = r.scenario["elderly_care_covered_delta"]
    assert (delta >= 0).all() and delta.sum() > 0
