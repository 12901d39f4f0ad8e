"""Type stubs of the Rust extension module ``lifecircle._lifecircle``.

Layers cross as dicts (``LayerDict``): ``name``, ``label``, ``geometry_type``, ``columns``
(``[(name, "real" | "int" | "text")]``), ``labels`` (column → Chinese label), ``data`` (column →
little-endian f64/i64 ``bytes`` or a list) and ``geometry`` (WKB ``bytes`` per row, or ``None``).
"""

from os import PathLike
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

_Path = Union[str, PathLike[str]]
LayerDict = Dict[str, Any]

__version__: str

class LifecircleError(Exception):
    """An input, setting or computation lifecircle cannot use; the message names the file, row
    and field as on the command line."""

    kind: str

class Study:
    @staticmethod
    def read(path: _Path) -> Study: ...
    @property
    def name(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def output_folder(self) -> str: ...
    @property
    def has_scenario(self) -> bool: ...
    @property
    def scenario_name(self) -> Optional[str]: ...
    def compute(self, *, quiet: bool = True) -> StudyResult: ...

class StudyResult:
    @staticmethod
    def layer_names() -> List[str]: ...
    def compute_plan(self, *, quiet: bool = True) -> StudyResult: ...
    @property
    def is_plan(self) -> bool: ...
    @property
    def notes(self) -> List[str]: ...
    def layer(self, name: str) -> LayerDict: ...
    def summary_json(self) -> str: ...
    def scenario_layer(self, plan: StudyResult) -> LayerDict: ...
    def write(self, out: Optional[_Path] = None, plan: Optional[StudyResult] = None) -> List[str]: ...

class Network:
    """A street network built for one travel mode, read once and reused."""

    @staticmethod
    def read(
        path: _Path,
        *,
        mode: str = "walk",
        speed: Optional[float] = None,
        access_speed: Optional[float] = None,
        keep_components: str = "largest",
        crs: Optional[str] = None,
        layer: Optional[str] = None,
        encoding: Optional[str] = None,
        oneway_field: Optional[str] = None,
        speed_field: Optional[str] = None,
        exclude_field: Optional[str] = None,
    ) -> Network:
        """Reads an ``.osm.pbf`` or a line layer and builds the graph for ``mode`` (``walk``,
        ``walk-elderly``, ``bike``, ``drive``); ``keep_components``: ``largest`` or ``all``."""
    @property
    def path(self) -> str: ...
    @property
    def mode(self) -> str: ...
    @property
    def speed_mps(self) -> float: ...
    @property
    def access_speed_mps(self) -> float: ...
    @property
    def node_count(self) -> int: ...
    @property
    def edge_count(self) -> int: ...
    @property
    def total_length_m(self) -> float: ...
    @property
    def component_sizes(self) -> List[int]: ...
    @property
    def kept_largest_only(self) -> bool: ...

class Facilities:
    """Facilities read from a file or a table, in WGS84."""

    def __len__(self) -> int: ...
    @property
    def categories(self) -> List[str]: ...
    def only(self, categories: Sequence[str]) -> Facilities:
        """Only the facilities of these categories (each must be present)."""
    def layer(self) -> LayerDict: ...

class Demand:
    """Demand points read from a file or a table, in WGS84."""

    def __len__(self) -> int: ...
    def layer(self) -> LayerDict: ...

class Zones:
    """Zones (街道/镇) read from a polygon layer or a table, in WGS84."""

    def __len__(self) -> int: ...
    def layer(self) -> LayerDict: ...

def read_zones(
    path: _Path,
    *,
    layer: Optional[str] = None,
    crs: Optional[str] = None,
    encoding: Optional[str] = None,
    name_field: Optional[str] = None,
    code_field: Optional[str] = None,
    district_field: Optional[str] = None,
    rural_field: Optional[str] = None,
) -> Zones: ...
def zones_from_columns(
    source: str,
    rows: Sequence[str],
    columns: Sequence[Tuple[str, Sequence[Any]]],
    geometry: Sequence[Optional[bytes]],
    *,
    crs: Optional[str] = None,
    name_field: Optional[str] = None,
    code_field: Optional[str] = None,
    district_field: Optional[str] = None,
) -> Zones: ...
def read_facilities(
    path: _Path,
    *,
    crs: Optional[str] = None,
    layer: Optional[str] = None,
    category: Optional[str] = None,
    encoding: Optional[str] = None,
    x_column: Optional[str] = None,
    y_column: Optional[str] = None,
    category_map: Optional[_Path] = None,
) -> Facilities: ...
def read_demand(
    path: _Path,
    *,
    crs: Optional[str] = None,
    layer: Optional[str] = None,
    encoding: Optional[str] = None,
    x_column: Optional[str] = None,
    y_column: Optional[str] = None,
) -> Demand: ...
def facilities_from_columns(
    source: str,
    rows: Sequence[str],
    columns: Sequence[Tuple[str, Sequence[Any]]],
    geometry: Sequence[Optional[bytes]],
    *,
    crs: Optional[str] = None,
    category: Optional[str] = None,
) -> Facilities: ...
def demand_from_columns(
    source: str,
    rows: Sequence[str],
    columns: Sequence[Tuple[str, Sequence[Any]]],
    geometry: Sequence[Optional[bytes]],
    *,
    crs: Optional[str] = None,
    population: Optional[str] = None,
) -> Demand: ...
def nearest(
    network: Network,
    facilities: Facilities,
    demand: Demand,
    *,
    max_minutes: Optional[float] = None,
    max_snap_m: float = 500.0,
    categories: Sequence[str] = ...,
    node_times: bool = False,
) -> Dict[str, LayerDict]: ...
def access(
    network: Network,
    facilities: Facilities,
    demand: Demand,
    *,
    max_minutes: float,
    decay: str = "step",
    weights: Optional[Sequence[Tuple[float, float]]] = None,
    max_snap_m: float = 500.0,
    catchments: bool = False,
) -> Dict[str, Any]:
    """Layers ``access``, ``facility_access`` (``catchments``) and ``warnings``."""
def site_select(
    network: Network,
    demand: Demand,
    candidates: Union[str, Facilities],
    *,
    category: str,
    max_minutes: float,
    k: Optional[int] = None,
    target_share: Optional[float] = None,
    facilities: Optional[Facilities] = None,
    zones: Optional[Zones] = None,
    mask: Optional[Zones] = None,
    exclude_zones: Sequence[str] = ...,
    one_per_zone: bool = False,
    max_per_district: Optional[int] = None,
    site_capacity: Optional[float] = None,
    people_per_unit: Optional[float] = None,
    method: str = "auto",
    time_limit: float = 60.0,
    max_snap_m: float = 500.0,
    candidates_crs: Optional[str] = None,
    category_map: Optional[_Path] = None,
    matrix: bool = False,
) -> Dict[str, Any]:
    """``sites`` layer, ``summary`` (JSON text), ``summary_line``, ``warnings``, ``excluded``
    and (``matrix``) ``coverage_matrix``."""
def _wkb_roundtrip(data: bytes) -> bytes: ...
