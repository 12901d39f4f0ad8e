//! The HTML report: one self-contained file that opens from disk with no network.
//!
//! - Headline figures against the targets (life circles, categories, count and ratio rules) and
//!   the notes of the run, as static HTML.
//! - A Leaflet map (Leaflet 1.9.4, bundled from `assets/leaflet`: script, styles and images
//!   embedded; no tile layer, the zones are the base) with toggleable layers: the zones
//!   choropleth of the complete-life-circle share, facilities by category, service areas by
//!   category and threshold, gap areas for the complete circle and per category.
//! - The zones table with the standards' pass/fail, sortable by any column (click a header).
//!
//! The data are embedded as one JSON document; geometry is simplified for display
//! ([`super::simplify`]) and coordinates are rounded to 1e-6° (about 0.1 m). Polygons travel as
//! whole micro-degrees, each ring's first point in full and the others as steps from the one
//! before ([`delta_multipolygon`]); the page turns them back into GeoJSON coordinates, the same
//! numbers as rounding to 1e-6°. A city's gap areas have millions of vertices, and the steps
//! take a third of the text of full coordinates. Once the map is
//! drawn, the page sets `data-zones` and `data-facilities` on `<body>` to the numbers of zone and
//! facility shapes in the map, `data-zone-bounds` and `data-gap-bounds` to the bounds of the
//! zones and of the gap areas drawn (`west,south,east,north`, degrees), `data-errors` to the
//! number of script errors, and `data-ready="1"`.

use super::map::{threshold_zh, GAP_COLOUR, NO_DATA_COLOUR, SHARE_COLOURS, SHARE_LABELS};
use super::{escape, percent, polygons, simplify_to_budget, ReportData};
use geo_types::Geometry;
use serde_json::{json, Value as Json};
use std::fmt::Write;

/// The bundled Leaflet version.
pub const LEAFLET_VERSION: &str = "1.9.4";
const LEAFLET_JS: &str = include_str!("../../assets/leaflet/leaflet.js");
const LEAFLET_CSS: &str = include_str!("../../assets/leaflet/leaflet.css");
const LEAFLET_IMAGES: [(&str, &[u8]); 3] = [
    (
        "images/layers.png",
        include_bytes!("../../assets/leaflet/images/layers.png"),
    ),
    (
        "images/layers-2x.png",
        include_bytes!("../../assets/leaflet/images/layers-2x.png"),
    ),
    (
        "images/marker-icon.png",
        include_bytes!("../../assets/leaflet/images/marker-icon.png"),
    ),
];
const LEAFLET_LICENSE: &str = include_str!("../../assets/leaflet/LICENSE");

/// Standard base64 (RFC 4648, with padding).
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut o = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= c.len() {
                o.push(A[(n >> shift & 63) as usize] as char);
            } else {
                o.push('=');
            }
        }
    }
    o
}

/// Leaflet's stylesheet with its images as `data:` URIs.
fn leaflet_css() -> String {
    let mut css = LEAFLET_CSS.to_string();
    for (name, bytes) in LEAFLET_IMAGES {
        css = css.replace(
            &format!("url({name})"),
            &format!("url(data:image/png;base64,{})", base64(bytes)),
        );
    }
    css
}

