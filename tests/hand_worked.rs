//! A hand-worked example: a small L-shaped street network near Guangzhou, a facility beside the
//! middle of one street, and demand points on the same street, on another street, and too far
//! away. Expected distances are worked out from the geometry with Karney's geodesic (an
//! independent implementation from the tool's own ground distances).
//!
//! ```text
//!   D (113.000, 23.004)
//!   |
//!   B (113.000, 23.002) ───────────── C (113.003, 23.002)
//!   |                 x X (113.0015, 23.0021) snaps onto BC at (113.0015, 23.002)
//!   |
//!   + ─ F clinic (113.0005, 23.001) snaps onto AB at (113.000, 23.001)
//!   + ─ Y (112.9996, 23.0015) snaps onto AB at (113.000, 23.0015)
//!   A (113.000, 23.000)
//! ```

mod common;

use common::*;
use geo::{Distance, Geodesic, Point};

fn g(a: [f64; 2], b: [f64; 2]) -> f64 {
    Geodesic.distance(Point::new(a[0], a[1]), Point::new(b[0], b[1]))
}

const A: [f64; 2] = [113.000, 23.000];
const B: [f64; 2] = [113.000, 23.002];
const C: [f64; 2] = [113.003, 23.002];
const D: [f64; 2] = [113.000, 23.004];

