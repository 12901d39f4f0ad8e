//! Sums per zone, district or city: population, covered population per category and circle,
//! facility counts and capacities, and the standards' count and ratio rules evaluated on them.

use super::coverage::Coverage;
use crate::standards::{CountRule, Profile, RatioKind, RatioRule};

/// What is summed over one group of demand points and facilities.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tally {
    /// Number of demand points.
    pub demand_points: usize,
    /// Total population.
    pub population: f64,
    /// Population of each demand group (e.g. aged 60+), in the demand set's group order.
    pub groups: Vec<f64>,
    /// Per profile category: the population it is measured for (a group, or everyone).
    pub category_base: Vec<f64>,
    /// Per profile category: covered population (of the base).
    pub category_covered: Vec<f64>,
    /// Per circle: population inside the circle.
    pub circle_covered: Vec<f64>,
    /// Per facility category of the study: number of facilities.
    pub facilities: Vec<usize>,
    /// Per facility category: sum of known capacities.
    pub capacity: Vec<f64>,
    /// Per facility category: number of facilities with a known capacity.
    pub capacity_known: Vec<usize>,
}

/// The per-point and per-facility inputs of a tally.
#[derive(Debug, Clone, Copy)]
pub struct TallyInput<'a> {
    /// The standards.
    pub profile: &'a Profile,
    /// Coverage flags.
    pub coverage: &'a Coverage,
    /// Population of each demand point.
    pub population: &'a [f64],
    /// Group populations per demand point (`groups[d][g]`).
    pub groups: &'a [Vec<f64>],
    /// Names of the groups.
    pub group_names: &'a [String],
    /// Facility category names of the study.
    pub facility_categories: &'a [String],
    /// Per facility: index into `facility_categories`.
    pub facility_category: &'a [usize],
    /// Per facility: capacity if known.
    pub facility_capacity: &'a [Option<f64>],
}

/// Sums demand points and facilities into `n` groups. `demand_group[d]` and `facility_group[f]`
/// give each point's group (`None`: in no group, left out).
pub fn tally(
    n: usize,
    demand_group: &[Option<usize>],
    facility_group: &[Option<usize>],
    input: &TallyInput<'_>,
) -> Vec<Tally> {
    let p = input.profile;
    let base_group: Vec<Option<usize>> = p
        .categories
        .iter()
        .map(|c| {
            c.population
                .as_ref()
                .and_then(|g| input.group_names.iter().position(|n| n == g))
        })
        .collect();
    let nf = input.facility_categories.len();
    let mut out = vec![
        Tally {
            groups: vec![0.0; input.group_names.len()],
            category_base: vec![0.0; p.categories.len()],
            category_covered: vec![0.0; p.categories.len()],
            circle_covered: vec![0.0; p.circles.len()],
            facilities: vec![0; nf],
            capacity: vec![0.0; nf],
            capacity_known: vec![0; nf],
            ..Default::default()
        };
        n
    ];
    for (d, g) in demand_group.iter().enumerate() {
        let Some(g) = *g else { continue };
        let t = &mut out[g];
        let pop = input.population[d];
        t.demand_points += 1;
        t.population += pop;
        for (k, v) in input.groups[d].iter().enumerate() {
            t.groups[k] += v;
        }
        for (c, bg) in base_group.iter().enumerate() {
            let base = bg.map(|k| input.groups[d][k]).unwrap_or(pop);
            t.category_base[c] += base;
            if input.coverage.category[c][d] {
                t.category_covered[c] += base;
            }
        }
        for (c, flags) in input.coverage.circle.iter().enumerate() {
            if flags[d] {
                t.circle_covered[c] += pop;
            }
        }
    }
    for (f, g) in facility_group.iter().enumerate() {
        let Some(g) = *g else { continue };
        let t = &mut out[g];
        let c = input.facility_category[f];
        t.facilities[c] += 1;
        if let Some(cap) = input.facility_capacity[f] {
            t.capacity[c] += cap;
            t.capacity_known[c] += 1;
        }
    }
    out
}

/// `part / whole`, or `None` when `whole` is zero.
pub fn share(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| part / whole)
}

