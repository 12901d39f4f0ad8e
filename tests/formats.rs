//! Input formats: XLSX with Chinese headers, GeoPackage polygons, Shapefile road centre-lines
//! with a GBK `.cpg`, a projected CRS from the `.prj`, and one-way and speed fields.

mod common;

use common::*;
use gdal::spatial_ref::SpatialRef;
use gdal::vector::{
    Feature, FieldDefn, Geometry, LayerAccess, LayerOptions, OGRFieldType, OGRwkbGeometryType,
};
use gdal::DriverManager;
use lifecircle::crs::Crs;
use std::path::Path;

const NET: [[f64; 2]; 3] = [
    [113.3190, 23.1050],
    [113.3190, 23.1080],
    [113.3230, 23.1080],
];

fn net_geojson(dir: &Path) -> String {
    let n = p(dir, "net.geojson");
    std::fs::write(
        &n,
        lines_geojson(&[(&NET[..2], "\"a\":1"), (&NET[1..], "\"a\":2")]),
    )
    .unwrap();
    s(&n).to_string()
}

fn nearest_rows(args: &[&str]) -> Vec<Vec<String>> {
    let o = run(args);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = args[args.iter().position(|a| *a == "--out").unwrap() + 1];
    read_csv(Path::new(out)).1
}

#[test]
fn xlsx_with_chinese_headers_equals_csv() {
    let dir = tempfile::tempdir().unwrap();
    let net = net_geojson(dir.path());
    let csv = p(dir.path(), "fac.csv");
    std::fs::write(
        &csv,
        "id,category,lon,lat\nF1,clinic,113.3195,23.106\nF2,sports,113.322,23.1085\n",
    )
    .unwrap();
    let xlsx = p(dir.path(), "fac.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["编号", "名称", "类别", "经度", "纬度"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (id, name, cat, lon, lat)) in [
        ("F1", "社区卫生服务中心", "clinic", 113.3195, 23.106),
        ("F2", "全民健身广场", "sports", 113.322, 23.1085),
    ]
    .iter()
    .enumerate()
    {
        let r = r as u32 + 1;
        ws.write_string(r, 0, *id).unwrap();
        ws.write_string(r, 1, *name).unwrap();
        ws.write_string(r, 2, *cat).unwrap();
        ws.write_number(r, 3, *lon).unwrap();
        ws.write_number(r, 4, *lat).unwrap();
    }
    wb.save(&xlsx).unwrap();
    let dem = p(dir.path(), "dem.csv");
    std::fs::write(&dem, "id,lon,lat\nX,113.3215,23.1082\nY,113.3189,23.1052\n").unwrap();
    let (o1, o2) = (p(dir.path(), "o1.csv"), p(dir.path(), "o2.csv"));
    let a = nearest_rows(&[
        "nearest",
        "--network",
        &net,
        "--facilities",
        s(&csv),
        "--demand",
        s(&dem),
        "--out",
        s(&o1),
        "--quiet",
    ]);
    let b = nearest_rows(&[
        "nearest",
        "--network",
        &net,
        "--facilities",
        s(&xlsx),
        "--demand",
        s(&dem),
        "--out",
        s(&o2),
        "--quiet",
    ]);
    assert_eq!(a.len(), 4);
    assert_eq!(a, b);
}

fn srs(code: u32) -> SpatialRef {
    let mut s = SpatialRef::from_epsg(code).unwrap();
    s.set_axis_mapping_strategy(gdal::spatial_ref::AxisMappingStrategy::TraditionalGisOrder);
    s
}

