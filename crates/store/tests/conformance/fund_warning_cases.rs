//! 资金预警: a fund warning keeps its kind and the payment it reports, in the same write as its
//! push identity; the area's list reads each with the stops asked for it (its own protective
//! ones and its case's), and counts as waiting only the ones with no stop whose instruction is
//! not closed; the instruction queue can be narrowed to the ones a fund warning joined.

use crate::fixtures::with_tree;
use fanzha_core::error_code::{Coded, ErrorCode};
use fanzha_core::PushKind;
use fanzha_store::*;

const T0: i64 = 1_800_000_000_000;
const MIN: i64 = 60_000;

async fn warning(store: &Store, id: &str, unit: &str, at: i64, instruction: Option<&str>) {
    store
        .warnings()
        .insert(&NewWarning {
            id: id.into(),
            resident_id: None,
            msisdn: Some("13800000001".into()),
            unit_code: unit.into(),
            level: 1,
            fraud_type: None,
            score_permille: 1000,
            source: "national_push".into(),
            signal_at: at,
            detected_at: at,
            evidence: serde_json::json!({}),
        })
        .await
        .unwrap();
    if let Some(i) = instruction {
        store.warnings().link_instruction(id, i).await.unwrap();
    }
}

fn fund(amount_fen: i64, account: &str) -> WarningFund {
    WarningFund {
        amount_fen: Some(amount_fen),
        paid_at: Some(T0 - 5 * MIN),
        payee_account: Some(account.into()),
        payee_bank_code: Some("ICBC".into()),
        payee_bank: Some("中国工商银行".into()),
        payer_account: None,
    }
}

fn push(id: &str, kind: Option<PushKind>, fund: Option<WarningFund>) -> WarningPush {
    WarningPush {
        platform: PushPlatform::National,
        push_id: id.into(),
        pushed_at: T0 - MIN,
        import_run: None,
        kind,
        fund,
    }
}

fn protective(id: &str, warning_id: &str, unit: &str, at: i64) -> NewProtectiveStop {
    NewProtectiveStop {
        id: id.into(),
        warning_id: warning_id.into(),
        instruction_id: None,
        resident_id: None,
        unit_code: unit.into(),
        account: "6222020123456789015".into(),
        bank_code: Some("ICBC".into()),
        institution: serde_json::json!({"kind": "bank", "code": "ICBC", "name": "ICBC"}),
        requested_fen: 500_000,
        requested_at: at,
        deadline: at + 30 * MIN,
        reason: "资金预警".into(),
        requested_by: "analyst".into(),
        detail: serde_json::json!({"state": {"state": "requested"}}),
    }
}

