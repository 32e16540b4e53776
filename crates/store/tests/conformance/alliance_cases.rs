//! 企业反诈联盟: members joined by the units of an area (credit code checked, an active member
//! once), changed and left from the version read, audited; their figures read by name from the
//! people, cases and outreach tables of the reader's area.

use crate::fixtures::{audits, person, with_tree};
use fanzha_core::occupation::Occupation;
use fanzha_store::*;

const DAY: i64 = 86_400_000;
const T0: i64 = 1_800_000_000_000;
const FIRM: &str = "余姚阳光电器有限公司";

fn credit(n: u8) -> String {
    fanzha_core::CreditCode::generate(
        b'9',
        b'1',
        330281,
        &[b'M', b'A', b'0', b'0', b'0', b'0', b'0', b'0' + n],
    )
    .unwrap()
    .as_str()
    .to_string()
}

fn member(unit: &str, name: &str, code: &str) -> NewMember {
    NewMember {
        unit_code: unit.into(),
        name: name.into(),
        credit_code: code.into(),
        contact_name: "王会计".into(),
        contact_phone: "+86 139 0000 1111".into(),
        staff: 300,
        finance_staff: 12,
        joined_at: T0 - 30 * DAY,
        note: String::new(),
        by: "station".into(),
    }
}

fn case(
    id: &str,
    unit: &str,
    resident: Option<&str>,
    employer: Option<&str>,
    occupation: Option<Occupation>,
    loss_fen: i64,
) -> NewCase {
    NewCase {
        id: id.into(),
        resident_id: resident.map(Into::into),
        victim_name: Some("受害人".into()),
        unit_code: unit.into(),
        reported_at: T0 + DAY,
        loss_fen,
        narrative: "冒充领导要求财务转账".into(),
        top_terms: serde_json::json!([]),
        source: "form".into(),
        named: serde_json::json!({}),
        employer: employer.map(Into::into),
        occupation,
        created_by: "t".into(),
        created_at: T0 + DAY,
        ..NewCase::default()
    }
}

