//! Monthly figures imported from the spreadsheets other offices send, on SQLite and
//! PostgreSQL: the center imports an operators' table (padded division codes, Chinese months
//! and operator names), rows outside its area, of a month to come or unreadable quarantined
//! with line and reason; a liaison's file without an operator column is its own operator's and
//! another operator's row is refused; the statistics office's criminal cases are imported the
//! same way, and importing the file again corrects rather than adds; the banks' table names
//! banks by branch (工商银行余姚支行), amounts in yuan or 万元, and a liaison's rows are its
//! own bank's.

use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::{ImportRunId, PageRequest, Role, Scope, UnitLevel};
use fanzha_web::AppState;
use std::sync::Arc;

use crate::support::{multipart, send_body, unit, Answer, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    an_operators_table_is_entered_row_by_row,
    criminal_cases_are_imported_and_corrected_by_a_second_import,
    a_banks_table_names_banks_as_branches_write_them,
}

const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const OTHER_COUNTY: &str = "330282";

/// 2026-03-10 10:30 in Shanghai.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-10T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

async fn world(db: &Db) -> AppState {
    let store = db.open().await;
    use UnitLevel::*;
    store
        .units()
        .upsert(&[
            unit("3302", "宁波市", City, None),
            unit(COUNTY, "余姚市", County, Some("3302")),
            unit(TOWNSHIP, "阳明街道", Township, Some(COUNTY)),
            unit(OTHER_COUNTY, "慈溪市", County, Some("3302")),
        ])
        .await
        .unwrap();
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(t0()));
    state
}

async fn upload(
    state: &AppState,
    role: Role,
    path: &str,
    fields: &[(&str, &str)],
    file: &str,
) -> Answer {
    let body = multipart(fields, ("报表.csv", file.as_bytes()));
    send_body(state, role, COUNTY, t0(), ("POST", path), body).await
}

/// `data-NAME>VALUE<` of the import result.
fn figure(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("data-{name}>"))
        .unwrap_or_else(|| panic!("data-{name} missing in {html}"));
    let rest = &html[at + name.len() + 6..];
    rest[..rest.find('<').unwrap()].to_string()
}

/// (line, reason) of the run's stored quarantine.
async fn quarantine(state: &AppState, html: &str) -> Vec<(i64, String)> {
    let at = html.find("data-import-run=\"").expect("an import run") + 17;
    let run: i64 = html[at..at + html[at..].find('"').unwrap()]
        .parse()
        .unwrap();
    let mut rows: Vec<(i64, String)> = state
        .store
        .imports()
        .quarantine(ImportRunId(run), &PageRequest::first(100))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|q| (q.row.line, q.row.reason))
        .collect();
    rows.sort();
    rows
}

