//! Entry points for the fuzz targets (`fuzz/`) and their regression tests: each takes arbitrary
//! bytes, runs them through one reader the way a user's file would be, and discards the result.
//! Errors are expected; a panic, an abort, a hang or an unbounded allocation is a bug.
//!
//! Not part of the library's interface.

use crate::categories::CategoryMap;
use crate::input::encoding::{decode, TextEncoding};
use crate::input::osm::{read_osm_file, OsmRequest};
use crate::input::pbf::PbfFile;
use crate::input::points::{read_demand, read_facilities, PointSource};
use crate::network::{build_network, KeepComponents, Mode, Profile};
use crate::study::Study;
use std::io::Write;
use std::path::Path;

/// An OpenStreetMap PBF file: its blobs, every block's nodes, ways and relations, then the
/// whole OSM reading (network, facilities and buildings) and the street network built from it.
pub fn pbf(data: &[u8]) {
    let Ok(file) = PbfFile::from_bytes(data.to_vec()) else {
        return;
    };
    for i in 0..file.blobs.len() {
        let Ok(block) = file.block(i) else {
            continue;
        };
        let _ = block.for_each_node(|_, _, _, _| {});
        let _ = block.for_each_way(|_, _, _| {});
        let _ = block.for_each_relation(|_, _, _| {});
    }
    let map = CategoryMap::builtin();
    let req = OsmRequest {
        network: Some(Profile::new(Mode::Walk)),
        facilities: Some(&map),
        buildings: true,
        building_info: true,
    };
    if let Ok(osm) = read_osm_file(file, Path::new("fuzz.osm.pbf"), req) {
        if let Some(raw) = osm.network {
            let _ = build_network(&raw, KeepComponents::Largest);
        }
    }
}

/// A table: the first byte picks the file's extension and the text encoding asked for, the
/// rest is the file, read as facilities and as demand points (CSV text decoding, delimiter
/// sniffing, spreadsheets, coordinate and number columns).
pub fn table(data: &[u8]) {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    const EXTENSIONS: [&str; 7] = ["csv", "tsv", "txt", "xlsx", "xlsm", "xls", "ods"];
    let ext = EXTENSIONS[usize::from(pick & 7) % EXTENSIONS.len()];
    let encoding = match (pick >> 3) & 3 {
        1 => TextEncoding::Utf8,
        2 => TextEncoding::Gb18030,
        _ => TextEncoding::Auto,
    };
    let _ = decode(body, encoding);
    let Some(file) = temp_file(ext, body) else {
        return;
    };
    let src = PointSource {
        encoding,
        ..Default::default()
    };
    let _ = read_facilities(file.path(), &src, &CategoryMap::builtin());
    let _ = read_demand(file.path(), &src);
}

/// A study file (TOML) parsed and checked, as if it lay in `/`, and the same text read as a
/// category mapping. Input paths that exist there (`.` does) pass the check.
pub fn study(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(s) = Study::parse(text, Path::new("/study.toml")) {
        if let Some(a) = &s.access {
            let _ = a.decay();
        }
    }
    let _ = CategoryMap::parse(text, "fuzz");
}

/// A GeoJSON file read as facilities and as demand points (through GDAL; without the `gdal`
/// feature this only reaches the error saying GDAL is needed).
pub fn geojson(data: &[u8]) {
    let Some(file) = temp_file("geojson", data) else {
        return;
    };
    let src = PointSource::default();
    let _ = read_facilities(file.path(), &src, &CategoryMap::builtin());
    let _ = read_demand(file.path(), &src);
}

/// A geometry as WKB and as a GeoPackage geometry blob, then turned into the access locations
/// of a facility.
pub fn wkb(data: &[u8]) {
    let mut geometries = Vec::new();
    if let Ok(g) = crate::wkb::decode(data) {
        geometries.push(g);
    }
    let _ = crate::wkb::decode_flat(data);
    if let Ok(Some(g)) = crate::input::gpkg_blob::geometry(data) {
        geometries.push(g);
    }
    for mut g in geometries {
        crate::input::vector::normalise_rings(&mut g);
        let _ = crate::input::points::locations(Some(&g));
        let _ = crate::wkb::decode(&crate::wkb::encode(&g));
    }
}

/// `data` in a new temporary file named `*.ext` (removed when dropped), or `None` when it
/// cannot be written.
fn temp_file(ext: &str, data: &[u8]) -> Option<tempfile::NamedTempFile> {
    let mut f = tempfile::Builder::new()
        .prefix("lifecircle-fuzz-")
        .suffix(&format!(".{ext}"))
        .tempfile()
        .ok()?;
    f.write_all(data).ok()?;
    f.flush().ok()?;
    Some(f)
}
