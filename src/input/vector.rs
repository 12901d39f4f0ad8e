//! Reading vector layers with GDAL (GeoPackage, Shapefile, GeoJSON, FlatGeobuf, FileGDB, ...).
//!
//! Geometries are converted to WGS84 on reading. Text fields are decoded by the tool itself:
//! Shapefiles with a `.cpg` file are decoded by GDAL as that file says; Shapefiles without one
//! are read raw and decoded as UTF-8 when valid, else as GBK/GB18030 (or as `--encoding` says).

use super::encoding::{decode, TextEncoding};
use crate::crs::transform_geometry;
use crate::crs::Crs;
use crate::error::{Error, ErrorKind, Result};
use gdal::vector::LayerAccess;
use gdal::{Dataset, DatasetOptions, GdalOpenFlags};
use std::path::{Path, PathBuf};

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
pub fn read_layer_fields(
    path: &Path,
    layer: Option<&str>,
    crs: Option<Crs>,
    encoding: TextEncoding,
    wanted: Option<&[String]>,
) -> Result<VectorLayer> {
    if !path.exists() {
        return Err(Error::new(ErrorKind::Io, "file not found").file(path));
    }
    let is_shp = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("shp") || e.eq_ignore_ascii_case("dbf"));
    // Read Shapefile text raw (and decode it here) unless GDAL can rely on a `.cpg` file.
    let raw_text =
        is_shp && (encoding != TextEncoding::Auto || !path.with_extension("cpg").exists());
    if raw_text {
        gdal::config::set_thread_local_config_option("SHAPE_ENCODING", "")
            .map_err(|e| Error::new(ErrorKind::Format, "GDAL configuration").caused_by(e))?;
    }
    let opened = Dataset::open_ex(
        path,
        DatasetOptions {
            open_flags: GdalOpenFlags::GDAL_OF_VECTOR | GdalOpenFlags::GDAL_OF_READONLY,
            ..Default::default()
        },
    );
    if raw_text {
        let _ = gdal::config::clear_thread_local_config_option("SHAPE_ENCODING");
    }
    let ds = opened.map_err(|e| {
        Error::new(
            ErrorKind::Format,
            "GDAL cannot open this file as a vector layer",
        )
        .file(path)
        .caused_by(e)
    })?;
    let mut lyr = match layer {
        Some(name) => ds.layer_by_name(name).map_err(|_| {
            let names: Vec<String> = ds.layers().map(|l| l.name()).collect();
            Error::new(
                ErrorKind::MissingField,
                format!("no layer named {name:?} (layers: {})", names.join(", ")),
            )
            .file(path)
        })?,
        None => ds
            .layer(0)
            .map_err(|_| Error::new(ErrorKind::Empty, "the file has no vector layer").file(path))?,
    };
    let name = lyr.name();
    let crs = match crs {
        Some(c) => c,
        None => lyr
            .spatial_ref()
            .and_then(|s| Crs::from_spatial_ref(&s))
            .unwrap_or(Crs::Wgs84),
    };
    let transformer = crs.transformer_to(Crs::Wgs84)?;
    let text_encoding = if raw_text {
        encoding
    } else {
        TextEncoding::Auto
    };
    let fields = field_names(lyr.defn(), text_encoding).map_err(|e| e.file(path))?;
    let keep: Vec<bool> = fields
        .iter()
        .map(|n| wanted.is_none_or(|w| w.iter().any(|x| x == n)))
        .collect();
    if keep.iter().any(|k| !k) {
        ignore_fields(&lyr, &keep);
    }
    let mut features = Vec::new();
    let mut buf: Vec<[f64; 2]> = Vec::new();
    for (index, f) in lyr.features().enumerate() {
        let mut values = Vec::with_capacity(fields.len());
        for (i, name) in fields.iter().enumerate() {
            if !keep[i] {
                values.push(None);
                continue;
            }
            values.push(field_text(&f, i, text_encoding).map_err(|e| {
                e.file(path)
                    .at(VectorLayer::feature_label(index))
                    .field(name)
            })?);
        }
        let geometry = match f.geometry() {
            Some(g) if !g.is_empty() => {
                let mut geo = g.to_geo().map_err(|e| {
                    Error::new(ErrorKind::Format, "unsupported geometry")
                        .file(path)
                        .at(VectorLayer::feature_label(index))
                        .caused_by(e)
                })?;
                if !transformer.is_identity() {
                    transform_geometry(&mut geo, &transformer, &mut buf)
                        .map_err(|e| e.file(path).at(VectorLayer::feature_label(index)))?;
                }
                Some(geo)
            }
            _ => None,
        };
        features.push(VectorFeature {
            index,
            geometry,
            values,
        });
    }
    if features.is_empty() {
        return Err(
            Error::new(ErrorKind::Empty, format!("layer {name:?} has no features")).file(path),
        );
    }
    Ok(VectorLayer {
        path: path.to_path_buf(),
        name,
        fields,
        features,
        crs,
    })
}

