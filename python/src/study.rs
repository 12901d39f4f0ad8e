//! Studies: a study file read and checked, and everything it computed (the baseline and its
//! plan), as layers, a summary and the files `lifecircle analyze` writes.

use crate::convert;
use crate::errors::{invalid, OrPy};
use crate::observer::observer;
use lifecircle::analysis::service_area::service_area_layers;
use lifecircle::study::layers;
use lifecircle::Error;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::PathBuf;
use std::sync::Arc;

/// A study file, read and checked.
#[pyclass(module = "lifecircle._lifecircle", frozen)]
pub(crate) struct Study {
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
pub(crate) struct StudyResult {
    study: Arc<lifecircle::study::Study>,
    result: Arc<lifecircle::study::StudyResult>,
    plan: bool,
}

/// The names of the result layers, in order.
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
    "service_area_lines",
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
            "service_areas" | "facility_service_areas" | "service_area_lines" => {
                let label = |c: &str| {
                    r.profile
                        .category(c)
                        .map(|c| c.label.clone())
                        .unwrap_or_else(|| c.to_string())
                };
                let l = service_area_layers(
                    &r.service_areas,
                    &r.facilities,
                    &label,
                    self.study.report.service_area_buffer_m,
                );
                match name {
                    "service_areas" => l.by_category,
                    "facility_service_areas" => l.by_facility,
                    _ => l.lines,
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
