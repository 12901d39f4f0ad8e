//! Every number a user gives is bounded: an out-of-range value on the command line or in a
//! study file is refused with an error naming the option or key and the allowed range, and no
//! value, however odd (NaN, infinities, tiny, huge, negative), makes the tool panic.

mod common;

use common::*;
use lifecircle::analysis::gaps::HexGrid;
use lifecircle::bounds;
use lifecircle::study::config::Study;
use lifecircle::ErrorKind;
use proptest::prelude::*;
use std::path::{Path, PathBuf};

/// A small street network, one clinic and two homes.
fn inputs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("net.geojson"),
        lines_geojson(&[
            (&[[113.0, 23.0], [113.0, 23.002]], r#""closed":0"#),
            (&[[113.0, 23.002], [113.003, 23.002]], r#""closed":0"#),
        ]),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("fac.csv"),
        "id,category,lon,lat\nF,clinic,113.0005,23.001\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("dem.csv"),
        "id,lon,lat,population\nX,113.0015,23.0021,10\nY,113.0029,23.0019,5\n",
    )
    .unwrap();
    dir
}

/// Runs `args` (with `{dir}` replaced by the input folder); asserts a clean failure (exit code 1,
/// no panic) and returns the error line.
fn fails(dir: &Path, args: &[&str]) -> String {
    let d = s(dir);
    let args: Vec<String> = args.iter().map(|a| a.replace("{dir}", d)).collect();
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = run(&argv);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{argv:?}: {err}");
    assert!(!err.contains("panicked"), "{argv:?}: {err}");
    err
}

fn has(msg: &str, parts: &[&str]) {
    for p in parts {
        assert!(msg.contains(p), "{p:?} not in {msg:?}");
    }
}

const SITE: &[&str] = &[
    "site-select",
    "--network",
    "{dir}/net.geojson",
    "--facilities",
    "{dir}/fac.csv",
    "--demand",
    "{dir}/dem.csv",
    "--category",
    "clinic",
    "--out",
    "{dir}/sites.csv",
    "--quiet",
];

