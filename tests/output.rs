//! Output writers, read back independently: GeoPackage with GDAL, XLSX with calamine, GBK CSV
//! with encoding_rs; output coordinate systems; byte-identical reruns.

mod common;

use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};
use gdal::vector::sql::Dialect;
use gdal::vector::LayerAccess;
use gdal::Dataset;
use geo_types::{Coord, Geometry, LineString, MultiPolygon, Point, Polygon};
use lifecircle::crs::china::wgs84_to_gcj02;
use lifecircle::output::{
    write_csv, write_csv_with, write_geojson, write_gpkg, write_gpkg_layers, write_xlsx,
    CsvEncoding, CsvOptions, GeometryType, HeaderLanguage, Kind, Layer, OutputCrs, Value,
};
use lifecircle::ErrorKind;
use std::path::Path;

/// Two zones in Shenzhen near the 114°E central meridian: a polygon with a hole and a
/// two-part multipolygon.
fn zones() -> Layer {
    let mut l = Layer::new(
        "zones",
        &[
            ("zone_id", Kind::Text),
            ("population", Kind::Int),
            ("coverage", Kind::Real),
        ],
    )
    .with_labels(&[
        ("zone_id", "分区编号"),
        ("population", "常住人口"),
        ("coverage", "覆盖率"),
    ])
    .with_layer_label("分区");
    let square = |x: f64, y: f64, d: f64| {
        LineString::from(vec![(x, y), (x + d, y), (x + d, y + d), (x, y + d), (x, y)])
    };
    l.push_geometry(
        vec!["福田-1".into(), Value::Int(12_345), Value::Real(0.875)],
        Some(Geometry::Polygon(Polygon::new(
            square(114.05, 22.53, 0.01),
            vec![square(114.053, 22.533, 0.002)],
        ))),
    );
    l.push_geometry(
        vec!["南山-2".into(), Value::Null, Value::Real(0.1)],
        Some(Geometry::MultiPolygon(MultiPolygon(vec![
            Polygon::new(square(113.93, 22.52, 0.01), vec![]),
            Polygon::new(square(113.95, 22.52, 0.005), vec![]),
        ]))),
    );
    l
}

fn demand() -> Layer {
    let mut l = Layer::new(
        "demand",
        &[
            ("id", Kind::Text),
            ("name", Kind::Text),
            ("population", Kind::Int),
            ("time_s", Kind::Real),
        ],
    )
    .with_labels(&[
        ("id", "编号"),
        ("name", "名称"),
        ("population", "常住人口"),
        ("time_s", "步行时间（秒）"),
    ])
    .with_layer_label("需求点");
    l.push(
        vec![
            "d1".into(),
            "莲花北村".into(),
            Value::Int(820),
            Value::Real(312.5),
        ],
        Some([114.0553, 22.5541]),
    );
    l.push(
        vec!["d2".into(), "景田·东".into(), Value::Int(0), Value::Null],
        Some([114.0417, 22.5569]),
    );
    l.push(
        vec!["d3".into(), "".into(), Value::Null, Value::Real(1e-3)],
        Some([113.9431, 22.5263]),
    );
    l
}

fn summary() -> Layer {
    let mut l = Layer::new(
        "summary",
        &[
            ("category", Kind::Text),
            ("reached", Kind::Int),
            ("share", Kind::Real),
        ],
    )
    .with_labels(&[("category", "设施类别"), ("share", "覆盖比例")]);
    l.push(
        vec!["clinic".into(), Value::Int(2), Value::Real(2.0 / 3.0)],
        None,
    );
    l.push(
        vec!["颐康中心".into(), Value::Int(0), Value::Real(0.0)],
        None,
    );
    l
}

fn coords(g: &Geometry<f64>) -> Vec<[f64; 2]> {
    use geo::CoordsIter;
    g.coords_iter().map(|c: Coord<f64>| [c.x, c.y]).collect()
}

fn layer_names(ds: &Dataset) -> Vec<String> {
    ds.layers().map(|l| l.name()).collect()
}

