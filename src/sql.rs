//! SQL text shared by the GeoPackage reader and writer.

/// `name` quoted as an SQLite identifier (a table or column name), double quotes doubled.
///
/// ```
/// assert_eq!(lifecircle::sql::quote_identifier(r#"a "b""#), r#""a ""b""""#);
/// ```
pub fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
