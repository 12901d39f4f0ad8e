//! GeoPackage output: one or several layers (map layers and plain tables) in one file,
//! geometries in the requested [`OutputCrs`]. GDAL creates the file and the layers; the rows and
//! the spatial indexes are written through SQLite directly (see `gpkg_features` and
//! `gpkg_rtree`), which is many times faster for a city's million demand points.
//!
//! What the file holds:
//!
//! - one table per [`Layer`], named after it, features in row order (FIDs 1, 2, ...);
//! - fields named after the columns, with the Chinese labels as alternative names
//!   (`gpkg_data_columns`, shown as aliases by QGIS and ArcGIS; aliases must be unique within a
//!   table, so a label repeated in one layer gets the column name appended);
//! - the layer's Chinese label, and for map layers a note on the coordinate system, in
//!   `gpkg_contents.description`;
//! - for GCJ-02, which has no EPSG code, a user-defined system named `GCJ-02 ...` in
//!   `gpkg_spatial_ref_sys` (WGS 84 ellipsoid, longitude first), and `GCJ-02` in both the
//!   description and the identifier of every map layer;
//! - mixed single and multi geometries of one kind (Polygon and MultiPolygon) are all written
//!   as the multi kind, so that the layer has one geometry type;
//! - for every map layer, an R-tree spatial index (`rtree_<layer>_geom`, the GeoPackage R-tree
//!   extension) with the triggers that keep it up to date when the file is edited.
//!
//! The output is byte-identical when the same layers are written again: GDAL's time stamps
//! (`gpkg_contents.last_change`) are fixed at 2000-01-01T00:00:00.000Z.

use super::layer::Layer;
use super::srs::OutputCrs;
use crate::error::{Error, ErrorKind, Result};
use std::path::Path;

#[cfg(feature = "gdal")]
#[path = "gpkg_create.rs"]
pub(super) mod create;

/// Writes one layer (map layer or plain table) to a new GeoPackage file, geometries in WGS84.
pub fn write_gpkg(path: &Path, layer: &Layer) -> Result<()> {
    write_gpkg_layers(path, &[layer], OutputCrs::Wgs84)
}

/// Writes several layers (map layers and plain tables) to one new GeoPackage file, geometries
/// converted from WGS84 to `crs`. Layer names must be distinct, ignoring case.
pub fn write_gpkg_layers(path: &Path, layers: &[&Layer], crs: OutputCrs) -> Result<()> {
    check_names(layers).map_err(|e| e.file(path))?;
    #[cfg(feature = "gdal")]
    return create::write_file(path, layers, crs);
    #[cfg(not(feature = "gdal"))]
    {
        let _ = crs;
        Err(Error::needs_gdal("writing GeoPackage files").file(path))
    }
}

fn check_names(layers: &[&Layer]) -> Result<()> {
    if layers.is_empty() {
        return Err(Error::new(ErrorKind::Empty, "no layers to write"));
    }
    for (i, l) in layers.iter().enumerate() {
        if l.name.trim().is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                "a GeoPackage layer needs a name",
            ));
        }
        if layers[..i]
            .iter()
            .any(|o| o.name.to_lowercase() == l.name.to_lowercase())
        {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "two layers are named {:?}; GeoPackage layer names must differ",
                    l.name
                ),
            ));
        }
    }
    Ok(())
}
