//! Well-known binary (WKB): the geometry body of GeoPackage features, and the form in which
//! geometries cross into and out of Python (shapely's `from_wkb`/`to_wkb`), so layers reach
//! GeoPandas without a file.
//!
//! Written: little-endian, two-dimensional ISO WKB (points, line strings, polygons, their multi
//! forms and collections; lines, rectangles and triangles as line strings and polygons). Read:
//! either byte order, ISO (`1001`, `2001`, `3001`) and extended (EWKB flags, SRID) codes; Z and M
//! values are dropped.

use geo_types::{
    Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon,
    Point, Polygon,
};

const POINT: u32 = 1;
const LINESTRING: u32 = 2;
const POLYGON: u32 = 3;
const MULTIPOINT: u32 = 4;
const MULTILINESTRING: u32 = 5;
const MULTIPOLYGON: u32 = 6;
const COLLECTION: u32 = 7;

/// Encodes a geometry as little-endian 2D WKB. An empty point is written as `POINT (NaN NaN)`, as
/// GEOS does.
pub fn encode(g: &Geometry<f64>) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    write_geometry(&mut out, g);
    out
}

/// [`encode`], appending to `out` (which keeps what it held).
pub fn encode_into(out: &mut Vec<u8>, g: &Geometry<f64>) {
    write_geometry(out, g);
}

fn header(out: &mut Vec<u8>, ty: u32) {
    out.push(1);
    out.extend_from_slice(&ty.to_le_bytes());
}