/// Tells GDAL not to read the fields whose `keep` is false (OGR_L_SetIgnoredFields).
fn ignore_fields(lyr: &gdal::vector::Layer<'_>, keep: &[bool]) {
    // SAFETY: the layer handle is live for the borrow of `lyr`; the field names are borrowed
    // from its definition, which outlives the call; the array is NULL-terminated.
    unsafe {
        let defn = gdal_sys::OGR_L_GetLayerDefn(lyr.c_layer());
        let mut names: Vec<*const std::os::raw::c_char> = keep
            .iter()
            .enumerate()
            .filter(|(_, k)| !**k)
            .map(|(i, _)| {
                gdal_sys::OGR_Fld_GetNameRef(gdal_sys::OGR_FD_GetFieldDefn(
                    defn,
                    i as std::os::raw::c_int,
                ))
            })
            .collect();
        names.push(std::ptr::null());
        // A failure only means GDAL reads the fields anyway.
        let _ = gdal_sys::OGR_L_SetIgnoredFields(lyr.c_layer(), names.as_mut_ptr());
    }
}

/// The text of a field, `None` when unset or null (GDAL reports unset fields as empty strings
/// otherwise).
fn field_text(
    f: &gdal::vector::Feature<'_>,
    i: usize,
    encoding: TextEncoding,
) -> Result<Option<String>> {
    // SAFETY: `f` is a live feature and `i` is below its field count.
    unsafe {
        let h = f.c_feature();
        let idx = i as std::os::raw::c_int;
        if gdal_sys::OGR_F_IsFieldSetAndNotNull(h, idx) == 0 {
            return Ok(None);
        }
        let p = gdal_sys::OGR_F_GetFieldAsString(h, idx);
        if p.is_null() {
            return Ok(None);
        }
        let bytes = std::ffi::CStr::from_ptr(p).to_bytes();
        let (text, _) = decode(bytes, encoding)?;
        Ok(Some(text.trim().to_string()))
    }
}

/// Field names, decoded like the values (a GBK Shapefile without `.cpg` has GBK names too).
fn field_names(defn: &gdal::vector::Defn, encoding: TextEncoding) -> Result<Vec<String>> {
    // SAFETY: `defn` is a live feature definition; indices are below its field count.
    unsafe {
        let h = defn.c_defn();
        let n = gdal_sys::OGR_FD_GetFieldCount(h);
        (0..n)
            .map(|i| {
                let fd = gdal_sys::OGR_FD_GetFieldDefn(h, i);
                let p = gdal_sys::OGR_Fld_GetNameRef(fd);
                if p.is_null() {
                    return Ok(String::new());
                }
                let bytes = std::ffi::CStr::from_ptr(p).to_bytes();
                decode(bytes, encoding).map(|(t, _)| t.trim().to_string())
            })
            .collect()
    }
}
