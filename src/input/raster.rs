//! Population rasters (GeoTIFF, or anything else GDAL reads): one demand point per populated cell.

use crate::bounds::{number, too_many, MAX_RASTER_CELLS};
use crate::crs::Crs;
#[cfg(feature = "gdal")]
use crate::error::ErrorKind;
use crate::error::{Error, Result};
use crate::places::DemandPoint;
#[cfg(feature = "gdal")]
use gdal::{Dataset, DatasetOptions, GdalOpenFlags};
use std::path::Path;

/// Largest number of cells read at once (rows are read in strips of about this many cells).
#[cfg(feature = "gdal")]
const STRIP_CELLS: usize = 1 << 22;

/// Demand points of a population raster and the cells that gave none.
#[derive(Debug, Default)]
pub(crate) struct RasterDemand {
    /// One point per cell with a positive value, row by row from the top.
    pub points: Vec<DemandPoint>,
    /// Cells holding the band's nodata value or NaN.
    pub cells_nodata: usize,
    /// Cells holding zero or a negative value.
    pub cells_not_positive: usize,
}

/// Reads band `band` (1-based) of a raster: one point per cell whose value is positive, at the
/// cell centre converted to WGS84 from the raster's system (or `crs` when given), with the cell
/// value as population. Ids are `r{row}_{col}` (0-based, row 0 at the top). Cells with the
/// nodata value, NaN, zero or a negative value are skipped and counted. Rotated rasters
/// (non-zero rotation terms in the geotransform) are rejected, and so are bands of more than
/// [`MAX_RASTER_CELLS`] cells, before any cell is read.
/// Without GDAL a raster cannot be read: an error naming the file.
#[cfg(not(feature = "gdal"))]
pub(crate) fn read_raster_demand(
    path: &Path,
    _band: usize,
    _crs: Option<Crs>,
) -> Result<RasterDemand> {
    Err(Error::needs_gdal("reading population rasters").file(path))
}

#[cfg(feature = "gdal")]
pub(crate) fn read_raster_demand(
    path: &Path,
    band: usize,
    crs: Option<Crs>,
) -> Result<RasterDemand> {
    if !path.exists() {
        return Err(Error::new(ErrorKind::Io, "file not found").file(path));
    }
    let ds = Dataset::open_ex(
        path,
        DatasetOptions {
            open_flags: GdalOpenFlags::GDAL_OF_RASTER | GdalOpenFlags::GDAL_OF_READONLY,
            ..Default::default()
        },
    )
    .map_err(|e| {
        Error::new(ErrorKind::Format, "GDAL cannot open this file as a raster")
            .file(path)
            .caused_by(e)
    })?;
    let count = ds.raster_count();
    if band == 0 || band > count {
        return Err(Error::new(
            ErrorKind::MissingField,
            format!("no band {band}: the raster has {count} band(s), numbered from 1"),
        )
        .file(path)
        .field("band"));
    }
    let gt = ds.geo_transform().map_err(|e| {
        Error::new(
            ErrorKind::Format,
            "the raster has no geotransform, so its cells have no position",
        )
        .file(path)
        .caused_by(e)
    })?;
    if gt[2] != 0.0 || gt[4] != 0.0 {
        return Err(Error::new(
            ErrorKind::Format,
            format!(
                "rotated rasters are not supported (geotransform rotation terms {} and {}); warp it to a north-up grid first",
                gt[2], gt[4]
            ),
        )
        .file(path));
    }
    if !(gt.iter().all(|v| v.is_finite()) && gt[1] != 0.0 && gt[5] != 0.0) {
        return Err(
            Error::new(ErrorKind::Format, format!("invalid geotransform {gt:?}")).file(path),
        );
    }
    let crs = match crs {
        Some(c) => c,
        None => ds
            .spatial_ref()
            .ok()
            .and_then(|s| Crs::from_spatial_ref(&s))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Crs,
                    "the raster has no coordinate system with an EPSG code; give its system",
                )
                .file(path)
            })?,
    };
    let to_wgs84 = crs.transformer_to(Crs::Wgs84).map_err(|e| e.file(path))?;
    let rb = ds.rasterband(band).map_err(|e| {
        Error::new(ErrorKind::Format, format!("cannot read band {band}"))
            .file(path)
            .caused_by(e)
    })?;
    let (width, height) = rb.size();
    let nodata = rb.no_data_value();
    let mut out = RasterDemand::default();
    if width == 0 || height == 0 {
        return Ok(out);
    }
    check_size(width, height).map_err(|e| e.file(path))?;
    let strip = (STRIP_CELLS / width).clamp(1, height);
    let mut cells: Vec<(usize, usize, f64)> = Vec::new();
    let mut centres: Vec<[f64; 2]> = Vec::new();
    for row0 in (0..height).step_by(strip) {
        let rows = strip.min(height - row0);
        let buf = rb
            .read_as::<f64>((0, row0 as isize), (width, rows), (width, rows), None)
            .map_err(|e| {
                Error::new(ErrorKind::Format, format!("cannot read band {band}"))
                    .file(path)
                    .at(format!("rows {}..{}", row0, row0 + rows))
                    .caused_by(e)
            })?;
        cells.clear();
        centres.clear();
        for (k, &v) in buf.data().iter().enumerate() {
            let (row, col) = (row0 + k / width, k % width);
            let is_nodata = v.is_nan() || nodata.is_some_and(|nd| v == nd);
            if is_nodata {
                out.cells_nodata += 1;
            } else if v <= 0.0 {
                out.cells_not_positive += 1;
            } else if v.is_infinite() {
                return Err(
                    Error::new(ErrorKind::InvalidValue, "infinite population value")
                        .file(path)
                        .at(format!("row {row}, col {col}"))
                        .field(format!("band {band}")),
                );
            } else {
                cells.push((row, col, v));
                centres.push([
                    gt[0] + (col as f64 + 0.5) * gt[1],
                    gt[3] + (row as f64 + 0.5) * gt[5],
                ]);
            }
        }
        to_wgs84.apply(&mut centres).map_err(|e| e.file(path))?;
        for (&(row, col, v), &location) in cells.iter().zip(&centres) {
            out.points.push(DemandPoint {
                id: format!("r{row}_{col}"),
                location,
                population: Some(v),
                groups: Vec::new(),
                origin: format!("{} row {row}, col {col}", path.display()),
            });
        }
    }
    Ok(out)
}

/// Refuses a band of `width` × `height` cells when it has more than [`MAX_RASTER_CELLS`].
#[cfg_attr(not(feature = "gdal"), allow(dead_code))]
fn check_size(width: usize, height: usize) -> Result<()> {
    let cells = width as f64 * height as f64;
    if cells > MAX_RASTER_CELLS {
        return Err(too_many(
            &format!(
                "the raster band ({} columns by {} rows)",
                number(width as f64),
                number(height as f64)
            ),
            cells,
            "cells",
            MAX_RASTER_CELLS,
            "clip it to the study area or resample it to larger cells",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_band_of_ten_billion_cells_is_refused() {
        assert!(check_size(20_000, 20_000).is_ok());
        let e = check_size(100_000, 100_000).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidValue);
        assert_eq!(
            e.to_string(),
            "the raster band (100,000 columns by 100,000 rows) would have 10,000,000,000 cells, \
             more than the limit of 500,000,000; clip it to the study area or resample it to \
             larger cells"
        );
        assert!(check_size(usize::MAX, usize::MAX).is_err());
    }
}
