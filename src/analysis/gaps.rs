//! Gap areas: uncovered demand aggregated to hexagonal cells and dissolved into polygons.
//!
//! The demand points that no facility reaches are binned into a regular hexagonal grid on a
//! local plane ([`HexGrid`]); cells that share an edge are joined into connected areas, and each
//! area's outline is built exactly by cancelling the edges that neighbouring cells share.
//!
//! ```text
//!   pointy-top cells, axial (q, r): q counts cells east, r counts rows 60° from east
//!
//!            (-1, 1)    (0, 1)
//!       (-1, 0)    (0, 0)    (1, 0)
//!            (0, -1)    (1, -1)
//!
//!   centre of (q, r) = (s·(q + r/2), s·(√3/2)·r) metres east and north of the grid centre,
//!   s = distance between opposite edges (flat-to-flat)
//! ```
//!
//! Corners are computed from integer lattice coordinates (units of `s/2` east and `s/(2√3)`
//! north), so a corner shared by neighbouring cells has bit-identical coordinates in every cell,
//! and rings close exactly.

use crate::bounds::{too_many, MAX_HEX_GRID_CELLS};
use crate::error::{Error, ErrorKind, Result};
use crate::geodesy::LocalPlane;
use geo_types::{Coord, LineString, Polygon};
use rayon::prelude::*;

/// Largest absolute axial coordinate accepted by [`HexGrid::cell_of`].
const MAX_AXIAL: f64 = (1u64 << 30) as f64;

/// Corners of a cell relative to its centre on the integer lattice (units of `s/2` east and
/// `s/(2√3)` north), counter-clockwise from the west-south-west corner at 210° (the smallest
/// corner in lattice order, where the rings of [`gap_areas`] start too).
const CORNERS: [[i64; 2]; 6] = [[-1, -1], [0, -2], [1, -1], [1, 1], [0, 2], [-1, 1]];

/// Axial offsets of the neighbour across the edge from corner `i` to corner `i + 1`.
const NEIGHBOURS: [(i32, i32); 6] = [(0, -1), (1, -1), (1, 0), (0, 1), (-1, 1), (-1, 0)];

/// A point on the integer corner lattice.
type Vertex = [i64; 2];
/// A directed edge between two lattice corners.
type Edge = (Vertex, Vertex);

/// One connected area of uncovered demand.
///
/// ```
/// use lifecircle::analysis::gaps::gap_areas;
/// use lifecircle::geodesy::polygon_area_m2;
/// let areas = gap_areas(&[[113.26, 23.13]], &[40.0], 300.0);
/// let a = &areas[0];
/// assert_eq!((a.cells, a.points, a.population), (1, 1, 40.0));
/// // One hexagon 300 m across: √3/2 × 300² ≈ 77,942 m², also on the ellipsoid.
/// assert!((a.area_m2 - 77_942.286).abs() < 1e-3);
/// assert!((polygon_area_m2(&a.geometry) / a.area_m2 - 1.0).abs() < 1e-4);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GapArea {
    /// Outline in WGS84 degrees (`x` = longitude, `y` = latitude): the outer ring runs
    /// counter-clockwise, with a clockwise hole wherever cells without demand are enclosed.
    pub geometry: Polygon<f64>,
    /// Sum of the demand weights (usually persons) of the points inside.
    pub population: f64,
    /// Number of demand points inside.
    pub points: usize,
    /// Number of hexagonal cells.
    pub cells: usize,
    /// Area in square metres: `cells` × [`HexGrid::cell_area_m2`] (on the local plane).
    pub area_m2: f64,
}

