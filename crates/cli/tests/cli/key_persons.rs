//! `fanzha key-persons import` end to end, on a fresh SQLite data directory: a list lists the
//! area's residents with the measures it states, once; its bad rows and the people nobody knows
//! go to the quarantine with line and reason; misuse exits 2.

use crate::common;

use common::{fanzha, json};

fn resident(seq: u16) -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(1990, 4, 5).unwrap();
    fanzha_core::ResidentId::generate(330281, birth, seq, fanzha_core::Sex::Male)
        .unwrap()
        .as_str()
        .to_string()
}

#[test]
fn a_list_lists_the_residents_once_and_quarantines_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    json(&fanzha(
        dir.path(),
        &["import", "divisions", "--root", "330281", "--json"],
    ));
    let people = dir.path().join("people.csv");
    std::fs::write(
        &people,
        format!(
            "身份证号,姓名,手机号,村社区代码\n{},张三,13812345678,330281001001\n{},李四,13912345670,330281001003\n",
            resident(11),
            resident(13)
        ),
    )
    .unwrap();
    let imported = json(&fanzha(
        dir.path(),
        &["import", "people", people.to_str().unwrap(), "--json"],
    ));
    assert_eq!(imported["accepted"], 2, "{imported}");
    let list = dir.path().join("惩戒名单.csv");
    std::fs::write(
        &list,
        format!(
            "姓名,身份证号,类别,惩戒类型,惩戒开始日期,惩戒结束日期\n\
             张三,{},两卡,金融惩戒,2026-03-01,2031-02-28\n\
             李四,{},,,,\n\
             王五,{},两卡,,,\n\
             赵六,{},未知,,,\n",
            resident(11),
            resident(13),
            resident(15),
            resident(17)
        ),
    )
    .unwrap();
    let args = [
        "key-persons",
        "import",
        list.to_str().unwrap(),
        "--category",
        "fraud_record",
        "--label",
        "2026年3月惩戒名单",
        "--json",
    ];
    let out = fanzha(dir.path(), &args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(stdout.contains(":4 resident_id person_unknown"), "{stdout}");
    assert!(stdout.contains(":5 category unknown_category"), "{stdout}");
    let first = json(&out);
    assert_eq!(first["read"], 4, "{first}");
    assert_eq!(first["listed"], 2, "{first}");
    assert_eq!(first["measures_added"], 1, "{first}");
    assert_eq!(first["quarantined"], 2, "{first}");
    assert_eq!(first["by_reason"]["person_unknown"], 1, "{first}");
    assert_eq!(first["by_reason"]["unknown_category"], 1, "{first}");

    let again = json(&fanzha(dir.path(), &args));
    assert_eq!(again["listed"], 0, "{again}");
    assert_eq!(again["already_listed"], 2, "{again}");
    assert_eq!(again["measures_added"], 0, "{again}");
    assert_eq!(again["measures_unchanged"], 1, "{again}");

    // Without --json: a readable table.
    let table = fanzha(dir.path(), &args[..args.len() - 1]);
    assert!(table.status.success());
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("already_listed") && text.contains('2'),
        "{text}"
    );
}

#[test]
fn misuse_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("l.csv");
    std::fs::write(&list, "身份证号\n").unwrap();
    for bad in [
        vec![
            "key-persons",
            "import",
            list.to_str().unwrap(),
            "--category",
            "nobody",
        ],
        vec![
            "key-persons",
            "import",
            list.to_str().unwrap(),
            "--source",
            "rumour",
        ],
        vec!["key-persons", "import"],
    ] {
        let out = fanzha(dir.path(), &bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
}
