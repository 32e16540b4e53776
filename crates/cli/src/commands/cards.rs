//! `fanzha cards import|eval|cleanups`: new-card screening (新开卡审查) from the command line —
//! screen a bank's list of newly opened cards, or an operator's of new phone cards, into the
//! store, or measure the screening rules on a simulated city whose card sellers are known — and
//! asking the banks to clean the cards flagged holders already hold (`cards_cleanups.rs`).

use crate::error::{CliResult, WithCode};
use crate::report::Report;
use crate::Ctx;
use fanzha_core::error_code::ErrorCode;
use fanzha_ingest::new_cards::read_new_cards;
use fanzha_ingest::reports::ReportFormat;
use fanzha_store::{CardKind, ImportCounts, NewCardRow, NewImportRun, QuarantineRow};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum CardsCommand {
    /// Screen a bank's list of newly opened cards (CSV UTF-8/GBK or XLSX: card number, holder
    /// name and ID number, opening date; optionally reserved phone, outlet and its division
    /// code), or with `--kind sim_card` an operator's list of new phone cards (number, holder
    /// name and ID number, activation time; optionally shop and its division code). Bad rows
    /// go to the quarantine with line and reason.
    Import(ImportArgs),
    /// Measure the screening rules on a simulated city (`fanzha simulate --out DIR`): each
    /// day's bank-card and phone-card openings screened as that day's lists, against the
    /// known card sellers.
    Eval(super::cards_eval::EvalArgs),
    /// 存量卡清理: ask the banks about the area's holders proposed now — under a punishment,
    /// whose account received victim money, found lending or selling a card, or opening and
    /// closing cards again and again — at each bank where an open account of theirs is known,
    /// once per holder and bank, as the page does (`--dry-run`: only say who).
    Cleanups(super::cards_cleanups::CleanupArgs),
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// The list.
    pub file: PathBuf,
    /// bank_card (a bank's list) or sim_card (an operator's list of new phone cards).
    #[arg(long, default_value = "bank_card", value_parser = parse_kind)]
    pub kind: CardKind,
    /// Code of the sending bank (ICBC, CCB, …) or, for phone cards, operator (china_mobile,
    /// china_unicom, china_telecom, china_broadnet): cards of another issuer are rejected,
    /// cards with an unknown BIN or segment are taken as its. Without it, each card's BIN or
    /// number names its issuer.
    #[arg(long)]
    pub bank: Option<String>,
    /// The unit that receives the list (cards of unregistered holders stay with it); the root
    /// of the org tree by default.
    #[arg(long)]
    pub unit: Option<String>,
    /// The list's label (the bank and today's date by default).
    #[arg(long)]
    pub batch: Option<String>,
    /// auto (from the file's content and name), csv or xlsx.
    #[arg(long, default_value = "auto")]
    pub format: ReportFormat,
    /// The file is a closure list (销户名单; for phone cards the numbers given up): card or
    /// number, holder's ID number and closing date; optionally name, opening date and outlet.
    /// Listed cards are marked closed; holders who open and close cards again and again
    /// (频繁开销户) have their open cards screened again.
    #[arg(long)]
    pub closures: bool,
}

/// Finishes a list's import run: its quarantine, and the counts read, accepted and
/// quarantined by reason.
pub(super) async fn finish_run(
    store: &fanzha_store::Store,
    run: fanzha_store::ImportRunId,
    read: usize,
    accepted: usize,
    rejected: &[QuarantineRow],
) -> Result<(), fanzha_store::StoreError> {
    store.imports().add_quarantine(run, rejected).await?;
    let mut by_reason: BTreeMap<String, i64> = BTreeMap::new();
    for r in rejected {
        *by_reason.entry(r.reason.clone()).or_default() += 1;
    }
    store
        .imports()
        .finish(
            run,
            &ImportCounts {
                read: read as i64,
                accepted: accepted as i64,
                quarantined: rejected.len() as i64,
                by_reason,
            },
        )
        .await
}

