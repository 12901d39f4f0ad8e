//! Sub-district zones (街道 / 镇) for summing coverage by area: reading their boundaries and
//! finding the zone each point lies in.
//!
//! Zones come from any GDAL polygon layer ([`read_zone_layer`], e.g. the 乡级行政区划 layer of a
//! planning bureau, in GBK Shapefiles or projected CGCS2000 GeoPackages) or from the
//! administrative boundaries of an OpenStreetMap extract ([`read_osm_zones`]). Geometries are
//! always WGS84 longitude/latitude in degrees. [`ZoneIndex`] assigns points to zones with an
//! R-tree over the polygons' bounding boxes and an exact point-in-polygon test.
//!
//! ```
//! use geo_types::{polygon, MultiPolygon};
//! use lifecircle::zones::{is_rural, Zone, ZoneIndex};
//!
//! let square = |x0: f64| -> MultiPolygon<f64> {
//!     MultiPolygon(vec![polygon![
//!         (x: x0, y: 23.0), (x: x0 + 0.01, y: 23.0), (x: x0 + 0.01, y: 23.01), (x: x0, y: 23.01),
//!     ]])
//! };
//! let zone = |code: &str, name: &str, x0: f64| Zone {
//!     code: code.into(), name: name.into(), district: Some("番禺区".into()),
//!     rural: is_rural(name, None), geometry: square(x0), origin: "example".into(),
//! };
//! let zones = [zone("440113001", "市桥街道", 113.0), zone("440113100", "石楼镇", 113.01)];
//! assert!(!zones[0].rural && zones[1].rural);
//! let index = ZoneIndex::new(&zones);
//! assert_eq!(index.locate([113.015, 23.005]), Some(1));
//! assert_eq!(index.locate([113.01, 23.005]), Some(0)); // shared edge: lowest index
//! assert_eq!(index.locate([112.9, 23.005]), None);
//! ```

pub mod banded;
pub mod index;
pub mod layer;
pub mod osm_admin;
pub mod zone;

pub use index::ZoneIndex;
pub use layer::{read_zone_layer, ZoneLayerOptions};
pub use osm_admin::{read_osm_zones, OsmZoneReport};
pub use zone::{is_rural, parse_rural_flag, Zone};
