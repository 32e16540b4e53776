//! Two-card leads (两卡线索 · 落地核查): received once per batch, placed at the registered
//! holder's residence unit, listed and counted by subtree and filter, checked once inside the
//! area (audited), and counted in the figures.

use crate::fixtures::{person, resident_id, with_tree};
use fanzha_store::*;

const DAY: i64 = 86_400_000;
const T0: i64 = 1_800_000_000_000;

fn lead(kind: LeadKind, number: &str, holder: &str) -> NewTwoCardLead {
    NewTwoCardLead {
        kind,
        number: number.into(),
        resident_id: holder.into(),
        holder_name: "  张三 ".into(),
        reason: "开卡后短期大额流水".into(),
        source: LeadSource::National,
        batch: "2027-01-15".into(),
        upstream_id: String::new(),
        place: String::new(),
    }
}

async fn audits(store: &Store, action: &str) -> usize {
    let page = store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(100))
        .await
        .unwrap();
    page.items.iter().filter(|e| e.action == action).count()
}

pub async fn leads_are_received_once_and_placed_at_the_holders_residence(store: &Store) {
    with_tree(store).await;
    store
        .people()
        .upsert(&[person(1, "330281001001"), person(2, "330282001001")])
        .await
        .unwrap();
    let repo = store.two_card_leads();
    let yuyao = store.units().scope("330281").await.unwrap();
    let batch = vec![
        lead(LeadKind::BankCard, "6222020000000000001", &resident_id(1)),
        // Registered, but outside 余姚: stays with the importer.
        lead(LeadKind::Sim, "13800000002", &resident_id(2)),
        lead(LeadKind::Sim, "13800000009", &resident_id(9)),
    ];
    let got = repo
        .import(&yuyao, "330281", &batch, "analyst", T0, 7)
        .await
        .unwrap();
    assert_eq!((got.ids.len(), got.duplicates, got.by_residence), (3, 0, 1));
    let again = repo
        .import(&yuyao, "330281", &batch, "analyst", T0 + 1, 7)
        .await
        .unwrap();
    assert_eq!((again.ids.len(), again.duplicates), (0, 3));
    // Another batch of the same card is a new lead.
    let mut next = batch[0].clone();
    next.batch = "2027-01-16".into();
    next.upstream_id = " LK-0016-1 ".into();
    let third = repo
        .import(&yuyao, "330281", &[next], "analyst", T0 + 2, 7)
        .await
        .unwrap();
    assert_eq!(third.ids.len(), 1);

    let by_batch = LeadFilter {
        batch: Some("2027-01-16".into()),
        ..LeadFilter::default()
    };
    let page = repo
        .list(&yuyao, &by_batch, &PageRequest::first(10), T0)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].upstream_id, "LK-0016-1");
    let first = repo.get(&yuyao, got.ids[0]).await.unwrap();
    assert_eq!(first.upstream_id, "");
    assert_eq!(first.unit_code, "330281001001");
    assert_eq!(first.holder_name, "张三");
    assert_eq!(first.state, LeadState::Pending);
    assert_eq!(first.deadline, T0 + 7 * DAY);
    assert_eq!(
        repo.get(&yuyao, got.ids[1]).await.unwrap().unit_code,
        "330281"
    );

    // The township sees only the lead placed in it; 慈溪 sees none.
    let yangming = store.units().scope("330281001").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let f = LeadFilter::default();
    assert_eq!(repo.count(&yuyao, &f, T0).await.unwrap(), 4);
    assert_eq!(repo.count(&yangming, &f, T0).await.unwrap(), 2);
    assert_eq!(repo.count(&cixi, &f, T0).await.unwrap(), 0);
    assert!(matches!(
        repo.get(&cixi, got.ids[0]).await,
        Err(StoreError::NotFound { .. })
    ));
    // Importing for a unit outside the scope is refused.
    assert!(matches!(
        repo.import(&yangming, "330282", &batch, "x", T0, 7).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(audits(store, "two_card_leads_imported").await, 3);
}

pub async fn leads_are_checked_once_inside_the_area_and_counted(store: &Store) {
    with_tree(store).await;
    store
        .people()
        .upsert(&[person(1, "330281001001")])
        .await
        .unwrap();
    let repo = store.two_card_leads();
    let yuyao = store.units().scope("330281").await.unwrap();
    let leads: Vec<_> = (0..5)
        .map(|i| {
            lead(
                LeadKind::BankCard,
                &format!("622202000000000010{i}"),
                &resident_id(1),
            )
        })
        .collect();
    let ids = repo
        .import(&yuyao, "330281", &leads, "analyst", T0, 7)
        .await
        .unwrap()
        .ids;
    let cixi = store.units().scope("330282").await.unwrap();
    assert!(matches!(
        repo.record_result(&cixi, ids[0], LeadResult::Sold, "", "other", T0 + DAY)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    // 其他 needs a note.
    assert!(matches!(
        repo.record_result(&yuyao, ids[0], LeadResult::Other, " ", "cmd", T0 + DAY)
            .await,
        Err(StoreError::Invalid { .. })
    ));
    let checked = repo
        .record_result(
            &yuyao,
            ids[0],
            LeadResult::Sold,
            " 以500元出售 ",
            "cmd",
            T0 + DAY,
        )
        .await
        .unwrap();
    assert_eq!(checked.state, LeadState::Checked);
    assert_eq!(checked.note, "以500元出售");
    assert_eq!(
        repo.get(&yuyao, ids[0]).await.unwrap(),
        checked,
        "stored as returned"
    );
    assert!(matches!(
        repo.record_result(&yuyao, ids[0], LeadResult::Normal, "", "cmd", T0 + DAY)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    repo.record_result(&yuyao, ids[1], LeadResult::Lent, "", "cmd", T0 + DAY)
        .await
        .unwrap();
    repo.record_result(&yuyao, ids[2], LeadResult::Normal, "", "cmd", T0 + DAY)
        .await
        .unwrap();
    assert_eq!(audits(store, "two_card_lead_checked").await, 3);

    let late = T0 + 8 * DAY;
    let f = repo.figures(&yuyao, late).await.unwrap();
    assert_eq!((f.received, f.checked, f.pending, f.overdue), (5, 3, 2, 2));
    assert_eq!(f.by_result.get(&LeadResult::Sold), Some(&1));
    assert_eq!(f.given_away(), 2);
    assert!((f.given_away_share().unwrap() - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(repo.figures(&yuyao, T0).await.unwrap().overdue, 0);
    assert_eq!(repo.figures(&cixi, late).await.unwrap().received, 0);

    // 打击处理: only the holder of a card lent or sold, inside the area, never ahead of time.
    assert_eq!((f.dealt_with, f.coercive), (0, 0));
    let r = repo
        .set_measure(
            &yuyao,
            ids[2],
            SuspectMeasure::Education,
            T0,
            "cmd",
            T0 + DAY,
        )
        .await;
    assert!(matches!(r, Err(StoreError::Conflict { .. })), "{r:?}");
    let r = repo
        .set_measure(&cixi, ids[1], SuspectMeasure::Arrest, T0, "x", T0 + DAY)
        .await;
    assert!(matches!(r, Err(StoreError::NotFound { .. })), "{r:?}");
    let r = repo
        .set_measure(
            &yuyao,
            ids[1],
            SuspectMeasure::Arrest,
            T0 + 2 * DAY,
            "cmd",
            T0 + DAY,
        )
        .await;
    assert!(matches!(r, Err(StoreError::Invalid { .. })), "{r:?}");
    let dealt = repo
        .set_measure(
            &yuyao,
            ids[1],
            SuspectMeasure::CriminalDetention,
            T0,
            "cmd",
            T0 + DAY,
        )
        .await
        .unwrap();
    assert_eq!(dealt.measure, Some(SuspectMeasure::CriminalDetention));
    repo.set_measure(
        &yuyao,
        ids[0],
        SuspectMeasure::Education,
        T0,
        "cmd",
        T0 + DAY,
    )
    .await
    .unwrap();
    // Both leads are cards of one holder: one person dealt with, under coercion.
    let f = repo.figures(&yuyao, late).await.unwrap();
    assert_eq!((f.dealt_with, f.coercive), (1, 1));
    assert_eq!(audits(store, "two_card_lead_measure_set").await, 2);

    // Filters and pages.
    let overdue = LeadFilter {
        overdue: true,
        ..LeadFilter::default()
    };
    assert_eq!(repo.count(&yuyao, &overdue, late).await.unwrap(), 2);
    assert_eq!(repo.count(&yuyao, &overdue, T0).await.unwrap(), 0);
    let sold = LeadFilter {
        result: Some(LeadResult::Sold),
        ..LeadFilter::default()
    };
    let page = repo
        .list(&yuyao, &sold, &PageRequest::first(10), late)
        .await
        .unwrap();
    assert_eq!(
        page.items.iter().map(|l| l.id).collect::<Vec<_>>(),
        vec![ids[0]]
    );
    let pending = LeadFilter {
        state: Some(LeadState::Pending),
        ..LeadFilter::default()
    };
    assert_eq!(repo.count(&yuyao, &pending, late).await.unwrap(), 2);
    let mut seen = Vec::new();
    let mut request = PageRequest::first(2);
    loop {
        let page = repo
            .list(&yuyao, &LeadFilter::default(), &request, late)
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|l| l.id));
        match page.next {
            Some(next) => request.after = Some(next),
            None => break,
        }
    }
    let mut want = ids.clone();
    want.reverse();
    assert_eq!(seen, want, "latest first, every lead once");
}

pub async fn roaming_leads_keep_their_place_and_take_the_results_of_their_kind(store: &Store) {
    with_tree(store).await;
    store
        .people()
        .upsert(&[person(1, "330281001001"), person(3, "330281002001")])
        .await
        .unwrap();
    let repo = store.two_card_leads();
    let yuyao = store.units().scope("330281").await.unwrap();
    let roaming = |number: &str, holder: &str| NewTwoCardLead {
        place: "  缅甸妙瓦底 ".into(),
        reason: "境外高危地区漫游".into(),
        ..lead(LeadKind::Roaming, number, holder)
    };
    let got = repo
        .import(
            &yuyao,
            "330281",
            &[
                roaming("13800000101", &resident_id(1)),
                roaming("13800000103", &resident_id(3)),
                lead(LeadKind::Sim, "13800000101", &resident_id(1)),
            ],
            "analyst",
            T0,
            7,
        )
        .await
        .unwrap();
    // The same number as a phone-card lead and as a roaming lead: two leads.
    assert_eq!((got.ids.len(), got.duplicates), (3, 0));
    let abroad = repo.get(&yuyao, got.ids[0]).await.unwrap();
    assert_eq!(
        (
            abroad.kind,
            abroad.place.as_str(),
            abroad.unit_code.as_str()
        ),
        (LeadKind::Roaming, "缅甸妙瓦底", "330281001001")
    );
    assert_eq!(repo.get(&yuyao, got.ids[2]).await.unwrap().place, "");
    let roaming_only = LeadFilter {
        kind: Some(LeadKind::Roaming),
        ..LeadFilter::default()
    };
    assert_eq!(repo.count(&yuyao, &roaming_only, T0).await.unwrap(), 2);

    // A card's result on a roaming lead, a roaming result on a card: refused, nothing written.
    for (id, result) in [
        (got.ids[0], LeadResult::Normal),
        (got.ids[0], LeadResult::Cancelled),
        (got.ids[2], LeadResult::Abroad),
        (got.ids[2], LeadResult::Travel),
    ] {
        let err = repo
            .record_result(&yuyao, id, result, "", "station", T0 + DAY)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Invalid { .. }), "{err:?}");
    }
    assert_eq!(audits(store, "two_card_lead_checked").await, 0);
    let checked = repo
        .record_result(
            &yuyao,
            got.ids[0],
            LeadResult::Abroad,
            "家属称其在妙瓦底务工",
            "station",
            T0 + DAY,
        )
        .await
        .unwrap();
    assert_eq!(checked.result, Some(LeadResult::Abroad));
    repo.record_result(
        &yuyao,
        got.ids[1],
        LeadResult::Returned,
        "",
        "station",
        T0 + DAY,
    )
    .await
    .unwrap();
    repo.record_result(
        &yuyao,
        got.ids[2],
        LeadResult::Lent,
        "",
        "station",
        T0 + DAY,
    )
    .await
    .unwrap();
    let f = repo.figures(&yuyao, T0 + DAY).await.unwrap();
    assert_eq!(f.checked, 3);
    assert_eq!(f.by_result.get(&LeadResult::Abroad), Some(&1));
    assert_eq!(f.by_result.get(&LeadResult::Returned), Some(&1));
    // Only cards given away count as given away.
    assert_eq!(f.given_away(), 1);
    // New leads after the rebuilt table take fresh ids.
    let more = repo
        .import(
            &yuyao,
            "330281",
            &[roaming("13800000104", &resident_id(1))],
            "analyst",
            T0 + 2 * DAY,
            7,
        )
        .await
        .unwrap();
    assert!(more.ids[0] > got.ids[2]);
}
