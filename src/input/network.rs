//! The street network from an OSM extract or from any GDAL line layer.
//!
//! In a line layer each feature (or each part of a multi-line) is one street segment. Segments
//! connect where their end points coincide within [`JOIN_TOLERANCE_M`]; interior vertices are
//! shape points and connect nothing, as in a planning bureau's road centre-line data.

use super::encoding::TextEncoding;
use super::end_join::join_within;
use super::osm::{read_osm, OsmReport, OsmRequest};
use super::points::FileKind;
use super::vector::{read_layer_fields, VectorLayer};
use crate::crs::Crs;
use crate::error::{Error, ErrorKind, Result};
use crate::geodesy::LocalPlane;
use crate::network::{Mode, Profile, RawNetwork, WayAccess, NO_KEY};
use std::path::Path;

/// End points closer than this (metres) are the same junction.
pub const JOIN_TOLERANCE_M: f64 = 0.001;

/// How to read a line layer as a network (ignored for OSM files).
#[derive(Debug, Clone, Default)]
pub struct LineNetworkOptions {
    /// Layer name (default: the first).
    pub layer: Option<String>,
    /// Coordinate system override.
    pub crs: Option<Crs>,
    /// Text encoding of a Shapefile without `.cpg`.
    pub encoding: TextEncoding,
    /// Field with one-way information: `yes`/`1`/`true`/`FT` (along the line), `-1`/`TF`/`reverse`
    /// (against it), `no`/`0`/`B`/empty (both ways). Ignored for walking.
    pub oneway_field: Option<String>,
    /// Field with the speed in km/h (empty: the profile's speed).
    pub speed_field: Option<String>,
    /// Field that excludes a segment when `1`/`yes`/`true`.
    pub exclude_field: Option<String>,
}

/// Reads the ways of a network file for `profile`. The OSM report is empty for line layers.
pub fn read_network_ways(
    path: &Path,
    profile: &Profile,
    opts: &LineNetworkOptions,
) -> Result<(RawNetwork, OsmReport)> {
    match FileKind::of(path) {
        FileKind::OsmPbf => {
            let d = read_osm(
                path,
                OsmRequest {
                    network: Some(*profile),
                    ..Default::default()
                },
            )?;
            let raw = d.network.expect("requested");
            if raw.is_empty() {
                return Err(Error::new(
                    ErrorKind::Empty,
                    format!("the OSM file has no streets usable for {}", profile.mode),
                )
                .file(path));
            }
            Ok((raw, d.report))
        }
        FileKind::Table => Err(Error::new(
            ErrorKind::Format,
            "a network must be an OSM .pbf file or a line layer (GeoPackage, Shapefile, GeoJSON, ...), not a table",
        )
        .file(path)),
        FileKind::Vector => Ok((read_line_layer(path, profile, opts)?, OsmReport::default())),
    }
}

