//! Opening the operational database for a command: the configured URL (default: the SQLite
//! file in the data directory, created on first use), schema brought up to date.

use crate::error::{CliError, CliResult, WithCode};
use crate::Ctx;
use fanzha_core::error_code::ErrorCode;
use fanzha_store::{QuarantineRow, Store};
use tokio::runtime::Runtime;

/// An open store and the runtime its calls run on (commands are synchronous).
pub struct Database {
    pub rt: Runtime,
    pub store: Store,
}

impl Database {
    /// Runs one store call to completion.
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// The root of the org tree (the center), which the platform cannot run without.
    pub fn center(&self) -> CliResult<fanzha_store::Unit> {
        self.block_on(self.store.units().roots())?
            .into_iter()
            .next()
            .ok_or_else(|| {
                CliError::new(
                    ErrorCode::UnitNotFound,
                    "the database has no org tree: import it first with `fanzha import divisions --root CODE`",
                )
            })
    }

    /// The unit a list import is made for: the one named, else the root of the org tree.
    pub fn unit_or_root(&self, unit: Option<String>) -> CliResult<String> {
        match unit {
            Some(u) => Ok(u),
            None => self
                .block_on(self.store.units().roots())?
                .into_iter()
                .next()
                .map(|u| u.code)
                .ok_or_else(|| anyhow::anyhow!("no org units: import the divisions first"))
                .code(ErrorCode::UnitNotFound),
        }
    }
}

/// Prints a list import's quarantined rows, one a line (`FILE:LINE COLUMN REASON`), and answers
/// them as JSON objects (line, column, reason) for the `--json` report.
/// The bytes of an input file; a file that cannot be read is `file_unreadable`, before the
/// database is touched.
pub fn read_input(path: &std::path::Path) -> CliResult<Vec<u8>> {
    use crate::error::WithCode;
    std::fs::read(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))
        .code(fanzha_core::error_code::ErrorCode::FileUnreadable)
}

pub fn print_rejected(rows: &[QuarantineRow]) -> Vec<serde_json::Value> {
    for r in rows {
        println!(
            "{}:{} {} {}",
            r.file,
            r.line,
            r.column.as_deref().unwrap_or("-"),
            r.reason
        );
    }
    rows.iter()
        .map(|r| serde_json::json!({"line": r.line, "column": r.column, "reason": r.reason}))
        .collect()
}

/// Connects without touching the schema (for `fanzha migrate`).
pub fn connect(ctx: &Ctx) -> CliResult<Database> {
    if ctx.config.database_url.is_none() {
        std::fs::create_dir_all(&ctx.config.data_dir)
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot create data directory {}: {e}",
                    ctx.config.data_dir.display()
                )
            })
            .code(ErrorCode::DataDirUnusable)?;
    }
    let rt = Runtime::new().code(ErrorCode::Internal)?;
    let store = rt.block_on(Store::connect(&ctx.config.database_url()))?;
    Ok(Database { rt, store })
}

/// Connects and applies pending migrations.
pub fn open(ctx: &Ctx) -> CliResult<Database> {
    let db = connect(ctx)?;
    db.block_on(db.store.migrate())?;
    Ok(db)
}
