//! The behaviours every backend must show. Each takes a freshly migrated, empty store.

use crate::fixtures::{person, resident_id, tree, unit, with_tree};
use fanzha_core::error_code::{Coded, ErrorCode};
use fanzha_store::*;
use std::collections::{BTreeMap, HashSet};

pub async fn migrations_are_idempotent(store: &Store) {
    assert_eq!(
        store.schema_version().await.unwrap(),
        Store::latest_schema_version()
    );
    let again = store.migrate().await.unwrap();
    assert!(again.applied.is_empty(), "{again:?}");
    assert_eq!(again.version, Store::latest_schema_version());
    // The schema still works after the second run.
    with_tree(store).await;
    assert_eq!(store.units().count(&Scope::platform()).await.unwrap(), 11);
}

pub async fn reupserting_people_changes_nothing(store: &Store) {
    let batch: Vec<_> = (1..=50).map(|n| person(n, "330281001001")).collect();
    let first = store.people().upsert(&batch).await.unwrap();
    assert_eq!((first.inserted, first.updated, first.unchanged), (50, 0, 0));
    let before = store
        .people()
        .get(&Scope::platform(), &resident_id(7))
        .await
        .unwrap();
    let second = store.people().upsert(&batch).await.unwrap();
    assert_eq!(
        (second.inserted, second.updated, second.unchanged),
        (0, 0, 50)
    );
    let after = store
        .people()
        .get(&Scope::platform(), &resident_id(7))
        .await
        .unwrap();
    assert_eq!(
        before, after,
        "a no-op upsert must not even touch updated_at"
    );
    assert_eq!(store.people().count(&Scope::platform()).await.unwrap(), 50);
}

pub async fn changed_fields_count_as_updates(store: &Store) {
    let mut batch: Vec<_> = (1..=10).map(|n| person(n, "330281001001")).collect();
    store.people().upsert(&batch).await.unwrap();
    batch[3].name = "改名".into();
    batch[5].app_registered = !batch[5].app_registered;
    batch.push(person(11, "330281001002"));
    let out = store.people().upsert(&batch).await.unwrap();
    assert_eq!((out.inserted, out.updated, out.unchanged), (1, 2, 8));
    let p = store
        .people()
        .get(&Scope::platform(), &resident_id(4))
        .await
        .unwrap();
    assert_eq!(p.name, "改名");
    let p6 = store
        .people()
        .get(&Scope::platform(), &resident_id(6))
        .await
        .unwrap();
    assert_eq!(p6.app_registered, batch[5].app_registered);
}

pub async fn missing_optional_values_never_erase_stored_ones(store: &Store) {
    store
        .phones()
        .upsert(&[NewPhone {
            number: "13800000001".into(),
            kind: "mobile".into(),
            carrier: Some("中国移动".into()),
            province: Some("浙江".into()),
            city: Some("宁波".into()),
            owner_resident_id: Some(resident_id(1)),
        }])
        .await
        .unwrap();
    let sparse = NewPhone {
        number: "13800000001".into(),
        kind: "mobile".into(),
        ..NewPhone::default()
    };
    let out = store.phones().upsert(&[sparse]).await.unwrap();
    assert_eq!(out.unchanged, 1, "{out:?}");
    let p = store
        .phones()
        .get(&Scope::platform(), "13800000001")
        .await
        .unwrap();
    assert_eq!(p.carrier.as_deref(), Some("中国移动"));
    assert_eq!(p.owner_resident_id, Some(resident_id(1)));
}

pub async fn later_row_wins_within_a_batch(store: &Store) {
    let mut second = person(1, "330281001001");
    second.name = "后者".into();
    let out = store
        .people()
        .upsert(&[person(1, "330281001001"), person(2, "330281001001"), second])
        .await
        .unwrap();
    assert_eq!((out.inserted, out.duplicates), (2, 1));
    let p = store
        .people()
        .get(&Scope::platform(), &resident_id(1))
        .await
        .unwrap();
    assert_eq!(p.name, "后者");
}

