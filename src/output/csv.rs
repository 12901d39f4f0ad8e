//! CSV output: UTF-8 with a byte-order mark (Excel shows Chinese text correctly) or GBK (for
//! older Chinese systems), English or Chinese headers, numbers in their shortest exact form,
//! and optionally the coordinates of point layers.

use super::atomic::write_atomic;
use super::csv_record::CsvRecord;
use super::layer::{HeaderLanguage, Layer, Value};
use super::number::push_f64;
use super::ordered_write::write_in_order;
use super::srs::OutputCrs;
use crate::error::{Error, ErrorKind, Result};
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;
use std::str::FromStr;

/// The text encoding of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvEncoding {
    /// UTF-8 with a byte-order mark, so that Excel detects it (the default).
    #[default]
    Utf8Bom,
    /// GBK (the WHATWG definition, as `encoding_rs` implements it), no byte-order mark. Text
    /// with a character GBK cannot encode is an error naming the row and column, never
    /// replaced silently.
    Gbk,
}

impl FromStr for CsvEncoding {
    type Err = Error;

    /// `utf8` (also `utf-8`, `utf8bom`) or `gbk` (case-insensitive).
    fn from_str(s: &str) -> Result<CsvEncoding> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['-', '_'], "")
            .as_str()
        {
            "utf8" | "utf8bom" | "utf8sig" => Ok(CsvEncoding::Utf8Bom),
            "gbk" | "cp936" => Ok(CsvEncoding::Gbk),
            _ => Err(Error::new(
                ErrorKind::InvalidValue,
                format!("unknown CSV encoding {s:?}; use utf8 or gbk"),
            )),
        }
    }
}

/// How [`write_csv_with`] writes a table. The default is what [`write_csv`] writes: UTF-8 with
/// a byte-order mark, English headers, no coordinate columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CsvOptions {
    /// Text encoding.
    pub encoding: CsvEncoding,
    /// Column names or their Chinese labels as headers.
    pub headers: HeaderLanguage,
    /// For point layers: append two coordinate columns (`lon`,`lat`, or `x`,`y` for
    /// EPSG:4547; `经度`,`纬度` or `X坐标`,`Y坐标` with Chinese headers) in [`CsvOptions::crs`].
    /// Asking for them on a layer that is not made of points is an error.
    pub with_coordinates: bool,
    /// The system of the coordinate columns (unused without them).
    pub crs: OutputCrs,
}

/// Writes the layer's attribute table (without geometry) to a CSV file, UTF-8 with a
/// byte-order mark and English headers.
pub fn write_csv(path: &Path, layer: &Layer) -> Result<()> {
    write_csv_with(path, layer, &CsvOptions::default())
}

/// Writes the layer's attribute table to a CSV file as `options` say.
///
/// Errors name the row as counted in the written file (the header is row 1) and the column,
/// e.g. for a character that GBK cannot encode.
pub fn write_csv_with(path: &Path, layer: &Layer, options: &CsvOptions) -> Result<()> {
    let mut header: Vec<&str> = (0..layer.columns.len())
        .map(|i| layer.header(i, options.headers))
        .collect();
    let coords = if options.with_coordinates {
        let names = match options.headers {
            HeaderLanguage::English => options.crs.coordinate_names(),
            HeaderLanguage::Chinese => options.crs.coordinate_labels(),
        };
        for n in names {
            if let Some(i) = header.iter().position(|h| h.eq_ignore_ascii_case(n)) {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!("the layer already has a column {n:?}; cannot add coordinates"),
                )
                .file(path)
                .field(&layer.columns[i].0));
            }
        }
        header.extend(names);
        Some(point_coordinates(layer, options.crs).map_err(|e| e.file(path))?)
    } else {
        None
    };
    let rows = layer.len();
    write_atomic(path, |tmp| {
        let file = std::fs::File::create(tmp).map_err(|e| Error::io(tmp, e))?;
        // Chunks are larger than the buffer and go straight to the file.
        let mut out = std::io::BufWriter::with_capacity(64 << 10, file);
        // Named by the target file (see `write_atomic`), not the temporary one.
        let fail = |e: std::io::Error| Error::new(ErrorKind::Io, "cannot write CSV").caused_by(e);
        if options.encoding == CsvEncoding::Utf8Bom {
            out.write_all(b"\xEF\xBB\xBF").map_err(fail)?;
        }
        let mut rec = CsvRecord::default();
        for (j, h) in header.iter().enumerate() {
            field(&mut rec, h, options.encoding, (layer, &header), 1, j)?;
        }
        rec.write_to(&mut out).map_err(fail)?;
        // Chunks of rows are formatted in parallel and written in order as they come; the
        // first error in row order is the one reported.
        write_in_order(
            &mut out,
            rows.div_ceil(CHUNK_ROWS),
            |k, text| {
                let start = k * CHUNK_ROWS;
                let end = (start + CHUNK_ROWS).min(rows);
                format_rows(
                    text,
                    layer,
                    &header,
                    coords.as_deref(),
                    options.encoding,
                    start..end,
                )
            },
            fail,
        )?;
        out.into_inner()
            .map_err(|e| Error::io(tmp, e.into_error()))?
            .sync_all()
            .map_err(|e| Error::io(tmp, e))
    })
}

/// Rows per chunk formatted by one task.
const CHUNK_ROWS: usize = 4096;

