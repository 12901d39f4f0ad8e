//! Bad input gets a clear message naming the file, row or feature and field, a non-zero exit,
//! and no output file.

mod common;

use common::*;
use std::path::Path;

struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("net.geojson"),
            lines_geojson(&[
                (&[[113.0, 23.0], [113.0, 23.002]], r#""closed":0"#),
                (&[[113.0, 23.002], [113.003, 23.002]], r#""closed":0"#),
            ]),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("fac.csv"),
            "id,category,lon,lat\nF,clinic,113.0005,23.001\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("dem.csv"),
            "id,lon,lat\nX,113.0015,23.0021\n",
        )
        .unwrap();
        Case { dir }
    }

    fn path(&self, name: &str) -> String {
        s(&self.dir.path().join(name)).to_string()
    }

    fn write(&self, name: &str, text: &str) -> String {
        std::fs::write(self.dir.path().join(name), text).unwrap();
        self.path(name)
    }

    /// Runs `nearest` with some arguments replaced; asserts failure and no output; returns stderr.
    fn fails(&self, overrides: &[(&str, &str)], extra: &[&str]) -> String {
        let mut args: Vec<(String, String)> = vec![
            ("--network".into(), self.path("net.geojson")),
            ("--facilities".into(), self.path("fac.csv")),
            ("--demand".into(), self.path("dem.csv")),
        ];
        for (k, v) in overrides {
            match args.iter_mut().find(|(kk, _)| kk == k) {
                Some(slot) => slot.1 = v.to_string(),
                None => args.push((k.to_string(), v.to_string())),
            }
        }
        let out = self.path("out.csv");
        let mut argv: Vec<&str> = vec!["nearest", "--out", &out, "--quiet"];
        for (k, v) in &args {
            argv.push(k);
            argv.push(v);
        }
        argv.extend_from_slice(extra);
        let o = run(&argv);
        assert!(!o.status.success(), "expected failure for {argv:?}");
        assert!(!Path::new(&out).exists(), "no output on failure");
        let leftovers: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
        stderr(&o)
    }
}

fn has(msg: &str, parts: &[&str]) {
    for p in parts {
        assert!(msg.contains(p), "message {msg:?} lacks {p:?}");
    }
}

