//! Places: facilities, demand points and zones, read from files or from the columns of
//! (Geo)DataFrames, in WGS84, to use in several runs.

use crate::convert;
use crate::errors::{invalid, parse, py_err, OrPy};
use crate::frames;
use lifecircle::categories::CategoryMap;
use lifecircle::crs::Crs;
use lifecircle::input::{CoordinateColumns, PointSource, TextEncoding};
use lifecircle::places::{DemandPoint, Facility};
use lifecircle::zones::Zone;
use lifecircle::{Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyFloat, PyInt, PyString};
use std::path::PathBuf;
use std::sync::Arc;

/// Facilities read from a file or a table, in WGS84.
#[pyclass(module = "lifecircle._lifecircle", frozen)]
pub(crate) struct Facilities {
    /// The facilities.
    pub(crate) items: Arc<Vec<Facility>>,
}

/// Demand points read from a file or a table, in WGS84.
#[pyclass(module = "lifecircle._lifecircle", frozen)]
pub(crate) struct Demand {
    /// The demand points.
    pub(crate) items: Arc<Vec<DemandPoint>>,
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

/// Only the facilities of `categories` (each must be present).
pub(crate) fn select_categories(
    items: &[Facility],
    categories: &[String],
) -> PyResult<Vec<Facility>> {
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

/// Where and how to read points: the coordinate system, layer, text encoding and coordinate
/// columns (found by name when not given).
pub(crate) fn point_source(
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
pub(crate) fn read_facilities(
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
pub(crate) fn read_demand(
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

/// A Python value of a table's cell: `None`, text, an integer, a float, else its text.
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

/// A table handed over from Python: its name in messages, row labels, columns, one WKB
/// geometry per row (`None` for a missing one) and their coordinate system.
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
pub(crate) fn facilities_from_columns(
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
pub(crate) fn demand_from_columns(
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

/// Zones (街道/镇) read from a polygon layer or a table, in WGS84.
#[pyclass(module = "lifecircle._lifecircle", frozen)]
pub(crate) struct Zones {
    /// The zones.
    pub(crate) items: Arc<Vec<Zone>>,
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
pub(crate) fn read_zones(
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
pub(crate) fn zones_from_columns(
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
