//! Cases from 110 / 96110 report exports, and the returns plan of a frozen account, identically
//! on SQLite and PostgreSQL.
//!
//! Import: a GBK CSV with the 110 system's column names opens a case per good row (narrative
//! classified, the registered victim's person and warnings linked, a public-sector employer
//! noted, the time read as Shanghai time), puts every bad row in the quarantine with line and
//! reason (bad ID number, a unit outside the importer's subtree, an unknown unit, a report
//! number twice in the file), and opens nothing when imported again; an XLSX export with English
//! headers likewise; the upload on the cases page answers the same figures.
//!
//! Returns: three cases — one of another county — traced into one mule account share what is
//! held there pro rata; the page and the printed list show each share, the shares and the rest
//! add up to the held balance to the fen, the other county's victim stays unnamed, and recording
//! a return stays the stop-payment's audited action.
//!
//! PostgreSQL runs when `FANZHA_TEST_DATABASE_URL` is set; without it those tests print why
//! they skip, or fail under `FANZHA_REQUIRE_SERVICES=1`.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use chrono::DateTime;
use fanzha_core::error_code::{Coded, ErrorCode};
use fanzha_ingest::reports::ReportFormat;
use fanzha_store::{NewPerson, NewStopPayment, PageRequest, Role, Scope, UnitLevel, Viewer};
use fanzha_trace::stop_payment::{returns_plan, Institution, StopPaymentRequest};
use fanzha_web::auth::principal::Principal;
use fanzha_web::auth::session::COOKIE;
use fanzha_web::case_import::import_cases;
use fanzha_web::casework::{act_on_stop_payment, open_case, CaseInput, StopAction};
use fanzha_web::state::Clock;
use fanzha_web::{router, AppState};
use fanzha_workflow::{IncomingWarning, WarningLevel};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use tower::ServiceExt;

use crate::support::unit;
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    a_gbk_export_with_aliases_opens_cases_and_quarantines_bad_rows,
    an_xlsx_export_imports_and_a_second_import_opens_nothing,
    the_upload_on_the_cases_page_reports_the_figures,
    a_96110_export_records_the_order_each_caller_knew,
    a_frozen_account_is_returned_pro_rata_to_the_cases_that_share_it,
}

const MIN: i64 = 60_000;
const CITY: &str = "3302";
const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";
const OTHER_VILLAGE: &str = "330282001001";
/// Registered, public-sector, lives in VILLAGE; valid check digit.
const RESIDENT: &str = "330281199001011235";
/// Valid, not registered.
const STRANGER: &str = "330281198505052220";
const MULE: &str = "6222020123456789015";

struct TestClock(AtomicI64);

impl Clock for TestClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