fn site(extra: &[&'static str]) -> Vec<&'static str> {
    let mut v = SITE.to_vec();
    v.extend_from_slice(extra);
    v
}

#[test]
fn tiny_hexagons_and_gap_node_spacings_are_refused_not_a_panic() {
    let dir = inputs();
    for spec in [
        "hexagons:1e-9",
        "gap-nodes:1e-7",
        "hexagons:0",
        "gap-nodes:1e300",
    ] {
        let e = fails(
            dir.path(),
            &site(&["--max-minutes", "10", "--k", "1", "--candidates", spec]),
        );
        has(&e, &["`--candidates`", spec, "from 10 to 100,000 m"]);
    }
    let e = fails(
        dir.path(),
        &site(&[
            "--max-minutes",
            "10",
            "--k",
            "1",
            "--candidates",
            "hexagons:NaN",
        ]),
    );
    has(&e, &["`--candidates`", "from 10 to 100,000 m", "got NaN"]);
    assert!(!Path::new(&format!("{}/sites.csv", s(dir.path()))).exists());
}

#[test]
fn smallest_allowed_cells_run() {
    let dir = inputs();
    for spec in ["hexagons:10", "gap-nodes:10"] {
        let d = s(dir.path());
        let mut args: Vec<String> = site(&["--max-minutes", "1", "--k", "1", "--candidates", spec])
            .iter()
            .map(|a| a.replace("{dir}", d))
            .collect();
        args.retain(|a| a != "--facilities" && !a.ends_with("fac.csv"));
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(&argv);
        assert!(o.status.success(), "{spec}: {}", stderr(&o));
    }
}

#[test]
fn site_select_numbers_name_the_option_and_range() {
    let dir = inputs();
    let base = ["--candidates", "hexagons:200"];
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["--max-minutes", "1e9", "--k", "1"],
            &[
                "`--max-minutes`",
                "above 0 and at most 600 minutes",
                "got 1,000,000,000",
            ],
        ),
        (
            &["--max-minutes=-5", "--k", "1"],
            &["`--max-minutes`", "at most 600 minutes", "got -5"],
        ),
        (
            &["--max-minutes", "10", "--k", "0"],
            &["`--k`", "from 1 to 100,000", "got 0"],
        ),
        (
            &["--max-minutes", "10", "--k", "1000000"],
            &["`--k`", "from 1 to 100,000", "got 1,000,000"],
        ),
        (
            &["--max-minutes", "10", "--target-share", "1.5"],
            &["`--target-share`", "above 0 and at most 1", "got 1.5"],
        ),
        (
            &["--max-minutes", "10", "--k", "1", "--site-capacity=-1"],
            &["`--site-capacity`", "at most 1,000,000,000 people"],
        ),
        (
            &[
                "--max-minutes",
                "10",
                "--k",
                "1",
                "--people-per-unit",
                "inf",
            ],
            &["`--people-per-unit`", "at most 1,000,000", "got inf"],
        ),
        (
            &["--max-minutes", "10", "--k", "1", "--time-limit", "0"],
            &["`--time-limit`", "above 0 and at most 86,400 s"],
        ),
        (
            &["--max-minutes", "10", "--k", "1", "--max-snap-m", "NaN"],
            &["`--max-snap-m`", "above 0 and at most 10,000 m", "got NaN"],
        ),
        (
            &["--max-minutes", "10", "--k", "1", "--speed", "1000"],
            &["`--speed`", "from 0.1 to 50 m/s", "got 1000"],
        ),
        (
            &["--max-minutes", "10", "--k", "1", "--access-speed", "0"],
            &["`--access-speed`", "from 0.1 to 50 m/s"],
        ),
    ];
    for (extra, want) in cases {
        let mut args = site(extra);
        args.extend_from_slice(&base);
        has(&fails(dir.path(), &args), want);
    }
}

#[test]
fn nearest_access_report_and_synth_numbers_are_bounded() {
    let dir = inputs();
    let common = [
        "--network",
        "{dir}/net.geojson",
        "--facilities",
        "{dir}/fac.csv",
        "--demand",
        "{dir}/dem.csv",
        "--out",
        "{dir}/o.csv",
        "--quiet",
    ];
    let with = |cmd: &'static str, extra: &[&'static str]| {
        let mut v = vec![cmd];
        v.extend_from_slice(&common);
        v.extend_from_slice(extra);
        v
    };
    has(
        &fails(dir.path(), &with("nearest", &["--max-minutes", "601"])),
        &["`--max-minutes`", "at most 600 minutes", "got 601"],
    );
    has(
        &fails(dir.path(), &with("nearest", &["--max-snap-m", "1e12"])),
        &["`--max-snap-m`", "at most 10,000 m"],
    );
    has(
        &fails(dir.path(), &with("nearest", &["--speed=-1"])),
        &["`--speed`", "from 0.1 to 50 m/s", "got -1"],
    );
    has(
        &fails(
            dir.path(),
            &with("access", &["--max-minutes", "10", "--weights", "5:2"]),
        ),
        &[
            "`--weights`",
            "band 1",
            "weight must be from 0 to 1",
            "got 2",
        ],
    );
    has(
        &fails(
            dir.path(),
            &with(
                "access",
                &["--max-minutes", "10", "--weights", "5:1,1e6:0.5"],
            ),
        ),
        &["`--weights`", "band 2", "at most 600 minutes"],
    );
    has(
        &fails(dir.path(), &with("access", &["--max-minutes", "0"])),
        &[
            "`--max-minutes`",
            "above 0 and at most 600 minutes",
            "got 0",
        ],
    );
    has(
        &fails(
            dir.path(),
            &[
                "report",
                "--from",
                "{dir}",
                "--simplify-m",
                "1e9",
                "--quiet",
            ],
        ),
        &["`--simplify-m`", "from 0 to 1000 m", "got 1,000,000,000"],
    );
    has(
        &fails(
            dir.path(),
            &["synth", "--out", "{dir}/city", "--nodes", "10", "--quiet"],
        ),
        &["`--nodes`", "from 1000 to 8,000,000", "got 10"],
    );
    has(
        &fails(
            dir.path(),
            &[
                "synth",
                "--time-phases",
                "{dir}/city",
                "--sources",
                "18446744073709551615",
            ],
        ),
        &["`--sources`", "from 1 to 10,000,000"],
    );
    has(
        &fails(
            dir.path(),
            &["synth", "--time-phases", "{dir}", "--runs", "0"],
        ),
        &["`--runs`", "from 1 to 1000"],
    );
}

