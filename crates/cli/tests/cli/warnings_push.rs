//! `fanzha warnings import-push` end to end on a fresh SQLite data directory: a national list
//! with two registered residents' pushes (new, merged into the open instruction, new) and bad
//! rows quarantined with line, column and reason; the readable table and the `--json` object;
//! the same list again is all already known and issues no second warning; an unknown platform is
//! a usage error.

use crate::common;
use fanzha_store::{Scope, Store, WarningFilter};

use std::path::Path;

use common::{fanzha, json};

fn resident(seq: u16, year: i32, sex: fanzha_core::Sex) -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(year, 7, 9).unwrap();
    fanzha_core::ResidentId::generate(330281, birth, seq, sex)
        .unwrap()
        .as_str()
        .to_string()
}

/// The national platform's pushed warnings stored in the data directory.
fn pushed_warnings(dir: &Path) -> i64 {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("data/fanzha.db").display());
    rt.block_on(async {
        let store = Store::open(&url).await.unwrap();
        let n = store
            .warnings()
            .count(
                &Scope::platform(),
                &WarningFilter {
                    source: Some("national_push".into()),
                    ..WarningFilter::default()
                },
            )
            .await
            .unwrap();
        store.close().await;
        n
    })
}

/// Two residents of 余姚 (花园社区); the list pushes the first by phone (red, new), then by ID
/// (yellow, merged into her open instruction), the second by phone and ID (new), and five bad
/// rows: a push id with a space, nobody named, a push id repeated, an unknown level and a short
/// phone number.
#[test]
fn a_push_list_is_received_once_and_its_bad_rows_quarantined() {
    let dir = tempfile::tempdir().unwrap();
    json(&fanzha(
        dir.path(),
        &["import", "divisions", "--root", "330281", "--json"],
    ));
    let first = resident(3, 1958, fanzha_core::Sex::Female);
    let second = resident(11, 1971, fanzha_core::Sex::Male);
    let people = dir.path().join("people.csv");
    std::fs::write(
        &people,
        format!(
            "身份证号,姓名,手机号,住址,村社区代码,工作单位,财政供养人员\n\
             {first},王秀英,13900139000,花园社区1号,330281001001,,否\n\
             {second},李建华,13900139001,花园社区2号,330281001001,,否\n"
        ),
    )
    .unwrap();
    let imported = json(&fanzha(
        dir.path(),
        &["import", "people", people.to_str().unwrap(), "--json"],
    ));
    assert_eq!(imported["accepted"], 2, "{imported}");

    let list = dir.path().join("gj0310.csv");
    std::fs::write(
        &list,
        format!(
            "推送编号,推送时间,手机号码,身份证号,姓名,诈骗类型,预警级别,涉诈号码,备注\n\
             GJ20260310-001,2026-03-10 09:00:00,13900139000,,王秀英,冒充公检法,红,\"17012345678、95566\",对端为涉诈号码\n\
             GJ20260310-002,2026-03-10 09:05:00,,{first},王秀英,刷单返利,黄,,\n\
             GJ20260310-003,2026-03-10 09:10:00,13900139001,{second},李建华,,2,,\n\
             GJ 004,2026-03-10 09:15:00,13900139001,,,,,,\n\
             GJ20260310-005,2026-03-10 09:20:00,,,张三,,,,\n\
             GJ20260310-001,2026-03-10 09:25:00,13900139000,,,,,,\n\
             GJ20260310-007,2026-03-10 09:30:00,13900139000,,,,紫,,\n\
             GJ20260310-008,2026-03-10 09:35:00,1390013900,,,,,,\n"
        ),
    )
    .unwrap();
    let list_arg = list.to_str().unwrap();

    // The readable table: the rejected rows by line, column and reason, then the figures.
    let out = fanzha(
        dir.path(),
        &[
            "warnings",
            "import-push",
            list_arg,
            "--platform",
            "national",
        ],
    );
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8(out.stdout).unwrap();
    for rejected in [
        ":5 push_id bad_push_id",
        ":6 phone no_person",
        ":7 push_id duplicate_in_file",
        ":8 level bad_level",
        ":9 phone bad_length",
    ] {
        assert!(table.contains(&format!("gj0310.csv{rejected}")), "{table}");
    }
    assert!(table.contains("导入预警推送名单"), "{table}");
    for figure in [
        "platform",
        "read",
        "accepted",
        "new",
        "merged",
        "known",
        "quarantined",
    ] {
        assert!(
            table.lines().any(|l| l.starts_with(figure)),
            "{figure}: {table}"
        );
    }
    assert!(table.contains("by_reason.no_person"), "{table}");
    // Personal data never reaches the table, masked or not; no JSON without --json.
    assert!(!table.contains("13900139000"), "{table}");
    assert!(!table.contains(&first), "{table}");
    assert!(!table.trim_end().ends_with('}'), "{table}");
    assert_eq!(pushed_warnings(dir.path()), 3);

    // The same list again, with --json: all already known, nothing new.
    let args = [
        "warnings",
        "import-push",
        list_arg,
        "--platform",
        "national",
        "--json",
    ];
    let again = json(&fanzha(dir.path(), &args));
    assert_eq!(again["platform"], "national", "{again}");
    assert_eq!(again["read"], 8, "{again}");
    assert_eq!(again["accepted"], 3, "{again}");
    assert_eq!(again["new"], 0, "{again}");
    assert_eq!(again["merged"], 0, "{again}");
    assert_eq!(again["known"], 3, "{again}");
    assert_eq!(again["quarantined"], 5, "{again}");
    for reason in [
        "bad_push_id",
        "no_person",
        "duplicate_in_file",
        "bad_level",
        "bad_length",
    ] {
        assert_eq!(again["by_reason"][reason], 1, "{reason}: {again}");
    }
    let rejected: Vec<(u64, &str, &str)> = again["rejected_rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["column"].as_str().unwrap(),
                r["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rejected,
        [
            (5, "push_id", "bad_push_id"),
            (6, "phone", "no_person"),
            (7, "push_id", "duplicate_in_file"),
            (8, "level", "bad_level"),
            (9, "phone", "bad_length"),
        ]
    );
    let rows = again["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "{again}");
    assert!(rows.iter().all(|r| r["result"] == "known"), "{again}");
    assert_eq!(rows[0]["phone"], "139****9000", "{again}");
    assert_eq!(pushed_warnings(dir.path()), 3, "no second warning");

    // The first run's figures, as its import run recorded them: 2 new, 1 merged.
    let first_run = again["import_run"].as_i64().unwrap() - 1;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("data/fanzha.db").display()
    );
    let listed = rt.block_on(async {
        let store = Store::open(&url).await.unwrap();
        let listed = store
            .warning_pushes()
            .imports(&Scope::platform(), None, 10)
            .await
            .unwrap();
        store.close().await;
        listed
    });
    let run = listed
        .iter()
        .find(|i| i.import_run.0 == first_run)
        .expect("the first import is listed");
    assert_eq!((run.new, run.merged, run.known), (2, 1, 0));
    assert_eq!((run.read, run.accepted, run.quarantined), (8, 3, 5));
}

/// An unknown platform is a usage error (exit 2) and reads nothing; a missing file exits 1.
#[test]
fn a_bad_platform_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.csv");
    std::fs::write(&list, "推送编号,推送时间,手机号码\n").unwrap();
    let out = fanzha(
        dir.path(),
        &[
            "warnings",
            "import-push",
            list.to_str().unwrap(),
            "--platform",
            "weibo",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown platform"), "{stderr}");
    let missing = fanzha(
        dir.path(),
        &[
            "warnings",
            "import-push",
            "absent.csv",
            "--platform",
            "dongfeng",
        ],
    );
    assert_eq!(missing.status.code(), Some(1));
}