pub async fn members_join_change_leave_and_are_counted_by_name(store: &Store) {
    with_tree(store).await;
    let yuyao = store.units().scope("330281").await.unwrap();
    let yangming = store.units().scope("330281001").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let a = store.alliance();

    // Joining: a valid credit code, a mobile, staff within bounds, a unit of the area.
    let bad_code = NewMember {
        credit_code: "91330281MA0000000X".into(),
        ..member("330281001", FIRM, &credit(1))
    };
    assert!(matches!(
        a.join(&yuyao, &bad_code, T0).await,
        Err(StoreError::Invalid {
            field: "credit_code",
            ..
        })
    ));
    let more_finance = NewMember {
        finance_staff: 301,
        ..member("330281001", FIRM, &credit(1))
    };
    assert!(matches!(
        a.join(&yuyao, &more_finance, T0).await,
        Err(StoreError::Invalid {
            field: "finance_staff",
            ..
        })
    ));
    let later = NewMember {
        joined_at: T0 + 1,
        ..member("330281001", FIRM, &credit(1))
    };
    assert!(matches!(
        a.join(&yuyao, &later, T0).await,
        Err(StoreError::Invalid {
            field: "joined_at",
            ..
        })
    ));
    assert!(matches!(
        a.join(&cixi, &member("330281001", FIRM, &credit(1)), T0)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let id = a
        .join(
            &yuyao,
            &member(
                "330281001",
                FIRM,
                &format!(" {} ", credit(1).to_lowercase()),
            ),
            T0,
        )
        .await
        .unwrap();
    assert!(
        matches!(
            a.join(&yuyao, &member("330281002", "另一个名字", &credit(1)), T0)
                .await,
            Err(StoreError::Conflict { .. })
        ),
        "a credit code is an active member once"
    );
    let other = a
        .join(&yuyao, &member("330281002", "梨洲纺织厂", &credit(2)), T0)
        .await
        .unwrap();
    let m = a.get(&yangming, id).await.unwrap();
    assert_eq!(
        (m.credit_code.as_str(), m.contact_phone.as_str()),
        (credit(1).as_str(), "13900001111")
    );
    assert!(matches!(
        a.get(&yangming, other).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(a.list(&yangming, false).await.unwrap().len(), 1);
    assert_eq!(a.list(&yuyao, false).await.unwrap().len(), 2);
    assert!(a.list(&cixi, false).await.unwrap().is_empty());

    // Changing from the version read.
    let change = MemberUpdate {
        contact_name: "李主任".into(),
        contact_phone: "13900002222".into(),
        staff: 320,
        finance_staff: 15,
        note: "财务室已张贴提示".into(),
        version: 1,
        by: "station".into(),
    };
    let m2 = a.update(&yangming, id, &change, T0).await.unwrap();
    assert_eq!((m2.staff, m2.finance_staff, m2.version), (320, 15, 2));
    assert!(
        matches!(
            a.update(&yangming, id, &change, T0).await,
            Err(StoreError::Conflict { .. })
        ),
        "stale"
    );

    // Figures by name: staff on record, victims (the case's employer, else the victim's),
    // finance victims, events at a place naming it — in the reader's area only.
    let mut staff: Vec<NewPerson> = (1..=4).map(|n| person(n, "330281001001")).collect();
    for (i, p) in staff.iter_mut().enumerate() {
        p.employer = Some(FIRM.into());
        p.app_registered = i < 3;
    }
    let mut far = person(9, "330282001001");
    far.employer = Some(FIRM.into());
    staff.push(far);
    store.people().upsert(&staff).await.unwrap();
    let r1 = staff[0].resident_id.clone();
    for c in [
        case(
            "C1",
            "330281001001",
            Some(&r1),
            None,
            Some(Occupation::Accountant),
            500_000,
        ),
        case(
            "C2",
            "330281001002",
            None,
            Some(FIRM),
            Some(Occupation::CompanyEmployee),
            200_000,
        ),
        case(
            "C3",
            "330281001002",
            Some(&r1),
            Some("别的公司"),
            None,
            100_000,
        ),
        case(
            "X1",
            "330282001001",
            Some(&staff[4].resident_id),
            None,
            None,
            900_000,
        ),
    ] {
        assert!(store.cases().create(&c).await.unwrap());
    }
    let event = |place: String, audience, day: i64, at: Option<i64>| NewOutreach {
        unit_code: "330281001".into(),
        held_on: T0 + day * DAY,
        kind: OutreachKind::Lecture,
        audience,
        place,
        people_reached: 80,
        app_registrations: 5,
        materials: 0,
        consultations: 0,
        note: String::new(),
        created_by: "station".into(),
        alliance_member: at,
    };
    // By the place's name, or recorded as held at a member whatever the place says (an event
    // recorded at the other member names the firm in its place but counts for the other).
    for e in [
        event(
            format!("{FIRM}三楼会议室"),
            OutreachAudience::Enterprise,
            2,
            None,
        ),
        event(FIRM.to_string(), OutreachAudience::Enterprise, 40, None),
        event(format!("{FIRM}门口"), OutreachAudience::Community, 2, None),
        event("职工食堂".into(), OutreachAudience::Enterprise, 3, Some(id)),
        event(
            format!("{FIRM}隔壁"),
            OutreachAudience::Enterprise,
            4,
            Some(other),
        ),
    ] {
        store
            .outreach()
            .record(&yuyao, &e, T0 + 50 * DAY)
            .await
            .unwrap();
    }
    assert!(matches!(
        store
            .outreach()
            .record(
                &yuyao,
                &event("社区广场".into(), OutreachAudience::Community, 5, Some(id)),
                T0 + 50 * DAY,
            )
            .await,
        Err(StoreError::Invalid {
            field: "alliance_member",
            ..
        })
    ));
    assert!(matches!(
        store
            .outreach()
            .record(
                &yangming,
                &event(
                    "梨洲纺织厂".into(),
                    OutreachAudience::Enterprise,
                    5,
                    Some(other)
                ),
                T0 + 50 * DAY,
            )
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let f = a.figures(&yuyao, T0, T0 + 30 * DAY).await.unwrap();
    let firm = f.get(&id).copied().unwrap_or_default();
    assert_eq!(
        (firm.known_staff, firm.registered),
        (4, 3),
        "staff of the area on record"
    );
    assert_eq!(
        (firm.victims, firm.loss_fen),
        (2, 700_000),
        "C1 by the victim's record, C2 by the case; C3 names another employer"
    );
    assert_eq!((firm.finance_victims, firm.finance_loss_fen), (1, 500_000));
    assert_eq!(
        (firm.events, firm.people_reached),
        (2, 160),
        "enterprise events in the period at a place naming it or recorded at it"
    );
    assert_eq!(
        firm.last_event_at,
        Some(T0 + 40 * DAY),
        "the latest event, whenever"
    );
    assert_eq!(
        (f[&other].events, f[&other].victims),
        (1, 0),
        "the event recorded at the other member counts for it alone"
    );
    let cases: Vec<String> = a
        .cases(&yuyao, id, T0, T0 + 30 * DAY)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.case_id)
        .collect();
    assert_eq!(cases, ["C1", "C2"]);
    let events: Vec<i64> = a
        .events(&yuyao, id, T0, T0 + 60 * DAY)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.held_on)
        .collect();
    assert_eq!(
        events,
        [T0 + 40 * DAY, T0 + 3 * DAY, T0 + 2 * DAY],
        "latest first, enterprise events only"
    );
    assert!(matches!(
        a.cases(&cixi, id, T0, T0 + DAY).await,
        Err(StoreError::NotFound { .. })
    ));
    let city = store.units().scope("3302").await.unwrap();
    let wide = a.figures(&city, T0, T0 + 30 * DAY).await.unwrap();
    assert_eq!(
        wide[&id].known_staff, 5,
        "the city's area holds the far employee"
    );
    assert_eq!(wide[&id].victims, 3);

    let t = a.tally(&yuyao, T0, T0 + 30 * DAY).await.unwrap();
    assert_eq!(
        (
            t.members,
            t.staff,
            t.finance_staff,
            t.events,
            t.victims,
            t.loss_fen,
            t.finance_victims,
            t.without_events
        ),
        (2, 620, 27, 3, 2, 700_000, 1, 0),
        "{t:?}"
    );
    // Leaving: why, from the version read; kept; the code free again.
    assert!(matches!(
        a.leave(&yangming, id, " ", 2, "station", T0).await,
        Err(StoreError::Invalid { .. })
    ));
    let left = a
        .leave(&yangming, id, "企业迁出辖区", 2, "station", T0 + DAY)
        .await
        .unwrap();
    assert!(!left.active());
    assert!(matches!(
        a.leave(&yangming, id, "again", 3, "station", T0).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(a.list(&yangming, false).await.unwrap().is_empty());
    assert_eq!(a.list(&yangming, true).await.unwrap().len(), 1);
    a.join(&yuyao, &member("330281001", FIRM, &credit(1)), T0 + DAY)
        .await
        .unwrap();

    assert_eq!(audits(store, "alliance_member_joined").await, 3);
    assert_eq!(audits(store, "alliance_member_updated").await, 1);
    assert_eq!(audits(store, "alliance_member_left").await, 1);
}
