//! Capacity-aware accessibility: facility catchments, and the two-step floating catchment area
//! method (2SFCA) with its enhanced, distance-weighted form (E2SFCA).
//!
//! **Catchments.** Every facility gets a bounded search of its own, from its snapped locations
//! over the incoming arcs, stopped at the catchment limit (facilities in parallel). What it
//! reaches is kept as a sparse facility → demand list with the travel time and ground distance of
//! each pair ([`Catchments`], compressed rows: one offset per facility, then the pairs). The
//! time of a pair is the same as `nearest` would report for that demand point if the facility
//! were the only one of its category.
//!
//! **2SFCA.** With `S_j` the capacity of facility `j` (beds, places, m²), `P_k` the population of
//! demand point `k`, `t_kj` the travel time in seconds and `w` a distance-decay weight:
//!
//! ```text
//!   step 1, per facility:      D_j = Σ_{k : t_kj ≤ t0} w(t_kj) · P_k       (weighted demand, persons)
//!                              R_j = S_j / D_j                             (capacity per person)
//!   step 2, per demand point:  A_i = Σ_{j : t_ij ≤ t0, D_j > 0} w(t_ij) · R_j   (capacity per person)
//! ```
//!
//! A facility whose catchment holds no demand (`D_j = 0`, e.g. only unpopulated points, or
//! none at all) has no ratio: it is reported as [`Ratio::NoDemand`] and left out of step 2,
//! never turned into an infinity or NaN. A demand point that no facility reaches has `A_i = 0`.
//!
//! **Decay** ([`Decay`], `t0` the catchment limit in seconds):
//!
//! - step (classic 2SFCA): `w(t) = 1` for `t ≤ t0`;
//! - Gaussian: `w(t) = (exp(−½ (t/t0)²) − exp(−½)) / (1 − exp(−½))` for `t ≤ t0`, so that
//!   `w(0) = 1` and `w(t0) = 0`. PySAL `access`'s `weights.gaussian(σ)` is the plain
//!   `exp(−t²/(2σ²))` without the cut-off shift; the two are not the same function;
//! - stepwise weights (E2SFCA): `(upper bound, weight)` bands, upper bounds inclusive: `w(t)` is
//!   the weight of the first band with `t ≤ bound`, and 0 beyond the last band (as PySAL's
//!   `weights.step_fn`).
//!
//! `w(t) = 0` for `t > t0` in every case.

use crate::error::{Error, ErrorKind, Result};
use crate::network::{Network, Profile, SnapResult, Snapper};
use crate::places::{DemandPoint, Facility};
use crate::route::access::OnEdge;
use crate::route::catchment::{CatchmentSearch, DemandByEdge};
use rayon::prelude::*;

/// One demand point in a facility's catchment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reach {
    /// Index of the demand point.
    pub demand: u32,
    /// Travel time from the demand point to the facility, seconds (access legs walked).
    pub time_s: f64,
    /// Ground distance along the network plus both access legs, metres.
    pub distance_m: f64,
}

/// Catchments of a list of facilities: for each facility, the demand points that reach it within
/// its limit. Stored as compressed rows: `offsets[f]..offsets[f + 1]` index the pairs of facility
/// `f`. Within a row the pairs are in the order the search met them (deterministic for the same
/// inputs); [`Catchments::sort_by_demand`] orders them by demand index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catchments {
    offsets: Vec<usize>,
    reach: Vec<Reach>,
    demand_count: usize,
}

