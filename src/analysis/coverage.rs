//! Coverage: which demand points reach each category, and which are inside each life circle.
//!
//! A demand point is covered for a category when its nearest facility of that category is within
//! the category's threshold (urban or rural by the point's zone). It is inside a circle when every
//! requirement of the circle — each satisfied by any category it lists — is within the circle's
//! threshold.

use crate::standards::{Limit, Profile};

/// Travel to the nearest facility of one category, per demand point.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryTimes {
    /// Category name.
    pub category: String,
    /// Seconds to the nearest facility, `f64::INFINITY` when none is reached (or unsnapped).
    pub time_s: Vec<f64>,
    /// Metres to that facility along the network plus access legs, `f64::INFINITY` when none.
    pub distance_m: Vec<f64>,
    /// Index of that facility in the study's facility list, `u32::MAX` when none.
    pub facility: Vec<u32>,
}

impl CategoryTimes {
    /// True when demand point `d` reaches this category within `limit`.
    #[inline]
    pub fn within(&self, d: usize, limit: Limit) -> bool {
        limit.admits(self.time_s[d], self.distance_m[d])
    }
}

/// Coverage flags per demand point.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    /// Per profile category (same order as `Profile::categories`): covered flags per demand point.
    pub category: Vec<Vec<bool>>,
    /// Per circle (same order as `Profile::circles`): inside flags per demand point.
    pub circle: Vec<Vec<bool>>,
}

/// Evaluates coverage. `times` must hold every category the profile names (a category with no
/// facility has all times infinite); `rural[d]` says whether demand point `d` lies in a rural zone.
pub fn evaluate(profile: &Profile, times: &[CategoryTimes], rural: &[bool]) -> Coverage {
    let n = rural.len();
    let find = |c: &str| -> &CategoryTimes {
        times
            .iter()
            .find(|t| t.category == c)
            .unwrap_or_else(|| panic!("times for category {c}"))
    };
    let category = profile
        .categories
        .iter()
        .map(|rule| {
            let t = find(&rule.name);
            (0..n)
                .map(|d| t.within(d, rule.threshold.limit(rural[d])))
                .collect()
        })
        .collect();
    let circle = profile
        .circles
        .iter()
        .map(|c| {
            let req: Vec<Vec<&CategoryTimes>> = c
                .required
                .iter()
                .map(|any| any.iter().map(|name| find(name)).collect())
                .collect();
            (0..n)
                .map(|d| {
                    let limit = c.threshold.limit(rural[d]);
                    req.iter().all(|any| any.iter().any(|t| t.within(d, limit)))
                })
                .collect()
        })
        .collect();
    Coverage { category, circle }
}
