//! 运营商反制数据: entered per operator, unit and month — a liaison for its own operator only —
//! a unit's own entry standing for its subtree, totalled per operator, audited.

use crate::fixtures::with_tree;
use fanzha_store::*;

/// 2027-01-15T08:00:00Z.
const T0: i64 = 1_800_000_000_000;

fn counts(calls: i64, sms: i64, shut: i64) -> InterceptCounts {
    InterceptCounts {
        calls_blocked: calls,
        sms_blocked: sms,
        numbers_shut: shut,
        awareness_sms: 0,
        awareness_calls: 0,
    }
}

pub async fn operator_figures_roll_up_without_counting_twice(store: &Store) {
    with_tree(store).await;
    let f = store.operator_figures();
    let city = store.units().scope("3302").await.unwrap();
    let yuyao = store.units().scope("330281").await.unwrap();
    let mobile = FigureEnterer::Operator(Operator::ChinaMobile);
    let set = |scope: Scope, who, op, unit: &'static str, month, c| async move {
        store
            .operator_figures()
            .set(&scope, who, op, unit, month, c, "liaison", T0)
            .await
    };
    // China Mobile: 余姚's two townships in January; China Telecom: 余姚 itself.
    set(
        yuyao.clone(),
        mobile,
        Operator::ChinaMobile,
        "330281001",
        202701,
        // With the reminders pushed to subscribers (推送防骗短信, 语音提醒).
        Some(InterceptCounts {
            awareness_sms: 4000,
            awareness_calls: 80,
            ..counts(1000, 500, 3)
        }),
    )
    .await
    .unwrap();
    set(
        yuyao.clone(),
        mobile,
        Operator::ChinaMobile,
        "330281002",
        202701,
        Some(counts(200, 100, 1)),
    )
    .await
    .unwrap();
    set(
        city.clone(),
        FigureEnterer::Police,
        Operator::ChinaTelecom,
        "330281",
        202701,
        Some(counts(700, 0, 0)),
    )
    .await
    .unwrap();
    // A liaison enters no other operator's figures.
    assert!(matches!(
        set(
            yuyao.clone(),
            mobile,
            Operator::ChinaUnicom,
            "330281001",
            202701,
            Some(counts(1, 1, 1))
        )
        .await,
        Err(StoreError::DutySeparated { .. })
    ));
    // Refused: a future month, a negative count, a unit outside the scope.
    for r in [
        set(
            yuyao.clone(),
            mobile,
            Operator::ChinaMobile,
            "330281001",
            202702,
            Some(counts(1, 1, 1)),
        )
        .await,
        set(
            yuyao.clone(),
            mobile,
            Operator::ChinaMobile,
            "330281001",
            202701,
            Some(counts(-1, 1, 1)),
        )
        .await,
        set(
            yuyao.clone(),
            mobile,
            Operator::ChinaMobile,
            "330282001",
            202701,
            Some(counts(1, 1, 1)),
        )
        .await,
    ] {
        assert!(
            matches!(
                r,
                Err(StoreError::Invalid { .. } | StoreError::NotFound { .. })
            ),
            "{r:?}"
        );
    }
    let t = f.totals(&city, 202701, 202701).await.unwrap();
    let reminded = |c: InterceptCounts| InterceptCounts {
        awareness_sms: 4000,
        awareness_calls: 80,
        ..c
    };
    assert_eq!(t.total, reminded(counts(1900, 600, 4)));
    assert_eq!(
        t.by_operator,
        vec![
            (Operator::ChinaMobile, reminded(counts(1200, 600, 4))),
            (Operator::ChinaTelecom, counts(700, 0, 0)),
        ]
    );
    assert_eq!(t.months, vec![202701]);
    // China Mobile enters 余姚's own total: it stands for its townships (Mobile only).
    set(
        yuyao.clone(),
        mobile,
        Operator::ChinaMobile,
        "330281",
        202701,
        Some(counts(1500, 650, 5)),
    )
    .await
    .unwrap();
    let t = f.totals(&city, 202701, 202701).await.unwrap();
    assert_eq!(t.total, counts(2200, 650, 5));
    // Month by month from one read: each the same as that month's own totals.
    let monthly = f.monthly_totals(&city, 202601, 202712).await.unwrap();
    assert_eq!(monthly.get(&202701), Some(&t));
    for (month, m) in &monthly {
        assert_eq!(
            *m,
            f.totals(&city, *month, *month).await.unwrap(),
            "{month}"
        );
    }
    // A township sees its own entry only.
    let yangming = store.units().scope("330281001").await.unwrap();
    assert_eq!(
        f.totals(&yangming, 202701, 202701).await.unwrap().total,
        reminded(counts(1000, 500, 3))
    );
    // Removed: the townships count again.
    set(
        yuyao.clone(),
        mobile,
        Operator::ChinaMobile,
        "330281",
        202701,
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        f.totals(&city, 202701, 202701).await.unwrap().total,
        reminded(counts(1900, 600, 4))
    );
    assert_eq!(f.entries(&yuyao, 202601, 202712).await.unwrap().len(), 3);
    let audit = store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(50))
        .await
        .unwrap();
    assert_eq!(
        audit
            .items
            .iter()
            .filter(|a| a.action == "operator_figures_set")
            .count(),
        5
    );
}
