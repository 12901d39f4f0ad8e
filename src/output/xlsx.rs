//! XLSX output: one worksheet per layer, for planners who work in Excel.
//!
//! Each sheet has a bold, frozen header row with an autofilter, numbers stored as numbers,
//! nulls as empty cells and column widths fitted to the content (CJK characters count double).
//! Geometries are not written. Files are byte-identical when the same layers are written again:
//! the document's creation time is fixed at 2000-01-01T00:00:00Z (the ZIP entries carry no time
//! either).

use super::atomic::write_atomic;
use super::layer::{HeaderLanguage, Layer, Value};
use crate::error::{Error, ErrorKind, Result};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};
use std::path::Path;

/// Excel's limit on worksheet names, in UTF-16 code units.
const SHEET_NAME_MAX: usize = 31;
/// Excel's row limit (header included).
const MAX_ROWS: usize = 1_048_576;
/// Excel's column limit.
const MAX_COLUMNS: usize = 16_384;
/// Integers beyond this lose digits as Excel numbers (15 significant digits); they are written
/// as text.
const EXACT_INTEGER_MAX: i64 = 999_999_999_999_999;
/// Column widths, in Excel character units.
const MIN_WIDTH: usize = 6;
const MAX_WIDTH: usize = 60;

/// Writes `layers` to an XLSX workbook, one worksheet per layer in the order given.
///
/// Sheet names are the layer names, or with [`HeaderLanguage::Chinese`] the layers' Chinese
/// labels (falling back to the names); they are made valid for Excel (`[]:*?/\` replaced by
/// `_`, at most 31 characters, no leading or trailing apostrophe, unique ignoring case).
/// Headers are the column names or their Chinese labels (see [`Layer::header`]).
pub fn write_xlsx(path: &Path, layers: &[&Layer], headers: HeaderLanguage) -> Result<()> {
    if layers.is_empty() {
        return Err(Error::new(ErrorKind::Empty, "no layers to write").file(path));
    }
    for l in layers {
        if l.len() >= MAX_ROWS || l.columns.len() > MAX_COLUMNS {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "layer {:?} has {} rows and {} columns; an Excel sheet holds at most {} rows \
                     and {MAX_COLUMNS} columns (write CSV or GeoPackage instead)",
                    l.name,
                    l.len(),
                    l.columns.len(),
                    MAX_ROWS - 1
                ),
            )
            .file(path));
        }
    }
    let mut wb = Workbook::new();
    let xerr = |e: XlsxError| Error::new(ErrorKind::Io, "cannot write XLSX").caused_by(e);
    let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(xerr)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let bold = Format::new().set_bold();
    let mut used: Vec<String> = Vec::new();
    for layer in layers {
        let name = sheet_name(layer.title(headers), &mut used);
        let ws = wb.add_worksheet();
        ws.set_name(name.as_str()).map_err(xerr)?;
        let mut widths: Vec<usize> = Vec::with_capacity(layer.columns.len());
        for j in 0..layer.columns.len() {
            let h = layer.header(j, headers);
            ws.write_string_with_format(0, col(j), h, &bold)
                .map_err(xerr)?;
            // Bold text and the autofilter button need a little more room.
            widths.push(display_width(h) + 3);
        }
        let mut rows = layer.cursor();
        while let Some((i, row)) = rows.next_row() {
            let r = (i + 1) as u32;
            for (j, v) in row.iter().enumerate() {
                let shown = match v {
                    Value::Null => continue,
                    Value::Text(s) if s.is_empty() => continue,
                    Value::Text(s) => {
                        ws.write_string(r, col(j), s.as_str()).map_err(xerr)?;
                        display_width(s)
                    }
                    Value::Real(x) if x.is_finite() => {
                        ws.write_number(r, col(j), *x).map_err(xerr)?;
                        // Excel's General format shows at most about 11 characters.
                        format!("{x}").len().min(11)
                    }
                    Value::Real(x) => {
                        let s = format!("{x}");
                        ws.write_string(r, col(j), s.as_str()).map_err(xerr)?;
                        s.len()
                    }
                    Value::Int(n) if n.unsigned_abs() <= EXACT_INTEGER_MAX as u64 => {
                        ws.write_number(r, col(j), *n as f64).map_err(xerr)?;
                        n.to_string().len().min(11)
                    }
                    Value::Int(n) => {
                        let s = n.to_string();
                        ws.write_string(r, col(j), s.as_str()).map_err(xerr)?;
                        s.len()
                    }
                };
                widths[j] = widths[j].max(shown + 1);
            }
        }
        for (j, w) in widths.iter().enumerate() {
            ws.set_column_width(col(j), (*w).clamp(MIN_WIDTH, MAX_WIDTH) as f64)
                .map_err(xerr)?;
        }
        if !layer.columns.is_empty() {
            ws.set_freeze_panes(1, 0).map_err(xerr)?;
            ws.autofilter(0, 0, layer.len() as u32, col(layer.columns.len() - 1))
                .map_err(xerr)?;
        }
    }
    write_atomic(path, |tmp| wb.save(tmp).map_err(xerr))
}

