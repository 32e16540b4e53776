//! A defrauded person's case from end to end, identically on SQLite and PostgreSQL: the
//! 已被骗 feedback opens the case (once), a bank extract is taken in (its bad row reported), the
//! trace turns the holders into stop-payment requests per bank with 30-minute deadlines, the
//! bank liaison confirms the amount held (their bank only; concurrent confirmations store one),
//! the analyst renews (at most twice), freezes and returns, and the case page and the
//! timeliness figure show the amounts held. Held amounts never exceed those requested.
//!
//! PostgreSQL runs when `FANZHA_TEST_DATABASE_URL` is set (each test in a fresh schema, dropped
//! at the end); without it those tests print why they skip, or fail under
//! `FANZHA_REQUIRE_SERVICES=1`.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use chrono::DateTime;
use fanzha_core::error_code::{Coded, ErrorCode};
use fanzha_store::{NewPerson, NewStopPayment, PageRequest, Scope, StopPayment, UnitLevel, Viewer};
use fanzha_trace::stop_payment::{FailReason, Institution, StopPaymentRequest};
use fanzha_web::auth::principal::Principal;
use fanzha_web::auth::session::COOKIE;
use fanzha_web::casework::{
    act_on_stop_payment, after_instruction_change, open_case, take_in_extract, trace_case,
    CaseInput, StopAction,
};
use fanzha_web::error::WebError;
use fanzha_web::pages::view::yuan;
use fanzha_web::state::Clock;
use fanzha_web::{router, AppState};
use fanzha_workflow::{Actor, Command, IncomingWarning, Outcome, WarningLevel};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use tower::ServiceExt;

const MIN: i64 = 60_000;
const CITY: &str = "3302";
const COUNTY: &str = "330281";
const VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";
const RESIDENT: &str = "330281199001011234";
/// The victim's card (BOC), the first mule's (ICBC), the second mule's (CCB).
const VICTIM: &str = "6216610123456789013";
const MULE_ICBC: &str = "6222020123456789015";
const MULE_CCB: &str = "6217000123456789019";

// ---------------------------------------------------------------------------------------------
// One database per test.

use crate::support::unit;
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    a_defrauded_outcome_opens_one_case_linked_to_its_instruction,
    from_the_case_to_held_amounts_on_the_case_page,
    held_amounts_never_exceed_those_requested,
    a_transfer_in_both_banks_extracts_is_traced_once,
}

// ---------------------------------------------------------------------------------------------
// The world.

/// A clock the test moves.
struct TestClock(AtomicI64);

impl Clock for TestClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl TestClock {
    fn advance(&self, ms: i64) -> i64 {
        self.0.fetch_add(ms, Ordering::SeqCst) + ms
    }
}

/// 2026-03-01 10:30 in Shanghai: half an hour after the money left the victim's account.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-01T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

struct World {
    state: AppState,
    clock: Arc<TestClock>,
}

impl World {
    async fn new(db: &Db) -> World {
        let store = db.open().await;
        use UnitLevel::*;
        store
            .units()
            .upsert(&[
                unit(CITY, "宁波市", City, None),
                unit(COUNTY, "余姚市", County, Some(CITY)),
                unit("330281001", "阳明街道", Township, Some(COUNTY)),
                unit(VILLAGE, "舜水社区", Village, Some("330281001")),
                unit(OTHER_COUNTY, "慈溪市", County, Some(CITY)),
            ])
            .await
            .unwrap();
        store
            .people()
            .upsert(&[NewPerson {
                resident_id: RESIDENT.into(),
                name: "张三".into(),
                phone: Some("13900001234".into()),
                residence_code: VILLAGE.into(),
                address: None,
                employer: Some("余姚市某局".into()),
                public_sector: true,
                app_registered: false,
                joint_defense_registered: false,
            }])
            .await
            .unwrap();
        let clock = Arc::new(TestClock(AtomicI64::new(t0())));
        let mut state = AppState::new(store).await.unwrap();
        state.clock = clock.clone();
        World { state, clock }
    }

    fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    async fn scope(&self, unit: &str) -> Viewer {
        Viewer::Police(self.state.scope_of(unit).await.unwrap())
    }

