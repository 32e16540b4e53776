//! Helpers shared by the reader tests.

use fanzha_ingest::{
    import_file, Batch, Field, ImportOptions, ImportSummary, IngestError, QuarantineEntry, Record,
    RecordKind, Sink,
};
use std::path::Path;

/// What a sink saw, in owned form.
#[derive(Debug, Default, PartialEq)]
pub struct Collected {
    /// (line, key as written canonically, name or empty)
    pub records: Vec<(u64, String, String)>,
    pub quarantine: Vec<QuarantineEntry>,
    pub batches: usize,
}

impl Sink for Collected {
    fn batch(&mut self, batch: Batch<'_>) -> Result<(), IngestError> {
        self.batches += 1;
        for r in batch.records {
            self.records.push(match r {
                Record::Person(p) => (p.line, p.id.as_str().to_string(), p.name.into_owned()),
                Record::Phone(p) => (p.line, p.phone.canonical(), String::new()),
                Record::Account(a) => (a.line, a.card.as_str().to_string(), String::new()),
            });
        }
        self.quarantine.extend(batch.quarantine);
        Ok(())
    }
}

pub fn import(path: &Path, kind: RecordKind) -> (ImportSummary, Collected) {
    import_with(path, ImportOptions::new(kind))
}

pub fn import_with(path: &Path, opts: ImportOptions) -> (ImportSummary, Collected) {
    let mut c = Collected::default();
    let s = import_file(path, &opts, &mut c).expect("file imports");
    (s, c)
}

pub fn reasons(c: &Collected) -> Vec<(u64, Option<Field>, &'static str)> {
    c.quarantine
        .iter()
        .map(|q| (q.line, q.column, q.reason))
        .collect()
}