fn col(j: usize) -> u16 {
    // Callers check the column count against MAX_COLUMNS first.
    j as u16
}

/// A valid, unused worksheet name for `wanted`; records it in `used`.
fn sheet_name(wanted: &str, used: &mut Vec<String>) -> String {
    let mut base: String = wanted
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    base = base.trim_matches('\'').to_string();
    if base.trim().is_empty() {
        base = format!("Sheet{}", used.len() + 1);
    }
    if base.eq_ignore_ascii_case("history") {
        base.push('_');
    }
    let taken =
        |n: &str, used: &[String]| used.iter().any(|u| u.to_lowercase() == n.to_lowercase());
    let mut name = truncate_utf16(&base, SHEET_NAME_MAX);
    let mut k = 2;
    while taken(&name, used) {
        let suffix = format!("_{k}");
        name = truncate_utf16(&base, SHEET_NAME_MAX - suffix.len())
            .trim_end_matches('\'')
            .to_string()
            + &suffix;
        k += 1;
    }
    used.push(name.clone());
    name
}

/// The longest prefix of `s` of at most `max` UTF-16 code units, without a trailing apostrophe.
fn truncate_utf16(s: &str, max: usize) -> String {
    let mut n = 0;
    let mut out = String::new();
    for c in s.chars() {
        n += c.len_utf16();
        if n > max {
            break;
        }
        out.push(c);
    }
    out.trim_end_matches('\'').to_string()
}

/// Width of `s` in Excel character units: East Asian wide and full-width characters count 2.
fn display_width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F          // Hangul Jamo
        | 0x2E80..=0x303E        // CJK radicals, punctuation
        | 0x3041..=0x33FF        // kana, CJK compatibility
        | 0x3400..=0x4DBF        // CJK extension A
        | 0x4E00..=0x9FFF        // CJK unified ideographs
        | 0xA000..=0xA4CF        // Yi
        | 0xAC00..=0xD7A3        // Hangul syllables
        | 0xF900..=0xFAFF        // CJK compatibility ideographs
        | 0xFE30..=0xFE4F        // CJK compatibility forms
        | 0xFF00..=0xFF60        // full-width forms
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F      // pictographs, emoticons
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD) // CJK extensions B–G
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut used = Vec::new();
        assert_eq!(sheet_name("a/b:c", &mut used), "a_b_c");
        assert_eq!(sheet_name("A/B:C", &mut used), "A_B_C_2");
        assert_eq!(sheet_name("'quoted'", &mut used), "quoted");
        assert_eq!(sheet_name("", &mut used), "Sheet4");
        assert_eq!(sheet_name("History", &mut used), "History_");
        let long = "十五分钟生活圈服务设施覆盖评估结果汇总表".repeat(2);
        let n = sheet_name(&long, &mut used);
        assert_eq!(n.encode_utf16().count(), 31);
        let n2 = sheet_name(&long, &mut used);
        assert!(
            n2.ends_with("_2") && n2.encode_utf16().count() <= 31,
            "{n2}"
        );
        let emoji = "😀".repeat(20);
        assert!(sheet_name(&emoji, &mut used).encode_utf16().count() <= 31);
    }

    #[test]
    fn chinese_counts_double() {
        assert_eq!(display_width("常住人口"), 8);
        assert_eq!(display_width("pop 人口"), 8);
    }
}
