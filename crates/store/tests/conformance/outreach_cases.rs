//! Awareness talks and campaigns (反诈宣传): recorded inside one's area and checked, listed and
//! totalled by subtree, period and kind, with yearly targets set by the unit above.

use crate::fixtures::with_tree;
use fanzha_store::*;

const DAY: i64 = 86_400_000;
const T0: i64 = 1_800_000_000_000;
const YUYAO: &str = "330281";
const YANGMING: &str = "330281001";
const LIZHOU: &str = "330281002";
const CIXI: &str = "330282";

fn talk(unit: &str, day: i64, kind: OutreachKind, people: i64) -> NewOutreach {
    NewOutreach {
        unit_code: unit.into(),
        held_on: T0 + day * DAY,
        kind,
        audience: OutreachAudience::Community,
        place: format!("  会场{day}  "),
        people_reached: people,
        app_registrations: people / 10,
        materials: people * 2,
        consultations: people / 20,
        note: String::new(),
        created_by: "grid".into(),
        alliance_member: None,
    }
}

async fn record(store: &Store, t: NewOutreach) -> i64 {
    store
        .outreach()
        .record(&Scope::platform(), &t, T0 + 100 * DAY)
        .await
        .unwrap()
}

pub async fn outreach_is_checked_and_recorded_inside_the_scope(store: &Store) {
    with_tree(store).await;
    let o = store.outreach();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let now = T0 + 10 * DAY;
    let id = o
        .record(
            &yuyao,
            &talk("330281001001", 1, OutreachKind::Lecture, 300),
            now,
        )
        .await
        .unwrap();
    let page = o
        .list(&yuyao, &OutreachFilter::default(), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let e = &page.items[0];
    assert_eq!(
        (e.id, e.place.as_str(), e.people_reached),
        (id, "会场1", 300)
    );
    assert_eq!(
        (e.app_registrations, e.materials, e.consultations),
        (30, 600, 15)
    );
    assert_eq!(e.created_by, "grid");
    assert_eq!(e.created_at, now);

    // Outside the scope, negative, in the future: refused and nothing stored.
    let err = o
        .record(
            &yuyao,
            &talk("330282001001", 1, OutreachKind::Lecture, 3),
            now,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    for bad in [
        talk(YANGMING, 1, OutreachKind::Lecture, -1),
        NewOutreach {
            app_registrations: -5,
            ..talk(YANGMING, 1, OutreachKind::Lecture, 3)
        },
        NewOutreach {
            materials: -1,
            ..talk(YANGMING, 1, OutreachKind::Lecture, 3)
        },
        NewOutreach {
            consultations: -1,
            ..talk(YANGMING, 1, OutreachKind::Lecture, 3)
        },
        talk(YANGMING, 11, OutreachKind::Lecture, 3),
        NewOutreach {
            place: "  ".into(),
            ..talk(YANGMING, 1, OutreachKind::Lecture, 3)
        },
    ] {
        let err = o.record(&yuyao, &bad, now).await.unwrap_err();
        assert!(matches!(err, StoreError::Invalid { .. }), "{err:?}");
    }
    assert_eq!(
        o.count(&Scope::platform(), &OutreachFilter::default())
            .await
            .unwrap(),
        1
    );
    let audit = store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(
        audit
            .items
            .iter()
            .filter(|a| a.action == "outreach_recorded")
            .count(),
        1
    );
}

pub async fn outreach_lists_filter_page_and_stay_in_the_subtree(store: &Store) {
    with_tree(store).await;
    for day in 0..5 {
        record(store, talk(YANGMING, day, OutreachKind::Lecture, 100)).await;
    }
    record(store, talk(LIZHOU, 2, OutreachKind::Street, 50)).await;
    record(store, talk("330282001", 2, OutreachKind::Lecture, 999)).await;
    let o = store.outreach();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let all = OutreachFilter::default();
    assert_eq!(o.count(&yuyao, &all).await.unwrap(), 6);
    // Paging visits every record once, the latest day first.
    let mut seen = Vec::new();
    let mut page = PageRequest::first(4);
    loop {
        let p = o.list(&yuyao, &all, &page).await.unwrap();
        seen.extend(p.items.iter().map(|e| (e.held_on, e.id)));
        match p.next {
            Some(k) => page = PageRequest::after(k, 4),
            None => break,
        }
    }
    assert_eq!(seen.len(), 6);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted);
    assert!(seen.iter().all(|(at, _)| *at < T0 + 5 * DAY));
    // Period and kind.
    let days_1_to_2 = OutreachFilter {
        from: Some(T0 + DAY),
        until: Some(T0 + 3 * DAY),
        kind: None,
    };
    assert_eq!(o.count(&yuyao, &days_1_to_2).await.unwrap(), 3);
    let street = OutreachFilter {
        kind: Some(OutreachKind::Street),
        ..OutreachFilter::default()
    };
    let t = o.totals(&yuyao, &street).await.unwrap();
    assert_eq!(
        t,
        OutreachTotals {
            events: 1,
            people_reached: 50,
            app_registrations: 5,
            face_to_face_events: 1,
            face_to_face_people: 50,
            materials: 100,
            consultations: 2,
        }
    );
    // A live stream is not face to face; the totals count it apart.
    record(store, talk(LIZHOU, 3, OutreachKind::Online, 5000)).await;
    let t = o.totals(&yuyao, &all).await.unwrap();
    assert_eq!(
        (
            t.events,
            t.people_reached,
            t.face_to_face_events,
            t.face_to_face_people
        ),
        (7, 5550, 6, 550)
    );
    assert_eq!((t.materials, t.consultations), (11_100, 277));
    // Per unit below.
    let below = o.totals_below(&yuyao, YUYAO, &all).await.unwrap();
    let got: Vec<_> = below
        .iter()
        .map(|(u, t)| (u.code.as_str(), t.events, t.people_reached))
        .collect();
    assert_eq!(got, vec![(YANGMING, 5, 500), (LIZHOU, 2, 5050)]);
    let cixi = store.units().scope(CIXI).await.unwrap();
    assert_eq!(o.totals(&cixi, &all).await.unwrap().people_reached, 999);
    assert!(matches!(
        o.totals_below(&cixi, YUYAO, &all).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(o
        .list(&yuyao, &all, &PageRequest::after("x".into(), 4))
        .await
        .is_err());
}

pub async fn quotas_are_set_by_the_unit_above(store: &Store) {
    with_tree(store).await;
    let o = store.outreach();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let quota = |unit: &str, events| OutreachQuota {
        unit_code: unit.into(),
        year: 2027,
        events,
        people: events * 100,
        set_by: "commander".into(),
        set_at: T0,
    };
    assert_eq!(o.quota(&yuyao, YANGMING, 2027).await.unwrap(), None);
    o.set_quota(&yuyao, &quota(YANGMING, 30)).await.unwrap();
    o.set_quota(&yuyao, &quota(YANGMING, 40)).await.unwrap();
    let q = o.quota(&yuyao, YANGMING, 2027).await.unwrap().unwrap();
    assert_eq!((q.events, q.people, q.year), (40, 4000, 2027));
    assert_eq!(o.quota(&yuyao, YANGMING, 2026).await.unwrap(), None);
    // Not one's own unit, not another county, no negative target.
    assert!(matches!(
        o.set_quota(&yuyao, &quota(YUYAO, 1)).await,
        Err(StoreError::Invalid { .. })
    ));
    assert!(matches!(
        o.set_quota(&yuyao, &quota("330282001", 1)).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        o.set_quota(&yuyao, &quota(LIZHOU, -1)).await,
        Err(StoreError::Invalid { .. })
    ));
    let cixi = store.units().scope(CIXI).await.unwrap();
    assert!(matches!(
        o.quota(&cixi, YANGMING, 2027).await,
        Err(StoreError::NotFound { .. })
    ));
}
