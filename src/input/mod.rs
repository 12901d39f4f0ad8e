//! Reading inputs: tables (CSV/XLSX), GDAL vector layers, OpenStreetMap extracts.

pub mod encoding;
pub mod end_join;
pub(crate) mod gpkg_blob;
#[cfg(feature = "gdal")]
mod gpkg_direct;
#[cfg(feature = "gdal")]
mod gpkg_values;
pub mod network;
pub mod osm;
pub(crate) mod pbf;
pub mod points;
pub mod population;
mod raster;
mod surface_point;
pub mod table;
pub mod vector;
mod work_queue;

pub use encoding::TextEncoding;
pub use network::{read_network_ways, LineNetworkOptions};
pub use osm::{
    is_residential_building, read_osm, BuildingInfo, OsmData, OsmReport, OsmRequest,
    RESIDENTIAL_BUILDING_VALUES,
};
pub use points::{read_demand, read_facilities, FileKind, PointSource};
pub use population::{read_demand_source, BuildingSource, DemandReport, DemandSource, GroupField};
pub use table::{CoordinateColumns, Table};
pub use vector::{read_layer, VectorLayer};
