//! Local holders of mule accounts: accounts that received victim money in cases, listed with
//! their holder and figures where the holder lives inside the reader's subtree.

use crate::fixtures::{person, resident_id, with_tree};
use fanzha_store::*;

const T0: i64 = 1_800_000_000_000;
/// Held by resident 1 (余姚 · 舜水社区).
const YUYAO_MULE: &str = "6222020123456789015";
/// Held by resident 2 (慈溪 · 虞波社区).
const CIXI_MULE: &str = "6217000123456789019";
/// Held by someone the platform does not know.
const STRANGER: &str = "6228480000000000001";
/// Resident 3's own account (余姚 · 西郊社区), the victim of AJ3.
const VICTIM_OWN: &str = "6216610123456789013";
/// Another account of resident 3.
const VICTIM_OTHER: &str = "6216610123456789021";
/// Resident 1's second card: no case money ever reached it.
const IDLE: &str = "6222020123456789999";

fn case(id: &str, unit: &str, at: i64, victim: Option<u32>) -> NewCase {
    NewCase {
        id: id.into(),
        victim_name: Some(format!("受害人{id}")),
        resident_id: victim.map(resident_id),
        victim_account: Some(if victim == Some(3) {
            VICTIM_OWN.into()
        } else {
            format!("ACC-{id}")
        }),
        unit_code: unit.into(),
        reported_at: at,
        loss_fen: 100_000,
        narrative: "冒充客服退款，诱导转账".into(),
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

fn request(id: &str, case_id: &str, unit: &str, account: &str, fen: i64) -> NewStopPayment {
    NewStopPayment {
        id: id.into(),
        case_id: case_id.into(),
        unit_code: unit.into(),
        account: account.into(),
        bank_code: Some("ICBC".into()),
        institution: serde_json::json!({"kind": "bank", "code": "ICBC"}),
        requested_fen: fen,
        requested_at: T0 + 60_000,
        deadline: T0 + 1_860_000,
        detail: serde_json::json!({}),
    }
}

fn account(no: &str, holder: Option<String>, name: Option<&str>) -> NewAccount {
    NewAccount {
        account_no: no.into(),
        bank_code: Some("ICBC".into()),
        bank_name: Some("中国工商银行".into()),
        card_type: Some("debit".into()),
        holder_resident_id: holder,
        holder_name: name.map(Into::into),
        opened_at: Some(T0 - 86_400_000),
        opened_where: Some("余姚城东支行".into()),
    }
}

/// AJ1 (慈溪, T0): the victim paid 500 into the 余姚 mule, which passed 300 on to a stranger;
/// both are requested, the 余姚 one held 100. AJ2 (余姚, T0+100): 200 and 50 into the 余姚
/// mule. AJ3 (余姚, T0+200): resident 3 moved money to their own other account and paid 400
/// into the 慈溪 mule, which sent 10 back to the victim's own account.
async fn world(store: &Store) {
    with_tree(store).await;
    store
        .people()
        .upsert(&[
            person(1, "330281001001"),
            person(2, "330282001001"),
            person(3, "330281002001"),
        ])
        .await
        .unwrap();
    store
        .accounts()
        .upsert(&[
            // The bank's name for the holder wins over the resident's.
            account(YUYAO_MULE, Some(resident_id(1)), Some("张三")),
            account(CIXI_MULE, Some(resident_id(2)), None),
            account(STRANGER, Some("110101199001011237".into()), Some("外地人")),
            account(VICTIM_OWN, Some(resident_id(3)), None),
            account(VICTIM_OTHER, Some(resident_id(3)), None),
            account(IDLE, Some(resident_id(1)), None),
        ])
        .await
        .unwrap();
    for (id, unit, at, victim) in [
        ("AJ1", "330282001001", T0, None),
        ("AJ2", "330281001001", T0 + 100, None),
        ("AJ3", "330281002001", T0 + 200, Some(3)),
    ] {
        store
            .cases()
            .create(&case(id, unit, at, victim))
            .await
            .unwrap();
    }
    let cases = store.cases();
    cases
        .add_transfers(
            "AJ1",
            &[
                transfer("ACC-AJ1", YUYAO_MULE, T0 - 600_000, 50_000),
                transfer(YUYAO_MULE, STRANGER, T0 - 300_000, 30_000),
            ],
        )
        .await
        .unwrap();
    cases
        .add_transfers(
            "AJ2",
            &[
                transfer("ACC-AJ2", YUYAO_MULE, T0 - 500_000, 20_000),
                transfer("ACC-AJ2", YUYAO_MULE, T0 - 400_000, 5_000),
            ],
        )
        .await
        .unwrap();
    cases
        .add_transfers(
            "AJ3",
            &[
                transfer(VICTIM_OWN, VICTIM_OTHER, T0 - 900_000, 70_000),
                transfer(VICTIM_OTHER, CIXI_MULE, T0 - 800_000, 40_000),
                transfer(CIXI_MULE, VICTIM_OWN, T0 - 700_000, 1_000),
            ],
        )
        .await
        .unwrap();
    let stops = store.stop_payments();
    stops
        .create_many(&[
            request("ZF1", "AJ1", "330282001001", YUYAO_MULE, 20_000),
            request("ZF2", "AJ1", "330282001001", STRANGER, 30_000),
        ])
        .await
        .unwrap();
    stops
        .update(
            &Viewer::Police(Scope::platform()),
            "ZF1",
            1,
            &StopPaymentUpdate {
                state: "held".into(),
                held_fen: 10_000,
                executed_at: Some(T0 + 120_000),
                detail: serde_json::json!({}),
                at: T0 + 120_000,
            },
        )
        .await
        .unwrap();
}

fn accounts(page: &[MuleAccount]) -> Vec<&str> {
    page.iter().map(|m| m.account_no.as_str()).collect()
}

/// Each account's holder, figures and cases add up over every case and source.
pub async fn mule_accounts_sum_every_case_that_paid_into_them(store: &Store) {
    world(store).await;
    let all = store
        .mule_accounts()
        .list(&Scope::platform(), &PageRequest::first(100))
        .await
        .unwrap();
    assert_eq!(
        accounts(&all.items),
        [CIXI_MULE, YUYAO_MULE],
        "the latest case first; the stranger's card, the victim's own accounts and a card no \
         case touched are not listed"
    );
    assert_eq!(all.next, None);
    let yuyao = &all.items[1];
    assert_eq!(
        yuyao,
        &MuleAccount {
            account_no: YUYAO_MULE.into(),
            bank_code: Some("ICBC".into()),
            bank_name: Some("中国工商银行".into()),
            holder_resident_id: resident_id(1),
            holder_name: Some("张三".into()),
            holder_unit_code: "330281001001".into(),
            opened_at: Some(T0 - 86_400_000),
            opened_where: Some("余姚城东支行".into()),
            cases: 2,
            received_fen: 75_000,
            requested_fen: 20_000,
            held_fen: 10_000,
            first_case_at: T0,
            last_case_at: T0 + 100,
            case_ids: vec!["AJ2".into(), "AJ1".into()],
        }
    );
    let cixi = &all.items[0];
    assert_eq!(
        (
            cixi.holder_name.as_deref(),
            cixi.cases,
            cixi.received_fen,
            cixi.requested_fen,
            cixi.last_case_at,
        ),
        (Some("居民2"), 1, 40_000, 0, T0 + 200),
        "the resident's name where the bank gave none"
    );
    assert_eq!(cixi.case_ids, ["AJ3"]);
}

/// A reader sees the accounts held by residents of their subtree, whichever unit's case paid
/// into them; pages follow on.
pub async fn mule_accounts_are_scoped_by_the_holders_residence(store: &Store) {
    world(store).await;
    let repo = store.mule_accounts();
    let list = |code: &'static str| {
        let repo = store.mule_accounts();
        async move {
            let scope = store.units().scope(code).await.unwrap();
            repo.list(&scope, &PageRequest::first(100))
                .await
                .unwrap()
                .items
        }
    };
    let yuyao = list("330281").await;
    assert_eq!(accounts(&yuyao), [YUYAO_MULE]);
    assert_eq!(
        yuyao[0].case_ids,
        ["AJ2", "AJ1"],
        "慈溪's case AJ1 counts for the 余姚 holder"
    );
    assert_eq!(accounts(&list("330282").await), [CIXI_MULE]);
    assert_eq!(accounts(&list("330281001001").await), [YUYAO_MULE]);
    assert!(
        list("330281002").await.is_empty(),
        "the victim's township has no holder"
    );

    let first = repo
        .list(&Scope::platform(), &PageRequest::first(1))
        .await
        .unwrap();
    assert_eq!(accounts(&first.items), [CIXI_MULE]);
    let next = first.next.expect("a second page");
    let second = repo
        .list(&Scope::platform(), &PageRequest::after(next, 1))
        .await
        .unwrap();
    assert_eq!(accounts(&second.items), [YUYAO_MULE]);
    assert_eq!(second.next, None);
}

/// A case names the local holders of the accounts its stop-payments went to, with their
/// figures over every case.
pub async fn a_case_names_the_local_holders_of_its_stop_payment_accounts(store: &Store) {
    world(store).await;
    let repo = store.mule_accounts();
    let yuyao = store.units().scope("330281").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let named = repo.for_case(&yuyao, "AJ1").await.unwrap();
    assert_eq!(accounts(&named), [YUYAO_MULE], "not the stranger's card");
    assert_eq!((named[0].cases, named[0].received_fen), (2, 75_000));
    assert!(
        repo.for_case(&cixi, "AJ1").await.unwrap().is_empty(),
        "the holder lives outside 慈溪"
    );
    assert_eq!(
        accounts(&repo.for_case(&Scope::platform(), "AJ1").await.unwrap()),
        [YUYAO_MULE]
    );
    assert!(
        repo.for_case(&Scope::platform(), "AJ2")
            .await
            .unwrap()
            .is_empty(),
        "AJ2 requested no stop-payment"
    );
}
