//! Case search (filters, the free-text look-up, count, scope, paging) and linked cases (串并:
//! what other cases share a suspect number, an account, an app or a URL with a case).

use crate::fixtures::{resident_id, with_tree};
use fanzha_store::*;

const T0: i64 = 1_800_000_000_000;
const DAY: i64 = 86_400_000;

fn case(id: &str, unit: &str, at: i64) -> NewCase {
    NewCase {
        id: id.into(),
        victim_name: Some(format!("受害人{id}")),
        unit_code: unit.into(),
        reported_at: at,
        loss_fen: 100_000,
        narrative: "投资理财平台诱导充值".into(),
        top_terms: serde_json::json!([]),
        source: "form".into(),
        named: serde_json::json!({}),
        created_by: "t".into(),
        created_at: at,
        ..NewCase::default()
    }
}

fn named(phones: &[&str], accounts: &[&str], apps: &[&str], urls: &[&str]) -> serde_json::Value {
    serde_json::json!({"phones": phones, "accounts": accounts, "apps": apps, "urls": urls})
}

fn transfer(from: &str, to: &str, at: i64) -> CaseTransfer {
    CaseTransfer {
        txn_id: None,
        from_account: from.into(),
        to_account: to.into(),
        at,
        amount_fen: 10_000,
        channel: "bank".into(),
        source_file: None,
    }
}

fn request(id: &str, case_id: &str, unit: &str, account: &str) -> NewStopPayment {
    NewStopPayment {
        id: id.into(),
        case_id: case_id.into(),
        unit_code: unit.into(),
        account: account.into(),
        bank_code: Some("ICBC".into()),
        institution: serde_json::json!({"kind": "bank", "code": "ICBC"}),
        requested_fen: 10_000,
        requested_at: T0,
        deadline: T0 + 1_800_000,
        detail: serde_json::json!({}),
        reason: None,
        requested_by: None,
    }
}

const SUSPECT: &str = "13800001111";
const NAMED_ACCOUNT: &str = "6222020123456789015";
const RECEIVER: &str = "6217000123456789019";
const S2_VICTIM_ACCOUNT: &str = "6216610000000000002";
const STOPPED: &str = "6228480000000000001";

/// S1 (余姚·舜水, T0, 1000 元, investment, form, public-sector, report J-001, named suspect
/// phone and account); S2 (余姚·西郊, T0+1s, 50000 元, untyped, import, report J-002, a
/// transfer to RECEIVER); S3 (慈溪, T0+2s, 2000 元, investment, outcome, the same suspect
/// phone, a stop-payment on STOPPED); S4 (余姚·新建, next day, 3 元, the type under its Chinese
/// name as older rows hold it, form).
async fn search_world(store: &Store) {
    with_tree(store).await;
    let cases = [
        NewCase {
            resident_id: Some(resident_id(1)),
            victim_phone: Some("13900000001".into()),
            report_no: Some("J-001".into()),
            fraud_type: Some("fake_investment".into()),
            public_sector: true,
            victim_account: Some("6216610000000000001".into()),
            named: named(
                &[SUSPECT],
                &[NAMED_ACCOUNT],
                &["云盈"],
                &["http://a.example/x"],
            ),
            ..case("S1", "330281001001", T0)
        },
        NewCase {
            loss_fen: 5_000_000,
            source: "import".into(),
            report_no: Some("J-002".into()),
            victim_account: Some(S2_VICTIM_ACCOUNT.into()),
            named: named(&["13800002222"], &[], &[], &[]),
            ..case("S2", "330281002001", T0 + 1_000)
        },
        NewCase {
            loss_fen: 200_000,
            source: "outcome".into(),
            fraud_type: Some("fake_investment".into()),
            named: named(&[SUSPECT], &[], &[], &[]),
            ..case("S3", "330282001001", T0 + 2_000)
        },
        NewCase {
            loss_fen: 300,
            fraud_type: Some("虚假投资理财".into()),
            ..case("S4", "330281001002", T0 + DAY)
        },
    ];
    for c in &cases {
        assert!(store.cases().create(c).await.unwrap());
    }
    store
        .cases()
        .add_transfers("S2", &[transfer(S2_VICTIM_ACCOUNT, RECEIVER, T0)])
        .await
        .unwrap();
    store
        .stop_payments()
        .create_many(&[request("ZF3", "S3", "330282001001", STOPPED)])
        .await
        .unwrap();
}

