//! Facilities and demand points from in-memory tables (the columns of a (Geo)DataFrame and one
//! WKB geometry per row), read by the same rules as files: columns found by the same names
//! (`id`/`编号`, `category`/`类别`, `capacity`/`容量`, `population`/`人口`, ...), polygons reached at
//! a point on their surface, coordinates converted to WGS84, and every bad value an error naming
//! the table, the row and the column.

use geo::InteriorPoint;
use lifecircle::crs::{transform_geometry, Crs};
use lifecircle::input::table::names;
use lifecircle::places::{DemandPoint, Facility};
use lifecircle::wkb;
use lifecircle::zones::Zone;
use lifecircle::{Error, ErrorKind, Result};

/// A cell handed over from Python.
#[derive(Debug, Clone)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number (NaN for pandas' missing values).
    Number(f64),
    /// An integer.
    Int(i64),
    /// Empty.
    Empty,
}

impl Cell {
    fn text(&self) -> Option<String> {
        match self {
            Cell::Text(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Cell::Number(x) if x.is_finite() => Some(x.to_string()),
            Cell::Int(i) => Some(i.to_string()),
            _ => None,
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Number(x) => x.is_nan(),
            Cell::Text(s) => s.trim().is_empty(),
            Cell::Int(_) => false,
        }
    }

    fn display(&self) -> String {
        match self {
            Cell::Text(s) => format!("{s:?}"),
            Cell::Number(x) => x.to_string(),
            Cell::Int(i) => i.to_string(),
            Cell::Empty => "empty".into(),
        }
    }
}

/// A table of named columns and one geometry per row.
pub struct Frame {
    /// What the table is called in messages, e.g. `facilities (GeoDataFrame)`.
    pub source: String,
    /// Row labels (the DataFrame's index), for messages.
    pub rows: Vec<String>,
    /// Columns in order.
    pub columns: Vec<(String, Vec<Cell>)>,
    /// WKB per row.
    pub geometry: Vec<Vec<u8>>,
    /// The coordinate system of the geometries (WGS84 when `None`).
    pub crs: Option<Crs>,
}

impl Frame {
    fn find(&self, candidates: &[&str]) -> Option<usize> {
        candidates.iter().find_map(|c| {
            self.columns
                .iter()
                .position(|(h, _)| h.trim().eq_ignore_ascii_case(c))
        })
    }

    fn column(&self, name: &str) -> Result<usize> {
        self.find(&[name]).ok_or_else(|| {
            Error::new(
                ErrorKind::MissingField,
                format!("no column named {name:?} (columns: {})", self.headers()),
            )
            .file(&self.source)
            .field(name)
        })
    }

