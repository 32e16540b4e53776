//! `fanzha import people|phones|accounts` end to end on a fresh SQLite data directory: good rows
//! stored, every bad row in the quarantine with its line and reason, a second import of the same
//! file stores nothing new.

use crate::common;
use fanzha_ingest::synthetic::{write_people_csv, PeopleSpec};
use fanzha_store::{ImportRunId, PageRequest, Scope, Store};

use std::path::Path;

use common::{fanzha, json};

fn store(dir: &Path) -> (tokio::runtime::Runtime, Store) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("data/fanzha.db").display());
    let store = rt.block_on(Store::open(&url)).unwrap();
    (rt, store)
}

#[test]
fn people_import_stores_good_rows_quarantines_bad_ones_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("people.csv");
    let expected = write_people_csv(
        &mut std::fs::File::create(&file).unwrap(),
        &PeopleSpec {
            rows: 3_000,
            bad_share: 0.04,
            seed: 3,
            encoding_errors: true,
        },
    )
    .unwrap();
    let file_arg = file.to_str().unwrap();

    let first = json(&fanzha(
        dir.path(),
        &["import", "people", file_arg, "--json"],
    ));
    assert_eq!(first["read"], 3_000);
    assert_eq!(first["accepted"], expected.accepted_ids.len());
    assert_eq!(first["quarantined"], expected.rejected.len());
    assert_eq!(first["inserted"], expected.accepted_ids.len());
    assert_eq!(first["already_imported"], false);
    assert!(first["rows_per_s"].as_f64().unwrap() > 0.0);

    let (rt, store) = store(dir.path());
    let stored = rt
        .block_on(store.people().count(&Scope::platform()))
        .unwrap();
    assert_eq!(stored as usize, expected.accepted_ids.len());
    let sample = &expected.accepted_ids[expected.accepted_ids.len() / 2];
    let person = rt
        .block_on(store.people().get(&Scope::platform(), sample))
        .unwrap();
    assert_eq!(&person.resident_id, sample);

    let run = ImportRunId(first["import_run"].as_i64().unwrap());
    let quarantined = rt
        .block_on(store.imports().quarantine(run, &PageRequest::first(1_000)))
        .unwrap();
    let got: Vec<(i64, Option<String>, String)> = quarantined
        .items
        .iter()
        .map(|q| (q.row.line, q.row.column.clone(), q.row.reason.clone()))
        .collect();
    let want: Vec<(i64, Option<String>, String)> = expected
        .rejected
        .iter()
        .map(|r| {
            (
                r.line as i64,
                r.column.map(|c| c.as_str().to_string()),
                r.reason.to_string(),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert!(quarantined
        .items
        .iter()
        .all(|q| q.row.file == file_arg && !q.row.raw.is_empty()));

    // The same file again: recognised by its content, nothing stored.
    let second = json(&fanzha(
        dir.path(),
        &["import", "people", file_arg, "--json"],
    ));
    assert_eq!(second["already_imported"], true);
    assert_eq!(second["import_run"], first["import_run"]);
    assert_eq!(second["inserted"], 0);
    // Forced: read and upserted again, and nothing changes.
    let forced = json(&fanzha(
        dir.path(),
        &["import", "people", file_arg, "--force", "--json"],
    ));
    assert_eq!(forced["already_imported"], false);
    assert_eq!(forced["inserted"], 0);
    assert_eq!(forced["updated"], 0);
    assert_eq!(forced["unchanged"], expected.accepted_ids.len());
    let stored_after = rt
        .block_on(store.people().count(&Scope::platform()))
        .unwrap();
    assert_eq!(stored_after, stored);
}

#[test]
fn phones_and_accounts_import_with_bank_from_bin() {
    let dir = tempfile::tempdir().unwrap();
    let phones = dir.path().join("phones.ndjson");
    std::fs::write(
        &phones,
        "{\"手机号码\":\"13812345678\",\"机主身份证号\":\"11010519491231002X\"}\n{\"手机号码\":\"1381234567\"}\n",
    )
    .unwrap();
    let p = json(&fanzha(
        dir.path(),
        &["import", "phones", phones.to_str().unwrap(), "--json"],
    ));
    assert_eq!(
        (p["accepted"].as_u64(), p["quarantined"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(p["by_reason"]["bad_length"], 1);

    let accounts = dir.path().join("accounts.csv");
    std::fs::write(
        &accounts,
        "银行卡号,开户人证件号码\n6222021234567890128,11010519491231002X\n6222021234567890127,\n",
    )
    .unwrap();
    let a = json(&fanzha(
        dir.path(),
        &["import", "accounts", accounts.to_str().unwrap(), "--json"],
    ));
    assert_eq!(a["accepted"], 1);
    assert_eq!(a["by_reason"]["bad_luhn"], 1);
    let (rt, store) = store(dir.path());
    let acc = rt
        .block_on(
            store
                .accounts()
                .get(&Scope::platform(), "6222021234567890128"),
        )
        .unwrap();
    assert_eq!(
        acc.holder_resident_id.as_deref(),
        Some("11010519491231002X")
    );
    assert!(acc.bank_name.is_some(), "bank derived from the BIN");
}

#[test]
fn unreadable_file_exits_1_and_missing_column_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = fanzha(dir.path(), &["import", "people", "/nonexistent/people.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("file_unreadable"));

    let f = dir.path().join("p.csv");
    std::fs::write(&f, "姓名,手机号\n张三,13812345678\n").unwrap();
    let out = fanzha(dir.path(), &["import", "people", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("header_missing_column")
            && err.contains("id_number")
            && err.contains("身份证号"),
        "{err}"
    );
}