/// A study whose input files exist (empty: parsing only checks that they are there), with
/// `network` added to `[network]` and `extra` appended.
fn study_text(network: &str, extra: &str) -> String {
    format!(
        "[output]\nfolder = \"out\"\nformats = [\"csv\"]\n\
         [network]\nfile = \"net.osm.pbf\"\n{network}\n\
         [facilities]\nosm = \"net.osm.pbf\"\n\
         [demand]\nosm_buildings = \"net.osm.pbf\"\n\
         [zones]\nosm = \"net.osm.pbf\"\n\
         {extra}\n"
    )
}

fn study_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("net.osm.pbf"), b"").unwrap();
    let path = dir.path().join("study.toml");
    (dir, path)
}

/// A float as TOML writes it.
fn toml_f64(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else if v.is_infinite() {
        if v > 0.0 { "inf" } else { "-inf" }.into()
    } else {
        format!("{v:?}")
    }
}

/// A bounded study key: where it goes, its field as errors name it, and its range.
struct Key {
    network: bool,
    text: fn(&str) -> String,
    field: &'static str,
    range: bounds::Range,
}

fn keys() -> Vec<Key> {
    fn k(
        network: bool,
        text: fn(&str) -> String,
        field: &'static str,
        range: bounds::Range,
    ) -> Key {
        Key {
            network,
            text,
            field,
            range,
        }
    }
    vec![
        k(
            true,
            |v| format!("max_snap_m = {v}"),
            "network.max_snap_m",
            bounds::SNAP_M,
        ),
        k(
            true,
            |v| format!("walk_speed = {v}"),
            "network.walk_speed",
            bounds::SPEED_MPS,
        ),
        k(
            true,
            |v| format!("elderly_walk_speed = {v}"),
            "network.elderly_walk_speed",
            bounds::SPEED_MPS,
        ),
        k(
            false,
            |v| format!("[analysis]\nmax_minutes = {v}"),
            "analysis.max_minutes",
            bounds::MINUTES,
        ),
        k(
            false,
            |v| format!("[analysis]\ngap_cell_m = {v}"),
            "analysis.gap_cell_m",
            bounds::HEX_CELL_M,
        ),
        k(
            false,
            |v| format!("[report]\nservice_area_buffer_m = {v}"),
            "report.service_area_buffer_m",
            bounds::BUFFER_M,
        ),
        k(
            false,
            |v| format!("[report]\nsimplify_m = {v}"),
            "report.simplify_m",
            bounds::SIMPLIFY_M,
        ),
        k(
            false,
            |v| format!("[report]\nservice_area_minutes = [10, {v}]"),
            "report.service_area_minutes[1]",
            bounds::MINUTES,
        ),
        k(
            false,
            |v| format!("[scenario]\npopulation_scale = {v}"),
            "scenario.population_scale",
            bounds::POPULATION_SCALE,
        ),
        k(
            false,
            |v| format!("[scenario]\nzone_population_scale = {{ \"Z1\" = {v} }}"),
            "scenario.zone_population_scale.Z1",
            bounds::POPULATION_SCALE,
        ),
        k(
            false,
            |v| format!("[access]\nminutes = {v}"),
            "access.minutes",
            bounds::MINUTES,
        ),
        k(
            false,
            |v| format!("[access]\ntargets = {{ clinic = {v} }}"),
            "access.targets.clinic",
            bounds::ACCESS_TARGET,
        ),
        k(
            false,
            |v| format!("[access]\ndecay = \"weights\"\nweights = [[5, {v}]]"),
            "access.weights",
            bounds::DECAY_WEIGHT,
        ),
        k(
            false,
            |v| format!("[[siting]]\ncategory = \"clinic\"\nk = 2\nminutes = {v}"),
            "siting[0].minutes",
            bounds::MINUTES,
        ),
        k(
            false,
            |v| format!("[[siting]]\ncategory = \"clinic\"\ntarget_share = {v}"),
            "siting[0].target_share",
            bounds::SHARE,
        ),
        k(
            false,
            |v| format!("[[siting]]\ncategory = \"clinic\"\nk = 2\ntime_limit = {v}"),
            "siting[0].time_limit",
            bounds::TIME_LIMIT_S,
        ),
        k(
            false,
            |v| format!("[[siting]]\ncategory = \"clinic\"\nk = 2\nsite_capacity = {v}"),
            "siting[0].site_capacity",
            bounds::SITE_CAPACITY,
        ),
        k(
            false,
            |v| format!("[[siting]]\ncategory = \"clinic\"\nk = 2\npeople_per_unit = {v}"),
            "siting[0].people_per_unit",
            bounds::PEOPLE_PER_UNIT,
        ),
        k(
            false,
            |v| format!("[[siting]]\ncategory = \"clinic\"\nk = 2\ncandidates = \"hexagons:{v}\""),
            "siting[0].candidates",
            bounds::HEX_CELL_M,
        ),
        k(
            false,
            |v| format!("[[siting]]\ncategory = \"clinic\"\nk = 2\ncandidates = \"gap-nodes:{v}\""),
            "siting[0].candidates",
            bounds::NODE_SPACING_M,
        ),
    ]
}

