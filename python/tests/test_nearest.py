"""`lifecircle.nearest` equals `lifecircle nearest` on the same inputs, from files and from
GeoDataFrames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import lifecircle
from conftest import PBF, ROOT, SPO_PBF, assert_table_equal, read_cli_csv, run_cli

CATEGORY_MAP = ROOT / "data" / "liechtenstein" / "categories.toml"


@pytest.fixture(scope="module")
def li_network():
    return lifecircle.Network.read(PBF)


@pytest.fixture(scope="module")
def li_demand_csv(demo, tmp_path_factory):
    """Every 20th demand point of the demo study as a table (id, lon, lat, population)."""
    d = demo.demand.iloc[::20]
    t = pd.DataFrame(
        {
            "id": d["demand_id"],
            "lon": d.geometry.x,
            "lat": d.geometry.y,
            "population": d["population"],
        }
    )
    path = tmp_path_factory.mktemp("li") / "homes.csv"
    t.to_csv(path, index=False, float_format="%.12f")
    return path


def test_network_summary(li_network):
    n = li_network
    assert n.mode == "walk" and n.speed_mps == 1.0
    assert n.node_count > 1000 and n.edge_count > n.node_count // 2
    assert n.kept_largest_only
    assert n.component_sizes[0] == n.node_count
    assert 500_000 < n.total_length_m < 5_000_000


def test_osm_facilities_equal_cli(cli, li_network, li_demand_csv, tmp_path):
    out = tmp_path / "nearest.csv"
    report = tmp_path / "snapping.csv"
    run_cli(
        cli, "nearest", "--network", PBF, "--facilities", PBF, "--demand", li_demand_csv,
        "--category-map", CATEGORY_MAP, "--categories", "clinic,sports,library",
        "--max-minutes", "20", "--out", out, "--facility-report", report, "--quiet",
    )
    r = lifecircle.nearest(
        li_network, PBF, li_demand_csv, category_map=CATEGORY_MAP,
        categories=["clinic", "sports", "library"], max_minutes=20,
    )
    t = r.table
    assert set(t["category"]) == {"clinic", "sports", "library"}
    assert {"ok", "not_reached"} <= set(t["status"])
    assert_table_equal(read_cli_csv(out), t, headers="en")
    assert_table_equal(read_cli_csv(report), r.facility_snapping, headers="en")


def test_geodataframes_equal_cli_files(cli, spo_inputs, tmp_path):
    out = tmp_path / "nearest.csv"
    nodes = tmp_path / "nodes.csv"
    run_cli(
        cli, "nearest", "--network", SPO_PBF, "--facilities", spo_inputs["facilities_csv"],
        "--demand", spo_inputs["demand_csv"], "--out", out, "--nodes-out", nodes, "--quiet",
    )
    net = lifecircle.Network.read(SPO_PBF)
    from_frames = lifecircle.nearest(
        net, spo_inputs["facilities"], spo_inputs["demand"], node_times=True
    )
    from_files = lifecircle.nearest(
        net, spo_inputs["facilities_csv"], spo_inputs["demand_csv"], node_times=True
    )
    cli_table = read_cli_csv(out)
    assert (cli_table["status"] == "ok").sum() > 100
    assert_table_equal(cli_table, from_files.table, headers="en")
    assert_table_equal(cli_table, from_frames.table, headers="en")
    assert_table_equal(read_cli_csv(nodes), from_frames.nodes, headers="en")


def test_projected_geodataframe_matches_wgs84(spo_inputs):
    net = lifecircle.Network.read(SPO_PBF)
    base = lifecircle.nearest(net, spo_inputs["facilities"], spo_inputs["demand"]).table
    # The same points in UTM 23S: converted back to WGS84 by lifecircle.
    utm = spo_inputs["demand"].to_crs("EPSG:31983")
    projected = lifecircle.nearest(net, spo_inputs["facilities"], utm).table
    assert (base["facility_id"].fillna("") == projected["facility_id"].fillna("")).all()
    assert (base["status"] == projected["status"]).all()
    ok = base["status"] == "ok"
    np.testing.assert_allclose(
        projected.loc[ok, "distance_m"], base.loc[ok, "distance_m"], rtol=1e-6, atol=1e-3
    )


def test_read_once_use_twice(spo_inputs):
    net = lifecircle.Network.read(SPO_PBF)
    fac = lifecircle.read_facilities(spo_inputs["facilities_csv"])
    dem = lifecircle.read_demand(spo_inputs["demand_csv"])
    assert len(fac) == len(spo_inputs["facilities"]) and fac.categories == ["school"]
    assert len(dem) == len(spo_inputs["demand"])
    a = lifecircle.nearest(net, fac, dem, max_minutes=5).table
    b = lifecircle.nearest(net, fac, dem, max_minutes=15).table
    # A longer cut-off reaches at least as many points, and the same ones at the same times.
    assert (b["status"] == "ok").sum() > (a["status"] == "ok").sum()
    both = (a["status"] == "ok").to_numpy()
    np.testing.assert_array_equal(a["time_s"].to_numpy()[both], b["time_s"].to_numpy()[both])
