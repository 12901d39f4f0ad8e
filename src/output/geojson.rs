//! GeoJSON output (RFC 7946): a FeatureCollection in WGS84.
//!
//! RFC 7946 allows WGS84 longitude/latitude only, so GeoJSON is always written in WGS84: the
//! output coordinate system ([`super::OutputCrs`]) does not apply to it, and no `crs` member is
//! written. Polygons follow the right-hand rule (exterior rings counter-clockwise, holes
//! clockwise). Properties use the English column names.

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
            geometry: Some(Geometry::new(geojson::GeometryValue::from(
                right_hand_rule(&geometry[i]).as_ref(),
            ))),
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

/// `g` with its polygons' exterior rings counter-clockwise and holes clockwise (RFC 7946,
/// section 3.1.6).
fn right_hand_rule(g: &geo_types::Geometry<f64>) -> std::borrow::Cow<'_, geo_types::Geometry<f64>> {
    use geo::orient::{Direction, Orient};
    use geo_types::Geometry as G;
    use std::borrow::Cow;
    match g {
        G::Polygon(p) => Cow::Owned(G::Polygon(p.orient(Direction::Default))),
        G::MultiPolygon(p) => Cow::Owned(G::MultiPolygon(p.orient(Direction::Default))),
        G::GeometryCollection(c) => Cow::Owned(G::GeometryCollection(
            c.iter().map(|g| right_hand_rule(g).into_owned()).collect(),
        )),
        _ => Cow::Borrowed(g),
    }
}