    fn headers(&self) -> String {
        self.columns
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn error(&self, row: usize, col: usize, msg: String) -> Error {
        Error::new(ErrorKind::InvalidValue, msg)
            .file(&self.source)
            .at(format!("row {}", self.rows[row]))
            .field(&self.columns[col].0)
    }

    fn check(&self) -> Result<()> {
        let n = self.geometry.len();
        if n == 0 {
            return Err(Error::new(ErrorKind::Empty, "the table has no rows").file(&self.source));
        }
        if self.rows.len() != n || self.columns.iter().any(|(_, v)| v.len() != n) {
            return Err(Error::new(
                ErrorKind::Format,
                "columns, row labels and geometries differ in length",
            )
            .file(&self.source));
        }
        Ok(())
    }

    /// Access locations of every row in WGS84: points as they are, a multi-point's points, any
    /// other geometry a point on its surface.
    fn locations(&self) -> Result<Vec<Vec<[f64; 2]>>> {
        use geo_types::Geometry as G;
        let mut out = Vec::with_capacity(self.geometry.len());
        for (i, bytes) in self.geometry.iter().enumerate() {
            let at = || format!("row {}", self.rows[i]);
            let bad = |msg: String| {
                Error::new(ErrorKind::InvalidValue, msg)
                    .file(&self.source)
                    .at(at())
                    .field("geometry")
            };
            if bytes.is_empty() {
                return Err(bad("the row has no geometry".into()));
            }
            let g = wkb::decode(bytes).map_err(|e| bad(format!("unreadable geometry: {e}")))?;
            let mut pts: Vec<[f64; 2]> = match &g {
                G::Point(p) => vec![[p.x(), p.y()]],
                G::MultiPoint(mp) => mp.iter().map(|p| [p.x(), p.y()]).collect(),
                other => other
                    .interior_point()
                    .map(|p| vec![[p.x(), p.y()]])
                    .unwrap_or_default(),
            };
            if pts.is_empty() || pts.iter().any(|p| !(p[0].is_finite() && p[1].is_finite())) {
                return Err(bad("the geometry has no valid point".into()));
            }
            self.crs
                .unwrap_or(Crs::Wgs84)
                .to_wgs84(&mut pts)
                .map_err(|e| e.file(&self.source).at(at()))?;
            out.push(pts);
        }
        Ok(out)
    }

    fn number(&self, row: usize, col: usize) -> Result<Option<f64>> {
        let cell = &self.columns[col].1[row];
        if cell.is_empty() {
            return Ok(None);
        }
        let v = match cell {
            Cell::Number(x) => *x,
            Cell::Int(i) => *i as f64,
            Cell::Text(s) => s
                .trim()
                .parse::<f64>()
                .map_err(|_| self.error(row, col, format!("not a number: {s:?}")))?,
            Cell::Empty => unreachable!("checked"),
        };
        if !v.is_finite() {
            return Err(self.error(row, col, format!("not a finite number: {}", cell.display())));
        }
        Ok(Some(v))
    }

    fn id(&self, col: Option<usize>, row: usize) -> String {
        col.and_then(|c| self.columns[c].1[row].text())
            .unwrap_or_else(|| self.rows[row].clone())
    }

    fn origin(&self, row: usize) -> String {
        format!("{} row {}", self.source, self.rows[row])
    }
}

/// Facilities from a table: `category` gives every row that category instead of a category
/// column.
pub fn facilities(frame: &Frame, category: Option<&str>) -> Result<Vec<Facility>> {
    frame.check()?;
    let locations = frame.locations()?;
    let id = frame.find(names::ID);
    let name = frame.find(names::NAME);
    let cap = frame.find(names::CAPACITY);
    let cat = match category {
        Some(_) => None,
        None => Some(frame.find(names::CATEGORY).ok_or_else(|| {
            Error::new(
                ErrorKind::MissingField,
                format!(
                    "no category column: expected one of {} (columns: {}), or give one category for all rows",
                    names::CATEGORY.join(", "),
                    frame.headers()
                ),
            )
            .file(&frame.source)
            .field("category")
        })?),
    };
    let mut out = Vec::with_capacity(locations.len());
    for (i, locs) in locations.into_iter().enumerate() {
        let category = match (cat, category) {
            (Some(c), _) => frame.columns[c].1[i]
                .text()
                .ok_or_else(|| frame.error(i, c, "empty value".into()))?,
            (None, Some(c)) => c.to_string(),
            (None, None) => unreachable!("checked"),
        };
        let capacity = cap.map(|c| frame.number(i, c)).transpose()?.flatten();
        if let (Some(c), Some(v)) = (cap, capacity) {
            if v < 0.0 {
                return Err(frame.error(i, c, format!("negative capacity: {v}")));
            }
        }
        out.push(Facility {
            id: frame.id(id, i),
            name: name
                .and_then(|c| frame.columns[c].1[i].text())
                .unwrap_or_default(),
            category,
            locations: locs,
            capacity,
            origin: frame.origin(i),
        });
    }
    Ok(out)
}

/// Demand points from a table, with the population column `population` (default: the first
/// column named `population`, `pop`, `人口` or `常住人口`; none is fine, a named one must exist).
/// Every population must be a finite number ≥ 0.
pub fn demand(frame: &Frame, population: Option<&str>) -> Result<Vec<DemandPoint>> {
    frame.check()?;
    let locations = frame.locations()?;
    let id = frame.find(names::ID);
    let pop = match population {
        Some(p) => Some(frame.column(p)?),
        None => frame.find(names::POPULATION),
    };
    let mut out = Vec::with_capacity(locations.len());
    for (i, locs) in locations.into_iter().enumerate() {
        let population = match pop {
            Some(c) => {
                let v = frame.number(i, c)?.ok_or_else(|| {
                    frame.error(i, c, "empty value where a number is required".into())
                })?;
                if v < 0.0 {
                    return Err(frame.error(i, c, format!("negative value: {v}")));
                }
                Some(v)
            }
            None => None,
        };
        out.push(DemandPoint {
            id: frame.id(id, i),
            location: locs[0],
            population,
            groups: Vec::new(),
            origin: frame.origin(i),
        });
    }
    Ok(out)
}

/// Zones (街道/镇) from a table of polygons: name, code and district columns as given, else found
/// by their usual names (`name`/`名称`, `code`/`代码`, `district`/`区`); rural by name.
pub fn zones(
    frame: &Frame,
    name_field: Option<&str>,
    code_field: Option<&str>,
    district_field: Option<&str>,
) -> Result<Vec<Zone>> {
    use geo::orient::{Direction, Orient};
    use geo_types::{Geometry as G, MultiPolygon};
    use lifecircle::zones::layer::{CODE_FIELDS, DISTRICT_FIELDS, NAME_FIELDS};
    frame.check()?;
    let pick = |given: Option<&str>, defaults: &[&str]| -> Result<Option<usize>> {
        match given {
            Some(n) => frame.column(n).map(Some),
            None => Ok(frame.find(defaults)),
        }
    };
    let name_c = pick(name_field, NAME_FIELDS)?.ok_or_else(|| {
        Error::new(
            ErrorKind::MissingField,
            format!(
                "no zone name field: expected one of {} (fields: {}); name it explicitly",
                NAME_FIELDS.join(", "),
                frame.headers()
            ),
        )
        .file(&frame.source)
    })?;
    let code_c = pick(code_field, CODE_FIELDS)?;
    let district_c = pick(district_field, DISTRICT_FIELDS)?;
    let to_wgs84 = frame
        .crs
        .map(|c| c.transformer_to(Crs::Wgs84))
        .transpose()
        .map_err(|e| e.file(&frame.source))?;
    let mut buf = Vec::new();
    let mut out = Vec::with_capacity(frame.geometry.len());
    for (i, bytes) in frame.geometry.iter().enumerate() {
        let err = |kind, msg: String| {
            Error::new(kind, msg)
                .file(&frame.source)
                .at(format!("row {}", frame.rows[i]))
        };
        let g = if bytes.is_empty() {
            Err("the row has no geometry".to_string())
        } else {
            wkb::decode(bytes).map_err(|e| format!("unreadable geometry: {e}"))
        }
        .map_err(|m| err(ErrorKind::Format, m).field("geometry"))?;
        let mut g = match g {
            G::Polygon(p) => G::MultiPolygon(MultiPolygon(vec![p])),
            G::MultiPolygon(mp) => G::MultiPolygon(mp),
            _ => {
                return Err(err(
                    ErrorKind::Format,
                    "a zone must be a polygon or multipolygon".into(),
                )
                .field("geometry"))
            }
        };
        if let Some(t) = &to_wgs84 {
            transform_geometry(&mut g, t, &mut buf)
                .map_err(|e| e.file(&frame.source).at(format!("row {}", frame.rows[i])))?;
        }
        let G::MultiPolygon(mp) = g else {
            unreachable!("a multipolygon stays one")
        };
        let name = frame.columns[name_c].1[i].text().ok_or_else(|| {
            err(ErrorKind::MissingField, "the zone has no name".into())
                .field(&frame.columns[name_c].0)
        })?;
        out.push(Zone {
            code: code_c
                .and_then(|c| frame.columns[c].1[i].text())
                .unwrap_or_else(|| frame.rows[i].clone()),
            rural: lifecircle::zones::is_rural(&name, None),
            name,
            district: district_c.and_then(|c| frame.columns[c].1[i].text()),
            geometry: mp.orient(Direction::Default),
            origin: frame.origin(i),
        });
    }
    Ok(out)
}
