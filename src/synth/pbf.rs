//! A minimal OpenStreetMap PBF writer for the street network: the protocol buffers are encoded
//! by hand, blobs are stored uncompressed (`raw`, allowed by the format and read by every PBF
//! reader), nodes in `DenseNodes` blocks of 8,000, ways in blocks of 8,000, ids ascending.

use std::collections::HashMap;
use std::io::Write;

const BLOCK: usize = 8_000;

fn varint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn key(buf: &mut Vec<u8>, field: u32, wire: u8) {
    varint(buf, (u64::from(field) << 3) | u64::from(wire));
}

fn bytes_field(buf: &mut Vec<u8>, field: u32, data: &[u8]) {
    key(buf, field, 2);
    varint(buf, data.len() as u64);
    buf.extend_from_slice(data);
}

fn varint_field(buf: &mut Vec<u8>, field: u32, v: u64) {
    key(buf, field, 0);
    varint(buf, v);
}

/// Packed delta-coded signed values.
fn packed_delta(
    buf: &mut Vec<u8>,
    field: u32,
    values: impl Iterator<Item = i64>,
    tmp: &mut Vec<u8>,
) {
    tmp.clear();
    let mut last = 0i64;
    for v in values {
        varint(tmp, zigzag(v - last));
        last = v;
    }
    bytes_field(buf, field, tmp);
}

fn packed_u32(buf: &mut Vec<u8>, field: u32, values: &[u32], tmp: &mut Vec<u8>) {
    tmp.clear();
    for &v in values {
        varint(tmp, u64::from(v));
    }
    bytes_field(buf, field, tmp);
}

/// A way to write: id, node ids (1-based positions in the node list) and tags.
pub struct PbfWay<'a> {
    /// Way id.
    pub id: i64,
    /// Node ids.
    pub refs: &'a [i64],
    /// Tags.
    pub tags: &'a [(&'a str, &'a str)],
}

/// Writes a file of nodes (ids `1..=nodes.len()`, WGS84 degrees) and ways.
pub struct PbfWriter<W: Write> {
    out: W,
    blob: Vec<u8>,
    tmp: Vec<u8>,
    tmp2: Vec<u8>,
}

impl<W: Write> PbfWriter<W> {
    /// Starts a file with its header block; `bbox` is `[min_lon, min_lat, max_lon, max_lat]`.
    pub fn new(out: W, bbox: [f64; 4]) -> std::io::Result<Self> {
        let mut w = PbfWriter {
            out,
            blob: Vec::new(),
            tmp: Vec::new(),
            tmp2: Vec::new(),
        };
        let mut hb = Vec::new();
        let mut bb = Vec::new();
        let nano = |d: f64| zigzag((d * 1e9).round() as i64);
        varint_field(&mut bb, 1, nano(bbox[0]));
        varint_field(&mut bb, 2, nano(bbox[2]));
        varint_field(&mut bb, 3, nano(bbox[3]));
        varint_field(&mut bb, 4, nano(bbox[1]));
        bytes_field(&mut hb, 1, &bb);
        bytes_field(&mut hb, 4, b"OsmSchema-V0.6");
        bytes_field(&mut hb, 4, b"DenseNodes");
        bytes_field(&mut hb, 16, b"lifecircle synth");
        w.write_blob("OSMHeader", &hb)?;
        Ok(w)
    }

    fn write_blob(&mut self, kind: &str, data: &[u8]) -> std::io::Result<()> {
        self.blob.clear();
        bytes_field(&mut self.blob, 1, data);
        varint_field(&mut self.blob, 2, data.len() as u64);
        let mut header = Vec::new();
        bytes_field(&mut header, 1, kind.as_bytes());
        varint_field(&mut header, 3, self.blob.len() as u64);
        self.out.write_all(&(header.len() as u32).to_be_bytes())?;
        self.out.write_all(&header)?;
        self.out.write_all(&self.blob)
    }

    /// Writes all nodes, ids `1..=nodes.len()` in order, coordinates to 1e-7 degrees.
    pub fn nodes(&mut self, nodes: &[[f64; 2]]) -> std::io::Result<()> {
        for (b, chunk) in nodes.chunks(BLOCK).enumerate() {
            let first = (b * BLOCK) as i64 + 1;
            let mut dense = Vec::new();
            let mut tmp = std::mem::take(&mut self.tmp);
            packed_delta(
                &mut dense,
                1,
                (0..chunk.len() as i64).map(|k| first + k),
                &mut tmp,
            );
            packed_delta(
                &mut dense,
                8,
                chunk.iter().map(|p| (p[1] * 1e7).round() as i64),
                &mut tmp,
            );
            packed_delta(
                &mut dense,
                9,
                chunk.iter().map(|p| (p[0] * 1e7).round() as i64),
                &mut tmp,
            );
            self.tmp = tmp;
            let mut group = Vec::new();
            bytes_field(&mut group, 2, &dense);
            let mut block = Vec::new();
            bytes_field(&mut block, 1, &[0x0a, 0x00]); // string table with the empty string
            bytes_field(&mut block, 2, &group);
            self.write_blob("OSMData", &block)?;
        }
        Ok(())
    }

    /// Writes one block of ways (at most 8,000; call again for more).
    pub fn ways<'a>(&mut self, ways: &[PbfWay<'a>]) -> std::io::Result<()> {
        fn intern<'a>(
            s: &'a str,
            strings: &mut Vec<&'a str>,
            index: &mut HashMap<&'a str, u32>,
        ) -> u32 {
            *index.entry(s).or_insert_with(|| {
                strings.push(s);
                strings.len() as u32 - 1
            })
        }
        let mut strings: Vec<&'a str> = vec![""];
        let mut index: HashMap<&'a str, u32> = HashMap::new();
        index.insert("", 0);
        let mut group = Vec::new();
        let mut way = Vec::new();
        let (mut keys, mut vals) = (Vec::new(), Vec::new());
        let mut tmp = std::mem::take(&mut self.tmp);
        let mut tmp2 = std::mem::take(&mut self.tmp2);
        for w in ways {
            keys.clear();
            vals.clear();
            for (k, v) in w.tags {
                keys.push(intern(k, &mut strings, &mut index));
                vals.push(intern(v, &mut strings, &mut index));
            }
            way.clear();
            varint_field(&mut way, 1, w.id as u64);
            packed_u32(&mut way, 2, &keys, &mut tmp);
            packed_u32(&mut way, 3, &vals, &mut tmp);
            packed_delta(&mut way, 8, w.refs.iter().copied(), &mut tmp);
            bytes_field(&mut group, 3, &way);
        }
        let mut table = Vec::new();
        for s in &strings {
            bytes_field(&mut table, 1, s.as_bytes());
        }
        tmp2.clear();
        bytes_field(&mut tmp2, 1, &table);
        bytes_field(&mut tmp2, 2, &group);
        let block = std::mem::take(&mut tmp2);
        self.write_blob("OSMData", &block)?;
        self.tmp = tmp;
        self.tmp2 = block;
        Ok(())
    }

    /// Flushes and returns the output.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}
