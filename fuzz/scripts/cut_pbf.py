#!/usr/bin/env python3
"""Cuts a small OpenStreetMap PBF file out of a large one, for seeding the fuzz targets: the
first ways (and relations) of the file, the nodes they use and a few tagged nodes, with the
string table reduced to the strings used.

    cut_pbf.py IN.osm.pbf OUT.osm.pbf [--ways N] [--raw] [--sparse]

--raw stores the blocks uncompressed, --sparse writes nodes as plain (not dense) nodes."""
import struct, sys, zlib, argparse


def varint(b, i):
    v = s = 0
    while True:
        c = b[i]; i += 1
        v |= (c & 0x7F) << s; s += 7
        if c < 0x80:
            return v, i


def fields(b):
    i = 0
    while i < len(b):
        k, i = varint(b, i)
        f, w = k >> 3, k & 7
        if w == 0:
            v, i = varint(b, i)
        elif w == 2:
            n, i = varint(b, i); v = b[i:i + n]; i += n
        elif w == 1:
            v = b[i:i + 8]; i += 8
        elif w == 5:
            v = b[i:i + 4]; i += 4
        else:
            raise ValueError(w)
        yield f, w, v


def packed(b):
    out, i = [], 0
    while i < len(b):
        v, i = varint(b, i); out.append(v)
    return out


def zz(v):
    return (v >> 1) ^ -(v & 1)


def uz(v):
    return (v << 1) ^ (v >> 63)


def enc_varint(v):
    v &= (1 << 64) - 1
    out = bytearray()
    while v >= 0x80:
        out.append(v & 0x7F | 0x80); v >>= 7
    out.append(v)
    return bytes(out)


def f_uint(f, v):
    return enc_varint(f << 3) + enc_varint(v)


def f_bytes(f, b):
    return enc_varint(f << 3 | 2) + enc_varint(len(b)) + b


def f_packed(f, vs):
    return f_bytes(f, b"".join(enc_varint(v) for v in vs))


def blobs(data):
    i = 0
    while i < len(data):
        (n,) = struct.unpack(">I", data[i:i + 4]); i += 4
        h = dict((f, v) for f, _, v in fields(data[i:i + n])); i += n
        size = h[3]
        blob = dict((f, v) for f, _, v in fields(data[i:i + size])); i += size
        raw = zlib.decompress(blob[3]) if 3 in blob else blob[1]
        yield h[1], raw


class Block:
    def __init__(self, raw):
        self.strings, self.nodes, self.ways, self.rels = [], [], [], []
        self.gran, self.lat_off, self.lon_off = 100, 0, 0
        for f, _, v in fields(raw):
            if f == 1:
                self.strings = [s for ff, _, s in fields(v) if ff == 1]
            elif f == 2:
                self.group(v)
            elif f == 17:
                self.gran = v
            elif f == 19:
                self.lat_off = v
            elif f == 20:
                self.lon_off = v

    def tags(self, keys, vals):
        return [(self.strings[k], self.strings[v]) for k, v in zip(keys, vals)]

    def group(self, g):
        for f, _, v in fields(g):
            if f == 1:
                d = {ff: vv for ff, _, vv in fields(v)}
                keys = [packed(vv) for ff, _, vv in fields(v) if ff == 2]
                vals = [packed(vv) for ff, _, vv in fields(v) if ff == 3]
                self.nodes.append((zz(d[1]), zz(d.get(8, 0)), zz(d.get(9, 0)),
                                   self.tags(keys[0] if keys else [], vals[0] if vals else [])))
            elif f == 2:
                d = {ff: packed(vv) for ff, _, vv in fields(v) if ff in (1, 8, 9, 10)}
                idv = latv = lonv = 0; k = 0; kv = d.get(10, [])
                for a, b, c in zip(d[1], d[8], d[9]):
                    idv += zz(a); latv += zz(b); lonv += zz(c)
                    t = []
                    while k < len(kv) and kv[k] != 0:
                        t.append((self.strings[kv[k]], self.strings[kv[k + 1]])); k += 2
                    k += 1
                    self.nodes.append((idv, latv, lonv, t))
            elif f in (3, 4):
                d = {}
                for ff, _, vv in fields(v):
                    d[ff] = packed(vv) if isinstance(vv, (bytes, bytearray)) else vv
                t = self.tags(d.get(2, []), d.get(3, []))
                if f == 3:
                    r = 0; refs = []
                    for x in d.get(8, []):
                        r += zz(x); refs.append(r)
                    self.ways.append((d[1], t, refs))
                else:
                    m = 0; mem = []
                    for role, x, ty in zip(d.get(8, []), d.get(9, []), d.get(10, [])):
                        m += zz(x); mem.append((self.strings[role], m, ty))
                    self.rels.append((d[1], t, mem))


