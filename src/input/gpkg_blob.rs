//! GeoPackage geometry blobs (GeoPackageBinary, OGC 12-128r18 §2.1.3) decoded into geometries,
//! with the same result as reading the feature through GDAL and `to_geo()`: missing and empty
//! geometries are `None`, coordinates are copied unchanged. Anything whose GDAL result is not
//! certain (extended blobs, Z or M values, NaN coordinates in a non-empty geometry, polygons
//! without rings inside other geometries) is refused, so that the caller can let GDAL read it.

use crate::wkb;
use geo_types::{Coord, Geometry, Polygon};

/// The two magic bytes that open every blob.
const MAGIC: [u8; 2] = *b"GP";
/// Bytes before the envelope: magic, version, flags, SRS id.
const FIXED_LEN: usize = 8;

/// Which envelope a blob carries (bits 1–3 of the flags byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// No envelope.
    None,
    /// minx, maxx, miny, maxy.
    Xy,
    /// minx, maxx, miny, maxy, minz, maxz.
    Xyz,
    /// minx, maxx, miny, maxy, minm, maxm.
    Xym,
    /// minx, maxx, miny, maxy, minz, maxz, minm, maxm.
    Xyzm,
}

impl Envelope {
    /// The envelope's length in bytes (four, six or eight doubles, or none).
    pub fn byte_len(self) -> usize {
        match self {
            Envelope::None => 0,
            Envelope::Xy => 32,
            Envelope::Xyz | Envelope::Xym => 48,
            Envelope::Xyzm => 64,
        }
    }
}

/// The header of a blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The SRS id and envelope are little-endian (flags bit 0); the WKB has its own byte order.
    pub little_endian: bool,
    /// The envelope kind.
    pub envelope: Envelope,
    /// The empty-geometry flag (bit 4).
    pub empty: bool,
    /// The ExtendedGeoPackageBinary flag (bit 5): the body is not plain WKB.
    pub extended: bool,
    /// The `srs_id` of the geometry.
    pub srs_id: i32,
    /// Bytes from the start of the blob to the WKB (header and envelope).
    pub len: usize,
}

/// Reads the header of `blob`; the message says what is wrong with it.
pub fn header(blob: &[u8]) -> Result<Header, String> {
    let fixed = blob
        .get(..FIXED_LEN)
        .ok_or_else(|| format!("a geometry blob of {} bytes", blob.len()))?;
    if fixed[..2] != MAGIC {
        return Err("a geometry blob without the GP magic".into());
    }
    if fixed[2] != 0 {
        return Err(format!("GeoPackageBinary version {}", fixed[2]));
    }
    let flags = fixed[3];
    if flags & 0xC0 != 0 {
        return Err(format!("reserved geometry blob flags {flags:#04x}"));
    }
    let little_endian = flags & 1 != 0;
    let envelope = match (flags >> 1) & 7 {
        0 => Envelope::None,
        1 => Envelope::Xy,
        2 => Envelope::Xyz,
        3 => Envelope::Xym,
        4 => Envelope::Xyzm,
        k => return Err(format!("geometry blob envelope kind {k}")),
    };
    let id = [fixed[4], fixed[5], fixed[6], fixed[7]];
    let srs_id = if little_endian {
        i32::from_le_bytes(id)
    } else {
        i32::from_be_bytes(id)
    };
    let len = FIXED_LEN + envelope.byte_len();
    if blob.len() < len {
        return Err("a geometry blob ending inside its envelope".into());
    }
    Ok(Header {
        little_endian,
        envelope,
        empty: flags & 0x10 != 0,
        extended: flags & 0x20 != 0,
        srs_id,
        len,
    })
}

/// The geometry of a blob as the GDAL path reads it: `None` for an empty geometry, or a message
/// saying why the blob is refused (malformed, or something the GDAL result of is not certain).
pub fn geometry(blob: &[u8]) -> Result<Option<Geometry<f64>>, String> {
    let h = header(blob)?;
    if h.extended {
        return Err("an extended GeoPackage geometry blob".into());
    }
    let g = wkb::decode_flat(&blob[h.len..])?
        .ok_or_else(|| "a geometry with Z or M values".to_string())?;
    let mut shape = Shape::default();
    shape.visit(&g, true);
    if shape.coords == 0 || shape.nan_point_only {
        return Ok(None);
    }
    if shape.nan || shape.ringless_polygon {
        return Err("a geometry with empty or NaN parts".into());
    }
    if h.empty {
        return Err("a non-empty geometry flagged empty".into());
    }
    Ok(Some(g))
}

/// What a geometry holds, for telling empty geometries (GDAL: no coordinates, or a point of NaN
/// coordinates) from those with parts GDAL's conversion may treat differently.
#[derive(Default)]
struct Shape {
    /// Number of coordinates.
    coords: usize,
    /// Some coordinate has a NaN.
    nan: bool,
    /// The geometry is a single point with both coordinates NaN (GDAL's empty point).
    nan_point_only: bool,
    /// Some polygon has no exterior ring (GDAL has no ring 0 for it).
    ringless_polygon: bool,
}

impl Shape {
    fn coord(&mut self, c: &Coord<f64>) {
        self.coords += 1;
        self.nan |= c.x.is_nan() || c.y.is_nan();
    }

    fn polygon(&mut self, p: &Polygon<f64>) {
        self.ringless_polygon |= p.exterior().0.is_empty();
        for c in p
            .exterior()
            .0
            .iter()
            .chain(p.interiors().iter().flat_map(|r| &r.0))
        {
            self.coord(c);
        }
    }

