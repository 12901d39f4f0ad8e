//! Zones from any GDAL polygon layer (Shapefile, GeoPackage, GeoJSON, FlatGeobuf, FileGDB, ...).

use super::zone::{is_rural, parse_rural_flag, Zone};
use crate::crs::Crs;
use crate::error::{Error, ErrorKind, Result};
use crate::input::vector::all_finite;
use crate::input::{read_layer, TextEncoding, VectorLayer};
use geo::orient::{Direction, Orient};
use geo_types::{Geometry, MultiPolygon};
use std::path::Path;

/// Field names tried, in order and ignoring ASCII case, for the zone name.
pub const NAME_FIELDS: &[&str] = &["name", "名称", "街道名称", "XZMC", "街镇"];
/// Field names tried for the zone code.
pub const CODE_FIELDS: &[&str] = &["code", "代码", "编码", "XZDM", "id"];
/// Field names tried for the district name.
pub const DISTRICT_FIELDS: &[&str] = &["district", "区", "所属区", "QXMC"];

/// How to read a zone layer. `Default` reads the first layer in its own coordinate system with
/// fields found by their usual names.
#[derive(Debug, Clone, Default)]
pub struct ZoneLayerOptions {
    /// Layer name in multi-layer files (default: the first layer).
    pub layer: Option<String>,
    /// Coordinate system of the file, overriding the layer's own (default: the layer's own, else
    /// WGS84). Needed for GCJ-02 / BD-09 data, which files label as WGS84.
    pub crs: Option<Crs>,
    /// Text encoding of Shapefiles without a `.cpg` file.
    pub encoding: TextEncoding,
    /// Field holding the zone name (default: the first of [`NAME_FIELDS`] present).
    pub name_field: Option<String>,
    /// Field holding the zone code (default: the first of [`CODE_FIELDS`] present; without one,
    /// zones are numbered by feature).
    pub code_field: Option<String>,
    /// Field holding the district name (default: the first of [`DISTRICT_FIELDS`] present).
    pub district_field: Option<String>,
    /// Field holding a rural/urban flag (see [`parse_rural_flag`]); without one, zones are rural
    /// by name (see [`is_rural`]).
    pub rural_field: Option<String>,
}

/// Reads zones from a polygon layer, converted to WGS84, in layer order.
///
/// Fields are looked up by the names in `opts`, else by their usual names ([`NAME_FIELDS`],
/// [`CODE_FIELDS`], [`DISTRICT_FIELDS`]). Errors name the file, the feature and the field:
/// a field given in `opts` that the layer lacks, a layer without any name field, a feature
/// without a name, without a geometry or with a geometry other than (Multi)Polygon, and a
/// rural flag that is not understood (an empty flag included). A feature without a code gets
/// its feature number (1-based) as code; one without a district gets `None`.
pub fn read_zone_layer(path: &Path, opts: &ZoneLayerOptions) -> Result<Vec<Zone>> {
    let layer = read_layer(path, opts.layer.as_deref(), opts.crs, opts.encoding)?;
    let pick = |given: &Option<String>, defaults: &[&str]| -> Result<Option<usize>> {
        match given {
            Some(name) => layer.field(name).map(Some),
            None => Ok(layer.find_field(defaults)),
        }
    };
    let name_f = pick(&opts.name_field, NAME_FIELDS)?.ok_or_else(|| {
        Error::new(
            ErrorKind::MissingField,
            format!(
                "no zone name field: expected one of {} (fields: {}); name it explicitly",
                NAME_FIELDS.join(", "),
                layer.fields.join(", ")
            ),
        )
        .file(path)
    })?;
    let code_f = pick(&opts.code_field, CODE_FIELDS)?;
    let district_f = pick(&opts.district_field, DISTRICT_FIELDS)?;
    let rural_f = match &opts.rural_field {
        Some(name) => Some(layer.field(name)?),
        None => None,
    };

    let mut zones = Vec::with_capacity(layer.features.len());
    for f in &layer.features {
        let label = VectorLayer::feature_label(f.index);
        let value = |i: Option<usize>| -> Option<&str> {
            i.and_then(|i| f.values[i].as_deref())
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let err = |kind, msg: String| Error::new(kind, msg).file(path).at(label.clone());

        if f.geometry.as_ref().is_some_and(|g| !all_finite(g)) {
            return Err(err(
                ErrorKind::InvalidValue,
                "the geometry has a coordinate that is not a finite number".to_string(),
            ));
        }
        let geometry = match &f.geometry {
            Some(Geometry::Polygon(p)) => MultiPolygon(vec![p.orient(Direction::Default)]),
            Some(Geometry::MultiPolygon(mp)) => mp.orient(Direction::Default),
            Some(other) => {
                return Err(err(
                    ErrorKind::Format,
                    format!(
                        "a zone must be a polygon or multipolygon, not a {}",
                        geometry_kind(other)
                    ),
                ))
            }
            None => {
                return Err(err(
                    ErrorKind::Format,
                    "the feature has no geometry".to_string(),
                ))
            }
        };
        let name = value(Some(name_f))
            .ok_or_else(|| {
                err(ErrorKind::MissingField, "the zone has no name".to_string())
                    .field(&layer.fields[name_f])
            })?
            .to_string();
        let code = value(code_f)
            .map(str::to_string)
            .unwrap_or_else(|| (f.index + 1).to_string());
        let district = value(district_f).map(str::to_string);
        let rural = match rural_f {
            Some(i) => {
                let v = value(Some(i)).unwrap_or("");
                parse_rural_flag(v).ok_or_else(|| {
                    err(
                        ErrorKind::InvalidValue,
                        format!(
                            "rural flag {v:?} not understood; use 1/true/yes/rural/农村/镇 \
                             or 0/false/no/urban/城市/街道"
                        ),
                    )
                    .field(&layer.fields[i])
                })?
            }
            None => is_rural(&name, None),
        };
        zones.push(Zone {
            code,
            name,
            district,
            rural,
            geometry,
            origin: format!("{} {label}", path.display()),
        });
    }
    Ok(zones)
}

/// A readable name of a geometry's type, for messages.
fn geometry_kind(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "point",
        Geometry::Line(_) | Geometry::LineString(_) => "line",
        Geometry::Polygon(_) => "polygon",
        Geometry::MultiPoint(_) => "multipoint",
        Geometry::MultiLineString(_) => "multiline",
        Geometry::MultiPolygon(_) => "multipolygon",
        Geometry::GeometryCollection(_) => "geometry collection",
        Geometry::Rect(_) => "rectangle",
        Geometry::Triangle(_) => "triangle",
    }
}
