//! A key person's cases (涉案情况): the cases in which the dossier's resident is a suspect,
//! holds an account paid into, or is the victim; and 再次涉案 — involvement on the fraud's
//! side in a case reported after the listing — as a list filter and a figure.

use crate::fixtures::{person, resident_id, with_tree};
use fanzha_store::*;

const T0: i64 = 1_800_000_000_000;
const DAY: i64 = 86_400_000;
/// Held by the listed resident.
const MULE: &str = "6222020123456789015";
/// The listed resident's own account, with which they pay as a victim.
const OWN: &str = "6216610123456789013";

/// A valid GB 11643 number born 1990-01-01 in 余姚 with sequence `n` (suspects are checked).
fn valid_id(n: u32) -> String {
    let body = format!("33028119900101{n:03}");
    let bytes: [u8; 17] = body.as_bytes().try_into().unwrap();
    let check = fanzha_core::resident_id::check_char(&bytes);
    format!("{body}{}", check as char)
}

fn case(id: &str, unit: &str, at: i64, victim: Option<String>, own: &str) -> NewCase {
    NewCase {
        id: id.into(),
        victim_name: Some(format!("受害人{id}")),
        resident_id: victim,
        victim_account: Some(own.into()),
        unit_code: unit.into(),
        reported_at: at,
        loss_fen: 80_000,
        narrative: "刷单返利，诱导转账".into(),
        top_terms: serde_json::json!([]),
        source: "form".into(),
        named: serde_json::json!({}),
        created_by: "t".into(),
        created_at: at,
        ..NewCase::default()
    }
}

fn transfer(from: &str, to: &str, at: i64, amount_fen: i64) -> CaseTransfer {
    CaseTransfer {
        txn_id: None,
        from_account: from.into(),
        to_account: to.into(),
        at,
        amount_fen,
        channel: "bank".into(),
        source_file: None,
    }
}

fn suspect(case_id: &str, rid: String, role: SuspectRole) -> NewSuspect {
    NewSuspect {
        case_id: case_id.into(),
        name: "卡农甲".into(),
        resident_id: Some(rid),
        phone: None,
        role,
        measure: Some(SuspectMeasure::CriminalDetention),
        measure_at: Some(T0 - DAY / 2),
        note: String::new(),
        created_by: "t".into(),
    }
}

/// A stop-payment request `id` of case `case_id` (by `unit`) for `requested_fen` on
/// `account`, made at `at`.
fn stop(
    (id, case_id, unit): (&str, &str, &str),
    account: &str,
    requested_fen: i64,
    at: i64,
) -> NewStopPayment {
    NewStopPayment {
        id: id.into(),
        case_id: case_id.into(),
        unit_code: unit.into(),
        account: account.into(),
        bank_code: None,
        institution: serde_json::json!({"kind": "bank", "code": "ICBC"}),
        requested_fen,
        requested_at: at,
        deadline: at + 1_800_000,
        detail: serde_json::json!({}),
        reason: None,
        requested_by: None,
    }
}

/// Resident `n` (a valid ID number) living in `village`, holding `cards`, listed as a
/// two-card key person at T0 for `reason`; the ID number and the dossier.
async fn listed_card_holder(
    store: &Store,
    n: u32,
    village: &str,
    cards: &[&str],
    reason: &str,
) -> (String, i64) {
    let rid = valid_id(n);
    let mut resident = person(n, village);
    resident.resident_id = rid.clone();
    store.people().upsert(&[resident]).await.unwrap();
    let accounts: Vec<NewAccount> = cards
        .iter()
        .map(|no| NewAccount {
            account_no: (*no).into(),
            bank_code: None,
            bank_name: None,
            card_type: None,
            holder_resident_id: Some(rid.clone()),
            holder_name: None,
            opened_at: None,
            opened_where: None,
        })
        .collect();
    store.accounts().upsert(&accounts).await.unwrap();
    let (id, _) = store
        .key_persons()
        .create(
            &Scope::platform(),
            &NewKeyPerson {
                resident_id: rid.clone(),
                category: KeyPersonCategory::TwoCards,
                reason: reason.into(),
                source: "form".into(),
                created_by: "analyst".into(),
                at: T0,
            },
        )
        .await
        .unwrap();
    (rid, id)
}

