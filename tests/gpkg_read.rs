//! GeoPackage layers read straight from SQLite equal the same layers read through GDAL's
//! per-feature API: the files are written by GDAL itself, and every feature's geometry (exact
//! coordinates), index and field text is compared. Layers the direct reading cannot vouch for
//! (Z geometries, 32-bit float fields) are read through GDAL with the same result or error.

use gdal::spatial_ref::SpatialRef;
use gdal::vector::{
    Feature, Geometry, LayerAccess, LayerOptions, OGRFieldType, OGRwkbGeometryType,
};
use gdal::DriverManager;
use lifecircle::input::vector::{read_layer_by, LayerReader, VectorLayer};
use lifecircle::input::TextEncoding;
use std::path::Path;

/// A field value to write.
#[derive(Clone, Copy)]
enum V<'a> {
    S(&'a str),
    I(i32),
    L(i64),
    R(f64),
    Null,
}

/// A field to create: name, type, subtype.
type FieldSpec<'a> = (&'a str, OGRFieldType::Type, gdal_sys::OGRFieldSubType::Type);

/// Writes a layer into the GeoPackage at `path` (created if missing) with GDAL.
fn write_layer(
    path: &Path,
    name: &str,
    epsg: u32,
    ty: OGRwkbGeometryType::Type,
    fields: &[FieldSpec<'_>],
    features: &[(Option<&str>, Vec<V<'_>>)],
) {
    let mut ds = if path.exists() {
        gdal::Dataset::open_ex(
            path,
            gdal::DatasetOptions {
                open_flags: gdal::GdalOpenFlags::GDAL_OF_VECTOR
                    | gdal::GdalOpenFlags::GDAL_OF_UPDATE,
                ..Default::default()
            },
        )
        .unwrap()
    } else {
        let drv = DriverManager::get_driver_by_name("GPKG").unwrap();
        drv.create_vector_only(path).unwrap()
    };
    let mut sr = SpatialRef::from_epsg(epsg).unwrap();
    sr.set_axis_mapping_strategy(gdal::spatial_ref::AxisMappingStrategy::TraditionalGisOrder);
    let lyr = ds
        .create_layer(LayerOptions {
            name,
            srs: Some(&sr),
            ty,
            options: None,
        })
        .unwrap();
    for &(n, t, sub) in fields {
        let name = std::ffi::CString::new(n).unwrap();
        // SAFETY: the definition is created, used while the layer is live, and destroyed once
        // (the layer copies it); the subtype suits the type.
        unsafe {
            let fd = gdal_sys::OGR_Fld_Create(name.as_ptr(), t);
            gdal_sys::OGR_Fld_SetSubType(fd, sub);
            let err = gdal_sys::OGR_L_CreateField(lyr.c_layer(), fd, 1);
            gdal_sys::OGR_Fld_Destroy(fd);
            assert_eq!(err, gdal_sys::OGRErr::OGRERR_NONE, "field {n}");
        }
    }
    for (wkt, values) in features {
        let mut f = Feature::new(lyr.defn()).unwrap();
        for (i, v) in values.iter().enumerate() {
            match *v {
                V::S(s) => f.set_field_string(i, s).unwrap(),
                V::I(x) => f.set_field_integer(i, x).unwrap(),
                V::L(x) => f.set_field_integer64(i, x).unwrap(),
                V::R(x) => f.set_field_double(i, x).unwrap(),
                V::Null => f.set_field_null(i).unwrap(),
            }
        }
        if let Some(w) = wkt {
            f.set_geometry(Geometry::from_wkt(w).unwrap()).unwrap();
        }
        f.create(&lyr).unwrap();
    }
}

/// Reads `layer` of `path` with `reader`, reading the values of `wanted` only (all when `None`).
fn read(
    reader: LayerReader,
    path: &Path,
    layer: Option<&str>,
    wanted: Option<&[&str]>,
) -> lifecircle::error::Result<VectorLayer> {
    let wanted: Option<Vec<String>> = wanted.map(|w| w.iter().map(|s| s.to_string()).collect());
    read_layer_by(
        reader,
        path,
        layer,
        None,
        TextEncoding::Auto,
        wanted.as_deref(),
    )
}

/// Asserts the two readings are identical, feature by feature.
fn assert_same(direct: &VectorLayer, gdal: &VectorLayer) {
    assert_eq!(direct.path, gdal.path);
    assert_eq!(direct.name, gdal.name);
    assert_eq!(direct.fields, gdal.fields);
    assert_eq!(direct.crs, gdal.crs);
    assert_eq!(direct.features.len(), gdal.features.len());
    for (a, b) in direct.features.iter().zip(&gdal.features) {
        assert_eq!(a.index, b.index);
        assert_eq!(a.geometry, b.geometry, "feature {}", b.index + 1);
        assert_eq!(a.values, b.values, "feature {}", b.index + 1);
    }
}

/// Reads the layer both ways (all fields, and a subset when given) and compares.
fn check(path: &Path, layer: Option<&str>, subset: &[&str]) -> VectorLayer {
    for wanted in [None, Some(subset)] {
        let d = read(LayerReader::Direct, path, layer, wanted).unwrap();
        let g = read(LayerReader::Gdal, path, layer, wanted).unwrap();
        assert_same(&d, &g);
        let a = read(LayerReader::Auto, path, layer, wanted).unwrap();
        assert_same(&a, &g);
    }
    read(LayerReader::Gdal, path, layer, None).unwrap()
}

const NONE: gdal_sys::OGRFieldSubType::Type = gdal_sys::OGRFieldSubType::OFSTNone;

fn road_fields() -> Vec<FieldSpec<'static>> {
    vec![
        ("名称", OGRFieldType::OFTString, NONE),
        ("lanes", OGRFieldType::OFTInteger, NONE),
        ("speed limit", OGRFieldType::OFTReal, NONE),
        ("big", OGRFieldType::OFTInteger64, NONE),
        (
            "oneway",
            OGRFieldType::OFTInteger,
            gdal_sys::OGRFieldSubType::OFSTBoolean,
        ),
        ("we\"ird", OGRFieldType::OFTString, NONE),
    ]
}

#[test]
fn two_layers_in_one_file_match_gdal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("城市.gpkg");
    let reals = [
        0.1,
        1.0 / 3.0,
        1e20,
        123456789.12345679,
        -0.0,
        1e-7,
        42.0,
        2.5e-300,
        -98765.4321,
        f64::MAX,
    ];
    let mut roads: Vec<(Option<&str>, Vec<V>)> = vec![
        (
            Some("LINESTRING (113.3190 23.1050, 113.3190 23.1080, 113.32301 23.10801)"),
            vec![
                V::S("  广州市 天河区 体育西路  "),
                V::I(2),
                V::R(0.1),
                V::L(1 << 40),
                V::I(1),
                V::S("a\"b'c"),
            ],
        ),
        (
            Some(
                "MULTILINESTRING ((113.1 23.1, 113.2 23.2), (113.3 23.3, 113.4 23.4, 113.5 23.6))",
            ),
            vec![V::S(""), V::I(-3), V::Null, V::L(-7), V::I(0), V::Null],
        ),
        (
            None,
            vec![
                V::Null,
                V::Null,
                V::R(5.0),
                V::Null,
                V::Null,
                V::S("无几何"),
            ],
        ),
        (
            Some("LINESTRING EMPTY"),
            vec![
                V::S("empty"),
                V::I(i32::MAX),
                V::R(-0.0),
                V::L(i64::MIN),
                V::Null,
                V::Null,
            ],
        ),
    ];
    for (i, &r) in reals.iter().enumerate() {
        roads.push((
            Some("LINESTRING (113.0 23.0, 113.000000000000142 23.999999999999996)"),
            vec![
                V::S("路"),
                V::I(i as i32),
                V::R(r),
                V::L(i as i64),
                V::I(1),
                V::S("x"),
            ],
        ));
    }
    write_layer(
        &path,
        "roads",
        4326,
        OGRwkbGeometryType::wkbLineString,
        &road_fields(),
        &roads,
    );
    write_layer(
        &path,
        "兴趣点",
        4326,
        OGRwkbGeometryType::wkbPoint,
        &[("name", OGRFieldType::OFTString, NONE)],
        &[
            (Some("POINT (113.25 23.125)"), vec![V::S("甲")]),
            (Some("POINT EMPTY"), vec![V::S("空")]),
            (None, vec![V::Null]),
            (Some("POINT (-0.5 1e-9)"), vec![V::S("乙")]),
        ],
    );
    let r = check(&path, Some("ROADS"), &["lanes", "we\"ird"]);
    assert_eq!(r.name, "roads");
    assert_eq!(r.features.len(), 4 + reals.len());
    // The independent reading (GDAL's) saw what was written.
    assert_eq!(
        r.features[0].values[0].as_deref(),
        Some("广州市 天河区 体育西路")
    );
    assert_eq!(r.features[0].values[2].as_deref(), Some("0.1"));
    assert_eq!(r.features[2].geometry, None);
    assert_eq!(r.features[3].geometry, None);
    let p = check(&path, Some("兴趣点"), &[]);
    assert_eq!(p.features[1].geometry, None);
    assert_eq!(p.features[2].geometry, None);
    assert!(p.features[3].geometry.is_some());
    // Picked by position: the first layer.
    check(&path, None, &["名称"]);

    // Gaps in the feature ids: indices stay positions in layer order.
    let db = rusqlite::Connection::open(&path).unwrap();
    db.execute("DELETE FROM roads WHERE fid IN (2, 5)", [])
        .unwrap();
    drop(db);
    let r = check(&path, Some("roads"), &["speed limit"]);
    assert_eq!(r.features.len(), 2 + reals.len());
    assert_eq!(r.features[1].index, 1);
}

#[test]
fn polygons_and_a_cgcs2000_layer_match_gdal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("areas.gpkg");
    write_layer(
        &path,
        "areas",
        4326,
        OGRwkbGeometryType::wkbUnknown,
        &[("code", OGRFieldType::OFTInteger64, NONE)],
        &[
            (
                Some("POLYGON ((113 23, 113.1 23, 113.1 23.1, 113 23.1, 113 23), (113.02 23.02, 113.03 23.02, 113.03 23.03, 113.02 23.02))"),
                vec![V::L(440106)],
            ),
            (
                Some("MULTIPOLYGON (((113 23, 113.1 23, 113.1 23.1, 113 23)), ((114 24, 114.1 24, 114.1 24.1, 114 24)))"),
                vec![V::L(440104)],
            ),
            (Some("POLYGON EMPTY"), vec![V::Null]),
            (Some("MULTIPOINT ((113 23), (113.5 23.5))"), vec![V::L(1)]),
            (
                Some("GEOMETRYCOLLECTION (POINT (113 23), LINESTRING (113 23, 114 24))"),
                vec![V::L(2)],
            ),
        ],
    );
    let a = check(&path, Some("areas"), &["code"]);
    assert_eq!(a.features[2].geometry, None);
    // CGCS2000 / 3-degree Gauss-Kruger CM 114E: both ways reproject the same to WGS84.
    let cg = dir.path().join("cgcs.gpkg");
    write_layer(
        &cg,
        "道路",
        4547,
        OGRwkbGeometryType::wkbLineString,
        &[("名称", OGRFieldType::OFTString, NONE)],
        &[
            (
                Some("LINESTRING (432000.5 2555000.25, 432100 2555100, 432200.125 2555050)"),
                vec![V::S("中山大道")],
            ),
            (
                Some("MULTILINESTRING ((433000 2556000, 433010 2556020), (433020 2556030, 433040 2556060))"),
                vec![V::S("黄埔大道")],
            ),
        ],
    );
    let c = check(&cg, Some("道路"), &[]);
    assert_ne!(c.crs, lifecircle::crs::Crs::Wgs84);
    let Some(geo_types::Geometry::LineString(l)) = &c.features[0].geometry else {
        panic!("a line string");
    };
    // About 113.33°E, 23.1°N.
    assert!((l.0[0].x - 113.33).abs() < 0.05 && (l.0[0].y - 23.1).abs() < 0.05);
}

