//! The shape of a synthetic city: a lattice of street junctions in *lattice units* (one unit is
//! one block), bent and stretched into metres and then into WGS84 degrees around Guangzhou; the
//! rivers; and the partition of the lattice into zones (街道/镇).
//!
//! Everything is decided in lattice coordinates `u = (x, y)`, `x` in `-0.5 ..= gx - 0.5` east,
//! `y` in `-0.5 ..= gy - 0.5` north. Zone boundaries lie on half-integer lines and junctions
//! stay within 0.3 units of their integer position, so every junction and every point placed
//! with [`keep_off_boundaries`] is inside exactly one zone, and stays inside it on the map
//! because the map from lattice to metres is one-to-one ([`Layout::to_metres`]).

use super::rng::unit;
use crate::geodesy::metres_per_degree;
use std::f64::consts::TAU;

/// Centre of the synthetic city, WGS84 degrees (Guangzhou, near Haizhu Square).
pub const CENTRE: [f64; 2] = [113.264, 23.129];
/// Block size at the centre, metres per lattice unit.
pub const CENTRE_BLOCK_M: f64 = 70.0;
/// How much blocks grow towards the edge: a block at the edge is `1 + 2 * STRETCH` times the
/// size of a central one.
pub const STRETCH: f64 = 0.7;

/// Streams of the random hash, one per kind of decision.
pub(crate) mod stream {
    pub const JITTER_X: u64 = 1;
    pub const JITTER_Y: u64 = 2;
    pub const EDGE_KEEP: u64 = 3;
    pub const BRIDGE: u64 = 4;
    pub const DIAGONAL: u64 = 5;
    pub const SPUR: u64 = 6;
    pub const SHAPE: u64 = 7;
    pub const FOOTWAY: u64 = 8;
    pub const LINES: u64 = 9;
    pub const PHASES: u64 = 10;
    pub const ZONES: u64 = 11;
    pub const DEMAND: u64 = 12;
    pub const FACILITY: u64 = 13;
    pub const NAMES: u64 = 14;
    pub const ONEWAY: u64 = 15;
}

/// What lies at a lattice position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ground {
    /// Land on side `0` (south of the main river), `1` or `2` (north of it, west or east of the
    /// tributary).
    Land(u8),
    /// The island in the main river (reached by no bridge).
    Island,
    /// Water.
    River,
}

impl Ground {
    /// A code telling pieces of land apart: equal codes can be joined without a bridge.
    pub fn side(self) -> u8 {
        match self {
            Ground::Land(s) => s,
            Ground::Island => 3,
            Ground::River => 255,
        }
    }
}

/// The lattice, its map to WGS84 and the rivers.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Seed of the city.
    pub seed: u64,
    /// Junctions per row (east–west).
    pub gx: usize,
    /// Rows (south–north).
    pub gy: usize,
    half: f64,
    phase: [f64; 8],
    kx: f64,
    ky: f64,
    river_y0: f64,
    river_hw: f64,
    island_x: f64,
    island_len: f64,
    island_w: f64,
    trib_x0: f64,
    trib_hw: f64,
}

impl Layout {
    /// A lattice of `gx` × `gy` junction positions for `seed`.
    pub fn new(seed: u64, gx: usize, gy: usize) -> Self {
        let mut phase = [0.0; 8];
        for (k, p) in phase.iter_mut().enumerate() {
            *p = TAU * unit(seed, stream::PHASES, k as u64, 0);
        }
        let (kx, ky) = metres_per_degree(CENTRE[1]);
        let (fx, fy) = (gx as f64, gy as f64);
        Layout {
            seed,
            gx,
            gy,
            half: 0.5 * fx.max(fy),
            phase,
            kx,
            ky,
            river_y0: -0.06 * fy,
            river_hw: 1.1 + 0.0015 * fy,
            island_x: 0.18 * fx,
            island_len: 6.0 + 0.04 * fx,
            island_w: 3.0 + 0.004 * fy,
            trib_x0: -0.22 * fx,
            trib_hw: 0.8 + 0.001 * fy,
        }
    }

    /// Lattice position relative to the centre of the lattice.
    #[inline]
    fn centred(&self, u: [f64; 2]) -> [f64; 2] {
        [
            u[0] - 0.5 * (self.gx as f64 - 1.0),
            u[1] - 0.5 * (self.gy as f64 - 1.0),
        ]
    }

