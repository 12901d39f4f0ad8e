//! Which parts of each primitive piece lie strictly inside another capsule, and what is left.
//!
//! A point of a piece is on the outline exactly when no other shape (a segment's open rectangle
//! of half-width `r`, or a vertex's open disk of radius `r`) holds it. Along an offset line each
//! shape holds one open interval (both shapes are convex); along a circle a rectangle holds up
//! to four open arcs and a disk one. Each interval end carries the event where the piece enters
//! or leaves the shape; the uncovered gaps between the intervals become outline pieces.

use super::events::{line_id, Key, Kind};
use super::{ArcSpec, Piece, Prim, Shapes};
use std::f64::consts::{PI, TAU};

/// One end of a covered interval: its parameter along the piece and its event.
#[derive(Debug, Clone, Copy)]
struct End {
    t: f64,
    key: Key,
}

/// A covered open interval of a piece's parameter.
#[derive(Debug, Clone, Copy)]
struct Covered {
    lo: End,
    hi: End,
}

/// Reusable buffers for one thread.
pub(super) struct Scratch {
    /// Segments whose rectangles may meet the query.
    rects: Vec<u32>,
    /// Vertices whose disks may meet the query.
    disks: Vec<u32>,
    covered: Vec<Covered>,
    /// Intervals of the second offset line of a segment.
    covered2: Vec<Covered>,
    arcs: Vec<Covered>,
    tmp: Vec<Covered>,
    gaps: Vec<(End, End)>,
    open_seq: u32,
    open_base: u32,
}

impl Scratch {
    pub(super) fn new() -> Scratch {
        Scratch {
            rects: Vec::new(),
            disks: Vec::new(),
            covered: Vec::new(),
            covered2: Vec::new(),
            arcs: Vec::new(),
            tmp: Vec::new(),
            gaps: Vec::new(),
            open_seq: 0,
            open_base: 0,
        }
    }

    /// Starts a new chunk of work: `Open` keys are numbered afresh under base `chunk`.
    pub(super) fn restart(&mut self, chunk: u32) {
        self.open_base = chunk;
        self.open_seq = 0;
    }

    /// A fresh `Open` event key, unique over the whole run (each thread numbers from its own
    /// base).
    fn open_key(&mut self) -> Key {
        self.open_seq += 1;
        Key::new(Kind::Open, 0, self.open_base, self.open_seq)
    }

    /// The segments and the vertices whose shapes' boxes meet `b`, once each: segments from
    /// the grid, and each vertex through the one incident segment that owns it (its box holds
    /// the vertex's disk), or from the grid when it has none.
    fn candidates(&mut self, shapes: &Shapes, b: [f64; 4]) {
        self.rects.clear();
        self.disks.clear();
        let (rects, disks) = (&mut self.rects, &mut self.disks);
        let nseg = shapes.segs.len() as u32;
        shapes.grid.for_each_meeting(b, |i| {
            if i < nseg {
                rects.push(i);
                let g = &shapes.segs[i as usize];
                for v in [g.a, g.b] {
                    let p = shapes.pts[v as usize];
                    let r = shapes.r;
                    if shapes.owner[v as usize] == i
                        && p[0] - r <= b[2]
                        && p[0] + r >= b[0]
                        && p[1] - r <= b[3]
                        && p[1] + r >= b[1]
                    {
                        disks.push(v);
                    }
                }
            } else {
                disks.push(shapes.lone[(i - nseg) as usize]);
            }
        });
    }
}