#[test]
fn layers_the_direct_reading_cannot_vouch_for_are_read_by_gdal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.gpkg");
    // 32-bit floats: formatted differently by GDAL; wanted, so the direct reading refuses.
    write_layer(
        &path,
        "floats",
        4326,
        OGRwkbGeometryType::wkbPoint,
        &[
            (
                "f",
                OGRFieldType::OFTReal,
                gdal_sys::OGRFieldSubType::OFSTFloat32,
            ),
            ("s", OGRFieldType::OFTString, NONE),
        ],
        &[(Some("POINT (113 23)"), vec![V::R(0.1), V::S("a")])],
    );
    assert!(read(LayerReader::Direct, &path, Some("floats"), None).is_err());
    let a = read(LayerReader::Auto, &path, Some("floats"), None).unwrap();
    let g = read(LayerReader::Gdal, &path, Some("floats"), None).unwrap();
    assert_same(&a, &g);
    // Not wanted: the direct reading is fine.
    let d = read(LayerReader::Direct, &path, Some("floats"), Some(&["s"])).unwrap();
    let g = read(LayerReader::Gdal, &path, Some("floats"), Some(&["s"])).unwrap();
    assert_same(&d, &g);
    assert_eq!(d.features[0].values, [None, Some("a".to_string())]);
    // Z geometries: refused; GDAL's reading (and its error) stands.
    write_layer(
        &path,
        "z",
        4326,
        OGRwkbGeometryType::wkbLineString25D,
        &[],
        &[(Some("LINESTRING Z (113 23 5, 114 24 6)"), vec![])],
    );
    assert!(read(LayerReader::Direct, &path, Some("z"), None).is_err());
    let a = read(LayerReader::Auto, &path, Some("z"), None).map(|l| l.features.len());
    let g = read(LayerReader::Gdal, &path, Some("z"), None).map(|l| l.features.len());
    assert_eq!(a.map_err(|e| e.to_string()), g.map_err(|e| e.to_string()));
}

