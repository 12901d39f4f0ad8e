//! Reading layers through GDAL, and GeoPackage tables straight from SQLite.

use super::{normalise_rings, LayerReader, VectorFeature, VectorLayer};
use crate::crs::transform_geometry;
use crate::crs::Crs;
use crate::error::{Error, ErrorKind, Result};
use crate::input::encoding::{decode, TextEncoding};
use crate::input::gpkg_direct::{self, FieldRead, LayerSpec, Refused};
use crate::input::gpkg_values::FieldKind;
use gdal::vector::LayerAccess;
use gdal::{Dataset, DatasetOptions, GdalOpenFlags};
use std::path::Path;

/// [`read_layer_fields`] with the way of reading chosen.
pub fn read_layer_by(
    reader: LayerReader,
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
    let mut buf: Vec<[f64; 2]> = Vec::new();
    let direct = match reader {
        LayerReader::Gdal => None,
        _ if raw_text || ds.driver().short_name() != "GPKG" || !path.is_file() => None,
        _ => Some(read_direct(path, &lyr, &keep)),
    };
    let direct = match (direct, reader) {
        (Some(Ok(features)), _) => Some(features),
        (Some(Err(Refused(why))), LayerReader::Direct) => {
            return Err(Error::new(
                ErrorKind::Format,
                format!("the GeoPackage table cannot be read directly: {why}"),
            )
            .file(path))
        }
        (None, LayerReader::Direct) => {
            return Err(Error::new(ErrorKind::Format, "not a GeoPackage file").file(path))
        }
        _ => None,
    };
    if let Some(mut features) = direct {
        if !transformer.is_identity() {
            for f in &mut features {
                if let Some(geo) = f.geometry.as_mut() {
                    transform_geometry(geo, &transformer, &mut buf)
                        .map_err(|e| e.file(path).at(VectorLayer::feature_label(f.index)))?;
                }
            }
        }
        return finish(path, name, fields, features, crs);
    }
    if keep.iter().any(|k| !k) {
        ignore_fields(&lyr, &keep);
    }
    let mut features = Vec::new();
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
    finish(path, name, fields, features, crs)
}

/// The layer read, with its polygons' rings normalised ([`normalise_rings`]), or an error when
/// it has no features.
fn finish(
    path: &Path,
    name: String,
    fields: Vec<String>,
    mut features: Vec<VectorFeature>,
    crs: Crs,
) -> Result<VectorLayer> {
    if features.is_empty() {
        return Err(
            Error::new(ErrorKind::Empty, format!("layer {name:?} has no features")).file(path),
        );
    }
    for g in features.iter_mut().filter_map(|f| f.geometry.as_mut()) {
        normalise_rings(g);
    }
    Ok(VectorLayer {
        path: path.to_path_buf(),
        name,
        fields,
        features,
        crs,
    })
}

/// Reads the rows of a GeoPackage layer straight from SQLite, reading the fields whose `keep` is
/// true; geometries are still in the layer's system.
fn read_direct(
    path: &Path,
    lyr: &gdal::vector::Layer<'_>,
    keep: &[bool],
) -> std::result::Result<Vec<VectorFeature>, Refused> {
    let name = lyr.name();
    // SAFETY: the layer handle is live for the borrow of `lyr`; the returned strings are owned
    // by the layer and copied before it is used again; field indices are below the count.
    let (fid_column, geometry_column, fields) = unsafe {
        let h = lyr.c_layer();
        let text = |p: *const std::os::raw::c_char| {
            if p.is_null() {
                None
            } else {
                std::ffi::CStr::from_ptr(p)
                    .to_str()
                    .ok()
                    .map(str::to_string)
            }
        };
        let fid = text(gdal_sys::OGR_L_GetFIDColumn(h)).unwrap_or_default();
        let geom = text(gdal_sys::OGR_L_GetGeometryColumn(h)).unwrap_or_default();
        let defn = gdal_sys::OGR_L_GetLayerDefn(h);
        let mut fields = Vec::with_capacity(keep.len());
        for (i, &k) in keep.iter().enumerate() {
            let fd = gdal_sys::OGR_FD_GetFieldDefn(defn, i as std::os::raw::c_int);
            let Some(column) = text(gdal_sys::OGR_Fld_GetNameRef(fd)) else {
                return Err(Refused(format!("field {} has no UTF-8 name", i + 1)));
            };
            let read = if !k {
                FieldRead::Skip
            } else {
                FieldKind::of(
                    gdal_sys::OGR_Fld_GetType(fd),
                    gdal_sys::OGR_Fld_GetSubType(fd),
                    gdal_sys::OGR_Fld_GetWidth(fd),
                )
                .map_or(FieldRead::Unsupported, FieldRead::Read)
            };
            fields.push((column, read));
        }
        (fid, geom, fields)
    };
    if fid_column.is_empty() || geometry_column.is_empty() {
        return Err(Refused("the layer has no FID or no geometry column".into()));
    }
    let spec = LayerSpec {
        name: &name,
        fid_column: &fid_column,
        geometry_column: &geometry_column,
        fields,
    };
    gpkg_direct::read_features(path, &spec)
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
