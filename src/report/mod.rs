//! Maps and the HTML report of a study, built from its result layers and its summary.
//!
//! | file | content |
//! |---|---|
//! | `map_complete_share.svg`, `.png` | complete-life-circle share by 街道/镇 (choropleth) |
//! | `map_coverage_<category>.svg`, `.png` | per profile category: its service area at its threshold, its gap areas, its facilities |
//! | `map_facilities.svg`, `.png` | facilities by category |
//! | `report.html` | one self-contained page: headline figures against the targets, a map with toggleable layers (zones choropleth, facilities by category, service areas, gaps), a sortable zones table with every standard's pass/fail |
//!
//! Every map has a title, a legend, a scale bar and a north arrow; maps are drawn on a local
//! plane (metres, north up), so the scale bar holds everywhere on the map. Text uses a CJK font
//! (Noto Sans CJK SC from Debian's `fonts-noto-cjk`, else any system font with the characters).
//!
//! Everything is built from the `zones`, `facilities`, `gaps` and `service_areas` layers and
//! `summary.json`, so `lifecircle report --from DIR` ([`read::read_output_folder`]) rebuilds the
//! same files from an output folder. Geometry is simplified for display ([`simplify`], tolerance
//! in metres).

pub mod html;
pub mod map;
pub mod png;
pub mod read;

use crate::error::{Error, Result};
use crate::geodesy::metres_per_degree;
use crate::output::{write_atomic, Layer, Value};
use geo::Simplify;
use geo_types::{Geometry, MultiPolygon};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Default display simplification tolerance in metres.
pub const DEFAULT_SIMPLIFY_M: f64 = 5.0;

/// What a report is made from: the study's title, its summary (`summary.json`) and its map
/// layers, geometry in WGS84.
#[derive(Debug, Clone)]
pub struct ReportData {
    /// Title of the study.
    pub title: String,
    /// The summary, as written to `summary.json`.
    pub summary: serde_json::Value,
    /// The `zones` layer.
    pub zones: Layer,
    /// The `facilities` layer.
    pub facilities: Layer,
    /// The `gaps` layer.
    pub gaps: Layer,
    /// The `service_areas` layer (per category), when the study computed it.
    pub service_areas: Option<Layer>,
    /// The `sites` layer (new sites chosen by site selection), when the study has one.
    pub sites: Option<Layer>,
}

/// Which parts to write.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReportOptions {
    /// Static maps (SVG and PNG), `map_*.svg` and `map_*.png`.
    pub maps: bool,
    /// `report.html`.
    pub html: bool,
    /// Display simplification tolerance in metres (0: none).
    pub simplify_m: f64,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            maps: true,
            html: true,
            simplify_m: DEFAULT_SIMPLIFY_M,
        }
    }
}

/// Writes the maps (`map_<name>.svg` and `.png`) and the report (`report.html`) into `dir`;
/// returns the files written, SVG and PNG of each map in turn, then the report.
pub fn write_report(dir: &Path, data: &ReportData, opts: &ReportOptions) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    // The maps and the page are drawn at the same time; the files are listed in a fixed order.
    let draw_maps = || -> Result<Vec<PathBuf>> {
        if !opts.maps {
            return Ok(Vec::new());
        }
        let maps = map::maps(data, opts.simplify_m);
        let written: Vec<Result<[PathBuf; 2]>> = maps
            .par_iter()
            .map(|m| {
                let svg = dir.join(format!("map_{}.svg", m.stem));
                write_bytes(&svg, m.svg.as_bytes())?;
                let png = dir.join(format!("map_{}.png", m.stem));
                let bytes = png::render_png(&m.svg).map_err(|e| e.file(&svg))?;
                write_bytes(&png, &bytes)?;
                Ok([svg, png])
            })
            .collect();
        let mut files = Vec::new();
        for w in written {
            files.extend(w?);
        }
        Ok(files)
    };
    let page = || -> Result<Option<PathBuf>> {
        if !opts.html {
            return Ok(None);
        }
        let p = dir.join("report.html");
        write_bytes(&p, html::report_html(data, opts.simplify_m).as_bytes())?;
        Ok(Some(p))
    };
    let (maps, page) = rayon::join(draw_maps, page);
    let mut files = maps?;
    files.extend(page?);
    Ok(files)
}

fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic(path, |tmp| {
        std::fs::write(tmp, bytes).map_err(|e| Error::io(tmp, e))
    })
}