/// Parses the study with `key` set to `v`: in range it parses, out of range the error names the
/// key and the range.
fn check_key(path: &Path, key: &Key, v: f64) -> Result<(), TestCaseError> {
    let value = (key.text)(&toml_f64(v));
    let text = if key.network {
        study_text(&value, "")
    } else {
        study_text("", &value)
    };
    let r = Study::parse(&text, path);
    if key.range.contains(v) {
        prop_assert!(
            r.is_ok(),
            "{}: {:?}",
            key.field,
            r.err().map(|e| e.to_string())
        );
    } else {
        let e = r.expect_err(key.field);
        let msg = e.to_string();
        prop_assert_eq!(e.kind(), ErrorKind::InvalidValue);
        prop_assert!(msg.contains(&format!("`{}`", key.field)), "{}", msg);
        prop_assert!(msg.contains(&key.range.describe()), "{}", msg);
    }
    Ok(())
}

#[test]
fn study_keys_out_of_range_name_the_key_and_range() {
    let (_dir, path) = study_dir();
    let cases: &[(usize, f64, &str)] = &[
        (18, 1e-9, "`siting[0].candidates`: the hexagon size in \"hexagons:1e-9\" must be from 10 to 100,000 m, got 1e-9"),
        (19, 1e-7, "`siting[0].candidates`: the node spacing in \"gap-nodes:1e-7\" must be from 10 to 100,000 m, got 1e-7"),
        (5, 0.0, "`report.service_area_buffer_m`: must be from 0.5 to 1000 m, got 0"),
        (1, 1e9, "`network.walk_speed`: must be from 0.1 to 50 m/s, got 1,000,000,000"),
    ];
    let keys = keys();
    for &(i, v, want) in cases {
        check_key(&path, &keys[i], v).unwrap();
        let value = (keys[i].text)(&toml_f64(v));
        let text = if keys[i].network {
            study_text(&value, "")
        } else {
            study_text("", &value)
        };
        let msg = Study::parse(&text, &path).unwrap_err().to_string();
        assert!(msg.ends_with(want), "{msg}");
        assert!(msg.starts_with(s(&path)), "{msg}");
    }
}