/// Geometries of a GeoPackage layer in FID order, as stored (no conversion).
fn stored_geometries(ds: &Dataset, name: &str) -> Vec<Geometry<f64>> {
    let mut l = ds.layer_by_name(name).unwrap();
    l.features()
        .map(|f| f.geometry().unwrap().to_geo().unwrap())
        .collect()
}

/// One text column of `gpkg_contents` for a table.
fn contents(ds: &Dataset, table: &str, column: &str) -> String {
    let mut rs = ds
        .execute_sql(
            format!("SELECT {column} FROM gpkg_contents WHERE table_name = '{table}'"),
            None,
            Dialect::SQLITE,
        )
        .unwrap()
        .unwrap();
    let f = rs.features().next().unwrap();
    f.field_as_string(0).unwrap().unwrap_or_default()
}

/// `(table, column, alias)` rows of `gpkg_data_columns`, sorted.
fn data_columns(ds: &Dataset) -> Vec<(String, String, String)> {
    let mut rs = ds
        .execute_sql(
            "SELECT table_name, column_name, name FROM gpkg_data_columns \
             ORDER BY table_name, column_name",
            None,
            Dialect::SQLITE,
        )
        .unwrap()
        .unwrap();
    rs.features()
        .map(|f| {
            let t = |i| f.field_as_string(i).unwrap().unwrap();
            (t(0), t(1), t(2))
        })
        .collect()
}

fn srs_code(ds: &Dataset, name: &str) -> i32 {
    ds.layer_by_name(name)
        .unwrap()
        .spatial_ref()
        .unwrap()
        .auth_code()
        .unwrap()
}

