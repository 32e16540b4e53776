//! 分类研判组, on SQLite and PostgreSQL: the center's analyst sets up a group (audited), sees
//! it among 我的研判组 with its figures; its page lists its cases (masked) and the warnings of
//! its types waiting for 二次研判; the `group` filter restricts the case list and the queue to
//! its types; a second group may not take a type already covered; a change moves the filter;
//! deactivation frees the types. Roles without the permission are refused; another county
//! sees none of it; who may not open cases sees them unlinked.

use crate::support::{send_as, unit, FixedClock};
use chrono::DateTime;
use fanzha_store::testing::TestDb as Db;
use fanzha_store::{NewCase, NewPerson, NewUser, PageRequest, Role, Scope, UnitLevel};
use fanzha_web::AppState;
use fanzha_workflow::{IncomingWarning, WarningLevel};
use std::sync::Arc;

fanzha_store::on_both_backends! {
    a_group_is_set_up_audited_and_its_filter_restricts_cases_and_the_queue,
    only_allowed_roles_reach_the_groups_and_another_county_sees_none,
}

const CITY: &str = "3302";
const COUNTY: &str = "330281";
const VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";
const OTHER_VILLAGE: &str = "330282001001";

fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-10T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

fn login(role: Role, unit: &str) -> String {
    format!("{}_{unit}", role.as_str())
}

/// The city with two counties; the city's analyst and commander as users; cases AG1 (刷单返利),
/// AG2 (虚假网络贷款) in 余姚 and AG3 (刷单返利, by its Chinese name) in 慈溪; an orange warning
/// of each of 刷单返利 and 虚假网络贷款 waiting for 二次研判.
async fn world(db: &Db) -> (AppState, [String; 2]) {
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
    for role in [Role::CenterAnalyst, Role::UnitCommander] {
        store
            .users()
            .upsert(&NewUser {
                login: login(role, CITY),
                display_name: format!("{}民警", role.as_str()),
                unit_code: CITY.into(),
                roles: vec![role],
                joint_member: None,
                bank_code: None,
                operator: None,
                password_hash: None,
            })
            .await
            .unwrap();
    }
    for (id, village, fraud_type) in [
        ("AG1", VILLAGE, "order_brushing"),
        ("AG2", VILLAGE, "fake_loan"),
        ("AG3", OTHER_VILLAGE, "刷单返利"),
    ] {
        store
            .cases()
            .create(&NewCase {
                id: id.into(),
                victim_name: Some(format!("受害人{id}")),
                unit_code: village.into(),
                reported_at: t0() - 86_400_000,
                loss_fen: 100_000,
                narrative: "诱导转账".into(),
                fraud_type: Some(fraud_type.into()),
                top_terms: serde_json::json!([]),
                source: "form".into(),
                named: serde_json::json!({}),
                created_by: "setup".into(),
                created_at: t0(),
                ..NewCase::default()
            })
            .await
            .unwrap();
    }
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(t0()));
    let mut instructions = Vec::new();
    for (n, fraud_type) in [(1, "order_brushing"), (2, "fake_loan")] {
        let rid = format!("33028119900102{n:04}");
        state
            .store
            .people()
            .upsert(&[NewPerson {
                resident_id: rid.clone(),
                name: format!("居民甲{n}"),
                phone: None,
                residence_code: VILLAGE.into(),
                address: None,
                employer: None,
                public_sector: false,
                app_registered: false,
                joint_defense_registered: false,
            }])
            .await
            .unwrap();
        let r = state
            .loop_service
            .receive(
                IncomingWarning {
                    id: None,
                    resident_id: Some(rid),
                    msisdn: None,
                    residence_code: None,
                    level: WarningLevel::Orange,
                    fraud_type: Some(fraud_type.into()),
                    score_permille: 700,
                    source: "engine".into(),
                    signal_at: t0(),
                    evidence: serde_json::json!({}),
                },
                t0(),
            )
            .await
            .unwrap();
        instructions.push(r.instruction_id);
    }
    let [a, b]: [String; 2] = instructions.try_into().unwrap();
    (state, [a, b])
}

async fn audits(state: &AppState, action: &str) -> usize {
    state
        .store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(500))
        .await
        .unwrap()
        .items
        .iter()
        .filter(|e| e.action == action)
        .count()
}

