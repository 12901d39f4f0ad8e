//! Static maps as SVG: the complete-life-circle share by zone, coverage and gaps per category,
//! and facilities by category. Each map has a title, a subtitle with the key figure, a legend,
//! a scale bar, a north arrow and a footer naming the standards.
//!
//! ```text
//!  ┌──────────────────────────────────────────────────────────────┐
//!  │ title                                                        │
//!  │ subtitle                                                     │
//!  │ ┌────────────────────────────────────────┐  legend           │
//!  │ │                                   ▲ N  │  ■ class / layer  │
//!  │ │            map (local plane,           │  ● facilities     │
//!  │ │            north up)                   │                   │
//!  │ │ ▬▬▭▭ 0  1  2 km                        │                   │
//!  │ └────────────────────────────────────────┘                   │
//!  │ footer: standards, coordinates                               │
//!  └──────────────────────────────────────────────────────────────┘
//! ```
//!
//! Coordinates are projected onto a plane tangent at the centre of the zones
//! ([`crate::geodesy::LocalPlane`]: metres east and north), so distances on the map are ground
//! distances to a fraction of a per cent across a city and the scale bar holds everywhere.
//! Outlines are simplified in pixels (to a third of a pixel, and at least the report's tolerance).

use super::{bbox, escape, percent, polygons, ReportData};
use crate::geodesy::LocalPlane;
use geo::{InteriorPoint, Simplify};
use geo_types::{Coord, Geometry, LineString, MultiPolygon};
use rayon::prelude::*;
use std::fmt::Write;

/// Width of a map in pixels (CSS pixels in SVG; PNG pixels at scale 1).
pub const WIDTH: f64 = 1400.0;
/// Height of a map in pixels.
pub const HEIGHT: f64 = 1000.0;

/// The font list of every text: Noto Sans CJK SC (Debian's `fonts-noto-cjk`) first, then the
/// usual Chinese system fonts of other systems for viewing the SVG elsewhere.
pub const FONT_FAMILY: &str =
    "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif";

/// Colours of the complete-share classes, from low to high share.
pub const SHARE_COLOURS: [&str; 5] = ["#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641"];
/// Colour of zones without population.
pub const NO_DATA_COLOUR: &str = "#d9d9d9";
/// Colour of service areas on the coverage maps.
pub const SERVICE_AREA_COLOUR: &str = "#2c7fb8";
/// Colour of gap areas.
pub const GAP_COLOUR: &str = "#6a3d9a";

/// The class (0–4) of a share: below 20 %, 40 %, 60 %, 80 %, and 80 % or more.
pub fn share_class(share: f64) -> usize {
    ((share * 5.0).floor().max(0.0) as usize).min(4)
}

/// Labels of the share classes.
pub const SHARE_LABELS: [&str; 5] = ["< 20%", "20% – 40%", "40% – 60%", "60% – 80%", "≥ 80%"];

/// One map: its file stem (e.g. `coverage_clinic`), title and SVG text.
#[derive(Debug, Clone)]
pub struct Map {
    /// File name without extension.
    pub stem: String,
    /// Title shown on the map.
    pub title: String,
    /// The SVG document.
    pub svg: String,
}

/// A pixel rectangle `x, y, width, height`.
#[derive(Debug, Clone, Copy)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

const MAP: Rect = Rect {
    x: 20.0,
    y: 100.0,
    w: 1000.0,
    h: 850.0,
};
const LEGEND_X: f64 = 1045.0;

/// Projection from WGS84 to map pixels.
struct View {
    plane: LocalPlane,
    /// Pixels per metre.
    k: f64,
    /// Plane centre of the extent, metres.
    centre: [f64; 2],
    /// Outline tolerance in pixels.
    tol_px: f64,
}

