//! Capacity-aware access: the two-step floating catchment area method (2SFCA) worked out by hand
//! on one street, its enhanced form (E2SFCA) and the Gaussian decay, facilities without demand,
//! bad input, and the study's `[access]` section with a ratio rule per children under 3.
//!
//! ```text
//!  lat 23.1001   D1          D2               D3                  D4               D5
//!  lat 23.1000 ══●═════F1════●═════F2═════════●═════════F3════════●════════════════●════ F4 ══
//!          113.3000  .3010  .3025  .3040    .3055     .3080     .3100           .3200   .3300
//! ```
//!
//! One degree of longitude at 23.1°N is 102.39 km, so 0.001° is 102.4 m; the demand points are
//! 11.1 m north of the street (their access leg) and the facilities on it. Walking at 1 m/s with
//! 5-minute catchments (300 s), a demand point is in a facility's catchment when the street
//! distance plus 11.1 m is at most 300 m:
//!
//! | pair    | street    | + access | in?   |
//! |---------|-----------|----------|-------|
//! | D1–F1   | 0.0010°   | 113.5 m  | yes   |
//! | D2–F1   | 0.0015°   | 164.7 m  | yes   |
//! | D2–F2   | 0.0015°   | 164.7 m  | yes   |
//! | D3–F2   | 0.0015°   | 164.7 m  | yes   |
//! | D3–F3   | 0.0025°   | 267.1 m  | yes   |
//! | D4–F3   | 0.0020°   | 215.9 m  | yes   |
//! | D1–F2   | 0.0040°   | 420.7 m  | no    |
//! | D3–F1   | 0.0045°   | 471.9 m  | no    |
//! | D2–F3   | 0.0055°   | 574.2 m  | no    |
//! | D4–F2   | 0.0060°   | 625.4 m  | no    |
//! | D5–F3   | 0.0120°   | 1,240 m  | no    |
//! | D5–F4   | 0.0100°   | 1,035 m  | no    |

mod common;

use common::*;
use std::collections::HashMap;
use std::path::Path;

const LAT: f64 = 23.1;
const DLAT: f64 = 23.1001;

/// Demand: id, longitude, population, children under 3.
const DEMAND: [(&str, f64, f64, f64); 5] = [
    ("D1", 113.3000, 100.0, 4.0),
    ("D2", 113.3025, 200.0, 16.0),
    ("D3", 113.3055, 300.0, 10.0),
    ("D4", 113.3100, 400.0, 20.0),
    ("D5", 113.3200, 50.0, 2.0),
];

/// Facilities: id, longitude, capacity (childcare places).
const FACILITIES: [(&str, f64, f64); 3] = [
    ("F1", 113.3010, 60.0),
    ("F2", 113.3040, 30.0),
    ("F3", 113.3080, 10.0),
];

