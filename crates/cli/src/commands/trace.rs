//! `fanzha trace`: follow a victim's money through bank transfer extracts, name the accounts
//! still holding it and plan the stop-payment requests; `fanzha trace eval`: recall and
//! false-hop rate on labelled laundering graphs; `fanzha bench trace`: trace latency on a
//! 50M-transfer graph and the networkx comparison.

use crate::error::{CliError, CliResult, WithCode};
use crate::report::Report;
use crate::Ctx;
use chrono::{DateTime, Utc};
use fanzha_core::error_code::ErrorCode;
use fanzha_trace::eval::{self, Method};
use fanzha_trace::io::columns::Columns;
use fanzha_trace::io::extract::{read_extract, Rejected};
use fanzha_trace::result::{holdings, summary};
use fanzha_trace::stop_payment::{self, Institution, Target};
use fanzha_trace::tree::{build_tree, shanghai};
use fanzha_trace::{Policy, TraceParams, Tracer, TransferBook};
use rustc_hash::FxHashSet;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<TraceCommand>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(clap::Subcommand)]
enum TraceCommand {
    /// Recall and false-hop rate against labelled AMLSim laundering graphs.
    Eval(EvalArgs),
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum PolicyArg {
    Fifo,
    Proportional,
}

impl From<PolicyArg> for Policy {
    fn from(p: PolicyArg) -> Policy {
        match p {
            PolicyArg::Fifo => Policy::Fifo,
            PolicyArg::Proportional => Policy::Proportional,
        }
    }
}

#[derive(clap::Args)]
struct RunArgs {
    /// Transfer extracts (CSV, CSV.GZ, XLSX, XLS), one per bank; each file after the first
    /// extends the trace incrementally.
    #[arg(long, num_args = 1..)]
    transfers: Vec<PathBuf>,
    /// The victim's account number.
    #[arg(long)]
    from: Option<String>,
    /// Start of the fraud (RFC 3339, or 'YYYY-MM-DD HH:MM:SS' in Asia/Shanghai).
    #[arg(long)]
    since: Option<String>,
    /// Reported loss in fen (default: every transfer out of the victim's account from --since).
    #[arg(long)]
    amount: Option<i64>,
    /// Hops followed from the victim.
    #[arg(long, default_value_t = 6)]
    hops: u32,
    #[arg(long, value_enum, default_value = "fifo")]
    policy: PolicyArg,
    /// When the case was reported (stop-payment deadlines are 30 minutes later; default now).
    #[arg(long)]
    reported_at: Option<String>,
    /// Write the full result (tree, holders, stop-payment plan) as JSON here.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(clap::Args)]
struct EvalArgs {
    /// Folder of AMLSim graphs (default: <data root>/transfers/amlsim_20k).
    #[arg(long)]
    data: Option<PathBuf>,
    #[arg(long, default_value_t = 6)]
    hops: u32,
    /// Write per-pattern scores as JSON here.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, args: Args) -> CliResult {
    match args.command {
        Some(TraceCommand::Eval(a)) => run_eval(ctx, a),
        None => run_trace(ctx, args.run),
    }
}

fn usage(message: &str) -> CliError {
    CliError::new(ErrorCode::TraceParamsInvalid, message)
}

fn run_trace(ctx: &Ctx, a: RunArgs) -> CliResult {
    if a.transfers.is_empty() {
        return Err(usage("give at least one extract with --transfers FILE"));
    }
    let from = a
        .from
        .as_deref()
        .ok_or_else(|| usage("give the victim's account with --from"))?;
    let since_raw = a
        .since
        .as_deref()
        .ok_or_else(|| usage("give the start time with --since"))?;
    let since = fanzha_trace::io::parse::time_ms(since_raw).code(ErrorCode::InvalidTime)?;
    let reported_at: DateTime<Utc> = match &a.reported_at {
        Some(r) => fanzha_trace::io::parse::time_ms(r)
            .code(ErrorCode::InvalidTime)
            .map(|ms| DateTime::from_timestamp_millis(ms).unwrap_or_default())?,
        None => Utc::now(),
    };
    let columns = Columns::builtin()?;
    let mut book = TransferBook::new();
    let mut rejected: Vec<Rejected> = Vec::new();
    let mut tracer: Option<Tracer> = None;
    let mut rows = 0usize;
    let started = Instant::now();
    for path in &a.transfers {
        let ex = read_extract(path, &columns)?;
        rows += ex.transfers.len() + ex.rejected.len();
        rejected.extend(ex.rejected);
        let added = book.add(ex.transfers);
        let graph = book.graph()?;
        match tracer.as_mut() {
            Some(t) => t.extend(&graph, &added),
            None => {
                // The victim's transfers may come only with a later extract.
                let Some(victim) = book
                    .index_of(from)
                    .filter(|&v| !graph.out_edges(v).is_empty())
                else {
                    continue;
                };
                let params = TraceParams {
                    victim,
                    since,
                    claim_fen: a.amount,
                    hop_limit: a.hops,
                    policy: a.policy.into(),
                };
                let mut t = Tracer::new(&graph, params, true)?;
                t.run(&graph);
                tracer = Some(t);
            }
        }
    }
    let tracer = tracer.ok_or(fanzha_trace::TraceError::AccountUnknown)?;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let s = summary(&tracer);
    let hs = holdings(&tracer);
    let targets: Vec<Target> = hs
        .iter()
        .filter(|h| !h.is_victim)
        .map(|h| Target {
            account: book.account(h.account).to_string(),
            held_fen: h.held_fen,
            via_third_party: h.via_third_party,
        })
        .collect();
    let plan = stop_payment::plan(reported_at, &targets);
    if let Some(out) = &a.out {
        let holders: Vec<_> = hs
            .iter()
            .map(|h| {
                let account = book.account(h.account);
                json!({
                    "account": account,
                    "institution": Institution::of_account(account, h.via_third_party),
                    "held_fen": h.held_fen,
                    "min_hop": h.min_hop,
                    "first_arrival": shanghai(h.first_arrival_ms),
                    "via_third_party": h.via_third_party,
                    "is_victim": h.is_victim,
                })
            })
            .collect();
        let tree = build_tree(&tracer, &|ix| book.account(ix).to_string(), &|order| {
            book.txn_id(order)
                .map(str::to_string)
                .unwrap_or_else(|| format!("{order:016x}"))
        });
        let doc = json!({
            "victim": from,
            "since": shanghai(since),
            "claim_fen": a.amount,
            "hop_limit": a.hops,
            "policy": Policy::from(a.policy),
            "reported_at": reported_at.to_rfc3339(),
            "summary": s,
            "holders": holders,
            "stop_payment": plan,
            "tree": tree,
            "rejected": rejected,
        });
        let text = serde_json::to_string_pretty(&doc).code(ErrorCode::Internal)?;
        std::fs::write(out, text).code(ErrorCode::Io)?;
    }
    let top: Vec<String> = hs
        .iter()
        .take(5)
        .map(|h| {
            let account = book.account(h.account);
            format!(
                "{} {} {}",
                mask_account(account),
                Institution::of_account(account, h.via_third_party).label(),
                yuan(h.held_fen)
            )
        })
        .collect();
    let mut r = Report::new("资金追踪 fund trace");
    r.field("extracts", a.transfers.len())
        .field("rows_read", rows)
        .field("rows_rejected", rejected.len())
        .field("transfers", book.n_transfers())
        .field("accounts", book.n_accounts())
        .field("victim", mask_account(from))
        .field("policy", Policy::from(a.policy))
        .field("hop_limit", a.hops)
        .field("traced_yuan", yuan(s.traced_fen))
        .field("held_yuan", yuan(s.held_fen))
        .field("cashed_out_yuan", yuan(s.cashed_out_fen))
        .field("beyond_hop_limit_yuan", yuan(s.beyond_hop_limit_fen))
        .field("holders", s.holders)
        .field("accounts_reached", s.accounts_reached)
        .field("transfers_followed", s.transfers_followed)
        .field("max_hop", s.max_hop)
        .field("top_holders", top.join("; "))
        .field(
            "stop_payment_requests",
            plan.iter().map(|b| b.requests.len()).sum::<usize>(),
        )
        .field("institutions", plan.len())
        .field("elapsed_ms", elapsed_ms);
    if let Some(out) = &a.out {
        r.field("out", out.display().to_string());
    }
    r.print(ctx.json);
    Ok(())
}

/// `6222021234567890123` → `6222****0123`.
fn mask_account(a: &str) -> String {
    let chars: Vec<char> = a.chars().collect();
    if chars.len() <= 8 {
        return format!("{}****", chars.iter().take(2).collect::<String>());
    }
    format!(
        "{}****{}",
        chars[..4].iter().collect::<String>(),
        chars[chars.len() - 4..].iter().collect::<String>()
    )
}

fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, (fen % 100).abs())
}

