//! `lifecircle report`: rebuild the maps and the HTML report from an existing output folder.

use clap::Args;
use lifecircle::report::read::read_output_folder;
use lifecircle::report::{write_report, ReportOptions, DEFAULT_SIMPLIFY_M};
use lifecircle::{Error, Result};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args, Debug)]
#[command(after_help = "\
Reads summary.json and the zones, facilities, gaps and service_areas layers (lifecircle.gpkg in \
any output coordinate system, else the GeoJSON files) and writes map_*.svg, map_*.png and \
report.html. The report opens from disk with no network.")]
pub struct ReportArgs {
    /// The output folder of `lifecircle analyze` (or `demo`).
    #[arg(long, value_name = "DIR")]
    pub from: PathBuf,
    /// Write into this folder instead of the one read from.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Display simplification tolerance in metres, 0 (none) to 1,000.
    #[arg(long, value_name = "M", default_value_t = DEFAULT_SIMPLIFY_M)]
    pub simplify_m: f64,
    /// No static maps (SVG, PNG).
    #[arg(long)]
    pub no_maps: bool,
    /// No HTML report.
    #[arg(long)]
    pub no_html: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(a: ReportArgs) -> Result<()> {
    lifecircle::bounds::SIMPLIFY_M.check(a.simplify_m, "--simplify-m")?;
    let t0 = Instant::now();
    let data = read_output_folder(&a.from)?;
    let out = a.out.unwrap_or_else(|| a.from.clone());
    std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
    let opts = ReportOptions {
        maps: !a.no_maps,
        html: !a.no_html,
        simplify_m: a.simplify_m,
    };
    let files = write_report(&out, &data, &opts)?;
    if !a.quiet {
        for f in &files {
            eprintln!("wrote {}", f.display());
        }
        eprintln!("done in {:.3} s", t0.elapsed().as_secs_f64());
    }
    Ok(())
}