/// The listed resident (valid ID, 余姚 · 舜水社区) with a dossier opened at T0, a card and an
/// account of their own; resident 2 lives in 慈溪. AJ0 (before the listing): the resident was
/// a suspect. AJ2 (after): the resident was the victim and paid from their own account into
/// their own card — no involvement on the fraud's side.
async fn world(store: &Store) -> (String, i64) {
    with_tree(store).await;
    store
        .people()
        .upsert(&[person(2, "330282001001")])
        .await
        .unwrap();
    let (rid, id) = listed_card_holder(store, 1, "330281001001", &[MULE, OWN], "出售银行卡").await;
    let cases = store.cases();
    cases
        .create(&case("AJ0", "330281001001", T0 - DAY, None, "ACC-AJ0"))
        .await
        .unwrap();
    store
        .enforcement()
        .add_suspect(
            &Scope::platform(),
            &suspect("AJ0", rid.clone(), SuspectRole::CardSeller),
            T0,
        )
        .await
        .unwrap();
    cases
        .create(&case(
            "AJ2",
            "330281001001",
            T0 + 2 * DAY,
            Some(rid.clone()),
            OWN,
        ))
        .await
        .unwrap();
    cases
        .add_transfers("AJ2", &[transfer(OWN, MULE, T0 + 2 * DAY - 60_000, 30_000)])
        .await
        .unwrap();
    (rid, id)
}

/// The dossiers of `unit` involved since `since`, from the list (its count agreeing).
async fn involved_since(store: &Store, unit: &str, since: InvolvedSince) -> Vec<i64> {
    let scope = store.units().scope(unit).await.unwrap();
    let filter = KeyPersonFilter {
        involved_since: Some(since),
        ..KeyPersonFilter::default()
    };
    let repo = store.key_persons();
    let ids: Vec<i64> = repo
        .list(&scope, &filter, &PageRequest::first(50), T0 + 10 * DAY)
        .await
        .unwrap()
        .items
        .iter()
        .map(|k| k.id)
        .collect();
    let counted = repo.count(&scope, &filter, T0 + 10 * DAY).await.unwrap();
    assert_eq!(counted as usize, ids.len(), "count agrees with the list");
    ids
}

/// The dossiers of `unit` involved again and not followed up since (再次涉案待跟进).
async fn pending(store: &Store, unit: &str) -> Vec<i64> {
    involved_since(store, unit, InvolvedSince::LastAction).await
}

/// The register's 再次涉案 figure of `unit` and the dossiers its filter lists.
async fn involved(store: &Store, unit: &str) -> (i64, Vec<i64>) {
    let scope = store.units().scope(unit).await.unwrap();
    let figures = store
        .key_persons()
        .figures(&scope, T0 + 10 * DAY)
        .await
        .unwrap();
    (
        figures.involved_since_listing,
        involved_since(store, unit, InvolvedSince::Listing).await,
    )
}

/// The dossier lists the person's cases in every role, the latest first; a victim's own
/// account paid into by themselves makes no holder row.
pub async fn a_key_persons_cases_show_every_role_the_latest_first(store: &Store) {
    let (rid, id) = world(store).await;
    let cases = store.cases();
    // AJ1 (慈溪's victim, after the listing): victim money into the resident's card, part of
    // it requested for a stop-payment.
    cases
        .create(&case("AJ1", "330282001001", T0 + DAY, None, "ACC-AJ1"))
        .await
        .unwrap();
    cases
        .add_transfers(
            "AJ1",
            &[transfer("ACC-AJ1", MULE, T0 + DAY - 60_000, 50_000)],
        )
        .await
        .unwrap();
    store
        .stop_payments()
        .create_many(&[stop(("ZF1", "AJ1", "330282001001"), MULE, 20_000, T0 + DAY)])
        .await
        .unwrap();
    let yuyao = store.units().scope("330281").await.unwrap();
    let dossier = store.key_persons().get(&yuyao, id).await.unwrap();
    let listed = store.key_persons().cases(&dossier).await.unwrap();
    let summary: Vec<(&str, &Involvement)> = listed
        .iter()
        .map(|c| (c.case_id.as_str(), &c.involvement))
        .collect();
    assert_eq!(
        summary,
        [
            ("AJ2", &Involvement::Victim),
            (
                "AJ1",
                &Involvement::AccountHolder {
                    account_no: MULE.into(),
                    received_fen: 50_000,
                    requested_fen: 20_000,
                    held_fen: 0,
                }
            ),
            (
                "AJ0",
                &Involvement::Suspect {
                    role: SuspectRole::CardSeller,
                    measure: Some(SuspectMeasure::CriminalDetention),
                }
            ),
        ],
        "no holder row for the victim's own payment into their card"
    );
    let aj1 = &listed[1];
    assert_eq!(
        (aj1.unit_code.as_str(), aj1.reported_at, aj1.loss_fen),
        ("330282001001", T0 + DAY, 80_000),
        "慈溪's case is listed for the 余姚 dossier"
    );
    assert!(listed[1].involvement.on_fraud_side() && !listed[0].involvement.on_fraud_side());

    let cixi = store.units().scope("330282").await.unwrap();

    // The badge other registers show.
    let shown = store
        .key_persons()
        .listed_among(&yuyao, &[rid.as_str(), resident_id(2).as_str()])
        .await
        .unwrap();
    assert_eq!(
        shown,
        [ListedAs {
            resident_id: rid.clone(),
            key_person_id: id,
            category: KeyPersonCategory::TwoCards,
            status: KeyPersonStatus::Active,
        }]
    );
    assert!(store
        .key_persons()
        .listed_among(&cixi, &[rid.as_str()])
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .key_persons()
        .listed_among(&yuyao, &[])
        .await
        .unwrap()
        .is_empty());
}

