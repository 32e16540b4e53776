//! The record of a list import (导入记录), shared by every list import — warning pushes,
//! key-person lists, case reports, two-card leads, new-card lists: the run is begun before any
//! row is applied, holding the reader's rejected rows, and it is always finished — its
//! quarantine written in line order with the figures of what was done — also when applying a
//! row fails partway. Then the rows not applied go to the quarantine with the reason
//! [`NOT_APPLIED`] and the error is passed on, so a failed import still shows in the list of
//! imports with what it did and what it did not.
//!
//! ```text
//! let mut run = ImportRecord::begin(store, KIND, file, bytes, read, reader_rejects).await?;
//! for row in rows {
//!     match apply(row).await {
//!         Ok(x) => done.push(x),
//!         Err(e) => return Err(run.fail(done.len(), rows_from_here, e).await),
//!     }
//! }
//! let finished = run.finish(done.len()).await?;
//! ```

use crate::card_screening::hex;
use crate::error::WebError;
use fanzha_store::{ImportCounts, ImportRunId, NewImportRun, QuarantineRow, Store};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The quarantine reason of a row an import did not reach (or whose batch failed): the import
/// stopped on an error. Importing the file again applies it.
pub const NOT_APPLIED: &str = "not_applied";

/// An import run in progress.
#[must_use = "an import run must be finished or failed"]
pub struct ImportRecord<'s> {
    store: &'s Store,
    run: ImportRunId,
    file: String,
    read: usize,
    /// Every quarantined row so far (the reader's, then those rejected while applying); stored
    /// in line order when the run finishes, whichever way.
    rejected: Vec<QuarantineRow>,
}

/// A finished import run: its id, its quarantine in line order and the counts per reason.
#[derive(Clone, Debug)]
pub struct FinishedImport {
    pub run: ImportRunId,
    pub rejected: Vec<QuarantineRow>,
    pub by_reason: BTreeMap<String, i64>,
}

/// A quarantine row of `file`.
pub fn quarantine_row(
    file: &str,
    line: u64,
    column: Option<&str>,
    reason: &str,
    raw: &str,
) -> QuarantineRow {
    QuarantineRow {
        file: file.to_string(),
        line: line as i64,
        column: column.map(str::to_string),
        reason: reason.to_string(),
        raw: raw.to_string(),
    }
}

/// The quarantine as the pages list it under an upload's result: (line, column, reason).
pub fn rejected_lines(rows: &[QuarantineRow]) -> Vec<(i64, String, String)> {
    rows.iter()
        .map(|r| {
            (
                r.line,
                r.column.clone().unwrap_or_default(),
                r.reason.clone(),
            )
        })
        .collect()
}

impl<'s> ImportRecord<'s> {
    /// Begins a run of `kind` for `file` (its content hashed) of which the reader read `read`
    /// rows and rejected `rejected`.
    pub async fn begin(
        store: &'s Store,
        kind: &str,
        file: &str,
        bytes: &[u8],
        read: usize,
        rejected: Vec<QuarantineRow>,
    ) -> Result<ImportRecord<'s>, WebError> {
        Self::begin_hashed(
            store,
            kind,
            file,
            hex(&Sha256::digest(bytes)),
            read,
            rejected,
        )
        .await
    }

    /// [`ImportRecord::begin`] with the content hash given.
    pub async fn begin_hashed(
        store: &'s Store,
        kind: &str,
        file: &str,
        content_hash: String,
        read: usize,
        rejected: Vec<QuarantineRow>,
    ) -> Result<ImportRecord<'s>, WebError> {
        let imports = store.imports();
        let run = imports
            .begin(&NewImportRun {
                kind: kind.into(),
                file: file.into(),
                content_hash,
            })
            .await?;
        Ok(ImportRecord {
            store,
            run,
            file: file.into(),
            read,
            rejected,
        })
    }

    pub fn id(&self) -> ImportRunId {
        self.run
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    /// Quarantines a row rejected while applying.
    pub fn reject(&mut self, row: QuarantineRow) {
        self.rejected.push(row);
    }

    /// Stores the quarantine, in line order.
    async fn store_quarantine(&mut self) -> Result<(), WebError> {
        self.rejected.sort_by_key(|r| r.line);
        if !self.rejected.is_empty() {
            self.store
                .imports()
                .add_quarantine(self.run, &self.rejected)
                .await?;
        }
        Ok(())
    }

    fn counts(&self, accepted: usize) -> (ImportCounts, BTreeMap<String, i64>) {
        let mut by_reason: BTreeMap<String, i64> = BTreeMap::new();
        for r in &self.rejected {
            *by_reason.entry(r.reason.clone()).or_default() += 1;
        }
        (
            ImportCounts {
                read: self.read as i64,
                accepted: accepted as i64,
                quarantined: self.rejected.len() as i64,
                by_reason: by_reason.clone(),
            },
            by_reason,
        )
    }

    /// Stores the quarantine and finishes the run with `accepted` rows.
    pub async fn finish(mut self, accepted: usize) -> Result<FinishedImport, WebError> {
        if let Err(e) = self.store_quarantine().await {
            return Err(self.finish_failed(accepted, false, e).await);
        }
        let (counts, by_reason) = self.counts(accepted);
        self.store.imports().finish(self.run, &counts).await?;
        Ok(FinishedImport {
            run: self.run,
            rejected: self.rejected,
            by_reason,
        })
    }

    /// Applying stopped on `error` after `accepted` rows: quarantines the rows `not_reached`
    /// (line, raw) as [`NOT_APPLIED`], finishes the run with what was done and answers the error
    /// to pass on. Should recording fail too, the first error is the one answered (the second
    /// is logged).
    pub async fn fail(
        mut self,
        accepted: usize,
        not_reached: impl IntoIterator<Item = (u64, String)>,
        error: impl Into<WebError>,
    ) -> WebError {
        let error = error.into();
        for (line, raw) in not_reached {
            let row = quarantine_row(&self.file, line, None, NOT_APPLIED, &raw);
            self.rejected.push(row);
        }
        tracing::warn!(run = self.run.0, file = %self.file, error = %error, "import stopped");
        self.finish_failed(accepted, true, error).await
    }

    /// Finishes the run after `error` with the figures so far (storing the quarantine first
    /// when `store` is set and it was not), answering `error`.
    async fn finish_failed(mut self, accepted: usize, store: bool, error: WebError) -> WebError {
        let stored = if store {
            self.store_quarantine().await
        } else {
            Ok(())
        };
        let (mut counts, _) = self.counts(accepted);
        if stored.is_err() || !store {
            // The quarantine could not be stored: the run holds none.
            counts.quarantined = 0;
            counts.by_reason.clear();
        }
        let finished = self.store.imports().finish(self.run, &counts).await;
        if let Err(e) = stored.and(finished.map_err(WebError::from)) {
            tracing::error!(run = self.run.0, error = %e, "the failed import run could not be finished");
        }
        error
    }
}
