//! Bad input never panics and never vanishes: every data row read is either accepted or
//! quarantined, whatever the bytes; and parallel chunking never changes the outcome.

use crate::common;

use common::import_with;
use fanzha_ingest::{import_file, ImportOptions, ImportSummary, RecordKind};
use proptest::prelude::*;

/// Streamed through a buffer of `block` bytes.
fn opts(kind: RecordKind, block: usize) -> ImportOptions {
    let mut o = ImportOptions::new(kind);
    o.block_bytes = block;
    o.chunk_bytes = block.min(24);
    o.batch_rows = 64;
    o.map_min_bytes = u64::MAX;
    o
}

/// Memory-mapped whatever the file's size (when it is plain UTF-8), in blocks of `block` bytes.
fn mapped_opts(kind: RecordKind, block: usize) -> ImportOptions {
    let mut o = opts(kind, block);
    o.map_min_bytes = 0;
    o
}

/// What must not depend on how the file was read.
fn summary_figures(s: &ImportSummary) -> (u64, u64, u64, String, String, u64, Vec<String>) {
    (
        s.read,
        s.accepted,
        s.quarantined,
        s.content_hash.clone(),
        s.encoding.clone(),
        s.bytes,
        s.ignored_columns.clone(),
    )
}

/// Rows built from pieces that exercise the parser: quotes, separators, newlines, CR, valid
/// and invalid identifiers, non-UTF-8 bytes.
fn row_piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"11010519491231002X".to_vec()),
        Just(b"440524188001010014".to_vec()),
        Just(b"13812345678".to_vec()),
        Just("张三".as_bytes().to_vec()),
        Just(b"\"a,b\"".to_vec()),
        Just(b"\"x\ny\"".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\"\"".to_vec()),
        Just(b",".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\xff\xfe".to_vec()),
        Just(b"".to_vec()),
        "[0-9X]{0,19}".prop_map(|s| s.into_bytes()),
    ]
}

fn file_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::collection::vec(row_piece(), 0..8), 0..60).prop_map(|rows| {
        let mut out = "身份证号,姓名,手机号\n".as_bytes().to_vec();
        for r in rows {
            for (i, p) in r.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(p);
            }
            out.push(b'\n');
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        std::fs::write(&path, &bytes).unwrap();
        for kind in [RecordKind::People, RecordKind::Phones, RecordKind::Accounts] {
            let mut streamed = common::Collected::default();
            let a = import_file(&path, &opts(kind, 512), &mut streamed);
            if let Ok(s) = &a {
                prop_assert_eq!(s.read, s.accepted + s.quarantined);
            }
            // The memory-mapped reader gives the same outcome, error or batches.
            let mut mapped = common::Collected::default();
            let b = import_file(&path, &mapped_opts(kind, 512), &mut mapped);
            prop_assert_eq!(a.as_ref().map(summary_figures).map_err(|e| e.to_string()), b.as_ref().map(summary_figures).map_err(|e| e.to_string()));
            prop_assert_eq!(&streamed.records, &mapped.records);
            prop_assert_eq!(&streamed.quarantine, &mapped.quarantine);
        }
        let json = dir.path().join("x.ndjson");
        std::fs::write(&json, &bytes).unwrap();
        let mut sink = common::Collected::default();
        let _ = import_file(&json, &opts(RecordKind::Phones, 512), &mut sink);
    }

    #[test]
    fn every_row_is_accounted_for_and_chunking_does_not_matter(bytes in file_bytes()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        std::fs::write(&path, &bytes).unwrap();
        let mut whole = opts(RecordKind::People, 1 << 20);
        whole.chunk_bytes = 1 << 20;
        let (big, a) = import_with(&path, whole.clone());
        let (small, b) = import_with(&path, opts(RecordKind::People, 16));
        // Memory-mapped, in one block and in many small ones: the same as streamed.
        whole.map_min_bytes = 0;
        let (mapped_big, c) = import_with(&path, whole);
        let (mapped_small, d) = import_with(&path, mapped_opts(RecordKind::People, 16));
        for (s, x) in [(&mapped_big, &c), (&mapped_small, &d)] {
            prop_assert_eq!(summary_figures(s), summary_figures(&big));
            prop_assert_eq!(&x.records, &a.records);
            prop_assert_eq!(&x.quarantine, &a.quarantine);
        }
        prop_assert_eq!(big.read, big.accepted + big.quarantined);
        prop_assert_eq!(a.records.len() as u64, big.accepted);
        prop_assert_eq!(a.quarantine.len() as u64, big.quarantined);
        prop_assert_eq!(&a.records, &b.records);
        prop_assert_eq!(&a.quarantine, &b.quarantine);
        prop_assert_eq!(big.read, small.read);
        // Lines are strictly increasing and inside the file.
        let total_lines = bytes.iter().filter(|&&c| c == b'\n').count() as u64 + 1;
        let mut lines: Vec<u64> = a.records.iter().map(|r| r.0).chain(a.quarantine.iter().map(|q| q.line)).collect();
        lines.sort_unstable();
        prop_assert!(lines.windows(2).all(|w| w[0] < w[1]));
        prop_assert!(lines.iter().all(|&l| l >= 2 && l <= total_lines));
    }
}
