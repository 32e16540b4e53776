//! Analysis groups (分类研判组): set up inside the scope at the center or a county, a fraud type
//! in one active group of a unit, changed at the version read, deactivated (freeing the types),
//! audited, and their figures counted for their types in their subtree.

use crate::fixtures::with_tree;
use fanzha_core::error_code::{Coded, ErrorCode};
use fanzha_core::FraudType::{self, *};
use fanzha_store::*;

const DAY: i64 = 86_400_000;
const T0: i64 = 1_800_000_000_000;
const CITY: &str = "3302";
const YUYAO: &str = "330281";
const YANGMING: &str = "330281001";
const YANGMING_VILLAGE: &str = "330281001001";
const LIZHOU: &str = "330281002";
const CIXI_VILLAGE: &str = "330282001001";

async fn user(store: &Store, login: &str, unit: &str) {
    store
        .users()
        .upsert(&NewUser {
            login: login.into(),
            display_name: format!("用户{login}"),
            unit_code: unit.into(),
            roles: vec![Role::CenterAnalyst],
            joint_member: None,
            bank_code: None,
            operator: None,
            password_hash: None,
        })
        .await
        .unwrap();
}

async fn setup(store: &Store) {
    with_tree(store).await;
    user(store, "a1", CITY).await;
    user(store, "a2", CITY).await;
    user(store, "y1", YUYAO).await;
    user(store, "c1", "330282").await;
}

fn group(
    unit: &str,
    name: &str,
    types: &[FraudType],
    lead: &str,
    members: &[&str],
) -> NewAnalysisGroup {
    NewAnalysisGroup {
        unit_code: unit.into(),
        name: name.into(),
        fraud_types: types.to_vec(),
        lead: lead.into(),
        members: members.iter().map(|m| m.to_string()).collect(),
        by: "admin".into(),
        at: T0,
    }
}

async fn audits(store: &Store, action: &str) -> Vec<AuditEntry> {
    store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(500))
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|e| e.action == action)
        .collect()
}