#[test]
fn geopackage_holds_polygons_points_and_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("study.gpkg");
    let (z, d, t) = (zones(), demand(), summary());
    write_gpkg_layers(&path, &[&z, &d, &t], OutputCrs::Wgs84).unwrap();
    common::assert_valid_gpkg(&path);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary files left"
    );

    let ds = Dataset::open(&path).unwrap();
    assert_eq!(layer_names(&ds), ["zones", "demand", "summary"]);

    let mut zl = ds.layer_by_name("zones").unwrap();
    assert_eq!(zl.feature_count(), 2);
    assert_eq!(
        zl.defn().geometry_type(),
        gdal::vector::OGRwkbGeometryType::wkbMultiPolygon,
        "a polygon and a multipolygon make a multipolygon layer"
    );
    // Chinese labels are field aliases in the GeoPackage schema extension.
    assert_eq!(
        data_columns(&ds),
        [
            ("demand".to_string(), "id".to_string(), "编号".to_string()),
            ("demand".into(), "name".into(), "名称".into()),
            ("demand".into(), "population".into(), "常住人口".into()),
            ("demand".into(), "time_s".into(), "步行时间（秒）".into()),
            ("summary".into(), "category".into(), "设施类别".into()),
            ("summary".into(), "share".into(), "覆盖比例".into()),
            ("zones".into(), "coverage".into(), "覆盖率".into()),
            ("zones".into(), "population".into(), "常住人口".into()),
            ("zones".into(), "zone_id".into(), "分区编号".into()),
        ]
    );
    let rows: Vec<(Option<String>, Option<i64>, Option<f64>)> = zl
        .features()
        .map(|f| {
            (
                f.field_as_string(0).unwrap(),
                f.field_as_integer64(1).unwrap(),
                f.field_as_double(2).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (Some("福田-1".to_string()), Some(12_345), Some(0.875)),
            (Some("南山-2".to_string()), None, Some(0.1)),
        ]
    );
    let geoms = stored_geometries(&ds, "zones");
    for (got, want) in geoms.iter().zip(z.geometry.as_ref().unwrap()) {
        assert_eq!(
            coords(got),
            coords(want),
            "WGS84 coordinates are written as is"
        );
    }
    let Geometry::MultiPolygon(first) = &geoms[0] else {
        panic!("{:?}", geoms[0])
    };
    assert_eq!(first.0[0].interiors().len(), 1, "the hole survives");
    assert_eq!(srs_code(&ds, "zones"), 4326);
    assert!(contents(&ds, "zones", "description").starts_with("分区; Coordinates: WGS84"));

    let mut dl = ds.layer_by_name("demand").unwrap();
    assert_eq!(dl.feature_count(), 3);
    let names: Vec<Option<String>> = dl
        .features()
        .map(|f| f.field_as_string(1).unwrap())
        .collect();
    assert_eq!(
        names,
        [
            Some("莲花北村".into()),
            Some("景田·东".into()),
            Some("".into())
        ]
    );
    let times: Vec<Option<f64>> = dl
        .features()
        .map(|f| f.field_as_double(3).unwrap())
        .collect();
    assert_eq!(times, [Some(312.5), None, Some(1e-3)]);
    let pts: Vec<Vec<[f64; 2]>> = stored_geometries(&ds, "demand")
        .iter()
        .map(coords)
        .collect();
    assert_eq!(
        pts,
        [
            vec![[114.0553, 22.5541]],
            vec![[114.0417, 22.5569]],
            vec![[113.9431, 22.5263]]
        ]
    );

    let mut tl = ds.layer_by_name("summary").unwrap();
    assert_eq!(tl.feature_count(), 2);
    assert!(tl.spatial_ref().is_none(), "a plain table has no SRS");
    assert_eq!(tl.defn().geom_fields().count(), 0);
    let cats: Vec<(String, i64, f64)> = tl
        .features()
        .map(|f| {
            (
                f.field_as_string(0).unwrap().unwrap(),
                f.field_as_integer64(1).unwrap().unwrap(),
                f.field_as_double(2).unwrap().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        cats,
        [
            ("clinic".to_string(), 2, 2.0 / 3.0),
            ("颐康中心".to_string(), 0, 0.0)
        ]
    );
    assert_eq!(contents(&ds, "summary", "data_type"), "attributes");
}

#[test]
fn geopackage_in_epsg4547_converts_back_to_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gk.gpkg");
    let (z, d) = (zones(), demand());
    write_gpkg_layers(&path, &[&z, &d], OutputCrs::Epsg4547).unwrap();
    common::assert_valid_gpkg(&path);
    let ds = Dataset::open(&path).unwrap();
    for (name, layer) in [("zones", &z), ("demand", &d)] {
        assert_eq!(srs_code(&ds, name), 4547);
        let mut src = ds.layer_by_name(name).unwrap().spatial_ref().unwrap();
        src.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
        let mut wgs = SpatialRef::from_epsg(4326).unwrap();
        wgs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
        let ct = CoordTransform::new(&src, &wgs).unwrap();
        for (stored, input) in stored_geometries(&ds, name)
            .iter()
            .zip(layer.geometry.as_ref().unwrap())
        {
            let stored = coords(stored);
            // Easting first, around the 500 km false easting of the 114°E zone.
            assert!(stored
                .iter()
                .all(|p| (380_000.0..620_000.0).contains(&p[0]) && p[1] > 2_400_000.0));
            let mut xs: Vec<f64> = stored.iter().map(|p| p[0]).collect();
            let mut ys: Vec<f64> = stored.iter().map(|p| p[1]).collect();
            ct.transform_coords(&mut xs, &mut ys, &mut []).unwrap();
            let want = coords(input);
            assert_eq!(want.len(), xs.len());
            for (w, (x, y)) in want.iter().zip(xs.iter().zip(&ys)) {
                assert!(
                    (w[0] - x).abs() < 1e-7 && (w[1] - y).abs() < 1e-7,
                    "{w:?} vs {x},{y}"
                );
            }
        }
    }
}

#[test]
fn geopackage_in_gcj02_is_the_shifted_input_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gcj.gpkg");
    let (z, d, t) = (zones(), demand(), summary());
    write_gpkg_layers(&path, &[&z, &d, &t], OutputCrs::Gcj02).unwrap();
    common::assert_valid_gpkg(&path);
    let ds = Dataset::open(&path).unwrap();
    for (name, layer) in [("zones", &z), ("demand", &d)] {
        // A user-defined system that says it is GCJ-02, not EPSG:4326.
        let srs = ds.layer_by_name(name).unwrap().spatial_ref().unwrap();
        assert!(
            srs.name().unwrap().starts_with("GCJ-02"),
            "{:?}",
            srs.name()
        );
        assert_ne!(srs.auth_code().ok(), Some(4326));
        assert_eq!(
            lifecircle::crs::Crs::from_spatial_ref(&srs),
            Some(lifecircle::crs::Crs::Gcj02)
        );
        assert!(contents(&ds, name, "description").contains("GCJ-02"));
        assert!(contents(&ds, name, "description").contains("NOT WGS84"));
        assert_eq!(
            contents(&ds, name, "identifier"),
            format!("{name} (GCJ-02)")
        );
        for (stored, input) in stored_geometries(&ds, name)
            .iter()
            .zip(layer.geometry.as_ref().unwrap())
        {
            let want: Vec<[f64; 2]> = coords(input)
                .iter()
                .map(|p| {
                    let (x, y) = wgs84_to_gcj02(p[0], p[1]);
                    [x, y]
                })
                .collect();
            assert_eq!(coords(stored), want);
        }
    }
    assert_eq!(contents(&ds, "summary", "identifier"), "summary");
}

