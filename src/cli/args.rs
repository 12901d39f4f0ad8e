//! Argument groups shared by several commands.

use clap::Args;
use lifecircle::crs::Crs;
use lifecircle::input::{CoordinateColumns, LineNetworkOptions, PointSource, TextEncoding};
use lifecircle::network::{KeepComponents, Mode, Profile, DEFAULT_MAX_SNAP_M};
use lifecircle::output::Format;
use lifecircle::{Error, Result};
use std::path::PathBuf;

/// The street network and the travel mode.
#[derive(Args, Debug, Clone)]
pub struct NetworkOpts {
    /// Street network: an OpenStreetMap .osm.pbf file, or a line layer GDAL opens
    /// (GeoPackage, Shapefile, GeoJSON, FlatGeobuf, FileGDB).
    #[arg(long, value_name = "FILE")]
    pub network: PathBuf,
    /// Travel mode: walk, walk-elderly, bike or drive.
    #[arg(long, default_value = "walk", value_parser = parse_mode)]
    pub mode: Mode,
    /// Travel speed in m/s, 0.1 to 50 (default: walk 1.0, walk-elderly 0.8, bike 4.17; drive
    /// uses road speeds).
    #[arg(long, value_name = "M_PER_S")]
    pub speed: Option<f64>,
    /// Walking speed in m/s of the access legs between points and streets, 0.1 to 50 (default:
    /// the walking speed).
    #[arg(long, value_name = "M_PER_S")]
    pub access_speed: Option<f64>,
    /// Keep only the largest connected piece of the network, or all pieces.
    #[arg(long, default_value = "largest", value_parser = parse_keep)]
    pub keep_components: KeepComponents,
    /// Coordinate system of a line-layer network (default: the layer's own).
    #[arg(long, value_name = "CRS", value_parser = parse_crs)]
    pub network_crs: Option<Crs>,
    /// Layer name in a multi-layer network file.
    #[arg(long, value_name = "NAME")]
    pub network_layer: Option<String>,
    /// Line layer field with one-way information (yes/1/FT, -1/TF, no/B).
    #[arg(long, value_name = "FIELD")]
    pub oneway_field: Option<String>,
    /// Line layer field with the speed in km/h.
    #[arg(long, value_name = "FIELD")]
    pub speed_field: Option<String>,
    /// Line layer field that excludes a segment when 1/yes/true.
    #[arg(long, value_name = "FIELD")]
    pub exclude_field: Option<String>,
}

impl NetworkOpts {
    pub fn profile(&self) -> Result<Profile> {
        let mut p = Profile::new(self.mode);
        if let Some(s) = self.speed {
            p = p.with_speed(s).map_err(|e| e.field("--speed"))?;
        }
        if let Some(s) = self.access_speed {
            p = p
                .with_access_speed(s)
                .map_err(|e| e.field("--access-speed"))?;
        }
        Ok(p)
    }

    pub fn line_options(&self, encoding: TextEncoding) -> LineNetworkOptions {
        LineNetworkOptions {
            layer: self.network_layer.clone(),
            crs: self.network_crs,
            encoding,
            oneway_field: self.oneway_field.clone(),
            speed_field: self.speed_field.clone(),
            exclude_field: self.exclude_field.clone(),
        }
    }
}

/// How to read tables and point layers.
#[derive(Args, Debug, Clone)]
pub struct TableOpts {
    /// Text encoding of CSV files and Shapefiles without .cpg: auto, utf-8, gbk, gb18030.
    #[arg(long, default_value = "auto", value_parser = parse_encoding)]
    pub encoding: TextEncoding,
    /// Longitude/x column of tables (default: found by name: lon, lng, longitude, 经度, x).
    #[arg(long, value_name = "NAME")]
    pub x_column: Option<String>,
    /// Latitude/y column of tables (default: found by name: lat, latitude, 纬度, y).
    #[arg(long, value_name = "NAME")]
    pub y_column: Option<String>,
}

impl TableOpts {
    pub fn source(&self, crs: Option<Crs>, layer: Option<String>) -> PointSource {
        PointSource {
            crs,
            encoding: self.encoding,
            columns: CoordinateColumns {
                x: self.x_column.clone(),
                y: self.y_column.clone(),
            },
            layer,
            category: None,
        }
    }
}

/// Maximum snapping distance.
#[derive(Args, Debug, Clone)]
pub struct SnapOpts {
    /// Points farther than this from any street (metres, above 0 and at most 10,000) are
    /// reported as unsnapped.
    #[arg(long, value_name = "METRES", default_value_t = DEFAULT_MAX_SNAP_M)]
    pub max_snap_m: f64,
}

pub fn parse_mode(s: &str) -> std::result::Result<Mode, String> {
    s.parse().map_err(|e: Error| e.message().to_string())
}

pub fn parse_crs(s: &str) -> std::result::Result<Crs, String> {
    s.parse().map_err(|e: Error| e.message().to_string())
}

pub fn parse_encoding(s: &str) -> std::result::Result<TextEncoding, String> {
    s.parse().map_err(|e: Error| e.message().to_string())
}

pub fn parse_keep(s: &str) -> std::result::Result<KeepComponents, String> {
    match s {
        "largest" => Ok(KeepComponents::Largest),
        "all" => Ok(KeepComponents::All),
        _ => Err(format!("expected largest or all, got {s:?}")),
    }
}

/// Checks, before any work, that each output path given names a format this build can write.
pub fn check_outputs<'a>(paths: impl IntoIterator<Item = Option<&'a PathBuf>>) -> Result<()> {
    for p in paths.into_iter().flatten() {
        Format::of(p)?.writable(p)?;
    }
    Ok(())
}
