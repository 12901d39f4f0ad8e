//! Writing a study's results into its output folder, every file atomically.

use super::compute::StudyResult;
use super::config::Study;
use super::layers::{
    demand_layer, districts_layer, facilities_layer, gaps_layer, sites_layer, villages_layer,
    zones_layer,
};
use super::summary::{summary_json, summary_markdown};
use crate::analysis::service_area::{service_area_layers, ServiceAreaLayers};
use crate::error::{Error, ErrorKind, Result};
use crate::output::{
    write_atomic, write_csv_with, write_geojson, write_gpkg_layers, write_xlsx, CsvEncoding,
    CsvOptions, HeaderLanguage, Layer, OutputCrs,
};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// Excel's row limit, header included.
const XLSX_MAX_ROWS: usize = 1_048_576;

/// Writes every requested format; returns the files written.
///
/// The result is shared because the demand layer's rows are made from it while they are written.
pub fn write_outputs(study: &Study, r: &Arc<StudyResult>) -> Result<Vec<PathBuf>> {
    let dir = study.resolve(&study.output.folder);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let crs: OutputCrs = study
        .output
        .crs
        .parse()
        .map_err(|e: Error| e.field("output.crs"))?;
    let headers = if study.output.headers == "en" {
        HeaderLanguage::English
    } else {
        HeaderLanguage::Chinese
    };
    let encoding: CsvEncoding = study
        .output
        .csv_encoding
        .parse()
        .map_err(|e: Error| e.field("output.csv_encoding"))?;
    let zones = zones_layer(r);
    let districts = districts_layer(r);
    let demand = demand_layer(r);
    let facilities = facilities_layer(r);
    let gaps = gaps_layer(r);
    let villages = villages_layer(r);
    let sites = sites_layer(r);
    let mut maps: Vec<&Layer> = vec![&zones, &demand, &gaps, &facilities];
    let mut all: Vec<&Layer> = vec![&zones, &districts, &demand, &gaps, &facilities];
    if !r.villages.is_empty() {
        maps.push(&villages);
        all.push(&villages);
    }
    if !r.siting.is_empty() {
        maps.push(&sites);
        all.push(&sites);
    }
    let ServiceAreaLayers {
        by_category: service_areas,
        by_facility: facility_service_areas,
        lines: service_area_lines,
    } = service_area_layers(
        &r.service_areas,
        &r.facilities,
        &|c| {
            r.profile
                .category(c)
                .map(|c| c.label.clone())
                .unwrap_or_else(|| c.to_string())
        },
        study.report.service_area_buffer_m,
    );
    if study.report.service_areas {
        maps.push(&service_areas);
        all.push(&service_areas);
        if study.report.facility_service_areas {
            maps.push(&facility_service_areas);
            all.push(&facility_service_areas);
        }
        if study.report.service_area_lines {
            maps.push(&service_area_lines);
            all.push(&service_area_lines);
        }
    }
    // Each format is written on its own thread; the files are listed in a fixed order.
    let write_format = |f: &str| -> Result<Vec<PathBuf>> {
        let mut files = Vec::new();
        match f {
            "gpkg" => {
                let p = dir.join("lifecircle.gpkg");
                write_gpkg_layers(&p, &all, crs)?;
                files.push(p);
            }
            "geojson" => {
                for &l in &maps {
                    let p = dir.join(format!("{}.geojson", l.name));
                    write_geojson(&p, l)?;
                    files.push(p);
                }
            }
            "csv" => {
                for &l in &all {
                    let p = dir.join(format!("{}.csv", l.name));
                    let opts = CsvOptions {
                        encoding,
                        headers,
                        with_coordinates: matches!(l.name.as_str(), "demand" | "facilities"),
                        crs,
                    };
                    write_csv_with(&p, l, &opts)?;
                    files.push(p);
                }
            }
            "xlsx" => {
                let p = dir.join("lifecircle.xlsx");
                // The workbook holds the tables for reports; the per-point demand layer is in
                // the GeoPackage and CSV outputs.
                let sheets: Vec<&Layer> = all
                    .iter()
                    .copied()
                    .filter(|l| l.name != "demand" && l.len() < XLSX_MAX_ROWS)
                    .collect();
                write_xlsx(&p, &sheets, headers)?;
                files.push(p);
            }
            other => {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!("unknown format {other:?}"),
                )
                .field("output.formats"))
            }
        }
        Ok(files)
    };
    let name = if study.name.is_empty() {
        study.path.display().to_string()
    } else {
        study.name.clone()
    };
    let json = summary_json(&name, r);
    // Maps and the HTML report (from the same layers and summary) are drawn while the formats
    // are written.
    let rep = &study.report;
    let report = || -> Result<Vec<PathBuf>> {
        if !(rep.maps || rep.html) {
            return Ok(Vec::new());
        }
        let data = crate::report::ReportData {
            title: name.clone(),
            summary: json.clone(),
            zones: zones.clone(),
            facilities: facilities.clone(),
            gaps: gaps.clone(),
            service_areas: rep.service_areas.then(|| service_areas.clone()),
            sites: (!r.siting.is_empty()).then(|| sites.clone()),
        };
        let opts = crate::report::ReportOptions {
            maps: rep.maps,
            html: rep.html,
            simplify_m: rep.simplify_m,
        };
        crate::report::write_report(&dir, &data, &opts)
    };
    // Every format and the report are tasks of one scope. Other threads take spawned tasks
    // oldest first, this thread newest first: the GeoPackage, the longest task that cannot be
    // split, is spawned last so that this thread starts on it at once, while the others take the
    // other formats, then the report (whose maps are split further).
    let formats = &study.output.formats;
    let written: Vec<OnceLock<Result<Vec<PathBuf>>>> =
        formats.iter().map(|_| OnceLock::new()).collect();
    let report_files = OnceLock::new();
    let last = |f: &String| f == "gpkg";
    rayon::scope(|s| {
        let spawn_format = |i: usize| {
            let (f, slot, write_format) = (&formats[i], &written[i], &write_format);
            s.spawn(move |_| {
                let _ = slot.set(write_format(f));
            });
        };
        (0..formats.len())
            .filter(|&i| !last(&formats[i]))
            .for_each(spawn_format);
        s.spawn(|_| {
            let _ = report_files.set(report());
        });
        (0..formats.len())
            .filter(|&i| last(&formats[i]))
            .for_each(spawn_format);
    });
    let mut files = Vec::new();
    for w in written {
        files.extend(w.into_inner().expect("every task ran")?);
    }
    let report_files = report_files.into_inner().expect("the report task ran");
    let p = dir.join("summary.json");
    write_text(
        &p,
        &serde_json::to_string_pretty(&json).expect("serialisable"),
    )?;
    files.push(p);
    let p = dir.join("summary.md");
    write_text(&p, &summary_markdown(&json))?;
    files.push(p);
    files.extend(report_files?);
    Ok(files)
}

fn write_text(path: &std::path::Path, text: &str) -> Result<()> {
    write_atomic(path, |tmp| {
        std::fs::write(tmp, text).map_err(|e| Error::io(tmp, e))
    })
}