impl View {
    /// Fits `bbox` (WGS84) into the map rectangle with a margin.
    fn new(b: [f64; 4], simplify_m: f64) -> View {
        let (b, ok) = if b[0].is_finite() {
            (b, true)
        } else {
            ([0.0, 0.0, 0.0, 0.0], false)
        };
        let plane = LocalPlane::new([0.5 * (b[0] + b[2]), 0.5 * (b[1] + b[3])]);
        let corners =
            [[b[0], b[1]], [b[2], b[1]], [b[0], b[3]], [b[2], b[3]]].map(|c| plane.project(c));
        let (mut x0, mut y0, mut x1, mut y1) =
            (f64::INFINITY, f64::INFINITY, -f64::INFINITY, -f64::INFINITY);
        for c in corners {
            x0 = x0.min(c[0]);
            y0 = y0.min(c[1]);
            x1 = x1.max(c[0]);
            y1 = y1.max(c[1]);
        }
        let (wm, hm) = ((x1 - x0).max(1.0), (y1 - y0).max(1.0));
        let k = if ok {
            (MAP.w * 0.92 / wm).min(MAP.h * 0.9 / hm)
        } else {
            1.0
        };
        View {
            plane,
            k,
            centre: [0.5 * (x0 + x1), 0.5 * (y0 + y1)],
            tol_px: (simplify_m * k).max(0.35),
        }
    }

    fn px(&self, p: [f64; 2]) -> [f64; 2] {
        let q = self.plane.project(p);
        [
            MAP.x + 0.5 * MAP.w + (q[0] - self.centre[0]) * self.k,
            MAP.y + 0.5 * MAP.h - (q[1] - self.centre[1]) * self.k,
        ]
    }

    /// SVG path data of polygons (rings closed, holes included: draw with `fill-rule="evenodd"`).
    fn path(&self, mp: &MultiPolygon<f64>) -> String {
        let mut d = String::new();
        for p in &mp.0 {
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                let px = LineString(
                    ring.0
                        .iter()
                        .map(|c| {
                            let q = self.px([c.x, c.y]);
                            Coord { x: q[0], y: q[1] }
                        })
                        .collect(),
                )
                .simplify(self.tol_px);
                if px.0.len() < 4 {
                    continue;
                }
                for (i, c) in px.0.iter().take(px.0.len() - 1).enumerate() {
                    let _ = write!(d, "{}{:.1} {:.1}", if i == 0 { "M" } else { "L" }, c.x, c.y);
                }
                d.push('Z');
            }
        }
        d
    }

    /// Metres per pixel.
    fn metres_per_px(&self) -> f64 {
        1.0 / self.k
    }
}

/// How a legend entry is drawn.
enum Swatch {
    /// A filled box.
    Fill {
        fill: String,
        opacity: f64,
        stroke: String,
    },
    /// A dot.
    Dot { fill: String },
}

/// All maps of a report: the complete share by zone, one coverage map per profile category, the
/// facilities by category, and one map of the new sites per category sited.
pub fn maps(data: &ReportData, simplify_m: f64) -> Vec<Map> {
    let extent = bbox(
        data.zones
            .geometry
            .iter()
            .flatten()
            .chain(data.facilities.geometry.iter().flatten()),
    );
    // Zones only, when they are given: facilities far outside would shrink the map.
    let zb = bbox(data.zones.geometry.iter().flatten());
    let view = View::new(if zb[0].is_finite() { zb } else { extent }, simplify_m);
    let zones = ZoneShapes::new(data, &view);
    let view = &MapBase { view, zones };
    let mut out = vec![complete_share_map(data, view)];
    for c in data.categories().iter().filter(|c| c.in_profile) {
        out.push(coverage_map(data, view, &c.name));
    }
    out.push(facilities_map(data, view));
    if let Some(sites) = &data.sites {
        let mut cats: Vec<String> = (0..sites.rows.len())
            .map(|r| ReportData::text(sites, r, "category"))
            .collect();
        cats.dedup();
        for c in cats {
            out.push(sites_map(data, sites, view, &c));
        }
    }
    out
}

fn zone_polygons(data: &ReportData, z: usize) -> MultiPolygon<f64> {
    data.zones
        .geometry
        .as_ref()
        .map(|g| polygons(&g[z]))
        .unwrap_or_else(|| MultiPolygon(Vec::new()))
}

/// The view of every map of a report, with the zone outlines and label positions drawn once for
/// all of them.
struct MapBase {
    view: View,
    zones: ZoneShapes,
}

impl std::ops::Deref for MapBase {
    type Target = View;
    fn deref(&self) -> &View {
        &self.view
    }
}

