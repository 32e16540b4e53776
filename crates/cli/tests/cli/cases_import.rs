//! `fanzha cases import` end to end on a fresh SQLite data directory: a GBK export of the 110
//! system opens a case per good row, quarantines the bad ones (a wrong ID number, a unit
//! outside `--unit`'s subtree) with line and reason, and a second run opens nothing and says so.

use crate::common;

use common::{fanzha, json};
use fanzha_store::{ImportRunId, PageRequest, Scope, Store};

#[test]
fn a_110_export_opens_cases_once_and_quarantines_bad_rows() {
    let dir = tempfile::tempdir().unwrap();
    json(&fanzha(
        dir.path(),
        &["import", "divisions", "--root", "3302", "--json"],
    ));
    let text = [
        "接警编号,报警人,证件号码,接警时间,损失金额(万元),简要案情,管辖单位",
        "110-9001,张三,330281199001011235,2026年3月1日 10时30分,1.5,对方冒充公安说我涉嫌洗钱，让我转账到安全账户。,",
        "110-9002,李四,,2026-03-01 11:00,0.2,刷单返利，先垫付后返佣金。,330281",
        "110-9003,王五,330281199001011234,2026-03-01 12:00,1,冒充客服退款。,",
        "110-9004,赵六,,2026-03-01 13:00,1,网络贷款要先交手续费。,330282",
    ]
    .join("\n");
    let (bytes, _, _) = encoding_rs::GBK.encode(&text);
    let file = dir.path().join("110.csv");
    std::fs::write(&file, &bytes).unwrap();
    let file_arg = file.to_str().unwrap();
    let args = [
        "cases", "import", "--file", file_arg, "--unit", "330281", "--json",
    ];

    let out = fanzha(dir.path(), &args);
    let first = json(&out);
    assert_eq!(first["read"], 4);
    assert_eq!(first["imported"], 2);
    assert_eq!(first["duplicate"], 0);
    assert_eq!(first["rejected"], 2);
    assert_eq!(first["nothing_new"], false);
    assert_eq!(first["format"], "csv");
    assert_eq!(first["by_reason"]["bad_check_digit"], 1);
    assert_eq!(first["by_reason"]["unit_out_of_scope"], 1);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(&format!("{file_arg}:4 id_number bad_check_digit")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{file_arg}:5 unit unit_out_of_scope")),
        "{stdout}"
    );

    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("data/fanzha.db").display()
    );
    let store = rt.block_on(Store::open(&url)).unwrap();
    let cases = rt
        .block_on(
            store
                .cases()
                .list(&Scope::platform(), &PageRequest::first(100)),
        )
        .unwrap()
        .items;
    assert_eq!(cases.len(), 2);
    let c = cases
        .iter()
        .find(|c| c.report_no.as_deref() == Some("110-9001"))
        .unwrap();
    assert_eq!((c.loss_fen, c.source.as_str()), (1_500_000, "import"));
    assert_eq!(c.created_by, "cli");
    let run = ImportRunId(first["import_run"].as_i64().unwrap());
    let q = rt
        .block_on(store.imports().quarantine(run, &PageRequest::first(10)))
        .unwrap()
        .items;
    assert_eq!(
        q.iter()
            .map(|r| (r.row.line, r.row.reason.as_str()))
            .collect::<Vec<_>>(),
        [(4, "bad_check_digit"), (5, "unit_out_of_scope")]
    );
    rt.block_on(store.close());

    let second = json(&fanzha(dir.path(), &args));
    assert_eq!(second["imported"], 0);
    assert_eq!(second["duplicate"], 2);
    assert_eq!(second["rejected"], 2);
    assert_eq!(second["nothing_new"], true);

    // A unit that does not exist, or a file that does not, fails with its code.
    let bad = fanzha(
        dir.path(),
        &["cases", "import", "--file", file_arg, "--unit", "999999"],
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("error[unit_not_found]"));
    let missing = fanzha(
        dir.path(),
        &["cases", "import", "--file", "nope.csv", "--unit", "330281"],
    );
    assert!(String::from_utf8_lossy(&missing.stderr).contains("error[file_unreadable]"));
}
