//! The spatial index of a GeoPackage map layer (the `gpkg_rtree_index` extension), bulk-loaded.
//!
//! The index is an SQLite R*Tree virtual table `rtree_<table>_<column>(id, minx, maxx, miny,
//! maxy)`. Filling it one insertion per feature costs seconds per million features; here the
//! tree is packed instead: boxes sorted along a Hilbert curve, cut into full nodes level by level,
//! and the module's three shadow tables written directly:
//!
//! - `_node(nodeno, data)`: each node a blob of the size SQLite chose when it created the table
//!   (the size of the empty root it wrote). The blob holds a 2-byte depth (root only), a 2-byte
//!   cell count, then per cell an 8-byte id (a feature id in leaves, a node number above) and
//!   the box as four 4-byte floats (minx, maxx, miny, maxy), all big-endian; the root is node 1.
//! - `_rowid(rowid, nodeno)`: the leaf of each feature.
//! - `_parent(nodeno, parentnode)`: the parent of each node but the root.
//!
//! Boxes are stored in single precision rounded outward, as SQLite itself stores them, so a
//! box in the index always contains the feature's box. SQLite's `rtreecheck()` accepts the
//! result (see the tests).

use crate::network::hilbert::hilbert_order;
use crate::sql::quote_identifier as ident;
use rusqlite::{params, Connection};

/// One feature's bounding box: `[minx, maxx, miny, maxy]` in the layer's coordinates.
#[derive(Debug, Clone, Copy)]
pub(super) struct Entry {
    /// The feature id (`fid`).
    pub id: i64,
    /// `[minx, maxx, miny, maxy]`.
    pub bbox: [f64; 4],
}

/// Bytes of one cell: an 8-byte id and four 4-byte coordinates.
const CELL: usize = 8 + 4 * 4;

/// Creates `rtree_<table>_<column>` holding `entries`. `table` and `column` are used as given in
/// the names (GeoPackage's convention), quoted as SQL identifiers.
pub(super) fn create_index(
    db: &Connection,
    table: &str,
    column: &str,
    entries: &[Entry],
) -> rusqlite::Result<()> {
    let name = format!("rtree_{table}_{column}");
    db.execute_batch(&format!(
        "CREATE VIRTUAL TABLE {} USING rtree(id, minx, maxx, miny, maxy)",
        ident(&name)
    ))?;
    let node_size: i64 = db.query_row(
        &format!(
            "SELECT length(data) FROM {} WHERE nodeno = 1",
            ident(&format!("{name}_node"))
        ),
        [],
        |r| r.get(0),
    )?;
    let node_size = usize::try_from(node_size).unwrap_or(0);
    let capacity = node_size.saturating_sub(4) / CELL;
    if entries.is_empty() {
        return Ok(());
    }
    if capacity < 2 {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
            Some(format!(
                "R*Tree nodes of {node_size} bytes hold fewer than two cells"
            )),
        ));
    }
    let tree = pack(entries, capacity);
    let mut put_node = db.prepare(&format!(
        "INSERT OR REPLACE INTO {}(nodeno, data) VALUES (?1, ?2)",
        ident(&format!("{name}_node"))
    ))?;
    let mut put_rowid = db.prepare(&format!(
        "INSERT INTO {}(rowid, nodeno) VALUES (?1, ?2)",
        ident(&format!("{name}_rowid"))
    ))?;
    let mut put_parent = db.prepare(&format!(
        "INSERT INTO {}(nodeno, parentnode) VALUES (?1, ?2)",
        ident(&format!("{name}_parent"))
    ))?;
    let mut blob = vec![0u8; node_size];
    // Leaf of every id, inserted afterwards in id order: appending to the table's B-tree is
    // several times faster than inserting in the leaves' (spatial) order.
    let mut rowids: Vec<(i64, i64)> = Vec::with_capacity(entries.len());
    for node in &tree.nodes {
        blob.fill(0);
        if node.number == 1 {
            blob[0..2].copy_from_slice(&(tree.depth as u16).to_be_bytes());
        }
        blob[2..4].copy_from_slice(&(node.cells.len() as u16).to_be_bytes());
        for (k, cell) in node.cells.iter().enumerate() {
            let at = 4 + k * CELL;
            blob[at..at + 8].copy_from_slice(&cell.id.to_be_bytes());
            for (j, v) in cell.bbox.iter().enumerate() {
                let c = at + 8 + 4 * j;
                blob[c..c + 4].copy_from_slice(&v.to_bits().to_be_bytes());
            }
        }
        put_node.execute(params![node.number, &blob])?;
        if node.leaf {
            rowids.extend(node.cells.iter().map(|cell| (cell.id, node.number)));
        }
        if let Some(parent) = node.parent {
            put_parent.execute(params![node.number, parent])?;
        }
    }
    rowids.sort_unstable();
    for (id, leaf) in rowids {
        put_rowid.execute(params![id, leaf])?;
    }
    Ok(())
}