    /// Distance from the centre as a share of the half-size of the lattice (0 at the centre,
    /// about 1 at the edge's midpoints).
    #[inline]
    pub fn radius(&self, u: [f64; 2]) -> f64 {
        let c = self.centred(u);
        c[0].hypot(c[1]) / self.half
    }

    /// Direction from the centre in degrees (east 0, north 90), in `[0, 360)`.
    pub fn angle_deg(&self, u: [f64; 2]) -> f64 {
        let c = self.centred(u);
        c[1].atan2(c[0]).to_degrees().rem_euclid(360.0)
    }

    /// Metres east and north of the centre. One-to-one: a radial stretch (monotone in the
    /// radius) followed by two shears (`x += f(y)`, then `y += g(x)`).
    #[inline]
    pub fn to_metres(&self, u: [f64; 2]) -> [f64; 2] {
        let c = self.centred(u);
        let r = c[0].hypot(c[1]) / self.half;
        let st = CENTRE_BLOCK_M * (1.0 + STRETCH * r);
        let (mut x, mut y) = (c[0] * st, c[1] * st);
        let p = &self.phase;
        x += CENTRE_BLOCK_M
            * (2.5 * (TAU * c[1] / 37.0 + p[0]).sin() + 1.2 * (TAU * c[1] / 13.7 + p[1]).sin());
        y += CENTRE_BLOCK_M
            * (2.5 * (TAU * x / (CENTRE_BLOCK_M * 41.0) + p[2]).sin()
                + 1.0 * (TAU * x / (CENTRE_BLOCK_M * 17.3) + p[3]).sin());
        [x, y]
    }

    /// WGS84 `[lon, lat]` of a lattice position, rounded to 1e-7 degrees (about 1 cm, the
    /// precision of OpenStreetMap).
    #[inline]
    pub fn to_wgs84(&self, u: [f64; 2]) -> [f64; 2] {
        let m = self.to_metres(u);
        [
            round7(CENTRE[0] + m[0] / self.kx),
            round7(CENTRE[1] + m[1] / self.ky),
        ]
    }

    fn river_y(&self, cx: f64) -> f64 {
        let (fx, fy) = (self.gx as f64, self.gy as f64);
        let p = &self.phase;
        self.river_y0
            + 0.05 * fy * (TAU * cx / (0.7 * fx) + p[4]).sin()
            + 0.015 * fy * (TAU * cx / (0.23 * fx) + p[5]).sin()
    }

    fn trib_x(&self, cy: f64) -> f64 {
        let (fx, fy) = (self.gx as f64, self.gy as f64);
        self.trib_x0 + 0.03 * fx * (TAU * cy / (0.5 * fy) + self.phase[6]).sin()
    }

    /// What lies at lattice position `u`.
    pub fn ground(&self, u: [f64; 2]) -> Ground {
        let c = self.centred(u);
        let d = c[1] - self.river_y(c[0]);
        let t = (c[0] - self.island_x) / self.island_len;
        let bump = (1.0 - t * t).max(0.0) * self.island_w;
        if d.abs() < 0.6 * bump {
            return Ground::Island;
        }
        if d.abs() < self.river_hw + bump {
            return Ground::River;
        }
        if d < 0.0 {
            return Ground::Land(0);
        }
        let e = c[0] - self.trib_x(c[1]);
        if e.abs() < self.trib_hw {
            Ground::River
        } else if e < 0.0 {
            Ground::Land(1)
        } else {
            Ground::Land(2)
        }
    }

    /// Rolling "village" pattern of rural land: positive where houses cluster, negative over
    /// fields and hills.
    #[inline]
    pub fn village(&self, u: [f64; 2]) -> f64 {
        let p = &self.phase;
        (u[0] / 5.3 + p[7]).sin() * (u[1] / 4.7 + p[0]).sin()
            + 0.6 * ((u[0] + u[1]) / 3.1 + p[1]).sin()
            + 0.3
    }
}

/// Rounds degrees to 1e-7.
#[inline]
pub fn round7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

/// Moves a lattice position at least 0.05 units away from every half-integer line (zone
/// boundaries), towards the side it is on, and inside the lattice's outer edge.
#[inline]
pub fn keep_off_boundaries(u: [f64; 2], gx: usize, gy: usize) -> [f64; 2] {
    let fix = |v: f64, n: usize| -> f64 {
        let v = v.clamp(-0.45, n as f64 - 0.55);
        let cell = (v + 0.5).floor(); // cell k spans k - 0.5 .. k + 0.5
        let off = v - cell; // -0.5 ..< 0.5
        cell + off.clamp(-0.45, 0.45)
    };
    [fix(u[0], gx), fix(u[1], gy)]
}