pub async fn batches_larger_than_a_statement_are_counted_exactly(store: &Store) {
    let batch: Vec<_> = (0..2_500).map(|n| person(n, "330281001001")).collect();
    let out = store.people().upsert(&batch).await.unwrap();
    assert_eq!(out.inserted, 2_500);
    let mut changed = batch.clone();
    for p in changed.iter_mut().skip(1_200).take(300) {
        p.employer = Some("余姚市人民政府".into());
    }
    let out = store.people().upsert(&changed).await.unwrap();
    assert_eq!((out.inserted, out.updated, out.unchanged), (0, 300, 2_200));
    assert_eq!(
        store.people().count(&Scope::platform()).await.unwrap(),
        2_500
    );
}

pub async fn chinese_text_round_trips(store: &Store) {
    with_tree(store).await;
    let u = store.units().get("330281001").await.unwrap();
    assert_eq!(u.name, "阳明街道");
    assert_eq!(u.level, UnitLevel::Township);
    assert_eq!(u.parent_code.as_deref(), Some("330281"));
    assert_eq!(u.path, "/33/3302/330281/330281001/");
    assert_eq!(u.depth, 4);
    let mut p = person(1, "330281001001");
    p.address = Some("浙江省余姚市阳明街道新建北路１号（东门）".into());
    store.people().upsert(&[p.clone()]).await.unwrap();
    let got = store
        .people()
        .get(&Scope::platform(), &p.resident_id)
        .await
        .unwrap();
    assert_eq!(got.address, p.address);
}

/// People in 余姚 (330281) and 慈溪 (330282): each county sees its own, the city both.
pub async fn scope_never_returns_another_subtree(store: &Store) {
    with_tree(store).await;
    let mut batch = Vec::new();
    for n in 0..30 {
        let village = match n % 3 {
            0 => "330281001001",
            1 => "330281002001",
            _ => "330282001001",
        };
        batch.push(person(n, village));
    }
    store.people().upsert(&batch).await.unwrap();
    let yuyao = store.units().scope("330281").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let city = store.units().scope("3302").await.unwrap();
    let yangming = store.units().scope("330281001").await.unwrap();

    let page = store
        .people()
        .list(&yuyao, &PageRequest::first(100))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 20);
    assert!(page.items.iter().all(|p| p.unit_code.starts_with("330281")));
    let page = store
        .people()
        .list(&cixi, &PageRequest::first(100))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 10);
    assert!(page.items.iter().all(|p| p.unit_code.starts_with("330282")));
    assert_eq!(store.people().count(&city).await.unwrap(), 30);
    assert_eq!(store.people().count(&yangming).await.unwrap(), 10);

    // A record of another subtree is "not found", never leaked.
    let cixi_person = resident_id(2);
    let err = store.people().get(&yuyao, &cixi_person).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    assert!(
        !err.to_string().contains(&cixi_person),
        "ID masked in: {err}"
    );
    assert!(store.people().get(&cixi, &cixi_person).await.is_ok());
    assert_eq!(store.units().count(&yuyao).await.unwrap(), 6);
    assert_eq!(
        store.units().scope("999999").await.unwrap_err().code(),
        ErrorCode::UnitNotFound
    );
}

/// Unit codes `A1` and `A12` are siblings; the first's scope must not reach into the second.
pub async fn scope_never_confuses_codes_sharing_a_prefix(store: &Store) {
    use UnitLevel::*;
    store
        .units()
        .upsert(&[
            unit("A", "甲", City, None),
            unit("A1", "甲一", County, Some("A")),
            unit("A12", "甲十二", County, Some("A")),
            unit("A1x", "甲一下", Township, Some("A1")),
        ])
        .await
        .unwrap();
    let a1 = store.units().scope("A1").await.unwrap();
    assert_eq!(store.units().count(&a1).await.unwrap(), 2);
    let codes: Vec<_> = store
        .units()
        .subtree("A1", None)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.code)
        .collect();
    assert_eq!(codes, vec!["A1", "A1x"]);
    let users_a12 = NewUser {
        login: "a12".into(),
        display_name: "甲十二指挥".into(),
        unit_code: "A12".into(),
        roles: vec![Role::UnitCommander],
        joint_member: None,
        bank_code: None,
        operator: None,
        password_hash: None,
    };
    store.users().upsert(&users_a12).await.unwrap();
    assert!(store.users().get(&a1, "a12").await.is_err());
    let page = store
        .users()
        .list(&a1, &PageRequest::first(10))
        .await
        .unwrap();
    assert!(page.items.is_empty());
}