/// A regular hexagonal grid of pointy-top cells on a local plane
/// ([`LocalPlane`]) tangent at `centre`; cell `(0, 0)` is centred there.
///
/// Cells are addressed by axial coordinates `(q, r)`: the centre of cell `(q, r)` lies
/// `s·(q + r/2)` metres east and `s·(√3/2)·r` metres north of the grid centre, where `s` is the
/// cell size (flat-to-flat). The six neighbours of `(q, r)` are `(q ± 1, r)`, `(q, r ± 1)`,
/// `(q + 1, r − 1)` and `(q − 1, r + 1)`.
///
/// The plane is an equirectangular tangent plane, so cells far from the centre are slightly
/// distorted on the ground (relative area error about `tan(lat) × Δlat` in radians, about 7e-4
/// at 10 km north or south of a centre at 23°N). Grids must not cross the antimeridian.
///
/// ```
/// use lifecircle::analysis::gaps::HexGrid;
/// let grid = HexGrid::new([113.26, 23.13], 250.0);
/// assert_eq!(grid.cell_of([113.26, 23.13]), (0, 0));
/// assert!((grid.cell_area_m2() - 3f64.sqrt() / 2.0 * 250.0 * 250.0).abs() < 1e-9);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct HexGrid {
    centre: [f64; 2],
    plane: LocalPlane,
    /// Flat-to-flat cell size `s` in metres.
    size: f64,
    /// Distance between rows of cells, `s·√3/2`, in metres.
    row: f64,
    /// Lattice unit east, `s/2`, in metres.
    unit_x: f64,
    /// Lattice unit north, `s/(2√3)`, in metres.
    unit_y: f64,
}

impl HexGrid {
    /// A grid tangent at `centre` (`[lon, lat]`, WGS84 degrees) with cells `cell_size_m` metres
    /// across from edge to opposite edge (flat-to-flat). Cell `(0, 0)` is centred on `centre`.
    ///
    /// # Panics
    ///
    /// If `cell_size_m` is not finite and positive, or `centre` is not finite.
    ///
    /// ```
    /// use lifecircle::analysis::gaps::HexGrid;
    /// let grid = HexGrid::new([9.52, 47.14], 100.0);
    /// assert_eq!(grid.cell_size_m(), 100.0);
    /// ```
    pub fn new(centre: [f64; 2], cell_size_m: f64) -> Self {
        assert!(
            cell_size_m.is_finite() && cell_size_m > 0.0,
            "hexagon cell size must be a positive number of metres, got {cell_size_m}"
        );
        assert!(
            centre[0].is_finite() && centre[1].is_finite(),
            "hexagon grid centre must be finite, got {centre:?}"
        );
        let sqrt3 = 3f64.sqrt();
        HexGrid {
            centre,
            plane: LocalPlane::new(centre),
            size: cell_size_m,
            row: cell_size_m * sqrt3 / 2.0,
            unit_x: cell_size_m / 2.0,
            unit_y: cell_size_m / (2.0 * sqrt3),
        }
    }

