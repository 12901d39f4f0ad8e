//! Joining line end points that coincide within a tolerance, by sorting them into a square grid:
//! points closer than the tolerance lie in the same cell or, when one is within the tolerance of
//! a cell border, in a neighbouring cell. Sorting a few million cell keys and scanning the runs is
//! much cheaper than bulk loading an R-tree over the points and querying it once per point.

/// Groups `points` (plane coordinates in metres) so that any two within `tol` metres (Euclidean)
/// end up in one group, transitively; returns each point's group as the smallest index in it.
///
/// ```
/// use lifecircle::input::end_join::join_within;
/// let g = join_within(&[[0.0, 0.0], [5.0, 5.0], [0.0005, 0.0], [5.0, 5.0009]], 0.001);
/// assert_eq!(g, vec![0, 1, 0, 1]);
/// ```
pub fn join_within(points: &[[f64; 2]], tol: f64) -> Vec<usize> {
    let n = points.len();
    let mut parent: Vec<usize> = (0..n).collect();
    if n == 0 {
        return parent;
    }
    // Cells much larger than the tolerance: few points ever sit near a border.
    let cell = (tol * 1000.0).max(1e-9);
    let key_of = |ix: i64, iy: i64| -> u128 { ((ix as u64 as u128) << 64) | (iy as u64 as u128) };
    let cell_of = |p: [f64; 2]| -> (i64, i64) {
        ((p[0] / cell).floor() as i64, (p[1] / cell).floor() as i64)
    };
    let mut order: Vec<(u128, u32)> = points
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let (ix, iy) = cell_of(p);
            (key_of(ix, iy), i as u32)
        })
        .collect();
    order.sort_unstable();
    let tol2 = tol * tol;
    let close = |a: usize, b: usize| {
        let (p, q) = (points[a], points[b]);
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
                let (pa, pb) = (order[a].1 as usize, order[b].1 as usize);
                if close(pa, pb) {
                    union(&mut parent, pa, pb);
                }
            }
        }
        i = j;
    }
    // Points within the tolerance of a cell border: compare with the neighbouring cells' runs.
    for k in 0..order.len() {
        let a = order[k].1 as usize;
        let p = points[a];
        let (ix, iy) = cell_of(p);
        let (fx, fy) = (p[0] - ix as f64 * cell, p[1] - iy as f64 * cell);
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
            for e in order[start..].iter().take_while(|e| e.0 == key) {
                let b = e.1 as usize;
                if close(a, b) {
                    union(&mut parent, a, b);
                }
            }
        }
    }
    (0..n).map(|v| find(&mut parent, v)).collect()
}

fn find(parent: &mut [usize], mut v: usize) -> usize {
    while parent[v] != v {
        parent[v] = parent[parent[v]];
        v = parent[v];
    }
    v
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb)] = ra.min(rb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Groups by brute force: union of every pair within the tolerance.
    fn brute(points: &[[f64; 2]], tol: f64) -> Vec<usize> {
        let mut parent: Vec<usize> = (0..points.len()).collect();
        for a in 0..points.len() {
            for b in a + 1..points.len() {
                let (dx, dy) = (points[a][0] - points[b][0], points[a][1] - points[b][1]);
                if dx * dx + dy * dy <= tol * tol {
                    union(&mut parent, a, b);
                }
            }
        }
        (0..points.len()).map(|v| find(&mut parent, v)).collect()
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
    }
}