    /// A red warning for the resident, signed and fed back as 已被骗 with this loss; returns
    /// the instruction id and the case the feedback opened.
    async fn defrauded(&self, loss_fen: i64) -> (String, Option<fanzha_store::Case>) {
        let now = self.now();
        let r = self
            .state
            .loop_service
            .receive(
                IncomingWarning {
                    id: None,
                    resident_id: Some(RESIDENT.into()),
                    msisdn: None,
                    residence_code: None,
                    level: WarningLevel::Red,
                    fraud_type: Some("impersonation".into()),
                    score_permille: 900,
                    source: "engine".into(),
                    signal_at: now,
                    evidence: serde_json::json!({}),
                },
                now,
            )
            .await
            .unwrap();
        let officer = Actor {
            login: "yy_officer".into(),
            unit_code: COUNTY.into(),
            scope: self.state.scope_of(COUNTY).await.unwrap(),
        };
        let commands = [
            Command::Sign,
            Command::RecordOutcome {
                outcome: Outcome::Defrauded { loss_fen },
                saved_fen: 0,
            },
        ];
        let view = self
            .state
            .loop_service
            .act(&officer, &r.instruction_id, None, &commands, None, now)
            .await
            .unwrap();
        let case = after_instruction_change(&self.state, "yy_officer", &view, commands.len())
            .await
            .unwrap();
        // Acting again on the same feedback opens nothing more.
        assert!(
            after_instruction_change(&self.state, "yy_officer", &view, commands.len())
                .await
                .unwrap()
                .is_none(),
            "a second call opened another case"
        );
        (r.instruction_id, case)
    }

    async fn requests(&self, viewer: &Viewer, case_id: Option<&str>) -> Vec<StopPayment> {
        self.state
            .store
            .stop_payments()
            .list(viewer, case_id, false, &PageRequest::first(1_000))
            .await
            .unwrap()
            .items
    }

    /// The case page as the county's analyst sees it.
    async fn case_page(&self, case_id: &str) -> String {
        let (token, _) = self.state.sessions.create(
            Principal {
                login: "yy_analyst".into(),
                display_name: "研判员".into(),
                unit_code: COUNTY.into(),
                roles: vec![fanzha_store::Role::CenterAnalyst],
                joint_member: None,
                bank_code: None,
                operator: None,
            },
            self.now(),
        );
        let mut req = Request::builder()
            .uri(format!("/cases/{case_id}"))
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::COOKIE, format!("{COOKIE}={token}"))
            .body(Body::empty())
            .unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
        let resp = router(self.state.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 16 << 20)
            .await
            .unwrap();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }
}

fn code(e: &WebError) -> ErrorCode {
    e.code()
}

// ---------------------------------------------------------------------------------------------
// The tests.