impl Shapes {
    /// The outline pieces of both offset lines of segment `s`, pushed onto `out`.
    pub(super) fn cover_segment(&self, s: usize, sc: &mut Scratch, out: &mut Vec<Piece>) {
        let seg = self.segs[s];
        let (pa, pb) = (self.pts[seg.a as usize], self.pts[seg.b as usize]);
        let rr = self.r;
        sc.candidates(
            self,
            [
                pa[0].min(pb[0]) - rr,
                pa[1].min(pb[1]) - rr,
                pa[0].max(pb[0]) + rr,
                pa[1].max(pb[1]) + rr,
            ],
        );
        let (lp, lm) = (line_id(s, 1.0), line_id(s, -1.0));
        let (pp, w) = self.line_start(lp);
        let (pm, _) = self.line_start(lm);
        sc.covered.clear();
        sc.covered2.clear();
        let (a, r, len) = (self.pts[seg.a as usize], self.r, seg.len);
        // Coordinates across (`h`) and along (`g`) segment s, from its start.
        let frame = |p: [f64; 2]| {
            let d = [p[0] - a[0], p[1] - a[1]];
            (
                seg.n[0] * d[0] + seg.n[1] * d[1],
                seg.u[0] * d[0] + seg.u[1] * d[1],
            )
        };
        for k in 0..sc.rects.len() {
            let i = sc.rects[k];
            if i as usize == s {
                continue;
            }
            // The rectangle of q lies within r of q's axis: a cheap box in s's frame.
            let q = &self.segs[i as usize];
            let (ha, ga) = frame(self.pts[q.a as usize]);
            let (hb, gb) = frame(self.pts[q.b as usize]);
            if ga.min(gb) - r >= len || ga.max(gb) + r <= 0.0 {
                continue;
            }
            let (hlo, hhi) = (ha.min(hb), ha.max(hb));
            if hlo < 2.0 * r && hhi > 0.0 {
                if let Some(c) = self.line_in_rect(lp, pp, w, len, i as usize, sc) {
                    sc.covered.push(c);
                }
            }
            if hlo < 0.0 && hhi > -2.0 * r {
                if let Some(c) = self.line_in_rect(lm, pm, w, len, i as usize, sc) {
                    sc.covered2.push(c);
                }
            }
        }
        for k in 0..sc.disks.len() {
            let v = sc.disks[k];
            if v == seg.a || v == seg.b {
                continue;
            }
            let (h, g) = frame(self.pts[v as usize]);
            if g <= -r || g >= len + r || h.abs() >= 2.0 * r || h == 0.0 {
                continue;
            }
            let (l, list) = if h > 0.0 {
                (lp, &mut sc.covered)
            } else {
                (lm, &mut sc.covered2)
            };
            if let Some([t0, t1]) = self.line_circle_roots(l, v) {
                if t1 > 0.0 && t0 < len {
                    list.push(Covered {
                        lo: End {
                            t: t0,
                            key: Key::line_circle(l, v, 0),
                        },
                        hi: End {
                            t: t1,
                            key: Key::line_circle(l, v, 1),
                        },
                    });
                }
            }
        }
        for (l, second) in [(lp, false), (lm, true)] {
            let list = if second {
                &mut sc.covered2
            } else {
                &mut sc.covered
            };
            uncovered(
                list,
                0.0,
                seg.len,
                Key::tangent(l, seg.a),
                Key::tangent(l, seg.b),
                &mut sc.gaps,
            );
            for &(lo, hi) in &sc.gaps {
                // The shape lies left of the right line going forward, and left of the left
                // line going backward.
                let (from, to) = if second { (lo, hi) } else { (hi, lo) };
                out.push(Piece {
                    prim: Prim::Line(l),
                    t0: from.t,
                    t1: to.t,
                    start: from.key,
                    end: to.key,
                });
            }
        }
        // The exposed arcs of the end points this segment owns, with the same candidates.
        for v in [seg.a, seg.b] {
            if self.owner[v as usize] == s as u32 {
                let (lo, hi) = (self.arc_first[v as usize], self.arc_first[v as usize + 1]);
                for k in lo as usize..hi as usize {
                    self.cover_arc(&self.arcs[k], false, sc, out);
                }
            }
        }
    }

