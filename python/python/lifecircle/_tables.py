"""Conversions between the Rust side's plain values and pandas / GeoPandas tables."""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Union

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import _lifecircle as _lc

#: Coordinate reference system of every geometry lifecircle returns.
WGS84 = "EPSG:4326"

PathLike = Union[str, "os.PathLike[str]"]


def to_frame(layer: Dict[str, Any]) -> Union[pd.DataFrame, gpd.GeoDataFrame]:
    """A layer dict from the Rust side as a DataFrame (GeoDataFrame when it has geometries).

    Columns keep their order and types: real columns are float64 (NaN where empty), integer
    columns int64 (pandas' nullable Int64 when a cell is empty), text columns strings. The
    Chinese labels are in ``df.attrs["labels"]`` (column → label), the layer's name and label in
    ``df.attrs["name"]`` and ``df.attrs["label"]``. Geometries are WGS84 (EPSG:4326).
    """
    data: Dict[str, Any] = {}
    for name, kind in layer["columns"]:
        values = layer["data"][name]
        if kind == "real":
            data[name] = np.frombuffer(values, dtype="<f8").astype(np.float64)
        elif kind == "int":
            if isinstance(values, bytes):
                data[name] = np.frombuffer(values, dtype="<i8").astype(np.int64)
            else:
                data[name] = pd.array(values, dtype="Int64")
        else:
            data[name] = pd.array(values, dtype="str") if values else pd.array([], dtype="str")
    n = len(layer["geometry"]) if layer["geometry"] is not None else None
    index = pd.RangeIndex(n) if n is not None and not data else None
    df = pd.DataFrame(data, index=index)
    if layer["geometry"] is not None:
        geometry = shapely.from_wkb(np.array(layer["geometry"], dtype=object))
        df = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geometry, index=df.index), crs=WGS84)
    df.attrs["name"] = layer["name"]
    df.attrs["label"] = layer["label"]
    df.attrs["labels"] = dict(layer["labels"])
    return df


