//! Sub-district zones: reading them from a GBK Shapefile, a projected GeoPackage and OpenStreetMap
//! boundaries, the errors a planner can meet, and the point-in-zone index against brute force.

use gdal::spatial_ref::{AxisMappingStrategy, SpatialRef};
use gdal::vector::{
    Feature, FieldDefn, Geometry, LayerAccess, LayerOptions, OGRFieldType, OGRwkbGeometryType,
};
use gdal::DriverManager;
use geo::{BooleanOps, GeodesicArea, Intersects};
use geo_types::{Coord, LineString, MultiPolygon, Point, Polygon};
use lifecircle::crs::Crs;
use lifecircle::zones::{read_osm_zones, read_zone_layer, Zone, ZoneIndex, ZoneLayerOptions};
use lifecircle::ErrorKind;
use proptest::prelude::*;
use std::path::Path;

fn srs(code: u32) -> SpatialRef {
    let mut s = SpatialRef::from_epsg(code).unwrap();
    s.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    s
}

/// WKT of a polygon given as rings of `[x, y]`.
fn polygon_wkt(rings: &[Vec<[f64; 2]>]) -> String {
    let rings: Vec<String> = rings
        .iter()
        .map(|r| {
            let c: Vec<String> = r.iter().map(|p| format!("{:?} {:?}", p[0], p[1])).collect();
            format!("({})", c.join(","))
        })
        .collect();
    format!("({})", rings.join(","))
}

/// A closed axis-aligned rectangle ring, counter-clockwise.
fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<[f64; 2]> {
    vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
}

/// Creates a one-layer vector file with string fields and (Multi)Polygon WKT features.
fn write_layer(
    path: &Path,
    driver: &str,
    epsg: u32,
    options: Option<&[&str]>,
    fields: &[&str],
    features: &[(Vec<&str>, String)],
) {
    let drv = DriverManager::get_driver_by_name(driver).unwrap();
    let mut ds = drv.create_vector_only(path).unwrap();
    let sr = srs(epsg);
    let lyr = ds
        .create_layer(LayerOptions {
            name: "zones",
            srs: Some(&sr),
            ty: OGRwkbGeometryType::wkbMultiPolygon,
            options,
        })
        .unwrap();
    for f in fields {
        FieldDefn::new(f, OGRFieldType::OFTString)
            .unwrap()
            .add_to_layer(&lyr)
            .unwrap();
    }
    for (values, wkt) in features {
        let mut f = Feature::new(lyr.defn()).unwrap();
        for (i, v) in values.iter().enumerate() {
            f.set_field_string(i, v).unwrap();
        }
        f.set_geometry(Geometry::from_wkt(wkt).unwrap()).unwrap();
        f.create(&lyr).unwrap();
    }
}

fn rings_of(mp: &MultiPolygon<f64>) -> Vec<Vec<[f64; 2]>> {
    mp.0.iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|ls| ls.0.iter().map(|c| [c.x, c.y]).collect())
        .collect()
}

