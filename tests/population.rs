//! Demand from population sources: a GeoTIFF in EPSG:4547, zones spread on a grid or onto
//! buildings by floor area, population groups, residential OSM buildings, and error messages.

use gdal::raster::Buffer;
use gdal::spatial_ref::SpatialRef;
use gdal::DriverManager;
use geo::{Contains, GeodesicArea};
use geo_types::{polygon, Point};
use lifecircle::crs::Crs;
use lifecircle::input::{
    is_residential_building, read_demand, read_demand_source, read_osm, BuildingSource,
    DemandSource, GroupField, OsmRequest, PointSource,
};
use lifecircle::places::DemandSet;
use lifecircle::ErrorKind;
use std::path::{Path, PathBuf};

const LIECHTENSTEIN: &str = "data/liechtenstein/liechtenstein-latest.osm.pbf";

fn total(set: &DemandSet) -> f64 {
    set.points.iter().map(|p| p.population.unwrap()).sum()
}

fn group_total(set: &DemandSet, g: usize) -> f64 {
    set.points.iter().map(|p| p.groups[g]).sum()
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1.0)
}

/// A GeoJSON FeatureCollection of polygons (one ring each, WGS84) with properties.
fn polygons_geojson(path: &Path, features: &[(&[[f64; 2]], &str)]) {
    let feats: Vec<String> = features
        .iter()
        .map(|(ring, props)| {
            let c: Vec<String> = ring
                .iter()
                .chain(std::iter::once(&ring[0]))
                .map(|p| format!("[{:?},{:?}]", p[0], p[1]))
                .collect();
            format!(
                r#"{{"type":"Feature","properties":{{{props}}},"geometry":{{"type":"Polygon","coordinates":[[{}]]}}}}"#,
                c.join(",")
            )
        })
        .collect();
    std::fs::write(
        path,
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            feats.join(",")
        ),
    )
    .unwrap();
}

/// An axis-aligned rectangle ring from its south-west corner and size in degrees.
fn rect(x: f64, y: f64, w: f64, h: f64) -> [[f64; 2]; 4] {
    [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]
}

fn zones(path: &Path, population: &str, buildings: Option<BuildingSource>) -> DemandSource {
    DemandSource::Polygons {
        path: path.to_path_buf(),
        source: PointSource::default(),
        population_field: population.into(),
        groups: vec![GroupField::new("age_60plus", "60岁以上")],
        buildings,
        sample_spacing_m: 50.0,
    }
}

// ---------------------------------------------------------------------------------------------
// Raster

/// Cell size 100 m, top-left corner at (500 000, 2 545 000) in EPSG:4547 (CGCS2000 3° GK, 114°E):
/// near 114.0°E, 23.0°N. Values by row: [10, nodata, 0], [5.5, 20, 7].
const GT: [f64; 6] = [500_000.0, 100.0, 0.0, 2_545_000.0, 0.0, -100.0];
const NODATA: f64 = -9999.0;

fn write_tiff(path: &Path, srs: Option<u32>, gt: [f64; 6]) {
    let driver = DriverManager::get_driver_by_name("GTiff").unwrap();
    let mut ds = driver
        .create_with_band_type::<f64, _>(path, 3, 2, 1)
        .unwrap();
    ds.set_geo_transform(&gt).unwrap();
    if let Some(code) = srs {
        ds.set_spatial_ref(&SpatialRef::from_epsg(code).unwrap())
            .unwrap();
    }
    let mut band = ds.rasterband(1).unwrap();
    band.set_no_data_value(Some(NODATA)).unwrap();
    let mut buf = Buffer::new((3, 2), vec![10.0, NODATA, 0.0, 5.5, 20.0, 7.0]);
    band.write((0, 0), (3, 2), &mut buf).unwrap();
}