    /// A grid tangent at the centre of `bbox` (`[min lon, min lat, max lon, max lat]`, WGS84
    /// degrees) with cells `cell_size_m` metres flat-to-flat, checked: an error when the cell
    /// size is not a positive number, the box is not finite, or the grid would span more than
    /// [`MAX_HEX_GRID_CELLS`] cells over the box (the message gives the count and the limit).
    ///
    /// ```
    /// use lifecircle::analysis::gaps::HexGrid;
    /// let grid = HexGrid::spanning([113.2, 23.1, 113.3, 23.2], 250.0).unwrap();
    /// assert_eq!(grid.grid_centre(), [113.25, 23.15]);
    /// assert!(HexGrid::spanning([113.2, 23.1, 113.3, 23.2], 1e-9).is_err());
    /// assert!(HexGrid::spanning([113.2, 23.1, 113.3, 23.2], f64::NAN).is_err());
    /// ```
    pub fn spanning(bbox: [f64; 4], cell_size_m: f64) -> Result<HexGrid> {
        if !(cell_size_m.is_finite() && cell_size_m > 0.0) {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!("hexagon cells must be a positive number of metres, got {cell_size_m}"),
            ));
        }
        if !bbox.iter().all(|v| v.is_finite()) {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!("the positions to grid are not finite: {bbox:?}"),
            ));
        }
        let centre = [0.5 * (bbox[0] + bbox[2]), 0.5 * (bbox[1] + bbox[3])];
        let plane = LocalPlane::new(centre);
        let (mut w, mut h) = (0f64, 0f64);
        for corner in [[bbox[0], bbox[1]], [bbox[2], bbox[3]], [bbox[0], bbox[3]]] {
            let [x, y] = plane.project(corner);
            w = w.max(2.0 * x.abs());
            h = h.max(2.0 * y.abs());
        }
        let columns = (w / cell_size_m).ceil() + 1.0;
        let rows = (h / (cell_size_m * 3f64.sqrt() / 2.0)).ceil() + 1.0;
        let cells = columns * rows;
        if !(cells.is_finite() && cells <= MAX_HEX_GRID_CELLS) {
            return Err(too_many(
                &format!(
                    "a grid of {} m hexagons over the data ({:.1} km by {:.1} km)",
                    crate::bounds::number(cell_size_m),
                    w / 1000.0,
                    h / 1000.0
                ),
                cells,
                "cells",
                MAX_HEX_GRID_CELLS,
                "use larger cells",
            ));
        }
        Ok(HexGrid::new(centre, cell_size_m))
    }

    /// The grid centre `[lon, lat]` in WGS84 degrees (the centre of cell `(0, 0)`).
    ///
    /// ```
    /// use lifecircle::analysis::gaps::HexGrid;
    /// assert_eq!(HexGrid::new([9.52, 47.14], 100.0).grid_centre(), [9.52, 47.14]);
    /// ```
    pub fn grid_centre(&self) -> [f64; 2] {
        self.centre
    }

    /// The cell size in metres, flat-to-flat (distance between opposite edges).
    ///
    /// ```
    /// use lifecircle::analysis::gaps::HexGrid;
    /// assert_eq!(HexGrid::new([9.52, 47.14], 100.0).cell_size_m(), 100.0);
    /// ```
    pub fn cell_size_m(&self) -> f64 {
        self.size
    }

    /// The area of one cell in square metres on the local plane: `√3/2 · s²`.
    ///
    /// ```
    /// use lifecircle::analysis::gaps::HexGrid;
    /// let a = HexGrid::new([9.52, 47.14], 100.0).cell_area_m2();
    /// assert!((a - 8660.254037844386).abs() < 1e-9);
    /// ```
    pub fn cell_area_m2(&self) -> f64 {
        3f64.sqrt() / 2.0 * self.size * self.size
    }

    /// The cell containing `p` (`[lon, lat]`, WGS84 degrees), as axial coordinates `(q, r)`.
    ///
    /// The position is projected to the plane and rounded to the nearest cell centre by exact
    /// cube-coordinate rounding, so every position falls in exactly one cell; a position on a
    /// shared edge or corner goes to one of the cells that meet there.
    ///
    /// # Panics
    ///
    /// If `p` is not finite, or lies more than 2³⁰ cells from the grid centre.
    ///
    /// ```
    /// use lifecircle::analysis::gaps::HexGrid;
    /// let grid = HexGrid::new([113.26, 23.13], 200.0);
    /// // About 210 m east of the centre: past the edge at 100 m, inside the cell (1, 0).
    /// let east = [113.26 + 210.0 / 102_430.0, 23.13];
    /// assert_eq!(grid.cell_of(east), (1, 0));
    /// ```
    pub fn cell_of(&self, p: [f64; 2]) -> (i32, i32) {
        self.try_cell_of(p).unwrap_or_else(|| {
            panic!("position {p:?} is not finite or too far from the hexagon grid centre")
        })
    }

    /// As [`HexGrid::cell_of`], but `None` (rather than a panic) when `p` is not finite or lies
    /// more than 2³⁰ cells from the grid centre.
    ///
    /// ```
    /// use lifecircle::analysis::gaps::HexGrid;
    /// let grid = HexGrid::new([113.26, 23.13], 10.0);
    /// assert_eq!(grid.try_cell_of([113.26, 23.13]), Some((0, 0)));
    /// assert_eq!(grid.try_cell_of([f64::NAN, 23.13]), None);
    /// assert_eq!(grid.try_cell_of([1e300, 23.13]), None);
    /// ```
    pub fn try_cell_of(&self, p: [f64; 2]) -> Option<(i32, i32)> {
        let [x, y] = self.plane.project(p);
        let rf = y / self.row;
        let qf = x / self.size - 0.5 * rf;
        cube_round(qf, rf)
    }

    /// The centre of `cell` as `[lon, lat]` in WGS84 degrees.
    ///
    /// ```
    /// use lifecircle::analysis::gaps::HexGrid;
    /// let grid = HexGrid::new([113.26, 23.13], 200.0);
    /// assert_eq!(grid.cell_of(grid.centre((-3, 7))), (-3, 7));
    /// ```
    pub fn centre(&self, cell: (i32, i32)) -> [f64; 2] {
        let [cx, cy] = lattice_centre(cell);
        self.lattice_to_wgs84([cx, cy]).into()
    }

    /// The outline of `cell` in WGS84 degrees: a closed counter-clockwise ring of 7 positions
    /// (6 corners, the first repeated), starting at the west-south-west corner. A gap area of a
    /// single cell has exactly this outline.
    ///
    /// ```
    /// use lifecircle::analysis::gaps::HexGrid;
    /// let grid = HexGrid::new([113.26, 23.13], 200.0);
    /// let hex = grid.polygon((2, -1));
    /// assert_eq!(hex.exterior().0.len(), 7);
    /// assert!(hex.interiors().is_empty());
    /// ```
    pub fn polygon(&self, cell: (i32, i32)) -> Polygon<f64> {
        let ring: Vec<Vertex> = (0..6).map(|i| corner(cell, i)).collect();
        Polygon::new(self.ring_to_wgs84(&ring), Vec::new())
    }

    /// A lattice point converted to WGS84 degrees. Only integer arithmetic precedes the single
    /// multiplication per axis, so equal lattice points always give bit-identical positions.
    fn lattice_to_wgs84(&self, v: Vertex) -> Coord<f64> {
        let [lon, lat] = self
            .plane
            .unproject([v[0] as f64 * self.unit_x, v[1] as f64 * self.unit_y]);
        Coord { x: lon, y: lat }
    }

    /// A ring of lattice points as a closed WGS84 ring.
    fn ring_to_wgs84(&self, ring: &[Vertex]) -> LineString<f64> {
        let mut coords: Vec<Coord<f64>> = ring.iter().map(|&v| self.lattice_to_wgs84(v)).collect();
        if let Some(&first) = coords.first() {
            coords.push(first);
        }
        LineString::new(coords)
    }
}

