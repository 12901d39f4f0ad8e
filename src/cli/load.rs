//! Loading and building the network, with its report on stderr.

use super::args::NetworkOpts;
use super::progress::Progress;
use lifecircle::input::{read_network_ways, TextEncoding};
use lifecircle::network::{build_network, Network};
use lifecircle::Result;

/// Reads the network file and builds the graph, logging its size and connected pieces.
pub fn network(opts: &NetworkOpts, encoding: TextEncoding, progress: &Progress) -> Result<Network> {
    let profile = opts.profile()?;
    let (raw, report) = progress.step("read network", || {
        read_network_ways(&opts.network, &profile, &opts.line_options(encoding))
    })?;
    if report.network_ways_cut > 0 {
        progress.info(&format!(
            "{} ways reference {} nodes missing from the extract and were cut there",
            report.network_ways_cut, report.missing_node_refs
        ));
    }
    let net = progress
        .step("build graph", || build_network(&raw, opts.keep_components))
        .map_err(|e| e.file(&opts.network))?;
    let c = &net.components;
    let pieces: Vec<String> = c.sizes.iter().take(5).map(|s| s.to_string()).collect();
    progress.info(&format!(
        "network ({}): {} nodes, {} edges, {:.1} km; {} connected pieces (largest sizes: {}{}){}",
        opts.mode,
        net.node_count(),
        net.edge_count(),
        net.total_length_m() / 1000.0,
        c.count(),
        pieces.join(", "),
        if c.count() > 5 { ", ..." } else { "" },
        if c.kept_largest_only && c.count() > 1 {
            format!(
                "; kept the largest, dropped {} nodes in {} smaller pieces (use --keep-components all to keep them)",
                c.nodes_outside_largest(),
                c.count() - 1
            )
        } else {
            String::new()
        }
    ));
    Ok(net)
}