/// Two zones of 番禺区 in a GBK Shapefile: a 街道 with a hole and a two-part 镇.
#[test]
fn gbk_shapefile_zones_with_chinese_fields() {
    let dir = tempfile::tempdir().unwrap();
    let shp = dir.path().join("街镇.shp");
    let street_outer = rect(113.35, 22.93, 113.40, 22.97);
    let street_hole = rect(113.37, 22.94, 113.38, 22.95);
    let town_a = rect(113.40, 22.93, 113.45, 22.97);
    let town_b = rect(113.50, 22.90, 113.52, 22.92);
    write_layer(
        &shp,
        "ESRI Shapefile",
        4490,
        Some(&["ENCODING=CP936"]),
        &["名称", "代码", "区"],
        &[
            (
                vec!["市桥街道", "440113001", "番禺区"],
                format!(
                    "POLYGON{}",
                    polygon_wkt(&[street_outer.clone(), street_hole.clone()])
                ),
            ),
            (
                vec!["石楼镇", "440113104", "番禺区"],
                format!(
                    "MULTIPOLYGON({},{})",
                    polygon_wkt(std::slice::from_ref(&town_a)),
                    polygon_wkt(std::slice::from_ref(&town_b))
                ),
            ),
        ],
    );
    let cpg = std::fs::read_to_string(dir.path().join("街镇.cpg")).unwrap();
    assert!(cpg.contains("936"), "GBK code page file: {cpg}");

    let check = |zones: Vec<Zone>| {
        assert_eq!(zones.len(), 2);
        let (street, town) = (&zones[0], &zones[1]);
        assert_eq!(
            (street.name.as_str(), street.code.as_str()),
            ("市桥街道", "440113001")
        );
        assert_eq!(
            (town.name.as_str(), town.code.as_str()),
            ("石楼镇", "440113104")
        );
        assert_eq!(street.district.as_deref(), Some("番禺区"));
        assert_eq!(town.district.as_deref(), Some("番禺区"));
        assert!(!street.rural);
        assert!(town.rural);
        assert!(street.origin.ends_with("feature 1"), "{}", street.origin);
        assert_eq!(street.geometry.0.len(), 1);
        assert_eq!(street.geometry.0[0].interiors().len(), 1);
        assert_eq!(town.geometry.0.len(), 2);
        // Same vertices (ring orientation and start may differ): compare bounding boxes of rings.
        let bbox = |r: &[[f64; 2]]| {
            r.iter()
                .fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, p| {
                    [
                        b[0].min(p[0]),
                        b[1].min(p[1]),
                        b[2].max(p[0]),
                        b[3].max(p[1]),
                    ]
                })
        };
        let got: Vec<[f64; 4]> = rings_of(&street.geometry)
            .iter()
            .chain(&rings_of(&town.geometry))
            .map(|r| bbox(r))
            .collect();
        let want: Vec<[f64; 4]> = [&street_outer, &street_hole, &town_a, &town_b]
            .iter()
            .map(|r| bbox(r))
            .collect();
        assert_eq!(got, want);
    };
    check(read_zone_layer(&shp, &ZoneLayerOptions::default()).unwrap());
}

/// A GeoPackage zone layer in CGCS2000 / 3-degree Gauss–Krüger CM 114°E (EPSG:4547, easting
/// first) reads back in WGS84; explicit field names and a rural flag field.
#[test]
fn projected_geopackage_reads_back_in_wgs84() {
    let dir = tempfile::tempdir().unwrap();
    let gpkg = dir.path().join("zones.gpkg");
    let wgs: Vec<Vec<[f64; 2]>> = vec![
        vec![
            [113.3100, 23.1000],
            [113.3300, 23.1010],
            [113.3320, 23.1200],
            [113.3050, 23.1180],
            [113.3100, 23.1000],
        ],
        vec![
            [113.3300, 23.1010],
            [113.3500, 23.1000],
            [113.3520, 23.1210],
            [113.3320, 23.1200],
            [113.3300, 23.1010],
        ],
    ];
    let projected: Vec<Vec<[f64; 2]>> = wgs
        .iter()
        .map(|r| {
            let mut r = r.clone();
            Crs::Wgs84.convert(Crs::Epsg(4547), &mut r).unwrap();
            r
        })
        .collect();
    // Easting first (false easting 500 km, 114°E central meridian), northing second.
    assert!(projected[0][0][0] > 300_000.0 && projected[0][0][0] < 500_000.0);
    assert!(projected[0][0][1] > 2_500_000.0 && projected[0][0][1] < 2_600_000.0);
    write_layer(
        &gpkg,
        "GPKG",
        4547,
        None,
        &["JDMC", "JDDM", "SSQ", "LX"],
        &[
            (
                vec!["猎德街道", "440106011", "天河区", "城市"],
                format!("MULTIPOLYGON({})", polygon_wkt(&projected[0..1])),
            ),
            (
                vec!["员村街道", "440106012", "天河区", "农村"],
                format!("MULTIPOLYGON({})", polygon_wkt(&projected[1..2])),
            ),
        ],
    );
    let opts = ZoneLayerOptions {
        name_field: Some("JDMC".into()),
        code_field: Some("jddm".into()),
        district_field: Some("SSQ".into()),
        rural_field: Some("LX".into()),
        ..Default::default()
    };
    let zones = read_zone_layer(&gpkg, &opts).unwrap();
    assert_eq!(zones.len(), 2);
    assert_eq!(zones[0].name, "猎德街道");
    assert_eq!(zones[1].code, "440106012");
    assert_eq!(zones[1].district.as_deref(), Some("天河区"));
    assert!(!zones[0].rural);
    assert!(zones[1].rural, "the flag decides over the name");
    for (z, want) in zones.iter().zip(&wgs) {
        let got = &rings_of(&z.geometry)[0];
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert!(
                (g[0] - w[0]).abs() < 1e-7 && (g[1] - w[1]).abs() < 1e-7,
                "{g:?} vs {w:?}"
            );
        }
    }
    // None of the usual name fields is present: the message lists the names it looked for.
    let e = read_zone_layer(&gpkg, &ZoneLayerOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MissingField);
    assert!(e.to_string().contains("XZMC"), "{e}");
}