/// The triggers that keep `rtree_<table>_<column>` in step with later edits of the table (the
/// GeoPackage 1.2 R-tree extension's triggers, in the form GDAL writes them; `ST_MinX` and the
/// other functions are provided by the software that edits the file), and the extension's row in
/// `gpkg_extensions`.
pub(super) fn register_index(db: &Connection, table: &str, column: &str) -> rusqlite::Result<()> {
    let t = ident(table);
    let c = ident(column);
    let r = ident(&format!("rtree_{table}_{column}"));
    let trigger = |suffix: &str| ident(&format!("rtree_{table}_{column}_{suffix}"));
    let insert = format!(
        "INSERT OR REPLACE INTO {r} VALUES (NEW.\"fid\",ST_MinX(NEW.{c}), ST_MaxX(NEW.{c}),\
         ST_MinY(NEW.{c}), ST_MaxY(NEW.{c}));"
    );
    let sql = [
        format!(
            "CREATE TRIGGER {} AFTER INSERT ON {t} WHEN (new.{c} NOT NULL AND NOT ST_IsEmpty(NEW.{c})) \
             BEGIN {insert} END;",
            trigger("insert")
        ),
        format!(
            "CREATE TRIGGER {} AFTER UPDATE OF {c} ON {t} WHEN OLD.\"fid\" = NEW.\"fid\" AND \
             (NEW.{c} NOTNULL AND NOT ST_IsEmpty(NEW.{c})) BEGIN {insert} END;",
            trigger("update1")
        ),
        format!(
            "CREATE TRIGGER {} AFTER UPDATE OF {c} ON {t} WHEN OLD.\"fid\" = NEW.\"fid\" AND \
             (NEW.{c} ISNULL OR ST_IsEmpty(NEW.{c})) BEGIN DELETE FROM {r} WHERE id = OLD.\"fid\"; END;",
            trigger("update2")
        ),
        format!(
            "CREATE TRIGGER {} AFTER UPDATE ON {t} WHEN OLD.\"fid\" != NEW.\"fid\" AND \
             (NEW.{c} NOTNULL AND NOT ST_IsEmpty(NEW.{c})) BEGIN DELETE FROM {r} WHERE id = OLD.\"fid\"; \
             {insert} END;",
            trigger("update3")
        ),
        format!(
            "CREATE TRIGGER {} AFTER UPDATE ON {t} WHEN OLD.\"fid\" != NEW.\"fid\" AND \
             (NEW.{c} ISNULL OR ST_IsEmpty(NEW.{c})) BEGIN DELETE FROM {r} WHERE id IN (OLD.\"fid\", NEW.\"fid\"); END;",
            trigger("update4")
        ),
        format!(
            "CREATE TRIGGER {} AFTER DELETE ON {t} WHEN old.{c} NOT NULL \
             BEGIN DELETE FROM {r} WHERE id = OLD.\"fid\"; END;",
            trigger("delete")
        ),
    ];
    for s in &sql {
        db.execute_batch(s)?;
    }
    create_extensions_table(db)?;
    db.execute(
        "INSERT OR IGNORE INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) \
         VALUES (?1, ?2, 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
        params![table, column],
    )?;
    Ok(())
}

/// Creates `gpkg_extensions` (GeoPackage's register of extensions) when the file has none yet.
pub(super) fn create_extensions_table(db: &Connection) -> rusqlite::Result<()> {
    db.execute_batch(
        "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, \
         extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL, \
         CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))",
    )
}

/// A cell of a node: a feature id (leaf) or child node number, and its single-precision box.
#[derive(Debug, Clone, Copy)]
struct Cell {
    id: i64,
    bbox: [f32; 4],
}

/// A node of the packed tree.
#[derive(Debug)]
struct Node {
    number: i64,
    parent: Option<i64>,
    leaf: bool,
    cells: Vec<Cell>,
}

/// A packed tree: its nodes (root first, numbered 1) and its depth (0 when the root is a leaf).
#[derive(Debug)]
struct Tree {
    nodes: Vec<Node>,
    depth: usize,
}

