//! Protective stop-payments (保护性止付): requested from a warning before any case, read by the
//! warning's area and by the addressed bank, answered like any request, and taken by the case
//! opened later for the warned person.

use crate::fixtures::{person, resident_id, with_tree};
use fanzha_store::*;

const T0: i64 = 1_800_000_000_000;
const ICBC_CARD: &str = "6222020123456789015";
const CCB_CARD: &str = "6217000123456789019";

async fn warning(store: &Store, id: &str, unit: &str, n: u32) {
    store
        .warnings()
        .insert(&NewWarning {
            id: id.into(),
            resident_id: Some(resident_id(n)),
            msisdn: None,
            unit_code: unit.into(),
            level: 1,
            fraud_type: Some("investment".into()),
            score_permille: 950,
            source: "engine".into(),
            signal_at: T0,
            detected_at: T0,
            evidence: serde_json::json!({}),
        })
        .await
        .unwrap();
}

fn stop(
    id: &str,
    warning_id: &str,
    unit: &str,
    n: u32,
    account: &str,
    bank: &str,
) -> NewProtectiveStop {
    NewProtectiveStop {
        id: id.into(),
        warning_id: warning_id.into(),
        instruction_id: None,
        resident_id: Some(resident_id(n)),
        unit_code: unit.into(),
        account: account.into(),
        bank_code: Some(bank.into()),
        institution: serde_json::json!({"kind": "bank", "code": bank, "name": bank}),
        requested_fen: 5_000_000,
        requested_at: T0 + 60_000,
        deadline: T0 + 60_000 + 1_800_000,
        reason: "资金预警：正在向涉诈账户转账".into(),
        requested_by: "analyst".into(),
        detail: serde_json::json!({"state": {"state": "requested"}}),
    }
}

