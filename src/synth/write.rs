//! Writing a synthetic city in the formats planners receive: the road centre-lines as a
//! GeoPackage line layer (one feature per segment between junctions, as a planning bureau's
//! data), the same network as an OpenStreetMap `.osm.pbf`, facilities as a CSV table with
//! Chinese headers and GCJ-02 (Amap) coordinates, residents as a CSV table, the zones as a
//! GeoPackage polygon layer in CGCS2000, a ready `study.toml` and a `synth.json` manifest.
//! Every file is written atomically and is byte-identical for the same seed and size.

use super::pbf::{PbfWay, PbfWriter};
use super::people::{Home, Place, CATEGORIES};
use super::streets::Streets;
use super::zones::SynthZone;
#[cfg(feature = "gdal")]
use crate::error::ErrorKind;
use crate::error::{Error, Result};
use crate::output::{write_atomic, write_gpkg_layers, Kind, Layer, OutputCrs, Value};
#[cfg(feature = "gdal")]
use gdal::{
    vector::{FieldDefn, Geometry, LayerAccess, LayerOptions, OGRFieldType, OGRwkbGeometryType},
    DriverManager,
};
use geo_types::MultiPolygon;
use std::io::{BufWriter, Write};
use std::path::Path;

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io(path, e)
}

#[cfg(feature = "gdal")]
fn gdal_err(what: &'static str) -> impl Fn(gdal::errors::GdalError) -> Error {
    move |e| Error::new(ErrorKind::Io, format!("GeoPackage: {what}")).caused_by(e)
}

/// Fixes GDAL's time stamps for this thread (so reruns are byte-identical) until dropped.
#[cfg(feature = "gdal")]
struct FixedDate;

#[cfg(feature = "gdal")]
impl FixedDate {
    fn set() -> Result<FixedDate> {
        gdal::config::set_thread_local_config_option(
            "OGR_CURRENT_DATE",
            "2000-01-01T00:00:00.000Z",
        )
        .map_err(|e| Error::new(ErrorKind::Io, "GDAL configuration").caused_by(e))?;
        Ok(FixedDate)
    }
}

#[cfg(feature = "gdal")]
impl Drop for FixedDate {
    fn drop(&mut self) {
        let _ = gdal::config::clear_thread_local_config_option("OGR_CURRENT_DATE");
    }
}

/// The network as a GeoPackage line layer `roads`: fields `highway`, `name`, `bridge` (0/1),
/// `oneway` (`yes` or empty), `maxspeed` (km/h, 0 for footpaths), WGS84. The R-tree spatial
/// index is written only when `spatial_index` is set (it takes most of the time: about 20 s for
/// 1.7 million features, against 4 s for the features).
#[cfg(feature = "gdal")]
pub fn network_gpkg(path: &Path, streets: &Streets, spatial_index: bool) -> Result<()> {
    write_atomic(path, |tmp| {
        let _date = FixedDate::set()?;
        let driver =
            DriverManager::get_driver_by_name("GPKG").map_err(gdal_err("no GPKG driver"))?;
        let mut ds = driver
            .create_vector_only(tmp)
            .map_err(gdal_err("cannot create the file"))?;
        let srs = OutputCrs::Wgs84.spatial_ref()?;
        let mut txn = ds.start_transaction().map_err(gdal_err("transaction"))?;
        let lyr = txn
            .create_layer(LayerOptions {
                name: "roads",
                srs: Some(&srs),
                ty: OGRwkbGeometryType::wkbLineString,
                options: Some(&[
                    "DESCRIPTION=道路中心线 (synthetic city); Coordinates: WGS84 (EPSG:4326)",
                    if spatial_index {
                        "SPATIAL_INDEX=YES"
                    } else {
                        "SPATIAL_INDEX=NO"
                    },
                ]),
            })
            .map_err(gdal_err("cannot create the layer"))?;
        for (name, ty) in [
            ("highway", OGRFieldType::OFTString),
            ("name", OGRFieldType::OFTString),
            ("bridge", OGRFieldType::OFTInteger),
            ("oneway", OGRFieldType::OFTString),
            ("maxspeed", OGRFieldType::OFTInteger),
        ] {
            FieldDefn::new(name, ty)
                .and_then(|f| f.add_to_layer(&lyr))
                .map_err(gdal_err("cannot add a field"))?;
        }
        let defn = lyr.defn();
        for s in &streets.segments {
            let mut f = gdal::vector::Feature::new(defn).map_err(gdal_err("feature"))?;
            let fail = gdal_err("field value");
            f.set_field_string(0, s.class.highway()).map_err(&fail)?;
            f.set_field_string(1, &streets.street_names[s.street as usize])
                .map_err(&fail)?;
            f.set_field_integer(2, i32::from(s.bridge)).map_err(&fail)?;
            if s.oneway {
                f.set_field_string(3, "yes").map_err(&fail)?;
            }
            f.set_field_integer(4, s.class.maxspeed_kmh() as i32)
                .map_err(&fail)?;
            let mut g =
                Geometry::empty(OGRwkbGeometryType::wkbLineString).map_err(gdal_err("geometry"))?;
            let a = streets.pos[s.a as usize];
            g.add_point_2d((a[0], a[1]));
            for p in streets.shape_of(s) {
                g.add_point_2d((p[0], p[1]));
            }
            let b = streets.pos[s.b as usize];
            g.add_point_2d((b[0], b[1]));
            f.set_geometry(g).map_err(gdal_err("geometry"))?;
            f.create(&lyr).map_err(gdal_err("cannot write a feature"))?;
        }
        txn.commit().map_err(gdal_err("commit"))?;
        Ok(())
    })
}