fn town(dir: &std::path::Path) -> (String, String, String) {
    let net = p(dir, "streets.geojson");
    std::fs::write(
        &net,
        lines_geojson(&[
            (&[A, B], r#""name":"AB""#),
            (&[B, C], r#""name":"BC""#),
            (&[B, D], r#""name":"BD""#),
        ]),
    )
    .unwrap();
    let fac = p(dir, "facilities.csv");
    std::fs::write(
        &fac,
        "id,category,lon,lat\nF,clinic,113.0005,23.001\nL,library,113.000,23.004\n",
    )
    .unwrap();
    let dem = p(dir, "demand.csv");
    std::fs::write(
        &dem,
        "id,lon,lat\nX,113.0015,23.0021\nY,112.9996,23.0015\nZ,113.02,23.02\n",
    )
    .unwrap();
    (
        s(&net).to_string(),
        s(&fac).to_string(),
        s(&dem).to_string(),
    )
}

#[test]
fn distances_match_the_hand_worked_values() {
    let dir = tempfile::tempdir().unwrap();
    let (net, fac, dem) = town(dir.path());
    let out = p(dir.path(), "out.csv");
    let o = run(&[
        "nearest",
        "--network",
        &net,
        "--facilities",
        &fac,
        "--demand",
        &dem,
        "--out",
        s(&out),
        "--speed",
        "1.25",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = read_csv(&out);
    assert_eq!(
        h,
        [
            "demand_id",
            "category",
            "facility_id",
            "distance_m",
            "time_s",
            "status",
            "access_m"
        ]
    );
    let get = |d: &str, c: &str| {
        rows.iter()
            .find(|r| r[0] == d && r[1] == c)
            .unwrap_or_else(|| panic!("row {d} {c}"))
            .clone()
    };
    let num = |s: &str| s.parse::<f64>().unwrap();

    let foot_f = [113.000, 23.001];
    let foot_x = [113.0015, 23.002];
    let foot_y = [113.000, 23.0015];
    let acc_f = g([113.0005, 23.001], foot_f);
    let acc_x = g([113.0015, 23.0021], foot_x);
    let acc_y = g([112.9996, 23.0015], foot_y);

    // X → clinic: access, along BC back to B, down AB to the clinic's foot, access.
    let x_clinic = acc_x + g(B, foot_x) + g(foot_f, B) + acc_f;
    // X → library at D: along BC to B, up BD to D (the library sits on D: no access leg).
    let x_library = acc_x + g(B, foot_x) + g(B, D);
    // Y → clinic: both on AB, 55 m apart along the street.
    let y_clinic = acc_y + g(foot_y, foot_f) + acc_f;
    let y_library = acc_y + g(foot_y, B) + g(B, D);

    for (d, c, expect, fac) in [
        ("X", "clinic", x_clinic, "F"),
        ("X", "library", x_library, "L"),
        ("Y", "clinic", y_clinic, "F"),
        ("Y", "library", y_library, "L"),
    ] {
        let r = get(d, c);
        assert_eq!(r[2], fac);
        assert_eq!(r[5], "ok");
        let dist = num(&r[3]);
        assert!(
            (dist - expect).abs() < 1e-5,
            "{d}→{c}: {dist} m, worked out {expect} m"
        );
        // Street and access legs are all walked at 1.25 m/s.
        assert!((num(&r[4]) - expect / 1.25).abs() < 1e-5);
    }
    // Sanity of the worked values themselves: X is about 10 m from BC, F about 51 m from AB.
    assert!((acc_x - 11.07).abs() < 0.05, "{acc_x}");
    assert!((acc_f - 51.2).abs() < 0.1, "{acc_f}");

    // Z is about 2.8 km from any street: unsnapped, with its distance reported.
    for c in ["clinic", "library"] {
        let r = get("Z", c);
        assert_eq!(r[5], "unsnapped");
        assert!(r[2].is_empty() && r[3].is_empty() && r[4].is_empty());
        assert!(num(&r[6]) > 2000.0);
    }
}

#[test]
fn cut_off_empties_far_results() {
    let dir = tempfile::tempdir().unwrap();
    let (net, fac, dem) = town(dir.path());
    let out = p(dir.path(), "out.csv");
    // 5 minutes at 1 m/s = 300 m: Y reaches the clinic (about 110 m) but not the library (about 390 m).
    let o = run(&[
        "nearest",
        "--network",
        &net,
        "--facilities",
        &fac,
        "--demand",
        &dem,
        "--out",
        s(&out),
        "--max-minutes",
        "5",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (_, rows) = read_csv(&out);
    let y: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "Y").collect();
    assert_eq!(y[0][1], "clinic");
    assert_eq!(y[0][5], "ok");
    assert_eq!(y[1][1], "library");
    assert_eq!(y[1][5], "not_reached");
    assert!(y[1][3].is_empty());
}

#[test]
fn geojson_and_geopackage_outputs_carry_the_same_fields() {
    let dir = tempfile::tempdir().unwrap();
    let (net, fac, dem) = town(dir.path());
    let csv_out = p(dir.path(), "out.csv");
    let gj = p(dir.path(), "out.geojson");
    let gpkg = p(dir.path(), "out.gpkg");
    for out in [&csv_out, &gj, &gpkg] {
        let o = run(&[
            "nearest",
            "--network",
            &net,
            "--facilities",
            &fac,
            "--demand",
            &dem,
            "--out",
            s(out),
            "--quiet",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    common::assert_valid_gpkg(&gpkg);
    let (_, rows) = read_csv(&csv_out);
    let fc: geojson::FeatureCollection = std::fs::read_to_string(&gj)
        .unwrap()
        .parse::<geojson::GeoJson>()
        .unwrap()
        .try_into()
        .unwrap();
    assert_eq!(fc.features.len(), rows.len());
    for (f, r) in fc.features.iter().zip(&rows) {
        let props = f.properties.as_ref().unwrap();
        assert_eq!(props["demand_id"], r[0].as_str());
        if !r[3].is_empty() {
            assert_eq!(
                props["distance_m"].as_f64().unwrap(),
                r[3].parse::<f64>().unwrap()
            );
        }
    }
    use gdal::vector::LayerAccess;
    let ds = gdal::Dataset::open(&gpkg).unwrap();
    let mut layer = ds.layer(0).unwrap();
    assert_eq!(layer.feature_count() as usize, rows.len());
    let first = layer.features().next().unwrap();
    assert_eq!(first.field_as_string(0).unwrap().unwrap(), rows[0][0]);
    assert_eq!(
        first.field_as_double(3).unwrap().unwrap(),
        rows[0][3].parse::<f64>().unwrap()
    );
}
