//! Typical cases (典型案例): marked inside the scope with texts that name nobody, edited against
//! their version, unmarked; listed by the case's report period and type, latest first; another
//! county sees none of them; every change audited.

use crate::fixtures::with_tree;
use fanzha_store::*;

const DAY: i64 = 86_400_000;
const T0: i64 = 1_800_000_000_000;

fn case(id: &str, unit: &str, day: i64, fraud_type: &str) -> NewCase {
    NewCase {
        id: id.into(),
        resident_id: Some("330281199001011234".into()),
        victim_name: Some("王小明".into()),
        victim_phone: Some("13800001234".into()),
        unit_code: unit.into(),
        reported_at: T0 + day * DAY,
        loss_fen: 3_800_000,
        narrative: "王小明接到自称客服的电话，被诱导共享屏幕后转账".into(),
        fraud_type: Some(fraud_type.into()),
        top_terms: serde_json::json!([]),
        source: "form".into(),
        named: serde_json::json!({}),
        created_by: "t".into(),
        created_at: T0 + day * DAY,
        ..NewCase::default()
    }
}

fn typical(case_id: &str, version: i64) -> NewTypicalCase {
    NewTypicalCase {
        publisher_unit: "330281".into(),
        case_id: case_id.into(),
        title: " 冒充电商客服“退款”诈骗 ".into(),
        summary: "王某接到自称电商平台客服的电话，称其订单异常需退款，诱导其下载会议软件共享屏幕，\
                  随后转账3.8万元。"
            .into(),
        advice: "官方客服不会要求共享屏幕，退款请在官方平台操作。".into(),
        by: "analyst".into(),
        expected_version: version,
    }
}

async fn audits(store: &Store, prefix: &str) -> usize {
    store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(200))
        .await
        .unwrap()
        .items
        .iter()
        .filter(|e| e.action.starts_with(prefix))
        .count()
}

pub async fn typical_cases_are_marked_edited_and_unmarked_inside_the_scope(store: &Store) {
    with_tree(store).await;
    for c in [
        case("T1", "330281001001", 0, "fake_customer_service"),
        case("X1", "330282001001", 0, "fake_customer_service"),
    ] {
        assert!(store.cases().create(&c).await.unwrap());
    }
    let repo = store.typical_cases();
    let yuyao = store.units().scope("330281").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();

    let marked = repo
        .mark(&yuyao, &typical("T1", 0), T0 + DAY)
        .await
        .unwrap();
    assert_eq!(marked.title, "冒充电商客服“退款”诈骗", "trimmed");
    assert_eq!(marked.version, 1);
    assert_eq!(marked.unit_code, "330281001001");
    assert_eq!(marked.fraud_type.as_deref(), Some("fake_customer_service"));
    assert_eq!(
        repo.of_case(&yuyao, "T1").await.unwrap(),
        Some(marked.clone())
    );
    // Another county neither reads nor marks it.
    assert_eq!(repo.of_case(&cixi, "T1").await.unwrap(), None);
    assert!(matches!(
        repo.mark(&cixi, &typical("T1", 1), T0).await.unwrap_err(),
        StoreError::NotFound { .. }
    ));
    // Marking again from 0, or editing from a stale version: a conflict, nothing written.
    for version in [0, 7] {
        let err = repo
            .mark(&yuyao, &typical("T1", version), T0 + 2 * DAY)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    }
    let mut edit = typical("T1", 1);
    edit.title = "冒充客服退款诈骗".into();
    let edited = repo.mark(&yuyao, &edit, T0 + 2 * DAY).await.unwrap();
    assert_eq!(
        (edited.version, edited.title.as_str()),
        (2, "冒充客服退款诈骗")
    );
    assert_eq!(edited.marked_at, T0 + DAY);
    assert_eq!(edited.updated_at, T0 + 2 * DAY);

    // Texts that identify the victim are refused, whatever the field.
    for (field, text) in [
        ("summary", "王小明接到电话"),
        ("summary", "对方以13800001234联系"),
        ("advice", "受害人身份证330281199001011234"),
        ("title", "王小明被骗案"),
    ] {
        let mut t = typical("T1", 2);
        match field {
            "summary" => t.summary = text.into(),
            "advice" => t.advice = text.into(),
            _ => t.title = text.into(),
        }
        let err = repo.mark(&yuyao, &t, T0 + 3 * DAY).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Invalid { field: f, .. } if f == field),
            "{field}: {err:?}"
        );
    }
    let mut empty = typical("T1", 2);
    empty.summary = "  ".into();
    assert!(repo.mark(&yuyao, &empty, T0).await.is_err());
    assert_eq!(
        repo.of_case(&yuyao, "T1").await.unwrap().unwrap().version,
        2
    );

    // Unmarking from a stale version is refused; from the current one it goes.
    assert!(matches!(
        repo.unmark(&yuyao, "T1", 1, "analyst").await.unwrap_err(),
        StoreError::Conflict { .. }
    ));
    repo.unmark(&yuyao, "T1", 2, "analyst").await.unwrap();
    assert_eq!(repo.of_case(&yuyao, "T1").await.unwrap(), None);
    assert!(matches!(
        repo.unmark(&yuyao, "T1", 2, "analyst").await.unwrap_err(),
        StoreError::NotFound { .. }
    ));
    assert_eq!(audits(store, "typical_case_marked").await, 1);
    assert_eq!(audits(store, "typical_case_edited").await, 1);
    assert_eq!(audits(store, "typical_case_unmarked").await, 1);
}