fn shanghai(s: &str) -> i64 {
    DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
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
                unit(TOWNSHIP, "阳明街道", Township, Some(COUNTY)),
                unit(VILLAGE, "舜水社区", Village, Some(TOWNSHIP)),
                unit("330281002", "梨洲街道", Township, Some(COUNTY)),
                unit("330281002001", "新建社区", Village, Some("330281002")),
                unit("330281001002", "新建社区", Village, Some(TOWNSHIP)),
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
                employer: Some("余姚市某局".into()),
                public_sector: true,
                app_registered: false,
                joint_defense_registered: false,
            }])
            .await
            .unwrap();
        let clock = Arc::new(TestClock(AtomicI64::new(shanghai(
            "2026-03-02T09:00:00+08:00",
        ))));
        let mut state = AppState::new(store).await.unwrap();
        state.clock = clock.clone();
        World { state, clock }
    }

    fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// A red warning for the registered resident; its id.
    async fn warn_resident(&self) -> String {
        let now = self.now();
        self.state
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
            .unwrap()
            .warning_id
    }

    async fn case_count(&self) -> usize {
        self.state
            .store
            .cases()
            .list(&Scope::platform(), &PageRequest::first(1_000))
            .await
            .unwrap()
            .items
            .len()
    }

    /// (cookie, CSRF token) of a center analyst of `unit`.
    fn session(&self, unit: &str) -> (String, String) {
        let (token, session) = self.state.sessions.create(
            Principal {
                login: format!("analyst_{unit}"),
                display_name: "研判员".into(),
                unit_code: unit.into(),
                roles: vec![Role::CenterAnalyst],
                joint_member: None,
                bank_code: None,
                operator: None,
            },
            self.now(),
        );
        (format!("{COOKIE}={token}"), session.csrf_token)
    }

    async fn send(&self, req: Request<Body>) -> (StatusCode, String) {
        let mut req = req;
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
        let resp = router(self.state.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 16 << 20)
            .await
            .unwrap();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    async fn get(&self, unit: &str, uri: &str) -> (StatusCode, String) {
        let (cookie, _) = self.session(unit);
        self.send(
            Request::builder()
                .uri(uri)
                .header(header::HOST, "127.0.0.1:8080")
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// Uploads a file to `/cases/import` as an analyst of `unit`.
    async fn upload(&self, unit: &str, name: &str, bytes: &[u8]) -> (StatusCode, String) {
        let (cookie, csrf) = self.session(unit);
        let boundary = "fanzha-import-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"format\"\r\n\r\nauto\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.send(
            Request::builder()
                .method("POST")
                .uri("/cases/import")
                .header(header::HOST, "127.0.0.1:8080")
                .header(header::COOKIE, cookie)
                .header("x-csrf-token", csrf)
                .header("hx-request", "true")
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }
}

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

/// The 110 system's export: its own column names, Chinese times, 万 and thousands separators.
fn export_110() -> String {
    [
        "接警编号,报警人,证件号码,报警电话,接警时间,涉案金额（元）,警情内容,对方号码,对方账户,涉案APP/网址,管辖单位,备注",
        &format!("110-0001,张三,{RESIDENT},13900001234,2026年3月1日 10时30分,1.2万,对方自称公安局民警，说我涉嫌洗钱，要求把钱转到安全账户配合调查。,17012345678、+85212345678,{MULE},https://safe-account.example.top,,"),
        "110-0002,李四,,13812345678,2026-03-01 11:00,\"1,234.56\",网上认识的导师带我投资理财，平台显示盈利但无法提现，还让我交保证金。,,,高盈理财APP,阳明街道,",
        "110-0003,王五,330281199001011234,,2026-03-01 12:00,500,冒充客服说要退款。,,,,,",
        "110-0004,赵六,,,2026-03-01 13:00,800,刷单返利被骗。,,,,330282,",
        "110-0005,钱七,,,2026-03-01 14:00,900,冒充领导借钱。,,,,不存在派出所,",
        "110-0001,张三,,,2026-03-01 10:30,1,重复的警情编号。,,,,,",
        &format!("110-0006,孙八,{STRANGER},,2026-03-01 15:00,300,网络贷款先交手续费。,,,,,"),
    ]
    .join("\r\n")
}

async fn a_gbk_export_with_aliases_opens_cases_and_quarantines_bad_rows(db: &Db) {
    let w = World::new(db).await;
    let warning = w.warn_resident().await;
    let bytes = gbk(&export_110());
    let out = import_cases(
        &w.state,
        "yy_analyst",
        COUNTY,
        "110_export.csv",
        &bytes,
        ReportFormat::Auto,
    )
    .await
    .unwrap();
    assert_eq!(out.format, "csv");
    assert!(
        matches!(out.encoding, Some("GBK") | Some("gb18030")),
        "{:?}",
        out.encoding
    );
    assert_eq!(out.read, 7);
    assert_eq!(out.counts(), (3, 0, 4), "{out:?}");
    assert_eq!(out.ignored_columns, ["备注"]);
    let rejected: Vec<(i64, Option<&str>, &str)> = out
        .rejected
        .iter()
        .map(|r| (r.line, r.column.as_deref(), r.reason.as_str()))
        .collect();
    assert_eq!(
        rejected,
        [
            (4, Some("id_number"), "bad_check_digit"),
            (5, Some("unit"), "unit_out_of_scope"),
            (6, Some("unit"), "unknown_unit"),
            (7, Some("report_no"), "duplicate_in_file"),
        ]
    );
    // The quarantine holds the same rows, with file and raw text.
    let store = &w.state.store;
    let q = store
        .imports()
        .quarantine(out.import_run, &PageRequest::first(100))
        .await
        .unwrap();
    assert_eq!(q.items.len(), 4);
    assert!(q.items.iter().all(|r| r.row.file == "110_export.csv"));
    assert!(
        q.items[1].row.raw.starts_with("110-0004,赵六"),
        "{:?}",
        q.items[1]
    );
    let run = store.imports().get(out.import_run).await.unwrap();
    assert_eq!(
        (
            run.kind.as_str(),
            run.counts.read,
            run.counts.accepted,
            run.counts.quarantined
        ),
        ("cases", 7, 3, 4)
    );
    assert!(run.finished_at.is_some());

    let by_no = |no: &str| {
        out.imported
            .iter()
            .find(|c| c.report_no == no)
            .unwrap_or_else(|| panic!("{no} not imported"))
            .case_id
            .clone()
    };
    // Row 1: the registered resident — person, employer and warning linked; no unit named, so
    // the case lies at the residence.
    let c1 = store
        .cases()
        .get(&Scope::platform(), &by_no("110-0001"))
        .await
        .unwrap();
    assert_eq!(c1.report_no.as_deref(), Some("110-0001"));
    assert_eq!(c1.source, "import");
    assert_eq!(c1.unit_code, VILLAGE);
    assert_eq!(c1.resident_id.as_deref(), Some(RESIDENT));
    assert_eq!(c1.victim_name.as_deref(), Some("张三"));
    assert!(c1.public_sector);
    assert_eq!(c1.employer.as_deref(), Some("余姚市某局"));
    assert_eq!(c1.reported_at, shanghai("2026-03-01T10:30:00+08:00"));
    assert_eq!(c1.loss_fen, 1_200_000);
    assert!(c1.fraud_type.is_some(), "the narrative is classified");
    assert_eq!(
        c1.named["phones"],
        serde_json::json!(["17012345678", "+85212345678"])
    );
    assert_eq!(c1.named["accounts"], serde_json::json!([MULE]));
    assert_eq!(
        c1.named["urls"],
        serde_json::json!(["https://safe-account.example.top"])
    );
    let linked = store
        .warnings()
        .for_case(&Scope::platform(), &c1.id)
        .await
        .unwrap();
    assert_eq!(
        linked.iter().map(|w| w.id.as_str()).collect::<Vec<_>>(),
        [warning.as_str()]
    );
    // Row 2: the unit named by its name.
    let c2 = store
        .cases()
        .get(&Scope::platform(), &by_no("110-0002"))
        .await
        .unwrap();
    assert_eq!(c2.unit_code, TOWNSHIP);
    assert_eq!(c2.loss_fen, 123_456);
    assert_eq!(c2.victim_phone.as_deref(), Some("13812345678"));
    assert_eq!(c2.named["apps"], serde_json::json!(["高盈理财APP"]));
    assert!(!c2.public_sector);
    // A valid but unregistered ID: kept, nothing linked, the importing unit holds the case.
    let c6 = store
        .cases()
        .get(&Scope::platform(), &by_no("110-0006"))
        .await
        .unwrap();
    assert_eq!(
        (c6.resident_id.as_deref(), c6.unit_code.as_str()),
        (Some(STRANGER), COUNTY)
    );
    assert!(store
        .warnings()
        .for_case(&Scope::platform(), &c6.id)
        .await
        .unwrap()
        .is_empty());
    // The other county sees none of them.
    let other = w.state.scope_of(OTHER_COUNTY).await.unwrap();
    assert!(store.cases().get(&other, &c1.id).await.is_err());

    // Every case and the import itself are in the audit log.
    let audit = store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(1_000))
        .await
        .unwrap()
        .items;
    assert_eq!(
        audit.iter().filter(|a| a.action == "case_opened").count(),
        3
    );
    assert!(audit.iter().any(|a| a.action == "cases_imported"
        && a.target_id.as_deref() == Some(&out.import_run.to_string())));

    // The same file again: nothing new, and it says so; the bad rows are quarantined again.
    let again = import_cases(
        &w.state,
        "yy_analyst",
        COUNTY,
        "110_export.csv",
        &bytes,
        ReportFormat::Csv,
    )
    .await
    .unwrap();
    assert_eq!(again.counts(), (0, 3, 4));
    assert_eq!(w.case_count().await, 3);
    assert!(again.duplicates.iter().all(|d| d.case_id.is_some()));
    assert_ne!(again.import_run, out.import_run);
    // Imported by the other county: our cases are duplicates there too, but stay unnamed…
    let foreign = import_cases(
        &w.state,
        "cx_analyst",
        OTHER_COUNTY,
        "110_export.csv",
        &bytes,
        ReportFormat::Auto,
    )
    .await
    .unwrap();
    assert_eq!(foreign.duplicates.len(), 3);
    assert!(foreign.duplicates.iter().all(|d| d.case_id.is_none()));
    // …and the row naming their own county, refused to us, is theirs to open.
    assert_eq!(foreign.counts(), (1, 3, 3), "{foreign:?}");
    assert_eq!(foreign.imported[0].report_no, "110-0004");
    assert_eq!(foreign.imported[0].unit_code, OTHER_COUNTY);
    assert_eq!(w.case_count().await, 4);
    // A unit that does not exist cannot import.
    let err = import_cases(&w.state, "x", "999999", "f.csv", &bytes, ReportFormat::Auto)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::UnitNotFound, "{err}");
}