/// Zones as rectangles of lattice cells: bands of rows, each split into runs of columns.
#[derive(Debug, Clone)]
pub struct ZoneGrid {
    /// Row where each band starts (the band spans `starts[b] .. starts[b + 1]`), plus `gy`.
    pub band_rows: Vec<usize>,
    /// Per band, the column where each zone starts, plus `gx`.
    pub band_cols: Vec<Vec<usize>>,
    /// Per band, the index of its first zone.
    pub band_first: Vec<usize>,
}

impl ZoneGrid {
    /// About `zones` zones of irregular sizes over a `gx` × `gy` lattice.
    pub fn new(seed: u64, gx: usize, gy: usize, zones: usize) -> Self {
        let zones = zones.max(1);
        let bands = ((zones as f64 * gy as f64 / gx as f64).sqrt().round() as usize)
            .clamp(1, zones.min(gy));
        let cut = |n: usize, parts: usize, key: u64| -> Vec<usize> {
            let mut v = vec![0usize];
            for k in 1..parts {
                let jit = unit(seed, stream::ZONES, key, k as u64) - 0.5;
                let at = ((k as f64 + 0.5 * jit) * n as f64 / parts as f64).round() as usize;
                let lo = v[v.len() - 1] + 1;
                v.push(at.clamp(lo, n - (parts - k)));
            }
            v.push(n);
            v
        };
        let band_rows = cut(gy, bands, 1_000_000);
        let mut band_cols = Vec::with_capacity(bands);
        let mut band_first = Vec::with_capacity(bands);
        let mut first = 0;
        for b in 0..bands {
            let count = zones / bands + usize::from(b < zones % bands);
            let count = count.clamp(1, gx);
            band_first.push(first);
            band_cols.push(cut(gx, count, b as u64));
            first += count;
        }
        ZoneGrid {
            band_rows,
            band_cols,
            band_first,
        }
    }

    /// Number of zones.
    pub fn len(&self) -> usize {
        self.band_first.last().copied().unwrap_or(0)
            + self.band_cols.last().map_or(0, |c| c.len() - 1)
    }

    /// True when there is no zone.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The zone of lattice cell `(i, j)`.
    #[inline]
    pub fn zone_of_cell(&self, i: usize, j: usize) -> usize {
        let b = self.band_rows.partition_point(|&r| r <= j) - 1;
        let cols = &self.band_cols[b];
        self.band_first[b] + cols.partition_point(|&c| c <= i) - 1
    }

    /// The zone of a lattice position (the cell whose centre is nearest).
    #[inline]
    pub fn zone_at(&self, u: [f64; 2], gx: usize, gy: usize) -> usize {
        let i = (u[0] + 0.5).floor().clamp(0.0, gx as f64 - 1.0) as usize;
        let j = (u[1] + 0.5).floor().clamp(0.0, gy as f64 - 1.0) as usize;
        self.zone_of_cell(i, j)
    }

    /// Cell rectangle of zone `z`: columns `i0..i1`, rows `j0..j1`.
    pub fn rect(&self, z: usize) -> (usize, usize, usize, usize) {
        let b = self.band_first.partition_point(|&f| f <= z) - 1;
        let k = z - self.band_first[b];
        let cols = &self.band_cols[b];
        (
            cols[k],
            cols[k + 1],
            self.band_rows[b],
            self.band_rows[b + 1],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_tile_the_lattice() {
        let g = ZoneGrid::new(3, 120, 90, 17);
        assert_eq!(g.len(), 17);
        let mut count = vec![0usize; g.len()];
        for j in 0..90 {
            for i in 0..120 {
                let z = g.zone_of_cell(i, j);
                let (i0, i1, j0, j1) = g.rect(z);
                assert!((i0..i1).contains(&i) && (j0..j1).contains(&j));
                count[z] += 1;
            }
        }
        assert!(count.iter().all(|&c| c > 0));
    }

    #[test]
    fn points_are_kept_off_zone_boundaries() {
        for u in [[0.5, 3.49], [-0.6, 2.0], [119.9, 89.7], [4.02, 7.51]] {
            let v = keep_off_boundaries(u, 120, 90);
            for (k, n) in [(0, 120.0), (1, 90.0)] {
                let f = v[k] - (v[k] + 0.5).floor();
                assert!(f.abs() <= 0.45 + 1e-12, "{u:?} -> {v:?}");
                assert!(v[k] > -0.5 && v[k] < n - 0.5);
            }
        }
    }
}