/// Zone outlines as SVG path data and the pixel position of each zone's label (a point inside
/// the zone; `None` for an empty zone), in zone order.
struct ZoneShapes {
    paths: Vec<String>,
    labels: Vec<Option<[f64; 2]>>,
    /// Zone numbers, largest zone first: the order labels are placed in.
    by_size: Vec<usize>,
}

impl ZoneShapes {
    fn new(data: &ReportData, view: &View) -> ZoneShapes {
        use geo::Area;
        let shapes: Vec<(String, Option<[f64; 2]>, f64)> = (0..data.zones.rows.len())
            .into_par_iter()
            .map(|z| {
                let mp = zone_polygons(data, z);
                let at = mp.interior_point().map(|p| view.px([p.x(), p.y()]));
                (view.path(&mp), at, mp.unsigned_area())
            })
            .collect();
        let mut by_size: Vec<usize> = (0..shapes.len()).collect();
        by_size.sort_by(|&a, &b| shapes[b].2.total_cmp(&shapes[a].2).then(a.cmp(&b)));
        let (paths, labels) = shapes.into_iter().map(|(p, l, _)| (p, l)).unzip();
        ZoneShapes {
            paths,
            labels,
            by_size,
        }
    }
}

/// Width in pixels of `text` at `size` pixels: CJK characters a full em, others about half.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| if (c as u32) < 0x2e80 { 0.55 } else { 1.0 })
        .sum::<f64>()
        * size
}

/// Zone outlines (and optionally fills).
fn zones_body(base: &MapBase, fill: &dyn Fn(usize) -> (String, f64)) -> String {
    let mut s = String::new();
    for (z, d) in base.zones.paths.iter().enumerate() {
        let (f, o) = fill(z);
        let _ = writeln!(
            s,
            r##"<path d="{d}" fill="{f}" fill-opacity="{o}" fill-rule="evenodd" stroke="#555" stroke-width="1.2"/>"##,
        );
    }
    s
}

/// Zone names at a point inside each zone, with an optional second line. Labels are placed
/// largest zone first, each at its point or moved up or down by up to a line; a label that
/// would still overlap one already placed is left out (the zone table has every name).
fn zone_labels(
    data: &ReportData,
    base: &MapBase,
    second_line: &dyn Fn(usize) -> Option<String>,
) -> String {
    let mut s = String::new();
    let mut placed: Vec<[f64; 4]> = Vec::new();
    let overlaps = |b: &[f64; 4], placed: &[[f64; 4]]| {
        placed
            .iter()
            .any(|p| b[0] < p[2] && p[0] < b[2] && b[1] < p[3] && p[1] < b[3])
    };
    let mut left_out = 0;
    for &z in &base.zones.by_size {
        let Some([x, y0]) = base.zones.labels[z] else {
            continue;
        };
        let name = ReportData::text(&data.zones, z, "zone_name");
        let second = second_line(z);
        let w = text_width(&name, 14.0).max(second.as_deref().map_or(0.0, |t| text_width(t, 13.0)));
        let h = if second.is_some() { 32.0 } else { 17.0 };
        let spot = [0.0, -9.0, 9.0, -18.0, 18.0].into_iter().find_map(|dy| {
            let y = y0 + dy;
            let b = [
                x - 0.5 * w - 2.0,
                y - 14.0,
                x + 0.5 * w + 2.0,
                y - 14.0 + h + 2.0,
            ];
            (!overlaps(&b, &placed)).then_some((y, b))
        });
        let Some((y, b)) = spot else {
            left_out += 1;
            continue;
        };
        placed.push(b);
        let halo =
            r##"stroke="#fff" stroke-width="3" stroke-linejoin="round" paint-order="stroke""##;
        let _ = writeln!(
            s,
            r##"<text x="{x:.1}" y="{y:.1}" font-size="14" text-anchor="middle" fill="#222" {halo}>{}</text>"##,
            escape(&name)
        );
        if let Some(t) = second {
            let _ = writeln!(
                s,
                r##"<text x="{x:.1}" y="{:.1}" font-size="13" font-weight="bold" text-anchor="middle" fill="#222" {halo}>{}</text>"##,
                y + 16.0,
                escape(&t)
            );
        }
    }
    if left_out > 0 {
        let _ = writeln!(
            s,
            r##"<desc>{left_out} zone labels left out where they would overlap</desc>"##
        );
    }
    s
}

