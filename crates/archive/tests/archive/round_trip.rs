use crate::support::*;
use fanzha_archive::{Archive, ArchiveError, ArchiveOptions};
use fanzha_core::error_code::{Coded, ErrorCode};
use fanzha_core::event::Signal;

#[test]
fn a_stream_archived_in_flushes_reads_back_whole_by_day_and_in_time_order() {
    let dir = tempfile::tempdir().unwrap();
    let signals = stream(4_000, 3);
    let mut a = open(dir.path(), ArchiveOptions::default());
    let mut compacted = Vec::new();
    for (i, s) in signals.iter().enumerate() {
        assert!(a.push(i as u64 + 1, s));
        if (i + 1) % 700 == 0 {
            compacted.extend(a.flush(today()).unwrap().compacted);
        }
    }
    let last = a.flush(today()).unwrap();
    compacted.extend(last.compacted);
    assert_eq!(a.through(), 4_000);
    assert_eq!(a.buffered(), 0);

    // The first two days are complete (signals two hours past their end are in), the third not.
    assert_eq!(compacted, vec!["2026-12-01", "2026-12-02"]);
    let state = a.state().clone();
    assert_eq!(state.days.len(), 3);
    let total: u64 = state.days.values().map(|d| d.signals()).sum();
    assert_eq!(total, 4_000);
    let day1 = &state.days["2026-12-01"];
    assert!(day1.compacted && day1.parts == 0);
    assert!(!state.days["2026-12-03"].compacted && state.days["2026-12-03"].parts > 1);
    let root = a.root().to_path_buf();
    let mut names: Vec<String> = std::fs::read_dir(root.join("2026-12-01"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "app_events.parquet",
            "calls.parquet",
            "national_push.parquet",
            "number_lists.parquet",
            "sms.parquet",
            "transfers.parquet",
            "url_visits.parquet"
        ]
    );

    // One day alone, and the whole archive, read as feed directories.
    let day: Vec<_> = read_back(&root.join("2026-12-01"));
    assert_eq!(day.len() as u64, day1.signals());
    let all = read_back(&root);
    assert_eq!(all, expected(&signals));

    // Each day holds exactly the signals of its Asia/Shanghai date.
    for s in read_back(&root.join("2026-12-02")) {
        assert!((DAY0 + 24 * HOUR..DAY0 + 48 * HOUR).contains(&s.ts()));
    }
}

#[test]
fn late_signals_of_a_compacted_day_land_as_a_part_and_are_compacted_in() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = open(dir.path(), ArchiveOptions::default());
    let mut all = Vec::new();
    let mut seq = 0;
    let mut push = |a: &mut Archive, s: Signal, all: &mut Vec<Signal>| {
        seq += 1;
        assert!(a.push(seq, &s));
        all.push(s);
    };
    push(&mut a, signal(0, DAY0 + HOUR), &mut all);
    push(&mut a, signal(1, DAY0 + 27 * HOUR), &mut all);
    assert_eq!(a.flush(today()).unwrap().compacted, vec!["2026-12-01"]);
    // A day-one call arriving a day late.
    push(&mut a, signal(8, DAY0 + 2 * HOUR), &mut all);
    push(&mut a, signal(9, DAY0 + 28 * HOUR), &mut all);
    let f = a.flush(today()).unwrap();
    assert_eq!(f.compacted, vec!["2026-12-01"]);
    assert_eq!(a.state().days["2026-12-01"].signals(), 2);
    assert_eq!(read_back(a.root()), expected(&all));
}

#[test]
fn messages_read_again_after_a_reconnect_are_not_archived_twice() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = open(dir.path(), ArchiveOptions::default());
    let s = stream(10, 1);
    for (i, x) in s.iter().enumerate() {
        a.push(i as u64 + 1, x);
    }
    a.skip(11); // not a signal
    a.flush(today()).unwrap();
    assert_eq!(a.through(), 11);
    for (i, x) in s.iter().enumerate() {
        assert!(!a.push(i as u64 + 1, x));
    }
    assert!(!a.dirty());
    assert_eq!(read_back(a.root()).len(), 10);
}

#[test]
fn a_second_process_is_refused_while_the_first_holds_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    let a = open(dir.path(), ArchiveOptions::default());
    let Err(e) = Archive::open(dir.path(), "FANZHA_SIGNALS", ArchiveOptions::default()) else {
        panic!("a second archiver must be refused");
    };
    assert!(matches!(e, ArchiveError::Locked(_)));
    assert_eq!(e.code(), ErrorCode::ArchiveLocked);
    // Another stream in the same directory is another archive.
    Archive::open(dir.path(), "OTHER", ArchiveOptions::default()).unwrap();
    drop(a);
    Archive::open(dir.path(), "FANZHA_SIGNALS", ArchiveOptions::default()).unwrap();
}

#[test]
fn days_older_than_the_retention_are_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let options = ArchiveOptions {
        keep_days: Some(8),
        ..ArchiveOptions::default()
    };
    let mut a = open(dir.path(), options);
    for (i, s) in stream(300, 4).iter().enumerate() {
        a.push(i as u64 + 1, s);
    }
    // Today 2026-12-10, eight days kept: 12-02 and later stay.
    let f = a.flush(today()).unwrap();
    assert_eq!(f.pruned, vec!["2026-12-01"]);
    assert!(!a.root().join("2026-12-01").exists());
    assert!(a.root().join("2026-12-02").is_dir());
    assert_eq!(
        a.state().days.keys().collect::<Vec<_>>(),
        ["2026-12-02", "2026-12-03", "2026-12-04"]
    );
    let status = fanzha_archive::status(dir.path(), "FANZHA_SIGNALS")
        .unwrap()
        .expect("a state");
    assert_eq!(&status, a.state());
    assert!(fanzha_archive::status(dir.path(), "NONE")
        .unwrap()
        .is_none());
}

#[test]
fn a_damaged_state_file_is_refused_with_its_code() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path(), ArchiveOptions::default()));
    let root = dir.path().join("FANZHA_SIGNALS");
    std::fs::write(root.join("ARCHIVE.json"), b"{\"format\": 1, \"strea").unwrap();
    let Err(e) = Archive::open(dir.path(), "FANZHA_SIGNALS", ArchiveOptions::default()) else {
        panic!("a damaged state must be refused");
    };
    assert_eq!(e.code(), ErrorCode::ArchiveDamaged);
    assert!(e.to_string().contains("ARCHIVE.json"), "{e}");
}