async fn a_defrauded_outcome_opens_one_case_linked_to_its_instruction(db: &Db) {
    let w = World::new(db).await;
    let (instruction_id, case) = w.defrauded(5_000_000).await;
    let case = case.expect("the 已被骗 feedback opens a case");
    assert_eq!(
        case.instruction_id.as_deref(),
        Some(instruction_id.as_str())
    );
    assert_eq!(case.source, "outcome");
    assert_eq!(case.loss_fen, 5_000_000);
    assert_eq!(case.resident_id.as_deref(), Some(RESIDENT));
    assert_eq!(case.victim_name.as_deref(), Some("张三"), "from the person");
    assert!(case.public_sector, "the person is public-sector staff");
    assert_eq!(case.employer.as_deref(), Some("余姚市某局"));
    assert!(
        case.narrative.contains(&instruction_id),
        "{}",
        case.narrative
    );
    let store = &w.state.store;
    assert_eq!(
        store
            .cases()
            .for_instruction(&instruction_id)
            .await
            .unwrap(),
        Some(case.id.clone())
    );
    let all = store
        .cases()
        .list(&Scope::platform(), &PageRequest::first(100))
        .await
        .unwrap();
    assert_eq!(all.items.len(), 1, "exactly one case");
    // The case lies in the victim's county subtree, not in the other county's.
    let county = w.state.scope_of(COUNTY).await.unwrap();
    let other = w.state.scope_of(OTHER_COUNTY).await.unwrap();
    assert!(store.cases().get(&county, &case.id).await.is_ok());
    assert!(store.cases().get(&other, &case.id).await.is_err());

    // A feedback other than 已被骗 opens none.
    let now = w.now();
    let r = w
        .state
        .loop_service
        .receive(
            IncomingWarning {
                id: None,
                resident_id: Some("330281199001015678".into()),
                msisdn: None,
                residence_code: Some(VILLAGE.into()),
                level: WarningLevel::Red,
                fraud_type: None,
                score_permille: 900,
                source: "engine".into(),
                signal_at: now,
                evidence: serde_json::json!({}),
            },
            now,
        )
        .await
        .unwrap();
    let officer = Actor {
        login: "yy_officer".into(),
        unit_code: COUNTY.into(),
        scope: county.clone(),
    };
    let commands = [Command::Sign];
    let view = w
        .state
        .loop_service
        .act(&officer, &r.instruction_id, None, &commands, None, now)
        .await
        .unwrap();
    assert!(after_instruction_change(&w.state, "yy_officer", &view, 1)
        .await
        .unwrap()
        .is_none());

    // A case opened from the form: classified, and audited.
    let form = open_case(
        &w.state,
        "yy_analyst",
        CaseInput {
            victim_name: Some("李四".into()),
            unit_code: VILLAGE.into(),
            reported_at: now,
            loss_fen: 120_000,
            narrative: "对方自称淘宝客服，说我买的商品有质量问题要给我退款，让我下载会议软件共享屏幕后转账。".into(),
            source: "form".into(),
            ..CaseInput::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(form.source, "form");
    assert!((0..=1000).contains(&form.type_score), "{}", form.type_score);
    assert!(!form.public_sector);
    let all = store
        .cases()
        .list(&county, &PageRequest::first(100))
        .await
        .unwrap();
    assert_eq!(all.items.len(), 2);
}

async fn from_the_case_to_held_amounts_on_the_case_page(db: &Db) {
    let w = World::new(db).await;
    let (_, case) = w.defrauded(5_000_000).await;
    let mut case = case.unwrap();

    // A bank extract: the victim's 50,000 yuan to a mule at ICBC, 30,000 on to one at CCB,
    // and a row whose time cannot be read.
    let csv = format!(
        "交易流水号,交易时间,付款账号,收款账号,交易金额,交易渠道\n\
         T1,2026-03-01 10:00:00,{VICTIM},{MULE_ICBC},50000.00,网银\n\
         T2,2026-03-01 10:05:00,{MULE_ICBC},{MULE_CCB},30000.00,手机银行\n\
         T3,not a time,{MULE_ICBC},{MULE_CCB},10.00,网银\n"
    );
    let (taken, rejected) =
        take_in_extract(&w.state, "yy_analyst", &case, "icbc.csv", csv.as_bytes())
            .await
            .unwrap();
    assert_eq!(taken, 2);
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert!(
        rejected[0].starts_with("icbc.csv:4 ") && rejected[0].contains("bad_time"),
        "{rejected:?}"
    );
    let transfers = w
        .state
        .store
        .cases()
        .transfers(&Scope::platform(), &case.id)
        .await
        .unwrap();
    assert_eq!(transfers.len(), 2);
    assert_eq!(transfers[0].amount_fen, 5_000_000);
    assert_eq!(transfers[0].source_file.as_deref(), Some("icbc.csv"));

    // Without the victim's account there is nothing to start from.
    let err = trace_case(&w.state, "yy_analyst", &case).await.unwrap_err();
    assert_eq!(code(&err), ErrorCode::RequestInvalid, "{err}");

    // The trace: 20,000 stays at ICBC, 30,000 at CCB; one request each, due in 30 minutes.
    case.victim_account = Some(VICTIM.into());
    let traced_at = w.now();
    let out = trace_case(&w.state, "yy_analyst", &case).await.unwrap();
    assert_eq!(out.new_requests, 2, "{out:?}");
    assert_eq!(out.held_fen, 5_000_000, "{out:?}");
    let county = w.scope(COUNTY).await;
    let requests = w.requests(&county, Some(&case.id)).await;
    assert_eq!(requests.len(), 2);
    let by_bank = |bank: &str| {
        requests
            .iter()
            .find(|s| s.bank_code.as_deref() == Some(bank))
            .unwrap_or_else(|| panic!("no request to {bank}: {requests:?}"))
            .clone()
    };
    let icbc = by_bank("ICBC");
    let ccb = by_bank("CCB");
    assert_eq!(
        (icbc.account.as_str(), icbc.requested_fen),
        (MULE_ICBC, 2_000_000)
    );
    assert_eq!(
        (ccb.account.as_str(), ccb.requested_fen),
        (MULE_CCB, 3_000_000)
    );
    for s in [&icbc, &ccb] {
        assert_eq!(s.state, "requested");
        assert_eq!(s.requested_at, traced_at);
        assert_eq!(s.deadline, traced_at + 30 * MIN);
        assert_eq!(s.unit_code, case.unit_code);
        assert_eq!(s.version, 1);
    }
    // Tracing again finds the same holders: no new request.
    assert_eq!(
        trace_case(&w.state, "yy_analyst", &case)
            .await
            .unwrap()
            .new_requests,
        0
    );

    // The ICBC liaison sees the ICBC request only.
    let icbc_liaison = Viewer::Bank("ICBC".into());
    let seen = w.requests(&icbc_liaison, None).await;
    assert_eq!(
        seen.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        [icbc.id.as_str()]
    );
    let store = &w.state.store;
    assert!(store
        .stop_payments()
        .get(&icbc_liaison, &ccb.id)
        .await
        .is_err());
    let err = act_on_stop_payment(
        &w.state,
        "icbc_liaison",
        &icbc_liaison,
        &ccb.id,
        StopAction::Held {
            amount_fen: 3_000_000,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), ErrorCode::NotFound, "{err}");
    assert_eq!(
        store
            .stop_payments()
            .get(&county, &ccb.id)
            .await
            .unwrap()
            .state,
        "requested"
    );
    // Police of another county see neither.
    let other = w.scope(OTHER_COUNTY).await;
    assert!(w.requests(&other, None).await.is_empty());
    assert!(store.stop_payments().get(&other, &icbc.id).await.is_err());

    // Ten minutes in, the ICBC liaison confirms 20,000 yuan held, from several tabs at once:
    // one confirmation is stored, the others are refused.
    let held_at = w.clock.advance(10 * MIN);
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let state = w.state.clone();
            let viewer = icbc_liaison.clone();
            let id = icbc.id.clone();
            tokio::spawn(async move {
                act_on_stop_payment(
                    &state,
                    "icbc_liaison",
                    &viewer,
                    &id,
                    StopAction::Held {
                        amount_fen: 2_000_000,
                    },
                )
                .await
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(s) => {
                ok += 1;
                assert_eq!((s.state.as_str(), s.held_fen), ("held", 2_000_000));
            }
            // Raced on the same version, or came after the stored confirmation.
            Err(e) => assert!(
                matches!(code(&e), ErrorCode::Conflict | ErrorCode::RequestInvalid),
                "{e}"
            ),
        }
    }
    assert_eq!(ok, 1, "exactly one confirmation is stored");
    let s = store.stop_payments().get(&county, &icbc.id).await.unwrap();
    assert_eq!(
        (s.state.as_str(), s.held_fen, s.version, s.executed_at),
        ("held", 2_000_000, 2, Some(held_at))
    );
    // A change decided on a stale version is a conflict.
    let err = store
        .stop_payments()
        .update(
            &icbc_liaison,
            &icbc.id,
            1,
            &fanzha_store::StopPaymentUpdate {
                state: "failed".into(),
                held_fen: 0,
                executed_at: Some(held_at),
                detail: s.detail.clone(),
                at: held_at,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "{err}");

    // The CCB liaison answers late (40 minutes after the request) with less than requested.
    w.clock.advance(30 * MIN);
    let late = act_on_stop_payment(
        &w.state,
        "ccb_liaison",
        &Viewer::Bank("CCB".into()),
        &ccb.id,
        StopAction::Held {
            amount_fen: 1_000_000,
        },
    )
    .await
    .unwrap();
    assert_eq!((late.state.as_str(), late.held_fen), ("held", 1_000_000));

    // The case page shows what is held: 20,000 + 10,000 yuan.
    let page = w.case_page(&case.id).await;
    let total = format!("<span data-held-total>{}</span>", yuan(3_000_000));
    assert!(page.contains(&total), "{total} not on the case page");

    // The analyst renews the ICBC stop twice; a third renewal must be a freeze instead.
    w.clock.advance(60 * MIN);
    for round in 1..=2 {
        let s = act_on_stop_payment(&w.state, "yy_analyst", &county, &icbc.id, StopAction::Renew)
            .await
            .unwrap_or_else(|e| panic!("renewal {round}: {e}"));
        assert_eq!(s.state, "held");
        assert_eq!(s.detail["state"]["renewals"], round);
    }
    let err = act_on_stop_payment(&w.state, "yy_analyst", &county, &icbc.id, StopAction::Renew)
        .await
        .unwrap_err();
    assert_eq!(code(&err), ErrorCode::RequestInvalid, "{err}");
    assert!(err.to_string().contains("at most 2"), "{err}");
    let version = store
        .stop_payments()
        .get(&county, &icbc.id)
        .await
        .unwrap()
        .version;
    assert_eq!(version, 4, "the refused renewal stored nothing");
    // Police of another county cannot act on it.
    let err = act_on_stop_payment(&w.state, "cx_analyst", &other, &icbc.id, StopAction::Freeze)
        .await
        .unwrap_err();
    assert_eq!(code(&err), ErrorCode::NotFound, "{err}");

    // Freeze, then return to the victim; the amount stays as held.
    let s = act_on_stop_payment(
        &w.state,
        "yy_analyst",
        &county,
        &icbc.id,
        StopAction::Freeze,
    )
    .await
    .unwrap();
    assert_eq!((s.state.as_str(), s.held_fen), ("frozen", 2_000_000));
    let s = act_on_stop_payment(
        &w.state,
        "yy_analyst",
        &county,
        &icbc.id,
        StopAction::Return,
    )
    .await
    .unwrap();
    assert_eq!((s.state.as_str(), s.held_fen), ("returned", 2_000_000));
    assert_eq!(s.executed_at, Some(held_at), "the bank's answer time stays");
    let err = act_on_stop_payment(
        &w.state,
        "yy_analyst",
        &county,
        &icbc.id,
        StopAction::Return,
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), ErrorCode::RequestInvalid, "{err}");

    // Timeliness: two requested, both answered, one held within its 30 minutes.
    let now = w.now();
    let t = store
        .stop_payments()
        .timeliness(&county, traced_at - MIN, now + 1)
        .await
        .unwrap();
    assert_eq!(
        (t.requested, t.executed, t.executed_in_time, t.held_fen),
        (2, 2, 1, 3_000_000),
        "{t:?}"
    );
    // The ICBC liaison's own figure: their one request, in time.
    let t = store
        .stop_payments()
        .timeliness(&icbc_liaison, traced_at - MIN, now + 1)
        .await
        .unwrap();
    assert_eq!((t.requested, t.executed_in_time), (1, 1), "{t:?}");

    // Every step is in the audit log.
    let audit = w
        .state
        .store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(1_000))
        .await
        .unwrap();
    for action in [
        "case_opened",
        "case_extract_imported",
        "case_traced",
        "stop_payment_held",
        "stop_payment_frozen",
        "stop_payment_returned",
    ] {
        assert!(
            audit.items.iter().any(|a| a.action == action),
            "no {action} in the audit log"
        );
    }
}

/// A small deterministic generator (no extra dependency).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: i64) -> i64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % below as u64) as i64
    }
}

