//! `fanzha guardians import` end to end, on a fresh SQLite data directory: the people file's
//! 金钟罩 column signs residents up; a guardian list records the area's guardians once (one per
//! resident and phone) and signs their residents up; its bad rows and the people nobody knows go
//! to the quarantine with line, column and reason; a missing file exits 1, misuse 2.

use crate::common;

use common::{fanzha, json};

fn resident(seq: u16) -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(1956, 8, 20).unwrap();
    fanzha_core::ResidentId::generate(330281, birth, seq, fanzha_core::Sex::Female)
        .unwrap()
        .as_str()
        .to_string()
}

#[test]
fn a_list_records_the_guardians_once_and_quarantines_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    json(&fanzha(
        dir.path(),
        &["import", "divisions", "--root", "330281", "--json"],
    ));
    let people = dir.path().join("people.csv");
    std::fs::write(
        &people,
        format!(
            "身份证号,姓名,手机号,村社区代码,是否注册金钟罩\n\
             {},张桂英,13812345678,330281001001,是\n\
             {},李秀兰,13912345670,330281001003,否\n",
            resident(21),
            resident(23)
        ),
    )
    .unwrap();
    let imported = json(&fanzha(
        dir.path(),
        &["import", "people", people.to_str().unwrap(), "--json"],
    ));
    assert_eq!(imported["accepted"], 2, "{imported}");

    let list = dir.path().join("家属名单.csv");
    std::fs::write(
        &list,
        format!(
            "被保护人身份证号,监护人姓名,监护人手机号,与本人关系\n\
             {a},张小明,13911110001,女儿\n\
             {b},李大伟,13911110003,子女\n\
             {c},王小红,13911110004,子女\n\
             {a},赵六,13911110005,上司\n\
             {a},钱七,12345,配偶\n",
            a = resident(21),
            b = resident(23),
            c = resident(25)
        ),
    )
    .unwrap();
    let args = ["guardians", "import", list.to_str().unwrap(), "--json"];
    let out = fanzha(dir.path(), &args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(stdout.contains(":4 resident_id person_unknown"), "{stdout}");
    assert!(stdout.contains(":5 relation unknown_relation"), "{stdout}");
    assert!(stdout.contains(":6 phone "), "{stdout}");
    let first = json(&out);
    assert_eq!(first["read"], 5, "{first}");
    assert_eq!(first["added"], 2, "{first}");
    // 张桂英 signed up from the people file already; 李秀兰 by the list.
    assert_eq!(first["signed_up"], 1, "{first}");
    assert_eq!(first["quarantined"], 3, "{first}");
    assert_eq!(first["by_reason"]["person_unknown"], 1, "{first}");
    assert_eq!(first["by_reason"]["unknown_relation"], 1, "{first}");
    assert_eq!(first["rejected_rows"][0]["line"], 4, "{first}");
    assert_eq!(
        first["rejected_rows"][0]["column"], "resident_id",
        "{first}"
    );

    let again = json(&fanzha(dir.path(), &args));
    assert_eq!(again["added"], 0, "{again}");
    assert_eq!(again["unchanged"], 2, "{again}");
    assert_eq!(again["signed_up"], 0, "{again}");

    // Without --json: a readable table.
    let table = fanzha(dir.path(), &args[..args.len() - 1]);
    assert!(table.status.success());
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("unchanged") && text.contains("added"),
        "{text}"
    );
    assert!(!text.trim_end().ends_with('}'), "{text}");
}

#[test]
fn a_missing_file_exits_1_and_misuse_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing.csv");
    let out = fanzha(
        dir.path(),
        &["guardians", "import", missing.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("file_unreadable"));
    let list = dir.path().join("g.csv");
    std::fs::write(&list, "身份证号\n").unwrap();
    for bad in [
        vec!["guardians", "import"],
        vec![
            "guardians",
            "import",
            list.to_str().unwrap(),
            "--format",
            "pdf",
        ],
        vec!["guardians", "export", list.to_str().unwrap()],
    ] {
        let out = fanzha(dir.path(), &bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
}