    /// The open interval of offset line `l` (start `p0`, direction `w`) inside segment `q`'s
    /// rectangle, if it meets the line's length `len`. Ends at the rectangle's caps get `Open`
    /// keys.
    fn line_in_rect(
        &self,
        l: u32,
        p0: [f64; 2],
        w: [f64; 2],
        len: f64,
        q: usize,
        sc: &mut Scratch,
    ) -> Option<Covered> {
        let g = &self.segs[q];
        let a = self.pts[g.a as usize];
        let d = [p0[0] - a[0], p0[1] - a[1]];
        let (an, bn) = (g.n[0] * d[0] + g.n[1] * d[1], g.n[0] * w[0] + g.n[1] * w[1]);
        let (au, bu) = (g.u[0] * d[0] + g.u[1] * d[1], g.u[0] * w[0] + g.u[1] * w[1]);
        let mut lo = (f64::NEG_INFINITY, None);
        let mut hi = (f64::INFINITY, None);
        // Each constraint: lower < alpha + beta t < upper.
        let constraints = [
            (
                an,
                bn,
                -self.r,
                self.r,
                Some(line_id(q, -1.0)),
                Some(line_id(q, 1.0)),
            ),
            (au, bu, 0.0, g.len, None, None),
        ];
        for (alpha, beta, lower, upper, at_lower, at_upper) in constraints {
            if beta == 0.0 {
                if !(alpha > lower && alpha < upper) {
                    return None;
                }
                continue;
            }
            let (t_lower, t_upper) = ((lower - alpha) / beta, (upper - alpha) / beta);
            let (enter, exit) = if beta > 0.0 {
                ((t_lower, at_lower), (t_upper, at_upper))
            } else {
                ((t_upper, at_upper), (t_lower, at_lower))
            };
            if enter.0 > lo.0 {
                lo = enter;
            }
            if exit.0 < hi.0 {
                hi = exit;
            }
        }
        if lo.0 >= hi.0 || hi.0 <= 0.0 || lo.0 >= len {
            return None;
        }
        let mut key = |cause: Option<u32>| match cause {
            Some(other) => Key::line_line(l, other),
            None => sc.open_key(),
        };
        Some(Covered {
            lo: End {
                t: lo.0,
                key: key(lo.1),
            },
            hi: End {
                t: hi.0,
                key: key(hi.1),
            },
        })
    }

    /// The outline pieces of the exposed arc of vertex `v` (from angle `theta0`, `delta`
    /// radians counter-clockwise, between the events `start` and `end`), pushed onto `out`.
    ///
    /// With `query`, the candidates are looked up around the vertex; without, those of the
    /// last segment query are used (an incident segment's, whose box holds the circle's).
    pub(super) fn cover_arc(
        &self,
        arc: &ArcSpec,
        query: bool,
        sc: &mut Scratch,
        out: &mut Vec<Piece>,
    ) {
        let ArcSpec {
            v,
            theta0,
            delta,
            start,
            end,
        } = *arc;
        let c = self.pts[v as usize];
        let r = self.r;
        if query {
            sc.candidates(self, [c[0] - r, c[1] - r, c[0] + r, c[1] + r]);
        }
        if delta <= 0.0 {
            // A straight joint: one point, kept unless strictly inside another shape.
            let p = self.event_point(start);
            let in_rect = sc.rects.iter().any(|&i| {
                let g = &self.segs[i as usize];
                g.a != v && g.b != v && self.in_rect(p, i as usize)
            });
            let in_disk = sc.disks.iter().any(|&w| {
                let q = self.pts[w as usize];
                w != v && (p[0] - q[0]).hypot(p[1] - q[1]) < r
            });
            let inside = in_rect || in_disk;
            if !inside {
                out.push(Piece {
                    prim: Prim::Arc(v),
                    t0: theta0,
                    t1: theta0,
                    start,
                    end,
                });
            }
            return;
        }
        sc.covered.clear();
        let (nr, nd) = (sc.rects.len(), sc.disks.len());
        // The arc lies within `reach` of its midpoint: shapes farther than r + reach from the
        // midpoint cannot hold any of it.
        let mid = theta0 + 0.5 * delta;
        let m = [c[0] + r * mid.cos(), c[1] + r * mid.sin()];
        let reach = r + 2.0 * r * (0.25 * delta).sin() + 1e-9 * r;
        for k in 0..nr + nd {
            sc.arcs.clear();
            if k < nr {
                let i = sc.rects[k];
                let g = &self.segs[i as usize];
                if g.a == v || g.b == v || self.axis_distance(m, i as usize) >= reach {
                    continue;
                }
                self.circle_in_rect(v, i as usize, sc);
            } else {
                let w = sc.disks[k - nr];
                let cw = self.pts[w as usize];
                if w == v || (cw[0] - m[0]).hypot(cw[1] - m[1]) >= reach {
                    continue;
                }
                let d = [cw[0] - c[0], cw[1] - c[1]];
                let dist = d[0].hypot(d[1]);
                if dist >= 2.0 * r || dist == 0.0 {
                    continue;
                }
                let half = (dist / (2.0 * r)).acos();
                let phi = d[1].atan2(d[0]);
                // Seen from the lower vertex, crossing 0 is left of the line to the other:
                // counter-clockwise from the direction to it.
                let (ccw, cw_) = if v < w { (0, 1) } else { (1, 0) };
                sc.arcs.push(Covered {
                    lo: End {
                        t: phi - half,
                        key: Key::circle_circle(v, w, cw_),
                    },
                    hi: End {
                        t: phi + half,
                        key: Key::circle_circle(v, w, ccw),
                    },
                });
            }
            // Angles relative to the arc's start, in [0, 2π); wrapping intervals are split.
            for j in 0..sc.arcs.len() {
                let a = sc.arcs[j];
                let lo = (a.lo.t - theta0).rem_euclid(TAU);
                let hi = lo + (a.hi.t - a.lo.t);
                let lo_end = End {
                    t: lo,
                    key: a.lo.key,
                };
                if hi <= TAU {
                    sc.covered.push(Covered {
                        lo: lo_end,
                        hi: End {
                            t: hi,
                            key: a.hi.key,
                        },
                    });
                } else {
                    sc.covered.push(Covered {
                        lo: lo_end,
                        hi: End {
                            t: TAU,
                            key: a.hi.key,
                        },
                    });
                    sc.covered.push(Covered {
                        lo: End {
                            t: 0.0 - 1e-300,
                            key: a.lo.key,
                        },
                        hi: End {
                            t: hi - TAU,
                            key: a.hi.key,
                        },
                    });
                }
            }
        }
        uncovered(&mut sc.covered, 0.0, delta, start, end, &mut sc.gaps);
        for &(lo, hi) in &sc.gaps {
            out.push(Piece {
                prim: Prim::Arc(v),
                t0: theta0 + lo.t,
                t1: theta0 + hi.t,
                start: lo.key,
                end: hi.key,
            });
        }
    }

