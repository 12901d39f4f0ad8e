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
