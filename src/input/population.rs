//! Demand with population, from the sources planners have: points with a population column,
//! census or planning polygons with their population, population rasters, or
//! OpenStreetMap residential buildings.
//!
//! Census polygon populations are spread onto the residential buildings inside each census polygon
//! by floor area, or onto a regular grid of points when no building data is given or a census
//! polygon has no building; the total is conserved up to floating-point rounding. Population groups
//! (e.g. residents aged 60+) are carried along in the same shares.

use super::osm::{read_osm, OsmRequest};
use super::points::{demand_value, read_demand_points, FileKind, PointSource};
use super::raster::read_raster_demand;
use super::table::names;
use super::vector::{read_layer, VectorLayer};
use crate::crs::Crs;
use crate::error::{Error, ErrorKind, Result};
use crate::geodesy::{metres_per_degree, multipolygon_area_m2};
use crate::places::{DemandPoint, DemandSet};
use geo::{BoundingRect, Contains, InteriorPoint, Intersects};
use geo_types::{Geometry, MultiPolygon, Point};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::RTree;
use std::path::{Path, PathBuf};

/// Where demand comes from.
#[derive(Debug, Clone)]
pub enum DemandSource {
    /// Points (a CSV/XLSX table or a GDAL layer; polygons give a point on their surface) with an
    /// optional population column and population groups.
    Points {
        /// The file.
        path: PathBuf,
        /// Coordinate system, encoding, coordinate columns and layer of the file.
        source: PointSource,
        /// Population column; `None` looks for one named `population`, `pop`, `人口` or
        /// `常住人口` and leaves the population unset when there is none.
        population_field: Option<String>,
        /// Population groups read from their columns.
        groups: Vec<GroupField>,
    },
    /// Census polygons (a GDAL polygon layer) with a population column. Each census polygon's
    /// population and groups are spread onto the residential buildings whose surface point lies
    /// inside it, in proportion to floor area, when `buildings` is given; otherwise, and for census
    /// polygons without a building, onto points of a regular grid of `sample_spacing_m` metres
    /// inside the census polygon (at least one: a point on its surface), in equal shares. Census
    /// polygons whose population and groups are all zero give no points. A building inside
    /// overlapping census polygons goes to the first of them in layer order.
    Polygons {
        /// The census polygons file.
        path: PathBuf,
        /// Coordinate system, encoding and layer of the census polygons file.
        source: PointSource,
        /// Population column (required).
        population_field: String,
        /// Population groups read from their columns, spread like the population.
        groups: Vec<GroupField>,
        /// Buildings to spread the population onto.
        buildings: Option<BuildingSource>,
        /// Grid spacing in metres for census polygons spread onto sample points.
        sample_spacing_m: f64,
    },
    /// A population raster (GeoTIFF or anything GDAL reads): one point per cell with a positive
    /// value, at the cell centre, ids `r{row}_{col}` (0-based from the top left). Cells with the
    /// band's nodata value, NaN, zero or negative values are skipped. No groups.
    Raster {
        /// The raster file.
        path: PathBuf,
        /// Band number, from 1.
        band: usize,
        /// Coordinate system of the raster; `None`: the raster's own.
        crs: Option<Crs>,
    },
    /// Residential buildings of an OpenStreetMap extract (see
    /// [`super::osm::is_residential_building`]), weighted by floor area (footprint × levels).
    /// Buildings without a usable footprint (not closed, cut at the edge of the extract) are
    /// left out and counted. No groups.
    OsmBuildings {
        /// The `.osm.pbf` file.
        path: PathBuf,
        /// Scale the weights so that they add up to this population; `None`: the population of
        /// each building is its floor area in m² (a relative demand).
        total_population: Option<f64>,
    },
}

/// A population group (e.g. residents aged 60+) read from a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupField {
    /// The group's name in results, e.g. `age_60plus`.
    pub name: String,
    /// The column or field holding it, e.g. `60岁以上`.
    pub field: String,
}

impl GroupField {
    /// A group `name` read from column `field`.
    pub fn new(name: impl Into<String>, field: impl Into<String>) -> Self {
        GroupField {
            name: name.into(),
            field: field.into(),
        }
    }
}