/// Packs `entries` into nodes of at most `capacity` cells: leaves in Hilbert order of the box
/// centres, each level cut into as few nodes as possible with sizes differing by at most one.
fn pack(entries: &[Entry], capacity: usize) -> Tree {
    let mut cells: Vec<Cell> = entries
        .iter()
        .map(|e| Cell {
            id: e.id,
            bbox: outward(e.bbox),
        })
        .collect();
    hilbert_sort(&mut cells);
    // Levels bottom-up; a level's cells are grouped into nodes by `cuts`.
    let mut levels: Vec<(Vec<Cell>, Vec<usize>)> = Vec::new();
    loop {
        let cuts = even_cuts(cells.len(), capacity);
        let groups = cuts.len() - 1;
        let parents: Vec<Cell> = cuts
            .windows(2)
            .map(|w| Cell {
                id: 0,
                bbox: union(&cells[w[0]..w[1]]),
            })
            .collect();
        levels.push((cells, cuts));
        if groups == 1 {
            break;
        }
        cells = parents;
    }
    // Number the nodes top-down: the root is 1, then each level in order.
    let mut first = vec![0i64; levels.len()];
    let mut next = 1i64;
    for (l, (_, cuts)) in levels.iter().enumerate().rev() {
        first[l] = next;
        next += (cuts.len() - 1) as i64;
    }
    let mut nodes = Vec::with_capacity((next - 1) as usize);
    for l in (0..levels.len()).rev() {
        let (cells, cuts) = &levels[l];
        for (g, w) in cuts.windows(2).enumerate() {
            let mut node_cells = cells[w[0]..w[1]].to_vec();
            if l > 0 {
                // Cells above the leaves point at the nodes of the level below, in order.
                for (k, c) in node_cells.iter_mut().enumerate() {
                    c.id = first[l - 1] + (w[0] + k) as i64;
                }
            }
            let parent = (l + 1 < levels.len()).then(|| {
                let above = &levels[l + 1].1;
                let p = above.partition_point(|&cut| cut <= g) - 1;
                first[l + 1] + p as i64
            });
            nodes.push(Node {
                number: first[l] + g as i64,
                parent,
                leaf: l == 0,
                cells: node_cells,
            });
        }
    }
    nodes.sort_by_key(|n| n.number);
    Tree {
        nodes,
        depth: levels.len() - 1,
    }
}

/// Group boundaries cutting `n` items into `ceil(n / capacity)` groups whose sizes differ by at
/// most one: `[0, c1, ..., n]`.
fn even_cuts(n: usize, capacity: usize) -> Vec<usize> {
    let groups = n.div_ceil(capacity).max(1);
    (0..=groups).map(|g| g * n / groups).collect()
}

/// Sorts cells along a Hilbert curve through their box centres.
fn hilbert_sort(cells: &mut Vec<Cell>) {
    let centres: Vec<[f64; 2]> = cells
        .iter()
        .map(|c| {
            [
                (f64::from(c.bbox[0]) + f64::from(c.bbox[1])) / 2.0,
                (f64::from(c.bbox[2]) + f64::from(c.bbox[3])) / 2.0,
            ]
        })
        .collect();
    *cells = hilbert_order(&centres)
        .into_iter()
        .map(|i| cells[i as usize])
        .collect();
}

/// The box covering every cell's box.
fn union(cells: &[Cell]) -> [f32; 4] {
    let mut b = [
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::INFINITY,
        f32::NEG_INFINITY,
    ];
    for c in cells {
        b[0] = b[0].min(c.bbox[0]);
        b[1] = b[1].max(c.bbox[1]);
        b[2] = b[2].min(c.bbox[2]);
        b[3] = b[3].max(c.bbox[3]);
    }
    b
}

