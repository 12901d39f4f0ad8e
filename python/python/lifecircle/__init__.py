"""lifecircle (生活圈): who can walk to a clinic, a 颐康中心, a library or a sports ground within
10 or 15 minutes, measured along real streets.

The Python face of the ``lifecircle`` Rust library: the same computations as the command line,
with results as pandas DataFrames and GeoPandas GeoDataFrames (WGS84, EPSG:4326) instead of files.

- :func:`run_study` runs a study file (``lifecircle analyze``): coverage by 街道/镇 against the
  planning standards, gaps, service areas, the plan of a ``[scenario]``.
- :class:`Network` reads a street network once; :func:`nearest` gives every demand point's
  nearest facility per category (``lifecircle nearest``).
- :func:`access` measures capacity per person within reach (2SFCA / E2SFCA, ``lifecircle
  access``); :func:`site_select` chooses new sites that cover the most people not yet covered
  (``lifecircle site-select``).

Facilities and demand are file paths (tables, GIS layers, ``.osm.pbf``) or (Geo)DataFrames with
the same columns (``id``, ``category``, ``capacity`` / ``id``, ``population``). Every problem
with an input raises :class:`LifecircleError` with the message the command line prints, naming
the file (or table), the row and the field. Every number has the command line's allowed range
(speeds 0.1–50 m/s, minutes above 0 and at most 600, ``k`` 1–100,000, hexagon cells 10 m–100 km,
...; the table is in the README): a value outside it, NaN or infinite raises
:class:`LifecircleError` naming the argument and the range.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import geopandas as gpd
import pandas as pd

from . import _lifecircle as _lc
from ._lifecircle import Demand, Facilities, LifecircleError, Network, Zones, __version__
from ._tables import (
    WGS84,
    PathLike,
    demand_input,
    error,
    facilities_input,
    to_frame,
    with_chinese_headers,
    zones_input,
)

__all__ = [
    "LifecircleError",
    "Study",
    "StudyResult",
    "run_study",
    "Network",
    "Facilities",
    "Demand",
    "Zones",
    "read_facilities",
    "read_demand",
    "read_zones",
    "NearestResult",
    "nearest",
    "AccessResult",
    "access",
    "SiteSelection",
    "site_select",
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
        ``villages``, ``sites``, ``service_areas`` or ``facility_service_areas``."""
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
    def sites(self) -> gpd.GeoDataFrame:
        """New sites chosen by the study's ``[[siting]]`` sections, per category in rank order
        with the population each adds (empty without such sections)."""
        return self.layer("sites")

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
            p = StudyResult(base.compute_plan(quiet=quiet), self)
        elif plan:
            raise error(f"{self.path}, field `scenario`: the study has no [scenario]", "missing_field")
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


def read_zones(
    path: PathLike,
    *,
    layer: Optional[str] = None,
    crs: Optional[str] = None,
    name_field: Optional[str] = None,
    code_field: Optional[str] = None,
    district_field: Optional[str] = None,
) -> Zones:
    """Reads zones (街道/镇) from a polygon layer: name, code and district fields as given, else
    found by their usual names (``name``/``名称``, ``code``/``代码``, ``district``/``区``)."""
    return zones_input(
        path,
        layer=layer,
        crs=crs,
        name_field=name_field,
        code_field=code_field,
        district_field=district_field,
    )


def _access_facilities(facilities: Any, crs: Optional[str], category: Optional[str]) -> Facilities:
    """As ``lifecircle access --category``: only that category when the facilities have a
    category column, the category of every facility when they have none."""
    if isinstance(facilities, Facilities):
        return facilities if category is None else facilities.only([category])
    if category is None:
        return facilities_input(facilities, crs=crs)
    try:
        fac = facilities_input(facilities, crs=crs)
    except LifecircleError as e:
        if getattr(e, "kind", None) == "missing_field":
            return facilities_input(facilities, crs=crs, category=category)
        raise
    return fac.only([category])


@dataclass
class AccessResult:
    """The result of :func:`access`."""

    #: One row per demand point and category: ``demand_id, category, access`` (capacity per
    #: person within reach), ``population``, ``facilities`` (how many reach it), ``status``.
    table: gpd.GeoDataFrame
    #: One row per facility: ``facility_id, category, ratio`` (capacity per weighted person in
    #: its catchment; empty with status ``no_demand`` when nobody is in reach), ``capacity``,
    #: ``demand``, ``demand_points``, ``status``.
    facilities: gpd.GeoDataFrame
    #: Every facility–demand pair within the catchment with ``time_s`` and ``distance_m``
    #: (``catchments=True``).
    catchments: Optional[pd.DataFrame]
    #: What was left out: facilities not snapped or without demand, demand points not snapped.
    warnings: List[str]


