//! The primitives of a buffer's outline and the points where two of them meet.
//!
//! The outline of a union of capsules is made of two kinds of primitive curves: the offset lines
//! `ℓ(s, σ)` (segment `s` moved by the radius to its left, `σ = +1`, or right, `σ = −1`) and the
//! circles `C(v)` of radius `r` around segment end points. A piece of outline ends where its
//! primitive meets another one; such a meeting point is an *event*, named by the unordered pair
//! of primitives (and, for a line and a circle or two circles, which of their two meetings). An
//! event's point is computed by one function of that name, whichever piece asks, so that the
//! pieces ending and starting there share the point bit for bit.

use super::Shapes;

/// Kinds of events, in the order they sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
    /// Two offset lines cross.
    LineLine = 0,
    /// An offset line crosses a circle (`which`: 0 for the crossing nearer the line's start).
    LineCircle = 1,
    /// Two circles cross (`which`: 0 for the crossing left of the line from the circle of the
    /// lower vertex to the other).
    CircleCircle = 2,
    /// An offset line ends where it touches the circle of its segment's end point.
    Tangent = 3,
    /// A covering interval ended at a shape's cap (inside the cap's circle, unless degenerate):
    /// no primitive pair; `p` numbers it uniquely.
    Open = 4,
}

/// The name of an event: kind, the two primitives (lines numbered `2 s + (σ = −1)`, circles by
/// vertex), and which meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct Key(u64, u64);

impl Key {
    pub(super) fn new(kind: Kind, which: u8, p: u32, q: u32) -> Key {
        Key(
            ((kind as u64) << 8) | which as u64,
            ((p as u64) << 32) | q as u64,
        )
    }

    pub(super) fn kind(self) -> Kind {
        match self.0 >> 8 {
            0 => Kind::LineLine,
            1 => Kind::LineCircle,
            2 => Kind::CircleCircle,
            3 => Kind::Tangent,
            _ => Kind::Open,
        }
    }

    pub(super) fn which(self) -> u8 {
        (self.0 & 0xff) as u8
    }

    pub(super) fn p(self) -> u32 {
        (self.1 >> 32) as u32
    }

    pub(super) fn q(self) -> u32 {
        self.1 as u32
    }

    /// Two offset lines, in either order.
    pub(super) fn line_line(l1: u32, l2: u32) -> Key {
        Key::new(Kind::LineLine, 0, l1.min(l2), l1.max(l2))
    }

    /// Offset line `l` and circle `c`, crossing `which`.
    pub(super) fn line_circle(l: u32, c: u32, which: u8) -> Key {
        Key::new(Kind::LineCircle, which, l, c)
    }

    /// Circles `c1` and `c2` (either order), crossing `which` as seen from the lower one.
    pub(super) fn circle_circle(c1: u32, c2: u32, which: u8) -> Key {
        Key::new(Kind::CircleCircle, which, c1.min(c2), c1.max(c2))
    }

    /// Offset line `l` at its end point on circle `c`.
    pub(super) fn tangent(l: u32, c: u32) -> Key {
        Key::new(Kind::Tangent, 0, l, c)
    }
}

/// The segment and side of offset line `l`.
#[inline]
pub(super) fn line_parts(l: u32) -> (usize, f64) {
    (
        (l / 2) as usize,
        if l.is_multiple_of(2) { 1.0 } else { -1.0 },
    )
}

/// Offset line number of segment `s`, side `sigma`.
#[inline]
pub(super) fn line_id(s: usize, sigma: f64) -> u32 {
    2 * s as u32 + u32::from(sigma < 0.0)
}

impl Shapes {
    /// Start point of offset line `l` (at its segment's start `a`) and its direction.
    #[inline]
    pub(super) fn line_start(&self, l: u32) -> ([f64; 2], [f64; 2]) {
        let (s, sigma) = line_parts(l);
        let g = &self.segs[s];
        (self.offset_point(self.pts[g.a as usize], g.n, sigma), g.u)
    }

