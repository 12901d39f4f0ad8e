//! CSV output: UTF-8 with a byte-order mark, numbers in their shortest exact form.

use super::atomic::write_atomic;
use super::layer::{Layer, Value};
use crate::error::{Error, ErrorKind, Result};
use std::io::Write;
use std::path::Path;

/// Writes the layer's attribute table (without geometry) to a CSV file.
pub fn write_csv(path: &Path, layer: &Layer) -> Result<()> {
    write_atomic(path, |tmp| {
        let file = std::fs::File::create(tmp).map_err(|e| Error::io(tmp, e))?;
        let mut buf = std::io::BufWriter::new(file);
        buf.write_all(b"\xEF\xBB\xBF")
            .map_err(|e| Error::io(tmp, e))?;
        let mut w = csv::Writer::from_writer(buf);
        let fail = |e: csv::Error| Error::new(ErrorKind::Io, "cannot write CSV").caused_by(e);
        w.write_record(layer.columns.iter().map(|(n, _)| n.as_str()))
            .map_err(fail)?;
        let mut cells: Vec<String> = Vec::with_capacity(layer.columns.len());
        for row in &layer.rows {
            cells.clear();
            cells.extend(row.iter().map(|v| match v {
                Value::Text(s) => s.clone(),
                Value::Real(x) => format!("{x}"),
                Value::Int(i) => i.to_string(),
                Value::Null => String::new(),
            }));
            w.write_record(&cells).map_err(fail)?;
        }
        let buf = w
            .into_inner()
            .map_err(|e| Error::new(ErrorKind::Io, "cannot write CSV").caused_by(e.into_error()))?;
        buf.into_inner()
            .map_err(|e| Error::io(tmp, e.into_error()))?
            .sync_all()
            .map_err(|e| Error::io(tmp, e))
    })
}