def access(
    network: Union[Network, PathLike],
    facilities: Union[PathLike, pd.DataFrame, Facilities],
    demand: Union[PathLike, pd.DataFrame, Demand],
    *,
    max_minutes: float,
    decay: str = "step",
    weights: Optional[Sequence[Tuple[float, float]]] = None,
    category: Optional[str] = None,
    max_snap_m: float = 500.0,
    facilities_crs: Optional[str] = None,
    demand_crs: Optional[str] = None,
    mode: str = "walk",
    catchments: bool = False,
) -> AccessResult:
    """Capacity-aware accessibility, two-step floating catchment area (``lifecircle access``).

    Each facility's capacity (``capacity``/``容量``/``床位``/``学位`` column) is divided by the
    population (``population``/``人口``) within ``max_minutes`` of it, weighted by ``decay``
    (``step``: 2SFCA; ``gaussian``) or by stepwise ``weights`` ``[(5, 1.0), (10, 0.68), (15,
    0.22)]`` (E2SFCA, upper bounds in minutes); each demand point then sums the ratios of the
    facilities it reaches. ``category``: only that category (or the category of every facility
    of a table without a category column).
    """
    net = _network(network, mode)
    fac = _access_facilities(facilities, facilities_crs, category)
    dem = demand_input(demand, crs=demand_crs)
    r = _lc.access(
        net,
        fac,
        dem,
        max_minutes=max_minutes,
        decay=decay,
        weights=None if weights is None else [(float(m), float(w)) for m, w in weights],
        max_snap_m=max_snap_m,
        catchments=catchments,
    )
    return AccessResult(
        table=to_frame(r["access"]),
        facilities=to_frame(r["facility_access"]),
        catchments=to_frame(r["catchments"]) if "catchments" in r else None,
        warnings=list(r["warnings"]),
    )


@dataclass
class SiteSelection:
    """The result of :func:`site_select`."""

    #: The chosen sites in rank order: ``rank, candidate_id, added_population``
    #: (people newly covered given the sites ranked before), ``cumulative_population``, ``lon``,
    #: ``lat``, ``zone`` (and ``capacity`` with capacities); points in WGS84.
    sites: gpd.GeoDataFrame
    #: Goal, method, whether the answer is proven optimal and the proven gap, populations
    #: before and after, problem size (the ``--summary`` file).
    summary: Dict[str, Any]
    #: Rules that cannot be met, candidates not snapped, ...
    warnings: List[str]
    #: Candidate–demand pairs of the covering problem (``matrix=True``).
    coverage_matrix: Optional[pd.DataFrame] = None

    def __iter__(self):
        # ``sites, summary = site_select(...)``
        return iter((self.sites, self.summary))


def site_select(
    network: Union[Network, PathLike],
    demand: Union[PathLike, pd.DataFrame, Demand],
    *,
    category: str,
    max_minutes: float,
    k: Optional[int] = None,
    target_share: Optional[float] = None,
    candidates: Union[str, PathLike, pd.DataFrame, Facilities] = "gap-nodes",
    facilities: Union[None, PathLike, pd.DataFrame, Facilities] = None,
    zones: Union[None, PathLike, gpd.GeoDataFrame, Zones] = None,
    one_per_zone: bool = False,
    max_per_district: Optional[int] = None,
    exclude_zones: Sequence[str] = (),
    mask: Union[None, PathLike, gpd.GeoDataFrame, Zones] = None,
    site_capacity: Optional[float] = None,
    people_per_unit: Optional[float] = None,
    method: str = "auto",
    time_limit: float = 60.0,
    max_snap_m: float = 500.0,
    facilities_crs: Optional[str] = None,
    demand_crs: Optional[str] = None,
    candidates_crs: Optional[str] = None,
    category_map: Optional[PathLike] = None,
    mode: str = "walk",
    matrix: bool = False,
) -> SiteSelection:
    """Where should the next facilities of ``category`` go (``lifecircle site-select``)?

    Chooses ``k`` new sites that cover the most population not yet covered by the existing
    ``facilities`` within ``max_minutes`` (maximal covering), or with ``target_share`` the fewest
    sites that bring coverage to that share of the coverable population (set covering).

    ``candidates``: a table, layer or (Geo)DataFrame of possible sites, or generated:
    ``"gap-nodes[:SPACING_M]"`` (street nodes no existing facility reaches in time) or
    ``"hexagons[:CELL_M]"`` (centres of hexagons holding uncovered demand). ``zones`` (a file, a
    GeoDataFrame, or a study result's ``zones``) enable the rules ``one_per_zone`` (a site in
    every zone lacking the category, e.g. one 颐康中心 per 街道/镇), ``max_per_district`` and
    ``exclude_zones`` (zone codes); ``mask``: polygons where no site may go. Capacities:
    ``site_capacity`` people per new site, or ``people_per_unit`` times each candidate's own
    capacity. ``method``: ``auto`` (greedy with swaps, then an exact integer program with a
    proven gap), ``greedy`` or ``exact``.
    """
    net = _network(network, mode)
    dem = demand_input(demand, crs=demand_crs)
    existing = (
        None
        if facilities is None
        else facilities_input(facilities, crs=facilities_crs, category_map=category_map)
    )
    if isinstance(candidates, pd.DataFrame):
        cand: Any = facilities_input(candidates, crs=candidates_crs, category=category)
    elif isinstance(candidates, os.PathLike):
        cand = os.fspath(candidates)
    else:
        cand = candidates
    r = _lc.site_select(
        net,
        dem,
        cand,
        category=category,
        max_minutes=max_minutes,
        k=k,
        target_share=target_share,
        facilities=existing,
        zones=None if zones is None else zones_input(zones),
        mask=None if mask is None else zones_input(mask),
        exclude_zones=list(exclude_zones),
        one_per_zone=one_per_zone,
        max_per_district=max_per_district,
        site_capacity=site_capacity,
        people_per_unit=people_per_unit,
        method=method,
        time_limit=time_limit,
        max_snap_m=max_snap_m,
        candidates_crs=candidates_crs,
        category_map=None if category_map is None else os.fspath(category_map),
        matrix=matrix,
    )
    return SiteSelection(
        sites=to_frame(r["sites"]),
        summary=json.loads(r["summary"]),
        warnings=list(r["warnings"]),
        coverage_matrix=to_frame(r["coverage_matrix"]) if "coverage_matrix" in r else None,
    )
