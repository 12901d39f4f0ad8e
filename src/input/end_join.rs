//! Joining line end points that coincide within a tolerance, by sorting them into a square grid:
//! points closer than the tolerance lie in the same cell or, when one is within the tolerance of
//! a cell border, in a neighbouring cell. Sorting a few million cell keys and scanning the runs is
//! much cheaper than bulk loading an R-tree over the points and querying it once per point.

use rayon::prelude::*;

/// Groups `points` (plane coordinates in metres) so that any two within `tol` metres (Euclidean)
/// end up in one group, transitively; returns each point's group as the smallest index in it.
///
/// ```
/// use lifecircle::input::end_join::join_within;
/// let g = join_within(&[[0.0, 0.0], [5.0, 5.0], [0.0005, 0.0], [5.0, 5.0009]], 0.001);
/// assert_eq!(g, vec![0, 1, 0, 1]);
/// ```
pub fn join_within(points: &[[f64; 2]], tol: f64) -> Vec<u32> {
    let n = points.len();
    assert!(n <= u32::MAX as usize, "at most 2^32 points");
    let mut parent: Vec<u32> = (0..n as u32).collect();
    if n == 0 {
        return parent;
    }
    // Cells much larger than the tolerance, so that few points ever sit near a border; and
    // large enough that a cell's column and row, counted from the lowest, fit in 31 bits each
    // (one 64-bit key per point).
    let mut lo = [f64::INFINITY; 2];
    let mut hi = [f64::NEG_INFINITY; 2];
    for p in points {
        for k in 0..2 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    let span = (hi[0] - lo[0]).max(hi[1] - lo[1]);
    let cell = (tol * 1000.0).max(span / f64::from(1u32 << 30)).max(1e-9);
    let cell_of = |p: [f64; 2]| -> (i64, i64) {
        (
            ((p[0] - lo[0]) / cell).floor() as i64,
            ((p[1] - lo[1]) / cell).floor() as i64,
        )
    };
    // Neighbouring cells may be -1 or one past the last: keys are offset by one.
    let key_of = |ix: i64, iy: i64| -> u64 { (((ix + 1) as u64) << 32) | (iy + 1) as u64 };
    let mut order: Vec<(u64, u32)> = points
        .par_iter()
        .enumerate()
        .map(|(i, &p)| {
            let (ix, iy) = cell_of(p);
            (key_of(ix, iy), i as u32)
        })
        .collect();
    order.par_sort_unstable();
    // The points in cell order: the scans below then read memory in order.
    let sorted: Vec<[f64; 2]> = order.par_iter().map(|&(_, i)| points[i as usize]).collect();
    let tol2 = tol * tol;
    // Whether the points at positions `a` and `b` of `order` are within the tolerance.
    let close = |a: usize, b: usize| {
        let (p, q) = (sorted[a], sorted[b]);
        let (dx, dy) = (p[0] - q[0], p[1] - q[1]);
        dx * dx + dy * dy <= tol2
    };
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && order[j].0 == order[i].0 {
            j += 1;
        }
        // Within the cell: every pair (runs are a junction's few ends).
        for a in i..j {
            for b in a + 1..j {
                if close(a, b) {
                    union(&mut parent, order[a].1 as usize, order[b].1 as usize);
                }
            }
        }
        i = j;
    }
    // Points within the tolerance of a cell border: compare with the neighbouring cells' runs.
    for (k, &p) in sorted.iter().enumerate() {
        let (ix, iy) = cell_of(p);
        let (fx, fy) = (
            p[0] - lo[0] - ix as f64 * cell,
            p[1] - lo[1] - iy as f64 * cell,
        );
        let near_x = if fx <= tol {
            -1
        } else if cell - fx <= tol {
            1
        } else {
            0
        };
        let near_y = if fy <= tol {
            -1
        } else if cell - fy <= tol {
            1
        } else {
            0
        };
        if near_x == 0 && near_y == 0 {
            continue;
        }
        for (dx, dy) in [(near_x, 0), (0, near_y), (near_x, near_y)] {
            if dx == 0 && dy == 0 {
                continue;
            }
            let key = key_of(ix + dx, iy + dy);
            let start = order.partition_point(|e| e.0 < key);
            for m in (start..order.len()).take_while(|&m| order[m].0 == key) {
                if close(k, m) {
                    union(&mut parent, order[k].1 as usize, order[m].1 as usize);
                }
            }
        }
    }
    (0..n).map(|v| find(&mut parent, v) as u32).collect()
}

fn find(parent: &mut [u32], mut v: usize) -> usize {
    while parent[v] as usize != v {
        parent[v] = parent[parent[v] as usize];
        v = parent[v] as usize;
    }
    v
}

fn union(parent: &mut [u32], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb)] = ra.min(rb) as u32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Groups by brute force: union of every pair within the tolerance.
    fn brute(points: &[[f64; 2]], tol: f64) -> Vec<u32> {
        let mut parent: Vec<u32> = (0..points.len() as u32).collect();
        for a in 0..points.len() {
            for b in a + 1..points.len() {
                let (dx, dy) = (points[a][0] - points[b][0], points[a][1] - points[b][1]);
                if dx * dx + dy * dy <= tol * tol {
                    union(&mut parent, a, b);
                }
            }
        }
        (0..points.len())
            .map(|v| find(&mut parent, v) as u32)
            .collect()
    }

    proptest! {
        /// Points clustered on a coarse lattice with jitter around the tolerance, many of them
        /// straddling cell borders.
        #[test]
        fn equals_brute_force(
            pts in proptest::collection::vec((0i32..4, 0i32..4, -2.0f64..2.0, -2.0f64..2.0), 1..120)
        ) {
            let tol = 0.001;
            let points: Vec<[f64; 2]> = pts
                .iter()
                .map(|&(x, y, jx, jy)| [x as f64 * 1.0 + jx * tol, y as f64 * 1.0 + jy * tol])
                .collect();
            prop_assert_eq!(join_within(&points, tol), brute(&points, tol));
        }

        /// Clusters spread so far apart that the cells grow with the span, not the tolerance.
        #[test]
        fn equals_brute_force_over_a_vast_span(
            pts in proptest::collection::vec((0i32..3, 0i32..3, -2.0f64..2.0, -2.0f64..2.0), 1..80),
            far in 1e9f64..1e13,
        ) {
            let tol = 0.001;
            let points: Vec<[f64; 2]> = pts
                .iter()
                .map(|&(x, y, jx, jy)| [x as f64 * far + jx * tol, y as f64 * far + jy * tol])
                .collect();
            prop_assert_eq!(join_within(&points, tol), brute(&points, tol));
        }
    }
}
