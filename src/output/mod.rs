//! Writing results: tables and point layers as CSV, GeoJSON or GeoPackage, always atomically
//! (a temporary file in the target folder, renamed into place when complete).

pub mod atomic;
pub mod csv;
pub mod geojson;
pub mod gpkg;
pub mod layer;

pub use atomic::write_atomic;
pub use layer::{Kind, Layer, Value};

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
            _ => Err(Error::new(
                ErrorKind::InvalidValue,
                "unknown output format: use a .csv, .geojson or .gpkg file name",
            )
            .file(path)),
        }
    }
}

/// Writes `layer` to `path` in the format its extension names.
pub fn write_layer(path: &Path, layer: &Layer) -> Result<()> {
    match Format::of(path)? {
        Format::Csv => csv::write_csv(path, layer),
        Format::GeoJson => geojson::write_geojson(path, layer),
        Format::Gpkg => gpkg::write_gpkg(path, layer),
    }
}
