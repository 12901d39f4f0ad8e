//! Coordinate reference systems the tool reads and writes.
//!
//! Everything inside the tool is WGS84 longitude/latitude in degrees. Inputs are converted on the
//! way in and outputs on the way out. The systems Chinese GIS staff meet are built in:
//!
//! | name       | what it is                                                    |
//! |------------|---------------------------------------------------------------|
//! | `wgs84`    | GPS / OpenStreetMap (EPSG:4326)                               |
//! | `cgcs2000` | China Geodetic Coordinate System 2000 (EPSG:4490); agrees with WGS84 to a few centimetres, used as is |
//! | `gcj02`    | Amap / Tencent web-map coordinates, see [`china`]             |
//! | `bd09`     | Baidu web-map coordinates, see [`china`]                      |
//! | `EPSG:n`   | any system GDAL/PROJ knows, e.g. EPSG:4547 (CGCS2000 3° GK CM 114°E) |
//!
//! EPSG systems are always read and written in the traditional GIS axis order (x = easting or
//! longitude first), whatever the EPSG definition says.

pub mod china;
mod epsg;
#[cfg(feature = "gdal")]
pub(crate) use epsg::traditional_srs;
mod geometry;

pub use geometry::transform_geometry;

use crate::error::{Error, ErrorKind, Result};
#[cfg(feature = "gdal")]
use gdal::spatial_ref::SpatialRef;
use std::fmt;
use std::str::FromStr;

/// A coordinate reference system of an input or output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Crs {
    /// WGS84 longitude/latitude in degrees (EPSG:4326).
    Wgs84,
    /// CGCS2000 longitude/latitude in degrees (EPSG:4490), treated as equal to WGS84.
    Cgcs2000,
    /// GCJ-02 longitude/latitude in degrees (Amap, Tencent).
    Gcj02,
    /// BD-09 longitude/latitude in degrees (Baidu).
    Bd09,
    /// Any other EPSG code, transformed with GDAL/PROJ.
    Epsg(u32),
}

impl Crs {
    /// True when coordinates are longitude/latitude degrees (so they can be range-checked).
    pub fn is_geographic(self) -> bool {
        match self {
            Crs::Epsg(code) => epsg::is_geographic(code),
            _ => true,
        }
    }

    /// Checks that GDAL/PROJ knows this system (always true for the built-in ones).
    pub fn validate(self) -> Result<()> {
        match self {
            Crs::Epsg(code) => epsg::validate(code),
            _ => Ok(()),
        }
    }

    /// The EPSG code GDAL should write into output files for this system, if any.
    pub fn epsg_code(self) -> Option<u32> {
        match self {
            Crs::Wgs84 => Some(4326),
            Crs::Cgcs2000 => Some(4490),
            Crs::Gcj02 | Crs::Bd09 => None,
            Crs::Epsg(c) => Some(c),
        }
    }

    /// Converts points given in this system to WGS84 degrees, in place.
    pub fn to_wgs84(self, points: &mut [[f64; 2]]) -> Result<()> {
        self.transformer_to(Crs::Wgs84)?.apply(points)
    }

    /// Converts WGS84 points to this system, in place.
    pub fn from_wgs84(self, points: &mut [[f64; 2]]) -> Result<()> {
        Crs::Wgs84.transformer_to(self)?.apply(points)
    }

    /// Converts points from this system to `to`, in place.
    pub fn convert(self, to: Crs, points: &mut [[f64; 2]]) -> Result<()> {
        self.transformer_to(to)?.apply(points)
    }

