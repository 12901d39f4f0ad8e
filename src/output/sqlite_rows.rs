//! Inserting rows through SQLite's C interface: one prepared statement, its parameters bound
//! without copies.
//!
//! A city's demand layer is tens of millions of values. Bound one by one through the generic
//! parameter path of `rusqlite` they cost about 25 ns each; bound here, a few. Text and blobs
//! are bound in place (`SQLITE_STATIC`): [`RowInsert::run`] binds a whole row, steps the
//! statement and clears the bindings before it returns, so SQLite never holds on to the caller's
//! memory.

use rusqlite::{ffi, Connection};
use std::ffi::{c_int, CString};
use std::marker::PhantomData;

/// A value bound to one parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Param<'v> {
    /// SQL NULL.
    Null,
    /// An integer.
    Int(i64),
    /// A double.
    Real(f64),
    /// UTF-8 text.
    Text(&'v str),
    /// A blob.
    Blob(&'v [u8]),
}

/// Why a row was not inserted: the parameter (1-based) whose value SQLite refused, or `None`
/// when the statement itself failed; and SQLite's error.
#[derive(Debug)]
pub(super) struct RowError {
    /// The 1-based parameter, `None` for a failure of the statement.
    pub parameter: Option<usize>,
    /// SQLite's code and message.
    pub error: rusqlite::Error,
}

/// A prepared statement that inserts one row per [`RowInsert::run`].
pub(super) struct RowInsert<'c> {
    db: *mut ffi::sqlite3,
    stmt: *mut ffi::sqlite3_stmt,
    _connection: PhantomData<&'c Connection>,
}

impl<'c> RowInsert<'c> {
    /// Prepares `sql` (one statement) on `connection`.
    pub fn prepare(connection: &'c Connection, sql: &str) -> rusqlite::Result<Self> {
        let text = CString::new(sql).map_err(|_| rusqlite::Error::InvalidQuery)?;
        // SAFETY: the handle is the connection's, which outlives this statement (the lifetime
        // 'c); the statement is used only on this thread while the connection is borrowed.
        let db = unsafe { connection.handle() };
        let mut stmt = std::ptr::null_mut();
        // SAFETY: `text` is a NUL-terminated string that lives through the call; `stmt` is a
        // valid place for the result.
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(db, text.as_ptr(), -1, &mut stmt, std::ptr::null_mut())
        };
        if rc != ffi::SQLITE_OK {
            return Err(error(db, rc));
        }
        if stmt.is_null() {
            return Err(rusqlite::Error::InvalidQuery);
        }
        Ok(RowInsert {
            db,
            stmt,
            _connection: PhantomData,
        })
    }

    /// Binds `params` to parameters 1, 2, … (every parameter of the statement must get one),
    /// executes the statement and resets it, its parameters cleared.
    pub fn run<'v>(&mut self, params: impl IntoIterator<Item = Param<'v>>) -> Result<(), RowError> {
        let mut k: c_int = 0;
        let mut result = Ok(());
        for p in params {
            k += 1;
            // SAFETY: `stmt` is a live prepared statement. Text and blobs are bound in place
            // (SQLITE_STATIC, a null destructor): the memory is borrowed for this call, and the
            // bindings are cleared below before it returns. Lengths that do not fit a C int are
            // refused before binding.
            let rc = unsafe {
                match p {
                    Param::Null => ffi::sqlite3_bind_null(self.stmt, k),
                    Param::Int(x) => ffi::sqlite3_bind_int64(self.stmt, k, x),
                    Param::Real(x) => ffi::sqlite3_bind_double(self.stmt, k, x),
                    Param::Text(s) => match c_int::try_from(s.len()) {
                        Ok(n) => ffi::sqlite3_bind_text(
                            self.stmt,
                            k,
                            s.as_ptr().cast(),
                            n,
                            ffi::SQLITE_STATIC(),
                        ),
                        Err(_) => ffi::SQLITE_TOOBIG,
                    },
                    Param::Blob(b) => match c_int::try_from(b.len()) {
                        Ok(n) => ffi::sqlite3_bind_blob(
                            self.stmt,
                            k,
                            b.as_ptr().cast(),
                            n,
                            ffi::SQLITE_STATIC(),
                        ),
                        Err(_) => ffi::SQLITE_TOOBIG,
                    },
                }
            };
            if rc != ffi::SQLITE_OK {
                result = Err(RowError {
                    parameter: Some(k as usize),
                    error: error(self.db, rc),
                });
                break;
            }
        }
        if result.is_ok() {
            // SAFETY: a live statement whose every parameter is bound to memory that outlives
            // this call.
            let rc = unsafe { ffi::sqlite3_step(self.stmt) };
            if rc != ffi::SQLITE_DONE {
                result = Err(RowError {
                    parameter: None,
                    error: error(self.db, rc),
                });
            }
        }
        // SAFETY: a live statement; after these calls it holds no pointer to the caller's memory.
        unsafe {
            ffi::sqlite3_reset(self.stmt);
            ffi::sqlite3_clear_bindings(self.stmt);
        }
        result
    }
}