/// Rounds fractional axial coordinates to the cell containing them (cube rounding: round all
/// three cube coordinates, then recompute the one that moved farthest from the other two);
/// `None` when a coordinate is not finite or not below [`MAX_AXIAL`] in size.
fn cube_round(qf: f64, rf: f64) -> Option<(i32, i32)> {
    if !(qf.abs() < MAX_AXIAL && rf.abs() < MAX_AXIAL) {
        return None;
    }
    let sf = -qf - rf;
    let (mut q, mut r, s) = (qf.round(), rf.round(), sf.round());
    let (dq, dr, ds) = ((q - qf).abs(), (r - rf).abs(), (s - sf).abs());
    if dq > dr && dq > ds {
        q = -r - s;
    } else if dr > ds {
        r = -q - s;
    }
    Some((q as i32, r as i32))
}

/// The centre of `cell` on the corner lattice.
fn lattice_centre(cell: (i32, i32)) -> Vertex {
    let (q, r) = (i64::from(cell.0), i64::from(cell.1));
    [2 * q + r, 3 * r]
}

/// Corner `i` (0..6, counter-clockwise from 210°) of `cell` on the corner lattice.
fn corner(cell: (i32, i32), i: usize) -> Vertex {
    let c = lattice_centre(cell);
    [c[0] + CORNERS[i][0], c[1] + CORNERS[i][1]]
}