#[test]
fn geopackage_in_cgcs2000_keeps_the_coordinates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cgcs.gpkg");
    let d = demand();
    write_gpkg_layers(&path, &[&d], OutputCrs::Cgcs2000).unwrap();
    common::assert_valid_gpkg(&path);
    let ds = Dataset::open(&path).unwrap();
    assert_eq!(srs_code(&ds, "demand"), 4490);
    let got: Vec<Vec<[f64; 2]>> = stored_geometries(&ds, "demand")
        .iter()
        .map(coords)
        .collect();
    let want: Vec<Vec<[f64; 2]>> = d.geometry.as_ref().unwrap().iter().map(coords).collect();
    assert_eq!(got, want);
}

#[test]
fn geopackage_reruns_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let (z, t) = (zones(), summary());
    // Enough points for GDAL's bulk spatial-index path.
    let mut many = Layer::new("many", &[("i", Kind::Int), ("v", Kind::Real)]);
    for i in 0..5000 {
        let f = i as f64;
        many.push(
            vec![Value::Int(i), Value::Real(f.sqrt())],
            Some([
                113.8 + (f * 0.618).fract() * 0.4,
                22.4 + (f * 0.414).fract() * 0.3,
            ]),
        );
    }
    let a = dir.path().join("a.gpkg");
    let b = dir.path().join("sub/b.gpkg");
    write_gpkg_layers(&a, &[&z, &many, &t], OutputCrs::Epsg4547).unwrap();
    common::assert_valid_gpkg(&a);
    // GDAL's time stamps have millisecond resolution: make sure the clock moves on.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    write_gpkg_layers(&b, &[&z, &many, &t], OutputCrs::Epsg4547).unwrap();
    common::assert_valid_gpkg(&b);
    let (ba, bb) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert!(ba == bb, "GeoPackage differs between runs");
    let ds = Dataset::open(&a).unwrap();
    assert_eq!(
        contents(&ds, "many", "CAST(last_change AS TEXT)"),
        "2000-01-01T00:00:00.000Z"
    );
    assert_eq!(ds.layer_by_name("many").unwrap().feature_count(), 5000);
    // The option is restored afterwards.
    assert_eq!(
        gdal::config::get_thread_local_config_option("OGR_CURRENT_DATE", "unset").unwrap(),
        "unset"
    );
    // The single-layer writer is deterministic too.
    let c = dir.path().join("c.gpkg");
    let d2 = dir.path().join("d.gpkg");
    write_gpkg(&c, &z).unwrap();
    common::assert_valid_gpkg(&c);
    write_gpkg(&d2, &z).unwrap();
    common::assert_valid_gpkg(&d2);
    assert!(std::fs::read(&c).unwrap() == std::fs::read(&d2).unwrap());
}