fn street(dir: &Path) {
    std::fs::write(
        dir.join("street.geojson"),
        lines_geojson(&[(&[[113.298, LAT], [113.335, LAT]], r#""name":"黄埔大道""#)]),
    )
    .unwrap();
}

fn write_demand(dir: &Path) {
    let mut t = String::from("id,lon,lat,population,under3\n");
    for (id, lon, pop, u3) in DEMAND {
        t += &format!("{id},{lon},{DLAT},{pop},{u3}\n");
    }
    std::fs::write(dir.join("demand.csv"), t).unwrap();
}

/// Facilities table, with `extra` rows (`id,lon,capacity`) after the three of the example.
fn write_facilities(dir: &Path, extra: &[(&str, f64, &str)]) {
    let mut t = String::from("id,category,lon,lat,capacity\n");
    for (id, lon, cap) in FACILITIES {
        t += &format!("{id},childcare,{lon},{LAT},{cap}\n");
    }
    for (id, lon, cap) in extra {
        t += &format!("{id},childcare,{lon},{LAT},{cap}\n");
    }
    std::fs::write(dir.join("facilities.csv"), t).unwrap();
}

/// Runs `lifecircle access` on the street with 5-minute catchments; returns the demand rows and
/// the facility rows by id.
fn run_access(dir: &Path, extra: &[&str]) -> (Rows, Rows) {
    let (net, fac, dem) = (
        dir.join("street.geojson"),
        dir.join("facilities.csv"),
        dir.join("demand.csv"),
    );
    let (out, fout) = (dir.join("access.csv"), dir.join("facility_access.csv"));
    let mut args = vec![
        "access",
        "--network",
        s(&net),
        "--facilities",
        s(&fac),
        "--demand",
        s(&dem),
        "--max-minutes",
        "5",
        "--out",
        s(&out),
        "--facility-out",
        s(&fout),
        "--quiet",
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    (by_id(&out, "demand_id"), by_id(&fout, "facility_id"))
}

/// Table rows by their id column: id → column → value.
type Rows = HashMap<String, HashMap<String, String>>;

fn by_id(path: &Path, key: &str) -> Rows {
    let (h, rows) = read_csv(path);
    rows.into_iter()
        .map(|r| {
            let m: HashMap<String, String> = h.iter().cloned().zip(r).collect();
            (m[key].clone(), m)
        })
        .collect()
}

fn num(m: &HashMap<String, String>, k: &str) -> f64 {
    m.get(k)
        .unwrap_or_else(|| panic!("column {k}"))
        .parse()
        .unwrap_or_else(|_| panic!("{k} = {:?}", m[k]))
}

fn close(a: f64, b: f64) {
    assert!(
        (a - b).abs() <= 1e-12 * b.abs().max(1e-300),
        "{a} != {b} (expected)"
    );
}

#[test]
fn hand_worked_2sfca() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    street(d);
    write_demand(d);
    write_facilities(d, &[]);
    let (a, f) = run_access(d, &[]);
    let (h, _) = read_csv(&d.join("access.csv"));
    assert_eq!(&h[..3], ["demand_id", "category", "access"]);
    let (h, _) = read_csv(&d.join("facility_access.csv"));
    assert_eq!(&h[..3], ["facility_id", "category", "ratio"]);

    // Step 1, supply-to-demand ratio per facility: capacity / population in its catchment.
    //   F1: D1 + D2 = 100 + 200 = 300 residents, 60 places → R1 = 60 / 300 = 0.2
    //   F2: D2 + D3 = 200 + 300 = 500 residents, 30 places → R2 = 30 / 500 = 0.06
    //   F3: D3 + D4 = 300 + 400 = 700 residents, 10 places → R3 = 10 / 700 = 1/70
    let r = |id: &str| num(&f[id], "ratio");
    close(r("F1"), 0.2);
    close(r("F2"), 0.06);
    close(r("F3"), 1.0 / 70.0);
    for (id, demand, points) in [("F1", 300.0, 2.0), ("F2", 500.0, 2.0), ("F3", 700.0, 2.0)] {
        assert_eq!(num(&f[id], "demand"), demand, "{id}");
        assert_eq!(num(&f[id], "demand_points"), points, "{id}");
        assert_eq!(f[id]["status"], "ok");
        assert_eq!(f[id]["category"], "childcare");
    }

    // Step 2, access per demand point: the ratios of the facilities it reaches, summed.
    //   D1 = R1           = 0.2
    //   D2 = R1 + R2      = 0.2 + 0.06 = 0.26
    //   D3 = R2 + R3      = 0.06 + 1/70 = 0.0742857…
    //   D4 = R3           = 1/70 = 0.0142857…
    //   D5: reaches none  = 0
    let acc = |id: &str| num(&a[id], "access");
    close(acc("D1"), 0.2);
    close(acc("D2"), 0.26);
    close(acc("D3"), 0.06 + 1.0 / 70.0);
    close(acc("D4"), 1.0 / 70.0);
    assert_eq!(acc("D5"), 0.0);
    assert_eq!(a["D5"]["status"], "not_reached");
    assert_eq!(a["D5"]["facilities"], "0");
    assert_eq!(a["D2"]["facilities"], "2");
    assert_eq!(a["D1"]["status"], "ok");
    // Every place is shared out: Σ population × access = 20 + 52 + 22.29 + 5.71 = 100 places.
    let total: f64 = DEMAND.iter().map(|(id, _, pop, _)| pop * acc(id)).sum();
    close(total, 100.0);
}

#[test]
fn hand_worked_e2sfca_weights() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    street(d);
    write_demand(d);
    write_facilities(d, &[]);
    // Bands: up to 2 min (120 s) weight 1, up to 5 min weight 0.5. Only D1–F1 (113.5 s) is in
    // the first band; every other pair of the table (164.7–267.1 s) weighs 0.5.
    let (a, f) = run_access(d, &["--weights", "2:1,5:0.5"]);
    // Step 1: F1: 1 × 100 + 0.5 × 200 = 200 → 60 / 200 = 0.3
    //         F2: 0.5 × 200 + 0.5 × 300 = 250 → 30 / 250 = 0.12
    //         F3: 0.5 × 300 + 0.5 × 400 = 350 → 10 / 350 = 1/35
    close(num(&f["F1"], "ratio"), 0.3);
    close(num(&f["F2"], "ratio"), 0.12);
    close(num(&f["F3"], "ratio"), 1.0 / 35.0);
    assert_eq!(num(&f["F1"], "demand"), 200.0);
    // Step 2: D1 = 1 × 0.3 = 0.3;  D2 = 0.5 × 0.3 + 0.5 × 0.12 = 0.21;
    //         D3 = 0.5 × 0.12 + 0.5 / 35 = 0.06 + 1/70;  D4 = 0.5 / 35 = 1/70;  D5 = 0.
    close(num(&a["D1"], "access"), 0.3);
    close(num(&a["D2"], "access"), 0.21);
    close(num(&a["D3"], "access"), 0.06 + 1.0 / 70.0);
    close(num(&a["D4"], "access"), 1.0 / 70.0);
    assert_eq!(num(&a["D5"], "access"), 0.0);
}

#[test]
fn gaussian_decay_follows_the_formula_on_the_reported_times() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    street(d);
    write_demand(d);
    write_facilities(d, &[]);
    let m = d.join("catchments.csv");
    let (a, f) = run_access(d, &["--decay", "gaussian", "--catchments-out", s(&m)]);
    let (h, rows) = read_csv(&m);
    assert_eq!(
        h,
        [
            "facility_id",
            "category",
            "demand_id",
            "time_s",
            "distance_m"
        ]
    );
    // The six pairs of the table, at 113.5, 164.7 (×3), 267.1 and 215.9 s.
    assert_eq!(rows.len(), 6);
    let t0 = 300.0;
    let e = (-0.5f64).exp();
    let w = |t: f64| ((-0.5 * (t / t0) * (t / t0)).exp() - e) / (1.0 - e);
    let pop: HashMap<&str, f64> = DEMAND.iter().map(|(id, _, p, _)| (*id, *p)).collect();
    let mut demand: HashMap<String, f64> = HashMap::new();
    for r in &rows {
        let t: f64 = r[3].parse().unwrap();
        let dist: f64 = r[4].parse().unwrap();
        assert!((t - dist).abs() < 1e-9, "walking at 1 m/s");
        *demand.entry(r[0].clone()).or_default() += w(t) * pop[r[2].as_str()];
    }
    let cap: HashMap<&str, f64> = FACILITIES.iter().map(|(id, _, c)| (*id, *c)).collect();
    let mut access: HashMap<String, f64> = HashMap::new();
    for r in &rows {
        let t: f64 = r[3].parse().unwrap();
        *access.entry(r[2].clone()).or_default() += w(t) * cap[r[0].as_str()] / demand[&r[0]];
    }
    for (id, c) in cap {
        close(num(&f[id], "ratio"), c / demand[id]);
    }
    for (id, v) in &access {
        close(num(&a[id], "access"), *v);
    }
    // D1–F1 at 113.5 s: w = (exp(−½ · 0.378²) − e^−½) / (1 − e^−½) ≈ 0.82.
    let t11: f64 = rows.iter().find(|r| r[0] == "F1" && r[2] == "D1").unwrap()[3]
        .parse()
        .unwrap();
    assert!((113.0..114.0).contains(&t11), "{t11}");
    assert!((w(t11) - 0.82).abs() < 0.01);
}

#[test]
fn a_facility_without_demand_has_no_ratio() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    street(d);
    write_demand(d);
    // F4 is 1,035 m from D5, the nearest demand point: nobody in its catchment.
    write_facilities(d, &[("F4", 113.33, "7")]);
    let (a, f) = run_access(d, &[]);
    assert_eq!(f["F4"]["ratio"], "", "no ratio, not infinity");
    assert_eq!(f["F4"]["status"], "no_demand");
    assert_eq!(num(&f["F4"], "demand"), 0.0);
    // The others and every access value are as without F4.
    close(num(&f["F3"], "ratio"), 1.0 / 70.0);
    close(num(&a["D4"], "access"), 1.0 / 70.0);
    assert_eq!(num(&a["D5"], "access"), 0.0);
}