/// Gap areas of uncovered demand on a grid centred on the data.
///
/// `points` are the uncovered demand points (`[lon, lat]`, WGS84 degrees) and `weights` their
/// population (any additive weight); `cell_size_m` is the hexagon size in metres, flat-to-flat.
/// The grid is a [`HexGrid`] tangent at the centre of the points' longitude/latitude bounding
/// box, with cell `(0, 0)` centred there; see [`gap_areas_on`] to use a fixed grid instead (so
/// that maps of different categories or years share their cells).
///
/// Points with a non-finite coordinate are skipped. The result is ordered by population,
/// largest first, then by the smallest cell key `(q, r)` of each area; it is empty when no point
/// is left.
///
/// # Panics
///
/// If `points` and `weights` differ in length, or `cell_size_m` is not finite and positive.
///
/// ```
/// use lifecircle::analysis::gaps::gap_areas;
/// // Two households 30 m apart fall in the same 200 m cell.
/// let pts = [[113.2600, 23.1300], [113.2603, 23.1300]];
/// let areas = gap_areas(&pts, &[3.0, 2.0], 200.0);
/// assert_eq!(areas.len(), 1);
/// assert_eq!((areas[0].cells, areas[0].points, areas[0].population), (1, 2, 5.0));
/// ```
pub fn gap_areas(points: &[[f64; 2]], weights: &[f64], cell_size_m: f64) -> Vec<GapArea> {
    assert_eq!(points.len(), weights.len(), "one weight per demand point");
    assert!(
        cell_size_m.is_finite() && cell_size_m > 0.0,
        "hexagon cell size must be a positive number of metres, got {cell_size_m}"
    );
    match centred_grid(points.iter().copied(), cell_size_m) {
        Ok(Some(grid)) => gap_areas_on(&grid, points, weights),
        Ok(None) => Vec::new(),
        Err(e) => panic!("{e}"),
    }
}

