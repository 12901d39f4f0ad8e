//! A uniform grid over the plane listing, per cell, the items whose box meets it (compressed rows:
//! offsets and entries, built by counting; no hashing). Each entry carries its item's box (in
//! `f32`, rounded outwards) and the first cell listing it, so that a query reads one cell's
//! entries in sequence and reports every item once.

/// Most cells a grid is given; past this the cells grow.
const MAX_CELLS: f64 = 4_000_000.0;

/// Most cells along one side (columns and rows are stored as `u16`).
const MAX_SIDE: f64 = 65_000.0;

/// One listing of an item in a cell.
#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    /// The item's box, relative to the grid's origin, rounded outwards.
    lo: [f32; 2],
    hi: [f32; 2],
    /// The item.
    id: u32,
    /// Column and row of the first cell listing the item.
    first: [u16; 2],
}

/// Items (by index) per cell of a uniform grid.
pub(super) struct Grid {
    x0: f64,
    y0: f64,
    cell: f64,
    nx: usize,
    ny: usize,
    offsets: Vec<u32>,
    entries: Vec<Entry>,
}

/// `x` as an `f32` no larger (`down`) or no smaller than `x`.
fn f32_round(x: f64, down: bool) -> f32 {
    let f = x as f32;
    match (down, (f as f64) > x, (f as f64) < x) {
        (true, true, _) => f.next_down(),
        (false, _, true) => f.next_up(),
        _ => f,
    }
}

impl Grid {
    /// A grid over `extent` (`[xmin, ymin, xmax, ymax]`) with cells of at least `min_cell`
    /// (larger when the extent would need more than [`MAX_CELLS`]), listing each of `n` items in
    /// every cell its box (`item_box(i)`) meets.
    pub(super) fn build(
        extent: [f64; 4],
        min_cell: f64,
        n: usize,
        item_box: impl Fn(usize) -> [f64; 4],
    ) -> Grid {
        let mut g = Grid::new(extent, min_cell);
        g.fill(n, item_box);
        g
    }

    /// An empty grid over `extent` with cells of at least `min_cell` (see [`Grid::build`]).
    pub(super) fn new(extent: [f64; 4], min_cell: f64) -> Grid {
        let (w, h) = (
            (extent[2] - extent[0]).max(0.0),
            (extent[3] - extent[1]).max(0.0),
        );
        let cell = min_cell
            .max((w * h / MAX_CELLS).sqrt())
            .max(w / MAX_SIDE)
            .max(h / MAX_SIDE)
            .max(1e-9);
        let nx = ((w / cell).floor() as usize + 1).max(1);
        let ny = ((h / cell).floor() as usize + 1).max(1);
        Grid {
            x0: extent[0],
            y0: extent[1],
            cell,
            nx,
            ny,
            offsets: Vec::new(),
            entries: Vec::new(),
        }
    }

    /// A key of the cell holding `p` such that cells near each other mostly have keys near each
    /// other (Morton order of column and row), for numbering items in a cache-friendly order.
    pub(super) fn locality_key(&self, p: [f64; 2]) -> u64 {
        let ((x, _), (y, _)) = self.range([p[0], p[1], p[0], p[1]]);
        let spread = |mut v: u64| {
            v &= 0xffff_ffff;
            v = (v | (v << 16)) & 0x0000_ffff_0000_ffff;
            v = (v | (v << 8)) & 0x00ff_00ff_00ff_00ff;
            v = (v | (v << 4)) & 0x0f0f_0f0f_0f0f_0f0f;
            v = (v | (v << 2)) & 0x3333_3333_3333_3333;
            (v | (v << 1)) & 0x5555_5555_5555_5555
        };
        spread(x as u64) | (spread(y as u64) << 1)
    }

    /// Lists each of `n` items in every cell its box (`item_box(i)`) meets.
    pub(super) fn fill(&mut self, n: usize, item_box: impl Fn(usize) -> [f64; 4]) {
        let (nx, ny) = (self.nx, self.ny);
        self.offsets = vec![0; nx * ny + 1];
        for i in 0..n {
            let (cx, cy) = self.range(item_box(i));
            for y in cy.0..=cy.1 {
                for x in cx.0..=cx.1 {
                    self.offsets[y * nx + x + 1] += 1;
                }
            }
        }
        for c in 0..nx * ny {
            self.offsets[c + 1] += self.offsets[c];
        }
        let mut fill: Vec<u32> = self.offsets[..nx * ny].to_vec();
        self.entries = vec![Entry::default(); self.offsets[nx * ny] as usize];
        for i in 0..n {
            let b = item_box(i);
            let (cx, cy) = self.range(b);
            let e = Entry {
                lo: [
                    f32_round(b[0] - self.x0, true),
                    f32_round(b[1] - self.y0, true),
                ],
                hi: [
                    f32_round(b[2] - self.x0, false),
                    f32_round(b[3] - self.y0, false),
                ],
                id: i as u32,
                first: [cx.0 as u16, cy.0 as u16],
            };
            for y in cy.0..=cy.1 {
                for x in cx.0..=cx.1 {
                    let c = y * nx + x;
                    self.entries[fill[c] as usize] = e;
                    fill[c] += 1;
                }
            }
        }
    }

