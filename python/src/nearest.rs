//! `nearest`: travel time and distance from every demand point to the nearest facility of every
//! category, as `lifecircle nearest` computes them.

use crate::convert;
use crate::errors::{in_range, OrPy};
use crate::network::Network;
use crate::places::{select_categories, Demand, Facilities};
use lifecircle::bounds;
use lifecircle::Error;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Travel time and distance from every demand point to the nearest facility of every category,
/// as `lifecircle nearest` computes them. Returns the layers `nearest` (one row per demand point
/// and category), `facility_snapping` and, with `node_times`, `nodes`.
#[pyfunction]
#[pyo3(signature = (network, facilities, demand, *, max_minutes=None, max_snap_m=lifecircle::network::DEFAULT_MAX_SNAP_M,
    categories=Vec::new(), node_times=false))]
pub(crate) fn nearest<'py>(
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
        .map(|m| in_range(bounds::MINUTES, m, "max_minutes").map(|m| m * 60.0))
        .transpose()?;
    in_range(bounds::SNAP_M, max_snap_m, "max_snap_m")?;
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