async fn a_group_is_set_up_audited_and_its_filter_restricts_cases_and_the_queue(db: &Db) {
    let (state, [brushing, loan]) = world(db).await;
    let analyst = Role::CenterAnalyst;
    let get = |path: &str| {
        let path = path.to_string();
        let state = state.clone();
        async move { send_as(&state, analyst, CITY, t0(), ("GET", &path, "")).await }
    };
    let commander = login(Role::UnitCommander, CITY);
    let created = send_as(
        &state,
        analyst,
        CITY,
        t0(),
        (
            "POST",
            "/analysis-groups",
            &format!(
                "unit_code={CITY}&name=%E5%88%B7%E5%8D%95%E8%BF%94%E5%88%A9%E7%A0%94%E5%88%A4%E7%BB%84&types=order_brushing&types=fake_shopping&lead=&members={commander}"
            ),
        ),
    )
    .await;
    assert!(
        created.status.is_redirection(),
        "{} {}",
        created.status,
        created.text()
    );
    let id: i64 = created
        .location
        .strip_prefix("/analysis-groups/")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(audits(&state, "analysis_group_created").await, 1);
    let g = state
        .store
        .analysis_groups()
        .get(&Scope::platform(), id)
        .await
        .unwrap();
    assert_eq!(
        g.lead,
        login(analyst, CITY),
        "an empty lead is the one setting it up"
    );
    assert!(g.has_member(&commander));

    // The export: one row per group with the period's figures.
    let csv = get("/analysis-groups?days=7&format=csv").await;
    assert_eq!(csv.status, 200);
    let text = csv.text();
    assert!(text.contains("刷单返利研判组"), "{text}");
    let row = text.lines().find(|l| l.contains("刷单返利研判组")).unwrap();
    assert!(row.contains(",2,"), "two cases in the row: {row}");
    assert_eq!(
        get("/analysis-groups?format=xlsx").await.status,
        200,
        "the workbook"
    );

    // The list: the group with its figures, among 我的研判组.
    let list = get("/analysis-groups?days=7").await;
    assert_eq!(list.status, 200);
    let html = list.text();
    assert!(html.contains("刷单返利研判组"), "{html}");
    assert!(html.contains("id=\"ag-mine\""), "my groups are shown");
    assert!(html.contains(&format!("<tr data-group=\"{id}\" class=\"mine\"")));
    // 7 days: AG1 and AG3 (刷单返利), not AG2; one warning waiting.
    assert!(
        html.contains("<td data-figure=\"cases\"><a href=\"/cases?group="),
        "{html}"
    );
    assert!(html.contains("\">2</a></td>"), "two cases counted: {html}");
    let page = get(&format!("/analysis-groups/{id}")).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("data-case-id=\"AG1\"") && html.contains("data-case-id=\"AG3\""));
    assert!(
        !html.contains("data-case-id=\"AG2\""),
        "another type's case is not the group's"
    );
    assert!(
        html.contains("href=\"/cases/AG1\""),
        "an analyst may open cases"
    );
    assert!(!html.contains("受害人AG1"), "victims are masked");
    assert!(html.contains(&format!("data-instruction=\"{brushing}\"")));
    assert!(!html.contains(&format!("data-instruction=\"{loan}\"")));
    assert!(html.contains("data-figure=\"pending\">1<"), "{html}");

    // The filters: the case list and the queue hold the group's types only.
    let all = get("/cases").await.text();
    assert!(all.contains("data-case-id=\"AG2\""));
    let cases = get(&format!("/cases?group={id}")).await;
    assert_eq!(cases.status, 200);
    let html = cases.text();
    assert!(html.contains("data-case-id=\"AG1\"") && html.contains("data-case-id=\"AG3\""));
    assert!(!html.contains("data-case-id=\"AG2\""), "{html}");
    let narrowed = get(&format!("/cases?group={id}&fraud_type=fake_loan"))
        .await
        .text();
    assert!(
        !narrowed.contains("data-case-id=\"AG"),
        "a type outside the group matches nothing"
    );
    let queue = get(&format!("/instructions?tab=all&group={id}")).await;
    assert_eq!(queue.status, 200);
    let html = queue.text();
    assert!(html.contains(&brushing), "{html}");
    assert!(!html.contains(&loan), "{html}");
    // The warnings list: the group's types only, the group kept in the form and the links.
    let all_warnings = get("/warnings").await.text();
    assert!(all_warnings.contains(&brushing) && all_warnings.contains(&loan));
    let warnings = get(&format!("/warnings?group={id}")).await;
    assert_eq!(warnings.status, 200);
    let html = warnings.text();
    assert!(html.contains(&brushing), "{html}");
    assert!(!html.contains(&loan), "{html}");
    assert!(
        html.contains(&format!("<option value=\"{id}\" selected>")),
        "the group stays chosen: {html}"
    );
    assert!(html.contains(&format!("group={id}")), "the export keeps it");
    let narrowed = get(&format!("/warnings?group={id}&fraud_type=fake_loan"))
        .await
        .text();
    assert!(!narrowed.contains(&brushing) && !narrowed.contains(&loan));
    assert_eq!(
        get("/warnings?group=x").await.status,
        200,
        "a bad group is a message"
    );

    // A second group may not take a covered type; the error says what to do.
    let clash = send_as(
        &state,
        analyst,
        CITY,
        t0(),
        (
            "POST",
            "/analysis-groups",
            "name=%E8%B4%AD%E7%89%A9&types=fake_shopping&types=fake_loan",
        ),
    )
    .await;
    assert_eq!(clash.status, 409, "{}", clash.text());
    assert!(
        clash.text().contains("analysis_group_type_taken"),
        "{}",
        clash.text()
    );

    // A change moves the filter to the new types; the stale version is refused.
    let changed = send_as(
        &state,
        analyst,
        CITY,
        t0(),
        (
            "POST",
            &format!("/analysis-groups/{id}"),
            "name=%E8%B4%B7%E6%AC%BE%E7%BB%84&types=fake_loan&lead=&members=&version=1",
        ),
    )
    .await;
    assert!(changed.status.is_redirection(), "{}", changed.text());
    assert_eq!(audits(&state, "analysis_group_updated").await, 1);
    let html = get(&format!("/cases?group={id}")).await.text();
    assert!(html.contains("data-case-id=\"AG2\"") && !html.contains("data-case-id=\"AG1\""));
    let html = get(&format!("/instructions?tab=all&group={id}"))
        .await
        .text();
    assert!(html.contains(&loan) && !html.contains(&brushing));
    let stale = send_as(
        &state,
        analyst,
        CITY,
        t0(),
        (
            "POST",
            &format!("/analysis-groups/{id}"),
            "name=x&types=fake_loan&version=1",
        ),
    )
    .await;
    assert_eq!(stale.status, 409);

    // Deactivated: gone from the list, its type free again.
    let off = send_as(
        &state,
        analyst,
        CITY,
        t0(),
        (
            "POST",
            &format!("/analysis-groups/{id}/deactivate"),
            "version=2",
        ),
    )
    .await;
    assert!(off.status.is_redirection(), "{}", off.text());
    assert_eq!(audits(&state, "analysis_group_deactivated").await, 1);
    assert!(!get("/analysis-groups")
        .await
        .text()
        .contains(&format!("data-group=\"{id}\"")));
    let again = send_as(
        &state,
        analyst,
        CITY,
        t0(),
        (
            "POST",
            "/analysis-groups",
            "name=%E6%96%B0%E7%BB%84&types=fake_loan",
        ),
    )
    .await;
    assert!(again.status.is_redirection(), "{}", again.text());
}

