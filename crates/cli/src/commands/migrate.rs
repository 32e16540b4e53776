//! `fanzha migrate`: create or upgrade the database schema; running it again changes nothing.

use crate::error::CliResult;
use crate::report::Report;
use crate::Ctx;
use fanzha_store::dialect::redact_url;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(ctx: &Ctx, _args: Args) -> CliResult {
    let db = super::database::connect(ctx)?;
    let before = db.block_on(db.store.schema_version())?;
    let done = db.block_on(db.store.migrate())?;
    Report::new("数据库迁移 / migrate")
        .field("database", redact_url(&ctx.config.database_url()))
        .field("backend", db.store.backend().as_str())
        .field("version_before", before)
        .field("version", done.version)
        .field("applied", &done.applied)
        .print(ctx.json);
    db.block_on(db.store.close());
    Ok(())
}
