//! A whole site-selection study in one call: the candidates (given or generated in the gaps),
//! exclusions, the rules derived from the zones (a site in every zone lacking the category, a
//! budget per district, capacities), the solve, and the tables and summary that explain it.
//! `lifecircle site-select`, the study's `[siting]` section and the Python package all run this.

use super::candidates::{exclude, hexagon_centres, nodes_in_gaps};
use super::select::{select_sites, Goal, Method, Rules, SiteOptions, SiteResult};
use crate::error::{Error, ErrorKind, Result};
use crate::nearest::{nearest, Outcome};
use crate::network::{Network, SnapResult, Snapper};
use crate::output::{Kind, Layer, Value};
use crate::places::{DemandPoint, Facility};
use crate::route::access::OnEdge;
use crate::zones::{Zone, ZoneIndex};
use serde_json::{json, Value as Json};
use std::str::FromStr;

/// Where the candidate sites come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Candidates {
    /// A list (read from a file, or passed in); the first location of each is used.
    Given(Vec<Facility>),
    /// Network nodes no existing facility reaches within the threshold, at most one per hexagon
    /// of `spacing_m` metres.
    GapNodes {
        /// Hexagon size (flat to flat), metres.
        spacing_m: f64,
    },
    /// Centres of hexagons of `cell_m` metres holding demand not yet covered.
    Hexagons {
        /// Hexagon size (flat to flat), metres.
        cell_m: f64,
    },
}

impl Candidates {
    /// Parses a generated-candidates spec: `gap-nodes[:SPACING_M]` (default 200 m) or
    /// `hexagons[:CELL_M]` (default 250 m); `None` for anything else (a file name). The sizes
    /// must lie in [`crate::bounds::NODE_SPACING_M`] and [`crate::bounds::HEX_CELL_M`]; the
    /// error's field is `candidates`.
    ///
    /// ```
    /// use lifecircle::siting::request::Candidates;
    /// assert_eq!(Candidates::generated("hexagons:300").unwrap().unwrap(),
    ///            Candidates::Hexagons { cell_m: 300.0 });
    /// assert!(Candidates::generated("sites.csv").unwrap().is_none());
    /// assert!(Candidates::generated("gap-nodes:-1").is_err());
    /// let e = Candidates::generated("hexagons:1e-9").unwrap_err();
    /// assert_eq!(e.to_string(), "`candidates`: the hexagon size in \"hexagons:1e-9\" must be \
    ///                            from 10 to 100,000 m, got 1e-9");
    /// ```
    pub fn generated(spec: &str) -> Result<Option<Candidates>> {
        let (kind, size) = match spec.split_once(':') {
            Some((k, v)) => (k, Some(v)),
            None => (spec, None),
        };
        let size = |default: f64, what: &str, range: crate::bounds::Range| -> Result<f64> {
            let Some(v) = size else {
                return Ok(default);
            };
            let bad = |got: String| {
                Error::new(
                    ErrorKind::InvalidValue,
                    format!(
                        "the {what} in {spec:?} must be {}, got {got}",
                        range.describe()
                    ),
                )
                .field("candidates")
            };
            match v.trim().parse::<f64>() {
                Ok(x) if range.contains(x) => Ok(x),
                Ok(x) => Err(bad(crate::bounds::number(x))),
                Err(_) => Err(bad(format!("{v:?}"))),
            }
        };
        Ok(match kind {
            "gap-nodes" => Some(Candidates::GapNodes {
                spacing_m: size(200.0, "node spacing", crate::bounds::NODE_SPACING_M)?,
            }),
            "hexagons" => Some(Candidates::Hexagons {
                cell_m: size(250.0, "hexagon size", crate::bounds::HEX_CELL_M)?,
            }),
            _ => None,
        })
    }
}

/// How much demand (population) one new site can serve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SiteCapacity {
    /// Every new site serves at most this many people.
    Uniform(f64),
    /// Each candidate's own capacity ([`Facility::capacity`], e.g. beds or places) times this many
    /// people per unit (e.g. 1 place per child, or 25 residents aged 60+ per bed).
    PerCandidate {
        /// People served per unit of capacity.
        people_per_unit: f64,
    },
}

