//! 保护性止付 from end to end, identically on SQLite and PostgreSQL: while a warned person is
//! paying a suspect account, the county's analyst asks the account's bank to hold money from the
//! warning page, before any case exists (the card number checked by Luhn and its BIN, the
//! account masked and the request audited); that bank's liaison — and no other bank's — sees it
//! in the queue with its countdown and confirms the amount held; the warning page and the
//! dashboard's in-time figure show it; the analyst of another county reaches none of it; when the
//! person is later fed back as 已被骗, the case opened takes the request and its held amount.
//!
//! PostgreSQL runs when `FANZHA_TEST_DATABASE_URL` is set (each test in a fresh schema, dropped
//! at the end); without it those tests print why they skip, or fail under
//! `FANZHA_REQUIRE_SERVICES=1`.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use chrono::DateTime;
use fanzha_store::{NewPerson, PageRequest, Role, Scope, UnitLevel, Viewer};
use fanzha_web::auth::principal::Principal;
use fanzha_web::auth::session::COOKIE;
use fanzha_web::casework::after_instruction_change;
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
const OTHER_VILLAGE: &str = "330282001001";
const RESIDENT: &str = "330281199001011234";
/// The suspect account (ICBC by its BIN), as an analyst might type it.
const SUSPECT_ICBC: &str = "6222020123456789015";
const SUSPECT_TYPED: &str = "6222 0201 2345 6789 015";
/// The same digits with a wrong check digit.
const BAD_LUHN: &str = "6222020123456789016";
/// Luhn-valid, but no bank's BIN.
const NO_BANK: &str = "7000000123456789018";

use crate::support::unit;
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    a_protective_stop_goes_from_the_warning_to_the_bank_and_into_the_case,
    a_protective_stop_stays_in_its_area_and_its_account_is_masked_and_audited,
}

/// A clock the test moves.
struct TestClock(AtomicI64);

impl Clock for TestClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// 2026-03-01 10:30 in Shanghai.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-01T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

struct World {
    state: AppState,
    clock: Arc<TestClock>,
}

struct Answer {
    status: StatusCode,
    location: Option<String>,
    body: String,
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
                unit("330282001", "浒山街道", Township, Some(OTHER_COUNTY)),
                unit(OTHER_VILLAGE, "虞波社区", Village, Some("330282001")),
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
                employer: None,
                public_sector: false,
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

    fn advance(&self, ms: i64) {
        self.clock.0.fetch_add(ms, Ordering::SeqCst);
    }