    fn visit(&mut self, g: &Geometry<f64>, top: bool) {
        match g {
            Geometry::Point(p) => {
                self.coord(&p.0);
                if top && p.x().is_nan() && p.y().is_nan() {
                    self.nan_point_only = true;
                }
            }
            Geometry::LineString(l) => l.0.iter().for_each(|c| self.coord(c)),
            Geometry::Polygon(p) => self.polygon(p),
            Geometry::MultiPoint(m) => m.0.iter().for_each(|p| self.coord(&p.0)),
            Geometry::MultiLineString(m) => {
                m.0.iter().flat_map(|l| &l.0).for_each(|c| self.coord(c))
            }
            Geometry::MultiPolygon(m) => m.0.iter().for_each(|p| self.polygon(p)),
            Geometry::GeometryCollection(c) => c.0.iter().for_each(|g| self.visit(g, false)),
            // The WKB reader makes none of these.
            Geometry::Line(_) | Geometry::Rect(_) | Geometry::Triangle(_) => self.nan = true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{line_string, point};

    /// A blob of `wkb` with the given flags byte, SRS id and envelope of `env_len` bytes.
    fn blob(flags: u8, srs_id: i32, env_len: usize, wkb: &[u8]) -> Vec<u8> {
        let mut b = vec![b'G', b'P', 0, flags];
        if flags & 1 != 0 {
            b.extend_from_slice(&srs_id.to_le_bytes());
        } else {
            b.extend_from_slice(&srs_id.to_be_bytes());
        }
        b.extend(std::iter::repeat_n(0xAB, env_len));
        b.extend_from_slice(wkb);
        b
    }

    #[test]
    fn every_envelope_kind_in_both_byte_orders() {
        let line = Geometry::LineString(line_string![(x: 1.0, y: 2.0), (x: 3.5, y: -4.25)]);
        let wkb = wkb::encode(&line);
        let kinds = [
            (Envelope::None, 0),
            (Envelope::Xy, 32),
            (Envelope::Xyz, 48),
            (Envelope::Xym, 48),
            (Envelope::Xyzm, 64),
        ];
        for (k, (env, len)) in kinds.into_iter().enumerate() {
            for le in [0u8, 1] {
                let b = blob(((k as u8) << 1) | le, 4547, len, &wkb);
                let h = header(&b).unwrap();
                assert_eq!(h.envelope, env);
                assert_eq!(h.envelope.byte_len(), len);
                assert_eq!(h.little_endian, le == 1);
                assert_eq!(h.srs_id, 4547);
                assert_eq!(h.len, 8 + len);
                assert!(!h.empty && !h.extended);
                assert_eq!(geometry(&b).unwrap(), Some(line.clone()));
            }
        }
    }

    #[test]
    fn empty_geometries_are_none() {
        // An empty point as GDAL writes it: NaN coordinates, the empty flag set.
        let nan = wkb::encode(&Geometry::Point(point!(x: f64::NAN, y: f64::NAN)));
        assert_eq!(geometry(&blob(0x11, 4326, 0, &nan)).unwrap(), None);
        let empty_line = wkb::encode(&Geometry::LineString(line_string![]));
        assert_eq!(geometry(&blob(0x11, 4326, 0, &empty_line)).unwrap(), None);
        assert_eq!(geometry(&blob(0x01, 4326, 0, &empty_line)).unwrap(), None);
        // Flagged empty but holding a point: refused rather than guessed.
        let pt = wkb::encode(&Geometry::Point(point!(x: 1.0, y: 2.0)));
        assert!(geometry(&blob(0x11, 4326, 0, &pt)).is_err());
        // A point with one NaN coordinate is not empty to GDAL: refused.
        let half = wkb::encode(&Geometry::Point(point!(x: f64::NAN, y: 2.0)));
        assert!(geometry(&blob(0x01, 4326, 0, &half)).is_err());
    }

    #[test]
    fn malformed_and_unsupported_blobs_are_refused() {
        let pt = wkb::encode(&Geometry::Point(point!(x: 1.0, y: 2.0)));
        let good = blob(0x03, 0, 32, &pt);
        assert!(geometry(&good).is_ok());
        let mut bad_magic = good.clone();
        bad_magic[0] = b'X';
        assert!(header(&bad_magic).is_err());
        let mut version = good.clone();
        version[2] = 1;
        assert!(header(&version).is_err());
        // Envelope kinds 5 to 7 are invalid.
        assert!(header(&blob(5 << 1, 0, 0, &pt)).is_err());
        // Extended blobs are refused.
        assert!(header(&blob(0x21, 0, 0, &pt)).unwrap().extended);
        assert!(geometry(&blob(0x21, 0, 0, &pt)).is_err());
        // Short: inside the fixed header, inside the envelope, inside the WKB.
        assert!(header(&good[..5]).is_err());
        assert!(header(&good[..20]).is_err());
        assert!(geometry(&good[..good.len() - 1]).is_err());
    }

    #[test]
    fn z_geometries_are_refused() {
        // POINT Z (1 2 3), ISO little-endian.
        let mut z = vec![1u8];
        z.extend_from_slice(&1001u32.to_le_bytes());
        for v in [1.0f64, 2.0, 3.0] {
            z.extend_from_slice(&v.to_le_bytes());
        }
        assert!(geometry(&blob(0x05, 0, 48, &z)).is_err());
    }
}
