//! Webhook subscriptions and deliveries: validation, the retry schedule, the dead-letter list.

use crate::fixtures::with_tree;
use fanzha_core::error_code::{Coded, ErrorCode};
use fanzha_store::*;
use serde_json::json;

const SECRET: &str = "s3cret-s3cret-s3cret";

fn new_webhook(unit: &str, url: &str) -> NewWebhook {
    NewWebhook {
        unit_code: unit.into(),
        url: url.into(),
        secret: SECRET.into(),
        created_at: 1_000,
    }
}

/// Subscriptions are validated, listed, switched off and on; the secret never leaks into
/// `Debug` or JSON.
pub async fn webhooks_are_validated_and_listed(store: &Store) {
    with_tree(store).await;
    let repo = store.webhooks();
    let unknown = repo
        .create(&new_webhook("999999", "http://127.0.0.1:9/hook"))
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), ErrorCode::UnitNotFound, "{unknown}");
    let bad_url = repo
        .create(&new_webhook("330281", "ftp://example.org/hook"))
        .await
        .unwrap_err();
    assert_eq!(bad_url.code(), ErrorCode::RecordInvalid, "{bad_url}");
    let mut short = new_webhook("330281", "http://127.0.0.1:9/hook");
    short.secret = "short".into();
    let short = repo.create(&short).await.unwrap_err();
    assert_eq!(short.code(), ErrorCode::RecordInvalid, "{short}");

    let a = repo
        .create(&new_webhook("330281", "http://127.0.0.1:9/a"))
        .await
        .unwrap();
    let b = repo
        .create(&new_webhook("330282", "https://hooks.example.org/b"))
        .await
        .unwrap();
    assert_ne!(a.id, b.id);
    assert!(a.active && b.active);
    assert_eq!(repo.get(a.id).await.unwrap(), a);
    assert_eq!(repo.get(b.id).await.unwrap().secret, SECRET);
    assert_eq!(repo.list(false).await.unwrap(), vec![a.clone(), b.clone()]);

    repo.set_active(a.id, false).await.unwrap();
    let active: Vec<i64> = repo
        .list(true)
        .await
        .unwrap()
        .iter()
        .map(|w| w.id)
        .collect();
    assert_eq!(active, vec![b.id]);
    assert_eq!(repo.list(false).await.unwrap().len(), 2);
    repo.set_active(a.id, true).await.unwrap();
    assert_eq!(repo.list(true).await.unwrap().len(), 2);
    let missing = repo.set_active(a.id + b.id + 100, true).await.unwrap_err();
    assert_eq!(missing.code(), ErrorCode::NotFound);

    assert!(!format!("{a:?}").contains(SECRET));
    assert!(!serde_json::to_string(&a).unwrap().contains(SECRET));
}

