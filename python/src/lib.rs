//! `lifecircle._lifecircle`: the Rust side of the `lifecircle` Python package.
//!
//! Thin bindings over the `lifecircle` library: studies, networks, facilities and demand go in;
//! result layers come out as plain Python values (see [`convert`]) that the pure-Python package
//! turns into pandas DataFrames and GeoPandas GeoDataFrames. Long computations run with the
//! interpreter released. Every library [`lifecircle::Error`] arrives in Python as
//! `LifecircleError` with the same message as on the command line (file, row, field).

#![deny(missing_docs)]
// Python functions take their options as keyword arguments.
#![allow(clippy::too_many_arguments)]

mod convert;
mod frames;
mod wkb;

use lifecircle::analysis::service_area::service_area_layers;
use lifecircle::categories::CategoryMap;
use lifecircle::crs::Crs;
use lifecircle::input::{CoordinateColumns, PointSource, TextEncoding};
use lifecircle::network::{build_network, KeepComponents, Mode, Profile};
use lifecircle::places::{DemandPoint, Facility};
use lifecircle::study::{layers, Observer};
use lifecircle::zones::Zone;
use lifecircle::{Error, ErrorKind};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyFloat, PyInt, PyString};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

create_exception!(
    _lifecircle,
    LifecircleError,
    PyException,
    "An input, setting or computation lifecircle cannot use. The message names the file, row and \
     field, as on the command line; `kind` says what went wrong (io, format, missing_field, \
     invalid_value, empty, crs, mismatch)."
);

fn kind_name(k: ErrorKind) -> &'static str {
    match k {
        ErrorKind::Io => "io",
        ErrorKind::Format => "format",
        ErrorKind::MissingField => "missing_field",
        ErrorKind::InvalidValue => "invalid_value",
        ErrorKind::Empty => "empty",
        ErrorKind::Crs => "crs",
        ErrorKind::Mismatch => "mismatch",
    }
}

/// The library error as a Python `LifecircleError` with its `kind`.
fn py_err(e: Error) -> PyErr {
    let err = LifecircleError::new_err(e.to_string());
    Python::attach(|py| {
        // Setting an attribute on a fresh exception instance cannot fail in practice; the
        // message is what matters if it does.
        let _ = err.value(py).setattr("kind", kind_name(e.kind()));
    });
    err
}

trait OrPy<T> {
    fn py(self) -> PyResult<T>;
}

impl<T> OrPy<T> for lifecircle::Result<T> {
    fn py(self) -> PyResult<T> {
        self.map_err(py_err)
    }
}

fn invalid(msg: String, field: &str) -> PyErr {
    py_err(Error::new(ErrorKind::InvalidValue, msg).field(field))
}

fn parse<T: std::str::FromStr<Err = Error>>(s: Option<&str>, field: &str) -> PyResult<Option<T>> {
    s.map(|s| s.parse::<T>().map_err(|e| py_err(e.field(field))))
        .transpose()
}

/// Progress of a study on stderr, one line per step (as `lifecircle analyze` prints it).
struct Printer {
    current: std::sync::Mutex<Option<(String, Instant)>>,
}

impl Observer for Printer {
    fn begin(&self, step: &str) {
        *self.current.lock().expect("lock") = Some((step.to_string(), Instant::now()));
    }
    fn end(&self) {
        if let Some((step, t0)) = self.current.lock().expect("lock").take() {
            eprintln!("{step}: {:.3} s", t0.elapsed().as_secs_f64());
        }
    }
    fn note(&self, msg: &str) {
        eprintln!("{msg}");
    }
    fn warn(&self, msg: &str) {
        eprintln!("warning: {msg}");
    }
}

/// Warnings only (what `--quiet` still shows).
struct WarningsOnly;

impl Observer for WarningsOnly {
    fn begin(&self, _: &str) {}
    fn end(&self) {}
    fn note(&self, _: &str) {}
    fn warn(&self, msg: &str) {
        eprintln!("warning: {msg}");
    }
}

fn observer(quiet: bool) -> Box<dyn Observer> {
    if quiet {
        Box::new(WarningsOnly)
    } else {
        Box::new(Printer {
            current: std::sync::Mutex::new(None),
        })
    }
}

/// A study file, read and checked.
#[pyclass(module = "lifecircle._lifecircle", frozen)]
struct Study {
    inner: Arc<lifecircle::study::Study>,
}

#[pymethods]
impl Study {
    /// Reads and checks a study file (TOML); relative paths in it are relative to its folder.
    #[staticmethod]
    fn read(path: PathBuf) -> PyResult<Self> {
        Ok(Study {
            inner: Arc::new(lifecircle::study::Study::read(&path).py()?),
        })
    }

    /// The study's title.
    #[getter]
    fn name(&self) -> String {
        self.inner.name.clone()
    }

    /// The study file.
    #[getter]
    fn path(&self) -> PathBuf {
        self.inner.path.clone()
    }

