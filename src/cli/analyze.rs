//! `lifecircle analyze` and `lifecircle demo`: run a study and write its outputs.

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use lifecircle::study::write::write_outputs;
use lifecircle::study::{compute, Observer, Study};
use lifecircle::{Error, ErrorKind, Result};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const STUDY_KEYS: &str = "\
Study file keys (data/liechtenstein/study.toml is a commented example; paths are relative to the study file):
  name                 title of the study
  profile              \"guangzhou\" (built in) or a profile file; base = \"guangzhou\" in it overrides parts
  [output]     folder; formats = [gpkg, geojson, csv, xlsx]; crs = wgs84 | cgcs2000 | EPSG:4547 | gcj02;
               headers = zh | en; csv_encoding = utf-8 | gbk
  [network]    file (.osm.pbf or line layer); layer; crs; encoding; oneway_field; speed_field (km/h);
               exclude_field; keep_components = largest | all; max_snap_m (500);
               walk_speed (1.0 m/s); elderly_walk_speed (0.8 m/s)
  [facilities] osm (.osm.pbf); category_map (TOML);
               [[facilities.files]] path, crs (wgs84 cgcs2000 gcj02 bd09 EPSG:n), layer, category, encoding
  [demand]     exactly one of: osm_buildings (+ total_population) | points | polygons (census polygons;
               + buildings, levels_field, buildings_crs, buildings_layer, buildings_encoding,
               sample_spacing_m (100)) | raster (+ band); population_field; groups = { age_60plus = \"field\" };
               crs; layer; encoding
  [zones]      file (+ layer, crs, encoding, name_field, code_field, district_field, rural_field)
               or osm (+ admin_level = 8, district_level); districts (+ district_name_field);
               villages (+ village_name_field, village_code_field)
  [analysis]   max_minutes (search cut-off); gap_cell_m (250, hexagon size of the gap areas)
  [access]     2SFCA/E2SFCA: categories, decay, weights, minutes, targets
  [report]     service_areas; facility_service_areas (false); service_area_lines (false); service_area_minutes;
               service_area_buffer_m (50); maps; html; simplify_m (display only)
  [scenario]   name; add_facilities = [{ path, crs, category, ... }]; remove_facilities = [ids];
               population_scale; zone_population_scale = { zone_code = factor }; add_sites
  [[siting]]   category; k | target_share; minutes; candidates (file | gap-nodes[:m] | hexagons[:m]);
               candidates_crs; method = auto | greedy | exact; time_limit; one_per_zone;
               max_per_district; exclude_zones; mask; site_capacity | people_per_unit
Numbers are bounded (an error names the key and the range): speeds 0.1–50 m/s; minutes above 0, at
most 600; max_snap_m at most 10,000 m; service_area_buffer_m 0.5–1,000 m; simplify_m 0–1,000 m;
gap_cell_m and candidate hexagons or spacings 10–100,000 m; sample_spacing_m 1–10,000 m; k and
max_per_district 1–100,000; target_share at most 1; site_capacity at most 1e9 people;
people_per_unit at most 1e6; time_limit at most 86,400 s; population factors at most 100; decay
weights 0–1; admin levels 1–15. The full table: README.md.";

#[derive(Args, Debug)]
#[command(after_help = STUDY_KEYS)]
pub struct AnalyzeArgs {
    /// The study file (TOML).
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Write into this folder instead of the study's output.folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No progress or information on stderr (warnings and errors still appear).
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs the bundled Liechtenstein study.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "out/demo")]
    pub out: PathBuf,
    /// No progress or information on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

struct Terminal {
    quiet: bool,
    current: Mutex<Option<(ProgressBar, String, Instant)>>,
}

impl Observer for Terminal {
    fn begin(&self, step: &str) {
        if self.quiet {
            return;
        }
        let b = ProgressBar::new_spinner();
        b.set_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("template"));
        b.set_message(step.to_string());
        b.enable_steady_tick(Duration::from_millis(120));
        *self.current.lock().expect("lock") = Some((b, step.to_string(), Instant::now()));
    }
    fn progress(&self, done: u64, total: u64) {
        if let Some((b, step, _)) = self.current.lock().expect("lock").as_ref() {
            if b.length() != Some(total) {
                b.set_style(
                    ProgressStyle::with_template(
                        "{msg} [{bar:30}] {pos}/{len} {elapsed} (eta {eta})",
                    )
                    .expect("template"),
                );
                b.set_length(total);
                b.set_message(step.clone());
            }
            b.set_position(done);
        }
    }
    fn end(&self) {
        if let Some((b, step, t0)) = self.current.lock().expect("lock").take() {
            b.finish_and_clear();
            eprintln!("{step}: {:.3} s", t0.elapsed().as_secs_f64());
        }
    }
    fn note(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{msg}");
        }
    }
    fn warn(&self, msg: &str) {
        eprintln!("warning: {msg}");
    }
}

pub fn run(a: AnalyzeArgs) -> Result<()> {
    let mut study = Study::read(&a.config)?;
    if let Some(out) = &a.out {
        let abs = std::env::current_dir()
            .map_err(|e| Error::io(".", e))?
            .join(out);
        study.output.folder = abs.display().to_string();
    }
    let t0 = Instant::now();
    let obs = Terminal {
        quiet: a.quiet,
        current: Mutex::new(None),
    };
    let result = Arc::new(compute(&study, &obs).map_err(|e| e.file(&a.config))?);
    // A plan is computed before anything is written, so a bad plan leaves no output.
    let plan = match &study.scenario {
        Some(_) => Some(Arc::new(
            lifecircle::study::compute::compute_plan_from(&study, &obs, &result)
                .map_err(|e| e.file(&a.config))?,
        )),
        None => None,
    };
    obs.begin("write outputs");
    let mut files = write_outputs(&study, &result)?;
    if let Some(plan) = &plan {
        // The plan's outputs go to <folder>/plan, with a per-zone comparison in <folder>.
        let mut plan_study = study.clone();
        plan_study.scenario = None;
        plan_study.output.folder = study
            .resolve(&study.output.folder)
            .join("plan")
            .display()
            .to_string();
        files.extend(write_outputs(&plan_study, plan)?);
        files.extend(lifecircle::study::scenario::write_scenario(
            &study, &result, plan,
        )?);
    }
    obs.end();
    if !a.quiet {
        let summary =
            std::fs::read_to_string(study.resolve(&study.output.folder).join("summary.md"))
                .unwrap_or_default();
        eprintln!("\n{summary}");
        for f in &files {
            eprintln!("wrote {}", f.display());
        }
        eprintln!("done in {:.3} s", t0.elapsed().as_secs_f64());
    }
    Ok(())
}

pub fn demo(a: DemoArgs) -> Result<()> {
    let rel = PathBuf::from("data/liechtenstein/study.toml");
    let config = if rel.exists() {
        rel
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
    };
    if !config.exists() {
        return Err(Error::new(ErrorKind::Io, "the bundled demo study is missing").file(&config));
    }
    run(AnalyzeArgs {
        config,
        out: Some(a.out),
        quiet: a.quiet,
    })
}