/// `[minx, maxx, miny, maxy]` in single precision, minima rounded down and maxima up.
fn outward(b: [f64; 4]) -> [f32; 4] {
    let down = |v: f64| {
        let f = v as f32;
        if f64::from(f) > v {
            f.next_down()
        } else {
            f
        }
    };
    let up = |v: f64| {
        let f = v as f32;
        if f64::from(f) < v {
            f.next_up()
        } else {
            f
        }
    };
    [down(b[0]), up(b[1]), down(b[2]), up(b[3])]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random_entries(n: usize, seed: u64) -> Vec<Entry> {
        let mut s = seed;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..n)
            .map(|i| {
                let (x, y) = (113.0 + next(), 23.0 + next());
                let (w, h) = if i % 3 == 0 {
                    (0.0, 0.0)
                } else {
                    (next() * 0.01, next() * 0.01)
                };
                Entry {
                    id: i as i64 + 1,
                    bbox: [x, x + w, y, y + h],
                }
            })
            .collect()
    }

    #[test]
    fn outward_rounding_contains_the_box() {
        for e in random_entries(2000, 7) {
            let f = outward(e.bbox);
            assert!(f64::from(f[0]) <= e.bbox[0] && f64::from(f[1]) >= e.bbox[1]);
            assert!(f64::from(f[2]) <= e.bbox[2] && f64::from(f[3]) >= e.bbox[3]);
        }
    }

    #[test]
    fn cuts_are_even_and_within_capacity() {
        for n in 1..300 {
            for cap in [2, 3, 7, 51] {
                let cuts = even_cuts(n, cap);
                assert_eq!((cuts[0], *cuts.last().unwrap()), (0, n));
                let sizes: Vec<usize> = cuts.windows(2).map(|w| w[1] - w[0]).collect();
                assert_eq!(sizes.len(), n.div_ceil(cap));
                assert!(sizes.iter().all(|&s| s >= 1 && s <= cap));
                let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
                assert!(hi - lo <= 1);
            }
        }
    }

    /// SQLite's integrity check of `rtree_pts_geom` and its number of entries.
    fn check_and_count(db: &Connection) -> (String, i64) {
        let check = db
            .query_row("SELECT rtreecheck('rtree_pts_geom')", [], |r| r.get(0))
            .unwrap();
        let count = db
            .query_row("SELECT count(*) FROM rtree_pts_geom", [], |r| r.get(0))
            .unwrap();
        (check, count)
    }

    /// Every feature's box, looked up through the index by the R*Tree module, matches exactly
    /// the features a brute-force scan finds; SQLite's own integrity check passes.
    #[test]
    fn packed_index_passes_sqlite_checks_and_answers_like_a_scan() {
        for (n, seed) in [(1, 1), (51, 2), (52, 3), (3000, 4), (20_000, 5)] {
            let db = Connection::open_in_memory().unwrap();
            let entries = random_entries(n, seed);
            create_index(&db, "pts", "geom", &entries).unwrap();
            assert_eq!(
                check_and_count(&db),
                ("ok".to_string(), n as i64),
                "n = {n}"
            );
            let mut q = db
                .prepare(
                    "SELECT id FROM rtree_pts_geom WHERE maxx >= ?1 AND minx <= ?2 \
                     AND maxy >= ?3 AND miny <= ?4 ORDER BY id",
                )
                .unwrap();
            for w in random_entries(40, seed + 100) {
                let b = [w.bbox[0], w.bbox[0] + 0.05, w.bbox[2], w.bbox[2] + 0.05];
                let got: Vec<i64> = q
                    .query_map(params![b[0], b[1], b[2], b[3]], |r| r.get(0))
                    .unwrap()
                    .map(Result::unwrap)
                    .collect();
                // The index holds boxes rounded outward, so it may return features within a
                // single-precision step of the window; exactly those, and every true hit.
                let hit = |e: &Entry, eps: f64| {
                    e.bbox[1] >= b[0] - eps
                        && e.bbox[0] <= b[1] + eps
                        && e.bbox[3] >= b[2] - eps
                        && e.bbox[2] <= b[3] + eps
                };
                let sure: Vec<i64> = entries
                    .iter()
                    .filter(|e| hit(e, 0.0))
                    .map(|e| e.id)
                    .collect();
                let maybe: Vec<i64> = entries
                    .iter()
                    .filter(|e| hit(e, 1e-4))
                    .map(|e| e.id)
                    .collect();
                assert!(sure.iter().all(|id| got.binary_search(id).is_ok()));
                assert!(got.iter().all(|id| maybe.binary_search(id).is_ok()));
            }
            // The module keeps working on the packed tree: deletions and insertions.
            db.execute("DELETE FROM rtree_pts_geom WHERE id % 2 = 0", [])
                .unwrap();
            db.execute(
                "INSERT INTO rtree_pts_geom VALUES (?1, 1.0, 2.0, 3.0, 4.0)",
                [n as i64 + 10],
            )
            .unwrap();
            assert_eq!(
                check_and_count(&db),
                ("ok".to_string(), (n - n / 2) as i64 + 1),
                "n = {n} after edits"
            );
        }
    }
}
