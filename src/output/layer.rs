//! A table of attribute rows, optionally with one geometry per row: the shape of every result the
//! writers know how to write.
//!
//! Columns have an English name (the column name in every format) and, optionally, a Chinese
//! label (e.g. `population` → `常住人口`) that CSV and XLSX can use as the header instead, and
//! that GeoPackage stores as the field's alternative name (shown as the alias in QGIS/ArcGIS).
//! The layer itself can carry a Chinese label too (the worksheet name in XLSX with Chinese
//! headers, the layer description in GeoPackage).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use crate::error::{Error, ErrorKind};

/// The type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text.
    Text,
    /// 64-bit float.
    Real,
    /// 64-bit integer.
    Int,
}

/// A cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text.
    Text(String),
    /// A number.
    Real(f64),
    /// An integer.
    Int(i64),
    /// Empty / null.
    Null,
}

impl Value {
    /// Makes this cell the text `s`, reusing its string when it already holds text (so that
    /// filling the same row buffer again does not allocate).
    pub fn set_text(&mut self, s: &str) {
        match self {
            Value::Text(t) => {
                t.clear();
                t.push_str(s);
            }
            other => *other = Value::Text(s.to_owned()),
        }
    }
}

impl From<Option<f64>> for Value {
    fn from(v: Option<f64>) -> Self {
        v.map(Value::Real).unwrap_or(Value::Null)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}

/// Which names CSV and XLSX headers use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HeaderLanguage {
    /// The column names (English, e.g. `population`).
    #[default]
    English,
    /// The Chinese labels set with [`Layer::label`] (e.g. `常住人口`); columns without a label
    /// keep their English name.
    Chinese,
}

impl FromStr for HeaderLanguage {
    type Err = Error;

    /// `en`/`english` or `zh`/`chinese`/`中文` (case-insensitive).
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" | "english" => Ok(HeaderLanguage::English),
            "zh" | "cn" | "chinese" | "中文" => Ok(HeaderLanguage::Chinese),
            _ => Err(Error::new(
                ErrorKind::InvalidValue,
                format!("unknown header language {s:?}; use en or zh"),
            )),
        }
    }
}

/// The geometry type a map layer declares, for layers that may have no rows (an empty layer of
/// gap polygons is still a polygon layer). See [`Layer::with_geometry_type`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeometryType {
    /// Points.
    Point,
    /// Line strings.
    LineString,
    /// Polygons.
    Polygon,
    /// Multi-points.
    MultiPoint,
    /// Multi-line strings.
    MultiLineString,
    /// Multi-polygons.
    MultiPolygon,
}

/// Fills the cells of row `i` (one per column) into the buffer it is given.
type MakeRow = dyn Fn(usize, &mut [Value]) + Send + Sync;

/// Rows made one at a time as they are written, for layers too big to hold as cells (a
/// million demand points with forty columns would take a gigabyte).
#[derive(Clone)]
struct MadeRows {
    len: usize,
    make: Arc<MakeRow>,
}

impl fmt::Debug for MadeRows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MadeRows({} rows)", self.len)
    }
}

/// Rows with named, typed columns and, for map layers, a WGS84 geometry per row.
///
/// The rows are either held as cells ([`Layer::rows`]) or made one at a time while they are
/// written ([`Layer::with_made_rows`]); writers read both through [`Layer::cursor`].
#[derive(Debug, Clone)]
pub struct Layer {
    /// Layer name (GeoPackage table name, XLSX worksheet name).
    pub name: String,
    /// Column names and types.
    pub columns: Vec<(String, Kind)>,
    /// Rows held as cells, one value per column (empty for a layer of made rows).
    pub rows: Vec<Vec<Value>>,
    /// Rows made on demand instead of held; see [`Layer::with_made_rows`].
    made: Option<MadeRows>,
    /// One WGS84 geometry per row, or `None` for a plain table.
    pub geometry: Option<Vec<geo_types::Geometry<f64>>>,
    /// Chinese labels of columns, by column name; see [`Layer::label`].
    pub column_labels: BTreeMap<String, String>,
    /// Chinese label of the layer; see [`Layer::set_layer_label`].
    pub layer_label: Option<String>,
    /// Declared geometry type; `None` lets the writers use the type of the rows.
    pub geometry_type: Option<GeometryType>,
}

impl Layer {
    /// An empty layer with these columns.
    pub fn new(name: &str, columns: &[(&str, Kind)]) -> Self {
        Layer {
            name: name.to_string(),
            columns: columns.iter().map(|(n, k)| (n.to_string(), *k)).collect(),
            rows: Vec::new(),
            made: None,
            geometry: None,
            column_labels: BTreeMap::new(),
            layer_label: None,
            geometry_type: None,
        }
    }

