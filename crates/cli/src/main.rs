//! `fanzha`: the one binary of the platform. Each subcommand lives in `commands/<name>.rs`.

mod commands;
mod config;
mod error;
mod live;
mod report;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Shared by every command: the configuration in effect and the output mode.
pub struct Ctx {
    pub config: config::Config,
    /// Print a JSON object as the last line of output.
    pub json: bool,
}

#[derive(Parser)]
#[command(
    name = "fanzha",
    version,
    about = "反诈 — command platform of an anti-fraud center"
)]
struct Cli {
    /// Configuration file (default: ./fanzha.toml if present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Data directory (SQLite file, snapshots); overrides the configuration.
    #[arg(long, global = true, env = "FANZHA_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL (`sqlite://…` or `postgres://…`); overrides the configuration.
    #[arg(long, global = true, env = "FANZHA_DATABASE_URL")]
    database_url: Option<String>,
    /// Folder with evaluation data sets (default ../shared/data).
    #[arg(long, global = true, env = "FANZHA_DATA_ROOT")]
    data_root: Option<PathBuf>,
    /// Also print the figures as one JSON object on the last line.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train, apply and evaluate scoring models (gradient-boosted trees).
    #[command(subcommand)]
    Model(commands::model::ModelCommand),
    /// Run the detection engine over a recorded city and write warnings.
    Detect(commands::detect::Args),
    /// Evaluate warnings against a simulation's ground truth.
    Eval(commands::eval::Args),
    /// Validate rules files and test them on recorded data.
    #[command(subcommand)]
    Rules(commands::rules::RulesCommand),
    /// Validate phone numbers, resident IDs, bank cards or credit codes; one JSON line each.
    Check(commands::check::Args),
    /// Import reference data and records (divisions, people, phones, accounts).
    #[command(subcommand)]
    Import(commands::import::ImportCommand),
    /// Cases (案件): import 110 / 96110 report exports.
    #[command(subcommand)]
    Cases(commands::cases::CasesCommand),
    /// Pushed warnings (预警推送): import a platform's daily warning list.
    #[command(subcommand)]
    Warnings(commands::warnings::WarningsCommand),
    /// 金钟罩 joint defense: import a list of residents' guardians.
    #[command(subcommand)]
    Guardians(commands::guardians::GuardiansCommand),
    /// 劝阻队伍: import a roster of who serves each village.
    #[command(subcommand)]
    Teams(commands::teams::TeamsCommand),
    /// Key persons (重点人员): import a list of people to keep under watch.
    #[command(subcommand)]
    KeyPersons(commands::key_persons::KeyPersonsCommand),
    /// Monthly figures from other offices: operators' 反制数据, criminal cases filed.
    #[command(subcommand)]
    Figures(commands::figures::FiguresCommand),
    /// New-card screening (新开卡审查): screen a bank's list of new cards; measure the rules
    /// on a simulated city.
    #[command(subcommand)]
    Cards(commands::cards::CardsCommand),
    /// List the org tree.
    #[command(subcommand)]
    Units(commands::units::UnitsCommand),
    /// Back up the database and the engine's snapshots into a folder with checksums.
    Backup(commands::backup::BackupArgs),
    /// Restore a backup written by `fanzha backup`.
    Restore(commands::backup::RestoreArgs),
    /// Create or upgrade the database schema.
    Migrate(commands::migrate::Args),
    /// Platform users: add, list.
    #[command(subcommand)]
    User(commands::user::UserCommand),
    /// Print the error-code table.
    Errors(commands::errors::Args),
    /// Run the platform on the configured database: web server, closed loop, and detection on
    /// the signal stream when a NATS server is configured.
    Serve(commands::serve::Args),
    /// Run detection as a process of its own on the signal stream (NATS JetStream).
    Worker(commands::worker::Args),
    /// The signal stream: publish recorded feed files, show how far detection has read.
    #[command(subcommand)]
    Signals(commands::signals::SignalsCommand),
    /// Start the platform on an embedded default (SQLite, in-process engine, synthetic city).
    Demo(commands::demo::Args),
    /// Generate a synthetic city with ground truth (files per feed, or a live stream).
    Simulate(commands::simulate::Args),
    /// Performance benchmarks.
    #[command(subcommand)]
    Bench(commands::bench::BenchCommand),
    /// Fraud-type classifier for SMS and case narratives: train, classify, cross-validate.
    #[command(subcommand)]
    Text(commands::text::TextCommand),
    /// Follow a victim's money through transfer extracts; name the accounts holding it and plan stop-payments.
    Trace(commands::trace::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut config = match config::Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error[config_invalid]: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(d) = cli.data_dir {
        config.data_dir = d;
    }
    if let Some(u) = cli.database_url {
        config.database_url = Some(u);
    }
    if let Some(r) = cli.data_root {
        config.data_root = r;
    }
    if let Err(e) = config.apply_hotline() {
        eprintln!("error[config_invalid]: {e}");
        return ExitCode::from(2);
    }
    init_logging(&config.log);
    let ctx = Ctx {
        config,
        json: cli.json,
    };
    let result = match cli.command {
        Command::Model(c) => commands::model::run(&ctx, c),
        Command::Detect(a) => commands::detect::run(&ctx, a),
        Command::Eval(a) => commands::eval::run(&ctx, a),
        Command::Rules(c) => commands::rules::run(&ctx, c),
        Command::Check(a) => commands::check::run(&ctx, a),
        Command::Import(c) => commands::import::run(&ctx, c),
        Command::Cases(c) => commands::cases::run(&ctx, c),
        Command::Cards(c) => commands::cards::run(&ctx, c),
        Command::Guardians(c) => commands::guardians::run(&ctx, c),
        Command::Teams(c) => commands::teams::run(&ctx, c),
        Command::KeyPersons(c) => commands::key_persons::run(&ctx, c),
        Command::Figures(c) => commands::figures::run(&ctx, c),
        Command::Warnings(c) => commands::warnings::run(&ctx, c),
        Command::Units(c) => commands::units::run(&ctx, c),
        Command::Migrate(a) => commands::migrate::run(&ctx, a),
        Command::Backup(a) => commands::backup::backup(&ctx, a),
        Command::Restore(a) => commands::backup::restore(&ctx, a),
        Command::Errors(a) => commands::errors::run(&ctx, a),
        Command::User(c) => commands::user::run(&ctx, c),
        Command::Serve(a) => commands::serve::run(&ctx, a),
        Command::Worker(a) => commands::worker::run(&ctx, a),
        Command::Signals(c) => commands::signals::run(&ctx, c),
        Command::Demo(a) => commands::demo::run(&ctx, a),
        Command::Simulate(a) => commands::simulate::run(&ctx, a),
        Command::Bench(c) => commands::bench::run(&ctx, c),
        Command::Text(c) => commands::text::run(&ctx, c),
        Command::Trace(a) => commands::trace::run(&ctx, a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}

/// Logs go to stderr so that stdout stays machine-readable.
fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("FANZHA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
