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
    extract_row(None, None, from, to, at, amount_fen)
}

/// A transfer as one bank's extract `file` has it.
fn extract_row(
    file: Option<&str>,
    txn_id: Option<&str>,
    from: &str,
    to: &str,
    at: i64,
    amount_fen: i64,
) -> CaseTransfer {
    CaseTransfer {
        txn_id: txn_id.map(Into::into),
        from_account: from.into(),
        to_account: to.into(),
        at,
        amount_fen,
        channel: "bank".into(),
        source_file: file.map(Into::into),
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
        reason: None,
        requested_by: None,
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
    assert_eq!(first.items.len(), 1);
    let next = first.next.expect("a second page");
    let second = repo
        .list(&Scope::platform(), &PageRequest::after(next, 1))
        .await
        .unwrap();
    assert_eq!(second.items.len(), 1);
    assert_eq!(second.next, None);
    let mut both = accounts(&first.items);
    both.extend(accounts(&second.items));
    both.sort_unstable();
    assert_eq!(both, [CIXI_MULE, YUYAO_MULE], "each account on one page");
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

/// The same transfer in the sender's and in the receiver's bank extract is money received once,
/// as the trace keeps it: by transaction id where the banks give one, else by from, to, time and
/// amount; two identical rows within one extract are two transfers.
pub async fn a_transfer_in_both_banks_extracts_is_received_once(store: &Store) {
    world(store).await;
    store
        .cases()
        .create(&case("AJ4", "330281001001", T0 + 300, None))
        .await
        .unwrap();
    let victim_bank = Some("victim_bank.csv");
    let mule_bank = Some("mule_bank.xlsx");
    let t = T0 - 60_000;
    // ¥50,000 with a transaction id; ¥300 twice in a minute without one (two transfers, in
    // both extracts); ¥7 only in the mule's bank.
    let rows = |file| {
        vec![
            extract_row(file, Some("TX-1"), "ACC-AJ4", CIXI_MULE, t, 5_000_000),
            extract_row(file, None, "ACC-AJ4", CIXI_MULE, t + 1, 30_000),
            extract_row(file, None, "ACC-AJ4", CIXI_MULE, t + 1, 30_000),
        ]
    };
    let cases = store.cases();
    cases
        .add_transfers("AJ4", &rows(victim_bank))
        .await
        .unwrap();
    let mut theirs = rows(mule_bank);
    theirs.push(extract_row(
        mule_bank,
        None,
        "ACC-AJ4",
        CIXI_MULE,
        t + 2,
        700,
    ));
    cases.add_transfers("AJ4", &theirs).await.unwrap();

    let all = store
        .mule_accounts()
        .list(&Scope::platform(), &PageRequest::first(100))
        .await
        .unwrap();
    let cixi = all
        .items
        .iter()
        .find(|m| m.account_no == CIXI_MULE)
        .expect("the 慈溪 card");
    assert_eq!(
        (cixi.cases, cixi.received_fen),
        (2, 40_000 + 5_000_000 + 2 * 30_000 + 700),
        "AJ3's ¥400, then AJ4's ¥50,000, 2 × ¥300 and ¥7, each once"
    );
    assert_eq!(cixi.case_ids, ["AJ4", "AJ3"]);
    let yuyao = all
        .items
        .iter()
        .find(|m| m.account_no == YUYAO_MULE)
        .unwrap();
    assert_eq!(yuyao.received_fen, 75_000, "untouched");
}

/// Pages follow a fixed order: 205 accounts come as 200 and 5, each exactly once, even when
/// cases arrive between the pages and change which account had the latest; no page key holds an
/// account number.
pub async fn pages_list_every_account_once_however_the_figures_move(store: &Store) {
    world(store).await;
    let many: Vec<String> = (0..203).map(|i| format!("62220299{i:011}")).collect();
    store
        .accounts()
        .upsert(
            &many
                .iter()
                .map(|no| account(no, Some(resident_id(1)), None))
                .collect::<Vec<_>>(),
        )
        .await
        .unwrap();
    store
        .cases()
        .create(&case("AJ5", "330281001001", T0 + 500, None))
        .await
        .unwrap();
    let cases = store.cases();
    cases
        .add_transfers(
            "AJ5",
            &many
                .iter()
                .enumerate()
                .map(|(i, no)| transfer("ACC-AJ5", no, T0 + i as i64, 100 + i as i64))
                .collect::<Vec<_>>(),
        )
        .await
        .unwrap();
    let mut expected: Vec<String> = many.clone();
    expected.extend([YUYAO_MULE.to_string(), CIXI_MULE.to_string()]);
    expected.sort();

    let repo = store.mule_accounts();
    let scope = Scope::platform();
    let first = repo.list(&scope, &PageRequest::first(200)).await.unwrap();
    assert_eq!(first.items.len(), 200);
    let key = first.next.clone().expect("a second page");
    for no in &expected {
        assert!(!key.contains(no.as_str()), "the key {key} names {no}");
    }

    // Between the pages a new case pays into one account of each page (now the latest) and
    // into the 余姚 holder's idle card, newly a lead.
    let on_first = first.items[0].account_no.clone();
    // One of AJ5's accounts (one case so far; the pages' order is per process, so the world's
    // two mules, with cases of their own, may be on either page).
    let not_shown = many
        .iter()
        .find(|no| !first.items.iter().any(|m| &&m.account_no == no))
        .unwrap()
        .clone();
    store
        .cases()
        .create(&case("AJ6", "330281001001", T0 + 900, None))
        .await
        .unwrap();
    cases
        .add_transfers(
            "AJ6",
            &[
                transfer("ACC-AJ6", &on_first, T0 + 800, 1_000),
                transfer("ACC-AJ6", &not_shown, T0 + 800, 1_000),
                transfer("ACC-AJ6", IDLE, T0 + 800, 1_000),
            ],
        )
        .await
        .unwrap();

    let second = repo
        .list(&scope, &PageRequest::after(key.clone(), 200))
        .await
        .unwrap();
    assert_eq!(second.next, None);
    assert!(
        second.items.iter().any(|m| m.account_no == not_shown),
        "an account moved to the latest is not skipped"
    );
    assert!(
        !second.items.iter().any(|m| m.account_no == on_first),
        "nor listed again"
    );
    let mut seen: Vec<&str> = accounts(&first.items);
    seen.extend(accounts(&second.items));
    seen.retain(|no| *no != IDLE);
    seen.sort_unstable();
    assert_eq!(seen, expected, "every account exactly once");
    let moved = second
        .items
        .iter()
        .find(|m| m.account_no == not_shown)
        .unwrap();
    assert_eq!((moved.cases, moved.last_case_at), (2, T0 + 900));

    // The same key reads the same page again.
    let again = repo
        .list(&scope, &PageRequest::after(key, 200))
        .await
        .unwrap();
    assert_eq!(accounts(&again.items), accounts(&second.items));

    // A key this store did not hand out starts at the first page.
    for foreign in [
        "0000000000000000000000000000000000000000".to_string(),
        format!("{}/{}", T0, many[0]),
        "not a key".to_string(),
    ] {
        let page = repo
            .list(&scope, &PageRequest::after(foreign, 200))
            .await
            .unwrap();
        assert_eq!(page.items.len(), 200);
    }
}
