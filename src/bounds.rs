//! The allowed range of every number a user gives: command-line options, study keys and Python
//! arguments all check their numbers against the ranges named here, so a value out of range is
//! refused before any work with an error naming the option, key or argument and the range.
//!
//! | Input | Range |
//! |---|---|
//! | speeds (`--speed`, `--access-speed`, `walk_speed`, `elderly_walk_speed`) | 0.1 to 50 m/s |
//! | minutes (`--max-minutes`, `max_minutes`, `minutes`, `rural_minutes`, `service_area_minutes`, weight bands) | above 0, at most 600 |
//! | profile thresholds in metres (`metres`, `rural_metres`) | above 0, at most 50,000 m |
//! | snapping distance (`--max-snap-m`, `max_snap_m`) | above 0, at most 10,000 m |
//! | service-area buffer (`service_area_buffer_m`) | 0.5 to 1,000 m |
//! | display simplification (`--simplify-m`, `simplify_m`) | 0 to 1,000 m |
//! | hexagon cells (`gap_cell_m`, `hexagons:CELL_M`) | 10 to 100,000 m |
//! | gap-node spacing (`gap-nodes:SPACING_M`) | 10 to 100,000 m |
//! | sample spacing in census polygons (`sample_spacing_m`) | 1 to 10,000 m |
//! | new sites (`--k`, `k`) | 1 to 100,000 |
//! | sites per district (`--max-per-district`, `max_per_district`) | 1 to 100,000 |
//! | coverage share (`--target-share`, `target_share`) | above 0, at most 1 |
//! | site capacity (`--site-capacity`, `site_capacity`) | above 0, at most 1,000,000,000 people |
//! | people per unit (`--people-per-unit`, `people_per_unit`) | above 0, at most 1,000,000 |
//! | exact solver time limit (`--time-limit`, `time_limit`) | above 0, at most 86,400 s |
//! | total population (`total_population`) | above 0, at most 10,000,000,000 |
//! | population factors (`population_scale`, `zone_population_scale`) | above 0, at most 100 |
//! | access targets (`targets`) | above 0, at most 1,000,000 per person |
//! | distance-decay weights (`--weights`, `weights`) | 0 to 1 |
//! | OSM admin levels (`admin_level`, `district_level`) | 1 to 15 |
//! | synthetic search repetitions and sources (`--runs`, `--sources`) | 1 to 1,000 and 1 to 10,000,000 |
//!
//! Sizes are also checked against what they produce: a population raster may have at most
//! [`MAX_RASTER_CELLS`] cells, a hexagon grid may span at most [`MAX_HEX_GRID_CELLS`] cells over
//! the data, and the sample grid of one census polygon at most [`MAX_SAMPLE_POINTS`] points.
//!
//! ```
//! use lifecircle::bounds::SPEED_MPS;
//! assert_eq!(SPEED_MPS.check(1.2, "walk_speed").unwrap(), 1.2);
//! let e = SPEED_MPS.check(f64::NAN, "walk_speed").unwrap_err();
//! assert_eq!(e.to_string(), "`walk_speed`: must be from 0.1 to 50 m/s, got NaN");
//! ```

use crate::error::{Error, ErrorKind, Result};

/// An allowed range of a number: from `min` (or above it, when `min` is excluded) to `max`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// Lowest value.
    pub min: f64,
    /// Whether `min` itself is allowed.
    pub min_included: bool,
    /// Highest value (always allowed).
    pub max: f64,
    /// Unit shown after the range (may be empty).
    pub unit: &'static str,
}

impl Range {
    /// `min` to `max`, both allowed.
    pub const fn from_to(min: f64, max: f64, unit: &'static str) -> Range {
        Range {
            min,
            min_included: true,
            max,
            unit,
        }
    }

    /// Above `min` (excluded), at most `max`.
    pub const fn above(min: f64, max: f64, unit: &'static str) -> Range {
        Range {
            min,
            min_included: false,
            max,
            unit,
        }
    }

    /// Whether `v` is in the range (never for NaN or an infinity).
    pub fn contains(&self, v: f64) -> bool {
        v.is_finite()
            && v <= self.max
            && if self.min_included {
                v >= self.min
            } else {
                v > self.min
            }
    }