/// Without GDAL the GeoPackage network cannot be written: an error naming the file.
#[cfg(not(feature = "gdal"))]
pub fn network_gpkg(path: &Path, _streets: &Streets, _spatial_index: bool) -> Result<()> {
    Err(Error::needs_gdal("writing GeoPackage files").file(path))
}

/// The network as an OpenStreetMap PBF: junctions are nodes `1..=n`, shape points follow;
/// ways run along a street through junctions where other streets meet, and end wherever the
/// street ends, changes or meets exactly one other segment (so that every junction of the
/// GeoPackage is a junction here too). Tags: `highway`, `name`, `bridge=yes` + `layer=1`,
/// `oneway=yes`, `maxspeed`.
pub fn network_pbf(path: &Path, streets: &Streets) -> Result<()> {
    let n = streets.pos.len();
    let mut nodes = Vec::with_capacity(n + streets.shape.len());
    nodes.extend_from_slice(&streets.pos);
    nodes.extend_from_slice(&streets.shape);
    let mut bbox = [f64::INFINITY, f64::INFINITY, -f64::INFINITY, -f64::INFINITY];
    for p in &nodes {
        bbox = [
            bbox[0].min(p[0]),
            bbox[1].min(p[1]),
            bbox[2].max(p[0]),
            bbox[3].max(p[1]),
        ];
    }
    let degree = streets.degrees();
    // Ways: runs of segments (start, end) in segment order.
    let segs = &streets.segments;
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for e in 1..=segs.len() {
        let cont = e < segs.len() && {
            let (p, s) = (&segs[e - 1], &segs[e]);
            s.street == p.street
                && s.class == p.class
                && s.bridge == p.bridge
                && s.oneway == p.oneway
                && s.a == p.b
                && degree[s.a as usize] >= 3
                && e - start < 100
        };
        if !cont {
            runs.push((start, e));
            start = e;
        }
    }
    let speeds: Vec<String> = (0..=60).map(|k: u32| k.to_string()).collect();
    write_atomic(path, |tmp| {
        let file = std::fs::File::create(tmp).map_err(io(tmp))?;
        let mut w =
            PbfWriter::new(BufWriter::with_capacity(1 << 20, file), bbox).map_err(io(tmp))?;
        w.nodes(&nodes).map_err(io(tmp))?;
        let mut refs: Vec<Vec<i64>> = Vec::new();
        let mut tags: Vec<Vec<(&str, &str)>> = Vec::new();
        for (b, chunk) in runs.chunks(8_000).enumerate() {
            refs.clear();
            tags.clear();
            for &(s0, s1) in chunk {
                let mut r = vec![i64::from(segs[s0].a) + 1];
                for s in &segs[s0..s1] {
                    let first = n as i64 + i64::from(s.shape_start) + 1;
                    r.extend((0..i64::from(s.shape_len)).map(|k| first + k));
                    r.push(i64::from(s.b) + 1);
                }
                refs.push(r);
                let s = &segs[s0];
                let mut t: Vec<(&str, &str)> = vec![
                    ("highway", s.class.highway()),
                    ("name", streets.street_names[s.street as usize].as_str()),
                ];
                if s.bridge {
                    t.push(("bridge", "yes"));
                    t.push(("layer", "1"));
                }
                if s.oneway {
                    t.push(("oneway", "yes"));
                }
                let v = s.class.maxspeed_kmh();
                if v > 0 {
                    t.push(("maxspeed", speeds[v as usize].as_str()));
                }
                tags.push(t);
            }
            let ways: Vec<PbfWay<'_>> = refs
                .iter()
                .zip(&tags)
                .enumerate()
                .map(|(k, (r, t))| PbfWay {
                    id: (b * 8_000 + k + 1) as i64,
                    refs: r,
                    tags: t,
                })
                .collect();
            w.ways(&ways).map_err(io(tmp))?;
        }
        w.finish().map_err(io(tmp))?;
        Ok(())
    })
}

/// Residents: `编号,经度,纬度,人口,60岁以上,街道代码` (UTF-8 with BOM, WGS84).
pub fn demand_csv(path: &Path, homes: &[Home], zones: &[SynthZone]) -> Result<()> {
    write_atomic(path, |tmp| {
        let file = std::fs::File::create(tmp).map_err(io(tmp))?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        let res: std::io::Result<()> = (|| {
            w.write_all("\u{feff}编号,经度,纬度,人口,60岁以上,街道代码\n".as_bytes())?;
            for (k, h) in homes.iter().enumerate() {
                writeln!(
                    w,
                    "d{},{:.7},{:.7},{},{},{}",
                    k + 1,
                    h.pos[0],
                    h.pos[1],
                    h.population,
                    h.age_60plus,
                    zones[h.zone as usize].unit.code
                )?;
            }
            w.flush()
        })();
        res.map_err(io(tmp))
    })
}

