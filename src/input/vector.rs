//! Reading vector layers with GDAL (GeoPackage, Shapefile, GeoJSON, FlatGeobuf, FileGDB, ...).
//!
//! Geometries are converted to WGS84 on reading. Text fields are decoded by the tool itself:
//! Shapefiles with a `.cpg` file are decoded by GDAL as that file says; Shapefiles without one
//! are read raw and decoded as UTF-8 when valid, else as GBK/GB18030 (or as `--encoding` says).

use super::encoding::TextEncoding;
use crate::crs::Crs;
use crate::error::{Error, ErrorKind, Result};
use std::path::{Path, PathBuf};

#[cfg(feature = "gdal")]
#[path = "vector_gdal.rs"]
mod with_gdal;
#[cfg(feature = "gdal")]
#[doc(hidden)]
pub use with_gdal::read_layer_by;

/// A feature of a layer, geometry in WGS84.
#[derive(Debug, Clone)]
pub struct VectorFeature {
    /// Position in the layer (0-based), for messages.
    pub index: usize,
    /// The geometry, WGS84 degrees, or `None` when the feature has none.
    pub geometry: Option<geo_types::Geometry<f64>>,
    /// Field values as text (`None` when unset or null), in the order of [`VectorLayer::fields`].
    pub values: Vec<Option<String>>,
}

/// A whole layer read into memory.
#[derive(Debug, Clone)]
pub struct VectorLayer {
    /// The file.
    pub path: PathBuf,
    /// The layer's name.
    pub name: String,
    /// Field names.
    pub fields: Vec<String>,
    /// The features in layer order.
    pub features: Vec<VectorFeature>,
    /// The system the coordinates were read in.
    pub crs: Crs,
}

impl VectorLayer {
    /// Index of the first field named one of `candidates` (case-insensitive).
    pub fn find_field(&self, candidates: &[&str]) -> Option<usize> {
        candidates.iter().find_map(|c| {
            self.fields
                .iter()
                .position(|f| f.trim().eq_ignore_ascii_case(c))
        })
    }

    /// Index of the field named `name`, or an error naming the file and the field.
    pub fn field(&self, name: &str) -> Result<usize> {
        self.find_field(&[name]).ok_or_else(|| {
            Error::new(
                ErrorKind::MissingField,
                format!(
                    "no field named {name:?} (fields: {})",
                    self.fields.join(", ")
                ),
            )
            .file(&self.path)
            .field(name)
        })
    }

    /// A label for feature `i` in messages.
    pub fn feature_label(i: usize) -> String {
        format!("feature {}", i + 1)
    }
}

/// Turns every polygon's outer rings counter-clockwise and its holes clockwise (the Simple
/// Features direction, and RFC 7946's right-hand rule), whichever way the file stores them:
/// Shapefiles store outer rings clockwise, and other files mix both. Done once, where layers are
/// read, so that nothing downstream depends on how a file ordered its rings. A polygon with a
/// coordinate that is not a finite number has no direction and is left as it is (readers refuse
/// such geometries, see [`all_finite`]).
///
/// ```
/// use geo::{polygon, Geometry, Winding};
/// use lifecircle::input::vector::normalise_rings;
/// let mut g = Geometry::Polygon(polygon![(x: 0.0, y: 0.0), (x: 0.0, y: 1.0), (x: 1.0, y: 1.0)]);
/// normalise_rings(&mut g);
/// let Geometry::Polygon(p) = g else { unreachable!() };
/// assert!(p.exterior().is_ccw());
/// ```
pub fn normalise_rings(g: &mut geo_types::Geometry<f64>) {
    use geo::orient::{Direction, Orient};
    use geo_types::Geometry as G;
    let orient = |p: &mut geo_types::Polygon<f64>| {
        if all_finite(&*p) {
            *p = p.orient(Direction::Default);
        }
    };
    match g {
        G::Polygon(p) => orient(p),
        G::MultiPolygon(mp) => mp.0.iter_mut().for_each(orient),
        G::GeometryCollection(gc) => gc.0.iter_mut().for_each(normalise_rings),
        _ => {}
    }
}

/// Whether every coordinate of `g` is a finite number. Geometric algorithms (ring direction,
/// points on surfaces) need this; NaN or infinite coordinates come from broken files.
pub fn all_finite<G: geo::CoordsIter<Scalar = f64>>(g: &G) -> bool {
    g.coords_iter().all(|c| c.x.is_finite() && c.y.is_finite())
}

/// Reads a layer. `layer` picks it by name (default: the first); `crs` overrides the layer's own
/// system (needed for web-map coordinates, which files usually mislabel as WGS84).
pub fn read_layer(
    path: &Path,
    layer: Option<&str>,
    crs: Option<Crs>,
    encoding: TextEncoding,
) -> Result<VectorLayer> {
    read_layer_fields(path, layer, crs, encoding, None)
}

/// [`read_layer`] reading the values of only the fields named in `wanted` (every field name is
/// still listed; the others' values are `None`). GDAL skips the other fields entirely, which
/// matters for layers of millions of features, such as a city's road centre-lines.
///
/// GeoPackage feature tables are read straight from SQLite when the result is certain to equal
/// GDAL's (see `gpkg_direct`), and through GDAL otherwise.
pub fn read_layer_fields(
    path: &Path,
    layer: Option<&str>,
    crs: Option<Crs>,
    encoding: TextEncoding,
    wanted: Option<&[String]>,
) -> Result<VectorLayer> {
    read_layer_by(LayerReader::Auto, path, layer, crs, encoding, wanted)
}

/// How [`read_layer_by`] reads the features (for tests comparing the two ways).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerReader {
    /// GeoPackage tables directly when possible, else GDAL.
    Auto,
    /// Always GDAL's per-feature API.
    Gdal,
    /// GeoPackage tables directly, or an error saying why they cannot be.
    Direct,
}

/// [`read_layer_fields`] with the way of reading chosen: without GDAL, an error naming the file.
#[cfg(not(feature = "gdal"))]
#[doc(hidden)]
pub fn read_layer_by(
    _reader: LayerReader,
    path: &Path,
    _layer: Option<&str>,
    _crs: Option<Crs>,
    _encoding: TextEncoding,
    _wanted: Option<&[String]>,
) -> Result<VectorLayer> {
    Err(Error::needs_gdal("reading GeoPackage, Shapefile and other vector layers").file(path))
}