    /// The output folder the study names, resolved against the study file's folder.
    #[getter]
    fn output_folder(&self) -> PathBuf {
        self.inner.resolve(&self.inner.output.folder)
    }

    /// Whether the study has a `[scenario]` (a plan to compare with the baseline).
    #[getter]
    fn has_scenario(&self) -> bool {
        self.inner.scenario.is_some()
    }

    /// The name of the `[scenario]`, if any.
    #[getter]
    fn scenario_name(&self) -> Option<String> {
        self.inner.scenario.as_ref().map(|s| s.name.clone())
    }

    /// Runs the analysis of the baseline; [`StudyResult::compute_plan`] then runs the plan.
    #[pyo3(signature = (*, quiet=true))]
    fn compute(&self, py: Python<'_>, quiet: bool) -> PyResult<StudyResult> {
        let study = self.inner.clone();
        let result = py
            .detach(|| lifecircle::study::compute(&study, observer(quiet).as_ref()))
            .map_err(|e| e.file(&self.inner.path))
            .py()?;
        Ok(StudyResult {
            study: self.inner.clone(),
            result: Arc::new(result),
            plan: false,
        })
    }
}

/// Everything a study computed.
#[pyclass(module = "lifecircle._lifecircle", frozen)]
struct StudyResult {
    study: Arc<lifecircle::study::Study>,
    result: Arc<lifecircle::study::StudyResult>,
    plan: bool,
}

const LAYERS: &[&str] = &[
    "zones",
    "districts",
    "demand",
    "facilities",
    "gaps",
    "villages",
    "sites",
    "service_areas",
    "facility_service_areas",
];

#[pymethods]
impl StudyResult {
    /// Runs the study's `[scenario]` plan next to this baseline (whose chosen sites the plan
    /// adds with `add_sites`).
    #[pyo3(signature = (*, quiet=true))]
    fn compute_plan(&self, py: Python<'_>, quiet: bool) -> PyResult<StudyResult> {
        if self.plan {
            return Err(invalid("this is already the plan".into(), "scenario"));
        }
        let (study, base) = (self.study.clone(), self.result.clone());
        let result = py
            .detach(|| {
                lifecircle::study::compute::compute_plan_from(
                    &study,
                    observer(quiet).as_ref(),
                    &base,
                )
            })
            .map_err(|e| e.file(&self.study.path))
            .py()?;
        Ok(StudyResult {
            study: self.study.clone(),
            result: Arc::new(result),
            plan: true,
        })
    }

    /// The names of the layers [`StudyResult::layer`] gives.
    #[staticmethod]
    fn layer_names() -> Vec<&'static str> {
        LAYERS.to_vec()
    }

    /// Whether this is the result of the study's plan.
    #[getter]
    fn is_plan(&self) -> bool {
        self.plan
    }

    /// Notes of the run: what was dropped, reported or assumed.
    #[getter]
    fn notes(&self) -> Vec<String> {
        self.result.notes.clone()
    }

    /// One result layer, as written to the GeoPackage (see the module `convert`).
    fn layer<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyDict>> {
        let r = &self.result;
        let layer = match name {
            "zones" => layers::zones_layer(r),
            "districts" => layers::districts_layer(r),
            "demand" => layers::demand_layer(r),
            "facilities" => layers::facilities_layer(r),
            "gaps" => layers::gaps_layer(r),
            "villages" => layers::villages_layer(r),
            "sites" => layers::sites_layer(r),
            "service_areas" | "facility_service_areas" => {
                let label = |c: &str| {
                    r.profile
                        .category(c)
                        .map(|c| c.label.clone())
                        .unwrap_or_else(|| c.to_string())
                };
                let (per_category, per_facility) = service_area_layers(
                    &r.service_areas,
                    &r.facilities,
                    &label,
                    self.study.report.service_area_buffer_m,
                );
                if name == "service_areas" {
                    per_category
                } else {
                    per_facility
                }
            }
            other => {
                return Err(invalid(
                    format!("no layer {other:?}; the layers are {}", LAYERS.join(", ")),
                    "layer",
                ))
            }
        };
        convert::layer_to_py(py, &layer)
    }

    /// The summary (`summary.json`) as JSON text.
    fn summary_json(&self) -> String {
        let name = if self.study.name.is_empty() {
            self.study.path.display().to_string()
        } else {
            self.study.name.clone()
        };
        let v = lifecircle::study::summary::summary_json(&name, &self.result);
        serde_json::to_string(&v).expect("serialisable")
    }

    /// Per zone, every numeric zone figure for this baseline, the `plan` and the difference
    /// (`scenario_zones.csv`).
    fn scenario_layer<'py>(
        &self,
        py: Python<'py>,
        plan: &StudyResult,
    ) -> PyResult<Bound<'py, PyDict>> {
        let l = lifecircle::study::scenario::scenario_layer(&self.result, &plan.result).py()?;
        convert::layer_to_py(py, &l)
    }

    /// Writes the study's outputs into `out` (default: the study's output folder), as
    /// `lifecircle analyze --out` does: with a `plan`, its outputs go to `out/plan` and the
    /// comparison to `out/scenario_zones.csv` and `out/scenario.json`. Returns the files written.
    #[pyo3(signature = (out=None, plan=None))]
    fn write(
        &self,
        py: Python<'_>,
        out: Option<PathBuf>,
        plan: Option<&StudyResult>,
    ) -> PyResult<Vec<PathBuf>> {
        let mut study = (*self.study).clone();
        if let Some(out) = out {
            let abs = std::env::current_dir()
                .map_err(|e| Error::io(".", e))
                .py()?
                .join(out);
            study.output.folder = abs.display().to_string();
        }
        let base = self.result.clone();
        let plan = plan.map(|p| p.result.clone());
        py.detach(move || {
            let mut files = lifecircle::study::write::write_outputs(&study, &base)?;
            if let Some(plan) = &plan {
                let mut plan_study = study.clone();
                plan_study.scenario = None;
                plan_study.output.folder = study
                    .resolve(&study.output.folder)
                    .join("plan")
                    .display()
                    .to_string();
                files.extend(lifecircle::study::write::write_outputs(&plan_study, plan)?);
                files.extend(lifecircle::study::scenario::write_scenario(
                    &study, &base, plan,
                )?);
            }
            Ok(files)
        })
        .py()
    }
}

