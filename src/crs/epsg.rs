//! EPSG systems through GDAL/PROJ, in the traditional GIS axis order (x = easting or longitude
//! first). Without the `gdal` feature every EPSG system other than the built-in ones is an error
//! that says so.

use crate::error::{Error, ErrorKind, Result};

#[cfg(feature = "gdal")]
mod with_gdal {
    use super::*;
    use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};

    /// Whether EPSG:`code` is a geographic (longitude/latitude) system; false when unknown.
    pub fn is_geographic(code: u32) -> bool {
        SpatialRef::from_epsg(code)
            .map(|s| s.is_geographic())
            .unwrap_or(false)
    }

    /// Checks that GDAL/PROJ knows EPSG:`code`.
    pub fn validate(code: u32) -> Result<()> {
        traditional_srs(code).map(|_| ())
    }

    /// A prepared transformation between two EPSG systems.
    pub struct Transform(CoordTransform);

    impl Transform {
        /// From EPSG:`from` to EPSG:`to`.
        pub fn new(from: u32, to: u32) -> Result<Transform> {
            CoordTransform::new(&traditional_srs(from)?, &traditional_srs(to)?)
                .map(Transform)
                .map_err(|e| {
                    Error::new(
                        ErrorKind::Crs,
                        format!("no transformation from EPSG:{from} to EPSG:{to}"),
                    )
                    .caused_by(e)
                })
        }

        /// Transforms the coordinates in place.
        pub fn apply(&self, xs: &mut [f64], ys: &mut [f64]) -> Result<()> {
            self.0.transform_coords(xs, ys, &mut []).map_err(|e| {
                Error::new(ErrorKind::Crs, "coordinates cannot be transformed").caused_by(e)
            })
        }
    }

    /// The GDAL spatial reference of EPSG:`code` in the traditional GIS axis order (longitude or
    /// easting first).
    pub fn traditional_srs(code: u32) -> Result<SpatialRef> {
        let mut srs = SpatialRef::from_epsg(code).map_err(|e| {
            Error::new(
                ErrorKind::Crs,
                format!("unknown coordinate system EPSG:{code}"),
            )
            .caused_by(e)
        })?;
        srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
        Ok(srs)
    }
}

#[cfg(not(feature = "gdal"))]
mod without_gdal {
    use super::*;

    fn needs_gdal(code: u32) -> Error {
        Error::new(
            ErrorKind::Crs,
            format!(
                "coordinate system EPSG:{code} needs GDAL, and this lifecircle was built without \
                 it (the `gdal` feature); the built-in systems are wgs84, cgcs2000, gcj02 and bd09"
            ),
        )
    }

    /// Whether EPSG:`code` is a geographic system: unknown without GDAL, so false.
    pub fn is_geographic(_code: u32) -> bool {
        false
    }

    /// Always an error without GDAL.
    pub fn validate(code: u32) -> Result<()> {
        Err(needs_gdal(code))
    }

    /// A transformation between EPSG systems: never made without GDAL.
    pub enum Transform {}

    impl Transform {
        /// Always an error without GDAL.
        pub fn new(from: u32, _to: u32) -> Result<Transform> {
            Err(needs_gdal(from))
        }

        /// Never called: there is no value of this type.
        pub fn apply(&self, _xs: &mut [f64], _ys: &mut [f64]) -> Result<()> {
            match *self {}
        }
    }
}

#[cfg(feature = "gdal")]
pub use with_gdal::*;
#[cfg(not(feature = "gdal"))]
pub use without_gdal::*;