/// Facilities (of one category, or all) as dots of radius `r`. Past [`MANY_DOTS`] the dots
/// shrink (area in proportion, to a radius of at least 1 px) and lose their outline, so that a
/// city's tens of thousands read as densities; categories with more facilities are drawn first,
/// so the rarer ones stay on top.
fn dots(
    data: &ReportData,
    view: &View,
    category: Option<&str>,
    colour: &dyn Fn(&str) -> String,
    r: f64,
) -> String {
    let mut s = String::new();
    let Some(geoms) = &data.facilities.geometry else {
        return s;
    };
    let mut pts: Vec<(String, [f64; 2])> = Vec::new();
    for (i, g) in geoms.iter().enumerate() {
        let cat = ReportData::text(&data.facilities, i, "category");
        if category.is_some_and(|c| c != cat) {
            continue;
        }
        let Geometry::Point(p) = g else {
            continue;
        };
        pts.push((cat, view.px([p.x(), p.y()])));
    }
    let n = pts.len();
    let (r, stroke) = if n > MANY_DOTS {
        ((r * (MANY_DOTS as f64 / n as f64).sqrt()).max(1.0), 0.0)
    } else {
        (r, 1.2)
    };
    let mut count: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for (c, _) in &pts {
        *count.entry(c.as_str()).or_default() += 1;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(count[pts[i].0.as_str()]));
    for i in order {
        let (cat, [x, y]) = &pts[i];
        let _ = writeln!(
            s,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="{r:.2}" fill="{}" stroke="#fff" stroke-width="{stroke}"/>"##,
            colour(cat)
        );
    }
    s
}

/// Facilities above which a map's dots shrink (see [`dots`]).
pub const MANY_DOTS: usize = 2000;

/// The gap areas in `rows` of the gaps layer as one path (the areas of one kind never overlap,
/// so the even-odd rule keeps their holes and nothing else).
fn gap_path(data: &ReportData, view: &View, rows: &[usize], opacity: f64) -> String {
    let Some(g) = &data.gaps.geometry else {
        return String::new();
    };
    let d: String = rows.iter().map(|&r| view.path(&polygons(&g[r]))).collect();
    if d.is_empty() {
        return d;
    }
    format!(
        "<path d=\"{d}\" fill=\"{GAP_COLOUR}\" fill-opacity=\"{opacity}\" fill-rule=\"evenodd\" \
         stroke=\"{GAP_COLOUR}\" stroke-width=\"0.8\"/>\n"
    )
}

fn complete_share_map(data: &ReportData, view: &MapBase) -> Map {
    let s = &data.summary;
    let h = &s["complete_life_circle"];
    let label = h["label"].as_str().unwrap_or("完整生活圈");
    let circle = s["circles"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["circle"] == h["circle"]));
    let target = circle.and_then(|c| c["target"].as_f64());
    let title = format!("{label}覆盖率（按街镇）");
    let mut subtitle = format!(
        "全域覆盖率 {}，未覆盖人口 {:.0}",
        percent(h["share"].as_f64()),
        h["uncovered"].as_f64().unwrap_or(0.0)
    );
    if let Some(t) = target {
        let meeting = circle
            .and_then(|c| c["zones_meeting_target"].as_u64())
            .unwrap_or(0);
        let _ = write!(
            subtitle,
            "；目标 {}，{meeting}/{} 个街镇达标",
            percent(Some(t)),
            data.zones.rows.len()
        );
    }
    let share = |z: usize| ReportData::number(&data.zones, z, "complete_share");
    let mut body = zones_body(view, &|z| match share(z) {
        Some(v) => (SHARE_COLOURS[share_class(v)].to_string(), 0.9),
        None => (NO_DATA_COLOUR.to_string(), 0.9),
    });
    body += &zone_labels(data, view, &|z| Some(percent(share(z))));
    let mut legend: Vec<(Swatch, String)> = SHARE_COLOURS
        .iter()
        .zip(SHARE_LABELS)
        .rev()
        .map(|(c, l)| {
            (
                Swatch::Fill {
                    fill: c.to_string(),
                    opacity: 0.9,
                    stroke: "#555".into(),
                },
                l.to_string(),
            )
        })
        .collect();
    legend.push((
        Swatch::Fill {
            fill: NO_DATA_COLOUR.into(),
            opacity: 0.9,
            stroke: "#555".into(),
        },
        "无人口".into(),
    ));
    Map {
        stem: "complete_share".into(),
        svg: frame(data, view, &title, &subtitle, "人口覆盖率", &legend, &body),
        title,
    }
}