impl Drop for RowInsert<'_> {
    fn drop(&mut self) {
        // SAFETY: the statement was prepared by `prepare` and is finalized once, here.
        unsafe {
            ffi::sqlite3_finalize(self.stmt);
        }
    }
}

/// SQLite's error for `rc`, with the connection's message.
fn error(db: *mut ffi::sqlite3, rc: c_int) -> rusqlite::Error {
    // SAFETY: `db` is a live connection; the message is copied before any other call on it.
    let message = unsafe {
        let m = ffi::sqlite3_errmsg(db);
        (!m.is_null()).then(|| std::ffi::CStr::from_ptr(m).to_string_lossy().into_owned())
    };
    rusqlite::Error::SqliteFailure(ffi::Error::new(rc), message)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row of the test table.
    type Row = (i64, f64, String, Vec<u8>, Option<String>);

    #[test]
    fn rows_read_back_as_bound() {
        let db = Connection::open_in_memory().unwrap();
        db.execute_batch("CREATE TABLE t (a INTEGER, b REAL, c TEXT, d BLOB, e TEXT)")
            .unwrap();
        let mut ins = RowInsert::prepare(&db, "INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)").unwrap();
        let mut text = String::new();
        for i in 0..3i64 {
            // The same buffer, rewritten for every row: each row keeps its own text.
            text.clear();
            text.push_str(&format!("街道{i}"));
            let blob = vec![i as u8; i as usize];
            ins.run([
                Param::Int(i),
                Param::Real(i as f64 / 3.0),
                Param::Text(&text),
                Param::Blob(&blob),
                Param::Null,
            ])
            .unwrap();
        }
        drop(ins);
        let rows: Vec<Row> = db
            .prepare("SELECT a, b, c, d, e FROM t ORDER BY rowid")
            .unwrap()
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let want: Vec<Row> = (0..3i64)
            .map(|i| {
                (
                    i,
                    i as f64 / 3.0,
                    format!("街道{i}"),
                    vec![i as u8; i as usize],
                    None,
                )
            })
            .collect();
        assert_eq!(rows, want);
    }

    #[test]
    fn a_failed_row_names_the_statement_and_leaves_nothing_bound() {
        let db = Connection::open_in_memory().unwrap();
        db.execute_batch("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT NOT NULL)")
            .unwrap();
        let mut ins = RowInsert::prepare(&db, "INSERT INTO t VALUES (?1, ?2)").unwrap();
        ins.run([Param::Int(1), Param::Text("x")]).unwrap();
        // The same key again: the statement fails, with SQLite's message.
        let e = ins.run([Param::Int(1), Param::Text("y")]).unwrap_err();
        assert_eq!(e.parameter, None);
        assert!(e.error.to_string().contains("UNIQUE"), "{}", e.error);
        // A parameter the statement does not have.
        let e = ins
            .run([Param::Int(2), Param::Text("z"), Param::Int(3)])
            .unwrap_err();
        assert_eq!(e.parameter, Some(3));
        // Nothing stays bound: a row that binds no parameter inserts NULLs, refused here.
        let e = ins.run([]).unwrap_err();
        assert!(e.error.to_string().contains("NOT NULL"), "{}", e.error);
        let n: i64 = db
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
        assert!(RowInsert::prepare(&db, "INSERT INTO nowhere VALUES (1)").is_err());
    }
}
