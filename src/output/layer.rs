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

/// Rows with named, typed columns and, for map layers, a WGS84 point per row.
#[derive(Debug, Clone)]
pub struct Layer {
    /// Layer name (GeoPackage table name).
    pub name: String,
    /// Column names and types.
    pub columns: Vec<(String, Kind)>,
    /// Rows, one value per column.
    pub rows: Vec<Vec<Value>>,
    /// One WGS84 `[lon, lat]` point per row, or `None` for a plain table.
    pub points: Option<Vec<[f64; 2]>>,
}

impl Layer {
    /// An empty layer with these columns.
    pub fn new(name: &str, columns: &[(&str, Kind)]) -> Self {
        Layer {
            name: name.to_string(),
            columns: columns.iter().map(|(n, k)| (n.to_string(), *k)).collect(),
            rows: Vec::new(),
            points: None,
        }
    }

    /// Appends a row (and its point, for map layers).
    pub fn push(&mut self, values: Vec<Value>, point: Option<[f64; 2]>) {
        debug_assert_eq!(values.len(), self.columns.len());
        self.rows.push(values);
        if let Some(p) = point {
            self.points.get_or_insert_with(Vec::new).push(p);
        }
    }
}
