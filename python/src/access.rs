//! `access`: capacity-aware accessibility (2SFCA / E2SFCA), as `lifecircle access` computes it.

use crate::convert;
use crate::errors::{in_range, invalid, py_err, OrPy};
use crate::network::Network;
use crate::places::{Demand, Facilities};
use lifecircle::bounds;
use lifecircle::Error;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Capacity-aware accessibility (2SFCA / E2SFCA), as `lifecircle access` computes it: every
/// facility's capacity over the (distance-weighted) population in its catchment, then every
/// demand point's sum of the ratios it reaches. `decay`: `step` or `gaussian`; `weights`:
/// stepwise bands `[(upper_minutes, weight), ...]` (E2SFCA) instead. Returns the layers `access`
/// (per demand point and category), `facility_access` and, with `catchments`, `catchments`,
/// and the `warnings`.
#[pyfunction]
#[pyo3(signature = (network, facilities, demand, *, max_minutes, decay="step", weights=None,
    max_snap_m=lifecircle::network::DEFAULT_MAX_SNAP_M, catchments=false))]
pub(crate) fn access<'py>(
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
    let limit_s = in_range(bounds::MINUTES, max_minutes, "max_minutes")? * 60.0;
    in_range(bounds::SNAP_M, max_snap_m, "max_snap_m")?;
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
        None => decay
            .parse::<Decay>()
            .map_err(|e| py_err(e.field("decay")))?,
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