#[test]
fn raster_cells_at_their_wgs84_centres() {
    let dir = tempfile::tempdir().unwrap();
    let tif = dir.path().join("pop.tif");
    write_tiff(&tif, Some(4547), GT);
    let (set, report) = read_demand_source(&DemandSource::Raster {
        path: tif.clone(),
        band: 1,
        crs: None,
    })
    .unwrap();
    assert!(set.groups.is_empty());
    assert_eq!(report.raster_cells_nodata, 1);
    assert_eq!(report.raster_cells_not_positive, 1);

    // Cell centres worked out from the geotransform: x = 500 000 + (col + ½)·100,
    // y = 2 545 000 − (row + ½)·100.
    let cells = [(0, 0, 10.0), (1, 0, 5.5), (1, 1, 20.0), (1, 2, 7.0)];
    let mut expected: Vec<[f64; 2]> = cells
        .iter()
        .map(|&(r, c, _)| {
            [
                500_000.0 + (c as f64 + 0.5) * 100.0,
                2_545_000.0 - (r as f64 + 0.5) * 100.0,
            ]
        })
        .collect();
    assert_eq!(expected[2], [500_150.0, 2_544_850.0]);
    Crs::Epsg(4547).to_wgs84(&mut expected).unwrap();
    assert_eq!(set.points.len(), 4);
    for ((p, &(r, c, v)), e) in set.points.iter().zip(&cells).zip(&expected) {
        assert_eq!(p.id, format!("r{r}_{c}"));
        assert_eq!(p.population, Some(v));
        assert!(p.groups.is_empty());
        assert!(
            (p.location[0] - e[0]).abs() < 1e-9 && (p.location[1] - e[1]).abs() < 1e-9,
            "{:?} vs {e:?}",
            p.location
        );
        assert!(p.origin.contains("pop.tif"), "{}", p.origin);
    }
    // On the central meridian side and near 23°N; cells 100 m apart.
    let p = &set.points;
    assert!((p[0].location[0] - 114.0).abs() < 0.01 && (p[0].location[1] - 23.0).abs() < 0.05);
    let d = lifecircle::geodesy::ground_distance(p[2].location, p[3].location);
    assert!((d - 100.0).abs() < 0.1, "{d}");
    let d = lifecircle::geodesy::ground_distance(p[0].location, p[1].location);
    assert!((d - 100.0).abs() < 0.1, "{d}");
}