fn count(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

fn coord(out: &mut Vec<u8>, c: Coord<f64>) {
    out.extend_from_slice(&c.x.to_le_bytes());
    out.extend_from_slice(&c.y.to_le_bytes());
}

fn ring(out: &mut Vec<u8>, l: &LineString<f64>) {
    count(out, l.0.len());
    for &c in &l.0 {
        coord(out, c);
    }
}

fn polygon_body(out: &mut Vec<u8>, p: &Polygon<f64>) {
    if p.exterior().0.is_empty() {
        count(out, 0);
        return;
    }
    count(out, 1 + p.interiors().len());
    ring(out, p.exterior());
    for r in p.interiors() {
        ring(out, r);
    }
}

fn write_geometry(out: &mut Vec<u8>, g: &Geometry<f64>) {
    match g {
        Geometry::Point(p) => {
            header(out, POINT);
            coord(out, p.0);
        }
        Geometry::Line(l) => {
            header(out, LINESTRING);
            count(out, 2);
            coord(out, l.start);
            coord(out, l.end);
        }
        Geometry::LineString(l) => {
            header(out, LINESTRING);
            ring(out, l);
        }
        Geometry::Polygon(p) => {
            header(out, POLYGON);
            polygon_body(out, p);
        }
        Geometry::MultiPoint(mp) => {
            header(out, MULTIPOINT);
            count(out, mp.0.len());
            for p in &mp.0 {
                header(out, POINT);
                coord(out, p.0);
            }
        }
        Geometry::MultiLineString(ml) => {
            header(out, MULTILINESTRING);
            count(out, ml.0.len());
            for l in &ml.0 {
                header(out, LINESTRING);
                ring(out, l);
            }
        }
        Geometry::MultiPolygon(mp) => {
            header(out, MULTIPOLYGON);
            count(out, mp.0.len());
            for p in &mp.0 {
                header(out, POLYGON);
                polygon_body(out, p);
            }
        }
        Geometry::GeometryCollection(gc) => {
            header(out, COLLECTION);
            count(out, gc.0.len());
            for g in &gc.0 {
                write_geometry(out, g);
            }
        }
        Geometry::Rect(r) => write_geometry(out, &Geometry::Polygon(r.to_polygon())),
        Geometry::Triangle(t) => write_geometry(out, &Geometry::Polygon(t.to_polygon())),
    }
}

/// Decodes WKB (or EWKB) into a geometry; the message says what is wrong with malformed input.
pub fn decode(bytes: &[u8]) -> Result<Geometry<f64>, String> {
    decode_reporting(bytes).map(|(g, _)| g)
}

/// [`decode`], or `Ok(None)` when any part of the geometry is not plain two-dimensional ISO WKB
/// (it has Z or M values, or extended-WKB flags or an SRID), for readers that must not drop
/// dimensions silently.
pub fn decode_flat(bytes: &[u8]) -> Result<Option<Geometry<f64>>, String> {
    decode_reporting(bytes).map(|(g, flat)| flat.then_some(g))
}

/// The geometry and whether every type code in it was plain 2D ISO.
fn decode_reporting(bytes: &[u8]) -> Result<(Geometry<f64>, bool), String> {
    let mut r = Reader {
        bytes,
        pos: 0,
        flat: true,
    };
    let g = r.geometry(0)?;
    if r.pos != bytes.len() {
        return Err(format!(
            "{} bytes left over after the geometry",
            bytes.len() - r.pos
        ));
    }
    Ok((g, r.flat))
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// False once a type code with Z, M, extended flags or an SRID has been read.
    flat: bool,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let end = self.pos + N;
        let s = self
            .bytes
            .get(self.pos..end)
            .ok_or_else(|| "the WKB ends early".to_string())?;
        self.pos = end;
        Ok(s.try_into().expect("length checked"))
    }

    fn u32(&mut self, le: bool) -> Result<u32, String> {
        let b = self.take::<4>()?;
        Ok(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn f64(&mut self, le: bool) -> Result<f64, String> {
        let b = self.take::<8>()?;
        Ok(if le {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }

    fn coords(&mut self, le: bool, dims: usize) -> Result<Coord<f64>, String> {
        let x = self.f64(le)?;
        let y = self.f64(le)?;
        for _ in 2..dims {
            self.f64(le)?;
        }
        Ok(Coord { x, y })
    }

    fn line(&mut self, le: bool, dims: usize) -> Result<LineString<f64>, String> {
        let n = self.u32(le)? as usize;
        if n.saturating_mul(dims * 8) > self.bytes.len() - self.pos {
            return Err("the WKB ends early".into());
        }
        (0..n)
            .map(|_| self.coords(le, dims))
            .collect::<Result<Vec<_>, _>>()
            .map(LineString::new)
    }

    fn polygon(&mut self, le: bool, dims: usize) -> Result<Polygon<f64>, String> {
        let n = self.u32(le)? as usize;
        if n == 0 {
            return Ok(Polygon::new(LineString::new(vec![]), vec![]));
        }
        let exterior = self.line(le, dims)?;
        let interiors = (1..n)
            .map(|_| self.line(le, dims))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Polygon::new(exterior, interiors))
    }

    fn geometry(&mut self, depth: usize) -> Result<Geometry<f64>, String> {
        if depth > 32 {
            return Err("geometry collections nested too deeply".into());
        }
        let le = match self.take::<1>()?[0] {
            0 => false,
            1 => true,
            b => return Err(format!("unknown byte order {b}")),
        };
        let code = self.u32(le)?;
        if code > 7 {
            self.flat = false;
        }
        // Extended WKB: flags in the high bits, an SRID after the code.
        let (mut z, mut m) = (code & 0x8000_0000 != 0, code & 0x4000_0000 != 0);
        if code & 0x2000_0000 != 0 {
            self.u32(le)?;
        }
        let code = code & 0x0fff_ffff;
        // ISO WKB: 1000s for Z, 2000s for M, 3000s for both.
        match code / 1000 {
            0 => {}
            1 => z = true,
            2 => m = true,
            3 => (z, m) = (true, true),
            _ => return Err(format!("unknown geometry type {code}")),
        }
        let dims = 2 + usize::from(z) + usize::from(m);
        let multi = |r: &mut Self, want: u32| -> Result<Vec<Geometry<f64>>, String> {
            let n = r.u32(le)? as usize;
            let mut parts = Vec::with_capacity(n.min(1 << 16));
            for _ in 0..n {
                let g = r.geometry(depth + 1)?;
                let ok = matches!(
                    (want, &g),
                    (POINT, Geometry::Point(_))
                        | (LINESTRING, Geometry::LineString(_))
                        | (POLYGON, Geometry::Polygon(_))
                        | (COLLECTION, _)
                );
                if !ok {
                    return Err(format!(
                        "a multi-geometry holds a part of another type ({g:?})"
                    ));
                }
                parts.push(g);
            }
            Ok(parts)
        };
        Ok(match code % 1000 {
            POINT => Geometry::Point(Point(self.coords(le, dims)?)),
            LINESTRING => Geometry::LineString(self.line(le, dims)?),
            POLYGON => Geometry::Polygon(self.polygon(le, dims)?),
            MULTIPOINT => Geometry::MultiPoint(MultiPoint(
                multi(self, POINT)?
                    .into_iter()
                    .filter_map(|g| Point::try_from(g).ok())
                    .collect(),
            )),
            MULTILINESTRING => Geometry::MultiLineString(MultiLineString(
                multi(self, LINESTRING)?
                    .into_iter()
                    .filter_map(|g| LineString::try_from(g).ok())
                    .collect(),
            )),
            MULTIPOLYGON => Geometry::MultiPolygon(MultiPolygon(
                multi(self, POLYGON)?
                    .into_iter()
                    .filter_map(|g| Polygon::try_from(g).ok())
                    .collect(),
            )),
            COLLECTION => {
                Geometry::GeometryCollection(GeometryCollection(multi(self, COLLECTION)?))
            }
            other => return Err(format!("unsupported geometry type {other}")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{line_string, point, polygon};

    #[test]
    fn point_bytes_are_iso_little_endian() {
        let b = encode(&Geometry::Point(point!(x: 1.5, y: -2.0)));
        let mut want = vec![1, 1, 0, 0, 0];
        want.extend_from_slice(&1.5f64.to_le_bytes());
        want.extend_from_slice(&(-2.0f64).to_le_bytes());
        assert_eq!(b, want);
    }

    #[test]
    fn every_type_round_trips() {
        let poly = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 0.0)],
            interiors: [[(x: 1.0, y: 1.0), (x: 2.0, y: 1.0), (x: 2.0, y: 2.0), (x: 1.0, y: 1.0)]],
        );
        let line = line_string![(x: 0.0, y: 0.0), (x: 1.0, y: 2.0), (x: 3.0, y: 1.0)];
        let all = vec![
            Geometry::Point(point!(x: 113.25, y: 23.125)),
            Geometry::LineString(line.clone()),
            Geometry::Polygon(poly.clone()),
            Geometry::MultiPoint(MultiPoint(vec![
                point!(x: 1.0, y: 2.0),
                point!(x: 3.0, y: 4.0),
            ])),
            Geometry::MultiLineString(MultiLineString(vec![line.clone(), line.clone()])),
            Geometry::MultiPolygon(MultiPolygon(vec![poly.clone(), poly.clone()])),
            Geometry::GeometryCollection(GeometryCollection(vec![
                Geometry::Point(point!(x: 0.0, y: 1.0)),
                Geometry::Polygon(poly),
            ])),
        ];
        for g in all {
            assert_eq!(decode(&encode(&g)).unwrap(), g);
        }
    }

    #[test]
    fn big_endian_and_z_are_read() {
        // POINT Z (1 2 3), big-endian ISO.
        let mut b = vec![0u8];
        b.extend_from_slice(&1001u32.to_be_bytes());
        for v in [1.0f64, 2.0, 3.0] {
            b.extend_from_slice(&v.to_be_bytes());
        }
        assert_eq!(decode(&b).unwrap(), Geometry::Point(point!(x: 1.0, y: 2.0)));
        // The same as EWKB with an SRID, little-endian.
        let mut e = vec![1u8];
        e.extend_from_slice(&(1u32 | 0x8000_0000 | 0x2000_0000).to_le_bytes());
        e.extend_from_slice(&4326u32.to_le_bytes());
        for v in [1.0f64, 2.0, 3.0] {
            e.extend_from_slice(&v.to_le_bytes());
        }
        assert_eq!(decode(&e).unwrap(), Geometry::Point(point!(x: 1.0, y: 2.0)));
        // Neither is flat; a 2D multi-line string holding a Z part is not either.
        assert_eq!(decode_flat(&b).unwrap(), None);
        assert_eq!(decode_flat(&e).unwrap(), None);
        let mut m = vec![1u8];
        m.extend_from_slice(&5u32.to_le_bytes());
        m.extend_from_slice(&1u32.to_le_bytes());
        m.push(1);
        m.extend_from_slice(&1002u32.to_le_bytes());
        m.extend_from_slice(&1u32.to_le_bytes());
        for v in [1.0f64, 2.0, 3.0] {
            m.extend_from_slice(&v.to_le_bytes());
        }
        assert!(decode(&m).is_ok());
        assert_eq!(decode_flat(&m).unwrap(), None);
        let flat = Geometry::Point(point!(x: 1.0, y: 2.0));
        assert_eq!(decode_flat(&encode(&flat)).unwrap(), Some(flat));
    }

    #[test]
    fn malformed_input_is_an_error() {
        assert!(decode(&[]).is_err());
        assert!(decode(&[1, 1, 0, 0, 0, 0]).is_err());
        assert!(decode(&[7, 1, 0, 0, 0]).is_err());
        // A line string claiming a billion points.
        let mut b = vec![1u8];
        b.extend_from_slice(&2u32.to_le_bytes());
        b.extend_from_slice(&1_000_000_000u32.to_le_bytes());
        assert!(decode(&b).is_err());
        let mut p = encode(&Geometry::Point(point!(x: 0.0, y: 0.0)));
        p.push(0);
        assert!(decode(&p).is_err());
    }
}