#[test]
fn category_option_filters_or_names() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    street(d);
    write_demand(d);
    // A second category is left out by --category childcare.
    write_facilities(d, &[]);
    let t = std::fs::read_to_string(d.join("facilities.csv")).unwrap()
        + &format!("X1,library,113.3025,{LAT},5000\n");
    std::fs::write(d.join("facilities.csv"), t).unwrap();
    let (a, _) = run_access(d, &["--category", "childcare"]);
    close(num(&a["D1"], "access"), 0.2);
    let (h, rows) = read_csv(&d.join("access.csv"));
    let c = h.iter().position(|x| x == "category").unwrap();
    assert!(rows.iter().all(|r| r[c] == "childcare"));
    // Without a category column, --category names the category of every row.
    let mut t = String::from("id,lon,lat,学位\n");
    for (id, lon, cap) in FACILITIES {
        t += &format!("{id},{lon},{LAT},{cap}\n");
    }
    std::fs::write(d.join("facilities.csv"), t).unwrap();
    let (a, f) = run_access(d, &["--category", "school"]);
    assert_eq!(f["F1"]["category"], "school");
    close(num(&a["D2"], "access"), 0.26);
}

/// Runs `access` expecting failure; returns stderr.
fn fails(d: &Path, facilities: &str, demand: &str, extra: &[&str]) -> String {
    std::fs::write(d.join("f.csv"), facilities).unwrap();
    std::fs::write(d.join("d.csv"), demand).unwrap();
    let out = d.join("out.csv");
    let (net, fac, dem) = (d.join("street.geojson"), d.join("f.csv"), d.join("d.csv"));
    let mut args = vec![
        "access",
        "--network",
        s(&net),
        "--facilities",
        s(&fac),
        "--demand",
        s(&dem),
        "--max-minutes",
        "5",
        "--out",
        s(&out),
        "--quiet",
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert!(!o.status.success(), "expected failure for {args:?}");
    assert!(!out.exists(), "no output on failure");
    stderr(&o)
}

fn has(msg: &str, parts: &[&str]) {
    for p in parts {
        assert!(msg.contains(p), "message {msg:?} lacks {p:?}");
    }
}

#[test]
fn bad_input_names_file_row_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    street(d);
    let dem = format!("id,lon,lat,population\nD1,113.3,{DLAT},100\n");
    let fac = |rows: &str| format!("id,category,lon,lat,capacity\n{rows}");
    has(
        &fails(
            d,
            &format!("id,category,lon,lat\nF1,childcare,113.301,{LAT}\n"),
            &dem,
            &[],
        ),
        &["f.csv", "field `capacity`", "no capacity column"],
    );
    has(
        &fails(
            d,
            &fac(&format!(
                "F1,childcare,113.301,{LAT},6\nF2,childcare,113.302,{LAT},-3\n"
            )),
            &dem,
            &[],
        ),
        &["f.csv", "row 3", "field `capacity`", "negative capacity"],
    );
    has(
        &fails(
            d,
            &fac(&format!(
                "F1,childcare,113.301,{LAT},6\nF2,childcare,113.302,{LAT},\n"
            )),
            &dem,
            &[],
        ),
        &["f.csv", "row 3", "field `capacity`", "empty capacity"],
    );
    has(
        &fails(
            d,
            &fac(&format!("F1,childcare,113.301,{LAT},many\n")),
            &dem,
            &[],
        ),
        &["f.csv", "row 2", "field `capacity`", "not a number"],
    );
    let good = fac(&format!("F1,childcare,113.301,{LAT},6\n"));
    has(
        &fails(d, &good, &format!("id,lon,lat\nD1,113.3,{DLAT}\n"), &[]),
        &["d.csv", "field `population`", "no population column"],
    );
    has(
        &fails(
            d,
            &good,
            &format!("id,lon,lat,population\nD1,113.3,{DLAT},-5\n"),
            &[],
        ),
        &["d.csv", "row 2", "field `population`", "negative"],
    );
    has(
        &fails(d, &good, &dem, &["--weights", "5:1,3:0.5"]),
        &["--weights", "increasing"],
    );
    has(
        &fails(d, &good, &dem, &["--weights", "5"]),
        &["--weights", "upper_minutes:weight"],
    );
    has(
        &fails(d, &good, &dem, &["--category", "library"]),
        &[
            "f.csv",
            "--category",
            "no facility has category \"library\"",
        ],
    );
    let m = fails(d, &good, &dem, &["--decay", "linear"]);
    has(&m, &["linear"]);
}

