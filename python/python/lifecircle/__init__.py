"""lifecircle (生活圈): who can walk to a clinic, a 颐康中心, a library or a sports ground within
10 or 15 minutes, measured along real streets.

The Python face of the ``lifecircle`` Rust library: the same computations as the command line,
with results as pandas DataFrames and GeoPandas GeoDataFrames (WGS84, EPSG:4326) instead of files.

- :func:`run_study` runs a study file (``lifecircle analyze``): coverage by 街道/镇 against the
  planning standards, gaps, service areas, the plan of a ``[scenario]``.
- :class:`Network` reads a street network once; :func:`nearest` gives every demand point's
  nearest facility per category (``lifecircle nearest``).

Facilities and demand are file paths (tables, GIS layers, ``.osm.pbf``) or (Geo)DataFrames with
the same columns (``id``, ``category``, ``capacity`` / ``id``, ``population``). Every problem
with an input raises :class:`LifecircleError` with the message the command line prints, naming
the file (or table), the row and the field.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Union

import geopandas as gpd
import pandas as pd

from . import _lifecircle as _lc
from ._lifecircle import Demand, Facilities, LifecircleError, Network, __version__
from ._tables import WGS84, PathLike, demand_input, facilities_input, to_frame, with_chinese_headers

__all__ = [
    "LifecircleError",
    "Study",
    "StudyResult",
    "run_study",
    "Network",
    "Facilities",
    "Demand",
    "read_facilities",
    "read_demand",
    "NearestResult",
    "nearest",
    "with_chinese_headers",
    "WGS84",
    "__version__",
]


class StudyResult:
    """Everything a study computed, as tables.

    The map layers are GeoDataFrames in WGS84 with the columns of the GeoPackage the command line
    writes (Chinese labels in ``df.attrs["labels"]``); each is built on first use.
    """

    def __init__(self, raw: "_lc.StudyResult", study: "Study", plan: Optional["StudyResult"] = None):
        self._raw = raw
        self.study = study
        #: The ``[scenario]`` plan's result (``None`` without a scenario, and on the plan itself).
        self.plan = plan

    def layer(self, name: str) -> Union[pd.DataFrame, gpd.GeoDataFrame]:
        """A result layer by name: ``zones``, ``districts``, ``demand``, ``facilities``, ``gaps``,
        ``villages``, ``service_areas`` or ``facility_service_areas``."""
        return to_frame(self._raw.layer(name))

    @cached_property
    def zones(self) -> gpd.GeoDataFrame:
        """Per 街道/镇: population, covered population and share per category and circle, the
        complete-life-circle share, facility counts, every rule with value, target and pass, and
        the gap rank."""
        return self.layer("zones")

    @cached_property
    def districts(self) -> pd.DataFrame:
        """The same figures per district (区), then one row for the whole city."""
        return self.layer("districts")

    @cached_property
    def demand(self) -> gpd.GeoDataFrame:
        """Every demand point with its zone, population, time and distance to the nearest
        facility per category, and coverage flags."""
        return self.layer("demand")

    @cached_property
    def facilities(self) -> gpd.GeoDataFrame:
        """Every facility with its category, zone, capacity and the population it serves within
        the threshold."""
        return self.layer("facilities")

    @cached_property
    def gaps(self) -> gpd.GeoDataFrame:
        """Uncovered populated areas per category and for the complete life circle (hexagons,
        dissolved)."""
        return self.layer("gaps")

    @cached_property
    def villages(self) -> gpd.GeoDataFrame:
        """Villages / neighbourhood committees (村居) with their per-village rules (empty when the
        study names none)."""
        return self.layer("villages")

    @cached_property
    def service_areas(self) -> gpd.GeoDataFrame:
        """Per category and threshold, the area reachable along the streets (empty unless the
        study's ``[report]`` asks for service areas)."""
        return self.layer("service_areas")

    @cached_property
    def facility_service_areas(self) -> gpd.GeoDataFrame:
        """Per facility and threshold, the area reachable along the streets (empty unless the
        study asks for them)."""
        return self.layer("facility_service_areas")

    @cached_property
    def summary(self) -> Dict[str, Any]:
        """The headline figures against the targets (the content of ``summary.json``)."""
        return json.loads(self._raw.summary_json())

    @property
    def notes(self) -> List[str]:
        """What was dropped, reported or assumed during the run."""
        return list(self._raw.notes)

    @cached_property
    def scenario(self) -> Optional[pd.DataFrame]:
        """Per zone, every numeric zone figure for the baseline (``*_base``), the plan
        (``*_plan``) and the difference (``*_delta``), as ``scenario_zones.csv``; ``None``
        without a plan."""
        if self.plan is None:
            return None
        return to_frame(self._raw.scenario_layer(self.plan._raw))

    def write(self, out: Optional[PathLike] = None) -> List[Path]:
        """Writes every output the study asks for into ``out`` (default: the study's output
        folder), exactly as ``lifecircle analyze --out`` does, the plan's into ``out/plan``.
        Returns the files written."""
        plan = None if self.plan is None else self.plan._raw
        files = self._raw.write(None if out is None else os.fspath(out), plan)
        return [Path(f) for f in files]

    def __repr__(self) -> str:
        return f"<StudyResult of {self.study.name!r}{' with a plan' if self.plan else ''}>"


class Study:
    """A study file (TOML), read and checked: network, facilities, demand, zones, standards and
    outputs. ``data/liechtenstein/study.toml`` explains every key."""

    def __init__(self, raw: "_lc.Study"):
        self._raw = raw

    @classmethod
    def read(cls, path: PathLike) -> "Study":
        """Reads and checks a study file; errors name the key (and line) at fault."""
        return cls(_lc.Study.read(os.fspath(path)))

    @property
    def name(self) -> str:
        """The study's title."""
        return self._raw.name

    @property
    def path(self) -> Path:
        """The study file."""
        return Path(self._raw.path)

    @property
    def output_folder(self) -> Path:
        """The output folder the study names."""
        return Path(self._raw.output_folder)

    @property
    def has_scenario(self) -> bool:
        """Whether the study has a ``[scenario]`` plan."""
        return self._raw.has_scenario

    def run(self, *, quiet: bool = True, plan: Optional[bool] = None) -> StudyResult:
        """Computes the study (and its ``[scenario]`` plan, unless ``plan=False``). ``quiet=False``
        prints each step's time on stderr; warnings are printed either way."""
        base = self._raw.compute(quiet=quiet)
        p = None
        if self.has_scenario and plan is not False:
            p = StudyResult(self._raw.compute(plan=True, quiet=quiet), self)
        elif plan:
            raise _lc.LifecircleError(f"{self.path}, field `scenario`: the study has no [scenario]")
        return StudyResult(base, self, p)

    def __repr__(self) -> str:
        return f"Study({str(self.path)!r}, name={self.name!r})"


def run_study(
    path: PathLike, *, out: Optional[PathLike] = None, quiet: bool = True
) -> StudyResult:
    """Runs a study file as ``lifecircle analyze --config path`` does and returns its results as
    tables; with ``out``, also writes the output files there (the CLI's ``--out``).

    >>> r = run_study("data/liechtenstein/study.toml")          # doctest: +SKIP
    >>> r.zones[["zone_name", "population"]]                     # doctest: +SKIP
    """
    result = Study.read(path).run(quiet=quiet)
    if out is not None:
        result.write(out)
    return result


def read_facilities(
    path: PathLike,
    *,
    crs: Optional[str] = None,
    layer: Optional[str] = None,
    category: Optional[str] = None,
    encoding: Optional[str] = None,
    x_column: Optional[str] = None,
    y_column: Optional[str] = None,
    category_map: Optional[PathLike] = None,
) -> Facilities:
    """Reads facilities once to use them in several runs: a CSV/XLSX table (``id, category, lon,
    lat[, capacity]`` or ``编号, 类别, 经度, 纬度``), a point or polygon layer, or an ``.osm.pbf``
    classified by ``category_map``. ``crs``: ``wgs84``, ``cgcs2000``, ``gcj02``, ``bd09`` or
    ``EPSG:n``. ``category``: the category of every row when there is no category column."""
    return facilities_input(
        path,
        crs=crs,
        layer=layer,
        category=category,
        encoding=encoding,
        x_column=x_column,
        y_column=y_column,
        category_map=category_map,
    )


def read_demand(
    path: PathLike,
    *,
    crs: Optional[str] = None,
    layer: Optional[str] = None,
    encoding: Optional[str] = None,
    x_column: Optional[str] = None,
    y_column: Optional[str] = None,
) -> Demand:
    """Reads demand points once: a table (``id, lon, lat[, population]``), a point or polygon
    layer, or an ``.osm.pbf`` (its buildings)."""
    return demand_input(
        path, crs=crs, layer=layer, encoding=encoding, x_column=x_column, y_column=y_column
    )


def _network(network: Union[Network, PathLike], mode: str) -> Network:
    if isinstance(network, Network):
        return network
    return Network.read(os.fspath(network), mode=mode)


@dataclass
class NearestResult:
    """The result of :func:`nearest`."""

    #: One row per demand point and category: ``demand_id, category, facility_id, distance_m,
    #: time_s, status, access_m`` at the demand point (the ``lifecircle nearest`` output).
    table: gpd.GeoDataFrame
    #: How every facility location snapped to the network (``--facility-report``).
    facility_snapping: gpd.GeoDataFrame
    #: Every node's time and distance to the nearest facility per category (``--nodes-out``),
    #: when asked for with ``node_times=True``.
    nodes: Optional[gpd.GeoDataFrame] = None


def nearest(
    network: Union[Network, PathLike],
    facilities: Union[PathLike, pd.DataFrame, Facilities],
    demand: Union[PathLike, pd.DataFrame, Demand],
    *,
    max_minutes: Optional[float] = None,
    max_snap_m: float = 500.0,
    categories: Optional[Sequence[str]] = None,
    category: Optional[str] = None,
    facilities_crs: Optional[str] = None,
    demand_crs: Optional[str] = None,
    category_map: Optional[PathLike] = None,
    mode: str = "walk",
    node_times: bool = False,
) -> NearestResult:
    """Travel time and ground distance from every demand point to the nearest facility of every
    category, along the streets (``lifecircle nearest``).

    ``network``: a :class:`Network` (read once, reused) or a file read for ``mode``.
    ``facilities`` / ``demand``: file paths, (Geo)DataFrames or sets read with
    :func:`read_facilities` / :func:`read_demand`. ``max_minutes``: facilities farther away count
    as not reached. ``categories``: only these. ``category``: the category of every facility of
    a table without a category column. ``category_map``: how OSM tags map to categories (TOML;
    default: the built-in mapping). ``node_times``: also every network node's times.
    """
    net = _network(network, mode)
    fac = facilities_input(
        facilities, crs=facilities_crs, category=category, category_map=category_map
    )
    dem = demand_input(demand, crs=demand_crs)
    layers = _lc.nearest(
        net,
        fac,
        dem,
        max_minutes=max_minutes,
        max_snap_m=max_snap_m,
        categories=list(categories or []),
        node_times=node_times,
    )
    return NearestResult(
        table=to_frame(layers["nearest"]),
        facility_snapping=to_frame(layers["facility_snapping"]),
        nodes=to_frame(layers["nodes"]) if "nodes" in layers else None,
    )