pub async fn phones_and_accounts_are_scoped_through_their_owner(store: &Store) {
    with_tree(store).await;
    store
        .people()
        .upsert(&[person(1, "330281001001"), person(2, "330282001001")])
        .await
        .unwrap();
    let phone = |number: &str, owner: Option<String>| NewPhone {
        number: number.into(),
        kind: "mobile".into(),
        owner_resident_id: owner,
        ..NewPhone::default()
    };
    store
        .phones()
        .upsert(&[
            phone("13900000001", Some(resident_id(1))),
            phone("13900000002", Some(resident_id(2))),
            phone("13900000003", None),
        ])
        .await
        .unwrap();
    let account = |no: &str, holder: Option<String>| NewAccount {
        account_no: no.into(),
        bank_code: Some("ICBC".into()),
        holder_resident_id: holder,
        opened_at: Some(1_700_000_000_000),
        ..NewAccount::default()
    };
    store
        .accounts()
        .upsert(&[
            account("6222000000000001", Some(resident_id(1))),
            account("6222000000000002", Some(resident_id(2))),
        ])
        .await
        .unwrap();
    let yuyao = store.units().scope("330281").await.unwrap();
    let phones = store
        .phones()
        .list(&yuyao, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(
        phones
            .items
            .iter()
            .map(|p| p.number.as_str())
            .collect::<Vec<_>>(),
        vec!["13900000001"]
    );
    assert_eq!(store.phones().count(&Scope::platform()).await.unwrap(), 3);
    assert_eq!(
        store
            .phones()
            .get(&yuyao, "13900000003")
            .await
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
    let accounts = store
        .accounts()
        .list(&yuyao, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(accounts.items.len(), 1);
    assert_eq!(accounts.items[0].opened_at, Some(1_700_000_000_000));
    assert!(store
        .accounts()
        .get(&yuyao, "6222000000000002")
        .await
        .is_err());
    assert_eq!(store.accounts().count(&yuyao).await.unwrap(), 1);
}

pub async fn people_outside_the_tree_are_counted_not_lost(store: &Store) {
    with_tree(store).await;
    store
        .people()
        .upsert(&[person(1, "330281001001"), person(2, "410102001001")])
        .await
        .unwrap();
    assert_eq!(store.people().count_unplaced().await.unwrap(), 1);
    assert_eq!(store.people().count(&Scope::platform()).await.unwrap(), 2);
    let zj = store.units().scope("33").await.unwrap();
    assert_eq!(store.people().count(&zj).await.unwrap(), 1);
    // A padded county code places the person at the county.
    let mut p = person(3, "330281000000");
    p.name = "县级".into();
    store.people().upsert(&[p]).await.unwrap();
    let got = store.people().get(&zj, &resident_id(3)).await.unwrap();
    assert_eq!(got.unit_code, "330281");
}

pub async fn paging_visits_every_row_once(store: &Store) {
    with_tree(store).await;
    let batch: Vec<_> = (0..25).map(|n| person(n, "330281001002")).collect();
    store.people().upsert(&batch).await.unwrap();
    let scope = store.units().scope("330281").await.unwrap();
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut req = PageRequest::first(10);
    loop {
        let page = store.people().list(&scope, &req).await.unwrap();
        sizes.push(page.items.len());
        seen.extend(page.items.into_iter().map(|p| p.resident_id));
        match page.next {
            Some(k) => req = PageRequest::after(k, 10),
            None => break,
        }
    }
    assert_eq!(sizes, vec![10, 10, 5]);
    let mut expected: Vec<_> = (0..25).map(resident_id).collect();
    expected.sort();
    assert_eq!(seen, expected);
}

pub async fn unit_upsert_is_idempotent_and_keeps_population(store: &Store) {
    let first = store.units().upsert(&tree()).await.unwrap();
    assert_eq!(first.inserted, 11);
    store
        .units()
        .set_population("330281", Some(1_250_000))
        .await
        .unwrap();
    let again = store.units().upsert(&tree()).await.unwrap();
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 11));
    let u = store.units().get("330281").await.unwrap();
    assert_eq!(u.population, Some(1_250_000));
    let mut renamed = tree();
    renamed[2].name = "余姚市（县级市）".into();
    let out = store.units().upsert(&renamed).await.unwrap();
    assert_eq!((out.updated, out.unchanged), (1, 10));
    assert_eq!(
        store
            .units()
            .set_population("nowhere", Some(1))
            .await
            .unwrap_err()
            .code(),
        ErrorCode::UnitNotFound
    );
}

pub async fn moving_a_unit_moves_its_subtree(store: &Store) {
    with_tree(store).await;
    store
        .people()
        .upsert(&[person(1, "330281001001")])
        .await
        .unwrap();
    // 阳明街道 is handed over to 慈溪市.
    let mut moved = unit("330281001", "阳明街道", UnitLevel::Township, Some("330282"));
    moved.division_code = None;
    store.units().upsert(&[moved]).await.unwrap();
    let village = store.units().get("330281001001").await.unwrap();
    assert_eq!(village.path, "/33/3302/330282/330281001/330281001001/");
    assert_eq!(village.depth, 5);
    let cixi = store.units().scope("330282").await.unwrap();
    let yuyao = store.units().scope("330281").await.unwrap();
    assert_eq!(store.people().count(&cixi).await.unwrap(), 1);
    assert_eq!(store.people().count(&yuyao).await.unwrap(), 0);
    // Moving a unit below its own subtree is refused.
    let cycle = unit("330282", "慈溪市", UnitLevel::County, Some("330281001"));
    let err = store.units().upsert(&[cycle]).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::RecordInvalid);
}

