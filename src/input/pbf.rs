//! A reader of OpenStreetMap `.osm.pbf` files that decodes only what the tool uses: node ids,
//! positions and tags, way ids, tags and node references, relation ids, tags and members.
//! Metadata (versions, time stamps, users) is skipped unread, and nothing is allocated per
//! element, which makes a block about three times quicker to read than a general decoder that
//! builds every message.
//!
//! The file is a sequence of blobs, each a 4-byte big-endian length, a `BlobHeader` message and
//! a `Blob` message holding one block, raw or zlib-compressed
//! (<https://wiki.openstreetmap.org/wiki/PBF_Format>). Tags whose key or value is not valid
//! UTF-8 end an element's tag list there, as the `osmpbf` crate reads them.

use crate::error::{Error, ErrorKind, Result};
use std::ops::Range;
use std::path::Path;

/// The format's limits (<https://wiki.openstreetmap.org/wiki/PBF_Format>): a `BlobHeader` must
/// be under 64 KiB.
pub(crate) const MAX_BLOB_HEADER_BYTES: usize = 64 * 1024;
/// A `Blob`, and the block it holds once decompressed, must be under 32 MiB.
pub(crate) const MAX_BLOB_BYTES: usize = 32 * 1024 * 1024;

/// A data blob of a file: its bytes as stored (compressed or not).
pub(crate) struct PbfBlob {
    /// Where the blob's length prefix starts in the file, for messages.
    offset: usize,
    range: Range<usize>,
    raw_size: Option<usize>,
    zlib: bool,
}

/// A whole file read into memory, with the places of its data blobs.
pub(crate) struct PbfFile {
    bytes: Vec<u8>,
    /// The `OSMData` blobs in file order.
    pub blobs: Vec<PbfBlob>,
}

fn corrupt(what: &str) -> Error {
    Error::new(
        ErrorKind::Format,
        format!("corrupt block in the OSM file: {what}"),
    )
}

impl PbfFile {
    /// Reads the file and finds its data blobs.
    pub fn read(path: &Path) -> Result<PbfFile> {
        let bytes = std::fs::read(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::new(ErrorKind::Io, "file not found").file(path)
            } else {
                Error::io(path, e)
            }
        })?;
        PbfFile::from_bytes(bytes).map_err(|e| e.file(path))
    }

    /// Finds the data blobs of a file's bytes. Every length is checked against the bytes there
    /// are and the format's limits before it is used, so no field can make the reader loop,
    /// read out of bounds or allocate more than the file holds.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<PbfFile> {
        let mut blobs = Vec::new();
        let mut pos = 0;
        while pos < bytes.len() {
            let blob = next_blob(&bytes, pos)?;
            pos = blob.range.end;
            if let Some(b) = blob.data {
                blobs.push(b);
            }
        }
        if pos == 0 {
            return Err(Error::new(ErrorKind::Empty, "the OSM file is empty"));
        }
        Ok(PbfFile { bytes, blobs })
    }

    /// The file's size in bytes.
    pub fn len(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// The block of blob `i`, decompressed and indexed. A block is refused, never inflated
    /// past its declared raw size (or 32 MiB when none is declared).
    pub fn block(&self, i: usize) -> Result<PbfBlock> {
        let b = &self.blobs[i];
        let at = |e: Error| {
            let msg = format!("{} (the blob at byte {})", e.message(), b.offset);
            Error::new(e.kind(), msg)
        };
        let stored = &self.bytes[b.range.clone()];
        let data = if b.zlib {
            inflate(stored, b.raw_size.unwrap_or(MAX_BLOB_BYTES)).map_err(at)?
        } else {
            stored.to_vec()
        };
        if b.raw_size.is_some_and(|n| n != data.len()) {
            return Err(at(corrupt("size differs from the blob's raw size")));
        }
        PbfBlock::parse(data).map_err(at)
    }
}

/// A blob found at some place of a file: the bytes it spans (length prefix to end) and, for an
/// `OSMData` blob, where its data lies.
struct FoundBlob {
    range: Range<usize>,
    data: Option<PbfBlob>,
}