fn run_eval(ctx: &Ctx, a: EvalArgs) -> CliResult {
    let root = a
        .data
        .unwrap_or_else(|| ctx.config.data_root.join("transfers/amlsim_20k"));
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&root)
        .map_err(|e| {
            CliError::new(
                ErrorCode::ReferenceDataMissing,
                format!("{}: {e}", root.display()),
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("transactions.csv.gz").is_file())
        .collect();
    if root.join("transactions.csv.gz").is_file() {
        folders.push(root.clone());
    }
    folders.sort();
    if folders.is_empty() {
        return Err(CliError::new(
            ErrorCode::ReferenceDataMissing,
            format!("no transactions.csv.gz under {}", root.display()),
        ));
    }
    let mut r = Report::new("资金追踪评估 trace evaluation (AMLSim)");
    r.field("hop_limit", a.hops);
    let mut detail = serde_json::Map::new();
    for folder in folders {
        let name = folder
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let data = fanzha_trace::io::amlsim::read_folder(&folder)?;
        let graph = data.book.graph()?;
        let starts = eval::starts(&graph, &data.labels);
        let mut sizes = std::collections::BTreeMap::<u32, usize>::new();
        for p in data.labels.values() {
            *sizes.entry(*p).or_default() += 1;
        }
        let mut folder_fig = serde_json::Map::new();
        folder_fig.insert("transfers".into(), json!(graph.n_transfers()));
        folder_fig.insert("laundering".into(), json!(data.labels.len()));
        folder_fig.insert("patterns".into(), json!(starts.len()));
        folder_fig.insert(
            "traces".into(),
            json!(starts.values().map(Vec::len).sum::<usize>()),
        );
        let mut per_method = serde_json::Map::new();
        for method in [
            Method::Reach,
            Method::Money(Policy::Fifo),
            Method::Money(Policy::Proportional),
        ] {
            let mut scores = Vec::new();
            let mut times = Vec::new();
            for (&p, list) in &starts {
                let mut followed: FxHashSet<u64> = FxHashSet::default();
                for &s in list {
                    let t0 = Instant::now();
                    followed.extend(eval::followed(&graph, s, a.hops, method));
                    times.push(t0.elapsed().as_secs_f64() * 1000.0);
                }
                let seeded = eval::seeded(&graph, list, &data.labels, p);
                scores.push(eval::score(
                    p,
                    list.len(),
                    &followed,
                    &data.labels,
                    sizes[&p],
                    &seeded,
                ));
            }
            let agg = eval::aggregate(&scores);
            folder_fig.insert(
                method.name().into(),
                json!({
                    "recall_mean": agg.recall_mean,
                    "recall_median": agg.recall_median,
                    "false_hop_mean": agg.false_hop_mean,
                    "false_hop_median": agg.false_hop_median,
                    "downstream_patterns": agg.downstream_patterns,
                    "downstream_recall_mean": agg.downstream_recall_mean,
                    "downstream_recall_median": agg.downstream_recall_median,
                    "empty_traces": agg.empty_traces,
                    "ms_per_trace_mean": eval::mean(&times),
                    "ms_per_trace_p99": eval::percentile(&times, 99.0),
                }),
            );
            per_method.insert(method.name().into(), json!(scores));
        }
        detail.insert(name.clone(), serde_json::Value::Object(per_method));
        r.field(name, serde_json::Value::Object(folder_fig));
    }
    if let Some(out) = &a.out {
        let text = serde_json::to_string_pretty(&detail).code(ErrorCode::Internal)?;
        std::fs::write(out, text).code(ErrorCode::Io)?;
        r.field("out", out.display().to_string());
    }
    r.print(ctx.json);
    Ok(())
}

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Transfers in the generated graph.
    #[arg(long, default_value_t = 50_000_000)]
    transfers: usize,
    /// Traces timed on it (one per generated fraud case, at most).
    #[arg(long, default_value_t = 1_000)]
    traces: usize,
    /// Transfers in the sample graph both fanzha and networkx search.
    #[arg(long, default_value_t = 1_000_000)]
    sample: usize,
    /// Searches on the sample graph.
    #[arg(long, default_value_t = 20)]
    sample_traces: usize,
    #[arg(long, default_value_t = 6)]
    hops: u32,
    #[arg(long, default_value_t = 20_261_123)]
    seed: u64,
    /// Skip the networkx comparison.
    #[arg(long)]
    no_networkx: bool,
}