/// Appends the CSV text of the rows `range` to `text`, with `coords` (the rows' points)
/// appended to each row when given.
fn format_rows(
    text: &mut Vec<u8>,
    layer: &Layer,
    header: &[&str],
    coords: Option<&[[f64; 2]]>,
    encoding: CsvEncoding,
    range: std::ops::Range<usize>,
) -> Result<()> {
    text.reserve(range.len() * 96);
    // Field by field: text is taken from the layer as is, numbers are formatted into one reused
    // buffer, so no row allocates.
    let mut rec = CsvRecord::default();
    let mut number = String::new();
    let mut rows = layer.cursor_at(range.start);
    for _ in range {
        let Some((i, row)) = rows.next_row() else {
            break;
        };
        for (j, v) in row.iter().enumerate() {
            match v {
                Value::Text(s) => field(&mut rec, s, encoding, (layer, header), i + 2, j)?,
                Value::Real(x) => {
                    number.clear();
                    push_f64(&mut number, *x);
                    rec.plain(&number);
                }
                Value::Int(x) => {
                    number.clear();
                    let _ = write!(number, "{x}");
                    rec.plain(&number);
                }
                Value::Null => rec.plain(""),
            }
        }
        if let Some(c) = coords {
            for x in c[i] {
                number.clear();
                push_f64(&mut number, x);
                rec.plain(&number);
            }
        }
        rec.write_to(text).expect("writing to memory");
    }
    Ok(())
}

/// Appends a text field in `encoding`; an error names the written file's `row` (the header is
/// row 1) and column `j`.
fn field(
    rec: &mut CsvRecord,
    text: &str,
    encoding: CsvEncoding,
    (layer, header): (&Layer, &[&str]),
    row: usize,
    j: usize,
) -> Result<()> {
    match encoding {
        CsvEncoding::Gbk if !text.is_ascii() => {
            let encoded = gbk(text).map_err(|e| {
                let column = layer.columns.get(j).map_or(header[j], |c| &c.0);
                e.at(format!("row {row}")).field(column)
            })?;
            rec.field(&encoded);
        }
        _ => rec.field(text.as_bytes()),
    }
    Ok(())
}

/// The point of every row, converted to `crs`.
fn point_coordinates(layer: &Layer, crs: OutputCrs) -> Result<Vec<[f64; 2]>> {
    let geoms = layer.geometry.as_ref().ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidValue,
            format!(
                "layer {:?} has no geometry, so it has no coordinates to write",
                layer.name
            ),
        )
    })?;
    let mut pts = geoms
        .iter()
        .enumerate()
        .map(|(i, g)| match g {
            geo_types::Geometry::Point(p) => Ok([p.x(), p.y()]),
            _ => Err(Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "coordinate columns need a point layer, but layer {:?} has other geometries",
                    layer.name
                ),
            )
            .at(format!("row {}", i + 2))),
        })
        .collect::<Result<Vec<_>>>()?;
    crs.transformer()?.apply(&mut pts)?;
    Ok(pts)
}

/// `text` in GBK, or an error naming the first character GBK cannot encode.
fn gbk(text: &str) -> Result<Vec<u8>> {
    let (bytes, _, had_errors) = encoding_rs::GBK.encode(text);
    if !had_errors {
        return Ok(bytes.into_owned());
    }
    let mut one = [0u8; 4];
    let bad = text
        .chars()
        .find(|c| encoding_rs::GBK.encode(c.encode_utf8(&mut one)).2)
        .unwrap_or(char::REPLACEMENT_CHARACTER);
    Err(Error::new(
        ErrorKind::InvalidValue,
        format!(
            "the character {bad:?} (U+{:04X}) in {text:?} has no GBK code; write the CSV as UTF-8 \
             or replace the character",
            bad as u32
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_error_names_the_character() {
        assert_eq!(
            gbk("颐康中心").unwrap(),
            encoding_rs::GBK.encode("颐康中心").0.into_owned()
        );
        let e = gbk("吉𠮷祥").unwrap_err();
        assert!(e.to_string().contains("U+20BB7"), "{e}");
    }

    #[test]
    fn encodings_parse() {
        assert_eq!("GBK".parse::<CsvEncoding>().unwrap(), CsvEncoding::Gbk);
        assert_eq!(
            "utf-8".parse::<CsvEncoding>().unwrap(),
            CsvEncoding::Utf8Bom
        );
        assert!("latin1".parse::<CsvEncoding>().is_err());
    }

    /// A layer of `n` made rows: an id, a number and a text that is not GBK at row `bad`.
    fn counting(n: usize, bad: usize) -> Layer {
        use super::super::layer::Kind;
        Layer::new(
            "t",
            &[("id", Kind::Int), ("x", Kind::Real), ("note", Kind::Text)],
        )
        .with_made_rows(n, move |i, row| {
            row[0] = Value::Int(i as i64);
            row[1] = Value::Real(i as f64 / 4.0);
            row[2].set_text(if i == bad {
                "吉𠮷祥"
            } else {
                "颐康, 中心"
            });
        })
    }

    #[test]
    fn rows_across_chunks_come_in_order() {
        // Three chunks and a part, written in parallel: the file equals the rows one by one.
        let n = 3 * CHUNK_ROWS + 17;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        write_csv(&path, &counting(n, usize::MAX)).unwrap();
        let mut want = String::from("\u{feff}id,x,note\n");
        for i in 0..n {
            want.push_str(&format!("{i},{},\"颐康, 中心\"\n", i as f64 / 4.0));
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), want);
    }

    #[test]
    fn gbk_error_names_the_row_in_a_later_chunk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let bad = 2 * CHUNK_ROWS + 5;
        let options = CsvOptions {
            encoding: CsvEncoding::Gbk,
            ..Default::default()
        };
        let e = write_csv_with(&path, &counting(3 * CHUNK_ROWS, bad), &options).unwrap_err();
        // The header is row 1, so layer row `bad` is file row `bad + 2`.
        assert!(e.to_string().contains(&format!("row {}", bad + 2)), "{e}");
        assert!(e.to_string().contains("note"), "{e}");
        assert!(!path.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
