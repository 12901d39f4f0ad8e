//! Result layers as plain Python values, for the Python package to turn into (Geo)DataFrames.
//!
//! A layer becomes a dict:
//!
//! - `name`, `label` (the layer's Chinese label or `None`), `geometry_type` (or `None`);
//! - `columns`: `[(name, kind)]` in order, kind `"real"`, `"int"` or `"text"`;
//! - `labels`: `{column: Chinese label}`;
//! - `data`: `{column: values}`, where a real column is `bytes` of little-endian f64 (`NaN` where
//!   empty; `numpy.frombuffer` reads it without a copy per value), an integer column is `bytes` of
//!   little-endian i64 when it has no empty cell and a list of `int | None` otherwise, and a text
//!   column is a list of `str | None`;
//! - `geometry`: a list of WKB `bytes` (WGS84), or `None` for a plain table.

use lifecircle::output::{GeometryType, Kind, Layer, Value};
use lifecircle::wkb;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Real => "real",
        Kind::Int => "int",
        Kind::Text => "text",
    }
}

fn geometry_type_name(t: GeometryType) -> &'static str {
    match t {
        GeometryType::Point => "Point",
        GeometryType::LineString => "LineString",
        GeometryType::Polygon => "Polygon",
        GeometryType::MultiPoint => "MultiPoint",
        GeometryType::MultiLineString => "MultiLineString",
        GeometryType::MultiPolygon => "MultiPolygon",
    }
}

/// One column's values in the form described in the module documentation.
fn column<'py>(
    py: Python<'py>,
    layer: &Layer,
    c: usize,
    kind: Kind,
) -> PyResult<Bound<'py, PyAny>> {
    let rows = &layer.rows;
    match kind {
        Kind::Real => {
            let mut buf = Vec::with_capacity(rows.len() * 8);
            for r in rows {
                let x = match &r[c] {
                    Value::Real(x) => *x,
                    Value::Int(i) => *i as f64,
                    Value::Null | Value::Text(_) => f64::NAN,
                };
                buf.extend_from_slice(&x.to_le_bytes());
            }
            Ok(PyBytes::new(py, &buf).into_any())
        }
        Kind::Int if rows.iter().all(|r| matches!(r[c], Value::Int(_))) => {
            let mut buf = Vec::with_capacity(rows.len() * 8);
            for r in rows {
                if let Value::Int(i) = r[c] {
                    buf.extend_from_slice(&i.to_le_bytes());
                }
            }
            Ok(PyBytes::new(py, &buf).into_any())
        }
        Kind::Int => {
            let vals: Vec<Option<i64>> = rows
                .iter()
                .map(|r| match &r[c] {
                    Value::Int(i) => Some(*i),
                    Value::Real(x) if x.fract() == 0.0 => Some(*x as i64),
                    _ => None,
                })
                .collect();
            Ok(PyList::new(py, vals)?.into_any())
        }
        Kind::Text => {
            let vals: Vec<Option<String>> = rows
                .iter()
                .map(|r| match &r[c] {
                    Value::Text(s) => Some(s.clone()),
                    Value::Real(x) => Some(x.to_string()),
                    Value::Int(i) => Some(i.to_string()),
                    Value::Null => None,
                })
                .collect();
            Ok(PyList::new(py, vals)?.into_any())
        }
    }
}

/// The layer as a dict (see the module documentation).
pub fn layer_to_py<'py>(py: Python<'py>, layer: &Layer) -> PyResult<Bound<'py, PyDict>> {
    // The columns are read from held cells; a layer of made rows is made once here.
    let layer = layer.held();
    let layer = layer.as_ref();
    let d = PyDict::new(py);
    d.set_item("name", &layer.name)?;
    d.set_item("label", layer.layer_label.as_deref())?;
    d.set_item("geometry_type", layer.geometry_type.map(geometry_type_name))?;
    let columns: Vec<(&str, &str)> = layer
        .columns
        .iter()
        .map(|(n, k)| (n.as_str(), kind_name(*k)))
        .collect();
    d.set_item("columns", columns)?;
    let labels = PyDict::new(py);
    for (c, l) in &layer.column_labels {
        labels.set_item(c, l)?;
    }
    d.set_item("labels", labels)?;
    let data = PyDict::new(py);
    for (i, (name, kind)) in layer.columns.iter().enumerate() {
        data.set_item(name, column(py, layer, i, *kind)?)?;
    }
    d.set_item("data", data)?;
    match &layer.geometry {
        Some(geoms) => {
            let wkbs: Vec<Bound<'py, PyBytes>> = geoms
                .iter()
                .map(|g| PyBytes::new(py, &wkb::encode(g)))
                .collect();
            d.set_item("geometry", PyList::new(py, wkbs)?)?;
        }
        None => d.set_item("geometry", py.None())?,
    }
    Ok(d)
}