impl FromStr for Goal {
    type Err = Error;
    /// `k=N` / `N` (maximal covering with N sites) or `share=S` (set covering to share S).
    fn from_str(s: &str) -> Result<Goal> {
        let s = s.trim();
        let bad = || {
            Error::new(
                ErrorKind::InvalidValue,
                format!("{s:?}: use k=N (1 ≤ N ≤ 100,000 new sites) or share=S (0 < S ≤ 1)"),
            )
        };
        if let Some(v) = s.strip_prefix("share=") {
            let v: f64 = v.parse().map_err(|_| bad())?;
            return if v > 0.0 && v <= 1.0 {
                Ok(Goal::TargetShare(v))
            } else {
                Err(bad())
            };
        }
        let v = s.strip_prefix("k=").unwrap_or(s);
        match v.parse::<usize>() {
            Ok(k) if crate::bounds::K.contains(k as f64) => Ok(Goal::MaxCover { k }),
            _ => Err(bad()),
        }
    }
}

impl FromStr for Method {
    type Err = Error;
    /// `auto`, `greedy` or `exact`.
    fn from_str(s: &str) -> Result<Method> {
        match s.trim() {
            "auto" => Ok(Method::Auto),
            "greedy" => Ok(Method::Greedy),
            "exact" => Ok(Method::Exact),
            m => Err(Error::new(
                ErrorKind::InvalidValue,
                format!("unknown method {m:?}; use auto, greedy or exact"),
            )),
        }
    }
}

/// A site-selection request.
#[derive(Debug, Clone)]
pub struct SiteRequest {
    /// The facility category to site (existing facilities of other categories are ignored).
    pub category: String,
    /// Travel options, goal, method and solver limits.
    pub options: SiteOptions,
    /// The candidate sites.
    pub candidates: Candidates,
    /// Leave out candidates inside zones with these codes.
    pub exclude_zones: Vec<String>,
    /// Rule: at least one new site in every zone without an existing facility of the category.
    pub one_per_zone: bool,
    /// Rule: at most this many new sites per district (区).
    pub max_per_district: Option<usize>,
    /// Capacity of the new sites; `None`: a site covers everyone within the threshold.
    pub capacity: Option<SiteCapacity>,
}

/// A site selection with everything needed to explain it.
#[derive(Debug, Clone)]
pub struct SiteStudy {
    /// The category sited.
    pub category: String,
    /// Coverage threshold, seconds.
    pub limit_s: f64,
    /// The goal.
    pub goal: Goal,
    /// Candidate sites after exclusions (indices in `result` refer to this list).
    pub candidates: Vec<Facility>,
    /// Candidates excluded by zone or mask.
    pub excluded: usize,
    /// Per candidate: its zone (index into the zones given).
    pub candidate_zone: Vec<Option<usize>>,
    /// Per zone: `code name`.
    pub zone_names: Vec<String>,
    /// Per candidate: the population it can serve (capacitated problems only).
    pub capacities: Option<Vec<f64>>,
    /// Existing facilities of the category.
    pub existing: usize,
    /// Things the user should know (rules that cannot be met, candidates not snapped, ...).
    pub warnings: Vec<String>,
    /// The solve.
    pub result: SiteResult,
}