/// A street network built for one travel mode, read once and reused.
#[pyclass(module = "lifecircle._lifecircle", frozen)]
struct Network {
    net: Arc<lifecircle::network::Network>,
    profile: Profile,
    path: PathBuf,
}

fn keep_components(s: &str) -> PyResult<KeepComponents> {
    match s {
        "largest" => Ok(KeepComponents::Largest),
        "all" => Ok(KeepComponents::All),
        _ => Err(invalid(
            format!("expected largest or all, got {s:?}"),
            "keep_components",
        )),
    }
}

#[pymethods]
impl Network {
    /// Reads an OpenStreetMap `.osm.pbf` or a line layer and builds the graph for `mode`.
    #[staticmethod]
    #[pyo3(signature = (path, *, mode="walk", speed=None, access_speed=None, keep_components="largest",
        crs=None, layer=None, encoding=None, oneway_field=None, speed_field=None, exclude_field=None))]
    fn read(
        py: Python<'_>,
        path: PathBuf,
        mode: &str,
        speed: Option<f64>,
        access_speed: Option<f64>,
        keep_components: &str,
        crs: Option<&str>,
        layer: Option<String>,
        encoding: Option<&str>,
        oneway_field: Option<String>,
        speed_field: Option<String>,
        exclude_field: Option<String>,
    ) -> PyResult<Self> {
        let mode: Mode = mode.parse().map_err(|e: Error| py_err(e.field("mode")))?;
        let mut profile = Profile::new(mode);
        if let Some(s) = speed {
            profile = profile
                .with_speed(s)
                .map_err(|e| py_err(e.field("speed")))?;
        }
        if let Some(s) = access_speed {
            profile = profile
                .with_access_speed(s)
                .map_err(|e| py_err(e.field("access_speed")))?;
        }
        let keep = self::keep_components(keep_components)?;
        let opts = lifecircle::input::LineNetworkOptions {
            layer,
            crs: parse::<Crs>(crs, "crs")?,
            encoding: parse::<TextEncoding>(encoding, "encoding")?.unwrap_or_default(),
            oneway_field,
            speed_field,
            exclude_field,
        };
        let net = py
            .detach(|| {
                let (raw, _) = lifecircle::input::read_network_ways(&path, &profile, &opts)?;
                build_network(&raw, keep).map_err(|e| e.file(&path))
            })
            .py()?;
        Ok(Network {
            net: Arc::new(net),
            profile,
            path,
        })
    }

    /// The network file.
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// The travel mode (`walk`, `walk-elderly`, `bike`, `drive`).
    #[getter]
    fn mode(&self) -> String {
        self.profile.mode.to_string()
    }

    /// Travel speed in m/s.
    #[getter]
    fn speed_mps(&self) -> f64 {
        self.profile.speed_mps
    }

    /// Walking speed of the access legs in m/s.
    #[getter]
    fn access_speed_mps(&self) -> f64 {
        self.profile.access_speed_mps
    }

    /// Number of nodes.
    #[getter]
    fn node_count(&self) -> usize {
        self.net.node_count()
    }

    /// Number of edges.
    #[getter]
    fn edge_count(&self) -> usize {
        self.net.edge_count()
    }

    /// Total street length in metres.
    #[getter]
    fn total_length_m(&self) -> f64 {
        self.net.total_length_m()
    }

    /// Sizes (nodes) of the connected pieces of the input, largest first.
    #[getter]
    fn component_sizes(&self) -> Vec<usize> {
        self.net.components.sizes.clone()
    }

    /// Whether only the largest connected piece was kept.
    #[getter]
    fn kept_largest_only(&self) -> bool {
        self.net.components.kept_largest_only
    }

    fn __repr__(&self) -> String {
        format!(
            "Network({:?}, mode={:?}: {} nodes, {} edges, {:.1} km)",
            self.path.display().to_string(),
            self.profile.mode.to_string(),
            self.net.node_count(),
            self.net.edge_count(),
            self.net.total_length_m() / 1000.0
        )
    }
}

