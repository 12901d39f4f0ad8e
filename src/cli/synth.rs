//! `lifecircle synth`: write a synthetic Guangzhou-like city, or time the pipeline on one.

use clap::Args;
use lifecircle::bounds;
use lifecircle::synth::phases::{time_phases, PhaseOptions};
use lifecircle::synth::{generate, SynthOptions};
use lifecircle::{Error, Result};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct SynthArgs {
    /// Street nodes wanted (junctions and dead ends), 1,000 to 8,000,000; the city has this
    /// many within a few percent.
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    pub nodes: usize,
    /// Seed: the same seed and node count always give byte-identical files.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Output folder (created when missing).
    #[arg(long, value_name = "DIR", required_unless_present = "time_phases")]
    pub out: Option<PathBuf>,
    /// Do not write network.osm.pbf.
    #[arg(long)]
    pub no_pbf: bool,
    /// Give network.gpkg an R-tree spatial index, for GIS software (about five times slower to write).
    #[arg(long)]
    pub spatial_index: bool,
    /// Instead of generating: time the phases (load, build, snap, one multi-source search,
    /// all categories) on the city in DIR and print them as JSON.
    #[arg(long, value_name = "DIR", conflicts_with = "out")]
    pub time_phases: Option<PathBuf>,
    /// With --time-phases: timed repetitions of the one multi-source search, 1 to 1,000.
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// With --time-phases: sources of the one multi-source search, 1 to 10,000,000 (default:
    /// one per clinic).
    #[arg(long)]
    pub sources: Option<usize>,
    /// No information on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(a: SynthArgs) -> Result<()> {
    let (lo, hi) = lifecircle::synth::NODE_RANGE;
    bounds::Range::from_to(lo as f64, hi as f64, "").check_count(a.nodes, "--nodes")?;
    bounds::RUNS.check_count(a.runs, "--runs")?;
    if let Some(s) = a.sources {
        bounds::SOURCES.check_count(s, "--sources")?;
    }
    if let Some(dir) = &a.time_phases {
        let v = time_phases(
            dir,
            &PhaseOptions {
                runs: a.runs,
                sources: a.sources,
            },
        )?;
        println!("{}", serde_json::to_string_pretty(&v).expect("JSON"));
        return Ok(());
    }
    let out = a.out.clone().expect("required by clap");
    let r = generate(
        &SynthOptions {
            nodes: a.nodes,
            seed: a.seed,
            pbf: !a.no_pbf,
            spatial_index: a.spatial_index,
        },
        &out,
    )
    .map_err(|e: Error| e.file(&out))?;
    if !a.quiet {
        eprintln!(
            "synthetic city: {} nodes ({} wanted), {} segments, {} connected pieces ({} nodes outside the largest), \
             {} zones, {} buildings with {} residents, {} facilities",
            r.nodes,
            a.nodes,
            r.segments,
            r.pieces.len(),
            r.pieces.iter().skip(1).sum::<usize>(),
            r.zones,
            r.homes,
            r.population,
            r.facilities
        );
        eprintln!(
            "generated in {:.3} s, written in {:.3} s",
            r.generate_s, r.write_s
        );
        for f in &r.files {
            eprintln!("wrote {}", f.display());
        }
    }
    Ok(())
}
