//! Maps and the HTML report of the demo study, checked in a real headless Chromium (Debian's
//! `chromium`, installed by `scripts/setup-system`).
//!
//! The demo's report is opened from disk; Chromium's console (logged to stderr) must stay
//! silent, and the page must report (`data-*` attributes on `<body>`, read back with
//! `--dump-dom`) as many zone and facility shapes in the map as the GeoPackage has zones and
//! facilities, and no script or loading errors. A screenshot of the page is saved to
//! `target/tmp/report-screenshot.png`. `lifecircle report --from` then rebuilds byte-identical
//! files from the output folder, also from GeoPackages in EPSG:4547 and GCJ-02.

mod common;

use common::*;
use gdal::vector::LayerAccess;
use lifecircle::output::{write_gpkg_layers, OutputCrs};
use lifecircle::report::read::{read_gdal_layer, read_output_folder};
use std::path::{Path, PathBuf};
use std::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";

/// Chromium, headless, with a fresh profile and no background traffic.
fn chromium(profile: &Path) -> Command {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: run scripts/setup-system (Debian package chromium)"
    );
    let mut c = Command::new(CHROMIUM);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--virtual-time-budget=10000",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// The page's DOM after its scripts ran, and the console messages Chromium logged.
fn open_page(page: &Path, profile: &Path) -> (String, Vec<String>) {
    let o = chromium(profile)
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom"])
        .arg(file_url(page))
        .output()
        .expect("chromium runs");
    assert!(o.status.success(), "chromium failed: {}", stderr(&o));
    let console = stderr(&o)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(String::from)
        .collect();
    (String::from_utf8_lossy(&o.stdout).into_owned(), console)
}

fn file_url(p: &Path) -> String {
    format!("file://{}", p.canonicalize().unwrap().display())
}

/// The value of attribute `name` on the `<body>` element of a dumped DOM.
fn body_attr(dom: &str, name: &str) -> Option<String> {
    let start = dom.find("<body")?;
    let tag = &dom[start..start + dom[start..].find('>')?];
    let key = format!("{name}=\"");
    let at = tag.find(&key)? + key.len();
    Some(tag[at..at + tag[at..].find('"')?].to_string())
}

/// Width and height of a PNG file, from its header.
fn png_size(path: &Path) -> (u32, u32) {
    let b = std::fs::read(path).unwrap();
    assert_eq!(&b[..8], b"\x89PNG\r\n\x1a\n", "{} is a PNG", path.display());
    let be = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    (be(16), be(20))
}

fn feature_count(gpkg: &Path, layer: &str) -> u64 {
    let ds = gdal::Dataset::open(gpkg).unwrap();
    let n = ds.layer_by_name(layer).unwrap().feature_count();
    n
}

/// `[west, south, east, north]` of a layer's features, as GDAL computes them.
fn layer_bounds(gpkg: &Path, layer: &str) -> [f64; 4] {
    let ds = gdal::Dataset::open(gpkg).unwrap();
    let e = ds.layer_by_name(layer).unwrap().get_extent().unwrap();
    [e.MinX, e.MinY, e.MaxX, e.MaxY]
}

/// A `west,south,east,north` attribute of the page's `<body>`.
fn bounds_attr(dom: &str, name: &str) -> [f64; 4] {
    let v: Vec<f64> = body_attr(dom, name)
        .unwrap_or_else(|| panic!("{name} is set"))
        .split(',')
        .map(|x| x.parse().unwrap())
        .collect();
    [v[0], v[1], v[2], v[3]]
}

fn map_stems(summary: &serde_json::Value) -> Vec<String> {
    let mut stems = vec!["complete_share".to_string()];
    for c in summary["categories"].as_array().unwrap() {
        stems.push(format!("coverage_{}", c["category"].as_str().unwrap()));
    }
    stems.push("facilities".into());
    for st in summary["siting"].as_array().into_iter().flatten() {
        stems.push(format!("sites_{}", st["category"].as_str().unwrap()));
    }
    stems
}