/// The grid of [`gap_areas`] for `points`: tangent at the centre of the finite points'
/// longitude/latitude bounding box, cells `cell_size_m` metres flat-to-flat; `None` without a
/// finite point. An error (from [`HexGrid::spanning`]) when the cell size is not a positive
/// number or the grid would span too many cells over the points.
pub fn centred_grid(
    points: impl Iterator<Item = [f64; 2]>,
    cell_size_m: f64,
) -> Result<Option<HexGrid>> {
    let mut lo = [f64::INFINITY; 2];
    let mut hi = [f64::NEG_INFINITY; 2];
    for p in points.filter(is_finite) {
        for k in 0..2 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    if lo[0] > hi[0] {
        return Ok(None);
    }
    HexGrid::spanning([lo[0], lo[1], hi[0], hi[1]], cell_size_m).map(Some)
}

/// Gap areas of uncovered demand on a given grid.
///
/// As [`gap_areas`], but on `grid` rather than a grid centred on the points.
///
/// # Panics
///
/// If `points` and `weights` differ in length, or a point lies more than 2³⁰ cells from the
/// grid centre.
///
/// ```
/// use lifecircle::analysis::gaps::{gap_areas_on, HexGrid};
/// let grid = HexGrid::new([113.26, 23.13], 200.0);
/// // The centres of two cells that share an edge dissolve into one area of 10 corners.
/// let pts = [grid.centre((0, 0)), grid.centre((1, 0))];
/// let areas = gap_areas_on(&grid, &pts, &[1.0, 1.0]);
/// assert_eq!(areas.len(), 1);
/// assert_eq!(areas[0].cells, 2);
/// assert_eq!(areas[0].geometry.exterior().0.len(), 11);
/// ```
pub fn gap_areas_on(grid: &HexGrid, points: &[[f64; 2]], weights: &[f64]) -> Vec<GapArea> {
    assert_eq!(points.len(), weights.len(), "one weight per demand point");
    BinnedPoints::on(grid, points).gap_areas(|i| Some(weights[i]))
}

/// Points sorted into the cells of one grid once, so that the gap areas of many subsets of them
/// (the points each category leaves uncovered) are found without binning them again, all on the
/// same lattice.
///
/// ```
/// use lifecircle::analysis::gaps::{gap_areas_on, BinnedPoints, HexGrid};
/// let grid = HexGrid::new([113.26, 23.13], 200.0);
/// let pts = [grid.centre((0, 0)), grid.centre((1, 0)), grid.centre((5, 5))];
/// let binned = BinnedPoints::on(&grid, &pts);
/// // Only the first two points are uncovered, with 2 and 3 residents.
/// let areas = binned.gap_areas(|i| [Some(2.0), Some(3.0), None][i]);
/// assert_eq!(areas, gap_areas_on(&grid, &pts[..2], &[2.0, 3.0]));
/// ```
#[derive(Debug, Clone)]
pub struct BinnedPoints {
    grid: HexGrid,
    /// Each finite point's cell and index, sorted by cell, then index.
    by_cell: Vec<((i32, i32), u32)>,
}

impl BinnedPoints {
    /// Bins `points` (`[lon, lat]`, WGS84 degrees) on `grid`; points with a non-finite
    /// coordinate, or more than 2³⁰ cells from the grid centre (off any map), are left out.
    ///
    /// # Panics
    ///
    /// If there are 2³² points or more.
    pub fn on(grid: &HexGrid, points: &[[f64; 2]]) -> Self {
        assert!(u32::try_from(points.len()).is_ok(), "too many points");
        let mut by_cell: Vec<((i32, i32), u32)> = points
            .par_iter()
            .enumerate()
            .filter_map(|(i, p)| grid.try_cell_of(*p).map(|c| (c, i as u32)))
            .collect();
        by_cell.par_sort_unstable();
        BinnedPoints {
            grid: *grid,
            by_cell,
        }
    }

    /// The grid the points are binned on.
    pub fn grid(&self) -> &HexGrid {
        &self.grid
    }

    /// Gap areas of the points `i` for which `weight(i)` is `Some(population)`; the others are
    /// left out. The same areas as [`gap_areas_on`] over just those points and weights.
    pub fn gap_areas(&self, weight: impl Fn(usize) -> Option<f64>) -> Vec<GapArea> {
        // Per-cell sums in cell order; within a cell in input order (a fixed summation order).
        let mut cells: Vec<CellSum> = Vec::new();
        for &(key, i) in &self.by_cell {
            let Some(w) = weight(i as usize) else {
                continue;
            };
            match cells.last_mut() {
                Some(last) if last.key == key => {
                    last.population += w;
                    last.points += 1;
                }
                _ => cells.push(CellSum {
                    key,
                    population: w,
                    points: 1,
                }),
            }
        }
        areas_of_cells(&self.grid, &cells)
    }
}

/// The gap areas of populated cells (sorted by key): connected clusters, largest population
/// first.
fn areas_of_cells(grid: &HexGrid, cells: &[CellSum]) -> Vec<GapArea> {
    // Connected clusters: union-find over the neighbours present in the sorted cell list.
    let all: Vec<(i32, i32)> = cells.iter().map(|c| c.key).collect();
    let mut sets = UnionFind::new(cells.len());
    for_each_side(&all, |i, _, across| {
        if let Some(j) = across {
            sets.union(i, j);
        }
    });

    // Group the cells of each cluster (the root is the cluster's first cell in key order).
    let mut members: Vec<(usize, usize)> = (0..cells.len()).map(|i| (sets.find(i), i)).collect();
    members.sort_unstable();
    let mut areas: Vec<((i32, i32), GapArea)> = Vec::new();
    for group in members.chunk_by(|a, b| a.0 == b.0) {
        let keys: Vec<(i32, i32)> = group.iter().map(|&(_, i)| cells[i].key).collect();
        let population = group.iter().map(|&(_, i)| cells[i].population).sum();
        let npoints = group.iter().map(|&(_, i)| cells[i].points).sum();
        let area = GapArea {
            geometry: outline(grid, &keys),
            population,
            points: npoints,
            cells: keys.len(),
            area_m2: keys.len() as f64 * grid.cell_area_m2(),
        };
        areas.push((keys[0], area));
    }
    areas.sort_by(|a, b| {
        b.1.population
            .total_cmp(&a.1.population)
            .then(a.0.cmp(&b.0))
    });
    areas.into_iter().map(|(_, area)| area).collect()
}

fn is_finite(p: &[f64; 2]) -> bool {
    p[0].is_finite() && p[1].is_finite()
}

/// Demand summed over one cell.
struct CellSum {
    key: (i32, i32),
    population: f64,
    points: usize,
}

/// Disjoint sets over `0..n`; the root of a set is always its smallest member.
struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut i: usize) -> usize {
        let mut root = i;
        while self.parent[root] != root {
            root = self.parent[root];
        }
        while self.parent[i] != root {
            let next = self.parent[i];
            self.parent[i] = root;
            i = next;
        }
        root
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi] = lo;
        }
    }
}

