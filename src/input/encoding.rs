//! Text encodings of input tables: UTF-8 (with or without BOM) and GBK/GB18030, the encoding of
//! most files exported by Chinese office software.

use crate::error::{Error, ErrorKind, Result};
use std::borrow::Cow;
use std::str::FromStr;

/// A text encoding of an input table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextEncoding {
    /// UTF-8 when the bytes are valid UTF-8, else GB18030 (a superset of GBK and GB2312).
    #[default]
    Auto,
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// GBK / GB18030 / GB2312 (decoded as GB18030, which contains the others).
    Gb18030,
}

impl FromStr for TextEncoding {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['-', '_'], "")
            .as_str()
        {
            "auto" => Ok(TextEncoding::Auto),
            "utf8" | "utf8bom" => Ok(TextEncoding::Utf8),
            "gbk" | "gb18030" | "gb2312" | "cp936" => Ok(TextEncoding::Gb18030),
            _ => Err(Error::new(
                ErrorKind::InvalidValue,
                format!("unknown encoding {s:?}; use auto, utf-8, gbk or gb18030"),
            )),
        }
    }
}

/// Decodes `bytes` to text, dropping a UTF-8 byte-order mark. Returns the text and the encoding
/// actually used.
pub fn decode(bytes: &[u8], enc: TextEncoding) -> Result<(Cow<'_, str>, TextEncoding)> {
    fn utf8(b: &[u8]) -> Option<Cow<'_, str>> {
        let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
        std::str::from_utf8(b).ok().map(Cow::Borrowed)
    }
    fn gb(b: &[u8]) -> Option<Cow<'_, str>> {
        let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(b);
        (!had_errors).then_some(text)
    }
    match enc {
        TextEncoding::Utf8 => utf8(bytes).map(|t| (t, TextEncoding::Utf8)).ok_or_else(|| {
            Error::new(
                ErrorKind::Format,
                "the file is not valid UTF-8 (try --encoding gbk)",
            )
        }),
        TextEncoding::Gb18030 => gb(bytes)
            .map(|t| (t, TextEncoding::Gb18030))
            .ok_or_else(|| Error::new(ErrorKind::Format, "the file is not valid GBK/GB18030")),
        TextEncoding::Auto => utf8(bytes)
            .map(|t| (t, TextEncoding::Utf8))
            .or_else(|| gb(bytes).map(|t| (t, TextEncoding::Gb18030)))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Format,
                    "the file's text is neither UTF-8 nor GBK/GB18030",
                )
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_utf8_and_gbk() {
        let text = "名称,经度\n颐康中心,113.3\n";
        let (t, e) = decode(text.as_bytes(), TextEncoding::Auto).unwrap();
        assert_eq!((t.as_ref(), e), (text, TextEncoding::Utf8));
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let (t, e) = decode(&gbk, TextEncoding::Auto).unwrap();
        assert_eq!((t.as_ref(), e), (text, TextEncoding::Gb18030));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&bom, TextEncoding::Auto).unwrap().0, text);
    }
}