/// Facilities: `编号,名称,类别,类别名称,经度,纬度,规模,所属街道代码` (UTF-8 with BOM,
/// GCJ-02 coordinates as exported from Amap; an empty 规模 means unknown).
pub fn facilities_csv(path: &Path, places: &[Place], zones: &[SynthZone]) -> Result<()> {
    write_atomic(path, |tmp| {
        let file = std::fs::File::create(tmp).map_err(io(tmp))?;
        let mut w = BufWriter::new(file);
        let res: std::io::Result<()> = (|| {
            w.write_all(
                "\u{feff}编号,名称,类别,类别名称,经度,纬度,规模,所属街道代码\n".as_bytes(),
            )?;
            for p in places {
                let label = CATEGORIES
                    .iter()
                    .find(|c| c.name == p.category)
                    .map_or("", |c| c.label);
                let (lon, lat) = crate::crs::china::wgs84_to_gcj02(p.pos[0], p.pos[1]);
                let cap = p.capacity.map(|c| format!("{c}")).unwrap_or_default();
                writeln!(
                    w,
                    "{},{},{},{},{:.7},{:.7},{},{}",
                    p.id,
                    p.name,
                    p.category,
                    label,
                    lon,
                    lat,
                    cap,
                    zones[p.zone as usize].unit.code
                )?;
            }
            w.flush()
        })();
        res.map_err(io(tmp))
    })
}

/// Zones: layer `zones` with `名称`, `代码`, `级别`, `所属区`, `区代码`, `城乡` (农村/城市),
/// in CGCS2000 (EPSG:4490) as planning bureaus keep them.
pub fn zones_gpkg(path: &Path, zones: &[SynthZone], shapes: &[MultiPolygon<f64>]) -> Result<()> {
    let mut l = Layer::new(
        "zones",
        &[
            ("名称", Kind::Text),
            ("代码", Kind::Text),
            ("级别", Kind::Text),
            ("所属区", Kind::Text),
            ("区代码", Kind::Text),
            ("城乡", Kind::Text),
        ],
    )
    .with_layer_label("街道/镇 (synthetic city)");
    for (z, shape) in zones.iter().zip(shapes) {
        l.push_geometry(
            vec![
                Value::from(z.unit.name.as_str()),
                Value::from(z.unit.code.as_str()),
                Value::from(z.unit.level.as_str()),
                Value::from(z.unit.district.as_str()),
                Value::from(z.unit.district_code.as_str()),
                Value::from(if z.rural { "农村" } else { "城市" }),
            ],
            Some(geo_types::Geometry::MultiPolygon(shape.clone())),
        );
    }
    write_gpkg_layers(path, &[&l], OutputCrs::Cgcs2000)
}

/// A study file that runs as is with `lifecircle analyze --config DIR/study.toml`.
pub fn study_toml(path: &Path, nodes: usize, seed: u64) -> Result<()> {
    let text = format!(
        r#"# Synthetic Guangzhou-like city ({nodes} street nodes, seed {seed}), written by
# `lifecircle synth`. Run it with `lifecircle analyze --config study.toml`.
# Relative paths are relative to this file's folder.

name = "合成城市 15分钟社区生活圈评估（{nodes} 节点，种子 {seed}）"
profile = "guangzhou"

[output]
folder = "out"
formats = ["gpkg", "csv"]
crs = "wgs84"
headers = "zh"
csv_encoding = "utf-8"

[network]
# Road centre-lines, one feature per segment between junctions; the same network is in
# network.osm.pbf (file = "network.osm.pbf").
file = "network.gpkg"
keep_components = "largest"
max_snap_m = 500
walk_speed = 1.0
elderly_walk_speed = 0.8

[[facilities.files]]
# Every category of the guangzhou profile plus 颐康服务站 and hospitals, GCJ-02 (Amap).
path = "facilities.csv"
crs = "gcj02"

[demand]
# Residential buildings with their residents and those aged 60+.
points = "demand.csv"
population_field = "人口"
groups = {{ age_60plus = "60岁以上" }}

[zones]
# 街道/镇 named after Guangzhou's real sub-districts (CGCS2000).
file = "zones.gpkg"
name_field = "名称"
code_field = "代码"
district_field = "所属区"
rural_field = "城乡"

[analysis]
gap_cell_m = 250
"#
    );
    write_atomic(path, |tmp| {
        std::fs::write(tmp, text.as_bytes()).map_err(io(tmp))
    })
}

/// The manifest `synth.json`.
pub fn manifest(path: &Path, value: &serde_json::Value) -> Result<()> {
    let text = serde_json::to_string_pretty(value).expect("JSON");
    write_atomic(path, |tmp| {
        std::fs::write(tmp, text.as_bytes()).map_err(io(tmp))
    })
}