    /// The range in words, e.g. `from 0.1 to 50 m/s` or `above 0 and at most 600 minutes`.
    ///
    /// ```
    /// use lifecircle::bounds::{K, MINUTES};
    /// assert_eq!(MINUTES.describe(), "above 0 and at most 600 minutes");
    /// assert_eq!(K.describe(), "from 1 to 100,000");
    /// ```
    pub fn describe(&self) -> String {
        let unit = if self.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", self.unit)
        };
        if self.min_included {
            format!("from {} to {}{unit}", number(self.min), number(self.max))
        } else {
            format!(
                "above {} and at most {}{unit}",
                number(self.min),
                number(self.max)
            )
        }
    }

    /// `v` when in range, else an [`ErrorKind::InvalidValue`] error naming `field` (an option,
    /// study key or argument) and the range.
    pub fn check(&self, v: f64, field: &str) -> Result<f64> {
        if self.contains(v) {
            Ok(v)
        } else {
            Err(Error::new(
                ErrorKind::InvalidValue,
                format!("must be {}, got {}", self.describe(), number(v)),
            )
            .field(field))
        }
    }

    /// As [`Range::check`], for a whole number.
    ///
    /// ```
    /// use lifecircle::bounds::K;
    /// let e = K.check_count(0, "--k").unwrap_err();
    /// assert_eq!(e.to_string(), "`--k`: must be from 1 to 100,000, got 0");
    /// ```
    pub fn check_count(&self, n: usize, field: &str) -> Result<usize> {
        self.check(n as f64, field).map(|_| n)
    }

    /// As [`Range::check`], for an optional number (`None` passes).
    pub fn check_opt(&self, v: Option<f64>, field: &str) -> Result<Option<f64>> {
        v.map(|v| self.check(v, field)).transpose()
    }
}

/// A number as messages show it: whole numbers from 10,000 to 10¹⁵ with thousands separators,
/// very small and very large ones in scientific notation, others as Rust prints them.
///
/// ```
/// use lifecircle::bounds::number;
/// assert_eq!(number(1e9), "1,000,000,000");
/// assert_eq!(number(2500.0), "2500");
/// assert_eq!(number(0.1), "0.1");
/// assert_eq!(number(1e-9), "1e-9");
/// assert_eq!(number(-1e300), "-1e300");
/// assert_eq!(number(-f64::INFINITY), "-inf");
/// ```
pub fn number(v: f64) -> String {
    let a = v.abs();
    if v.is_finite() && a != 0.0 && !(1e-4..1e15).contains(&a) {
        format!("{v:e}")
    } else if v.is_finite() && v.fract() == 0.0 && a >= 10_000.0 {
        let digits = format!("{}", v.abs() as u64);
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if v < 0.0 {
            out.insert(0, '-');
        }
        out
    } else {
        format!("{v}")
    }
}

/// An error for a size that would make too many of something: `what` would have `count`
/// `things` (e.g. cells), more than `limit`; `advice` says what to do. The caller names the field.
pub fn too_many(what: &str, count: f64, things: &str, limit: f64, advice: &str) -> Error {
    let count = if count.is_finite() {
        number(count.round())
    } else {
        "too many".to_string()
    };
    Error::new(
        ErrorKind::InvalidValue,
        format!(
            "{what} would have {count} {things}, more than the limit of {}; {advice}",
            number(limit)
        ),
    )
}

