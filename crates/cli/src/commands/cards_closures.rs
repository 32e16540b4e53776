//! `fanzha cards import --closures`: an issuer's closure list (销户名单, or the numbers an
//! operator took back) into the store — listed cards marked closed, the holders' open cards
//! screened again for 频繁开销户.

use super::cards::{finish_run, print_rejected, receiving_unit, ImportArgs};
use crate::error::CliResult;
use crate::report::Report;
use crate::Ctx;
use fanzha_ingest::card_closures::read_card_closures;
use fanzha_store::{NewImportRun, QuarantineRow};

/// The file read and what the command line says of it.
pub struct ClosureFile {
    pub file: String,
    pub bytes: Vec<u8>,
    /// The sending issuer's code, normalised.
    pub bank: Option<String>,
    pub batch: String,
    pub now: i64,
}

pub fn import(ctx: &Ctx, args: &ImportArgs, f: ClosureFile) -> CliResult {
    use sha2::{Digest, Sha256};
    let ClosureFile {
        file,
        bytes,
        bank,
        batch,
        now,
    } = f;
    let parsed = read_card_closures(&file, &bytes, args.format, args.kind, bank.as_deref(), now)?;
    let db = super::database::open(ctx)?;
    let store = &db.store;
    let (run, done, rejected) = db.block_on(async {
        let unit = receiving_unit(store, args.unit.as_deref()).await?;
        let run = store
            .imports()
            .begin(&NewImportRun {
                kind: fanzha_web::card_closures::IMPORT_KIND.into(),
                file: file.clone(),
                content_hash: format!("{:x}", Sha256::digest(&bytes)),
            })
            .await?;
        let rejected: Vec<QuarantineRow> = parsed
            .rejected
            .iter()
            .map(|r| QuarantineRow {
                file: file.clone(),
                line: r.line as i64,
                column: r.column.map(Into::into),
                reason: r.reason.into(),
                raw: r.raw.clone(),
            })
            .collect();
        let closures: Vec<_> = parsed
            .rows
            .iter()
            .map(|r| fanzha_web::card_closures::closure_of_row(r, &batch))
            .collect();
        let done = store
            .new_cards()
            .import_closures(
                &fanzha_store::Scope::platform(),
                &unit,
                &closures,
                "cli",
                now,
            )
            .await?;
        finish_run(store, run, parsed.read, closures.len(), &rejected).await?;
        Ok::<_, fanzha_store::StoreError>((run, done, rejected))
    })?;
    let by_reason = print_rejected(&rejected);
    Report::new("销户名单 / card closures")
        .field("file", &file)
        .field("kind", args.kind.as_str())
        .field("format", parsed.format)
        .field("encoding", parsed.encoding)
        .field("import_run", run.0)
        .field("read", parsed.read)
        .field("received", done.received)
        .field("listed_before", done.duplicates)
        .field("of_screened_cards", done.listed)
        .field("short_lived", done.short_lived)
        .field("rescreened", done.rescreened)
        .field("queued_for_review", done.requeued)
        .field("rejected", rejected.len())
        .field("by_reason", by_reason)
        .print(ctx.json);
    db.block_on(db.store.close());
    Ok(())
}