/// Buildings to spread census polygon populations onto.
#[derive(Debug, Clone)]
pub struct BuildingSource {
    /// An `.osm.pbf` file (its residential buildings, floors from `building:levels`) or a GDAL
    /// polygon layer (every feature a residential building).
    pub path: PathBuf,
    /// Coordinate system, encoding and layer of a GDAL layer; not used for `.osm.pbf` files.
    pub source: PointSource,
    /// Floors column of a GDAL layer; `None` looks for one of [`LEVELS_FIELDS`]. Empty values
    /// count as 1 floor; other values must be positive numbers. Without such a column every
    /// building has 1 floor, and [`DemandReport::building_layer_without_levels`] says so.
    pub levels_field: Option<String>,
}

impl BuildingSource {
    /// Buildings from `path`, with the file's own coordinate system and the floors column found
    /// by name.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        BuildingSource {
            path: path.into(),
            source: PointSource::default(),
            levels_field: None,
        }
    }
}

/// Names of the floors column of a building layer, compared ignoring case, in order of
/// preference. `building_l` is `building:levels` cut to a Shapefile's 10 characters.
pub const LEVELS_FIELDS: &[&str] = &[
    "levels",
    "building:levels",
    "building_levels",
    "building_l",
    "floors",
    "floor",
    "storeys",
    "层数",
    "建筑层数",
    "地上层数",
    "楼层数",
    "楼层",
];

/// Grids larger than this many cells per census polygon are refused (the spacing is too fine).
const MAX_GRID_CELLS: f64 = crate::bounds::MAX_SAMPLE_POINTS;

/// What reading demand had to work around, for the log.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct DemandReport {
    /// Ids of the census polygons with population but no building inside, spread on the grid
    /// instead (only when buildings were given).
    pub polygons_without_buildings: Vec<String>,
    /// Census polygons whose population and groups are all zero (no points).
    pub polygons_without_population: usize,
    /// Buildings read: OSM building ways, or features of a building layer.
    pub buildings: usize,
    /// Residential buildings among them (every feature of a building layer).
    pub residential_buildings: usize,
    /// Residential buildings left out for lack of a usable footprint: zero area, or an OSM way
    /// that is not closed or lost nodes at the edge of the extract.
    pub buildings_without_area: usize,
    /// A building layer that has none of the [`LEVELS_FIELDS`] (and no `levels_field` was
    /// given): its path and field names. Every building counted as one floor.
    pub building_layer_without_levels: Option<(PathBuf, Vec<String>)>,
    /// Buildings (with a footprint) outside every census polygon.
    pub buildings_outside_polygons: usize,
    /// OSM multipolygon relations tagged `building`, not used.
    pub building_relations_skipped: usize,
    /// Raster cells with the nodata value or NaN.
    pub raster_cells_nodata: usize,
    /// Raster cells with zero or a negative value.
    pub raster_cells_not_positive: usize,
}

impl DemandReport {
    /// One line per thing worth telling the user, empty when nothing is.
    pub fn notes(&self) -> Vec<String> {
        let mut n = Vec::new();
        if self.buildings > 0 {
            n.push(format!(
                "{} buildings, {} residential",
                self.buildings, self.residential_buildings
            ));
        }
        if self.buildings_without_area > 0 {
            n.push(format!(
                "{} residential buildings have no usable footprint (not closed, or cut at the edge of the extract) and are not used",
                self.buildings_without_area
            ));
        }
        if self.building_relations_skipped > 0 {
            n.push(format!(
                "{} buildings mapped as multipolygon relations are not used",
                self.building_relations_skipped
            ));
        }
        if let Some((path, fields)) = &self.building_layer_without_levels {
            n.push(format!(
                "building layer {} has no floors field (looked for {}; its fields: {}): every building counts as one floor; name the field with [demand] levels_field",
                path.display(),
                LEVELS_FIELDS.join(", "),
                fields.join(", ")
            ));
        }
        if self.buildings_outside_polygons > 0 {
            n.push(format!(
                "{} buildings lie outside every census polygon and are not used",
                self.buildings_outside_polygons
            ));
        }
        if !self.polygons_without_buildings.is_empty() {
            let ids = &self.polygons_without_buildings;
            n.push(format!(
                "{} census polygons with population have no building inside; their population is spread on a grid ({}{})",
                ids.len(),
                ids.iter().take(10).cloned().collect::<Vec<_>>().join(", "),
                if ids.len() > 10 { ", ..." } else { "" }
            ));
        }
        if self.polygons_without_population > 0 {
            n.push(format!(
                "{} census polygons have no population and give no demand points",
                self.polygons_without_population
            ));
        }
        if self.raster_cells_nodata + self.raster_cells_not_positive > 0 {
            n.push(format!(
                "raster: {} cells without data and {} with zero or negative values skipped",
                self.raster_cells_nodata, self.raster_cells_not_positive
            ));
        }
        n
    }
}

