//! The CSV reader on generated files with known defects: every bad row is quarantined with its
//! line, column and reason; every good row is accepted; the result does not depend on how the
//! file is cut into blocks and chunks.

use crate::common;

use common::{import, import_with, reasons};
use fanzha_ingest::synthetic::{write_people_csv, PeopleSpec};
use fanzha_ingest::{Field, ImportOptions, IngestError, RecordKind};
use std::io::Write;

fn generated(
    rows: usize,
    bad_share: f64,
    encoding_errors: bool,
) -> (
    tempfile::TempDir,
    std::path::PathBuf,
    fanzha_ingest::synthetic::Expected,
) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("people.csv");
    let mut f = std::fs::File::create(&path).unwrap();
    let spec = PeopleSpec {
        rows,
        bad_share,
        seed: 11,
        encoding_errors,
    };
    let expected = write_people_csv(&mut f, &spec).unwrap();
    (dir, path, expected)
}

#[test]
fn every_bad_row_is_quarantined_with_its_line_and_reason() {
    let (_dir, path, expected) = generated(20_000, 0.03, true);
    let (summary, got) = import(&path, RecordKind::People);
    let want: Vec<_> = expected
        .rejected
        .iter()
        .map(|r| (r.line, r.column, r.reason))
        .collect();
    assert_eq!(reasons(&got), want);
    let ids: Vec<&str> = got.records.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(
        ids,
        expected
            .accepted_ids
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    assert_eq!(summary.read, 20_000);
    assert_eq!(summary.accepted, expected.accepted_ids.len() as u64);
    assert_eq!(summary.quarantined, expected.rejected.len() as u64);
    assert_eq!(summary.by_reason.values().sum::<u64>(), summary.quarantined);
    assert!(summary.by_reason.len() >= 9, "{:?}", summary.by_reason);
    assert_eq!(summary.encoding, "UTF-8");
}

#[test]
fn results_do_not_depend_on_block_size() {
    let (_dir, path, _) = generated(5_000, 0.05, true);
    let (_, whole) = import(&path, RecordKind::People);
    for block in [4 << 10, 37 << 10, 300 << 10] {
        // Streamed through a buffer and memory-mapped alike.
        for map_min_bytes in [u64::MAX, 0] {
            let mut opts = ImportOptions::new(RecordKind::People);
            opts.block_bytes = block;
            opts.chunk_bytes = block / 5;
            opts.batch_rows = 777;
            opts.map_min_bytes = map_min_bytes;
            let (_, pieces) = import_with(&path, opts);
            assert_eq!(
                pieces.records, whole.records,
                "block {block} {map_min_bytes}"
            );
            assert_eq!(
                pieces.quarantine, whole.quarantine,
                "block {block} {map_min_bytes}"
            );
        }
    }
}

#[test]
fn a_row_longer_than_a_block_is_read_whole_across_blocks() {
    // A quoted address of 150 KiB over many lines: longer than the block and than the spare room
    // kept for a block's unfinished row, so the reader must join it with the following blocks.
    let (dir, path, _) = generated(3_000, 0.0, false);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let long = format!("\"{}\"", "人民路1号\n".repeat(150 * 1024 / 14));
    let row = format!("11010519491231002X,张三,13812345678,{long},,,");
    lines.insert(1_500, &row);
    let joined = dir.path().join("long.csv");
    std::fs::write(&joined, lines.join("\n") + "\n").unwrap();
    let (_, whole) = import(&joined, RecordKind::People);
    assert_eq!(whole.records.len(), 3_000);
    assert_eq!(whole.quarantine.len(), 1, "{:?}", reasons(&whole));
    assert_eq!(reasons(&whole)[0].1, Some(Field::Address));
    assert_eq!(reasons(&whole)[0].2, "too_long");
    for block in [16 << 10, 40 << 10] {
        // The mapped reader widens its block until the row fits.
        for map_min_bytes in [u64::MAX, 0] {
            let mut opts = ImportOptions::new(RecordKind::People);
            opts.block_bytes = block;
            opts.chunk_bytes = block / 3;
            opts.map_min_bytes = map_min_bytes;
            let (_, pieces) = import_with(&joined, opts);
            assert_eq!(
                pieces.records, whole.records,
                "block {block} {map_min_bytes}"
            );
            assert_eq!(
                pieces.quarantine, whole.quarantine,
                "block {block} {map_min_bytes}"
            );
        }
    }
}

#[test]
fn batches_are_bounded() {
    let (_dir, path, _) = generated(5_000, 0.0, false);
    let mut opts = ImportOptions::new(RecordKind::People);
    opts.batch_rows = 1_000;
    let (_, got) = import_with(&path, opts);
    assert!(got.batches >= 5, "{} batches", got.batches);
}

#[test]
fn gzip_compressed_csv_reads_like_plain() {
    let (dir, path, expected) = generated(3_000, 0.02, false);
    let gz = dir.path().join("people.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    enc.write_all(&std::fs::read(&path).unwrap()).unwrap();
    enc.finish().unwrap();
    let (summary, got) = import(&gz, RecordKind::People);
    assert!(summary.gzip);
    assert_eq!(got.records.len(), expected.accepted_ids.len());
    assert_eq!(got.quarantine.len(), expected.rejected.len());
}

#[test]
fn gbk_file_is_detected_and_decoded() {
    let text = "身份证号,姓名,手机号,住址\n\
                11010519491231002X,张三,13812345678,北京市东城区和平里街道\n\
                440524188001010014,欧阳娜娜,,广东省汕头市潮阳区\n\
                41010219900101999X,李四,1381234567,河南省郑州市\n";
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gbk.csv");
    std::fs::write(&path, &bytes).unwrap();
    let (summary, got) = import(&path, RecordKind::People);
    assert!(
        summary.encoding == "GBK" || summary.encoding == "gb18030",
        "{}",
        summary.encoding
    );
    let names: Vec<&str> = got.records.iter().map(|r| r.2.as_str()).collect();
    assert_eq!(names, vec!["张三", "欧阳娜娜"]);
    assert_eq!(reasons(&got), vec![(4, Some(Field::Phone), "bad_length")]);
    assert!(got.quarantine[0].raw.contains("李四"));
}

#[test]
fn bom_crlf_and_quoted_newlines_keep_physical_line_numbers() {
    let text = "\u{feff}姓名,身份证号,住址\r\n\
                张三,11010519491231002X,\"第一行\r\n第二行\"\r\n\
                \r\n\
                李四,11010519491231002Y,x\r\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.csv");
    std::fs::write(&path, text).unwrap();
    for map_min_bytes in [u64::MAX, 0] {
        let mut opts = ImportOptions::new(RecordKind::People);
        opts.map_min_bytes = map_min_bytes;
        let (summary, got) = import_with(&path, opts);
        assert_eq!(got.records.len(), 1);
        assert_eq!(got.records[0].0, 2);
        assert_eq!(reasons(&got), vec![(5, Some(Field::IdNumber), "non_digit")]);
        // The byte-order mark is skipped, not part of the first column's name, yet hashed.
        assert_eq!(summary.bytes, text.len() as u64);
        assert_eq!(
            summary.content_hash,
            fanzha_ingest::content_hash(&path).unwrap()
        );
    }
}

#[test]
fn missing_required_column_is_a_file_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.csv");
    std::fs::write(&path, "姓名,手机号\n张三,13812345678\n").unwrap();
    let mut sink = common::Collected::default();
    let err = fanzha_ingest::import_file(&path, &ImportOptions::new(RecordKind::People), &mut sink)
        .unwrap_err();
    match err {
        IngestError::HeaderMissingColumn { column, accepted } => {
            assert_eq!(column, Field::IdNumber);
            assert!(accepted.contains(&"公民身份号码".to_string()));
        }
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn unreadable_file_is_an_error() {
    let mut sink = common::Collected::default();
    let err = fanzha_ingest::import_file(
        std::path::Path::new("/nonexistent/people.csv"),
        &ImportOptions::new(RecordKind::People),
        &mut sink,
    )
    .unwrap_err();
    assert!(matches!(err, IngestError::FileUnreadable { .. }));
}

#[test]
fn an_unclosed_quote_loses_only_its_own_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.csv");
    std::fs::write(
        &path,
        "姓名,身份证号\n张三,11010519491231002X\n\"李四,440524188001010014\n王五,41010219900101999X\n",
    )
    .unwrap();
    let (_, got) = import(&path, RecordKind::People);
    assert_eq!(reasons(&got), vec![(3, None, "unterminated_quote")]);
    let lines: Vec<u64> = got.records.iter().map(|r| r.0).collect();
    assert_eq!(lines, vec![2, 4]);
}

#[test]
fn phones_and_accounts_files() {
    let dir = tempfile::tempdir().unwrap();
    let phones = dir.path().join("phones.csv");
    std::fs::write(
        &phones,
        "机主身份证号,手机号码,入网时间\n\
         11010519491231002X,13812345678,2024-03-01 10:00:00\n\
         ,+852 9123 4567,\n\
         ,13812345678,\n\
         11010519491231002X,1381234567,\n",
    )
    .unwrap();
    let (s, got) = import(&phones, RecordKind::Phones);
    assert_eq!(s.accepted, 2);
    assert_eq!(
        reasons(&got),
        vec![
            (4, Some(Field::Phone), "duplicate_in_file"),
            (5, Some(Field::Phone), "bad_length")
        ]
    );
    let accounts = dir.path().join("accounts.csv");
    std::fs::write(
        &accounts,
        "银行卡号,开户人身份证号,开户行,开户时间\n\
         6222021234567890128,11010519491231002X,,2024-01-02\n\
         6222021234567890127,,,\n",
    )
    .unwrap();
    let (s, got) = import(&accounts, RecordKind::Accounts);
    assert_eq!(s.read, 2);
    assert_eq!(reasons(&got), vec![(3, Some(Field::AccountNo), "bad_luhn")]);
}

/// The national anti-fraud app column is read as a flag; a value that is not one quarantines
/// the row, and a file without the column says nothing about it.
#[test]
fn the_anti_fraud_app_column_is_a_flag() {
    let text = "身份证号,姓名,是否注册国家反诈中心APP\n\
                11010519491231002X,张三,是\n\
                440524188001010014,李四,否\n\
                41010219900101999X,王五,也许\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.csv");
    std::fs::write(&path, text).unwrap();
    let mut flags = Vec::new();
    let mut quarantined = Vec::new();
    let mut collect = FnSink(|batch: fanzha_ingest::Batch<'_>| {
        for r in batch.records {
            if let fanzha_ingest::Record::Person(p) = r {
                flags.push((p.line, p.app_registered));
            }
        }
        quarantined.extend(reasons_of(&batch.quarantine));
    });
    fanzha_ingest::import_file(
        &path,
        &fanzha_ingest::ImportOptions::new(RecordKind::People),
        &mut collect,
    )
    .unwrap();
    assert_eq!(flags, vec![(2, Some(true)), (3, Some(false))]);
    assert_eq!(
        quarantined,
        vec![(4, Some(Field::AppRegistered), "bad_flag")]
    );

    let plain = dir.path().join("plain.csv");
    std::fs::write(&plain, "身份证号,姓名\n11010519491231002X,张三\n").unwrap();
    let mut seen = Vec::new();
    let mut collect = FnSink(|b: fanzha_ingest::Batch<'_>| {
        for r in b.records {
            if let fanzha_ingest::Record::Person(p) = r {
                seen.push(p.app_registered);
            }
        }
    });
    fanzha_ingest::import_file(
        &plain,
        &fanzha_ingest::ImportOptions::new(RecordKind::People),
        &mut collect,
    )
    .unwrap();
    assert_eq!(seen, vec![None]);
}