pub async fn unknown_parent_is_unit_not_found(store: &Store) {
    let orphan = unit("330281", "余姚市", UnitLevel::County, Some("3302"));
    let err = store.units().upsert(&[orphan]).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::UnitNotFound);
    assert_eq!(store.units().count(&Scope::platform()).await.unwrap(), 0);
    let bad = unit("33/02", "x", UnitLevel::City, None);
    assert_eq!(
        store.units().upsert(&[bad]).await.unwrap_err().code(),
        ErrorCode::RecordInvalid
    );
}

pub async fn subtree_respects_depth(store: &Store) {
    with_tree(store).await;
    let all = store.units().subtree("330281", None).await.unwrap();
    let codes: Vec<_> = all.iter().map(|u| u.code.as_str()).collect();
    assert_eq!(
        codes,
        vec![
            "330281",
            "330281001",
            "330281001001",
            "330281001002",
            "330281002",
            "330281002001"
        ]
    );
    let one = store.units().subtree("330281", Some(1)).await.unwrap();
    assert_eq!(one.len(), 3);
    let children = store.units().children("3302").await.unwrap();
    assert_eq!(
        children.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(),
        vec!["余姚市", "慈溪市"]
    );
    let roots = store.units().roots().await.unwrap();
    assert_eq!(roots.len(), 1);
}

pub async fn audit_log_rejects_update_and_delete(store: &Store) {
    let id = store
        .audit()
        .append(&NewAuditEntry {
            actor: "analyst1".into(),
            action: "view_person".into(),
            target_type: "person".into(),
            target_id: Some(resident_id(1)),
            unit_code: None,
            detail: serde_json::json!({"reason": "研判"}),
        })
        .await
        .unwrap();
    let update = sqlx::query("UPDATE audit_log SET actor = 'intruder'")
        .execute(store.pool())
        .await;
    assert!(update.is_err(), "UPDATE must be rejected");
    let delete = sqlx::query("DELETE FROM audit_log")
        .execute(store.pool())
        .await;
    assert!(delete.is_err(), "DELETE must be rejected");
    let entries = store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(entries.items.len(), 1);
    assert_eq!(entries.items[0].id, id);
    assert_eq!(entries.items[0].actor, "analyst1");
    assert_eq!(entries.items[0].detail["reason"], "研判");
}

pub async fn audit_log_is_scoped_and_newest_first(store: &Store) {
    with_tree(store).await;
    for (i, unit) in ["330281001", "330282", "330281"].iter().enumerate() {
        store
            .audit()
            .append(&NewAuditEntry {
                actor: format!("u{i}"),
                action: "sign_instruction".into(),
                target_type: "instruction".into(),
                target_id: Some(format!("I{i}")),
                unit_code: Some(unit.to_string()),
                detail: serde_json::Value::Null,
            })
            .await
            .unwrap();
    }
    let yuyao = store.units().scope("330281").await.unwrap();
    let page = store
        .audit()
        .list(&yuyao, &PageRequest::first(10))
        .await
        .unwrap();
    let actors: Vec<_> = page.items.iter().map(|e| e.actor.as_str()).collect();
    assert_eq!(actors, vec!["u2", "u0"]);
    let trail = store
        .audit()
        .for_target(&yuyao, "instruction", "I1")
        .await
        .unwrap();
    assert!(trail.is_empty());
}