    /// Distance from `p` to segment `q` (its axis, between its end points).
    fn axis_distance(&self, p: [f64; 2], q: usize) -> f64 {
        let g = &self.segs[q];
        let a = self.pts[g.a as usize];
        let d = [p[0] - a[0], p[1] - a[1]];
        let along = (g.u[0] * d[0] + g.u[1] * d[1]).clamp(0.0, g.len);
        (d[0] - along * g.u[0]).hypot(d[1] - along * g.u[1])
    }

    /// Whether point `p` is strictly inside segment `q`'s rectangle.
    fn in_rect(&self, p: [f64; 2], q: usize) -> bool {
        let g = &self.segs[q];
        let a = self.pts[g.a as usize];
        let d = [p[0] - a[0], p[1] - a[1]];
        let along = g.u[0] * d[0] + g.u[1] * d[1];
        let across = g.n[0] * d[0] + g.n[1] * d[1];
        along > 0.0 && along < g.len && across.abs() < self.r
    }

    /// The open arcs (absolute angles, `lo < hi`, `hi − lo < 2π`) of circle `v` inside segment
    /// `q`'s rectangle, into `sc.arcs`.
    fn circle_in_rect(&self, v: u32, q: usize, sc: &mut Scratch) {
        let g = &self.segs[q];
        let c = self.pts[v as usize];
        let a = self.pts[g.a as usize];
        let d = [c[0] - a[0], c[1] - a[1]];
        let r = self.r;
        // Across: −r < h + r cos(θ − ψn) < r, crossing ℓ(q, −1) at the lower bound and
        // ℓ(q, +1) at the upper.
        let h = g.n[0] * d[0] + g.n[1] * d[1];
        let psi_n = g.angle + std::f64::consts::FRAC_PI_2;
        let across = band(psi_n, (-r - h) / r, (r - h) / r);
        // Along: 0 < k + r cos(θ − ψu) < len, ends at the caps.
        let k = g.u[0] * d[0] + g.u[1] * d[1];
        let psi_u = g.angle;
        let along = band(psi_u, -k / r, (g.len - k) / r);
        sc.tmp.clear();
        for x in across.iter().flatten() {
            for y in along.iter().flatten() {
                // Intersect two arcs (lo, hi) given as absolute angles: bring y near x.
                let shift = ((x.0 - y.0) / TAU).round() * TAU;
                for m in [-1.0, 0.0, 1.0] {
                    let (ylo, yhi) = (y.0 + shift + m * TAU, y.1 + shift + m * TAU);
                    let lo = x.0.max(ylo);
                    let hi = x.1.min(yhi);
                    if lo < hi {
                        let lo_cause = if x.0 >= ylo { x.2 } else { None };
                        let hi_cause = if x.1 <= yhi { x.3 } else { None };
                        let lo_key = self.side_key(v, q, lo, lo_cause, sc);
                        let hi_key = self.side_key(v, q, hi, hi_cause, sc);
                        sc.tmp.push(Covered {
                            lo: End { t: lo, key: lo_key },
                            hi: End { t: hi, key: hi_key },
                        });
                    }
                }
            }
        }
        sc.arcs.append(&mut sc.tmp);
    }

