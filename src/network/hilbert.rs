//! Spatial ordering of points along a Hilbert curve, so that nodes close in space get close
//! numbers and searches touch memory locally.

use rayon::prelude::*;

/// Position of cell `(x, y)` along a Hilbert curve filling a 2^16 × 2^16 grid.
pub fn hilbert_index(mut x: u32, mut y: u32) -> u64 {
    const N: u32 = 1 << 16;
    let mut d: u64 = 0;
    let mut s = N / 2;
    while s > 0 {
        let rx = u32::from(x & s > 0);
        let ry = u32::from(y & s > 0);
        d += u64::from(s) * u64::from(s) * u64::from((3 * rx) ^ ry);
        if ry == 0 {
            if rx == 1 {
                x = N - 1 - x;
                y = N - 1 - y;
            }
            std::mem::swap(&mut x, &mut y);
        }
        s /= 2;
    }
    d
}

/// The permutation that lists `points` in Hilbert order (ties by original index).
pub fn hilbert_order(points: &[[f64; 2]]) -> Vec<u32> {
    let mut b = [f64::INFINITY, f64::INFINITY, -f64::INFINITY, -f64::INFINITY];
    for p in points {
        b[0] = b[0].min(p[0]);
        b[1] = b[1].min(p[1]);
        b[2] = b[2].max(p[0]);
        b[3] = b[3].max(p[1]);
    }
    let scale = |v: f64, lo: f64, hi: f64| -> u32 {
        if hi > lo {
            (((v - lo) / (hi - lo)) * 65535.0)
                .round()
                .clamp(0.0, 65535.0) as u32
        } else {
            0
        }
    };
    let mut keyed: Vec<(u64, u32)> = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                hilbert_index(scale(p[0], b[0], b[2]), scale(p[1], b[1], b[3])),
                i as u32,
            )
        })
        .collect();
    keyed.par_sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curve_visits_neighbouring_cells_in_sequence() {
        // On a small corner of the grid, consecutive curve positions are adjacent cells.
        let mut cells: Vec<(u64, u32, u32)> = (0..4u32)
            .flat_map(|x| (0..4u32).map(move |y| (hilbert_index(x, y), x, y)))
            .collect();
        cells.sort();
        for w in cells.windows(2) {
            assert_eq!(w[1].0, w[0].0 + 1);
            let dist = w[0].1.abs_diff(w[1].1) + w[0].2.abs_diff(w[1].2);
            assert_eq!(dist, 1, "{:?}", w);
        }
    }
}