/// A profile category (or another facility category) as the report shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    /// Category name, e.g. `clinic`.
    pub name: String,
    /// Chinese label, e.g. `社区卫生服务设施` (the name for categories outside the profile).
    pub label: String,
    /// Colour on maps, `#rrggbb`.
    pub colour: &'static str,
    /// True for a category of the standards profile (with a threshold and a coverage share).
    pub in_profile: bool,
}

/// Colours of facility categories, in order (a qualitative palette).
const PALETTE: [&str; 12] = [
    "#e15759", "#4e79a7", "#f28e2b", "#b07aa1", "#76b7b2", "#59a14f", "#edc948", "#ff9da7",
    "#9c755f", "#bab0ac", "#17becf", "#8c564b",
];

impl ReportData {
    /// The index of `column` in `layer`.
    pub fn column(layer: &Layer, column: &str) -> Option<usize> {
        layer.columns.iter().position(|(n, _)| n == column)
    }

    /// The number in `column` of row `row` (integers as numbers), `None` when empty or absent.
    pub fn number(layer: &Layer, row: usize, column: &str) -> Option<f64> {
        match &layer.rows[row][Self::column(layer, column)?] {
            Value::Real(x) if x.is_finite() => Some(*x),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }

    /// The text in `column` of row `row` (numbers formatted), empty when null or absent.
    pub fn text(layer: &Layer, row: usize, column: &str) -> String {
        match Self::column(layer, column).map(|c| &layer.rows[row][c]) {
            Some(Value::Text(s)) => s.clone(),
            Some(Value::Real(x)) => x.to_string(),
            Some(Value::Int(i)) => i.to_string(),
            _ => String::new(),
        }
    }

    /// The profile categories (in profile order, from the summary), then the other categories
    /// of the facilities layer (sorted), each with its label and map colour.
    pub fn categories(&self) -> Vec<Category> {
        let mut out: Vec<Category> = Vec::new();
        for c in self.summary["categories"].as_array().into_iter().flatten() {
            let name = c["category"].as_str().unwrap_or_default().to_string();
            out.push(Category {
                label: c["label"].as_str().unwrap_or(&name).to_string(),
                name,
                colour: "",
                in_profile: true,
            });
        }
        let mut others: Vec<String> = (0..self.facilities.rows.len())
            .map(|r| Self::text(&self.facilities, r, "category"))
            .filter(|c| !c.is_empty() && !out.iter().any(|o| &o.name == c))
            .collect();
        others.sort();
        others.dedup();
        out.extend(others.into_iter().map(|name| Category {
            label: name.clone(),
            name,
            colour: "",
            in_profile: false,
        }));
        for (i, c) in out.iter_mut().enumerate() {
            c.colour = PALETTE[i % PALETTE.len()];
        }
        out
    }

    /// The summary entry of profile category `name`.
    pub fn category_summary(&self, name: &str) -> Option<&serde_json::Value> {
        self.summary["categories"]
            .as_array()?
            .iter()
            .find(|c| c["category"] == name)
    }

    /// Centre latitude of the zones (for converting metres to degrees), degrees.
    pub fn latitude(&self) -> f64 {
        let b = bbox(self.zones.geometry.iter().flatten());
        if b[1].is_finite() {
            0.5 * (b[1] + b[3])
        } else {
            0.0
        }
    }
}

/// Bounding box `[min_lon, min_lat, max_lon, max_lat]` of geometries (infinite when empty).
pub fn bbox<'a>(geoms: impl IntoIterator<Item = &'a Geometry<f64>>) -> [f64; 4] {
    use geo::BoundingRect;
    let mut b = [f64::INFINITY, f64::INFINITY, -f64::INFINITY, -f64::INFINITY];
    for g in geoms {
        if let Some(r) = g.bounding_rect() {
            b = [
                b[0].min(r.min().x),
                b[1].min(r.min().y),
                b[2].max(r.max().x),
                b[3].max(r.max().y),
            ];
        }
    }
    b
}

/// A geometry's polygons (empty for other kinds).
pub fn polygons(g: &Geometry<f64>) -> MultiPolygon<f64> {
    match g {
        Geometry::Polygon(p) => MultiPolygon(vec![p.clone()]),
        Geometry::MultiPolygon(m) => m.clone(),
        Geometry::Rect(r) => MultiPolygon(vec![r.to_polygon()]),
        Geometry::GeometryCollection(c) => {
            MultiPolygon(c.iter().flat_map(|g| polygons(g).0).collect())
        }
        _ => MultiPolygon(Vec::new()),
    }
}

