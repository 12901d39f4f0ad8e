//! Baseline against plan: every zone figure side by side, with the difference.

use super::compute::StudyResult;
use super::config::Study;
use super::layers::zones_layer;
use crate::error::{Error, ErrorKind, Result};
use crate::output::{write_atomic, write_csv_with, CsvOptions, HeaderLanguage, Kind, Layer, Value};
use std::path::PathBuf;

/// The comparison table: per zone, for every numeric column of the zones layer, the baseline
/// value, the plan's value and plan − baseline (empty when either is unknown).
pub fn scenario_layer(base: &StudyResult, plan: &StudyResult) -> Result<Layer> {
    let (b, p) = (zones_layer(base), zones_layer(plan));
    if b.rows.len() != p.rows.len() {
        return Err(Error::new(
            ErrorKind::Mismatch,
            "the plan has other zones than the baseline",
        ));
    }
    let numeric: Vec<(usize, &str, &str)> = b
        .columns
        .iter()
        .enumerate()
        .filter(|(_, (_, k))| *k != Kind::Text)
        .map(|(i, (n, _))| (i, n.as_str(), b.column_label(n).unwrap_or(n)))
        .collect();
    let mut cols: Vec<(String, Kind, String)> = vec![
        ("zone_code".into(), Kind::Text, "街镇代码".into()),
        ("zone_name".into(), Kind::Text, "街镇名称".into()),
    ];
    for &(_, n, l) in &numeric {
        cols.push((format!("{n}_base"), Kind::Real, format!("{l}_现状")));
        cols.push((format!("{n}_plan"), Kind::Real, format!("{l}_规划")));
        cols.push((format!("{n}_delta"), Kind::Real, format!("{l}_变化")));
    }
    let spec: Vec<(&str, Kind)> = cols.iter().map(|(n, k, _)| (n.as_str(), *k)).collect();
    let mut out = Layer::new("scenario_zones", &spec);
    for (n, _, l) in &cols {
        out.label(n, l);
    }
    out.set_layer_label("方案对比");
    let num = |v: &Value| match v {
        Value::Real(x) => Some(*x),
        Value::Int(i) => Some(*i as f64),
        _ => None,
    };
    for (z, (rb, rp)) in b.rows.iter().zip(&p.rows).enumerate() {
        let mut vals = vec![
            Value::Text(base.zones[z].code.clone()),
            Value::Text(base.zones[z].name.clone()),
        ];
        for &(i, _, _) in &numeric {
            let (x, y) = (num(&rb[i]), num(&rp[i]));
            vals.push(x.map(Value::Real).unwrap_or(Value::Null));
            vals.push(y.map(Value::Real).unwrap_or(Value::Null));
            vals.push(match (x, y) {
                (Some(x), Some(y)) => Value::Real(y - x),
                _ => Value::Null,
            });
        }
        out.push(vals, None);
    }
    Ok(out)
}

/// Writes `scenario_zones.csv` and `scenario.json` (city figures of both) into the output folder.
pub fn write_scenario(
    study: &Study,
    base: &StudyResult,
    plan: &StudyResult,
) -> Result<Vec<PathBuf>> {
    let dir = study.resolve(&study.output.folder);
    let layer = scenario_layer(base, plan)?;
    let headers = if study.output.headers == "en" {
        HeaderLanguage::English
    } else {
        HeaderLanguage::Chinese
    };
    let opts = CsvOptions {
        encoding: study
            .output
            .csv_encoding
            .parse()
            .map_err(|e: Error| e.field("output.csv_encoding"))?,
        headers,
        with_coordinates: false,
        crs: Default::default(),
    };
    let csv = dir.join("scenario_zones.csv");
    write_csv_with(&csv, &layer, &opts)?;
    let h = base.profile.headline;
    let share = |r: &StudyResult| {
        (r.city.population > 0.0).then(|| r.city.circle_covered[h] / r.city.population)
    };
    let json = serde_json::json!({
        "plan": study.scenario.as_ref().map(|s| s.name.clone()),
        "population": {"base": base.city.population, "plan": plan.city.population},
        "facilities": {"base": base.facilities.len(), "plan": plan.facilities.len()},
        "complete_life_circle_share": {"base": share(base), "plan": share(plan)},
        "circles": base.profile.circles.iter().enumerate().map(|(i, c)| serde_json::json!({
            "circle": c.id, "label": c.label,
            "covered_base": base.city.circle_covered[i], "covered_plan": plan.city.circle_covered[i],
        })).collect::<Vec<_>>(),
    });
    let p = dir.join("scenario.json");
    let text = serde_json::to_string_pretty(&json).expect("serialisable");
    write_atomic(&p, |tmp| {
        std::fs::write(tmp, &text).map_err(|e| Error::io(tmp, e))
    })?;
    Ok(vec![csv, p])
}