    /// A reusable conversion from this system to `to` (create once, apply to many batches).
    pub fn transformer_to(self, to: Crs) -> Result<Transformer> {
        let norm = |c: Crs| match c {
            Crs::Epsg(4326) | Crs::Cgcs2000 | Crs::Epsg(4490) => Crs::Wgs84,
            c => c,
        };
        let (from, to) = (norm(self), norm(to));
        let mut steps = Vec::new();
        if from == to {
            return Ok(Transformer { steps });
        }
        match from {
            Crs::Wgs84 => {}
            Crs::Gcj02 => steps.push(Step::Fn(china::gcj02_to_wgs84)),
            Crs::Bd09 => steps.push(Step::Fn(china::bd09_to_wgs84)),
            Crs::Epsg(code) => steps.push(Step::Epsg(epsg::Transform::new(code, 4326)?)),
            Crs::Cgcs2000 => unreachable!("normalised"),
        }
        match to {
            Crs::Wgs84 => {}
            Crs::Gcj02 => steps.push(Step::Fn(china::wgs84_to_gcj02)),
            Crs::Bd09 => steps.push(Step::Fn(china::wgs84_to_bd09)),
            Crs::Epsg(code) => steps.push(Step::Epsg(epsg::Transform::new(4326, code)?)),
            Crs::Cgcs2000 => unreachable!("normalised"),
        }
        Ok(Transformer { steps })
    }

    /// The spatial reference written to files for this system, in the traditional GIS axis
    /// order (longitude or easting first). GCJ-02 and BD-09 have no EPSG code: they are written
    /// as user-defined geographic systems on the WGS 84 ellipsoid whose names say what they are
    /// ("GCJ-02 ..."/"BD-09 ..."), which [`Crs::from_spatial_ref`] reads back.
    ///
    /// ```
    /// use lifecircle::crs::Crs;
    /// let srs = Crs::Gcj02.spatial_ref().unwrap();
    /// assert!(srs.name().unwrap().starts_with("GCJ-02"));
    /// assert_eq!(Crs::from_spatial_ref(&srs), Some(Crs::Gcj02));
    /// ```
    #[cfg(feature = "gdal")]
    pub fn spatial_ref(self) -> Result<SpatialRef> {
        let web_map = |name: &str, datum: &str| {
            let wkt = format!(
                "GEOGCS[\"{name}\",DATUM[\"{datum}\",SPHEROID[\"WGS 84\",6378137,298.257223563]],\
                 PRIMEM[\"Greenwich\",0],UNIT[\"degree\",0.0174532925199433],\
                 AXIS[\"Longitude\",EAST],AXIS[\"Latitude\",NORTH]]"
            );
            let mut srs = SpatialRef::from_wkt(&wkt).map_err(|e| {
                Error::new(ErrorKind::Crs, format!("cannot define {name}")).caused_by(e)
            })?;
            srs.set_axis_mapping_strategy(
                gdal::spatial_ref::AxisMappingStrategy::TraditionalGisOrder,
            );
            Ok(srs)
        };
        match self {
            Crs::Gcj02 => web_map(
                "GCJ-02 (Amap/Tencent, not WGS 84: offset from it by the GCJ-02 algorithm)",
                "GCJ-02 offset of World Geodetic System 1984",
            ),
            Crs::Bd09 => web_map(
                "BD-09 (Baidu, not WGS 84: offset from it by the BD-09 algorithm)",
                "BD-09 offset of World Geodetic System 1984",
            ),
            Crs::Wgs84 => traditional_srs(4326),
            Crs::Cgcs2000 => traditional_srs(4490),
            Crs::Epsg(code) => traditional_srs(code),
        }
    }

    #[cfg(feature = "gdal")]
    /// The system of a GDAL spatial reference: the built-in variant when it is EPSG:4326 or 4490,
    /// else its EPSG code when it has one.
    pub fn from_spatial_ref(srs: &SpatialRef) -> Option<Crs> {
        // The systems of Chinese web maps have no EPSG code: files name them (see
        // [`Crs::spatial_ref`]).
        let name = srs.name().unwrap_or_default();
        if name.starts_with("GCJ-02") {
            return Some(Crs::Gcj02);
        }
        if name.starts_with("BD-09") {
            return Some(Crs::Bd09);
        }
        let mut srs = srs.clone();
        let code = match (srs.auth_name(), srs.auth_code()) {
            (Some(name), Ok(code)) if name.eq_ignore_ascii_case("EPSG") => Some(code),
            _ => {
                let _ = srs.auto_identify_epsg();
                srs.auth_code().ok()
            }
        }?;
        Some(match code {
            4326 => Crs::Wgs84,
            4490 => Crs::Cgcs2000,
            c => Crs::Epsg(u32::try_from(c).ok()?),
        })
    }
}