pub async fn groups_are_set_up_inside_the_scope_with_each_type_in_one_active_group(store: &Store) {
    setup(store).await;
    let repo = store.analysis_groups();
    let city = store.units().scope(CITY).await.unwrap();
    let yuyao = store.units().scope(YUYAO).await.unwrap();

    let g1 = repo
        .create(
            &city,
            &group(
                CITY,
                " 刷单返利研判组 ",
                &[FakeShopping, OrderBrushing, OrderBrushing],
                "a1",
                &["a2"],
            ),
        )
        .await
        .unwrap();
    assert_eq!(g1.name, "刷单返利研判组");
    assert_eq!(g1.fraud_types, vec![OrderBrushing, FakeShopping]);
    assert_eq!(g1.members, vec!["a1".to_string(), "a2".to_string()]);
    assert!(g1.active && g1.version == 1);
    assert_eq!(repo.get(&city, g1.id).await.unwrap(), g1);
    let created = audits(store, "analysis_group_created").await;
    assert_eq!(created.len(), 1);
    assert_eq!(
        created[0].target_id.as_deref(),
        Some(g1.id.to_string().as_str())
    );
    assert_eq!(created[0].unit_code.as_deref(), Some(CITY));
    assert_eq!(
        created[0].detail["fraud_types"],
        serde_json::json!(["order_brushing", "fake_shopping"])
    );

    // A type of an active group of the same unit: refused, naming the group.
    let clash = repo
        .create(
            &city,
            &group(CITY, "购物研判组", &[FakeLoan, FakeShopping], "a2", &[]),
        )
        .await
        .unwrap_err();
    match &clash {
        StoreError::TypeCovered {
            fraud_type,
            group_id,
            group_name,
        } => {
            assert_eq!(fraud_type, "虚假购物服务");
            assert_eq!(*group_id, g1.id);
            assert_eq!(group_name, "刷单返利研判组");
        }
        other => panic!("expected TypeCovered, got {other:?}"),
    }
    assert_eq!(clash.code(), ErrorCode::AnalysisGroupTypeTaken);
    assert!(clash.to_string().contains("deactivate"), "{clash}");
    // The same name at the same unit: refused.
    let same_name = repo
        .create(
            &city,
            &group(CITY, "刷单返利研判组", &[FakeLoan], "a2", &[]),
        )
        .await
        .unwrap_err();
    assert_eq!(same_name.code(), ErrorCode::Conflict);
    // Nothing of a refused group was written.
    assert_eq!(repo.list(&city, true).await.unwrap().len(), 1);
    assert_eq!(audits(store, "analysis_group_created").await.len(), 1);

    // Another unit may give the same type its own group.
    let g2 = repo
        .create(
            &yuyao,
            &group(YUYAO, "余姚刷单组", &[OrderBrushing], "y1", &[]),
        )
        .await
        .unwrap();
    assert_eq!(g2.members, vec!["y1".to_string()]);

    // Checks: the unit's level, the types, the lead and members inside the unit's subtree.
    for (new, field) in [
        (
            group(YANGMING, "街道组", &[FakeLoan], "y1", &[]),
            "unit_code",
        ),
        (group(CITY, "空组", &[], "a1", &[]), "fraud_types"),
        (group(CITY, "正常组", &[Normal], "a1", &[]), "fraud_types"),
        (group(CITY, "", &[FakeLoan], "a1", &[]), "name"),
        (group(CITY, "无组长", &[FakeLoan], " ", &[]), "lead"),
        (group(YUYAO, "外县组长", &[FakeLoan], "c1", &[]), "lead"),
        (
            group(YUYAO, "外县组员", &[FakeLoan], "y1", &["a1"]),
            "members",
        ),
        (
            group(CITY, "无此人", &[FakeLoan], "a1", &["nobody"]),
            "members",
        ),
    ] {
        match repo.create(&city, &new).await {
            Err(StoreError::Invalid { field: f, .. }) => assert_eq!(f, field, "{}", new.name),
            other => panic!("{}: expected Invalid {field}, got {other:?}", new.name),
        }
    }
    // A unit outside the scope is not found.
    let err = repo
        .create(&yuyao, &group(CITY, "越权组", &[FakeLoan], "a1", &[]))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);

    // Reads stay inside the scope.
    let ids = |v: Vec<AnalysisGroup>| v.into_iter().map(|g| g.id).collect::<Vec<_>>();
    assert_eq!(
        ids(repo.list(&city, false).await.unwrap()),
        vec![g1.id, g2.id]
    );
    assert_eq!(ids(repo.list(&yuyao, false).await.unwrap()), vec![g2.id]);
    let cixi = store.units().scope("330282").await.unwrap();
    assert!(repo.list(&cixi, true).await.unwrap().is_empty());
    assert_eq!(
        repo.get(&yuyao, g1.id).await.unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        ids(repo.of_member(&Scope::platform(), "a2").await.unwrap()),
        vec![g1.id]
    );
    assert_eq!(
        ids(repo.of_member(&yuyao, "a2").await.unwrap()),
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(repo.of_member(&Scope::platform(), "y1").await.unwrap()),
        vec![g2.id]
    );
    assert!(repo
        .of_member(&Scope::platform(), "c1")
        .await
        .unwrap()
        .is_empty());
}