/// The blob whose 4-byte length prefix starts at byte `pos` of `bytes`.
fn next_blob(bytes: &[u8], pos: usize) -> Result<FoundBlob> {
    let not_pbf = |why: String| {
        Error::new(
            ErrorKind::Format,
            format!("not a readable OpenStreetMap PBF file: {why} at byte {pos}"),
        )
    };
    let len = bytes
        .get(pos..pos.saturating_add(4))
        .filter(|b| b.len() == 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or_else(|| not_pbf("truncated blob header length".into()))?;
    if len > MAX_BLOB_HEADER_BYTES {
        let why =
            format!("a blob header of {len} bytes (the format allows {MAX_BLOB_HEADER_BYTES})");
        return Err(not_pbf(why));
    }
    let header_start = pos + 4;
    let header = bytes
        .get(header_start..header_start + len)
        .ok_or_else(|| not_pbf("truncated blob header".into()))?;
    let (kind, size) = blob_header(header).map_err(|e| not_pbf(e.message().to_string()))?;
    if size > MAX_BLOB_BYTES as u64 {
        let why = format!("a blob of {size} bytes (the format allows {MAX_BLOB_BYTES})");
        return Err(not_pbf(why));
    }
    let start = header_start + len;
    let blob = start..start + size as usize;
    if blob.end > bytes.len() {
        return Err(not_pbf("truncated blob".into()));
    }
    let data = match kind {
        b"OSMData" => Some(blob_of(&bytes[blob.clone()], blob.start, pos).map_err(|e| {
            let msg = format!("{} (the blob at byte {pos})", e.message());
            Error::new(e.kind(), msg)
        })?),
        b"OSMHeader" => None,
        _ => return Err(not_pbf("unknown blob type".into())),
    };
    Ok(FoundBlob {
        range: pos..blob.end,
        data,
    })
}

/// Inflates zlib data that should hold at most `limit` bytes; more is an error, found after
/// writing at most `limit + 1` bytes.
fn inflate(stored: &[u8], limit: usize) -> Result<Vec<u8>> {
    let cap = limit.saturating_add(1);
    let mut out = Vec::with_capacity(cap.min(stored.len().saturating_mul(8).max(1 << 16)));
    let mut z = flate2::Decompress::new(true);
    loop {
        let input = stored.get(z.total_in() as usize..).unwrap_or_default();
        let status = z
            .decompress_vec(input, &mut out, flate2::FlushDecompress::Finish)
            .map_err(|_| corrupt("bad zlib data"))?;
        if out.len() > limit {
            let msg = format!("data inflating past the blob's raw size of {limit} bytes");
            return Err(corrupt(&msg));
        }
        match status {
            flate2::Status::StreamEnd => return Ok(out),
            _ if out.len() == out.capacity() => {
                let more = out.capacity().max(1 << 16).min(cap - out.len());
                out.reserve_exact(more);
            }
            _ => return Err(corrupt("truncated zlib data")),
        }
    }
}

/// The type and data size of a blob header.
fn blob_header(h: &[u8]) -> Result<(&[u8], u64)> {
    let (mut kind, mut size) = (None, None);
    let mut r = Reader::new(h);
    while let Some((field, wire)) = r.key()? {
        match (field, wire) {
            (1, 2) => kind = Some(r.bytes()?),
            (3, 0) => size = Some(r.varint()?),
            _ => r.skip(wire)?,
        }
    }
    Ok((
        kind.ok_or_else(|| corrupt("blob header without a type"))?,
        size.ok_or_else(|| corrupt("blob header without a size"))?,
    ))
}

/// Where a blob's data lies (`start` is the blob's place in the file, `offset` its length
/// prefix's).
fn blob_of(b: &[u8], start: usize, offset: usize) -> Result<PbfBlob> {
    let mut r = Reader::new(b);
    let (mut data, mut raw_size, mut zlib) = (None, None, false);
    while let Some((field, wire)) = r.key()? {
        match (field, wire) {
            (1, 2) => {
                let d = r.bytes()?;
                data = Some(start + r.pos - d.len()..start + r.pos);
                zlib = false;
            }
            (2, 0) => {
                let n = r.varint()?;
                if n > MAX_BLOB_BYTES as u64 {
                    let msg =
                        format!("a raw size of {n} bytes (the format allows {MAX_BLOB_BYTES})");
                    return Err(corrupt(&msg));
                }
                raw_size = Some(n as usize);
            }
            (3, 2) => {
                let d = r.bytes()?;
                data = Some(start + r.pos - d.len()..start + r.pos);
                zlib = true;
            }
            (4..=7, 2) => {
                let msg = "blocks compressed other than with zlib are not supported";
                return Err(Error::new(ErrorKind::Format, msg));
            }
            _ => r.skip(wire)?,
        }
    }
    Ok(PbfBlob {
        offset,
        range: data.ok_or_else(|| corrupt("blob without data"))?,
        raw_size,
        zlib,
    })
}

/// A decompressed `PrimitiveBlock` with its string table and groups located.
pub(crate) struct PbfBlock {
    data: Vec<u8>,
    strings: Vec<Range<u32>>,
    groups: Vec<Range<u32>>,
    granularity: i64,
    lat_offset: i64,
    lon_offset: i64,
    has_nodes: bool,
}

impl PbfBlock {
    fn parse(data: Vec<u8>) -> Result<PbfBlock> {
        let mut strings = Vec::new();
        let mut groups = Vec::new();
        let (mut granularity, mut lat_offset, mut lon_offset) = (100, 0, 0);
        let mut has_nodes = false;
        let mut r = Reader::new(&data);
        let at = |r: &Reader, len: usize| (r.pos - len) as u32..r.pos as u32;
        while let Some((field, wire)) = r.key()? {
            match (field, wire) {
                (1, 2) => {
                    let table = r.bytes()?;
                    let base = r.pos - table.len();
                    let mut t = Reader::new(table);
                    while let Some((f, w)) = t.key()? {
                        if (f, w) == (1, 2) {
                            let s = t.bytes()?;
                            strings.push((base + t.pos - s.len()) as u32..(base + t.pos) as u32);
                        } else {
                            t.skip(w)?;
                        }
                    }
                }
                (2, 2) => {
                    let g = r.bytes()?;
                    let mut gr = Reader::new(g);
                    while let Some((f, w)) = gr.key()? {
                        has_nodes |= matches!(f, 1 | 2);
                        gr.skip(w)?;
                    }
                    groups.push(at(&r, g.len()));
                }
                (17, 0) => granularity = r.varint()? as i64,
                (19, 0) => lat_offset = r.varint()? as i64,
                (20, 0) => lon_offset = r.varint()? as i64,
                _ => r.skip(wire)?,
            }
        }
        Ok(PbfBlock {
            data,
            strings,
            groups,
            granularity,
            lat_offset,
            lon_offset,
            has_nodes,
        })
    }

    /// Whether the block holds nodes.
    pub fn has_nodes(&self) -> bool {
        self.has_nodes
    }

    fn str(&self, i: u64) -> Option<&str> {
        let r = self.strings.get(usize::try_from(i).ok()?)?;
        std::str::from_utf8(&self.data[r.start as usize..r.end as usize]).ok()
    }

    /// Appends the tags of parallel key and value index lists to `tags`, up to the first pair
    /// that is not valid UTF-8 or not in the string table.
    fn push_tags<'s>(&'s self, keys: &[u64], vals: &[u64], tags: &mut Vec<(&'s str, &'s str)>) {
        for (&k, &v) in keys.iter().zip(vals) {
            match (self.str(k), self.str(v)) {
                (Some(k), Some(v)) => tags.push((k, v)),
                _ => break,
            }
        }
    }

    fn groups(&self) -> impl Iterator<Item = Reader<'_>> {
        self.groups
            .iter()
            .map(|g| Reader::new(&self.data[g.start as usize..g.end as usize]))
    }

    /// Calls `f(id, nano_lon, nano_lat, tags)` for every node, dense or not, in block order.
    pub fn for_each_node(&self, mut f: impl FnMut(i64, i64, i64, &[(&str, &str)])) -> Result<()> {
        let mut tags = Vec::new();
        let (mut keys, mut vals) = (Vec::new(), Vec::new());
        let (mut ids, mut lats, mut lons, mut kv) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let pos = |offset: i64, v: i64| {
            self.granularity
                .checked_mul(v)
                .and_then(|x| x.checked_add(offset))
                .ok_or_else(|| corrupt("node position out of range"))
        };
        for mut g in self.groups() {
            while let Some((field, wire)) = g.key()? {
                match (field, wire) {
                    (1, 2) => {
                        let mut n = Reader::new(g.bytes()?);
                        let (mut id, mut lat, mut lon) = (0, 0, 0);
                        keys.clear();
                        vals.clear();
                        while let Some((nf, nw)) = n.key()? {
                            match (nf, nw) {
                                (1, 0) => id = zigzag(n.varint()?),
                                (2, _) => n.repeated(nw, &mut keys)?,
                                (3, _) => n.repeated(nw, &mut vals)?,
                                (8, 0) => lat = zigzag(n.varint()?),
                                (9, 0) => lon = zigzag(n.varint()?),
                                _ => n.skip(nw)?,
                            }
                        }
                        tags.clear();
                        self.push_tags(&keys, &vals, &mut tags);
                        f(
                            id,
                            pos(self.lon_offset, lon)?,
                            pos(self.lat_offset, lat)?,
                            &tags,
                        );
                    }
                    (2, 2) => {
                        let mut d = Reader::new(g.bytes()?);
                        for v in [&mut ids, &mut lats, &mut lons, &mut kv] {
                            v.clear();
                        }
                        while let Some((df, dw)) = d.key()? {
                            match df {
                                1 => d.repeated(dw, &mut ids),
                                8 => d.repeated(dw, &mut lats),
                                9 => d.repeated(dw, &mut lons),
                                10 => d.repeated(dw, &mut kv),
                                _ => d.skip(dw),
                            }?;
                        }
                        if lats.len() != ids.len() || lons.len() != ids.len() {
                            return Err(corrupt("dense nodes of unequal lengths"));
                        }
                        let (mut id, mut lat, mut lon, mut k) = (0i64, 0i64, 0i64, 0);
                        for i in 0..ids.len() {
                            id = id.wrapping_add(zigzag(ids[i]));
                            lat = lat.wrapping_add(zigzag(lats[i]));
                            lon = lon.wrapping_add(zigzag(lons[i]));
                            tags.clear();
                            // Key, value pairs up to a 0; a missing or broken pair ends the tags.
                            let mut ok = true;
                            while k < kv.len() && kv[k] != 0 {
                                let (key, val) = (kv[k], kv.get(k + 1).copied());
                                k += 2;
                                if !ok {
                                    continue;
                                }
                                match (self.str(key), val.and_then(|v| self.str(v))) {
                                    (Some(a), Some(b)) => tags.push((a, b)),
                                    _ => ok = false,
                                }
                            }
                            k += 1;
                            f(
                                id,
                                pos(self.lon_offset, lon)?,
                                pos(self.lat_offset, lat)?,
                                &tags,
                            );
                        }
                    }
                    _ => g.skip(wire)?,
                }
            }
        }
        Ok(())
    }

    /// Calls `f(id, tags, refs)` for every way in block order.
    pub fn for_each_way(&self, mut f: impl FnMut(i64, &[(&str, &str)], &[i64])) -> Result<()> {
        let mut tags = Vec::new();
        let (mut keys, mut vals, mut deltas) = (Vec::new(), Vec::new(), Vec::new());
        let mut refs: Vec<i64> = Vec::new();
        self.for_each_message(3, |mut w| {
            let mut id = 0;
            for v in [&mut keys, &mut vals, &mut deltas] {
                v.clear();
            }
            while let Some((wf, ww)) = w.key()? {
                match (wf, ww) {
                    (1, 0) => id = w.varint()? as i64,
                    (2, _) => w.repeated(ww, &mut keys)?,
                    (3, _) => w.repeated(ww, &mut vals)?,
                    (8, _) => w.repeated(ww, &mut deltas)?,
                    _ => w.skip(ww)?,
                }
            }
            refs.clear();
            let mut r = 0i64;
            refs.extend(deltas.iter().map(|&d| {
                r = r.wrapping_add(zigzag(d));
                r
            }));
            tags.clear();
            self.push_tags(&keys, &vals, &mut tags);
            f(id, &tags, &refs);
            Ok(())
        })
    }

    /// Calls `f(id, tags, members)` for every relation in block order.
    pub fn for_each_relation(
        &self,
        mut f: impl FnMut(i64, &[(&str, &str)], &[Member<'_>]),
    ) -> Result<()> {
        let mut tags = Vec::new();
        let mut members = Vec::new();
        let (mut keys, mut vals) = (Vec::new(), Vec::new());
        let (mut roles, mut ids, mut types) = (Vec::new(), Vec::new(), Vec::new());
        self.for_each_message(4, |mut r| {
            let mut id = 0;
            for v in [&mut keys, &mut vals, &mut roles, &mut ids, &mut types] {
                v.clear();
            }
            while let Some((rf, rw)) = r.key()? {
                match (rf, rw) {
                    (1, 0) => id = r.varint()? as i64,
                    (2, _) => r.repeated(rw, &mut keys)?,
                    (3, _) => r.repeated(rw, &mut vals)?,
                    (8, _) => r.repeated(rw, &mut roles)?,
                    (9, _) => r.repeated(rw, &mut ids)?,
                    (10, _) => r.repeated(rw, &mut types)?,
                    _ => r.skip(rw)?,
                }
            }
            if roles.len() != ids.len() || types.len() != ids.len() {
                return Err(corrupt("relation members of unequal lengths"));
            }
            members.clear();
            let mut member_id = 0i64;
            for i in 0..ids.len() {
                member_id = member_id.wrapping_add(zigzag(ids[i]));
                let kind = match types[i] {
                    0 => MemberKind::Node,
                    1 => MemberKind::Way,
                    2 => MemberKind::Relation,
                    _ => return Err(corrupt("relation member of unknown type")),
                };
                members.push(Member {
                    kind,
                    id: member_id,
                    role: self.str(roles[i]),
                });
            }
            tags.clear();
            self.push_tags(&keys, &vals, &mut tags);
            f(id, &tags, &members);
            Ok(())
        })
    }

    /// Calls `f` with a reader over every message in field `field` of the block's groups
    /// (3: ways, 4: relations), in block order; other fields are skipped.
    fn for_each_message(
        &self,
        field: u32,
        mut f: impl FnMut(Reader<'_>) -> Result<()>,
    ) -> Result<()> {
        for mut g in self.groups() {
            while let Some((found, wire)) = g.key()? {
                if (found, wire) == (field, 2) {
                    f(Reader::new(g.bytes()?))?;
                } else {
                    g.skip(wire)?;
                }
            }
        }
        Ok(())
    }
}

/// What a relation member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MemberKind {
    Node,
    Way,
    Relation,
}

/// A member of a relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Member<'a> {
    pub kind: MemberKind,
    pub id: i64,
    /// The role; `None` when it is not valid UTF-8 or not in the block's string table.
    pub role: Option<&'a str>,
}

