"""`lifecircle.access` equals `lifecircle access` (2SFCA / E2SFCA) on the São Paulo sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import lifecircle
from lifecircle import LifecircleError
from conftest import SPO_PBF, assert_table_equal, read_cli_csv, run_cli

WEIGHTS = [(5, 1.0), (10, 0.68), (15, 0.22)]


@pytest.fixture(scope="module")
def spo_network():
    return lifecircle.Network.read(SPO_PBF)


@pytest.mark.parametrize("decay", ["step", "gaussian", "weights"])
def test_access_equals_cli(cli, spo_network, spo_inputs, tmp_path, decay):
    out, fac_out, pairs = tmp_path / "a.csv", tmp_path / "f.csv", tmp_path / "c.csv"
    option = ["--weights", ",".join(f"{m}:{w}" for m, w in WEIGHTS)] if decay == "weights" else [
        "--decay", decay
    ]
    run_cli(
        cli, "access", "--network", SPO_PBF, "--facilities", spo_inputs["facilities_csv"],
        "--demand", spo_inputs["demand_csv"], "--category", "school", "--max-minutes", "15",
        *option, "--out", out, "--facility-out", fac_out, "--catchments-out", pairs, "--quiet",
    )
    kwargs = {"weights": WEIGHTS} if decay == "weights" else {"decay": decay}
    for facilities, demand in [
        (spo_inputs["facilities_csv"], spo_inputs["demand_csv"]),
        (spo_inputs["facilities"], spo_inputs["demand"]),
    ]:
        r = lifecircle.access(
            spo_network, facilities, demand, category="school", max_minutes=15,
            catchments=True, **kwargs,
        )
        assert (r.table["access"] > 0).sum() > 50
        assert_table_equal(read_cli_csv(out), r.table, headers="en")
        assert_table_equal(read_cli_csv(fac_out), r.facilities, headers="en")
        assert_table_equal(read_cli_csv(pairs), r.catchments, headers="en")


def test_step_2sfca_hands_out_all_capacity(spo_network, spo_inputs):
    # With step weights every unit of capacity of a facility with demand in reach is shared out
    # among the people in reach: Σ access × population = Σ capacity of those facilities.
    r = lifecircle.access(
        spo_network, spo_inputs["facilities"], spo_inputs["demand"], max_minutes=10
    )
    t, f = r.table, r.facilities
    handed_out = (t["access"] * t["population"]).sum()
    served = f.loc[f["status"] == "ok", "capacity"].sum()
    assert served > 0
    assert handed_out == pytest.approx(served, rel=1e-9)
    # Facilities nobody reaches are reported, not divided by zero.
    assert f.loc[f["status"] != "ok", "ratio"].isna().all()


def test_category_names_facilities_without_a_category_column(spo_network, spo_inputs):
    plain = spo_inputs["facilities"].drop(columns=["category"])
    a = lifecircle.access(spo_network, plain, spo_inputs["demand"], category="school", max_minutes=15)
    b = lifecircle.access(
        spo_network, spo_inputs["facilities"], spo_inputs["demand"], category="school",
        max_minutes=15,
    )
    np.testing.assert_array_equal(a.table["access"].to_numpy(), b.table["access"].to_numpy())
    with pytest.raises(LifecircleError, match="no facility has category \"clinic\""):
        lifecircle.access(
            spo_network, spo_inputs["facilities"], spo_inputs["demand"], category="clinic",
            max_minutes=15,
        )


def test_access_errors_name_the_field(spo_network, spo_inputs):
    no_capacity = spo_inputs["facilities"].drop(columns=["capacity"])
    with pytest.raises(LifecircleError, match="field `capacity`") as e:
        lifecircle.access(spo_network, no_capacity, spo_inputs["demand"], max_minutes=15)
    assert e.value.kind == "missing_field"
    bad = spo_inputs["facilities"].copy()
    bad.loc[bad.index[3], "capacity"] = -2
    with pytest.raises(
        LifecircleError,
        match=rf"facilities \(GeoDataFrame\), row {bad.index[3]}, field `capacity`: negative capacity",
    ):
        lifecircle.access(spo_network, bad, spo_inputs["demand"], max_minutes=15)
    with pytest.raises(LifecircleError, match="`weights`"):
        lifecircle.access(
            spo_network, spo_inputs["facilities"], spo_inputs["demand"], max_minutes=15,
            weights=[(10, 1.0), (5, 0.5)],
        )
    with pytest.raises(LifecircleError, match="`decay`"):
        lifecircle.access(
            spo_network, spo_inputs["facilities"], spo_inputs["demand"], max_minutes=15,
            decay="linear",
        )