pub fn bench(ctx: &Ctx, a: BenchArgs) -> CliResult {
    use fanzha_trace::bench::{generate, GenParams};
    let mut r = Report::new("fanzha bench trace");
    // 1. The big graph.
    let t0 = Instant::now();
    let gen = generate(GenParams::scaled(a.transfers, a.seed));
    let gen_s = t0.elapsed().as_secs_f64();
    let t0 = Instant::now();
    let graph = fanzha_trace::Graph::build(gen.n_accounts, &gen.edges)?;
    let build_s = t0.elapsed().as_secs_f64();
    let cases = gen.cases;
    drop(gen.edges);
    let bytes = graph.memory_bytes();
    r.field("transfers", graph.n_transfers())
        .field("accounts", graph.n_accounts())
        .field("generate_s", gen_s)
        .field("build_s", build_s)
        .field("graph_bytes", bytes)
        .field(
            "bytes_per_transfer",
            bytes as f64 / graph.n_transfers().max(1) as f64,
        );
    for policy in [Policy::Fifo, Policy::Proportional] {
        // Each trace runs three times: the first run's latency, and the best of three (the
        // machine may be shared; the best run shows the trace without preemption).
        let mut first_ms = Vec::new();
        let mut best_ms = Vec::new();
        let mut batches = Vec::new();
        let mut flows = 0usize;
        let mut holders = 0usize;
        for c in cases.iter().take(a.traces) {
            let p = TraceParams {
                victim: c.victim,
                since: c.since,
                claim_fen: Some(c.claim_fen),
                hop_limit: a.hops,
                policy,
            };
            let mut best = f64::MAX;
            for run in 0..3 {
                let t = Instant::now();
                let tr = Tracer::trace(&graph, p)?;
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                best = best.min(ms);
                if run == 0 {
                    first_ms.push(ms);
                    batches.push(tr.batches() as f64);
                    flows += tr.flows().len();
                    holders += holdings(&tr).len();
                }
            }
            best_ms.push(best);
        }
        let n = first_ms.len().max(1) as f64;
        r.field(
            format!(
                "trace_{}",
                if policy == Policy::Fifo {
                    "fifo"
                } else {
                    "proportional"
                }
            ),
            json!({
                "traces": first_ms.len(),
                "p50_ms": eval::percentile(&first_ms, 50.0),
                "p99_ms": eval::percentile(&first_ms, 99.0),
                "max_ms": eval::percentile(&first_ms, 100.0),
                "mean_ms": eval::mean(&first_ms),
                "best_of_3_p50_ms": eval::percentile(&best_ms, 50.0),
                "best_of_3_p99_ms": eval::percentile(&best_ms, 99.0),
                "batches_p50": eval::percentile(&batches, 50.0),
                "batches_p99": eval::percentile(&batches, 99.0),
                "flows_per_trace": flows as f64 / n,
                "holders_per_trace": holders as f64 / n,
            }),
        );
    }
    drop(graph);
    // 2. Reachability on a sample graph, fanzha and networkx on the same graph and starts.
    let sample = generate(GenParams::scaled(a.sample, a.seed ^ 0x5a5a));
    let sgraph = fanzha_trace::Graph::build(sample.n_accounts, &sample.edges)?;
    let starts: Vec<_> = sample.cases.iter().take(a.sample_traces).copied().collect();
    let mut rust_ms = Vec::new();
    let mut rust_followed = Vec::new();
    for c in &starts {
        let t = Instant::now();
        let reach = fanzha_trace::reach::reach(&sgraph, c.victim, c.since, a.hops);
        rust_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        rust_followed.push(reach.edges.len());
    }
    let mut cmp = serde_json::Map::new();
    cmp.insert("sample_transfers".into(), json!(sgraph.n_transfers()));
    cmp.insert("searches".into(), json!(starts.len()));
    cmp.insert("fanzha_mean_ms".into(), json!(eval::mean(&rust_ms)));
    cmp.insert(
        "followed_per_search".into(),
        json!(rust_followed.iter().sum::<usize>() as f64 / starts.len().max(1) as f64),
    );
    if !a.no_networkx {
        let py = networkx(&sample.edges, &starts, a.hops)?;
        let py_ms: Vec<f64> = py["per_trace_ms"]
            .as_array()
            .map(|v| v.iter().filter_map(|x| x.as_f64()).collect())
            .unwrap_or_default();
        let py_followed: Vec<usize> = py["followed"]
            .as_array()
            .map(|v| {
                v.iter()
                    .filter_map(|x| x.as_u64().map(|n| n as usize))
                    .collect()
            })
            .unwrap_or_default();
        cmp.insert("networkx_version".into(), py["networkx"].clone());
        cmp.insert("networkx_mean_ms".into(), json!(eval::mean(&py_ms)));
        cmp.insert("networkx_build_s".into(), py["build_s"].clone());
        cmp.insert("same_result".into(), json!(py_followed == rust_followed));
        cmp.insert(
            "speedup".into(),
            json!(eval::mean(&py_ms) / eval::mean(&rust_ms).max(1e-9)),
        );
    }
    r.field("reach_vs_networkx", serde_json::Value::Object(cmp));
    r.field("peak_rss_mib", peak_rss_mib());
    r.print(ctx.json);
    Ok(())
}