/// A request from a warning needs no case; police of the warning's area and the addressed
/// bank read it, nobody else; the same account twice from one warning is a conflict.
pub async fn protective_stops_are_read_by_the_area_and_the_addressed_bank(store: &Store) {
    with_tree(store).await;
    store
        .people()
        .upsert(&[person(1, "330281001001")])
        .await
        .unwrap();
    warning(store, "YJ1", "330281001001", 1).await;
    let repo = store.stop_payments();
    repo.create_protective(&stop("BH1", "YJ1", "330281001001", 1, ICBC_CARD, "ICBC"))
        .await
        .unwrap();
    let again = repo
        .create_protective(&stop("BH2", "YJ1", "330281001001", 1, ICBC_CARD, "ICBC"))
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );
    let mut zero = stop("BH3", "YJ1", "330281001001", 1, CCB_CARD, "CCB");
    zero.requested_fen = 0;
    assert!(matches!(
        repo.create_protective(&zero).await,
        Err(StoreError::Invalid { .. })
    ));

    let yuyao = Viewer::Police(store.units().scope("330281").await.unwrap());
    let cixi = Viewer::Police(store.units().scope("330282").await.unwrap());
    let s = repo.get(&yuyao, "BH1").await.unwrap();
    assert_eq!(s.case_id, None);
    assert_eq!(s.warning_id.as_deref(), Some("YJ1"));
    assert_eq!(s.resident_id, Some(resident_id(1)));
    assert_eq!(s.reason.as_deref(), Some("资金预警：正在向涉诈账户转账"));
    assert_eq!(s.requested_by.as_deref(), Some("analyst"));
    assert_eq!(s.state, "requested");
    assert!(s.is_protective());
    assert!(matches!(
        repo.get(&cixi, "BH1").await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(repo.for_warning(&yuyao, "YJ1").await.unwrap().len(), 1);
    assert!(repo.for_warning(&cixi, "YJ1").await.unwrap().is_empty());

    // The bank's queue: ICBC sees it, CCB does not.
    let icbc = Viewer::Bank("ICBC".into());
    let ccb = Viewer::Bank("CCB".into());
    let queue = repo
        .list(&icbc, None, true, &PageRequest::first(50))
        .await
        .unwrap();
    assert_eq!(
        queue
            .items
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>(),
        ["BH1"]
    );
    assert!(repo
        .list(&ccb, None, true, &PageRequest::first(50))
        .await
        .unwrap()
        .items
        .is_empty());

    // Answered in time, it counts in the timeliness figures of the area and of the bank.
    repo.update(
        &icbc,
        "BH1",
        s.version,
        &StopPaymentUpdate {
            state: "held".into(),
            held_fen: 4_200_000,
            executed_at: Some(T0 + 600_000),
            detail: serde_json::json!({"state": {"state": "held"}}),
            at: T0 + 600_000,
        },
    )
    .await
    .unwrap();
    for viewer in [&yuyao, &icbc] {
        let t = repo.timeliness(viewer, T0, T0 + 86_400_000).await.unwrap();
        assert_eq!((t.requested, t.executed_in_time), (1, 1));
        assert_eq!(t.held_fen, 4_200_000);
    }
    assert_eq!(
        repo.timeliness(&cixi, T0, T0 + 86_400_000)
            .await
            .unwrap()
            .requested,
        0
    );
}

/// A case opened for the warned person takes the protective requests of their warnings once;
/// its fund figures then count what the banks held. A request on an account the case already
/// has stays apart; another person's request is never taken.
pub async fn a_case_takes_the_protective_stops_of_its_persons_warnings(store: &Store) {
    with_tree(store).await;
    store
        .people()
        .upsert(&[person(1, "330281001001"), person(2, "330281001001")])
        .await
        .unwrap();
    warning(store, "YJ1", "330281001001", 1).await;
    warning(store, "YJ2", "330281001001", 1).await;
    warning(store, "YJ3", "330281001001", 2).await;
    let repo = store.stop_payments();
    repo.create_protective(&stop("BH1", "YJ1", "330281001001", 1, ICBC_CARD, "ICBC"))
        .await
        .unwrap();
    // The same account from the person's second warning, and another account.
    repo.create_protective(&stop("BH2", "YJ2", "330281001001", 1, ICBC_CARD, "ICBC"))
        .await
        .unwrap();
    repo.create_protective(&stop("BH3", "YJ2", "330281001001", 1, CCB_CARD, "CCB"))
        .await
        .unwrap();
    // Another person's.
    repo.create_protective(&stop("BH4", "YJ3", "330281001001", 2, CCB_CARD, "CCB"))
        .await
        .unwrap();
    let police = Viewer::Police(Scope::platform());
    let held = repo.get(&police, "BH1").await.unwrap();
    repo.update(
        &police,
        "BH1",
        held.version,
        &StopPaymentUpdate {
            state: "held".into(),
            held_fen: 3_000_000,
            executed_at: Some(T0 + 120_000),
            detail: serde_json::json!({}),
            at: T0 + 120_000,
        },
    )
    .await
    .unwrap();

    store
        .cases()
        .create(&NewCase {
            id: "AJ1".into(),
            resident_id: Some(resident_id(1)),
            unit_code: "330281001001".into(),
            reported_at: T0 + 3_600_000,
            loss_fen: 5_000_000,
            narrative: "投资理财诈骗".into(),
            top_terms: serde_json::json!([]),
            source: "outcome".into(),
            named: serde_json::json!({}),
            created_by: "t".into(),
            created_at: T0 + 3_600_000,
            ..NewCase::default()
        })
        .await
        .unwrap();
    let warnings = vec!["YJ1".to_string(), "YJ2".to_string()];
    assert_eq!(repo.attach_to_case("AJ1", &warnings).await.unwrap(), 2);
    assert_eq!(
        repo.attach_to_case("AJ1", &warnings).await.unwrap(),
        0,
        "attached once"
    );
    let of_case = repo
        .list(&police, Some("AJ1"), false, &PageRequest::first(50))
        .await
        .unwrap();
    let mut ids: Vec<&str> = of_case.items.iter().map(|s| s.id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["BH1", "BH3"]);
    let apart = repo.get(&police, "BH2").await.unwrap();
    assert_eq!(
        apart.case_id, None,
        "the case already has a request on that account"
    );
    let other = repo.get(&police, "BH4").await.unwrap();
    assert_eq!(other.case_id, None);
    let attached = repo.get(&police, "BH1").await.unwrap();
    assert_eq!(attached.case_id.as_deref(), Some("AJ1"));
    assert_eq!(attached.warning_id.as_deref(), Some("YJ1"));
    assert_eq!(attached.held_fen, 3_000_000);
    assert_eq!(attached.version, held.version + 2);

    let f = repo
        .fund_figures(&police, T0, T0 + 86_400_000)
        .await
        .unwrap();
    assert_eq!(f.requested, 2);
    assert_eq!(f.stopped, 1);
    assert_eq!(f.stopped_fen, 3_000_000);
    // The account's claims now name the case.
    let claims = repo
        .claims_on_account(&Scope::platform(), ICBC_CARD)
        .await
        .unwrap();
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].case_id, "AJ1");
    assert_eq!(claims[0].held_fen, 3_000_000);
}