fn coverage_map(data: &ReportData, view: &MapBase, category: &str) -> Map {
    let cats = data.categories();
    let cat = cats.iter().find(|c| c.name == category).expect("listed");
    let cs = data.category_summary(category);
    let threshold = cs
        .and_then(|c| c["threshold"].as_str())
        .unwrap_or("")
        .to_string();
    let title = format!("{}：{}服务范围与缺口", cat.label, threshold_zh(&threshold));
    let n_fac = (0..data.facilities.rows.len())
        .filter(|&r| ReportData::text(&data.facilities, r, "category") == category)
        .count();
    let gap_rows: Vec<usize> = (0..data.gaps.rows.len())
        .filter(|&r| ReportData::text(&data.gaps, r, "gap_for") == category)
        .collect();
    let gap_pop: f64 = gap_rows
        .iter()
        .filter_map(|&r| ReportData::number(&data.gaps, r, "population"))
        .sum();
    let measured = cs.and_then(|c| c["measured_for"].as_str()).unwrap_or("");
    let measured = if measured == "all residents" || measured.is_empty() {
        "全体居民".to_string()
    } else {
        measured.to_string()
    };
    let subtitle = format!(
        "覆盖率 {}（{measured}）；设施 {n_fac} 处；缺口区域 {} 处，未覆盖人口 {:.0}",
        percent(cs.and_then(|c| c["share"].as_f64())),
        gap_rows.len(),
        gap_pop
    );
    let mut body = zones_body(view, &|_| ("#f7f7f7".into(), 1.0));
    // Gap areas first, the service area over them.
    body += &gap_path(data, view, &gap_rows, 0.55);
    // The service area at the category's own threshold (else its first one).
    let mut area_note = None;
    if let Some(sa) = &data.service_areas {
        let rows: Vec<usize> = (0..sa.rows.len())
            .filter(|&r| ReportData::text(sa, r, "category") == category)
            .collect();
        let pick = rows
            .iter()
            .copied()
            .find(|&r| ReportData::text(sa, r, "threshold") == threshold)
            .or_else(|| rows.first().copied());
        if let (Some(r), Some(g)) = (pick, &sa.geometry) {
            let _ = writeln!(
                body,
                r#"<path d="{}" fill="{SERVICE_AREA_COLOUR}" fill-opacity="0.35" fill-rule="evenodd" stroke="{SERVICE_AREA_COLOUR}" stroke-width="0.8"/>"#,
                view.path(&polygons(&g[r]))
            );
            area_note = Some(format!(
                "服务范围（{}，道路两侧{}米）",
                threshold_zh(&ReportData::text(sa, r, "threshold")),
                short(ReportData::number(sa, r, "buffer_m").unwrap_or(0.0))
            ));
        }
    }
    body += &zone_labels(data, view, &|_| None);
    body += &dots(data, view, Some(category), &|_| "#222".into(), 5.0);
    let mut legend = Vec::new();
    if let Some(n) = area_note {
        legend.push((
            Swatch::Fill {
                fill: SERVICE_AREA_COLOUR.into(),
                opacity: 0.35,
                stroke: SERVICE_AREA_COLOUR.into(),
            },
            n,
        ));
    }
    legend.push((
        Swatch::Fill {
            fill: GAP_COLOUR.into(),
            opacity: 0.55,
            stroke: GAP_COLOUR.into(),
        },
        "服务缺口（未覆盖的居住区）".into(),
    ));
    legend.push((
        Swatch::Dot {
            fill: "#222".into(),
        },
        format!("{}（{n_fac}处）", cat.label),
    ));
    legend.push((
        Swatch::Fill {
            fill: "#f7f7f7".into(),
            opacity: 1.0,
            stroke: "#555".into(),
        },
        "街镇".into(),
    ));
    Map {
        stem: format!("coverage_{}", file_safe(category)),
        svg: frame(data, view, &title, &subtitle, "图例", &legend, &body),
        title,
    }
}