#[test]
fn geopackage_rejects_duplicate_layer_names_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dup.gpkg");
    let (a, mut b) = (demand(), demand());
    b.name = "DEMAND".into();
    let e = write_gpkg_layers(&path, &[&a, &b], OutputCrs::Wgs84).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue);
    assert!(e.to_string().contains("DEMAND"), "{e}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn an_empty_layer_with_a_declared_type_is_still_a_map_layer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gaps.gpkg");
    let gaps =
        Layer::new("gaps", &[("area_m2", Kind::Real)]).with_geometry_type(GeometryType::Polygon);
    write_gpkg_layers(&path, &[&gaps], OutputCrs::Epsg4547).unwrap();
    common::assert_valid_gpkg(&path);
    let ds = Dataset::open(&path).unwrap();
    let l = ds.layer_by_name("gaps").unwrap();
    assert_eq!(l.feature_count(), 0);
    assert_eq!(
        l.defn().geometry_type(),
        gdal::vector::OGRwkbGeometryType::wkbPolygon
    );
    assert_eq!(srs_code(&ds, "gaps"), 4547);
}

#[test]
fn xlsx_reads_back_with_chinese_headers_and_numbers() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("study.xlsx");
    let (z, d, t) = (zones(), demand(), summary());
    let mut odd = Layer::new("a/b:c*?[x]", &[("n", Kind::Int)]);
    odd.push(vec![Value::Int(1_000_000_000_000_001)], None);
    write_xlsx(&path, &[&d, &z, &t, &odd], HeaderLanguage::Chinese).unwrap();
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(
        wb.sheet_names(),
        ["需求点", "分区", "summary", "a_b_c___x_"],
        "Chinese layer labels, else names, made valid"
    );
    let r = wb.worksheet_range("需求点").unwrap();
    let rows: Vec<Vec<Data>> = r.rows().map(|r| r.to_vec()).collect();
    let s = |x: &str| Data::String(x.to_string());
    assert_eq!(
        rows,
        [
            vec![s("编号"), s("名称"), s("常住人口"), s("步行时间（秒）")],
            vec![
                s("d1"),
                s("莲花北村"),
                Data::Float(820.0),
                Data::Float(312.5)
            ],
            vec![s("d2"), s("景田·东"), Data::Float(0.0), Data::Empty],
            vec![s("d3"), Data::Empty, Data::Empty, Data::Float(1e-3)],
        ]
    );
    let r = wb.worksheet_range("summary").unwrap();
    let rows: Vec<Vec<Data>> = r.rows().map(|r| r.to_vec()).collect();
    assert_eq!(rows[0], [s("设施类别"), s("reached"), s("覆盖比例")]);
    assert_eq!(rows[1][2], Data::Float(2.0 / 3.0), "full precision");
    let r = wb.worksheet_range("a_b_c___x_").unwrap();
    assert_eq!(
        r.get((1, 0)),
        Some(&s("1000000000000001")),
        "integers Excel cannot hold exactly stay text"
    );

    // English headers use the column names and layer names.
    let en = dir.path().join("en.xlsx");
    write_xlsx(&en, &[&d], HeaderLanguage::English).unwrap();
    let mut wb: Xlsx<_> = open_workbook(&en).unwrap();
    assert_eq!(wb.sheet_names(), ["demand"]);
    let r = wb.worksheet_range("demand").unwrap();
    assert_eq!(
        r.rows().next().unwrap(),
        [s("id"), s("name"), s("population"), s("time_s")]
    );
}

#[test]
fn xlsx_reruns_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let (z, d, t) = (zones(), demand(), summary());
    let a = dir.path().join("a.xlsx");
    let b = dir.path().join("b.xlsx");
    write_xlsx(&a, &[&z, &d, &t], HeaderLanguage::Chinese).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    write_xlsx(&b, &[&z, &d, &t], HeaderLanguage::Chinese).unwrap();
    assert!(std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap());
}