/// The exact outline of a connected set of cells (`cells` sorted by key).
///
/// Every cell contributes its six counter-clockwise directed edges; an edge whose reverse also
/// occurs (the same edge seen from the neighbouring cell) cancels. The remaining edges chain
/// into rings: the one with the largest absolute area is the outer ring (counter-clockwise),
/// the others are holes (clockwise). On a hexagonal grid exactly three cells meet at a corner,
/// so every corner of the boundary has exactly one outgoing edge and the chaining is unique.
fn outline(grid: &HexGrid, cells: &[(i32, i32)]) -> Polygon<f64> {
    // The boundary: the sides with no cell of the set across them, sorted by start corner.
    let mut boundary: Vec<Edge> = Vec::new();
    for_each_side(cells, |c, side, across| {
        if across.is_none() {
            let cell = cells[c];
            boundary.push((corner(cell, side), corner(cell, (side + 1) % 6)));
        }
    });
    boundary.sort_unstable();

    let mut used = vec![false; boundary.len()];
    let mut rings: Vec<Vec<Vertex>> = Vec::new();
    for start in 0..boundary.len() {
        if used[start] {
            continue;
        }
        let mut ring = Vec::new();
        let mut k = start;
        while !used[k] {
            used[k] = true;
            ring.push(boundary[k].0);
            let next = boundary[k].1;
            k = boundary
                .binary_search_by(|e| e.0.cmp(&next))
                .expect("the boundary of a set of cells is closed");
        }
        debug_assert_eq!(k, start, "boundary rings do not touch");
        rings.push(ring);
    }

    let areas: Vec<i128> = rings.iter().map(|r| twice_signed_area(r)).collect();
    let outer = (0..rings.len())
        .max_by(|&a, &b| areas[a].abs().cmp(&areas[b].abs()).then(b.cmp(&a)))
        .expect("a non-empty set of cells has a boundary");
    debug_assert!(areas[outer] > 0);
    debug_assert!(areas.iter().enumerate().all(|(i, &a)| i == outer || a < 0));
    let holes = rings
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != outer)
        .map(|(_, ring)| grid.ring_to_wgs84(ring))
        .collect();
    Polygon::new(grid.ring_to_wgs84(&rings[outer]), holes)
}

/// Calls `f(cell, side, across)` for every side (0..6, from corner `side` to `side + 1`) of every
/// cell of `keys` (sorted, distinct), with the position in `keys` of the cell across that side,
/// if it is there. Side by side, the neighbours' keys rise with the cells' keys, so one pointer
/// per side walks `keys` once: no search.
fn for_each_side(keys: &[(i32, i32)], mut f: impl FnMut(usize, usize, Option<usize>)) {
    debug_assert!(
        keys.windows(2).all(|w| w[0] < w[1]),
        "sorted, distinct cells"
    );
    for (side, (dq, dr)) in NEIGHBOURS.into_iter().enumerate() {
        let mut p = 0;
        for (i, &(q, r)) in keys.iter().enumerate() {
            let across = (q + dq, r + dr);
            while p < keys.len() && keys[p] < across {
                p += 1;
            }
            f(i, side, (p < keys.len() && keys[p] == across).then_some(p));
        }
    }
}

