//! Facilities and demand points from any supported file: CSV/XLSX tables, GDAL vector layers, or
//! OpenStreetMap extracts.

use super::encoding::TextEncoding;
use super::osm::{read_osm, OsmRequest};
use super::population::GroupField;
use super::table::{names, CoordinateColumns, Table};
use super::vector::{read_layer, VectorLayer};
use crate::categories::CategoryMap;
use crate::crs::Crs;
use crate::error::{Error, ErrorKind, Result};
use crate::places::{DemandPoint, DemandSet, Facility};
use geo::InteriorPoint;
use rayon::prelude::*;
use std::path::Path;

/// How to read a file of points.
#[derive(Debug, Clone, Default)]
pub struct PointSource {
    /// Coordinate system of the file; `None`: the layer's own, else WGS84.
    pub crs: Option<Crs>,
    /// Text encoding of CSV files and Shapefiles without `.cpg`.
    pub encoding: TextEncoding,
    /// Coordinate column names of tables; found by name when not given.
    pub columns: CoordinateColumns,
    /// Layer name in multi-layer files.
    pub layer: Option<String>,
    /// Give every facility this category instead of reading a category column.
    pub category: Option<String>,
}

/// The kind of a file, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `.osm.pbf`
    OsmPbf,
    /// `.csv`, `.tsv`, `.txt`, `.xlsx`, `.xls`, `.ods`
    Table,
    /// Anything else: opened with GDAL.
    Vector,
}

impl FileKind {
    /// The kind of `path`.
    pub fn of(path: &Path) -> FileKind {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if name.ends_with(".pbf") {
            FileKind::OsmPbf
        } else if [".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods"]
            .iter()
            .any(|e| name.ends_with(e))
        {
            FileKind::Table
        } else {
            FileKind::Vector
        }
    }
}

/// Reads facilities. OSM files are classified with `map`; tables and layers need a category
/// column (`category`/`类型`/`类别`) unless [`PointSource::category`] is given.
pub fn read_facilities(path: &Path, src: &PointSource, map: &CategoryMap) -> Result<Vec<Facility>> {
    let facilities = match FileKind::of(path) {
        FileKind::OsmPbf => {
            let mut f = read_osm(
                path,
                OsmRequest {
                    facilities: Some(map),
                    ..Default::default()
                },
            )?
            .facilities;
            if let Some(c) = &src.category {
                f.retain(|x| &x.category == c);
            }
            f
        }
        FileKind::Table => {
            let t = Table::read(path, src.encoding)?;
            let pts = to_wgs84(
                t.coordinates(&src.columns, src.crs.unwrap_or(Crs::Wgs84))?,
                src,
                path,
            )?;
            let id = t.find_column(names::ID);
            let name = t.find_column(names::NAME);
            let cap = t.find_column(names::CAPACITY);
            let cat = category_column(t.find_column(names::CATEGORY), src, path, &t.headers)?;
            let mut out = Vec::with_capacity(t.len());
            for (i, &location) in pts.iter().enumerate() {
                let category = match cat {
                    Some(c) => nonempty(t.cell(i, c), path, &t.row_label(i), &t.headers[c])?,
                    None => src.category.clone().expect("checked"),
                };
                out.push(Facility {
                    id: id
                        .map(|c| t.cell(i, c))
                        .filter(|s| !s.is_empty())
                        .map_or_else(|| t.row_number(i).to_string(), str::to_string),
                    name: name.map(|c| t.cell(i, c).to_string()).unwrap_or_default(),
                    category,
                    locations: vec![location],
                    // An empty capacity cell means "unknown".
                    capacity: cap
                        .filter(|&c| !t.cell(i, c).is_empty())
                        .map(|c| t.number(i, c, t.cell(i, c)))
                        .transpose()?,
                    origin: format!("{} {}", path.display(), t.row_label(i)),
                });
            }
            out
        }
        FileKind::Vector => {
            let l = read_layer(path, src.layer.as_deref(), src.crs, src.encoding)?;
            let id = l.find_field(names::ID);
            let name = l.find_field(names::NAME);
            let cap = l.find_field(names::CAPACITY);
            let cat = category_column(l.find_field(names::CATEGORY), src, path, &l.fields)?;
            let mut out = Vec::with_capacity(l.features.len());
            for f in &l.features {
                let label = VectorLayer::feature_label(f.index);
                let category = match cat {
                    Some(c) => nonempty(
                        f.values[c].as_deref().unwrap_or(""),
                        path,
                        &label,
                        &l.fields[c],
                    )?,
                    None => src.category.clone().expect("checked"),
                };
                let capacity = match cap.and_then(|c| f.values[c].as_deref().map(|v| (c, v))) {
                    Some((c, v)) => Some(
                        v.parse::<f64>()
                            .ok()
                            .filter(|x| x.is_finite())
                            .ok_or_else(|| {
                                Error::new(ErrorKind::InvalidValue, format!("not a number: {v:?}"))
                                    .file(path)
                                    .at(&label)
                                    .field(&l.fields[c])
                            })?,
                    ),
                    None => None,
                };
                out.push(Facility {
                    id: id
                        .and_then(|c| f.values[c].clone())
                        .filter(|s| !s.is_empty())
                        .unwrap_or_else(|| (f.index + 1).to_string()),
                    name: name.and_then(|c| f.values[c].clone()).unwrap_or_default(),
                    category,
                    locations: locations(f.geometry.as_ref())
                        .map_err(|e| e.file(path).at(&label))?,
                    capacity,
                    origin: format!("{} {label}", path.display()),
                });
            }
            out
        }
    };
    if facilities.is_empty() {
        return Err(Error::new(ErrorKind::Empty, "no facilities found").file(path));
    }
    Ok(facilities)
}

