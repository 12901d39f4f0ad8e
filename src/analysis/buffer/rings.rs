//! Outline pieces into rings, rings into polygons.

use super::events::{Key, Kind};
use super::grid::Grid;
use super::{ring_area, BufferError, Piece, PlanePolygon, Prim, Shapes, LINK_TOLERANCE_M};
use rayon::prelude::*;

impl Shapes {
    /// Links the pieces end to start, walks them into rings (arcs drawn with chords of sagitta
    /// at most `arc_tolerance`) and groups the rings into polygons.
    pub(super) fn rings(
        &self,
        pieces: Vec<Piece>,
        arc_tolerance: f64,
    ) -> Result<Vec<PlanePolygon>, BufferError> {
        let next = self.link(&pieces)?;
        let step = 2.0 * (1.0 - (arc_tolerance / self.r).min(1.0)).acos();
        let step = if step > 0.0 { step } else { 0.1 };
        let mut visited = vec![false; pieces.len()];
        let mut outers: Vec<Vec<[f64; 2]>> = Vec::new();
        let mut holes: Vec<Vec<[f64; 2]>> = Vec::new();
        let min_area = 1e-9 * self.r * self.r;
        for first in 0..pieces.len() {
            if visited[first] {
                continue;
            }
            let mut ring: Vec<[f64; 2]> = Vec::new();
            let mut i = first;
            loop {
                if visited[i] {
                    return Err(BufferError::Unlinked(1));
                }
                visited[i] = true;
                self.emit(&pieces[i], step, &mut ring);
                i = next[i] as usize;
                if i == first {
                    break;
                }
            }
            if ring.len() < 3 {
                continue;
            }
            ring.push(ring[0]);
            let a = ring_area(&ring);
            if a > min_area {
                outers.push(ring);
            } else if a < -min_area {
                holes.push(ring);
            }
        }
        self.nest(outers, holes)
    }

    /// The successor of every piece: the piece starting at its end event; loose ends (rounding
    /// at near-degenerate meetings, `Open` events) are joined to the nearest loose start within
    /// [`LINK_TOLERANCE_M`].
    fn link(&self, pieces: &[Piece]) -> Result<Vec<u32>, BufferError> {
        let n = pieces.len();
        let mut starts: Vec<(Key, u32)> = pieces
            .iter()
            .enumerate()
            .map(|(i, p)| (p.start, i as u32))
            .collect();
        starts.par_sort_unstable();
        // Each end to the first start of its event (in parallel); an event that starts two
        // pieces (degenerate) leaves the second start and the second end loose.
        let mut next: Vec<u32> = pieces
            .par_iter()
            .map(|p| {
                if p.end.kind() == Kind::Open {
                    return u32::MAX;
                }
                let j = starts.partition_point(|s| s.0 < p.end);
                match starts.get(j) {
                    Some(&(k, c)) if k == p.end => c,
                    _ => u32::MAX,
                }
            })
            .collect();
        let mut taken = vec![false; n];
        for c in next.iter_mut() {
            if *c != u32::MAX {
                if taken[*c as usize] {
                    *c = u32::MAX;
                } else {
                    taken[*c as usize] = true;
                }
            }
        }
        let ends: Vec<usize> = (0..n).filter(|&i| next[i] == u32::MAX).collect();
        if ends.is_empty() {
            return Ok(next);
        }
        let mut loose: Vec<([f64; 2], usize)> = (0..n)
            .filter(|&i| !taken[i])
            .map(|i| (self.piece_point(&pieces[i], true), i))
            .collect();
        loose.sort_by(|a, b| a.0[0].total_cmp(&b.0[0]));
        let mut unlinked = 0;
        for i in ends {
            let p = self.piece_point(&pieces[i], false);
            let from = loose.partition_point(|s| s.0[0] < p[0] - LINK_TOLERANCE_M);
            let mut best: Option<(f64, usize)> = None;
            for (k, s) in loose.iter().enumerate().skip(from) {
                if s.0[0] > p[0] + LINK_TOLERANCE_M {
                    break;
                }
                let d = (s.0[0] - p[0]).hypot(s.0[1] - p[1]);
                if !taken[s.1] && d <= LINK_TOLERANCE_M && best.is_none_or(|b| d < b.0) {
                    best = Some((d, k));
                }
            }
            match best {
                Some((_, k)) => {
                    let c = loose[k].1;
                    next[i] = c as u32;
                    taken[c] = true;
                }
                None => unlinked += 1,
            }
        }
        if unlinked > 0 {
            return Err(BufferError::Unlinked(unlinked));
        }
        Ok(next)
    }

    /// The point where a piece starts (or ends).
    fn piece_point(&self, p: &Piece, start: bool) -> [f64; 2] {
        let key = if start { p.start } else { p.end };
        if key.kind() != Kind::Open && !(key.kind() == Kind::Tangent && key.p() == u32::MAX) {
            return self.event_point(key);
        }
        let t = if start { p.t0 } else { p.t1 };
        match p.prim {
            Prim::Line(l) => {
                let (p0, w) = self.line_start(l);
                [p0[0] + t * w[0], p0[1] + t * w[1]]
            }
            Prim::Arc(v) => {
                let c = self.pts[v as usize];
                [c[0] + self.r * t.cos(), c[1] + self.r * t.sin()]
            }
        }
    }

