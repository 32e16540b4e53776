//! `fanzha bench …`: performance measurements of the platform's parts, one subcommand each.

use crate::error::CliResult;
use crate::Ctx;

#[derive(clap::Subcommand)]
pub enum BenchCommand {
    /// Synthetic city: events per second on one core, and peak memory over a 100M-event run.
    Simulate(super::simulate::BenchArgs),
    /// Fund tracing: 6-hop trace latency on a 50M-transfer graph, memory per transfer, networkx ratio.
    Trace(super::trace::BenchArgs),
    /// Detection engine: events/s per core, p50/p99 event→warning latency, state per number, DuckDB ratio.
    Detect(super::detect::BenchArgs),
    /// Fraud-type classifier: texts per second on one core.
    Text(super::text::BenchArgs),
    /// Closed loop: sign + feedback over HTTP at rising concurrency, req/s and p99 per backend.
    Workflow(super::bench_workflow::Args),
}

pub fn run(ctx: &Ctx, c: BenchCommand) -> CliResult {
    match c {
        BenchCommand::Simulate(a) => super::simulate::bench(ctx, a),
        BenchCommand::Trace(a) => super::trace::bench(ctx, a),
        BenchCommand::Detect(a) => super::detect::bench(ctx, a),
        BenchCommand::Text(a) => super::text::bench(ctx, a),
        BenchCommand::Workflow(a) => super::bench_workflow::bench(ctx, a),
    }
}
