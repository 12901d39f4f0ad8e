//! Ground distances on the WGS84 ellipsoid, in metres.
//!
//! Street segments are short, so [`ground_distance`] evaluates the ellipsoidal distance with the
//! meridional and prime-vertical radii of curvature at the segment's mid-latitude. For segments
//! below [`SHORT_SEGMENT_M`] its relative error against Karney's exact geodesic is below 2e-8 up to
//! 80° latitude (checked by a test); longer segments fall back to Karney's algorithm (`geo::Geodesic`).
//! No grid projection (UTM, Web Mercator) is ever used for lengths. Areas ([`polygon_area_m2`])
//! are Karney's geodesic areas, whichever way the rings run.

use geo::{Distance, Geodesic, GeodesicArea, LineString, MultiPolygon, Point, Polygon};

mod conformal;
pub use conformal::ConformalPlane;

/// WGS84 semi-major axis in metres.
pub const WGS84_A: f64 = 6_378_137.0;
/// WGS84 flattening.
pub const WGS84_F: f64 = 1.0 / 298.257_223_563;
const WGS84_E2: f64 = WGS84_F * (2.0 - WGS84_F);

/// Segments shorter than this (metres) use the mid-latitude formula; longer ones Karney's geodesic.
pub const SHORT_SEGMENT_M: f64 = 2_000.0;

/// Metres per degree of longitude and of latitude at latitude `lat` (degrees) on WGS84.
#[inline]
pub fn metres_per_degree(lat: f64) -> (f64, f64) {
    let phi = lat.to_radians();
    let s = phi.sin();
    let w2 = 1.0 - WGS84_E2 * s * s;
    let w = w2.sqrt();
    let n = WGS84_A / w; // prime vertical radius
    let m = WGS84_A * (1.0 - WGS84_E2) / (w2 * w); // meridional radius
    let k = std::f64::consts::PI / 180.0;
    (n * phi.cos() * k, m * k)
}

/// Ground distance in metres between two WGS84 positions `[lon, lat]` in degrees.
///
/// ```
/// use lifecircle::geodesy::ground_distance;
/// // One minute of latitude at the equator is about 1843 m.
/// let d = ground_distance([0.0, 0.0], [0.0, 1.0 / 60.0]);
/// assert!((d - 1842.9).abs() < 0.1);
/// ```
#[inline]
pub fn ground_distance(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (kx, ky) = metres_per_degree(0.5 * (a[1] + b[1]));
    let dx = (b[0] - a[0]) * kx;
    let dy = (b[1] - a[1]) * ky;
    let d = dx.hypot(dy);
    if d < SHORT_SEGMENT_M && (b[0] - a[0]).abs() < 1.0 {
        d
    } else {
        Geodesic.distance(Point::new(a[0], a[1]), Point::new(b[0], b[1]))
    }
}

/// Ground length in metres of a polyline of WGS84 positions.
pub fn polyline_length(points: &[[f64; 2]]) -> f64 {
    points.windows(2).map(|w| ground_distance(w[0], w[1])).sum()
}

/// Geodesic area enclosed by a closed ring of WGS84 positions, m², whichever way it runs.
///
/// geo's unsigned geodesic area assumes counter-clockwise outer rings and measures a clockwise
/// ring as the rest of the Earth; the signed area of a small ring is its area with the sign of
/// its direction, so its magnitude is the area either way.
pub fn ring_area_m2(ring: &LineString<f64>) -> f64 {
    if ring.0.len() < 3 {
        return 0.0;
    }
    Polygon::new(ring.clone(), vec![])
        .geodesic_area_signed()
        .abs()
}

/// Geodesic area of a polygon of WGS84 positions on the WGS84 ellipsoid, m²: the outer ring's
/// area less its holes', whichever way each ring runs.
///
/// ```
/// use geo::{LineString, Polygon};
/// use lifecircle::geodesy::polygon_area_m2;
/// // A square of 0.001° at 23°N, counter-clockwise and clockwise: 11,353.7 m² either way
/// // (11,353.716 m² by pyproj's geodesic area).
/// let ring = vec![(113.0, 23.0), (113.001, 23.0), (113.001, 23.001), (113.0, 23.001), (113.0, 23.0)];
/// let ccw = Polygon::new(LineString::from(ring.clone()), vec![]);
/// let cw = Polygon::new(LineString::from(ring.into_iter().rev().collect::<Vec<_>>()), vec![]);
/// let a = polygon_area_m2(&ccw);
/// assert!((a - 11_353.716).abs() < 1e-3);
/// assert_eq!(a, polygon_area_m2(&cw));
/// ```
pub fn polygon_area_m2(p: &Polygon<f64>) -> f64 {
    let holes: f64 = p.interiors().iter().map(ring_area_m2).sum();
    (ring_area_m2(p.exterior()) - holes).max(0.0)
}

/// Geodesic area of a multipolygon of WGS84 positions, m²: the sum of its polygons' areas
/// ([`polygon_area_m2`]).
pub fn multipolygon_area_m2(mp: &MultiPolygon<f64>) -> f64 {
    mp.0.iter().map(polygon_area_m2).sum()
}

/// A local plane centred on a study area, for nearest-neighbour searches only (lengths are always
/// measured with [`ground_distance`]). x is east, y is north, both in metres.
#[derive(Debug, Clone, Copy)]
pub struct LocalPlane {
    lon0: f64,
    lat0: f64,
    kx: f64,
    ky: f64,
}

impl LocalPlane {
    /// A plane tangent at `[lon, lat]` (degrees).
    pub fn new(centre: [f64; 2]) -> Self {
        let (kx, ky) = metres_per_degree(centre[1]);
        LocalPlane {
            lon0: centre[0],
            lat0: centre[1],
            kx,
            ky,
        }
    }

    /// Projects a WGS84 position to plane metres.
    #[inline]
    pub fn project(&self, p: [f64; 2]) -> [f64; 2] {
        [(p[0] - self.lon0) * self.kx, (p[1] - self.lat0) * self.ky]
    }

    /// Back from plane metres to WGS84 degrees.
    #[inline]
    pub fn unproject(&self, p: [f64; 2]) -> [f64; 2] {
        [p[0] / self.kx + self.lon0, p[1] / self.ky + self.lat0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn karney(a: [f64; 2], b: [f64; 2]) -> f64 {
        Geodesic.distance(Point::new(a[0], a[1]), Point::new(b[0], b[1]))
    }

    proptest! {
        #[test]
        fn short_segments_match_karney(
            lon in -179.0f64..179.0, lat in -80.0f64..80.0,
            dx in -0.015f64..0.015, dy in -0.015f64..0.015,
        ) {
            let a = [lon, lat];
            let b = [lon + dx, lat + dy];
            let exact = karney(a, b);
            let fast = ground_distance(a, b);
            prop_assert!((fast - exact).abs() <= 2e-8 * exact + 1e-9,
                "fast {fast} exact {exact}");
        }
    }

    #[test]
    fn long_segments_use_karney() {
        let a = [113.0, 23.0];
        let b = [113.5, 23.4];
        assert_eq!(ground_distance(a, b), karney(a, b));
    }
}
