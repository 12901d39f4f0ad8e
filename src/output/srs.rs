//! The coordinate systems results can be written in, and the conversion of result geometries
//! (always WGS84 inside the tool) into them.
//!
//! Output uses its own enum rather than [`crate::crs::Crs`] because only four systems are
//! useful (and supported) for delivering results to the city planning system; BD-09 and
//! arbitrary EPSG codes are input-only. [`OutputCrs`] converts to and from [`Crs`]
//! (`TryFrom<Crs>` rejects the others with a message listing the allowed ones).
//!
//! | value      | coordinates                          | SRS written to GeoPackage              |
//! |------------|--------------------------------------|----------------------------------------|
//! | `wgs84`    | WGS84 lon/lat degrees                | EPSG:4326                              |
//! | `cgcs2000` | CGCS2000 lon/lat degrees (= WGS84)   | EPSG:4490                              |
//! | `EPSG:4547`| CGCS2000 3° Gauss–Krüger CM 114°E, metres, easting first | EPSG:4547          |
//! | `gcj02`    | GCJ-02 lon/lat degrees (Amap/Tencent) | a user-defined system named `GCJ-02 ...` (WGS 84 ellipsoid); layer description and identifier say GCJ-02 too |
//!
//! GeoJSON output is always RFC 7946 WGS84 and ignores the output system.

use crate::crs::{Crs, Transformer};
use crate::error::{Error, ErrorKind, Result};
#[cfg(feature = "gdal")]
use gdal::spatial_ref::SpatialRef;
use std::fmt;
use std::str::FromStr;

/// A coordinate system results can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OutputCrs {
    /// WGS84 longitude/latitude (EPSG:4326), the default.
    #[default]
    Wgs84,
    /// CGCS2000 longitude/latitude (EPSG:4490); the coordinates equal WGS84 (they agree to a few
    /// centimetres), only the label differs.
    Cgcs2000,
    /// CGCS2000 / 3-degree Gauss–Krüger CM 114°E (EPSG:4547), easting and northing in metres,
    /// easting first.
    Epsg4547,
    /// GCJ-02 longitude/latitude (Amap, Tencent). It has no EPSG code: files carry a
    /// user-defined system named GCJ-02 ([`Crs::spatial_ref`]) and say GCJ-02 in the layer's
    /// description and identifier.
    Gcj02,
}

impl OutputCrs {
    /// All output systems.
    pub const ALL: [OutputCrs; 4] = [
        OutputCrs::Wgs84,
        OutputCrs::Cgcs2000,
        OutputCrs::Epsg4547,
        OutputCrs::Gcj02,
    ];

    /// The same system as a [`Crs`].
    pub fn crs(self) -> Crs {
        match self {
            OutputCrs::Wgs84 => Crs::Wgs84,
            OutputCrs::Cgcs2000 => Crs::Cgcs2000,
            OutputCrs::Epsg4547 => Crs::Epsg(4547),
            OutputCrs::Gcj02 => Crs::Gcj02,
        }
    }

    /// The EPSG code of the system, `None` for GCJ-02 (which has none).
    pub fn epsg_code(self) -> Option<u32> {
        self.crs().epsg_code()
    }

    /// True for longitude/latitude systems, false for EPSG:4547 (metres).
    pub fn is_geographic(self) -> bool {
        self != OutputCrs::Epsg4547
    }

    /// The names of the coordinate columns in tables: `lon`/`lat` for degrees, `x`/`y` for
    /// EPSG:4547 (easting, northing).
    pub fn coordinate_names(self) -> [&'static str; 2] {
        if self.is_geographic() {
            ["lon", "lat"]
        } else {
            ["x", "y"]
        }
    }

    /// The Chinese names of the coordinate columns: `经度`/`纬度`, or `X坐标`/`Y坐标` for
    /// EPSG:4547. Both are understood by the tool's own table reader.
    pub fn coordinate_labels(self) -> [&'static str; 2] {
        if self.is_geographic() {
            ["经度", "纬度"]
        } else {
            ["X坐标", "Y坐标"]
        }
    }