fn geojson(features: &[(&str, &str)]) -> String {
    let f: Vec<String> = features
        .iter()
        .map(|(props, geom)| {
            format!(r#"{{"type":"Feature","properties":{{{props}}},"geometry":{geom}}}"#)
        })
        .collect();
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        f.join(",")
    )
}

const SQUARE: &str = r#"{"type":"Polygon","coordinates":[[[113.0,23.0],[113.01,23.0],[113.01,23.01],[113.0,23.01],[113.0,23.0]]]}"#;

#[test]
fn errors_name_the_file_feature_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zones.geojson");
    std::fs::write(
        &path,
        geojson(&[
            (r#""名称":"沙头街道","类型":"街道""#, SQUARE),
            (
                r#""名称":"大石街道","类型":"城市""#,
                r#"{"type":"Point","coordinates":[113.02,23.0]}"#,
            ),
        ]),
    )
    .unwrap();

    // A field that does not exist.
    let opts = ZoneLayerOptions {
        name_field: Some("街道名".into()),
        ..Default::default()
    };
    let e = read_zone_layer(&path, &opts).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MissingField);
    let msg = e.to_string();
    assert!(
        msg.contains("zones.geojson") && msg.contains("街道名"),
        "{msg}"
    );
    let opts = ZoneLayerOptions {
        rural_field: Some("rural".into()),
        ..Default::default()
    };
    let msg = read_zone_layer(&path, &opts).unwrap_err().to_string();
    assert!(
        msg.contains("zones.geojson") && msg.contains("`rural`"),
        "{msg}"
    );

    // A point among the zones: the feature is named.
    let e = read_zone_layer(&path, &ZoneLayerOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Format);
    let msg = e.to_string();
    assert!(
        msg.contains("zones.geojson, feature 2") && msg.contains("point"),
        "{msg}"
    );

    // A missing name, a rural flag that is not understood, a missing geometry.
    for (props, geom, want) in [
        (r#""名称":null"#, SQUARE, "feature 2, field `名称`"),
        (
            r#""名称":"钟村街道","类型":"半城市""#,
            SQUARE,
            "feature 2, field `类型`",
        ),
        (
            r#""名称":"钟村街道","类型":"0""#,
            "null",
            "feature 2: the feature has no geometry",
        ),
    ] {
        std::fs::write(
            &path,
            geojson(&[
                (r#""名称":"沙头街道","类型":"街道""#, SQUARE),
                (props, geom),
            ]),
        )
        .unwrap();
        let opts = ZoneLayerOptions {
            rural_field: Some("类型".into()),
            ..Default::default()
        };
        let msg = read_zone_layer(&path, &opts).unwrap_err().to_string();
        assert!(msg.contains(want), "{msg} should contain {want}");
    }

    // Both fine: codes are feature numbers.
    std::fs::write(
        &path,
        geojson(&[
            (r#""名称":"沙头街道""#, SQUARE),
            (r#""名称":"钟村镇""#, SQUARE),
        ]),
    )
    .unwrap();
    let zones = read_zone_layer(&path, &ZoneLayerOptions::default()).unwrap();
    let got: Vec<(&str, bool, Option<&str>)> = zones
        .iter()
        .map(|z| (z.code.as_str(), z.rural, z.district.as_deref()))
        .collect();
    assert_eq!(got, vec![("1", false, None), ("2", true, None)]);
}

const LIECHTENSTEIN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/liechtenstein/liechtenstein-latest.osm.pbf"
);

/// The eleven municipalities (Gemeinden) of Liechtenstein from OSM `admin_level=8`.
#[test]
fn liechtenstein_municipalities_from_osm() {
    let (zones, report) = read_osm_zones(Path::new(LIECHTENSTEIN), 8, Some(2)).unwrap();
    for z in &zones {
        eprintln!(
            "{:>10} {:<24} {:?} {:.3} km² ({} parts)",
            z.code,
            z.name,
            z.district,
            z.geometry.geodesic_area_unsigned() / 1e6,
            z.geometry.0.len()
        );
    }
    eprintln!("{report:?}");
    // Official areas in km² (Amt für Statistik), rounded to 0.1 km².
    let gemeinden = [
        ("Vaduz", 17.3),
        ("Schaan", 26.8),
        ("Balzers", 19.6),
        ("Triesen", 26.4),
        ("Eschen", 10.3),
        ("Mauren", 7.5),
        ("Triesenberg", 29.8),
        ("Ruggell", 7.4),
        ("Gamprin", 6.1),
        ("Schellenberg", 3.5),
        ("Planken", 5.3),
    ];
    let mut total = 0.0;
    let mut found = Vec::new();
    for (name, official_km2) in gemeinden {
        let z = zones
            .iter()
            .find(|z| z.name == name)
            .unwrap_or_else(|| panic!("{name} missing; report {report:?}"));
        assert!(!z.rural);
        assert_eq!(z.district.as_deref(), Some("Liechtenstein"), "{name}");
        let km2 = z.geometry.geodesic_area_unsigned() / 1e6;
        assert!(
            (km2 - official_km2).abs() < 0.05 * official_km2,
            "{name}: {km2} km², officially {official_km2} km²"
        );
        total += km2;
        found.push(z);
    }
    let vaduz = found[0].geometry.geodesic_area_unsigned() / 1e6;
    assert!((vaduz - 17.3).abs() < 0.05 * 17.3, "Vaduz {vaduz} km²");
    assert!((total - 160.0).abs() < 0.05 * 160.0, "total {total} km²");
    for (i, a) in found.iter().enumerate() {
        for b in &found[i + 1..] {
            let overlap = a
                .geometry
                .intersection(&b.geometry)
                .geodesic_area_unsigned();
            let smaller = a
                .geometry
                .geodesic_area_unsigned()
                .min(b.geometry.geodesic_area_unsigned());
            assert!(
                overlap < 0.01 * smaller,
                "{} and {} overlap by {overlap} m²",
                a.name,
                b.name
            );
        }
    }
    // Sorted by code, then name; every zone-level relation is either a zone or reported.
    assert!(zones
        .windows(2)
        .all(|w| (&w[0].code, &w[0].name) <= (&w[1].code, &w[1].name)));
    assert_eq!(
        zones.len() + report.incomplete_relations.len(),
        report.relations
    );
    // Deterministic.
    let (again, report2) = read_osm_zones(Path::new(LIECHTENSTEIN), 8, Some(2)).unwrap();
    assert_eq!(again, zones);
    assert_eq!(report2, report);
    // A level with no boundaries is an error listing the levels present.
    let e = read_osm_zones(Path::new(LIECHTENSTEIN), 11, None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Empty);
    assert!(e.to_string().contains("levels present: "), "{e}");
}

fn zone_of(geometry: MultiPolygon<f64>) -> Zone {
    Zone {
        code: String::new(),
        name: String::new(),
        district: None,
        rural: false,
        geometry,
        origin: String::new(),
    }
}

fn square(x0: f64, y0: f64, side: f64) -> MultiPolygon<f64> {
    let ring: Vec<[f64; 2]> = rect(x0, y0, x0 + side, y0 + side);
    MultiPolygon(vec![Polygon::new(
        LineString(ring.iter().map(|p| Coord { x: p[0], y: p[1] }).collect()),
        vec![],
    )])
}

#[test]
fn a_point_on_a_shared_edge_goes_to_the_lowest_zone() {
    let (a, b) = (square(113.0, 23.0, 0.01), square(113.01, 23.0, 0.01));
    let zones = [zone_of(a.clone()), zone_of(b.clone())];
    let idx = ZoneIndex::new(&zones);
    let on_edge = [113.01, 23.005];
    assert_eq!(idx.locate(on_edge), Some(0));
    assert_eq!(idx.locate([113.01, 23.01]), Some(0)); // shared corner
    assert_eq!(idx.locate([113.005, 23.005]), Some(0));
    assert_eq!(idx.locate([113.015, 23.005]), Some(1));
    assert_eq!(idx.locate([113.02, 23.01]), Some(1)); // outer corner of b
    assert_eq!(idx.locate([113.025, 23.005]), None);
    // Swapped: the same point now goes to the other square, which has index 0.
    let idx = ZoneIndex::new(&[zone_of(b), zone_of(a)]);
    assert_eq!(idx.locate(on_edge), Some(0));
    assert_eq!(idx.locate([113.005, 23.005]), Some(1));
}

/// A polygon on a coarse grid (so that zones share edges and vertices and points fall on them):
/// a rectangle, optionally with a rectangular hole, or a triangle.
fn arb_polygon() -> impl Strategy<Value = Polygon<f64>> {
    let g = || (0..=16i32).prop_map(|v| v as f64 * 0.25);
    prop_oneof![
        (g(), g(), g(), g(), any::<bool>()).prop_filter_map(
            "non-degenerate rectangle",
            |(x0, y0, x1, y1, hole)| {
                let (x0, x1, y0, y1) = (x0.min(x1), x0.max(x1), y0.min(y1), y0.max(y1));
                (x1 - x0 >= 0.25 && y1 - y0 >= 0.25).then(|| {
                    let ring = |r: Vec<[f64; 2]>| {
                        LineString(r.iter().map(|p| Coord { x: p[0], y: p[1] }).collect())
                    };
                    let holes = if hole && x1 - x0 >= 1.0 && y1 - y0 >= 1.0 {
                        vec![ring(rect(x0 + 0.25, y0 + 0.25, x1 - 0.25, y1 - 0.25))]
                    } else {
                        vec![]
                    };
                    Polygon::new(ring(rect(x0, y0, x1, y1)), holes)
                })
            }
        ),
        (g(), g(), g(), g(), g(), g()).prop_filter_map(
            "non-degenerate triangle",
            |(ax, ay, bx, by, cx, cy)| {
                let cross = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
                (cross != 0.0).then(|| {
                    Polygon::new(
                        LineString(vec![
                            Coord { x: ax, y: ay },
                            Coord { x: bx, y: by },
                            Coord { x: cx, y: cy },
                            Coord { x: ax, y: ay },
                        ]),
                        vec![],
                    )
                })
            }
        ),
    ]
}

fn arb_point() -> impl Strategy<Value = [f64; 2]> {
    prop_oneof![
        // On the grid: vertices and edges of the polygons.
        ((0..=32i32), (0..=32i32)).prop_map(|(x, y)| [x as f64 * 0.125, y as f64 * 0.125]),
        ((-0.5..4.5f64), (-0.5..4.5f64)).prop_map(|(x, y)| [x, y]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn index_agrees_with_brute_force(
        zones in prop::collection::vec(prop::collection::vec(arb_polygon(), 1..4), 1..10),
        points in prop::collection::vec(arb_point(), 1..200),
    ) {
        let zones: Vec<Zone> = zones.into_iter().map(|p| zone_of(MultiPolygon(p))).collect();
        let idx = ZoneIndex::new(&zones);
        let want: Vec<Option<usize>> = points
            .iter()
            .map(|p| zones.iter().position(|z| z.geometry.intersects(&Point::new(p[0], p[1]))))
            .collect();
        for (p, w) in points.iter().zip(&want) {
            prop_assert_eq!(idx.locate(*p), *w, "point {:?}", p);
        }
        prop_assert_eq!(idx.locate_all(&points), want);
    }
}