async fn an_xlsx_export_imports_and_a_second_import_opens_nothing(db: &Db) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let w = World::new(db).await;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let header = [
        "Report No",
        "Victim Name",
        "ID Number",
        "Reported At",
        "Loss",
        "Narrative",
        "Unit Code",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let when = ExcelDateTime::parse_from_str("2026-03-01 20:15:00").unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    ws.write_string(1, 0, "96110-A1").unwrap();
    ws.write_string(1, 1, "周九").unwrap();
    ws.write_string(1, 2, RESIDENT).unwrap();
    ws.write_datetime_with_format(1, 3, &when, &date).unwrap();
    ws.write_number(1, 4, 56_000.5).unwrap();
    ws.write_string(
        1,
        5,
        "接到自称快递客服的电话，说包裹丢失要理赔，引导下载会议软件共享屏幕。",
    )
    .unwrap();
    ws.write_string(1, 6, VILLAGE).unwrap();
    // No narrative.
    ws.write_string(2, 0, "96110-A2").unwrap();
    ws.write_datetime_with_format(2, 3, &when, &date).unwrap();
    ws.write_number(2, 4, 10.0).unwrap();
    let bytes = wb.save_to_buffer().unwrap();

    let out = import_cases(
        &w.state,
        "yy_analyst",
        COUNTY,
        "96110.xlsx",
        &bytes,
        ReportFormat::Xlsx,
    )
    .await
    .unwrap();
    assert_eq!(out.format, "xlsx");
    assert_eq!(out.counts(), (1, 0, 1), "{out:?}");
    assert_eq!(
        (
            out.rejected[0].line,
            out.rejected[0].column.as_deref(),
            out.rejected[0].reason.as_str()
        ),
        (3, Some("narrative"), "empty_required")
    );
    let case = w
        .state
        .store
        .cases()
        .get(&Scope::platform(), &out.imported[0].case_id)
        .await
        .unwrap();
    assert_eq!(case.reported_at, shanghai("2026-03-01T20:15:00+08:00"));
    assert_eq!(case.loss_fen, 5_600_050);
    assert_eq!(case.unit_code, VILLAGE);
    assert!(
        case.public_sector,
        "the registered person's employer notice applies"
    );

    let again = import_cases(
        &w.state,
        "yy_analyst",
        COUNTY,
        "96110.xlsx",
        &bytes,
        ReportFormat::Auto,
    )
    .await
    .unwrap();
    assert_eq!(again.counts(), (0, 1, 1));
    assert_eq!(
        again.duplicates[0].case_id.as_deref(),
        Some(case.id.as_str())
    );
    assert_eq!(w.case_count().await, 1);
    // A case opened by hand with a report number already imported is refused.
    let err = open_case(
        &w.state,
        "yy_analyst",
        CaseInput {
            unit_code: VILLAGE.into(),
            reported_at: w.now(),
            loss_fen: 1,
            narrative: "同一警情".into(),
            source: "form".into(),
            report_no: Some("96110-A1".into()),
            ..CaseInput::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
}

/// The 96110 hotline's export of fake customer-service reports, with the order each caller knew.
fn export_96110() -> String {
    [
        "来电编号,来电时间,被骗金额,来电内容,电商平台,店铺,快递公司,快递网点,下单日期,对方掌握信息",
        "96110-01,2026-03-01 09:00,3000,自称淘宝客服说快递丢件要理赔，让我下载会议软件共享屏幕。,手淘,小米官方旗舰店,中通快递,中通阳明网点,2026/2/20,订单号、收件人姓名、运单号",
        "96110-02,2026-03-01 09:10,1500,自称快递客服说包裹丢失理赔。,,,,韵达阳明网点,,快递单号",
        "96110-03,2026-03-01 09:20,800,自称客服说退款。,拼多多,,,城北网点,,",
        "96110-04,2026-03-01 09:30,900,自称客服说退款。,淘宝,,,,,订单号、身份证号",
        "96110-05,2026-03-01 09:40,700,自称客服说退款。,,,,,2026-02-25,",
        "96110-06,2026-03-01 09:50,600,自称客服说注销百万保障。,,,,,,",
        "96110-07,2026-03-01 10:00,500,自称客服说退款。,京东,,,,上个月,",
    ]
    .join("\n")
}

async fn a_96110_export_records_the_order_each_caller_knew(db: &Db) {
    let w = World::new(db).await;
    let out = import_cases(
        &w.state,
        "yy_analyst",
        COUNTY,
        "96110.csv",
        export_96110().as_bytes(),
        ReportFormat::Auto,
    )
    .await
    .unwrap();
    assert!(out.ignored_columns.is_empty(), "{:?}", out.ignored_columns);
    let rejected: Vec<(i64, Option<&str>, &str)> = out
        .rejected
        .iter()
        .map(|r| (r.line, r.column.as_deref(), r.reason.as_str()))
        .collect();
    assert_eq!(
        rejected,
        [
            (4, Some("outlet"), "outlet_without_courier"),
            (5, Some("order_known"), "unknown_order_detail"),
            (6, Some("platform"), "order_unnamed"),
            (8, Some("ordered_on"), "bad_format"),
        ]
    );
    assert_eq!(out.counts(), (3, 0, 4), "{out:?}");
    assert_eq!(w.case_count().await, 3, "a refused order opens no case");
    let store = &w.state.store;
    let order_of = |no: &str| {
        let id = out
            .imported
            .iter()
            .find(|c| c.report_no == no)
            .unwrap_or_else(|| panic!("{no} not imported"))
            .case_id
            .clone();
        async move { store.case_order_sources().get(&id).await.unwrap() }
    };
    // Names kept in one form, the date, the details once each.
    let first = order_of("96110-01").await.expect("96110-01's order");
    assert_eq!(
        (
            first.platform.as_str(),
            first.shop.as_str(),
            first.courier.as_str(),
            first.outlet.as_str()
        ),
        ("淘宝", "小米官方旗舰店", "中通", "中通阳明网点")
    );
    assert_eq!(
        first.ordered_on.map(|d| d.to_string()).as_deref(),
        Some("2026-02-20")
    );
    use fanzha_store::CitedDetail::*;
    assert_eq!(first.cited, [OrderNo, Name, Waybill]);
    assert_eq!(first.recorded_by, "yy_analyst");
    // The courier read from the outlet's name.
    let second = order_of("96110-02").await.expect("96110-02's order");
    assert_eq!(
        (
            second.courier.as_str(),
            second.outlet.as_str(),
            second.platform.as_str()
        ),
        ("韵达", "韵达阳明网点", "")
    );
    assert_eq!(second.cited, [Waybill]);
    // A report of no order records none.
    assert!(order_of("96110-06").await.is_none());
    // Recorded as the case page would: audited.
    let audit = store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(1_000))
        .await
        .unwrap()
        .items;
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.action == "case_order_source_set")
            .count(),
        2
    );
}