#[test]
fn gbk_csv_decodes_to_the_expected_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demand.csv");
    let opts = CsvOptions {
        encoding: CsvEncoding::Gbk,
        headers: HeaderLanguage::Chinese,
        ..CsvOptions::default()
    };
    write_csv_with(&path, &demand(), &opts).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert!(!bytes.starts_with(b"\xEF\xBB\xBF"), "no BOM in GBK");
    let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(&bytes);
    assert!(!had_errors);
    assert_eq!(
        text,
        "编号,名称,常住人口,步行时间（秒）\n\
         d1,莲花北村,820,312.5\n\
         d2,景田·东,0,\n\
         d3,,,0.001\n"
    );
    // GBK proper, not UTF-8: 莲 is C1 AB.
    assert!(bytes.windows(2).any(|w| w == [0xC1, 0xAB]));
}

#[test]
fn gbk_unencodable_character_is_an_error_naming_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    let mut d = demand();
    d.rows[1][1] = Value::Text("吉𠮷家园".into());
    let opts = CsvOptions {
        encoding: CsvEncoding::Gbk,
        ..CsvOptions::default()
    };
    let e = write_csv_with(&path, &d, &opts).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue);
    let msg = e.to_string();
    assert!(msg.contains("row 3"), "{msg}");
    assert!(msg.contains("field `name`"), "{msg}");
    assert!(msg.contains("U+20BB7"), "{msg}");
    assert!(msg.contains("bad.csv"), "{msg}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
    // The same text is fine in UTF-8.
    write_csv_with(&path, &d, &CsvOptions::default()).unwrap();
    // A Chinese header GBK cannot encode is row 1.
    d.label("name", "𠮷名");
    let opts = CsvOptions {
        headers: HeaderLanguage::Chinese,
        ..opts
    };
    let msg = write_csv_with(&path, &d, &opts).unwrap_err().to_string();
    assert!(
        msg.contains("row 1") && msg.contains("field `name`"),
        "{msg}"
    );
}

#[test]
fn csv_coordinates_are_in_the_output_system() {
    let dir = tempfile::tempdir().unwrap();
    let d = demand();
    let read = |p: &Path| -> Vec<Vec<String>> {
        let text = std::fs::read_to_string(p).unwrap();
        let text = text.strip_prefix('\u{feff}').unwrap();
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect()
    };
    let inputs: Vec<[f64; 2]> = d
        .geometry
        .as_ref()
        .unwrap()
        .iter()
        .map(|g| {
            let Geometry::Point(p) = g else { panic!() };
            [p.x(), p.y()]
        })
        .collect();

    let gcj = dir.path().join("gcj.csv");
    let opts = CsvOptions {
        with_coordinates: true,
        crs: OutputCrs::Gcj02,
        ..CsvOptions::default()
    };
    write_csv_with(&gcj, &d, &opts).unwrap();
    let rows = read(&gcj);
    assert_eq!(
        rows[0],
        ["id", "name", "population", "time_s", "lon", "lat"]
    );
    for (r, p) in rows[1..].iter().zip(&inputs) {
        let (x, y) = wgs84_to_gcj02(p[0], p[1]);
        assert_eq!(r[4].parse::<f64>().unwrap(), x);
        assert_eq!(r[5].parse::<f64>().unwrap(), y);
    }

    let gk = dir.path().join("gk.csv");
    let opts = CsvOptions {
        with_coordinates: true,
        crs: OutputCrs::Epsg4547,
        headers: HeaderLanguage::Chinese,
        ..CsvOptions::default()
    };
    write_csv_with(&gk, &d, &opts).unwrap();
    let rows = read(&gk);
    assert_eq!(rows[0][4..], ["X坐标", "Y坐标"]);
    let mut back: Vec<[f64; 2]> = rows[1..]
        .iter()
        .map(|r| [r[4].parse().unwrap(), r[5].parse().unwrap()])
        .collect();
    lifecircle::crs::Crs::Epsg(4547)
        .to_wgs84(&mut back)
        .unwrap();
    for (b, p) in back.iter().zip(&inputs) {
        assert!((b[0] - p[0]).abs() < 1e-7 && (b[1] - p[1]).abs() < 1e-7);
    }

    // Coordinates need a point layer.
    let e = write_csv_with(&dir.path().join("z.csv"), &zones(), &opts).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue);
    let e = write_csv_with(&dir.path().join("t.csv"), &summary(), &opts).unwrap_err();
    assert!(e.to_string().contains("no geometry"), "{e}");
}

