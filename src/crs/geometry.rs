//! Converting whole geometries between coordinate systems.

use super::Transformer;
use crate::error::Result;
use geo_types::{Coord, Geometry};

/// Converts every coordinate of a geometry in place (points, lines, polygons with holes, their
/// multi- forms, collections, rectangles, triangles and lines).
pub fn transform_geometry(
    g: &mut Geometry<f64>,
    t: &Transformer,
    buf: &mut Vec<[f64; 2]>,
) -> Result<()> {
    fn coords(c: &mut [Coord<f64>], t: &Transformer, buf: &mut Vec<[f64; 2]>) -> Result<()> {
        buf.clear();
        buf.extend(c.iter().map(|c| [c.x, c.y]));
        t.apply(buf)?;
        for (c, p) in c.iter_mut().zip(buf.iter()) {
            *c = Coord { x: p[0], y: p[1] };
        }
        Ok(())
    }
    fn polygon(
        p: &mut geo_types::Polygon<f64>,
        t: &Transformer,
        buf: &mut Vec<[f64; 2]>,
    ) -> Result<()> {
        let mut r = Ok(());
        p.exterior_mut(|ls| r = coords(&mut ls.0, t, buf));
        r?;
        let mut r = Ok(());
        p.interiors_mut(|rings| {
            for ls in rings {
                if r.is_ok() {
                    r = coords(&mut ls.0, t, buf);
                }
            }
        });
        r
    }
    if t.is_identity() {
        return Ok(());
    }
    match g {
        Geometry::Point(p) => coords(std::slice::from_mut(&mut p.0), t, buf),
        Geometry::MultiPoint(mp) => {
            let mut cs: Vec<Coord<f64>> = mp.0.iter().map(|p| p.0).collect();
            coords(&mut cs, t, buf)?;
            for (p, c) in mp.0.iter_mut().zip(cs) {
                p.0 = c;
            }
            Ok(())
        }
        Geometry::Line(l) => {
            let mut cs = [l.start, l.end];
            coords(&mut cs, t, buf)?;
            *l = geo_types::Line::new(cs[0], cs[1]);
            Ok(())
        }
        Geometry::LineString(ls) => coords(&mut ls.0, t, buf),
        Geometry::MultiLineString(m) => m.0.iter_mut().try_for_each(|ls| coords(&mut ls.0, t, buf)),
        Geometry::Polygon(p) => polygon(p, t, buf),
        Geometry::MultiPolygon(m) => m.0.iter_mut().try_for_each(|p| polygon(p, t, buf)),
        Geometry::GeometryCollection(gc) => {
            gc.0.iter_mut()
                .try_for_each(|g| transform_geometry(g, t, buf))
        }
        Geometry::Rect(r) => {
            // A rectangle is no longer axis-aligned in another system: convert it as a polygon.
            let mut p = Geometry::Polygon(r.to_polygon());
            transform_geometry(&mut p, t, buf)?;
            *g = p;
            Ok(())
        }
        Geometry::Triangle(tr) => {
            let mut cs = [tr.v1(), tr.v2(), tr.v3()];
            coords(&mut cs, t, buf)?;
            *tr = geo_types::Triangle::new(cs[0], cs[1], cs[2]);
            Ok(())
        }
    }
}