/// Runs a site selection: `existing` facilities (any categories; those of `req.category` count),
/// `demand` with populations, `zones` for the rules and the output (may be empty), `mask`
/// polygons where no site may go (may be empty).
pub fn plan_sites(
    network: &Network,
    existing: &[Facility],
    demand: &[DemandPoint],
    zones: &[Zone],
    mask: &[Zone],
    req: &SiteRequest,
) -> Result<SiteStudy> {
    let limit_s = req.options.nearest.max_time_s.ok_or_else(|| {
        Error::new(
            ErrorKind::MissingField,
            "site selection needs a travel-time threshold",
        )
        .field("max_minutes")
    })?;
    if !(limit_s.is_finite() && limit_s > 0.0) {
        return Err(Error::new(
            ErrorKind::InvalidValue,
            format!("the threshold must be positive, got {limit_s} s"),
        )
        .field("max_minutes"));
    }
    if (req.one_per_zone || req.max_per_district.is_some() || !req.exclude_zones.is_empty())
        && zones.is_empty()
    {
        return Err(Error::new(
            ErrorKind::MissingField,
            "the zone rules and exclusions need zones",
        )
        .field("zones"));
    }
    let mut warnings = Vec::new();
    let existing: Vec<Facility> = existing
        .iter()
        .filter(|f| f.category == req.category)
        .cloned()
        .collect();
    if existing.is_empty() {
        warnings.push(format!(
            "no existing facility of category {:?}: everyone starts uncovered",
            req.category
        ));
    }
    if demand.iter().all(|d| d.population.is_none()) {
        warnings.push("the demand has no population column: every point counts as 1".into());
    }
    let profile = req.options.nearest.profile;
    let max_snap_m = req.options.nearest.max_snap_m;
    let candidates = match &req.candidates {
        Candidates::Given(c) => c.clone(),
        Candidates::GapNodes { spacing_m } => {
            let snapper = Snapper::new(network, max_snap_m);
            let locs: Vec<OnEdge> = existing
                .iter()
                .enumerate()
                .flat_map(|(i, f)| f.locations.iter().map(move |&p| (i, p)))
                .filter_map(|(i, p)| match snapper.snap(p) {
                    SnapResult::Snapped(s) => Some(OnEdge::new(&s, i as u32)),
                    SnapResult::TooFar(_) => None,
                })
                .collect();
            nodes_in_gaps(
                network,
                &locs,
                limit_s,
                profile.access_speed_mps,
                *spacing_m,
                &req.category,
            )
            .map_err(|e| e.field("candidates"))?
        }
        Candidates::Hexagons { cell_m } => {
            let uncovered: Vec<[f64; 2]> = if existing.is_empty() {
                demand.iter().map(|d| d.location).collect()
            } else {
                let r = nearest(network, &existing, demand, &req.options.nearest)?;
                (0..demand.len())
                    .filter(|&d| !matches!(r.outcome(d, 0), Outcome::Reached(_)))
                    .map(|d| demand[d].location)
                    .collect()
            };
            hexagon_centres(&uncovered, *cell_m, &req.category)
                .map_err(|e| e.field("candidates"))?
        }
    };
    let before = candidates.len();
    let candidates = exclude(candidates, zones, &req.exclude_zones, mask);
    let excluded = before - candidates.len();
    if candidates.is_empty() {
        return Err(Error::new(
            ErrorKind::Empty,
            if excluded > 0 {
                format!("no candidate sites left after excluding {excluded}")
            } else {
                "no candidate sites".to_string()
            },
        )
        .field("candidates"));
    }

    let mut rules = Rules::default();
    let index = ZoneIndex::new(zones);
    let candidate_zone: Vec<Option<usize>> = candidates
        .iter()
        .map(|c| index.locate(c.locations[0]))
        .collect();
    let zone_names: Vec<String> = zones
        .iter()
        .map(|z| format!("{} {}", z.code, z.name))
        .collect();
    if req.one_per_zone {
        let mut has = vec![false; zones.len()];
        for f in &existing {
            if let Some(z) = index.locate(f.locations[0]) {
                has[z] = true;
            }
        }
        for z in (0..zones.len()).filter(|&z| !has[z]) {
            let g: Vec<u32> = (0..candidates.len())
                .filter(|&c| candidate_zone[c] == Some(z))
                .map(|c| c as u32)
                .collect();
            if g.is_empty() {
                warnings.push(format!(
                    "zone {} has no facility and no candidate: the rule cannot be met there",
                    zone_names[z]
                ));
            } else {
                rules.at_least_one.push(g);
            }
        }
    }
    if let Some(b) = req.max_per_district {
        let mut districts: Vec<&String> =
            zones.iter().filter_map(|z| z.district.as_ref()).collect();
        districts.sort();
        districts.dedup();
        for d in districts {
            let g: Vec<u32> = (0..candidates.len())
                .filter(|&c| {
                    candidate_zone[c].is_some_and(|z| zones[z].district.as_ref() == Some(d))
                })
                .map(|c| c as u32)
                .collect();
            rules.at_most.push((g, b));
        }
    }
    let capacities = req
        .capacity
        .map(|cap| candidate_capacities(&candidates, cap))
        .transpose()?;
    rules.capacity = capacities.clone();
    let result = select_sites(
        network,
        &existing,
        demand,
        &candidates,
        &rules,
        &req.options,
    )?;
    for &c in result.unsnapped_candidates.iter().take(20) {
        warnings.push(format!(
            "candidate {} is farther than {max_snap_m} m from any street and cannot be chosen",
            candidates[c].id
        ));
    }
    if result.unsnapped_candidates.len() > 20 {
        warnings.push(format!(
            "... {} more candidates not snapped",
            result.unsnapped_candidates.len() - 20
        ));
    }
    Ok(SiteStudy {
        category: req.category.clone(),
        limit_s,
        goal: req.options.goal,
        candidates,
        excluded,
        candidate_zone,
        zone_names,
        capacities,
        existing: existing.len(),
        warnings,
        result,
    })
}

