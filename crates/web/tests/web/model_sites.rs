//! 反诈示范点 through the router: the county's townships checked against the criteria (cases
//! per 10,000, app registration of residents aged 16–60, awareness events) over the period; the
//! one meeting them awarded the title, shown standing, marked for review when stricter criteria
//! fail it, revoked with why; another county sees nothing; a leader reads without the forms.

use crate::support::{ok, send_as, valid_id, Answer, FixedClock};
use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::testing::TestDb as Db;
use fanzha_store::{
    NewCase, NewOutreach, NewPerson, NewUnit, OutreachAudience, OutreachKind, Role, Scope,
    UnitLevel,
};
use fanzha_web::AppState;
use std::sync::Arc;

fanzha_store::on_both_backends! {
    townships_are_checked_awarded_reviewed_and_revoked,
}

const COUNTY: &str = "330281";
const GOOD: &str = "330281001";
const POOR: &str = "330281002";
const OTHER_COUNTY: &str = "330282";

/// 2026-03-10 10:30 in Shanghai.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-10T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

fn unit(
    code: &str,
    name: &str,
    level: UnitLevel,
    parent: Option<&str>,
    population: Option<i64>,
) -> NewUnit {
    NewUnit {
        code: code.into(),
        name: name.into(),
        level,
        parent_code: parent.map(Into::into),
        division_code: Some(format!("{code:0<12}")),
        population,
    }
}

