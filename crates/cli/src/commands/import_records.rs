//! `fanzha import people|phones|accounts FILE`: reads a CSV / CSV.gz / XLSX / NDJSON file,
//! validates every row (fanzha-ingest), stores the good rows by natural key (ID number, phone
//! number, account number) and every rejected row in the quarantine (fanzha-store), and reports
//! the figures.
//!
//! Idempotent: an import run is keyed by the file's content hash, so importing the same file
//! again reports "already imported" and stores nothing; with `--force` the file is read again
//! and the upserts report 0 rows inserted or changed.

use super::database;
use crate::error::CliResult;
use crate::report::Report;
use crate::Ctx;
use fanzha_core::error_code::Coded;
use fanzha_ingest::{
    content_hash, import_file, AccountRecord, Batch, Format, ImportOptions, IngestError,
    PersonRecord, PhoneRecord, Record, Sink,
};
use fanzha_store::{
    ImportCounts, ImportRunId, ImportWriter, NewAccount, NewImportRun, NewPerson, NewPhone,
    PersonFlags, QuarantineRow, UpsertOutcome,
};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::time::Instant;
use tokio::runtime::Runtime;

pub use fanzha_ingest::RecordKind;

/// Files at least this large get a progress bar (on a terminal).
const PROGRESS_MIN_BYTES: u64 = 8 << 20;

#[derive(clap::Args)]
pub struct Args {
    /// The file: .csv (UTF-8 or GBK, optionally .gz), .xlsx or .ndjson.
    pub file: PathBuf,
    /// The format, when the file name does not tell (csv, xlsx, ndjson).
    #[arg(long)]
    pub format: Option<Format>,
    /// Read and upsert the file even if the same content was imported before.
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &Ctx, kind: RecordKind, args: Args) -> CliResult {
    let started = Instant::now();
    // A file that cannot be read fails before the database is touched.
    let hash = content_hash(&args.file)?;
    let db = database::open(ctx)?;
    let file = args.file.display().to_string();

    if !args.force {
        if let Some(prev) =
            db.block_on(db.store.imports().latest_with_hash(kind.as_str(), &hash))?
        {
            if prev.finished_at.is_some() {
                Report::new(format!("导入 {kind} / import {kind}"))
                    .field("file", &file)
                    .field("already_imported", true)
                    .field("import_run", prev.id.0)
                    .field("read", prev.counts.read)
                    .field("accepted", prev.counts.accepted)
                    .field("quarantined", prev.counts.quarantined)
                    .field("by_reason", &prev.counts.by_reason)
                    .field("inserted", 0)
                    .field("updated", 0)
                    .field("elapsed_s", started.elapsed().as_secs_f64())
                    .print(ctx.json);
                return Ok(());
            }
        }
    }

    let run = db.block_on(db.store.imports().begin(&NewImportRun {
        kind: kind.as_str().to_string(),
        file: file.clone(),
        content_hash: hash,
    }))?;
    let bytes = std::fs::metadata(&args.file).map(|m| m.len()).unwrap_or(0);
    let bar = if bytes >= PROGRESS_MIN_BYTES {
        // Draws on stderr only when it is a terminal; hidden otherwise.
        let bar = ProgressBar::new(bytes);
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{bar:40}] {bytes}/{total_bytes} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(format!("导入 {kind}"));
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut sink = StoreSink {
        rt: &db.rt,
        writer: db.store.import_writer(),
        run,
        file: file.clone(),
        written: UpsertOutcome::default(),
        bar: bar.clone(),
    };
    let mut opts = ImportOptions::new(kind);
    opts.format = args.format;
    let read = import_file(&args.file, &opts, &mut sink);
    let StoreSink {
        writer, written, ..
    } = sink;
    let summary = match read {
        Ok(summary) => {
            db.block_on(writer.commit())?;
            summary
        }
        Err(e) => {
            // Rolls back what is not yet committed; the connection closes on the runtime.
            let _rt = db.rt.enter();
            drop(writer);
            return Err(e.into());
        }
    };
    bar.finish_and_clear();
    let counts = ImportCounts {
        read: summary.read as i64,
        accepted: summary.accepted as i64,
        quarantined: summary.quarantined as i64,
        by_reason: summary
            .by_reason
            .iter()
            .map(|(k, v)| ((*k).to_string(), *v as i64))
            .collect(),
    };
    db.block_on(db.store.imports().finish(run, &counts))?;
    let elapsed = started.elapsed().as_secs_f64();
    Report::new(format!("导入 {kind} / import {kind}"))
        .field("file", &file)
        .field("format", summary.format.as_str())
        .field("encoding", &summary.encoding)
        .field("gzip", summary.gzip)
        .field("already_imported", false)
        .field("import_run", run.0)
        .field("read", summary.read)
        .field("accepted", summary.accepted)
        .field("quarantined", summary.quarantined)
        .field("by_reason", &summary.by_reason)
        .field("inserted", written.inserted)
        .field("updated", written.updated)
        .field("unchanged", written.unchanged)
        .field("ignored_columns", &summary.ignored_columns)
        .field(
            "rows_per_s",
            crate::report::per_second(summary.read as u64, elapsed),
        )
        .field("elapsed_s", elapsed)
        .print(ctx.json);
    db.block_on(db.store.close());
    Ok(())
}

