//! Standards profiles: the planning targets a study is measured against.
//!
//! A profile is TOML (see `profiles/guangzhou.toml`, the built-in `guangzhou` profile). A user
//! profile with `base = "guangzhou"` is merged over the built-in one table by table: it changes
//! only the keys it sets (lists such as `circles` are replaced whole).

use super::threshold::Threshold;
use crate::error::{Error, ErrorKind, Result};
use crate::network::Mode;
use serde::Deserialize;
use std::path::Path;

/// The built-in Guangzhou profile.
pub const GUANGZHOU: &str = include_str!("../../profiles/guangzhou.toml");

/// A facility category's coverage rule.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryRule {
    /// Category name as in the facility data (e.g. `elderly_care`).
    pub name: String,
    /// Display label (Chinese).
    pub label: String,
    /// Coverage threshold.
    pub threshold: Threshold,
    /// Travel mode for this category.
    pub mode: Mode,
    /// Population group measured (e.g. `age_60plus`) when the demand has it; else everyone.
    pub population: Option<String>,
}

/// One alternative set of a circle's requirement: any of these categories will do.
pub type AnyOf = Vec<String>;

/// A life circle: every requirement reachable within the threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Circle {
    /// Identifier (e.g. `community_15min`).
    pub id: String,
    /// Display label (e.g. 15分钟社区生活圈).
    pub label: String,
    /// Requirements, each satisfied by any category it lists.
    pub required: Vec<AnyOf>,
    /// Threshold for every requirement.
    pub threshold: Threshold,
    /// Target share of residents inside the circle (0–1), if the plan sets one.
    pub target_share: Option<f64>,
}

/// At least `min` facilities of a category per zone.
#[derive(Debug, Clone, PartialEq)]
pub struct CountRule {
    /// Identifier.
    pub id: String,
    /// Display label.
    pub label: String,
    /// Category counted.
    pub category: String,
    /// Minimum count per unit.
    pub min: u32,
    /// The unit counted in: a zone (街道/镇) or a village/neighbourhood (村居).
    pub per: CountUnit,
}

/// The unit a count rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountUnit {
    /// Every zone (街道/镇).
    Zone,
    /// Every village or neighbourhood committee (村居), when the study has a village layer.
    Village,
}

/// How a ratio rule computes its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatioKind {
    /// Sum of capacity per `per` residents; passes when at least the target.
    CapacityPerPopulation,
    /// Residents per facility; passes when at most the target.
    PopulationPerFacility,
}

/// A supply ratio per zone and district.
#[derive(Debug, Clone, PartialEq)]
pub struct RatioRule {
    /// Identifier.
    pub id: String,
    /// Display label.
    pub label: String,
    /// Category of the facilities.
    pub category: String,
    /// How the value is computed.
    pub kind: RatioKind,
    /// Residents per unit of the ratio (1000 for "per 1,000 residents").
    pub per: f64,
    /// Target value.
    pub target: f64,
    /// Population group the ratio is per (e.g. `age_0_3` for "per 1,000 children under 3");
    /// `None`: all residents. Evaluated only when the demand has that group.
    pub population: Option<String>,
}