#[test]
fn geopackage_polygon_facility_uses_a_point_on_its_surface() {
    let dir = tempfile::tempdir().unwrap();
    let net = net_geojson(dir.path());
    // A square 40 m across centred on (113.3200, 23.1070): its surface point is the centre.
    let (cx, cy, h) = (113.3200, 23.1070, 0.0002);
    let gpkg = p(dir.path(), "fac.gpkg");
    {
        let drv = DriverManager::get_driver_by_name("GPKG").unwrap();
        let mut ds = drv.create_vector_only(&gpkg).unwrap();
        let sr = srs(4326);
        let lyr = ds
            .create_layer(LayerOptions {
                name: "设施",
                srs: Some(&sr),
                ty: OGRwkbGeometryType::wkbPolygon,
                options: None,
            })
            .unwrap();
        for (n, t) in [
            ("编号", OGRFieldType::OFTString),
            ("类别", OGRFieldType::OFTString),
        ] {
            FieldDefn::new(n, t).unwrap().add_to_layer(&lyr).unwrap();
        }
        let wkt = format!(
            "POLYGON(({a} {b},{c} {b},{c} {d},{a} {d},{a} {b}))",
            a = cx - h,
            b = cy - h,
            c = cx + h,
            d = cy + h
        );
        let mut f = Feature::new(lyr.defn()).unwrap();
        f.set_field_string(0, "P1").unwrap();
        f.set_field_string(1, "library").unwrap();
        f.set_geometry(Geometry::from_wkt(&wkt).unwrap()).unwrap();
        f.create(&lyr).unwrap();
    }
    let csv = p(dir.path(), "fac.csv");
    std::fs::write(&csv, format!("id,category,lon,lat\nP1,library,{cx},{cy}\n")).unwrap();
    let dem = p(dir.path(), "dem.csv");
    std::fs::write(&dem, "id,lon,lat\nX,113.3215,23.1082\n").unwrap();
    let (o1, o2) = (p(dir.path(), "o1.csv"), p(dir.path(), "o2.csv"));
    let a = nearest_rows(&[
        "nearest",
        "--network",
        &net,
        "--facilities",
        s(&csv),
        "--demand",
        s(&dem),
        "--out",
        s(&o1),
        "--quiet",
    ]);
    let b = nearest_rows(&[
        "nearest",
        "--network",
        &net,
        "--facilities",
        s(&gpkg),
        "--demand",
        s(&dem),
        "--out",
        s(&o2),
        "--quiet",
    ]);
    let (da, db): (f64, f64) = (a[0][3].parse().unwrap(), b[0][3].parse().unwrap());
    assert_eq!(b[0][2], "P1");
    assert!((da - db).abs() < 1e-6, "{da} vs {db}");
}

