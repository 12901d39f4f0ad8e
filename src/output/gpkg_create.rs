//! Creating a GeoPackage file through GDAL (file, layers, fields, aliases, coordinate system,
//! descriptions), its rows written through SQLite.

use super::super::atomic::write_atomic;
use super::super::gpkg_features::write_features;
use super::super::layer::{GeometryType, Kind, Layer};
use super::super::srs::OutputCrs;
use crate::error::{Error, ErrorKind, Result};
use gdal::vector::{LayerAccess, LayerOptions, OGRFieldType, OGRwkbGeometryType};
use gdal::DriverManager;
use geo_types::Geometry as G;
use std::ffi::CString;
use std::path::Path;

/// The time GDAL records as the last change of every layer, so that reruns are byte-identical.
const FIXED_DATE: &str = "2000-01-01T00:00:00.000Z";

/// Writes `layers` (names checked) to a new file at `path`, atomically.
pub(super) fn write_file(path: &Path, layers: &[&Layer], crs: OutputCrs) -> Result<()> {
    write_atomic(path, |tmp| {
        let _date = ThreadConfig::set("OGR_CURRENT_DATE", FIXED_DATE)?;
        write_to(tmp, layers, crs)
    })
}

/// Sets a GDAL configuration option for this thread until dropped, then restores the old value.
struct ThreadConfig {
    key: &'static str,
    old: String,
}

impl ThreadConfig {
    fn set(key: &'static str, value: &str) -> Result<ThreadConfig> {
        let fail = |e| Error::new(ErrorKind::Io, "GDAL configuration").caused_by(e);
        let old = gdal::config::get_thread_local_config_option(key, "").map_err(fail)?;
        gdal::config::set_thread_local_config_option(key, value).map_err(fail)?;
        Ok(ThreadConfig { key, old })
    }
}

impl Drop for ThreadConfig {
    fn drop(&mut self) {
        let _ = if self.old.is_empty() {
            gdal::config::clear_thread_local_config_option(self.key)
        } else {
            gdal::config::set_thread_local_config_option(self.key, &self.old)
        };
    }
}

fn gdal_err(what: &str) -> impl Fn(gdal::errors::GdalError) -> Error + '_ {
    move |e| Error::new(ErrorKind::Io, format!("GeoPackage: {what}")).caused_by(e)
}

/// Creates the file and its layers (fields, aliases, coordinate system, descriptions) through
/// GDAL, then writes the rows through SQLite ([`super::gpkg_features`]).
fn write_to(path: &Path, layers: &[&Layer], crs: OutputCrs) -> Result<()> {
    let driver = DriverManager::get_driver_by_name("GPKG").map_err(gdal_err("no GPKG driver"))?;
    let mut ds = driver
        .create_vector_only(path)
        .map_err(gdal_err("cannot create the file"))?;
    let srs = crs.spatial_ref()?;
    let transformer = crs.transformer()?;
    let mut types = Vec::with_capacity(layers.len());
    for layer in layers {
        let ty = match &layer.geometry {
            Some(g) => layer_geometry_type(layer.geometry_type, g),
            None => OGRwkbGeometryType::wkbNone,
        };
        types.push(ty);
        let is_map = layer.geometry.is_some();
        let mut description = layer.layer_label.clone().unwrap_or_default();
        if is_map {
            if !description.is_empty() {
                description.push_str("; ");
            }
            description.push_str(crs.description());
        }
        let mut options = Vec::new();
        if !description.is_empty() {
            options.push(format!("DESCRIPTION={description}"));
        }
        if is_map && crs == OutputCrs::Gcj02 {
            options.push(format!("IDENTIFIER={} (GCJ-02)", layer.name));
        }
        // The spatial index is bulk-loaded with the rows.
        options.push("SPATIAL_INDEX=NO".to_string());
        let options: Vec<&str> = options.iter().map(String::as_str).collect();
        let lyr = ds
            .create_layer(LayerOptions {
                name: &layer.name,
                srs: is_map.then_some(&srs),
                ty,
                options: Some(&options),
            })
            .map_err(|e| {
                gdal_err("cannot create the layer")(e).at(format!("layer {:?}", layer.name))
            })?;
        for ((name, kind), alias) in layer.columns.iter().zip(aliases(layer)) {
            let t = match kind {
                Kind::Text => OGRFieldType::OFTString,
                Kind::Real => OGRFieldType::OFTReal,
                Kind::Int => OGRFieldType::OFTInteger64,
            };
            add_field(&lyr, name, t, alias.as_deref())
                .map_err(|e| e.at(format!("layer {:?}", layer.name)).field(name))?;
        }
    }
    ds.close().map_err(gdal_err("cannot close the file"))?;
    write_features(path, layers, &transformer, |i, g| promote(g, types[i]))
}