def with_chinese_headers(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of a result table with its columns renamed to their Chinese labels (as the CSV and
    XLSX outputs with ``headers = "zh"``); columns without a label keep their name."""
    labels = df.attrs.get("labels", {})
    return df.rename(columns=lambda c: labels.get(c, c))


def error(message: str, kind: str = "invalid_value") -> "_lc.LifecircleError":
    """A ``LifecircleError`` raised on the Python side, with its ``kind``."""
    e = _lc.LifecircleError(message)
    e.kind = kind
    return e


def _cells(series: pd.Series) -> List[Any]:
    """Values of a column as Python objects, ``None`` where missing."""
    s = series.astype(object)
    return s.where(s.notna(), None).tolist()


X_NAMES = ("lon", "lng", "long", "longitude", "经度", "x", "x坐标", "坐标x")
Y_NAMES = ("lat", "latitude", "纬度", "y", "y坐标", "坐标y")


def _find(columns: List[str], candidates: tuple) -> Optional[str]:
    for c in candidates:
        for h in columns:
            if str(h).strip().lower() == c:
                return h
    return None


def _columns_and_geometry(
    table: pd.DataFrame,
    crs: Optional[str],
    x_column: Optional[str],
    y_column: Optional[str],
    what: str,
) -> tuple:
    """Source name, row labels, columns, WKB geometries and CRS of a (Geo)DataFrame."""
    if isinstance(table, gpd.GeoDataFrame):
        source = f"{what} (GeoDataFrame)"
        geoms = table.geometry
        if crs is None and table.crs is not None:
            epsg = table.crs.to_epsg()
            if epsg is not None:
                crs = f"EPSG:{epsg}"
            else:
                geoms = geoms.to_crs(WGS84)
        columns = [
            (str(c), _cells(table[c])) for c in table.columns if c != table.geometry.name
        ]
        wkb = [None if g is None else shapely.to_wkb(g) for g in geoms.array]
    else:
        source = f"{what} (DataFrame)"
        names = [str(c) for c in table.columns]
        xc = x_column or _find(names, X_NAMES)
        yc = y_column or _find(names, Y_NAMES)
        if xc is None or yc is None:
            raise error(
                f"{source}, field `lon`: no coordinate columns: expected lon/lat (经度/纬度) or x/y "
                f"(columns: {', '.join(names)}), or pass a GeoDataFrame",
                "missing_field",
            )
        x = pd.to_numeric(table[xc], errors="coerce").to_numpy(dtype=float)
        y = pd.to_numeric(table[yc], errors="coerce").to_numpy(dtype=float)
        for col, vals in ((xc, x), (yc, y)):
            bad = np.flatnonzero(~np.isfinite(vals))
            if len(bad):
                raise error(
                    f"{source}, row {table.index[bad[0]]}, field `{col}`: "
                    f"not a number: {table[col].iloc[bad[0]]!r}"
                )
        columns = [(str(c), _cells(table[c])) for c in table.columns if c not in (xc, yc)]
        wkb = list(shapely.to_wkb(shapely.points(x, y)))
    rows = [str(i) for i in table.index]
    return source, rows, columns, wkb, crs


def facilities_input(
    facilities: Any,
    *,
    crs: Optional[str] = None,
    category: Optional[str] = None,
    layer: Optional[str] = None,
    encoding: Optional[str] = None,
    x_column: Optional[str] = None,
    y_column: Optional[str] = None,
    category_map: Optional[PathLike] = None,
) -> "_lc.Facilities":
    """Facilities from a file path, a (Geo)DataFrame or an already read set."""
    if isinstance(facilities, _lc.Facilities):
        return facilities
    if isinstance(facilities, pd.DataFrame):
        source, rows, columns, wkb, crs = _columns_and_geometry(
            facilities, crs, x_column, y_column, "facilities"
        )
        return _lc.facilities_from_columns(source, rows, columns, wkb, crs=crs, category=category)
    if isinstance(facilities, (str, os.PathLike)):
        return _lc.read_facilities(
            os.fspath(facilities),
            crs=crs,
            layer=layer,
            category=category,
            encoding=encoding,
            x_column=x_column,
            y_column=y_column,
            category_map=None if category_map is None else os.fspath(category_map),
        )
    raise TypeError(
        f"facilities: expected a file path or a (Geo)DataFrame, got {type(facilities).__name__}"
    )


def demand_input(
    demand: Any,
    *,
    crs: Optional[str] = None,
    population: Optional[str] = None,
    layer: Optional[str] = None,
    encoding: Optional[str] = None,
    x_column: Optional[str] = None,
    y_column: Optional[str] = None,
) -> "_lc.Demand":
    """Demand points from a file path, a (Geo)DataFrame or an already read set."""
    if isinstance(demand, _lc.Demand):
        return demand
    if isinstance(demand, pd.DataFrame):
        source, rows, columns, wkb, crs = _columns_and_geometry(
            demand, crs, x_column, y_column, "demand"
        )
        return _lc.demand_from_columns(source, rows, columns, wkb, crs=crs, population=population)
    if isinstance(demand, (str, os.PathLike)):
        if population is not None:
            raise TypeError("population= applies to a DataFrame; files use their population column")
        return _lc.read_demand(
            os.fspath(demand),
            crs=crs,
            layer=layer,
            encoding=encoding,
            x_column=x_column,
            y_column=y_column,
        )
    raise TypeError(f"demand: expected a file path or a (Geo)DataFrame, got {type(demand).__name__}")


def zones_input(
    zones: Any,
    *,
    crs: Optional[str] = None,
    layer: Optional[str] = None,
    name_field: Optional[str] = None,
    code_field: Optional[str] = None,
    district_field: Optional[str] = None,
) -> "_lc.Zones":
    """Zones from a file path, a GeoDataFrame of polygons or an already read set. The zones
    layer of a study result (``zone_code``, ``zone_name``, ``district``) is understood as is."""
    if isinstance(zones, _lc.Zones):
        return zones
    if isinstance(zones, gpd.GeoDataFrame):
        if zones.attrs.get("name") == "zones" and "zone_name" in zones.columns:
            name_field = name_field or "zone_name"
            code_field = code_field or "zone_code"
            district_field = district_field or "district"
        source, rows, columns, wkb, crs = _columns_and_geometry(zones, crs, None, None, "zones")
        return _lc.zones_from_columns(
            source,
            rows,
            columns,
            wkb,
            crs=crs,
            name_field=name_field,
            code_field=code_field,
            district_field=district_field,
        )
    if isinstance(zones, (str, os.PathLike)):
        return _lc.read_zones(
            os.fspath(zones),
            layer=layer,
            crs=crs,
            name_field=name_field,
            code_field=code_field,
            district_field=district_field,
        )
    raise TypeError(f"zones: expected a file path or a GeoDataFrame, got {type(zones).__name__}")