#[test]
fn raster_needs_a_system_a_band_and_no_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let tif = dir.path().join("nosrs.tif");
    write_tiff(&tif, None, GT);
    let src = |band, crs| DemandSource::Raster {
        path: tif.clone(),
        band,
        crs,
    };
    let e = read_demand_source(&src(1, None)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Crs);
    assert!(e.to_string().contains("nosrs.tif"), "{e}");
    // With the system given it reads as before.
    let (set, _) = read_demand_source(&src(1, Some(Crs::Epsg(4547)))).unwrap();
    assert_eq!(set.points.len(), 4);
    let e = read_demand_source(&src(2, Some(Crs::Epsg(4547)))).unwrap_err();
    assert!(e.to_string().contains("band 2"), "{e}");

    let rotated = dir.path().join("rotated.tif");
    write_tiff(
        &rotated,
        Some(4547),
        [500_000.0, 100.0, 5.0, 2_545_000.0, 0.0, -100.0],
    );
    let e = read_demand_source(&DemandSource::Raster {
        path: rotated,
        band: 1,
        crs: None,
    })
    .unwrap_err();
    assert!(e.to_string().contains("rotat"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Zones

#[test]
fn zones_on_a_grid_conserve_population_and_groups() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zones.geojson");
    // Z1: about 1 km × 1 km; Z2: an L shape; Z3: 20 m × 20 m (smaller than the grid);
    // Z4: no population.
    let l_shape = [
        [113.33, 23.10],
        [113.34, 23.10],
        [113.34, 23.102],
        [113.332, 23.102],
        [113.332, 23.11],
        [113.33, 23.11],
    ];
    polygons_geojson(
        &path,
        &[
            (
                &rect(113.30, 23.10, 0.0098, 0.009),
                r#""id":"Z1","人口":12345.6,"60岁以上":2000"#,
            ),
            (&l_shape, r#""id":"Z2","人口":877,"60岁以上":101.5"#),
            (
                &rect(113.35, 23.10, 0.0002, 0.00018),
                r#""id":"Z3","人口":3,"60岁以上":1"#,
            ),
            (
                &rect(113.36, 23.10, 0.001, 0.001),
                r#""id":"Z4","人口":0,"60岁以上":0"#,
            ),
        ],
    );
    let (set, report) = read_demand_source(&zones(&path, "人口", None)).unwrap();
    assert_eq!(set.groups, vec!["age_60plus".to_string()]);
    let want = 12345.6 + 877.0 + 3.0;
    assert!(close(total(&set), want, 1e-9), "{} vs {want}", total(&set));
    assert!(close(group_total(&set, 0), 2102.5, 1e-9));
    assert_eq!(report.polygons_without_population, 1);
    assert!(report.polygons_without_buildings.is_empty());

    let of = |z: &str| -> Vec<_> {
        set.points
            .iter()
            .filter(|p| p.id.starts_with(&format!("{z}/")))
            .collect()
    };
    // Z1: 50 m grid over ~1 km: 21 × 20 points, equal shares.
    let z1 = of("Z1");
    assert!((380..=460).contains(&z1.len()), "{}", z1.len());
    let share = 12345.6 / z1.len() as f64;
    assert!(z1
        .iter()
        .all(|p| close(p.population.unwrap(), share, 1e-12)));
    let sq = polygon![
        (x: 113.30, y: 23.10), (x: 113.3098, y: 23.10), (x: 113.3098, y: 23.109), (x: 113.30, y: 23.109)
    ];
    assert!(z1
        .iter()
        .all(|p| sq.contains(&Point::new(p.location[0], p.location[1]))));
    // Neighbours 50 m apart (east–west exactly so at the zone's middle latitude, so within
    // 2 mm at its southern edge; north–south within 0.1 mm).
    let d = lifecircle::geodesy::ground_distance(z1[0].location, z1[1].location);
    assert!((d - 50.0).abs() < 0.002, "{d}");
    let row = z1
        .iter()
        .filter(|p| p.location[1] == z1[0].location[1])
        .count();
    let d = lifecircle::geodesy::ground_distance(z1[0].location, z1[row].location);
    assert!((d - 50.0).abs() < 1e-4, "{d}");
    // Z2: only inside the L.
    let l: geo_types::Polygon<f64> =
        geo_types::Polygon::new(l_shape.iter().map(|p| (p[0], p[1])).collect(), vec![]);
    let z2 = of("Z2");
    assert!(z2.len() > 50);
    assert!(z2
        .iter()
        .all(|p| l.contains(&Point::new(p.location[0], p.location[1]))));
    // Z3: one point, all of its population.
    let z3 = of("Z3");
    assert_eq!(z3.len(), 1);
    assert_eq!(z3[0].population, Some(3.0));
    assert_eq!(z3[0].groups, vec![1.0]);
    assert!(of("Z4").is_empty());
}

#[test]
fn zones_spread_onto_buildings_by_floor_area() {
    let dir = tempfile::tempdir().unwrap();
    let zpath = dir.path().join("zones.geojson");
    let bpath = dir.path().join("buildings.geojson");
    polygons_geojson(
        &zpath,
        &[
            (
                &rect(113.30, 23.10, 0.01, 0.01),
                r#""id":"Z1","pop":1000,"60岁以上":200"#,
            ),
            (
                &rect(113.32, 23.10, 0.002, 0.002),
                r#""id":"Z2","pop":40,"60岁以上":4"#,
            ),
        ],
    );
    // A and B have the same footprint (B shifted east, so the same geodesic area); B has three
    // floors, A one: floor areas 1:3. C lies outside both zones.
    let foot = |x: f64| rect(x, 23.105, 0.0002, 0.0001);
    let (a, b, c) = (foot(113.302), foot(113.305), foot(113.40));
    polygons_geojson(
        &bpath,
        &[
            (&a, r#""id":"A","levels":null"#),
            (&b, r#""id":"B","levels":3"#),
            (&c, r#""id":"C","levels":2"#),
        ],
    );
    let (set, report) =
        read_demand_source(&zones(&zpath, "pop", Some(BuildingSource::new(&bpath)))).unwrap();
    let z1: Vec<_> = set
        .points
        .iter()
        .filter(|p| p.id.starts_with("Z1/"))
        .collect();
    assert_eq!(z1.len(), 2);
    assert_eq!(z1[0].id, "Z1/A");
    assert_eq!(z1[1].id, "Z1/B");
    assert!(close(z1[0].population.unwrap(), 250.0, 1e-12));
    assert!(close(z1[1].population.unwrap(), 750.0, 1e-12));
    assert!(close(z1[0].groups[0], 50.0, 1e-12));
    assert!(close(z1[1].groups[0], 150.0, 1e-12));
    // Each at a point on its building.
    let pa = geo_types::Polygon::new(a.iter().map(|p| (p[0], p[1])).collect(), vec![]);
    assert!(pa.contains(&Point::new(z1[0].location[0], z1[0].location[1])));
    assert!(
        z1[1].origin.contains("buildings.geojson"),
        "{}",
        z1[1].origin
    );
    // Z2 has no building: grid, and reported.
    assert_eq!(report.polygons_without_buildings, vec!["Z2".to_string()]);
    assert!(set.points.iter().any(|p| p.id == "Z2/g1"));
    assert_eq!(report.buildings, 3);
    assert_eq!(report.buildings_outside_polygons, 1);
    assert!(close(total(&set), 1040.0, 1e-9));
    assert!(close(group_total(&set, 0), 204.0, 1e-9));
    assert!(report.notes().iter().any(|n| n
        .contains("1 census polygons with population have no building")
        && n.contains("Z2")));

    // A floors value that is not a number is an error naming the feature and field.
    let named = BuildingSource {
        levels_field: Some("id".into()),
        ..BuildingSource::new(&bpath)
    };
    let m = read_demand_source(&zones(&zpath, "pop", Some(named)))
        .unwrap_err()
        .to_string();
    assert!(
        m.contains("buildings.geojson") && m.contains("feature 1") && m.contains("`id`"),
        "{m}"
    );
    // With one floor each, A and B weigh the same.
    let text = std::fs::read_to_string(&bpath).unwrap();
    std::fs::write(&bpath, text.replace(r#""levels":3"#, r#""levels":null"#)).unwrap();
    let (set, _) =
        read_demand_source(&zones(&zpath, "pop", Some(BuildingSource::new(&bpath)))).unwrap();
    assert!(close(set.points[0].population.unwrap(), 500.0, 1e-12));
    assert!(close(set.points[1].population.unwrap(), 500.0, 1e-12));
}

#[test]
fn zones_onto_osm_buildings_conserve_population() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zones.geojson");
    // The north and south of the country (the south-west corner left out), and a zone east of
    // the extract without buildings.
    polygons_geojson(
        &path,
        &[
            (
                &rect(9.47, 47.126, 0.17, 0.15),
                r#""id":"north","pop":20000.5,"old":4000"#,
            ),
            (
                &rect(9.50, 47.04, 0.14, 0.086),
                r#""id":"south","pop":15000,"old":3100"#,
            ),
            (
                &rect(9.70, 47.10, 0.01, 0.01),
                r#""id":"east","pop":12,"old":3"#,
            ),
        ],
    );
    let src = DemandSource::Polygons {
        path: path.clone(),
        source: PointSource::default(),
        population_field: "pop".into(),
        groups: vec![GroupField::new("old", "old")],
        buildings: Some(BuildingSource::new(LIECHTENSTEIN)),
        sample_spacing_m: 100.0,
    };
    let (set, report) = read_demand_source(&src).unwrap();
    eprintln!(
        "{} points; {} buildings outside the zones; notes: {:?}",
        set.points.len(),
        report.buildings_outside_polygons,
        report.notes()
    );
    assert!(close(total(&set), 35012.5, 1e-9), "{}", total(&set));
    assert!(close(group_total(&set, 0), 7103.0, 1e-9));
    assert_eq!(report.residential_buildings, 8593);
    assert_eq!(report.polygons_without_buildings, vec!["east".to_string()]);
    assert!(report.buildings_outside_polygons > 100);
    let inside = 8593 - report.buildings_outside_polygons;
    assert_eq!(
        set.points.len(),
        inside
            + set
                .points
                .iter()
                .filter(|p| p.id.starts_with("east/"))
                .count()
    );
    assert!(set.points.iter().all(|p| p.population.unwrap() > 0.0));
}

// ---------------------------------------------------------------------------------------------
// Points

#[test]
fn points_carry_population_and_groups() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("homes.csv");
    std::fs::write(
        &csv,
        "编号,经度,纬度,常住人口,60岁以上,0-6岁\nH1,113.30,23.10,120,30,8\nH2,113.31,23.11,45.5,0,2\n",
    )
    .unwrap();
    let src = DemandSource::Points {
        path: csv.clone(),
        source: PointSource::default(),
        population_field: None,
        groups: vec![
            GroupField::new("age_60plus", "60岁以上"),
            GroupField::new("age_0_6", "0-6岁"),
        ],
    };
    let (set, _) = read_demand_source(&src).unwrap();
    assert_eq!(set.groups, vec!["age_60plus", "age_0_6"]);
    assert_eq!(set.points[0].id, "H1");
    assert_eq!(set.points[0].population, Some(120.0));
    assert_eq!(set.points[0].groups, vec![30.0, 8.0]);
    assert_eq!(set.points[1].population, Some(45.5));
    assert_eq!(set.points[1].groups, vec![0.0, 2.0]);
    // `read_demand` still gives the points, with the population found by name.
    let pts = read_demand(&csv, &PointSource::default()).unwrap();
    assert_eq!(pts.len(), 2);
    assert_eq!(pts[1].population, Some(45.5));

    // The same from a GeoJSON layer.
    let gj = dir.path().join("homes.geojson");
    std::fs::write(
        &gj,
        r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"id":"H1","pop":120,"old":30},"geometry":{"type":"Point","coordinates":[113.30,23.10]}},
        {"type":"Feature","properties":{"id":"H2","pop":45.5,"old":0},"geometry":{"type":"Point","coordinates":[113.31,23.11]}}]}"#,
    )
    .unwrap();
    let (set, _) = read_demand_source(&DemandSource::Points {
        path: gj,
        source: PointSource::default(),
        population_field: Some("pop".into()),
        groups: vec![GroupField::new("age_60plus", "old")],
    })
    .unwrap();
    assert_eq!(set.points[1].location, [113.31, 23.11]);
    assert_eq!(set.points[1].population, Some(45.5));
    assert_eq!(set.points[0].groups, vec![30.0]);
}

#[test]
fn errors_name_file_row_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("homes.csv");
    let points = |csv: &PathBuf, pop: Option<&str>, group: &str| DemandSource::Points {
        path: csv.clone(),
        source: PointSource::default(),
        population_field: pop.map(String::from),
        groups: vec![GroupField::new("g", group)],
    };
    std::fs::write(
        &csv,
        "id,lon,lat,人口,老人\nH1,113.30,23.10,120,30\nH2,113.31,23.11,,2\n",
    )
    .unwrap();
    // Absent fields: file and field.
    let e = read_demand_source(&points(&csv, Some("population"), "老人")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MissingField);
    let m = e.to_string();
    assert!(m.contains("homes.csv") && m.contains("`population`"), "{m}");
    let e = read_demand_source(&points(&csv, Some("人口"), "60岁以上")).unwrap_err();
    let m = e.to_string();
    assert!(m.contains("homes.csv") && m.contains("`60岁以上`"), "{m}");
    // An empty population: row and field, not a silent zero.
    let e = read_demand_source(&points(&csv, Some("人口"), "老人")).unwrap_err();
    let m = e.to_string();
    assert!(
        m.contains("row 3") && m.contains("`人口`") && m.contains("empty"),
        "{m}"
    );
    // Negative and non-numeric values.
    std::fs::write(&csv, "id,lon,lat,人口,老人\nH1,113.30,23.10,120,-3\n").unwrap();
    let m = read_demand_source(&points(&csv, None, "老人"))
        .unwrap_err()
        .to_string();
    assert!(
        m.contains("row 2") && m.contains("`老人`") && m.contains("negative"),
        "{m}"
    );
    std::fs::write(&csv, "id,lon,lat,人口,老人\nH1,113.30,23.10,many,3\n").unwrap();
    let m = read_demand_source(&points(&csv, None, "老人"))
        .unwrap_err()
        .to_string();
    assert!(
        m.contains("row 2") && m.contains("`人口`") && m.contains("not a number"),
        "{m}"
    );

    // Zones: a null population is an error naming the feature.
    let zpath = dir.path().join("zones.geojson");
    polygons_geojson(
        &zpath,
        &[
            (&rect(113.30, 23.10, 0.01, 0.01), r#""pop":10,"60岁以上":1"#),
            (
                &rect(113.32, 23.10, 0.01, 0.01),
                r#""pop":null,"60岁以上":1"#,
            ),
        ],
    );
    let m = read_demand_source(&zones(&zpath, "pop", None))
        .unwrap_err()
        .to_string();
    assert!(
        m.contains("zones.geojson") && m.contains("feature 2") && m.contains("`pop`"),
        "{m}"
    );
    let m = read_demand_source(&zones(&zpath, "人口", None))
        .unwrap_err()
        .to_string();
    assert!(m.contains("zones.geojson") && m.contains("`人口`"), "{m}");
    // A zones layer of points is refused.
    std::fs::write(
        &zpath,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"pop":1,"60岁以上":0},"geometry":{"type":"Point","coordinates":[113.3,23.1]}}]}"#,
    )
    .unwrap();
    let m = read_demand_source(&zones(&zpath, "pop", None))
        .unwrap_err()
        .to_string();
    assert!(
        m.contains("feature 1") && m.contains("not a polygon"),
        "{m}"
    );
}

