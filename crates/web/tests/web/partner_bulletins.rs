//! 通报有关单位, on SQLite and PostgreSQL: the county offers its industry partners on the
//! issuing form (the banks and the operator with liaisons in the county, its joint office's
//! member; not another county's bank), issues a methods alert to the banks and the member; the
//! bank's liaison finds it on the desk and in its own list, reads it and signs for the bank
//! once; the operator, not addressed, never reaches it; the member department signs from its
//! desk; the county sees each partner's receipt. Liaisons never read the police line's
//! bulletins, police never the partners' list, and a kind with nobody to address is refused.

use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::{JointMemberKind, NewJointMember, NewUser, Role, Scope, UnitLevel};
use fanzha_web::AppState;
use std::sync::Arc;

use crate::support::{ok, send_as, unit, urlencoded, Answer, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    a_methods_alert_reaches_the_banks_and_the_joint_office_member,
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
            unit("330281001001", "舜水社区", Village, Some(TOWNSHIP)),
            unit(OTHER_COUNTY, "慈溪市", County, Some("3302")),
            unit("330282001", "浒山街道", Township, Some(OTHER_COUNTY)),
        ])
        .await
        .unwrap();
    let liaison = |login: &str, unit: &str, role: Role, institution: &str| NewUser {
        login: login.into(),
        display_name: login.into(),
        unit_code: unit.into(),
        roles: vec![role],
        joint_member: None,
        bank_code: (role == Role::BankLiaison).then(|| institution.into()),
        operator: (role == Role::OperatorLiaison).then(|| institution.into()),
        password_hash: None,
    };
    for u in [
        liaison("icbc", COUNTY, Role::BankLiaison, "ICBC"),
        liaison("abc", TOWNSHIP, Role::BankLiaison, "ABC"),
        liaison("ccb", OTHER_COUNTY, Role::BankLiaison, "CCB"),
        liaison("cm", COUNTY, Role::OperatorLiaison, "china_mobile"),
    ] {
        store.users().upsert(&u).await.unwrap();
    }
    // The member liaison of the tests reports for member 1: the county's first member.
    store
        .joint_office()
        .add_member(
            &Scope::platform(),
            &NewJointMember {
                unit_code: COUNTY.into(),
                name: "人民银行余姚市支行".into(),
                kind: JointMemberKind::Finance,
                contact_name: "李科长".into(),
                contact_phone: "13900002222".into(),
                staff: 40,
                note: String::new(),
                by: "setup".into(),
            },
            t0(),
        )
        .await
        .unwrap();
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

