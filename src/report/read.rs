//! Reading a study's output folder back for `lifecircle report --from DIR`: `summary.json` and
//! the map layers, from `lifecircle.gpkg` (any output coordinate system, converted back to
//! WGS84; GCJ-02 is recognised by the layer description) or else from the GeoJSON files.

use super::ReportData;
use crate::error::{Error, ErrorKind, Result};
use crate::output::Layer;
use std::path::Path;
#[cfg(feature = "gdal")]
use {
    crate::crs::Crs,
    crate::output::srs::transform_geometry,
    crate::output::{Kind, Value},
    gdal::vector::{LayerAccess, OGRFieldType},
    gdal::Metadata,
};

/// Reads `summary.json` and the `zones`, `facilities`, `gaps` and (when present)
/// `service_areas` and `sites` layers of an output folder.
pub fn read_output_folder(dir: &Path) -> Result<ReportData> {
    let sp = dir.join("summary.json");
    let text = std::fs::read_to_string(&sp).map_err(|e| Error::io(&sp, e))?;
    let summary: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Error::new(ErrorKind::Format, "summary.json is not valid JSON")
            .file(&sp)
            .caused_by(e)
    })?;
    let gpkg = dir.join("lifecircle.gpkg");
    let read = |name: &str| -> Result<Option<Layer>> {
        if gpkg.exists() {
            read_gdal_layer(&gpkg, name)
        } else {
            let p = dir.join(format!("{name}.geojson"));
            if p.exists() {
                read_gdal_layer(&p, name)
            } else {
                Ok(None)
            }
        }
    };
    let need = |name: &str| -> Result<Layer> {
        read(name)?.ok_or_else(|| {
            Error::new(
                ErrorKind::Io,
                format!("no {name} layer: the folder needs lifecircle.gpkg or {name}.geojson"),
            )
            .file(dir)
        })
    };
    Ok(ReportData {
        title: summary["study"].as_str().unwrap_or_default().to_string(),
        zones: need("zones")?,
        facilities: need("facilities")?,
        gaps: need("gaps")?,
        service_areas: read("service_areas")?,
        sites: read("sites")?,
        summary,
    })
}

/// Without GDAL the layers cannot be read: an error naming the file.
#[cfg(not(feature = "gdal"))]
pub fn read_gdal_layer(path: &Path, _name: &str) -> Result<Option<Layer>> {
    Err(Error::needs_gdal("reading the map layers of an output folder").file(path))
}

#[cfg(feature = "gdal")]
/// Reads layer `name` of a GeoPackage (or the only layer of a GeoJSON file) into a [`Layer`],
/// geometry converted to WGS84; `None` when the GeoPackage has no such layer.
pub fn read_gdal_layer(path: &Path, name: &str) -> Result<Option<Layer>> {
    let ds = gdal::Dataset::open(path).map_err(|e| {
        Error::new(ErrorKind::Format, "GDAL cannot open this file")
            .file(path)
            .caused_by(e)
    })?;
    let is_geojson = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("geojson") || e.eq_ignore_ascii_case("json"));
    let mut lyr = if is_geojson {
        ds.layer(0)
    } else {
        match ds.layer_by_name(name) {
            Ok(l) => Ok(l),
            Err(_) => return Ok(None),
        }
    }
    .map_err(|e| {
        Error::new(ErrorKind::Format, "cannot read the layer")
            .file(path)
            .caused_by(e)
    })?;
    let description = lyr.metadata_item("DESCRIPTION", "").unwrap_or_default();
    let crs = if is_geojson {
        Crs::Wgs84
    } else if description.contains("GCJ-02") {
        Crs::Gcj02
    } else {
        lyr.spatial_ref()
            .and_then(|s| Crs::from_spatial_ref(&s))
            .unwrap_or(Crs::Wgs84)
    };
    let transformer = crs.transformer_to(Crs::Wgs84)?;
    let columns: Vec<(String, Kind)> = lyr
        .defn()
        .fields()
        .map(|f| {
            let k = match f.field_type() {
                OGRFieldType::OFTInteger | OGRFieldType::OFTInteger64 => Kind::Int,
                OGRFieldType::OFTReal => Kind::Real,
                _ => Kind::Text,
            };
            (f.name(), k)
        })
        .collect();
    let cols: Vec<(&str, Kind)> = columns.iter().map(|(n, k)| (n.as_str(), *k)).collect();
    let mut out = Layer::new(name, &cols);
    out.geometry = Some(Vec::new());
    let mut buf = Vec::new();
    for (i, f) in lyr.features().enumerate() {
        let at = || format!("layer {name:?}, feature {}", i + 1);
        let mut row = Vec::with_capacity(columns.len());
        for (j, (_, kind)) in columns.iter().enumerate() {
            let v = match kind {
                Kind::Int => f.field_as_integer64(j).ok().flatten().map(Value::Int),
                Kind::Real => f.field_as_double(j).ok().flatten().map(Value::Real),
                Kind::Text => f.field_as_string(j).ok().flatten().map(Value::Text),
            };
            row.push(v.unwrap_or(Value::Null));
        }
        let mut g = match f.geometry() {
            Some(g) if !g.is_empty() => g.to_geo().map_err(|e| {
                Error::new(ErrorKind::Format, "unsupported geometry")
                    .file(path)
                    .at(at())
                    .caused_by(e)
            })?,
            _ => geo_types::Geometry::GeometryCollection(geo_types::GeometryCollection(vec![])),
        };
        if !transformer.is_identity() {
            transform_geometry(&mut g, &transformer, &mut buf)
                .map_err(|e| e.file(path).at(at()))?;
        }
        out.push_geometry(row, Some(g));
    }
    Ok(Some(out))
}