fn zigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// A protocol-buffers reader over a byte slice.
struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(b: &'a [u8]) -> Self {
        Reader { b, pos: 0 }
    }

    #[inline]
    fn varint(&mut self) -> Result<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self
                .b
                .get(self.pos)
                .ok_or_else(|| corrupt("truncated number"))?;
            self.pos += 1;
            v |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Ok(v);
            }
        }
        Err(corrupt("number too long"))
    }

    /// The next field number and wire type, or `None` at the end.
    fn key(&mut self) -> Result<Option<(u32, u8)>> {
        if self.pos >= self.b.len() {
            return Ok(None);
        }
        let k = self.varint()?;
        Ok(Some(((k >> 3) as u32, (k & 7) as u8)))
    }

    fn bytes(&mut self) -> Result<&'a [u8]> {
        let len = usize::try_from(self.varint()?).map_err(|_| corrupt("length too large"))?;
        let end = self.pos.checked_add(len).filter(|&e| e <= self.b.len());
        let end = end.ok_or_else(|| corrupt("truncated field"))?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    /// Appends a repeated number field, packed (wire type 2) or one value (wire type 0).
    fn repeated(&mut self, wire: u8, out: &mut Vec<u64>) -> Result<()> {
        match wire {
            0 => out.push(self.varint()?),
            2 => {
                let mut p = Reader::new(self.bytes()?);
                while p.pos < p.b.len() {
                    out.push(p.varint()?);
                }
            }
            _ => return Err(corrupt("unexpected wire type")),
        }
        Ok(())
    }

    fn skip(&mut self, wire: u8) -> Result<()> {
        match wire {
            0 => {
                self.varint()?;
            }
            1 => self.pos += 8,
            2 => {
                self.bytes()?;
            }
            5 => self.pos += 4,
            _ => return Err(corrupt("unknown wire type")),
        }
        if self.pos > self.b.len() {
            return Err(corrupt("truncated field"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use osmpbf::{BlobDecode, BlobReader};

    type Tags = Vec<(String, String)>;

    fn owned(tags: impl Iterator<Item = (impl Into<String>, impl Into<String>)>) -> Tags {
        tags.map(|(k, v)| (k.into(), v.into())).collect()
    }

    /// Every node, way and relation of a file as this reader and as the `osmpbf` crate read it.
    /// Returns the numbers of nodes, ways, relations, node tags and relation members.
    fn both(path: &str) -> [usize; 5] {
        let file = PbfFile::read(Path::new(path)).unwrap();
        let theirs: Vec<osmpbf::PrimitiveBlock> = BlobReader::from_path(path)
            .unwrap()
            .filter_map(|b| match b.unwrap().decode().unwrap() {
                BlobDecode::OsmData(block) => Some(block),
                _ => None,
            })
            .collect();
        assert_eq!(file.blobs.len(), theirs.len());
        let (mut n_nodes, mut n_ways, mut n_rels, mut n_tags, mut n_members) = (0, 0, 0, 0, 0);
        for (i, block) in theirs.iter().enumerate() {
            let mine = file.block(i).unwrap();
            let mut want_nodes = Vec::new();
            let mut want_ways = Vec::new();
            let mut want_rels = Vec::new();
            for g in block.groups() {
                for n in g.dense_nodes() {
                    want_nodes.push((n.id(), n.nano_lon(), n.nano_lat(), owned(n.tags())));
                }
                for n in g.nodes() {
                    want_nodes.push((n.id(), n.nano_lon(), n.nano_lat(), owned(n.tags())));
                }
                for w in g.ways() {
                    want_ways.push((w.id(), owned(w.tags()), w.refs().collect::<Vec<_>>()));
                }
                for r in g.relations() {
                    let members: Vec<(MemberKind, i64, Option<String>)> = r
                        .members()
                        .map(|m| {
                            let kind = match m.member_type {
                                osmpbf::RelMemberType::Node => MemberKind::Node,
                                osmpbf::RelMemberType::Way => MemberKind::Way,
                                osmpbf::RelMemberType::Relation => MemberKind::Relation,
                            };
                            (kind, m.member_id, m.role().ok().map(str::to_string))
                        })
                        .collect();
                    want_rels.push((r.id(), owned(r.tags()), members));
                }
            }
            let mut got_nodes = Vec::new();
            mine.for_each_node(|id, lon, lat, tags| {
                got_nodes.push((id, lon, lat, owned(tags.iter().copied())))
            })
            .unwrap();
            let mut got_ways = Vec::new();
            mine.for_each_way(|id, tags, refs| {
                got_ways.push((id, owned(tags.iter().copied()), refs.to_vec()))
            })
            .unwrap();
            let mut got_rels = Vec::new();
            mine.for_each_relation(|id, tags, members| {
                let members: Vec<_> = members
                    .iter()
                    .map(|m| (m.kind, m.id, m.role.map(str::to_string)))
                    .collect();
                got_rels.push((id, owned(tags.iter().copied()), members))
            })
            .unwrap();
            assert_eq!(mine.has_nodes(), !want_nodes.is_empty(), "block {i}");
            assert_eq!(got_nodes, want_nodes, "block {i}");
            assert_eq!(got_ways, want_ways, "block {i}");
            assert_eq!(got_rels, want_rels, "block {i}");
            n_nodes += got_nodes.len();
            n_ways += got_ways.len();
            n_rels += got_rels.len();
            n_tags += got_nodes.iter().map(|n| n.3.len()).sum::<usize>();
            n_members += got_rels.iter().map(|r| r.2.len()).sum::<usize>();
        }
        [n_nodes, n_ways, n_rels, n_tags, n_members]
    }

    #[test]
    fn reads_liechtenstein_as_osmpbf_does() {
        let [nodes, ways, relations, tags, members] =
            both("data/liechtenstein/liechtenstein-latest.osm.pbf");
        // Every kind of element was compared.
        assert!(nodes > 100_000 && ways > 10_000 && relations > 100 && tags > 1_000);
        assert!(members > 1_000, "{members} relation members");
    }

    #[test]
    fn reads_sao_paulo_as_osmpbf_does() {
        let [nodes, ways, ..] = both("data/sao-paulo/spo_osm.pbf");
        assert!(nodes > 10_000 && ways > 1_000);
    }

    /// A protocol-buffers field: key, then a varint or length-delimited bytes.
    fn field(out: &mut Vec<u8>, number: u64, value: Result<u64, &[u8]>) {
        fn varint(out: &mut Vec<u8>, mut v: u64) {
            while v >= 0x80 {
                out.push((v as u8) | 0x80);
                v >>= 7;
            }
            out.push(v as u8);
        }
        match value {
            Ok(v) => {
                varint(out, number << 3);
                varint(out, v);
            }
            Err(b) => {
                varint(out, (number << 3) | 2);
                varint(out, b.len() as u64);
                out.extend_from_slice(b);
            }
        }
    }

    /// A file of one blob: length prefix, header (type, declared size) and the blob's bytes.
    fn framed(kind: &[u8], declared: u64, blob: &[u8]) -> Vec<u8> {
        let mut header = Vec::new();
        field(&mut header, 1, Err(kind));
        field(&mut header, 3, Ok(declared));
        let mut out = (header.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(&header);
        out.extend_from_slice(blob);
        out
    }

    /// A `Blob` message: optional raw size, then zlib data.
    fn zlib_blob(raw: &[u8], raw_size: Option<u64>) -> Vec<u8> {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(raw).unwrap();
        let data = z.finish().unwrap();
        let mut blob = Vec::new();
        if let Some(n) = raw_size {
            field(&mut blob, 2, Ok(n));
        }
        field(&mut blob, 3, Err(&data));
        blob
    }

    fn refused(bytes: Vec<u8>) -> String {
        let t = std::time::Instant::now();
        let e = match PbfFile::from_bytes(bytes) {
            Err(e) => e,
            Ok(f) => (0..f.blobs.len())
                .map(|i| f.block(i).map(|_| ()))
                .find_map(|r| r.err())
                .expect("refused"),
        };
        assert!(t.elapsed().as_secs_f64() < 2.0, "took {:?}", t.elapsed());
        e.to_string()
    }

    #[test]
    fn hostile_sizes_are_refused_without_looping_or_allocating() {
        // A blob size that would wrap the read position back to the start.
        let wrap = framed(b"OSMData", u64::MAX - 20, b"");
        assert!(refused(wrap).contains("a blob of 18446744073709551595 bytes"));
        // A blob size beyond the end of the file.
        let e = refused(framed(b"OSMData", 1000, b"abc"));
        assert!(e.contains("truncated blob at byte 0"), "{e}");
        // A header length over the format's 64 KiB.
        let mut big = 70_000u32.to_be_bytes().to_vec();
        big.extend(vec![0u8; 20]);
        assert!(refused(big).contains("a blob header of 70000 bytes"));
        // A raw size of 2^45 bytes is refused before any allocation.
        let blob = zlib_blob(b"x", Some(1 << 45));
        let e = refused(framed(b"OSMData", blob.len() as u64, &blob));
        assert!(e.contains("raw size of 35184372088832 bytes"), "{e}");
        // 40 MB of zeros declared as 10 bytes: refused after inflating 11 bytes.
        let zeros = vec![0u8; 40_000_000];
        let blob = zlib_blob(&zeros, Some(10));
        let e = refused(framed(b"OSMData", blob.len() as u64, &blob));
        assert!(
            e.contains("inflating past the blob's raw size of 10 bytes"),
            "{e}"
        );
        // The same with no raw size: refused at the format's 32 MiB.
        let blob = zlib_blob(&zeros, None);
        let e = refused(framed(b"OSMData", blob.len() as u64, &blob));
        assert!(e.contains("raw size of 33554432 bytes"), "{e}");
        // A granularity that overflows a node position.
        let mut dense = Vec::new();
        field(&mut dense, 1, Ok(2));
        field(&mut dense, 8, Ok(u64::MAX - 1));
        field(&mut dense, 9, Ok(2));
        let mut group = Vec::new();
        field(&mut group, 2, Err(&dense));
        let mut block = Vec::new();
        field(&mut block, 2, Err(&group));
        field(&mut block, 17, Ok(1 << 40));
        let blob = zlib_blob(&block, Some(block.len() as u64));
        let file = PbfFile::from_bytes(framed(b"OSMData", blob.len() as u64, &blob)).unwrap();
        let e = file.block(0).unwrap().for_each_node(|_, _, _, _| {});
        assert!(e
            .unwrap_err()
            .to_string()
            .contains("node position out of range"));
    }

    #[test]
    fn broken_files_are_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let src = std::fs::read("data/liechtenstein/liechtenstein-latest.osm.pbf").unwrap();
        // Cut in the middle of a blob.
        let cut = dir.path().join("cut.osm.pbf");
        std::fs::write(&cut, &src[..src.len() / 2]).unwrap();
        let e = PbfFile::read(&cut).err().expect("a cut file is refused");
        assert!(e.to_string().contains("cut.osm.pbf"), "{e}");
        // Not a PBF at all.
        let text = dir.path().join("text.osm.pbf");
        std::fs::write(&text, "id,lon,lat\n1,2,3\n").unwrap();
        assert!(PbfFile::read(&text).is_err());
        // Compressed bytes damaged: the block is refused, not misread.
        let file =
            PbfFile::read(Path::new("data/liechtenstein/liechtenstein-latest.osm.pbf")).unwrap();
        let mut bytes = src.clone();
        let r = file.blobs[1].range.clone();
        for b in &mut bytes[r.start + 10..r.start + 40] {
            *b ^= 0x5a;
        }
        let bad = dir.path().join("bad.osm.pbf");
        std::fs::write(&bad, &bytes).unwrap();
        let damaged = PbfFile::read(&bad).unwrap();
        assert!(damaged.block(1).is_err());
        // An empty file.
        let empty = dir.path().join("empty.osm.pbf");
        std::fs::write(&empty, "").unwrap();
        assert_eq!(
            PbfFile::read(&empty).err().unwrap().kind(),
            ErrorKind::Empty
        );
    }
}