pub async fn quarantine_round_trips(store: &Store) {
    let run = store
        .imports()
        .begin(&NewImportRun {
            kind: "people".into(),
            file: "residents.csv".into(),
            content_hash: "abc123".into(),
        })
        .await
        .unwrap();
    let rows: Vec<_> = (0..2_100)
        .map(|i| QuarantineRow {
            file: "residents.csv".into(),
            line: i + 2,
            column: if i % 2 == 0 {
                Some("身份证号".into())
            } else {
                None
            },
            reason: if i % 3 == 0 {
                "bad_check_digit"
            } else {
                "empty_name"
            }
            .into(),
            raw: format!("张三,{i},\"含,逗号\""),
        })
        .collect();
    assert_eq!(
        store.imports().add_quarantine(run, &rows).await.unwrap(),
        2_100
    );
    assert!(store
        .imports()
        .latest_with_hash("people", "abc123")
        .await
        .unwrap()
        .is_none());
    let counts = ImportCounts {
        read: 10_000,
        accepted: 7_900,
        quarantined: 2_100,
        by_reason: BTreeMap::from([
            ("bad_check_digit".to_string(), 700),
            ("empty_name".to_string(), 1_400),
        ]),
    };
    store.imports().finish(run, &counts).await.unwrap();
    let stored = store.imports().get(run).await.unwrap();
    assert_eq!(stored.counts, counts);
    assert!(stored.finished_at.is_some());
    let again = store
        .imports()
        .latest_with_hash("people", "abc123")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.id, run);

    let mut got = Vec::new();
    let mut req = PageRequest::first(1_000);
    loop {
        let page = store.imports().quarantine(run, &req).await.unwrap();
        got.extend(page.items);
        match page.next {
            Some(k) => req = PageRequest::after(k, 1_000),
            None => break,
        }
    }
    assert_eq!(got.len(), 2_100);
    assert!(got.iter().all(|q| q.import_run_id == run));
    assert_eq!(
        got.into_iter().map(|q| q.row).collect::<Vec<_>>(),
        rows,
        "rows come back as stored, in order"
    );
    let runs = store.imports().list(&PageRequest::first(10)).await.unwrap();
    assert_eq!(runs.items.len(), 1);
    assert_eq!(
        store
            .imports()
            .finish(ImportRunId(run.0 + 1_000), &counts)
            .await
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
}

pub async fn users_carry_roles_and_bank_codes(store: &Store) {
    with_tree(store).await;
    let mut liaison = NewUser {
        login: "icbc.zhang".into(),
        display_name: "张联络".into(),
        unit_code: "3302".into(),
        roles: vec![Role::BankLiaison],
        joint_member: None,
        bank_code: None,
        operator: None,
        password_hash: Some("$argon2id$v=19$x".into()),
    };
    assert_eq!(
        store.users().upsert(&liaison).await.unwrap_err().code(),
        ErrorCode::RecordInvalid
    );
    liaison.bank_code = Some("ICBC".into());
    assert_eq!(store.users().upsert(&liaison).await.unwrap().inserted, 1);
    assert_eq!(store.users().upsert(&liaison).await.unwrap().unchanged, 1);
    liaison.roles = vec![Role::Leader, Role::BankLiaison, Role::Leader];
    liaison.password_hash = None;
    assert_eq!(store.users().upsert(&liaison).await.unwrap().updated, 1);
    let city = store.units().scope("3302").await.unwrap();
    let u = store.users().get(&city, "icbc.zhang").await.unwrap();
    assert_eq!(u.roles, vec![Role::BankLiaison, Role::Leader]);
    assert_eq!(u.bank_code.as_deref(), Some("ICBC"));
    assert_eq!(
        store
            .users()
            .password_hash("icbc.zhang")
            .await
            .unwrap()
            .as_deref(),
        Some("$argon2id$v=19$x"),
        "a missing hash keeps the stored one"
    );
    store.users().set_active("icbc.zhang", false).await.unwrap();
    assert_eq!(
        store.users().password_hash("icbc.zhang").await.unwrap(),
        None
    );
    let yuyao = store.units().scope("330281").await.unwrap();
    assert!(store.users().get(&yuyao, "icbc.zhang").await.is_err());
    let nowhere = NewUser {
        login: "x".into(),
        display_name: "x".into(),
        unit_code: "999".into(),
        roles: vec![Role::Admin],
        joint_member: None,
        bank_code: None,
        operator: None,
        password_hash: None,
    };
    assert_eq!(
        store.users().upsert(&nowhere).await.unwrap_err().code(),
        ErrorCode::UnitNotFound
    );
    let names: HashSet<_> = store
        .users()
        .list(&Scope::platform(), &PageRequest::first(10))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|u| u.login)
        .collect();
    assert_eq!(names, HashSet::from(["icbc.zhang".to_string()]));
}

