//! Reading a GeoPackage feature table straight from SQLite, many times faster than GDAL's
//! per-feature API for layers of millions of features. The result equals what the GDAL path
//! reads (same features in the same order, same geometries before reprojection, same field text);
//! whenever that is not certain the reading is refused with the reason, and the caller reads the
//! layer with GDAL instead.

use super::gpkg_blob;
use super::gpkg_values::FieldKind;
use super::vector::VectorFeature;
use crate::sql::quote_identifier;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// What the GDAL path knows of the layer, which the direct reading must agree with.
pub struct LayerSpec<'a> {
    /// The layer's name (a GeoPackage table name, matched case-insensitively).
    pub name: &'a str,
    /// GDAL's FID column (the table's integer primary key).
    pub fid_column: &'a str,
    /// GDAL's geometry column.
    pub geometry_column: &'a str,
    /// Per field in GDAL's order: its column name as GDAL has it, and whether and how to read it.
    pub fields: Vec<(String, FieldRead)>,
}

/// Whether and how a field is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldRead {
    /// Not wanted: its values stay `None`.
    Skip,
    /// Wanted, read as this kind.
    Read(FieldKind),
    /// Wanted, but of a type the direct reading does not handle.
    Unsupported,
}

/// Why a direct reading was refused, for messages and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl From<rusqlite::Error> for Refused {
    fn from(e: rusqlite::Error) -> Self {
        Refused(format!("SQLite: {e}"))
    }
}

/// Reads every row of the layer's table in primary-key order (GDAL's order), or refuses.
/// Geometries are in the layer's own system.
pub fn read_features(path: &Path, spec: &LayerSpec<'_>) -> Result<Vec<VectorFeature>, Refused> {
    let db = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // Pages mapped rather than copied (1 TiB: the whole file); SQLite caps it at its own limit.
    db.pragma_update(None, "mmap_size", 1i64 << 40)?;
    let (table, geom) = feature_table(&db, spec)?;
    let pk = integer_primary_key(&db, &table)?;
    if !pk.eq_ignore_ascii_case(spec.fid_column) {
        return Err(Refused(format!(
            "the primary key {pk:?} is not GDAL's FID column {:?}",
            spec.fid_column
        )));
    }
    // Wanted fields: (position in GDAL's order, kind).
    let mut wanted = Vec::new();
    let mut columns = vec![quote_identifier(&geom)];
    for (i, (name, kind)) in spec.fields.iter().enumerate() {
        match kind {
            FieldRead::Skip => {}
            FieldRead::Unsupported => {
                return Err(Refused(format!("field {name:?} has an unsupported type")))
            }
            FieldRead::Read(k) => {
                wanted.push((i, *k));
                columns.push(quote_identifier(name));
            }
        }
    }
    let sql = format!(
        "SELECT {} FROM {} ORDER BY {}",
        columns.join(", "),
        quote_identifier(&table),
        quote_identifier(&pk)
    );
    let mut stmt = db.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    // SQLite is stepped here while another thread decodes the geometries of earlier batches.
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(2);
        let decoder = scope.spawn(move || decode_batches(rx));
        let mut batch = Batch::default();
        let mut n = 0usize;
        let read = (|| -> Result<(), Refused> {
            while let Some(row) = rows.next()? {
                n += 1;
                let geometry = match row.get_ref(0)? {
                    ValueRef::Null => None,
                    ValueRef::Blob(b) => {
                        batch.bytes.extend_from_slice(b);
                        Some(batch.bytes.len())
                    }
                    v => {
                        return Err(Refused(format!(
                            "feature {n}: a {:?} geometry value",
                            v.data_type()
                        )))
                    }
                };
                let mut values = vec![None; spec.fields.len()];
                for (c, &(i, kind)) in wanted.iter().enumerate() {
                    values[i] = kind.text(row.get_ref(c + 1)?).map_err(|e| {
                        Refused(format!("feature {n}, field {:?}: {e}", spec.fields[i].0))
                    })?;
                }
                batch.rows.push((geometry, values));
                if batch.rows.len() == BATCH_ROWS && tx.send(std::mem::take(&mut batch)).is_err() {
                    // The decoder stopped at a refused blob; its reason is returned.
                    return Ok(());
                }
            }
            // A send error means the same as above.
            let _ = tx.send(batch);
            Ok(())
        })();
        drop(tx);
        let decoded = decoder
            .join()
            .map_err(|_| Refused("the geometry decoding thread panicked".into()))?;
        read?;
        decoded
    })
}

/// Rows handed from the SQLite reader to the decoding thread at a time.
const BATCH_ROWS: usize = 8192;

/// Rows read from SQLite, geometries not yet decoded.
#[derive(Default)]
struct Batch {
    /// The geometry blobs, back to back.
    bytes: Vec<u8>,
    /// Per row: the end of its blob in `bytes` (`None` for a NULL geometry), and its values.
    rows: Vec<(Option<usize>, Vec<Option<String>>)>,
}

/// Decodes the geometries of the batches received, in order, into features; refuses at the
/// first blob [`gpkg_blob::geometry`] refuses.
fn decode_batches(rx: std::sync::mpsc::Receiver<Batch>) -> Result<Vec<VectorFeature>, Refused> {
    let mut out = Vec::new();
    for batch in rx {
        let mut start = 0;
        for (end, values) in batch.rows {
            let geometry = match end {
                None => None,
                Some(end) => {
                    let blob = &batch.bytes[start..end];
                    start = end;
                    gpkg_blob::geometry(blob)
                        .map_err(|e| Refused(format!("feature {}: {e}", out.len() + 1)))?
                }
            };
            out.push(VectorFeature {
                index: out.len(),
                geometry,
                values,
            });
        }
    }
    Ok(out)
}

/// The table and geometry column of the layer, from `gpkg_geometry_columns`.
fn feature_table(db: &Connection, spec: &LayerSpec<'_>) -> Result<(String, String), Refused> {
    let mut stmt = db.prepare("SELECT table_name, column_name FROM gpkg_geometry_columns")?;
    let all = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    let matching: Vec<_> = all
        .into_iter()
        .filter(|(t, _)| t.eq_ignore_ascii_case(spec.name))
        .collect();
    let [(table, geom)] = <[_; 1]>::try_from(matching).map_err(|m| {
        Refused(format!(
            "{} feature tables named {:?} in gpkg_geometry_columns",
            m.len(),
            spec.name
        ))
    })?;
    if !geom.eq_ignore_ascii_case(spec.geometry_column) {
        return Err(Refused(format!(
            "the geometry column {geom:?} is not GDAL's {:?}",
            spec.geometry_column
        )));
    }
    Ok((table, geom))
}

/// The table's single `INTEGER PRIMARY KEY` column (the row id, so that primary-key order is the
/// order of a plain scan).
fn integer_primary_key(db: &Connection, table: &str) -> Result<String, Refused> {
    let mut stmt = db.prepare(&format!("PRAGMA table_info({})", quote_identifier(table)))?;
    let keys = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>("name")?,
                r.get::<_, Option<String>>("type")?.unwrap_or_default(),
                r.get::<_, i64>("pk")?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|(_, _, pk)| *pk > 0)
        .collect::<Vec<_>>();
    match keys.as_slice() {
        [(name, ty, _)] if ty.eq_ignore_ascii_case("INTEGER") => Ok(name.clone()),
        _ => Err(Refused(format!(
            "table {table:?} has no single INTEGER PRIMARY KEY"
        ))),
    }
}