// ---------------------------------------------------------------------------------------------
// The study's [access] section, with a ratio rule per 1,000 children under 3.

/// Two zones split at 113.306: 西区 (D1, D2, D3; F1, F2) and 东区 (D4, D5; F3, F4).
fn write_zones(dir: &Path) {
    let poly = |x0: f64, x1: f64| {
        format!("[[[{x0},23.09],[{x1},23.09],[{x1},23.12],[{x0},23.12],[{x0},23.09]]]")
    };
    let feats: Vec<String> = [
        ("西区街道", "001", "天河区", 113.29, 113.306),
        ("东区镇", "002", "增城区", 113.306, 113.34),
    ]
    .iter()
    .map(|(n, c, dist, x0, x1)| {
        format!(
            r#"{{"type":"Feature","properties":{{"name":"{n}","code":"{c}","district":"{dist}"}},"geometry":{{"type":"Polygon","coordinates":{}}}}}"#,
            poly(*x0, *x1)
        )
    })
    .collect();
    std::fs::write(
        dir.join("zones.geojson"),
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            feats.join(",")
        ),
    )
    .unwrap();
}

const PROFILE: &str = r#"base = "guangzhou"

[categories.childcare]
label = "托育服务设施"
minutes = 15
population = "age_0_3"

[[ratio_rules]]
id = "childcare_places_per_1000"
label = "每千人口托位数"
category = "childcare"
kind = "capacity_per_population"
per = 1000
target = 5.8

