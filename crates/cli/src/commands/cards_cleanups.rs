//! `fanzha cards cleanups`: 存量卡清理 from the command line — ask the banks about the holders of
//! an area the platform proposes now, as the page's 生成清理名单 does (the same store call, each
//! request audited), so a center can run it on a schedule; `--dry-run` only says who would be
//! asked.

use crate::error::CliResult;
use crate::report::Report;
use crate::Ctx;
use fanzha_store::CleanupReason;
use std::collections::BTreeMap;

#[derive(clap::Args)]
pub struct CleanupArgs {
    /// The area (org unit code) whose residents are asked about; the root of the org tree by
    /// default.
    #[arg(long)]
    pub unit: Option<String>,
    /// Only this bank (ICBC, CCB, …).
    #[arg(long)]
    pub bank: Option<String>,
    /// Only holders flagged for this reason: punished, mule_account, gave_card_away or
    /// frequent_open_close.
    #[arg(long, value_parser = parse_reason)]
    pub reason: Option<CleanupReason>,
    /// The note for the banks.
    #[arg(long, default_value = "")]
    pub note: String,
    /// Who the audit log names.
    #[arg(long, default_value = "cli")]
    pub by: String,
    /// Say who would be asked, per bank and reason, without asking.
    #[arg(long)]
    pub dry_run: bool,
}

fn parse_reason(s: &str) -> Result<CleanupReason, String> {
    CleanupReason::parse(s).ok_or_else(|| {
        format!("`{s}`: use punished, mule_account, gave_card_away or frequent_open_close")
    })
}

pub fn run(ctx: &Ctx, args: CleanupArgs) -> CliResult {
    let db = super::database::open(ctx)?;
    let store = &db.store;
    let bank = args.bank.as_deref().map(|b| b.trim().to_ascii_uppercase());
    let reasons: Vec<CleanupReason> = args.reason.into_iter().collect();
    let now = fanzha_core::time::now_ms();
    let (unit, candidates, done) = db.block_on(async {
        let unit = super::cards::receiving_unit(store, args.unit.as_deref()).await?;
        let scope = store.units().scope(&unit).await?;
        let repo = store.card_cleanups();
        let candidates = repo
            .candidates(&scope, bank.as_deref(), &reasons, now)
            .await?;
        let done = match args.dry_run {
            true => None,
            false => Some(
                repo.generate(&scope, bank.as_deref(), &reasons, &args.note, &args.by, now)
                    .await?,
            ),
        };
        Ok::<_, fanzha_store::StoreError>((unit, candidates, done))
    })?;
    let mut by_bank: BTreeMap<&str, i64> = BTreeMap::new();
    let mut by_reason: BTreeMap<&str, i64> = BTreeMap::new();
    for c in &candidates {
        *by_bank.entry(c.bank_code.as_str()).or_default() += 1;
        for r in &c.reasons {
            *by_reason.entry(r.as_str()).or_default() += 1;
        }
    }
    let mut report = Report::new("存量卡清理 / existing-card cleanup");
    report
        .field("unit", &unit)
        .field("dry_run", args.dry_run)
        .field("candidates", candidates.len())
        .field("by_bank", by_bank)
        .field("by_reason", by_reason);
    if let Some(g) = done {
        report
            .field("requested", g.requested)
            .field("holders", g.holders)
            .field("banks", g.banks);
    }
    report.print(ctx.json);
    db.block_on(db.store.close());
    Ok(())
}
