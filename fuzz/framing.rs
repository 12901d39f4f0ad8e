//! OpenStreetMap PBF files built from fuzzer-chosen parts: correct framing (a 4-byte length, a
//! `BlobHeader`, a `Blob` holding a raw or zlib-compressed block) around blocks of nodes, ways
//! and relations, with any length, size or offset replaceable by a hostile value.
//!
//! Shared by the `pbf_framed` fuzz target and the regression test that replays its corpus.

use arbitrary::Arbitrary;
use std::io::Write;

/// A whole file: frames in order, then stray bytes.
#[derive(Arbitrary, Debug)]
pub struct File {
    frames: Vec<Frame>,
    trailing: Vec<u8>,
}

#[derive(Arbitrary, Debug)]
struct Frame {
    kind: Kind,
    /// Replaces the header's true length in the 4-byte prefix.
    header_len: Option<u32>,
    /// Replaces the blob's true size in the header.
    datasize: Option<u64>,
    /// The header's optional `indexdata`.
    indexdata: Option<Vec<u8>>,
    blob: Blob,
}

#[derive(Arbitrary, Debug)]
enum Kind {
    Header,
    Data,
    Other(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
struct Blob {
    coding: Coding,
    raw_size: RawSize,
    block: Block,
    /// Drops this many bytes from the end of the stored data.
    cut: Option<u16>,
}

#[derive(Arbitrary, Debug)]
enum Coding {
    Raw,
    Zlib(u8),
    /// zlib data stored in the LZMA field.
    Lzma,
    /// The raw block, then its zlib form, both in the blob.
    RawThenZlib,
}

#[derive(Arbitrary, Debug)]
enum RawSize {
    Absent,
    True,
    Off(i16),
    Value(u64),
}

#[derive(Arbitrary, Debug)]
enum Block {
    Bytes(Vec<u8>),
    Primitive(Primitive),
}

#[derive(Arbitrary, Debug)]
struct Primitive {
    strings: Vec<Str>,
    groups: Vec<Group>,
    granularity: Option<u32>,
    lat_offset: Option<i64>,
    lon_offset: Option<i64>,
}

/// Strings the reader looks for, so that tags match the network and category rules.
const KNOWN: [&str; 24] = [
    "",
    "highway",
    "footway",
    "residential",
    "primary",
    "amenity",
    "clinic",
    "hospital",
    "school",
    "building",
    "yes",
    "no",
    "house",
    "name",
    "entrance",
    "type",
    "multipolygon",
    "access",
    "foot",
    "building:levels",
    "3",
    "leisure",
    "park",
    "area",
];

#[derive(Arbitrary, Debug)]
enum Str {
    Known(u8),
    Bytes(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum Group {
    Dense {
        ids: Vec<i16>,
        lats: Vec<i32>,
        lons: Vec<i32>,
        kv: Vec<u8>,
    },
    Nodes(Vec<Node>),
    Ways(Vec<Way>),
    Relations(Vec<Relation>),
    Bytes(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
struct Node {
    id: i64,
    lat: i32,
    lon: i32,
    keys: Vec<u8>,
    vals: Vec<u8>,
}

#[derive(Arbitrary, Debug)]
struct Way {
    id: u16,
    keys: Vec<u8>,
    vals: Vec<u8>,
    refs: Vec<i16>,
}

#[derive(Arbitrary, Debug)]
struct Relation {
    id: u16,
    keys: Vec<u8>,
    vals: Vec<u8>,
    roles: Vec<u8>,
    members: Vec<i16>,
    types: Vec<u8>,
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn key(out: &mut Vec<u8>, field: u64, wire: u64) {
    varint(out, field << 3 | wire);
}

fn uint(out: &mut Vec<u8>, field: u64, v: u64) {
    key(out, field, 0);
    varint(out, v);
}

fn bytes(out: &mut Vec<u8>, field: u64, b: &[u8]) {
    key(out, field, 2);
    varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn packed(out: &mut Vec<u8>, field: u64, values: impl Iterator<Item = u64>) {
    let mut b = Vec::new();
    values.for_each(|v| varint(&mut b, v));
    bytes(out, field, &b);
}

fn indices(v: &[u8]) -> impl Iterator<Item = u64> + '_ {
    v.iter().map(|&i| u64::from(i))
}

impl Primitive {
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut table = Vec::new();
        for s in &self.strings {
            match s {
                Str::Known(i) => bytes(&mut table, 1, KNOWN[*i as usize % KNOWN.len()].as_bytes()),
                Str::Bytes(b) => bytes(&mut table, 1, b),
            }
        }
        bytes(&mut out, 1, &table);
        for g in &self.groups {
            bytes(&mut out, 2, &g.encode());
        }
        if let Some(g) = self.granularity {
            uint(&mut out, 17, u64::from(g));
        }
        if let Some(o) = self.lat_offset {
            uint(&mut out, 19, o as u64);
        }
        if let Some(o) = self.lon_offset {
            uint(&mut out, 20, o as u64);
        }
        out
    }
}

impl Group {
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Group::Dense {
                ids,
                lats,
                lons,
                kv,
            } => {
                let mut d = Vec::new();
                packed(&mut d, 1, ids.iter().map(|&v| zigzag(v.into())));
                packed(&mut d, 8, lats.iter().map(|&v| zigzag(v.into())));
                packed(&mut d, 9, lons.iter().map(|&v| zigzag(v.into())));
                packed(&mut d, 10, indices(kv));
                bytes(&mut out, 2, &d);
            }
            Group::Nodes(nodes) => {
                for n in nodes {
                    let mut m = Vec::new();
                    uint(&mut m, 1, zigzag(n.id));
                    packed(&mut m, 2, indices(&n.keys));
                    packed(&mut m, 3, indices(&n.vals));
                    uint(&mut m, 8, zigzag(n.lat.into()));
                    uint(&mut m, 9, zigzag(n.lon.into()));
                    bytes(&mut out, 1, &m);
                }
            }
            Group::Ways(ways) => {
                for w in ways {
                    let mut m = Vec::new();
                    uint(&mut m, 1, w.id.into());
                    packed(&mut m, 2, indices(&w.keys));
                    packed(&mut m, 3, indices(&w.vals));
                    packed(&mut m, 8, w.refs.iter().map(|&v| zigzag(v.into())));
                    bytes(&mut out, 3, &m);
                }
            }
            Group::Relations(relations) => {
                for r in relations {
                    let mut m = Vec::new();
                    uint(&mut m, 1, r.id.into());
                    packed(&mut m, 2, indices(&r.keys));
                    packed(&mut m, 3, indices(&r.vals));
                    packed(&mut m, 8, indices(&r.roles));
                    packed(&mut m, 9, r.members.iter().map(|&v| zigzag(v.into())));
                    packed(&mut m, 10, r.types.iter().map(|&t| u64::from(t % 4)));
                    bytes(&mut out, 4, &m);
                }
            }
            Group::Bytes(b) => out.extend_from_slice(b),
        }
        out
    }
}

fn zlib(raw: &[u8], level: u8) -> Vec<u8> {
    let level = flate2::Compression::new(u32::from(level % 10));
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), level);
    z.write_all(raw).expect("writing to memory");
    z.finish().expect("writing to memory")
}

impl File {
    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for f in &self.frames {
            let raw = match &f.blob.block {
                Block::Bytes(b) => b.clone(),
                Block::Primitive(p) => p.encode(),
            };
            let cut = |mut b: Vec<u8>| {
                let n = b.len().saturating_sub(f.blob.cut.unwrap_or(0).into());
                b.truncate(n);
                b
            };
            let mut blob = Vec::new();
            match f.blob.raw_size {
                RawSize::Absent => {}
                RawSize::True => uint(&mut blob, 2, raw.len() as u64),
                RawSize::Off(d) => uint(&mut blob, 2, (raw.len() as i64 + i64::from(d)) as u64),
                RawSize::Value(v) => uint(&mut blob, 2, v),
            }
            match f.blob.coding {
                Coding::Raw => bytes(&mut blob, 1, &cut(raw)),
                Coding::Zlib(level) => bytes(&mut blob, 3, &cut(zlib(&raw, level))),
                Coding::Lzma => bytes(&mut blob, 4, &cut(zlib(&raw, 6))),
                Coding::RawThenZlib => {
                    bytes(&mut blob, 1, &raw);
                    bytes(&mut blob, 3, &cut(zlib(&raw, 6)));
                }
            }
            let mut header = Vec::new();
            let kind: &[u8] = match &f.kind {
                Kind::Header => b"OSMHeader",
                Kind::Data => b"OSMData",
                Kind::Other(k) => k,
            };
            bytes(&mut header, 1, kind);
            if let Some(i) = &f.indexdata {
                bytes(&mut header, 2, i);
            }
            uint(&mut header, 3, f.datasize.unwrap_or(blob.len() as u64));
            let len = f.header_len.unwrap_or(header.len() as u32);
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(&header);
            out.extend_from_slice(&blob);
        }
        out.extend_from_slice(&self.trailing);
        out
    }
}