/// Reads demand points with their population and groups, with a report of what was left out or
/// worked around. An input that gives no point at all is an error.
///
/// A population or group column that is named but absent is an error naming the file and
/// column; an empty, non-numeric or negative value is an error naming the row (or feature) and
/// column.
pub fn read_demand_source(src: &DemandSource) -> Result<(DemandSet, DemandReport)> {
    let mut report = DemandReport::default();
    let (set, path) = match src {
        DemandSource::Points {
            path,
            source,
            population_field,
            groups,
        } => (
            read_demand_points(path, source, population_field.as_deref(), groups)?,
            path,
        ),
        DemandSource::Polygons {
            path,
            source,
            population_field,
            groups,
            buildings,
            sample_spacing_m,
        } => (
            read_polygons(
                path,
                source,
                population_field,
                groups,
                buildings.as_ref(),
                *sample_spacing_m,
                &mut report,
            )?,
            path,
        ),
        DemandSource::Raster { path, band, crs } => {
            let r = read_raster_demand(path, *band, *crs)?;
            report.raster_cells_nodata = r.cells_nodata;
            report.raster_cells_not_positive = r.cells_not_positive;
            (
                DemandSet {
                    points: r.points,
                    groups: Vec::new(),
                },
                path,
            )
        }
        DemandSource::OsmBuildings {
            path,
            total_population,
        } => (
            read_osm_buildings(path, *total_population, &mut report)?,
            path,
        ),
    };
    if set.points.is_empty() {
        return Err(Error::new(ErrorKind::Empty, "no demand points found").file(path));
    }
    Ok((set, report))
}

/// Residential OSM buildings weighted by floor area, scaled to `total` when given.
fn read_osm_buildings(
    path: &Path,
    total: Option<f64>,
    report: &mut DemandReport,
) -> Result<DemandSet> {
    if let Some(t) = total {
        if !(t.is_finite() && t > 0.0) {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!("the total population must be a positive number, not {t}"),
            )
            .field("total_population"));
        }
    }
    if FileKind::of(path) != FileKind::OsmPbf {
        return Err(
            Error::new(ErrorKind::Format, "OSM buildings need an .osm.pbf file").file(path),
        );
    }
    let buildings = read_building_file(&BuildingSource::new(path), report)?;
    let sum: f64 = buildings.iter().map(|b| b.floor_area_m2).sum();
    let scale = total.map_or(1.0, |t| t / sum);
    Ok(DemandSet {
        points: buildings
            .into_iter()
            .map(|b| DemandPoint {
                id: b.id,
                location: b.location,
                population: Some(b.floor_area_m2 * scale),
                groups: Vec::new(),
                origin: b.origin,
            })
            .collect(),
        groups: Vec::new(),
    })
}

/// A residential building with a usable footprint.
struct Building {
    id: String,
    location: [f64; 2],
    floor_area_m2: f64,
    origin: String,
}

