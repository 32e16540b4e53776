//! 提请惩戒 / 不准出境报备, on SQLite and PostgreSQL: a station proposes a punishment on a
//! dossier, the center reports it up and records it in force — the dossier then carries the
//! punishment — and returns an exit ban with why; the figures count the person reported; the
//! station may not take the center's steps; another county sees nothing.

use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::{KeyPersonCategory, NewKeyPerson, NewPerson, Role, Scope, UnitLevel};
use fanzha_web::AppState;
use std::sync::Arc;

use crate::support::{send_as, unit, Answer, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    a_proposal_goes_up_and_comes_back_in_force,
    the_report_list_holds_the_reported_in_full_and_is_audited,
}

const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";

/// 2026-03-10 10:30 in Shanghai.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-10T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

async fn world(db: &Db) -> (AppState, i64) {
    let store = db.open().await;
    use UnitLevel::*;
    store
        .units()
        .upsert(&[
            unit("3302", "宁波市", City, None),
            unit(COUNTY, "余姚市", County, Some("3302")),
            unit(TOWNSHIP, "阳明街道", Township, Some(COUNTY)),
            unit(VILLAGE, "舜水社区", Village, Some(TOWNSHIP)),
            unit(OTHER_COUNTY, "慈溪市", County, Some("3302")),
        ])
        .await
        .unwrap();
    let birth = chrono::NaiveDate::from_ymd_opt(1990, 5, 1).unwrap();
    let rid = fanzha_core::ResidentId::generate(330281, birth, 1, fanzha_core::Sex::Male)
        .unwrap()
        .as_str()
        .to_string();
    store
        .people()
        .upsert(&[NewPerson {
            resident_id: rid.clone(),
            name: "张卫国".into(),
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
    let (id, _) = store
        .key_persons()
        .create(
            &Scope::platform(),
            &NewKeyPerson {
                resident_id: rid,
                category: KeyPersonCategory::TwoCards,
                reason: "出售银行卡".into(),
                source: "form".into(),
                created_by: "analyst".into(),
                at: t0() - 86_400_000,
            },
        )
        .await
        .unwrap();
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(t0()));
    (state, id)
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

async fn a_proposal_goes_up_and_comes_back_in_force(db: &Db) {
    let (state, dossier) = world(db).await;
    let propose = format!("/key-persons/{dossier}/proposals");
    let a = send(&state, Role::UnitCommander, TOWNSHIP, "POST", &propose,
        "kind=punishment&punishment_kind=financial&reason=%E5%87%BA%E5%94%AE%E9%93%B6%E8%A1%8C%E5%8D%A12%E5%BC%A0").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    assert_eq!(a.location, format!("/key-persons/{dossier}#proposals"));
    let again = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "POST",
        &propose,
        "kind=punishment&punishment_kind=financial&reason=x",
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let ban = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "POST",
        &propose,
        "kind=exit_ban&reason=%E5%9B%9E%E6%B5%81",
    )
    .await;
    assert_eq!(ban.status, StatusCode::SEE_OTHER);
    let nope = send(
        &state,
        Role::UnitCommander,
        OTHER_COUNTY,
        "POST",
        &propose,
        "kind=exit_ban&reason=x",
    )
    .await;
    assert_eq!(nope.status, StatusCode::NOT_FOUND);

    let page = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "GET",
        &format!("/key-persons/{dossier}"),
        "",
    )
    .await;
    assert_eq!(
        page.text().matches("data-state=\"proposed\"").count(),
        2,
        "{}",
        page.text()
    );
    let proposals = state
        .store
        .key_person_proposals()
        .list(
            &Scope::platform(),
            &Default::default(),
            &fanzha_store::PageRequest::first(10),
        )
        .await
        .unwrap()
        .items;
    let pun = proposals
        .iter()
        .find(|p| p.kind == fanzha_store::ProposalKind::Punishment)
        .unwrap()
        .id;
    let exit = proposals
        .iter()
        .find(|p| p.kind == fanzha_store::ProposalKind::ExitBan)
        .unwrap()
        .id;
    let step = |id: i64| format!("/key-persons/proposals/{id}/step");

    // The station does not take the center's steps; the center does.
    let a = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "POST",
        &step(pun),
        "version=1&step=report",
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "POST",
        &step(pun),
        "version=1&step=report",
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let a = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "POST",
        &step(pun),
        "version=1&step=report",
    )
    .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    let a = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "POST",
        &step(pun),
        "version=2&step=in_force&from=2026-03-10&until=2027-03-09",
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let a = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "POST",
        &step(exit),
        "version=1&step=return&note=",
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "a return says why");
    let a = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "POST",
        &step(exit),
        "version=1&step=return&note=%E6%97%A0%E5%87%BA%E5%A2%83%E8%AE%B0%E5%BD%95",
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);

    // The dossier carries the punishment through 2027-03-09.
    let d = state
        .store
        .key_persons()
        .get(&Scope::platform(), dossier)
        .await
        .unwrap();
    assert_eq!(
        d.punishment_kind,
        Some(fanzha_store::PunishmentKind::Financial)
    );
    assert_eq!(
        d.punishment_until,
        Some(
            DateTime::parse_from_rfc3339("2027-03-10T00:00:00+08:00")
                .unwrap()
                .timestamp_millis()
        )
    );
    let list = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "GET",
        "/key-persons/proposals",
        "",
    )
    .await;
    let text = list.text();
    assert!(
        text.contains("data-figure=\"people_punishment\">1<"),
        "{text}"
    );
    assert!(text.contains("data-figure=\"returned\">1<"), "{text}");
    assert!(
        text.contains("张*") && !text.contains("张卫国"),
        "the person masked in the list"
    );
    let other = send(
        &state,
        Role::CenterAnalyst,
        OTHER_COUNTY,
        "GET",
        "/key-persons/proposals",
        "",
    )
    .await;
    assert!(
        !other.text().contains("data-proposal="),
        "another county sees nothing"
    );
    let leader = send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/key-persons/proposals",
        "",
    )
    .await;
    assert_eq!(leader.status, StatusCode::FORBIDDEN);
}