pub async fn fund_warnings_keep_their_payment_and_wait_for_a_stop(store: &Store) {
    with_tree(store).await;
    let pushes = store.warning_pushes();
    let funds = store.fund_warnings();
    // F1 stopped at 10 min, F2 stopped at 45 min, F3 waiting, F4 another county, C1 a call
    // warning, E1 from the engine.
    for (id, unit, at) in [
        ("F1", "330281001001", T0),
        ("F2", "330281002001", T0 + MIN),
        ("F3", "330281001001", T0 + 2 * MIN),
        ("F4", "330282001001", T0 + 3 * MIN),
        ("C1", "330281001001", T0 + 4 * MIN),
        ("E1", "330281001001", T0 + 5 * MIN),
    ] {
        warning(store, id, unit, at, None).await;
    }
    for (id, amount) in [("F1", 500_000), ("F2", 120_000), ("F3", 80_000), ("F4", 1)] {
        assert!(pushes
            .attach(
                id,
                &push(
                    &format!("P-{id}"),
                    Some(PushKind::Fund),
                    Some(fund(amount, "6222020123456789015"))
                )
            )
            .await
            .unwrap());
    }
    pushes
        .attach("C1", &push("P-C1", Some(PushKind::Call), None))
        .await
        .unwrap();
    // A payment on another kind is refused, and nothing of it is written.
    warning(store, "X1", "330281001001", T0, None).await;
    let err = pushes
        .attach(
            "X1",
            &push(
                "P-X1",
                Some(PushKind::Sms),
                Some(fund(1, "6222020123456789015")),
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::RecordInvalid, "{err}");
    assert_eq!(
        pushes.find(PushPlatform::National, "P-X1").await.unwrap(),
        None
    );
    // A zero amount is refused and the push identity rolls back with it.
    let err = pushes
        .attach(
            "X1",
            &push(
                "P-X1",
                Some(PushKind::Fund),
                Some(fund(0, "6222020123456789015")),
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::RecordInvalid, "{err}");
    assert_eq!(
        pushes.find(PushPlatform::National, "P-X1").await.unwrap(),
        None
    );

    assert_eq!(
        funds.get("F1").await.unwrap(),
        Some(fund(500_000, "6222020123456789015"))
    );
    assert_eq!(funds.get("C1").await.unwrap(), None);
    assert_eq!(funds.get("E1").await.unwrap(), None);

    let stops = store.stop_payments();
    stops
        .create_protective(&protective("BH1", "F1", "330281001001", T0 + 10 * MIN))
        .await
        .unwrap();
    stops
        .create_protective(&protective(
            "BH2",
            "F2",
            "330281002001",
            T0 + MIN + 45 * MIN,
        ))
        .await
        .unwrap();

    let county = store.units().scope("330281").await.unwrap();
    let all = FundWarningFilter {
        from_ms: T0,
        to_ms: T0 + 60 * MIN,
        awaiting_only: false,
    };
    let listed = funds.list(&county, &all, 100).await.unwrap();
    let ids: Vec<&str> = listed.iter().map(|f| f.warning_id.as_str()).collect();
    assert_eq!(
        ids,
        ["F3", "F2", "F1"],
        "newest first, the county's own only"
    );
    let f1 = &listed[2];
    assert_eq!((f1.stops, f1.first_stop_at), (1, Some(T0 + 10 * MIN)));
    assert!(f1.stopped_within(30 * MIN) && !f1.awaiting());
    assert!(!listed[1].stopped_within(30 * MIN));
    assert!(listed[0].awaiting() && listed[0].stops == 0);
    assert_eq!(listed[0].fund.amount_fen, Some(80_000));
    assert_eq!(listed[0].push_id.as_deref(), Some("P-F3"));

    let waiting = FundWarningFilter {
        awaiting_only: true,
        ..all
    };
    let ids: Vec<String> = funds
        .list(&county, &waiting, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.warning_id)
        .collect();
    assert_eq!(ids, ["F3"]);
    assert_eq!(funds.awaiting_count(&county, T0).await.unwrap(), 1);
    assert_eq!(
        funds.awaiting_count(&county, T0 + 3 * MIN).await.unwrap(),
        0
    );
    let station = store.units().scope("330281002").await.unwrap();
    assert_eq!(funds.awaiting_count(&station, T0).await.unwrap(), 0);
    // One past the limit tells the caller the period holds more.
    assert_eq!(funds.list(&county, &all, 1).await.unwrap().len(), 2);
    // The other county sees its own.
    let other = store.units().scope("330282").await.unwrap();
    let theirs = funds.list(&other, &all, 100).await.unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].warning_id, "F4");

    // An hour on: F5's instruction is closed without a stop (no longer waiting); F6 is stopped
    // through the case it was linked to.
    let later = T0 + 70 * MIN;
    warning(store, "F5", "330281001001", later, None).await;
    warning(store, "F6", "330281001001", later + MIN, None).await;
    for id in ["F5", "F6"] {
        pushes
            .attach(
                id,
                &push(
                    &format!("P-{id}"),
                    Some(PushKind::Fund),
                    Some(fund(1_000, "6222020123456789015")),
                ),
            )
            .await
            .unwrap();
    }
    store
        .instructions()
        .create(&NewInstruction {
            id: "I5".into(),
            resident_id: None,
            owner_unit: "330281".into(),
            fraud_type: None,
            issued_at: later,
            projection: Projection {
                holder_unit: "330281".into(),
                level: 1,
                status: "closed".into(),
                assignee: None,
                next_due_at: None,
                overdue: false,
                open: false,
                saved_fen: 0,
                loss_fen: 0,
                version: 1,
                state: "{}".into(),
            },
            first_event: EventRow {
                seq: 1,
                at: later,
                actor: "t".into(),
                unit_code: "330281".into(),
                action: "issued".into(),
                event: "{}".into(),
            },
        })
        .await
        .unwrap();
    store.warnings().link_instruction("F5", "I5").await.unwrap();
    store
        .cases()
        .create(&NewCase {
            id: "AJ6".into(),
            unit_code: "330281001001".into(),
            reported_at: later + 5 * MIN,
            loss_fen: 1_000,
            narrative: "资金预警后报案".into(),
            top_terms: serde_json::json!([]),
            source: "manual".into(),
            named: serde_json::json!({}),
            created_by: "t".into(),
            created_at: later + 5 * MIN,
            ..NewCase::default()
        })
        .await
        .unwrap();
    store
        .cases()
        .link_warnings("AJ6", &["F6".to_string()])
        .await
        .unwrap();
    store
        .stop_payments()
        .create_many(&[NewStopPayment {
            id: "ZF6".into(),
            case_id: "AJ6".into(),
            unit_code: "330281001001".into(),
            account: "6222020123456789015".into(),
            bank_code: Some("ICBC".into()),
            institution: serde_json::json!({}),
            requested_fen: 1_000,
            requested_at: later + 6 * MIN,
            deadline: later + 36 * MIN,
            detail: serde_json::json!({}),
            reason: None,
            requested_by: None,
        }])
        .await
        .unwrap();
    let hour_two = FundWarningFilter {
        from_ms: later,
        to_ms: later + 60 * MIN,
        awaiting_only: false,
    };
    let listed = funds.list(&county, &hour_two, 100).await.unwrap();
    let (f6, f5) = (&listed[0], &listed[1]);
    assert_eq!(
        (f5.warning_id.as_str(), f5.open, f5.stops),
        ("F5", false, 0)
    );
    assert!(!f5.awaiting(), "closed without a stop: not waiting");
    assert_eq!(f5.instruction_status.as_deref(), Some("closed"));
    assert_eq!(
        (f6.warning_id.as_str(), f6.stops),
        ("F6", 1),
        "its case's stop counts"
    );
    assert_eq!(f6.first_stop_at, Some(later + 6 * MIN));
    assert!(f6.stopped_within(30 * MIN));
    let waiting = FundWarningFilter {
        awaiting_only: true,
        ..hour_two
    };
    assert!(funds.list(&county, &waiting, 100).await.unwrap().is_empty());
    assert_eq!(funds.awaiting_count(&county, later).await.unwrap(), 0);
}
