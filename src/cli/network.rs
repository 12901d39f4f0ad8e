//! `lifecircle network`: build the graph, report it, optionally export nodes and edges.

use super::args::{check_outputs, parse_encoding, NetworkOpts};
use super::load;
use super::progress::Progress;
use clap::Args;
use lifecircle::input::TextEncoding;
use lifecircle::network::Network;
use lifecircle::output::{write_layer, Kind, Layer, Value};
use lifecircle::Result;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct NetworkArgs {
    #[command(flatten)]
    pub network: NetworkOpts,
    /// Write the nodes (node, osm_id, lon, lat, component) as CSV, GeoJSON or GeoPackage.
    #[arg(long, value_name = "FILE")]
    pub nodes_out: Option<PathBuf>,
    /// Write the edges (edge, from, to, length_m, forward, backward, forward_s, backward_s, source_id) as CSV.
    #[arg(long, value_name = "FILE")]
    pub edges_out: Option<PathBuf>,
    /// Text encoding of a Shapefile network without .cpg.
    #[arg(long, default_value = "auto", value_parser = parse_encoding)]
    pub encoding: TextEncoding,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// No progress or information on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(a: NetworkArgs) -> Result<()> {
    check_outputs([a.nodes_out.as_ref(), a.edges_out.as_ref()])?;
    let progress = Progress::new(a.quiet);
    let net = load::network(&a.network, a.encoding, &progress)?;
    if a.json {
        let summary = serde_json::json!({
            "mode": a.network.mode.to_string(),
            "nodes": net.node_count(),
            "edges": net.edge_count(),
            "length_m": net.total_length_m(),
            "components": net.components.sizes,
            "kept_largest_only": net.components.kept_largest_only,
        });
        println!("{summary}");
    }
    if let Some(p) = &a.nodes_out {
        write_layer(p, &nodes(&net))?;
    }
    if let Some(p) = &a.edges_out {
        write_layer(p, &edges(&net))?;
    }
    progress.done();
    Ok(())
}

fn nodes(net: &Network) -> Layer {
    let mut l = Layer::new(
        "nodes",
        &[
            ("node", Kind::Int),
            ("osm_id", Kind::Int),
            ("lon", Kind::Real),
            ("lat", Kind::Real),
        ],
    );
    for v in 0..net.node_count() {
        let p = net.nodes[v];
        l.push(
            vec![
                Value::Int(v as i64),
                Value::Int(net.node_source_ids[v]),
                Value::Real(p[0]),
                Value::Real(p[1]),
            ],
            Some(p),
        );
    }
    l
}

fn edges(net: &Network) -> Layer {
    let e = &net.edges;
    let mut l = Layer::new(
        "edges",
        &[
            ("edge", Kind::Int),
            ("from", Kind::Int),
            ("to", Kind::Int),
            ("length_m", Kind::Real),
            ("forward", Kind::Int),
            ("backward", Kind::Int),
            ("forward_s", Kind::Real),
            ("backward_s", Kind::Real),
            ("source_id", Kind::Int),
        ],
    );
    let t = |x: f64| {
        if x.is_finite() {
            Value::Real(x)
        } else {
            Value::Null
        }
    };
    for i in 0..e.len() {
        l.push(
            vec![
                Value::Int(i as i64),
                Value::Int(i64::from(e.from[i])),
                Value::Int(i64::from(e.to[i])),
                Value::Real(e.length_m[i]),
                Value::Int(i64::from(e.forward_s[i].is_finite())),
                Value::Int(i64::from(e.backward_s[i].is_finite())),
                t(e.forward_s[i]),
                t(e.backward_s[i]),
                Value::Int(e.source_ids[i]),
            ],
            None,
        );
    }
    l
}