async fn the_report_list_holds_the_reported_in_full_and_is_audited(db: &Db) {
    let (state, dossier) = world(db).await;
    let propose = format!("/key-persons/{dossier}/proposals");
    for form in [
        "kind=punishment&punishment_kind=financial&reason=%E5%87%BA%E5%94%AE%E9%93%B6%E8%A1%8C%E5%8D%A1",
        "kind=exit_ban&reason=%E5%9B%9E%E6%B5%81",
    ] {
        let a = send(&state, Role::UnitCommander, TOWNSHIP, "POST", &propose, form).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    }
    let proposals = state
        .store
        .key_person_proposals()
        .list(
            &Scope::platform(),
            &Default::default(),
            &fanzha_store::PageRequest::first(10),
        )
        .await
        .unwrap()
        .items;
    let pun = proposals
        .iter()
        .find(|p| p.kind == fanzha_store::ProposalKind::Punishment)
        .unwrap()
        .id;
    // Only the punishment goes up; the exit ban waits for review.
    let a = send(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        "POST",
        &format!("/key-persons/proposals/{pun}/step"),
        "version=1&step=report",
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());

    let list = |role, unit: &'static str, kind: &'static str| {
        let state = state.clone();
        async move {
            send(
                &state,
                role,
                unit,
                "GET",
                &format!("/key-persons/proposals/report-list?kind={kind}&format=csv"),
                "",
            )
            .await
        }
    };
    let csv = list(Role::CenterAnalyst, COUNTY, "punishment").await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.text());
    let text = csv.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "a header and the one reported: {text}");
    assert!(
        lines[0].contains("序号") && lines[0].contains("身份证号"),
        "{text}"
    );
    let row = lines[1];
    let rid = &proposals[0].resident_id;
    for want in [
        "1,张卫国,男,1990-05-01,",
        rid.as_str(),
        "浙江省宁波市余姚市",
        "舜水社区",
        "出售银行卡",
        "金融惩戒",
    ] {
        assert!(row.contains(want), "`{want}` in {row}");
    }
    // Nothing of the exit ban, which was not reported up.
    let bans = list(Role::CenterAnalyst, COUNTY, "exit_ban").await;
    assert_eq!(bans.text().lines().count(), 1, "{}", bans.text());
    // Each export of full data is audited with what it held.
    let audit = state
        .store
        .audit()
        .list(&Scope::platform(), &fanzha_store::PageRequest::first(100))
        .await
        .unwrap()
        .items;
    let exports: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "export_personal_data")
        .collect();
    assert_eq!(exports.len(), 2);
    assert!(exports.iter().any(|e| e.detail["rows"] == 1
        && e.detail["proposal_ids"] == serde_json::json!([pun])
        && e.actor.starts_with("center_analyst")));
    // A station does not export it; another county's center finds nothing of this county.
    let station = list(Role::UnitCommander, TOWNSHIP, "punishment").await;
    assert_eq!(station.status, StatusCode::FORBIDDEN);
    let other = list(Role::CenterAnalyst, OTHER_COUNTY, "punishment").await;
    assert_eq!(other.text().lines().count(), 1, "{}", other.text());
    let bad = list(Role::CenterAnalyst, COUNTY, "jail").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // The list's own export is masked, with the dossier's category.
    let masked = send(
        &state,
        Role::UnitCommander,
        TOWNSHIP,
        "GET",
        "/key-persons/proposals?format=csv",
        "",
    )
    .await;
    assert_eq!(masked.status, StatusCode::OK);
    let text = masked.text();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(
        text.contains("张*") && !text.contains("张卫国") && !text.contains(rid.as_str()),
        "{text}"
    );
    assert!(text.contains("出租出借出售两卡人员"), "{text}");
}