fn count_in(body: &str, attr: &str) -> String {
    let start = body
        .find(&format!("<b {attr}>"))
        .unwrap_or_else(|| panic!("no {attr} in the page"))
        + attr.len()
        + 4;
    body[start..start + body[start..].find('<').unwrap()].to_string()
}

async fn the_upload_on_the_cases_page_reports_the_figures(db: &Db) {
    let w = World::new(db).await;
    let bytes = gbk(&export_110());
    let (status, body) = w.upload(COUNTY, "110_export.csv", &bytes).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(count_in(&body, "data-imported"), "3");
    assert_eq!(count_in(&body, "data-duplicate"), "0");
    assert_eq!(count_in(&body, "data-rejected"), "4");
    assert!(body.contains(r#"data-line="5" data-reason="unit_out_of_scope""#));
    assert!(body.contains(r#"data-line="4" data-reason="bad_check_digit""#));
    assert!(!body.contains("data-nothing-new"));
    // Nothing personal in the figures: the rejected rows are named by line and reason only.
    assert!(!body.contains("330281199001011234"));
    assert_eq!(w.case_count().await, 3);
    // The new cases are on the list the page answers with.
    assert_eq!(body.matches("data-case-id=").count(), 3);

    let (status, body) = w.upload(COUNTY, "110_export.csv", &bytes).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(count_in(&body, "data-imported"), "0");
    assert_eq!(count_in(&body, "data-duplicate"), "3");
    assert!(body.contains("data-nothing-new"));
    assert_eq!(w.case_count().await, 3);

    // An export larger than the default request limit is taken (here a 3 MB remark).
    let big = format!(
        "警情编号,报警时间,损失金额,简要案情,备注\nBIG-1,2026-03-01 09:00,100,冒充客服退款。,{}\n",
        "x".repeat(3 << 20)
    );
    let (status, body) = w.upload(COUNTY, "big.csv", big.as_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{}", &body[..body.len().min(300)]);
    assert_eq!(count_in(&body, "data-imported"), "1");

    // A file without the required columns is refused as a whole, naming the accepted names.
    let (status, body) = w
        .upload(
            COUNTY,
            "wrong.csv",
            "姓名,电话\n张三,13900001234\n".as_bytes(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("header_missing_column"), "{body}");
    assert!(body.contains("警情编号"), "{body}");
}

/// A case of `unit` reported at `at`, with a stop-payment on the mule account asking for
/// `claim_fen`; the bank holds `held_fen`, frozen when `freeze`. Returns the request id.
async fn traced_into_the_mule(
    w: &World,
    unit: &str,
    victim: &str,
    at: i64,
    claim_fen: i64,
    held_fen: i64,
    freeze: bool,
) -> (String, String) {
    let case = open_case(
        &w.state,
        "setup",
        CaseInput {
            victim_name: Some(victim.into()),
            victim_account: Some(format!("62166101234567{:05}", at % 100_000)),
            unit_code: unit.into(),
            reported_at: at,
            loss_fen: claim_fen * 2,
            narrative: "冒充公检法要求转入安全账户。".into(),
            source: "form".into(),
            ..CaseInput::default()
        },
    )
    .await
    .unwrap();
    let institution = Institution::of_account(MULE, false);
    let reported = DateTime::from_timestamp_millis(w.now()).unwrap();
    let req = StopPaymentRequest::new(MULE, institution.clone(), claim_fen, reported);
    let id = format!("ZF{}", case.id);
    w.state
        .store
        .stop_payments()
        .create_many(&[NewStopPayment {
            id: id.clone(),
            case_id: case.id.clone(),
            unit_code: case.unit_code.clone(),
            account: MULE.into(),
            bank_code: Some("ICBC".into()),
            institution: serde_json::to_value(&institution).unwrap(),
            requested_fen: claim_fen,
            requested_at: w.now(),
            deadline: req.deadline.timestamp_millis(),
            detail: serde_json::to_value(&req).unwrap(),
            reason: None,
            requested_by: None,
        }])
        .await
        .unwrap();
    act_on_stop_payment(
        &w.state,
        "icbc_liaison",
        &Viewer::Bank("ICBC".into()),
        &id,
        StopAction::Held {
            amount_fen: held_fen,
        },
    )
    .await
    .unwrap();
    if freeze {
        act_on_stop_payment(
            &w.state,
            "setup",
            &Viewer::Police(Scope::platform()),
            &id,
            StopAction::Freeze,
        )
        .await
        .unwrap();
    }
    (case.id, id)
}

/// `(case id, share)` of each claim row of the returns page, in order.
fn shares_on(body: &str) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for part in body.split("<tr data-case-id=\"").skip(1) {
        let id = &part[..part.find('"').unwrap()];
        if let Some(i) = part.find("data-share=\"") {
            let rest = &part[i + 12..];
            let share: i64 = rest[..rest.find('"').unwrap()].parse().unwrap();
            out.push((id.to_string(), share));
        }
    }
    out
}

async fn a_frozen_account_is_returned_pro_rata_to_the_cases_that_share_it(db: &Db) {
    let w = World::new(db).await;
    let t = w.now() - 120 * MIN;
    // Reported in this order: the other county's, then two of ours.
    let (b_case, _b) =
        traced_into_the_mule(&w, OTHER_VILLAGE, "外县受害人", t, 50_000, 40_000, true).await;
    let (a_case, a) =
        traced_into_the_mule(&w, VILLAGE, "陈一", t + MIN, 30_000, 30_000, true).await;
    let (c_case, _c) =
        traced_into_the_mule(&w, COUNTY, "林二", t + 2 * MIN, 20_000, 1_001, false).await;
    let pool = 40_000 + 30_000 + 1_001;
    let expected = returns_plan(pool, &[50_000, 30_000, 20_000]).unwrap();
    assert_eq!(expected.shares, [35_501, 21_300, 14_200]);

    let (status, body) = w.get(COUNTY, &format!("/stop-payments/{a}/returns")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let shares = shares_on(&body);
    assert_eq!(
        shares,
        [
            (b_case.clone(), 35_501),
            (a_case.clone(), 21_300),
            (c_case.clone(), 14_200)
        ]
    );
    assert_eq!(shares.iter().map(|s| s.1).sum::<i64>(), pool);
    assert!(body.contains(&format!(r#"data-pool="{pool}""#)));
    assert!(
        !body.contains("data-unclaimed"),
        "the claims cover the balance"
    );
    // The other county's case counts but its victim is not shown, nor linked.
    assert!(!body.contains("外县受害人"));
    assert!(!body.contains(&format!("href=\"/cases/{b_case}\"")));
    assert!(body.contains(&format!("href=\"/cases/{a_case}\"")));
    // Part of the money is only stopped: it must be frozen before it can go back.
    assert!(body.contains(fanzha_web::i18n::Lang::Zh.t("returns_need_freeze")));
    // Only our frozen request offers the return, which posts the existing action.
    assert_eq!(body.matches("data-action=\"record-return\"").count(), 1);
    assert!(body.contains(&format!("hx-post=\"/stop-payments/{a}/act\"")));

    // The printed list: our victims in full, the other county's by unit, the total to the fen.
    let (status, print) = w
        .get(COUNTY, &format!("/stop-payments/{a}/returns/print"))
        .await;
    assert_eq!(status, StatusCode::OK, "{print}");
    assert!(print.contains("冻结资金发还清单"));
    assert!(print.contains("陈一") && print.contains("林二"));
    assert!(!print.contains("外县受害人"));
    assert!(print.contains("虞波社区"), "the other case's unit");
    assert!(print.contains(&format!(
        "<td data-total><b>{}</b>",
        fanzha_web::pages::view::yuan(pool)
    )));
    let audit = w
        .state
        .store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(1_000))
        .await
        .unwrap()
        .items;
    assert!(audit
        .iter()
        .any(|e| e.action == "returns_list_printed" && e.target_id.as_deref() == Some(&a)));

    // The other county's analyst does not reach our request.
    let (status, _) = w
        .get(OTHER_COUNTY, &format!("/stop-payments/{a}/returns"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Recording the return is the stop-payment's own action, audited as before; the plan then
    // splits what is left among the others.
    let s = act_on_stop_payment(
        &w.state,
        "yy_analyst",
        &Viewer::Police(w.state.scope_of(COUNTY).await.unwrap()),
        &a,
        StopAction::Return,
    )
    .await
    .unwrap();
    assert_eq!(s.state, "returned");
    let (_, body) = w.get(COUNTY, &format!("/stop-payments/{a}/returns")).await;
    let shares = shares_on(&body);
    let left = returns_plan(40_000 + 1_001, &[50_000, 20_000]).unwrap();
    assert_eq!(shares, [(b_case, left.shares[0]), (c_case, left.shares[1])]);
    assert!(body.contains("id=\"returned\""));
    let audit = w
        .state
        .store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(1_000))
        .await
        .unwrap()
        .items;
    assert!(audit
        .iter()
        .any(|e| e.action == "stop_payment_returned" && e.target_id.as_deref() == Some(&a)));
}
