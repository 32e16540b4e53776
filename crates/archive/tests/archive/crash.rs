//! A stop at any step of a flush or a compaction loses and doubles nothing once the archive is
//! opened again and the stream is read again from its `through`.

use crate::support::*;
use fanzha_archive::{ArchiveOptions, FailPoint};
use fanzha_core::event::Signal;
use proptest::prelude::*;

/// Archives `signals` (message i has sequence i + 1), stopping at `fail` on the `fail_flush`-th
/// flush, then opens again and goes on from the archive's `through`, as the archiver does.
fn archive_with_a_stop(
    signals: &[Signal],
    flush_every: usize,
    fail: FailPoint,
    fail_flush: usize,
) -> std::path::PathBuf {
    let dir = tempfile::tempdir().unwrap().keep();
    let mut flushes = 0;
    let mut a = open(&dir, ArchiveOptions::default());
    for (i, s) in signals.iter().enumerate() {
        a.push(i as u64 + 1, s);
        if (i + 1) % flush_every == 0 {
            flushes += 1;
            a.set_fail_at((flushes == fail_flush).then_some(fail));
            if a.flush(today()).is_err() {
                break;
            }
        }
    }
    drop(a);
    // Read on from the archive's `through` (after a stop, or — when the stream was too short
    // for one — the signals still to flush), in smaller flushes than before the stop: a part
    // the stopped flush left in a day the next flush does not touch would then stay beside
    // the parts written later, and show up twice.
    let mut a = open(&dir, ArchiveOptions::default());
    let from = a.through() as usize;
    let smaller = (flush_every / 7).max(1);
    for (i, s) in signals.iter().enumerate().skip(from) {
        a.push(i as u64 + 1, s);
        if (i + 1 - from).is_multiple_of(smaller) {
            a.flush(today()).unwrap();
        }
    }
    a.flush(today()).unwrap();
    assert_eq!(a.through(), signals.len() as u64);
    a.root().to_path_buf()
}

#[test]
fn a_stop_after_the_parts_are_written_loses_and_doubles_nothing() {
    let signals = stream(2_000, 3);
    // Flush every 1,000: the stop hits the first flush, whose parts (of two days) are in place
    // uncommitted.
    let root = archive_with_a_stop(&signals, 1_000, FailPoint::PartsWritten, 1);
    assert_eq!(read_back(&root), expected(&signals));
}

#[test]
fn a_stop_in_the_middle_of_a_compaction_is_finished_on_open() {
    let signals = stream(2_000, 3);
    let dir = tempfile::tempdir().unwrap();
    let mut a = open(
        dir.path(),
        ArchiveOptions {
            fail_at: Some(FailPoint::CompactionRecorded),
            ..ArchiveOptions::default()
        },
    );
    let mut stopped_at = None;
    for (i, s) in signals.iter().enumerate() {
        a.push(i as u64 + 1, s);
        if (i + 1) % 250 == 0 && a.flush(today()).is_err() {
            stopped_at = Some(i);
            break;
        }
    }
    let stopped_at = stopped_at.expect("day one completes within the stream");
    let root = a.root().to_path_buf();
    assert!(a.state().compacting.is_some());
    drop(a);
    let compacts = std::fs::read_dir(root.join("2026-12-01"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".compact")
        })
        .count();
    assert!(compacts > 0, "the merged files wait beside the parts");

    let mut a = open(dir.path(), ArchiveOptions::default());
    assert!(a.state().compacting.is_none());
    assert!(a.state().days["2026-12-01"].compacted);
    // The flush itself was committed before the compaction began.
    assert_eq!(a.through(), stopped_at as u64 + 1);
    for (i, s) in signals.iter().enumerate().skip(stopped_at + 1) {
        a.push(i as u64 + 1, s);
    }
    a.flush(today()).unwrap();
    assert_eq!(read_back(&root), expected(&signals));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn any_stop_at_any_flush_gives_every_signal_once(
        n in 50u64..600,
        days in 1i64..4,
        flush_every in 20usize..200,
        compaction in any::<bool>(),
        fail_flush in 1usize..6,
    ) {
        let signals = stream(n, days);
        let fail = if compaction { FailPoint::CompactionRecorded } else { FailPoint::PartsWritten };
        let root = archive_with_a_stop(&signals, flush_every, fail, fail_flush);
        let back = read_back(&root);
        prop_assert_eq!(sorted_multiset(&back), sorted_multiset(&signals));
        prop_assert!(back.windows(2).all(|w| w[0].ts() <= w[1].ts()));
        let _ = std::fs::remove_dir_all(root.parent().unwrap());
    }
}