/// The population each candidate can serve.
fn candidate_capacities(candidates: &[Facility], cap: SiteCapacity) -> Result<Vec<f64>> {
    let check = |v: f64, c: &Facility, what: &str| -> Result<f64> {
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(Error::new(
                ErrorKind::InvalidValue,
                format!("{what} must be a number ≥ 0, got {v}"),
            )
            .at(&c.origin)
            .field("capacity"))
        }
    };
    candidates
        .iter()
        .map(|c| match cap {
            SiteCapacity::Uniform(v) => check(v, c, "the site capacity"),
            SiteCapacity::PerCandidate { people_per_unit } => {
                let units = c.capacity.ok_or_else(|| {
                    Error::new(
                        ErrorKind::MissingField,
                        format!("candidate {} has no capacity", c.id),
                    )
                    .at(&c.origin)
                    .field("capacity")
                })?;
                check(units * people_per_unit, c, "capacity × people per unit")
            }
        })
        .collect()
}

impl SiteStudy {
    /// The chosen sites as facilities of the category (id and location of the candidate, name
    /// `新增选址 #rank`), e.g. to add them to a plan.
    pub fn chosen_facilities(&self) -> Vec<Facility> {
        self.result
            .sites
            .iter()
            .map(|s| {
                let c = &self.candidates[s.candidate];
                Facility {
                    id: c.id.clone(),
                    name: format!("新增选址 #{}", s.rank),
                    category: self.category.clone(),
                    locations: vec![c.locations[0]],
                    capacity: c.capacity,
                    origin: format!("site {} chosen for {}", s.rank, self.category),
                }
            })
            .collect()
    }

    /// One row per chosen site in rank order: `rank, candidate_id, added_population` (people not
    /// covered before that this site covers, given the sites ranked before it; with capacities,
    /// the people assigned to it), `cumulative_population`, `lon`, `lat`, `zone`, and with
    /// capacities `capacity` (people it can serve); point geometry (WGS84).
    pub fn sites_layer(&self) -> Layer {
        let mut cols = vec![
            ("rank", Kind::Int),
            ("candidate_id", Kind::Text),
            ("added_population", Kind::Real),
            ("cumulative_population", Kind::Real),
            ("lon", Kind::Real),
            ("lat", Kind::Real),
            ("zone", Kind::Text),
        ];
        if self.capacities.is_some() {
            cols.push(("capacity", Kind::Real));
        }
        let mut l = Layer::new("sites", &cols);
        for (en, zh) in [
            ("rank", "排序"),
            ("candidate_id", "候选点编号"),
            ("added_population", "新增覆盖人口"),
            ("cumulative_population", "累计新增覆盖人口"),
            ("lon", "经度"),
            ("lat", "纬度"),
            ("zone", "街道/镇"),
            ("capacity", "可服务人口"),
        ] {
            if cols.iter().any(|(c, _)| *c == en) {
                l.label(en, zh);
            }
        }
        l.set_layer_label("新增设施选址");
        for s in &self.result.sites {
            let c = &self.candidates[s.candidate];
            let p = c.locations[0];
            let mut row = vec![
                Value::Int(s.rank as i64),
                Value::Text(c.id.clone()),
                Value::Real(s.added_population),
                Value::Real(s.cumulative_population),
                Value::Real(p[0]),
                Value::Real(p[1]),
                self.candidate_zone[s.candidate]
                    .map(|z| Value::Text(self.zone_names[z].clone()))
                    .unwrap_or(Value::Null),
            ];
            if let Some(cap) = &self.capacities {
                row.push(Value::Real(cap[s.candidate]));
            }
            l.push(row, Some(p));
        }
        l
    }

