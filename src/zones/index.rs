//! Finding the zone a point lies in: an R-tree over the bounding boxes of the zones' polygons,
//! then an exact point-in-polygon test.

use super::banded::BandedPolygon;
use super::zone::Zone;
use geo::BoundingRect;
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::RTree;

type BoxEntry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// A spatial index over zones for point-in-zone queries.
///
/// A point belongs to a zone when it lies inside or on the boundary of one of the zone's polygons
/// (outside its holes). A point on a boundary shared by several zones, or inside overlapping
/// zones, goes to the zone with the lowest index, so results never depend on the tree's layout.
#[derive(Debug, Clone)]
pub struct ZoneIndex {
    tree: RTree<BoxEntry>,
    /// Every polygon of every zone, with the index of its zone; tree entries point here.
    parts: Vec<(usize, BandedPolygon)>,
    zones: usize,
}

impl ZoneIndex {
    /// Indexes `zones` (WGS84 degrees). Results of queries are indices into `zones`.
    pub fn new(zones: &[Zone]) -> Self {
        let mut parts = Vec::new();
        let mut boxes = Vec::new();
        for (z, zone) in zones.iter().enumerate() {
            for poly in &zone.geometry.0 {
                let Some(r) = poly.bounding_rect() else {
                    continue;
                };
                boxes.push(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    parts.len(),
                ));
                parts.push((z, BandedPolygon::new(poly)));
            }
        }
        ZoneIndex {
            tree: RTree::bulk_load(boxes),
            parts,
            zones: zones.len(),
        }
    }

    /// The number of zones indexed (including zones without any polygon).
    pub fn zone_count(&self) -> usize {
        self.zones
    }

    /// The index of the zone containing the WGS84 point `p` (`[lon, lat]`, degrees), or `None`
    /// when no zone contains it (or `p` is not finite).
    pub fn locate(&self, p: [f64; 2]) -> Option<usize> {
        if !(p[0].is_finite() && p[1].is_finite()) {
            return None;
        }
        let mut best: Option<usize> = None;
        for entry in self.tree.locate_all_at_point(&p) {
            let (zone, poly) = &self.parts[entry.data];
            if best.is_some_and(|b| b <= *zone) {
                continue;
            }
            if poly.intersects(p) {
                best = Some(*zone);
            }
        }
        best
    }

    /// [`locate`](Self::locate) for many points, in parallel; one result per point, in order.
    pub fn locate_all(&self, points: &[[f64; 2]]) -> Vec<Option<usize>> {
        points.par_iter().map(|&p| self.locate(p)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{polygon, MultiPolygon};

    fn zone(geometry: MultiPolygon<f64>) -> Zone {
        Zone {
            code: String::new(),
            name: String::new(),
            district: None,
            rural: false,
            geometry,
            origin: String::new(),
        }
    }

    #[test]
    fn holes_and_multiple_parts() {
        // Zone 0: a square with a hole; zone 1: the hole plus a detached square.
        let outer = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)],
            interiors: [[(x: 1.0, y: 1.0), (x: 3.0, y: 1.0), (x: 3.0, y: 3.0), (x: 1.0, y: 3.0)]],
        );
        let hole = polygon![(x: 1.0, y: 1.0), (x: 3.0, y: 1.0), (x: 3.0, y: 3.0), (x: 1.0, y: 3.0)];
        let far = polygon![(x: 10.0, y: 0.0), (x: 11.0, y: 0.0), (x: 11.0, y: 1.0)];
        let zones = [
            zone(MultiPolygon(vec![outer])),
            zone(MultiPolygon(vec![hole, far])),
        ];
        let idx = ZoneIndex::new(&zones);
        assert_eq!(idx.zone_count(), 2);
        assert_eq!(idx.locate([0.5, 0.5]), Some(0));
        assert_eq!(idx.locate([2.0, 2.0]), Some(1));
        assert_eq!(idx.locate([1.0, 2.0]), Some(0)); // on the hole's edge: both, lowest wins
        assert_eq!(idx.locate([10.9, 0.5]), Some(1));
        assert_eq!(idx.locate([10.1, 0.5]), None); // in the triangle's box, outside it
        assert_eq!(idx.locate([f64::NAN, 0.5]), None);
        assert_eq!(
            idx.locate_all(&[[0.5, 0.5], [2.0, 2.0], [5.0, 5.0]]),
            vec![Some(0), Some(1), None]
        );
    }
}