    /// `v + σ r n`: where an offset line touches the circle of `v`.
    #[inline]
    pub(super) fn offset_point(&self, v: [f64; 2], n: [f64; 2], sigma: f64) -> [f64; 2] {
        [v[0] + sigma * self.r * n[0], v[1] + sigma * self.r * n[1]]
    }

    /// The two parameters along offset line `l` (from its start, in its direction) where it
    /// crosses circle `c`, in increasing order; `None` when it passes at `r` or more.
    pub(super) fn line_circle_roots(&self, l: u32, c: u32) -> Option<[f64; 2]> {
        let (p0, w) = self.line_start(l);
        let cen = self.pts[c as usize];
        let d = [cen[0] - p0[0], cen[1] - p0[1]];
        let tc = d[0] * w[0] + d[1] * w[1];
        let perp = w[0] * d[1] - w[1] * d[0];
        let h2 = self.r * self.r - perp * perp;
        if h2 <= 0.0 {
            return None;
        }
        let h = h2.sqrt();
        Some([tc - h, tc + h])
    }

    /// The point of an event (not of an `Open` one).
    pub(super) fn event_point(&self, k: Key) -> [f64; 2] {
        match k.kind() {
            Kind::LineLine => self.line_line_point(k.p(), k.q()),
            Kind::LineCircle => {
                let (p0, w) = self.line_start(k.p());
                let t = self
                    .line_circle_roots(k.p(), k.q())
                    .map(|r| r[k.which() as usize])
                    .unwrap_or_else(|| {
                        // Tangent within rounding: the foot of the perpendicular.
                        let c = self.pts[k.q() as usize];
                        (c[0] - p0[0]) * w[0] + (c[1] - p0[1]) * w[1]
                    });
                [p0[0] + t * w[0], p0[1] + t * w[1]]
            }
            Kind::CircleCircle => {
                let (c1, c2) = (self.pts[k.p() as usize], self.pts[k.q() as usize]);
                let d = [c2[0] - c1[0], c2[1] - c1[1]];
                let len = d[0].hypot(d[1]);
                let h = (self.r * self.r - 0.25 * len * len).max(0.0).sqrt();
                let e = [d[0] / len, d[1] / len];
                let side = if k.which() == 0 { 1.0 } else { -1.0 };
                [
                    c1[0] + 0.5 * d[0] - side * h * e[1],
                    c1[1] + 0.5 * d[1] + side * h * e[0],
                ]
            }
            Kind::Tangent => {
                let (s, sigma) = line_parts(k.p());
                self.offset_point(self.pts[k.q() as usize], self.segs[s].n, sigma)
            }
            Kind::Open => unreachable!("open events have no point of their own"),
        }
    }

    /// Where offset lines `l1` and `l2` cross. Lines of segments sharing an end point `v` meet
    /// at `v + r (m1 + m2) / (1 + m1·m2)` (`m` the unit normals towards the lines), which stays
    /// exact as the lines turn parallel; others by the general formula.
    fn line_line_point(&self, l1: u32, l2: u32) -> [f64; 2] {
        let (s1, g1) = line_parts(l1);
        let (s2, g2) = line_parts(l2);
        let (a, b) = (&self.segs[s1], &self.segs[s2]);
        let shared = [a.a, a.b].into_iter().find(|v| *v == b.a || *v == b.b);
        if let Some(v) = shared {
            let m1 = [g1 * a.n[0], g1 * a.n[1]];
            let m2 = [g2 * b.n[0], g2 * b.n[1]];
            let den = 1.0 + m1[0] * m2[0] + m1[1] * m2[1];
            if den > 1e-9 {
                let p = self.pts[v as usize];
                return [
                    p[0] + self.r * (m1[0] + m2[0]) / den,
                    p[1] + self.r * (m1[1] + m2[1]) / den,
                ];
            }
        }
        let (p, w1) = self.line_start(l1);
        let (q, w2) = self.line_start(l2);
        let den = w1[0] * w2[1] - w1[1] * w2[0];
        let d = [q[0] - p[0], q[1] - p[1]];
        let t = (d[0] * w2[1] - d[1] * w2[0]) / den;
        [p[0] + t * w1[0], p[1] + t * w1[1]]
    }
}
