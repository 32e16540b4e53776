//! 存量卡清理, on SQLite and PostgreSQL: the county's analyst sees who would be asked about
//! (a punished resident with accounts at two banks; another county's punished resident is not
//! theirs), asks the banks, and a second run asks nothing new; ICBC's liaison sees only its
//! bank's request, reads the holder and the accounts in full (audited), answers with figures
//! that must agree with the outcome, once; the analyst's figures, list (holder masked) and
//! exports count it, and the analyst withdraws the other bank's request. Another county sees
//! nothing; a leader reads the figures only; grid workers and operator liaisons are refused.

use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::{
    KeyPersonCategory, KeyPersonMeasure, NewAccount, NewKeyPerson, NewPerson, PageRequest,
    PunishmentKind, Role, Scope, UnitLevel,
};
use fanzha_web::AppState;
use std::sync::Arc;

use crate::support::{send_as, unit, Answer, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    the_county_asks_the_banks_and_icbc_answers,
    icbc_answers_its_work_list_in_one_file,
    the_banks_desk_counts_what_waits_for_it,
    a_banks_system_pulls_and_answers_through_the_api,
}

const COUNTY: &str = "330281";
const VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";
const OTHER_VILLAGE: &str = "330282001001";
const HOLDER: &str = "330281198001010019";
const OTHER_HOLDER: &str = "330282198001010023";
const ICBC_1: &str = "6222020000000000011";
const ICBC_2: &str = "6222020000000000029";
const CCB_1: &str = "6217000000000000031";

/// 2026-03-10 10:30 in Shanghai.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-10T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

fn person(resident_id: &str, name: &str, village: &str) -> NewPerson {
    NewPerson {
        resident_id: resident_id.into(),
        name: name.into(),
        phone: None,
        residence_code: village.into(),
        address: None,
        employer: None,
        public_sector: false,
        app_registered: false,
        joint_defense_registered: false,
    }
}

fn account(no: &str, bank: &str, name: &str, holder: &str) -> NewAccount {
    NewAccount {
        account_no: no.into(),
        bank_code: Some(bank.into()),
        bank_name: Some(name.into()),
        card_type: None,
        holder_resident_id: Some(holder.into()),
        holder_name: None,
        opened_at: Some(t0() - 500 * 86_400_000),
        opened_where: Some("余姚城东支行".into()),
    }
}

async fn world(db: &Db) -> AppState {
    let store = db.open().await;
    use UnitLevel::*;
    store
        .units()
        .upsert(&[
            unit("3302", "宁波市", City, None),
            unit(COUNTY, "余姚市", County, Some("3302")),
            unit("330281001", "阳明街道", Township, Some(COUNTY)),
            unit(VILLAGE, "舜水社区", Village, Some("330281001")),
            unit(OTHER_COUNTY, "慈溪市", County, Some("3302")),
            unit("330282001", "浒山街道", Township, Some(OTHER_COUNTY)),
            unit(OTHER_VILLAGE, "虞波社区", Village, Some("330282001")),
        ])
        .await
        .unwrap();
    store
        .people()
        .upsert(&[
            person(HOLDER, "王小明", VILLAGE),
            person(OTHER_HOLDER, "李大力", OTHER_VILLAGE),
        ])
        .await
        .unwrap();
    store
        .accounts()
        .upsert(&[
            account(ICBC_1, "ICBC", "中国工商银行", HOLDER),
            account(ICBC_2, "ICBC", "中国工商银行", HOLDER),
            account(CCB_1, "CCB", "中国建设银行", HOLDER),
            account("6222020000000000037", "ICBC", "中国工商银行", OTHER_HOLDER),
        ])
        .await
        .unwrap();
    let city = Scope::platform();
    for holder in [HOLDER, OTHER_HOLDER] {
        let (kp, _) = store
            .key_persons()
            .create(
                &city,
                &NewKeyPerson {
                    resident_id: holder.into(),
                    category: KeyPersonCategory::TwoCards,
                    reason: "出售银行卡".into(),
                    source: "form".into(),
                    created_by: "analyst".into(),
                    at: t0() - 30 * 86_400_000,
                },
            )
            .await
            .unwrap();
        store
            .key_persons()
            .add_event(
                &city,
                kp,
                &KeyPersonMeasure::Punishment {
                    kind: PunishmentKind::Financial,
                    from: t0() - 20 * 86_400_000,
                    until: None,
                },
                "analyst",
                t0() - 20 * 86_400_000,
            )
            .await
            .unwrap();
    }
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(t0()));
    state
}