    /// A red fund warning for the resident; (warning id, instruction id).
    async fn warn(&self) -> (String, String) {
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
                    fraud_type: Some("investment".into()),
                    score_permille: 950,
                    source: "engine".into(),
                    signal_at: now,
                    evidence: serde_json::json!({"note": "资金预警"}),
                },
                now,
            )
            .await
            .unwrap();
        (r.warning_id, r.instruction_id)
    }

    /// A session's cookie and CSRF token.
    fn login(&self, login: &str, role: Role, unit: &str, bank: Option<&str>) -> (String, String) {
        let (token, session) = self.state.sessions.create(
            Principal {
                login: login.into(),
                display_name: login.into(),
                unit_code: unit.into(),
                roles: vec![role],
                joint_member: None,
                bank_code: bank.map(Into::into),
                operator: None,
            },
            self.now(),
        );
        (format!("{COOKIE}={token}"), session.csrf_token)
    }

    async fn send(
        &self,
        method: &str,
        uri: &str,
        session: &(String, String),
        form: Option<&str>,
    ) -> Answer {
        let mut b = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::COOKIE, &session.0)
            .header("x-csrf-token", &session.1);
        let body = match form {
            Some(f) => {
                b = b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(f.to_string())
            }
            None => Body::empty(),
        };
        let mut req = b.body(body).unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
        let resp = router(self.state.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let location = resp
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = axum::body::to_bytes(resp.into_body(), 16 << 20)
            .await
            .unwrap();
        Answer {
            status,
            location,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    async fn request_stop(
        &self,
        session: &(String, String),
        warning_id: &str,
        account: &str,
        amount_yuan: &str,
    ) -> Answer {
        let form = format!(
            "account={}&amount_yuan={amount_yuan}&reason=%E8%B5%84%E9%87%91%E9%A2%84%E8%AD%A6%EF%BC%9A%E6%AD%A3%E5%9C%A8%E8%BD%AC%E8%B4%A6",
            account.replace(' ', "+")
        );
        self.send(
            "POST",
            &format!("/warnings/{warning_id}/protective-stops"),
            session,
            Some(&form),
        )
        .await
    }

    async fn stops_of(&self, warning_id: &str) -> Vec<fanzha_store::StopPayment> {
        self.state
            .store
            .stop_payments()
            .for_warning(&Viewer::Police(Scope::platform()), warning_id)
            .await
            .unwrap()
    }
}

fn row_of<'a>(page: &'a str, id: &str) -> Option<&'a str> {
    let start = page.find(&format!(r#"data-stop-payment-id="{id}""#))?;
    let end = page[start..]
        .find("</tr>")
        .map_or(page.len(), |e| start + e);
    Some(&page[start..end])
}

async fn a_protective_stop_goes_from_the_warning_to_the_bank_and_into_the_case(db: &Db) {
    let w = World::new(db).await;
    let (warning_id, instruction_id) = w.warn().await;
    let analyst = w.login("yy_analyst", Role::CenterAnalyst, COUNTY, None);

    // Checked before anything is stored: the check digit, the bank, the amount, the reason.
    for (account, amount) in [(BAD_LUHN, "50000"), (NO_BANK, "50000"), (SUSPECT_ICBC, "0")] {
        let a = w.request_stop(&analyst, &warning_id, account, amount).await;
        assert_eq!(
            a.status,
            StatusCode::BAD_REQUEST,
            "{account} {amount}: {}",
            a.body
        );
    }
    let a = w
        .send(
            "POST",
            &format!("/warnings/{warning_id}/protective-stops"),
            &analyst,
            Some("account=6222020123456789015&amount_yuan=100&reason=+"),
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    assert!(w.stops_of(&warning_id).await.is_empty());

    // The warning page offers the form to the analyst.
    let page = w
        .send("GET", &format!("/warnings/{warning_id}"), &analyst, None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"data-form="protective-stop""#));
    assert!(page.body.contains("保护性止付"));

    let a = w
        .request_stop(&analyst, &warning_id, SUSPECT_TYPED, "50000")
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(
        a.location.as_deref(),
        Some(format!("/warnings/{warning_id}#protective-stops").as_str())
    );
    let stops = w.stops_of(&warning_id).await;
    assert_eq!(stops.len(), 1);
    let stop = &stops[0];
    assert_eq!(stop.account, SUSPECT_ICBC, "stored without the spaces");
    assert_eq!(stop.bank_code.as_deref(), Some("ICBC"), "from the BIN");
    assert_eq!(stop.requested_fen, 5_000_000);
    assert_eq!(stop.case_id, None);
    assert_eq!(
        stop.instruction_id.as_deref(),
        Some(instruction_id.as_str())
    );
    assert_eq!(stop.resident_id.as_deref(), Some(RESIDENT));
    assert_eq!(stop.unit_code, VILLAGE);
    assert_eq!(stop.deadline, w.now() + 30 * MIN, "30 minutes to answer");
    assert_eq!(stop.reason.as_deref(), Some("资金预警：正在转账"));
    // Asked twice from one warning: refused.
    let again = w
        .request_stop(&analyst, &warning_id, SUSPECT_ICBC, "50000")
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);

    // The ICBC liaison's queue shows it with the countdown and the full number; CCB's does not.
    let icbc = w.login("icbc_liaison", Role::BankLiaison, COUNTY, Some("ICBC"));
    let ccb = w.login("ccb_liaison", Role::BankLiaison, COUNTY, Some("CCB"));
    let queue = w.send("GET", "/stop-payments", &icbc, None).await;
    assert_eq!(queue.status, StatusCode::OK);
    let row = row_of(&queue.body, &stop.id).expect("ICBC sees the request");
    assert!(row.contains("data-protective"), "{row}");
    assert!(row.contains(SUSPECT_ICBC), "{row}");
    assert!(
        row.contains(&format!(r#"data-deadline="{}""#, stop.deadline)),
        "{row}"
    );
    assert!(row.contains(r#"data-action="confirm-held""#), "{row}");
    let other_queue = w.send("GET", "/stop-payments", &ccb, None).await;
    assert_eq!(other_queue.status, StatusCode::OK);
    assert!(row_of(&other_queue.body, &stop.id).is_none());
    let refused = w
        .send(
            "POST",
            &format!("/stop-payments/{}/act", stop.id),
            &ccb,
            Some("action=held&amount_yuan=100"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);

    // Ten minutes later the bank holds ¥42,000.00.
    w.advance(10 * MIN);
    let held = w
        .send(
            "POST",
            &format!("/stop-payments/{}/act", stop.id),
            &icbc,
            Some("action=held&amount_yuan=42000"),
        )
        .await;
    assert_eq!(held.status, StatusCode::OK, "{}", held.body);
    assert!(held.body.contains(r#"data-state="held""#), "{}", held.body);
    let stored = w.stops_of(&warning_id).await.remove(0);
    assert_eq!(stored.state, "held");
    assert_eq!(stored.held_fen, 4_200_000);
    assert_eq!(stored.executed_at, Some(w.now()));

    // The warning page shows the held amount, the account masked.
    let page = w
        .send("GET", &format!("/warnings/{warning_id}"), &analyst, None)
        .await;
    let row = row_of(&page.body, &stored.id).expect("the warning lists its stop");
    assert!(row.contains(r#"data-state="held""#), "{row}");
    assert!(row.contains("¥42,000.00"), "{row}");
    assert!(!page.body.contains(SUSPECT_ICBC), "the account is masked");
    assert!(
        row.contains(&fanzha_core::mask::mask_card(SUSPECT_ICBC)),
        "{row}"
    );

    // Answered in time: the dashboard's figure counts it.
    let counters = w.send("GET", "/dashboard/counters", &analyst, None).await;
    assert_eq!(counters.status, StatusCode::OK);
    assert!(
        counters
            .body
            .contains(r#"data-counter="stop_in_time">1/1<"#),
        "{}",
        counters.body
    );

    // Later the person is fed back as 已被骗: the case takes the request and its held amount.
    w.advance(60 * MIN);
    let county = w.state.scope_of(COUNTY).await.unwrap();
    let officer = Actor {
        login: "yy_officer".into(),
        unit_code: COUNTY.into(),
        scope: county.clone(),
    };
    let commands = [
        Command::Sign,
        Command::RecordOutcome {
            outcome: Outcome::Defrauded {
                loss_fen: 8_000_000,
            },
            saved_fen: 0,
        },
    ];
    let view = w
        .state
        .loop_service
        .act(&officer, &instruction_id, None, &commands, None, w.now())
        .await
        .unwrap();
    let case = after_instruction_change(&w.state, "yy_officer", &view, commands.len())
        .await
        .unwrap()
        .expect("the 已被骗 feedback opens a case");
    let of_case = w
        .state
        .store
        .stop_payments()
        .list(
            &Viewer::Police(county.clone()),
            Some(&case.id),
            false,
            &PageRequest::first(50),
        )
        .await
        .unwrap();
    assert_eq!(of_case.items.len(), 1);
    assert_eq!(of_case.items[0].id, stored.id);
    assert_eq!(of_case.items[0].case_id.as_deref(), Some(case.id.as_str()));
    let case_page = w
        .send("GET", &format!("/cases/{}", case.id), &analyst, None)
        .await;
    assert_eq!(case_page.status, StatusCode::OK);
    let row = row_of(&case_page.body, &stored.id).expect("the case lists the stop");
    assert!(
        row.contains(&format!(r#"data-protective="{warning_id}""#)),
        "{row}"
    );
    assert!(row.contains("¥42,000.00"), "{row}");
    assert!(
        case_page
            .body
            .contains(r#"<span data-held-total>¥42,000.00</span>"#),
        "the held amount counts for the case"
    );
    let opened = w
        .state
        .store
        .audit()
        .for_target(&Scope::platform(), "case", &case.id)
        .await
        .unwrap();
    assert_eq!(opened[0].detail["protective_stops"], 1);
    // And the warning page names the case.
    let page = w
        .send("GET", &format!("/warnings/{warning_id}"), &analyst, None)
        .await;
    let row = row_of(&page.body, &stored.id).unwrap();
    assert!(row.contains(&format!("/cases/{}", case.id)), "{row}");
}

async fn a_protective_stop_stays_in_its_area_and_its_account_is_masked_and_audited(db: &Db) {
    let w = World::new(db).await;
    let (warning_id, _) = w.warn().await;
    let analyst = w.login("yy_analyst", Role::CenterAnalyst, COUNTY, None);
    let cixi = w.login("cx_analyst", Role::CenterAnalyst, OTHER_COUNTY, None);
    let commander = w.login("yy_commander", Role::UnitCommander, COUNTY, None);

    // Another county's analyst reaches neither the warning nor its stops.
    let a = w
        .request_stop(&cixi, &warning_id, SUSPECT_ICBC, "50000")
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.body);
    assert!(w.stops_of(&warning_id).await.is_empty());
    // A commander may not ask, and sees no form.
    let a = w
        .request_stop(&commander, &warning_id, SUSPECT_ICBC, "50000")
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    let page = w
        .send("GET", &format!("/warnings/{warning_id}"), &commander, None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(r#"data-form="protective-stop""#));

    let a = w
        .request_stop(&analyst, &warning_id, SUSPECT_ICBC, "50000")
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let stop = w.stops_of(&warning_id).await.remove(0);
    let masked = fanzha_core::mask::mask_card(SUSPECT_ICBC);
    assert_ne!(masked, SUSPECT_ICBC);

    let page = w
        .send("GET", &format!("/warnings/{warning_id}"), &cixi, None)
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let reveal = w
        .send(
            "GET",
            &format!("/stop-payments/{}/account", stop.id),
            &cixi,
            None,
        )
        .await;
    assert_eq!(reveal.status, StatusCode::NOT_FOUND);
    let board = w.send("GET", "/stop-payments", &cixi, None).await;
    assert!(row_of(&board.body, &stop.id).is_none());

    // Police see the account masked on the board and the warning page.
    let board = w.send("GET", "/stop-payments", &analyst, None).await;
    let row = row_of(&board.body, &stop.id).expect("the county's board lists it");
    assert!(row.contains(&masked), "{row}");
    assert!(!row.contains(SUSPECT_ICBC), "{row}");
    assert!(
        row.contains(&format!(r#"href="/warnings/{warning_id}""#)),
        "{row}"
    );
    let page = w
        .send("GET", &format!("/warnings/{warning_id}"), &analyst, None)
        .await;
    assert!(!page.body.contains(SUSPECT_ICBC));
    assert!(page.body.contains(r#"data-action="reveal-account""#));

    // The request's audit entry names the account masked only.
    let entries = w
        .state
        .store
        .audit()
        .for_target(&Scope::platform(), "stop_payment", &stop.id)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].action, "protective_stop_requested");
    assert_eq!(entries[0].actor, "yy_analyst");
    assert_eq!(entries[0].detail["account"], masked.as_str());
    assert_eq!(entries[0].detail["warning_id"], warning_id.as_str());
    assert!(!entries[0].detail.to_string().contains(SUSPECT_ICBC));

    // In full on demand, and that is audited.
    let reveal = w
        .send(
            "GET",
            &format!("/stop-payments/{}/account", stop.id),
            &analyst,
            None,
        )
        .await;
    assert_eq!(reveal.status, StatusCode::OK);
    assert!(reveal.body.contains(SUSPECT_ICBC), "{}", reveal.body);
    let entries = w
        .state
        .store
        .audit()
        .for_target(&Scope::platform(), "stop_payment", &stop.id)
        .await
        .unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].action, "stop_payment_account_viewed");
    assert_eq!(entries[1].actor, "yy_analyst");
    // A commander may not reveal it.
    let reveal = w
        .send(
            "GET",
            &format!("/stop-payments/{}/account", stop.id),
            &commander,
            None,
        )
        .await;
    assert_eq!(reveal.status, StatusCode::FORBIDDEN);
}
