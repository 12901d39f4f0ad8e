//! `lifecircle demo` on the Liechtenstein sample: OSM network, OSM facilities mapped to the
//! plan's categories, OSM buildings as demand, admin_level=8 municipalities as zones. Every layer
//! is produced, the zones' populations add up to the total, and nothing is lost.

mod common;

use common::*;
use gdal::vector::LayerAccess;

#[test]
fn demo_produces_every_layer_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let o = run(&["demo", "--out", s(&out), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "lifecircle.gpkg",
        "lifecircle.xlsx",
        "summary.json",
        "summary.md",
        "zones.csv",
        "districts.csv",
        "demand.csv",
        "gaps.csv",
        "facilities.csv",
        "service_areas.csv",
        "report.html",
        "map_complete_share.svg",
        "map_complete_share.png",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    common::assert_valid_gpkg(&out.join("lifecircle.gpkg"));
    let ds = gdal::Dataset::open(out.join("lifecircle.gpkg")).unwrap();
    let count = |name: &str| ds.layer_by_name(name).unwrap().feature_count();
    assert_eq!(count("zones"), 11, "Liechtenstein's 11 municipalities");
    assert!(count("facilities") > 100);
    assert!(count("gaps") > 0);
    assert_eq!(
        count("districts"),
        1,
        "no district level: the city row only"
    );
    let demand_points = count("demand");
    assert!(demand_points > 8000);

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let total = summary["population"].as_f64().unwrap();
    assert!(
        (total - 37600.0).abs() < 1e-6,
        "scaled to the study's total: {total}"
    );
    assert_eq!(summary["demand_points"].as_u64().unwrap(), demand_points);

    // Zones' populations plus the population in no zone add up to the total.
    let mut zones = ds.layer_by_name("zones").unwrap();
    let (mut zone_pop, mut zone_points) = (0.0, 0u64);
    for f in zones.features() {
        zone_pop += f
            .field_as_double(f.field_index("population").unwrap())
            .unwrap()
            .unwrap();
        zone_points += f
            .field_as_integer64(f.field_index("demand_points").unwrap())
            .unwrap()
            .unwrap() as u64;
    }
    let outside_pop = summary["population_in_no_zone"].as_f64().unwrap();
    let outside_points = summary["demand_points_in_no_zone"].as_u64().unwrap();
    assert!(
        (zone_pop + outside_pop - total).abs() < 1e-6 * total,
        "{zone_pop} + {outside_pop} vs {total}"
    );
    assert_eq!(zone_points + outside_points, demand_points);

    // Every demand point either has a zone or is among those reported in no zone.
    let mut demand = ds.layer_by_name("demand").unwrap();
    let no_zone = demand
        .features()
        .filter(|f| {
            f.field_as_string(f.field_index("zone_code").unwrap())
                .unwrap()
                .is_none()
        })
        .count() as u64;
    assert_eq!(no_zone, outside_points);
}
