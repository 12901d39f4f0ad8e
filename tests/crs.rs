//! Coordinate systems: GCJ-02/BD-09 round trips, and Chinese-format inputs (GBK, Chinese headers,
//! GCJ-02, CGCS2000 Gauss–Krüger) giving the same answers as WGS84 inputs.

mod common;

use common::*;
use lifecircle::crs::china::*;
use lifecircle::crs::Crs;
use lifecircle::geodesy::ground_distance;
use proptest::prelude::*;

proptest! {
    #[test]
    fn gcj02_round_trip(lon in 73.0f64..135.0, lat in 3.9f64..53.5) {
        let (g0, g1) = wgs84_to_gcj02(lon, lat);
        let (w0, w1) = gcj02_to_wgs84(g0, g1);
        prop_assert!(ground_distance([lon, lat], [w0, w1]) < 0.01);
        let (back0, back1) = wgs84_to_gcj02(w0, w1);
        prop_assert!(ground_distance([g0, g1], [back0, back1]) < 0.01);
        // The shift itself is real: tens to hundreds of metres.
        prop_assert!(ground_distance([lon, lat], [g0, g1]) > 1.0);
    }

    #[test]
    fn bd09_round_trip(lon in 73.0f64..135.0, lat in 3.9f64..53.5) {
        let (b0, b1) = wgs84_to_bd09(lon, lat);
        let (w0, w1) = bd09_to_wgs84(b0, b1);
        prop_assert!(ground_distance([lon, lat], [w0, w1]) < 0.01);
        let (g0, g1) = bd09_to_gcj02(b0, b1);
        let (bb0, bb1) = gcj02_to_bd09(g0, g1);
        prop_assert!(ground_distance([b0, b1], [bb0, bb1]) < 0.01);
    }
}

/// Street, facility and demand of a small case near Guangzhou Tower, in WGS84.
const NET: [[f64; 2]; 3] = [
    [113.3190, 23.1050],
    [113.3190, 23.1080],
    [113.3230, 23.1080],
];
const FAC: [f64; 2] = [113.3195, 23.1060];
const DEM: [f64; 2] = [113.3215, 23.1082];

fn network(dir: &std::path::Path) -> String {
    let n = p(dir, "net.geojson");
    std::fs::write(
        &n,
        lines_geojson(&[(&NET[..2], "\"a\":1"), (&NET[1..], "\"a\":2")]),
    )
    .unwrap();
    s(&n).to_string()
}

fn nearest_distance(args: &[&str]) -> f64 {
    nearest_distance_opt(args).expect("reached")
}

fn nearest_distance_opt(args: &[&str]) -> Option<f64> {
    let o = run(args);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = args[args.iter().position(|a| *a == "--out").unwrap() + 1];
    let (_, rows) = read_csv(std::path::Path::new(out));
    rows[0][3].parse().ok()
}

#[test]
fn gbk_gcj02_table_with_chinese_headers_equals_wgs84() {
    let dir = tempfile::tempdir().unwrap();
    let net = network(dir.path());
    let fac = p(dir.path(), "fac.csv");
    std::fs::write(
        &fac,
        format!("id,category,lon,lat\nF,clinic,{:?},{:?}\n", FAC[0], FAC[1]),
    )
    .unwrap();
    let dem = p(dir.path(), "dem.csv");
    std::fs::write(&dem, format!("id,lon,lat\nX,{:?},{:?}\n", DEM[0], DEM[1])).unwrap();
    let out = p(dir.path(), "out.csv");
    let base = nearest_distance(&[
        "nearest",
        "--network",
        &net,
        "--facilities",
        s(&fac),
        "--demand",
        s(&dem),
        "--out",
        s(&out),
        "--quiet",
    ]);

    // The same facility as an Amap (GCJ-02) export: GBK text, Chinese headers.
    let (g0, g1) = wgs84_to_gcj02(FAC[0], FAC[1]);
    let text = format!("编号,名称,类别,经度,纬度\nF,猎德社区卫生服务中心,clinic,{g0:?},{g1:?}\n");
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let fac_gbk = p(dir.path(), "fac_gbk.csv");
    std::fs::write(&fac_gbk, &gbk).unwrap();
    assert!(std::str::from_utf8(&gbk).is_err(), "fixture really is GBK");
    let out2 = p(dir.path(), "out2.csv");
    let gcj = nearest_distance(&[
        "nearest",
        "--network",
        &net,
        "--facilities",
        s(&fac_gbk),
        "--facilities-crs",
        "gcj02",
        "--demand",
        s(&dem),
        "--out",
        s(&out2),
        "--quiet",
    ]);
    assert!((gcj - base).abs() < 0.01, "{gcj} vs {base}");

    // Read as WGS84 by mistake, the facility moves by hundreds of metres: the answer changes.
    let out3 = p(dir.path(), "out3.csv");
    let wrong = nearest_distance_opt(&[
        "nearest",
        "--network",
        &net,
        "--facilities",
        s(&fac_gbk),
        "--demand",
        s(&dem),
        "--out",
        s(&out3),
        "--quiet",
    ]);
    assert!(wrong.is_none_or(|w| (w - base).abs() > 10.0), "{wrong:?}");
}

