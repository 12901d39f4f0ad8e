//! Tables of points from CSV or XLSX files, with columns found by their English or Chinese names.
//!
//! Row numbers in messages count the header as row 1, as a spreadsheet shows them.

use super::encoding::{decode, TextEncoding};
use crate::crs::Crs;
use crate::error::{Error, ErrorKind, Result};
use std::path::{Path, PathBuf};

/// A table read from a file: header and text cells.
#[derive(Debug, Clone)]
pub struct Table {
    /// The file it was read from.
    pub path: PathBuf,
    /// Column names as written in the file.
    pub headers: Vec<String>,
    /// Data rows (cells as text); short rows are padded with empty cells.
    pub rows: Vec<Vec<String>>,
    /// The encoding the text was decoded with (CSV only).
    pub encoding: TextEncoding,
}

/// Column names recognised for each role, compared case-insensitively.
pub mod names {
    /// Longitude / x.
    pub const X: &[&str] = &[
        "lon",
        "lng",
        "long",
        "longitude",
        "经度",
        "x",
        "x坐标",
        "坐标x",
    ];
    /// Latitude / y.
    pub const Y: &[&str] = &["lat", "latitude", "纬度", "y", "y坐标", "坐标y"];
    /// Identifier.
    pub const ID: &[&str] = &["id", "编号", "代码", "fid", "objectid"];
    /// Name.
    pub const NAME: &[&str] = &["name", "名称", "设施名称", "机构名称"];
    /// Category.
    pub const CATEGORY: &[&str] = &["category", "类型", "类别", "设施类型", "type"];
    /// Capacity.
    pub const CAPACITY: &[&str] = &["capacity", "容量", "规模", "床位", "学位"];
    /// Population.
    pub const POPULATION: &[&str] = &["population", "pop", "人口", "常住人口"];
}

impl Table {
    /// Reads a CSV (`.csv`, `.txt`, `.tsv`) or spreadsheet (`.xlsx`, `.xls`, `.ods`) file.
    pub fn read(path: &Path, encoding: TextEncoding) -> Result<Table> {
        let ext = extension(path);
        let t = match ext.as_str() {
            "xlsx" | "xlsm" | "xls" | "ods" => Self::read_spreadsheet(path),
            _ => Self::read_csv(path, encoding),
        }
        .map_err(|e| e.file(path))?;
        if t.rows.is_empty() {
            return Err(Error::new(ErrorKind::Empty, "the table has no data rows").file(path));
        }
        Ok(t)
    }