fn screenshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-screenshot.png")
}

#[test]
fn demo_report_opens_in_chromium_and_rebuilds_from_the_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let o = run(&["demo", "--out", s(&out), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let gpkg = out.join("lifecircle.gpkg");
    common::assert_valid_gpkg(&gpkg);
    let zones = feature_count(&gpkg, "zones");
    let facilities = feature_count(&gpkg, "facilities");
    assert_eq!(zones, 11);
    assert!(facilities > 100);

    // Static maps: SVG and PNG of each, with title, legend, scale bar, north arrow, CJK text.
    for stem in map_stems(&summary) {
        let svg = std::fs::read_to_string(out.join(format!("map_{stem}.svg"))).unwrap();
        assert!(svg.starts_with("<svg"), "{stem}");
        assert!(svg.contains("Noto Sans CJK SC"), "{stem}: CJK font named");
        assert!(svg.contains(">N</text>"), "{stem}: north arrow");
        assert!(svg.contains(" km</text>"), "{stem}: scale bar");
        assert!(svg.contains("font-size=\"28\""), "{stem}: title");
        assert!(svg.contains("font-size=\"19\""), "{stem}: legend title");
        let png = out.join(format!("map_{stem}.png"));
        assert_eq!(png_size(&png), (1400, 1000), "{stem}");
        assert!(
            std::fs::metadata(&png).unwrap().len() > 50_000,
            "{stem}: drawn"
        );
    }
    let share = std::fs::read_to_string(out.join("map_complete_share.svg")).unwrap();
    assert!(share.contains("15分钟社区生活圈覆盖率（按街镇）"));
    assert!(share.contains(">Vaduz</text>"), "zone names");

    // The report: one file, nothing loaded from elsewhere, under 10 MB.
    let report = out.join("report.html");
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.len() < 10_000_000, "{} bytes", html.len());
    for external in [
        "<script src",
        "<link",
        "url(http",
        "url(images",
        "src=\"http",
    ] {
        assert!(!html.contains(external), "report refers to {external}");
    }
    assert!(html.contains("id=\"zones-table\""));

    // Chromium: no console messages, every zone and facility drawn, no errors.
    let profile = tempfile::tempdir().unwrap();
    let (dom, console) = open_page(&report, &profile.path().join("a"));
    assert!(console.is_empty(), "console messages: {console:#?}");
    assert_eq!(body_attr(&dom, "data-ready").as_deref(), Some("1"), "drawn");
    assert_eq!(body_attr(&dom, "data-errors").as_deref(), Some("0"));
    assert_eq!(
        body_attr(&dom, "data-zones"),
        Some(zones.to_string()),
        "zone shapes in the map"
    );
    assert_eq!(
        body_attr(&dom, "data-facilities"),
        Some(facilities.to_string()),
        "facility markers in the map"
    );
    assert_eq!(
        dom.matches("class=\"lc-zone leaflet-interactive").count() as u64,
        zones
    );
    // The shapes lie where the GeoPackage has them: the page's polygons are sent as steps in
    // micro-degrees and decoded by its script. Display simplification (5 m) and rounding move a
    // bound by well under 1e-4 degrees.
    for (attr, layer) in [("data-zone-bounds", "zones"), ("data-gap-bounds", "gaps")] {
        let (page, gpkg) = (bounds_attr(&dom, attr), layer_bounds(&gpkg, layer));
        for k in 0..4 {
            assert!(
                (page[k] - gpkg[k]).abs() < 1e-4,
                "{layer}: page bounds {page:?}, GeoPackage {gpkg:?}"
            );
        }
    }
    // The demo's new 颐康中心 sites: numbered markers and the report section.
    let sites = feature_count(&gpkg, "sites");
    assert_eq!(sites, summary["siting"][0]["sites"].as_u64().unwrap());
    assert!(sites > 0);
    assert_eq!(body_attr(&dom, "data-sites"), Some(sites.to_string()));
    assert!(dom.contains("id=\"sites\""));
    // Every zone is a row of the table.
    let table = &dom[dom.find("id=\"zones-table\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(table.matches("<tr>").count() as u64, zones + 1);

    // A screenshot to look at.
    let shot = screenshot_path();
    let _ = std::fs::remove_file(&shot);
    let o = chromium(&profile.path().join("b"))
        .args(["--window-size=1400,2000"])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(file_url(&report))
        .output()
        .expect("chromium runs");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(png_size(&shot), (1400, 2000));
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 100_000,
        "not blank"
    );

    // `report --from` rebuilds the same files.
    let again = dir.path().join("again");
    let o = run(&["report", "--from", s(&out), "--out", s(&again), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(again.join("report.html")).unwrap(),
        html.as_bytes()
    );
    for stem in map_stems(&summary) {
        for ext in ["svg", "png"] {
            let f = format!("map_{stem}.{ext}");
            assert!(
                std::fs::read(out.join(&f)).unwrap() == std::fs::read(again.join(&f)).unwrap(),
                "{f} differs"
            );
        }
    }

    // From GeoPackages in other output systems the layers come back in WGS84.
    let original = read_output_folder(&out).unwrap();
    for (crs, tol) in [(OutputCrs::Epsg4547, 1e-7), (OutputCrs::Gcj02, 1e-7)] {
        let d = dir.path().join(crs.to_string().replace(':', "_"));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::copy(out.join("summary.json"), d.join("summary.json")).unwrap();
        let layers: Vec<_> = ["zones", "facilities", "gaps", "service_areas"]
            .iter()
            .map(|n| read_gdal_layer(&gpkg, n).unwrap().unwrap())
            .collect();
        let refs: Vec<_> = layers.iter().collect();
        write_gpkg_layers(&d.join("lifecircle.gpkg"), &refs, crs).unwrap();
        let back = read_output_folder(&d).unwrap();
        let (a, b) = (&original.facilities, &back.facilities);
        assert_eq!(a.rows, b.rows);
        for (p, q) in a.geometry.iter().flatten().zip(b.geometry.iter().flatten()) {
            let (geo_types::Geometry::Point(p), geo_types::Geometry::Point(q)) = (p, q) else {
                panic!("points")
            };
            assert!(
                (p.x() - q.x()).abs() < tol && (p.y() - q.y()).abs() < tol,
                "{crs}: {p:?} {q:?}"
            );
        }
        let o = run(&["report", "--from", s(&d), "--quiet", "--no-maps"]);
        assert!(o.status.success(), "{crs}: {}", stderr(&o));
        assert!(d.join("report.html").exists());
    }
}

#[test]
fn the_console_check_catches_errors() {
    // The harness itself: a page with a script error and a console error is caught.
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bad.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><script>console.error('bad');missing();</script></body></html>",
    )
    .unwrap();
    let (_, console) = open_page(&page, &dir.path().join("profile"));
    assert_eq!(console.len(), 2, "{console:#?}");
    assert!(
        console[1].contains("Uncaught ReferenceError"),
        "{console:#?}"
    );
}

#[test]
fn report_needs_an_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["report", "--from", s(dir.path())]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("summary.json"), "{}", stderr(&o));
}