/// Each failure pushes the next attempt out by the schedule; after the last attempt the
/// delivery is dead and listed as a dead letter; a requeued one can then be delivered.
pub async fn failed_deliveries_back_off_then_land_in_dead_letters(store: &Store) {
    with_tree(store).await;
    let repo = store.webhooks();
    let hook = repo
        .create(&new_webhook("330281", "http://127.0.0.1:9/hook"))
        .await
        .unwrap();
    let notice =
        json!({"kind": "warning", "unit_code": "330281001001", "level": 1, "名称": "红色预警"});
    let id = repo.enqueue(hook.id, &notice, 10_000).await.unwrap();
    let d = repo.delivery(id).await.unwrap();
    assert_eq!(
        (
            d.state,
            d.attempts,
            d.next_attempt_at,
            d.created_at,
            &d.notice
        ),
        (DeliveryState::Pending, 0, 10_000, 10_000, &notice)
    );
    assert!(repo.due(9_999, 10).await.unwrap().is_empty());
    let due = repo.due(10_000, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(
        (
            due[0].delivery.id,
            due[0].url.as_str(),
            due[0].secret.as_str()
        ),
        (id, "http://127.0.0.1:9/hook", SECRET)
    );

    let schedule = [10_000, 30_000];
    let s = repo
        .mark_failed(id, "HTTP 500", 10_000, &schedule)
        .await
        .unwrap();
    assert_eq!(s, DeliveryState::Pending);
    let d = repo.delivery(id).await.unwrap();
    assert_eq!((d.attempts, d.next_attempt_at), (1, 20_000));
    assert_eq!(d.last_error.as_deref(), Some("HTTP 500"));
    assert!(repo.due(19_999, 10).await.unwrap().is_empty());
    assert_eq!(repo.due(20_000, 10).await.unwrap().len(), 1);

    let s = repo
        .mark_failed(id, "connection refused", 20_000, &schedule)
        .await
        .unwrap();
    assert_eq!(s, DeliveryState::Pending);
    assert_eq!(repo.delivery(id).await.unwrap().next_attempt_at, 50_000);
    assert!(repo.dead_letters(10).await.unwrap().is_empty());

    let s = repo
        .mark_failed(id, "HTTP 503", 50_000, &schedule)
        .await
        .unwrap();
    assert_eq!(s, DeliveryState::Dead);
    assert!(repo.due(i64::MAX / 2, 10).await.unwrap().is_empty());
    let dead = repo.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(
        (dead[0].id, dead[0].attempts, dead[0].last_error.as_deref()),
        (id, 3, Some("HTTP 503"))
    );
    assert_eq!(dead[0].notice, notice);

    // A dead delivery is finished: neither delivered nor failed again.
    let e = repo.mark_delivered(id, 60_000).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict, "{e}");
    let e = repo
        .mark_failed(id, "again", 60_000, &schedule)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict, "{e}");

    repo.requeue(id, 70_000).await.unwrap();
    assert!(repo.dead_letters(10).await.unwrap().is_empty());
    assert_eq!(repo.due(70_000, 10).await.unwrap().len(), 1);
    repo.mark_delivered(id, 70_001).await.unwrap();
    let d = repo.delivery(id).await.unwrap();
    assert_eq!(
        (d.state, d.attempts, d.delivered_at, d.last_error.clone()),
        (DeliveryState::Delivered, 1, Some(70_001), None)
    );
    assert!(repo.due(i64::MAX / 2, 10).await.unwrap().is_empty());
    let e = repo.requeue(id, 80_000).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict, "{e}");
    assert_eq!(repo.deliveries(hook.id).await.unwrap(), vec![d]);
}

/// Due deliveries come earliest first, at most `limit`, and never for a switched-off
/// subscription; an empty schedule means one attempt only.
pub async fn due_deliveries_are_ordered_limited_and_skip_inactive(store: &Store) {
    with_tree(store).await;
    let repo = store.webhooks();
    let on = repo
        .create(&new_webhook("330281", "http://127.0.0.1:9/on"))
        .await
        .unwrap();
    let off = repo
        .create(&new_webhook("3302", "http://127.0.0.1:9/off"))
        .await
        .unwrap();
    let late = repo.enqueue(on.id, &json!({"n": 2}), 2_000).await.unwrap();
    let early = repo.enqueue(on.id, &json!({"n": 1}), 1_000).await.unwrap();
    let hidden = repo.enqueue(off.id, &json!({"n": 0}), 500).await.unwrap();
    repo.set_active(off.id, false).await.unwrap();

    let ids: Vec<i64> = repo
        .due(5_000, 10)
        .await
        .unwrap()
        .iter()
        .map(|d| d.delivery.id)
        .collect();
    assert_eq!(ids, vec![early, late]);
    let first = repo.due(5_000, 1).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].delivery.id, early);

    // Switched back on, its waiting delivery is due again.
    repo.set_active(off.id, true).await.unwrap();
    assert_eq!(repo.due(5_000, 10).await.unwrap()[0].delivery.id, hidden);

    assert_eq!(
        repo.mark_failed(hidden, "HTTP 404", 5_000, &[])
            .await
            .unwrap(),
        DeliveryState::Dead
    );
    assert_eq!(repo.dead_letters(10).await.unwrap()[0].id, hidden);
}