/// A whole standards profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Short name.
    pub name: String,
    /// Title of the plan.
    pub title: String,
    /// Categories with coverage rules, in file order.
    pub categories: Vec<CategoryRule>,
    /// Life circles.
    pub circles: Vec<Circle>,
    /// Index into `circles` of the headline (complete life circle).
    pub headline: usize,
    /// Count rules.
    pub count_rules: Vec<CountRule>,
    /// Ratio rules.
    pub ratio_rules: Vec<RatioRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    #[serde(default)]
    base: Option<String>,
    name: String,
    #[serde(default)]
    title: String,
    headline_circle: String,
    categories: toml::Table,
    circles: Vec<RawCircle>,
    #[serde(default)]
    count_rules: Vec<RawCount>,
    #[serde(default)]
    ratio_rules: Vec<RawRatio>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    #[serde(default)]
    label: String,
    minutes: Option<f64>,
    metres: Option<f64>,
    rural_minutes: Option<f64>,
    rural_metres: Option<f64>,
    #[serde(default)]
    mode: Option<String>,
    #[serde(default)]
    population: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCircle {
    id: String,
    #[serde(default)]
    label: String,
    required: Vec<String>,
    minutes: Option<f64>,
    metres: Option<f64>,
    rural_minutes: Option<f64>,
    rural_metres: Option<f64>,
    target_share: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCount {
    id: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    per: Option<String>,
    category: String,
    min: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRatio {
    id: String,
    #[serde(default)]
    label: String,
    category: String,
    kind: String,
    #[serde(default = "one")]
    per: f64,
    target: f64,
    #[serde(default)]
    population: Option<String>,
}

fn one() -> f64 {
    1.0
}

impl Profile {
    /// The built-in `guangzhou` profile.
    pub fn guangzhou() -> Profile {
        Profile::parse(GUANGZHOU, "built-in profile guangzhou").expect("built-in profile parses")
    }

    /// A built-in profile by name, or a profile file.
    pub fn load(name_or_path: &str, relative_to: Option<&Path>) -> Result<Profile> {
        if name_or_path == "guangzhou" {
            return Ok(Profile::guangzhou());
        }
        let path = match relative_to {
            Some(dir) => dir.join(name_or_path),
            None => Path::new(name_or_path).to_path_buf(),
        };
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        Profile::parse(&text, &path.display().to_string()).map_err(|e| e.file(&path))
    }

    /// Parses profile text; `origin` names it in messages.
    pub fn parse(text: &str, origin: &str) -> Result<Profile> {
        let mut doc: toml::Table = toml::from_str(text).map_err(|e| toml_error(e, origin))?;
        if let Some(base) = doc.get("base").and_then(|b| b.as_str()) {
            if base != "guangzhou" {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!("unknown base profile {base:?} (built in: guangzhou)"),
                )
                .field("base"));
            }
            let mut merged: toml::Table = toml::from_str(GUANGZHOU).expect("built-in parses");
            merge(&mut merged, std::mem::take(&mut doc));
            doc = merged;
        }
        let raw: RawProfile = doc.try_into().map_err(|e| toml_error(e, origin))?;
        let _ = raw.base;
        let mut categories = Vec::new();
        for (name, v) in &raw.categories {
            let key = format!("categories.{name}");
            let c: RawCategory = v
                .clone()
                .try_into()
                .map_err(|e: toml::de::Error| toml_error(e, &key))?;
            let mode = match &c.mode {
                Some(m) => m
                    .parse()
                    .map_err(|e: Error| e.field(format!("{key}.mode")))?,
                None => Mode::Walk,
            };
            categories.push(CategoryRule {
                name: name.clone(),
                label: label_or(c.label, name),
                threshold: Threshold::from_keys(
                    &key,
                    c.minutes,
                    c.metres,
                    c.rural_minutes,
                    c.rural_metres,
                )?,
                mode,
                population: c.population,
            });
        }
        let known = |c: &str| categories.iter().any(|k| k.name == c);
        let mut circles = Vec::new();
        for (i, c) in raw.circles.into_iter().enumerate() {
            let key = format!("circles[{i}] ({})", c.id);
            let mut required = Vec::new();
            for r in &c.required {
                let any: AnyOf = r.split('|').map(|s| s.trim().to_string()).collect();
                for a in &any {
                    if !known(a) {
                        return Err(Error::new(
                            ErrorKind::InvalidValue,
                            format!("requires category {a:?}, which has no [categories.{a}] rule"),
                        )
                        .field(format!("{key}.required")));
                    }
                }
                required.push(any);
            }
            if required.is_empty() {
                return Err(Error::new(ErrorKind::Empty, "no required categories")
                    .field(format!("{key}.required")));
            }
            if let Some(t) = c.target_share {
                if !(0.0..=1.0).contains(&t) {
                    return Err(Error::new(
                        ErrorKind::InvalidValue,
                        format!("target_share must be between 0 and 1, got {t}"),
                    )
                    .field(format!("{key}.target_share")));
                }
            }
            circles.push(Circle {
                label: label_or(c.label, &c.id),
                threshold: Threshold::from_keys(
                    &key,
                    c.minutes,
                    c.metres,
                    c.rural_minutes,
                    c.rural_metres,
                )?,
                id: c.id,
                required,
                target_share: c.target_share,
            });
        }
        let headline = circles
            .iter()
            .position(|c| c.id == raw.headline_circle)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidValue,
                    format!("no circle with id {:?}", raw.headline_circle),
                )
                .field("headline_circle")
            })?;
        let mut count_rules = Vec::new();
        for (i, r) in raw.count_rules.into_iter().enumerate() {
            let per = match r.per.as_deref() {
                None | Some("zone") => CountUnit::Zone,
                Some("village") => CountUnit::Village,
                Some(other) => {
                    return Err(Error::new(
                        ErrorKind::InvalidValue,
                        format!("unknown unit {other:?}; use zone or village"),
                    )
                    .field(format!("count_rules[{i}] ({}).per", r.id)))
                }
            };
            count_rules.push(CountRule {
                label: label_or(r.label, &r.id),
                id: r.id,
                category: r.category,
                min: r.min,
                per,
            });
        }
        let mut ratio_rules = Vec::new();
        for (i, r) in raw.ratio_rules.into_iter().enumerate() {
            let key = format!("ratio_rules[{i}] ({})", r.id);
            let kind = match r.kind.as_str() {
                "capacity_per_population" => RatioKind::CapacityPerPopulation,
                "population_per_facility" => RatioKind::PopulationPerFacility,
                k => {
                    return Err(Error::new(
                        ErrorKind::InvalidValue,
                        format!("unknown kind {k:?}; use capacity_per_population or population_per_facility"),
                    )
                    .field(format!("{key}.kind")))
                }
            };
            for (v, what) in [(r.per, "per"), (r.target, "target")] {
                if !(v.is_finite() && v > 0.0) {
                    return Err(Error::new(
                        ErrorKind::InvalidValue,
                        format!("must be positive, got {v}"),
                    )
                    .field(format!("{key}.{what}")));
                }
            }
            ratio_rules.push(RatioRule {
                label: label_or(r.label, &r.id),
                id: r.id,
                category: r.category,
                kind,
                per: r.per,
                target: r.target,
                population: r.population,
            });
        }
        Ok(Profile {
            name: raw.name,
            title: raw.title,
            categories,
            circles,
            headline,
            count_rules,
            ratio_rules,
        })
    }

    /// The coverage rule of a category.
    pub fn category(&self, name: &str) -> Option<&CategoryRule> {
        self.categories.iter().find(|c| c.name == name)
    }

    /// The display label of a category (`养老服务设施`), or its name when the profile does not
    /// list it.
    pub fn label_of(&self, name: &str) -> String {
        self.category(name)
            .map(|c| c.label.clone())
            .unwrap_or_else(|| name.to_string())
    }
}