async fn only_allowed_roles_reach_the_groups_and_another_county_sees_none(db: &Db) {
    let (state, _) = world(db).await;
    let g = state
        .store
        .analysis_groups()
        .create(
            &Scope::platform(),
            &fanzha_store::NewAnalysisGroup {
                unit_code: CITY.into(),
                name: "刷单返利研判组".into(),
                fraud_types: vec![fanzha_core::FraudType::OrderBrushing],
                lead: login(Role::CenterAnalyst, CITY),
                members: vec![],
                by: "setup".into(),
                at: t0(),
            },
        )
        .await
        .unwrap();
    let page = format!("/analysis-groups/{}", g.id);
    for role in [Role::GridWorker, Role::BankLiaison, Role::OperatorLiaison] {
        for path in ["/analysis-groups", page.as_str()] {
            let a = send_as(&state, role, CITY, t0(), ("GET", path, "")).await;
            assert_eq!(a.status, 403, "{role:?} {path}");
        }
    }
    for role in [Role::UnitCommander, Role::Leader, Role::GridWorker] {
        let a = send_as(
            &state,
            role,
            CITY,
            t0(),
            ("POST", "/analysis-groups", "name=x&types=fake_loan"),
        )
        .await;
        assert_eq!(a.status, 403, "{role:?} may not set up groups");
        let a = send_as(
            &state,
            role,
            CITY,
            t0(),
            ("POST", &format!("{page}/deactivate"), "version=1"),
        )
        .await;
        assert_eq!(a.status, 403, "{role:?} may not deactivate groups");
    }
    // Leaders and commanders read; the page's cases link only for those who may open cases.
    for role in [Role::Leader, Role::UnitCommander, Role::Admin] {
        let a = send_as(&state, role, CITY, t0(), ("GET", &page, "")).await;
        assert_eq!(a.status, 200, "{role:?}");
        let html = a.text();
        assert!(html.contains("data-case-id=\"AG1\""), "{role:?}");
        assert_eq!(
            html.contains("href=\"/cases/AG1\""),
            role != Role::Admin,
            "{role:?}: a case links only for those who may open it"
        );
        assert_eq!(html.contains("id=\"update-group\""), role == Role::Admin);
    }
    // Another county: the city's group is not theirs.
    let a = send_as(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        t0(),
        ("GET", &page, ""),
    )
    .await;
    assert_eq!(a.status, 404);
    let a = send_as(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        t0(),
        ("GET", "/analysis-groups", ""),
    )
    .await;
    assert_eq!(a.status, 200);
    assert!(!a.text().contains("刷单返利研判组"));
    let a = send_as(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        t0(),
        ("GET", &format!("/cases?group={}", g.id), ""),
    )
    .await;
    assert_eq!(a.status, 404);
    let a = send_as(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        t0(),
        ("GET", &format!("/warnings?group={}", g.id), ""),
    )
    .await;
    assert_eq!(a.status, 404, "another area's group on the warnings list");
    // An analyst of another county cannot set up a group at the city.
    let a = send_as(
        &state,
        Role::CenterAnalyst,
        OTHER_COUNTY,
        t0(),
        (
            "POST",
            "/analysis-groups",
            &format!("unit_code={CITY}&name=x&types=fake_loan"),
        ),
    )
    .await;
    assert_eq!(a.status, 404);
}
