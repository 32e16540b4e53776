//! 劝阻话术 the center writes: stored per fraud type at the version read, read back, reset to
//! the built-in ones, each change audited.

use fanzha_store::*;

const T0: i64 = 1_800_000_000_000;

async fn audits(store: &Store, action: &str) -> usize {
    let page = store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(100))
        .await
        .unwrap();
    page.items.iter().filter(|e| e.action == action).count()
}

pub async fn talking_points_are_written_at_the_version_read_and_reset(store: &Store) {
    let repo = store.talking_points();
    assert_eq!(repo.get("fake_loan").await.unwrap(), None);
    let first = repo
        .set(
            "fake_loan",
            " 正规贷款放款前不收费。\n\n不要交保证金。 ",
            "",
            0,
            "analyst",
            T0,
        )
        .await
        .unwrap();
    assert_eq!(first.zh, ["正规贷款放款前不收费。", "不要交保证金。"]);
    assert!(first.en.is_empty());
    assert_eq!(first.version, 1);
    assert_eq!(repo.get("fake_loan").await.unwrap(), Some(first.clone()));

    // Written from a stale form (or as new while one exists): a conflict, nothing changes.
    for stale in [0, 2] {
        let r = repo
            .set("fake_loan", "别的话术。", "", stale, "other", T0 + 1)
            .await;
        assert!(
            matches!(r, Err(StoreError::Conflict { .. })),
            "{stale}: {r:?}"
        );
    }
    // Empty Chinese is refused.
    let r = repo.set("fake_loan", " \n", "x", 1, "analyst", T0).await;
    assert!(
        matches!(r, Err(StoreError::Invalid { field: "zh", .. })),
        "{r:?}"
    );

    let second = repo
        .set(
            "fake_loan",
            "先挂断。",
            "Hang up first.",
            1,
            "analyst",
            T0 + 2,
        )
        .await
        .unwrap();
    assert_eq!(
        (second.version, second.en.clone()),
        (2, vec!["Hang up first.".to_string()])
    );
    assert_eq!(repo.all().await.unwrap(), vec![second]);

    let r = repo.reset("fake_loan", 1, "analyst").await;
    assert!(matches!(r, Err(StoreError::Conflict { .. })), "{r:?}");
    repo.reset("fake_loan", 2, "analyst").await.unwrap();
    assert_eq!(repo.get("fake_loan").await.unwrap(), None);
    assert_eq!(audits(store, "talking_points_set").await, 2);
    assert_eq!(audits(store, "talking_points_reset").await, 1);
}