async fn send(
    state: &AppState,
    role: Role,
    unit: &str,
    method: &str,
    path: &str,
    form: &str,
) -> Answer {
    send_as(state, role, unit, t0(), (method, path, form)).await
}

/// The `data-figure` tile's text.
fn figure(page: &str, name: &str) -> String {
    let key = format!("data-figure=\"{name}\">");
    let at = page
        .find(&key)
        .unwrap_or_else(|| panic!("no figure {name}"));
    let rest = &page[at + key.len()..];
    rest[..rest.find('<').unwrap()].to_string()
}

async fn audited(state: &AppState, action: &str) -> usize {
    state
        .store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(200))
        .await
        .unwrap()
        .items
        .iter()
        .filter(|e| e.action == action)
        .count()
}

/// The ids of the requests listed on a page.
fn listed(page: &str) -> Vec<i64> {
    page.split("data-request=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
        .collect()
}

async fn the_county_asks_the_banks_and_icbc_answers(db: &Db) {
    let state = world(db).await;
    let (analyst, icbc) = (Role::CenterAnalyst, Role::BankLiaison);
    // Who would be asked about: the county's punished resident at both banks.
    let page = send(&state, analyst, COUNTY, "GET", "/card-cleanups", "").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let body = page.text();
    assert!(body.contains("data-candidates>2<"), "{body}");
    assert!(body.contains("data-bank=\"ICBC\"") && body.contains("data-bank=\"CCB\""));
    assert_eq!(figure(&body, "requested"), "0");

    let g = send(
        &state,
        analyst,
        COUNTY,
        "POST",
        "/card-cleanups/generate",
        "note=%E9%99%90%E5%88%B6%E9%9D%9E%E6%9F%9C%E9%9D%A2",
    )
    .await;
    assert_eq!(g.status, StatusCode::SEE_OTHER, "{}", g.text());
    assert_eq!(g.location, "/card-cleanups?generated=2,1,2");
    let after = send(&state, analyst, COUNTY, "GET", &g.location, "").await;
    let body = after.text();
    assert!(body.contains("已向2家银行发出2条清理核查（1人）"), "{body}");
    assert!(body.contains("data-candidates>0<"));
    assert_eq!(figure(&body, "requested"), "2");
    assert_eq!(audited(&state, "card_cleanup_requested").await, 2);
    // Asked already: a second run asks nothing new.
    let again = send(
        &state,
        analyst,
        COUNTY,
        "POST",
        "/card-cleanups/generate",
        "",
    )
    .await;
    assert_eq!(again.location, "/card-cleanups?generated=0,0,0");
    let bad = send(
        &state,
        analyst,
        COUNTY,
        "POST",
        "/card-cleanups/generate",
        "reason=everyone",
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // ICBC's liaison sees its own bank's request only, the holder masked in the list.
    let list = send(&state, icbc, "3302", "GET", "/card-cleanups", "").await;
    assert_eq!(list.status, StatusCode::OK);
    let body = list.text();
    let ids = listed(&body);
    assert_eq!(ids.len(), 1, "{body}");
    let icbc_id = ids[0];
    assert!(!body.contains(HOLDER) && !body.contains("王小明"));
    assert!(body.contains("王*明") || body.contains("王**"), "{body}");
    assert!(!body.contains("id=\"generate\""), "liaisons do not ask");
    let all = send(&state, analyst, COUNTY, "GET", "/card-cleanups", "").await;
    let both = listed(&all.text());
    assert_eq!(both.len(), 2);
    let ccb_id = *both.iter().find(|id| **id != icbc_id).unwrap();
    let other_bank = send(
        &state,
        icbc,
        "3302",
        "GET",
        &format!("/card-cleanups/{ccb_id}"),
        "",
    )
    .await;
    assert_eq!(other_bank.status, StatusCode::NOT_FOUND);

    // On the request's page, the holder and the accounts in full, audited.
    let detail = send(
        &state,
        icbc,
        "3302",
        "GET",
        &format!("/card-cleanups/{icbc_id}"),
        "",
    )
    .await;
    assert_eq!(detail.status, StatusCode::OK);
    let body = detail.text();
    assert!(body.contains(HOLDER) && body.contains("王小明"));
    assert!(body.contains(ICBC_1) && body.contains(ICBC_2) && !body.contains(CCB_1));
    assert!(body.contains("id=\"answer-cleanup\"") && !body.contains("id=\"withdraw-cleanup\""));
    assert!(body.contains("限制非柜面"), "the police's note: {body}");
    assert_eq!(audited(&state, "card_cleanup_holder_viewed").await, 1);

    // The answer's figures must agree with its outcome; counts are whole numbers.
    let answer = |form: &'static str| {
        let state = state.clone();
        async move {
            send(
                &state,
                icbc,
                "3302",
                "POST",
                &format!("/card-cleanups/{icbc_id}/answer"),
                form,
            )
            .await
        }
    };
    assert_eq!(
        answer("version=1&outcome=cleaned&accounts_found=2")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        answer("version=1&outcome=cleaned&accounts_found=two")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        answer("version=1&outcome=burned").await.status,
        StatusCode::BAD_REQUEST
    );
    let done = answer(
        "version=1&outcome=cleaned&accounts_found=3&accounts_closed=1&accounts_restricted=2\
         &note=%E5%B7%B2%E9%94%80%E6%88%B7",
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    assert_eq!(
        answer("version=1&outcome=no_accounts").await.status,
        StatusCode::CONFLICT
    );

    // The analyst: figures, list, exports; the page in full (audited) without the form.
    let list = send(&state, analyst, COUNTY, "GET", "/card-cleanups", "").await;
    let body = list.text();
    assert_eq!(figure(&body, "answered"), "1");
    assert_eq!(figure(&body, "on_time_rate"), "100.0%");
    assert_eq!(figure(&body, "accounts_closed"), "1");
    assert_eq!(figure(&body, "accounts_restricted"), "2");
    assert_eq!(figure(&body, "pending"), "1");
    assert!(!body.contains(HOLDER));
    let csv = send(
        &state,
        analyst,
        COUNTY,
        "GET",
        "/card-cleanups?format=csv",
        "",
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.text();
    assert!(
        text.contains("中国工商银行") && text.contains("3 / 1 / 2"),
        "{text}"
    );
    assert!(!text.contains(HOLDER) && !text.contains("王小明"));
    let banks = send(
        &state,
        analyst,
        COUNTY,
        "GET",
        "/card-cleanups?format=csv&section=banks",
        "",
    )
    .await;
    assert!(
        banks.text().contains("中国工商银行,1,1,100.0%,0,0,1,0,1,2"),
        "{}",
        banks.text()
    );
    let xlsx = send(
        &state,
        analyst,
        COUNTY,
        "GET",
        "/card-cleanups?format=xlsx",
        "",
    )
    .await;
    assert!(xlsx.body.starts_with(b"PK"));
    let filtered = send(
        &state,
        analyst,
        COUNTY,
        "GET",
        "/card-cleanups?state=pending&bank=CCB",
        "",
    )
    .await;
    assert_eq!(listed(&filtered.text()), vec![ccb_id]);
    let page = send(
        &state,
        analyst,
        COUNTY,
        "GET",
        &format!("/card-cleanups/{icbc_id}"),
        "",
    )
    .await;
    let body = page.text();
    assert!(body.contains(HOLDER) && body.contains("data-on-time"));
    assert!(!body.contains("id=\"answer-cleanup\""));
    assert!(
        body.contains(&format!("href=\"/card-cleanups/{ccb_id}\"")),
        "the holder's other request"
    );
    assert_eq!(audited(&state, "card_cleanup_holder_viewed").await, 2);

    // The holder's dossier lists the requests about them with the banks' answers.
    let dossier = state
        .store
        .key_persons()
        .list(
            &Scope::platform(),
            &fanzha_store::KeyPersonFilter {
                resident_id: Some(HOLDER.into()),
                ..Default::default()
            },
            &PageRequest::first(5),
            t0(),
        )
        .await
        .unwrap()
        .items[0]
        .id;
    let page = send(
        &state,
        analyst,
        COUNTY,
        "GET",
        &format!("/key-persons/{dossier}"),
        "",
    )
    .await;
    let body = page.text();
    let row = body
        .split(&format!("data-cleanup=\"{icbc_id}\""))
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .unwrap_or_else(|| panic!("the request on the dossier: {body}"));
    assert!(
        row.contains("data-state=\"answered\"") && row.contains("3 / 1 / 2"),
        "{row}"
    );
    assert!(body.contains(&format!("data-cleanup=\"{ccb_id}\"")));

    // The analyst withdraws the CCB request, saying why.
    let w = send(
        &state,
        analyst,
        COUNTY,
        "POST",
        &format!("/card-cleanups/{ccb_id}/withdraw"),
        "version=1&note=%E5%B7%B2%E8%BF%81%E5%87%BA",
    )
    .await;
    assert_eq!(w.status, StatusCode::SEE_OTHER, "{}", w.text());
    assert_eq!(audited(&state, "card_cleanup_withdrawn").await, 1);
    assert_eq!(audited(&state, "card_cleanup_answered").await, 1);

    // The statistics of the period count it: tiles, the export's figures and the brief.
    let stats = send(&state, analyst, COUNTY, "GET", "/statistics", "").await;
    let body = stats.text();
    assert!(body.contains("data-stat=\"cc-answered\">1/2<"), "{body}");
    assert!(body.contains("data-stat=\"cc-on-time-rate\">100.00%<"));
    assert!(body.contains("data-stat=\"cc-accounts-cleaned\">3<"));
    let brief = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=month&view=brief",
        "",
    )
    .await;
    assert!(
        brief.text().contains("存量卡清理：向银行发出核查2条，已反馈1条，按时反馈率100.00%，清理账户3个（销户1个、限制非柜面2个），超时未反馈0条。"),
        "{}",
        brief.text()
    );
    let figures = send(
        &state,
        analyst,
        COUNTY,
        "GET",
        "/statistics?format=csv&section=figures",
        "",
    )
    .await;
    assert!(
        figures.text().contains("限制非柜面数,2"),
        "{}",
        figures.text()
    );

    // Another county sees none of it; its own resident is its to ask about.
    let other = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "GET",
        "/card-cleanups",
        "",
    )
    .await;
    let body = other.text();
    assert!(listed(&body).is_empty());
    assert!(body.contains("data-candidates>1<"), "{body}");
    let not_theirs = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "GET",
        &format!("/card-cleanups/{icbc_id}"),
        "",
    )
    .await;
    assert_eq!(not_theirs.status, StatusCode::NOT_FOUND);
    // Leaders read the figures, not the list; grid workers and operators are refused.
    let leader = send(&state, Role::Leader, COUNTY, "GET", "/card-cleanups", "").await;
    assert_eq!(leader.status, StatusCode::OK);
    assert!(listed(&leader.text()).is_empty());
    assert_eq!(figure(&leader.text(), "requested"), "2");
    assert_eq!(
        send(
            &state,
            Role::Leader,
            COUNTY,
            "GET",
            &format!("/card-cleanups/{icbc_id}"),
            ""
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    for role in [Role::GridWorker, Role::OperatorLiaison] {
        assert_eq!(
            send(&state, role, COUNTY, "GET", "/card-cleanups", "")
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }

    // A new card of the holder's arrives later: its page shows the requests about the holder.
    let list = "卡号,户名,证件号码,开户日期\n6222020000000000059,王小明,330281198001010019,2026-03-09 10:00\n";
    let (content_type, body) =
        crate::support::multipart(&[], ("icbc-new-cards.csv", list.as_bytes()));
    let up = crate::support::send_body(
        &state,
        icbc,
        "3302",
        t0(),
        ("POST", "/card-screening/import"),
        (content_type, body),
    )
    .await;
    assert!(up.text().contains("data-received>1<"), "{}", up.text());
    let card = state
        .store
        .new_cards()
        .list(
            &fanzha_store::Viewer::Police(Scope::platform()),
            &fanzha_store::CardFilter::default(),
            &PageRequest::first(5),
        )
        .await
        .unwrap()
        .items[0]
        .id;
    let card_page = send(
        &state,
        analyst,
        COUNTY,
        "GET",
        &format!("/card-screening/{card}"),
        "",
    )
    .await;
    assert!(
        card_page.text().contains(&format!(
            "data-cleanup=\"{icbc_id}\" data-state=\"answered\""
        )),
        "{}",
        card_page.text()
    );
}

/// ICBC's liaison downloads the work list (the holder and accounts in full, audited), fills it
/// in and uploads it: the good rows are answered as the page answers, the others come back by
/// line and reason; another bank's request is not found, an answered one not pending.
async fn icbc_answers_its_work_list_in_one_file(db: &Db) {
    let state = world(db).await;
    let (analyst, icbc) = (Role::CenterAnalyst, Role::BankLiaison);
    let g = send(
        &state,
        analyst,
        "3302",
        "POST",
        "/card-cleanups/generate",
        "",
    )
    .await;
    assert_eq!(g.location, "/card-cleanups?generated=3,2,2");
    let all = send(&state, analyst, "3302", "GET", "/card-cleanups", "").await;
    let ids = listed(&all.text());
    assert_eq!(ids.len(), 3);
    let list = send(&state, icbc, "3302", "GET", "/card-cleanups", "").await;
    let mine = listed(&list.text());
    assert_eq!(mine.len(), 2, "ICBC: the two holders");
    assert!(list.text().contains("id=\"import-answers\""));
    let ccb = *ids.iter().find(|id| !mine.contains(id)).unwrap();

    let csv = send(
        &state,
        icbc,
        "3302",
        "GET",
        "/card-cleanups/worklist?format=csv",
        "",
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.text();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert_eq!(
        lines.next().unwrap(),
        "编号,持卡人,证件号码,核查事由,已知账户,申请时间,反馈时限,核查结果,查见账户数,销户数,限制非柜面数,说明"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(
        text.contains(HOLDER) && text.contains(&format!("{ICBC_1} {ICBC_2}")),
        "{text}"
    );
    assert!(!text.contains(CCB_1));
    assert_eq!(audited(&state, "card_cleanup_worklist_exported").await, 1);
    let xlsx = send(&state, icbc, "3302", "GET", "/card-cleanups/worklist", "").await;
    assert!(xlsx.body.starts_with(b"PK"), "XLSX by default");
    // Police do not download the bank's work list.
    assert_eq!(
        send(
            &state,
            analyst,
            "3302",
            "GET",
            "/card-cleanups/worklist",
            ""
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    // The file: the first request with figures that disagree, the CCB request, a cell that is
    // no number, the second request answered.
    let (first, second) = (mine[0], mine[1]);
    let upload = |file: String| {
        let state = state.clone();
        async move {
            let (content_type, body) =
                crate::support::multipart(&[("format", "csv")], ("工行反馈.csv", file.as_bytes()));
            crate::support::send_body(
                &state,
                icbc,
                "3302",
                t0(),
                ("POST", "/card-cleanups/answers"),
                (content_type, body),
            )
            .await
        }
    };
    let rejected = |page: &str, line: u32, column: &str, reason: &str| {
        let row = format!("data-line=\"{line}\"><td>{line}</td><td data-column=\"{column}\">");
        let at = page
            .find(&row)
            .unwrap_or_else(|| panic!("line {line}: {page}"));
        let rest = &page[at..];
        assert!(
            rest[..rest.find("</tr>").unwrap()].contains(&format!("data-reason=\"{reason}\"")),
            "line {line}: {reason}"
        );
    };
    let up = upload(format!(
        "编号,持卡人,核查结果,查见账户数,销户数,限制非柜面数,说明\n\
         {first},王小明,已清理,1,0,0,\n\
         {ccb},王小明,本行无账户,,,,\n\
         abc,某,已清理,1,1,0,\n\
         {second},李大力,已销户,1,1,0,已销户\n"
    ))
    .await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.text());
    let page = up.text();
    assert!(page.contains("data-applied>1<"), "{page}");
    rejected(&page, 2, "accounts_closed", "invalid_value");
    rejected(&page, 3, "id", "request_not_found");
    rejected(&page, 4, "id", "bad_request_id");
    // The same answer again: answered already.
    let again = upload(format!(
        "编号,核查结果,销户数,查见账户数\n{second},已清理,1,1\n"
    ))
    .await;
    assert!(again.text().contains("data-applied>0<"));
    rejected(&again.text(), 2, "id", "request_not_pending");
    // The good row is answered as the page answers it; the quarantine is kept with the run.
    let second_page = send(
        &state,
        icbc,
        "3302",
        "GET",
        &format!("/card-cleanups/{second}"),
        "",
    )
    .await;
    assert!(second_page.text().contains("data-state=\"answered\""));
    assert!(second_page.text().contains("1 / 1 / 0"));
    assert_eq!(audited(&state, "card_cleanup_answered").await, 1);
    let runs = state
        .store
        .imports()
        .list(&PageRequest::first(10))
        .await
        .unwrap();
    let counts: Vec<(i64, i64, i64)> = runs
        .items
        .iter()
        .filter(|r| r.kind == "card_cleanup_answers")
        .map(|r| (r.counts.read, r.counts.accepted, r.counts.quarantined))
        .collect();
    assert_eq!(counts, vec![(1, 0, 1), (4, 1, 3)], "newest first");
}

/// ICBC's liaison lands on the bank's desk: the cleanup requests and the stop-payment waiting for
/// ICBC (not CCB's), and — a week and a day later — all of them overdue; no new-card list has
/// come today.
async fn the_banks_desk_counts_what_waits_for_it(db: &Db) {
    let mut state = world(db).await;
    let g = send(
        &state,
        Role::CenterAnalyst,
        "3302",
        "POST",
        "/card-cleanups/generate",
        "",
    )
    .await;
    assert_eq!(g.location, "/card-cleanups?generated=3,2,2");
    // A case whose stop-payment waits for ICBC, due in 30 minutes; and one for CCB.
    state
        .store
        .cases()
        .create(&fanzha_store::NewCase {
            id: "AJ-DESK".into(),
            unit_code: VILLAGE.into(),
            reported_at: t0(),
            loss_fen: 100_000,
            narrative: "刷单".into(),
            top_terms: serde_json::json!([]),
            source: "form".into(),
            named: serde_json::json!({}),
            created_by: "t".into(),
            created_at: t0(),
            ..fanzha_store::NewCase::default()
        })
        .await
        .unwrap();
    let stop = |id: &str, account: &str, bank: &str| fanzha_store::NewStopPayment {
        id: id.into(),
        case_id: "AJ-DESK".into(),
        unit_code: VILLAGE.into(),
        account: account.into(),
        bank_code: Some(bank.into()),
        institution: serde_json::json!({"kind": "bank", "code": bank}),
        requested_fen: 50_000,
        requested_at: t0(),
        deadline: t0() + 1_800_000,
        detail: serde_json::json!({}),
        reason: None,
        requested_by: None,
    };
    state
        .store
        .stop_payments()
        .create_many(&[stop("ZF-1", ICBC_1, "ICBC"), stop("ZF-2", CCB_1, "CCB")])
        .await
        .unwrap();
    let tile = |page: &str, key: &str| -> (String, bool) {
        let at = page
            .find(&format!("data-desk=\"{key}\""))
            .unwrap_or_else(|| panic!("no {key}: {page}"));
        let rest = &page[at..];
        let rest = &rest[..rest.find("</a>").unwrap()];
        let n = rest
            .split("data-open>")
            .nth(1)
            .map(|s| s[..s.find('<').unwrap()].to_string());
        (n.unwrap_or_default(), rest.contains("data-overdue"))
    };
    let home = send(&state, Role::BankLiaison, "3302", "GET", "/", "").await;
    assert_eq!(home.status, StatusCode::OK);
    let body = home.text();
    assert_eq!(tile(&body, "desk_card_cleanups"), ("2".into(), false));
    assert_eq!(tile(&body, "desk_stop_payments"), ("1".into(), false));
    assert_eq!(tile(&body, "desk_supervision"), ("0".into(), false));
    assert!(body.contains("data-no-list-today"), "{body}");
    assert!(body.contains("href=\"/card-cleanups?state=pending\""));
    // Police land on the dashboard, not a desk.
    let police = send(&state, Role::CenterAnalyst, "3302", "GET", "/", "").await;
    assert_eq!(police.location, "/dashboard");
    // Eight days on, both are overdue.
    state.clock = Arc::new(FixedClock(t0() + 8 * 86_400_000));
    let later = send_as(
        &state,
        Role::BankLiaison,
        "3302",
        t0() + 8 * 86_400_000,
        ("GET", "/", ""),
    )
    .await;
    let body = later.text();
    let at = body.find("data-desk=\"desk_card_cleanups\"").unwrap();
    assert!(
        body[at..]
            .split("</a>")
            .next()
            .unwrap()
            .contains("已超时 2"),
        "{body}"
    );
}

/// A bank's system: ICBC pulls its pending requests with the holders and accounts in full
/// (audited), answers one at the version read (a stale version and bad figures refused), and
/// reads it answered; police read the same requests masked and may not reveal.
async fn a_banks_system_pulls_and_answers_through_the_api(db: &Db) {
    let state = world(db).await;
    let g = send(
        &state,
        Role::CenterAnalyst,
        "3302",
        "POST",
        "/card-cleanups/generate",
        "",
    )
    .await;
    assert_eq!(g.location, "/card-cleanups?generated=3,2,2");
    let json = |a: &Answer| -> serde_json::Value {
        serde_json::from_slice(&a.body).unwrap_or_else(|e| panic!("{e}: {}", a.text()))
    };
    let icbc = Role::BankLiaison;
    let pulled = send(
        &state,
        icbc,
        "3302",
        "GET",
        "/api/v1/card-cleanups?state=pending&reveal=true",
        "",
    )
    .await;
    assert_eq!(pulled.status, StatusCode::OK, "{}", pulled.text());
    let page = json(&pulled);
    assert_eq!(page["total"], 2);
    let items = page["items"].as_array().unwrap();
    let mine = items
        .iter()
        .find(|i| i["resident_id"] == HOLDER)
        .expect("the holder in full");
    assert_eq!(mine["bank_code"], "ICBC");
    assert_eq!(mine["accounts"], serde_json::json!([ICBC_1, ICBC_2]));
    assert_eq!(mine["reasons"], serde_json::json!(["punished"]));
    assert_eq!(audited(&state, "card_cleanup_worklist_exported").await, 1);
    let id = mine["id"].as_i64().unwrap();
    let answer = |body: &'static str| {
        let state = state.clone();
        async move {
            crate::support::send_body(
                &state,
                icbc,
                "3302",
                t0(),
                ("POST", &format!("/api/v1/card-cleanups/{id}/answer")),
                ("application/json", body.as_bytes().to_vec()),
            )
            .await
        }
    };
    assert_eq!(
        answer(r#"{"version":2,"outcome":"no_accounts"}"#)
            .await
            .status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        answer(r#"{"version":1,"outcome":"cleaned","accounts_found":2}"#)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        answer(r#"{"version":1,"outcome":"shredded"}"#).await.status,
        StatusCode::BAD_REQUEST
    );
    let done = answer(
        r#"{"version":1,"outcome":"cleaned","accounts_found":2,"accounts_closed":2,"note":"两户已销户"}"#,
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    let done = json(&done);
    assert_eq!(
        (
            done["state"].as_str(),
            done["outcome"].as_str(),
            done["version"].as_i64()
        ),
        (Some("answered"), Some("cleaned"), Some(2))
    );
    assert!(
        done["resident_id"].as_str().unwrap().contains('*'),
        "masked"
    );
    let answered = json(
        &send(
            &state,
            icbc,
            "3302",
            "GET",
            "/api/v1/card-cleanups?state=answered",
            "",
        )
        .await,
    );
    assert_eq!(answered["total"], 1);
    assert_eq!(answered["figures"]["accounts_closed"], 2);
    // Police: masked, all banks; no reveal.
    let police = json(
        &send(
            &state,
            Role::CenterAnalyst,
            "3302",
            "GET",
            "/api/v1/card-cleanups?bank=icbc",
            "",
        )
        .await,
    );
    assert_eq!(police["total"], 2);
    assert!(police["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["resident_id"].as_str().unwrap().contains('*') && i["accounts"].is_null()));
    let reveal = send(
        &state,
        Role::CenterAnalyst,
        "3302",
        "GET",
        "/api/v1/card-cleanups?reveal=true",
        "",
    )
    .await;
    assert_eq!(reveal.status, StatusCode::FORBIDDEN);
}
