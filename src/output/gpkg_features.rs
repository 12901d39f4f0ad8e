//! The rows of GeoPackage layers, written through SQLite directly into tables GDAL created.
//!
//! GDAL's per-feature API costs several microseconds a feature, and GDAL 3.6 then fills each
//! spatial index one insertion at a time: seconds per million demand points. Here one prepared
//! statement per layer inserts the rows, with geometries encoded as GeoPackage geometry blobs,
//! and the spatial index is bulk-loaded ([`super::gpkg_rtree`]). The bookkeeping GDAL would do
//! is done too:
//!
//! - `gpkg_contents` gets each map layer's extent;
//! - `gpkg_ogr_contents` gets the feature counts (GDAL's triggers that keep them are set aside
//!   while the rows go in, then put back);
//! - `gpkg_extensions` registers the R-tree indexes and the schema extension;
//! - `gpkg_data_columns` holds the Chinese column labels as field aliases.
//!
//! A GeoPackage geometry blob is the header `GP`, version 0, a flags byte (little-endian, the
//! envelope kind, the empty flag), the `srs_id`, the envelope `[minx, maxx, miny, maxy]` (left
//! out for points, as GDAL does), then the geometry as ISO WKB. An empty geometry (a service
//! area that reaches nothing) is stored as NULL: every reader takes NULL as "no geometry",
//! while the blob's empty flag is read differently by different tools (GDAL 3.6's
//! `validate_gpkg.py` looks for it in bit 3, the specification puts it in bit 4).

use super::gpkg_rtree::{create_extensions_table, create_index, register_index, Entry};
use super::layer::{Layer, Value};
use super::sqlite_rows::{Param, RowInsert};
use crate::crs::Transformer;
use crate::error::{Error, ErrorKind, Result};
use crate::output::srs::transform_geometry;
use crate::sql::quote_identifier as ident;
use geo::BoundingRect;
use geo_types::Geometry as G;
use rusqlite::{params, Connection};
use std::path::Path;

/// Fills the tables of `layers` in the GeoPackage at `path`, which GDAL created with every
/// layer's fields and no rows. `prepare` turns a row's WGS84 geometry into the geometry to
/// store (the layer's geometry kind); it is called after the conversion by `transformer`.
pub(super) fn write_features(
    path: &Path,
    layers: &[&Layer],
    transformer: &Transformer,
    prepare: impl Fn(usize, G<f64>) -> G<f64>,
) -> Result<()> {
    let db = Connection::open(path).map_err(sql_err("cannot open the file"))?;
    // The file is a temporary one, renamed into place only when complete: no journal needed.
    db.query_row("PRAGMA journal_mode = OFF", [], |_| Ok(()))
        .map_err(sql_err("journal"))?;
    db.execute_batch("PRAGMA synchronous = OFF; BEGIN")
        .map_err(sql_err("transaction"))?;
    for (i, layer) in layers.iter().enumerate() {
        write_layer(&db, layer, transformer, |g| prepare(i, g))
            .map_err(|e| e.at(format!("layer {:?}", layer.name)))?;
    }
    write_column_labels(&db, layers).map_err(sql_err("cannot record the column labels"))?;
    db.execute_batch("COMMIT").map_err(sql_err("commit"))?;
    db.close()
        .map_err(|(_, e)| sql_err("cannot close the file")(e))
}

fn sql_err(what: &str) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |e| Error::new(ErrorKind::Io, format!("GeoPackage: {what}")).caused_by(e)
}

/// The geometry column of `table` and its `srs_id`, or `None` for a plain table.
fn geometry_column(db: &Connection, table: &str) -> rusqlite::Result<Option<(String, i32)>> {
    let mut q = db.prepare(
        "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE lower(table_name) = lower(?1)",
    )?;
    let mut rows = q.query([table])?;
    match rows.next()? {
        Some(r) => Ok(Some((r.get(0)?, r.get(1)?))),
        None => Ok(None),
    }
}

