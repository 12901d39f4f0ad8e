//! `lifecircle._lifecircle`: the Rust side of the `lifecircle` Python package.
//!
//! Thin bindings over the `lifecircle` library: studies, networks, facilities and demand go in;
//! result layers come out as plain Python values (see [`convert`]) that the pure-Python package
//! turns into pandas DataFrames and GeoPandas GeoDataFrames. Long computations run with the
//! interpreter released. Every library [`lifecircle::Error`] arrives in Python as
//! `LifecircleError` with the same message as on the command line (file, row, field).
//!
//! Modules: `errors` (`LifecircleError` and the checks of arguments), `observer` (progress
//! of a study on stderr), `study` (`Study`, `StudyResult`), `network` (`Network`),
//! `places` (`Facilities`, `Demand`, `Zones`, from files or DataFrame columns), `nearest`,
//! `access` and `siting` (the analyses on a network); `convert`, `frames` and `wkb`
//! carry layers out, tables in and geometries both ways.

#![deny(missing_docs)]
// Python functions take their options as keyword arguments.
#![allow(clippy::too_many_arguments)]

mod access;
mod convert;
mod errors;
mod frames;
mod nearest;
mod network;
mod observer;
mod places;
mod siting;
mod study;
use lifecircle::wkb;

use errors::{invalid, LifecircleError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

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
    m.add_class::<study::Study>()?;
    m.add_class::<study::StudyResult>()?;
    m.add_class::<network::Network>()?;
    m.add_class::<places::Facilities>()?;
    m.add_class::<places::Demand>()?;
    m.add_function(wrap_pyfunction!(places::read_facilities, m)?)?;
    m.add_function(wrap_pyfunction!(places::read_demand, m)?)?;
    m.add_function(wrap_pyfunction!(places::facilities_from_columns, m)?)?;
    m.add_function(wrap_pyfunction!(places::demand_from_columns, m)?)?;
    m.add_class::<places::Zones>()?;
    m.add_function(wrap_pyfunction!(places::read_zones, m)?)?;
    m.add_function(wrap_pyfunction!(places::zones_from_columns, m)?)?;
    m.add_function(wrap_pyfunction!(nearest::nearest, m)?)?;
    m.add_function(wrap_pyfunction!(access::access, m)?)?;
    m.add_function(wrap_pyfunction!(siting::site_select, m)?)?;
    m.add_function(wrap_pyfunction!(_wkb_roundtrip, m)?)?;
    Ok(())
}
