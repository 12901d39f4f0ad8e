"""Bad input raises LifecircleError with the command line's message: the file (or table), the
row and the field."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

import lifecircle
from lifecircle import LifecircleError
from conftest import ROOT, SPO_PBF, STUDY, run_cli


def cli_error(cli, *args) -> str:
    p = run_cli(cli, *args, check=False)
    assert p.returncode == 1
    line = [l for l in p.stderr.splitlines() if l.startswith("error: ")][-1]
    return line[len("error: "):]


def test_bad_coordinate_names_file_row_and_field(cli, spo_inputs, tmp_path):
    bad = tmp_path / "schools_bad.csv"
    t = pd.read_csv(spo_inputs["facilities_csv"])
    t["lon"] = t["lon"].astype(object)
    t.loc[1, "lon"] = "abc"
    t.to_csv(bad, index=False)
    msg = cli_error(
        cli, "nearest", "--network", SPO_PBF, "--facilities", bad,
        "--demand", spo_inputs["demand_csv"], "--out", tmp_path / "o.csv", "--quiet",
    )
    with pytest.raises(LifecircleError) as e:
        lifecircle.nearest(lifecircle.Network.read(SPO_PBF), bad, spo_inputs["demand_csv"])
    assert str(e.value) == msg
    assert str(bad) in msg and "row 3" in msg and "field `lon`" in msg
    assert e.value.kind == "invalid_value"


def test_bad_study_key_as_cli(cli, tmp_path):
    text = STUDY.read_text(encoding="utf-8").replace("gap_cell_m = 250", "gap_cel_m = 250")
    bad = ROOT / "data" / "liechtenstein" / f"bad_{tmp_path.name}.toml"
    bad.write_text(text, encoding="utf-8")
    try:
        msg = cli_error(cli, "analyze", "--config", bad, "--out", tmp_path, "--quiet")
        with pytest.raises(LifecircleError) as e:
            lifecircle.run_study(bad)
        assert str(e.value) == msg
        assert "gap_cel_m" in msg and str(bad) in msg and "line " in msg
    finally:
        bad.unlink()


def test_missing_file_is_an_io_error(tmp_path):
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(LifecircleError) as e:
        lifecircle.run_study(missing)
    assert e.value.kind == "io"
    assert str(missing) in str(e.value) and "file not found" in str(e.value)


def test_negative_population_in_a_geodataframe(spo_inputs):
    d = spo_inputs["demand"].copy()
    d.index = [f"h{i}" for i in range(len(d))]
    d.loc["h7", "population"] = -3
    with pytest.raises(LifecircleError) as e:
        lifecircle.nearest(SPO_PBF, spo_inputs["facilities"], d)
    assert str(e.value) == "demand (GeoDataFrame), row h7, field `population`: negative value: -3"
    assert e.value.kind == "invalid_value"


def test_dataframe_without_category_column(spo_inputs):
    f = pd.read_csv(spo_inputs["facilities_csv"]).drop(columns=["category"])
    with pytest.raises(LifecircleError) as e:
        lifecircle.nearest(SPO_PBF, f, spo_inputs["demand"])
    assert str(e.value).startswith("facilities (DataFrame), field `category`: no category column")
    assert e.value.kind == "missing_field"
    # Naming the category for every row is enough.
    r = lifecircle.nearest(SPO_PBF, f, spo_inputs["demand"], category="school")
    assert set(r.table["category"]) == {"school"}


def test_missing_geometry_and_bad_coordinates(spo_inputs):
    f = spo_inputs["facilities"].copy()
    row = f.index[2]
    f.loc[row, "geometry"] = None
    # Rows are named by the frame's index label.
    with pytest.raises(LifecircleError, match=rf"row {row}, field `geometry`: the row has no geometry"):
        lifecircle.nearest(SPO_PBF, f, spo_inputs["demand"])
    t = pd.read_csv(spo_inputs["demand_csv"])
    t["lat"] = t["lat"].astype(object)
    t.loc[4, "lat"] = "n/a"
    with pytest.raises(LifecircleError, match=r"demand \(DataFrame\), row 4, field `lat`"):
        lifecircle.nearest(SPO_PBF, spo_inputs["facilities"], t)


def test_points_outside_the_network(spo_inputs):
    far = spo_inputs["demand"].copy()
    far["geometry"] = gpd.points_from_xy(far.geometry.x + 5, far.geometry.y)
    with pytest.raises(LifecircleError) as e:
        lifecircle.nearest(SPO_PBF, spo_inputs["facilities"], far)
    assert e.value.kind == "mismatch" and "no demand point lies within 500 m" in str(e.value)


def test_bad_options_name_the_option(spo_inputs):
    with pytest.raises(LifecircleError, match="`mode`"):
        lifecircle.Network.read(SPO_PBF, mode="hover")
    with pytest.raises(LifecircleError, match="`keep_components`"):
        lifecircle.Network.read(SPO_PBF, keep_components="some")
    with pytest.raises(LifecircleError, match="`max_minutes`: must be above 0 and at most 600 minutes"):
        lifecircle.nearest(SPO_PBF, spo_inputs["facilities"], spo_inputs["demand"], max_minutes=0)
    with pytest.raises(LifecircleError, match="`categories`: no facility has category \"park\""):
        lifecircle.nearest(
            SPO_PBF, spo_inputs["facilities"], spo_inputs["demand"], categories=["park"]
        )
    with pytest.raises(LifecircleError, match="`crs`"):
        lifecircle.read_demand(spo_inputs["demand_csv"], crs="EPSG:nope")
    with pytest.raises(TypeError):
        lifecircle.nearest(SPO_PBF, 42, spo_inputs["demand"])


def test_unknown_layer(demo):
    with pytest.raises(LifecircleError, match="no layer \"streets\""):
        demo.layer("streets")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"max_minutes": float("nan")}, "`max_minutes`: must be above 0 and at most 600 minutes, got NaN"),
        ({"max_minutes": 1e9}, "`max_minutes`: must be above 0 and at most 600 minutes, got 1,000,000,000"),
        ({"max_snap_m": -1}, "`max_snap_m`: must be above 0 and at most 10,000 m, got -1"),
    ],
)
def test_out_of_range_numbers_name_the_argument_and_range(spo_inputs, kwargs, message):
    with pytest.raises(LifecircleError) as e:
        lifecircle.nearest(SPO_PBF, spo_inputs["facilities"], spo_inputs["demand"], **kwargs)
    assert str(e.value) == message
    assert e.value.kind == "invalid_value"


def test_out_of_range_speed_and_site_selection_numbers(spo_inputs):
    with pytest.raises(LifecircleError, match="`speed`: speed must be from 0.1 to 50 m/s, got 1000"):
        lifecircle.Network.read(SPO_PBF, speed=1000)
    net = lifecircle.Network.read(SPO_PBF)
    for kwargs, message in [
        ({"candidates": "hexagons:1e-9", "k": 2}, "`candidates`: the hexagon size in \"hexagons:1e-9\" must be from 10 to 100,000 m, got 1e-9"),
        ({"candidates": "gap-nodes:1e-7", "k": 2}, "`candidates`: the node spacing in \"gap-nodes:1e-7\" must be from 10 to 100,000 m, got 1e-7"),
        ({"candidates": "hexagons", "k": 0}, "`k`: must be from 1 to 100,000, got 0"),
        ({"candidates": "hexagons", "target_share": 2.0}, "`target_share`: must be above 0 and at most 1, got 2"),
        ({"candidates": "hexagons", "k": 2, "time_limit": float("inf")}, "`time_limit`: must be above 0 and at most 86,400 s, got inf"),
    ]:
        with pytest.raises(LifecircleError) as e:
            lifecircle.site_select(
                net, spo_inputs["demand"], category="school", max_minutes=10, **kwargs
            )
        assert str(e.value) == message