/// Twice the signed area of a ring of lattice points (positive when counter-clockwise).
fn twice_signed_area(ring: &[Vertex]) -> i128 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            i128::from(a[0]) * i128::from(b[1]) - i128::from(b[0]) * i128::from(a[1])
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force: the cell whose centre is nearest, on the plane, in a window of cells.
    fn nearest_centre(x: f64, y: f64, s: f64) -> (f64, (i32, i32)) {
        let row = s * 3f64.sqrt() / 2.0;
        let r0 = (y / row).round() as i32;
        let q0 = (x / s - 0.5 * (y / row)).round() as i32;
        let mut best = (f64::INFINITY, (0, 0));
        for r in r0 - 3..=r0 + 3 {
            for q in q0 - 3..=q0 + 3 {
                let cx = s * (f64::from(q) + 0.5 * f64::from(r));
                let cy = row * f64::from(r);
                let d = (x - cx).hypot(y - cy);
                if d < best.0 {
                    best = (d, (q, r));
                }
            }
        }
        best
    }

    #[test]
    fn cube_round_matches_nearest_centre() {
        let s = 1.0;
        let row = 3f64.sqrt() / 2.0;
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..20_000 {
            let x = (next() - 0.5) * 40.0;
            let y = (next() - 0.5) * 40.0;
            let rf = y / row;
            let cell = cube_round(x / s - 0.5 * rf, rf).unwrap();
            let (best, _) = nearest_centre(x, y, s);
            let cx = s * (f64::from(cell.0) + 0.5 * f64::from(cell.1));
            let cy = row * f64::from(cell.1);
            assert!(
                (x - cx).hypot(y - cy) <= best + 1e-12,
                "{x} {y} -> {cell:?}"
            );
        }
    }

    #[test]
    fn corners_and_neighbours_agree() {
        // The edge from corner i to corner i+1 is the reversed edge (i+3, i+4) of the
        // neighbour across it.
        for (i, &n) in NEIGHBOURS.iter().enumerate() {
            assert_eq!(corner((0, 0), i), corner(n, (i + 4) % 6));
            assert_eq!(corner((0, 0), (i + 1) % 6), corner(n, (i + 3) % 6));
        }
        // All six corners lie at the same distance (the circumradius) from the centre.
        let grid = HexGrid::new([0.0, 0.0], 2.0);
        for c in CORNERS {
            let d = (c[0] as f64 * grid.unit_x).hypot(c[1] as f64 * grid.unit_y);
            assert!((d - 2.0 / 3f64.sqrt()).abs() < 1e-12);
        }
    }

    #[test]
    fn lattice_areas() {
        // One cell: 12 triangles of base 1 and height 1 on the lattice, twice area 12.
        let ring: Vec<Vertex> = (0..6).map(|i| corner((5, -3), i)).collect();
        assert_eq!(twice_signed_area(&ring), 12);
        let mut rev = ring.clone();
        rev.reverse();
        assert_eq!(twice_signed_area(&rev), -12);
    }

    #[test]
    fn union_find_roots_are_smallest() {
        let mut uf = UnionFind::new(6);
        uf.union(4, 5);
        uf.union(5, 2);
        uf.union(1, 3);
        assert_eq!(
            (0..6).map(|i| uf.find(i)).collect::<Vec<_>>(),
            [0, 1, 2, 1, 2, 2]
        );
    }

    proptest::proptest! {
        /// The walking pointers find the same neighbours as a search of every side.
        #[test]
        fn sides_match_a_search(
            raw in proptest::collection::vec((-6i32..6, -6i32..6), 0..80),
        ) {
            let mut keys = raw;
            keys.sort_unstable();
            keys.dedup();
            let mut seen = Vec::new();
            for_each_side(&keys, |c, side, across| seen.push((c, side, across)));
            seen.sort_unstable();
            let mut expected = Vec::new();
            for (c, &(q, r)) in keys.iter().enumerate() {
                for (side, (dq, dr)) in NEIGHBOURS.into_iter().enumerate() {
                    expected.push((c, side, keys.binary_search(&(q + dq, r + dr)).ok()));
                }
            }
            proptest::prop_assert_eq!(seen, expected);
        }
    }

    #[test]
    fn chain_of_cells_is_one_ring() {
        let grid = HexGrid::new([10.0, 50.0], 100.0);
        let cells: Vec<(i32, i32)> = (0..5).map(|q| (q, 0)).collect();
        let poly = outline(&grid, &cells);
        // 5 cells in a row: 6 + 4·4 corners.
        assert_eq!(poly.exterior().0.len(), 22 + 1);
        assert!(poly.interiors().is_empty());
    }

    #[test]
    #[should_panic(expected = "too far")]
    fn non_finite_position_panics() {
        HexGrid::new([0.0, 0.0], 100.0).cell_of([f64::NAN, 0.0]);
    }
}