pub async fn groups_change_at_the_version_read_and_deactivation_frees_their_types(store: &Store) {
    setup(store).await;
    let repo = store.analysis_groups();
    let city = store.units().scope(CITY).await.unwrap();
    let g1 = repo
        .create(
            &city,
            &group(
                CITY,
                "刷单返利研判组",
                &[OrderBrushing, FakeShopping],
                "a1",
                &["a2"],
            ),
        )
        .await
        .unwrap();
    let g2 = repo
        .create(
            &city,
            &group(CITY, "投资理财研判组", &[FakeInvestment], "a2", &[]),
        )
        .await
        .unwrap();
    let change =
        |version: i64, types: &[FraudType], lead: &str, members: &[&str]| AnalysisGroupUpdate {
            name: "刷单类研判组".into(),
            fraud_types: types.to_vec(),
            lead: lead.into(),
            members: members.iter().map(|m| m.to_string()).collect(),
            expected_version: version,
            by: "admin2".into(),
            at: T0 + DAY,
        };
    let g1b = repo
        .update(
            &city,
            g1.id,
            &change(1, &[OrderBrushing, GameTrading], "a2", &["y1"]),
        )
        .await
        .unwrap();
    assert_eq!(g1b.name, "刷单类研判组");
    assert_eq!(g1b.fraud_types, vec![OrderBrushing, GameTrading]);
    assert_eq!((g1b.lead.as_str(), g1b.version), ("a2", 2));
    assert_eq!(g1b.members, vec!["a2".to_string(), "y1".to_string()]);
    assert_eq!(
        (g1b.updated_by.as_str(), g1b.updated_at),
        ("admin2", T0 + DAY)
    );
    let updated = audits(store, "analysis_group_updated").await;
    assert_eq!(updated.len(), 1);
    assert_eq!(updated[0].actor, "admin2");
    assert_eq!(updated[0].detail["before"]["lead"], "a1");
    // A stale version changes nothing.
    let stale = repo
        .update(&city, g1.id, &change(1, &[OrderBrushing], "a1", &[]))
        .await
        .unwrap_err();
    assert_eq!(stale.code(), ErrorCode::Conflict);
    assert_eq!(repo.get(&city, g1.id).await.unwrap(), g1b);
    // The type freed by the update is free; one still held is not.
    let mut to_g2 = change(1, &[FakeInvestment, FakeShopping], "a2", &[]);
    to_g2.name = "投资理财研判组".into();
    repo.update(&city, g2.id, &to_g2).await.unwrap();
    to_g2.expected_version = 2;
    to_g2.fraud_types = vec![FakeInvestment, GameTrading];
    assert!(matches!(
        repo.update(&city, g2.id, &to_g2).await.unwrap_err(),
        StoreError::TypeCovered { group_id, .. } if group_id == g1.id
    ));

    // Deactivated: inactive, its types and name free again, no further change.
    let off = repo
        .deactivate(&city, g1.id, 2, "admin", T0 + 2 * DAY)
        .await
        .unwrap();
    assert!(!off.active);
    assert_eq!(off.version, 3);
    assert_eq!(off.fraud_types, vec![OrderBrushing, GameTrading]);
    assert_eq!(audits(store, "analysis_group_deactivated").await.len(), 1);
    assert_eq!(
        repo.deactivate(&city, g1.id, 3, "admin", T0)
            .await
            .unwrap_err()
            .code(),
        ErrorCode::Conflict
    );
    assert_eq!(
        repo.update(&city, g1.id, &change(3, &[OrderBrushing], "a1", &[]))
            .await
            .unwrap_err()
            .code(),
        ErrorCode::Conflict
    );
    let g3 = repo
        .create(
            &city,
            &group(
                CITY,
                "刷单类研判组",
                &[OrderBrushing, GameTrading],
                "a1",
                &[],
            ),
        )
        .await
        .unwrap();
    let active: Vec<i64> = repo
        .list(&city, false)
        .await
        .unwrap()
        .iter()
        .map(|g| g.id)
        .collect();
    assert_eq!(active.len(), 2);
    assert!(active.contains(&g3.id) && active.contains(&g2.id) && !active.contains(&g1.id));
    assert_eq!(repo.list(&city, true).await.unwrap().len(), 3);
    assert!(repo
        .of_member(&Scope::platform(), "y1")
        .await
        .unwrap()
        .is_empty());
}

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

fn warning(id: &str, unit: &str, day: i64, fraud_type: &str) -> NewWarning {
    NewWarning {
        id: id.into(),
        resident_id: None,
        msisdn: None,
        unit_code: unit.into(),
        level: 2,
        fraud_type: Some(fraud_type.into()),
        score_permille: 500,
        source: "engine".into(),
        signal_at: T0 + day * DAY,
        detected_at: T0 + day * DAY,
        evidence: serde_json::json!({}),
    }
}

