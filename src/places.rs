//! Facilities and demand points as the analyses see them: identifiers, categories and WGS84
//! locations, plus where each came from so that messages can point at the input.

/// A facility (clinic, library, 颐康中心, ...) with one or more access locations.
#[derive(Debug, Clone, PartialEq)]
pub struct Facility {
    /// Identifier from the input (`id`/`编号` column, OSM `n123`/`w123`, or the row number).
    pub id: String,
    /// Display name, may be empty.
    pub name: String,
    /// Category name (e.g. `clinic`).
    pub category: String,
    /// Access locations, WGS84 `[lon, lat]` degrees: a point, the entrances of a building, or a
    /// point on the surface of a polygon. A facility is reached when any of them is reached.
    pub locations: Vec<[f64; 2]>,
    /// Capacity (beds, places, m²) when the input has one.
    pub capacity: Option<f64>,
    /// Where it came from, e.g. `facilities.csv row 5`.
    pub origin: String,
}

/// A demand point (a building, a population cell, an address).
#[derive(Debug, Clone, PartialEq)]
pub struct DemandPoint {
    /// Identifier from the input, or the row number.
    pub id: String,
    /// WGS84 `[lon, lat]` degrees.
    pub location: [f64; 2],
    /// Weight (population) when the input has one.
    pub population: Option<f64>,
    /// Population of each group named in [`DemandSet::groups`] (e.g. aged 60+), same order.
    pub groups: Vec<f64>,
    /// Where it came from, e.g. `demand.csv row 5`.
    pub origin: String,
}

/// Demand points with the names of their population groups.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DemandSet {
    /// The points.
    pub points: Vec<DemandPoint>,
    /// Names of the population groups carried by every point (e.g. `age_60plus`).
    pub groups: Vec<String>,
}
