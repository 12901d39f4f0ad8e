//! The main job on a hand-built town: two zones (an urban 街道 and a rural 镇), one street, a few
//! facilities and demand points with known populations. Every figure of the zones table is
//! worked out by hand below. The inputs are in the formats Chinese GIS staff have: facilities
//! as a GBK CSV in GCJ-02 with Chinese headers, zones as a Shapefile with a GBK `.cpg`.
//!
//! ```text
//!  lat 23.12 ┌──────── 猎德街道 (urban) ────────┬──────── 新塘镇 (rural) ─────────┐
//!            │  D6 (unsnapped, 1.6 km north)    │                                │
//!  lat 23.10 ●══E1 C1 L1 S1═K1══D1════D2═══════╪═══D3═════════════════D4══C2═══● D5 (no zone)
//!            │                 ║ side street      │              ║ side street     │
//!  lat 23.09 └──────────────────────────────────┴────────────────────────────────┘
//!          113.300   113.305  .306 .3052   .311  113.320  113.325         .334 .335 113.340
//! ```
//!
//! One degree of longitude at 23.1°N is 102.39 km, so along the street: D2 is 614 m from the
//! facilities at 113.305 (plus an 11 m access leg), D3 is 2,048 m from them and 1,024 m from C2,
//! D4 is 2,970 m from them. Thresholds (guangzhou profile, walking 1 m/s, elderly 0.8 m/s):
//! 15 min = 900 m (elderly 720 m), 10 min = 600 m, rural 30 min = 1,800 m (elderly 1,440 m),
//! rural culture/library 5,000 m.

mod common;

use common::*;
use gdal::spatial_ref::SpatialRef;
use gdal::vector::{
    Feature, FieldDefn, Geometry, LayerAccess, LayerOptions, OGRFieldType, OGRwkbGeometryType,
};
use gdal::DriverManager;
use lifecircle::crs::china::wgs84_to_gcj02;
use std::collections::HashMap;
use std::path::Path;

const LAT: f64 = 23.1;
const DLAT: f64 = 23.1001; // demand 11 m north of the street

/// Writes a polygon Shapefile `name.shp` (WGS84, GBK text) with text fields `fields` and one
/// feature per row: its field values and its geometry as WKT. GDAL's Shapefile writer stores
/// outer rings clockwise, as every Shapefile does.
fn write_polygons(dir: &Path, name: &str, fields: &[&str], rows: &[(Vec<String>, String)]) {
    let shp = dir.join(format!("{name}.shp"));
    let drv = DriverManager::get_driver_by_name("ESRI Shapefile").unwrap();
    let mut ds = drv.create_vector_only(&shp).unwrap();
    let mut srs = SpatialRef::from_epsg(4326).unwrap();
    srs.set_axis_mapping_strategy(gdal::spatial_ref::AxisMappingStrategy::TraditionalGisOrder);
    let lyr = ds
        .create_layer(LayerOptions {
            name,
            srs: Some(&srs),
            ty: OGRwkbGeometryType::wkbPolygon,
            options: Some(&["ENCODING=CP936"]),
        })
        .unwrap();
    for n in fields {
        FieldDefn::new(n, OGRFieldType::OFTString)
            .unwrap()
            .add_to_layer(&lyr)
            .unwrap();
    }
    for (values, wkt) in rows {
        let mut f = Feature::new(lyr.defn()).unwrap();
        for (i, v) in values.iter().enumerate() {
            f.set_field_string(i, v).unwrap();
        }
        f.set_geometry(Geometry::from_wkt(wkt).unwrap()).unwrap();
        f.create(&lyr).unwrap();
    }
}

/// WKT of the rectangle between longitudes `x0`, `x1` and latitudes `y0`, `y1`.
fn rect_wkt(x0: f64, x1: f64, y0: f64, y1: f64) -> String {
    format!("POLYGON(({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0}))")
}

/// Writes a polygon Shapefile `name.shp` (GBK) with fields 名称 and 代码 and rectangles spanning
/// lat 23.09–23.12 between the given longitudes.
fn write_rectangles(dir: &Path, name: &str, rects: &[(&str, &str, f64, f64)]) {
    let rows: Vec<(Vec<String>, String)> = rects
        .iter()
        .map(|(n, code, x0, x1)| {
            (
                vec![n.to_string(), code.to_string()],
                rect_wkt(*x0, *x1, 23.09, 23.12),
            )
        })
        .collect();
    write_polygons(dir, name, &["名称", "代码"], &rows);
}

fn write_zones_shapefile(dir: &Path) {
    let rows: Vec<(Vec<String>, String)> = [
        ("猎德街道", "440106001", "天河区", 113.300, 113.320),
        ("新塘镇", "440118100", "增城区", 113.320, 113.340),
    ]
    .iter()
    .map(|(name, code, district, x0, x1)| {
        let values = vec![name.to_string(), code.to_string(), district.to_string()];
        (values, rect_wkt(*x0, *x1, 23.09, 23.12))
    })
    .collect();
    write_polygons(dir, "jiedao", &["名称", "代码", "区"], &rows);
}