async fn held_amounts_never_exceed_those_requested(db: &Db) {
    let w = World::new(db).await;
    let case = open_case(
        &w.state,
        "yy_analyst",
        CaseInput {
            victim_name: Some("王五".into()),
            unit_code: VILLAGE.into(),
            reported_at: w.now(),
            loss_fen: 100_000_000,
            narrative: "对方冒充公检法称涉嫌洗钱，要求转入安全账户。".into(),
            source: "form".into(),
            ..CaseInput::default()
        },
    )
    .await
    .unwrap();
    let county = w.scope(COUNTY).await;
    let liaison = Viewer::Bank("ICBC".into());
    let mut rng = Lcg(20_260_301);
    let reported = DateTime::from_timestamp_millis(w.now()).unwrap();
    for k in 0..40 {
        let requested = 1 + rng.next(5_000_000);
        // Amounts around the valid range: negative, zero, within, above.
        let amount = match k % 4 {
            0 => requested - rng.next(requested),
            1 => requested + 1 + rng.next(requested),
            2 => -rng.next(requested),
            _ => rng.next(2 * requested + 2) - 1,
        };
        let account = format!("622202{:013}", k);
        let institution = Institution::Bank {
            code: "ICBC".into(),
            name: "中国工商银行".into(),
        };
        let req = StopPaymentRequest::new(&account, institution.clone(), requested, reported);
        let id = format!("ZFPROP{k:03}");
        w.state
            .store
            .stop_payments()
            .create_many(&[NewStopPayment {
                id: id.clone(),
                case_id: case.id.clone(),
                unit_code: case.unit_code.clone(),
                account: account.clone(),
                bank_code: Some("ICBC".into()),
                institution: serde_json::to_value(&institution).unwrap(),
                requested_fen: requested,
                requested_at: w.now(),
                deadline: req.deadline.timestamp_millis(),
                detail: serde_json::to_value(&req).unwrap(),
                reason: None,
                requested_by: None,
            }])
            .await
            .unwrap();
        let valid = (1..=requested).contains(&amount);
        let got = act_on_stop_payment(
            &w.state,
            "icbc_liaison",
            &liaison,
            &id,
            StopAction::Held { amount_fen: amount },
        )
        .await;
        match (&got, valid) {
            (Ok(s), true) => assert_eq!(s.held_fen, amount),
            (Err(e), false) => assert_eq!(code(e), ErrorCode::RequestInvalid, "{e}"),
            _ => panic!("requested {requested}, held {amount}: {got:?}"),
        }
        // Refused amounts leave the request as it was; a failure report holds nothing.
        if !valid {
            let s = w
                .state
                .store
                .stop_payments()
                .get(&county, &id)
                .await
                .unwrap();
            assert_eq!(
                (s.state.as_str(), s.version, s.held_fen),
                ("requested", 1, 0)
            );
            if k % 8 == 1 {
                let s = act_on_stop_payment(
                    &w.state,
                    "icbc_liaison",
                    &liaison,
                    &id,
                    StopAction::Failed {
                        reason: FailReason::NoBalance,
                    },
                )
                .await
                .unwrap();
                assert_eq!((s.state.as_str(), s.held_fen), ("failed", 0));
            }
        }
        w.clock.advance(MIN);
    }
    let all = w.requests(&county, Some(&case.id)).await;
    assert_eq!(all.len(), 40);
    assert!(all.iter().any(|s| s.held_fen > 0));
    for s in &all {
        assert!(
            (0..=s.requested_fen).contains(&s.held_fen),
            "{}: held {} of {}",
            s.id,
            s.held_fen,
            s.requested_fen
        );
    }
}

