//! The city summary: headline figures against the targets, as JSON and as short Markdown.

use super::compute::StudyResult;
use super::layers::{gap_ranks, village_rule, zone_rule};
use crate::analysis::tally::{count_rule, ratio_rule_in, share, RuleOutcome, Tally};
use crate::standards::CountUnit;
use serde_json::{json, Value};

fn num(x: Option<f64>) -> Value {
    match x {
        Some(v) if v.is_finite() => json!(v),
        _ => Value::Null,
    }
}

/// The zones where a zone rule (`outcome`) fails, as "code name".
fn failing_zones(r: &StudyResult, outcome: &dyn Fn(&Tally) -> RuleOutcome) -> Vec<Value> {
    r.zones
        .iter()
        .zip(&r.zone_tallies)
        .filter(|(_, t)| outcome(t).pass == Some(false))
        .map(|(z, _)| json!(format!("{} {}", z.code, z.name)))
        .collect()
}

/// A zone rule rolled up per district: its zones, how many pass, and whether all do.
fn district_roll_ups(r: &StudyResult, outcome: &dyn Fn(&Tally) -> RuleOutcome) -> Vec<Value> {
    r.districts
        .iter()
        .enumerate()
        .map(|(d, name)| {
            let u = zone_rule(r, &|z| r.zone_district[z] == Some(d), outcome);
            json!({"district": name, "zones": u.units, "zones_passing": u.passing, "pass": u.pass})
        })
        .collect()
}

