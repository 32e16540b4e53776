//! `fanzha figures import-operators`, `import-banks` and `import-crime` end to end, on a fresh SQLite data
//! directory: an operator's table (padded division codes, Chinese months, a branch's name) and
//! the statistics office's criminal cases are entered per unit and month; rows outside the area,
//! of a month to come or unreadable go to the quarantine with line, column and reason; a table
//! without an operator column takes `--operator`; misuse exits 2, a missing file 1.

use crate::common;

use common::{fanzha, json};

#[test]
fn monthly_tables_are_entered_and_the_rest_quarantined() {
    let dir = tempfile::tempdir().unwrap();
    json(&fanzha(
        dir.path(),
        &["import", "divisions", "--root", "330281", "--json"],
    ));
    let table = dir.path().join("联通反制月报.csv");
    std::fs::write(
        &table,
        "区划代码,运营商,月份,拦截诈骗电话,拦截诈骗短信,自主关停涉诈号码\n\
         330281000000,浙江联通,2026年6月,\"23,400\",5600,12\n\
         330281001000,联通,2026-06,1.2万,,\n\
         330282,联通,2026-06,5,5,5\n\
         330281,联通,2099-01,5,5,5\n\
         330281,铁通,2026-06,1,1,1\n",
    )
    .unwrap();
    let args = [
        "figures",
        "import-operators",
        table.to_str().unwrap(),
        "--json",
    ];
    let out = fanzha(dir.path(), &args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(stdout.contains(":4 unit unit_outside_area"), "{stdout}");
    assert!(stdout.contains(":5 month future_month"), "{stdout}");
    assert!(stdout.contains(":6 operator unknown_operator"), "{stdout}");
    let first = json(&out);
    assert_eq!(
        (first["read"].as_i64(), first["entered"].as_i64()),
        (Some(5), Some(2)),
        "{first}"
    );
    assert_eq!(first["quarantined"], 3, "{first}");
    assert_eq!(first["by_reason"]["future_month"], 1, "{first}");
    // Importing again corrects the same entries: nothing new is quarantined or added.
    let again = json(&fanzha(dir.path(), &args));
    assert_eq!(again["entered"], 2, "{again}");

    // A table of one operator without the column: --operator names it; without it, no row goes in.
    let mobile = dir.path().join("移动.csv");
    std::fs::write(&mobile, "单位代码,月份,拦截诈骗电话\n330281,2026-05,100\n").unwrap();
    let none = json(&fanzha(
        dir.path(),
        &[
            "figures",
            "import-operators",
            mobile.to_str().unwrap(),
            "--json",
        ],
    ));
    assert_eq!(none["by_reason"]["no_operator"], 1, "{none}");
    let named = json(&fanzha(
        dir.path(),
        &[
            "figures",
            "import-operators",
            mobile.to_str().unwrap(),
            "--operator",
            "china_mobile",
            "--json",
        ],
    ));
    assert_eq!(named["entered"], 1, "{named}");

    let crime = dir.path().join("刑事立案.csv");
    std::fs::write(
        &crime,
        "单位代码,月份,刑事案件立案数\n330281,2026-05,120\n330281001,2026-05,很多\n",
    )
    .unwrap();
    let c = json(&fanzha(
        dir.path(),
        &["figures", "import-crime", crime.to_str().unwrap(), "--json"],
    ));
    assert_eq!(
        (c["entered"].as_i64(), c["quarantined"].as_i64()),
        (Some(1), Some(1)),
        "{c}"
    );
    assert_eq!(c["rejected_rows"][0]["reason"], "bad_count", "{c}");

    // A bank's table: the bank as its branch writes it, or --bank for a table without one.
    let banks = dir.path().join("银行反诈数据.csv");
    std::fs::write(
        &banks,
        "单位代码,银行,月份,劝阻群众,劝阻涉及金额\n\
         330281,工商银行余姚支行,2026-05,4,\"30,000\"\n\
         330281001,城东信用社,2026-05,1,100\n",
    )
    .unwrap();
    let b = json(&fanzha(
        dir.path(),
        &["figures", "import-banks", banks.to_str().unwrap(), "--json"],
    ));
    assert_eq!(
        (b["entered"].as_i64(), b["quarantined"].as_i64()),
        (Some(1), Some(1)),
        "{b}"
    );
    assert_eq!(b["rejected_rows"][0]["reason"], "unknown_bank", "{b}");
    let own = dir.path().join("建行.csv");
    std::fs::write(&own, "单位代码,月份,劝阻群众\n330281,2026-05,2\n").unwrap();
    let named = json(&fanzha(
        dir.path(),
        &[
            "figures",
            "import-banks",
            own.to_str().unwrap(),
            "--bank",
            "建设银行",
            "--json",
        ],
    ));
    assert_eq!(named["entered"], 1, "{named}");

    // Without --json: a readable table.
    let text = fanzha(dir.path(), &args[..args.len() - 1]);
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("entered") && !text.trim_end().ends_with('}'),
        "{text}"
    );
}

#[test]
fn a_missing_file_exits_1_and_misuse_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing.csv");
    let out = fanzha(
        dir.path(),
        &["figures", "import-crime", missing.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("file_unreadable"));
    let file = dir.path().join("f.csv");
    std::fs::write(&file, "单位代码\n").unwrap();
    for bad in [
        vec!["figures", "import-crime"],
        vec![
            "figures",
            "import-operators",
            file.to_str().unwrap(),
            "--operator",
            "nokia",
        ],
        vec![
            "figures",
            "import-crime",
            file.to_str().unwrap(),
            "--format",
            "pdf",
        ],
        vec![
            "figures",
            "import-banks",
            file.to_str().unwrap(),
            "--bank",
            "某某银行",
        ],
    ] {
        let out = fanzha(dir.path(), &bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
}