/// The field aliases of a layer, one per column: the Chinese labels, made unique within the
/// layer (as GeoPackage requires) by appending the column name to a repeated label; the first
/// column with a label keeps it as is.
pub(in crate::output) fn aliases(layer: &Layer) -> Vec<Option<String>> {
    let mut seen: Vec<String> = Vec::new();
    layer
        .columns
        .iter()
        .map(|(column, _)| {
            let label = layer.column_label(column)?;
            let alias = if seen.iter().any(|s| s == label) {
                format!("{label} ({column})")
            } else {
                label.to_string()
            };
            seen.push(alias.clone());
            Some(alias)
        })
        .collect()
}

/// Adds a field, with `alternative` as its alternative name (an alias for GIS software).
fn add_field(
    lyr: &gdal::vector::Layer<'_>,
    name: &str,
    ty: OGRFieldType::Type,
    alternative: Option<&str>,
) -> Result<()> {
    struct Defn(gdal_sys::OGRFieldDefnH);
    impl Drop for Defn {
        fn drop(&mut self) {
            // SAFETY: created by OGR_Fld_Create below and destroyed once.
            unsafe { gdal_sys::OGR_Fld_Destroy(self.0) }
        }
    }
    let text = |s: &str| {
        CString::new(s).map_err(|_| {
            Error::new(
                ErrorKind::InvalidValue,
                "a field name contains a NUL character",
            )
        })
    };
    let c_name = text(name)?;
    let c_alt = alternative.map(text).transpose()?;
    // SAFETY: the field definition is created, used and destroyed here; OGR_L_CreateField copies
    // it; the layer handle is live for the borrow of `lyr`.
    unsafe {
        let h = gdal_sys::OGR_Fld_Create(c_name.as_ptr(), ty);
        if h.is_null() {
            return Err(Error::new(ErrorKind::Io, "GeoPackage: cannot add a field"));
        }
        let defn = Defn(h);
        if let Some(a) = &c_alt {
            gdal_sys::OGR_Fld_SetAlternativeName(defn.0, a.as_ptr());
        }
        if gdal_sys::OGR_L_CreateField(lyr.c_layer(), defn.0, 1) != gdal_sys::OGRErr::OGRERR_NONE {
            return Err(Error::new(ErrorKind::Io, "GeoPackage: cannot add a field"));
        }
    }
    Ok(())
}

/// The OGR type of a geometry, `Line` as a line string and `Rect`/`Triangle` as polygons.
fn ogr_type(g: &G<f64>) -> OGRwkbGeometryType::Type {
    match g {
        G::Point(_) => OGRwkbGeometryType::wkbPoint,
        G::MultiPoint(_) => OGRwkbGeometryType::wkbMultiPoint,
        G::LineString(_) | G::Line(_) => OGRwkbGeometryType::wkbLineString,
        G::MultiLineString(_) => OGRwkbGeometryType::wkbMultiLineString,
        G::Polygon(_) | G::Rect(_) | G::Triangle(_) => OGRwkbGeometryType::wkbPolygon,
        G::MultiPolygon(_) => OGRwkbGeometryType::wkbMultiPolygon,
        G::GeometryCollection(_) => OGRwkbGeometryType::wkbGeometryCollection,
    }
}