/// The 金钟罩 sign-up column is read as a flag under its Chinese names; a value that is not one
/// quarantines the row with the column, and a file without it says nothing about it.
#[test]
fn the_joint_defense_column_is_a_flag() {
    let text = "身份证号,姓名,是否注册金钟罩,国家反诈中心APP\n\
                11010519491231002X,张三,是,否\n\
                440524188001010014,李四,否,\n\
                41010219900101999X,王五,不知道,是\n\
                110105198001011238,赵六,,是\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jzz.csv");
    std::fs::write(&path, text).unwrap();
    let mut flags = Vec::new();
    let mut quarantined = Vec::new();
    let mut collect = FnSink(|batch: fanzha_ingest::Batch<'_>| {
        for r in batch.records {
            if let fanzha_ingest::Record::Person(p) = r {
                flags.push((p.line, p.joint_defense, p.app_registered));
            }
        }
        quarantined.extend(reasons_of(&batch.quarantine));
    });
    fanzha_ingest::import_file(
        &path,
        &fanzha_ingest::ImportOptions::new(RecordKind::People),
        &mut collect,
    )
    .unwrap();
    flags.sort();
    assert_eq!(
        flags,
        vec![
            (2, Some(true), Some(false)),
            (3, Some(false), None),
            (5, None, Some(true)),
        ]
    );
    assert_eq!(
        quarantined,
        vec![(4, Some(Field::JointDefense), "bad_flag")]
    );
}

fn reasons_of(q: &[fanzha_ingest::QuarantineEntry]) -> Vec<(u64, Option<Field>, &'static str)> {
    q.iter().map(|e| (e.line, e.column, e.reason)).collect()
}

/// A sink from a closure.
struct FnSink<F>(F);

impl<F: FnMut(fanzha_ingest::Batch<'_>)> fanzha_ingest::Sink for FnSink<F> {
    fn batch(&mut self, batch: fanzha_ingest::Batch<'_>) -> Result<(), fanzha_ingest::IngestError> {
        (self.0)(batch);
        Ok(())
    }
}