/// ", n of m districts (all their zones)" for a zone rule of the summary, empty without districts.
fn districts_passing(rule: &Value) -> String {
    let d = rule["districts"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    if d.is_empty() {
        return String::new();
    }
    let passing = d.iter().filter(|x| x["pass"] == json!(true)).count();
    format!(
        "; {passing} of {} districts have every zone passing",
        d.len()
    )
}

/// The summary as JSON (deterministic: no times, no paths).
pub fn summary_json(name: &str, r: &StudyResult) -> Value {
    let p = &r.profile;
    let c = &r.city;
    let facilities: serde_json::Map<String, Value> = r
        .facility_categories
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), json!(c.facilities[i])))
        .collect();
    let categories: Vec<Value> = p
        .categories
        .iter()
        .enumerate()
        .map(|(i, cat)| {
            json!({
                "category": cat.name, "label": cat.label,
                "threshold": cat.threshold.urban.label(),
                "rural_threshold": cat.threshold.rural.label(),
                "mode": cat.mode.to_string(),
                "measured_for": cat.population.as_ref().filter(|g| r.demand.groups.contains(g)).cloned().unwrap_or_else(|| "all residents".into()),
                "covered": c.category_covered[i], "base": c.category_base[i],
                "share": num(share(c.category_covered[i], c.category_base[i])),
            })
        })
        .collect();
    let circles: Vec<Value> = p
        .circles
        .iter()
        .enumerate()
        .map(|(i, ci)| {
            let s = share(c.circle_covered[i], c.population);
            let zones_meeting = ci.target_share.map(|t| {
                r.zone_tallies
                    .iter()
                    .filter(|z| share(z.circle_covered[i], z.population).is_some_and(|s| s >= t))
                    .count()
            });
            json!({
                "circle": ci.id, "label": ci.label,
                "threshold": ci.threshold.urban.label(), "rural_threshold": ci.threshold.rural.label(),
                "covered": c.circle_covered[i], "share": num(s),
                "target": num(ci.target_share), "pass": ci.target_share.and_then(|t| s.map(|s| s >= t)),
                "zones_meeting_target": zones_meeting,
            })
        })
        .collect();
    let count_rules: Vec<Value> = p
        .count_rules
        .iter()
        .filter_map(|rule| match rule.per {
            CountUnit::Zone => {
                let outcome = |t: &Tally| count_rule(t, rule, &r.facility_categories);
                let city = zone_rule(r, &|_| true, &outcome);
                Some(json!({
                    "rule": rule.id, "label": rule.label, "min": rule.min, "per": "zone",
                    "city_value": num(outcome(c).value),
                    "zones": city.units, "zones_passing": city.passing, "pass": city.pass,
                    "zones_failing": failing_zones(r, &outcome),
                    "districts": district_roll_ups(r, &outcome),
                }))
            }
            CountUnit::Village if r.villages.is_empty() => None,
            CountUnit::Village => {
                let city = village_rule(r, rule, &|_| true);
                Some(json!({
                    "rule": rule.id, "label": rule.label, "min": rule.min, "per": "village",
                    "villages": city.units, "villages_passing": city.passing, "pass": city.pass,
                }))
            }
        })
        .collect();
    let ratio_rules: Vec<Value> = r
        .ratio_rules_with_data
        .iter()
        .map(|&i| {
            let rule = &p.ratio_rules[i];
            let outcome =
                |t: &Tally| ratio_rule_in(t, rule, &r.facility_categories, &r.demand.groups);
            let city = zone_rule(r, &|_| true, &outcome);
            json!({
                "rule": rule.id, "label": rule.label, "city_value": num(outcome(c).value),
                "target": rule.target,
                "zones": city.units, "zones_passing": city.passing, "pass": city.pass,
                "zones_failing": failing_zones(r, &outcome),
                "districts": district_roll_ups(r, &outcome),
                "per_population": rule.population.clone().unwrap_or_else(|| "all residents".into()),
            })
        })
        .collect();
    let ranks = gap_ranks(r);
    let mut order: Vec<usize> = (0..r.zones.len()).collect();
    order.sort_by_key(|&z| ranks[z]);
    let h = p.headline;
    let worst: Vec<Value> = order
        .iter()
        .take(10)
        .map(|&z| {
            let t = &r.zone_tallies[z];
            json!({
                "rank": ranks[z], "code": r.zones[z].code, "name": r.zones[z].name,
                "population": t.population, "uncovered": t.population - t.circle_covered[h],
                "complete_share": num(share(t.circle_covered[h], t.population)),
            })
        })
        .collect();
    let unzoned: Vec<usize> = (0..r.demand_zone.len())
        .filter(|&d| r.demand_zone[d].is_none())
        .collect();
    let access: Vec<Value> = r
        .access
        .iter()
        .map(|a| {
            let zones_below: usize = a
                .zones
                .iter()
                .filter(|t| a.target.zip(t.mean()).is_some_and(|(x, m)| m < x))
                .count();
            let no_demand: Vec<Value> = a
                .fca
                .no_demand()
                .into_iter()
                .map(|k| json!(r.facilities[a.facilities[k]].id))
                .collect();
            json!({
                "category": a.category, "label": a.label,
                "method": if matches!(a.decay, crate::analysis::access::Decay::Weights(_)) { "E2SFCA" } else { "2SFCA" },
                "decay": a.decay.describe(), "catchment_minutes": a.limit_s / 60.0,
                "measured_for": a.group.clone().unwrap_or_else(|| "all residents".into()),
                "facilities": a.facilities.len(), "facilities_without_capacity": a.without_capacity.len(),
                "facilities_no_demand": no_demand,
                "target": num(a.target), "city_mean": num(a.city.mean()),
                "city_below_target_share": num(a.target.and(a.city.below_share())),
                "zones_mean_below_target": a.target.map(|_| zones_below),
                "zones": r.zones.len(),
            })
        })
        .collect();
    let mut out = json!({
        "study": name,
        "profile": {"name": p.name, "title": p.title},
        "population": c.population,
        "demand_points": c.demand_points,
        "zones": r.zones.len(),
        "districts": r.districts.len(),
        "facilities": facilities,
        "complete_life_circle": {"circle": p.circles[h].id, "label": p.circles[h].label,
            "share": num(share(c.circle_covered[h], c.population)), "uncovered": c.population - c.circle_covered[h]},
        "categories": categories,
        "circles": circles,
        "count_rules": count_rules,
        "ratio_rules": ratio_rules,
        "largest_gaps": worst,
        "unsnapped_demand_points": r.demand_snapped.iter().filter(|s| !**s).count(),
        "demand_points_in_no_zone": unzoned.len(),
        "population_in_no_zone": unzoned.iter().map(|&d| r.population[d]).sum::<f64>() + 0.0,
        "notes": r.notes,
    });
    if !access.is_empty() {
        out["access"] = Value::Array(access);
    }
    if !r.siting.is_empty() {
        let siting: Vec<Value> = r
            .siting
            .iter()
            .map(|st| {
                let mut v = st.summary_json();
                // Deterministic: no times.
                if let Some(o) = v.as_object_mut() {
                    o.remove("seconds");
                }
                v["label"] = json!(p.label_of(&st.category));
                v["chosen"] = st
                    .result
                    .sites
                    .iter()
                    .map(|s| {
                        json!({
                            "rank": s.rank,
                            "candidate_id": st.candidates[s.candidate].id,
                            "added_population": s.added_population,
                            "zone": st.candidate_zone[s.candidate].map(|z| st.zone_names[z].clone()),
                        })
                    })
                    .collect();
                v
            })
            .collect();
        out["siting"] = Value::Array(siting);
    }
    out
}

