//! The victim's occupation on cases (受害人职业): stored and read back for every category, the
//! text of 其他 kept, searched by category and as unknown, and counted per occupation inside
//! the scope and the period, the lines adding up to the cases.

use crate::fixtures::with_tree;
use fanzha_store::*;

const T0: i64 = 1_800_000_000_000;
const DAY: i64 = 86_400_000;

fn case(id: &str, unit: &str, at: i64, occupation: Option<Occupation>) -> NewCase {
    NewCase {
        id: id.into(),
        unit_code: unit.into(),
        reported_at: at,
        loss_fen: 10_000,
        narrative: "刷单返利".into(),
        top_terms: serde_json::json!([]),
        source: "form".into(),
        named: serde_json::json!({}),
        created_by: "t".into(),
        created_at: at,
        occupation,
        ..NewCase::default()
    }
}

async fn ids(store: &Store, scope: &Scope, filter: &CaseFilter) -> Vec<String> {
    let page = store
        .cases()
        .search(scope, filter, &PageRequest::first(100))
        .await
        .unwrap();
    let n = store.cases().count(scope, filter).await.unwrap();
    assert_eq!(n, page.items.len() as i64, "count agrees with the rows");
    let mut ids: Vec<String> = page.items.into_iter().map(|c| c.id).collect();
    ids.sort();
    ids
}

pub async fn every_occupation_is_stored_searched_and_the_unknown_found(store: &Store) {
    with_tree(store).await;
    for (i, o) in Occupation::ALL.iter().enumerate() {
        let c = case(&format!("O{i:02}"), "330281001001", T0 + i as i64, Some(*o));
        assert!(store.cases().create(&c).await.unwrap(), "{o}");
    }
    let other = NewCase {
        occupation_text: Some("保洁员".into()),
        ..case("OX", "330281001001", T0, Some(Occupation::Other))
    };
    assert!(store.cases().create(&other).await.unwrap());
    assert!(store
        .cases()
        .create(&case("ON", "330281001001", T0, None))
        .await
        .unwrap());
    // Text is kept only beside 其他.
    let err = store
        .cases()
        .create(&NewCase {
            occupation_text: Some("保洁员".into()),
            ..case("OY", "330281001001", T0, Some(Occupation::Student))
        })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid { .. }), "{err:?}");

    let all = Scope::platform();
    for (i, o) in Occupation::ALL.iter().enumerate() {
        let c = store.cases().get(&all, &format!("O{i:02}")).await.unwrap();
        assert_eq!(c.occupation, Some(*o));
        assert_eq!(c.occupation_text, None);
    }
    let c = store.cases().get(&all, "OX").await.unwrap();
    assert_eq!(
        (c.occupation, c.occupation_text.as_deref()),
        (Some(Occupation::Other), Some("保洁员"))
    );
    assert_eq!(
        store.cases().get(&all, "ON").await.unwrap().occupation,
        None
    );

    let of = |o| CaseFilter {
        occupation: Some(o),
        ..CaseFilter::default()
    };
    assert_eq!(
        ids(store, &all, &of(OccupationFilter::Is(Occupation::Student))).await,
        ["O03"]
    );
    assert_eq!(
        ids(store, &all, &of(OccupationFilter::Is(Occupation::Other))).await,
        ["O12", "OX"]
    );
    assert_eq!(
        ids(store, &all, &of(OccupationFilter::Unknown)).await,
        ["ON"]
    );
    // With the other conditions (AND).
    let filter = CaseFilter {
        occupation: Some(OccupationFilter::Is(Occupation::Retired)),
        from_ms: Some(T0 + 100),
        ..CaseFilter::default()
    };
    assert!(ids(store, &all, &filter).await.is_empty());
}

pub async fn cases_are_counted_by_occupation_inside_the_scope_and_period(store: &Store) {
    with_tree(store).await;
    let cases = [
        // 余姚: two employees, a self-employed victim, one unknown; one employee the day after.
        case("A1", "330281001001", T0, Some(Occupation::CompanyEmployee)),
        NewCase {
            loss_fen: 90_000,
            ..case(
                "A2",
                "330281002001",
                T0 + 1,
                Some(Occupation::CompanyEmployee),
            )
        },
        case("A3", "330281001002", T0 + 2, Some(Occupation::SelfEmployed)),
        NewCase {
            loss_fen: 5,
            ..case("A4", "330281001001", T0 + 3, None)
        },
        case(
            "A5",
            "330281001001",
            T0 + DAY,
            Some(Occupation::CompanyEmployee),
        ),
        // 慈溪: another county's student.
        case("B1", "330282001001", T0, Some(Occupation::Student)),
    ];
    for c in &cases {
        assert!(store.cases().create(c).await.unwrap());
    }
    let county = store.units().scope("330281").await.unwrap();
    let mut got = store
        .cases()
        .by_occupation(&county, T0, T0 + DAY)
        .await
        .unwrap();
    got.sort_by_key(|t| t.occupation);
    assert_eq!(
        got,
        [
            OccupationTally {
                occupation: None,
                cases: 1,
                loss_fen: 5
            },
            OccupationTally {
                occupation: Some(Occupation::CompanyEmployee),
                cases: 2,
                loss_fen: 100_000
            },
            OccupationTally {
                occupation: Some(Occupation::SelfEmployed),
                cases: 1,
                loss_fen: 10_000
            },
        ]
    );
    // The lines add up to the period's cases of the scope.
    let total: i64 = got.iter().map(|t| t.cases).sum();
    let filter = CaseFilter {
        from_ms: Some(T0),
        to_ms: Some(T0 + DAY),
        ..CaseFilter::default()
    };
    assert_eq!(total, store.cases().count(&county, &filter).await.unwrap());
    let whole = store
        .cases()
        .by_occupation(&Scope::platform(), T0, T0 + 2 * DAY)
        .await
        .unwrap();
    assert_eq!(whole.iter().map(|t| t.cases).sum::<i64>(), 6);
    assert!(store
        .cases()
        .by_occupation(&county, T0 + 2 * DAY, T0 + 3 * DAY)
        .await
        .unwrap()
        .is_empty());
}