    /// The event where circle `v`, at angle `theta`, crosses side `cause` (`Some(+1)` or
    /// `Some(−1)`) of segment `q`; an `Open` key at a cap.
    fn side_key(&self, v: u32, q: usize, theta: f64, cause: Option<f64>, sc: &mut Scratch) -> Key {
        let Some(sigma) = cause else {
            return sc.open_key();
        };
        let l = line_id(q, sigma);
        let Some(roots) = self.line_circle_roots(l, v) else {
            return sc.open_key();
        };
        let (p0, w) = self.line_start(l);
        let c = self.pts[v as usize];
        let x = [c[0] + self.r * theta.cos(), c[1] + self.r * theta.sin()];
        let t = (x[0] - p0[0]) * w[0] + (x[1] - p0[1]) * w[1];
        let which = u8::from((t - roots[1]).abs() < (t - roots[0]).abs());
        Key::line_circle(l, v, which)
    }
}

/// An arc `(lo, hi, cause at lo, cause at hi)` in absolute angles; causes are sides (±1).
type Arc = (f64, f64, Option<f64>, Option<f64>);

/// Angles θ with `lower < cos(θ − psi) < upper`: up to two open arcs. At `cos = upper` the
/// cause is side +1, at `cos = lower` side −1 (the callers give the across band; for the along
/// band the causes are caps, and `band` is called with the same convention and then ignored).
fn band(psi: f64, lower: f64, upper: f64) -> [Option<Arc>; 2] {
    if lower >= 1.0 || upper <= -1.0 || lower >= upper {
        return [None, None];
    }
    // |θ − ψ| > A where cos = upper, |θ − ψ| < B where cos = lower.
    let a = if upper >= 1.0 { 0.0 } else { upper.acos() };
    let b = if lower <= -1.0 { PI } else { lower.acos() };
    let (ca, cb) = ((upper < 1.0).then_some(1.0), (lower > -1.0).then_some(-1.0));
    if a == 0.0 && b == PI {
        // The whole circle.
        return [Some((psi, psi + TAU, None, None)), None];
    }
    if a == 0.0 {
        return [Some((psi - b, psi + b, cb, cb)), None];
    }
    if b == PI {
        return [Some((psi + a, psi + TAU - a, ca, ca)), None];
    }
    [
        Some((psi + a, psi + b, ca, cb)),
        Some((psi - b, psi - a, cb, ca)),
    ]
}

/// The gaps of `[d0, d1]` not covered by the open intervals `covered` (sorted here), into
/// `gaps`: each gap from its start end to its end end. A gap starts at the domain start (event
/// `start`) or where coverage stops, and ends where coverage starts or at the domain end (`end`).
fn uncovered(
    covered: &mut [Covered],
    d0: f64,
    d1: f64,
    start: Key,
    end: Key,
    gaps: &mut Vec<(End, End)>,
) {
    covered.sort_unstable_by(|a, b| a.lo.t.total_cmp(&b.lo.t).then(a.lo.key.cmp(&b.lo.key)));
    gaps.clear();
    let mut at = End { t: d0, key: start };
    for c in covered.iter() {
        if c.hi.t <= at.t || c.lo.t >= d1 {
            continue;
        }
        if c.lo.t > at.t {
            gaps.push((at, c.lo));
        }
        at = c.hi;
    }
    if at.t < d1 {
        gaps.push((at, End { t: d1, key: end }));
    }
}