fn pct(x: &Value) -> String {
    x.as_f64()
        .map(|v| format!("{:.1} %", v * 100.0))
        .unwrap_or_else(|| "–".into())
}

/// A short Markdown summary of the JSON summary.
pub fn summary_markdown(s: &Value) -> String {
    let mut m = String::new();
    let title = s["study"].as_str().unwrap_or("");
    m += &format!("# {title}\n\n");
    m += &format!(
        "Standards: {} — {}\n\n",
        s["profile"]["name"].as_str().unwrap_or(""),
        s["profile"]["title"].as_str().unwrap_or("")
    );
    m += &format!(
        "Population {:.0} in {} demand points, {} zones (街镇), {} districts.\n\n",
        s["population"].as_f64().unwrap_or(0.0),
        s["demand_points"],
        s["zones"],
        s["districts"]
    );
    let h = &s["complete_life_circle"];
    m += &format!(
        "**{}: {} of residents** (uncovered {:.0}).\n\n",
        h["label"].as_str().unwrap_or(""),
        pct(&h["share"]),
        h["uncovered"].as_f64().unwrap_or(0.0)
    );
    m += "| circle | threshold (rural) | share | target | met |\n|---|---|---|---|---|\n";
    for c in s["circles"].as_array().into_iter().flatten() {
        m += &format!(
            "| {} | {} ({}) | {} | {} | {} |\n",
            c["label"].as_str().unwrap_or(""),
            c["threshold"].as_str().unwrap_or(""),
            c["rural_threshold"].as_str().unwrap_or(""),
            pct(&c["share"]),
            pct(&c["target"]),
            match c["pass"].as_bool() {
                Some(true) => "yes",
                Some(false) => "no",
                None => "–",
            }
        );
    }
    m += "\n| category | threshold (rural) | measured for | share |\n|---|---|---|---|\n";
    for c in s["categories"].as_array().into_iter().flatten() {
        m += &format!(
            "| {} | {} ({}) | {} | {} |\n",
            c["label"].as_str().unwrap_or(""),
            c["threshold"].as_str().unwrap_or(""),
            c["rural_threshold"].as_str().unwrap_or(""),
            c["measured_for"].as_str().unwrap_or(""),
            pct(&c["share"])
        );
    }
    m += "\n";
    for r in s["count_rules"].as_array().into_iter().flatten() {
        if r["per"] == "village" {
            m += &format!(
                "- {}: {} of {} villages pass\n",
                r["label"].as_str().unwrap_or(""),
                r["villages_passing"],
                r["villages"]
            );
        } else {
            m += &format!(
                "- {}: {} of {} zones pass{}\n",
                r["label"].as_str().unwrap_or(""),
                r["zones_passing"],
                r["zones"],
                districts_passing(r)
            );
        }
    }
    for r in s["ratio_rules"].as_array().into_iter().flatten() {
        m += &format!(
            "- {}{}: city {} (target {}), {} of {} zones pass{}\n",
            r["label"].as_str().unwrap_or(""),
            match r["per_population"].as_str() {
                Some(g) if g != "all residents" => format!(" (per {g})"),
                _ => String::new(),
            },
            r["city_value"]
                .as_f64()
                .map(|v| format!("{v:.2}"))
                .unwrap_or_else(|| "–".into()),
            r["target"],
            r["zones_passing"],
            r["zones"],
            districts_passing(r)
        );
    }
    if let Some(acc) = s["access"].as_array() {
        m += "\nCapacity per person within reach (2SFCA; population-weighted city mean):\n\n\
              | category | method, decay | catchment | measured for | city mean | target | below target |\n\
              |---|---|---|---|---|---|---|\n";
        for a in acc {
            let g = |x: &Value| {
                x.as_f64()
                    .map(|v| format!("{v:.4}"))
                    .unwrap_or_else(|| "–".into())
            };
            m += &format!(
                "| {} | {}, {} | {} min | {} | {} | {} | {} |\n",
                a["label"].as_str().unwrap_or(""),
                a["method"].as_str().unwrap_or(""),
                a["decay"].as_str().unwrap_or(""),
                a["catchment_minutes"],
                a["measured_for"].as_str().unwrap_or(""),
                g(&a["city_mean"]),
                g(&a["target"]),
                pct(&a["city_below_target_share"]),
            );
        }
    }
    if let Some(st) = s["siting"].as_array() {
        for x in st {
            m += &format!(
                "\nNew sites for {} ({}, {} min; {}, {}): {:.0} people added to the {:.0} already covered \
                 ({:.0} not reachable from any candidate).\n\n| rank | site | zone | added | \n|---|---|---|---|\n",
                x["label"].as_str().unwrap_or(""),
                x["goal"].as_str().unwrap_or(""),
                x["threshold_minutes"].as_f64().map(|v| format!("{v:.0}")).unwrap_or_default(),
                x["method"].as_str().unwrap_or(""),
                if x["optimal"].as_bool() == Some(true) {
                    "proven optimal".to_string()
                } else {
                    format!("proven gap {:.2} %", x["proven_gap"].as_f64().unwrap_or(0.0) * 100.0)
                },
                x["added_population"].as_f64().unwrap_or(0.0),
                x["covered_before"].as_f64().unwrap_or(0.0),
                x["uncoverable_population"].as_f64().unwrap_or(0.0),
            );
            for c in x["chosen"].as_array().into_iter().flatten() {
                m += &format!(
                    "| {} | {} | {} | {:.0} |\n",
                    c["rank"],
                    c["candidate_id"].as_str().unwrap_or(""),
                    c["zone"].as_str().unwrap_or("–"),
                    c["added_population"].as_f64().unwrap_or(0.0)
                );
            }
        }
    }
    m += "\nLargest gaps (population outside the complete life circle):\n\n| rank | zone | uncovered | share |\n|---|---|---|---|\n";
    for z in s["largest_gaps"].as_array().into_iter().flatten() {
        m += &format!(
            "| {} | {} {} | {:.0} | {} |\n",
            z["rank"],
            z["code"].as_str().unwrap_or(""),
            z["name"].as_str().unwrap_or(""),
            z["uncovered"].as_f64().unwrap_or(0.0),
            pct(&z["complete_share"])
        );
    }
    let notes = s["notes"].as_array().cloned().unwrap_or_default();
    if !notes.is_empty() {
        m += "\nNotes:\n\n";
        for n in notes {
            m += &format!("- {}\n", n.as_str().unwrap_or(""));
        }
    }
    m
}