[[ratio_rules]]
id = "childcare_places_per_1000_under3"
label = "每千名3岁以下婴幼儿托位数"
category = "childcare"
kind = "capacity_per_population"
per = 1000
target = 1500
population = "age_0_3"
"#;

fn study(dir: &Path, access: &str) -> std::path::PathBuf {
    street(dir);
    write_demand(dir);
    write_facilities(dir, &[("F4", 113.33, "5")]);
    write_zones(dir);
    std::fs::write(dir.join("profile.toml"), PROFILE).unwrap();
    let p = dir.join("study.toml");
    std::fs::write(
        &p,
        format!(
            r#"name = "2SFCA 手算"
profile = "profile.toml"
[output]
folder = "out"
formats = ["csv"]
headers = "en"
[network]
file = "street.geojson"
[facilities]
[[facilities.files]]
path = "facilities.csv"
[demand]
points = "demand.csv"
population_field = "population"
groups = {{ age_0_3 = "under3" }}
[zones]
file = "zones.geojson"
[report]
service_areas = false
maps = false
html = false
{access}
"#
        ),
    )
    .unwrap();
    p
}

fn table(path: &Path, key: &str) -> Rows {
    by_id(path, key)
}

#[test]
fn study_access_section_and_ratio_per_children_under_3() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let st = study(d, "[access]\nminutes = 5\n");
    let o = run(&["analyze", "--config", s(&st), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));

    // Childcare is measured for children under 3 (the profile's population group), so the
    // weights are the under-3 counts: D1 4, D2 16, D3 10, D4 20, D5 2. Same catchments as above.
    //   F1: 4 + 16 = 20 children, 60 places → R1 = 3
    //   F2: 16 + 10 = 26 children, 30 places → R2 = 30/26 = 15/13
    //   F3: 10 + 20 = 30 children, 10 places → R3 = 1/3
    //   F4: nobody within 5 minutes → no ratio.
    let f = table(&d.join("out/facilities.csv"), "facility_id");
    close(num(&f["F1"], "access_ratio"), 3.0);
    close(num(&f["F2"], "access_ratio"), 15.0 / 13.0);
    close(num(&f["F3"], "access_ratio"), 1.0 / 3.0);
    assert_eq!(num(&f["F2"], "access_demand"), 26.0);
    assert_eq!(f["F4"]["access_ratio"], "");
    assert_eq!(f["F4"]["access_status"], "no_demand");
    assert_eq!(f["F1"]["access_status"], "ok");
    //   D1 = 3;  D2 = 3 + 15/13 = 54/13;  D3 = 15/13 + 1/3 = 58/39;  D4 = 1/3;  D5 = 0.
    let dm = table(&d.join("out/demand.csv"), "demand_id");
    let acc = |id: &str| num(&dm[id], "childcare_access");
    close(acc("D1"), 3.0);
    close(acc("D2"), 54.0 / 13.0);
    close(acc("D3"), 58.0 / 39.0);
    close(acc("D4"), 1.0 / 3.0);
    assert_eq!(acc("D5"), 0.0);

    // Target: the per-under-3 ratio rule, 1500 places per 1,000 children = 1.5 per child.
    // 西区: children 4 + 16 + 10 = 30; Σ children × access = 4·3 + 16·54/13 + 10·58/39
    //       = (468 + 2592 + 580)/39 = 3640/39 → mean 3640/39/30 = 28/9; below 1.5: D3 (10 of 30).
    // 东区: children 20 + 2 = 22; Σ = 20/3 → mean 10/33; below: both → 1.
    let z = table(&d.join("out/zones.csv"), "zone_name");
    let (w, e) = (&z["西区街道"], &z["东区镇"]);
    close(num(w, "childcare_access_mean"), 28.0 / 9.0);
    close(num(w, "childcare_access_below_share"), 1.0 / 3.0);
    assert_eq!(num(w, "childcare_access_target"), 1.5);
    close(num(e, "childcare_access_mean"), 10.0 / 33.0);
    assert_eq!(num(e, "childcare_access_below_share"), 1.0);
    // Ratio rules per zone: 西区 90 places for 600 residents and 30 children under 3,
    // 东区 15 places (F3 10 + F4 5) for 450 residents and 22 children.
    close(
        num(w, "childcare_places_per_1000_value"),
        90.0 / 600.0 * 1000.0,
    );
    close(
        num(w, "childcare_places_per_1000_under3_value"),
        90.0 / 30.0 * 1000.0,
    );
    assert_eq!(num(w, "childcare_places_per_1000_under3_target"), 1500.0);
    assert_eq!(num(w, "childcare_places_per_1000_under3_pass"), 1.0);
    close(
        num(e, "childcare_places_per_1000_under3_value"),
        15.0 / 22.0 * 1000.0,
    );
    assert_eq!(num(e, "childcare_places_per_1000_under3_pass"), 0.0);

    // Districts (one zone each) and the city: 52 children, Σ = 3640/39 + 260/39 = 100 places
    // (every place shared out except F4's, which has nobody) → mean 100/52 = 25/13; below 1.5:
    // D3, D4, D5 = 32 of 52 = 8/13.
    let ds = table(&d.join("out/districts.csv"), "district");
    close(num(&ds["天河区"], "childcare_access_mean"), 28.0 / 9.0);
    let city = &ds["全市 city"];
    close(num(city, "childcare_access_mean"), 25.0 / 13.0);
    close(num(city, "childcare_access_below_share"), 8.0 / 13.0);
    close(
        num(city, "childcare_places_per_1000_under3_value"),
        105.0 / 52.0 * 1000.0,
    );

    // Summary: the access section and the ratio rule per children under 3.
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("out/summary.json")).unwrap())
            .unwrap();
    let a = &j["access"][0];
    assert_eq!(a["category"], "childcare");
    assert_eq!(a["method"], "2SFCA");
    assert_eq!(a["measured_for"], "age_0_3");
    assert_eq!(a["catchment_minutes"], 5.0);
    assert_eq!(a["facilities_no_demand"], serde_json::json!(["F4"]));
    close(a["city_mean"].as_f64().unwrap(), 25.0 / 13.0);
    close(a["city_below_target_share"].as_f64().unwrap(), 8.0 / 13.0);
    assert_eq!(a["zones_mean_below_target"], 1);
    let rule = j["ratio_rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "childcare_places_per_1000_under3")
        .expect("rule in the summary");
    assert_eq!(rule["per_population"], "age_0_3");
    assert_eq!(rule["zones_passing"], 1);
    let md = std::fs::read_to_string(d.join("out/summary.md")).unwrap();
    has(
        &md,
        &[
            "2SFCA",
            "托育服务设施",
            "每千名3岁以下婴幼儿托位数 (per age_0_3)",
        ],
    );
    assert!(j["notes"].as_array().unwrap().iter().any(|n| n
        .as_str()
        .unwrap()
        .contains("no demand within their catchment")));
}

