//! 订单信息泄露溯源: a case's order source recorded from the version read and audited, refused
//! when it names nothing or an outlet without its courier, out of reach outside the case's
//! subtree; cases grouped by shop and by courier outlet over a period, spellings of one name
//! together, the most cases first; the period's 冒充电商物流客服 cases with and without a record.

use crate::fixtures::{audits, with_tree};
use fanzha_store::*;

/// 2027-01-15T08:00:00Z.
const T0: i64 = 1_800_000_000_000;
const DAY: i64 = 86_400_000;

fn case(id: &str, unit: &str, day: i64, loss_fen: i64, fraud_type: &str) -> NewCase {
    NewCase {
        id: id.into(),
        victim_name: Some(format!("受害人{id}")),
        unit_code: unit.into(),
        reported_at: T0 + day * DAY,
        loss_fen,
        narrative: "案情".into(),
        fraud_type: Some(fraud_type.into()),
        top_terms: serde_json::json!([]),
        source: "form".into(),
        named: serde_json::json!({}),
        created_by: "t".into(),
        created_at: T0 + day * DAY,
        ..NewCase::default()
    }
}

fn source(platform: &str, shop: &str, courier: &str, outlet: &str) -> OrderSourceText {
    OrderSourceText {
        platform: platform.into(),
        shop: shop.into(),
        courier: courier.into(),
        outlet: outlet.into(),
        ordered_on: chrono::NaiveDate::from_ymd_opt(2027, 1, 2),
        cited: vec![
            CitedDetail::Waybill,
            CitedDetail::Name,
            CitedDetail::Waybill,
        ],
    }
}

fn invalid_field<T: std::fmt::Debug>(r: StoreResult<T>) -> &'static str {
    match r {
        Err(StoreError::Invalid { field, .. }) => field,
        other => panic!("expected invalid, got {other:?}"),
    }
}

