//! `lifecircle synth`: the same seed gives byte-identical files and another seed another city;
//! the network has the requested number of nodes and is connected apart from the pieces the
//! manifest reports, in both the GeoPackage and the PBF; every zone carries a real Guangzhou
//! sub-district; and the study file it writes runs as is, with the zones' populations adding
//! up to the residents written.

mod common;

use common::*;
use gdal::vector::LayerAccess;
use lifecircle::input::{read_network_ways, LineNetworkOptions};
use lifecircle::network::{build_network, KeepComponents, Mode, Profile};
use std::collections::HashMap;
use std::path::Path;

const N: usize = 10_000;

fn synth(dir: &Path, seed: u64) {
    let o = run(&[
        "synth",
        "--nodes",
        &N.to_string(),
        "--seed",
        &seed.to_string(),
        "--out",
        s(dir),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("synth.json")).unwrap()).unwrap()
}

const FILES: &[&str] = &[
    "network.gpkg",
    "network.osm.pbf",
    "facilities.csv",
    "demand.csv",
    "zones.gpkg",
    "study.toml",
    "synth.json",
];

#[test]
fn same_seed_same_bytes_other_seed_other_city() {
    let t = tempfile::tempdir().unwrap();
    let (a, b, c) = (t.path().join("a"), t.path().join("b"), t.path().join("c"));
    synth(&a, 7);
    synth(&b, 7);
    synth(&c, 8);
    for f in FILES {
        let x = std::fs::read(a.join(f)).unwrap();
        assert!(!x.is_empty(), "{f} is empty");
        assert!(
            x == std::fs::read(b.join(f)).unwrap(),
            "{f} differs for the same seed"
        );
    }
    for f in [
        "network.gpkg",
        "network.osm.pbf",
        "facilities.csv",
        "demand.csv",
        "zones.gpkg",
    ] {
        assert!(
            std::fs::read(a.join(f)).unwrap() != std::fs::read(c.join(f)).unwrap(),
            "{f} is the same for another seed"
        );
    }
}

#[test]
fn network_size_pieces_and_zone_names() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("city");
    synth(&dir, 3);
    let m = manifest(&dir);
    let nodes = m["nodes"].as_u64().unwrap() as usize;
    assert!(
        nodes.abs_diff(N) * 100 <= 3 * N,
        "{nodes} nodes for {N} requested"
    );
    let sizes: Vec<usize> = m["pieces"]["sizes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    assert!(sizes.len() > 1, "the island is a piece of its own");
    assert_eq!(sizes.iter().sum::<usize>(), nodes);
    assert!(
        sizes[0] * 100 >= 97 * nodes,
        "one piece holds nearly everything"
    );

    // Both formats give exactly the manifest's graph: nodes, segments and pieces.
    let walk = Profile::new(Mode::Walk);
    for f in ["network.gpkg", "network.osm.pbf"] {
        let (raw, _) =
            read_network_ways(&dir.join(f), &walk, &LineNetworkOptions::default()).unwrap();
        let net = build_network(&raw, KeepComponents::All).unwrap();
        assert_eq!(net.node_count(), nodes, "{f}");
        assert_eq!(
            net.edge_count() as u64,
            m["segments"].as_u64().unwrap(),
            "{f}"
        );
        assert_eq!(net.components.sizes, sizes, "{f}: pieces");
        let largest = build_network(&raw, KeepComponents::Largest).unwrap();
        assert_eq!(largest.node_count(), sizes[0], "{f}");
    }

    // Every zone is a real sub-district, once, with its code, district and kind.
    let table: HashMap<String, Vec<String>> = lifecircle::synth::names::SUBDISTRICTS_CSV
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<String> = l.split(',').map(String::from).collect();
            (f[1].clone(), f)
        })
        .collect();
    assert_eq!(table.len(), 174);
    let csv_text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/guangzhou/subdistricts.csv"),
    )
    .unwrap();
    assert_eq!(csv_text, lifecircle::synth::names::SUBDISTRICTS_CSV);
    common::assert_valid_gpkg(&dir.join("zones.gpkg"));
    common::assert_valid_gpkg(&dir.join("network.gpkg"));
    let ds = gdal::Dataset::open(dir.join("zones.gpkg")).unwrap();
    let mut layer = ds.layer(0).unwrap();
    let mut names = Vec::new();
    for f in layer.features() {
        let get = |k: &str| {
            f.field_as_string(f.field_index(k).unwrap())
                .unwrap()
                .unwrap()
        };
        let name = get("名称");
        let row = table
            .get(&name)
            .unwrap_or_else(|| panic!("{name} is not in subdistricts.csv"));
        assert_eq!(get("代码"), row[0]);
        assert_eq!(get("级别"), row[2]);
        assert_eq!(get("所属区"), row[4]);
        assert_eq!(get("城乡") == "农村", row[2] != "街道", "{name}");
        names.push(name);
    }
    assert_eq!(names.len(), lifecircle::synth::zone_count(N));
    let n = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), n, "zone names are unique");
    assert!(m["zones"]
        .as_array()
        .unwrap()
        .iter()
        .any(|z| z["rural"] == true));
    // Every category of the guangzhou profile has facilities.
    for c in [
        "elderly_care",
        "clinic",
        "childcare",
        "culture",
        "library",
        "sports",
    ] {
        assert!(m["facilities"][c].as_u64().unwrap() > 0, "{c}");
    }
}

#[test]
fn the_study_runs_as_is_and_zone_populations_add_up() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("city");
    synth(&dir, 1);
    let o = run(&["analyze", "--config", s(&dir.join("study.toml")), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.join("out");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let m = manifest(&dir);
    let total = m["population"].as_f64().unwrap();
    assert_eq!(summary["population"].as_f64().unwrap(), total);
    assert_eq!(summary["demand_points"].as_u64(), m["homes"].as_u64());
    assert_eq!(summary["demand_points_in_no_zone"].as_u64(), Some(0));

    // Each zone's population is what the generator put in it.
    let want: HashMap<String, f64> = m["zones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| {
            (
                z["code"].as_str().unwrap().to_string(),
                z["population"].as_f64().unwrap(),
            )
        })
        .collect();
    common::assert_valid_gpkg(&out.join("lifecircle.gpkg"));
    let ds = gdal::Dataset::open(out.join("lifecircle.gpkg")).unwrap();
    let mut zones = ds.layer_by_name("zones").unwrap();
    let mut sum = 0.0;
    let mut seen = 0;
    for f in zones.features() {
        let code = f
            .field_as_string(f.field_index("zone_code").unwrap())
            .unwrap()
            .unwrap();
        let pop = f
            .field_as_double(f.field_index("population").unwrap())
            .unwrap()
            .unwrap();
        assert!(
            (pop - want[&code]).abs() < 1e-6 * total,
            "zone {code}: {pop} vs {}",
            want[&code]
        );
        sum += pop;
        seen += 1;
    }
    assert_eq!(seen, want.len());
    assert!((sum - total).abs() < 1e-6 * total, "{sum} vs {total}");
}
