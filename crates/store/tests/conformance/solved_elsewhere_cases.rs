//! 带破外地案件 / 上级下发线索破案: an entry is kept once per kind and reference, for a unit of the
//! recorder's area only, audited with it; the list and the tally read a period by area.

use crate::fixtures::with_tree;
use fanzha_core::error_code::{Coded, ErrorCode};
use fanzha_store::*;

const DAY: i64 = 86_400_000;
const T0: i64 = 1_800_000_000_000;

fn entry(unit: &str, kind: SolvedElsewhereKind, reference: &str, day: i64) -> NewSolvedElsewhere {
    NewSolvedElsewhere {
        unit_code: unit.into(),
        kind,
        reference: reference.into(),
        origin: "四川省成都市公安局".into(),
        fraud_type: Some("impersonating_police".into()),
        loss_fen: 1_200_000,
        solved_on: T0 + day * DAY,
        note: String::new(),
        created_by: "analyst".into(),
    }
}

pub async fn cases_solved_elsewhere_are_kept_once_and_counted_by_area(store: &Store) {
    with_tree(store).await;
    let repo = store.solved_elsewhere();
    let yuyao = store.units().scope("330281").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    use SolvedElsewhereKind::*;
    let now = T0 + 30 * DAY;
    for e in [
        entry("330281", OtherArea, "A5101002026001", 1),
        entry("330281001", UpstreamLead, "XS-2026-0301", 2),
        entry("330281002", OtherArea, "A4403002026077", 20),
    ] {
        repo.record(&yuyao, &e, now).await.unwrap();
    }
    repo.record(
        &cixi,
        &entry("330282", UpstreamLead, "XS-2026-0302", 3),
        now,
    )
    .await
    .unwrap();
    // Once per kind and reference; another county's unit and a future day are refused.
    let again = repo
        .record(
            &yuyao,
            &entry("330281001", OtherArea, "A5101002026001", 4),
            now,
        )
        .await
        .unwrap_err();
    assert_eq!(again.code(), ErrorCode::Conflict, "{again}");
    let outside = repo
        .record(&yuyao, &entry("330282", OtherArea, "A1", 4), now)
        .await
        .unwrap_err();
    assert!(
        matches!(outside.code(), ErrorCode::NotFound | ErrorCode::Forbidden),
        "{outside}"
    );
    let future = repo
        .record(&yuyao, &entry("330281", OtherArea, "A2", 31), now)
        .await
        .unwrap_err();
    assert_eq!(future.code(), ErrorCode::RecordInvalid, "{future}");
    let mut blank = entry("330281", OtherArea, " ", 4);
    blank.origin = String::new();
    assert_eq!(
        repo.record(&yuyao, &blank, now).await.unwrap_err().code(),
        ErrorCode::RecordInvalid
    );

    let first_ten = (T0, T0 + 10 * DAY);
    assert_eq!(
        repo.tally(&yuyao, first_ten).await.unwrap(),
        SolvedElsewhereTally {
            upstream_leads: 1,
            other_areas: 1
        }
    );
    assert_eq!(repo.tally(&yuyao, (T0, now)).await.unwrap().total(), 3);
    assert_eq!(
        repo.tally(&cixi, (T0, now)).await.unwrap().upstream_leads,
        1
    );
    let station = store.units().scope("330281002").await.unwrap();
    assert_eq!(
        repo.tally(&station, (T0, now)).await.unwrap().other_areas,
        1
    );
    let listed = repo.list(&yuyao, (T0, now), 100).await.unwrap();
    let refs: Vec<&str> = listed.iter().map(|e| e.reference.as_str()).collect();
    assert_eq!(
        refs,
        ["A4403002026077", "XS-2026-0301", "A5101002026001"],
        "latest first"
    );
    assert_eq!(
        repo.list(&yuyao, (T0, now), 1).await.unwrap().len(),
        2,
        "one past the limit"
    );
    let audited = store
        .audit()
        .list(&yuyao, &PageRequest::first(50))
        .await
        .unwrap()
        .items;
    assert_eq!(
        audited
            .iter()
            .filter(|a| a.action == "solved_elsewhere_recorded")
            .count(),
        3
    );
}