async fn world(db: &Db) -> AppState {
    let store = db.open().await;
    use UnitLevel::*;
    store
        .units()
        .upsert(&[
            unit("3302", "宁波市", City, None, None),
            unit(COUNTY, "余姚市", County, Some("3302"), None),
            unit(GOOD, "阳明街道", Township, Some(COUNTY), Some(20_000)),
            unit(POOR, "梨洲街道", Township, Some(COUNTY), Some(10_000)),
            unit(OTHER_COUNTY, "慈溪市", County, Some("3302"), None),
        ])
        .await
        .unwrap();
    // Residents aged 36: 阳明 all registered on the app, 梨洲 one of four.
    let people: Vec<NewPerson> = (1..=8)
        .map(|n| NewPerson {
            resident_id: valid_id("330281", n),
            name: format!("居民{n}"),
            phone: None,
            residence_code: if n <= 4 { GOOD } else { POOR }.into(),
            address: None,
            employer: None,
            public_sector: false,
            app_registered: n <= 4 || n == 5,
            joint_defense_registered: false,
        })
        .collect();
    store.people().upsert(&people).await.unwrap();
    // 梨洲: three cases in the period (3 per 10,000); 阳明: one (0.5 per 10,000).
    for (i, u) in [GOOD, POOR, POOR, POOR].iter().enumerate() {
        let at = t0() - (10 + i as i64) * 86_400_000;
        assert!(store
            .cases()
            .create(&NewCase {
                id: format!("AJ20260300{i:02}"),
                victim_name: Some("受害人".into()),
                unit_code: (*u).into(),
                reported_at: at,
                loss_fen: 100_000,
                narrative: "刷单返利".into(),
                top_terms: serde_json::json!([]),
                source: "form".into(),
                named: serde_json::json!({}),
                created_by: "setup".into(),
                created_at: at,
                ..NewCase::default()
            })
            .await
            .unwrap());
    }
    // 阳明: six talks in the period; 梨洲: one.
    let scope = store.units().scope(COUNTY).await.unwrap();
    for (i, u) in [GOOD, GOOD, GOOD, GOOD, GOOD, GOOD, POOR]
        .iter()
        .enumerate()
    {
        store
            .outreach()
            .record(
                &scope,
                &NewOutreach {
                    unit_code: (*u).into(),
                    held_on: t0() - (20 + i as i64) * 86_400_000,
                    kind: OutreachKind::Lecture,
                    audience: OutreachAudience::Community,
                    place: "社区会议室".into(),
                    people_reached: 50,
                    app_registrations: 3,
                    materials: 0,
                    consultations: 0,
                    note: String::new(),
                    created_by: "setup".into(),
                    alliance_member: None,
                },
                t0(),
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

/// The row of `code` in the check table.
fn row(page: &str, code: &str) -> String {
    let at = page
        .find(&format!(r#"<tr data-unit="{code}""#))
        .unwrap_or_else(|| panic!("{code} in {page}"));
    let end = page[at..].find("</tr>").unwrap() + at;
    page[at..end].to_string()
}

async fn townships_are_checked_awarded_reviewed_and_revoked(db: &Db) {
    let state = world(db).await;
    let commander = Role::UnitCommander;
    let page = ok(&send(&state, commander, COUNTY, "GET", "/model-sites", "").await);
    let good = row(&page, GOOD);
    assert!(good.contains("data-met"), "{good}");
    assert!(
        good.contains(r#"data-check="cases">0.50<"#)
            && good.contains(r#"data-check="registration">100.0%<"#),
        "{good}"
    );
    assert!(good.contains(r#"data-check="events">6<"#) && good.contains("data-award-form"));
    let poor = row(&page, POOR);
    assert!(
        !poor.contains("data-met") && !poor.contains("data-award-form"),
        "{poor}"
    );
    assert!(
        poor.contains(r#"class="fail" data-check="cases">3.00<"#),
        "{poor}"
    );
    assert!(page.contains(r#"data-figure="met">1<"#));

    // Awarded; then stricter criteria fail it: marked for review.
    ok(&send(
        &state,
        commander,
        COUNTY,
        "POST",
        "/model-sites",
        &format!("unit_code={GOOD}&note=x&back={COUNTY}"),
    )
    .await);
    let again = send(
        &state,
        commander,
        COUNTY,
        "POST",
        "/model-sites",
        &format!("unit_code={GOOD}"),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let awarded = ok(&send(&state, commander, COUNTY, "GET", "/model-sites", "").await);
    assert!(
        row(&awarded, GOOD).contains("data-site") && !row(&awarded, GOOD).contains("data-review")
    );
    let strict = ok(&send(
        &state,
        commander,
        COUNTY,
        "GET",
        "/model-sites?min_events=10",
        "",
    )
    .await);
    assert!(
        row(&strict, GOOD).contains("data-review"),
        "{}",
        row(&strict, GOOD)
    );
    assert!(strict.contains(r#"data-figure="review">1<"#));
    let csv = ok(&send(
        &state,
        commander,
        COUNTY,
        "GET",
        "/model-sites?format=csv",
        "",
    )
    .await);
    assert!(csv.contains("阳明街道") && csv.contains("0.50"));
    assert_eq!(
        send(
            &state,
            commander,
            COUNTY,
            "GET",
            "/model-sites?min_registration=abc",
            ""
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );

    // Others: a leader reads without the forms; another county sees none of it.
    let leader = ok(&send(&state, Role::Leader, COUNTY, "GET", "/model-sites", "").await);
    assert!(leader.contains("data-site") && !leader.contains("data-revoke-form"));
    assert_eq!(
        send(
            &state,
            commander,
            OTHER_COUNTY,
            "GET",
            &format!("/model-sites?unit={GOOD}"),
            ""
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let site = state
        .store
        .model_sites()
        .list(&Scope::platform(), false)
        .await
        .unwrap()[0]
        .clone();
    assert_eq!(
        send(
            &state,
            commander,
            OTHER_COUNTY,
            "POST",
            &format!("/model-sites/{}/revoke", site.id),
            "reason=x&version=1"
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(&state, Role::GridWorker, GOOD, "GET", "/model-sites", "")
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Revoked with why.
    let bare = send(
        &state,
        commander,
        COUNTY,
        "POST",
        &format!("/model-sites/{}/revoke", site.id),
        "reason=&version=1",
    )
    .await;
    assert_eq!(bare.status, StatusCode::BAD_REQUEST);
    ok(&send(
        &state,
        commander,
        COUNTY,
        "POST",
        &format!("/model-sites/{}/revoke", site.id),
        "reason=%E5%8F%91%E6%A1%88%E5%9B%9E%E5%8D%87&version=1&back=330281",
    )
    .await);
    let after = ok(&send(&state, commander, COUNTY, "GET", "/model-sites", "").await);
    assert!(!row(&after, GOOD).contains("data-site"));
    let audit = state
        .store
        .audit()
        .list(&Scope::platform(), &fanzha_store::PageRequest::first(50))
        .await
        .unwrap();
    for action in ["model_site_awarded", "model_site_revoked"] {
        assert!(audit.items.iter().any(|e| e.action == action), "{action}");
    }
}