/// Reads demand points. OSM files give their buildings (all of them, without population);
/// tables and layers their rows, with the population column (`population`/`pop`/`人口`/`常住人口`)
/// when there is one. See [`super::population::read_demand_source`] for population groups,
/// polygons, rasters and residential OSM buildings.
pub fn read_demand(path: &Path, src: &PointSource) -> Result<Vec<DemandPoint>> {
    let demand = match FileKind::of(path) {
        FileKind::OsmPbf => {
            read_osm(
                path,
                OsmRequest {
                    buildings: true,
                    ..Default::default()
                },
            )?
            .buildings
        }
        FileKind::Table | FileKind::Vector => read_demand_points(path, src, None, &[])?.points,
    };
    if demand.is_empty() {
        return Err(Error::new(ErrorKind::Empty, "no demand points found").file(path));
    }
    Ok(demand)
}

/// Reads demand points from a table or a GDAL layer (polygons give a point on their surface),
/// with their population and population groups.
///
/// `population`: the population column; `None` looks for one named `population`, `pop`, `人口`
/// or `常住人口` and leaves the population unset when there is none. A column that is named but
/// absent is an error naming the file and column; an empty, non-numeric, non-finite or negative
/// value is an error naming the row (or feature) and column.
pub(crate) fn read_demand_points(
    path: &Path,
    src: &PointSource,
    population: Option<&str>,
    groups: &[GroupField],
) -> Result<DemandSet> {
    let names_of = || groups.iter().map(|g| g.name.clone()).collect::<Vec<_>>();
    let mut out = Vec::new();
    match FileKind::of(path) {
        FileKind::OsmPbf => {
            let msg = "an OpenStreetMap file has no population columns; read its buildings instead";
            return Err(Error::new(ErrorKind::Format, msg).file(path));
        }
        FileKind::Table => {
            let t = Table::read(path, src.encoding)?;
            let pts = to_wgs84(
                t.coordinates(&src.columns, src.crs.unwrap_or(Crs::Wgs84))?,
                src,
                path,
            )?;
            let id = t.find_column(names::ID);
            let pop = match population {
                Some(name) => Some(t.column(name)?),
                None => t.find_column(names::POPULATION),
            };
            let group_cols: Vec<usize> = groups
                .iter()
                .map(|g| t.column(&g.field))
                .collect::<Result<_>>()?;
            let shown = path.display().to_string();
            let point = |i: usize, location: [f64; 2]| -> Result<DemandPoint> {
                let label = t.row_label(i);
                let value =
                    |c: usize| demand_value(Some(t.cell(i, c)), path, &label, &t.headers[c]);
                Ok(DemandPoint {
                    id: id
                        .map(|c| t.cell(i, c))
                        .filter(|s| !s.is_empty())
                        .map_or_else(|| t.row_number(i).to_string(), str::to_string),
                    location,
                    population: pop.map(value).transpose()?,
                    groups: group_cols
                        .iter()
                        .map(|&c| value(c))
                        .collect::<Result<_>>()?,
                    origin: format!("{shown} {label}"),
                })
            };
            // Rows are made in parallel; on a bad value they are read again in order, so that
            // the error names the first bad row.
            out = match pts
                .par_iter()
                .enumerate()
                .map(|(i, &p)| point(i, p))
                .collect::<Result<Vec<_>>>()
            {
                Ok(points) => points,
                Err(_) => pts
                    .iter()
                    .enumerate()
                    .map(|(i, &p)| point(i, p))
                    .collect::<Result<Vec<_>>>()?,
            };
        }
        FileKind::Vector => {
            let l = read_layer(path, src.layer.as_deref(), src.crs, src.encoding)?;
            let id = l.find_field(names::ID);
            let pop = match population {
                Some(name) => Some(l.field(name)?),
                None => l.find_field(names::POPULATION),
            };
            let group_cols: Vec<usize> = groups
                .iter()
                .map(|g| l.field(&g.field))
                .collect::<Result<_>>()?;
            out.reserve(l.features.len());
            for f in &l.features {
                let label = VectorLayer::feature_label(f.index);
                let loc = locations(f.geometry.as_ref()).map_err(|e| e.file(path).at(&label))?;
                let value =
                    |c: usize| demand_value(f.values[c].as_deref(), path, &label, &l.fields[c]);
                out.push(DemandPoint {
                    id: id
                        .and_then(|c| f.values[c].clone())
                        .filter(|s| !s.is_empty())
                        .unwrap_or_else(|| (f.index + 1).to_string()),
                    location: loc[0],
                    population: pop.map(value).transpose()?,
                    groups: group_cols
                        .iter()
                        .map(|&c| value(c))
                        .collect::<Result<_>>()?,
                    origin: format!("{} {label}", path.display()),
                });
            }
        }
    }
    Ok(DemandSet {
        points: out,
        groups: names_of(),
    })
}

