//! `site_select`: where the next facilities of a category should go (maximal or set covering),
//! as `lifecircle site-select` chooses them.

use crate::convert;
use crate::errors::{count_in_range, in_range, invalid, py_err, OrPy};
use crate::network::Network;
use crate::places::{point_source, Demand, Facilities, Zones};
use lifecircle::bounds;
use lifecircle::categories::CategoryMap;
use lifecircle::{Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::PathBuf;

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
pub(crate) fn site_select<'py>(
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
    let limit_s = in_range(bounds::MINUTES, max_minutes, "max_minutes")? * 60.0;
    let goal = match (k, target_share) {
        (Some(k), None) => Goal::MaxCover {
            k: count_in_range(bounds::K, k, "k")?,
        },
        (None, Some(s)) => Goal::TargetShare(in_range(bounds::SHARE, s, "target_share")?),
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
    let method: Method = method
        .parse()
        .map_err(|e: Error| py_err(e.field("method")))?;
    let capacity = match (site_capacity, people_per_unit) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "give site_capacity or people_per_unit, not both".into(),
                "people_per_unit",
            ))
        }
        (Some(c), None) => Some(SiteCapacity::Uniform(in_range(
            bounds::SITE_CAPACITY,
            c,
            "site_capacity",
        )?)),
        (None, Some(r)) => Some(SiteCapacity::PerCandidate {
            people_per_unit: in_range(bounds::PEOPLE_PER_UNIT, r, "people_per_unit")?,
        }),
        (None, None) => None,
    };
    let max_snap_m = in_range(bounds::SNAP_M, max_snap_m, "max_snap_m")?;
    let time_limit_s = in_range(bounds::TIME_LIMIT_S, time_limit, "time_limit")?;
    if let Some(n) = max_per_district {
        count_in_range(bounds::MAX_PER_DISTRICT, n, "max_per_district")?;
    }
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
                max_snap_m,
                keep_node_times: false,
            },
            goal,
            method,
            time_limit_s,
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