/// The ids a search finds (newest report first); checks that the count agrees.
async fn found(store: &Store, scope: &Scope, filter: &CaseFilter) -> Vec<String> {
    let page = store
        .cases()
        .search(scope, filter, &PageRequest::first(100))
        .await
        .unwrap();
    let ids: Vec<String> = page.items.into_iter().map(|c| c.id).collect();
    let n = store.cases().count(scope, filter).await.unwrap();
    assert_eq!(n, ids.len() as i64, "count and rows agree for {filter:?}");
    ids
}

/// Every filter narrows the rows and the count alike; together they all apply.
pub async fn case_search_combines_filters(store: &Store) {
    search_world(store).await;
    let all = Scope::platform();
    let investment = FraudTypeFilter::AnyOf(vec!["fake_investment".into(), "虚假投资理财".into()]);
    let cases = [
        (CaseFilter::default(), vec!["S4", "S3", "S2", "S1"]),
        (
            CaseFilter {
                from_ms: Some(T0 + 500),
                ..CaseFilter::default()
            },
            vec!["S4", "S3", "S2"],
        ),
        (
            CaseFilter {
                to_ms: Some(T0 + 1_000),
                ..CaseFilter::default()
            },
            vec!["S1"],
        ),
        (
            CaseFilter {
                fraud_type: Some(investment.clone()),
                ..CaseFilter::default()
            },
            vec!["S4", "S3", "S1"],
        ),
        (
            CaseFilter {
                fraud_type: Some(FraudTypeFilter::Untyped),
                ..CaseFilter::default()
            },
            vec!["S2"],
        ),
        (
            CaseFilter {
                source: Some("outcome".into()),
                ..CaseFilter::default()
            },
            vec!["S3"],
        ),
        (
            CaseFilter {
                public_sector_only: true,
                ..CaseFilter::default()
            },
            vec!["S1"],
        ),
        (
            // The bound itself counts.
            CaseFilter {
                min_loss_fen: Some(200_000),
                ..CaseFilter::default()
            },
            vec!["S3", "S2"],
        ),
        (
            CaseFilter {
                fraud_type: Some(investment),
                min_loss_fen: Some(100_000),
                to_ms: Some(T0 + DAY),
                ..CaseFilter::default()
            },
            vec!["S3", "S1"],
        ),
    ];
    for (filter, want) in cases {
        assert_eq!(found(store, &all, &filter).await, want, "{filter:?}");
    }
}

fn lookup(l: CaseLookup) -> CaseFilter {
    CaseFilter {
        lookup: Some(l),
        ..CaseFilter::default()
    }
}

fn by_number(n: &str) -> CaseFilter {
    lookup(CaseLookup {
        key: n.into(),
        number: Some(n.into()),
        ..CaseLookup::default()
    })
}

/// The look-up finds a case by its id or report number, the victim's ID number or phone, a
/// suspect number or account the victim named, an account of its transfers or stop-payments;
/// only whole values match, and a key of the `named` JSON is no value.
pub async fn case_search_finds_a_case_by_number(store: &Store) {
    search_world(store).await;
    let all = Scope::platform();
    let key = |k: &str| {
        lookup(CaseLookup {
            key: k.into(),
            ..CaseLookup::default()
        })
    };
    assert_eq!(found(store, &all, &key("S2")).await, ["S2"]);
    assert_eq!(found(store, &all, &key("J-001")).await, ["S1"]);
    assert!(found(store, &all, &key("J-00")).await.is_empty());
    let rid = lookup(CaseLookup {
        key: resident_id(1),
        resident_id: Some(resident_id(1)),
        ..CaseLookup::default()
    });
    assert_eq!(found(store, &all, &rid).await, ["S1"]);
    let phone = |p: &str| {
        lookup(CaseLookup {
            key: p.into(),
            phone: Some(p.into()),
            ..CaseLookup::default()
        })
    };
    assert_eq!(
        found(store, &all, &phone("13900000001")).await,
        ["S1"],
        "the victim's phone"
    );
    assert_eq!(
        found(store, &all, &phone(SUSPECT)).await,
        ["S3", "S1"],
        "a suspect number both victims named"
    );
    let county = store.units().scope("330281").await.unwrap();
    assert_eq!(found(store, &county, &phone(SUSPECT)).await, ["S1"]);
    // The same numbers typed as numbers (not recognised as phones) are found as written.
    assert_eq!(found(store, &all, &by_number(SUSPECT)).await, ["S3", "S1"]);
    assert_eq!(found(store, &all, &by_number(NAMED_ACCOUNT)).await, ["S1"]);
    assert_eq!(
        found(store, &all, &by_number(RECEIVER)).await,
        ["S2"],
        "the receiving side of a transfer"
    );
    assert_eq!(
        found(store, &all, &by_number(S2_VICTIM_ACCOUNT)).await,
        ["S2"],
        "the paying side of a transfer"
    );
    assert_eq!(found(store, &all, &by_number(STOPPED)).await, ["S3"]);
    for partial in [
        &NAMED_ACCOUNT[..18],
        &SUSPECT[1..],
        "phones",
        "accounts",
        "云盈",
    ] {
        assert!(
            found(store, &all, &by_number(partial)).await.is_empty(),
            "{partial} is no whole number of any case"
        );
    }
    // The look-up combines with the other filters.
    let mut f = phone(SUSPECT);
    f.source = Some("form".into());
    assert_eq!(found(store, &all, &f).await, ["S1"]);
}

