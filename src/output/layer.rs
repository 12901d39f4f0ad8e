//! A table of attribute rows, optionally with one point per row: the shape of every result the
//! writers know how to write.

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

/// Rows with named, typed columns and, for map layers, a WGS84 geometry per row.
#[derive(Debug, Clone)]
pub struct Layer {
    /// Layer name (GeoPackage table name).
    pub name: String,
    /// Column names and types.
    pub columns: Vec<(String, Kind)>,
    /// Rows, one value per column.
    pub rows: Vec<Vec<Value>>,
    /// One WGS84 geometry per row, or `None` for a plain table.
    pub geometry: Option<Vec<geo_types::Geometry<f64>>>,
}

impl Layer {
    /// An empty layer with these columns.
    pub fn new(name: &str, columns: &[(&str, Kind)]) -> Self {
        Layer {
            name: name.to_string(),
            columns: columns.iter().map(|(n, k)| (n.to_string(), *k)).collect(),
            rows: Vec::new(),
            geometry: None,
        }
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