    /// Appends the piece's start point and, for an arc, its inner chord points.
    fn emit(&self, p: &Piece, step: f64, ring: &mut Vec<[f64; 2]>) {
        let s = self.piece_point(p, true);
        if ring.last() != Some(&s) {
            ring.push(s);
        }
        if let Prim::Arc(v) = p.prim {
            let sweep = p.t1 - p.t0;
            let k = (sweep / step).ceil();
            if k >= 2.0 {
                let c = self.pts[v as usize];
                let th = (s[1] - c[1]).atan2(s[0] - c[0]);
                for i in 1..k as usize {
                    let a = th + sweep * i as f64 / k;
                    ring.push([c[0] + self.r * a.cos(), c[1] + self.r * a.sin()]);
                }
            }
        }
    }

    /// Puts every hole into the polygon whose outer ring holds it: a ray from the hole's
    /// leftmost point towards −x meets first either an outer ring (that polygon) or another hole
    /// (that hole's polygon, known already since holes go in order of their leftmost x).
    fn nest(
        &self,
        outers: Vec<Vec<[f64; 2]>>,
        holes: Vec<Vec<[f64; 2]>>,
    ) -> Result<Vec<PlanePolygon>, BufferError> {
        if holes.is_empty() {
            return Ok(outers
                .into_iter()
                .map(|exterior| PlanePolygon {
                    exterior,
                    holes: Vec::new(),
                })
                .collect());
        }
        // Rings 0..O are outers, O.. holes; edges by (ring, index of first point).
        let no = outers.len();
        let rings: Vec<&Vec<[f64; 2]>> = outers.iter().chain(holes.iter()).collect();
        let mut edges: Vec<(u32, u32)> = Vec::new();
        let mut extent = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for (k, r) in rings.iter().enumerate() {
            for i in 0..r.len() - 1 {
                edges.push((k as u32, i as u32));
            }
            for p in r.iter() {
                extent = [
                    extent[0].min(p[0]),
                    extent[1].min(p[1]),
                    extent[2].max(p[0]),
                    extent[3].max(p[1]),
                ];
            }
        }
        let ebox = |e: usize| {
            let (k, i) = edges[e];
            let (a, b) = (
                rings[k as usize][i as usize],
                rings[k as usize][i as usize + 1],
            );
            [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[0].max(b[0]),
                a[1].max(b[1]),
            ]
        };
        let grid = Grid::build(extent, 2.0 * self.r, edges.len(), ebox);
        let leftmost = |r: &Vec<[f64; 2]>| {
            *r.iter()
                .min_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])))
                .expect("a ring has points")
        };
        let mut order: Vec<usize> = (0..holes.len()).collect();
        let starts: Vec<[f64; 2]> = holes.iter().map(leftmost).collect();
        order.sort_by(|&a, &b| starts[a][0].total_cmp(&starts[b][0]).then(a.cmp(&b)));
        // The ring each hole's ray meets first (in parallel), then the parents in order.
        let hits: Vec<Option<usize>> = (0..holes.len())
            .into_par_iter()
            .map(|h| {
                let p = starts[h];
                let own = (no + h) as u32;
                let mut col = grid.column(p[0]);
                let row = grid.row(p[1]);
                loop {
                    let (left, right) = (grid.column_left(col), grid.column_left(col + 1));
                    let mut best: Option<(f64, u32)> = None;
                    grid.for_each_in_cell(col, row, |e| {
                        let (k, i) = edges[e as usize];
                        if k == own {
                            return;
                        }
                        let r = rings[k as usize];
                        let (a, b) = (r[i as usize], r[i as usize + 1]);
                        if (a[1] <= p[1]) == (b[1] <= p[1]) {
                            return;
                        }
                        let x = a[0] + (p[1] - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
                        if x < p[0] && x >= left && x < right && best.is_none_or(|(bx, _)| x > bx) {
                            best = Some((x, k));
                        }
                    });
                    if let Some((_, k)) = best {
                        return Some(k as usize);
                    }
                    if col == 0 {
                        return None;
                    }
                    col -= 1;
                }
            })
            .collect();
        let mut parent = vec![usize::MAX; holes.len()];
        for h in order {
            parent[h] = match hits[h] {
                Some(k) if k < no => k,
                Some(k) if parent[k - no] != usize::MAX => parent[k - no],
                _ => return Err(BufferError::Unlinked(1)),
            };
        }
        let mut polys: Vec<PlanePolygon> = outers
            .into_iter()
            .map(|exterior| PlanePolygon {
                exterior,
                holes: Vec::new(),
            })
            .collect();
        for (h, ring) in holes.into_iter().enumerate() {
            polys[parent[h]].holes.push(ring);
        }
        Ok(polys)
    }
}