#[test]
fn projected_cgcs2000_gauss_kruger_input_equals_wgs84() {
    let dir = tempfile::tempdir().unwrap();
    let net = network(dir.path());
    let fac = p(dir.path(), "fac.csv");
    std::fs::write(
        &fac,
        format!("id,category,lon,lat\nF,clinic,{:?},{:?}\n", FAC[0], FAC[1]),
    )
    .unwrap();
    let dem = p(dir.path(), "dem.csv");
    std::fs::write(&dem, format!("id,lon,lat\nX,{:?},{:?}\n", DEM[0], DEM[1])).unwrap();
    let out = p(dir.path(), "out.csv");
    let base = nearest_distance(&[
        "nearest",
        "--network",
        &net,
        "--facilities",
        s(&fac),
        "--demand",
        s(&dem),
        "--out",
        s(&out),
        "--quiet",
    ]);
    let mut xy = [DEM];
    Crs::Wgs84.convert(Crs::Epsg(4547), &mut xy).unwrap();
    // 113.32 °E is about 69 km west of the zone's central meridian 114 °E (false easting 500 km).
    assert!(
        (xy[0][0] - 430_500.0).abs() < 5_000.0 && xy[0][1] > 2_500_000.0,
        "easting first: {xy:?}"
    );
    let dem_gk = p(dir.path(), "dem_gk.csv");
    std::fs::write(
        &dem_gk,
        format!("id,x,y\nX,{:?},{:?}\n", xy[0][0], xy[0][1]),
    )
    .unwrap();
    let out2 = p(dir.path(), "out2.csv");
    let gk = nearest_distance(&[
        "nearest",
        "--network",
        &net,
        "--facilities",
        s(&fac),
        "--demand",
        s(&dem_gk),
        "--demand-crs",
        "EPSG:4547",
        "--out",
        s(&out2),
        "--quiet",
    ]);
    assert!((gk - base).abs() < 0.01, "{gk} vs {base}");
}

#[test]
fn coords_command_round_trips_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let input = p(dir.path(), "in.csv");
    std::fs::write(
        &input,
        "名称,经度,纬度,备注\n广州塔,113.3245,23.1064,地标\n",
    )
    .unwrap();
    let mid = p(dir.path(), "bd.csv");
    let back = p(dir.path(), "back.csv");
    let o = run(&[
        "coords",
        "--input",
        s(&input),
        "--from",
        "wgs84",
        "--to",
        "bd09",
        "--out",
        s(&mid),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&[
        "coords",
        "--input",
        s(&mid),
        "--from",
        "bd09",
        "--to",
        "wgs84",
        "--out",
        s(&back),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = read_csv(&mid);
    assert_eq!(h, ["名称", "经度", "纬度", "备注"]);
    let bd = [
        rows[0][1].parse::<f64>().unwrap(),
        rows[0][2].parse::<f64>().unwrap(),
    ];
    let expect = wgs84_to_bd09(113.3245, 23.1064);
    assert_eq!(bd, [expect.0, expect.1]);
    let (_, rows) = read_csv(&back);
    assert_eq!(rows[0][0], "广州塔");
    assert_eq!(rows[0][3], "地标");
    let w = [
        rows[0][1].parse::<f64>().unwrap(),
        rows[0][2].parse::<f64>().unwrap(),
    ];
    assert!(ground_distance(w, [113.3245, 23.1064]) < 0.01);
}
