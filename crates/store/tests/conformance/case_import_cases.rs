//! Cases by report number, their links to warnings, and the claims several cases make on one
//! account (what a returns plan divides).

use crate::fixtures::{person, resident_id, with_tree};
use fanzha_store::*;

const T0: i64 = 1_800_000_000_000;
const MULE: &str = "6222020123456789015";

fn case(id: &str, unit: &str, report_no: Option<&str>, at: i64) -> NewCase {
    NewCase {
        id: id.into(),
        victim_name: Some(format!("受害人{id}")),
        resident_id: Some(format!("ID-{id}")),
        victim_account: Some(format!("ACC-{id}")),
        unit_code: unit.into(),
        reported_at: at,
        loss_fen: 100_000,
        narrative: "冒充客服退款，诱导转账".into(),
        top_terms: serde_json::json!([]),
        source: "import".into(),
        report_no: report_no.map(Into::into),
        named: serde_json::json!({}),
        created_by: "t".into(),
        created_at: at,
        ..NewCase::default()
    }
}

/// A report number opens one case, whatever the case id; cases without one never clash.
pub async fn a_report_number_opens_one_case(store: &Store) {
    with_tree(store).await;
    let cases = store.cases();
    assert!(cases
        .create(&case("AJ1", "330281", Some("J-001"), T0))
        .await
        .unwrap());
    assert!(
        !cases
            .create(&case("AJ2", "330281", Some("J-001"), T0))
            .await
            .unwrap(),
        "the same report number again stores nothing"
    );
    assert_eq!(
        cases.by_report_no("J-001").await.unwrap(),
        Some(("AJ1".to_string(), "330281".to_string()))
    );
    assert_eq!(cases.by_report_no("J-002").await.unwrap(), None);
    assert!(cases.get(&Scope::platform(), "AJ2").await.is_err());
    for id in ["AJ3", "AJ4"] {
        assert!(cases.create(&case(id, "330282", None, T0)).await.unwrap());
    }
    let stored = cases.get(&Scope::platform(), "AJ1").await.unwrap();
    assert_eq!(stored.report_no.as_deref(), Some("J-001"));
    assert_eq!(stored.source, "import");
}

/// Links to warnings are stored once and read back through the reader's scope.
pub async fn cases_link_their_victims_warnings_once(store: &Store) {
    with_tree(store).await;
    store
        .people()
        .upsert(&[person(1, "330281001001")])
        .await
        .unwrap();
    for (id, unit) in [("YJ1", "330281001001"), ("YJ2", "330282001001")] {
        store
            .warnings()
            .insert(&NewWarning {
                id: id.into(),
                resident_id: Some(resident_id(1)),
                msisdn: None,
                unit_code: unit.into(),
                level: 1,
                fraud_type: None,
                score_permille: 900,
                source: "engine".into(),
                signal_at: T0,
                detected_at: T0 + if id == "YJ1" { 1 } else { 2 },
                evidence: serde_json::json!({}),
            })
            .await
            .unwrap();
    }
    store
        .cases()
        .create(&case("AJ1", "330281001001", None, T0))
        .await
        .unwrap();
    let ids = vec!["YJ1".to_string(), "YJ2".to_string()];
    assert_eq!(store.cases().link_warnings("AJ1", &ids).await.unwrap(), 2);
    assert_eq!(store.cases().link_warnings("AJ1", &ids).await.unwrap(), 0);
    let all = store
        .warnings()
        .for_case(&Scope::platform(), "AJ1")
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|w| w.id.as_str()).collect::<Vec<_>>(),
        ["YJ1", "YJ2"]
    );
    let county = store.units().scope("330281").await.unwrap();
    let seen = store.warnings().for_case(&county, "AJ1").await.unwrap();
    assert_eq!(
        seen.iter().map(|w| w.id.as_str()).collect::<Vec<_>>(),
        ["YJ1"]
    );
}

