//! Reading inputs: tables (CSV/XLSX), GDAL vector layers, OpenStreetMap extracts.

pub mod encoding;
pub mod network;
pub mod osm;
pub mod points;
pub mod table;
pub mod vector;

pub use encoding::TextEncoding;
pub use network::{read_network_ways, LineNetworkOptions};
pub use osm::{read_osm, OsmData, OsmReport, OsmRequest};
pub use points::{read_demand, read_facilities, FileKind, PointSource};
pub use table::{CoordinateColumns, Table};
pub use vector::{read_layer, VectorLayer};
