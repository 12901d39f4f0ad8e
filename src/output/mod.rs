//! Writing results: tables and map layers as CSV, GeoJSON, GeoPackage or XLSX, always atomically
//! (a temporary file in the target folder, renamed into place when complete; nothing is left
//! behind on failure).
//!
//! | format     | layers per file | geometry                      | coordinate system          | headers          |
//! |------------|-----------------|-------------------------------|----------------------------|------------------|
//! | CSV        | one             | optional point columns        | [`OutputCrs`] (columns)    | English or Chinese |
//! | GeoJSON    | one             | any                           | always WGS84 (RFC 7946)    | English          |
//! | GeoPackage | several         | any                           | [`OutputCrs`]              | English names, Chinese aliases |
//! | XLSX       | several (sheets)| not written                   | —                          | English or Chinese |
//!
//! GeoPackage and XLSX files are byte-identical when the same layers are written again.

pub mod atomic;
pub mod csv;
mod csv_record;
pub mod geojson;
pub mod gpkg;
#[cfg(feature = "gdal")]
mod gpkg_features;
#[cfg(feature = "gdal")]
mod gpkg_rtree;
pub mod layer;
pub mod number;
mod ordered_write;
#[cfg(feature = "gdal")]
mod sqlite_rows;
pub mod srs;
pub mod xlsx;

pub use self::csv::{write_csv, write_csv_with, CsvEncoding, CsvOptions};
pub use atomic::write_atomic;
pub use geojson::write_geojson;
pub use gpkg::{write_gpkg, write_gpkg_layers};
pub use layer::{GeometryType, HeaderLanguage, Kind, Layer, RowCursor, Value};
pub use srs::OutputCrs;
pub use xlsx::write_xlsx;

use crate::error::{Error, ErrorKind, Result};
use std::path::Path;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV, UTF-8 with a byte-order mark so that Excel shows Chinese text correctly.
    Csv,
    /// GeoJSON (RFC 7946, WGS84).
    GeoJson,
    /// GeoPackage.
    Gpkg,
    /// Excel workbook (attributes only).
    Xlsx,
}

impl Format {
    /// The format of `path`, from its extension.
    pub fn of(path: &Path) -> Result<Format> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Ok(Format::Csv),
            "geojson" | "json" => Ok(Format::GeoJson),
            "gpkg" => Ok(Format::Gpkg),
            "xlsx" => Ok(Format::Xlsx),
            _ => Err(Error::new(
                ErrorKind::InvalidValue,
                "unknown output format: use a .csv, .geojson, .gpkg or .xlsx file name",
            )
            .file(path)),
        }
    }

    /// This format, or an error naming `path` when this build cannot write it (GeoPackage needs
    /// the `gdal` feature): to check output paths before the work starts.
    pub fn writable(self, path: &Path) -> Result<Format> {
        if self == Format::Gpkg && !cfg!(feature = "gdal") {
            return Err(Error::needs_gdal("writing GeoPackage files").file(path));
        }
        Ok(self)
    }
}

/// Writes `layer` to `path` in the format its extension names, with the defaults of each format
/// (WGS84, English headers, UTF-8 CSV).
pub fn write_layer(path: &Path, layer: &Layer) -> Result<()> {
    match Format::of(path)? {
        Format::Csv => csv::write_csv(path, layer),
        Format::GeoJson => geojson::write_geojson(path, layer),
        Format::Gpkg => gpkg::write_gpkg(path, layer),
        Format::Xlsx => xlsx::write_xlsx(path, &[layer], HeaderLanguage::English),
    }
}
