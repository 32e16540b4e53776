//! 通报: numbered per issuer and year, addressed to the units directly below, read along the
//! issuer's line and from above, signed once by each recipient unit for itself.

use crate::fixtures::with_tree;
use fanzha_store::*;

/// 2027-01-15T08:00:00Z.
const T0: i64 = 1_800_000_000_000;
const YEAR_MS: i64 = 366 * 86_400_000;

async fn reader(store: &Store, code: &str) -> BulletinReader {
    BulletinReader {
        unit: store.units().get(code).await.unwrap(),
        scope: store.units().scope(code).await.unwrap(),
    }
}

fn bulletin(unit: &str, kind: BulletinKind, title: &str) -> NewBulletin {
    NewBulletin {
        unit_code: unit.into(),
        kind,
        title: format!("  {title} "),
        period: "2027年1月1日至1月14日".into(),
        fraud_type: None,
        body: "一、发案情况\n共发案3起。".into(),
        issued_by: "commander".into(),
    }
}

async fn ids(store: &Store, r: &BulletinReader, filter: &BulletinFilter) -> Vec<i64> {
    let mut ids: Vec<i64> = store
        .bulletins()
        .list(r, filter, &PageRequest::first(50))
        .await
        .unwrap()
        .items
        .iter()
        .map(|b| b.id)
        .collect();
    ids.sort();
    ids
}

pub async fn bulletins_are_numbered_addressed_below_and_read_along_the_line(store: &Store) {
    with_tree(store).await;
    let b = store.bulletins();
    let yuyao = store.units().scope("330281").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let first = b
        .issue(
            &yuyao,
            &bulletin("330281", BulletinKind::Situation, "一月上半月情况通报"),
            T0,
        )
        .await
        .unwrap();
    assert_eq!(
        (
            first.year,
            first.number,
            first.title.as_str(),
            first.recipients,
            first.signed
        ),
        (2027, 1, "一月上半月情况通报", 2, 0)
    );
    let second = b
        .issue(
            &yuyao,
            &bulletin("330281", BulletinKind::Methods, "“退费”新手法"),
            T0 + 1,
        )
        .await
        .unwrap();
    assert_eq!(second.number, 2);
    let theirs = b
        .issue(
            &cixi,
            &bulletin("330282", BulletinKind::Situation, "慈溪通报"),
            T0 + 2,
        )
        .await
        .unwrap();
    assert_eq!(theirs.number, 1, "each issuer counts its own");
    let next_year = b
        .issue(
            &yuyao,
            &bulletin("330281", BulletinKind::Situation, "新年第一期"),
            T0 + YEAR_MS,
        )
        .await
        .unwrap();
    assert_eq!((next_year.year, next_year.number), (2028, 1));

    // Refused: another county's unit, a unit with nobody below, an empty title.
    for (scope, new) in [
        (&yuyao, bulletin("330282", BulletinKind::Situation, "x")),
        (
            &yuyao,
            bulletin("330281001001", BulletinKind::Situation, "x"),
        ),
        (&yuyao, bulletin("330281", BulletinKind::Situation, " ")),
    ] {
        let err = b.issue(scope, &new, T0).await.unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::NotFound { .. } | StoreError::Invalid { .. }
            ),
            "{err:?}"
        );
    }

    // Read along the line: a township and a village under 余姚 read 余姚's, not 慈溪's; the
    // city reads both.
    let all = BulletinFilter::default();
    let ours = vec![first.id, second.id, next_year.id];
    assert_eq!(
        ids(store, &reader(store, "330281001").await, &all).await,
        ours
    );
    assert_eq!(
        ids(store, &reader(store, "330281001001").await, &all).await,
        ours
    );
    let city = ids(store, &reader(store, "3302").await, &all).await;
    assert_eq!(city.len(), 4);
    let township = reader(store, "330281001").await;
    assert!(matches!(
        b.get(&township, theirs.id).await,
        Err(StoreError::NotFound { .. })
    ));
    let methods = BulletinFilter {
        kind: Some(BulletinKind::Methods),
        ..BulletinFilter::default()
    };
    assert_eq!(ids(store, &township, &methods).await, vec![second.id]);
    let got = b.get(&township, first.id).await.unwrap();
    assert_eq!(got.body, "一、发案情况\n共发案3起。");
}

pub async fn each_recipient_unit_signs_once_for_itself(store: &Store) {
    with_tree(store).await;
    let b = store.bulletins();
    let yuyao = store.units().scope("330281").await.unwrap();
    let one = b
        .issue(
            &yuyao,
            &bulletin("330281", BulletinKind::Situation, "第一期"),
            T0,
        )
        .await
        .unwrap();
    let two = b
        .issue(
            &yuyao,
            &bulletin("330281", BulletinKind::Situation, "第二期"),
            T0 + 1,
        )
        .await
        .unwrap();
    let yangming = reader(store, "330281001").await;
    let lizhou = reader(store, "330281002").await;
    let unsigned = BulletinFilter {
        unsigned_only: true,
        ..BulletinFilter::default()
    };
    assert_eq!(ids(store, &yangming, &unsigned).await, vec![one.id, two.id]);
    b.sign(&yangming, one.id, "station", T0 + 10).await.unwrap();
    assert_eq!(ids(store, &yangming, &unsigned).await, vec![two.id]);
    assert_eq!(ids(store, &lizhou, &unsigned).await, vec![one.id, two.id]);
    assert!(matches!(
        b.sign(&yangming, one.id, "station", T0 + 11).await,
        Err(StoreError::Conflict { .. })
    ));
    // A village reads it but is not addressed; another county cannot read it.
    assert!(matches!(
        b.sign(&reader(store, "330281001001").await, one.id, "grid", T0)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        b.sign(&reader(store, "330282001").await, one.id, "x", T0)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    // The issuer is not a recipient of its own bulletin.
    assert!(matches!(
        b.sign(&reader(store, "330281").await, one.id, "x", T0)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let county = reader(store, "330281").await;
    assert_eq!(b.get(&county, one.id).await.unwrap().signed, 1);
    let receipts = b.receipts(&county, one.id).await.unwrap();
    assert_eq!(
        receipts
            .iter()
            .map(|r| (r.unit_code.as_str(), r.signed_by.as_deref(), r.signed_at))
            .collect::<Vec<_>>(),
        vec![
            ("330281001", Some("station"), Some(T0 + 10)),
            ("330281002", None, None)
        ]
    );
    let audit = store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(50))
        .await
        .unwrap();
    let count = |a: &str| audit.items.iter().filter(|e| e.action == a).count();
    assert_eq!((count("bulletin_issued"), count("bulletin_signed")), (2, 1));
}