/// The display label, or the identifier when the label is empty.
fn label_or(label: String, id: &str) -> String {
    if label.is_empty() {
        id.to_string()
    } else {
        label
    }
}

/// Deep merge: tables merge key by key, anything else is replaced.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

fn toml_error(e: toml::de::Error, origin: &str) -> Error {
    Error::new(
        ErrorKind::InvalidValue,
        format!("{origin}: {}", e.message().trim()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standards::Limit;

    #[test]
    fn guangzhou_encodes_the_plan() {
        let p = Profile::guangzhou();
        let community = &p.circles[p.headline];
        assert_eq!(community.id, "community_15min");
        assert_eq!(community.threshold.urban, Limit::Seconds(900.0));
        assert_eq!(community.threshold.rural, Limit::Seconds(1800.0));
        assert_eq!(community.required.len(), 5);
        assert!(community
            .required
            .contains(&vec!["culture".to_string(), "library".to_string()]));
        let culture = p.circles.iter().find(|c| c.id == "culture_10min").unwrap();
        assert_eq!(culture.threshold.rural, Limit::Metres(5000.0));
        let elderly = p.category("elderly_care").unwrap();
        assert_eq!(elderly.mode, Mode::WalkElderly);
        assert_eq!(elderly.population.as_deref(), Some("age_60plus"));
        assert_eq!(p.count_rules[0].min, 1);
        let childcare = p
            .ratio_rules
            .iter()
            .find(|r| r.id == "childcare_places_per_1000")
            .unwrap();
        assert_eq!((childcare.per, childcare.target), (1000.0, 5.8));
    }

    #[test]
    fn user_profile_overrides_the_base() {
        let p = Profile::parse(
            "base = \"guangzhou\"\nname = \"haizhu\"\n[categories.sports]\nminutes = 12\n",
            "user.toml",
        )
        .unwrap();
        assert_eq!(p.name, "haizhu");
        assert_eq!(
            p.category("sports").unwrap().threshold.urban,
            Limit::Seconds(720.0)
        );
        assert_eq!(
            p.category("clinic").unwrap().threshold.urban,
            Limit::Seconds(900.0)
        );
    }

    #[test]
    fn bad_profiles_name_the_key() {
        let e = Profile::parse(
            "base = \"guangzhou\"\n[categories.sports]\nminutes = 0\n",
            "u",
        )
        .unwrap_err();
        assert!(e.to_string().contains("categories.sports.minutes"), "{e}");
        let e = Profile::parse(
            "base = \"guangzhou\"\n[categories.sports]\nminuts = 5\n",
            "u",
        )
        .unwrap_err();
        assert!(e.to_string().contains("minuts"), "{e}");
        let e = Profile::parse("base = \"guangzhou\"\nheadline_circle = \"x\"\n", "u").unwrap_err();
        assert!(e.to_string().contains("headline_circle"), "{e}");
    }
}