#[test]
fn a_layer_of_many_batches_matches_gdal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.gpkg");
    let wkts: Vec<Option<String>> = (0..20_000)
        .map(|i| {
            let x = 113.0 + f64::from(i) * 1.37e-5;
            (i % 997 != 0).then(|| format!("LINESTRING ({x} 23.1, {} 23.2)", x + 1e-4))
        })
        .collect();
    let names: Vec<String> = (0..20_000).map(|i| format!("路{i}")).collect();
    let features: Vec<(Option<&str>, Vec<V>)> = wkts
        .iter()
        .zip(&names)
        .map(|(w, n)| (w.as_deref(), vec![V::S(n)]))
        .collect();
    write_layer(
        &path,
        "roads",
        4326,
        OGRwkbGeometryType::wkbLineString,
        &[("name", OGRFieldType::OFTString, NONE)],
        &features,
    );
    let r = check(&path, None, &[]);
    assert_eq!(r.features.len(), 20_000);
    assert_eq!(r.features[997].geometry, None);
    assert_eq!(r.features[19_999].values[0].as_deref(), Some("路19999"));

    // A malformed blob in a late batch: the direct reading refuses, and the layer is read by GDAL.
    let db = rusqlite::Connection::open(&path).unwrap();
    let triggers: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for t in triggers {
        db.execute(&format!("DROP TRIGGER \"{t}\""), []).unwrap();
    }
    db.execute("UPDATE roads SET geom = X'47500001' WHERE fid = 15000", [])
        .unwrap();
    drop(db);
    let e = read(LayerReader::Direct, &path, None, None).unwrap_err();
    assert!(e.to_string().contains("feature 15000"), "{e}");
    let a = read(LayerReader::Auto, &path, None, None).unwrap();
    let g = read(LayerReader::Gdal, &path, None, None).unwrap();
    assert_same(&a, &g);
}