/// A search never leaves the scope, and pages with filters visit every match once.
pub async fn case_search_is_scoped_and_pages(store: &Store) {
    with_tree(store).await;
    for i in 0..25 {
        let mut c = case(&format!("P{i:02}"), "330281001001", T0 + i);
        c.loss_fen = if i % 2 == 0 { 500_000 } else { 100 };
        store.cases().create(&c).await.unwrap();
    }
    for i in 0..5 {
        let mut c = case(&format!("Q{i:02}"), "330282001001", T0 + i);
        c.loss_fen = 500_000;
        store.cases().create(&c).await.unwrap();
    }
    let county = store.units().scope("330281").await.unwrap();
    let filter = CaseFilter {
        min_loss_fen: Some(500_000),
        ..CaseFilter::default()
    };
    assert_eq!(store.cases().count(&county, &filter).await.unwrap(), 13);
    assert_eq!(
        store
            .cases()
            .count(&Scope::platform(), &filter)
            .await
            .unwrap(),
        18
    );
    let mut seen = Vec::new();
    let mut page = PageRequest::first(5);
    loop {
        let p = store.cases().search(&county, &filter, &page).await.unwrap();
        assert!(p.items.len() <= 5);
        seen.extend(p.items.into_iter().map(|c| c.id));
        match p.next {
            Some(next) => page = PageRequest::after(next, 5),
            None => break,
        }
    }
    let want: Vec<String> = (0..25)
        .rev()
        .filter(|i| i % 2 == 0)
        .map(|i| format!("P{i:02}"))
        .collect();
    assert_eq!(seen, want);
}

const P1: &str = "13800001111";
const M1: &str = "6217000123456789019";
const M2: &str = "6228480000000000001";
const A_NAMED: &str = "6222020123456789015";
const V0: &str = "6216610000000000000";

/// L0 (余姚·舜水) named P1, A_NAMED, the app 云盈 and a URL; its money went V0 → M1 → M2 and
/// M1 sent some back to V0; M2 was stopped. Around it: L1 named P1; L2 paid into M1; L3
/// stopped M2; L4 named M1 and A_NAMED; L5 named the app and the URL; L6 paid into V0 (the
/// victim's own account links nothing); L7 (慈溪) named P1; L8 named a number that P1 begins
/// with, another app and 微信, which L0 named too (an app everybody uses links nothing).
async fn linked_world(store: &Store) {
    with_tree(store).await;
    let yy = "330281001001";
    let cases = [
        NewCase {
            victim_account: Some(V0.into()),
            named: named(
                &[P1],
                &[A_NAMED],
                &["云盈", "微信"],
                &["http://x.example/a"],
            ),
            ..case("L0", yy, T0)
        },
        NewCase {
            named: named(&[P1], &[], &[], &[]),
            loss_fen: 1,
            ..case("L1", "330281002001", T0 + 1)
        },
        NewCase {
            victim_account: Some("6216610000000000002".into()),
            loss_fen: 20,
            ..case("L2", "330281001002", T0 + 2)
        },
        NewCase {
            loss_fen: 300,
            ..case("L3", yy, T0 + 3)
        },
        NewCase {
            named: named(&[], &[M1, A_NAMED], &[], &[]),
            loss_fen: 4_000,
            ..case("L4", yy, T0 + 4)
        },
        NewCase {
            named: named(&[], &[], &["云盈"], &["http://x.example/a"]),
            loss_fen: 50_000,
            ..case("L5", yy, T0 + 5)
        },
        NewCase {
            loss_fen: 600_000,
            ..case("L6", yy, T0 + 6)
        },
        NewCase {
            named: named(&[P1], &[], &[], &[]),
            loss_fen: 7_000_000,
            ..case("L7", "330282001001", T0 + 7)
        },
        NewCase {
            named: named(&["1380000111"], &[], &["其他", "微信"], &[]),
            ..case("L8", yy, T0 + 8)
        },
    ];
    for c in &cases {
        assert!(store.cases().create(c).await.unwrap());
    }
    let cases = store.cases();
    cases
        .add_transfers(
            "L0",
            &[
                transfer(V0, M1, T0),
                transfer(M1, M2, T0 + 1),
                transfer(M1, V0, T0 + 2),
            ],
        )
        .await
        .unwrap();
    cases
        .add_transfers("L2", &[transfer("6216610000000000002", M1, T0)])
        .await
        .unwrap();
    cases
        .add_transfers("L6", &[transfer("6216610000000000006", V0, T0)])
        .await
        .unwrap();
    store
        .stop_payments()
        .create_many(&[request("ZF0", "L0", yy, M2), request("ZF3", "L3", yy, M2)])
        .await
        .unwrap();
}

