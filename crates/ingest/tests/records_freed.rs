//! Records are freed, owned text included: a batch whose records only borrow from the file is
//! freed without visiting them, and one with unescaped (owned) text must not be. A global
//! allocator counts the bytes live across an import.

use fanzha_ingest::synthetic::{write_people_csv, PeopleSpec};
use fanzha_ingest::{
    import_file, Batch, CountingSink, ImportOptions, IngestError, Record, RecordKind, Sink,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::borrow::Cow;
use std::sync::atomic::{AtomicIsize, Ordering};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwards to the system allocator with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Counts the records whose name is owned text (to show the file exercises that path).
#[derive(Default)]
struct OwnedNames(usize);

impl Sink for OwnedNames {
    fn batch(&mut self, batch: Batch<'_>) -> Result<(), IngestError> {
        for r in batch.records.iter() {
            if let Record::Person(p) = r {
                self.0 += usize::from(matches!(p.name, Cow::Owned(_)));
            }
        }
        Ok(())
    }
}

/// A people file of `rows` rows; with `escaped`, every third name is written quoted with an
/// escaped quote inside (`"王""五"`), which the reader must unescape into owned text.
fn people_file(rows: usize, escaped: bool) -> tempfile::NamedTempFile {
    let mut plain = Vec::new();
    let spec = PeopleSpec {
        rows,
        bad_share: 0.01,
        seed: 11,
        encoding_errors: false,
    };
    write_people_csv(&mut plain, &spec).expect("write");
    let text = String::from_utf8(plain).expect("utf-8");
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let mut fields: Vec<String> = line.split(',').map(str::to_string).collect();
        if escaped && i > 0 && i % 3 == 0 && fields.len() > 1 && !fields[1].contains('"') {
            fields[1] = format!("\"{}\"\"{}\"", fields[1], i % 10);
        }
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    let mut f = tempfile::Builder::new()
        .suffix(".csv")
        .tempfile()
        .expect("temp file");
    std::io::Write::write_all(&mut f, out.as_bytes()).expect("write");
    f
}

fn live_after_import(path: &std::path::Path) -> isize {
    let opts = ImportOptions::new(RecordKind::People);
    let before = LIVE.load(Ordering::SeqCst);
    let mut sink = CountingSink::default();
    let summary = import_file(path, &opts, &mut sink).expect("import");
    assert!(summary.accepted > 0);
    drop(summary);
    LIVE.load(Ordering::SeqCst) - before
}

#[test]
fn an_import_frees_every_record_borrowed_or_owned() {
    let escaped = people_file(30_000, true);
    let plain = people_file(30_000, false);
    let mut owned = OwnedNames::default();
    import_file(
        escaped.path(),
        &ImportOptions::new(RecordKind::People),
        &mut owned,
    )
    .expect("import");
    assert!(owned.0 > 9_000, "owned names: {}", owned.0);
    // Warm-up: reference tables, the thread pool, lazily built state.
    for path in [escaped.path(), plain.path()] {
        live_after_import(path);
    }
    for path in [escaped.path(), plain.path()] {
        let leaked = live_after_import(path);
        assert!(
            leaked.abs() < 4_096,
            "{leaked} bytes left live by an import of {path:?}"
        );
    }
}