/// Facilities read from a file or a table, in WGS84.
#[pyclass(module = "lifecircle._lifecircle", frozen)]
struct Facilities {
    items: Arc<Vec<Facility>>,
}

/// Demand points read from a file or a table, in WGS84.
#[pyclass(module = "lifecircle._lifecircle", frozen)]
struct Demand {
    items: Arc<Vec<DemandPoint>>,
}

#[pymethods]
impl Facilities {
    fn __len__(&self) -> usize {
        self.items.len()
    }

    /// The categories present, sorted.
    #[getter]
    fn categories(&self) -> Vec<String> {
        let mut c: Vec<String> = self.items.iter().map(|f| f.category.clone()).collect();
        c.sort();
        c.dedup();
        c
    }

    /// Only the facilities of these categories (each must be present).
    fn only(&self, categories: Vec<String>) -> PyResult<Facilities> {
        Ok(Facilities {
            items: Arc::new(select_categories(&self.items, &categories)?),
        })
    }

    /// The facilities as a layer: id, name, category, capacity, origin; the first location.
    fn layer<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        use lifecircle::output::{Kind, Layer, Value};
        let mut l = Layer::new(
            "facilities",
            &[
                ("id", Kind::Text),
                ("name", Kind::Text),
                ("category", Kind::Text),
                ("capacity", Kind::Real),
                ("locations", Kind::Int),
                ("origin", Kind::Text),
            ],
        );
        for f in self.items.iter() {
            l.push(
                vec![
                    Value::Text(f.id.clone()),
                    Value::Text(f.name.clone()),
                    Value::Text(f.category.clone()),
                    Value::from(f.capacity),
                    Value::Int(f.locations.len() as i64),
                    Value::Text(f.origin.clone()),
                ],
                Some(f.locations[0]),
            );
        }
        convert::layer_to_py(py, &l)
    }
}

#[pymethods]
impl Demand {
    fn __len__(&self) -> usize {
        self.items.len()
    }

    /// The demand points as a layer: id, population, origin.
    fn layer<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        use lifecircle::output::{Kind, Layer, Value};
        let mut l = Layer::new(
            "demand",
            &[
                ("id", Kind::Text),
                ("population", Kind::Real),
                ("origin", Kind::Text),
            ],
        );
        for d in self.items.iter() {
            l.push(
                vec![
                    Value::Text(d.id.clone()),
                    Value::from(d.population),
                    Value::Text(d.origin.clone()),
                ],
                Some(d.location),
            );
        }
        convert::layer_to_py(py, &l)
    }
}

fn point_source(
    crs: Option<&str>,
    layer: Option<String>,
    encoding: Option<&str>,
    x_column: Option<String>,
    y_column: Option<String>,
) -> PyResult<PointSource> {
    Ok(PointSource {
        crs: parse::<Crs>(crs, "crs")?,
        encoding: parse::<TextEncoding>(encoding, "encoding")?.unwrap_or_default(),
        columns: CoordinateColumns {
            x: x_column,
            y: y_column,
        },
        layer,
        category: None,
    })
}

/// Reads facilities from a table, a point/polygon layer or an `.osm.pbf` (classified with
/// `category_map`, default the built-in mapping). `category`: the category of every row of a
/// table or layer without a category column; for OSM, only that category.
#[pyfunction]
#[pyo3(signature = (path, *, crs=None, layer=None, category=None, encoding=None, x_column=None,
    y_column=None, category_map=None))]
fn read_facilities(
    py: Python<'_>,
    path: PathBuf,
    crs: Option<&str>,
    layer: Option<String>,
    category: Option<String>,
    encoding: Option<&str>,
    x_column: Option<String>,
    y_column: Option<String>,
    category_map: Option<PathBuf>,
) -> PyResult<Facilities> {
    let mut src = point_source(crs, layer, encoding, x_column, y_column)?;
    src.category = category;
    let items = py
        .detach(|| {
            let map = match &category_map {
                Some(p) => CategoryMap::read(p)?,
                None => CategoryMap::builtin(),
            };
            lifecircle::input::read_facilities(&path, &src, &map)
        })
        .py()?;
    Ok(Facilities {
        items: Arc::new(items),
    })
}