impl Catchments {
    /// Bounded searches from every facility (in parallel). `facilities[f]` are the snapped
    /// locations of facility `f` (an empty list gives an empty catchment); `limit_s[f]` is its
    /// limit in seconds; `walk_mps` is the speed of the access legs in m/s.
    pub fn compute(
        network: &Network,
        demand: &DemandByEdge,
        facilities: &[Vec<OnEdge>],
        limit_s: &[f64],
        walk_mps: f64,
    ) -> Catchments {
        assert_eq!(facilities.len(), limit_s.len(), "one limit per facility");
        let n = demand.len();
        // A few chunks per thread, each with one set of search buffers (sized by the network).
        let order: Vec<usize> = (0..facilities.len()).collect();
        let chunk = facilities
            .len()
            .div_ceil(4 * rayon::current_num_threads())
            .max(1);
        let lists: Vec<Vec<Reach>> = order
            .par_chunks(chunk)
            .map(|part| {
                let mut search = CatchmentSearch::new(network, n);
                let mut out = Vec::new();
                part.iter()
                    .map(|&f| {
                        if facilities[f].is_empty() {
                            return Vec::new();
                        }
                        out.clear();
                        search.run(
                            network,
                            demand,
                            &facilities[f],
                            limit_s[f],
                            walk_mps,
                            &mut out,
                        );
                        out.iter()
                            .map(|&(demand, time_s, distance_m)| Reach {
                                demand,
                                time_s,
                                distance_m,
                            })
                            .collect()
                    })
                    .collect::<Vec<Vec<Reach>>>()
            })
            .collect::<Vec<_>>()
            .into_iter()
            .flatten()
            .collect();
        Catchments::from_lists(n, lists)
    }

    /// Catchments from per-facility lists (kept in their order); `demand_count` is the number of
    /// demand points the indices refer to.
    pub fn from_lists(demand_count: usize, lists: Vec<Vec<Reach>>) -> Catchments {
        let mut offsets = Vec::with_capacity(lists.len() + 1);
        offsets.push(0);
        let mut reach = Vec::with_capacity(lists.iter().map(Vec::len).sum());
        for l in lists {
            assert!(
                l.iter().all(|r| (r.demand as usize) < demand_count),
                "demand index out of range"
            );
            reach.extend(l);
            offsets.push(reach.len());
        }
        Catchments {
            offsets,
            reach,
            demand_count,
        }
    }

    /// Number of facilities.
    pub fn facility_count(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Number of demand points the indices refer to.
    pub fn demand_count(&self) -> usize {
        self.demand_count
    }

    /// Total number of (facility, demand point) pairs.
    pub fn pair_count(&self) -> usize {
        self.reach.len()
    }

    /// The catchment of facility `f`.
    pub fn of(&self, f: usize) -> &[Reach] {
        &self.reach[self.offsets[f]..self.offsets[f + 1]]
    }

    /// Orders every facility's pairs by demand index (e.g. to look pairs up by binary search).
    pub fn sort_by_demand(&mut self) {
        for f in 0..self.facility_count() {
            self.reach[self.offsets[f]..self.offsets[f + 1]].sort_unstable_by_key(|r| r.demand);
        }
    }

    /// The pair of facility `f` and demand point `d`, if `d` is in `f`'s catchment (a scan of
    /// the row; after [`Catchments::sort_by_demand`] prefer a binary search on [`Catchments::of`]).
    pub fn get(&self, f: usize, d: u32) -> Option<&Reach> {
        self.of(f).iter().find(|r| r.demand == d)
    }

    /// Every pair as `(facility, reach)`, facility by facility.
    pub fn pairs(&self) -> impl Iterator<Item = (usize, &Reach)> + '_ {
        (0..self.facility_count()).flat_map(move |f| self.of(f).iter().map(move |r| (f, r)))
    }

    /// Per demand point, the number of facilities whose catchment holds it.
    pub fn facilities_per_demand(&self) -> Vec<u32> {
        let mut n = vec![0u32; self.demand_count];
        for r in &self.reach {
            n[r.demand as usize] += 1;
        }
        n
    }
}

