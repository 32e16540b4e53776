//! `fanzha`: the one binary of the platform. Each subcommand lives in `commands/<name>.rs`.

mod commands;
mod config;
mod error;
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
    /// Validate phone numbers, resident IDs, bank cards or credit codes; one JSON line each.
    Check(commands::check::Args),
    /// Import reference data and records (divisions, people, phones, accounts).
    #[command(subcommand)]
    Import(commands::import::ImportCommand),
    /// List the org tree.
    #[command(subcommand)]
    Units(commands::units::UnitsCommand),
    /// Create or upgrade the database schema.
    Migrate(commands::migrate::Args),
    /// Print the error-code table.
    Errors(commands::errors::Args),
    /// Start the platform on an embedded default (SQLite, in-process engine, synthetic city).
    Demo(commands::demo::Args),
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
    init_logging(&config.log);
    let ctx = Ctx {
        config,
        json: cli.json,
    };
    let result = match cli.command {
        Command::Check(a) => commands::check::run(&ctx, a),
        Command::Import(c) => commands::import::run(&ctx, c),
        Command::Units(c) => commands::units::run(&ctx, c),
        Command::Migrate(a) => commands::migrate::run(&ctx, a),
        Command::Errors(a) => commands::errors::run(&ctx, a),
        Command::Demo(a) => commands::demo::run(&ctx, a),
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
