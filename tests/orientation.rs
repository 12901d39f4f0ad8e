//! Nothing depends on which way a file runs its rings: reversing any of the rings of every input
//! polygon (zones with a hole, census polygons with a hole, buildings with a courtyard,
//! districts, villages) leaves every output file byte-identical. Shapefiles store outer rings
//! clockwise, GeoJSON asks for counter-clockwise ones, and real files mix both.

mod common;

use common::*;
use proptest::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

/// A polygon's rings: the outer ring first, then its holes; each ring closed, counter-clockwise
/// for outer rings and clockwise for holes as written here.
type Rings = Vec<Vec<[f64; 2]>>;

/// One input file: each feature's properties (JSON members) and its polygons.
struct Input {
    file: &'static str,
    features: Vec<(String, Vec<Rings>)>,
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<[f64; 2]> {
    vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
}

fn hole(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<[f64; 2]> {
    let mut r = rect(x0, y0, x1, y1);
    r.reverse();
    r
}

/// The town's polygon inputs. The street runs along lat 23.1 from 113.300 to 113.340.
fn inputs() -> Vec<Input> {
    let zones = Input {
        file: "zones.geojson",
        features: vec![
            (
                r#""名称":"西街道","代码":"Z1""#.into(),
                // A park with no residents cut out of the west zone.
                vec![vec![
                    rect(113.300, 23.09, 113.320, 23.12),
                    hole(113.302, 23.105, 113.306, 23.11),
                ]],
            ),
            (
                r#""名称":"东镇","代码":"Z2""#.into(),
                vec![vec![rect(113.320, 23.09, 113.340, 23.12)]],
            ),
        ],
    };
    let census = Input {
        file: "census.geojson",
        features: vec![
            (
                r#""编号":"B1","人口":1200"#.into(),
                vec![vec![
                    rect(113.300, 23.095, 113.330, 23.11),
                    hole(113.315, 23.1003, 113.318, 23.106),
                ]],
            ),
            // No building inside: spread on a grid of sample points.
            (
                r#""编号":"B2","人口":300"#.into(),
                vec![
                    vec![rect(113.331, 23.101, 113.335, 23.104)],
                    vec![rect(113.336, 23.101, 113.338, 23.103)],
                ],
            ),
        ],
    };
    let b = |x: f64, w: f64, h: f64| rect(x, 23.1002, x + w, 23.1002 + h);
    let buildings = Input {
        file: "buildings.geojson",
        features: vec![
            (
                r#""编号":"H1","层数":3"#.into(),
                vec![vec![b(113.3010, 0.0002, 0.0001)]],
            ),
            (
                r#""编号":"H2","层数":12"#.into(),
                vec![vec![b(113.3080, 0.0003, 0.0003)]],
            ),
            (
                r#""编号":"H3","层数":6"#.into(),
                // A block around a courtyard.
                vec![vec![
                    b(113.3120, 0.0006, 0.0004),
                    hole(113.3122, 23.1004, 113.3124, 23.1005),
                ]],
            ),
            (
                r#""编号":"H4","层数":null"#.into(),
                vec![vec![b(113.3210, 0.0001, 0.0001)]],
            ),
            (
                r#""编号":"H5","层数":2"#.into(),
                vec![
                    vec![b(113.3250, 0.0002, 0.0002)],
                    vec![b(113.3255, 0.0001, 0.0001)],
                ],
            ),
        ],
    };
    let districts = Input {
        file: "districts.geojson",
        features: vec![(
            r#""名称":"一区""#.into(),
            vec![vec![rect(113.29, 23.08, 113.35, 23.13)]],
        )],
    };
    let villages = Input {
        file: "villages.geojson",
        features: vec![
            (
                r#""名称":"甲村","代码":"V1""#.into(),
                vec![vec![rect(113.300, 23.09, 113.310, 23.12)]],
            ),
            (
                r#""名称":"乙村","代码":"V2""#.into(),
                vec![vec![rect(113.310, 23.09, 113.340, 23.12)]],
            ),
        ],
    };
    vec![zones, census, buildings, districts, villages]
}

fn ring_count(inputs: &[Input]) -> usize {
    inputs
        .iter()
        .flat_map(|i| &i.features)
        .flat_map(|(_, polys)| polys)
        .map(|rings| rings.len())
        .sum()
}

/// Writes the inputs as GeoJSON (which keeps rings as written), reversing ring `k` (counted over
/// all files in order) when `reverse[k]`.
fn write_inputs(dir: &Path, inputs: &[Input], reverse: &[bool]) {
    let mut k = 0;
    for input in inputs {
        let mut feats = Vec::new();
        for (props, polys) in &input.features {
            let mut ps = Vec::new();
            for rings in polys {
                let mut rs = Vec::new();
                for ring in rings {
                    let mut r = ring.clone();
                    if reverse[k] {
                        r.reverse();
                    }
                    k += 1;
                    let pts: Vec<String> = r
                        .iter()
                        .map(|p| format!("[{:?},{:?}]", p[0], p[1]))
                        .collect();
                    rs.push(format!("[{}]", pts.join(",")));
                }
                ps.push(format!("[{}]", rs.join(",")));
            }
            feats.push(format!(
                r#"{{"type":"Feature","properties":{{{props}}},"geometry":{{"type":"MultiPolygon","coordinates":[{}]}}}}"#,
                ps.join(",")
            ));
        }
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            feats.join(",")
        );
        std::fs::write(dir.join(input.file), text).unwrap();
    }
}

/// Writes the whole study (street, facilities, polygon inputs) and runs it; returns every output
/// file, by relative path, with its bytes.
fn run_study(reverse: &[bool]) -> Vec<(String, Vec<u8>)> {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("street.geojson"),
        lines_geojson(&[
            (
                &[[113.300, 23.1], [113.315, 23.1], [113.340, 23.1]],
                r#""name":"大道""#,
            ),
            (&[[113.315, 23.1], [113.315, 23.104]], r#""name":"支路""#),
        ]),
    )
    .unwrap();
    std::fs::write(
        d.join("facilities.csv"),
        "id,name,category,lon,lat,capacity\n\
         E1,颐康中心,elderly_care,113.305,23.1,\n\
         C1,卫生服务中心,clinic,113.312,23.1,\n\
         K1,托育中心,childcare,113.309,23.1,40\n\
         S1,体育公园,sports,113.328,23.1,3000\n\
         L1,图书馆,library,113.316,23.1,\n\
         ES1,颐康服务站,elderly_station,113.303,23.1,\n",
    )
    .unwrap();
    let ins = inputs();
    write_inputs(d, &ins, reverse);
    let study = d.join("study.toml");
    std::fs::write(
        &study,
        r#"name = "环向测试"
profile = "guangzhou"
[output]
folder = "out"
formats = ["gpkg", "geojson", "csv", "xlsx"]
[network]
file = "street.geojson"
[facilities]
[[facilities.files]]
path = "facilities.csv"
[demand]
polygons = "census.geojson"
population_field = "人口"
buildings = "buildings.geojson"
sample_spacing_m = 150
[zones]
file = "zones.geojson"
name_field = "名称"
code_field = "代码"
districts = "districts.geojson"
district_name_field = "名称"
villages = "villages.geojson"
village_name_field = "名称"
village_code_field = "代码"
[analysis]
gap_cell_m = 100
"#,
    )
    .unwrap();
    let o = run(&["analyze", "--config", s(&study), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut files = Vec::new();
    collect(&d.join("out"), &d.join("out"), &mut files);
    files.sort();
    files
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(root, &p, out);
        } else {
            let name = p.strip_prefix(root).unwrap().display().to_string();
            out.push((name, std::fs::read(&p).unwrap()));
        }
    }
}

fn baseline() -> &'static Vec<(String, Vec<u8>)> {
    static B: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    B.get_or_init(|| run_study(&vec![false; ring_count(&inputs())]))
}