fn facilities_map(data: &ReportData, view: &MapBase) -> Map {
    let cats = data.categories();
    let title = "公共服务设施分布（按类别）".to_string();
    let subtitle = format!("设施共 {} 处", data.facilities.rows.len());
    let mut body = zones_body(view, &|_| ("#f7f7f7".into(), 1.0));
    body += &zone_labels(data, view, &|_| None);
    let colour = |c: &str| {
        cats.iter()
            .find(|x| x.name == c)
            .map(|x| x.colour)
            .unwrap_or("#777")
            .to_string()
    };
    body += &dots(data, view, None, &colour, 5.0);
    let mut legend: Vec<(Swatch, String)> = Vec::new();
    for c in &cats {
        let n = (0..data.facilities.rows.len())
            .filter(|&r| ReportData::text(&data.facilities, r, "category") == c.name)
            .count();
        if n == 0 && !c.in_profile {
            continue;
        }
        legend.push((
            Swatch::Dot {
                fill: c.colour.into(),
            },
            format!("{}（{n}）", c.label),
        ));
    }
    Map {
        stem: "facilities".into(),
        svg: frame(
            data,
            view,
            &title,
            &subtitle,
            "设施类别（处）",
            &legend,
            &body,
        ),
        title,
    }
}

/// Colour of new sites.
pub const SITE_COLOUR: &str = "#e31a1c";

/// New sites of one category over its gaps and existing facilities, each site numbered by rank.
fn sites_map(
    data: &ReportData,
    sites: &crate::output::Layer,
    view: &MapBase,
    category: &str,
) -> Map {
    let label = data
        .categories()
        .iter()
        .find(|c| c.name == category)
        .map(|c| c.label.clone())
        .unwrap_or_else(|| category.to_string());
    let run = data.summary["siting"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["category"] == category));
    let minutes = run
        .and_then(|r| r["threshold_minutes"].as_f64())
        .map(|m| format!("{}分钟", short(m)))
        .unwrap_or_default();
    let title = format!("{label}：新增设施选址（{minutes}）");
    let rows: Vec<usize> = (0..sites.rows.len())
        .filter(|&r| ReportData::text(sites, r, "category") == category)
        .collect();
    let added: f64 = rows
        .iter()
        .filter_map(|&r| ReportData::number(sites, r, "added_population"))
        .sum();
    let proof = match run {
        Some(r) if r["optimal"].as_bool() == Some(true) => "已证明最优".to_string(),
        Some(r) => format!(
            "与最优解差距不超过 {:.2}%",
            r["proven_gap"].as_f64().unwrap_or(0.0) * 100.0
        ),
        None => String::new(),
    };
    let subtitle = format!(
        "新增 {} 处，新增覆盖人口 {:.0}（{}，{proof}）",
        rows.len(),
        added,
        run.and_then(|r| r["method"].as_str()).unwrap_or("")
    );
    let mut body = zones_body(view, &|_| ("#f7f7f7".into(), 1.0));
    let gap_rows: Vec<usize> = (0..data.gaps.rows.len())
        .filter(|&r| ReportData::text(&data.gaps, r, "gap_for") == category)
        .collect();
    body += &gap_path(data, view, &gap_rows, 0.45);
    body += &zone_labels(data, view, &|_| None);
    body += &dots(data, view, Some(category), &|_| "#222".into(), 5.0);
    if let Some(g) = &sites.geometry {
        for &r in &rows {
            let Geometry::Point(p) = &g[r] else { continue };
            let [x, y] = view.px([p.x(), p.y()]);
            let rank = ReportData::number(sites, r, "rank").unwrap_or(0.0);
            let _ = writeln!(
                body,
                r##"<circle cx="{x:.1}" cy="{y:.1}" r="11" fill="{SITE_COLOUR}" stroke="#fff" stroke-width="2"/><text x="{x:.1}" y="{:.1}" font-size="13" font-weight="bold" fill="#fff" text-anchor="middle">{rank:.0}</text>"##,
                y + 4.5
            );
        }
    }
    let legend = vec![
        (
            Swatch::Fill {
                fill: GAP_COLOUR.into(),
                opacity: 0.45,
                stroke: GAP_COLOUR.into(),
            },
            "服务缺口（选址前）".to_string(),
        ),
        (
            Swatch::Dot {
                fill: "#222".into(),
            },
            format!("现有{label}"),
        ),
        (
            Swatch::Dot {
                fill: SITE_COLOUR.into(),
            },
            "新增选址（数字为排序）".to_string(),
        ),
    ];
    Map {
        stem: format!("sites_{}", file_safe(category)),
        svg: frame(data, view, &title, &subtitle, "图例", &legend, &body),
        title,
    }
}

