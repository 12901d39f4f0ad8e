//! Tables of points from CSV or XLSX files, with columns found by their English or Chinese names.
//!
//! Row numbers in messages count the header as row 1, as a spreadsheet shows them.

use super::encoding::{decode, TextEncoding};
use crate::crs::Crs;
use crate::error::{Error, ErrorKind, Result};
use std::path::{Path, PathBuf};

/// A table read from a file: header and text cells.
///
/// The cells of all rows are kept in one text buffer (a million-row table is a few allocations,
/// not millions); short rows are padded with empty cells, rows with no text at all are left out.
///
/// ```
/// # use lifecircle::input::{Table, TextEncoding};
/// let dir = std::env::temp_dir().join(format!("lifecircle-table-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("t.csv");
/// std::fs::write(&path, "id,lon,lat\na, 113.3 ,23.1\n,,\nb,113.4\n").unwrap();
/// let t = Table::read(&path, TextEncoding::Utf8).unwrap();
/// assert_eq!(t.len(), 2);
/// assert_eq!(t.cell(0, 1), "113.3");
/// assert_eq!(t.cell(1, 2), "");
/// assert_eq!(t.row_label(1), "row 4"); // the empty row 3 is skipped, not renumbered
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct Table {
    /// The file it was read from.
    pub path: PathBuf,
    /// Column names as written in the file.
    pub headers: Vec<String>,
    /// The encoding the text was decoded with (CSV only).
    pub encoding: TextEncoding,
    /// The trimmed text of every cell, row after row.
    text: String,
    /// Where each cell ends in `text`, row after row (`headers.len()` per row).
    ends: Vec<usize>,
    /// Per data row, its row number as a spreadsheet shows it (the header is row 1).
    numbers: Vec<usize>,
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
        if t.is_empty() {
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
        let mut t = Table::empty(path, headers, used);
        let mut rec = csv::StringRecord::new();
        for i in 0.. {
            let more = reader.read_record(&mut rec).map_err(|e| {
                Error::new(ErrorKind::Format, "malformed CSV")
                    .at(format!("row {}", i + 2))
                    .caused_by(e)
            })?;
            if !more {
                break;
            }
            if rec.len() > t.headers.len() {
                return Err(Error::new(
                    ErrorKind::Format,
                    format!(
                        "{} cells but the header has {} columns",
                        rec.len(),
                        t.headers.len()
                    ),
                )
                .at(format!("row {}", i + 2)));
            }
            t.push_row(rec.iter(), i + 2);
        }
        Ok(t)
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
        let mut t = Table::empty(path, headers, TextEncoding::Utf8);
        for (i, r) in it.enumerate() {
            let cells: Vec<String> = r.iter().map(cell).collect();
            t.push_row(cells.iter().map(String::as_str), i + 2);
        }
        Ok(t)
    }

    fn empty(path: &Path, headers: Vec<String>, encoding: TextEncoding) -> Table {
        Table {
            path: path.to_path_buf(),
            headers,
            encoding,
            text: String::new(),
            ends: Vec::new(),
            numbers: Vec::new(),
        }
    }

    /// Appends a row of at most `headers.len()` cells (trimmed here, padded with empty ones),
    /// unless all its cells are empty.
    fn push_row<'a>(&mut self, cells: impl Iterator<Item = &'a str>, number: usize) {
        let (text_len, ends_len) = (self.text.len(), self.ends.len());
        for c in cells.take(self.headers.len()) {
            self.text.push_str(c.trim());
            self.ends.push(self.text.len());
        }
        if self.text.len() == text_len {
            self.ends.truncate(ends_len); // nothing but empty cells
            return;
        }
        self.ends
            .resize(ends_len + self.headers.len(), self.text.len());
        self.numbers.push(number);
    }

    /// Number of data rows.
    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    /// True when the table has no data rows.
    pub fn is_empty(&self) -> bool {
        self.numbers.is_empty()
    }

    /// The text of data row `row`, column `col`.
    #[inline]
    pub fn cell(&self, row: usize, col: usize) -> &str {
        assert!(
            col < self.headers.len(),
            "column {col} of a table of {} columns",
            self.headers.len()
        );
        let i = row * self.headers.len() + col;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// The row number (the header is row 1) of data row `row`, as a spreadsheet shows it.
    pub fn row_number(&self, row: usize) -> usize {
        self.numbers[row]
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

    /// `row N`: the row number (header = 1) of data row `row`, for messages.
    pub fn row_label(&self, row: usize) -> String {
        format!("row {}", self.numbers[row])
    }

    /// Reads the coordinate columns as points in `crs` (not yet converted), checking every value.
    pub fn coordinates(&self, columns: &CoordinateColumns, crs: Crs) -> Result<Vec<[f64; 2]>> {
        let (xi, yi) = self.coordinate_columns(columns)?;
        let geographic = crs.is_geographic();
        let mut out = Vec::with_capacity(self.len());
        for i in 0..self.len() {
            let x = self.number(i, xi, self.cell(i, xi))?;
            let y = self.number(i, yi, self.cell(i, yi))?;
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
                    .at(self.row_label(i))
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
                    .at(self.row_label(i))
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
                .at(self.row_label(row))
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A cell: empty, blank, plain, padded, Chinese, or with a delimiter, quote or line break.
    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just("  ".to_string()),
            "[a-z0-9.]{1,6}",
            " [a-z]{1,3} ",
            Just("街道 天河".to_string()),
            Just("a,b".to_string()),
            Just("say \"hi\"".to_string()),
            Just("two\nlines".to_string()),
        ]
    }

    proptest! {
        /// Cells, padding, skipped empty rows and row numbers equal a plain reading of the same
        /// file: every record as trimmed strings, rows of nothing but blanks left out, and the
        /// row number counted over all records.
        #[test]
        fn reads_like_a_record_by_record_reading(
            width in 1usize..5,
            rows in proptest::collection::vec(proptest::collection::vec(cell(), 0..5), 1..30),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("t.csv");
            let mut w = csv::WriterBuilder::new().flexible(true).from_path(&path).unwrap();
            w.write_record((0..width).map(|c| format!("h{c}"))).unwrap();
            let rows: Vec<Vec<String>> = rows
                .into_iter()
                .map(|mut r| {
                    r.truncate(width);
                    if r.is_empty() {
                        r.push(String::new());
                    }
                    r
                })
                .collect();
            for r in &rows {
                w.write_record(r).unwrap();
            }
            w.flush().unwrap();
            drop(w);
            let want: Vec<(usize, Vec<String>)> = rows
                .iter()
                .enumerate()
                .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
                .map(|(i, r)| {
                    let mut cells: Vec<String> = r.iter().map(|c| c.trim().to_string()).collect();
                    cells.resize(width, String::new());
                    (i + 2, cells)
                })
                .collect();
            match Table::read(&path, TextEncoding::Utf8) {
                Ok(t) => {
                    prop_assert_eq!(t.len(), want.len());
                    for (i, (number, cells)) in want.iter().enumerate() {
                        prop_assert_eq!(t.row_number(i), *number);
                        for (c, text) in cells.iter().enumerate() {
                            prop_assert_eq!(t.cell(i, c), text.as_str());
                        }
                    }
                }
                Err(e) => {
                    prop_assert!(want.is_empty(), "{e}");
                    prop_assert!(e.to_string().contains("no data rows"), "{e}");
                }
            }
        }
    }
}