    /// Makes this a map layer of the given geometry type even while it has no rows; every row
    /// pushed must then carry a geometry.
    pub fn with_geometry_type(mut self, ty: GeometryType) -> Self {
        self.geometry.get_or_insert_with(Vec::new);
        self.geometry_type = Some(ty);
        self
    }

    /// Sets the Chinese label of `column` (e.g. `label("population", "常住人口")`). The column
    /// keeps its English name; the label is used by [`HeaderLanguage::Chinese`] and written to
    /// GeoPackage as the field's alternative name.
    ///
    /// # Panics
    ///
    /// When the layer has no column named `column` (a typo in the program, not in the data).
    pub fn label(&mut self, column: &str, zh: &str) -> &mut Self {
        assert!(
            self.columns.iter().any(|(n, _)| n == column),
            "layer {:?} has no column {column:?} to label",
            self.name
        );
        self.column_labels
            .insert(column.to_string(), zh.to_string());
        self
    }

    /// [`Layer::label`] for building a layer in one expression.
    ///
    /// # Panics
    ///
    /// When the layer has no column named `column`.
    pub fn with_label(mut self, column: &str, zh: &str) -> Self {
        self.label(column, zh);
        self
    }

    /// Sets several column labels at once, as `(column, label)` pairs.
    ///
    /// # Panics
    ///
    /// When the layer lacks one of the columns.
    pub fn with_labels(mut self, labels: &[(&str, &str)]) -> Self {
        for (c, zh) in labels {
            self.label(c, zh);
        }
        self
    }

    /// Sets the Chinese label of the layer itself (e.g. `服务盲区`).
    pub fn set_layer_label(&mut self, zh: &str) -> &mut Self {
        self.layer_label = Some(zh.to_string());
        self
    }

    /// [`Layer::set_layer_label`] for building a layer in one expression.
    pub fn with_layer_label(mut self, zh: &str) -> Self {
        self.set_layer_label(zh);
        self
    }

    /// The Chinese label of `column`, if one was set.
    pub fn column_label(&self, column: &str) -> Option<&str> {
        self.column_labels.get(column).map(String::as_str)
    }

    /// The header of column `index` in `language`: its label for Chinese when it has one, else
    /// its name.
    pub fn header(&self, index: usize, language: HeaderLanguage) -> &str {
        let name = self.columns[index].0.as_str();
        match language {
            HeaderLanguage::English => name,
            HeaderLanguage::Chinese => self.column_label(name).unwrap_or(name),
        }
    }

    /// The layer's title in `language`: its Chinese label for Chinese when it has one, else its
    /// name.
    pub fn title(&self, language: HeaderLanguage) -> &str {
        match (language, &self.layer_label) {
            (HeaderLanguage::Chinese, Some(l)) => l,
            _ => &self.name,
        }
    }

    /// Makes the layer's `len` rows by calling `make(i, cells)` for row `i` while a writer reads
    /// it, instead of holding them. `cells` has one value per column; it is the same buffer for
    /// every row, holding the previous row's values, so `make` must set every cell
    /// ([`Value::set_text`] reuses a cell's string). A map layer still holds its geometries,
    /// one per row, pushed with [`Layer::set_geometries`].
    ///
    /// # Panics
    ///
    /// When the layer already holds rows.
    pub fn with_made_rows(
        mut self,
        len: usize,
        make: impl Fn(usize, &mut [Value]) + Send + Sync + 'static,
    ) -> Self {
        assert!(
            self.rows.is_empty(),
            "layer {:?} already has rows",
            self.name
        );
        self.made = Some(MadeRows {
            len,
            make: Arc::new(make),
        });
        self
    }

    /// Sets the geometry of every row at once (WGS84), for a layer of made rows.
    ///
    /// # Panics
    ///
    /// When the number of geometries is not the number of rows.
    pub fn set_geometries(&mut self, geometries: Vec<geo_types::Geometry<f64>>) {
        assert_eq!(geometries.len(), self.len(), "one geometry per row");
        self.geometry = Some(geometries);
    }

    /// Number of rows, held or made.
    pub fn len(&self) -> usize {
        self.made.as_ref().map_or(self.rows.len(), |m| m.len)
    }