/// Reads demand points from a table (id, lon, lat[, population]), a point/polygon layer or an
/// `.osm.pbf` (its buildings).
#[pyfunction]
#[pyo3(signature = (path, *, crs=None, layer=None, encoding=None, x_column=None, y_column=None))]
fn read_demand(
    py: Python<'_>,
    path: PathBuf,
    crs: Option<&str>,
    layer: Option<String>,
    encoding: Option<&str>,
    x_column: Option<String>,
    y_column: Option<String>,
) -> PyResult<Demand> {
    let src = point_source(crs, layer, encoding, x_column, y_column)?;
    let items = py
        .detach(|| lifecircle::input::read_demand(&path, &src))
        .py()?;
    if items.is_empty() {
        return Err(py_err(
            Error::new(ErrorKind::Empty, "no demand points found").file(&path),
        ));
    }
    Ok(Demand {
        items: Arc::new(items),
    })
}

fn cell(v: &Bound<'_, PyAny>) -> PyResult<frames::Cell> {
    if v.is_none() {
        Ok(frames::Cell::Empty)
    } else if v.is_instance_of::<PyString>() {
        Ok(frames::Cell::Text(v.extract()?))
    } else if v.is_instance_of::<PyInt>() {
        Ok(frames::Cell::Int(v.extract()?))
    } else if v.is_instance_of::<PyFloat>() {
        Ok(frames::Cell::Number(v.extract()?))
    } else {
        Ok(frames::Cell::Text(v.str()?.extract()?))
    }
}

fn frame(
    source: String,
    rows: Vec<String>,
    columns: Vec<(String, Vec<Bound<'_, PyAny>>)>,
    geometry: Vec<Option<Bound<'_, PyBytes>>>,
    crs: Option<&str>,
) -> PyResult<frames::Frame> {
    let columns = columns
        .into_iter()
        .map(|(n, vals)| Ok((n, vals.iter().map(cell).collect::<PyResult<Vec<_>>>()?)))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(frames::Frame {
        source,
        rows,
        columns,
        geometry: geometry
            .into_iter()
            .map(|g| g.map(|b| b.as_bytes().to_vec()).unwrap_or_default())
            .collect(),
        crs: parse::<Crs>(crs, "crs")?,
    })
}

/// Facilities from the columns of a table and one WKB geometry per row (`None` for a missing
/// one): `source` names the table in messages, `rows` labels its rows.
#[pyfunction]
#[pyo3(signature = (source, rows, columns, geometry, *, crs=None, category=None))]
fn facilities_from_columns(
    source: String,
    rows: Vec<String>,
    columns: Vec<(String, Vec<Bound<'_, PyAny>>)>,
    geometry: Vec<Option<Bound<'_, PyBytes>>>,
    crs: Option<&str>,
    category: Option<&str>,
) -> PyResult<Facilities> {
    let f = frame(source, rows, columns, geometry, crs)?;
    Ok(Facilities {
        items: Arc::new(frames::facilities(&f, category).py()?),
    })
}

/// Demand points from the columns of a table and one WKB geometry per row, with the population
/// column `population` (default: found by name).
#[pyfunction]
#[pyo3(signature = (source, rows, columns, geometry, *, crs=None, population=None))]
fn demand_from_columns(
    source: String,
    rows: Vec<String>,
    columns: Vec<(String, Vec<Bound<'_, PyAny>>)>,
    geometry: Vec<Option<Bound<'_, PyBytes>>>,
    crs: Option<&str>,
    population: Option<&str>,
) -> PyResult<Demand> {
    let f = frame(source, rows, columns, geometry, crs)?;
    Ok(Demand {
        items: Arc::new(frames::demand(&f, population).py()?),
    })
}

fn positive(v: f64, field: &str) -> PyResult<f64> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(invalid(
            format!("must be a positive number, got {v}"),
            field,
        ))
    }
}

/// Only the facilities of `categories` (each must be present).
fn select_categories(items: &[Facility], categories: &[String]) -> PyResult<Vec<Facility>> {
    for c in categories {
        if !items.iter().any(|f| &f.category == c) {
            return Err(invalid(
                format!("no facility has category {c:?}"),
                "categories",
            ));
        }
    }
    Ok(items
        .iter()
        .filter(|f| categories.is_empty() || categories.contains(&f.category))
        .cloned()
        .collect())
}

/// Travel time and distance from every demand point to the nearest facility of every category,
/// as `lifecircle nearest` computes them. Returns the layers `nearest` (one row per demand point
/// and category), `facility_snapping` and, with `node_times`, `nodes`.
#[pyfunction]
#[pyo3(signature = (network, facilities, demand, *, max_minutes=None, max_snap_m=lifecircle::network::DEFAULT_MAX_SNAP_M,
    categories=Vec::new(), node_times=false))]
