//! GeoPackage field values, read from SQLite, as the text the GDAL path gives them: GDAL's
//! `OGR_F_GetFieldAsString` decoded and trimmed. Only the field types whose GDAL text is certain
//! are handled; for any other type, or a value of an unexpected SQLite storage class, the caller
//! lets GDAL read the layer.

use super::encoding::{decode, TextEncoding};
use gdal_sys::{OGRFieldSubType, OGRFieldType};
use rusqlite::types::ValueRef;

/// How the GDAL path turns a field's SQLite value into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// OGR string: the UTF-8 text up to its first NUL, decoded and trimmed.
    Text,
    /// OGR 32-bit integer (`%d`).
    Integer,
    /// OGR 64-bit integer (`%lld`).
    Integer64,
    /// OGR double without a width: `%.15g`.
    Real,
}

impl FieldKind {
    /// The kind of a GDAL field of this type, subtype and width, or `None` when its text is not
    /// certain (dates, binary, lists, 32-bit floats, reals with a width).
    pub fn of(ty: OGRFieldType::Type, sub: OGRFieldSubType::Type, width: i32) -> Option<Self> {
        match ty {
            OGRFieldType::OFTString => Some(FieldKind::Text),
            OGRFieldType::OFTInteger => Some(FieldKind::Integer),
            OGRFieldType::OFTInteger64 => Some(FieldKind::Integer64),
            OGRFieldType::OFTReal if width == 0 && sub == OGRFieldSubType::OFSTNone => {
                Some(FieldKind::Real)
            }
            _ => None,
        }
    }

    /// The text of `value`, `None` for NULL, or `Err` naming what the GDAL result of is not
    /// certain.
    pub fn text(self, value: ValueRef<'_>) -> Result<Option<String>, String> {
        let text = match (self, value) {
            (_, ValueRef::Null) => return Ok(None),
            (FieldKind::Text, ValueRef::Text(t)) => {
                let t = t.split(|&b| b == 0).next().unwrap_or(&[]);
                let (s, _) = decode(t, TextEncoding::Auto).map_err(|e| e.to_string())?;
                s.trim().to_string()
            }
            (FieldKind::Text | FieldKind::Integer64, ValueRef::Integer(i)) => i.to_string(),
            (FieldKind::Integer, ValueRef::Integer(i)) => i32::try_from(i)
                .map_err(|_| format!("{i} in a 32-bit integer field"))?
                .to_string(),
            (FieldKind::Real, ValueRef::Real(x)) => format_g15(x),
            (FieldKind::Real, ValueRef::Integer(i)) => format_g15(i as f64),
            (kind, v) => return Err(format!("a {:?} value in a {kind:?} field", v.data_type())),
        };
        Ok(Some(text))
    }
}

/// `x` formatted as C's `printf("%.15g")` (what GDAL uses for reals without a width), in the C
/// locale's notation.
pub fn format_g15(x: f64) -> String {
    let mut buf = [0u8; 64];
    // SAFETY: the buffer is writable for its length, which is passed; the format is a
    // NUL-terminated literal taking one double.
    let n = unsafe {
        libc::snprintf(
            buf.as_mut_ptr().cast::<libc::c_char>(),
            buf.len(),
            c"%.15g".as_ptr(),
            x,
        )
    };
    let n = usize::try_from(n).unwrap_or(0).min(buf.len() - 1);
    // "%.15g" writes only ASCII digits, signs, '.', 'e', "inf" and "nan"; a locale's decimal
    // comma is put back to the point GDAL's locale-independent printf writes.
    String::from_utf8_lossy(&buf[..n]).replace(',', ".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reals_are_formatted_with_15_significant_digits() {
        assert_eq!(format_g15(0.1), "0.1");
        assert_eq!(format_g15(1.0 / 3.0), "0.333333333333333");
        assert_eq!(format_g15(1e20), "1e+20");
        assert_eq!(format_g15(123456789012345678.0), "1.23456789012346e+17");
        assert_eq!(format_g15(-0.0), "-0");
        assert_eq!(format_g15(0.0001), "0.0001");
        assert_eq!(format_g15(0.00001), "1e-05");
        assert_eq!(format_g15(42.0), "42");
        assert_eq!(format_g15(f64::INFINITY), "inf");
    }

    #[test]
    fn values_by_kind() {
        let k = FieldKind::Text;
        assert_eq!(k.text(ValueRef::Null).unwrap(), None);
        assert_eq!(
            k.text(ValueRef::Text(" 广州 ".as_bytes()))
                .unwrap()
                .as_deref(),
            Some("广州")
        );
        assert_eq!(
            k.text(ValueRef::Text(b"ab\0cd")).unwrap().as_deref(),
            Some("ab")
        );
        assert_eq!(
            k.text(ValueRef::Integer(-7)).unwrap().as_deref(),
            Some("-7")
        );
        assert!(k.text(ValueRef::Real(1.5)).is_err());
        assert!(FieldKind::Integer.text(ValueRef::Integer(1 << 40)).is_err());
        assert_eq!(
            FieldKind::Integer64
                .text(ValueRef::Integer(1 << 40))
                .unwrap()
                .as_deref(),
            Some("1099511627776")
        );
        assert_eq!(
            FieldKind::Real
                .text(ValueRef::Integer(3))
                .unwrap()
                .as_deref(),
            Some("3")
        );
        assert!(FieldKind::Real.text(ValueRef::Text(b"3")).is_err());
        assert_eq!(
            FieldKind::of(OGRFieldType::OFTReal, OGRFieldSubType::OFSTFloat32, 0),
            None
        );
        assert_eq!(
            FieldKind::of(OGRFieldType::OFTDateTime, OGRFieldSubType::OFSTNone, 0),
            None
        );
    }
}