/// A population or group count: a finite number ≥ 0, with an error naming the place otherwise.
pub(crate) fn demand_value(text: Option<&str>, path: &Path, at: &str, field: &str) -> Result<f64> {
    let err = |msg: String| {
        Error::new(ErrorKind::InvalidValue, msg)
            .file(path)
            .at(at)
            .field(field)
    };
    let text = text.map(str::trim).unwrap_or("");
    if text.is_empty() {
        return Err(err("empty value where a number is required".into()));
    }
    let v: f64 = text
        .parse()
        .map_err(|_| err(format!("not a number: {text:?}")))?;
    if !v.is_finite() {
        return Err(err(format!("not a finite number: {text:?}")));
    }
    if v < 0.0 {
        return Err(err(format!("negative value: {text}")));
    }
    Ok(v)
}

fn to_wgs84(mut pts: Vec<[f64; 2]>, src: &PointSource, path: &Path) -> Result<Vec<[f64; 2]>> {
    src.crs
        .unwrap_or(Crs::Wgs84)
        .to_wgs84(&mut pts)
        .map_err(|e| e.file(path))?;
    Ok(pts)
}

fn category_column(
    found: Option<usize>,
    src: &PointSource,
    path: &Path,
    headers: &[String],
) -> Result<Option<usize>> {
    if src.category.is_some() {
        return Ok(None);
    }
    found.map(Some).ok_or_else(|| {
        Error::new(
            ErrorKind::MissingField,
            format!(
                "no category column: expected one of {} (columns: {}), or give one category for all rows",
                names::CATEGORY.join(", "),
                headers.join(", ")
            ),
        )
        .file(path)
        .field("category")
    })
}

fn nonempty(v: &str, path: &Path, at: &str, field: &str) -> Result<String> {
    if v.is_empty() {
        Err(Error::new(ErrorKind::InvalidValue, "empty value")
            .file(path)
            .at(at)
            .field(field))
    } else {
        Ok(v.to_string())
    }
}

/// Access locations of a geometry: points as they are, anything else a point on its surface.
pub(crate) fn locations(g: Option<&geo_types::Geometry<f64>>) -> Result<Vec<[f64; 2]>> {
    use geo_types::Geometry as G;
    let g = g.ok_or_else(|| Error::new(ErrorKind::MissingField, "the feature has no geometry"))?;
    if !super::vector::all_finite(g) {
        return Err(Error::new(
            ErrorKind::InvalidValue,
            "the geometry has a coordinate that is not a finite number",
        ));
    }
    let pts: Vec<[f64; 2]> = match g {
        G::Point(p) => vec![[p.x(), p.y()]],
        G::MultiPoint(mp) => mp.iter().map(|p| [p.x(), p.y()]).collect(),
        other => other
            .interior_point()
            .map(|p| vec![[p.x(), p.y()]])
            .unwrap_or_default(),
    };
    if pts.is_empty() || pts.iter().any(|p| !(p[0].is_finite() && p[1].is_finite())) {
        return Err(Error::new(
            ErrorKind::InvalidValue,
            "the geometry has no valid point",
        ));
    }
    Ok(pts)
}