async fn a_methods_alert_reaches_the_banks_and_the_joint_office_member(db: &Db) {
    let state = world(db).await;
    let c = Role::UnitCommander;

    // The form offers the county's partners, by name; not 慈溪's bank.
    let form_page = ok(&send(&state, c, COUNTY, "GET", "/bulletins", "").await);
    for needle in [
        r#"data-partner="to_bank""#,
        "中国工商银行",
        "中国农业银行",
        r#"data-partner="to_operator""#,
        r#"data-partner="to_joint_member""#,
        "人民银行余姚市支行",
    ] {
        assert!(form_page.contains(needle), "{needle} in {form_page}");
    }
    assert!(!form_page.contains("中国建设银行"), "{form_page}");

    // A kind with nobody to address (the township has no joint office) is refused.
    let refused = send(
        &state,
        c,
        TOWNSHIP,
        "POST",
        "/bulletins",
        "kind=methods&title=x&body=y&to_joint_member=on",
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::BAD_REQUEST,
        "{}",
        refused.text()
    );
    assert!(refused.text().contains("partners"), "{}", refused.text());

    let title = "“注销校园贷”诈骗手法通报";
    let issued = send(
        &state,
        c,
        COUNTY,
        "POST",
        "/bulletins",
        &format!(
            "kind=methods&title={}&fraud_type=fake_loan&body={}&to_bank=on&to_joint_member=on",
            urlencoded(title),
            urlencoded("一、手法\n冒充客服称学生贷款需注销，否则影响征信。")
        ),
    )
    .await;
    assert_eq!(issued.status, StatusCode::SEE_OTHER, "{}", issued.text());
    let id: i64 = issued
        .location
        .trim_start_matches("/bulletins/")
        .parse()
        .unwrap();
    let doc = ok(&send(&state, c, COUNTY, "GET", &issued.location, "").await);
    assert!(doc.contains(r#"id="partner-receipts""#), "{doc}");
    assert!(doc.contains("0 / 3"), "{doc}");

    // The bank: the desk counts it, the list marks it, the document is addressed to the bank.
    let b = Role::BankLiaison;
    let desk = ok(&send(&state, b, COUNTY, "GET", "/", "").await);
    assert!(
        desk.contains(r#"data-desk="desk_bulletins"><span class="n" data-open>1<"#),
        "{desk}"
    );
    let list = ok(&send(&state, b, COUNTY, "GET", "/partner-bulletins", "").await);
    assert!(
        list.contains(title) && list.contains("data-unsigned"),
        "{list}"
    );
    let path = format!("/partner-bulletins/{id}");
    let page = ok(&send(&state, b, COUNTY, "GET", &path, "").await);
    assert!(page.contains("致：中国工商银行"), "{page}");
    assert!(page.contains("冒充客服称学生贷款需注销"), "{page}");
    assert!(page.contains(r#"data-action="sign-bulletin""#), "{page}");
    let sign = format!("{path}/sign");
    ok(&send(&state, b, COUNTY, "POST", &sign, "").await);
    let twice = send(&state, b, COUNTY, "POST", &sign, "").await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.text());
    let page = ok(&send(&state, b, COUNTY, "GET", &path, "").await);
    assert!(page.contains(r#"id="signed""#), "{page}");
    let desk = ok(&send(&state, b, COUNTY, "GET", "/", "").await);
    assert!(
        desk.contains(r#"data-desk="desk_bulletins"><span class="n" data-open>0<"#),
        "{desk}"
    );
    // Never the police line's bulletins.
    let police_list = send(&state, b, COUNTY, "GET", "/bulletins", "").await;
    assert_eq!(police_list.status, StatusCode::FORBIDDEN);
    let police_doc = send(&state, b, COUNTY, "GET", &issued.location, "").await;
    assert_eq!(police_doc.status, StatusCode::FORBIDDEN);

    // The operator was not addressed: nothing listed, the document and its signing not found.
    let o = Role::OperatorLiaison;
    let theirs = ok(&send(&state, o, COUNTY, "GET", "/partner-bulletins", "").await);
    assert!(!theirs.contains(title), "{theirs}");
    for (method, p) in [("GET", path.as_str()), ("POST", sign.as_str())] {
        let r = send(&state, o, COUNTY, method, p, "").await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{method} {p}: {}",
            r.text()
        );
    }
    let disposals = ok(&send(&state, o, COUNTY, "GET", "/number-disposals", "").await);
    assert!(!disposals.contains(r#"id="bulletins-unsigned""#));

    // The member department: its desk counts it; it signs.
    let m = Role::JointMember;
    let desk = ok(&send(&state, m, COUNTY, "GET", "/joint-office/mine", "").await);
    assert!(desk.contains(r#"<b class="late">1</b>"#), "{desk}");
    ok(&send(&state, m, COUNTY, "POST", &sign, "").await);

    // Police never read the partners' list.
    let p = send(&state, c, COUNTY, "GET", "/partner-bulletins", "").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);

    // The county sees who signed for which partner, on the list and the document.
    let listed = ok(&send(&state, c, COUNTY, "GET", "/bulletins", "").await);
    assert!(
        listed.contains("<small data-partner-receipts>行业单位 2 / 3</small>"),
        "{listed}"
    );
    let doc = ok(&send(&state, c, COUNTY, "GET", &issued.location, "").await);
    assert!(doc.contains("2 / 3"), "{doc}");
    assert!(doc.contains("bank_liaison_330281"), "{doc}");
    let audit = state
        .store
        .audit()
        .for_target(&Scope::platform(), "bulletin", &id.to_string())
        .await
        .unwrap();
    let partners: Vec<String> = audit
        .iter()
        .filter(|e| e.action == "bulletin_signed")
        .map(|e| e.detail["partner_kind"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(partners.len(), 2, "{audit:?}");
    assert!(
        partners.contains(&"bank".to_string()) && partners.contains(&"joint_member".to_string())
    );
}