async fn an_operators_table_is_entered_row_by_row(db: &Db) {
    let state = world(db).await;
    let table = "区划代码,单位,运营商,月份,拦截诈骗电话,拦截诈骗短信,自主关停涉诈号码\n\
                 330281000000,余姚市,中国移动,2026年2月,\"23,400\",5600,12\n\
                 330281001,阳明街道,中国联通,2026-02,1.2万,,\n\
                 330282,慈溪市,中国电信,2026-02,5,5,5\n\
                 330281,余姚市,中国电信,2026-04,5,5,5\n\
                 330281,余姚市,铁通,2026-02,1,1,1\n\
                 330281,余姚市,中国移动,2026-2,1,1,1\n";
    let a = upload(
        &state,
        Role::CenterAnalyst,
        "/operator-figures/import",
        &[("format", "auto")],
        table,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let html = a.text();
    assert_eq!(
        (
            figure(&html, "read"),
            figure(&html, "applied"),
            figure(&html, "rejected")
        ),
        ("6".into(), "2".into(), "4".into())
    );
    assert_eq!(
        quarantine(&state, &html).await,
        vec![
            (4, "unit_outside_area".into()),
            (5, "future_month".into()),
            (6, "unknown_operator".into()),
            (7, "duplicate_in_file".into()),
        ]
    );
    let entries = |state: AppState| async move {
        let mut e: Vec<_> = state
            .store
            .operator_figures()
            .entries(&Scope::platform(), 202601, 202612)
            .await
            .unwrap()
            .into_iter()
            .map(|e| {
                (
                    e.unit_code,
                    e.operator.as_str(),
                    e.month,
                    e.counts.calls_blocked,
                    e.counts.sms_blocked,
                    e.counts.numbers_shut,
                )
            })
            .collect();
        e.sort();
        e
    };
    assert_eq!(
        entries(state.clone()).await,
        vec![
            (COUNTY.into(), "china_mobile", 202602, 23_400, 5_600, 12),
            (TOWNSHIP.into(), "china_unicom", 202602, 12_000, 0, 0),
        ]
    );
    // The page shows the import's year with the figures in it.
    assert!(html.contains("data-operator=\"china_mobile\""), "{html}");

    // A liaison's file without an operator column is its own operator's (China Mobile for the
    // test liaison); a row of another operator is refused, whatever the form says.
    let own = "单位代码,月份,拦截诈骗电话\n330281,2026-01,100\n";
    let a = upload(
        &state,
        Role::OperatorLiaison,
        "/operator-figures/import",
        &[("operator", "china_telecom")],
        own,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(figure(&a.text(), "applied"), "1");
    let theirs = "单位代码,运营商,月份,拦截诈骗电话\n330281,联通,2026-01,100\n";
    let a = upload(
        &state,
        Role::OperatorLiaison,
        "/operator-figures/import",
        &[],
        theirs,
    )
    .await;
    assert_eq!(figure(&a.text(), "applied"), "0");
    assert_eq!(
        quarantine(&state, &a.text()).await,
        vec![(2, "not_own_operator".into())]
    );
    // A police file without an operator column, and no operator chosen: nothing to enter by.
    let a = upload(
        &state,
        Role::CenterAnalyst,
        "/operator-figures/import",
        &[],
        own,
    )
    .await;
    assert_eq!(
        quarantine(&state, &a.text()).await,
        vec![(2, "no_operator".into())]
    );
    assert_eq!(
        entries(state.clone()).await.len(),
        3,
        "the liaison's January is the only other entry"
    );
    // A table without a count column is refused as a whole, naming the columns accepted.
    let a = upload(
        &state,
        Role::CenterAnalyst,
        "/operator-figures/import",
        &[],
        "单位代码,月份,备注\n330281,2026-01,x\n",
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.text().contains("拦截诈骗电话"), "{}", a.text());
    // Those who only read the figures do not import them.
    let a = upload(&state, Role::Leader, "/operator-figures/import", &[], own).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
}

async fn criminal_cases_are_imported_and_corrected_by_a_second_import(db: &Db) {
    let state = world(db).await;
    let table = "单位代码,单位名称,月份,刑事案件立案数\n\
                 330281,余姚市,2026-01,120\n\
                 330281001000,阳明街道,2026年2月,30\n\
                 330282,慈溪市,2026-02,10\n\
                 330281,余姚市,2026-05,1\n\
                 330281,余姚市,2026/1,5\n\
                 330281,余姚市,2026-02,很多\n";
    let a = upload(
        &state,
        Role::CenterAnalyst,
        "/crime-counts/import",
        &[],
        table,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let html = a.text();
    assert_eq!(
        (figure(&html, "read"), figure(&html, "applied")),
        ("6".into(), "2".into())
    );
    assert_eq!(
        quarantine(&state, &html).await,
        vec![
            (4, "unit_outside_area".into()),
            (5, "future_month".into()),
            (6, "duplicate_in_file".into()),
            (7, "bad_count".into()),
        ]
    );
    let entries = |state: AppState| async move {
        let mut e: Vec<_> = state
            .store
            .crime_counts()
            .entries(&Scope::platform(), 202601, 202612)
            .await
            .unwrap()
            .into_iter()
            .map(|e| (e.unit_code, e.month, e.cases))
            .collect();
        e.sort();
        e
    };
    assert_eq!(
        entries(state.clone()).await,
        vec![(COUNTY.into(), 202601, 120), (TOWNSHIP.into(), 202602, 30)]
    );
    // The page reads them: January's criminal cases are the county's 120.
    assert!(
        html.contains("data-month=\"2026-01\"") && html.contains("<td data-criminal>120</td>"),
        "{html}"
    );
    // The office's corrected table: the same units and months, new figures — nothing added.
    let corrected = "单位代码,月份,刑事案件立案数\n330281,2026-01,118\n330281001,2026-02,30\n";
    let a = upload(
        &state,
        Role::CenterAnalyst,
        "/crime-counts/import",
        &[],
        corrected,
    )
    .await;
    assert_eq!(figure(&a.text(), "applied"), "2");
    assert_eq!(
        entries(state.clone()).await,
        vec![(COUNTY.into(), 202601, 118), (TOWNSHIP.into(), 202602, 30)]
    );
    // Every entry is audited, as a hand entry is.
    let audit = state
        .store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(100))
        .await
        .unwrap()
        .items;
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "criminal_case_count_set")
            .count(),
        4,
        "{:?}",
        audit.iter().map(|e| &e.action).collect::<Vec<_>>()
    );
    let a = upload(
        &state,
        Role::GridWorker,
        "/crime-counts/import",
        &[],
        corrected,
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
}

async fn a_banks_table_names_banks_as_branches_write_them(db: &Db) {
    let state = world(db).await;
    let table =
        "单位代码,填报银行,月份,劝阻群众,劝阻涉及金额（万元）,推送防骗提醒短信,防骗语音提醒\n\
                 330281,中国工商银行余姚支行,2026年2月,14,86.5,9000,\n\
                 330281001,建行阳明支行,2026-02,3,1.2,,40\n\
                 330281,某某信用社,2026-02,1,1,1,1\n\
                 330281,中国银行,2026-02,2,十万,1,1\n\
                 330282,中国银行,2026-02,2,1,1,1\n\
                 330281,工行,2026-02,1,1,1,1\n";
    let a = upload(
        &state,
        Role::CenterAnalyst,
        "/bank-figures/import",
        &[("format", "auto")],
        table,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let html = a.text();
    assert_eq!(
        (
            figure(&html, "read"),
            figure(&html, "applied"),
            figure(&html, "rejected")
        ),
        ("6".into(), "2".into(), "4".into())
    );
    assert_eq!(
        quarantine(&state, &html).await,
        vec![
            (4, "unknown_bank".into()),
            (5, "bad_amount".into()),
            (6, "unit_outside_area".into()),
            (7, "duplicate_in_file".into()),
        ]
    );
    let entries = |state: AppState| async move {
        let mut e: Vec<_> = state
            .store
            .bank_figures()
            .entries(&Scope::platform(), 202601, 202612)
            .await
            .unwrap()
            .into_iter()
            .map(|e| {
                (
                    e.unit_code,
                    e.bank_code,
                    e.month,
                    e.counts.dissuaded,
                    e.counts.dissuaded_fen,
                    e.counts.awareness_sms,
                    e.counts.awareness_calls,
                )
            })
            .collect();
        e.sort();
        e
    };
    assert_eq!(
        entries(state.clone()).await,
        vec![
            (
                COUNTY.into(),
                "ICBC".into(),
                202602,
                14,
                86_500_000,
                9_000,
                0
            ),
            (TOWNSHIP.into(), "CCB".into(), 202602, 3, 1_200_000, 0, 40),
        ]
    );
    assert!(html.contains(r#"id="bf-entries""#), "the page answers");

    // The liaison (ICBC): a file without a bank column is its own bank's; another bank's row
    // is refused whatever the form says.
    let own = "单位代码,月份,劝阻群众,劝阻涉及金额\n330281,2026-01,5,\"12,000.50\"\n";
    let a = upload(
        &state,
        Role::BankLiaison,
        "/bank-figures/import",
        &[("bank_code", "CCB")],
        own,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(figure(&a.text(), "applied"), "1");
    let theirs = "单位代码,银行,月份,劝阻群众\n330281,农业银行,2026-01,5\n";
    let a = upload(
        &state,
        Role::BankLiaison,
        "/bank-figures/import",
        &[],
        theirs,
    )
    .await;
    assert_eq!(
        quarantine(&state, &a.text()).await,
        vec![(2, "not_own_bank".into())]
    );
    // The police without a bank column and no bank chosen: nothing to enter by.
    let a = upload(
        &state,
        Role::CenterAnalyst,
        "/bank-figures/import",
        &[],
        own,
    )
    .await;
    assert_eq!(
        quarantine(&state, &a.text()).await,
        vec![(2, "no_bank".into())]
    );
    let e = entries(state.clone()).await;
    assert_eq!(e.len(), 3);
    assert!(e.contains(&(COUNTY.into(), "ICBC".into(), 202601, 5, 1_200_050, 0, 0)));
    // Not a figure-entering role: refused.
    let a = upload(&state, Role::Leader, "/bank-figures/import", &[], own).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
}