    /// The covering problem: one row per (candidate, demand point) pair where the candidate
    /// covers a demand point not yet covered, with the point's population. Needs
    /// `keep_matrix` in the options (empty otherwise).
    pub fn matrix_layer(&self, demand: &[DemandPoint]) -> Layer {
        let mut m = Layer::new(
            "coverage_matrix",
            &[
                ("candidate_id", Kind::Text),
                ("demand_id", Kind::Text),
                ("population", Kind::Real),
            ],
        );
        for &(c, d) in &self.result.matrix {
            let dp = &demand[d as usize];
            m.push(
                vec![
                    Value::Text(self.candidates[c as usize].id.clone()),
                    Value::Text(dp.id.clone()),
                    Value::Real(dp.population.unwrap_or(1.0)),
                ],
                None,
            );
        }
        m
    }

    /// A description of the goal, e.g. `maximal covering, k = 10`.
    pub fn goal_text(&self) -> String {
        let cap = if self.capacities.is_some() {
            " with site capacities"
        } else {
            ""
        };
        match self.goal {
            Goal::MaxCover { k } => format!("maximal covering{cap}, k = {k}"),
            Goal::TargetShare(s) => format!(
                "set covering{cap} to {:.1} % of the coverable population",
                s * 100.0
            ),
        }
    }

    /// The summary: goal, method, optimality and proven gap, populations before and after,
    /// problem size, seconds.
    pub fn summary_json(&self) -> Json {
        let r = &self.result;
        json!({
            "category": self.category,
            "goal": self.goal_text(),
            "threshold_minutes": self.limit_s / 60.0,
            "method": r.method,
            "optimal": r.optimal,
            "proven_gap": r.gap,
            "bound": if r.bound.is_finite() { json!(r.bound) } else { Json::Null },
            "sites": r.sites.len(),
            "total_population": r.total_population,
            "covered_before": r.covered_before,
            "added_population": r.added,
            "covered_after": r.covered_before + r.added,
            "uncoverable_population": r.uncoverable,
            "greedy_swap_added_population": r.heuristic_added,
            "existing_facilities": self.existing,
            "candidates": self.candidates.len(),
            "excluded_candidates": self.excluded,
            "unsnapped_candidates": r.unsnapped_candidates.len(),
            "capacitated": self.capacities.is_some(),
            "problem": {"elements": r.problem_size.0, "candidates": r.problem_size.1, "nonzeros": r.problem_size.2},
            "seconds": {"catchments": r.seconds.0, "solve": r.seconds.1},
            "warnings": self.warnings,
        })
    }

    /// One line for a terminal.
    pub fn summary_line(&self) -> String {
        let r = &self.result;
        format!(
            "{} sites, method {}, {} (gap {:.4} %): added population {:.1} (covered {:.1} → {:.1} of {:.1}; {:.1} not coverable by any candidate)",
            r.sites.len(),
            r.method,
            if r.optimal { "proven optimal" } else { "not proven optimal" },
            r.gap * 100.0,
            r.added,
            r.covered_before,
            r.covered_before + r.added,
            r.total_population,
            r.uncoverable
        )
    }
}