/// 再次涉案: a suspect or holder in a case reported after the listing, while in control;
/// neither an earlier case nor being a victim counts, a person counts once, and a closed
/// dossier no longer does.
pub async fn involvement_after_the_listing_is_counted_while_in_control(store: &Store) {
    let (rid, id) = world(store).await;
    assert_eq!(
        involved(store, "330281").await,
        (0, vec![]),
        "a suspect before the listing, a victim after it"
    );

    // A suspect of a case reported after the listing.
    let cases = store.cases();
    cases
        .create(&case("AJ3", "330281001001", T0 + 3 * DAY, None, "ACC-AJ3"))
        .await
        .unwrap();
    store
        .enforcement()
        .add_suspect(
            &Scope::platform(),
            &suspect("AJ3", rid.clone(), SuspectRole::CashMule),
            T0 + 3 * DAY,
        )
        .await
        .unwrap();
    assert_eq!(involved(store, "330281").await, (1, vec![id]));
    assert_eq!(involved(store, "330281001001").await, (1, vec![id]));
    assert_eq!(
        pending(store, "330281").await,
        [id],
        "nobody has followed it up"
    );
    // The unit visits the person after the case: followed up, still involved again. An
    // entry that is no visit or measure (the responsible officer named) follows nothing up.
    store
        .key_persons()
        .assign(
            &Scope::platform(),
            id,
            &Responsible::Named {
                name: "社区民警王警官".into(),
                phone: "13900001111".into(),
            },
            "analyst",
            T0 + 3 * DAY + 1_000,
        )
        .await
        .unwrap();
    assert_eq!(pending(store, "330281").await, [id]);
    store
        .key_persons()
        .add_event(
            &Scope::platform(),
            id,
            &KeyPersonMeasure::Visit {
                note: "上门核查涉案情况".into(),
                control: None,
            },
            "grid",
            T0 + 3 * DAY + 3_600_000,
        )
        .await
        .unwrap();
    assert!(pending(store, "330281").await.is_empty());
    assert_eq!(involved(store, "330281").await, (1, vec![id]));
    assert_eq!(
        involved(store, "330282").await,
        (0, vec![]),
        "慈溪 holds no dossier"
    );

    // Another listed resident (新建社区) whose card receives a 慈溪 victim's money, which
    // also reaches the first one's card: each person once.
    let (_, id3) = listed_card_holder(
        store,
        3,
        "330281001002",
        &["6217000123456789019"],
        "出租银行卡",
    )
    .await;
    cases
        .create(&case("AJ1", "330282001001", T0 + DAY, None, "ACC-AJ1"))
        .await
        .unwrap();
    cases
        .add_transfers(
            "AJ1",
            &[
                transfer("ACC-AJ1", "6217000123456789019", T0 + DAY - 60_000, 50_000),
                transfer("ACC-AJ1", MULE, T0 + DAY - 30_000, 10_000),
            ],
        )
        .await
        .unwrap();
    assert_eq!(involved(store, "330281").await, (2, vec![id3, id]));
    assert_eq!(involved(store, "330281001002").await, (1, vec![id3]));
    assert_eq!(
        pending(store, "330281").await,
        [id3],
        "AJ1 was reported before the first one's visit"
    );

    store
        .key_persons()
        .add_event(
            &Scope::platform(),
            id,
            &KeyPersonMeasure::Close {
                reason: "已判刑".into(),
            },
            "analyst",
            T0 + 4 * DAY,
        )
        .await
        .unwrap();
    assert_eq!(
        involved(store, "330281").await,
        (1, vec![id3]),
        "a closed dossier is out of control"
    );

    // A stop-payment request on a listed person's card is involvement too, with no transfer
    // taken in for the case.
    let (_, id4) = listed_card_holder(
        store,
        4,
        "330281001002",
        &["6228480000000000002"],
        "出借银行卡",
    )
    .await;
    cases
        .create(&case("AJ5", "330282001001", T0 + 5 * DAY, None, "ACC-AJ5"))
        .await
        .unwrap();
    store
        .stop_payments()
        .create_many(&[stop(
            ("ZF5", "AJ5", "330282001001"),
            "6228480000000000002",
            10_000,
            T0 + 5 * DAY,
        )])
        .await
        .unwrap();
    assert_eq!(involved(store, "330281").await, (2, vec![id4, id3]));
}