/// `15 min` → `15分钟`, `5000 m` → `5000米`.
pub fn threshold_zh(t: &str) -> String {
    if let Some(m) = t.strip_suffix(" min") {
        format!("{m}分钟")
    } else if let Some(m) = t.strip_suffix(" m") {
        format!("{m}米")
    } else {
        t.to_string()
    }
}

/// A category name usable in a file name (ASCII letters, digits, `-` and `_`; others as `_`).
pub fn file_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A round scale-bar length in metres (1, 2 or 5 × 10ⁿ) not longer than `max_m`.
pub fn nice_length(max_m: f64) -> f64 {
    let p = 10f64.powf(max_m.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|f| f * p)
        .find(|&l| l <= max_m)
        .unwrap_or(p)
}

/// A length for labels: up to two decimals, trailing zeros removed.
fn short(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The labels of a scale bar of `len_m` metres: its middle and its end (with the unit: km from
/// 1 km on, else m).
fn scale_labels(len_m: f64) -> (String, String) {
    let (div, unit) = if len_m >= 1000.0 {
        (1000.0, "km")
    } else {
        (1.0, "m")
    };
    (
        short(len_m / 2.0 / div),
        format!("{} {unit}", short(len_m / div)),
    )
}

/// The whole SVG document around a map body.
fn frame(
    data: &ReportData,
    view: &View,
    title: &str,
    subtitle: &str,
    legend_title: &str,
    legend: &[(Swatch, String)],
    body: &str,
) -> String {
    let mut s = String::with_capacity(body.len() + 8192);
    let _ = writeln!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{FONT_FAMILY}">"##
    );
    let _ = writeln!(s, "<title>{}</title>", escape(title));
    let _ = writeln!(
        s,
        r##"<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>"##
    );
    let _ = writeln!(
        s,
        r##"<text x="20" y="44" font-size="28" font-weight="bold" fill="#111">{}</text>"##,
        escape(title)
    );
    let _ = writeln!(
        s,
        r##"<text x="20" y="78" font-size="17" fill="#444">{}</text>"##,
        escape(subtitle)
    );
    let Rect { x, y, w, h } = MAP;
    let _ = writeln!(
        s,
        r##"<defs><clipPath id="map-area"><rect x="{x}" y="{y}" width="{w}" height="{h}"/></clipPath></defs>"##
    );
    let _ = writeln!(
        s,
        r##"<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="#eef3f7"/>"##
    );
    let _ = writeln!(s, r##"<g clip-path="url(#map-area)">"##);
    s += body;
    s += "</g>\n";
    let _ = writeln!(
        s,
        r##"<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="none" stroke="#333" stroke-width="1"/>"##
    );
    s += &scale_bar(view);
    s += &north_arrow();
    // Legend.
    let mut ly = MAP.y + 10.0;
    let _ = writeln!(
        s,
        r##"<text x="{LEGEND_X}" y="{:.1}" font-size="19" font-weight="bold" fill="#111">{}</text>"##,
        ly + 18.0,
        escape(legend_title)
    );
    ly += 40.0;
    for (sw, label) in legend {
        match sw {
            Swatch::Fill {
                fill,
                opacity,
                stroke,
            } => {
                let _ = writeln!(
                    s,
                    r##"<rect x="{LEGEND_X}" y="{ly:.1}" width="30" height="20" fill="{fill}" fill-opacity="{opacity}" stroke="{stroke}" stroke-width="1"/>"##
                );
            }
            Swatch::Dot { fill } => {
                let _ = writeln!(
                    s,
                    r##"<circle cx="{:.1}" cy="{:.1}" r="6" fill="{fill}" stroke="#fff" stroke-width="1.2"/>"##,
                    LEGEND_X + 15.0,
                    ly + 10.0
                );
            }
        }
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="15" fill="#222">{}</text>"##,
            LEGEND_X + 40.0,
            ly + 15.5,
            escape(label)
        );
        ly += 30.0;
    }
    // Footer.
    let profile = data.summary["profile"]["title"].as_str().unwrap_or("");
    let _ = writeln!(
        s,
        r##"<text x="20" y="{:.1}" font-size="13" fill="#555">{}</text>"##,
        MAP.y + MAP.h + 24.0,
        escape(&format!(
            "{} · 标准：{} · 坐标：WGS84，局部平面投影（北向上）",
            data.title, profile
        ))
    );
    s += "</svg>\n";
    s
}

fn scale_bar(view: &View) -> String {
    let max_m = 0.25 * MAP.w * view.metres_per_px();
    let len_m = nice_length(max_m);
    let len_px = len_m / view.metres_per_px();
    let (x, y) = (MAP.x + 24.0, MAP.y + MAP.h - 34.0);
    let mut s = String::new();
    let _ = writeln!(
        s,
        r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="46" fill="#fff" fill-opacity="0.8"/>"##,
        x - 12.0,
        y - 26.0,
        len_px + 60.0
    );
    let half = len_px / 2.0;
    for (i, fill) in ["#222", "#fff"].iter().enumerate() {
        let _ = writeln!(
            s,
            r##"<rect x="{:.1}" y="{y:.1}" width="{half:.1}" height="8" fill="{fill}" stroke="#222" stroke-width="1"/>"##,
            x + i as f64 * half
        );
    }
    let (mid, end) = scale_labels(len_m);
    for (f, label) in [(0.0, "0".to_string()), (0.5, mid), (1.0, end)] {
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="13" text-anchor="{}" fill="#222">{}</text>"##,
            x + f * len_px,
            y - 6.0,
            if f == 1.0 { "start" } else { "middle" },
            label
        );
    }
    s
}