/// One batch moves 余姚市 under a new parent and 阳明街道 (inside it) to 慈溪市; the villages
/// below 阳明街道, not in the batch, follow 阳明街道.
pub async fn nested_moves_in_one_batch_land_each_subtree_right(store: &Store) {
    with_tree(store).await;
    store
        .units()
        .upsert(&[unit("3399", "新区", UnitLevel::City, Some("33"))])
        .await
        .unwrap();
    store
        .units()
        .upsert(&[
            unit("330281", "余姚市", UnitLevel::County, Some("3399")),
            unit("330281001", "阳明街道", UnitLevel::Township, Some("330282")),
        ])
        .await
        .unwrap();
    let village = store.units().get("330281001002").await.unwrap();
    assert_eq!(village.path, "/33/3302/330282/330281001/330281001002/");
    let other = store.units().get("330281002001").await.unwrap();
    assert_eq!(other.path, "/33/3399/330281/330281002/330281002001/");
    assert_eq!(other.depth, 5);
}

/// The batches of an import share a transaction committed every N rows: what was committed
/// stays when the writer is dropped, the rest (records and quarantine alike) is rolled back, and
/// writing the same batches again changes nothing.
pub async fn import_writer_commits_in_steps_and_rolls_back_the_rest(store: &Store) {
    let run = store
        .imports()
        .begin(&NewImportRun {
            kind: "people".into(),
            file: "residents.csv".into(),
            content_hash: "w1".into(),
        })
        .await
        .unwrap();
    let first: Vec<_> = (0..100).map(|n| person(n, "330281001001")).collect();
    let second: Vec<_> = (100..150).map(|n| person(n, "330281001001")).collect();
    let rejected: Vec<_> = (0..10)
        .map(|i| QuarantineRow {
            file: "residents.csv".into(),
            line: i + 2,
            column: None,
            reason: "bad_check_digit".into(),
            raw: format!("张三,{i}"),
        })
        .collect();
    {
        let mut writer = store.import_writer().commit_every(100);
        let out = writer.people(&first).await.unwrap();
        assert_eq!((out.inserted, out.updated, out.unchanged), (100, 0, 0));
        let out = writer.people(&second).await.unwrap();
        assert_eq!(out.inserted, 50);
        assert_eq!(writer.quarantine(run, &rejected).await.unwrap(), 10);
        // Dropped without commit: the second batch and the quarantine were pending.
    }
    assert_eq!(store.people().count(&Scope::platform()).await.unwrap(), 100);
    let stored = store
        .imports()
        .quarantine(run, &PageRequest::first(100))
        .await
        .unwrap();
    assert!(stored.items.is_empty(), "{:?}", stored.items);

    let mut writer = store.import_writer();
    let again = writer.people(&first).await.unwrap();
    assert_eq!(
        (again.inserted, again.updated, again.unchanged),
        (0, 0, 100)
    );
    let out = writer.people(&second).await.unwrap();
    assert_eq!((out.inserted, out.updated, out.unchanged), (50, 0, 0));
    let out = writer
        .phones(&[NewPhone {
            number: "13800000001".into(),
            kind: "mobile".into(),
            owner_resident_id: Some(resident_id(1)),
            ..NewPhone::default()
        }])
        .await
        .unwrap();
    assert_eq!(out.inserted, 1);
    let out = writer
        .accounts(&[NewAccount {
            account_no: "6222020200000000001".into(),
            holder_resident_id: Some(resident_id(1)),
            opened_at: Some(1_700_000_000_000),
            ..NewAccount::default()
        }])
        .await
        .unwrap();
    assert_eq!(out.inserted, 1);
    assert_eq!(writer.quarantine(run, &rejected).await.unwrap(), 10);
    writer.commit().await.unwrap();
    assert_eq!(store.people().count(&Scope::platform()).await.unwrap(), 150);
    assert_eq!(store.phones().count(&Scope::platform()).await.unwrap(), 1);
    assert_eq!(store.accounts().count(&Scope::platform()).await.unwrap(), 1);
    let stored = store
        .imports()
        .quarantine(run, &PageRequest::first(100))
        .await
        .unwrap();
    assert_eq!(stored.items.len(), 10);
    let p = store
        .people()
        .get(&Scope::platform(), &resident_id(120))
        .await
        .unwrap();
    assert_eq!(p.name, "居民120");
    assert_eq!(p.unit_code, "330281001001");
}