/// Distance-decay weight of the 2SFCA sums (see the module documentation for the formulas).
#[derive(Debug, Clone, PartialEq)]
pub enum Decay {
    /// `w = 1` within the catchment limit (classic 2SFCA).
    Step,
    /// `w(t) = (exp(−½ (t/t0)²) − exp(−½)) / (1 − exp(−½))` within the limit `t0`.
    Gaussian,
    /// Stepwise weights (E2SFCA): `(upper bound in seconds, weight)` bands with increasing,
    /// inclusive upper bounds; 0 beyond the last band.
    Weights(Vec<(f64, f64)>),
}

impl Decay {
    /// Stepwise weights from `(upper bound in minutes, weight)` bands, checked: bounds strictly
    /// increasing within [`crate::bounds::MINUTES`], weights within
    /// [`crate::bounds::DECAY_WEIGHT`] (0 to 1). `what` names the setting in errors.
    pub fn weights_minutes(bands: &[(f64, f64)], what: &str) -> Result<Decay> {
        if bands.is_empty() {
            return Err(Error::new(ErrorKind::Empty, "no weight bands").field(what));
        }
        let mut prev = 0.0;
        for (i, &(m, w)) in bands.iter().enumerate() {
            if !(m.is_finite() && m > prev) {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!(
                        "band {}: upper bounds must be positive and increasing, got {m} min after {prev} min",
                        i + 1
                    ),
                )
                .field(what));
            }
            let range = |r: crate::bounds::Range, v: f64, name: &str| {
                if r.contains(v) {
                    Ok(())
                } else {
                    Err(Error::new(
                        ErrorKind::InvalidValue,
                        format!(
                            "band {}: {name} must be {}, got {}",
                            i + 1,
                            r.describe(),
                            crate::bounds::number(v)
                        ),
                    )
                    .field(what))
                }
            };
            range(crate::bounds::MINUTES, m, "the upper bound")?;
            range(crate::bounds::DECAY_WEIGHT, w, "the weight")?;
            prev = m;
        }
        Ok(Decay::Weights(
            bands.iter().map(|&(m, w)| (m * 60.0, w)).collect(),
        ))
    }

    /// The weight of a trip of `time_s` seconds in a catchment of `limit_s` seconds.
    #[inline]
    pub fn weight(&self, time_s: f64, limit_s: f64) -> f64 {
        if time_s > limit_s {
            return 0.0;
        }
        match self {
            Decay::Step => 1.0,
            Decay::Gaussian => {
                let e = (-0.5f64).exp();
                let x = time_s / limit_s;
                ((-0.5 * x * x).exp() - e) / (1.0 - e)
            }
            Decay::Weights(bands) => bands
                .iter()
                .find(|(b, _)| time_s <= *b)
                .map_or(0.0, |(_, w)| *w),
        }
    }

    /// Short name: `step`, `gaussian` or `weights`.
    pub fn name(&self) -> &'static str {
        match self {
            Decay::Step => "step",
            Decay::Gaussian => "gaussian",
            Decay::Weights(_) => "weights",
        }
    }

    /// A readable description, e.g. `weights 0–5 min: 1, 5–10 min: 0.68`.
    pub fn describe(&self) -> String {
        match self {
            Decay::Weights(b) => {
                let mut lo = 0.0;
                let parts: Vec<String> = b
                    .iter()
                    .map(|&(hi, w)| {
                        let s = format!("{}–{} min: {w}", lo / 60.0, hi / 60.0);
                        lo = hi;
                        s
                    })
                    .collect();
                format!("weights {}", parts.join(", "))
            }
            d => d.name().to_string(),
        }
    }
}

impl std::str::FromStr for Decay {
    type Err = Error;

    /// `step` or `gaussian` (stepwise weights need their bands: [`Decay::weights_minutes`]).
    fn from_str(s: &str) -> Result<Decay> {
        match s {
            "step" => Ok(Decay::Step),
            "gaussian" => Ok(Decay::Gaussian),
            other => Err(Error::new(
                ErrorKind::InvalidValue,
                format!("unknown decay {other:?}; use step or gaussian (or give weights)"),
            )),
        }
    }
}

