//! Street networks: read once for a travel mode and reused by `nearest`, `access` and
//! `site_select`.

use crate::errors::{invalid, parse, py_err, OrPy};
use lifecircle::crs::Crs;
use lifecircle::input::TextEncoding;
use lifecircle::network::{build_network, KeepComponents, Mode, Profile};
use lifecircle::Error;
use pyo3::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

/// A street network built for one travel mode, read once and reused.
#[pyclass(module = "lifecircle._lifecircle", frozen)]
pub(crate) struct Network {
    /// The graph.
    pub(crate) net: Arc<lifecircle::network::Network>,
    /// The travel mode and speeds it was built for.
    pub(crate) profile: Profile,
    /// The network file.
    path: PathBuf,
}

/// The `keep_components` argument: `largest` or `all`.
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