fn write_layer(
    db: &Connection,
    layer: &Layer,
    transformer: &Transformer,
    prepare: impl Fn(G<f64>) -> G<f64>,
) -> Result<()> {
    let table = layer.name.as_str();
    let geometry = geometry_column(db, table).map_err(sql_err("geometry column"))?;
    check_columns(db, layer, geometry.as_ref().map(|g| g.0.as_str()))?;
    let triggers = set_aside_triggers(db, table).map_err(sql_err("triggers"))?;

    let mut names = vec![ident("fid")];
    if let Some((g, _)) = &geometry {
        names.push(ident(g));
    }
    names.extend(layer.columns.iter().map(|(c, _)| ident(c)));
    let marks: Vec<String> = (1..=names.len()).map(|k| format!("?{k}")).collect();
    let mut insert = RowInsert::prepare(
        db,
        &format!(
            "INSERT INTO {} ({}) VALUES ({})",
            ident(table),
            names.join(", "),
            marks.join(", ")
        ),
    )
    .map_err(sql_err("insert"))?;
    // The parameter of the layer's first column: after the fid and the geometry, if any.
    let first_column = if geometry.is_some() { 3 } else { 2 };

    let mut entries = Vec::new();
    let mut extent = [
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    let mut blob = Vec::new();
    let mut buf = Vec::new();
    let mut rows = layer.cursor();
    while let Some((r, row)) = rows.next_row() {
        let at = || format!("layer {:?}, row {}", layer.name, r + 1);
        let fid = r as i64 + 1;
        let mut has_blob = false;
        if let (Some((_, srs_id)), Some(geoms)) = (&geometry, &layer.geometry) {
            let mut g = geoms[r].clone();
            transform_geometry(&mut g, transformer, &mut buf).map_err(|e| e.at(at()))?;
            let g = prepare(g);
            let bbox = geometry_blob(&mut blob, &g, *srs_id);
            has_blob = bbox.is_some();
            if let Some(b) = bbox {
                entries.push(Entry { id: fid, bbox: b });
                extent = [
                    extent[0].min(b[0]),
                    extent[1].max(b[1]),
                    extent[2].min(b[2]),
                    extent[3].max(b[3]),
                ];
            }
        }
        // A row without a geometry, or with an empty one, stores NULL.
        let geometry_param = geometry.as_ref().map(|_| {
            if has_blob {
                Param::Blob(&blob)
            } else {
                Param::Null
            }
        });
        let values = row.iter().map(|v| match v {
            Value::Text(s) => Param::Text(s),
            Value::Real(x) => Param::Real(*x),
            Value::Int(x) => Param::Int(*x),
            Value::Null => Param::Null,
        });
        let params = std::iter::once(Param::Int(fid))
            .chain(geometry_param)
            .chain(values);
        insert.run(params).map_err(|e| match e.parameter {
            Some(k) if k >= first_column => sql_err("value")(e.error)
                .at(at())
                .field(&layer.columns[k - first_column].0),
            Some(2) if first_column == 3 => sql_err("geometry")(e.error).at(at()),
            Some(_) => sql_err("value")(e.error).at(at()),
            None => sql_err("cannot write a feature")(e.error).at(at()),
        })?;
    }
    drop(insert);

    let n = layer.len() as i64;
    db.execute(
        "UPDATE gpkg_ogr_contents SET feature_count = ?1 WHERE lower(table_name) = lower(?2)",
        params![n, table],
    )
    .map_err(sql_err("feature count"))?;
    if let Some((column, _)) = &geometry {
        if !entries.is_empty() {
            db.execute(
                "UPDATE gpkg_contents SET min_x = ?1, min_y = ?2, max_x = ?3, max_y = ?4 \
                 WHERE lower(table_name) = lower(?5)",
                params![extent[0], extent[2], extent[1], extent[3], table],
            )
            .map_err(sql_err("extent"))?;
        }
        create_index(db, table, column, &entries).map_err(sql_err("spatial index"))?;
        register_index(db, table, column).map_err(sql_err("spatial index"))?;
    }
    for sql in triggers {
        db.execute_batch(&sql).map_err(sql_err("triggers"))?;
    }
    Ok(())
}

/// Checks that the table's columns are `fid`, the geometry column if any, then the layer's
/// columns in order, as GDAL was asked to create them.
fn check_columns(db: &Connection, layer: &Layer, geometry: Option<&str>) -> Result<()> {
    let mut q = db
        .prepare(&format!("PRAGMA table_info({})", ident(&layer.name)))
        .map_err(sql_err("columns"))?;
    let got: Vec<String> = q
        .query_map([], |r| r.get::<_, String>(1))
        .and_then(Iterator::collect)
        .map_err(sql_err("columns"))?;
    let mut want = vec!["fid".to_string()];
    want.extend(geometry.map(str::to_string));
    want.extend(layer.columns.iter().map(|(c, _)| c.clone()));
    if got != want {
        return Err(Error::new(
            ErrorKind::Io,
            format!("GeoPackage: the table has columns {got:?}, expected {want:?}"),
        ));
    }
    Ok(())
}

/// Drops the triggers on `table` and returns the SQL that creates them again.
fn set_aside_triggers(db: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut q = db.prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND lower(tbl_name) = lower(?1)",
    )?;
    let triggers: Vec<(String, String)> = q
        .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (name, _) in &triggers {
        db.execute_batch(&format!("DROP TRIGGER {}", ident(name)))?;
    }
    Ok(triggers.into_iter().map(|(_, sql)| sql).collect())
}