/// A prepared conversion between two systems; see [`Crs::transformer_to`].
pub struct Transformer {
    steps: Vec<Step>,
}

enum Step {
    Fn(fn(f64, f64) -> (f64, f64)),
    Epsg(epsg::Transform),
}

impl Transformer {
    /// Converts points in place.
    pub fn apply(&self, points: &mut [[f64; 2]]) -> Result<()> {
        for step in &self.steps {
            match step {
                Step::Fn(f) => {
                    for p in points.iter_mut() {
                        let (x, y) = f(p[0], p[1]);
                        *p = [x, y];
                    }
                }
                Step::Epsg(t) => {
                    if points.is_empty() {
                        continue;
                    }
                    let mut xs: Vec<f64> = points.iter().map(|p| p[0]).collect();
                    let mut ys: Vec<f64> = points.iter().map(|p| p[1]).collect();
                    t.apply(&mut xs, &mut ys)?;
                    for (p, (x, y)) in points.iter_mut().zip(xs.into_iter().zip(ys)) {
                        *p = [x, y];
                    }
                }
            }
        }
        Ok(())
    }

    /// True when the conversion does nothing.
    pub fn is_identity(&self) -> bool {
        self.steps.is_empty()
    }
}

impl FromStr for Crs {
    type Err = Error;

    fn from_str(s: &str) -> Result<Crs> {
        let t = s.trim().to_ascii_lowercase().replace(['-', '_', ' '], "");
        let crs = match t.as_str() {
            "wgs84" | "epsg:4326" | "4326" => Crs::Wgs84,
            "cgcs2000" | "epsg:4490" | "4490" => Crs::Cgcs2000,
            "gcj02" | "amap" | "gaode" | "tencent" => Crs::Gcj02,
            "bd09" | "bd09ll" | "baidu" => Crs::Bd09,
            _ => {
                let code = t
                    .strip_prefix("epsg:")
                    .and_then(|c| c.parse::<u32>().ok())
                    .ok_or_else(|| {
                        Error::new(
                            ErrorKind::Crs,
                            format!(
                                "unknown coordinate system {s:?}; use wgs84, cgcs2000, gcj02, bd09 or EPSG:<code>"
                            ),
                        )
                    })?;
                let crs = Crs::Epsg(code);
                crs.validate()?;
                crs
            }
        };
        Ok(crs)
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Crs::Wgs84 => write!(f, "wgs84"),
            Crs::Cgcs2000 => write!(f, "cgcs2000"),
            Crs::Gcj02 => write!(f, "gcj02"),
            Crs::Bd09 => write!(f, "bd09"),
            Crs::Epsg(c) => write!(f, "EPSG:{c}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_codes() {
        assert_eq!("WGS84".parse::<Crs>().unwrap(), Crs::Wgs84);
        assert_eq!("EPSG:4490".parse::<Crs>().unwrap(), Crs::Cgcs2000);
        assert_eq!("gcj-02".parse::<Crs>().unwrap(), Crs::Gcj02);
        assert_eq!("epsg:4547".parse::<Crs>().unwrap(), Crs::Epsg(4547));
        let e = "epsg:999999".parse::<Crs>().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Crs);
        assert!("mars"
            .parse::<Crs>()
            .unwrap_err()
            .to_string()
            .contains("mars"));
    }

    #[test]
    fn cgcs2000_gauss_kruger_zone_114_is_easting_first() {
        // A point on the central meridian 114°E: easting is the false easting 500 000 m.
        let mut p = [[114.0, 23.0]];
        Crs::Wgs84.convert(Crs::Epsg(4547), &mut p).unwrap();
        assert!((p[0][0] - 500_000.0).abs() < 1e-3, "{:?}", p);
        assert!((p[0][1] - 2_544_000.0).abs() < 5_000.0, "{:?}", p);
        Crs::Epsg(4547).to_wgs84(&mut p).unwrap();
        assert!((p[0][0] - 114.0).abs() < 1e-9 && (p[0][1] - 23.0).abs() < 1e-9);
    }
}