/// The sender's and the receiver's bank both report the transfer between them: the trace counts
/// it once, so the stops are those of the single extract.
async fn a_transfer_in_both_banks_extracts_is_traced_once(db: &Db) {
    let w = World::new(db).await;
    let (_, case) = w.defrauded(5_000_000).await;
    let mut case = case.unwrap();
    let icbc = format!(
        "交易流水号,交易时间,付款账号,收款账号,交易金额,交易渠道\n\
         T1,2026-03-01 10:00:00,{VICTIM},{MULE_ICBC},50000.00,网银\n\
         T2,2026-03-01 10:05:00,{MULE_ICBC},{MULE_CCB},30000.00,手机银行\n"
    );
    // CCB's extract shows the same incoming transfer.
    let ccb = format!(
        "交易流水号,交易时间,付款账号,收款账号,交易金额,交易渠道\n\
         T2,2026-03-01 10:05:00,{MULE_ICBC},{MULE_CCB},30000.00,手机银行\n"
    );
    for (file, csv) in [("icbc.csv", &icbc), ("ccb.csv", &ccb)] {
        take_in_extract(&w.state, "yy_analyst", &case, file, csv.as_bytes())
            .await
            .unwrap();
    }
    case.victim_account = Some(VICTIM.into());
    let out = trace_case(&w.state, "yy_analyst", &case).await.unwrap();
    assert_eq!(out.new_requests, 2, "{out:?}");
    let county = w.scope(COUNTY).await;
    let mut got: Vec<(String, i64)> = w
        .requests(&county, Some(&case.id))
        .await
        .into_iter()
        .map(|s| (s.account, s.requested_fen))
        .collect();
    got.sort();
    let mut want = vec![
        (MULE_ICBC.to_string(), 2_000_000),
        (MULE_CCB.to_string(), 3_000_000),
    ];
    want.sort();
    assert_eq!(
        got, want,
        "20,000 stays at ICBC, 30,000 went on to CCB, once"
    );
}
