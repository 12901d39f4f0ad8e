//! One CSV record at a time as bytes, quoted exactly as the `csv` crate's writer quotes with its
//! defaults: a field is put in double quotes, with its quotes doubled, when it holds a comma, a
//! double quote, a carriage return or a line feed; a record with no bytes at all (one empty
//! field) is written `""`; records end with a line feed.
//!
//! Numbers go in without the scan for special bytes, which is most of what a city's demand table
//! is: tens of millions of fields.

/// A record being built; [`CsvRecord::write_to`] ends it and writes it out.
#[derive(Debug, Default)]
pub(super) struct CsvRecord {
    buf: Vec<u8>,
    fields: usize,
}

impl CsvRecord {
    fn separate(&mut self) {
        if self.fields > 0 {
            self.buf.push(b',');
        }
        self.fields += 1;
    }

    /// Appends a field, quoted when it needs to be.
    pub fn field(&mut self, bytes: &[u8]) {
        self.separate();
        if bytes
            .iter()
            .any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
        {
            self.buf.push(b'"');
            for &b in bytes {
                if b == b'"' {
                    self.buf.push(b'"');
                }
                self.buf.push(b);
            }
            self.buf.push(b'"');
        } else {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// Appends a field known to need no quotes (a number as [`super::number::push_f64`] or
    /// `Display` writes it: digits, sign, point, `inf`, `NaN`).
    pub fn plain(&mut self, text: &str) {
        debug_assert!(!text
            .bytes()
            .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n')));
        self.separate();
        self.buf.extend_from_slice(text.as_bytes());
    }

    /// Ends the record: writes its bytes and the line feed to `out`, and starts the next record.
    pub fn write_to(&mut self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        if self.buf.is_empty() {
            self.buf.extend_from_slice(b"\"\"");
        }
        self.buf.push(b'\n');
        let written = out.write_all(&self.buf);
        self.buf.clear();
        self.fields = 0;
        written
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn field_text() -> impl Strategy<Value = String> {
        // Mostly the special bytes, spaces and Chinese text, so that every rule is met often.
        proptest::collection::vec(
            prop_oneof![
                Just(","),
                Just("\""),
                Just("\r"),
                Just("\n"),
                Just(" "),
                Just("a"),
                Just("街道"),
                Just("#"),
                Just("'"),
            ],
            0..6,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        /// The bytes equal what the `csv` crate's default writer writes for the same records
        /// (all of one width, as the crate requires), including one-field records and empty
        /// fields.
        #[test]
        fn equals_the_csv_crate(width in 1usize..4, cells in proptest::collection::vec(field_text(), 0..24)) {
            let rows: Vec<&[String]> = cells.chunks(width).filter(|r| r.len() == width).collect();
            let mut want = csv::Writer::from_writer(Vec::new());
            for r in &rows {
                want.write_record(r.iter()).unwrap();
            }
            let want = want.into_inner().unwrap();
            let mut got = Vec::new();
            let mut rec = CsvRecord::default();
            for r in &rows {
                for f in r.iter() {
                    rec.field(f.as_bytes());
                }
                rec.write_to(&mut got).unwrap();
            }
            prop_assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want));
        }
    }

    #[test]
    fn numbers_go_in_as_they_are() {
        let mut rec = CsvRecord::default();
        let mut out = Vec::new();
        rec.plain("-0.5");
        rec.field(b"a,b");
        rec.plain("12");
        rec.write_to(&mut out).unwrap();
        assert_eq!(out, b"-0.5,\"a,b\",12\n");
        out.clear();
        rec.field(b"");
        rec.write_to(&mut out).unwrap();
        assert_eq!(out, b"\"\"\n");
    }
}
