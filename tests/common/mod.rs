//! Helpers shared by the integration tests: temporary folders, running the binary, reading CSV.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

/// Runs the `lifecircle` binary with `args`.
pub fn run(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_lifecircle"))
        .args(args)
        .output()
        .expect("binary runs")
}

/// Stderr of a run as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Reads a CSV written by the tool (UTF-8 with BOM) into header + rows.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).expect("output exists");
    let text = text.strip_prefix('\u{feff}').expect("UTF-8 BOM");
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let h = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (h, rows)
}

/// Path of a file in `dir`.
pub fn p(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

/// Path as &str.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A GeoJSON FeatureCollection of line strings, `[lon, lat]` coordinates, with properties.
pub fn lines_geojson(lines: &[(&[[f64; 2]], &str)]) -> String {
    let feats: Vec<String> = lines
        .iter()
        .map(|(coords, props)| {
            let c: Vec<String> = coords.iter().map(|p| format!("[{:?},{:?}]", p[0], p[1])).collect();
            format!(
                r#"{{"type":"Feature","properties":{{{props}}},"geometry":{{"type":"LineString","coordinates":[{}]}}}}"#,
                c.join(",")
            )
        })
        .collect();
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        feats.join(",")
    )
}

/// GDAL's GeoPackage validator (`validate_gpkg.py`, from Debian's python3-gdal).
fn gpkg_validator() -> PathBuf {
    [
        "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py",
        "/usr/share/doc/python3-gdal/examples/validate_gpkg.py",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
    .expect("GDAL's validate_gpkg.py (install python3-gdal: scripts/setup-system)")
}

/// Asserts that `path` passes GDAL's GeoPackage validator.
pub fn assert_valid_gpkg(path: &Path) {
    let out = std::process::Command::new("/usr/bin/python3")
        .arg(gpkg_validator())
        .arg(path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{} fails validate_gpkg.py:\n{}{}",
        path.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Signed area of a ring by the shoelace formula (positive counter-clockwise).
fn signed_area(ring: &[Vec<f64>]) -> f64 {
    ring.windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum::<f64>()
        / 2.0
}

/// Asserts that a GeoJSON file follows RFC 7946: a FeatureCollection without a `crs` member,
/// longitudes and latitudes within range, polygons' exterior rings counter-clockwise and holes
/// clockwise (the right-hand rule). Returns the number of features.
pub fn assert_rfc7946(path: &Path) -> usize {
    let text = std::fs::read_to_string(path).expect("GeoJSON exists");
    let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(v["type"], "FeatureCollection", "{}", path.display());
    assert!(v.get("crs").is_none(), "{}: a crs member", path.display());
    fn polygon(rings: &serde_json::Value, path: &Path) {
        for (k, ring) in rings.as_array().unwrap().iter().enumerate() {
            let pts: Vec<Vec<f64>> = serde_json::from_value(ring.clone()).unwrap();
            assert!(
                pts.len() >= 4 && pts[0] == pts[pts.len() - 1],
                "{}",
                path.display()
            );
            for p in &pts {
                assert!(
                    p[0].abs() <= 180.0 && p[1].abs() <= 90.0,
                    "{}: {p:?}",
                    path.display()
                );
            }
            let a = signed_area(&pts);
            assert!(
                if k == 0 { a > 0.0 } else { a < 0.0 },
                "{}: ring {k} runs the wrong way (signed area {a})",
                path.display()
            );
        }
    }
    let features = v["features"].as_array().expect("features");
    for f in features {
        let g = &f["geometry"];
        match g["type"].as_str() {
            Some("Polygon") => polygon(&g["coordinates"], path),
            Some("MultiPolygon") => {
                for p in g["coordinates"].as_array().unwrap() {
                    polygon(p, path);
                }
            }
            _ => {}
        }
    }
    features.len()
}