fn read_line_layer(
    path: &Path,
    profile: &Profile,
    opts: &LineNetworkOptions,
) -> Result<RawNetwork> {
    // Only the fields the options name are read.
    let wanted: Vec<String> = [&opts.oneway_field, &opts.speed_field, &opts.exclude_field]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let layer = read_layer_fields(
        path,
        opts.layer.as_deref(),
        opts.crs,
        opts.encoding,
        Some(&wanted),
    )?;
    let field = |name: &Option<String>| name.as_deref().map(|n| layer.field(n)).transpose();
    let oneway_f = field(&opts.oneway_field)?;
    let speed_f = field(&opts.speed_field)?;
    let exclude_f = field(&opts.exclude_field)?;
    let walking = matches!(profile.mode, Mode::Walk | Mode::WalkElderly);

    /// A line of a feature: `coords[start..end]` of the flat coordinate list.
    struct Piece {
        feature: usize,
        start: usize,
        end: usize,
        access: WayAccess,
    }
    let mut pieces = Vec::new();
    let mut coords: Vec<[f64; 2]> = Vec::new();
    for f in &layer.features {
        let label = || VectorLayer::feature_label(f.index);
        let err = |msg: String, field: usize| {
            Error::new(ErrorKind::InvalidValue, msg)
                .file(path)
                .at(label())
                .field(&layer.fields[field])
        };
        if let Some(i) = exclude_f {
            let v = f.values[i].as_deref().unwrap_or("").to_ascii_lowercase();
            if matches!(v.as_str(), "1" | "yes" | "true" | "y" | "t") {
                continue;
            }
        }
        let (mut forward, mut backward) = (true, true);
        if let (Some(i), false) = (oneway_f, walking) {
            let v = f.values[i].as_deref().unwrap_or("").to_ascii_lowercase();
            (forward, backward) = match v.as_str() {
                "yes" | "1" | "true" | "t" | "y" | "ft" | "f" => (true, false),
                "-1" | "tf" | "reverse" | "r" => (false, true),
                "" | "no" | "0" | "false" | "n" | "b" | "both" => (true, true),
                other => return Err(err(format!("unknown one-way value {other:?}"), i)),
            };
        }
        let mut speed_mps = profile.speed_mps;
        if let Some(i) = speed_f {
            if let Some(v) = f.values[i].as_deref().filter(|v| !v.is_empty()) {
                let kmh: f64 = v
                    .parse()
                    .ok()
                    .filter(|x: &f64| x.is_finite() && *x > 0.0)
                    .ok_or_else(|| {
                        err(format!("speed {v:?} is not a positive number of km/h"), i)
                    })?;
                speed_mps = kmh / 3.6;
            }
        }
        let access = WayAccess {
            forward,
            backward,
            speed_mps,
        };
        let lines: Vec<&geo_types::LineString<f64>> = match &f.geometry {
            Some(geo_types::Geometry::LineString(l)) => vec![l],
            Some(geo_types::Geometry::MultiLineString(m)) => m.0.iter().collect(),
            None => continue,
            Some(_) => {
                return Err(Error::new(
                    ErrorKind::Format,
                    "a network feature must be a line or multi-line",
                )
                .file(path)
                .at(label()))
            }
        };
        for l in lines {
            let start = coords.len();
            coords.extend(l.coords().map(|c| [c.x, c.y]));
            if coords[start..]
                .iter()
                .any(|p| !(p[0].is_finite() && p[1].is_finite()))
            {
                return Err(Error::new(ErrorKind::InvalidValue, "non-finite coordinate")
                    .file(path)
                    .at(label()));
            }
            if coords.len() - start >= 2 {
                pieces.push(Piece {
                    feature: f.index,
                    start,
                    end: coords.len(),
                    access,
                });
            } else {
                coords.truncate(start);
            }
        }
    }
    if pieces.is_empty() {
        return Err(
            Error::new(ErrorKind::Empty, "the layer has no usable line segments").file(path),
        );
    }

    // Join end points within the tolerance, in a local plane.
    let centre = coords[pieces[0].start];
    let plane = LocalPlane::new(centre);
    let ends: Vec<[f64; 2]> = pieces
        .iter()
        .flat_map(|p| [coords[p.start], coords[p.end - 1]])
        .map(|c| plane.project(c))
        .collect();
    let group = join_within(&ends, JOIN_TOLERANCE_M);
    let mut raw = RawNetwork::new();
    let mut keys = Vec::new();
    for (i, p) in pieces.iter().enumerate() {
        keys.clear();
        keys.resize(p.end - p.start, NO_KEY);
        keys[0] = i64::from(group[2 * i]);
        let last = keys.len() - 1;
        keys[last] = i64::from(group[2 * i + 1]);
        raw.push_way(
            p.feature as i64 + 1,
            &coords[p.start..p.end],
            &keys,
            p.access,
        );
    }
    Ok(raw)
}