    /// True when the layer has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reads the rows in order, held or made:
    ///
    /// ```
    /// use lifecircle::output::{Kind, Layer, Value};
    /// let l = Layer::new("squares", &[("n", Kind::Int)])
    ///     .with_made_rows(3, |i, cells| cells[0] = Value::Int((i * i) as i64));
    /// let mut rows = l.cursor();
    /// let mut seen = Vec::new();
    /// while let Some((i, cells)) = rows.next_row() {
    ///     seen.push((i, cells[0].clone()));
    /// }
    /// assert_eq!(seen[2], (2, Value::Int(4)));
    /// ```
    pub fn cursor(&self) -> RowCursor<'_> {
        self.cursor_at(0)
    }

    /// A cursor over the rows from `start` (index from 0) to the last.
    pub fn cursor_at(&self, start: usize) -> RowCursor<'_> {
        RowCursor {
            layer: self,
            next: start,
            cells: vec![Value::Null; self.columns.len()],
        }
    }

    /// The layer with its rows held as cells: itself when they are, else a copy with every row
    /// made (for code that reads [`Layer::rows`] by column).
    pub fn held(&self) -> Cow<'_, Layer> {
        if self.made.is_none() {
            return Cow::Borrowed(self);
        }
        let mut rows = Vec::with_capacity(self.len());
        let mut cursor = self.cursor();
        while let Some((_, cells)) = cursor.next_row() {
            rows.push(cells.to_vec());
        }
        Cow::Owned(Layer {
            rows,
            made: None,
            ..self.clone()
        })
    }

    /// Appends a row with a point `[lon, lat]` (for point layers) or none (plain tables).
    pub fn push(&mut self, values: Vec<Value>, point: Option<[f64; 2]>) {
        self.push_geometry(
            values,
            point.map(|p| geo_types::Geometry::Point(geo_types::Point::new(p[0], p[1]))),
        );
    }

    /// Appends a row with any geometry (WGS84), or none for plain tables. A layer either has a
    /// geometry on every row or on none.
    pub fn push_geometry(
        &mut self,
        values: Vec<Value>,
        geometry: Option<geo_types::Geometry<f64>>,
    ) {
        debug_assert_eq!(values.len(), self.columns.len());
        assert!(self.made.is_none(), "layer {:?} has made rows", self.name);
        self.rows.push(values);
        if let Some(g) = geometry {
            self.geometry.get_or_insert_with(Vec::new).push(g);
        }
        debug_assert!(self
            .geometry
            .as_ref()
            .is_none_or(|g| g.len() == self.rows.len()));
    }
}

/// Reads a layer's rows one at a time; see [`Layer::cursor`].
pub struct RowCursor<'l> {
    layer: &'l Layer,
    next: usize,
    cells: Vec<Value>,
}

impl RowCursor<'_> {
    /// The next row's index (from 0) and cells, or `None` after the last row.
    pub fn next_row(&mut self) -> Option<(usize, &[Value])> {
        let i = self.next;
        let row: &[Value] = match &self.layer.made {
            Some(m) if i < m.len => {
                (m.make)(i, &mut self.cells);
                &self.cells
            }
            Some(_) => return None,
            None => self.layer.rows.get(i)?,
        };
        self.next += 1;
        Some((i, row))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_fall_back_to_names() {
        let l = Layer::new("zones", &[("id", Kind::Text), ("population", Kind::Int)])
            .with_label("population", "常住人口")
            .with_layer_label("分区");
        assert_eq!(l.header(0, HeaderLanguage::Chinese), "id");
        assert_eq!(l.header(1, HeaderLanguage::Chinese), "常住人口");
        assert_eq!(l.header(1, HeaderLanguage::English), "population");
        assert_eq!(l.title(HeaderLanguage::Chinese), "分区");
        assert_eq!(l.title(HeaderLanguage::English), "zones");
        assert_eq!(
            "ZH".parse::<HeaderLanguage>().unwrap(),
            HeaderLanguage::Chinese
        );
    }

    #[test]
    #[should_panic(expected = "no column")]
    fn labelling_an_unknown_column_panics() {
        Layer::new("t", &[("id", Kind::Text)]).label("pop", "人口");
    }

    #[test]
    fn declared_geometry_type_makes_an_empty_map_layer() {
        let l = Layer::new("gaps", &[("id", Kind::Text)]).with_geometry_type(GeometryType::Polygon);
        assert_eq!(l.geometry.as_ref().map(Vec::len), Some(0));
    }

    #[test]
    fn made_rows_read_like_held_rows() {
        let cols = [("id", Kind::Text), ("x", Kind::Real)];
        let mut held = Layer::new("t", &cols);
        for i in 0..5 {
            held.push(
                vec![Value::Text(format!("p{i}")), Value::Real(i as f64 / 2.0)],
                None,
            );
        }
        let made = Layer::new("t", &cols).with_made_rows(5, |i, c| {
            c[0].set_text(&format!("p{i}"));
            c[1] = Value::Real(i as f64 / 2.0);
        });
        assert_eq!((held.len(), made.len()), (5, 5));
        assert_eq!(made.held().rows, held.rows);
        let (mut a, mut b) = (held.cursor(), made.cursor());
        loop {
            match (a.next_row(), b.next_row()) {
                (Some(x), Some(y)) => assert_eq!(x, y),
                (None, None) => break,
                other => panic!("rows differ in number: {other:?}"),
            }
        }
    }

    #[test]
    fn set_text_replaces_any_cell() {
        let mut v = Value::Real(1.0);
        v.set_text("颐康");
        assert_eq!(v, Value::Text("颐康".into()));
        v.set_text("a");
        assert_eq!(v, Value::Text("a".into()));
    }
}
