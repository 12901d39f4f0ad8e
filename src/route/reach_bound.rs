//! Which facilities could reach a given set of places (say, the rural demand points) within a
//! limit, judged by straight-line ground distance alone.
//!
//! A trip is at least as long as the ground distance between its two ends: the access legs and
//! the streets in between can only be longer than the straight line. So a facility farther than
//! the limit's distance from every place of the set cannot reach any of them, and a catchment
//! search from it can stop at the (often much smaller) limit that applies elsewhere. The rural
//! limits of the standards are two to eight times the urban ones (30 minutes against 15, 5 km
//! against 10 minutes), and the work of a bounded search grows with the square of its radius.
//!
//! ```
//! use lifecircle::route::reach_bound::Nearby;
//! let villages = Nearby::new(vec![[113.50, 23.50]]);
//! // About 1.1 km north of the village, and about 11 km.
//! assert!(villages.any_within([113.50, 23.51], 1_200.0));
//! assert!(!villages.any_within([113.50, 23.60], 10_000.0));
//! ```

use crate::geodesy::{ground_distance, metres_per_degree};
use rstar::{RTree, AABB};

/// Relative allowance for the rounding of ground distances (they are within 2e-8 of the
/// geodesic; see [`crate::geodesy`]): a place counts as near up to this much beyond the limit.
const ALLOWANCE: f64 = 1e-6;

/// Places indexed for "is any within d metres of this point?" questions.
#[derive(Debug, Clone)]
pub struct Nearby {
    tree: RTree<[f64; 2]>,
}

impl Nearby {
    /// Indexes `places`, WGS84 `[lon, lat]` degrees.
    pub fn new(places: Vec<[f64; 2]>) -> Self {
        Nearby {
            tree: RTree::bulk_load(places),
        }
    }

    /// True when no place is indexed.
    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// True when some place lies within `metres` of ground distance of `p` (WGS84 degrees),
    /// allowing for rounding (so a place exactly at the limit counts). Never false for a place
    /// within the limit; an infinite or NaN limit counts every place as near.
    pub fn any_within(&self, p: [f64; 2], metres: f64) -> bool {
        if self.is_empty() {
            return false;
        }
        let limit = metres * (1.0 + ALLOWANCE);
        // A box in degrees that holds every point within `limit`: per degree of latitude the
        // ground distance is at least the meridional arc at the equator, and per degree of
        // longitude at least the parallel's arc at the box's most poleward latitude. Both are
        // shrunk by a further 0.1 % for the mid-latitude formula's approximations.
        let dlat = limit / (metres_per_degree(0.0).1 * 0.999);
        let pole = p[1].abs() + dlat;
        if !(dlat.is_finite() && pole < 89.0) {
            return true;
        }
        let dlon = limit / (metres_per_degree(pole).0 * 0.999);
        let envelope = AABB::from_corners([p[0] - dlon, p[1] - dlat], [p[0] + dlon, p[1] + dlat]);
        self.tree
            .locate_in_envelope(&envelope)
            .any(|q| ground_distance(p, *q) <= limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Never says "none near" when brute force finds one within the limit.
        #[test]
        fn never_misses_a_place_within_the_limit(
            lat in -80.0f64..80.0,
            lon in -179.0f64..179.0,
            offsets in proptest::collection::vec((-0.05f64..0.05, -0.05f64..0.05), 0..40),
            probe in (-0.05f64..0.05, -0.05f64..0.05),
            metres in 1.0f64..8_000.0,
        ) {
            let places: Vec<[f64; 2]> =
                offsets.iter().map(|(dx, dy)| [lon + dx, lat + dy]).collect();
            let p = [lon + probe.0, lat + probe.1];
            let nearby = Nearby::new(places.clone());
            let brute = places.iter().any(|q| ground_distance(p, *q) <= metres);
            if brute {
                prop_assert!(nearby.any_within(p, metres));
            }
            // And it is no looser than the allowance.
            let loose = places
                .iter()
                .any(|q| ground_distance(p, *q) <= metres * (1.0 + ALLOWANCE));
            prop_assert_eq!(nearby.any_within(p, metres), loose);
        }
    }

    #[test]
    fn exact_limit_counts_and_empty_set_is_never_near() {
        let a = [113.3, 23.1];
        let b = [113.31, 23.1];
        let d = ground_distance(a, b);
        assert!(Nearby::new(vec![b]).any_within(a, d));
        assert!(!Nearby::new(vec![b]).any_within(a, d * 0.999));
        assert!(!Nearby::new(Vec::new()).any_within(a, f64::INFINITY));
        assert!(Nearby::new(vec![b]).any_within(a, f64::INFINITY));
    }
}