fn event(seq: i64, at: i64, action: &str) -> EventRow {
    EventRow {
        seq,
        at,
        actor: "analyst".into(),
        unit_code: CITY.into(),
        action: action.into(),
        event: format!(r#"{{"seq":{seq},"action":"{action}"}}"#),
    }
}

fn projection(holder: &str, version: i64, status: &str) -> Projection {
    Projection {
        holder_unit: holder.into(),
        level: 2,
        status: status.into(),
        assignee: None,
        next_due_at: None,
        overdue: false,
        open: status != "closed",
        saved_fen: 0,
        loss_fen: 0,
        version,
        state: "{}".into(),
    }
}

/// An instruction of `fraud_type` held by `holder`, waiting for 二次研判, then decided on `day`
/// (`review_approved` / `review_rejected`) when given.
async fn instruction(
    store: &Store,
    id: &str,
    holder: &str,
    fraud_type: &str,
    decided: Option<(&str, i64)>,
) {
    let repo = store.instructions();
    repo.create(&NewInstruction {
        id: id.into(),
        resident_id: None,
        owner_unit: holder.into(),
        fraud_type: Some(fraud_type.into()),
        issued_at: T0,
        projection: projection(holder, 1, "pending_review"),
        first_event: event(1, T0, "issued"),
    })
    .await
    .unwrap();
    if let Some((action, day)) = decided {
        let status = if action == "review_approved" {
            "issued"
        } else {
            "closed"
        };
        repo.append(
            id,
            1,
            &[event(2, T0 + day * DAY, action)],
            &projection(holder, 2, status),
        )
        .await
        .unwrap();
    }
}

pub async fn figures_count_the_groups_types_in_its_subtree_and_the_period(store: &Store) {
    setup(store).await;
    let repo = store.analysis_groups();
    let city = store.units().scope(CITY).await.unwrap();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    // 余姚's group: 刷单返利 and 虚假购物服务.
    let g = repo
        .create(
            &yuyao,
            &group(
                YUYAO,
                "余姚刷单组",
                &[OrderBrushing, FakeShopping],
                "y1",
                &[],
            ),
        )
        .await
        .unwrap();
    for c in [
        // Of the types, in 余姚, in the period [day 0, day 30): K1, K2 (Chinese name), K3.
        case("K1", YANGMING_VILLAGE, 1, 1_000_000, "order_brushing"),
        case("K2", LIZHOU, 2, 500_000, "虚假购物服务"),
        case("K3", YANGMING_VILLAGE, 3, 200_000, "fake_shopping"),
        // Outside the period, another type, another county.
        case("K4", YANGMING_VILLAGE, 40, 300_000, "order_brushing"),
        case("K5", YANGMING_VILLAGE, 4, 700_000, "fake_investment"),
        case("K6", CIXI_VILLAGE, 5, 900_000, "order_brushing"),
    ] {
        assert!(store.cases().create(&c).await.unwrap());
    }
    let e = store.enforcement();
    let set = |status, solved_at, recovered_fen| EnforcementUpdate {
        supervision: None,
        status,
        solved_at,
        recovered_fen,
        expected_version: 0,
        by: "analyst".into(),
    };
    let now = T0 + 60 * DAY;
    e.set(
        &city,
        "K1",
        &set(InvestigationStatus::Solved, Some(T0 + 10 * DAY), 300_000),
        now,
    )
    .await
    .unwrap();
    e.set(
        &city,
        "K2",
        &set(InvestigationStatus::Dropped, None, 0),
        now,
    )
    .await
    .unwrap();
    e.set(
        &city,
        "K5",
        &set(InvestigationStatus::Solved, Some(T0 + 10 * DAY), 50_000),
        now,
    )
    .await
    .unwrap();
    e.set(
        &city,
        "K6",
        &set(InvestigationStatus::Solved, Some(T0 + 10 * DAY), 70_000),
        now,
    )
    .await
    .unwrap();
    for (n, case_id, day) in [
        (1, "K1", 5),
        (2, "K3", 6),
        (3, "K5", 7),
        (4, "K6", 8),
        (5, "K1", 45),
    ] {
        e.add_suspect(
            &city,
            &NewSuspect {
                case_id: case_id.into(),
                name: format!("嫌疑人{n}"),
                resident_id: None,
                phone: None,
                role: SuspectRole::CashMule,
                measure: Some(SuspectMeasure::CriminalDetention),
                measure_at: Some(T0 + day * DAY),
                note: String::new(),
                created_by: "analyst".into(),
            },
            now,
        )
        .await
        .unwrap();
    }
    let stop = |id: &str, case_id: &str, unit: &str, fen: i64| NewStopPayment {
        id: id.into(),
        case_id: case_id.into(),
        unit_code: unit.into(),
        account: format!("62220000{id}"),
        bank_code: None,
        institution: serde_json::json!({}),
        requested_fen: fen,
        requested_at: T0 + DAY,
        deadline: T0 + DAY + 1_800_000,
        detail: serde_json::json!({}),
        reason: None,
        requested_by: None,
    };
    store
        .stop_payments()
        .create_many(&[
            stop("S1", "K1", YANGMING_VILLAGE, 400_000),
            stop("S2", "K5", YANGMING_VILLAGE, 100_000),
            stop("S3", "K6", CIXI_VILLAGE, 100_000),
        ])
        .await
        .unwrap();
    for w in [
        warning("W1", YANGMING_VILLAGE, 1, "order_brushing"),
        warning("W2", LIZHOU, 2, "刷单返利"),
        warning("W3", YANGMING_VILLAGE, 3, "fake_loan"),
        warning("W4", CIXI_VILLAGE, 3, "order_brushing"),
        warning("W5", YANGMING_VILLAGE, 50, "fake_shopping"),
    ] {
        store.warnings().insert(&w).await.unwrap();
    }
    instruction(
        store,
        "I1",
        YUYAO,
        "order_brushing",
        Some(("review_approved", 2)),
    )
    .await;
    instruction(
        store,
        "I2",
        YANGMING,
        "fake_shopping",
        Some(("review_rejected", 3)),
    )
    .await;
    instruction(
        store,
        "I3",
        YUYAO,
        "order_brushing",
        Some(("review_rejected", 40)),
    )
    .await;
    instruction(store, "I4", YUYAO, "order_brushing", None).await;
    instruction(store, "I5", YUYAO, "fake_loan", None).await;
    instruction(
        store,
        "I6",
        "330282",
        "order_brushing",
        Some(("review_approved", 2)),
    )
    .await;

    let f = repo.figures(&city, &g, T0, T0 + 30 * DAY).await.unwrap();
    assert_eq!((f.cases, f.loss_fen), (3, 1_700_000));
    assert_eq!((f.solved, f.dropped, f.open_investigations()), (1, 1, 1));
    assert_eq!(f.recovered_fen, 300_000);
    assert_eq!(f.people_caught, 2);
    assert_eq!((f.funds.requested, f.funds.requested_fen), (1, 400_000));
    assert_eq!(f.warnings, 2);
    assert_eq!((f.review_approved, f.review_rejected), (1, 1));
    assert_eq!(f.pending_review, 1);
    assert_eq!(f.solve_rate(), Some(1.0 / 3.0));

    // The same definitions as the area's enforcement and fund figures: the group's cases are
    // the area's cases less those of other types.
    let all = e.figures(&yuyao, T0, T0 + 30 * DAY).await.unwrap();
    assert_eq!(all.cases - 1, f.cases);
    assert_eq!(all.loss_fen - 700_000, f.loss_fen);
    assert_eq!(all.caught() - 1, f.people_caught);

    // A reader's scope narrows the group's subtree: 阳明街道 sees K1 and K3 only.
    let yangming = store.units().scope(YANGMING).await.unwrap();
    let narrow = repo
        .figures(&yangming, &g, T0, T0 + 30 * DAY)
        .await
        .unwrap();
    assert_eq!(
        (narrow.cases, narrow.loss_fen, narrow.warnings),
        (2, 1_200_000, 1)
    );
    assert_eq!(narrow.pending_review, 0);

    // A later period: K4, W5, I3's rejection.
    let later = repo
        .figures(&city, &g, T0 + 30 * DAY, T0 + 60 * DAY)
        .await
        .unwrap();
    assert_eq!((later.cases, later.loss_fen, later.solved), (1, 300_000, 0));
    assert_eq!(
        (later.warnings, later.review_rejected, later.people_caught),
        (1, 1, 1)
    );
}