#[test]
fn study_whole_numbers_are_bounded() {
    let (_dir, path) = study_dir();
    for (extra, want) in [
        (
            "[[siting]]\ncategory = \"clinic\"\nk = 0",
            "`siting[0].k`: must be from 1 to 100,000, got 0",
        ),
        (
            "[[siting]]\ncategory = \"clinic\"\nk = 100001",
            "`siting[0].k`: must be from 1 to 100,000, got 100,001",
        ),
        (
            "[[siting]]\ncategory = \"clinic\"\nk = 1\nmax_per_district = 0",
            "`siting[0].max_per_district`: must be from 1 to 100,000, got 0",
        ),
        (
            "[zones]\nadmin_level = 200",
            "`zones.admin_level`: must be from 1 to 15, got 200",
        ),
    ] {
        let text = study_text("", "");
        let text = if let Some(z) = extra.strip_prefix("[zones]\n") {
            text.replace("[zones]\n", &format!("[zones]\n{z}\n"))
        } else {
            format!("{text}{extra}\n")
        };
        let msg = Study::parse(&text, &path).unwrap_err().to_string();
        assert!(msg.ends_with(want), "{msg}");
    }
}

#[test]
fn study_errors_through_the_command_line() {
    let (dir, path) = study_dir();
    std::fs::write(
        &path,
        study_text(
            "",
            "[[siting]]\ncategory = \"clinic\"\nk = 2\ncandidates = \"hexagons:1e-9\"",
        ),
    )
    .unwrap();
    let e = fails(dir.path(), &["analyze", "--config", s(&path), "--quiet"]);
    has(
        &e,
        &["`siting[0].candidates`", "from 10 to 100,000 m", "got 1e-9"],
    );
}

#[test]
fn hexagon_grids_are_counted_before_they_are_made() {
    let e = HexGrid::spanning([-170.0, -60.0, 170.0, 60.0], 10.0).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("cells, more than the limit of 1,000,000,000"),
        "{msg}"
    );
    assert!(msg.contains("use larger cells"), "{msg}");
    assert!(HexGrid::spanning([113.0, 23.0, 113.6, 23.6], 10.0).is_ok());
}

/// Odd floats: NaN, infinities, zero, tiny, huge, negative, and ordinary values near the ranges.
fn odd_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(-0.0),
        Just(f64::MIN_POSITIVE),
        Just(f64::MAX),
        Just(f64::MIN),
        Just(1e-300),
        any::<f64>(),
        -1e6f64..1e6,
        0.0f64..1000.0,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_float_for_a_bounded_study_key_is_ok_or_a_clean_error(v in odd_f64(), i in 0usize..20) {
        let (_dir, path) = study_dir();
        let keys = keys();
        check_key(&path, &keys[i % keys.len()], v)?;
    }

    #[test]
    fn any_whole_number_for_k_is_ok_or_a_clean_error(k in any::<i64>()) {
        let (_dir, path) = study_dir();
        let text = study_text("", &format!("[[siting]]\ncategory = \"clinic\"\nk = {k}"));
        let r = Study::parse(&text, &path);
        prop_assert_eq!(r.is_ok(), (1..=100_000).contains(&k));
    }

    #[test]
    fn any_position_is_binned_or_left_out(lon in odd_f64(), lat in odd_f64(), cell in odd_f64()) {
        if let Ok(grid) = HexGrid::spanning([113.0, 23.0, 113.1, 23.1], cell) {
            let _ = grid.try_cell_of([lon, lat]);
        }
        let _ = lifecircle::siting::request::Candidates::generated(&format!("hexagons:{cell}"));
    }
}