#[test]
fn default_csv_is_utf8_with_bom_and_english_headers() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    write_csv(&a, &summary()).unwrap();
    write_csv_with(&b, &summary(), &CsvOptions::default()).unwrap();
    let bytes = std::fs::read(&a).unwrap();
    assert_eq!(bytes, std::fs::read(&b).unwrap());
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        "\u{feff}category,reached,share\nclinic,2,0.6666666666666666\n颐康中心,0,0\n"
    );
}

#[test]
fn geojson_polygons_follow_the_right_hand_rule() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zones.geojson");
    // The first zone's hole runs counter-clockwise like its exterior; the second zone's
    // exteriors are reversed to run clockwise.
    let mut z = zones();
    if let Some(Geometry::MultiPolygon(mp)) = z.geometry.as_mut().unwrap().get_mut(1) {
        for p in &mut mp.0 {
            p.exterior_mut(|r| r.0.reverse());
        }
    }
    write_geojson(&path, &z).unwrap();
    assert_eq!(common::assert_rfc7946(&path), z.len());
}

#[test]
fn geojson_stays_wgs84() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demand.geojson");
    let d = demand();
    write_geojson(&path, &d).unwrap();
    let fc: geojson::FeatureCollection = std::fs::read_to_string(&path)
        .unwrap()
        .parse::<geojson::GeoJson>()
        .unwrap()
        .try_into()
        .unwrap();
    let g: Geometry<f64> = fc.features[0].geometry.clone().unwrap().try_into().unwrap();
    assert_eq!(g, Geometry::Point(Point::new(114.0553, 22.5541)));
}

#[test]
fn repeated_labels_become_distinct_aliases() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dup_labels.gpkg");
    let mut t = Layer::new("t", &[("pop", Kind::Int), ("pop2", Kind::Int)])
        .with_labels(&[("pop", "人口"), ("pop2", "人口")]);
    t.push(vec![Value::Int(1), Value::Int(2)], None);
    write_gpkg_layers(&path, &[&t], OutputCrs::Wgs84).unwrap();
    common::assert_valid_gpkg(&path);
    let ds = Dataset::open(&path).unwrap();
    assert_eq!(
        data_columns(&ds),
        [
            ("t".to_string(), "pop".to_string(), "人口".to_string()),
            ("t".into(), "pop2".into(), "人口 (pop2)".into()),
        ]
    );
}