/// Leaflet's script, safe inside `<script>` and without the source-map reference (which a
/// browser would try to load from disk).
fn leaflet_js() -> String {
    LEAFLET_JS
        .replace("//# sourceMappingURL=leaflet.js.map", "")
        .replace("</script", "<\\/script")
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// A WGS84 geometry as GeoJSON text, coordinates rounded to 1e-6 degrees. The text is written
/// directly: a city's gap areas have millions of vertices, too many to build as JSON values.
fn geojson(g: &Geometry<f64>) -> String {
    let mut out = String::new();
    write_geometry(&mut out, g);
    out
}

fn write_geometry(out: &mut String, g: &Geometry<f64>) {
    use crate::output::number::push_f64;
    let coord = |out: &mut String, c: geo_types::Coord<f64>| {
        let (x, y) = (round6(c.x), round6(c.y));
        if x.is_finite() && y.is_finite() {
            out.push('[');
            push_f64(out, x);
            out.push(',');
            push_f64(out, y);
            out.push(']');
        } else {
            out.push_str("[null,null]");
        }
    };
    let list = |out: &mut String, n: usize, each: &mut dyn FnMut(&mut String, usize)| {
        out.push('[');
        for i in 0..n {
            if i > 0 {
                out.push(',');
            }
            each(out, i);
        }
        out.push(']');
    };
    let line = |out: &mut String, l: &geo_types::LineString<f64>| {
        list(out, l.0.len(), &mut |out, i| coord(out, l.0[i]));
    };
    let polygon = |out: &mut String, p: &geo_types::Polygon<f64>| {
        out.push('[');
        if !p.exterior().0.is_empty() {
            line(out, p.exterior());
            for r in p.interiors() {
                out.push(',');
                line(out, r);
            }
        }
        out.push(']');
    };
    match g {
        Geometry::Point(p) => {
            out.push_str(r#"{"type":"Point","coordinates":"#);
            coord(out, p.0);
        }
        Geometry::MultiPoint(m) => {
            out.push_str(r#"{"type":"MultiPoint","coordinates":"#);
            list(out, m.0.len(), &mut |out, i| coord(out, m.0[i].0));
        }
        Geometry::LineString(l) => {
            out.push_str(r#"{"type":"LineString","coordinates":"#);
            line(out, l);
        }
        Geometry::MultiLineString(m) => {
            out.push_str(r#"{"type":"MultiLineString","coordinates":"#);
            list(out, m.0.len(), &mut |out, i| line(out, &m.0[i]));
        }
        Geometry::Polygon(p) => {
            out.push_str(r#"{"type":"Polygon","coordinates":"#);
            polygon(out, p);
        }
        Geometry::MultiPolygon(m) => {
            out.push_str(r#"{"type":"MultiPolygon","coordinates":"#);
            list(out, m.0.len(), &mut |out, i| polygon(out, &m.0[i]));
        }
        Geometry::GeometryCollection(c) => {
            out.push_str(r#"{"type":"GeometryCollection","geometries":"#);
            list(out, c.0.len(), &mut |out, i| write_geometry(out, &c.0[i]));
        }
        Geometry::Line(l) => {
            return write_geometry(
                out,
                &Geometry::LineString(geo_types::LineString::from(vec![l.start, l.end])),
            )
        }
        Geometry::Rect(r) => return write_geometry(out, &Geometry::Polygon(r.to_polygon())),
        Geometry::Triangle(t) => return write_geometry(out, &Geometry::Polygon(t.to_polygon())),
    }
    out.push('}');
}

/// A multipolygon as the page's compact text, `{"type":"MultiPolygon","d":[[[x0,y0,dx1,dy1,…],
/// …],…]}`: per ring, its first point in whole micro-degrees (1e-6°, rounded), then each point
/// as its step from the one before, in the same units. `None` when a coordinate is not finite
/// (the page then gets plain GeoJSON).
///
/// Summing the steps gives back each point's micro-degrees exactly, and dividing by 1e6 gives
/// the same numbers as rounding the coordinates to 1e-6°.
fn delta_multipolygon(mp: &geo_types::MultiPolygon<f64>) -> Option<String> {
    let micro = |v: f64| -> Option<i64> {
        let m = (v * 1e6).round();
        (m.is_finite() && m.abs() < 9e15).then_some(m as i64)
    };
    let mut out = String::from(r#"{"type":"MultiPolygon","d":["#);
    for (k, p) in mp.0.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        out.push('[');
        let rings = std::iter::once(p.exterior()).chain(p.interiors());
        for (j, ring) in rings.filter(|r| !r.0.is_empty()).enumerate() {
            if j > 0 {
                out.push(',');
            }
            out.push('[');
            let (mut px, mut py) = (0i64, 0i64);
            for (i, c) in ring.0.iter().enumerate() {
                let (x, y) = (micro(c.x)?, micro(c.y)?);
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{},{}", x - px, y - py);
                (px, py) = (x, y);
            }
            out.push(']');
        }
        out.push(']');
    }
    out.push_str("]}");
    Some(out)
}

/// A GeoJSON feature as text, from its geometry's text.
fn feature(geometry: String, properties: Json) -> String {
    format!(
        r#"{{"type":"Feature","properties":{},"geometry":{geometry}}}"#,
        serde_json::to_string(&properties).expect("serialisable")
    )
}

fn num_or_null(x: Option<f64>) -> Json {
    x.filter(|v| v.is_finite()).map_or(Json::Null, |v| json!(v))
}

/// The facilities as columns, for a map of tens of thousands of them: `x` and `y` in whole
/// micro-degrees as steps from the facility before (the first from zero), `c` the index of the
/// category in `cats`, `z` the index of the zone name in `zones`, and `id`, `name`, `served`
/// as they are. Facilities without a point are left out.
fn facility_columns(f: &crate::output::Layer) -> String {
    let (mut cats, mut zones): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    let index = |list: &mut Vec<String>, v: String| -> usize {
        list.iter().position(|x| *x == v).unwrap_or_else(|| {
            list.push(v);
            list.len() - 1
        })
    };
    let (mut x, mut y, mut c, mut z) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut id, mut name, mut served) = (Vec::new(), Vec::new(), Vec::new());
    let (mut px, mut py) = (0i64, 0i64);
    for (r, g) in f.geometry.iter().flatten().enumerate() {
        let Geometry::Point(p) = g else { continue };
        let (mx, my) = ((p.x() * 1e6).round(), (p.y() * 1e6).round());
        if !(mx.is_finite() && my.is_finite() && mx.abs() < 9e15 && my.abs() < 9e15) {
            continue;
        }
        let (mx, my) = (mx as i64, my as i64);
        x.push(mx - px);
        y.push(my - py);
        (px, py) = (mx, my);
        c.push(index(&mut cats, ReportData::text(f, r, "category")));
        z.push(index(&mut zones, ReportData::text(f, r, "zone_name")));
        id.push(ReportData::text(f, r, "facility_id"));
        name.push(ReportData::text(f, r, "name"));
        // Whole people: the popup shows no more.
        served.push(
            ReportData::number(f, r, "served_population")
                .filter(|v| v.is_finite() && v.abs() < 9e15)
                .map_or(Json::Null, |v| json!(v.round() as i64)),
        );
    }
    serde_json::to_string(&json!({
        "cats": cats, "zones": zones, "x": x, "y": y, "c": c, "z": z,
        "id": id, "name": name, "served": served,
    }))
    .expect("serialisable")
}

/// The data the page's script draws, as JSON text.
fn map_data(data: &ReportData, tolerance_m: f64) -> String {
    let lat = data.latitude();
    let poly = |g: &Geometry<f64>| -> String {
        let s = simplify_to_budget(&polygons(g), tolerance_m, lat, MAX_POINTS_PER_SHAPE);
        delta_multipolygon(&s).unwrap_or_else(|| geojson(&Geometry::MultiPolygon(s)))
    };
    let z = &data.zones;
    let zones: Vec<String> = z
        .geometry
        .iter()
        .flatten()
        .enumerate()
        .map(|(r, g)| {
            feature(
                poly(g),
                json!({
                    "code": ReportData::text(z, r, "zone_code"),
                    "name": ReportData::text(z, r, "zone_name"),
                    "population": num_or_null(ReportData::number(z, r, "population")),
                    "share": num_or_null(ReportData::number(z, r, "complete_share")),
                    "uncovered": num_or_null(ReportData::number(z, r, "uncovered")),
                    "rank": num_or_null(ReportData::number(z, r, "gap_rank")),
                }),
            )
        })
        .collect();
    let facilities = facility_columns(&data.facilities);
    let gp = &data.gaps;
    // Every gap area is counted, the largest of each kind drawn (see MAX_GAPS_PER_KIND).
    let mut gap_totals = serde_json::Map::new();
    for r in 0..gp.rows.len() {
        let n = gap_totals
            .entry(ReportData::text(gp, r, "gap_for"))
            .or_insert(json!(0));
        *n = json!(n.as_u64().unwrap_or(0) + 1);
    }
    // Per kind, the gap areas in rank order while within both budgets (see
    // MAX_GAPS_PER_KIND and MAX_GAP_POINTS_PER_KIND).
    let mut rows: Vec<usize> = (0..gp.rows.len()).collect();
    rows.sort_by(|&a, &b| {
        let rank = |r| ReportData::number(gp, r, "rank").unwrap_or(f64::INFINITY);
        rank(a).total_cmp(&rank(b)).then(a.cmp(&b))
    });
    let mut budget: std::collections::HashMap<String, (usize, usize)> = Default::default();
    let mut gaps: Vec<(usize, String)> = Vec::new();
    for r in rows {
        let Some(g) = gp.geometry.as_ref().and_then(|g| g.get(r)) else {
            continue;
        };
        let used = budget
            .entry(ReportData::text(gp, r, "gap_for"))
            .or_default();
        if used.0 >= MAX_GAPS_PER_KIND || used.1 >= MAX_GAP_POINTS_PER_KIND {
            continue;
        }
        let s = simplify_to_budget(&polygons(g), tolerance_m, lat, MAX_POINTS_PER_SHAPE);
        let points: usize = s
            .0
            .iter()
            .map(|p| p.exterior().0.len() + p.interiors().iter().map(|h| h.0.len()).sum::<usize>())
            .sum();
        if used.0 > 0 && used.1 + points > MAX_GAP_POINTS_PER_KIND {
            used.1 = MAX_GAP_POINTS_PER_KIND;
            continue;
        }
        *used = (used.0 + 1, used.1 + points);
        let text = delta_multipolygon(&s).unwrap_or_else(|| geojson(&Geometry::MultiPolygon(s)));
        gaps.push((
            r,
            feature(
                text,
                json!({
                    "for": ReportData::text(gp, r, "gap_for"),
                    "label": ReportData::text(gp, r, "label"),
                    "rank": num_or_null(ReportData::number(gp, r, "rank")),
                    "population": num_or_null(ReportData::number(gp, r, "population")),
                    "area_km2": num_or_null(ReportData::number(gp, r, "area_km2")),
                }),
            ),
        ));
    }
    // In layer order, as before.
    gaps.sort_by_key(|g| g.0);
    let gaps: Vec<String> = gaps.into_iter().map(|g| g.1).collect();
    let areas: Vec<String> = data
        .service_areas
        .iter()
        .flat_map(|sa| {
            sa.geometry.iter().flatten().enumerate().map(move |(r, g)| {
                feature(
                    poly(g),
                    json!({
                        "category": ReportData::text(sa, r, "category"),
                        "threshold": threshold_zh(&ReportData::text(sa, r, "threshold")),
                        "area_km2": num_or_null(ReportData::number(sa, r, "area_km2")),
                        "buffer_m": num_or_null(ReportData::number(sa, r, "buffer_m")),
                    }),
                )
            })
        })
        .collect();
    let sites: Vec<String> = data
        .sites
        .iter()
        .flat_map(|l| {
            l.geometry.iter().flatten().enumerate().map(move |(r, g)| {
                feature(
                    geojson(g),
                    json!({
                        "category": ReportData::text(l, r, "category"),
                        "rank": num_or_null(ReportData::number(l, r, "rank")),
                        "id": ReportData::text(l, r, "candidate_id"),
                        "zone": ReportData::text(l, r, "zone"),
                        "added": num_or_null(ReportData::number(l, r, "added_population")),
                    }),
                )
            })
        })
        .collect();
    let categories: Vec<Json> = data
        .categories()
        .iter()
        .map(|c| json!({"name": c.name, "label": c.label, "colour": c.colour, "inProfile": c.in_profile}))
        .collect();
    let h = &data.summary["complete_life_circle"];
    let rest = json!({
        "gapTotals": gap_totals,
        "siteColour": super::map::SITE_COLOUR,
        "categories": categories,
        "headline": {"id": h["circle"], "label": h["label"]},
        "shareColours": SHARE_COLOURS,
        "shareLabels": SHARE_LABELS,
        "noData": NO_DATA_COLOUR,
        "gapColour": GAP_COLOUR,
    });
    let mut out = String::from("{");
    out.push_str(&format!(r#""facilities":{facilities},"#));
    for (key, features) in [
        ("zones", zones),
        ("gaps", gaps),
        ("areas", areas),
        ("sites", sites),
    ] {
        out.push_str(&format!(
            r#""{key}":{{"type":"FeatureCollection","features":[{}]}},"#,
            features.join(",")
        ));
    }
    // The other entries: `rest` without its opening brace.
    out.push_str(&serde_json::to_string(&rest).expect("serialisable")[1..]);
    out
}

/// JSON text safe inside a `<script>` element (no `<`, so no `</script>`).
fn script_json(text: &str) -> String {
    text.replace('<', "\\u003c")
}

fn pass_cell(p: Option<bool>) -> String {
    match p {
        Some(true) => r#"<td class="pass" data-v="1">达标</td>"#.into(),
        Some(false) => r#"<td class="fail" data-v="0">未达标</td>"#.into(),
        None => r#"<td class="na" data-v="">–</td>"#.into(),
    }
}

fn thresholds(c: &Json) -> String {
    let t = threshold_zh(c["threshold"].as_str().unwrap_or(""));
    let r = threshold_zh(c["rural_threshold"].as_str().unwrap_or(""));
    if r.is_empty() || r == t {
        t
    } else {
        format!("{t}（农村 {r}）")
    }
}

/// The headline figures against the targets, as HTML.
fn headline(data: &ReportData) -> String {
    let s = &data.summary;
    let h = &s["complete_life_circle"];
    let circles = s["circles"].as_array().cloned().unwrap_or_default();
    let hc = circles.iter().find(|c| c["circle"] == h["circle"]);
    let mut o = String::new();
    let target = hc.and_then(|c| c["target"].as_f64());
    let pass = hc.and_then(|c| c["pass"].as_bool());
    let _ = write!(
        o,
        r#"<div class="cards"><div class="card big"><div class="k">{}覆盖率</div><div class="v">{}</div><div class="t">目标 {} · {}</div></div>"#,
        escape(h["label"].as_str().unwrap_or("")),
        percent(h["share"].as_f64()),
        percent(target),
        match pass {
            Some(true) => r#"<span class="badge pass">达标</span>"#,
            Some(false) => r#"<span class="badge fail">未达标</span>"#,
            None => "–",
        }
    );
    let _ = write!(
        o,
        r#"<div class="card"><div class="k">未覆盖人口</div><div class="v">{:.0}</div><div class="t">常住人口 {:.0}</div></div>"#,
        h["uncovered"].as_f64().unwrap_or(0.0),
        s["population"].as_f64().unwrap_or(0.0)
    );
    let _ = write!(
        o,
        r#"<div class="card"><div class="k">街镇</div><div class="v">{}</div><div class="t">需求点 {} · 设施 {}</div></div></div>"#,
        s["zones"],
        s["demand_points"],
        data.facilities.rows.len()
    );
    o += r#"<h3>生活圈覆盖率与目标</h3><table class="figures"><thead><tr><th>生活圈</th><th>阈值</th><th>覆盖率</th><th>目标</th><th>达标</th><th>达标街镇</th></tr></thead><tbody>"#;
    for c in &circles {
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>{}<td>{}</td></tr>",
            escape(c["label"].as_str().unwrap_or("")),
            escape(&thresholds(c)),
            percent(c["share"].as_f64()),
            percent(c["target"].as_f64()),
            pass_cell(c["pass"].as_bool()),
            c["zones_meeting_target"]
                .as_u64()
                .map(|n| format!("{n} / {}", s["zones"]))
                .unwrap_or_else(|| "–".into())
        );
    }
    o += "</tbody></table>";
    o += r#"<h3>各类设施覆盖率</h3><table class="figures"><thead><tr><th>设施类别</th><th>阈值</th><th>测算人群</th><th>覆盖率</th><th>设施数</th></tr></thead><tbody>"#;
    for c in s["categories"].as_array().into_iter().flatten() {
        let name = c["category"].as_str().unwrap_or("");
        let measured = match c["measured_for"].as_str() {
            Some("all residents") | None => "全体居民".to_string(),
            Some(g) => g.to_string(),
        };
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(c["label"].as_str().unwrap_or(name)),
            escape(&thresholds(c)),
            escape(&measured),
            percent(c["share"].as_f64()),
            s["facilities"][name].as_u64().unwrap_or(0)
        );
    }
    o += "</tbody></table>";
    let count = s["count_rules"].as_array().cloned().unwrap_or_default();
    let ratio = s["ratio_rules"].as_array().cloned().unwrap_or_default();
    if !count.is_empty() || !ratio.is_empty() {
        o += r#"<h3>配置标准</h3><table class="figures"><thead><tr><th>标准</th><th>全市现状</th><th>目标</th><th>全市达标</th><th>达标单元</th></tr></thead><tbody>"#;
        for r in &count {
            let (units, passing, name) = if r["per"] == "village" {
                (&r["villages"], &r["villages_passing"], "村居")
            } else {
                (&r["zones"], &r["zones_passing"], "街镇")
            };
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{}</td><td>每{name}至少 {}</td>{}<td>{} / {} {name}</td></tr>",
                escape(r["label"].as_str().unwrap_or("")),
                r["city_value"]
                    .as_f64()
                    .map(|v| format!("{v:.0}"))
                    .unwrap_or_else(|| "–".into()),
                r["min"],
                pass_cell(r["pass"].as_bool()),
                passing,
                units
            );
        }
        for r in &ratio {
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td>{}<td>{} / {} 街镇</td></tr>",
                escape(r["label"].as_str().unwrap_or("")),
                r["city_value"]
                    .as_f64()
                    .map(|v| format!("{v:.2}"))
                    .unwrap_or_else(|| "–".into()),
                r["target"],
                pass_cell(r["pass"].as_bool()),
                r["zones_passing"],
                r["zones"]
            );
        }
        o += "</tbody></table><p class=\"note\">配置标准按街镇（或村居）逐一评价：全市及各区仅在其每个街镇（村居）均达标时为达标；全市现状为全市合计。</p>";
    }
    o
}

/// A column of the zones table.
struct Column {
    header: String,
    key: String,
    kind: ColumnKind,
}

#[derive(Clone, Copy, PartialEq)]
enum ColumnKind {
    Text,
    Count,
    Share,
    Ratio,
    Pass,
}

fn zone_columns(data: &ReportData) -> Vec<Column> {
    let s = &data.summary;
    let mut cols = Vec::new();
    // Columns of the layer that have a value in some row.
    let mut add = |header: String, key: String, kind: ColumnKind| {
        if let Some(c) = ReportData::column(&data.zones, &key) {
            if data
                .zones
                .rows
                .iter()
                .any(|r| r[c] != crate::output::Value::Null)
            {
                cols.push(Column { header, key, kind });
            }
        }
    };
    use ColumnKind::*;
    add("缺口排名".into(), "gap_rank".into(), Count);
    add("街镇代码".into(), "zone_code".into(), Text);
    add("街镇名称".into(), "zone_name".into(), Text);
    add("所属区".into(), "district".into(), Text);
    add("常住人口".into(), "population".into(), Count);
    let h = &s["complete_life_circle"];
    let hl = h["label"].as_str().unwrap_or("完整生活圈");
    add(format!("{hl}覆盖率"), "complete_share".into(), Share);
    add("未覆盖人口".into(), "uncovered".into(), Count);
    for c in s["circles"].as_array().into_iter().flatten() {
        let id = c["circle"].as_str().unwrap_or("");
        let l = c["label"].as_str().unwrap_or(id);
        if c["circle"] != h["circle"] {
            add(format!("{l}覆盖率"), format!("{id}_share"), Share);
        }
        add(format!("{l}达标"), format!("{id}_pass"), Pass);
    }
    for c in s["categories"].as_array().into_iter().flatten() {
        let id = c["category"].as_str().unwrap_or("");
        let l = c["label"].as_str().unwrap_or(id);
        add(format!("{l}覆盖率"), format!("{id}_share"), Share);
    }
    for r in s["count_rules"].as_array().into_iter().flatten() {
        let id = r["rule"].as_str().unwrap_or("");
        add(
            r["label"].as_str().unwrap_or(id).to_string(),
            format!("{id}_pass"),
            Pass,
        );
    }
    for r in s["ratio_rules"].as_array().into_iter().flatten() {
        let id = r["rule"].as_str().unwrap_or("");
        let l = r["label"].as_str().unwrap_or(id);
        add(format!("{l}（现状）"), format!("{id}_value"), Ratio);
        add(format!("{l}达标"), format!("{id}_pass"), Pass);
    }
    cols
}

/// The zones table (rows in gap-rank order), as HTML.
fn zones_table(data: &ReportData) -> String {
    let z = &data.zones;
    let cols = zone_columns(data);
    let mut order: Vec<usize> = (0..z.rows.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = ReportData::number(z, a, "gap_rank").unwrap_or(f64::INFINITY);
        let rb = ReportData::number(z, b, "gap_rank").unwrap_or(f64::INFINITY);
        ra.total_cmp(&rb)
    });
    let mut o = String::from(r#"<table id="zones-table" class="sortable"><thead><tr>"#);
    for (i, c) in cols.iter().enumerate() {
        let kind = if c.kind == ColumnKind::Text {
            "text"
        } else {
            "num"
        };
        let _ = write!(
            o,
            r#"<th data-col="{i}" data-kind="{kind}" title="点击排序">{}</th>"#,
            escape(&c.header)
        );
    }
    o += "</tr></thead><tbody>";
    for r in order {
        o += "<tr>";
        for c in &cols {
            let n = ReportData::number(z, r, &c.key);
            let cell = match c.kind {
                ColumnKind::Text => {
                    let t = ReportData::text(z, r, &c.key);
                    format!(r#"<td data-v="{}">{}</td>"#, escape(&t), escape(&t))
                }
                ColumnKind::Count => match n {
                    Some(v) => format!(r#"<td class="n" data-v="{v}">{v:.0}</td>"#),
                    None => r#"<td class="n" data-v="">–</td>"#.into(),
                },
                ColumnKind::Ratio => match n {
                    Some(v) => format!(r#"<td class="n" data-v="{v}">{v:.2}</td>"#),
                    None => r#"<td class="n" data-v="">–</td>"#.into(),
                },
                ColumnKind::Share => match n {
                    Some(v) => format!(r#"<td class="n" data-v="{v}">{}</td>"#, percent(Some(v))),
                    None => r#"<td class="n" data-v="">–</td>"#.into(),
                },
                ColumnKind::Pass => pass_cell(n.map(|v| v >= 0.5)),
            };
            o += &cell;
        }
        o += "</tr>";
    }
    o += "</tbody></table>";
    o
}

/// The gap areas of one kind the interactive map draws at most: the most populous (by rank). A
/// city-wide study can have thousands per kind, more than a browser map can show at once; all of
/// them are in the `gaps` layer, and the layer switcher gives the total.
pub const MAX_GAPS_PER_KIND: usize = 500;

/// The points a single shape (a zone, gap or service area) keeps in the interactive map: past
/// this, its display tolerance doubles (up to 16 times) until it fits.
pub const MAX_POINTS_PER_SHAPE: usize = 20_000;

/// The points (after display simplification) of one kind's gap areas the interactive map draws
/// at most, so that a city's report stays a few megabytes: the most populous areas first.
pub const MAX_GAP_POINTS_PER_KIND: usize = 15_000;

const STYLE: &str = r#"
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#1f4e79;color:#fff;padding:18px 28px}header h1{margin:0;font-size:26px}header p{margin:6px 0 0;opacity:.85}
main{padding:10px 28px 40px;max-width:1500px}h2{margin:28px 0 10px;font-size:21px;border-bottom:2px solid #1f4e79;padding-bottom:4px}h3{font-size:17px;margin:18px 0 8px}
.cards{display:flex;gap:14px;flex-wrap:wrap}.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px 18px;min-width:200px}
.card .k{color:#555;font-size:14px}.card .v{font-size:30px;font-weight:bold;margin:4px 0}.card.big .v{font-size:40px;color:#1f4e79}.card .t{color:#666;font-size:13px}
.badge{padding:1px 8px;border-radius:10px;color:#fff;font-size:13px}.badge.pass{background:#1a9641}.badge.fail{background:#d7191c}
table{border-collapse:collapse;background:#fff;font-size:14px}th,td{border:1px solid #ddd;padding:5px 9px;text-align:left}th{background:#eef3f7;vertical-align:bottom}
#zones-table th{min-width:5.5em}#zones-table td{white-space:nowrap}
td.n{text-align:right;font-variant-numeric:tabular-nums}td.pass{color:#1a7a36;font-weight:bold}td.fail{color:#c0171b;font-weight:bold}td.na{color:#999}
table.sortable th{cursor:pointer;user-select:none;position:sticky;top:0}table.sortable th[aria-sort=ascending]::after{content:" ▲"}table.sortable th[aria-sort=descending]::after{content:" ▼"}
.table-wrap{overflow:auto;max-height:640px;border:1px solid #ddd}
#map{height:640px;border:1px solid #bbb;background:#eef3f7}
.legend{background:#fff;padding:8px 10px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);font-size:13px;line-height:20px}
.legend i{display:inline-block;width:18px;height:12px;margin-right:6px;vertical-align:middle;border:1px solid #777}
.lc-site span{display:block;width:22px;height:22px;border-radius:11px;border:2px solid #fff;color:#fff;font:bold 12px/18px sans-serif;text-align:center;box-sizing:border-box;box-shadow:0 1px 3px rgba(0,0,0,.4)}
.leaflet-control-layers-expanded{max-height:560px;overflow:auto;font-size:13px}
.notes li{margin:4px 0;color:#444}p.note{color:#555;font-size:13px;max-width:60em}footer{color:#777;font-size:12px;padding:10px 28px 30px}
"#;

const SCRIPT: &str = r#"
(function () {
  var errors = 0;
  function fail() { errors += 1; document.body.setAttribute('data-errors', String(errors)); }
  // Script errors, and (capturing) any resource that fails to load.
  window.addEventListener('error', fail, true);
  var consoleError = console.error;
  console.error = function () { fail(); consoleError.apply(console, arguments); };
  var D = JSON.parse(document.getElementById('lc-data').textContent);
  // Polygons come as whole micro-degrees, each ring's first point in full and the others as
  // steps: back to GeoJSON coordinates.
  function ring(a) {
    var out = [], x = 0, y = 0;
    for (var i = 0; i + 1 < a.length; i += 2) {
      x += a[i]; y += a[i + 1];
      out.push([x / 1e6, y / 1e6]);
    }
    return out;
  }
  function undelta(g) {
    if (!g || !g.d) return g;
    return {type: 'MultiPolygon', coordinates: g.d.map(function (p) { return p.map(ring); })};
  }
  [D.zones, D.gaps, D.areas].forEach(function (fc) {
    fc.features.forEach(function (f) { f.geometry = undelta(f.geometry); });
  });
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }
  function pct(x) { return x == null ? '–' : (x * 100).toFixed(1) + '%'; }
  function int(x) { return x == null ? '–' : Math.round(x).toLocaleString('zh-CN'); }
  function shareColour(x) {
    if (x == null) return D.noData;
    return D.shareColours[Math.min(4, Math.max(0, Math.floor(x * 5)))];
  }
  var cats = {};
  D.categories.forEach(function (c) { cats[c.name] = c; });
  function catLabel(n) { return cats[n] ? cats[n].label : n; }

  var map = L.map('map', {zoomSnap: 0.25, preferCanvas: false});
  // Gap and service areas are drawn on canvases: a city has tens of thousands of them.
  var gapCanvas = L.canvas({pane: 'gaps'}), areaCanvas = L.canvas({pane: 'areas'});
  map.attributionControl.setPrefix('Leaflet');
  [['areas', 410], ['gaps', 420], ['facilities', 450]].forEach(function (p) {
    map.createPane(p[0]).style.zIndex = p[1];
  });
  var overlays = {};
  var zones = L.geoJSON(D.zones, {
    className: 'lc-zone',
    style: function (f) {
      return {fillColor: shareColour(f.properties.share), fillOpacity: 0.75, color: '#444', weight: 1.2};
    },
    onEachFeature: function (f, layer) {
      var p = f.properties;
      layer.bindTooltip(esc(p.name) + ' ' + pct(p.share));
      layer.bindPopup('<b>' + esc(p.name) + '</b> (' + esc(p.code) + ')<br>' + esc(D.headline.label) +
        '覆盖率 ' + pct(p.share) + '<br>常住人口 ' + int(p.population) + '<br>未覆盖人口 ' +
        int(p.uncovered) + '<br>缺口排名 ' + int(p.rank));
    }
  }).addTo(map);
  overlays['街镇：' + esc(D.headline.label) + '覆盖率'] = zones;
  // The view is set before the canvas layers are added: they draw for a view.
  var zb = zones.getBounds();
  if (zb.isValid()) map.fitBounds(zb, {padding: [10, 10]}); else map.setView([0, 0], 2);

  var gapFor = [];
  D.gaps.features.forEach(function (f) {
    if (gapFor.indexOf(f.properties['for']) < 0) gapFor.push(f.properties['for']);
  });
  var gapBounds = L.latLngBounds([]);
  gapFor.forEach(function (id) {
    var fs = D.gaps.features.filter(function (f) { return f.properties['for'] === id; });
    var layer = L.geoJSON({type: 'FeatureCollection', features: fs}, {
      pane: 'gaps', className: 'lc-gap', renderer: gapCanvas,
      style: {color: D.gapColour, weight: 1, fillColor: D.gapColour, fillOpacity: 0.45},
      onEachFeature: function (f, l) {
        var p = f.properties;
        l.bindPopup('<b>服务缺口：' + esc(p.label) + '</b><br>排名 ' + int(p.rank) + '<br>未覆盖人口 ' +
          int(p.population) + '<br>面积 ' + (p.area_km2 == null ? '–' : p.area_km2.toFixed(2)) + ' 平方公里');
      }
    });
    if (fs.length) gapBounds.extend(layer.getBounds());
    var label = fs.length ? fs[0].properties.label : id;
    var total = D.gapTotals[id] || fs.length;
    overlays['缺口：' + esc(label) + (total > fs.length ? '（未覆盖人口最多的 ' + fs.length + ' 处，共 ' + total +
      ' 处）' : '（' + fs.length + '）')] = layer;
    if (id === D.headline.id) layer.addTo(map);
  });

  D.areas.features.forEach(function (f) {
    var p = f.properties, c = cats[p.category] || {colour: '#2c7fb8'};
    var layer = L.geoJSON(f, {
      pane: 'areas', className: 'lc-area', renderer: areaCanvas,
      style: {color: c.colour, weight: 1, fillColor: c.colour, fillOpacity: 0.25}
    });
    layer.bindPopup('<b>' + esc(catLabel(p.category)) + '</b><br>步行' + esc(p.threshold) + '服务范围<br>面积 ' +
      (p.area_km2 == null ? '–' : p.area_km2.toFixed(2)) + ' 平方公里（道路两侧 ' + int(p.buffer_m) + ' 米）');
    overlays['服务范围：' + esc(catLabel(p.category)) + ' ' + esc(p.threshold)] = layer;
  });

  // Facilities: one canvas per category, drawn from the columns (tens of thousands of points
  // stay fast); a click near a point opens its popup.
  var F = D.facilities, fx = 0, fy = 0, byCat = {};
  for (var i = 0; i < F.x.length; i++) {
    fx += F.x[i]; fy += F.y[i];
    var cn = F.cats[F.c[i]];
    (byCat[cn] = byCat[cn] || []).push([fy / 1e6, fx / 1e6, i]);
  }
  var drawnFacilities = 0, CLUSTER_ABOVE = 1500;
  var PointLayer = L.Layer.extend({
    initialize: function (pts, colour, label) { this._pts = pts; this._colour = colour; this._label = label; },
    onAdd: function (m) {
      this._canvas = L.DomUtil.create('canvas', 'lc-points');
      this._canvas.style.pointerEvents = 'none';
      m.getPane('facilities').appendChild(this._canvas);
      m.on('moveend zoomend resize viewreset', this._draw, this);
      m.on('click', this._click, this);
      this._draw();
    },
    onRemove: function (m) {
      L.DomUtil.remove(this._canvas);
      m.off('moveend zoomend resize viewreset', this._draw, this);
      m.off('click', this._click, this);
    },
    _radius: function () { var z = this._map.getZoom(); return z >= 15 ? 5 : z >= 13 ? 4 : z >= 11 ? 3 : 2; },
    _draw: function () {
      var m = this._map;
      if (!m._loaded) return; // drawn once the view is set
      var size = m.getSize(), c = this._canvas, r = this._radius();
      L.DomUtil.setPosition(c, m.containerPointToLayerPoint([0, 0]));
      c.width = size.x; c.height = size.y;
      var ctx = c.getContext('2d'), seen = [];
      for (var k = 0; k < this._pts.length; k++) {
        var p = m.latLngToContainerPoint(this._pts[k]);
        if (p.x < -r || p.y < -r || p.x > size.x + r || p.y > size.y + r) continue;
        seen.push(p);
      }
      ctx.fillStyle = this._colour; ctx.strokeStyle = '#fff';
      this._clusters = null;
      if (seen.length > CLUSTER_ABOVE) {
        // Too many to tell apart: one disc per 48-pixel cell, sized and labelled by its count.
        var cells = {}, list = [];
        seen.forEach(function (p) {
          var key = Math.floor(p.x / 48) + ',' + Math.floor(p.y / 48), g = cells[key];
          if (!g) { g = cells[key] = {x: 0, y: 0, n: 0}; list.push(g); }
          g.x += p.x; g.y += p.y; g.n += 1;
        });
        ctx.lineWidth = 1.5; ctx.font = 'bold 11px sans-serif'; ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
        list.forEach(function (g) {
          g.x /= g.n; g.y /= g.n; g.r = Math.min(22, 5 + 3 * Math.log2(g.n));
          ctx.globalAlpha = 0.85; ctx.beginPath(); ctx.arc(g.x, g.y, g.r, 0, 6.2832); ctx.fill(); ctx.stroke();
          ctx.globalAlpha = 1;
          if (g.n > 1) { ctx.fillStyle = '#fff'; ctx.fillText(String(g.n), g.x, g.y); ctx.fillStyle = this._colour; }
        }, this);
        this._clusters = list;
        return;
      }
      ctx.lineWidth = r > 2 ? 1 : 0.5;
      seen.forEach(function (p) { ctx.beginPath(); ctx.arc(p.x, p.y, r, 0, 6.2832); ctx.fill(); ctx.stroke(); });
    },
    _click: function (e) {
      var m = this._map, best = null, bd = 49;
      if (!m._loaded) return;
      if (this._clusters) {
        // A click on a cluster zooms in on it.
        var hit = null;
        this._clusters.forEach(function (g) {
          var dx = g.x - e.containerPoint.x, dy = g.y - e.containerPoint.y;
          if (dx * dx + dy * dy <= g.r * g.r) hit = g;
        });
        if (hit) m.setView(m.containerPointToLatLng([hit.x, hit.y]), m.getZoom() + 2);
        return;
      }
      for (var k = 0; k < this._pts.length; k++) {
        var p = m.latLngToContainerPoint(this._pts[k]);
        var d = (p.x - e.containerPoint.x) * (p.x - e.containerPoint.x) + (p.y - e.containerPoint.y) * (p.y - e.containerPoint.y);
        if (d < bd) { bd = d; best = this._pts[k]; }
      }
      if (!best) return;
      var i = best[2];
      L.popup().setLatLng([best[0], best[1]]).setContent('<b>' + esc(F.name[i] || F.id[i]) + '</b><br>' +
        esc(this._label) + '<br>编号 ' + esc(F.id[i]) + '<br>街镇 ' + esc(F.zones[F.z[i]]) +
        (F.served[i] == null ? '' : '<br>服务范围内人口 ' + int(F.served[i]))).openOn(m);
    }
  });
  D.categories.forEach(function (c) {
    var pts = byCat[c.name];
    if (!pts) return;
    var layer = new PointLayer(pts, c.colour, c.label).addTo(map);
    drawnFacilities += pts.length;
    overlays['<span style="color:' + c.colour + '">●</span> 设施：' + esc(c.label) + '（' + pts.length + '）'] = layer;
  });

  var siteCats = [];
  D.sites.features.forEach(function (f) {
    if (siteCats.indexOf(f.properties.category) < 0) siteCats.push(f.properties.category);
  });
  siteCats.forEach(function (cat) {
    var fs = D.sites.features.filter(function (f) { return f.properties.category === cat; });
    var layer = L.geoJSON({type: 'FeatureCollection', features: fs}, {
      pointToLayer: function (f, ll) {
        return L.marker(ll, {pane: 'facilities', icon: L.divIcon({className: 'lc-site',
          html: '<span style="background:' + D.siteColour + '">' + int(f.properties.rank) + '</span>',
          iconSize: [22, 22]})});
      },
      onEachFeature: function (f, l) {
        var p = f.properties;
        l.bindPopup('<b>新增选址 #' + int(p.rank) + '：' + esc(catLabel(cat)) + '</b><br>候选点 ' + esc(p.id) +
          '<br>街镇 ' + esc(p.zone) + '<br>新增覆盖人口 ' + int(p.added));
      }
    }).addTo(map);
    overlays['<span style="color:' + D.siteColour + '">●</span> 新增选址：' + esc(catLabel(cat)) + '（' + fs.length + '）'] = layer;
  });

  L.control.layers(null, overlays, {collapsed: false}).addTo(map);
  L.control.scale({imperial: false}).addTo(map);
  var legend = L.control({position: 'bottomright'});
  legend.onAdd = function () {
    var d = L.DomUtil.create('div', 'legend');
    var h = '<b>' + esc(D.headline.label) + '覆盖率</b><br>';
    for (var i = D.shareColours.length - 1; i >= 0; i--) {
      h += '<i style="background:' + D.shareColours[i] + '"></i>' + esc(D.shareLabels[i]) + '<br>';
    }
    h += '<i style="background:' + D.noData + '"></i>无人口<br>';
    h += '<i style="background:' + D.gapColour + ';opacity:.6"></i>服务缺口';
    d.innerHTML = h;
    return d;
  };
  legend.addTo(map);

  // Sortable table: click a header; numbers sort as numbers, empty cells last.
  var table = document.getElementById('zones-table');
  if (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th) {
      th.addEventListener('click', function () {
        var col = +th.getAttribute('data-col'), numeric = th.getAttribute('data-kind') === 'num';
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col].getAttribute('data-v'), y = b.cells[col].getAttribute('data-v');
          if (x === '' || y === '') return (x === '') - (y === '');
          var r = numeric ? (+x) - (+y) : x.localeCompare(y, 'zh-CN');
          return asc ? r : -r;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }
  document.body.setAttribute('data-zones', String(document.querySelectorAll('#map path.lc-zone').length));
  document.body.setAttribute('data-facilities', String(drawnFacilities));
  document.body.setAttribute('data-sites', String(document.querySelectorAll('#map .lc-site').length));
  document.body.setAttribute('data-zone-bounds', zones.getBounds().toBBoxString());
  document.body.setAttribute('data-gap-bounds', gapBounds.isValid() ? gapBounds.toBBoxString() : '');
  document.body.setAttribute('data-errors', String(errors));
  document.body.setAttribute('data-ready', '1');
})();
"#;

/// The site-selection section: per category sited, the method and proof, and the chosen sites.
fn sites_section(data: &ReportData) -> String {
    let Some(runs) = data.summary["siting"].as_array() else {
        return String::new();
    };
    let mut o = String::from("<h2 id=\"sites\">新增设施选址</h2>\n");
    for r in runs {
        let n = |k: &str| r[k].as_f64().unwrap_or(0.0);
        let proof = if r["optimal"].as_bool() == Some(true) {
            "已证明最优".to_string()
        } else {
            format!("与最优解差距不超过 {:.2}%", n("proven_gap") * 100.0)
        };
        let _ = write!(
            o,
            "<h3>{label}（{minutes}分钟）</h3><p>{goal}；方法 {method}，{proof}。选址前已覆盖 {before:.0} 人，\
             新增覆盖 {added:.0} 人，共 {after:.0} / {total:.0} 人；任何候选点都无法覆盖 {unc:.0} 人。\
             候选点 {cands} 个（排除 {excl} 个）。</p>\n<div class=\"table-wrap\"><table class=\"sites\">\
             <thead><tr><th>排序</th><th>候选点</th><th>街镇</th><th>新增覆盖人口</th></tr></thead><tbody>",
            label = escape(r["label"].as_str().unwrap_or("")),
            minutes = r["threshold_minutes"].as_f64().map(|m| format!("{m:.0}")).unwrap_or_default(),
            goal = escape(r["goal"].as_str().unwrap_or("")),
            method = escape(r["method"].as_str().unwrap_or("")),
            before = n("covered_before"),
            added = n("added_population"),
            after = n("covered_after"),
            total = n("total_population"),
            unc = n("uncoverable_population"),
            cands = r["candidates"],
            excl = r["excluded_candidates"],
        );
        for c in r["chosen"].as_array().into_iter().flatten() {
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.0}</td></tr>",
                c["rank"],
                escape(c["candidate_id"].as_str().unwrap_or("")),
                escape(c["zone"].as_str().unwrap_or("–")),
                c["added_population"].as_f64().unwrap_or(0.0)
            );
        }
        o += "</tbody></table></div>\n";
    }
    o
}

/// The whole report page.
pub fn report_html(data: &ReportData, simplify_m: f64) -> String {
    let s = &data.summary;
    let tolerance_m = data.display_tolerance(simplify_m);
    let title = if data.title.is_empty() {
        "生活圈评估报告".to_string()
    } else {
        data.title.clone()
    };
    let mut o = String::with_capacity(1 << 20);
    let _ = write!(
        o,
        r#"<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t}</title>
<style>{css}</style>
<style>{STYLE}</style>
</head>
<body data-ready="0">
<header><h1>{t}</h1><p>评估标准：{p}</p></header>
<main>
<h2>总体指标与目标</h2>
{headline}
<h2>地图</h2>
<div id="map"></div>
<h2>街镇一览（点击表头排序）</h2>
<div class="table-wrap">{table}</div>
{sites}"#,
        t = escape(&title),
        css = leaflet_css(),
        p = escape(s["profile"]["title"].as_str().unwrap_or("")),
        headline = headline(data),
        table = zones_table(data),
        sites = sites_section(data),
    );
    let notes = s["notes"].as_array().cloned().unwrap_or_default();
    if !notes.is_empty() {
        o += r#"<h2>说明</h2><ul class="notes">"#;
        for n in notes {
            let _ = write!(o, "<li>{}</li>", escape(n.as_str().unwrap_or("")));
        }
        o += "</ul>";
    }
    let _ = write!(
        o,
        r#"</main>
<footer>地图：Leaflet {LEAFLET_VERSION}（BSD 2-Clause 许可，随报告内嵌）。坐标 WGS84；显示用几何已按 {tol} 米容差简化（小于约两个像素的面已略去），GeoPackage 中的几何未简化。
<details><summary>Leaflet 许可</summary><pre>{lic}</pre></details></footer>
<script type="application/json" id="lc-data">{data}</script>
<script>{js}</script>
<script>{SCRIPT}</script>
</body></html>
"#,
        lic = escape(LEAFLET_LICENSE),
        tol = format_args!("{tolerance_m:.0}"),
        data = script_json(&map_data(data, tolerance_m)),
        js = leaflet_js(),
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{coord, LineString, MultiPolygon, Polygon};

    /// What the page's script does with the compact text: sum the steps of each ring, divide by
    /// 1e6.
    fn page_decode(text: &str) -> Vec<Vec<Vec<[f64; 2]>>> {
        let v: Json = serde_json::from_str(text).unwrap();
        assert_eq!(v["type"], "MultiPolygon");
        v["d"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                p.as_array()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        let a: Vec<i64> = r
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|n| n.as_i64().unwrap())
                            .collect();
                        let (mut x, mut y) = (0i64, 0i64);
                        a.chunks(2)
                            .map(|s| {
                                x += s[0];
                                y += s[1];
                                [x as f64 / 1e6, y as f64 / 1e6]
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn delta_polygons_decode_to_the_rounded_coordinates() {
        let ring = |pts: &[(f64, f64)]| {
            LineString::from(
                pts.iter()
                    .map(|&(x, y)| coord! {x: x, y: y})
                    .collect::<Vec<_>>(),
            )
        };
        let outer = ring(&[
            (113.264_512_4, 23.129_876_6),
            (113.270_000_05, 23.129_876_6),
            (113.270_000_05, 23.14),
            (113.264_512_4, 23.129_876_6),
        ]);
        let hole = ring(&[
            (113.266, 23.131),
            (113.267, 23.131),
            (113.266, 23.132),
            (113.266, 23.131),
        ]);
        let west = ring(&[
            (-0.000_000_4, -33.5),
            (-1.25, -33.5),
            (-1.25, -34.0),
            (-0.000_000_4, -33.5),
        ]);
        let mp = MultiPolygon(vec![
            Polygon::new(outer.clone(), vec![hole.clone()]),
            Polygon::new(west.clone(), vec![]),
        ]);
        let text = delta_multipolygon(&mp).unwrap();
        let want: Vec<Vec<Vec<[f64; 2]>>> = [vec![outer, hole], vec![west]]
            .iter()
            .map(|p| {
                p.iter()
                    .map(|r| r.0.iter().map(|c| [round6(c.x), round6(c.y)]).collect())
                    .collect()
            })
            .collect();
        assert_eq!(page_decode(&text), want);
        // Steps, not coordinates: the second point of the first ring lies 5,488 micro-degrees
        // east of the first (113.270000 - 113.264512) and level with it.
        assert!(text.starts_with(r#"{"type":"MultiPolygon","d":[[[113264512,23129877,5488,0,"#));
        // A coordinate that is not finite: no compact text.
        let bad = MultiPolygon(vec![Polygon::new(
            ring(&[(f64::NAN, 1.0), (2.0, 1.0), (2.0, 2.0)]),
            vec![],
        )]);
        assert_eq!(delta_multipolygon(&bad), None);
    }

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    /// 1,200 gap areas of one kind and 3 of another: the map gets the 1,000 best-ranked of the
    /// first and all of the second, and the totals of both.
    #[test]
    fn the_interactive_map_draws_the_largest_gaps_and_counts_all() {
        use crate::output::{Kind, Layer, Value};
        let mut gaps = Layer::new(
            "gaps",
            &[
                ("gap_for", Kind::Text),
                ("label", Kind::Text),
                ("rank", Kind::Int),
                ("population", Kind::Real),
                ("area_km2", Kind::Real),
            ],
        );
        let square = |k: usize| {
            let x = 113.0 + 0.01 * k as f64;
            Geometry::Polygon(geo_types::Polygon::new(
                geo_types::LineString::from(vec![
                    (x, 23.0),
                    (x + 0.005, 23.0),
                    (x + 0.005, 23.005),
                    (x, 23.0),
                ]),
                vec![],
            ))
        };
        // Ranks listed out of order, so that the choice is by rank, not by position.
        let kinds = (0..1200)
            .map(|k| ("clinic", (k * 7) % 1200 + 1))
            .chain((0..3).map(|k| ("library", k + 1)));
        for (k, (kind, rank)) in kinds.enumerate() {
            gaps.push_geometry(
                vec![
                    kind.into(),
                    kind.into(),
                    Value::Int(rank as i64),
                    Value::Real(1000.0 / rank as f64),
                    Value::Real(0.1),
                ],
                Some(square(k)),
            );
        }
        let data = ReportData {
            title: "t".into(),
            summary: json!({}),
            zones: Layer::new("zones", &[])
                .with_geometry_type(crate::output::GeometryType::Polygon),
            facilities: Layer::new("facilities", &[])
                .with_geometry_type(crate::output::GeometryType::Point),
            gaps,
            service_areas: None,
            sites: None,
        };
        let d: Json = serde_json::from_str(&map_data(&data, 0.0)).unwrap();
        let drawn = d["gaps"]["features"].as_array().unwrap();
        let ranks = |kind: &str| -> Vec<u64> {
            let mut r: Vec<u64> = drawn
                .iter()
                .filter(|f| f["properties"]["for"] == kind)
                .map(|f| f["properties"]["rank"].as_f64().unwrap() as u64)
                .collect();
            r.sort_unstable();
            r
        };
        assert_eq!(
            ranks("clinic"),
            (1..=MAX_GAPS_PER_KIND as u64).collect::<Vec<_>>()
        );
        assert_eq!(ranks("library"), [1, 2, 3]);
        assert_eq!(d["gapTotals"], json!({"clinic": 1200, "library": 3}));
    }

    /// The hand-written GeoJSON text reads back as the geojson crate's encoding of the same
    /// (rounded) geometry, number for number.
    #[test]
    fn geometry_text_equals_the_geojson_crate() {
        use geo::MapCoords;
        use geo_types::{coord, Coord, LineString, MultiPolygon, Point, Polygon};
        fn same(a: &Json, b: &Json) -> bool {
            match (a, b) {
                (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
                (Json::Array(x), Json::Array(y)) => {
                    x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
                }
                (Json::Object(x), Json::Object(y)) => {
                    x.len() == y.len()
                        && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
                }
                _ => a == b,
            }
        }
        let ring =
            |x: f64| LineString::from(vec![(x, 22.1), (x + 0.1234567, 22.1), (x, 22.3), (x, 22.1)]);
        let geoms = vec![
            Geometry::Point(Point::new(113.2641234567, 23.1291)),
            Geometry::Polygon(Polygon::new(ring(113.0), vec![ring(113.01)])),
            Geometry::MultiPolygon(MultiPolygon(vec![
                Polygon::new(ring(113.0), vec![]),
                Polygon::new(ring(114.0), vec![ring(114.01), ring(114.02)]),
            ])),
            Geometry::LineString(ring(-0.5)),
            Geometry::GeometryCollection(geo_types::GeometryCollection(vec![
                Geometry::Point(Point::new(0.0, -1e-7)),
                Geometry::Line(geo_types::Line::new(
                    coord! {x: 1.0, y: 2.0},
                    coord! {x: 3.0, y: 4.0},
                )),
            ])),
        ];
        for g in geoms {
            let ours: Json = serde_json::from_str(&geojson(&g)).unwrap();
            let r = g.map_coords(|c| Coord {
                x: round6(c.x),
                y: round6(c.y),
            });
            let theirs =
                serde_json::to_value(geojson::Geometry::new(geojson::GeometryValue::from(&r)))
                    .unwrap();
            assert!(same(&ours, &theirs), "{ours}\n{theirs}");
        }
    }

    #[test]
    fn bundled_leaflet_needs_no_files() {
        let css = leaflet_css();
        assert!(!css.contains("url(images/"), "every image embedded");
        let js = leaflet_js();
        assert!(js.contains("\"1.9.4\""));
        assert!(!js.contains("sourceMappingURL"));
        assert!(!js.contains("</script"));
        assert!(!script_json(&json!({"a": "</script>"}).to_string()).contains('<'));
    }
}