def encode(nodes, ways, rels, gran, lat_off, lon_off, sparse):
    table, index = [b""], {b"": 0}

    def s(x):
        if x not in index:
            index[x] = len(table); table.append(x)
        return index[x]

    groups = []
    if nodes:
        if sparse:
            g = b""
            for i, la, lo, t in nodes:
                g += f_bytes(1, f_uint(1, uz(i)) + f_packed(2, [s(k) for k, _ in t])
                             + f_packed(3, [s(v) for _, v in t]) + f_uint(8, uz(la)) + f_uint(9, uz(lo)))
        else:
            ids, lats, lons, kv = [], [], [], []
            p = (0, 0, 0)
            for i, la, lo, t in nodes:
                ids.append(uz(i - p[0])); lats.append(uz(la - p[1])); lons.append(uz(lo - p[2]))
                p = (i, la, lo)
                for k, v in t:
                    kv += [s(k), s(v)]
                kv.append(0)
            g = f_bytes(2, f_packed(1, ids) + f_packed(8, lats) + f_packed(9, lons) + f_packed(10, kv))
        groups.append(g)
    if ways:
        g = b""
        for i, t, refs in ways:
            deltas, p = [], 0
            for r in refs:
                deltas.append(uz(r - p)); p = r
            g += f_bytes(3, f_uint(1, i) + f_packed(2, [s(k) for k, _ in t])
                         + f_packed(3, [s(v) for _, v in t]) + f_packed(8, deltas))
        groups.append(g)
    if rels:
        g = b""
        for i, t, mem in rels:
            deltas, p = [], 0
            for _, m, _ in mem:
                deltas.append(uz(m - p)); p = m
            g += f_bytes(4, f_uint(1, i) + f_packed(2, [s(k) for k, _ in t])
                         + f_packed(3, [s(v) for _, v in t]) + f_packed(8, [s(r) for r, _, _ in mem])
                         + f_packed(9, deltas) + f_packed(10, [ty for _, _, ty in mem]))
        groups.append(g)
    body = b"".join(f_bytes(2, g) for g in groups)
    st = b"".join(f_bytes(1, x) for x in table)
    out = f_bytes(1, st) + body
    if gran != 100:
        out += f_uint(17, gran)
    if lat_off:
        out += f_uint(19, lat_off)
    if lon_off:
        out += f_uint(20, lon_off)
    return out


def frame(kind, raw, compress):
    blob = f_uint(2, len(raw)) + (f_bytes(3, zlib.compress(raw, 9)) if compress else f_bytes(1, raw))
    header = f_bytes(1, kind) + f_uint(3, len(blob))
    return struct.pack(">I", len(header)) + header + blob


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src"); ap.add_argument("dst")
    ap.add_argument("--ways", type=int, default=40)
    ap.add_argument("--skip", type=int, default=0, help="ways to skip first")
    ap.add_argument("--raw", action="store_true"); ap.add_argument("--sparse", action="store_true")
    a = ap.parse_args()
    data = open(a.src, "rb").read()
    header, blocks = None, []
    for kind, raw in blobs(data):
        if kind == b"OSMHeader":
            header = raw
        else:
            blocks.append(Block(raw))
    ways = [w for b in blocks for w in b.ways][a.skip:a.skip + a.ways]
    rels = [r for b in blocks for r in b.rels if any(k == b"building" or k == b"amenity" for k, _ in r[1])][:3]
    need = {n for w in ways for n in w[2]}
    nodes = [n for b in blocks for n in b.nodes if n[0] in need]
    nodes += [n for b in blocks for n in b.nodes if n[3] and n[0] not in need][:20]
    nodes.sort()
    b0 = blocks[0]
    out = frame(b"OSMHeader", header, not a.raw)
    out += frame(b"OSMData", encode(nodes, [], [], b0.gran, b0.lat_off, b0.lon_off, a.sparse), not a.raw)
    out += frame(b"OSMData", encode([], ways, rels, 100, 0, 0, a.sparse), not a.raw)
    open(a.dst, "wb").write(out)
    print(a.dst, len(out), "bytes,", len(nodes), "nodes,", len(ways), "ways,", len(rels), "relations")


main()