/// 20,000 points and 3,000 small squares: GDAL's spatial filter, which reads the bulk-loaded
/// R-tree, returns exactly the features a scan of the coordinates finds; SQLite's integrity check
/// passes; and after GDAL adds and deletes features through the file's triggers it still does.
#[test]
fn geopackage_spatial_index_answers_like_a_scan_and_survives_edits() {
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut pts = Layer::new("pts", &[("k", Kind::Int)]);
    let mut xy = Vec::new();
    for k in 0..20_000 {
        let (x, y) = (113.2 + 0.2 * next(), 23.0 + 0.2 * next());
        xy.push([x, y]);
        pts.push(vec![Value::Int(k)], Some([x, y]));
    }
    let mut cells = Layer::new("cells", &[("k", Kind::Int)]);
    let mut boxes = Vec::new();
    for k in 0..3_000 {
        let (x, y, d) = (113.2 + 0.2 * next(), 23.0 + 0.2 * next(), 0.003 * next());
        boxes.push([x, x + d, y, y + d]);
        let ring = LineString::from(vec![(x, y), (x + d, y), (x + d, y + d), (x, y + d), (x, y)]);
        cells.push_geometry(
            vec![Value::Int(k)],
            Some(Geometry::Polygon(Polygon::new(ring, vec![]))),
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.gpkg");
    write_gpkg_layers(&path, &[&pts, &cells], OutputCrs::Wgs84).unwrap();
    common::assert_valid_gpkg(&path);

    let rtree_ok = |path: &Path, table: &str| {
        let db = rusqlite::Connection::open(path).unwrap();
        let check: String = db
            .query_row(
                &format!("SELECT rtreecheck('rtree_{table}_geom')"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(check, "ok", "{table}");
    };
    rtree_ok(&path, "pts");
    rtree_ok(&path, "cells");

    let filtered = |ds: &Dataset, table: &str, w: [f64; 4]| -> Vec<i64> {
        let mut l = ds.layer_by_name(table).unwrap();
        l.set_spatial_filter_rect(w[0], w[2], w[1], w[3]);
        let mut ks: Vec<i64> = l
            .features()
            .map(|f| f.field_as_integer64(0).unwrap().unwrap())
            .collect();
        ks.sort_unstable();
        ks
    };
    let ds = Dataset::open(&path).unwrap();
    for _ in 0..30 {
        let (x, y) = (113.2 + 0.18 * next(), 23.0 + 0.18 * next());
        let w = [x, x + 0.02, y, y + 0.02];
        let want_pts: Vec<i64> = (0..xy.len() as i64)
            .filter(|&k| {
                let p = xy[k as usize];
                p[0] >= w[0] && p[0] <= w[1] && p[1] >= w[2] && p[1] <= w[3]
            })
            .collect();
        assert_eq!(filtered(&ds, "pts", w), want_pts);
        let want_cells: Vec<i64> = (0..boxes.len() as i64)
            .filter(|&k| {
                let b = boxes[k as usize];
                b[1] >= w[0] && b[0] <= w[1] && b[3] >= w[2] && b[2] <= w[3]
            })
            .collect();
        assert_eq!(filtered(&ds, "cells", w), want_cells);
    }
    drop(ds);

    // Edits through GDAL go through the triggers the writer put in place.
    let ds = Dataset::open_ex(
        &path,
        gdal::DatasetOptions {
            open_flags: gdal::GdalOpenFlags::GDAL_OF_UPDATE | gdal::GdalOpenFlags::GDAL_OF_VECTOR,
            ..Default::default()
        },
    )
    .unwrap();
    {
        let l = ds.layer_by_name("pts").unwrap();
        for fid in 1..=500 {
            // SAFETY: the layer handle is live for the borrow of `l`.
            let err = unsafe { gdal_sys::OGR_L_DeleteFeature(l.c_layer(), fid) };
            assert_eq!(err, gdal_sys::OGRErr::OGRERR_NONE);
        }
        let defn = l.defn();
        let mut f = gdal::vector::Feature::new(defn).unwrap();
        f.set_field_integer64(0, 99_999).unwrap();
        f.set_geometry(gdal::vector::Geometry::from_wkt("POINT (113.25 23.05)").unwrap())
            .unwrap();
        f.create(&l).unwrap();
        assert_eq!(l.feature_count(), 20_000 - 500 + 1);
    }
    drop(ds);
    rtree_ok(&path, "pts");
    let ds = Dataset::open(&path).unwrap();
    let got = filtered(&ds, "pts", [113.2499, 113.2501, 23.0499, 23.0501]);
    assert!(got.contains(&99_999), "{got:?}");
    let w = [113.2, 113.4, 23.0, 23.2];
    assert_eq!(
        filtered(&ds, "pts", w),
        (500..20_000).chain([99_999]).collect::<Vec<_>>()
    );
}