/// A facility's supply-to-demand ratio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ratio {
    /// `R_j = S_j / D_j`: capacity per person of weighted demand.
    Value(f64),
    /// No demand in the catchment (`D_j = 0`): no ratio; the facility adds nothing in step 2.
    NoDemand,
}

impl Ratio {
    /// The ratio, `None` for no demand.
    pub fn value(self) -> Option<f64> {
        match self {
            Ratio::Value(v) => Some(v),
            Ratio::NoDemand => None,
        }
    }
}

/// Result of a 2SFCA run.
#[derive(Debug, Clone, PartialEq)]
pub struct Fca {
    /// Per facility: weighted demand `D_j` in its catchment (persons).
    pub demand: Vec<f64>,
    /// Per facility: supply-to-demand ratio `R_j` (capacity per person).
    pub ratio: Vec<Ratio>,
    /// Per demand point: accessibility `A_i` (capacity per person), 0 when no facility reaches it.
    pub access: Vec<f64>,
}

impl Fca {
    /// Facilities with no demand in their catchment.
    pub fn no_demand(&self) -> Vec<usize> {
        (0..self.ratio.len())
            .filter(|&f| self.ratio[f] == Ratio::NoDemand)
            .collect()
    }
}

/// Two-step floating catchment area. `capacity[f]` is `S_j` for facility `f` of `catchments`,
/// `population[d]` is `P_k` for demand point `d`, `limit_s` is the catchment limit `t0` in
/// seconds and `decay` the weight. Pairs beyond `limit_s` (if the catchments were computed
/// wider) weigh 0.
pub fn two_step_fca(
    catchments: &Catchments,
    capacity: &[f64],
    population: &[f64],
    limit_s: f64,
    decay: &Decay,
) -> Fca {
    let nf = catchments.facility_count();
    assert_eq!(capacity.len(), nf, "one capacity per facility");
    assert_eq!(
        population.len(),
        catchments.demand_count(),
        "one population per demand point"
    );
    let demand: Vec<f64> = (0..nf)
        .map(|f| {
            catchments.of(f).iter().fold(0.0, |acc, r| {
                acc + decay.weight(r.time_s, limit_s) * population[r.demand as usize]
            })
        })
        .collect();
    let ratio: Vec<Ratio> = demand
        .iter()
        .zip(capacity)
        .map(|(&d, &s)| {
            if d > 0.0 {
                Ratio::Value(s / d)
            } else {
                Ratio::NoDemand
            }
        })
        .collect();
    let mut access = vec![0.0; catchments.demand_count()];
    for (f, ratio_f) in ratio.iter().enumerate() {
        let Ratio::Value(rf) = *ratio_f else { continue };
        for r in catchments.of(f) {
            access[r.demand as usize] += decay.weight(r.time_s, limit_s) * rf;
        }
    }
    Fca {
        demand,
        ratio,
        access,
    }
}

/// Access summed over a group of demand points (a zone, a district, the city).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AccessTally {
    /// Population (of the measured group) in the group, persons.
    pub population: f64,
    /// `Σ P_i · A_i` over the group.
    pub weighted_sum: f64,
    /// Population whose access is below the target, persons.
    pub below_target: f64,
}

impl AccessTally {
    /// Population-weighted mean access (capacity per person), `None` without population.
    pub fn mean(&self) -> Option<f64> {
        (self.population > 0.0).then(|| self.weighted_sum / self.population)
    }

    /// Share (0–1) of the population below the target, `None` without population.
    pub fn below_share(&self) -> Option<f64> {
        (self.population > 0.0).then(|| self.below_target / self.population)
    }
}