/// Prints each rejected row (`file:line column reason`) and returns the counts by reason.
pub(super) fn print_rejected(rejected: &[QuarantineRow]) -> BTreeMap<&str, i64> {
    super::database::print_rejected(rejected);
    let mut by_reason: BTreeMap<&str, i64> = BTreeMap::new();
    for r in rejected {
        *by_reason.entry(r.reason.as_str()).or_default() += 1;
    }
    by_reason
}

/// The unit named, else the root of the org tree.
pub(super) async fn receiving_unit(
    store: &fanzha_store::Store,
    named: Option<&str>,
) -> Result<String, fanzha_store::StoreError> {
    if let Some(u) = named {
        return Ok(u.trim().to_string());
    }
    match store.units().roots().await?.into_iter().next() {
        Some(root) => Ok(root.code),
        None => Err(fanzha_store::StoreError::Invalid {
            field: "unit",
            reason: "no org tree: import it with `fanzha import divisions --root CODE`".into(),
        }),
    }
}

pub(super) fn parse_kind(s: &str) -> Result<CardKind, String> {
    CardKind::parse(s).ok_or_else(|| format!("`{s}`: use bank_card or sim_card"))
}

pub fn run(ctx: &Ctx, c: CardsCommand) -> CliResult {
    match c {
        CardsCommand::Import(a) => import(ctx, a),
        CardsCommand::Eval(a) => super::cards_eval::run(ctx, a),
        CardsCommand::Cleanups(a) => super::cards_cleanups::run(ctx, a),
    }
}

fn import(ctx: &Ctx, args: ImportArgs) -> CliResult {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(&args.file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", args.file.display()))
        .code(ErrorCode::FileUnreadable)?;
    let file = args.file.display().to_string();
    // Bank codes are upper case (ICBC), operator codes lower (china_mobile).
    let bank = args.bank.as_deref().map(|b| match args.kind {
        CardKind::BankCard => b.trim().to_ascii_uppercase(),
        CardKind::SimCard => b.trim().to_ascii_lowercase(),
    });
    let now = fanzha_core::time::now_ms();
    let batch = args.batch.clone().unwrap_or_else(|| {
        format!(
            "{} {}",
            bank.as_deref().unwrap_or("-"),
            fanzha_core::time::shanghai_date(now)
                .map(|d| d.to_string())
                .unwrap_or_default()
        )
    });
    if args.closures {
        return super::cards_closures::import(
            ctx,
            &args,
            super::cards_closures::ClosureFile {
                file,
                bytes,
                bank,
                batch,
                now,
            },
        );
    }
    let parsed = read_new_cards(&file, &bytes, args.format, args.kind, bank.as_deref(), now)?;
    let db = super::database::open(ctx)?;
    let store = &db.store;
    let (run, done, rejected) = db.block_on(async {
        let unit = receiving_unit(store, args.unit.as_deref()).await?;
        let run = store
            .imports()
            .begin(&NewImportRun {
                kind: "new_cards".into(),
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
        let cards: Vec<NewCardRow> = parsed
            .rows
            .iter()
            .map(|r| fanzha_web::card_screening::card_of_row(r, &batch))
            .collect();
        let scope = fanzha_store::Scope::platform();
        let done = store
            .new_cards()
            .import(&scope, &unit, &cards, "cli", now)
            .await?;
        finish_run(store, run, parsed.read, cards.len(), &rejected).await?;
        Ok::<_, fanzha_store::StoreError>((run, done, rejected))
    })?;
    let by_reason = print_rejected(&rejected);
    let by_level: BTreeMap<&str, i64> = done
        .by_level
        .iter()
        .map(|(l, n)| (l.as_str(), *n))
        .collect();
    Report::new("新开卡审查 / new-card screening")
        .field("file", &file)
        .field("kind", args.kind.as_str())
        .field("format", parsed.format)
        .field("encoding", parsed.encoding)
        .field("import_run", run.0)
        .field("read", parsed.read)
        .field("received", done.ids.len())
        .field("listed_before", done.duplicates)
        .field("by_level", by_level)
        .field("queued_for_review", done.queued)
        .field("rescreened", done.rescreened)
        .field("rejected", rejected.len())
        .field("by_reason", by_reason)
        .print(ctx.json);
    db.block_on(db.store.close());
    Ok(())
}
