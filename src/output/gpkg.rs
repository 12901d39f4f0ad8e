//! GeoPackage output through GDAL.

use super::atomic::write_atomic;
use super::layer::{Kind, Layer, Value};
use crate::error::{Error, ErrorKind, Result};
use gdal::spatial_ref::{AxisMappingStrategy, SpatialRef};
use gdal::vector::{
    Feature, FieldDefn, LayerAccess, LayerOptions, OGRFieldType, OGRwkbGeometryType, ToGdal,
};
use gdal::DriverManager;
use std::path::Path;

/// Writes a layer (points or a plain table) to a new GeoPackage file.
pub fn write_gpkg(path: &Path, layer: &Layer) -> Result<()> {
    write_atomic(path, |tmp| write_to(tmp, layer))
}

fn gdal_err(what: &str) -> impl Fn(gdal::errors::GdalError) -> Error + '_ {
    move |e| Error::new(ErrorKind::Io, format!("GeoPackage: {what}")).caused_by(e)
}

fn write_to(path: &Path, layer: &Layer) -> Result<()> {
    let driver = DriverManager::get_driver_by_name("GPKG").map_err(gdal_err("no GPKG driver"))?;
    let mut ds = driver
        .create_vector_only(path)
        .map_err(gdal_err("cannot create the file"))?;
    let mut srs = SpatialRef::from_epsg(4326).map_err(gdal_err("EPSG:4326"))?;
    srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let mut txn = ds.start_transaction().map_err(gdal_err("transaction"))?;
    {
        let (ty, srs_ref) = if let Some(g) = &layer.geometry {
            (geometry_type(g), Some(&srs))
        } else {
            (OGRwkbGeometryType::wkbNone, None)
        };
        let lyr = txn
            .create_layer(LayerOptions {
                name: &layer.name,
                srs: srs_ref,
                ty,
                options: None,
            })
            .map_err(gdal_err("cannot create the layer"))?;
        for (name, kind) in &layer.columns {
            let t = match kind {
                Kind::Text => OGRFieldType::OFTString,
                Kind::Real => OGRFieldType::OFTReal,
                Kind::Int => OGRFieldType::OFTInteger64,
            };
            FieldDefn::new(name, t)
                .and_then(|f| f.add_to_layer(&lyr))
                .map_err(gdal_err("cannot add a field"))?;
        }
        let defn = lyr.defn();
        for (i, row) in layer.rows.iter().enumerate() {
            let mut f = Feature::new(defn).map_err(gdal_err("feature"))?;
            for (j, v) in row.iter().enumerate() {
                match v {
                    Value::Text(s) => f.set_field_string(j, s),
                    Value::Real(x) => f.set_field_double(j, *x),
                    Value::Int(x) => f.set_field_integer64(j, *x),
                    Value::Null => f.set_field_null(j),
                }
                .map_err(gdal_err("field value"))?;
            }
            if let Some(geoms) = &layer.geometry {
                let g = geoms[i].to_gdal().map_err(gdal_err("geometry"))?;
                f.set_geometry(g).map_err(gdal_err("geometry"))?;
            }
            f.create(&lyr).map_err(gdal_err("cannot write a feature"))?;
        }
    }
    txn.commit().map_err(gdal_err("commit"))?;
    drop(ds);
    Ok(())
}

/// The layer geometry type: the common type of all rows, else unknown.
fn geometry_type(geoms: &[geo_types::Geometry<f64>]) -> OGRwkbGeometryType::Type {
    use geo_types::Geometry as G;
    let ty = |g: &G<f64>| match g {
        G::Point(_) => OGRwkbGeometryType::wkbPoint,
        G::MultiPoint(_) => OGRwkbGeometryType::wkbMultiPoint,
        G::LineString(_) | G::Line(_) => OGRwkbGeometryType::wkbLineString,
        G::MultiLineString(_) => OGRwkbGeometryType::wkbMultiLineString,
        G::Polygon(_) | G::Rect(_) | G::Triangle(_) => OGRwkbGeometryType::wkbPolygon,
        G::MultiPolygon(_) => OGRwkbGeometryType::wkbMultiPolygon,
        G::GeometryCollection(_) => OGRwkbGeometryType::wkbGeometryCollection,
    };
    let first = geoms
        .first()
        .map(ty)
        .unwrap_or(OGRwkbGeometryType::wkbUnknown);
    if geoms.iter().all(|g| ty(g) == first) {
        first
    } else {
        OGRwkbGeometryType::wkbUnknown
    }
}