/// The outcome of a count or ratio rule in one group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuleOutcome {
    /// The measured value (`None` when it cannot be computed, e.g. no capacity data).
    pub value: Option<f64>,
    /// The target.
    pub target: f64,
    /// Whether the target is met (`None` when the value is unknown).
    pub pass: Option<bool>,
}

/// A rule evaluated in each unit (zone or village) and rolled up to a district or the city: the
/// roll-up passes when every unit in it passes, as the standards define the rules per unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RollUp {
    /// Units in the district or city.
    pub units: usize,
    /// Units whose rule passes.
    pub passing: usize,
    /// `Some(false)` when a unit fails, `Some(true)` when every unit passes, `None` when no unit
    /// fails but some cannot be evaluated, or there is no unit.
    pub pass: Option<bool>,
}

impl RollUp {
    /// The roll-up of the units' outcomes (`pass` of each unit's [`RuleOutcome`]).
    ///
    /// ```
    /// use lifecircle::analysis::tally::RollUp;
    /// let r = RollUp::of([Some(true), Some(false), Some(true), Some(false)]);
    /// assert_eq!((r.units, r.passing, r.pass), (4, 2, Some(false)));
    /// assert_eq!(RollUp::of([Some(true), None]).pass, None);
    /// assert_eq!(RollUp::of([Some(true), Some(true)]).pass, Some(true));
    /// ```
    pub fn of(outcomes: impl IntoIterator<Item = Option<bool>>) -> RollUp {
        let (mut units, mut passing, mut failing) = (0, 0, 0);
        for o in outcomes {
            units += 1;
            passing += usize::from(o == Some(true));
            failing += usize::from(o == Some(false));
        }
        let pass = if failing > 0 {
            Some(false)
        } else {
            (units > 0 && passing == units).then_some(true)
        };
        RollUp {
            units,
            passing,
            pass,
        }
    }
}

/// Evaluates a count rule: facilities of the category in the group against the minimum.
pub fn count_rule(t: &Tally, rule: &CountRule, facility_categories: &[String]) -> RuleOutcome {
    let count = facility_categories
        .iter()
        .position(|c| *c == rule.category)
        .map(|c| t.facilities[c])
        .unwrap_or(0) as f64;
    RuleOutcome {
        value: Some(count),
        target: f64::from(rule.min),
        pass: Some(count >= f64::from(rule.min)),
    }
}

/// Evaluates a ratio rule. Capacity ratios need every facility of the category in the group to
/// have a capacity (else the value is unknown); a group without population has no ratio. A rule
/// per population group ([`RatioRule::population`]) has no value here: use [`ratio_rule_in`].
pub fn ratio_rule(t: &Tally, rule: &RatioRule, facility_categories: &[String]) -> RuleOutcome {
    ratio_rule_in(t, rule, facility_categories, &[])
}

/// Evaluates a ratio rule, per its population group when it names one: `group_names` are the
/// names of [`Tally::groups`]. A rule whose group is not among them has no value.
pub fn ratio_rule_in(
    t: &Tally,
    rule: &RatioRule,
    facility_categories: &[String],
    group_names: &[String],
) -> RuleOutcome {
    let population = match &rule.population {
        None => Some(t.population),
        Some(g) => group_names
            .iter()
            .position(|n| n == g)
            .and_then(|k| t.groups.get(k).copied()),
    };
    let Some(population) = population else {
        return RuleOutcome {
            value: None,
            target: rule.target,
            pass: None,
        };
    };
    let c = facility_categories.iter().position(|c| *c == rule.category);
    let (count, cap, known) = c
        .map(|c| (t.facilities[c], t.capacity[c], t.capacity_known[c]))
        .unwrap_or((0, 0.0, 0));
    let value = match rule.kind {
        RatioKind::CapacityPerPopulation => {
            if known < count || population <= 0.0 {
                None
            } else {
                Some(cap / population * rule.per)
            }
        }
        RatioKind::PopulationPerFacility => {
            if count == 0 {
                (population > 0.0).then_some(f64::INFINITY)
            } else {
                Some(population / count as f64)
            }
        }
    };
    let pass = value.map(|v| match rule.kind {
        RatioKind::CapacityPerPopulation => v >= rule.target,
        RatioKind::PopulationPerFacility => v <= rule.target,
    });
    RuleOutcome {
        value,
        target: rule.target,
        pass,
    }
}