/// Registration on the national anti-fraud app per unit, in all and in the 16–60 band read from
/// the ID number's birth date, with the band's edges on the day itself.
pub async fn registration_is_tallied_per_unit_with_the_age_band(store: &Store) {
    with_tree(store).await;
    let someone = |id: &str, village: &str, registered: bool| NewPerson {
        resident_id: id.into(),
        app_registered: registered,
        ..person(1, village)
    };
    store
        .people()
        .upsert(&[
            // On 2026-03-01: 16 today (in), 61 today (out), 60 until tomorrow (in), a child.
            someone("330281201003011239", "330281001001", true),
            someone("330281196503015435", "330281001001", true),
            someone("330281196503025430", "330281001002", false),
            someone("330281201501011234", "330281001002", true),
            someone("330282199001011234", "330282001001", true),
        ])
        .await
        .unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let scope = store.units().scope("330281").await.unwrap();
    let mut tally = store.people().registration(&scope, day).await.unwrap();
    tally.sort_by(|a, b| a.unit_code.cmp(&b.unit_code));
    let line = |unit: &str, residents, registered, band, band_registered| RegistrationTally {
        unit_code: unit.into(),
        residents,
        registered,
        residents_16_60: band,
        registered_16_60: band_registered,
        joint_defense: 0,
    };
    assert_eq!(
        tally,
        vec![
            line("330281001001", 2, 2, 1, 1),
            line("330281001002", 2, 1, 1, 0),
        ],
        "慈溪's resident is outside 余姚's scope"
    );
}

/// Registration per employer (单位干部职工注册情况): the employers of the scope's residents with
/// enough staff, the lowest rate first; staff living in another county are that county's.
pub async fn registration_is_tallied_per_employer_lowest_first(store: &Store) {
    with_tree(store).await;
    let staff = |n: u32, village: &str, employer: &str, public: bool, registered: bool| NewPerson {
        employer: Some(employer.into()),
        public_sector: public,
        app_registered: registered,
        ..person(n, village)
    };
    let mut people = Vec::new();
    // 教育局: 6 in 余姚, 2 registered (33%); one more in 慈溪.
    for n in 0..6 {
        people.push(staff(n, "330281001001", "教育局", true, n < 2));
    }
    people.push(staff(6, "330282001001", "教育局", true, true));
    // 宏达电子: 5, all registered; 恒信纺织: 6, 2 registered (33%, the same rate as 教育局);
    // 小店: 3 (too few to count); one resident with an empty employer.
    for n in 10..15 {
        people.push(staff(n, "330281002001", "宏达电子", false, true));
    }
    for n in 20..26 {
        people.push(staff(n, "330281001002", "恒信纺织", false, n < 22));
    }
    for n in 30..33 {
        people.push(staff(n, "330281001001", "小店", false, false));
    }
    people.push(staff(40, "330281001001", "", false, false));
    store.people().upsert(&people).await.unwrap();
    let scope = store.units().scope("330281").await.unwrap();
    let rows = store
        .people()
        .registration_by_employer(&scope, 5)
        .await
        .unwrap();
    let got: Vec<(&str, bool, i64, i64)> = rows
        .iter()
        .map(|r| (r.employer.as_str(), r.public_sector, r.staff, r.registered))
        .collect();
    assert_eq!(
        got,
        vec![
            ("恒信纺织", false, 6, 2),
            ("教育局", true, 6, 2),
            ("宏达电子", false, 5, 5),
        ],
        "lowest rate first, ties by size then name; 慈溪's staff and small employers left out"
    );
    assert_eq!(rows[2].rate(), Some(1.0));
    let all = store
        .people()
        .registration_by_employer(&Scope::platform(), 1)
        .await
        .unwrap();
    assert_eq!(
        all.iter().find(|r| r.employer == "教育局").unwrap().staff,
        7
    );
    assert_eq!(all.len(), 4);
}