fn nearest<'py>(
    py: Python<'py>,
    network: &Network,
    facilities: &Facilities,
    demand: &Demand,
    max_minutes: Option<f64>,
    max_snap_m: f64,
    categories: Vec<String>,
    node_times: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let max_time_s = max_minutes
        .map(|m| positive(m, "max_minutes").map(|m| m * 60.0))
        .transpose()?;
    positive(max_snap_m, "max_snap_m")?;
    let fac = select_categories(&facilities.items, &categories)?;
    let opts = lifecircle::nearest::NearestOptions {
        profile: network.profile,
        max_time_s,
        max_snap_m,
        keep_node_times: node_times,
    };
    let net = network.net.clone();
    let dem = demand.items.clone();
    let (a, b, c) = py
        .detach(|| {
            let r = lifecircle::nearest::nearest(&net, &fac, &dem, &opts)?;
            let a = lifecircle::nearest::nearest_layer(&r, &fac, &dem);
            let b = lifecircle::nearest::facility_snapping_layer(&r, &fac);
            let c = node_times.then(|| lifecircle::nearest::node_times_layer(&net, &r));
            Ok::<_, Error>((a, b, c))
        })
        .py()?;
    let d = PyDict::new(py);
    d.set_item("nearest", convert::layer_to_py(py, &a)?)?;
    d.set_item("facility_snapping", convert::layer_to_py(py, &b)?)?;
    if let Some(c) = c {
        d.set_item("nodes", convert::layer_to_py(py, &c)?)?;
    }
    Ok(d)
}

/// Zones (街道/镇) read from a polygon layer or a table, in WGS84.
#[pyclass(module = "lifecircle._lifecircle", frozen)]
struct Zones {
    items: Arc<Vec<Zone>>,
}

#[pymethods]
impl Zones {
    fn __len__(&self) -> usize {
        self.items.len()
    }

    /// The zones as a layer: code, name, district, rural; their polygons.
    fn layer<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        use lifecircle::output::{Kind, Layer, Value};
        let mut l = Layer::new(
            "zones",
            &[
                ("code", Kind::Text),
                ("name", Kind::Text),
                ("district", Kind::Text),
                ("rural", Kind::Int),
            ],
        );
        for z in self.items.iter() {
            l.push_geometry(
                vec![
                    Value::Text(z.code.clone()),
                    Value::Text(z.name.clone()),
                    z.district.clone().map(Value::Text).unwrap_or(Value::Null),
                    Value::Int(i64::from(z.rural)),
                ],
                Some(geo_types::Geometry::MultiPolygon(z.geometry.clone())),
            );
        }
        convert::layer_to_py(py, &l)
    }
}

/// Reads zones from a polygon layer (GeoPackage, Shapefile, GeoJSON, ...): the name, code and
/// district fields as given, else found by their usual names.
#[pyfunction]
#[pyo3(signature = (path, *, layer=None, crs=None, encoding=None, name_field=None, code_field=None,
    district_field=None, rural_field=None))]
fn read_zones(
    py: Python<'_>,
    path: PathBuf,
    layer: Option<String>,
    crs: Option<&str>,
    encoding: Option<&str>,
    name_field: Option<String>,
    code_field: Option<String>,
    district_field: Option<String>,
    rural_field: Option<String>,
) -> PyResult<Zones> {
    let opts = lifecircle::zones::ZoneLayerOptions {
        layer,
        crs: parse::<Crs>(crs, "crs")?,
        encoding: parse::<TextEncoding>(encoding, "encoding")?.unwrap_or_default(),
        name_field,
        code_field,
        district_field,
        rural_field,
    };
    let items = py
        .detach(|| lifecircle::zones::read_zone_layer(&path, &opts))
        .py()?;
    Ok(Zones {
        items: Arc::new(items),
    })
}

/// Zones from the columns of a table of polygons (one WKB geometry per row).
#[pyfunction]
#[pyo3(signature = (source, rows, columns, geometry, *, crs=None, name_field=None, code_field=None,
    district_field=None))]
fn zones_from_columns(
    source: String,
    rows: Vec<String>,
    columns: Vec<(String, Vec<Bound<'_, PyAny>>)>,
    geometry: Vec<Option<Bound<'_, PyBytes>>>,
    crs: Option<&str>,
    name_field: Option<&str>,
    code_field: Option<&str>,
    district_field: Option<&str>,
) -> PyResult<Zones> {
    let f = frame(source, rows, columns, geometry, crs)?;
    Ok(Zones {
        items: Arc::new(frames::zones(&f, name_field, code_field, district_field).py()?),
    })
}

/// Capacity-aware accessibility (2SFCA / E2SFCA), as `lifecircle access` computes it: every
/// facility's capacity over the (distance-weighted) population in its catchment, then every
/// demand point's sum of the ratios it reaches. `decay`: `step` or `gaussian`; `weights`:
/// stepwise bands `[(upper_minutes, weight), ...]` (E2SFCA) instead. Returns the layers `access`
/// (per demand point and category), `facility_access` and, with `catchments`, `catchments`,
/// and the `warnings`.
#[pyfunction]
#[pyo3(signature = (network, facilities, demand, *, max_minutes, decay="step", weights=None,
    max_snap_m=lifecircle::network::DEFAULT_MAX_SNAP_M, catchments=false))]