/// Stores each batch: records by upsert, rejected rows in the run's quarantine, through one
/// import writer (a transaction per 100,000 rows).
struct StoreSink<'a> {
    rt: &'a Runtime,
    writer: ImportWriter<'a>,
    run: ImportRunId,
    file: String,
    written: UpsertOutcome,
    bar: ProgressBar,
}

fn sink_error<E: Coded + std::fmt::Display>(e: E) -> IngestError {
    IngestError::Sink {
        code: e.code(),
        message: e.to_string(),
    }
}

impl Sink for StoreSink<'_> {
    fn batch(&mut self, batch: Batch<'_>) -> Result<(), IngestError> {
        // People grouped by the yes/no columns their rows carry (an empty cell says nothing):
        // a file that does not say whether someone is public-sector staff or registered on the
        // anti-fraud app leaves what is stored.
        let mut people: [Vec<NewPerson>; 8] = Default::default();
        let mut phones = Vec::new();
        let mut accounts = Vec::new();
        for r in batch.records {
            match r {
                Record::Person(p) => {
                    let group = usize::from(p.public_sector.is_some())
                        + 2 * usize::from(p.app_registered.is_some())
                        + 4 * usize::from(p.joint_defense.is_some());
                    people[group].push(new_person(p));
                }
                Record::Phone(p) => phones.push(new_phone(p)),
                Record::Account(a) => accounts.push(new_account(a)),
            }
        }
        let writer = &mut self.writer;
        let outcome = self.rt.block_on(async {
            let mut o = UpsertOutcome::default();
            for (group, batch) in people.iter().enumerate() {
                if batch.is_empty() {
                    continue;
                }
                let flags = PersonFlags {
                    public_sector: group & 1 != 0,
                    app_registered: group & 2 != 0,
                    joint_defense: group & 4 != 0,
                };
                o.add(writer.people_from_file(batch, flags).await?);
            }
            if !phones.is_empty() {
                o.add(writer.phones(&phones).await?);
            }
            if !accounts.is_empty() {
                o.add(writer.accounts(&accounts).await?);
            }
            Ok::<_, fanzha_store::StoreError>(o)
        });
        self.written.add(outcome.map_err(sink_error)?);
        if !batch.quarantine.is_empty() {
            let rows: Vec<QuarantineRow> = batch
                .quarantine
                .into_iter()
                .map(|q| QuarantineRow {
                    file: self.file.clone(),
                    line: q.line as i64,
                    column: q.column.map(|c| c.as_str().to_string()),
                    reason: q.reason.to_string(),
                    raw: q.raw,
                })
                .collect();
            self.rt
                .block_on(writer.quarantine(self.run, &rows))
                .map_err(sink_error)?;
        }
        Ok(())
    }

    fn progress(&mut self, bytes_read: u64) {
        self.bar.set_position(bytes_read);
    }
}

fn new_person(p: PersonRecord<'_>) -> NewPerson {
    let mut code = [0u8; 12];
    // Without a village code the person is placed in the county of the ID number's address
    // code (where the ID was issued), the best the file tells.
    let residence_code = match p.village {
        Some(v) => v.write_digits(&mut code).to_string(),
        None => p.id.as_str()[..6].to_string(),
    };
    NewPerson {
        resident_id: p.id.as_str().to_string(),
        name: p.name.into_owned(),
        phone: p.phone.map(|n| n.canonical()),
        residence_code,
        address: p.address.map(|a| a.into_owned()),
        employer: p.employer.map(|e| e.into_owned()),
        public_sector: p.public_sector.unwrap_or(false),
        app_registered: p.app_registered.unwrap_or(false),
        joint_defense_registered: p.joint_defense.unwrap_or(false),
    }
}

fn new_phone(p: PhoneRecord) -> NewPhone {
    NewPhone {
        number: p.phone.canonical(),
        kind: p.phone.kind().as_str().to_string(),
        carrier: p.phone.carrier().map(|c| c.label().to_string()),
        province: p.phone.province().map(str::to_string),
        city: p.phone.city().map(str::to_string),
        owner_resident_id: p.owner.map(|id| id.as_str().to_string()),
    }
}

fn new_account(a: AccountRecord<'_>) -> NewAccount {
    let bin = a.card.bin();
    let mut code = [0u8; 12];
    NewAccount {
        account_no: a.card.as_str().to_string(),
        bank_code: bin.map(|b| b.bank_code.to_string()),
        // The bank as the file names it; from the card's BIN when the file is silent.
        bank_name: a
            .bank
            .map(|b| b.into_owned())
            .or_else(|| bin.map(|b| b.bank_name.to_string())),
        card_type: bin.map(|b| b.card_type.code().to_string()),
        holder_resident_id: a.holder.map(|id| id.as_str().to_string()),
        holder_name: None,
        opened_at: a.opened_at,
        opened_where: a
            .opened_division
            .map(|d| d.write_digits(&mut code).to_string()),
    }
}