pub async fn order_sources_group_the_cases_a_shop_or_an_outlet_leaked(store: &Store) {
    with_tree(store).await;
    let fcs = "fake_customer_service";
    for c in [
        case("A1", "330281001001", 1, 500_000, fcs),
        case("A2", "330281002001", 2, 1_200_000, fcs),
        case("A3", "330282001", 3, 80_000, fcs),
        case("A4", "330281001", 4, 30_000, fcs),
        case("A5", "330281001", 5, 10_000, fcs),
        case("B1", "330281001", 6, 70_000, "fake_loan"),
    ] {
        store.cases().create(&c).await.unwrap();
    }
    let repo = store.case_order_sources();
    let city = store.units().scope("3302").await.unwrap();
    let yuyao = store.units().scope("330281").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();

    // Refusals name the field; another county's case is not found.
    for (bad, field) in [
        (source(" ", "", "", ""), "platform"),
        (source("淘宝", "", "", "城东网点"), "courier"),
        (source(&"店".repeat(101), "", "", ""), "platform"),
    ] {
        assert_eq!(
            invalid_field(repo.set(&yuyao, "A1", None, &bad, "analyst", T0).await),
            field
        );
    }
    assert!(matches!(
        repo.set(&cixi, "A1", None, &source("淘宝", "", "", ""), "x", T0)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(repo.get("A1").await.unwrap(), None);

    // A1, A2 (余姚) and A3 (慈溪) went through one 中通 outlet, written three ways; A1 and A3
    // bought at one shop; A4 at the same shop name on another platform; A5 names only the
    // courier.
    let a1 = repo
        .set(
            &yuyao,
            "A1",
            None,
            &source("淘宝", "优品家居旗舰店", "中通", "余姚城东网点"),
            "analyst",
            T0 + DAY,
        )
        .await
        .unwrap();
    assert_eq!(a1.version, 1);
    assert_eq!(a1.cited, [CitedDetail::Name, CitedDetail::Waybill]);
    assert_eq!(a1.ordered_on, chrono::NaiveDate::from_ymd_opt(2027, 1, 2));
    // A first record twice (a second tab) is a conflict, as is a stale version.
    assert!(matches!(
        repo.set(&yuyao, "A1", None, &source("京东", "", "", ""), "x", T0)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    repo.set(
        &yuyao,
        "A2",
        None,
        &source("拼多多", "", "中通", "余姚 城东网点"),
        "analyst",
        T0 + DAY,
    )
    .await
    .unwrap();
    repo.set(
        &city,
        "A3",
        None,
        &source("淘宝", "优品家居 旗舰店", "中通", "余姚城东网点（"),
        "analyst",
        T0 + DAY,
    )
    .await
    .unwrap();
    repo.set(
        &yuyao,
        "A4",
        None,
        &source("京东", "优品家居旗舰店", "", ""),
        "analyst",
        T0 + DAY,
    )
    .await
    .unwrap();
    repo.set(
        &yuyao,
        "A5",
        None,
        &source("", "", "韵达", ""),
        "analyst",
        T0 + DAY,
    )
    .await
    .unwrap();
    assert_eq!(audits(store, "case_order_source_set").await, 5);

    // By outlet: one group of three cases from two counties, the loss summed.
    let outlets = repo
        .groups(&city, T0, T0 + 30 * DAY, LeakBy::Outlet)
        .await
        .unwrap();
    assert_eq!(outlets.len(), 1, "{outlets:?}");
    let g = &outlets[0];
    assert_eq!(
        (g.company.as_str(), g.name.as_str()),
        ("中通", "余姚城东网点")
    );
    assert_eq!(
        g.cases
            .iter()
            .map(|c| c.case_id.as_str())
            .collect::<Vec<_>>(),
        ["A1", "A2", "A3"]
    );
    assert_eq!(g.loss_fen(), 1_780_000);
    assert_eq!(g.units(), 3);
    assert_eq!(g.cited()[0], (CitedDetail::Name, 3));
    // By shop: 淘宝's shop has two cases; 京东's shop of the same name is another.
    let shops = repo
        .groups(&city, T0, T0 + 30 * DAY, LeakBy::Shop)
        .await
        .unwrap();
    assert_eq!(shops.len(), 2);
    assert_eq!(shops[0].company, "淘宝");
    assert_eq!(shops[0].cases.len(), 2);
    assert_eq!(shops[1].company, "京东");
    // Read by the subtree and the period.
    let yy = repo
        .groups(&yuyao, T0, T0 + 30 * DAY, LeakBy::Outlet)
        .await
        .unwrap();
    assert_eq!(yy[0].cases.len(), 2, "慈溪's case is not 余姚's");
    assert!(repo
        .groups(&city, T0 + 4 * DAY, T0 + 30 * DAY, LeakBy::Outlet)
        .await
        .unwrap()
        .is_empty());

    // Changed from the version read: A2's outlet corrected, leaving the group.
    let a2 = repo.get("A2").await.unwrap().unwrap();
    let fixed = repo
        .set(
            &yuyao,
            "A2",
            Some(a2.version),
            &source("拼多多", "", "中通", "余姚城西网点"),
            "analyst",
            T0 + 2 * DAY,
        )
        .await
        .unwrap();
    assert_eq!(fixed.version, 2);
    assert!(matches!(
        repo.set(
            &yuyao,
            "A2",
            Some(a2.version),
            &source("拼多多", "", "中通", "余姚城东网点"),
            "x",
            T0 + 2 * DAY
        )
        .await,
        Err(StoreError::Conflict { .. })
    ));
    let outlets = repo
        .groups(&city, T0, T0 + 30 * DAY, LeakBy::Outlet)
        .await
        .unwrap();
    assert_eq!(outlets[0].cases.len(), 2);
    assert_eq!(outlets.len(), 2);
    assert_eq!(audits(store, "case_order_source_set").await, 6);

    // Coverage: 余姚's four 冒充电商物流客服 cases all recorded; the loan case does not count.
    assert_eq!(
        repo.coverage(&yuyao, T0, T0 + 30 * DAY).await.unwrap(),
        LeakCoverage {
            cases: 4,
            recorded: 4,
        }
    );
    store
        .cases()
        .create(&case("A6", "330281001", 7, 1_000, fcs))
        .await
        .unwrap();
    assert_eq!(
        repo.coverage(&yuyao, T0, T0 + 30 * DAY).await.unwrap(),
        LeakCoverage {
            cases: 5,
            recorded: 4,
        }
    );

    // The outlet handed to the county's postal regulator as a joint-office task.
    let regulator = store
        .joint_office()
        .add_member(
            &yuyao,
            &NewJointMember {
                unit_code: "330281".into(),
                name: "余姚市邮政管理局".into(),
                kind: JointMemberKind::Government,
                contact_name: "联络员".into(),
                contact_phone: "13900003333".into(),
                staff: 40,
                note: String::new(),
                by: "analyst".into(),
            },
            T0,
        )
        .await
        .unwrap();
    let key = outlets[0].key.clone();
    let task = |title: &str| NewTask {
        member_id: regulator,
        meeting_id: None,
        title: title.into(),
        detail: "3起案件".into(),
        due_at: T0 + 20 * DAY,
        by: "analyst".into(),
    };
    assert_eq!(
        invalid_field(
            repo.hand_over(
                &yuyao,
                LeakBy::Outlet,
                "nobody|nowhere",
                &task("核查"),
                T0 + 3 * DAY
            )
            .await
        ),
        "key"
    );
    let id = repo
        .hand_over(
            &yuyao,
            LeakBy::Outlet,
            &key,
            &task("核查中通余姚城东网点订单信息泄露问题"),
            T0 + 3 * DAY,
        )
        .await
        .unwrap();
    let tasks = repo.tasks(&yuyao, LeakBy::Outlet).await.unwrap();
    assert_eq!(tasks[&key].len(), 1);
    assert_eq!(tasks[&key][0].task_id, id);
    assert_eq!(tasks[&key][0].state, TaskState::Open);
    assert!(repo.tasks(&yuyao, LeakBy::Shop).await.unwrap().is_empty());
    assert!(repo.tasks(&cixi, LeakBy::Outlet).await.unwrap().is_empty());
    assert_eq!(audits(store, "joint_task_assigned").await, 1);
}