/// Residential buildings with a positive floor area, in file order.
fn read_building_file(src: &BuildingSource, report: &mut DemandReport) -> Result<Vec<Building>> {
    let path = &src.path;
    let mut out = Vec::new();
    if FileKind::of(path) == FileKind::OsmPbf {
        let d = read_osm(
            path,
            OsmRequest {
                buildings: true,
                building_info: true,
                ..Default::default()
            },
        )?;
        report.buildings += d.buildings.len();
        report.building_relations_skipped += d.report.building_relations_skipped;
        for (p, info) in d.buildings.into_iter().zip(d.building_info) {
            if !info.residential {
                continue;
            }
            report.residential_buildings += 1;
            let floor_area_m2 = info.floor_area_m2();
            if floor_area_m2 > 0.0 && floor_area_m2.is_finite() {
                out.push(Building {
                    id: p.id,
                    location: p.location,
                    floor_area_m2,
                    origin: p.origin,
                });
            } else {
                report.buildings_without_area += 1;
            }
        }
        return Ok(out);
    }
    if FileKind::of(path) == FileKind::Table {
        return Err(Error::new(
            ErrorKind::Format,
            "buildings need a polygon layer (GeoPackage, Shapefile, ...) or an .osm.pbf file",
        )
        .file(path));
    }
    let l = read_layer(
        path,
        src.source.layer.as_deref(),
        src.source.crs,
        src.source.encoding,
    )?;
    let id = l.find_field(names::ID);
    let levels = match &src.levels_field {
        Some(name) => Some(l.field(name)?),
        None => l.find_field(LEVELS_FIELDS),
    };
    if levels.is_none() {
        report.building_layer_without_levels = Some((path.clone(), l.fields.clone()));
    }
    report.buildings += l.features.len();
    report.residential_buildings += l.features.len();
    for f in &l.features {
        let label = VectorLayer::feature_label(f.index);
        let area = multipolygon_area_m2(
            &polygons_of(f.geometry.as_ref()).map_err(|e| e.file(path).at(&label))?,
        );
        let floors = match levels.and_then(|c| f.values[c].as_deref().map(|v| (c, v))) {
            Some((c, v)) if !v.is_empty() => {
                let x = demand_value(Some(v), path, &label, &l.fields[c])?;
                if x == 0.0 {
                    return Err(Error::new(ErrorKind::InvalidValue, "zero floors")
                        .file(path)
                        .at(&label)
                        .field(&l.fields[c]));
                }
                x
            }
            _ => 1.0,
        };
        let floor_area_m2 = area * floors;
        if !(floor_area_m2 > 0.0 && floor_area_m2.is_finite()) {
            report.buildings_without_area += 1;
            continue;
        }
        let location = surface_point(f.geometry.as_ref()).map_err(|e| e.file(path).at(&label))?;
        out.push(Building {
            id: id
                .and_then(|c| f.values[c].clone())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| (f.index + 1).to_string()),
            location,
            floor_area_m2,
            origin: format!("{} {label}", path.display()),
        });
    }
    Ok(out)
}

/// A census polygon: its polygons, population and groups.
struct CensusPolygon {
    id: String,
    origin: String,
    area: MultiPolygon<f64>,
    population: f64,
    groups: Vec<f64>,
}