#[test]
fn study_without_access_section_has_no_access_columns() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let st = study(d, "");
    let o = run(&["analyze", "--config", s(&st), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, _) = read_csv(&d.join("out/zones.csv"));
    assert!(!h.iter().any(|c| c.contains("access")), "{h:?}");
    let (h, _) = read_csv(&d.join("out/facilities.csv"));
    for c in ["access_demand", "access_ratio", "access_status"] {
        assert!(!h.iter().any(|x| x == c), "{h:?}");
    }
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("out/summary.json")).unwrap())
            .unwrap();
    assert!(j.get("access").is_none());
}

#[test]
fn study_e2sfca_weights_and_bad_access_keys() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let st = study(
        d,
        "[access]\ndecay = \"weights\"\nweights = [[2, 1.0], [5, 0.5]]\nminutes = 5\n",
    );
    let o = run(&["analyze", "--config", s(&st), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Weighted by children under 3 with the bands of hand_worked_e2sfca_weights:
    //   F1: 1 × 4 + 0.5 × 16 = 12 → 60/12 = 5
    //   D1 = 1 × 5 = 5
    let f = table(&d.join("out/facilities.csv"), "facility_id");
    close(num(&f["F1"], "access_ratio"), 5.0);
    let dm = table(&d.join("out/demand.csv"), "demand_id");
    close(num(&dm["D1"], "childcare_access"), 5.0);
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("out/summary.json")).unwrap())
            .unwrap();
    assert_eq!(j["access"][0]["method"], "E2SFCA");

    for (section, parts) in [
        (
            "[access]\ndecay = \"linear\"\n",
            &["access.decay", "linear"][..],
        ),
        (
            "[access]\ndecay = \"weights\"\n",
            &["access.weights", "no weight bands"][..],
        ),
        (
            "[access]\nweights = [[5, 1.0]]\n",
            &["access.weights", "only with decay"][..],
        ),
        (
            "[access]\ncategories = [\"spa\"]\n",
            &["access.categories", "unknown category \"spa\""][..],
        ),
        (
            "[access]\nminutes = -1\n",
            &["access.minutes", "above 0 and at most 600 minutes"][..],
        ),
        (
            "[access]\ntargets = { library = 0.1 }\n",
            &["access.targets.library", "not a measured category"][..],
        ),
    ] {
        let st = study(d, section);
        let o = run(&["analyze", "--config", s(&st), "--quiet"]);
        assert!(!o.status.success(), "{section}");
        has(&stderr(&o), parts);
    }
}