// ---------------------------------------------------------------------------------------------
// OpenStreetMap buildings

#[test]
fn residential_building_values() {
    for v in [
        "yes",
        "residential",
        "house",
        "apartments",
        "detached",
        "semidetached_house",
    ] {
        assert!(is_residential_building(v), "{v}");
    }
    for v in ["terrace", "dormitory", "bungalow", "farm", "住宅", "Yes"] {
        assert!(is_residential_building(v), "{v}");
    }
    for v in [
        "commercial",
        "industrial",
        "retail",
        "office",
        "church",
        "garage",
        "garages",
        "shed",
        "roof",
        "hut",
        "cabin",
        "school",
        "hospital",
        "public",
        "warehouse",
        "barn",
        "service",
        "construction",
        "kiosk",
        "parking",
        "stable",
        "",
    ] {
        assert!(!is_residential_building(v), "{v}");
    }
}

#[test]
fn osm_residential_buildings_scaled_to_a_total() {
    let path = PathBuf::from(LIECHTENSTEIN);
    let (set, report) = read_demand_source(&DemandSource::OsmBuildings {
        path: path.clone(),
        total_population: Some(37_000.0),
    })
    .unwrap();
    eprintln!(
        "buildings {}, residential {}, without footprint {}, relations {}, points {}",
        report.buildings,
        report.residential_buildings,
        report.buildings_without_area,
        report.building_relations_skipped,
        set.points.len()
    );
    assert!((total(&set) - 37_000.0).abs() < 1e-6, "{}", total(&set));
    assert!(set.points.iter().all(|p| p.population.unwrap() > 0.0));
    assert!(set.groups.is_empty() && set.points.iter().all(|p| p.groups.is_empty()));
    assert_eq!(
        set.points.len(),
        report.residential_buildings - report.buildings_without_area
    );
    // Counted independently with pyosmium: 8,991 ways tagged `building` (not `no`), 8,593 of
    // them residential (all closed), and 5 `type=multipolygon` relations tagged `building`.
    assert_eq!(report.buildings, 8991);
    assert_eq!(report.residential_buildings, 8593);
    assert_eq!(report.buildings_without_area, 0);
    assert_eq!(report.building_relations_skipped, 5);

    // Way 162027804 is `building=garage`: a building, but not a home.
    let all = read_osm(
        &path,
        OsmRequest {
            buildings: true,
            building_info: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(all.buildings.len(), all.building_info.len());
    assert_eq!(all.report.building_relations_skipped, 5);
    let i = all
        .buildings
        .iter()
        .position(|b| b.id == "w162027804")
        .expect("the garage is a building");
    assert!(!all.building_info[i].residential);
    assert!(all.building_info[i].footprint_m2 > 0.0);
    assert!(!set.points.iter().any(|p| p.id == "w162027804"));

    // Weights are floor areas: without a total, the population of a building is its footprint
    // (geodesic area) times its floors.
    let (raw, _) = read_demand_source(&DemandSource::OsmBuildings {
        path,
        total_population: None,
    })
    .unwrap();
    let scale = 37_000.0 / total(&raw);
    for (a, b) in raw.points.iter().zip(&set.points) {
        assert_eq!(a.id, b.id);
        assert!(close(
            a.population.unwrap() * scale,
            b.population.unwrap(),
            1e-12
        ));
    }
    let k = all
        .buildings
        .iter()
        .position(|b| b.id == raw.points[0].id)
        .unwrap();
    let info = &all.building_info[k];
    assert_eq!(
        raw.points[0].population,
        Some(info.footprint_m2 * info.levels)
    );
    assert!(info.levels >= 1.0);
}

#[test]
fn osm_footprint_is_the_geodesic_area() {
    // The garage way 162027804, its ring as GDAL's OSM driver reads it.
    let ring = [
        (9.5425463, 47.1836384),
        (9.5425352, 47.1835767),
        (9.5426094, 47.1835706),
        (9.5426205, 47.1836323),
        (9.5425463, 47.1836384),
    ];
    let want =
        geo_types::Polygon::new(ring.iter().copied().collect(), vec![]).geodesic_area_unsigned();
    let all = read_osm(
        Path::new(LIECHTENSTEIN),
        OsmRequest {
            buildings: true,
            building_info: true,
            ..Default::default()
        },
    )
    .unwrap();
    let i = all
        .buildings
        .iter()
        .position(|b| b.id == "w162027804")
        .unwrap();
    let got = all.building_info[i].footprint_m2;
    assert!((got - want).abs() < 1e-6 * want, "{got} vs {want}");
    assert!((30.0..50.0).contains(&got), "{got}");
}