fn networkx(
    edges: &[fanzha_trace::Edge],
    starts: &[fanzha_trace::bench::Case],
    hops: u32,
) -> CliResult<serde_json::Value> {
    use std::io::Write;
    let dir = std::env::temp_dir().join(format!("fanzha-bench-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).code(ErrorCode::Io)?;
    let script = dir.join("networkx_reference.py");
    std::fs::write(
        &script,
        include_str!("../../../trace/bench/networkx_reference.py"),
    )
    .code(ErrorCode::Io)?;
    let edges_csv = dir.join("edges.csv");
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&edges_csv).code(ErrorCode::Io)?);
        writeln!(w, "from,to,ts,amount_fen").code(ErrorCode::Io)?;
        for e in edges {
            writeln!(w, "{},{},{},{}", e.from, e.to, e.ts, e.amount_fen).code(ErrorCode::Io)?;
        }
    }
    let starts_csv = dir.join("starts.csv");
    let mut s = String::from("account,since\n");
    for c in starts {
        s.push_str(&format!("{},{}\n", c.victim, c.since));
    }
    std::fs::write(&starts_csv, s).code(ErrorCode::Io)?;
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(&edges_csv)
        .arg(&starts_csv)
        .arg(hops.to_string())
        .output()
        .code(ErrorCode::Io)?;
    let _ = std::fs::remove_dir_all(&dir);
    if !out.status.success() {
        return Err(CliError::new(
            ErrorCode::Io,
            format!(
                "networkx reference failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().unwrap_or("{}");
    serde_json::from_str(last).code(ErrorCode::Internal)
}

/// Peak resident memory of this process (Linux), MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string(Path::new("/proc/self/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_masked_and_amounts_in_yuan() {
        assert_eq!(mask_account("6222021234567890123"), "6222****0123");
        assert_eq!(mask_account("pay7"), "pa****");
        assert_eq!(yuan(123_456), "1234.56");
        assert_eq!(yuan(5), "0.05");
    }
}