/// The multi kind of a single geometry type (itself for multi kinds and others).
fn multi(t: OGRwkbGeometryType::Type) -> OGRwkbGeometryType::Type {
    match t {
        OGRwkbGeometryType::wkbPoint => OGRwkbGeometryType::wkbMultiPoint,
        OGRwkbGeometryType::wkbLineString => OGRwkbGeometryType::wkbMultiLineString,
        OGRwkbGeometryType::wkbPolygon => OGRwkbGeometryType::wkbMultiPolygon,
        t => t,
    }
}

/// The layer geometry type: the declared type if any, else the common type of all rows, the
/// multi kind when single and multi geometries of one kind mix, else unknown (any geometry).
fn layer_geometry_type(
    declared: Option<GeometryType>,
    geoms: &[G<f64>],
) -> OGRwkbGeometryType::Type {
    let mut ty = match declared {
        Some(GeometryType::Point) => OGRwkbGeometryType::wkbPoint,
        Some(GeometryType::LineString) => OGRwkbGeometryType::wkbLineString,
        Some(GeometryType::Polygon) => OGRwkbGeometryType::wkbPolygon,
        Some(GeometryType::MultiPoint) => OGRwkbGeometryType::wkbMultiPoint,
        Some(GeometryType::MultiLineString) => OGRwkbGeometryType::wkbMultiLineString,
        Some(GeometryType::MultiPolygon) => OGRwkbGeometryType::wkbMultiPolygon,
        None => match geoms.first() {
            Some(g) => ogr_type(g),
            None => return OGRwkbGeometryType::wkbUnknown,
        },
    };
    for g in geoms {
        let t = ogr_type(g);
        if t == ty {
            continue;
        }
        if multi(t) == multi(ty) && multi(t) != OGRwkbGeometryType::wkbGeometryCollection {
            ty = multi(ty);
        } else {
            return OGRwkbGeometryType::wkbUnknown;
        }
    }
    ty
}

/// `g` as the layer type `ty` requires: single geometries wrapped in their multi kind when the
/// layer is of that kind; rectangles and triangles as polygons, lines as line strings.
fn promote(g: G<f64>, ty: OGRwkbGeometryType::Type) -> G<f64> {
    use geo_types::{LineString, MultiLineString, MultiPoint, MultiPolygon};
    let g = match g {
        G::Rect(r) => G::Polygon(r.to_polygon()),
        G::Triangle(t) => G::Polygon(t.to_polygon()),
        G::Line(l) => G::LineString(LineString::from(vec![l.start, l.end])),
        g => g,
    };
    match (g, ty) {
        (G::Point(p), OGRwkbGeometryType::wkbMultiPoint) => G::MultiPoint(MultiPoint(vec![p])),
        (G::LineString(l), OGRwkbGeometryType::wkbMultiLineString) => {
            G::MultiLineString(MultiLineString(vec![l]))
        }
        (G::Polygon(p), OGRwkbGeometryType::wkbMultiPolygon) => {
            G::MultiPolygon(MultiPolygon(vec![p]))
        }
        (g, _) => g,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{polygon, MultiPolygon, Point};

    #[test]
    fn mixed_single_and_multi_make_a_multi_layer() {
        let p = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0)];
        let gs = vec![
            G::Polygon(p.clone()),
            G::MultiPolygon(MultiPolygon(vec![p.clone()])),
        ];
        let ty = layer_geometry_type(None, &gs);
        assert_eq!(ty, OGRwkbGeometryType::wkbMultiPolygon);
        assert!(matches!(promote(gs[0].clone(), ty), G::MultiPolygon(m) if m.0.len() == 1));
        let gs = vec![G::Polygon(p), G::Point(Point::new(0.0, 0.0))];
        assert_eq!(
            layer_geometry_type(None, &gs),
            OGRwkbGeometryType::wkbUnknown
        );
        assert_eq!(
            layer_geometry_type(Some(GeometryType::Polygon), &[]),
            OGRwkbGeometryType::wkbPolygon
        );
    }
}