fn north_arrow() -> String {
    let (cx, top) = (MAP.x + MAP.w - 40.0, MAP.y + 22.0);
    format!(
        r##"<g><circle cx="{cx}" cy="{:.1}" r="26" fill="#fff" fill-opacity="0.8"/>
<path d="M{cx} {top} L{:.1} {:.1} L{cx} {:.1} Z" fill="#222"/>
<path d="M{cx} {top} L{:.1} {:.1} L{cx} {:.1} Z" fill="#fff" stroke="#222" stroke-width="1"/>
<text x="{cx}" y="{:.1}" font-size="15" font-weight="bold" text-anchor="middle" fill="#222">N</text></g>
"##,
        top + 26.0,
        cx - 10.0,
        top + 40.0,
        top + 32.0,
        cx + 10.0,
        top + 40.0,
        top + 32.0,
        top + 56.0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_lengths_and_classes() {
        assert_eq!(nice_length(2600.0), 2000.0);
        assert_eq!(nice_length(999.0), 500.0);
        assert_eq!(nice_length(7.0), 5.0);
        assert_eq!(nice_length(1000.0), 1000.0);
        assert_eq!(share_class(0.0), 0);
        assert_eq!(share_class(0.2), 1);
        assert_eq!(share_class(0.79), 3);
        assert_eq!(share_class(1.0), 4);
        assert_eq!(threshold_zh("15 min"), "15分钟");
        assert_eq!(threshold_zh("5000 m"), "5000米");
        assert_eq!(scale_labels(2000.0), ("1".into(), "2 km".into()));
        assert_eq!(scale_labels(1000.0), ("0.5".into(), "1 km".into()));
        assert_eq!(scale_labels(500.0), ("250".into(), "500 m".into()));
        assert_eq!(file_safe("elderly_care"), "elderly_care");
        assert_eq!(file_safe("a/b c"), "a_b_c");
    }
}