fn assert_same(got: &[(String, Vec<u8>)]) -> Result<(), TestCaseError> {
    let base = baseline();
    let names = |f: &[(String, Vec<u8>)]| f.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
    prop_assert_eq!(names(got), names(base));
    for ((name, a), (_, b)) in got.iter().zip(base) {
        prop_assert!(a == b, "{} differs", name);
    }
    Ok(())
}

#[test]
fn the_study_has_what_the_property_needs() {
    let base = baseline();
    let names: Vec<&str> = base.iter().map(|x| x.0.as_str()).collect();
    for f in [
        "lifecircle.gpkg",
        "zones.csv",
        "demand.csv",
        "gaps.geojson",
        "report.html",
    ] {
        assert!(names.contains(&f), "{f} in {names:?}");
    }
    // The buildings hold population by floor area, so their areas matter: H2 (12 floors of
    // 0.0003° × 0.0003°) holds more than H1 (3 floors of 0.0002° × 0.0001°) by about 18 times.
    let demand = &base.iter().find(|x| x.0 == "demand.csv").unwrap().1;
    let text = String::from_utf8_lossy(demand);
    let pop = |id: &str| -> f64 {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("B1/{id},")))
            .unwrap();
        line.split(',').nth(3).unwrap().parse().unwrap()
    };
    let ratio = pop("H2") / pop("H1");
    assert!((ratio - 18.0).abs() < 0.01, "{ratio}");
}

#[test]
fn every_ring_reversed() {
    let n = ring_count(&inputs());
    assert_same(&run_study(&vec![true; n])).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]
    #[test]
    fn any_rings_reversed(reverse in proptest::collection::vec(any::<bool>(), ring_count(&inputs()))) {
        assert_same(&run_study(&reverse))?;
    }
}