/// Sums access into `n` groups: `group[d]` is demand point `d`'s group (`None`: left out),
/// `population[d]` its weight, `access[d]` its value; points with `access < target` count as
/// below the target (nothing is below when there is no target).
pub fn tally_access(
    n: usize,
    group: &[Option<usize>],
    population: &[f64],
    access: &[f64],
    target: Option<f64>,
) -> Vec<AccessTally> {
    let mut out = vec![AccessTally::default(); n];
    for (d, g) in group.iter().enumerate() {
        let Some(g) = *g else { continue };
        let t = &mut out[g];
        let p = population[d];
        t.population += p;
        t.weighted_sum += p * access[d];
        if target.is_some_and(|x| access[d] < x) {
            t.below_target += p;
        }
    }
    out
}

/// The 2SFCA of one profile category in a study, with its sums per zone, district and city.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyAccess {
    /// Category name.
    pub category: String,
    /// Display label.
    pub label: String,
    /// Catchment limit `t0`, seconds.
    pub limit_s: f64,
    /// Distance decay.
    pub decay: Decay,
    /// Target access, capacity per person (`None`: no target).
    pub target: Option<f64>,
    /// Population group measured (e.g. `age_60plus`), `None`: all residents.
    pub group: Option<String>,
    /// Study indices of the category's facilities with a capacity, in the order of `fca`.
    pub facilities: Vec<usize>,
    /// Study indices of the category's facilities without a capacity (left out).
    pub without_capacity: Vec<usize>,
    /// The 2SFCA values: per facility of `facilities`, per demand point of the study.
    pub fca: Fca,
    /// Per zone.
    pub zones: Vec<AccessTally>,
    /// Per district.
    pub districts: Vec<AccessTally>,
    /// The whole city (every demand point).
    pub city: AccessTally,
}

impl StudyAccess {
    /// The position in `facilities` (and in `fca`) of study facility `f`.
    pub fn position(&self, f: usize) -> Option<usize> {
        self.facilities.iter().position(|&x| x == f)
    }
}

/// Options of an accessibility run over facilities and demand points.
#[derive(Debug, Clone)]
pub struct AccessOptions {
    /// Travel mode and speeds.
    pub profile: Profile,
    /// Catchment limit `t0` in seconds.
    pub limit_s: f64,
    /// Maximum access-leg length in metres for snapping.
    pub max_snap_m: f64,
    /// Distance-decay weight.
    pub decay: Decay,
}

/// 2SFCA results of one facility category.
#[derive(Debug, Clone)]
pub struct CategoryFca {
    /// Category name.
    pub category: String,
    /// Indices (into the facility list) of the category's facilities, in order.
    pub facilities: Vec<usize>,
    /// Catchments of those facilities (facility `k` here is `facilities[k]`).
    pub catchments: Catchments,
    /// The 2SFCA values (per facility of `facilities`, per demand point).
    pub fca: Fca,
}

/// Results of [`access`].
#[derive(Debug, Clone)]
pub struct AccessResult {
    /// Snapping of each demand point.
    pub demand_snaps: Vec<SnapResult>,
    /// Snapping of each facility location, per facility.
    pub facility_snaps: Vec<Vec<SnapResult>>,
    /// Per category (sorted by name).
    pub categories: Vec<CategoryFca>,
}

impl AccessResult {
    /// Facilities none of whose locations snapped (their catchments are empty).
    pub fn unsnapped_facilities(&self) -> Vec<usize> {
        (0..self.facility_snaps.len())
            .filter(|&f| {
                self.facility_snaps[f]
                    .iter()
                    .all(|s| matches!(s, SnapResult::TooFar(_)))
            })
            .collect()
    }
}