fn request(id: &str, case_id: &str, unit: &str, requested_fen: i64, at: i64) -> NewStopPayment {
    NewStopPayment {
        id: id.into(),
        case_id: case_id.into(),
        unit_code: unit.into(),
        account: MULE.into(),
        bank_code: Some("ICBC".into()),
        institution: serde_json::json!({"kind": "bank", "code": "ICBC", "name": "中国工商银行"}),
        requested_fen,
        requested_at: at,
        deadline: at + 1_800_000,
        detail: serde_json::json!({}),
        reason: None,
        requested_by: None,
    }
}

/// Every case whose trace ended in an account claims on it, earliest report first; the
/// victims of cases outside the reader's subtree stay unnamed.
pub async fn claims_on_an_account_come_from_every_case_and_hide_other_units_victims(store: &Store) {
    with_tree(store).await;
    // Reported in this order: AJB (慈溪), AJA (余姚), AJC (余姚).
    for (id, unit, at) in [
        ("AJA", "330281001001", T0 + 10),
        ("AJB", "330282001001", T0),
        ("AJC", "330281002001", T0 + 20),
    ] {
        store
            .cases()
            .create(&case(id, unit, None, at))
            .await
            .unwrap();
    }
    store
        .stop_payments()
        .create_many(&[
            request("ZFA", "AJA", "330281001001", 30_000, T0 + 30),
            request("ZFB", "AJB", "330282001001", 50_000, T0 + 30),
            request("ZFC", "AJC", "330281002001", 20_000, T0 + 30),
        ])
        .await
        .unwrap();
    // Another account's request is no claim here.
    let mut other = request("ZFX", "AJA", "330281001001", 9_000, T0 + 30);
    other.account = "6217000123456789019".into();
    store.stop_payments().create_many(&[other]).await.unwrap();

    let county = store.units().scope("330281").await.unwrap();
    let claims = store
        .stop_payments()
        .claims_on_account(&county, MULE)
        .await
        .unwrap();
    let got: Vec<(&str, i64, bool, Option<&str>)> = claims
        .iter()
        .map(|c| {
            (
                c.case_id.as_str(),
                c.requested_fen,
                c.in_scope,
                c.victim_name.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("AJB", 50_000, false, None),
            ("AJA", 30_000, true, Some("受害人AJA")),
            ("AJC", 20_000, true, Some("受害人AJC")),
        ]
    );
    let foreign = &claims[0];
    assert_eq!(
        (
            foreign.resident_id.as_ref(),
            foreign.victim_account.as_ref()
        ),
        (None, None)
    );
    assert_eq!(claims[1].victim_account.as_deref(), Some("ACC-AJA"));
    assert_eq!(claims[1].stop_payment_id, "ZFA");
    assert_eq!(claims[1].state, "requested");
    let all = store
        .stop_payments()
        .claims_on_account(&Scope::platform(), MULE)
        .await
        .unwrap();
    assert!(all.iter().all(|c| c.in_scope && c.victim_name.is_some()));
}

/// Statistics read cases per unit and type over a half-open period, inside the reader's scope;
/// sums of money come back as integers on both backends.
pub async fn cases_are_tallied_by_unit_type_and_period(store: &Store) {
    with_tree(store).await;
    let cases = store.cases();
    let open = |id: &'static str, unit: &'static str, at: i64, loss: i64| {
        let mut c = case(id, unit, None, at);
        c.loss_fen = loss;
        c.fraud_type = (id != "T5").then(|| "fake_investment".to_string());
        c.public_sector = id == "T2";
        c
    };
    let batch = [
        open("T1", "330281001001", T0, 100_000),
        open("T2", "330281001001", T0 + 5, 250_000_000),
        open("T3", "330281002001", T0 + 9, 300),
        open("T4", "330282001001", T0 + 1, 7),
        // Outside the period: one at its end (excluded), one before it.
        open("T6", "330281001001", T0 + 10, 1),
        open("T7", "330281001001", T0 - 1, 1),
        open("T5", "330281001001", T0 + 2, 50),
    ];
    for c in &batch {
        assert!(cases.create(c).await.unwrap());
    }
    let scope = store.units().scope("330281").await.unwrap();
    let mut tally = cases.tally(&scope, T0, T0 + 10).await.unwrap();
    tally.sort_by(|a, b| (&a.unit_code, &a.fraud_type).cmp(&(&b.unit_code, &b.fraud_type)));
    let cell = |unit: &str, ty: Option<&str>, n: i64, loss: i64, ps: i64| CaseTally {
        unit_code: unit.into(),
        fraud_type: ty.map(Into::into),
        cases: n,
        loss_fen: loss,
        public_sector: ps,
    };
    assert_eq!(
        tally,
        vec![
            cell("330281001001", None, 1, 50, 0),
            cell("330281001001", Some("fake_investment"), 2, 250_100_000, 1),
            cell("330281002001", Some("fake_investment"), 1, 300, 0),
        ],
        "慈溪's case is outside 余姚's scope; T6 and T7 are outside the period"
    );
    let all = cases.tally(&Scope::platform(), T0, T0 + 10).await.unwrap();
    assert_eq!(all.iter().map(|t| t.cases).sum::<i64>(), 5);
    assert!(cases
        .tally(&scope, T0 + 11, T0 + 20)
        .await
        .unwrap()
        .is_empty());
}

/// Stop-payments of the period's cases summed by what became of them, inside the reader's
/// subtree: held, lapsed, frozen and returned accounts were stopped; frozen and returned ones
/// frozen.
pub async fn fund_figures_sum_requests_by_what_became_of_them(store: &Store) {
    with_tree(store).await;
    let outcomes = [
        ("F1", "330281001001", "held", 10_000),
        ("F2", "330281001001", "lapsed", 20_000),
        ("F3", "330281002001", "frozen", 40_000),
        ("F4", "330281002001", "returned", 80_000),
        ("F5", "330281001001", "failed", 0),
        ("F6", "330281001001", "requested", 0),
        // Another county's request.
        ("F7", "330282001001", "returned", 1_000_000),
    ];
    for (i, (id, unit, state, held)) in outcomes.into_iter().enumerate() {
        let case_id = format!("AJ-{id}");
        store
            .cases()
            .create(&case(&case_id, unit, None, T0 + i as i64))
            .await
            .unwrap();
        let mut r = request(id, &case_id, unit, 100_000, T0 + i as i64);
        r.account = format!("62220201234567{i:05}");
        store.stop_payments().create_many(&[r]).await.unwrap();
        if state != "requested" {
            store
                .stop_payments()
                .update(
                    &Viewer::Police(Scope::platform()),
                    id,
                    1,
                    &StopPaymentUpdate {
                        state: state.into(),
                        held_fen: held,
                        executed_at: Some(T0 + 60_000),
                        detail: serde_json::json!({}),
                        at: T0 + 60_000,
                    },
                )
                .await
                .unwrap();
        }
    }
    let county = Viewer::Police(store.units().scope("330281").await.unwrap());
    let f = store
        .stop_payments()
        .fund_figures(&county, T0, T0 + 100)
        .await
        .unwrap();
    assert_eq!(
        f,
        FundFigures {
            requested: 6,
            requested_fen: 600_000,
            stopped: 4,
            stopped_fen: 150_000,
            frozen: 2,
            frozen_fen: 120_000,
            returned: 1,
            returned_fen: 80_000,
            failed: 1,
        }
    );
    // A period that begins after the first case was reported leaves its request out, even when
    // the request itself falls inside the period.
    let later = store
        .stop_payments()
        .fund_figures(&county, T0 + 1, T0 + 100)
        .await
        .unwrap();
    assert_eq!((later.requested, later.stopped_fen), (5, 140_000));
    let mut late = request("F8", "AJ-F1", "330281001001", 70_000, T0 + 50);
    late.account = "6222020123456700099".into();
    store.stop_payments().create_many(&[late]).await.unwrap();
    let again = store
        .stop_payments()
        .fund_figures(&county, T0 + 1, T0 + 100)
        .await
        .unwrap();
    assert_eq!(
        again.requested, 5,
        "F8 belongs to a case reported before the period"
    );
}
