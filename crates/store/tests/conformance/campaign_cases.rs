//! Campaigns (专项行动): recorded for a unit of the recorder's area over a forward period of at
//! most a year, named uniquely per unit, audited, and listed by area, the latest first.

use crate::fixtures::with_tree;
use fanzha_store::*;

const DAY: i64 = 86_400_000;
const T0: i64 = 1_800_000_000_000;

fn campaign(unit: &str, name: &str, start_day: i64, days: i64) -> NewCampaign {
    NewCampaign {
        unit_code: unit.into(),
        name: name.into(),
        starts_at: T0 + start_day * DAY,
        ends_at: T0 + (start_day + days) * DAY,
        goal: "打掉团伙、抓获网上逃犯".into(),
        by: "analyst".into(),
        at: T0,
    }
}

pub async fn campaigns_are_recorded_per_unit_and_listed_by_area(store: &Store) {
    with_tree(store).await;
    let city = store.units().scope("3302").await.unwrap();
    let yuyao = store.units().scope("330281").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let repo = store.campaigns();
    let spring = repo
        .create(&city, &campaign("3302", " “迎庆”专项行动 ", 0, 60))
        .await
        .unwrap();
    let cards = repo
        .create(&yuyao, &campaign("330281", "断卡行动", 30, 90))
        .await
        .unwrap();
    // The same name again in the unit; another unit may use it.
    assert!(matches!(
        repo.create(&yuyao, &campaign("330281", "断卡行动", 0, 10))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    repo.create(&cixi, &campaign("330282", "断卡行动", 0, 10))
        .await
        .unwrap();
    // Backwards, too long, nameless, outside the area: refused, nothing stored.
    for (scope, bad) in [
        (&yuyao, campaign("330281", "倒置", 10, -5)),
        (&yuyao, campaign("330281", "太长", 0, MAX_CAMPAIGN_DAYS + 1)),
        (&yuyao, campaign("330281", " ", 0, 10)),
    ] {
        assert!(
            matches!(
                repo.create(scope, &bad).await,
                Err(StoreError::Invalid { .. })
            ),
            "{bad:?}"
        );
    }
    assert!(matches!(
        repo.create(&yuyao, &campaign("330282", "越界", 0, 10))
            .await,
        Err(StoreError::NotFound { .. })
    ));

    let listed = repo.list(&yuyao).await.unwrap();
    assert_eq!(
        listed.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![cards],
        "余姚 reads its own, not the city's or 慈溪's"
    );
    let all = repo.list(&city).await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all.last().unwrap().id, spring, "the latest start first");
    assert_eq!(all.last().unwrap().name, "“迎庆”专项行动", "trimmed");
    assert!(all[0].running(T0 + 40 * DAY) && !all[0].running(T0 + 200 * DAY));
    let audit = store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(50))
        .await
        .unwrap();
    assert_eq!(
        audit
            .items
            .iter()
            .filter(|a| a.action == "campaign_created")
            .count(),
        3
    );
}