pub async fn typical_cases_are_listed_by_report_period_and_type(store: &Store) {
    with_tree(store).await;
    for c in [
        case("A", "330281001001", 0, "fake_customer_service"),
        case("B", "330281002001", 5, "order_brushing"),
        case("C", "330281001001", 40, "order_brushing"),
        case("N", "330281001001", 6, "order_brushing"),
        case("X", "330282001001", 5, "order_brushing"),
    ] {
        assert!(store.cases().create(&c).await.unwrap());
    }
    let repo = store.typical_cases();
    let platform = Scope::platform();
    for id in ["A", "B", "C", "X"] {
        let mut t = typical(id, 0);
        if id == "X" {
            t.publisher_unit = "330282".into();
        }
        repo.mark(&platform, &t, T0 + 50 * DAY).await.unwrap();
    }
    let ids = |(list, more): (Vec<TypicalCase>, bool)| {
        assert!(!more, "a handful is not cut");
        list.into_iter().map(|t| t.case_id).collect::<Vec<_>>()
    };
    assert_eq!(
        ids(repo
            .list("330281", &TypicalFilter::default())
            .await
            .unwrap()),
        ["C", "B", "A"],
        "latest report first, the area's only, unmarked cases absent"
    );
    let month = TypicalFilter {
        from: Some(T0),
        to: Some(T0 + 30 * DAY),
        ..TypicalFilter::default()
    };
    assert_eq!(ids(repo.list("330281", &month).await.unwrap()), ["B", "A"]);
    let brushing = TypicalFilter {
        fraud_type: Some("order_brushing".into()),
        ..month.clone()
    };
    assert_eq!(ids(repo.list("330281", &brushing).await.unwrap()), ["B"]);
    // A community reads what its county published, wherever the case lies in the county; the
    // other county's entry (published there) it does not.
    assert_eq!(
        ids(repo.list("330281002001", &month).await.unwrap()),
        ["B", "A"]
    );
    // Published by the neighbouring county, read there only (and by the city, whose area
    // holds the case).
    assert_eq!(ids(repo.list("330282001001", &month).await.unwrap()), ["X"]);
    // Its own area only (the work brief): the community's cases, none of the county's others.
    let own = TypicalFilter {
        area_only: true,
        ..month.clone()
    };
    assert_eq!(
        ids(repo.list("330281002001", &own).await.unwrap()),
        ["B"],
        "B lies in 330281002001"
    );
    assert_eq!(ids(repo.list("330281001", &own).await.unwrap()), ["A"]);
    assert_eq!(
        ids(repo.list("3302", &month).await.unwrap()),
        ["X", "B", "A"],
        "the same report time: the later case id first"
    );
}
