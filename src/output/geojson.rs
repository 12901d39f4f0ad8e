//! GeoJSON output (RFC 7946): a FeatureCollection in WGS84.
//!
//! RFC 7946 allows WGS84 longitude/latitude only, so GeoJSON is always written in WGS84: the
//! output coordinate system ([`super::OutputCrs`]) does not apply to it. Properties use the
//! English column names.

use super::atomic::write_atomic;
use super::layer::{Layer, Value};
use crate::error::{Error, ErrorKind, Result};
use geojson::{Feature, FeatureCollection, Geometry, JsonObject, JsonValue};
use std::path::Path;

/// Writes a map layer as a GeoJSON FeatureCollection, coordinates in WGS84 whatever output
/// system other files use.
pub fn write_geojson(path: &Path, layer: &Layer) -> Result<()> {
    let geometry = layer.geometry.as_ref().ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidValue,
            "this table has no geometry; write it as .csv",
        )
        .file(path)
    })?;
    let mut features = Vec::with_capacity(layer.len());
    let mut rows = layer.cursor();
    while let Some((i, row)) = rows.next_row() {
        let mut props = JsonObject::new();
        for ((name, _), v) in layer.columns.iter().zip(row) {
            let j = match v {
                Value::Text(s) => JsonValue::from(s.as_str()),
                Value::Real(x) => serde_json::Number::from_f64(*x)
                    .map(JsonValue::Number)
                    .unwrap_or(JsonValue::Null),
                Value::Int(i) => JsonValue::from(*i),
                Value::Null => JsonValue::Null,
            };
            props.insert(name.clone(), j);
        }
        features.push(Feature {
            bbox: None,
            geometry: Some(Geometry::new(geojson::GeometryValue::from(&geometry[i]))),
            id: None,
            properties: Some(props),
            foreign_members: None,
        });
    }
    let fc = FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    };
    write_atomic(path, |tmp| {
        let text = serde_json::to_string(&fc)
            .map_err(|e| Error::new(ErrorKind::Io, "cannot encode GeoJSON").caused_by(e))?;
        std::fs::write(tmp, text).map_err(|e| Error::io(tmp, e))
    })
}