fn access<'py>(
    py: Python<'py>,
    network: &Network,
    facilities: &Facilities,
    demand: &Demand,
    max_minutes: f64,
    decay: &str,
    weights: Option<Vec<(f64, f64)>>,
    max_snap_m: f64,
    catchments: bool,
) -> PyResult<Bound<'py, PyDict>> {
    use lifecircle::analysis::access::{AccessOptions, Decay};
    use lifecircle::analysis::access_layers as al;
    let limit_s = positive(max_minutes, "max_minutes")? * 60.0;
    positive(max_snap_m, "max_snap_m")?;
    let decay = match weights {
        Some(bands) => {
            if decay != "step" {
                return Err(invalid(
                    "give either decay or weights, not both".into(),
                    "weights",
                ));
            }
            Decay::weights_minutes(&bands, "weights").py()?
        }
        None => parse::<Decay>(Some(decay), "decay")?.expect("given"),
    };
    let opts = AccessOptions {
        profile: network.profile,
        limit_s,
        max_snap_m,
        decay,
    };
    let (net, fac, dem) = (
        network.net.clone(),
        facilities.items.clone(),
        demand.items.clone(),
    );
    let (a, b, c, warnings) = py
        .detach(|| {
            let r = lifecircle::analysis::access::access(&net, &fac, &dem, &opts)?;
            Ok::<_, Error>((
                al::access_demand_layer(&r, &dem),
                al::access_facility_layer(&r, &fac),
                catchments.then(|| al::access_catchment_layer(&r, &fac, &dem)),
                al::access_warnings(&r, &fac, &dem),
            ))
        })
        .py()?;
    let d = PyDict::new(py);
    d.set_item("access", convert::layer_to_py(py, &a)?)?;
    d.set_item("facility_access", convert::layer_to_py(py, &b)?)?;
    if let Some(c) = c {
        d.set_item("catchments", convert::layer_to_py(py, &c)?)?;
    }
    d.set_item("warnings", warnings)?;
    Ok(d)
}

/// Chooses new sites of `category` among the `candidates` that cover the most population not yet
/// covered within `max_minutes` (`k` sites, maximal covering) or the fewest that bring coverage
/// to `target_share` (set covering), as `lifecircle site-select` does. `candidates`: a
/// `Facilities` set, a file (read with `candidates_crs`, every row of `category`), or
/// `gap-nodes[:SPACING_M]` / `hexagons[:CELL_M]` to generate them. Returns the `sites` layer,
/// the summary as JSON text, the `warnings`, the number of excluded candidates and, with
/// `matrix`, the `coverage_matrix` layer.
#[pyfunction]
#[pyo3(signature = (network, demand, candidates, *, category, max_minutes, k=None, target_share=None,
    facilities=None, zones=None, mask=None, exclude_zones=Vec::new(), one_per_zone=false,
    max_per_district=None, site_capacity=None, people_per_unit=None, method="auto",
    time_limit=60.0, max_snap_m=lifecircle::network::DEFAULT_MAX_SNAP_M, candidates_crs=None,
    category_map=None, matrix=false))]