/// Checks that every facility has a capacity (finite, ≥ 0) and every demand point a population;
/// errors name the facility's or point's origin (file and row) and the field.
pub fn check_inputs(facilities: &[Facility], demand: &[DemandPoint]) -> Result<()> {
    for f in facilities {
        match f.capacity {
            None => {
                return Err(Error::new(
                    ErrorKind::MissingField,
                    format!("facility {} has no capacity", f.id),
                )
                .at(&f.origin)
                .field("capacity"))
            }
            Some(c) if !c.is_finite() => {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!("not a finite number: {c}"),
                )
                .at(&f.origin)
                .field("capacity"))
            }
            Some(c) if c < 0.0 => {
                return Err(
                    Error::new(ErrorKind::InvalidValue, format!("negative capacity: {c}"))
                        .at(&f.origin)
                        .field("capacity"),
                )
            }
            Some(_) => {}
        }
    }
    for d in demand {
        match d.population {
            None => {
                return Err(Error::new(
                    ErrorKind::MissingField,
                    format!("demand point {} has no population", d.id),
                )
                .at(&d.origin)
                .field("population"))
            }
            Some(p) if !(p.is_finite() && p >= 0.0) => {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!("population must be a number ≥ 0, got {p}"),
                )
                .at(&d.origin)
                .field("population"))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Snaps facilities and demand, computes every facility's catchment within `opts.limit_s` and
/// the 2SFCA per category. Capacities come from [`Facility::capacity`] and populations from
/// [`DemandPoint::population`] (both required, see [`check_inputs`]).
pub fn access(
    network: &Network,
    facilities: &[Facility],
    demand: &[DemandPoint],
    opts: &AccessOptions,
) -> Result<AccessResult> {
    check_inputs(facilities, demand)?;
    let (facility_snaps, demand_snaps) = snap_inputs(network, facilities, demand, opts.max_snap_m)?;
    access_snapped(
        network,
        facilities,
        demand,
        facility_snaps,
        demand_snaps,
        opts,
    )
}

/// Snaps every facility location and demand point within `max_snap_m` metres: `(per facility,
/// its locations' snaps; per demand point, its snap)`. An error when no demand point snaps.
pub fn snap_inputs(
    network: &Network,
    facilities: &[Facility],
    demand: &[DemandPoint],
    max_snap_m: f64,
) -> Result<(Vec<Vec<SnapResult>>, Vec<SnapResult>)> {
    let snapper = Snapper::new(network, max_snap_m);
    let facility_snaps: Vec<Vec<SnapResult>> = facilities
        .par_iter()
        .map(|f| f.locations.iter().map(|&p| snapper.snap(p)).collect())
        .collect();
    let demand_snaps: Vec<SnapResult> = demand
        .par_iter()
        .map(|d| snapper.snap(d.location))
        .collect();
    if !demand.is_empty()
        && demand_snaps
            .iter()
            .all(|s| matches!(s, SnapResult::TooFar(_)))
    {
        return Err(Error::new(
            ErrorKind::Mismatch,
            format!(
                "no demand point lies within {max_snap_m} m of the network: is the demand outside \
                 the network's area, or in another coordinate system?"
            ),
        ));
    }
    Ok((facility_snaps, demand_snaps))
}

/// [`access`] on inputs already snapped with [`snap_inputs`].
pub fn access_snapped(
    network: &Network,
    facilities: &[Facility],
    demand: &[DemandPoint],
    facility_snaps: Vec<Vec<SnapResult>>,
    demand_snaps: Vec<SnapResult>,
    opts: &AccessOptions,
) -> Result<AccessResult> {
    check_inputs(facilities, demand)?;
    if !(opts.limit_s.is_finite() && opts.limit_s > 0.0) {
        return Err(Error::new(
            ErrorKind::InvalidValue,
            format!(
                "the catchment limit must be positive, got {} s",
                opts.limit_s
            ),
        ));
    }
    assert_eq!(
        facility_snaps.len(),
        facilities.len(),
        "one snap list per facility"
    );
    assert_eq!(
        demand_snaps.len(),
        demand.len(),
        "one snap per demand point"
    );
    let by_edge = DemandByEdge::new(
        demand_snaps
            .iter()
            .map(|s| match s {
                SnapResult::Snapped(s) => Some(*s),
                SnapResult::TooFar(_) => None,
            })
            .collect(),
    );
    let population: Vec<f64> = demand.iter().map(|d| d.population.unwrap_or(0.0)).collect();
    let mut names: Vec<&str> = facilities.iter().map(|f| f.category.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let mut categories = Vec::with_capacity(names.len());
    for cat in names {
        let idx: Vec<usize> = (0..facilities.len())
            .filter(|&f| facilities[f].category == cat)
            .collect();
        let locs: Vec<Vec<OnEdge>> = idx
            .iter()
            .enumerate()
            .map(|(k, &f)| {
                facility_snaps[f]
                    .iter()
                    .filter_map(|s| match s {
                        SnapResult::Snapped(s) => Some(OnEdge::new(s, k as u32)),
                        SnapResult::TooFar(_) => None,
                    })
                    .collect()
            })
            .collect();
        let limits = vec![opts.limit_s; idx.len()];
        let catchments = Catchments::compute(
            network,
            &by_edge,
            &locs,
            &limits,
            opts.profile.access_speed_mps,
        );
        let capacity: Vec<f64> = idx
            .iter()
            .map(|&f| facilities[f].capacity.unwrap_or(0.0))
            .collect();
        let fca = two_step_fca(
            &catchments,
            &capacity,
            &population,
            opts.limit_s,
            &opts.decay,
        );
        categories.push(CategoryFca {
            category: cat.to_string(),
            facilities: idx,
            catchments,
            fca,
        });
    }
    Ok(AccessResult {
        demand_snaps,
        facility_snaps,
        categories,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reach(demand: u32, time_s: f64) -> Reach {
        Reach {
            demand,
            time_s,
            distance_m: time_s,
        }
    }

    #[test]
    fn gaussian_ends() {
        let g = Decay::Gaussian;
        assert_eq!(g.weight(0.0, 900.0), 1.0);
        assert!(g.weight(900.0, 900.0).abs() < 1e-15);
        assert_eq!(g.weight(901.0, 900.0), 0.0);
        let e = (-0.5f64).exp();
        let x: f64 = 0.5;
        let want = ((-0.5 * x * x).exp() - e) / (1.0 - e);
        assert!((g.weight(450.0, 900.0) - want).abs() < 1e-15);
    }

    #[test]
    fn weight_bands_are_inclusive() {
        let d = Decay::weights_minutes(&[(5.0, 1.0), (10.0, 0.5)], "w").unwrap();
        assert_eq!(d.weight(300.0, 900.0), 1.0);
        assert_eq!(d.weight(300.5, 900.0), 0.5);
        assert_eq!(d.weight(600.0, 900.0), 0.5);
        assert_eq!(d.weight(601.0, 900.0), 0.0);
        assert!(Decay::weights_minutes(&[(5.0, 1.0), (5.0, 0.5)], "w").is_err());
        assert!(Decay::weights_minutes(&[(5.0, -1.0)], "w").is_err());
        assert!(Decay::weights_minutes(&[], "w").is_err());
    }

    #[test]
    fn no_demand_is_not_infinite() {
        // Facility 0 reaches only point 0 (population 0); facility 1 reaches point 1.
        let c = Catchments::from_lists(2, vec![vec![reach(0, 10.0)], vec![reach(1, 10.0)]]);
        let r = two_step_fca(&c, &[5.0, 4.0], &[0.0, 2.0], 900.0, &Decay::Step);
        assert_eq!(r.ratio, vec![Ratio::NoDemand, Ratio::Value(2.0)]);
        assert_eq!(r.access, vec![0.0, 2.0]);
        assert_eq!(r.no_demand(), vec![0]);
    }

    #[test]
    fn tallies() {
        let t = tally_access(
            2,
            &[Some(0), Some(0), Some(1), None],
            &[1.0, 3.0, 0.0, 5.0],
            &[2.0, 1.0, 9.0, 0.0],
            Some(1.5),
        );
        assert_eq!(t[0].mean(), Some(5.0 / 4.0));
        assert_eq!(t[0].below_share(), Some(0.75));
        assert_eq!(t[1].mean(), None);
    }
}