/// Road centre-lines as a Shapefile in CGCS2000 / 3-degree Gauss–Krüger CM 114°E (EPSG:4547),
/// GBK attributes with a `.cpg`, a one-way field and a speed field, driven.
#[test]
fn shapefile_centre_lines_with_gbk_prj_oneway_and_speed() {
    let dir = tempfile::tempdir().unwrap();
    let shp = p(dir.path(), "roads.shp");
    let mut pts = NET.to_vec();
    Crs::Wgs84.convert(Crs::Epsg(4547), &mut pts).unwrap();
    {
        let drv = DriverManager::get_driver_by_name("ESRI Shapefile").unwrap();
        let mut ds = drv.create_vector_only(&shp).unwrap();
        let sr = srs(4547);
        let lyr = ds
            .create_layer(LayerOptions {
                name: "roads",
                srs: Some(&sr),
                ty: OGRwkbGeometryType::wkbLineString,
                options: Some(&["ENCODING=CP936"]),
            })
            .unwrap();
        for (n, t) in [
            ("NAME", OGRFieldType::OFTString),
            ("ONEWAY", OGRFieldType::OFTString),
            ("KMH", OGRFieldType::OFTReal),
        ] {
            FieldDefn::new(n, t).unwrap().add_to_layer(&lyr).unwrap();
        }
        // Segment 1 (south to north) two-way at 36 km/h; segment 2 (west to east) one-way eastbound at 18 km/h.
        for (i, (name, oneway, kmh)) in [("猎德大道", "B", 36.0), ("花城大道", "FT", 18.0)]
            .iter()
            .enumerate()
        {
            let mut g = Geometry::empty(OGRwkbGeometryType::wkbLineString).unwrap();
            g.add_point_2d((pts[i][0], pts[i][1]));
            g.add_point_2d((pts[i + 1][0], pts[i + 1][1]));
            let mut f = Feature::new(lyr.defn()).unwrap();
            f.set_field_string(0, name).unwrap();
            f.set_field_string(1, oneway).unwrap();
            f.set_field_double(2, *kmh).unwrap();
            f.set_geometry(g).unwrap();
            f.create(&lyr).unwrap();
        }
    }
    let cpg = std::fs::read_to_string(dir.path().join("roads.cpg")).unwrap();
    assert!(cpg.contains("936"), "GBK code page file: {cpg}");
    // The layer reads back with its Chinese names.
    let layer = lifecircle::input::read_layer(&shp, None, None, Default::default()).unwrap();
    assert_eq!(layer.crs, Crs::Epsg(4547));
    assert_eq!(layer.features[1].values[0].as_deref(), Some("花城大道"));

    // Facility at the east end of the one-way street, demand at its west end and the reverse.
    let fac = p(dir.path(), "fac.csv");
    std::fs::write(
        &fac,
        format!(
            "id,category,lon,lat\nE,clinic,{:?},{:?}\nW,library,{:?},{:?}\n",
            NET[2][0], NET[2][1], NET[1][0], NET[1][1]
        ),
    )
    .unwrap();
    let dem = p(dir.path(), "dem.csv");
    std::fs::write(
        &dem,
        format!(
            "id,lon,lat\nAtW,{:?},{:?}\nAtE,{:?},{:?}\n",
            NET[1][0], NET[1][1], NET[2][0], NET[2][1]
        ),
    )
    .unwrap();
    let out = p(dir.path(), "out.csv");
    let rows = nearest_rows(&[
        "nearest",
        "--network",
        s(&shp),
        "--mode",
        "drive",
        "--oneway-field",
        "ONEWAY",
        "--speed-field",
        "KMH",
        "--facilities",
        s(&fac),
        "--demand",
        s(&dem),
        "--out",
        s(&out),
        "--quiet",
    ]);
    let get = |d: &str, c: &str| {
        rows.iter()
            .find(|r| r[0] == d && r[1] == c)
            .unwrap()
            .clone()
    };
    // West end → clinic at the east end: eastbound along the one-way street at 18 km/h = 5 m/s.
    let r = get("AtW", "clinic");
    assert_eq!(r[5], "ok");
    let len = lifecircle::geodesy::ground_distance(NET[1], NET[2]);
    let d: f64 = r[3].parse().unwrap();
    assert!((d - len).abs() < 0.01, "{d} vs {len}");
    let t: f64 = r[4].parse().unwrap();
    assert!((t - d / 5.0).abs() < 0.01, "{t}");
    // East end → library at the west end: against the one-way street, no other road: unreachable.
    assert_eq!(get("AtE", "library")[5], "not_reached");
}

/// A GBK Shapefile whose `.cpg` is lost (common after copying files around): field names and
/// values are detected as GBK.
#[test]
fn gbk_shapefile_without_cpg_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let shp = p(dir.path(), "jiedao.shp");
    {
        let drv = DriverManager::get_driver_by_name("ESRI Shapefile").unwrap();
        let mut ds = drv.create_vector_only(&shp).unwrap();
        let sr = srs(4326);
        let lyr = ds
            .create_layer(LayerOptions {
                name: "jiedao",
                srs: Some(&sr),
                ty: OGRwkbGeometryType::wkbPolygon,
                options: Some(&["ENCODING=CP936"]),
            })
            .unwrap();
        FieldDefn::new("街道名称", OGRFieldType::OFTString)
            .unwrap()
            .add_to_layer(&lyr)
            .unwrap();
        let mut f = Feature::new(lyr.defn()).unwrap();
        f.set_field_string(0, "沙河街道").unwrap();
        f.set_geometry(
            Geometry::from_wkt("POLYGON((113.3 23.1,113.31 23.1,113.31 23.11,113.3 23.1))")
                .unwrap(),
        )
        .unwrap();
        f.create(&lyr).unwrap();
    }
    std::fs::remove_file(dir.path().join("jiedao.cpg")).unwrap();
    let layer = lifecircle::input::read_layer(&shp, None, None, Default::default()).unwrap();
    assert_eq!(layer.fields, ["街道名称"]);
    assert_eq!(layer.features[0].values[0].as_deref(), Some("沙河街道"));
    let zones = lifecircle::zones::read_zone_layer(&shp, &Default::default()).unwrap();
    assert_eq!(zones[0].name, "沙河街道");
}