/// Travel speeds: 0.1 to 50 m/s (a slow shuffle to 180 km/h).
pub const SPEED_MPS: Range = Range::from_to(0.1, 50.0, "m/s");
/// Travel-time thresholds and catchments: above 0, at most 600 minutes (ten hours).
pub const MINUTES: Range = Range::above(0.0, 600.0, "minutes");
/// Thresholds in metres of a standards profile: above 0, at most 50 km.
pub const THRESHOLD_M: Range = Range::above(0.0, 50_000.0, "m");
/// Longest access leg between a point and the street network: above 0, at most 10 km.
pub const SNAP_M: Range = Range::above(0.0, 10_000.0, "m");
/// Buffer width on each side of the reached streets of a service area: 0.5 to 1,000 m.
pub const BUFFER_M: Range = Range::from_to(0.5, 1_000.0, "m");
/// Display simplification tolerance: 0 (none) to 1,000 m.
pub const SIMPLIFY_M: Range = Range::from_to(0.0, 1_000.0, "m");
/// Hexagon cells (flat to flat) of gap areas and hexagon candidates: 10 m to 100 km.
pub const HEX_CELL_M: Range = Range::from_to(10.0, 100_000.0, "m");
/// Spacing of gap-node candidates: 10 m to 100 km.
pub const NODE_SPACING_M: Range = Range::from_to(10.0, 100_000.0, "m");
/// Spacing of the sample points in census polygons without buildings: 1 m to 10 km.
pub const SAMPLE_SPACING_M: Range = Range::from_to(1.0, 10_000.0, "m");
/// Number of new sites: 1 to 100,000.
pub const K: Range = Range::from_to(1.0, 100_000.0, "");
/// Most new sites per district: 1 to 100,000.
pub const MAX_PER_DISTRICT: Range = Range::from_to(1.0, 100_000.0, "");
/// Coverage share of set covering: above 0, at most 1.
pub const SHARE: Range = Range::above(0.0, 1.0, "");
/// People one new site serves: above 0, at most a billion.
pub const SITE_CAPACITY: Range = Range::above(0.0, 1e9, "people");
/// People per unit of a candidate's capacity (bed, place): above 0, at most a million.
pub const PEOPLE_PER_UNIT: Range = Range::above(0.0, 1e6, "");
/// Time limit of the exact site-selection solver: above 0, at most a day.
pub const TIME_LIMIT_S: Range = Range::above(0.0, 86_400.0, "s");
/// A study's total population: above 0, at most ten billion.
pub const TOTAL_POPULATION: Range = Range::above(0.0, 1e10, "");
/// Factors applied to populations in a plan: above 0, at most 100.
pub const POPULATION_SCALE: Range = Range::above(0.0, 100.0, "");
/// Target access (capacity per person): above 0, at most a million.
pub const ACCESS_TARGET: Range = Range::above(0.0, 1e6, "per person");
/// Distance-decay weights: 0 to 1 (the weight of the nearest trips).
pub const DECAY_WEIGHT: Range = Range::from_to(0.0, 1.0, "");
/// OpenStreetMap `admin_level`: 1 to 15.
pub const ADMIN_LEVEL: Range = Range::from_to(1.0, 15.0, "");
/// Timed repetitions of a search: 1 to 1,000.
pub const RUNS: Range = Range::from_to(1.0, 1_000.0, "");
/// Sources of a timed multi-source search: 1 to 10 million.
pub const SOURCES: Range = Range::from_to(1.0, 1e7, "");

/// Most cells a population raster band may have (width × height): 500 million, e.g. a
/// 220 km square at 10 m.
pub const MAX_RASTER_CELLS: f64 = 5e8;
/// Most cells a hexagon grid may span over the bounding box of the data: a billion.
pub const MAX_HEX_GRID_CELLS: f64 = 1e9;
/// Most sample points on the grid over one census polygon: four million.
pub const MAX_SAMPLE_POINTS: f64 = 4e6;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_include_their_ends_as_stated() {
        assert!(SPEED_MPS.contains(0.1) && SPEED_MPS.contains(50.0));
        assert!(!SPEED_MPS.contains(0.099) && !SPEED_MPS.contains(50.01));
        assert!(!MINUTES.contains(0.0) && MINUTES.contains(600.0) && MINUTES.contains(1e-3));
        for r in [SPEED_MPS, MINUTES, HEX_CELL_M, K, SHARE, SIMPLIFY_M] {
            for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                assert!(!r.contains(v));
            }
        }
    }

    #[test]
    fn message_names_field_and_range() {
        let e = HEX_CELL_M.check(1e-9, "siting[0].candidates").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue);
        assert_eq!(
            e.to_string(),
            "`siting[0].candidates`: must be from 10 to 100,000 m, got 1e-9"
        );
        let e = too_many("the band", 2.5e10, "cells", MAX_RASTER_CELLS, "clip it")
            .field("demand.raster");
        assert_eq!(
            e.to_string(),
            "`demand.raster`: the band would have 25,000,000,000 cells, more than the limit of \
             500,000,000; clip it"
        );
    }
}