/// A one-street town: a clinic at the south end of a 1 km street running north.
fn one_street_town(dir: &Path, report: &str) -> PathBuf {
    let (a, b) = ([113.0, 23.0], [113.0, 23.0 + 1000.0 / 110_760.0]);
    let mid = [113.0, 0.5 * (a[1] + b[1])];
    std::fs::write(
        dir.join("street.geojson"),
        lines_geojson(&[(&[a, mid, b], r#""name":"中山路""#)]),
    )
    .unwrap();
    std::fs::write(
        dir.join("facilities.csv"),
        format!("id,category,lon,lat\nC1,clinic,{:?},{:?}\n", a[0], a[1]),
    )
    .unwrap();
    std::fs::write(
        dir.join("demand.csv"),
        "id,lon,lat,population\nD1,113.0005,23.002,100\nD2,113.0005,23.008,50\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("zones.geojson"),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"中山街道","code":"440101001"},"geometry":{"type":"Polygon","coordinates":[[[112.99,22.99],[113.01,22.99],[113.01,23.02],[112.99,23.02],[112.99,22.99]]]}}]}"#,
    )
    .unwrap();
    let study = dir.join("study.toml");
    std::fs::write(
        &study,
        format!(
            r#"name = "一条街"
[output]
folder = "out"
formats = ["gpkg", "geojson"]
[network]
file = "street.geojson"
[facilities]
[[facilities.files]]
path = "facilities.csv"
[demand]
points = "demand.csv"
population_field = "population"
[zones]
file = "zones.geojson"
name_field = "name"
code_field = "code"
{report}
"#
        ),
    )
    .unwrap();
    study
}

#[test]
fn the_study_report_section_sets_thresholds_width_and_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let study = one_street_town(
        dir.path(),
        "[report]\nservice_area_minutes = [5, 10, 20]\nservice_area_buffer_m = 20\n\
         facility_service_areas = false\nmaps = false\n",
    );
    let o = run(&["analyze", "--config", s(&study), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("out");
    assert!(
        !out.join("map_facilities.png").exists(),
        "maps switched off"
    );
    assert!(out.join("report.html").exists());
    assert!(common::assert_rfc7946(&out.join("service_areas.geojson")) > 0);
    assert!(!out.join("facility_service_areas.geojson").exists());
    common::assert_valid_gpkg(&out.join("lifecircle.gpkg"));
    let ds = gdal::Dataset::open(out.join("lifecircle.gpkg")).unwrap();
    assert!(ds.layer_by_name("facility_service_areas").is_err());
    let mut l = ds.layer_by_name("service_areas").unwrap();
    let mut clinic = Vec::new();
    for f in l.features() {
        let get = |n: &str| f.field_as_double(f.field_index(n).unwrap()).unwrap();
        let cat = f
            .field_as_string(f.field_index("category").unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(get("buffer_m"), Some(20.0));
        if cat == "clinic" {
            clinic.push((get("minutes").unwrap(), get("street_km").unwrap()));
        } else {
            // No facility of the category: nothing reached.
            assert_eq!(get("street_km"), Some(0.0), "{cat}");
        }
    }
    // 1 m/s from the south end of a 1 km street: 300 m, 600 m, then the whole street.
    assert_eq!(clinic.len(), 3);
    let len_km = 1000.0 / 110_760.0 * lifecircle::geodesy::metres_per_degree(23.0).1 / 1000.0;
    for ((m, km), want) in clinic.iter().zip([0.3, 0.6, len_km]) {
        assert!(
            (km - want).abs() < 1e-3 * want,
            "{m} min: {km} km, want {want}"
        );
    }
    assert_eq!(
        clinic.iter().map(|c| c.0).collect::<Vec<_>>(),
        [5.0, 10.0, 20.0]
    );

    // Everything off: no service-area layers, no maps, no report.
    let dir = tempfile::tempdir().unwrap();
    let study = one_street_town(
        dir.path(),
        "[report]\nservice_areas = false\nmaps = false\nhtml = false\n",
    );
    let o = run(&["analyze", "--config", s(&study), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("out");
    assert!(!out.join("report.html").exists() && !out.join("map_facilities.svg").exists());
    assert!(!out.join("service_areas.geojson").exists());

    // Bad values name their key.
    for (bad, key) in [
        ("service_area_buffer_m = 0", "report.service_area_buffer_m"),
        (
            "service_area_minutes = [5, -1]",
            "report.service_area_minutes[1]",
        ),
        ("simplify_m = -2", "report.simplify_m"),
        ("colour = \"red\"", "colour"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let study = one_street_town(dir.path(), &format!("[report]\n{bad}\n"));
        let o = run(&["analyze", "--config", s(&study), "--quiet"]);
        assert!(!o.status.success(), "{bad}");
        assert!(stderr(&o).contains(key), "{bad}: {}", stderr(&o));
    }
}