fn site_select<'py>(
    py: Python<'py>,
    network: &Network,
    demand: &Demand,
    candidates: &Bound<'py, PyAny>,
    category: String,
    max_minutes: f64,
    k: Option<usize>,
    target_share: Option<f64>,
    facilities: Option<&Facilities>,
    zones: Option<&Zones>,
    mask: Option<&Zones>,
    exclude_zones: Vec<String>,
    one_per_zone: bool,
    max_per_district: Option<usize>,
    site_capacity: Option<f64>,
    people_per_unit: Option<f64>,
    method: &str,
    time_limit: f64,
    max_snap_m: f64,
    candidates_crs: Option<&str>,
    category_map: Option<PathBuf>,
    matrix: bool,
) -> PyResult<Bound<'py, PyDict>> {
    use lifecircle::siting::request::{plan_sites, Candidates, SiteCapacity, SiteRequest};
    use lifecircle::siting::select::{Goal, Method, SiteOptions};
    let limit_s = positive(max_minutes, "max_minutes")? * 60.0;
    let goal = match (k, target_share) {
        (Some(k), None) if k > 0 => Goal::MaxCover { k },
        (None, Some(s)) if s > 0.0 && s <= 1.0 => Goal::TargetShare(s),
        (Some(_), None) => return Err(invalid("must be at least 1".into(), "k")),
        (None, Some(s)) => {
            return Err(invalid(
                format!("must be in (0, 1], got {s}"),
                "target_share",
            ))
        }
        (Some(_), Some(_)) => {
            return Err(invalid(
                "give k or target_share, not both".into(),
                "target_share",
            ))
        }
        (None, None) => {
            return Err(py_err(
                Error::new(ErrorKind::MissingField, "give k or target_share").field("k"),
            ))
        }
    };
    let method: Method = parse(Some(method), "method")?.expect("given");
    let capacity = match (site_capacity, people_per_unit) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "give site_capacity or people_per_unit, not both".into(),
                "people_per_unit",
            ))
        }
        (Some(c), None) => Some(SiteCapacity::Uniform(positive(c, "site_capacity")?)),
        (None, Some(r)) => Some(SiteCapacity::PerCandidate {
            people_per_unit: positive(r, "people_per_unit")?,
        }),
        (None, None) => None,
    };
    let candidates = if let Ok(set) = candidates.cast::<Facilities>() {
        Candidates::Given(set.get().items.as_ref().clone())
    } else {
        let spec: String = candidates.extract().map_err(|_| {
            invalid(
                "expected a file, a spec (gap-nodes[:M], hexagons[:M]) or facilities".into(),
                "candidates",
            )
        })?;
        match Candidates::generated(&spec).py()? {
            Some(c) => c,
            None => {
                let mut src = point_source(candidates_crs, None, None, None, None)?;
                src.category = Some(category.clone());
                let map = match &category_map {
                    Some(p) => CategoryMap::read(p).py()?,
                    None => CategoryMap::builtin(),
                };
                Candidates::Given(
                    py.detach(|| lifecircle::input::read_facilities(spec.as_ref(), &src, &map))
                        .py()?,
                )
            }
        }
    };
    let req = SiteRequest {
        category,
        options: SiteOptions {
            nearest: lifecircle::nearest::NearestOptions {
                profile: network.profile,
                max_time_s: Some(limit_s),
                max_snap_m: positive(max_snap_m, "max_snap_m")?,
                keep_node_times: false,
            },
            goal,
            method,
            time_limit_s: positive(time_limit, "time_limit")?,
            exact_max_nonzeros: 200_000,
            keep_matrix: matrix,
        },
        candidates,
        exclude_zones,
        one_per_zone,
        max_per_district,
        capacity,
    };
    let net = network.net.clone();
    let existing = facilities.map(|f| f.items.clone()).unwrap_or_default();
    let dem = demand.items.clone();
    let zones = zones.map(|z| z.items.clone()).unwrap_or_default();
    let mask = mask.map(|z| z.items.clone()).unwrap_or_default();
    let (study, m) = py
        .detach(|| {
            let s = plan_sites(&net, &existing, &dem, &zones, &mask, &req)?;
            let m = matrix.then(|| s.matrix_layer(&dem));
            Ok::<_, Error>((s, m))
        })
        .py()?;
    let d = PyDict::new(py);
    d.set_item("sites", convert::layer_to_py(py, &study.sites_layer())?)?;
    d.set_item(
        "summary",
        serde_json::to_string(&study.summary_json()).expect("serialisable"),
    )?;
    d.set_item("summary_line", study.summary_line())?;
    d.set_item("warnings", study.warnings.clone())?;
    d.set_item("excluded", study.excluded)?;
    if let Some(m) = m {
        d.set_item("coverage_matrix", convert::layer_to_py(py, &m)?)?;
    }
    Ok(d)
}

/// WKB in, WKB out through the crate's reader and writer (for tests against shapely).
#[pyfunction]
fn _wkb_roundtrip<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    let g = wkb::decode(data).map_err(|e| invalid(e, "wkb"))?;
    Ok(PyBytes::new(py, &wkb::encode(&g)))
}

/// The Rust side of the `lifecircle` package.
#[pymodule]
fn _lifecircle(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("LifecircleError", py.get_type::<LifecircleError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<Study>()?;
    m.add_class::<StudyResult>()?;
    m.add_class::<Network>()?;
    m.add_class::<Facilities>()?;
    m.add_class::<Demand>()?;
    m.add_function(wrap_pyfunction!(read_facilities, m)?)?;
    m.add_function(wrap_pyfunction!(read_demand, m)?)?;
    m.add_function(wrap_pyfunction!(facilities_from_columns, m)?)?;
    m.add_function(wrap_pyfunction!(demand_from_columns, m)?)?;
    m.add_class::<Zones>()?;
    m.add_function(wrap_pyfunction!(read_zones, m)?)?;
    m.add_function(wrap_pyfunction!(zones_from_columns, m)?)?;
    m.add_function(wrap_pyfunction!(nearest, m)?)?;
    m.add_function(wrap_pyfunction!(access, m)?)?;
    m.add_function(wrap_pyfunction!(site_select, m)?)?;
    m.add_function(wrap_pyfunction!(_wkb_roundtrip, m)?)?;
    Ok(())
}