    fn read_csv(path: &Path, encoding: TextEncoding) -> Result<Table> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let (text, used) = decode(&bytes, encoding)?;
        let delimiter = sniff_delimiter(&text, &extension(path));
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| Error::new(ErrorKind::Format, "cannot read the header row").caused_by(e))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let mut rows = Vec::new();
        for (i, rec) in reader.records().enumerate() {
            let rec = rec.map_err(|e| {
                Error::new(ErrorKind::Format, "malformed CSV")
                    .at(format!("row {}", i + 2))
                    .caused_by(e)
            })?;
            let mut row: Vec<String> = rec.iter().map(|c| c.trim().to_string()).collect();
            if row.iter().all(|c| c.is_empty()) {
                continue;
            }
            if row.len() > headers.len() {
                return Err(Error::new(
                    ErrorKind::Format,
                    format!(
                        "{} cells but the header has {} columns",
                        row.len(),
                        headers.len()
                    ),
                )
                .at(format!("row {}", i + 2)));
            }
            row.resize(headers.len(), String::new());
            rows.push(row);
        }
        Ok(Table {
            path: path.to_path_buf(),
            headers,
            rows,
            encoding: used,
        })
    }

    fn read_spreadsheet(path: &Path) -> Result<Table> {
        use calamine::{open_workbook_auto, Data, Reader};
        let mut wb = open_workbook_auto(path).map_err(|e| {
            Error::new(ErrorKind::Format, "cannot open the spreadsheet").caused_by(e)
        })?;
        let sheet = wb
            .sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| Error::new(ErrorKind::Empty, "the workbook has no sheets"))?;
        let range = wb.worksheet_range(&sheet).map_err(|e| {
            Error::new(ErrorKind::Format, format!("cannot read sheet {sheet:?}")).caused_by(e)
        })?;
        let cell = |d: &Data| -> String {
            match d {
                Data::Empty => String::new(),
                Data::String(s) => s.trim().to_string(),
                Data::Float(f) => f.to_string(),
                Data::Int(i) => i.to_string(),
                Data::Bool(b) => b.to_string(),
                other => other.to_string(),
            }
        };
        let mut it = range.rows();
        let headers: Vec<String> = it
            .next()
            .map(|r| r.iter().map(cell).collect())
            .unwrap_or_default();
        let rows = it
            .map(|r| {
                let mut v: Vec<String> = r.iter().map(cell).collect();
                v.resize(headers.len(), String::new());
                v
            })
            .filter(|r| r.iter().any(|c| !c.is_empty()))
            .collect();
        Ok(Table {
            path: path.to_path_buf(),
            headers,
            rows,
            encoding: TextEncoding::Utf8,
        })
    }

    /// The index of the first column whose name is one of `candidates` (case-insensitive).
    pub fn find_column(&self, candidates: &[&str]) -> Option<usize> {
        candidates.iter().find_map(|c| {
            self.headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(c))
        })
    }

    /// The index of the column named exactly `name` (case-insensitive), or an error naming it.
    pub fn column(&self, name: &str) -> Result<usize> {
        self.find_column(&[name]).ok_or_else(|| {
            Error::new(
                ErrorKind::MissingField,
                format!(
                    "no column named {name:?} (columns: {})",
                    self.headers.join(", ")
                ),
            )
            .file(&self.path)
            .field(name)
        })
    }

    /// The spreadsheet row number (header = 1) of data row `i`.
    pub fn row_label(i: usize) -> String {
        format!("row {}", i + 2)
    }

    /// Reads the coordinate columns as points in `crs` (not yet converted), checking every value.
    pub fn coordinates(&self, columns: &CoordinateColumns, crs: Crs) -> Result<Vec<[f64; 2]>> {
        let (xi, yi) = self.coordinate_columns(columns)?;
        let geographic = crs.is_geographic();
        let mut out = Vec::with_capacity(self.rows.len());
        for (i, row) in self.rows.iter().enumerate() {
            let x = self.number(i, xi, &row[xi])?;
            let y = self.number(i, yi, &row[yi])?;
            if geographic {
                if !(-180.0..=180.0).contains(&x) {
                    let hint = if (-180.0..=180.0).contains(&y) && (-90.0..=90.0).contains(&x) {
                        " (are longitude and latitude swapped?)"
                    } else {
                        " (are these projected coordinates? give the system with --crs)"
                    };
                    return Err(Error::new(
                        ErrorKind::InvalidValue,
                        format!("longitude {x} is outside -180..180{hint}"),
                    )
                    .file(&self.path)
                    .at(Self::row_label(i))
                    .field(&self.headers[xi]));
                }
                if !(-90.0..=90.0).contains(&y) {
                    let hint = if (-90.0..=90.0).contains(&x) && (-180.0..=180.0).contains(&y) {
                        " (are longitude and latitude swapped?)"
                    } else {
                        ""
                    };
                    return Err(Error::new(
                        ErrorKind::InvalidValue,
                        format!("latitude {y} is outside -90..90{hint}"),
                    )
                    .file(&self.path)
                    .at(Self::row_label(i))
                    .field(&self.headers[yi]));
                }
            }
            out.push([x, y]);
        }
        Ok(out)
    }

    fn coordinate_columns(&self, columns: &CoordinateColumns) -> Result<(usize, usize)> {
        let find = |given: &Option<String>, names: &[&str], role: &str| -> Result<usize> {
            match given {
                Some(n) => self.column(n),
                None => self.find_column(names).ok_or_else(|| {
                    Error::new(
                        ErrorKind::MissingField,
                        format!(
                            "no {role} column: expected one of {} (columns: {})",
                            names.join(", "),
                            self.headers.join(", ")
                        ),
                    )
                    .file(&self.path)
                    .field(role)
                }),
            }
        };
        Ok((
            find(&columns.x, names::X, "longitude/x")?,
            find(&columns.y, names::Y, "latitude/y")?,
        ))
    }

    /// Parses cell `row[col]` as a finite number, with an error naming the row and column.
    pub fn number(&self, row: usize, col: usize, cell: &str) -> Result<f64> {
        let err = |msg: String| {
            Error::new(ErrorKind::InvalidValue, msg)
                .file(&self.path)
                .at(Self::row_label(row))
                .field(&self.headers[col])
        };
        if cell.is_empty() {
            return Err(err("empty value where a number is required".into()));
        }
        let v: f64 = cell
            .parse()
            .map_err(|_| err(format!("not a number: {cell:?}")))?;
        if !v.is_finite() {
            return Err(err(format!("not a finite number: {cell:?}")));
        }
        Ok(v)
    }
}

/// Which columns hold the coordinates; `None` means find them by name.
#[derive(Debug, Clone, Default)]
pub struct CoordinateColumns {
    /// Longitude / x column name.
    pub x: Option<String>,
    /// Latitude / y column name.
    pub y: Option<String>,
}

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn sniff_delimiter(text: &str, ext: &str) -> u8 {
    if ext == "tsv" {
        return b'\t';
    }
    let header = text.lines().next().unwrap_or("");
    let count = |c: char| header.matches(c).count();
    [(',', count(',')), (';', count(';')), ('\t', count('\t'))]
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map(|(c, _)| c as u8)
        .unwrap_or(b',')
}