    /// Column and row ranges (inclusive) of the cells a box meets, clamped to the grid.
    fn range(&self, b: [f64; 4]) -> ((usize, usize), (usize, usize)) {
        let col = |x: f64| (((x - self.x0) / self.cell).floor().max(0.0) as usize).min(self.nx - 1);
        let row = |y: f64| (((y - self.y0) / self.cell).floor().max(0.0) as usize).min(self.ny - 1);
        ((col(b[0]), col(b[2])), (row(b[1]), row(b[3])))
    }

    /// Calls `f` once with every item whose box (as given to [`Grid::fill`], rounded outwards
    /// to `f32`) meets `q`. An item listed in several cells is reported only from the first cell
    /// of the query's range that lists it, so no item comes twice.
    pub(super) fn for_each_meeting(&self, q: [f64; 4], mut f: impl FnMut(u32)) {
        let (cx, cy) = self.range(q);
        let lo = [
            f32_round(q[0] - self.x0, true),
            f32_round(q[1] - self.y0, true),
        ];
        let hi = [
            f32_round(q[2] - self.x0, false),
            f32_round(q[3] - self.y0, false),
        ];
        for y in cy.0..=cy.1 {
            for x in cx.0..=cx.1 {
                let c = y * self.nx + x;
                for e in &self.entries[self.offsets[c] as usize..self.offsets[c + 1] as usize] {
                    if e.lo[0] > hi[0] || e.hi[0] < lo[0] || e.lo[1] > hi[1] || e.hi[1] < lo[1] {
                        continue;
                    }
                    let first = (
                        (e.first[0] as usize).max(cx.0),
                        (e.first[1] as usize).max(cy.0),
                    );
                    if first == (x, y) {
                        f(e.id);
                    }
                }
            }
        }
    }

    /// The column of `x` (clamped).
    pub(super) fn column(&self, x: f64) -> usize {
        self.range([x, self.y0, x, self.y0]).0 .0
    }

    /// The row of `y` (clamped).
    pub(super) fn row(&self, y: f64) -> usize {
        self.range([self.x0, y, self.x0, y]).1 .0
    }

    /// Calls `f` with every item listed in cell (`col`, `row`).
    pub(super) fn for_each_in_cell(&self, col: usize, row: usize, mut f: impl FnMut(u32)) {
        let c = row * self.nx + col;
        for e in &self.entries[self.offsets[c] as usize..self.offsets[c + 1] as usize] {
            f(e.id);
        }
    }

    /// Left edge of column `col`.
    pub(super) fn column_left(&self, col: usize) -> f64 {
        self.x0 + col as f64 * self.cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_listed_in_every_cell_they_meet() {
        let boxes = [
            [0.0, 0.0, 1.0, 1.0],
            [5.0, 5.0, 25.0, 6.0],
            [-3.0, 9.0, -2.0, 9.5],
        ];
        let g = Grid::build([-3.0, 0.0, 25.0, 9.5], 10.0, boxes.len(), |i| boxes[i]);
        let mut seen = Vec::new();
        g.for_each_meeting([20.0, 5.5, 21.0, 5.6], |i| seen.push(i));
        assert_eq!(seen, vec![1]);
        seen.clear();
        g.for_each_meeting([-3.0, 0.0, 25.0, 9.5], |i| seen.push(i));
        seen.sort();
        assert_eq!(seen, vec![0, 1, 2], "each once");
        seen.clear();
        g.for_each_meeting([2.0, 2.0, 4.0, 4.0], |i| seen.push(i));
        assert!(
            seen.is_empty(),
            "boxes that miss the query are not reported"
        );
    }

    #[test]
    fn rounding_to_f32_only_grows_boxes() {
        for x in [0.1, -0.1, 12_345.678_9, -98_765.432_1, 1e-30, 3.0] {
            assert!(f32_round(x, true) as f64 <= x);
            assert!(f32_round(x, false) as f64 >= x);
        }
    }
}
