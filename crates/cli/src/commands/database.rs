//! Opening the operational database for a command: the configured URL (default: the SQLite
//! file in the data directory, created on first use), schema brought up to date.

use crate::error::{CliResult, WithCode};
use crate::Ctx;
use fanzha_core::error_code::ErrorCode;
use fanzha_store::Store;
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
