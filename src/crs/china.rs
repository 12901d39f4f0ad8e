//! The Chinese web-map coordinate systems: GCJ-02 (Amap, Tencent) and BD-09 (Baidu).
//!
//! GCJ-02 is WGS84 shifted by a closed-form, non-linear offset (100–700 m) computed on the
//! Krasovsky ellipsoid (a = 6 378 245 m, e² = 0.006 693 421 622 965 943 23). BD-09 adds a further
//! polar shift to GCJ-02. Both forward transforms are closed formulas; the inverses are solved here
//! by fixed-point iteration until the residual is below 1e-12 degrees (about 0.1 µm), far inside
//! the 0.01 m the tool promises.
//!
//! The offset is applied only inside mainland China, approximated by the bounding box used by the
//! published implementations (72.004–137.8347 °E, 0.8293–55.8271 °N); outside it the systems
//! equal WGS84.

use std::f64::consts::PI;

const KRASOVSKY_A: f64 = 6_378_245.0;
#[allow(clippy::excessive_precision)] // the constant as published
const KRASOVSKY_EE: f64 = 0.006_693_421_622_965_943_23;
const BD_X_PI: f64 = PI * 3000.0 / 180.0;
const INVERSE_TOLERANCE_DEG: f64 = 1e-12;
const INVERSE_MAX_ITERATIONS: usize = 50;

/// True when a WGS84/GCJ-02 position (degrees) lies where the GCJ-02 offset applies.
pub fn in_mainland_china(lon: f64, lat: f64) -> bool {
    (72.004..=137.8347).contains(&lon) && (0.8293..=55.8271).contains(&lat)
}

fn offset_lat(x: f64, y: f64) -> f64 {
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn offset_lon(x: f64, y: f64) -> f64 {
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// WGS84 → GCJ-02 (degrees). Identity outside mainland China.
pub fn wgs84_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    if !in_mainland_china(lon, lat) {
        return (lon, lat);
    }
    let dlat = offset_lat(lon - 105.0, lat - 35.0);
    let dlon = offset_lon(lon - 105.0, lat - 35.0);
    let rad_lat = lat / 180.0 * PI;
    let magic = 1.0 - KRASOVSKY_EE * rad_lat.sin().powi(2);
    let sqrt_magic = magic.sqrt();
    let dlat = (dlat * 180.0) / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * PI);
    let dlon = (dlon * 180.0) / (KRASOVSKY_A / sqrt_magic * rad_lat.cos() * PI);
    (lon + dlon, lat + dlat)
}

/// Solves `forward(w) = target` for `w` by fixed-point iteration, starting at `target`.
fn invert(target: (f64, f64), forward: impl Fn(f64, f64) -> (f64, f64)) -> (f64, f64) {
    let (mut lon, mut lat) = target;
    for _ in 0..INVERSE_MAX_ITERATIONS {
        let (flon, flat) = forward(lon, lat);
        let (dlon, dlat) = (target.0 - flon, target.1 - flat);
        lon += dlon;
        lat += dlat;
        if dlon.abs() < INVERSE_TOLERANCE_DEG && dlat.abs() < INVERSE_TOLERANCE_DEG {
            break;
        }
    }
    (lon, lat)
}

/// GCJ-02 → WGS84 (degrees), iterative inverse accurate to about 1e-12 degrees.
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    if !in_mainland_china(lon, lat) {
        return (lon, lat);
    }
    invert((lon, lat), wgs84_to_gcj02)
}

/// GCJ-02 → BD-09 (degrees). Identity outside mainland China.
pub fn gcj02_to_bd09(lon: f64, lat: f64) -> (f64, f64) {
    if !in_mainland_china(lon, lat) {
        return (lon, lat);
    }
    let z = (lon * lon + lat * lat).sqrt() + 0.00002 * (lat * BD_X_PI).sin();
    let theta = lat.atan2(lon) + 0.000003 * (lon * BD_X_PI).cos();
    (z * theta.cos() + 0.0065, z * theta.sin() + 0.006)
}

/// BD-09 → GCJ-02 (degrees), iterative inverse accurate to about 1e-12 degrees.
pub fn bd09_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    if !in_mainland_china(lon, lat) {
        return (lon, lat);
    }
    invert((lon, lat), gcj02_to_bd09)
}

/// WGS84 → BD-09 (degrees).
pub fn wgs84_to_bd09(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = wgs84_to_gcj02(lon, lat);
    gcj02_to_bd09(x, y)
}

/// BD-09 → WGS84 (degrees).
pub fn bd09_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = bd09_to_gcj02(lon, lat);
    gcj02_to_wgs84(x, y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesy::ground_distance;

    #[test]
    fn outside_china_is_identity() {
        assert_eq!(wgs84_to_gcj02(9.52, 47.14), (9.52, 47.14));
        assert_eq!(bd09_to_wgs84(-46.63, -23.55), (-46.63, -23.55));
    }

    #[test]
    fn guangzhou_offset_is_hundreds_of_metres() {
        // Guangzhou Tower, WGS84.
        let (lon, lat) = (113.3191, 23.1066);
        let (glon, glat) = wgs84_to_gcj02(lon, lat);
        let d = ground_distance([lon, lat], [glon, glat]);
        assert!((100.0..700.0).contains(&d), "GCJ-02 offset {d} m");
        let (blon, blat) = wgs84_to_bd09(lon, lat);
        let d = ground_distance([lon, lat], [blon, blat]);
        assert!((500.0..1500.0).contains(&d), "BD-09 offset {d} m");
    }
}