    /// A human-readable note on the system for file metadata, e.g. the GeoPackage layer
    /// description.
    pub fn description(self) -> &'static str {
        match self {
            OutputCrs::Wgs84 => "Coordinates: WGS84 (EPSG:4326)",
            OutputCrs::Cgcs2000 => "Coordinates: CGCS2000 (EPSG:4490)",
            OutputCrs::Epsg4547 => {
                "Coordinates: CGCS2000 / 3-degree Gauss-Kruger CM 114E (EPSG:4547), metres"
            }
            OutputCrs::Gcj02 => "Coordinates: GCJ-02 (Amap/Tencent, 火星坐标), NOT WGS84",
        }
    }

    #[cfg(feature = "gdal")]
    /// The GDAL spatial reference written to files, in the traditional GIS axis order
    /// (longitude or easting first).
    pub fn spatial_ref(self) -> Result<SpatialRef> {
        self.crs().spatial_ref()
    }

    /// The conversion from WGS84 into this system.
    pub fn transformer(self) -> Result<Transformer> {
        Crs::Wgs84.transformer_to(self.crs())
    }
}

impl From<OutputCrs> for Crs {
    fn from(c: OutputCrs) -> Crs {
        c.crs()
    }
}

impl TryFrom<Crs> for OutputCrs {
    type Error = Error;

    fn try_from(c: Crs) -> Result<OutputCrs> {
        match c {
            Crs::Wgs84 | Crs::Epsg(4326) => Ok(OutputCrs::Wgs84),
            Crs::Cgcs2000 | Crs::Epsg(4490) => Ok(OutputCrs::Cgcs2000),
            Crs::Epsg(4547) => Ok(OutputCrs::Epsg4547),
            Crs::Gcj02 => Ok(OutputCrs::Gcj02),
            other => Err(Error::new(
                ErrorKind::Crs,
                format!(
                    "results cannot be written in {other}; use wgs84, cgcs2000, EPSG:4547 or gcj02"
                ),
            )),
        }
    }
}

impl FromStr for OutputCrs {
    type Err = Error;

    /// `wgs84`, `cgcs2000`, `EPSG:4547` or `gcj02`, plus the spellings [`Crs`] accepts for them
    /// (`EPSG:4326`, `EPSG:4490`, `gcj-02`, `amap`, ...).
    fn from_str(s: &str) -> Result<OutputCrs> {
        let t = s.trim().to_ascii_lowercase().replace(['-', '_', ' '], "");
        if t == "epsg:4547" || t == "4547" {
            return Ok(OutputCrs::Epsg4547);
        }
        let crs = s.parse::<Crs>().map_err(|_| {
            Error::new(
                ErrorKind::Crs,
                format!("unknown output coordinate system {s:?}; use wgs84, cgcs2000, EPSG:4547 or gcj02"),
            )
        })?;
        OutputCrs::try_from(crs)
    }
}

impl fmt::Display for OutputCrs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OutputCrs::Wgs84 => "wgs84",
            OutputCrs::Cgcs2000 => "cgcs2000",
            OutputCrs::Epsg4547 => "EPSG:4547",
            OutputCrs::Gcj02 => "gcj02",
        })
    }
}

#[cfg(feature = "gdal")]
pub(crate) use crate::crs::transform_geometry;

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{Coord, Geometry};

    #[test]
    fn parses_the_four_systems_and_rejects_others() {
        assert_eq!("wgs84".parse::<OutputCrs>().unwrap(), OutputCrs::Wgs84);
        assert_eq!("EPSG:4326".parse::<OutputCrs>().unwrap(), OutputCrs::Wgs84);
        assert_eq!(
            "CGCS2000".parse::<OutputCrs>().unwrap(),
            OutputCrs::Cgcs2000
        );
        assert_eq!(
            "epsg:4490".parse::<OutputCrs>().unwrap(),
            OutputCrs::Cgcs2000
        );
        assert_eq!(
            "EPSG:4547".parse::<OutputCrs>().unwrap(),
            OutputCrs::Epsg4547
        );
        assert_eq!("gcj-02".parse::<OutputCrs>().unwrap(), OutputCrs::Gcj02);
        for bad in ["bd09", "EPSG:3857", "mars"] {
            let e = bad.parse::<OutputCrs>().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Crs);
            assert!(e.to_string().contains("EPSG:4547"), "{e}");
        }
        for c in OutputCrs::ALL {
            assert_eq!(c.to_string().parse::<OutputCrs>().unwrap(), c);
            assert_eq!(OutputCrs::try_from(c.crs()).unwrap(), c);
        }
    }

    #[test]
    fn rectangles_become_polygons() {
        let mut g = Geometry::Rect(geo_types::Rect::new((113.0, 23.0), (113.01, 23.01)));
        let t = OutputCrs::Gcj02.transformer().unwrap();
        transform_geometry(&mut g, &t, &mut Vec::new()).unwrap();
        let Geometry::Polygon(p) = g else { panic!() };
        let (x, y) = crate::crs::china::wgs84_to_gcj02(113.0, 23.0);
        assert!(p.exterior().0.contains(&Coord { x, y }));
    }
}