/// An import whose file does not say whether people are public-sector staff or registered on
/// the anti-fraud app keeps what is stored; a file that says it replaces it; new people take 否.
pub async fn imports_without_a_flag_column_keep_the_stored_flags(store: &Store) {
    with_tree(store).await;
    let mut known = person(1, "330281001001");
    known.public_sector = true;
    known.app_registered = true;
    known.joint_defense_registered = true;
    store.people().upsert(&[known]).await.unwrap();

    let mut from_register = person(1, "330281001001");
    from_register.name = "居民一".into();
    from_register.public_sector = false;
    from_register.app_registered = false;
    from_register.joint_defense_registered = false;
    let newcomer = person(2, "330281001001");
    let mut writer = store.import_writer();
    let neither = PersonFlags {
        public_sector: false,
        app_registered: false,
        joint_defense: false,
    };
    let out = writer
        .people_from_file(&[from_register.clone(), newcomer], neither)
        .await
        .unwrap();
    assert_eq!((out.inserted, out.updated), (1, 1));
    writer.commit().await.unwrap();
    let p = store
        .people()
        .get(&Scope::platform(), &resident_id(1))
        .await
        .unwrap();
    assert_eq!(p.name, "居民一", "the columns the file has are replaced");
    assert!(p.public_sector && p.app_registered && p.joint_defense_registered);
    let n = store
        .people()
        .get(&Scope::platform(), &resident_id(2))
        .await
        .unwrap();
    assert!(!n.app_registered && !n.joint_defense_registered);

    let mut writer = store.import_writer();
    writer
        .people_from_file(
            &[from_register],
            PersonFlags {
                public_sector: false,
                app_registered: true,
                joint_defense: false,
            },
        )
        .await
        .unwrap();
    writer.commit().await.unwrap();
    let p = store
        .people()
        .get(&Scope::platform(), &resident_id(1))
        .await
        .unwrap();
    assert!(!p.app_registered, "a file that says 否 is believed");
    assert!(p.public_sector && p.joint_defense_registered);
}

/// A transaction that reads before it writes (an upsert counts the rows it will replace) while
/// other connections keep committing: on SQLite a deferred `BEGIN` would fail at once with
/// "database is locked" instead of waiting its turn. Every write must succeed.
pub async fn read_then_write_transactions_wait_for_concurrent_writers(store: &Store) {
    let batch: Vec<_> = (1..=20).map(|n| person(n, "330281001001")).collect();
    store.people().upsert(&batch).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for writer in 0..4 {
        let store = store.clone();
        let mut batch = batch.clone();
        tasks.spawn(async move {
            for round in 0..25 {
                for p in &mut batch {
                    p.name = format!("改{writer}-{round}");
                }
                store.people().upsert(&batch).await?;
            }
            Ok::<_, StoreError>(())
        });
    }
    for appender in 0..4 {
        let store = store.clone();
        tasks.spawn(async move {
            for i in 0..50 {
                store
                    .audit()
                    .append(&NewAuditEntry {
                        actor: format!("a{appender}"),
                        action: "view_person".into(),
                        target_type: "person".into(),
                        target_id: Some(resident_id(i % 20 + 1)),
                        unit_code: None,
                        detail: serde_json::json!({}),
                    })
                    .await?;
            }
            Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("task")
            .expect("no write may fail while others commit");
    }
    let entries = sqlx::query("SELECT COUNT(*) AS n FROM audit_log")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(sqlx::Row::get::<i64, _>(&entries, "n"), 200);
}
