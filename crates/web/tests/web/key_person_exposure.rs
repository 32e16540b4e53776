//! 惩戒曝光, on SQLite and PostgreSQL: last month's punished card sellers of the county are
//! listed masked (a punishment of an earlier month, a fraud-record dossier and another county's
//! seller are not); the notice names the chosen ones in full with sex, year of birth, village
//! and the punishment's term, and is audited with the dossiers it names; a dossier of another
//! county is not found, a notice naming nobody is refused, a grid worker has no such page.

use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::{
    KeyPersonCategory, KeyPersonMeasure, NewKeyPerson, NewPerson, PunishmentKind, Role, Scope,
    UnitLevel,
};
use fanzha_web::AppState;
use std::sync::Arc;

use crate::support::{ok, send_as, unit, Answer, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    last_months_card_sellers_are_named_on_the_notice,
}

const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";
const OTHER_VILLAGE: &str = "330282001001";
const DAY: i64 = 86_400_000;

/// 2026-03-10 10:30 in Shanghai: last month is February.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-10T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

fn feb(day: u32) -> i64 {
    DateTime::parse_from_rfc3339(&format!("2026-02-{day:02}T09:00:00+08:00"))
        .unwrap()
        .timestamp_millis()
}

/// Dossier ids: 张卫国 (Feb, two cards), 李秀英 (Feb, two cards, a woman), 王强 (January),
/// 赵敏 (Feb, fraud record), 陈刚 (Feb, two cards, the other county).
async fn world(db: &Db) -> (AppState, Vec<i64>) {
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
            unit("330282001", "浒山街道", Township, Some(OTHER_COUNTY)),
            unit(OTHER_VILLAGE, "虞波社区", Village, Some("330282001")),
        ])
        .await
        .unwrap();
    let people = [
        (
            "张卫国",
            fanzha_core::Sex::Male,
            1990,
            VILLAGE,
            KeyPersonCategory::TwoCards,
            feb(3),
        ),
        (
            "李秀英",
            fanzha_core::Sex::Female,
            1985,
            VILLAGE,
            KeyPersonCategory::TwoCards,
            feb(20),
        ),
        (
            "王强",
            fanzha_core::Sex::Male,
            1992,
            VILLAGE,
            KeyPersonCategory::TwoCards,
            feb(1) - 5 * DAY,
        ),
        (
            "赵敏",
            fanzha_core::Sex::Female,
            1979,
            VILLAGE,
            KeyPersonCategory::FraudRecord,
            feb(10),
        ),
        (
            "陈刚",
            fanzha_core::Sex::Male,
            1995,
            OTHER_VILLAGE,
            KeyPersonCategory::TwoCards,
            feb(10),
        ),
    ];
    let mut ids = Vec::new();
    for (n, (name, sex, year, village, category, from)) in people.into_iter().enumerate() {
        let birth = chrono::NaiveDate::from_ymd_opt(year, 5, 1).unwrap();
        let rid = fanzha_core::ResidentId::generate(330281, birth, n as u16 + 1, sex)
            .unwrap()
            .as_str()
            .to_string();
        store
            .people()
            .upsert(&[NewPerson {
                resident_id: rid.clone(),
                name: name.into(),
                phone: None,
                residence_code: village.into(),
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
                    category,
                    reason: "出售银行卡".into(),
                    source: "form".into(),
                    created_by: "analyst".into(),
                    at: from - DAY,
                },
            )
            .await
            .unwrap();
        store
            .key_persons()
            .add_event(
                &Scope::platform(),
                id,
                &KeyPersonMeasure::Punishment {
                    kind: PunishmentKind::Financial,
                    from,
                    until: Some(from + 5 * 365 * DAY),
                },
                "analyst",
                from,
            )
            .await
            .unwrap();
        ids.push(id);
    }
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(t0()));
    (state, ids)
}

async fn send(state: &AppState, role: Role, unit: &str, path: &str) -> Answer {
    send_as(state, role, unit, t0(), ("GET", path, "")).await
}

async fn last_months_card_sellers_are_named_on_the_notice(db: &Db) {
    let (state, ids) = world(db).await;
    let c = Role::UnitCommander;
    let list = ok(&send(&state, c, COUNTY, "/key-persons/exposure").await);
    assert!(list.contains(r#"data-total="2""#), "{list}");
    for id in &ids[..2] {
        assert!(list.contains(&format!(r#"data-dossier="{id}""#)), "{list}");
    }
    assert!(
        !list.contains("张卫国") && list.contains("张*国"),
        "names masked in the list"
    );
    assert!(list.contains("阳明街道舜水社区"));
    // Every category, and January too.
    let all = ok(&send(
        &state,
        c,
        COUNTY,
        "/key-persons/exposure?from=2026-01-01&until=2026-02-28&category=all",
    )
    .await);
    assert!(all.contains(r#"data-total="4""#), "{all}");

    let notice = ok(&send(
        &state,
        c,
        COUNTY,
        &format!(
            "/key-persons/exposure/notice?from=2026-02-01&until=2026-02-28&id={}&id={}",
            ids[0], ids[1]
        ),
    )
    .await);
    for needle in [
        "张卫国",
        "李秀英",
        "<td>男</td><td>1990</td>",
        "<td>女</td><td>1985</td>",
        "阳明街道舜水社区",
        "金融惩戒（2026-02-03 — 2031-02-02）",
        "余姚市",
        "反电信网络诈骗法",
    ] {
        assert!(notice.contains(needle), "{needle} in {notice}");
    }
    assert!(!notice.contains("王强"));

    // Another county's dossier, nobody chosen, a grid worker.
    let foreign = send(
        &state,
        c,
        COUNTY,
        &format!("/key-persons/exposure/notice?id={}", ids[4]),
    )
    .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let nobody = send(
        &state,
        c,
        COUNTY,
        "/key-persons/exposure/notice?from=2026-02-01",
    )
    .await;
    assert_eq!(nobody.status, StatusCode::BAD_REQUEST);
    let grid = send(&state, Role::GridWorker, VILLAGE, "/key-persons/exposure").await;
    assert_eq!(grid.status, StatusCode::FORBIDDEN);

    let audit = state
        .store
        .audit()
        .list(&Scope::platform(), &fanzha_store::PageRequest::first(50))
        .await
        .unwrap();
    let printed: Vec<_> = audit
        .items
        .iter()
        .filter(|e| e.action == "exposure_notice_printed")
        .collect();
    assert_eq!(printed.len(), 1, "one notice, one entry");
    assert_eq!(
        printed[0].target_id.as_deref(),
        Some(format!("{},{}", ids[0], ids[1]).as_str())
    );
}