/// Width in pixels of the widest view of the whole study the report's map is drawn for: detail
/// finer than a pixel of it is simplified away in the page (the GeoPackage keeps it).
pub const DISPLAY_WIDTH_PX: f64 = 2000.0;

impl ReportData {
    /// The tolerance in metres to which the report's map simplifies polygons: `simplify_m`, or
    /// one pixel of a [`DISPLAY_WIDTH_PX`]-wide view of the whole study area (its zones),
    /// whichever is larger. A city 150 km across gets 75 m: below what its map can show
    /// without zooming in.
    pub fn display_tolerance(&self, simplify_m: f64) -> f64 {
        let b = bbox(self.zones.geometry.iter().flatten());
        if !b[0].is_finite() {
            return simplify_m;
        }
        let (kx, ky) = metres_per_degree(0.5 * (b[1] + b[3]));
        let diag = ((b[2] - b[0]) * kx).hypot((b[3] - b[1]) * ky);
        simplify_m.max(diag / DISPLAY_WIDTH_PX)
    }
}

/// [`simplify`] for display at `tolerance_m`, dropping polygons and holes smaller than a
/// square of twice the tolerance (under two pixels at the display width).
pub fn simplify_display(g: &MultiPolygon<f64>, tolerance_m: f64, lat: f64) -> MultiPolygon<f64> {
    let s = simplify(g, tolerance_m, lat);
    let (kx, ky) = metres_per_degree(lat);
    let min_deg2 = (2.0 * tolerance_m).powi(2) / (kx * ky);
    let big = |r: &geo_types::LineString<f64>| {
        let twice: f64 =
            r.0.windows(2)
                .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
                .sum();
        0.5 * twice.abs() >= min_deg2
    };
    MultiPolygon(
        s.0.into_iter()
            .filter(|p| big(p.exterior()))
            .map(|p| {
                let (ext, holes) = p.into_inner();
                geo_types::Polygon::new(ext, holes.into_iter().filter(|h| big(h)).collect())
            })
            .collect(),
    )
}

/// [`simplify_display`] at `tolerance_m`, or at twice, four times, … up to 16 times it, the first
/// that leaves at most `max_points` points (else the coarsest): one giant polygon (a gap area
/// that is most of a city) stays within a report's budget.
pub fn simplify_to_budget(
    g: &MultiPolygon<f64>,
    tolerance_m: f64,
    lat: f64,
    max_points: usize,
) -> MultiPolygon<f64> {
    let points = |m: &MultiPolygon<f64>| -> usize {
        m.0.iter()
            .map(|p| p.exterior().0.len() + p.interiors().iter().map(|h| h.0.len()).sum::<usize>())
            .sum()
    };
    let mut tol = tolerance_m;
    loop {
        let s = simplify_display(g, tol, lat);
        if points(&s) <= max_points || tol >= 16.0 * tolerance_m || tol <= 0.0 {
            return s;
        }
        tol *= 2.0;
    }
}

/// Simplifies WGS84 polygons for display (Ramer–Douglas–Peucker) with a tolerance of
/// `tolerance_m` metres at latitude `lat` (degrees), converted to degrees of latitude (the
/// longer degree, so no point moves more than the tolerance). Rings that collapse are dropped.
pub fn simplify(g: &MultiPolygon<f64>, tolerance_m: f64, lat: f64) -> MultiPolygon<f64> {
    if tolerance_m.is_nan() || tolerance_m <= 0.0 {
        return g.clone();
    }
    let (kx, ky) = metres_per_degree(lat);
    let s = g.simplify(tolerance_m / kx.max(ky));
    MultiPolygon(
        s.0.into_iter()
            .filter(|p| p.exterior().0.len() >= 4)
            .map(|p| {
                let (ext, holes) = p.into_inner();
                geo_types::Polygon::new(ext, holes.into_iter().filter(|r| r.0.len() >= 4).collect())
            })
            .collect(),
    )
}

/// Formats a share (0–1) as a percentage with one decimal, `–` when unknown.
pub fn percent(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{:.1}%", v * 100.0),
        _ => "–".into(),
    }
}

/// Escapes text for XML and HTML.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}