fn town(dir: &Path, extra_study: &str) -> std::path::PathBuf {
    std::fs::write(
        dir.join("street.geojson"),
        lines_geojson(&[
            (
                &[
                    [113.300, LAT],
                    [113.308, LAT],
                    [113.330, LAT],
                    [113.340, LAT],
                ],
                r#""name":"黄埔大道""#,
            ),
            // Two dead-end side streets: they split the avenue into edges at 113.308 and 113.330
            // but are farther from every point than the avenue, so no figure changes.
            (&[[113.308, LAT], [113.308, 23.095]], r#""name":"南侧路""#),
            (&[[113.330, LAT], [113.330, 23.104]], r#""name":"北侧路""#),
        ]),
    )
    .unwrap();
    write_zones_shapefile(dir);
    // Facilities: GBK, Chinese headers, GCJ-02 (as exported from Amap).
    let mut text = String::from("编号,名称,类别,经度,纬度,容量\n");
    for (id, name, cat, lon, cap) in [
        ("E1", "猎德街颐康中心", "elderly_care", 113.305, ""),
        ("C1", "猎德社区卫生服务中心", "clinic", 113.305, ""),
        ("L1", "猎德图书馆", "library", 113.305, ""),
        ("S1", "猎德体育公园", "sports", 113.305, "5000"),
        ("K1", "猎德托育中心", "childcare", 113.306, "30"),
        ("C2", "新塘镇卫生院", "clinic", 113.335, ""),
        ("ES1", "猎德村颐康服务站", "elderly_station", 113.302, ""),
    ] {
        let (g0, g1) = wgs84_to_gcj02(lon, LAT);
        text += &format!("{id},{name},{cat},{g0:?},{g1:?},{cap}\n");
    }
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    std::fs::write(dir.join("facilities.csv"), &gbk).unwrap();
    std::fs::write(
        dir.join("demand.csv"),
        format!(
            "id,lon,lat,population\nD1,113.3052,{DLAT},1000\nD2,113.311,{DLAT},500\nD3,113.325,{DLAT},200\n\
             D4,113.334,{DLAT},300\nD5,113.3405,{DLAT},50\nD6,113.310,23.115,100\n"
        ),
    )
    .unwrap();
    let study = dir.join("study.toml");
    std::fs::write(
        &study,
        format!(
            r#"name = "手算小镇"
profile = "guangzhou"
[output]
folder = "out"
formats = ["gpkg", "csv"]
headers = "en"
[network]
file = "street.geojson"
[facilities]
[[facilities.files]]
path = "facilities.csv"
crs = "gcj02"
[demand]
points = "demand.csv"
population_field = "population"
[zones]
file = "jiedao.shp"
{extra_study}
"#
        ),
    )
    .unwrap();
    study
}

fn zones_table(dir: &Path) -> Vec<HashMap<String, String>> {
    let (h, rows) = read_csv(&dir.join("out/zones.csv"));
    rows.into_iter()
        .map(|r| h.iter().cloned().zip(r).collect())
        .collect()
}

fn num(m: &HashMap<String, String>, k: &str) -> f64 {
    m.get(k)
        .unwrap_or_else(|| panic!("column {k}"))
        .parse()
        .unwrap_or_else(|_| panic!("{k} = {:?}", m[k]))
}

#[test]
fn every_zone_figure_matches_the_hand_worked_values() {
    let dir = tempfile::tempdir().unwrap();
    let study = town(dir.path(), "");
    let o = run(&["analyze", "--config", s(&study), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let z = zones_table(dir.path());
    assert_eq!(z.len(), 2);
    let west = z
        .iter()
        .find(|r| r["zone_name"] == "猎德街道")
        .expect("west zone");
    let east = z
        .iter()
        .find(|r| r["zone_name"] == "新塘镇")
        .expect("east zone");
    assert_eq!(west["zone_code"], "440106001");
    assert_eq!(west["district"], "天河区");
    assert_eq!((west["rural"].as_str(), east["rural"].as_str()), ("0", "1"));

    // West (urban): D1 1000 (next to everything), D2 500 (625 m from E1/C1/L1/S1, 523 m from K1),
    // D6 100 (unsnapped).
    let checked = std::cell::RefCell::new(std::collections::BTreeSet::<String>::new());
    let w = |k: &str| {
        checked.borrow_mut().insert(k.to_string());
        num(west, k)
    };
    assert_eq!(w("population"), 1600.0);
    assert_eq!(w("demand_points"), 3.0);
    for (cat, covered, facilities) in [
        ("elderly_care", 1500.0, 1.0), // D2: 625 m at 0.8 m/s = 782 s ≤ 900 s
        ("clinic", 1500.0, 1.0),
        ("childcare", 1500.0, 1.0),
        ("culture", 0.0, 0.0),    // no culture facility at all
        ("library", 1000.0, 1.0), // 10 min: D2's 625 m > 600 m
        ("sports", 1000.0, 1.0),
    ] {
        assert_eq!(w(&format!("{cat}_covered")), covered, "{cat}");
        assert_eq!(w(&format!("{cat}_share")), covered / 1600.0, "{cat}");
        assert_eq!(w(&format!("{cat}_facilities")), facilities, "{cat}");
    }
    // 15-min circle: D1 and D2 (library and sports are within 15 min for D2).
    assert_eq!(w("community_15min_covered"), 1500.0);
    assert_eq!(w("community_15min_share"), 1500.0 / 1600.0);
    assert_eq!(w("community_15min_target"), 1.0);
    assert_eq!(w("community_15min_pass"), 0.0);
    assert_eq!(w("fitness_10min_covered"), 1000.0);
    assert_eq!(w("fitness_10min_target"), 1.0);
    assert_eq!(w("fitness_10min_pass"), 0.0);
    assert_eq!(w("culture_10min_covered"), 1000.0);
    assert_eq!(w("culture_10min_share"), 1000.0 / 1600.0);
    assert_eq!(w("childcare_15min_share"), 1500.0 / 1600.0);
    assert_eq!(w("fitness_10min_share"), 1000.0 / 1600.0);
    assert_eq!(w("elderly_centre_per_zone_target"), 1.0);
    assert_eq!(w("childcare_places_per_1000_target"), 5.8);
    assert_eq!(w("sports_area_per_resident_target"), 2.6);
    assert_eq!(w("residents_per_library_target"), 63500.0);
    assert_eq!(w("rural"), 0.0);
    assert_eq!(w("childcare_15min_covered"), 1500.0);
    assert_eq!(w("complete_share"), 1500.0 / 1600.0);
    assert_eq!(w("uncovered"), 100.0);
    assert_eq!(w("elderly_centre_per_zone_value"), 1.0);
    assert_eq!(w("elderly_centre_per_zone_pass"), 1.0);
    assert_eq!(w("childcare_places_per_1000_value"), 30.0 / 1600.0 * 1000.0);
    assert_eq!(w("childcare_places_per_1000_pass"), 1.0);
    assert_eq!(w("sports_area_per_resident_value"), 5000.0 / 1600.0);
    assert_eq!(w("sports_area_per_resident_pass"), 1.0);
    assert_eq!(w("residents_per_library_value"), 1600.0);
    assert_eq!(w("residents_per_library_pass"), 1.0);
    assert_eq!(w("gap_rank"), 2.0);
    // No hospital has a bed count: the rule is not evaluated.
    assert!(!west.contains_key("hospital_beds_per_1000_value"));

    // East (rural 镇): D3 200 and D4 300; rural thresholds 30 min and 5 km for culture/library.
    let e = |k: &str| {
        checked.borrow_mut().insert(k.to_string());
        num(east, k)
    };
    assert_eq!(e("population"), 500.0);
    assert_eq!(e("demand_points"), 2.0);
    for (cat, covered) in [
        ("elderly_care", 0.0), // 2,060 m > 1,440 m
        ("clinic", 500.0),     // C2: 1,035 m and 113 m
        ("childcare", 0.0),    // 1,957 m > 1,800 m
        ("culture", 0.0),
        ("library", 500.0), // 2,060 m and 2,982 m ≤ 5,000 m
        ("sports", 0.0),    // 10 min even in rural zones
    ] {
        assert_eq!(e(&format!("{cat}_covered")), covered, "{cat}");
        assert_eq!(e(&format!("{cat}_share")), covered / 500.0, "{cat}");
        let facilities = if cat == "clinic" { 1.0 } else { 0.0 }; // C2
        assert_eq!(e(&format!("{cat}_facilities")), facilities, "{cat}");
    }
    assert_eq!(e("community_15min_covered"), 0.0);
    assert_eq!(e("community_15min_share"), 0.0);
    assert_eq!(e("community_15min_target"), 1.0);
    assert_eq!(e("community_15min_pass"), 0.0);
    assert_eq!(e("fitness_10min_covered"), 0.0);
    assert_eq!(e("fitness_10min_share"), 0.0);
    assert_eq!(e("fitness_10min_target"), 1.0);
    assert_eq!(e("fitness_10min_pass"), 0.0);
    assert_eq!(e("culture_10min_share"), 1.0);
    assert_eq!(e("childcare_15min_share"), 0.0);
    assert_eq!(e("elderly_centre_per_zone_target"), 1.0);
    assert_eq!(e("childcare_places_per_1000_target"), 5.8);
    assert_eq!(e("sports_area_per_resident_value"), 0.0);
    assert_eq!(e("sports_area_per_resident_target"), 2.6);
    assert_eq!(e("residents_per_library_target"), 63500.0);
    assert_eq!(e("rural"), 1.0);
    assert_eq!(e("culture_10min_covered"), 500.0);
    assert_eq!(e("childcare_15min_covered"), 0.0);
    assert_eq!(e("complete_share"), 0.0);
    assert_eq!(e("uncovered"), 500.0);
    assert_eq!(e("elderly_centre_per_zone_value"), 0.0);
    assert_eq!(e("elderly_centre_per_zone_pass"), 0.0);
    assert_eq!(e("childcare_places_per_1000_value"), 0.0);
    assert_eq!(e("childcare_places_per_1000_pass"), 0.0);
    assert_eq!(e("sports_area_per_resident_pass"), 0.0);
    assert!(
        east["residents_per_library_value"].is_empty(),
        "no library: no finite value"
    );
    assert_eq!(e("residents_per_library_pass"), 0.0);
    assert_eq!(e("gap_rank"), 1.0);
    assert_eq!(east["zone_code"], "440118100");
    assert!(east["residents_per_library_value"].is_empty());
    // Every numeric column of the table was checked in both zones.
    let text_columns = [
        "zone_code",
        "zone_name",
        "district",
        "residents_per_library_value",
    ];
    for k in west.keys().filter(|k| !text_columns.contains(&k.as_str())) {
        assert!(checked.borrow().contains(k), "column {k} not checked");
    }

    // Districts: one zone each, then the city with D5 (in no zone) too.
    let (h, rows) = read_csv(&dir.path().join("out/districts.csv"));
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0][col("district")], "增城区");
    assert_eq!(rows[0][col("population")], "500");
    assert_eq!(rows[1][col("population")], "1600");
    assert_eq!(rows[2][col("population")], "2150");

    // Summary: nothing lost — the point in no zone and the unsnapped point are reported.
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(summary["population"], 2150.0);
    assert_eq!(summary["demand_points_in_no_zone"], 1);
    assert_eq!(summary["population_in_no_zone"], 50.0);
    assert_eq!(summary["unsnapped_demand_points"], 1);

    // The GeoPackage read back with GDAL has the same Chinese names.
    common::assert_valid_gpkg(&dir.path().join("out/lifecircle.gpkg"));
    let ds = gdal::Dataset::open(dir.path().join("out/lifecircle.gpkg")).unwrap();
    let mut zl = ds.layer_by_name("zones").unwrap();
    let names: Vec<String> = zl
        .features()
        .map(|f| {
            f.field_as_string(f.field_index("zone_name").unwrap())
                .unwrap()
                .unwrap()
        })
        .collect();
    assert_eq!(names, ["猎德街道", "新塘镇"]);
    let mut fl = ds.layer_by_name("facilities").unwrap();
    let fnames: Vec<String> = fl
        .features()
        .map(|f| {
            f.field_as_string(f.field_index("name").unwrap())
                .unwrap()
                .unwrap()
        })
        .collect();
    assert!(fnames.contains(&"猎德街颐康中心".to_string()), "{fnames:?}");
}

/// Population within each facility's threshold, where the threshold is the one of the demand
/// point's zone. C2 and L1 reach rural points beyond their urban limit, so a catchment search
/// cut at the urban limit would lose them; C1's search may stop there (no rural point lies
/// within 1,800 m of it in a straight line).
#[test]
fn served_population_uses_each_points_own_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let study = town(dir.path(), "");
    let o = run(&["analyze", "--config", s(&study), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = read_csv(&dir.path().join("out/facilities.csv"));
    let col = |name: &str| h.iter().position(|c| c == name).expect(name);
    let (id, served) = (col("facility_id"), col("served_population"));
    let of = |f: &str| -> f64 {
        let r = rows.iter().find(|r| r[id] == f).expect(f);
        r[served].parse().unwrap()
    };
    // Walking 1 m/s along the street; every demand point is 11 m off it.
    // C1 (113.305, 15 min, rural 30 min): D1 31 m, D2 625 m; D3 2,059 m > 1,800 m.
    assert_eq!(of("C1"), 1000.0 + 500.0);
    // C2 (113.335): D4 113 m (rural), D3 1,035 m (rural: ≤ 1,800 m though > 900 m), D5 574 m
    // (no zone: urban 900 m); D2 2,468 m.
    assert_eq!(of("C2"), 300.0 + 200.0 + 50.0);
    // L1 (113.305, 10 min = 600 m, rural 5 km): D1 31 m; D2 625 m > 600 m; D3 2,059 m and D4
    // 2,981 m (rural); D5 3,597 m (urban).
    assert_eq!(of("L1"), 1000.0 + 200.0 + 300.0);
    // S1 (sports: 10 min in rural zones too): D1 only.
    assert_eq!(of("S1"), 1000.0);
    // K1 (113.306, childcare 15 min, rural 30 min): D1 93 m, D2 523 m; D3 1,956 m > 1,800 m.
    assert_eq!(of("K1"), 1000.0 + 500.0);
}

#[test]
fn reruns_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let study = town(dir.path(), "");
    let mut outputs = Vec::new();
    for _ in 0..2 {
        let o = run(&["analyze", "--config", s(&study), "--quiet"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        let mut stack = vec![dir.path().join("out")];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let name = p.strip_prefix(dir.path()).unwrap().display().to_string();
                    files.push((name, std::fs::read(&p).unwrap()));
                }
            }
        }
        files.sort();
        outputs.push(files);
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    assert_eq!(outputs[0].len(), outputs[1].len());
    for (a, b) in outputs[0].iter().zip(&outputs[1]) {
        assert_eq!(a.0, b.0);
        assert!(a.1 == b.1, "{} differs between runs", a.0);
    }
}

fn fails_with(extra: &str, replace: Option<(&str, &str)>, expect: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let study = town(dir.path(), extra);
    if let Some((a, b)) = replace {
        let t = std::fs::read_to_string(&study).unwrap().replace(a, b);
        std::fs::write(&study, t).unwrap();
    }
    let o = run(&["analyze", "--config", s(&study), "--quiet"]);
    assert!(!o.status.success(), "expected failure");
    let msg = stderr(&o);
    for e in expect {
        assert!(msg.contains(e), "{msg:?} lacks {e:?}");
    }
    assert!(!dir.path().join("out").exists(), "no output on a bad study");
}

#[test]
fn bad_study_files_name_the_key() {
    fails_with(
        "",
        Some(("[network]", "[network]\nspeeed = 2")),
        &["study.toml", "line", "unknown field `speeed`"],
    );
    fails_with(
        "",
        Some(("file = \"street.geojson\"", "file = \"nope.geojson\"")),
        &["network.file", "not found"],
    );
    fails_with("name_field = \"街名\"", None, &["jiedao.shp", "街名"]);
    fails_with(
        "",
        Some((
            "population_field = \"population\"",
            "population_field = \"pop2020\"",
        )),
        &["demand.csv", "pop2020"],
    );
    fails_with(
        "",
        Some(("profile = \"guangzhou\"", "profile = \"mine.toml\"")),
        &["profile", "mine.toml"],
    );
}

#[test]
fn threshold_out_of_range_is_an_error_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let study = town(dir.path(), "");
    std::fs::write(
        dir.path().join("mine.toml"),
        "base = \"guangzhou\"\n[categories.sports]\nminutes = 0\n",
    )
    .unwrap();
    let t = std::fs::read_to_string(&study)
        .unwrap()
        .replace("profile = \"guangzhou\"", "profile = \"mine.toml\"");
    std::fs::write(&study, t).unwrap();
    let o = run(&["analyze", "--config", s(&study), "--quiet"]);
    assert!(!o.status.success());
    let msg = stderr(&o);
    assert!(
        msg.contains("categories.sports.minutes")
            && msg.contains("above 0 and at most 600 minutes"),
        "{msg}"
    );
}

/// Per-village count rule (颐康服务站 per 村居) and districts from a second layer.
#[test]
fn villages_and_district_layer() {
    let dir = tempfile::tempdir().unwrap();
    write_rectangles(
        dir.path(),
        "cunju",
        &[
            ("猎德村", "440106001001", 113.300, 113.310),
            ("冼村", "440106001002", 113.310, 113.320),
            ("新塘村", "440118100001", 113.320, 113.340),
        ],
    );
    write_rectangles(
        dir.path(),
        "qu",
        &[
            ("天河区", "440106", 113.290, 113.320),
            ("黄埔区", "440112", 113.320, 113.350),
        ],
    );
    let study = town(
        dir.path(),
        "villages = \"cunju.shp\"\ndistricts = \"qu.shp\"\n",
    );
    let o = run(&["analyze", "--config", s(&study), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let z = zones_table(dir.path());
    let west = z.iter().find(|r| r["zone_name"] == "猎德街道").unwrap();
    let east = z.iter().find(|r| r["zone_name"] == "新塘镇").unwrap();
    // The district layer decides the district (the zone layer said 增城区 for the east).
    assert_eq!(west["district"], "天河区");
    assert_eq!(east["district"], "黄埔区");
    // West: two villages, only 猎德村 has a station (ES1 at 113.302).
    assert_eq!(num(west, "elderly_station_per_village_villages"), 2.0);
    assert_eq!(num(west, "elderly_station_per_village_passing"), 1.0);
    assert_eq!(num(west, "elderly_station_per_village_pass"), 0.0);
    assert_eq!(num(east, "elderly_station_per_village_villages"), 1.0);
    assert_eq!(num(east, "elderly_station_per_village_passing"), 0.0);
    let (h, rows) = read_csv(&dir.path().join("out/villages.csv"));
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let by_name: HashMap<&str, &Vec<String>> = rows
        .iter()
        .map(|r| (r[col("village_name")].as_str(), r))
        .collect();
    assert_eq!(
        by_name["猎德村"][col("elderly_station_per_village_value")],
        "1"
    );
    assert_eq!(by_name["猎德村"][col("zone_name")], "猎德街道");
    assert_eq!(
        by_name["冼村"][col("elderly_station_per_village_pass")],
        "0"
    );
    assert_eq!(by_name["新塘村"][col("zone_name")], "新塘镇");
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap(),
    )
    .unwrap();
    let rule = summary["count_rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["per"] == "village")
        .unwrap();
    assert_eq!(
        (rule["villages"].as_u64(), rule["villages_passing"].as_u64()),
        (Some(3), Some(1))
    );
}

/// A plan: a new sports ground next to D2, the township clinic C2 closed, and the 镇's population
/// doubled. Worked out by hand from the baseline figures above.
#[test]
fn scenario_deltas_per_zone() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("plan_sports.csv"),
        "id,category,lon,lat\nP1,sports,113.311,23.1\n",
    )
    .unwrap();
    let study = town(dir.path(), "");
    let mut text = std::fs::read_to_string(&study).unwrap();
    text += r#"
[scenario]
name = "2025 规划"
add_facilities = [{ path = "plan_sports.csv" }]
remove_facilities = ["C2"]
zone_population_scale = { "440118100" = 2.0 }
"#;
    std::fs::write(&study, text).unwrap();
    let o = run(&["analyze", "--config", s(&study), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.path().join("out/plan/zones.csv").exists());
    let (h, rows) = read_csv(&dir.path().join("out/scenario_zones.csv"));
    let rows: Vec<HashMap<String, String>> = rows
        .into_iter()
        .map(|r| h.iter().cloned().zip(r).collect())
        .collect();
    let west = rows.iter().find(|r| r["zone_name"] == "猎德街道").unwrap();
    let east = rows.iter().find(|r| r["zone_name"] == "新塘镇").unwrap();
    let f = |r: &HashMap<String, String>, k: &str| num(r, k);
    // West: D2 (500) now has a sports ground 11 m away.
    assert_eq!(
        (
            f(west, "sports_covered_base"),
            f(west, "sports_covered_plan"),
            f(west, "sports_covered_delta")
        ),
        (1000.0, 1500.0, 500.0)
    );
    assert_eq!(f(west, "fitness_10min_covered_delta"), 500.0);
    assert_eq!(f(west, "population_delta"), 0.0);
    assert_eq!(f(west, "community_15min_covered_delta"), 0.0);
    // East: population doubled; its only clinic closed; the library (5 km rural) still reached.
    assert_eq!(
        (f(east, "population_base"), f(east, "population_plan")),
        (500.0, 1000.0)
    );
    assert_eq!(
        (
            f(east, "clinic_covered_base"),
            f(east, "clinic_covered_plan")
        ),
        (500.0, 0.0)
    );
    assert_eq!(f(east, "library_covered_delta"), 500.0);
    assert_eq!(f(east, "culture_10min_covered_plan"), 1000.0);
    let j: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/scenario.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        (
            j["population"]["base"].as_f64(),
            j["population"]["plan"].as_f64()
        ),
        (Some(2150.0), Some(2650.0))
    );
    // A facility id the baseline does not have is an error naming the key.
    let t = std::fs::read_to_string(&study)
        .unwrap()
        .replace("[\"C2\"]", "[\"C9\"]");
    std::fs::write(&study, t).unwrap();
    std::fs::remove_dir_all(dir.path().join("out")).unwrap();
    let o = run(&["analyze", "--config", s(&study), "--quiet"]);
    assert!(!o.status.success());
    assert!(
        !dir.path().join("out").exists(),
        "a bad plan leaves no output"
    );
    assert!(
        stderr(&o).contains("scenario.remove_facilities"),
        "{}",
        stderr(&o)
    );
}

/// `[[siting]]` in a study, and a plan that adds the chosen sites. Worked out by hand with a
/// 30-minute threshold at the elderly speed (0.8 m/s: 1,440 m): candidate Y at 113.337 reaches
/// D3 (1,229 m along the street plus 11 m legs), D4 (307 m) and D5 (307 m plus a 52 m leg from
/// the street's end): 550 people; X at 113.325 reaches D3 and D4 (922 m) but not D5 (1,587 m):
/// 500; W at 113.306 reaches only people E1 already covers: 0. k = 1 picks Y, adding 550. The
/// plan with Y added, evaluated independently by the coverage pass (rural 新塘镇: 30 min; D5 in
/// no zone: 15 min = 720 m), covers exactly those 550 more.
#[test]
fn siting_in_the_study_and_the_plan_with_its_sites() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cand.csv"),
        "id,lon,lat\nW,113.306,23.1\nX,113.325,23.1\nY,113.337,23.1\n",
    )
    .unwrap();
    let study = town(
        dir.path(),
        r#"
[scenario]
name = "选址方案"
add_sites = true

[[siting]]
category = "elderly_care"
k = 1
minutes = 30
candidates = "cand.csv"
"#,
    );
    let o = run(&["analyze", "--config", s(&study), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("out");
    let (h, rows) = read_csv(&out.join("sites.csv"));
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][col("candidate_id")], "Y");
    assert_eq!(rows[0][col("added_population")], "550");
    assert_eq!(rows[0][col("zone")], "440118100 新塘镇");
    let base: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let st = &base["siting"][0];
    assert_eq!(st["optimal"], true);
    assert_eq!(st["added_population"], 550.0);
    // Covered before: D1 and D2 by E1 (1,500), within 30 minutes from E1 nobody else.
    assert_eq!(st["covered_before"], 1500.0);
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("plan/summary.json")).unwrap())
            .unwrap();
    let covered = |s: &serde_json::Value| {
        s["categories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["category"] == "elderly_care")
            .unwrap()["covered"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(covered(&plan) - covered(&base), 550.0);
    assert!(plan.get("siting").is_none(), "the plan does not site again");
    // The sites layer, its map and the report section.
    common::assert_valid_gpkg(&out.join("lifecircle.gpkg"));
    let ds = gdal::Dataset::open(out.join("lifecircle.gpkg")).unwrap();
    assert_eq!(ds.layer_by_name("sites").unwrap().feature_count(), 1);
    assert!(out.join("map_sites_elderly_care.png").exists());
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("新增设施选址") && html.contains(">Y<"));
    // A category outside the profile is an error naming the key.
    let t = std::fs::read_to_string(&study)
        .unwrap()
        .replace("category = \"elderly_care\"", "category = \"bakery\"");
    std::fs::write(&study, t).unwrap();
    std::fs::remove_dir_all(&out).unwrap();
    let o = run(&["analyze", "--config", s(&study), "--quiet"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("siting[0].category"), "{}", stderr(&o));
    assert!(!out.exists());
}

/// Checks every rule of the districts table against the zones table: a district (or the city)
/// counts its zones, the zones that pass, and passes only when every one of them does.
fn assert_roll_ups_agree(dir: &Path) {
    let zones = zones_table(dir);
    let (h, rows) = read_csv(&dir.join("out/districts.csv"));
    let rules: Vec<&str> = h
        .iter()
        .filter_map(|c| c.strip_suffix("_zones_passing"))
        .collect();
    assert!(rules.len() >= 4, "rules rolled up: {rules:?}");
    for row in &rows {
        let d: HashMap<&str, &str> = h
            .iter()
            .map(String::as_str)
            .zip(row.iter().map(String::as_str))
            .collect();
        let city = d["district"] == "全市 city";
        let members: Vec<_> = zones
            .iter()
            .filter(|z| city || z["district"] == d["district"])
            .collect();
        for rule in &rules {
            let pass: Vec<&str> = members
                .iter()
                .map(|z| z[&format!("{rule}_pass")].as_str())
                .collect();
            let passing = pass.iter().filter(|p| **p == "1").count();
            let expect = if pass.contains(&"0") {
                "0"
            } else if passing == pass.len() {
                "1"
            } else {
                ""
            };
            let got = |k: &str| d[format!("{rule}_{k}").as_str()];
            assert_eq!(
                got("zones"),
                members.len().to_string(),
                "{rule} in {}",
                d["district"]
            );
            assert_eq!(
                got("zones_passing"),
                passing.to_string(),
                "{rule} in {}",
                d["district"]
            );
            assert_eq!(got("pass"), expect, "{rule} in {}", d["district"]);
        }
    }
}

/// One district holding both zones: the west passes every rule that has data, the east none.
/// The district's totals would meet the targets (one 颐康中心; 30 places for 2,100 residents =
/// 14.3 per 1,000 ≥ 5.8; 2,100 residents per library ≤ 63,500), but the rules are per zone, so
/// the district and the city pass none of them, with 1 of 2 zones passing.
#[test]
fn count_and_ratio_rules_roll_up_zone_by_zone() {
    let dir = tempfile::tempdir().unwrap();
    write_rectangles(dir.path(), "qu", &[("天河区", "440106", 113.290, 113.350)]);
    let study = town(dir.path(), "districts = \"qu.shp\"\n");
    let o = run(&["analyze", "--config", s(&study), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = read_csv(&dir.path().join("out/districts.csv"));
    let col = |n: &str| {
        h.iter()
            .position(|x| x == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    assert_eq!(rows.len(), 2);
    for row in &rows {
        for rule in [
            "elderly_centre_per_zone",
            "childcare_places_per_1000",
            "sports_area_per_resident",
            "residents_per_library",
        ] {
            let get = |k: &str| row[col(&format!("{rule}_{k}"))].as_str();
            assert_eq!(
                (get("zones"), get("zones_passing"), get("pass")),
                ("2", "1", "0"),
                "{rule}"
            );
        }
    }
    assert_eq!(rows[0][col("elderly_centre_per_zone_value")], "1");
    let v: f64 = rows[0][col("childcare_places_per_1000_value")]
        .parse()
        .unwrap();
    assert_eq!(v, 30.0 / 2100.0 * 1000.0);
    assert_roll_ups_agree(dir.path());
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap(),
    )
    .unwrap();
    let rules = summary["count_rules"]
        .as_array()
        .unwrap()
        .iter()
        .chain(summary["ratio_rules"].as_array().unwrap());
    let mut n = 0;
    for r in rules {
        n += 1;
        assert_eq!(
            (
                r["zones"].as_u64(),
                r["zones_passing"].as_u64(),
                r["pass"].as_bool()
            ),
            (Some(2), Some(1), Some(false)),
            "{r}"
        );
        assert_eq!(r["districts"][0]["pass"], false, "{r}");
        assert_eq!(r["districts"][0]["zones_passing"], 1, "{r}");
    }
    assert_eq!(n, 4);
    let md = std::fs::read_to_string(dir.path().join("out/summary.md")).unwrap();
    assert!(
        md.contains("每个街镇至少1个颐康中心: 1 of 2 zones pass; 0 of 1 districts"),
        "{md}"
    );
}

/// A ring of `units` cells of 0.0001° × 0.0001° side by side eastwards from `x0`, with a vertex
/// at every cell corner: its geodesic area is exactly `units` times one cell's (the cells are
/// congruent by a turn about the axis, and share their north–south edges).
fn cells_wkt(x0: f64, units: usize, y0: f64) -> String {
    let (w, y1) = (0.0001, y0 + 0.0001);
    let mut pts: Vec<String> = (0..=units)
        .map(|i| format!("{} {y0}", x0 + w * i as f64))
        .collect();
    pts.extend(
        (0..=units)
            .rev()
            .map(|i| format!("{} {y1}", x0 + w * i as f64)),
    );
    pts.push(format!("{x0} {y0}"));
    format!("POLYGON(({}))", pts.join(","))
}

/// Census polygons spread onto a Shapefile building layer (outer rings clockwise, as Shapefiles
/// store them) by footprint × floors. One census block spans both zones with 1,100 residents;
/// its buildings: W1 (1 cell, 3 floors) and W2 (3 cells, 2 floors) in the west, E1 (2 cells,
/// floors left empty: 1) in the east. Floor areas 3 : 6 : 2 cells, so the west holds
/// 1,100 × 9/11 = 900 residents (W1 300, W2 600) and the east 200. Shares by floors alone (the
/// footprints ignored) would give 916.7 and 183.3.
#[test]
fn census_polygons_onto_shapefile_buildings_by_floor_area() {
    let dir = tempfile::tempdir().unwrap();
    let study = town(dir.path(), "");
    let y0 = 23.1001;
    write_polygons(
        dir.path(),
        "jianzhu",
        &["编号", "建筑层数"],
        &[
            (vec!["W1".into(), "3".into()], cells_wkt(113.3052, 1, y0)),
            (vec!["W2".into(), "2".into()], cells_wkt(113.3110, 3, y0)),
            (vec!["E1".into(), "".into()], cells_wkt(113.3250, 2, y0)),
        ],
    );
    write_polygons(
        dir.path(),
        "renkou",
        &["编号", "人口"],
        &[(
            vec!["B1".into(), "1100".into()],
            rect_wkt(113.300, 113.340, 23.095, 23.11),
        )],
    );
    // The Shapefile holds the outer rings clockwise.
    let ds = gdal::Dataset::open(dir.path().join("jianzhu.shp")).unwrap();
    let mut lyr = ds.layer(0).unwrap();
    for f in lyr.features() {
        let mut ring = Vec::new();
        f.geometry().unwrap().get_geometry(0).get_points(&mut ring);
        let twice_area: f64 = ring
            .windows(2)
            .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
            .sum();
        assert!(twice_area < 0.0, "clockwise: {ring:?}");
    }
    let text = std::fs::read_to_string(&study).unwrap().replace(
        "points = \"demand.csv\"\npopulation_field = \"population\"",
        "polygons = \"renkou.shp\"\npopulation_field = \"人口\"\nbuildings = \"jianzhu.shp\"",
    );
    std::fs::write(&study, text).unwrap();
    let o = run(&["analyze", "--config", s(&study)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("floors field"), "{}", stderr(&o));
    let z = zones_table(dir.path());
    let pop = |name: &str| {
        num(
            z.iter().find(|r| r["zone_name"] == name).unwrap(),
            "population",
        )
    };
    assert!(
        (pop("猎德街道") - 900.0).abs() <= 1e-9 * 900.0,
        "{}",
        pop("猎德街道")
    );
    assert!(
        (pop("新塘镇") - 200.0).abs() <= 1e-9 * 200.0,
        "{}",
        pop("新塘镇")
    );
    let (h, rows) = read_csv(&dir.path().join("out/demand.csv"));
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let by_id: HashMap<&str, f64> = rows
        .iter()
        .map(|r| {
            (
                r[col("demand_id")].as_str(),
                r[col("population")].parse().unwrap(),
            )
        })
        .collect();
    for (id, expect) in [("B1/W1", 300.0), ("B1/W2", 600.0), ("B1/E1", 200.0)] {
        assert!(
            (by_id[id] - expect).abs() <= 1e-9 * expect,
            "{id}: {}",
            by_id[id]
        );
    }
    assert_roll_ups_agree(dir.path());

    // A floors field that is not a number is an error naming the file, feature and field.
    let text = std::fs::read_to_string(&study).unwrap();
    let named = text.replace(
        "buildings = \"jianzhu.shp\"",
        "buildings = \"jianzhu.shp\"\nlevels_field = \"编号\"",
    );
    std::fs::write(&study, named).unwrap();
    let o = run(&["analyze", "--config", s(&study), "--quiet"]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("jianzhu.shp") && e.contains("编号") && e.contains("feature 1"),
        "{e}"
    );

    // Without a recognised floors field every building is one floor (footprints 1 : 3 : 2, so
    // the west holds 1,100 × 4/6), and the run says so.
    write_polygons(
        dir.path(),
        "jianzhu2",
        &["编号", "高度"],
        &[
            (vec!["W1".into(), "9".into()], cells_wkt(113.3052, 1, y0)),
            (vec!["W2".into(), "6".into()], cells_wkt(113.3110, 3, y0)),
            (vec!["E1".into(), "3".into()], cells_wkt(113.3250, 2, y0)),
        ],
    );
    std::fs::write(&study, text.replace("jianzhu.shp", "jianzhu2.shp")).unwrap();
    let o = run(&["analyze", "--config", s(&study)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("jianzhu2.shp has no floors field")
            && e.contains("高度")
            && e.contains("levels_field"),
        "{e}"
    );
    let z = zones_table(dir.path());
    let pop = |name: &str| {
        num(
            z.iter().find(|r| r["zone_name"] == name).unwrap(),
            "population",
        )
    };
    assert!(
        (pop("猎德街道") - 1100.0 * 4.0 / 6.0).abs() <= 1e-9 * 1100.0,
        "{}",
        pop("猎德街道")
    );
}