#[test]
fn the_good_case_works() {
    let c = Case::new();
    let out = c.path("out.csv");
    let o = run(&[
        "nearest",
        "--network",
        &c.path("net.geojson"),
        "--facilities",
        &c.path("fac.csv"),
        "--demand",
        &c.path("dem.csv"),
        "--out",
        &out,
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn missing_file() {
    let c = Case::new();
    let m = c.fails(&[("--facilities", &c.path("nope.csv"))], &[]);
    has(&m, &["nope.csv", "file not found"]);
    let m = c.fails(&[("--network", &c.path("nope.osm.pbf"))], &[]);
    has(&m, &["nope.osm.pbf", "file not found"]);
}

#[test]
fn unreadable_format() {
    let c = Case::new();
    let bad = c.write("net.osm.pbf", "this is not a pbf file at all");
    has(
        &c.fails(&[("--network", &bad)], &[]),
        &["net.osm.pbf", "not a readable OpenStreetMap PBF"],
    );
    let bad = c.write("net.gpkg", "garbage");
    has(
        &c.fails(&[("--network", &bad)], &[]),
        &["net.gpkg", "GDAL cannot open"],
    );
    let bad = c.write("fac.xlsx", "garbage");
    has(
        &c.fails(&[("--facilities", &bad)], &[]),
        &["fac.xlsx", "spreadsheet"],
    );
}

#[test]
fn missing_coordinate_columns() {
    let c = Case::new();
    let f = c.write(
        "f.csv",
        "id,category,east,north\nF,clinic,113.0005,23.001\n",
    );
    has(
        &c.fails(&[("--facilities", &f)], &[]),
        &["f.csv", "no longitude/x column", "east"],
    );
    let f = c.write("f2.csv", "id,lon,lat\nF,113.0005,23.001\n");
    has(
        &c.fails(&[("--facilities", &f)], &[]),
        &["f2.csv", "no category column"],
    );
}

#[test]
fn bad_numbers() {
    let c = Case::new();
    let f = c.write(
        "f.csv",
        "id,category,lon,lat\nF,clinic,113.0005,23.001\nG,clinic,abc,23.001\n",
    );
    has(
        &c.fails(&[("--facilities", &f)], &[]),
        &["f.csv", "row 3", "field `lon`", "not a number: \"abc\""],
    );
    let f = c.write("f.csv", "id,category,lon,lat\nF,clinic,113.0005,123\n");
    has(
        &c.fails(&[("--facilities", &f)], &[]),
        &["f.csv", "row 2", "field `lat`", "outside -90..90"],
    );
    let f = c.write("d.csv", "id,lon,lat\nX,NaN,23.0\n");
    has(
        &c.fails(&[("--demand", &f)], &[]),
        &["d.csv", "row 2", "field `lon`", "not a finite number"],
    );
    let f = c.write("d.csv", "id,lon,lat\nX,,23.0\n");
    has(
        &c.fails(&[("--demand", &f)], &[]),
        &["d.csv", "row 2", "field `lon`", "empty"],
    );
    let f = c.write("d.csv", "id,lon,lat\nX,23.0,113.0\n");
    has(&c.fails(&[("--demand", &f)], &[]), &["d.csv", "swapped"]);
}

/// Rows are read in parallel; the error still names the first bad row of the file.
#[test]
fn first_bad_demand_row_is_named() {
    let c = Case::new();
    let mut text = String::from("id,lon,lat,population\n");
    for i in 0..20_000 {
        let pop = match i {
            12_000 => "many",
            15_000 => "few",
            _ => "3",
        };
        text += &format!("D{i},113.0015,23.0021,{pop}\n");
    }
    let f = c.write("d.csv", &text);
    let msg = c.fails(&[("--demand", &f)], &[]);
    has(&msg, &["d.csv", "row 12002", "field `population`", "many"]);
    assert!(!msg.contains("few"), "{msg}");
}

#[test]
fn empty_inputs() {
    let c = Case::new();
    let f = c.write("f.csv", "id,category,lon,lat\n");
    has(
        &c.fails(&[("--facilities", &f)], &[]),
        &["f.csv", "no data rows"],
    );
    let n = c.write("n.geojson", r#"{"type":"FeatureCollection","features":[]}"#);
    has(
        &c.fails(&[("--network", &n)], &[]),
        &["n.geojson", "no features"],
    );
}

#[test]
fn unknown_category_and_bad_mapping() {
    let c = Case::new();
    has(
        &c.fails(&[], &["--categories", "hospital"]),
        &["fac.csv", "hospital"],
    );
    let pbf = "data/liechtenstein/liechtenstein-latest.osm.pbf";
    let m = c.fails(
        &[("--network", pbf), ("--facilities", pbf)],
        &["--categories", "clinic,spa"],
    );
    has(&m, &["unknown category \"spa\""]);
    let map = c.write("map.toml", "[categories]\nclinic = [\"amenity\"]\n");
    has(
        &c.fails(
            &[
                ("--network", pbf),
                ("--facilities", pbf),
                ("--category-map", &map),
            ],
            &[],
        ),
        &["map.toml", "categories.clinic", "key=value"],
    );
}

#[test]
fn unknown_crs() {
    let c = Case::new();
    let m = c.fails(&[("--facilities-crs", "mars2000")], &[]);
    has(&m, &["mars2000", "unknown coordinate system"]);
    let m = c.fails(&[("--facilities-crs", "EPSG:999999")], &[]);
    has(&m, &["EPSG:999999"]);
}

#[test]
fn network_without_edges() {
    let c = Case::new();
    let n = c.write(
        "n.geojson",
        &lines_geojson(&[(&[[113.0, 23.0], [113.0, 23.002]], r#""closed":1"#)]),
    );
    let m = c.fails(&[("--network", &n)], &["--exclude-field", "closed"]);
    has(&m, &["n.geojson", "no usable line segments"]);
    let m = c.fails(&[("--network", &n)], &["--exclude-field", "shut"]);
    has(&m, &["n.geojson", "no field named \"shut\""]);
}

#[test]
fn demand_outside_the_network() {
    let c = Case::new();
    let d = c.write("far.csv", "id,lon,lat\nX,9.5,47.1\nY,9.6,47.2\n");
    has(
        &c.fails(&[("--demand", &d)], &[]),
        &["far.csv", "no demand point lies within 500 m"],
    );
}

#[test]
fn unknown_output_format_is_refused_before_any_work() {
    // The second output has no format; the inputs are missing, so an error about the output
    // shows it was checked first, and neither output is written.
    let c = Case::new();
    let nodes = c.path("nodes.txt");
    let m = c.fails(
        &[("--network", &c.path("nope.osm.pbf"))],
        &["--nodes-out", &nodes],
    );
    has(&m, &["nodes.txt", "unknown output format"]);
    assert!(!Path::new(&nodes).exists());
    let o = run(&[
        "network",
        "--network",
        &c.path("nope.osm.pbf"),
        "--edges-out",
        &c.path("edges.shp"),
    ]);
    assert!(!o.status.success());
    has(&stderr(&o), &["edges.shp", "unknown output format"]);
}
