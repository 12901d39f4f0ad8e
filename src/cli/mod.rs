//! Command-line interface: argument parsing and the commands.

mod analyze;
mod args;
mod coords;
mod load;
mod nearest;
mod network;
mod progress;

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
    /// Travel time and distance from every demand point to the nearest facility of every category.
    Nearest(Box<nearest::NearestArgs>),
    /// Build the street network and report its size and connected pieces; optionally export it.
    Network(network::NetworkArgs),
    /// Convert the coordinates of a CSV/XLSX table between WGS84, CGCS2000, GCJ-02, BD-09 and EPSG systems.
    Coords(coords::CoordsArgs),
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(a) => analyze::run(a),
        Command::Demo(a) => analyze::demo(a),
        Command::Nearest(a) => nearest::run(*a),
        Command::Network(a) => network::run(a),
        Command::Coords(a) => coords::run(a),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}
