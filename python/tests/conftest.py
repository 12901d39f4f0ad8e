"""Shared fixtures: the repository's sample data, the release command-line binary, and one run of
the demo study through both the command line and the Python API."""

from __future__ import annotations

import csv
import math
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lifecircle

ROOT = Path(__file__).resolve().parents[2]
STUDY = ROOT / "data" / "liechtenstein" / "study.toml"
PBF = ROOT / "data" / "liechtenstein" / "liechtenstein-latest.osm.pbf"
SPO_PBF = ROOT / "data" / "sao-paulo" / "spo_osm.pbf"
SPO_HEXGRID = ROOT / "data" / "sao-paulo" / "spo_hexgrid.csv"


@pytest.fixture(scope="session")
def cli() -> Path:
    """The release binary (``cargo build --release``; ``LIFECIRCLE_BIN`` overrides)."""
    path = Path(os.environ.get("LIFECIRCLE_BIN", ROOT / "target" / "release" / "lifecircle"))
    if not path.exists():
        pytest.fail(f"{path} is missing: run `cargo build --release` first")
    return path


def run_cli(cli: Path, *args: object, check: bool = True) -> subprocess.CompletedProcess:
    """Runs the command line from the repository root."""
    return subprocess.run(
        [str(cli), *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=check,
    )


@pytest.fixture(scope="session")
def cli_demo(cli, tmp_path_factory) -> Path:
    """``lifecircle analyze --config data/liechtenstein/study.toml --out DIR``."""
    out = tmp_path_factory.mktemp("cli_demo")
    run_cli(cli, "analyze", "--config", STUDY, "--out", out, "--quiet")
    return out


@pytest.fixture(scope="session")
def demo() -> lifecircle.StudyResult:
    """The demo study through the Python API."""
    return lifecircle.run_study(STUDY)


@pytest.fixture(scope="session")
def spo_inputs(tmp_path_factory) -> dict:
    """São Paulo sample: population per hexagon as demand, hexagons with schools as facilities
    (capacity = number of schools), as CSV files and as GeoDataFrames."""
    import geopandas as gpd

    d = tmp_path_factory.mktemp("spo")
    hx = pd.read_csv(SPO_HEXGRID)
    demand = hx[["id", "lon", "lat", "population"]]
    schools = hx[hx["schools"] > 0].assign(category="school", capacity=lambda t: t["schools"])
    facilities = schools[["id", "category", "lon", "lat", "capacity"]]
    demand.to_csv(d / "population.csv", index=False)
    facilities.to_csv(d / "schools.csv", index=False)

    def gdf(t):
        return gpd.GeoDataFrame(
            t.drop(columns=["lon", "lat"]),
            geometry=gpd.points_from_xy(t["lon"], t["lat"]),
            crs="EPSG:4326",
        )

    return {
        "dir": d,
        "demand_csv": d / "population.csv",
        "facilities_csv": d / "schools.csv",
        "demand": gdf(demand),
        "facilities": gdf(facilities),
    }


def read_cli_csv(path: Path) -> pd.DataFrame:
    """A CSV the command line wrote, every cell as text (empty cells as ""), headers as written
    (Chinese labels may repeat)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    return pd.DataFrame(rows[1:], columns=rows[0], dtype=object)


def close(a: float, b: float, rel: float = 1e-9) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= rel * max(abs(a), abs(b))


def assert_column_equal(name: str, text: pd.Series, values: pd.Series) -> None:
    """A column read back from CSV as text against the API's values: text exactly, numbers to
    1e-9 relative, empty cells where the API has a missing value."""
    assert len(text) == len(values), name
    numeric = pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
        values.dtype
    )
    for i, (t, v) in enumerate(zip(text.tolist(), values.tolist())):
        missing = v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))
        if missing:
            assert t == "", f"{name} row {i}: CSV has {t!r}, the API nothing"
        elif numeric:
            assert t != "", f"{name} row {i}: CSV is empty, the API has {v!r}"
            assert close(float(t), float(v)), f"{name} row {i}: CSV {t}, API {v!r}"
        else:
            assert t == str(v), f"{name} row {i}: CSV {t!r}, API {v!r}"


def assert_table_equal(csv: pd.DataFrame, df: pd.DataFrame, headers: str = "zh") -> None:
    """Every column of a result table against the CSV the command line wrote for it, in order;
    headers are the Chinese labels (``headers = "zh"``) or the names."""
    labels = df.attrs["labels"]
    cols = [c for c in df.columns if c != "geometry"]
    expected = [labels.get(c, c) if headers == "zh" else c for c in cols]
    assert list(csv.columns[: len(cols)]) == expected
    assert len(csv) == len(df)
    for i, c in enumerate(cols):
        assert_column_equal(c, csv.iloc[:, i], df[c])