fn read_polygons(
    path: &Path,
    src: &PointSource,
    population_field: &str,
    groups: &[GroupField],
    buildings: Option<&BuildingSource>,
    spacing_m: f64,
    report: &mut DemandReport,
) -> Result<DemandSet> {
    crate::bounds::SAMPLE_SPACING_M.check(spacing_m, "sample_spacing_m")?;
    if FileKind::of(path) != FileKind::Vector {
        return Err(Error::new(
            ErrorKind::Format,
            "census polygons need a polygon layer (GeoPackage, Shapefile, GeoJSON, ...)",
        )
        .file(path));
    }
    let l = read_layer(path, src.layer.as_deref(), src.crs, src.encoding)?;
    let id = l.find_field(names::ID);
    let pop = l.field(population_field)?;
    let group_cols: Vec<usize> = groups
        .iter()
        .map(|g| l.field(&g.field))
        .collect::<Result<_>>()?;
    let mut polygons = Vec::with_capacity(l.features.len());
    for f in &l.features {
        let label = VectorLayer::feature_label(f.index);
        let value = |c: usize| demand_value(f.values[c].as_deref(), path, &label, &l.fields[c]);
        polygons.push(CensusPolygon {
            id: id
                .and_then(|c| f.values[c].clone())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| (f.index + 1).to_string()),
            origin: format!("{} {label}", path.display()),
            area: polygons_of(f.geometry.as_ref()).map_err(|e| e.file(path).at(&label))?,
            population: value(pop)?,
            groups: group_cols
                .iter()
                .map(|&c| value(c))
                .collect::<Result<_>>()?,
        });
    }

    // Buildings of each census polygon, in file order.
    let mut members: Vec<Vec<Building>> = (0..polygons.len()).map(|_| Vec::new()).collect();
    if let Some(b) = buildings {
        let all = read_building_file(b, report)?;
        let tree = census_tree(&polygons);
        let owner: Vec<Option<usize>> = all
            .par_iter()
            .map(|b| census_of(&tree, &polygons, b.location))
            .collect();
        for (b, z) in all.into_iter().zip(owner) {
            match z {
                Some(z) => members[z].push(b),
                None => report.buildings_outside_polygons += 1,
            }
        }
    }

    let mut points = Vec::new();
    for (z, inside) in polygons.iter().zip(members) {
        if z.population == 0.0 && z.groups.iter().all(|g| *g == 0.0) {
            report.polygons_without_population += 1;
            continue;
        }
        let total: f64 = inside.iter().map(|b| b.floor_area_m2).sum();
        if !inside.is_empty() && total > 0.0 {
            for b in inside {
                let share = b.floor_area_m2 / total;
                points.push(DemandPoint {
                    id: format!("{}/{}", z.id, b.id),
                    location: b.location,
                    population: Some(z.population * share),
                    groups: z.groups.iter().map(|g| g * share).collect(),
                    origin: format!("{}, {}", z.origin, b.origin),
                });
            }
            continue;
        }
        if buildings.is_some() {
            report.polygons_without_buildings.push(z.id.clone());
        }
        let grid = grid_points(&z.area, spacing_m).map_err(|e| e.file(path).at(&z.origin))?;
        let share = 1.0 / grid.len() as f64;
        for (k, p) in grid.into_iter().enumerate() {
            points.push(DemandPoint {
                id: format!("{}/g{}", z.id, k + 1),
                location: p,
                population: Some(z.population * share),
                groups: z.groups.iter().map(|g| g * share).collect(),
                origin: format!("{}, grid point {}", z.origin, k + 1),
            });
        }
    }
    Ok(DemandSet {
        points,
        groups: groups.iter().map(|g| g.name.clone()).collect(),
    })
}