fn links(l: &LinkedCase) -> Vec<(LinkKind, &str)> {
    l.links.iter().map(|k| (k.kind, k.value.as_str())).collect()
}

/// Each linked case comes with what it shares and how: one link per shared value, the kind
/// from the roles the value plays in both cases.
pub async fn linked_cases_name_what_they_share(store: &Store) {
    linked_world(store).await;
    let county = store.units().scope("330281").await.unwrap();
    let linked = store.cases().linked(&county, "L0").await.unwrap();
    let got: Vec<(&str, Vec<(LinkKind, &str)>)> = linked
        .cases
        .iter()
        .map(|l| (l.case.id.as_str(), links(l)))
        .collect();
    use LinkKind::*;
    assert_eq!(
        got,
        vec![
            ("L5", vec![(App, "云盈"), (Url, "http://x.example/a")]),
            ("L4", vec![(SuspectAccount, M1), (SuspectAccount, A_NAMED)]),
            ("L3", vec![(StopPaymentAccount, M2)]),
            ("L2", vec![(ReceivingAccount, M1)]),
            ("L1", vec![(SuspectPhone, P1)]),
        ],
        "latest report first; L6 paid only into the victim's own account, L8 shares nothing"
    );
    assert_eq!(linked.total, 5);
    assert_eq!(linked.loss_fen, 1 + 20 + 300 + 4_000 + 50_000);

    // Seen from L2: the account it paid into, which L0 received money in and L4 named.
    let from_l2 = store.cases().linked(&county, "L2").await.unwrap();
    let got: Vec<(&str, Vec<(LinkKind, &str)>)> = from_l2
        .cases
        .iter()
        .map(|l| (l.case.id.as_str(), links(l)))
        .collect();
    assert_eq!(
        got,
        vec![
            ("L4", vec![(SuspectAccount, M1)]),
            ("L0", vec![(ReceivingAccount, M1)]),
        ]
    );
    let alone = store.cases().linked(&county, "L8").await.unwrap();
    assert_eq!((alone.cases.len(), alone.total, alone.loss_fen), (0, 0, 0));
}

/// Linked cases outside the reader's scope are neither listed nor counted, and a case outside
/// it has no links to read.
pub async fn linked_cases_stay_inside_the_scope(store: &Store) {
    linked_world(store).await;
    let everywhere = store
        .cases()
        .linked(&Scope::platform(), "L0")
        .await
        .unwrap();
    assert_eq!(everywhere.cases[0].case.id, "L7");
    assert_eq!(everywhere.total, 6);
    assert_eq!(everywhere.loss_fen, 54_321 + 7_000_000);

    let township = store.units().scope("330281001").await.unwrap();
    let near = store.cases().linked(&township, "L0").await.unwrap();
    let ids: Vec<&str> = near.cases.iter().map(|l| l.case.id.as_str()).collect();
    assert_eq!(ids, ["L5", "L4", "L3", "L2"], "L1 lies in another township");
    assert_eq!(near.total, 4);

    let cixi = store.units().scope("330282").await.unwrap();
    assert!(matches!(
        store.cases().linked(&cixi, "L0").await,
        Err(StoreError::NotFound { .. })
    ));
    let from_l7 = store.cases().linked(&cixi, "L7").await.unwrap();
    assert_eq!(
        from_l7.total, 0,
        "every case it shares P1 with lies in 余姚"
    );
}
