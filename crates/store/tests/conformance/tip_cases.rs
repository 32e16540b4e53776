//! 举报线索: reported in a unit of the reporter's area with the subject checked (a phone number
//! canonical, a link, an account of digits), read by the unit's subtree, counted per period,
//! checked once from the version read — confirmed or dismissed with a finding — audited.

use crate::fixtures::{audits, with_tree};
use fanzha_store::*;

/// 2027-01-15T08:00:00Z.
const T0: i64 = 1_800_000_000_000;
const DAY: i64 = 86_400_000;

fn tip(unit: &str, kind: TipKind, subject: &str) -> NewTip {
    NewTip {
        unit_code: unit.into(),
        kind,
        subject: subject.into(),
        detail: " 自称客服，要求下载会议软件共享屏幕 ".into(),
        source: TipSource::GridWorker,
        reporter_phone: None,
        reported_by: "grid".into(),
    }
}

pub async fn tips_are_checked_read_in_the_subtree_and_reviewed_once(store: &Store) {
    with_tree(store).await;
    let t = store.tips();
    let yuyao = store.units().scope("330281").await.unwrap();
    let village = store.units().scope("330281001001").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();

    let phone = t
        .report(
            &village,
            &NewTip {
                reporter_phone: Some("139 0000 1234".into()),
                source: TipSource::Resident,
                ..tip("330281001001", TipKind::Phone, "+86 170-1234-5678")
            },
            T0,
        )
        .await
        .unwrap();
    let link = t
        .report(
            &yuyao,
            &tip("330281002", TipKind::Url, "pay-icbc.cc/login"),
            T0 + DAY,
        )
        .await
        .unwrap();
    let account = t
        .report(
            &yuyao,
            &tip("330281", TipKind::Account, "6222 0201 2345 6789"),
            T0 + 2 * DAY,
        )
        .await
        .unwrap();
    t.report(&cixi, &tip("330282001", TipKind::App, "某某理财"), T0)
        .await
        .unwrap();

    let got = t.get(&yuyao, phone).await.unwrap();
    assert_eq!(got.subject, "17012345678");
    assert_eq!(got.reporter_phone.as_deref(), Some("13900001234"));
    assert_eq!(got.detail, "自称客服，要求下载会议软件共享屏幕");
    assert_eq!((got.state, got.version), (TipState::Pending, 1));
    assert_eq!(
        t.get(&yuyao, account).await.unwrap().subject,
        "6222020123456789"
    );

    // Refused: a malformed subject of its kind, an empty one, a bad callback number, a unit
    // outside the scope.
    for (bad, field) in [
        (tip("330281", TipKind::Phone, "号码忘了"), "subject"),
        (tip("330281", TipKind::Url, "not a link"), "subject"),
        (tip("330281", TipKind::Account, "62220201abc"), "subject"),
        (tip("330281", TipKind::Person, "  "), "subject"),
        (
            NewTip {
                reporter_phone: Some("电话".into()),
                ..tip("330281", TipKind::Person, "收卡人 王某")
            },
            "reporter_phone",
        ),
    ] {
        match t.report(&yuyao, &bad, T0).await {
            Err(StoreError::Invalid { field: f, .. }) => assert_eq!(f, field, "{bad:?}"),
            other => panic!("{bad:?}: {other:?}"),
        }
    }
    assert!(matches!(
        t.report(&yuyao, &tip("330282", TipKind::Other, "x"), T0)
            .await,
        Err(StoreError::NotFound { .. })
    ));

    // Read by the subtree: the village sees its own, the county three, 慈溪 none of them.
    let all = TipFilter::default();
    assert_eq!(t.count(&village, &all).await.unwrap(), 1);
    assert_eq!(t.count(&yuyao, &all).await.unwrap(), 3);
    assert!(matches!(
        t.get(&cixi, phone).await,
        Err(StoreError::NotFound { .. })
    ));
    let page = t.list(&yuyao, &all, &PageRequest::first(2)).await.unwrap();
    assert_eq!(
        page.items.iter().map(|x| x.id).collect::<Vec<_>>(),
        [account, link]
    );
    let rest = t
        .list(&yuyao, &all, &PageRequest::after(page.next.unwrap(), 2))
        .await
        .unwrap();
    assert_eq!(rest.items.iter().map(|x| x.id).collect::<Vec<_>>(), [phone]);
    let phones = TipFilter {
        kind: Some(TipKind::Phone),
        ..TipFilter::default()
    };
    assert_eq!(t.count(&yuyao, &phones).await.unwrap(), 1);

    // Checked once, from the version read, with a finding.
    assert!(matches!(
        t.review(
            &yuyao,
            phone,
            1,
            TipState::Confirmed,
            " ",
            "analyst",
            T0 + DAY
        )
        .await,
        Err(StoreError::Invalid {
            field: "finding",
            ..
        })
    ));
    assert!(matches!(
        t.review(
            &yuyao,
            phone,
            1,
            TipState::Pending,
            "x",
            "analyst",
            T0 + DAY
        )
        .await,
        Err(StoreError::Invalid { field: "state", .. })
    ));
    assert!(matches!(
        t.review(
            &yuyao,
            phone,
            2,
            TipState::Confirmed,
            "x",
            "analyst",
            T0 + DAY
        )
        .await,
        Err(StoreError::Conflict { .. })
    ));
    let done = t
        .review(
            &yuyao,
            phone,
            1,
            TipState::Confirmed,
            "虚拟号段冒充客服，已申请运营商关停",
            "analyst",
            T0 + DAY,
        )
        .await
        .unwrap();
    assert_eq!(
        (done.state, done.version, done.reviewed_by.as_deref()),
        (TipState::Confirmed, 2, Some("analyst"))
    );
    assert!(matches!(
        t.review(
            &yuyao,
            phone,
            2,
            TipState::Dismissed,
            "again",
            "analyst",
            T0 + DAY
        )
        .await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        t.review(&cixi, link, 1, TipState::Dismissed, "x", "c", T0 + DAY)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    t.review(
        &yuyao,
        link,
        1,
        TipState::Dismissed,
        "正规网站",
        "analyst",
        T0 + DAY,
    )
    .await
    .unwrap();

    // The period's counts: reported then, standing now.
    let c = t.counts(&yuyao, T0, T0 + 2 * DAY).await.unwrap();
    assert_eq!(
        c,
        TipCounts {
            reported: 2,
            pending: 0,
            confirmed: 1,
            dismissed: 1
        }
    );
    assert_eq!(c.confirmed_share(), Some(0.5));
    assert_eq!(t.counts(&yuyao, T0, T0 + 3 * DAY).await.unwrap().pending, 1);
    assert_eq!(audits(store, "tip_reported").await, 4);
    assert_eq!(audits(store, "tip_reviewed").await, 2);
}