type CensusBox = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// An R-tree over the bounding boxes of the census polygons.
fn census_tree(polygons: &[CensusPolygon]) -> RTree<CensusBox> {
    RTree::bulk_load(
        polygons
            .iter()
            .enumerate()
            .filter_map(|(i, z)| {
                let r = z.area.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect(),
    )
}

/// The first census polygon (in layer order) containing `p`; failing that, the first whose boundary
/// it lies on.
fn census_of(tree: &RTree<CensusBox>, polygons: &[CensusPolygon], p: [f64; 2]) -> Option<usize> {
    let pt = Point::new(p[0], p[1]);
    let mut candidates: Vec<usize> = tree.locate_all_at_point(&p).map(|g| g.data).collect();
    candidates.sort_unstable();
    candidates
        .iter()
        .copied()
        .find(|&i| polygons[i].area.contains(&pt))
        .or_else(|| {
            candidates
                .iter()
                .copied()
                .find(|&i| polygons[i].area.intersects(&pt))
        })
}

/// The polygons of a polygon or multipolygon geometry.
fn polygons_of(g: Option<&Geometry<f64>>) -> Result<MultiPolygon<f64>> {
    match g {
        Some(Geometry::Polygon(p)) => Ok(MultiPolygon(vec![p.clone()])),
        Some(Geometry::MultiPolygon(m)) => Ok(m.clone()),
        Some(Geometry::Rect(r)) => Ok(MultiPolygon(vec![r.to_polygon()])),
        Some(_) => Err(Error::new(
            ErrorKind::Format,
            "the geometry is not a polygon",
        )),
        None => Err(Error::new(
            ErrorKind::MissingField,
            "the feature has no geometry",
        )),
    }
}

/// A point on the surface of a geometry.
fn surface_point(g: Option<&Geometry<f64>>) -> Result<[f64; 2]> {
    g.filter(|g| super::vector::all_finite(*g))
        .and_then(|g| g.interior_point())
        .map(|p| [p.x(), p.y()])
        .filter(|p| p[0].is_finite() && p[1].is_finite())
        .ok_or_else(|| Error::new(ErrorKind::InvalidValue, "the geometry has no valid point"))
}

/// Points of a regular grid with `spacing_m` metres between neighbours (east–west and north–south,
/// at the census polygon's middle latitude), centred on the census polygon's bounding box, that lie
/// inside the census polygon; a point on its surface when none does.
fn grid_points(area: &MultiPolygon<f64>, spacing_m: f64) -> Result<Vec<[f64; 2]>> {
    let fallback = || {
        area.interior_point()
            .map(|p| vec![[p.x(), p.y()]])
            .filter(|v| v[0][0].is_finite() && v[0][1].is_finite())
            .ok_or_else(|| Error::new(ErrorKind::InvalidValue, "the polygon is empty"))
    };
    let Some(r) = area.bounding_rect() else {
        return fallback();
    };
    let (kx, ky) = metres_per_degree(0.5 * (r.min().y + r.max().y));
    let (dx, dy) = (spacing_m / kx, spacing_m / ky);
    let nx = (r.width() / dx).ceil().max(1.0);
    let ny = (r.height() / dy).ceil().max(1.0);
    if !(nx * ny).is_finite() || nx * ny > MAX_GRID_CELLS {
        return Err(Error::new(
            ErrorKind::InvalidValue,
            format!(
                "a {spacing_m} m grid over this census polygon has {:.0} points (more than {MAX_GRID_CELLS}); use a larger spacing",
                nx * ny
            ),
        )
        .field("sample_spacing_m"));
    }
    let (nx, ny) = (nx as usize, ny as usize);
    let (cx, cy) = (0.5 * (r.min().x + r.max().x), 0.5 * (r.min().y + r.max().y));
    let mut out = Vec::new();
    for j in 0..ny {
        let y = cy + (j as f64 - 0.5 * (ny - 1) as f64) * dy;
        for i in 0..nx {
            let x = cx + (i as f64 - 0.5 * (nx - 1) as f64) * dx;
            if area.contains(&Point::new(x, y)) {
                out.push([x, y]);
            }
        }
    }
    if out.is_empty() {
        return fallback();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    #[test]
    fn grid_spacing_and_fallback() {
        // A 1 km × 1 km square near the equator: a 250 m grid puts 4 × 4 points inside.
        let (kx, ky) = metres_per_degree(0.0);
        let sq = MultiPolygon(vec![polygon![
            (x: 0.0, y: -500.0 / ky), (x: 1000.0 / kx, y: -500.0 / ky),
            (x: 1000.0 / kx, y: 500.0 / ky), (x: 0.0, y: 500.0 / ky),
        ]]);
        let g = grid_points(&sq, 250.0).unwrap();
        assert_eq!(g.len(), 16);
        let xs: Vec<f64> = g.iter().take(4).map(|p| p[0] * kx).collect();
        for (a, e) in xs.iter().zip([125.0, 375.0, 625.0, 875.0]) {
            assert!((a - e).abs() < 1e-6, "{xs:?}");
        }
        // Spacing larger than the census polygon: one point on its surface.
        let g = grid_points(&sq, 5000.0).unwrap();
        assert_eq!(g.len(), 1);
        assert!(sq.contains(&Point::new(g[0][0], g[0][1])));
        // Too fine a grid is refused.
        assert!(grid_points(&sq, 0.1).is_err());
    }
}