// ---------------------------------------------------------------------------------------------
// Catchments against `nearest` with each facility alone, on the São Paulo sample.

#[test]
fn catchments_match_nearest_with_each_facility_alone() {
    use lifecircle::analysis::access::Catchments;
    use lifecircle::input::{read_osm, OsmRequest};
    use lifecircle::nearest::{nearest, NearestOptions, Outcome};
    use lifecircle::network::{build_network, KeepComponents, Mode, Profile, SnapResult, Snapper};
    use lifecircle::places::{DemandPoint, Facility};
    use lifecircle::route::access::OnEdge;
    use lifecircle::route::catchment::DemandByEdge;

    let d = read_osm(
        Path::new("data/sao-paulo/spo_osm.pbf"),
        OsmRequest {
            network: Some(Profile::new(Mode::Walk)),
            ..Default::default()
        },
    )
    .unwrap();
    let net = build_network(&d.network.unwrap(), KeepComponents::Largest).unwrap();
    let b = net.bbox();
    // A fixed scatter of points (a linear congruential sequence) over the network's extent.
    let mut x: u64 = 12345;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut point = || [b[0] + next() * (b[2] - b[0]), b[1] + next() * (b[3] - b[1])];
    let demand: Vec<DemandPoint> = (0..3000)
        .map(|i| DemandPoint {
            id: format!("d{i}"),
            location: point(),
            population: Some(1.0),
            groups: vec![],
            origin: format!("point {i}"),
        })
        .collect();
    let facilities: Vec<Facility> = (0..20)
        .map(|i| Facility {
            id: format!("f{i}"),
            name: String::new(),
            category: "c".into(),
            // Two entrances for some facilities.
            locations: if i % 5 == 0 {
                vec![point(), point()]
            } else {
                vec![point()]
            },
            capacity: Some(1.0),
            origin: format!("facility {i}"),
        })
        .collect();
    let profile = Profile::new(Mode::Walk);
    let limit = 900.0;
    let snapper = Snapper::new(&net, 500.0);
    let snap = |p: [f64; 2]| match snapper.snap(p) {
        SnapResult::Snapped(s) => Some(s),
        SnapResult::TooFar(_) => None,
    };
    let by_edge = DemandByEdge::new(demand.iter().map(|p| snap(p.location)).collect());
    let locs: Vec<Vec<OnEdge>> = facilities
        .iter()
        .enumerate()
        .map(|(k, f)| {
            f.locations
                .iter()
                .filter_map(|&p| snap(p).map(|s| OnEdge::new(&s, k as u32)))
                .collect()
        })
        .collect();
    let c = Catchments::compute(
        &net,
        &by_edge,
        &locs,
        &vec![limit; locs.len()],
        profile.access_speed_mps,
    );
    let opts = NearestOptions {
        profile,
        max_time_s: Some(limit),
        max_snap_m: 500.0,
        keep_node_times: false,
    };
    let mut pairs = 0;
    for (k, f) in facilities.iter().enumerate() {
        let r = nearest(&net, std::slice::from_ref(f), &demand, &opts).unwrap();
        let mut want: Vec<(u32, f64, f64)> = (0..demand.len())
            .filter_map(|dp| match r.outcome(dp, 0) {
                Outcome::Reached(h) => Some((dp as u32, h.time_s, h.distance_m)),
                _ => None,
            })
            .collect();
        let mut got: Vec<(u32, f64, f64)> = c
            .of(k)
            .iter()
            .map(|x| (x.demand, x.time_s, x.distance_m))
            .collect();
        want.sort_by_key(|x| x.0);
        got.sort_by_key(|x| x.0);
        assert_eq!(
            got.iter().map(|x| x.0).collect::<Vec<_>>(),
            want.iter().map(|x| x.0).collect::<Vec<_>>(),
            "facility {k}: same demand points"
        );
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g.1, w.1, "facility {k}, demand {}: time", g.0);
            assert_eq!(g.2, w.2, "facility {k}, demand {}: distance", g.0);
        }
        pairs += got.len();
    }
    assert!(pairs > 500, "a meaningful check: {pairs} pairs");
}