/// Writes `g` into `blob` as a GeoPackage geometry blob with `srs_id`; returns its box
/// `[minx, maxx, miny, maxy]`, or `None` for an empty geometry (flagged empty in the blob).
fn geometry_blob(blob: &mut Vec<u8>, g: &G<f64>, srs_id: i32) -> Option<[f64; 4]> {
    let bbox = g
        .bounding_rect()
        .map(|r| [r.min().x, r.max().x, r.min().y, r.max().y])
        .filter(|b| b.iter().all(|v| !v.is_nan()));
    let point = matches!(g, G::Point(_));
    let envelope = bbox.is_some() && !point;
    let flags = 0x01 | if envelope { 0x02 } else { 0 } | if bbox.is_none() { 0x10 } else { 0 };
    blob.clear();
    blob.extend_from_slice(&[b'G', b'P', 0, flags]);
    blob.extend_from_slice(&srs_id.to_le_bytes());
    if let (true, Some(b)) = (envelope, bbox) {
        for v in b {
            blob.extend_from_slice(&v.to_le_bytes());
        }
    }
    crate::wkb::encode_into(blob, g);
    bbox
}

/// Records the Chinese column labels in `gpkg_data_columns` (the GeoPackage schema extension),
/// where GIS software reads field aliases. GDAL writes a field's alternative name there itself
/// only from version 3.7; rows it already wrote are kept.
fn write_column_labels(db: &Connection, layers: &[&Layer]) -> rusqlite::Result<()> {
    let labels: Vec<(&str, &str, String)> = layers
        .iter()
        .flat_map(|layer| {
            layer
                .columns
                .iter()
                .zip(super::gpkg::create::aliases(layer))
                .filter_map(|((column, _), alias)| {
                    Some((layer.name.as_str(), column.as_str(), alias?))
                })
        })
        .collect();
    if labels.is_empty() {
        return Ok(());
    }
    create_extensions_table(db)?;
    db.execute_batch(
        "CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, \
         column_name TEXT NOT NULL, name TEXT, title TEXT, description TEXT, mime_type TEXT, \
         constraint_name TEXT, CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), \
         CONSTRAINT gdc_tn UNIQUE (table_name, name)); \
         CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (\
         constraint_name TEXT NOT NULL, constraint_type TEXT NOT NULL, value TEXT, \
         min NUMERIC, min_is_inclusive BOOLEAN, max NUMERIC, max_is_inclusive BOOLEAN, \
         description TEXT, \
         CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value));",
    )?;
    // The schema extension covers both of its tables (GeoPackage 1.2.1, requirement 141).
    for table in ["gpkg_data_columns", "gpkg_data_column_constraints"] {
        db.execute(
            "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, \
             scope) SELECT ?1, NULL, 'gpkg_schema', \
             'http://www.geopackage.org/spec121/#extension_schema', 'read-write' \
             WHERE NOT EXISTS (SELECT 1 FROM gpkg_extensions \
             WHERE table_name = ?1 AND extension_name = 'gpkg_schema')",
            params![table],
        )?;
    }
    let mut put = db.prepare(
        "INSERT OR IGNORE INTO gpkg_data_columns (table_name, column_name, name) VALUES (?1, ?2, ?3)",
    )?;
    for (table, column, label) in labels {
        put.execute(params![table, column, label])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{point, polygon};

    #[test]
    fn blobs_have_the_geopackage_header() {
        let mut b = Vec::new();
        let bbox = geometry_blob(&mut b, &G::Point(point!(x: 1.5, y: 2.5)), 4326);
        assert_eq!(bbox, Some([1.5, 1.5, 2.5, 2.5]));
        assert_eq!(&b[..8], &[b'G', b'P', 0, 1, 0xE6, 0x10, 0, 0]);
        assert_eq!(
            &b[8..],
            crate::wkb::encode(&G::Point(point!(x: 1.5, y: 2.5)))
        );
        let p = G::Polygon(polygon![(x: 0.0, y: 1.0), (x: 2.0, y: 1.0), (x: 2.0, y: 3.0)]);
        let bbox = geometry_blob(&mut b, &p, 4547);
        assert_eq!(bbox, Some([0.0, 2.0, 1.0, 3.0]));
        assert_eq!(b[3], 0x03, "little-endian with an xy envelope");
        assert_eq!(i32::from_le_bytes(b[4..8].try_into().unwrap()), 4547);
        let env: Vec<f64> = (0..4)
            .map(|k| f64::from_le_bytes(b[8 + 8 * k..16 + 8 * k].try_into().unwrap()))
            .collect();
        assert_eq!(env, [0.0, 2.0, 1.0, 3.0]);
        assert_eq!(&b[40..], crate::wkb::encode(&p));
        let empty = G::MultiPolygon(geo_types::MultiPolygon(vec![]));
        assert_eq!(geometry_blob(&mut b, &empty, 4326), None);
        assert_eq!(b[3], 0x11, "empty flag, no envelope");
    }
}
