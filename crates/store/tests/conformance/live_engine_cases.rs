//! What the live detection engine reads: who holds which number (paged, narrowed to what
//! changed since a time, scoped by the holder's residence) and the activated rules, every
//! version kept and audited.

use crate::fixtures::{audits, person, resident_id, with_tree};
use fanzha_store::*;

fn phone(number: &str, owner: Option<u32>) -> NewPhone {
    NewPhone {
        number: number.into(),
        kind: "mobile".into(),
        carrier: None,
        province: None,
        city: None,
        owner_resident_id: owner.map(resident_id),
    }
}

fn account(number: &str, holder: Option<u32>) -> NewAccount {
    NewAccount {
        account_no: number.into(),
        bank_code: Some("ICBC".into()),
        bank_name: None,
        card_type: None,
        holder_resident_id: holder.map(resident_id),
        holder_name: None,
        opened_at: None,
        opened_where: None,
    }
}

/// Every holding, read in pages of `limit`.
async fn all_phones(store: &Store, scope: &Scope, since: i64, limit: i64) -> Vec<Holding> {
    let mut out = Vec::new();
    let mut after: HoldingCursor = None;
    loop {
        let page = store
            .holdings()
            .phones(scope, since, &after, limit)
            .await
            .unwrap();
        out.extend(page.iter().cloned());
        if (page.len() as i64) < limit {
            return out;
        }
        let last = page.last().unwrap();
        after = Some((last.number.clone(), last.resident_id.clone()));
    }
}

pub async fn holdings_page_through_every_number_once_in_scope(store: &Store) {
    with_tree(store).await;
    let people: Vec<NewPerson> = (1..=7)
        .map(|n| {
            person(
                n,
                if n <= 5 {
                    "330281001001"
                } else {
                    "330282001001"
                },
            )
        })
        .collect();
    store.people().upsert(&people).await.unwrap();
    // Person 1 also holds a second number; person 2's own number is registered to them too
    // (two sources, one holding); a number of nobody known is not a holding.
    store
        .phones()
        .upsert(&[
            phone("13900000001", Some(1)),
            phone(&format!("138{:08}", 2), Some(2)),
            phone("13900000099", Some(99)),
            phone("13900000100", None),
        ])
        .await
        .unwrap();
    store
        .accounts()
        .upsert(&[
            account("6222020000000001", Some(1)),
            account("6222020000000006", Some(6)),
            account("6222020000000099", None),
        ])
        .await
        .unwrap();

    let platform = Scope::platform();
    let whole = all_phones(store, &platform, 0, 1000).await;
    assert_eq!(whole.len(), 8, "{whole:?}");
    for limit in [1, 2, 3, 4] {
        assert_eq!(
            all_phones(store, &platform, 0, limit).await,
            whole,
            "{limit}"
        );
    }
    assert!(whole
        .iter()
        .any(|h| h.number == "13900000001" && h.resident_id == resident_id(1)));
    assert!(!whole.iter().any(|h| h.number == "13900000099"));

    let yuyao = store.units().scope("330281").await.unwrap();
    let local = all_phones(store, &yuyao, 0, 2).await;
    assert_eq!(local.len(), 6, "{local:?}");
    assert!(
        local.iter().all(|h| h.resident_id <= resident_id(5)),
        "{local:?}"
    );

    let accounts = store
        .holdings()
        .accounts(&platform, 0, &None, 10)
        .await
        .unwrap();
    assert_eq!(
        accounts,
        vec![
            Holding {
                number: "6222020000000001".into(),
                resident_id: resident_id(1)
            },
            Holding {
                number: "6222020000000006".into(),
                resident_id: resident_id(6)
            },
        ]
    );
    let local = store
        .holdings()
        .accounts(&yuyao, 0, &None, 10)
        .await
        .unwrap();
    assert_eq!(local.len(), 1);

    // Only what changed since: a time after every write gives nothing, a new person appears.
    let later = fanzha_core::time::now_ms() + 1;
    assert!(all_phones(store, &platform, later, 10).await.is_empty());
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    store
        .people()
        .upsert(&[person(8, "330281001002")])
        .await
        .unwrap();
    let fresh = all_phones(store, &platform, later, 10).await;
    assert_eq!(
        fresh,
        vec![Holding {
            number: format!("138{:08}", 8),
            resident_id: resident_id(8)
        }]
    );
}

pub async fn activated_rules_are_versioned_and_audited(store: &Store) {
    let rules = store.detection_rules();
    assert_eq!(rules.latest().await.unwrap(), None);
    assert_eq!(rules.latest_version().await.unwrap(), 0);
    let v1 = rules
        .activate("[[rule]] # one", 1, "analyst", Some("330281"), 1_000)
        .await
        .unwrap();
    let v2 = rules
        .activate("[[rule]] # two", 2, "commander", None, 2_000)
        .await
        .unwrap();
    assert_eq!((v1, v2), (1, 2));
    let latest = rules.latest().await.unwrap().unwrap();
    assert_eq!(
        (
            latest.version,
            latest.text.as_str(),
            latest.rule_count,
            latest.activated_by.as_str()
        ),
        (2, "[[rule]] # two", 2, "commander")
    );
    assert_eq!(rules.latest_version().await.unwrap(), 2);
    let history = rules.history(10).await.unwrap();
    assert_eq!(
        history.iter().map(|v| v.version).collect::<Vec<_>>(),
        vec![2, 1]
    );
    assert_eq!(history[1].activated_at, 1_000);
    assert!(matches!(
        rules.activate("  ", 0, "analyst", None, 3_000).await,
        Err(StoreError::Invalid { field: "text", .. })
    ));
    assert_eq!(audits(store, "rules_activated").await, 2);
}
