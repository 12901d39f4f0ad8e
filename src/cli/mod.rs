//! Command-line interface: argument parsing and the commands.

mod access;
mod analyze;
mod args;
mod coords;
mod load;
mod nearest;
mod network;
mod progress;
mod report;
mod site_select;
mod synth;

use clap::{Parser, Subcommand};

/// Life-circle (生活圈) accessibility along real streets.
#[derive(Parser, Debug)]
#[command(name = "lifecircle", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a study: life-circle coverage and gaps by 街道/镇 against the planning standards.
    Analyze(analyze::AnalyzeArgs),
    /// Run the bundled demo study (Liechtenstein, OpenStreetMap) into out/demo.
    Demo(analyze::DemoArgs),
    /// Rebuild the maps (SVG, PNG) and the HTML report from an existing output folder.
    Report(report::ReportArgs),
    /// Travel time and distance from every demand point to the nearest facility of every category.
    Nearest(Box<nearest::NearestArgs>),
    /// Capacity-aware accessibility (2SFCA/E2SFCA): capacity per person within reach of every
    /// demand point, and every facility's supply-to-demand ratio.
    Access(Box<access::AccessArgs>),
    /// Build the street network and report its size and connected pieces; optionally export it.
    Network(network::NetworkArgs),
    /// Choose new facility sites that cover the most uncovered people (or the fewest that reach a target).
    SiteSelect(Box<site_select::SiteSelectArgs>),
    /// Convert the coordinates of a CSV/XLSX table between WGS84, CGCS2000, GCJ-02, BD-09 and EPSG systems.
    Coords(coords::CoordsArgs),
    /// Write a synthetic Guangzhou-like city (network, facilities, residents, 街道/镇, study.toml) of N street nodes.
    Synth(synth::SynthArgs),
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(a) => analyze::run(a),
        Command::Demo(a) => analyze::demo(a),
        Command::Report(a) => report::run(a),
        Command::Nearest(a) => nearest::run(*a),
        Command::Access(a) => access::run(*a),
        Command::Network(a) => network::run(a),
        Command::Coords(a) => coords::run(a),
        Command::Synth(a) => synth::run(a),
        Command::SiteSelect(a) => site_select::run(*a),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}
