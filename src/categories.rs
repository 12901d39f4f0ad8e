//! Mapping OpenStreetMap tags to facility categories.
//!
//! A mapping file is TOML with one `[categories]` table; each key is a category name and its
//! value a list of rules (see `profiles/osm-categories.toml`, the built-in mapping):
//!
//! ```
//! use lifecircle::categories::CategoryMap;
//! let map = CategoryMap::parse(r#"
//!     [categories]
//!     clinic = ["amenity=clinic|doctors"]
//!     elderly_care = ["amenity=social_facility & social_facility:for=senior"]
//! "#, "example.toml").unwrap();
//! let tags = [("amenity", "doctors")];
//! let lookup = |k: &str| tags.iter().find(|(kk, _)| *kk == k).map(|(_, v)| *v);
//! assert_eq!(map.classify(lookup), vec![0]);
//! assert_eq!(map.names(), vec!["clinic", "elderly_care"]);
//! ```

use crate::error::{Error, ErrorKind, Result};
use std::path::Path;

/// The built-in mapping, embedded from `profiles/osm-categories.toml`.
pub const BUILTIN: &str = include_str!("../profiles/osm-categories.toml");

/// Tag rules per category, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryMap {
    categories: Vec<(String, Vec<Rule>)>,
}

/// All conditions must hold.
#[derive(Debug, Clone, PartialEq)]
struct Rule {
    conditions: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq)]
struct Condition {
    key: String,
    /// `None` means any value except `no`.
    values: Option<Vec<String>>,
}

impl CategoryMap {
    /// The built-in mapping.
    pub fn builtin() -> Self {
        Self::parse(BUILTIN, "built-in category mapping").expect("the built-in mapping parses")
    }

    /// Reads a mapping file.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&text, &path.display().to_string()).map_err(|e| e.file(path))
    }

    /// Parses mapping text; `origin` names it in messages.
    pub fn parse(text: &str, origin: &str) -> Result<Self> {
        let doc: toml::Table = toml::from_str(text).map_err(|e| {
            Error::new(
                ErrorKind::Format,
                format!("{origin}: not valid TOML: {}", e.message()),
            )
        })?;
        for key in doc.keys() {
            if key != "categories" {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!("unknown key {key:?} (the file has one [categories] table)"),
                )
                .field(key));
            }
        }
        let table = doc
            .get("categories")
            .and_then(|v| v.as_table())
            .ok_or_else(|| {
                Error::new(ErrorKind::MissingField, "no [categories] table").field("categories")
            })?;
        let mut categories = Vec::new();
        for (name, rules) in table {
            let field = format!("categories.{name}");
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
            {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    "a category name may hold only letters, digits, '_' and '-'",
                )
                .field(field));
            }
            let list = rules.as_array().ok_or_else(|| {
                Error::new(ErrorKind::InvalidValue, "expected a list of rule strings").field(&field)
            })?;
            let mut parsed = Vec::new();
            for r in list {
                let s = r.as_str().ok_or_else(|| {
                    Error::new(ErrorKind::InvalidValue, "rules must be strings").field(&field)
                })?;
                parsed.push(parse_rule(s).map_err(|e| e.field(&field))?);
            }
            if parsed.is_empty() {
                return Err(Error::new(ErrorKind::Empty, "the category has no rules").field(field));
            }
            categories.push((name.clone(), parsed));
        }
        if categories.is_empty() {
            return Err(Error::new(
                ErrorKind::Empty,
                "the mapping has no categories",
            ));
        }
        Ok(CategoryMap { categories })
    }

    /// Category names in file order.
    pub fn names(&self) -> Vec<&str> {
        self.categories.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// Keeps only the named categories, in the given order; an unknown name is an error.
    pub fn select(&mut self, names: &[String]) -> Result<()> {
        let mut out = Vec::with_capacity(names.len());
        for n in names {
            let i = self
                .categories
                .iter()
                .position(|(c, _)| c == n)
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::InvalidValue,
                        format!(
                            "unknown category {n:?}; the mapping has: {}",
                            self.names().join(", ")
                        ),
                    )
                    .field("categories")
                })?;
            out.push(self.categories[i].clone());
        }
        self.categories = out;
        Ok(())
    }

    /// Indices of the categories whose rules match the tags given by `tag` (key → value).
    pub fn classify<'a>(&self, tag: impl Fn(&str) -> Option<&'a str>) -> Vec<usize> {
        self.categories
            .iter()
            .enumerate()
            .filter(|(_, (_, rules))| rules.iter().any(|r| r.matches(&tag)))
            .map(|(i, _)| i)
            .collect()
    }

    /// The name of category `i`.
    pub fn name(&self, i: usize) -> &str {
        &self.categories[i].0
    }
}

impl Rule {
    fn matches<'a>(&self, tag: &impl Fn(&str) -> Option<&'a str>) -> bool {
        self.conditions
            .iter()
            .all(|c| match (tag(&c.key), &c.values) {
                (None, _) => false,
                (Some(v), None) => v != "no",
                (Some(v), Some(vals)) => vals.iter().any(|x| x == v),
            })
    }
}

fn parse_rule(s: &str) -> Result<Rule> {
    let mut conditions = Vec::new();
    for part in s.split('&') {
        let part = part.trim();
        let (k, v) = part.split_once('=').ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidValue,
                format!("rule {s:?}: expected key=value, key=v1|v2 or key=*"),
            )
        })?;
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty() || v.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!("rule {s:?}: empty key or value"),
            ));
        }
        let values = (v != "*").then(|| v.split('|').map(|x| x.trim().to_string()).collect());
        conditions.push(Condition {
            key: k.to_string(),
            values,
        });
    }
    Ok(Rule { conditions })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_has_the_plan_categories() {
        let m = CategoryMap::builtin();
        assert_eq!(
            m.names(),
            vec![
                "elderly_care",
                "clinic",
                "childcare",
                "library",
                "culture",
                "sports"
            ]
        );
    }

    #[test]
    fn conjunctions_and_wildcards() {
        let m = CategoryMap::parse("[categories]\nx = [\"a=* & b=1|2\"]\n", "t").unwrap();
        let tags = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(kk, _)| *kk == k).map(|(_, v)| *v)
        };
        assert_eq!(m.classify(tags(&[("a", "q"), ("b", "2")])), vec![0]);
        assert!(m.classify(tags(&[("a", "no"), ("b", "2")])).is_empty());
        assert!(m.classify(tags(&[("a", "q"), ("b", "3")])).is_empty());
    }

    #[test]
    fn errors_name_the_key() {
        let e = CategoryMap::parse("[categories]\nx = [\"amenity\"]\n", "t").unwrap_err();
        assert!(e.to_string().contains("categories.x"), "{e}");
        let mut m = CategoryMap::builtin();
        let e = m.select(&["hospital".into()]).unwrap_err();
        assert!(e.to_string().contains("hospital"), "{e}");
    }
}
