//! Webhooks against a real HTTP receiver on 127.0.0.1: signatures, retries with backoff, the
//! dead-letter list, subtree matching, and deliveries that outlive the process.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use fanzha_store::{DeliveryState, NewUnit, NewWebhook, Store, UnitLevel, Webhook};
use fanzha_workflow::notify::{self, RoundReport, WebhookConfig, WebhookDispatcher};
use fanzha_workflow::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const T0: i64 = 1_800_000_000_000;
const SECRET: &str = "receiver-shared-secret-0123";
const CENTER: &str = "3302";
const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";

/// One request as the receiver saw it.
#[derive(Clone, Debug)]
struct Seen {
    signature_valid: bool,
    delivery: String,
    timestamp: String,
    body: serde_json::Value,
}

/// An HTTP receiver that checks signatures and answers 500 to the first `fail_first` requests.
struct Receiver {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    _server: tokio::task::JoinHandle<()>,
}

#[derive(Clone)]
struct ReceiverState {
    fail_first: usize,
    count: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

async fn hook(State(s): State<ReceiverState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let signature_valid = notify::verify(SECRET.as_bytes(), &body, &header("X-Fanzha-Signature"));
    s.seen.lock().unwrap().push(Seen {
        signature_valid,
        delivery: header("X-Fanzha-Delivery"),
        timestamp: header("X-Fanzha-Timestamp"),
        body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
    });
    if !signature_valid {
        return StatusCode::UNAUTHORIZED;
    }
    let n = s.count.fetch_add(1, Ordering::SeqCst);
    if n < s.fail_first {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

impl Receiver {
    async fn start(fail_first: usize) -> Receiver {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let state = ReceiverState {
            fail_first,
            count: Arc::new(AtomicUsize::new(0)),
            seen: seen.clone(),
        };
        let app = axum::Router::new()
            .route("/hook", post(hook))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Receiver {
            url: format!("http://{addr}/hook?source=fanzha"),
            seen,
            _server: server,
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn unit(code: &str, name: &str, level: UnitLevel, parent: Option<&str>) -> NewUnit {
    NewUnit {
        code: code.into(),
        name: name.into(),
        level,
        parent_code: parent.map(Into::into),
        division_code: Some(format!("{code:0<12}")),
        population: None,
    }
}

async fn open(dir: &tempfile::TempDir) -> Store {
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("fz.db").display());
    let store = Store::open(&url).await.expect("store");
    use UnitLevel::*;
    store
        .units()
        .upsert(&[
            unit(CENTER, "宁波市", City, None),
            unit(COUNTY, "余姚市", County, Some(CENTER)),
            unit(TOWNSHIP, "阳明街道", Township, Some(COUNTY)),
            unit(VILLAGE, "舜水社区", Village, Some(TOWNSHIP)),
            unit(OTHER_COUNTY, "慈溪市", County, Some(CENTER)),
        ])
        .await
        .expect("tree");
    store
}

async fn subscribe(store: &Store, unit: &str, url: &str, secret: &str) -> Webhook {
    store
        .webhooks()
        .create(&NewWebhook {
            unit_code: unit.into(),
            url: url.into(),
            secret: secret.into(),
            created_at: T0,
        })
        .await
        .expect("webhook")
}

fn config(delays_s: &[u64]) -> WebhookConfig {
    WebhookConfig {
        retry_delays: delays_s.iter().map(|s| Duration::from_secs(*s)).collect(),
        poll_interval: Duration::from_millis(20),
        batch: 8,
    }
}

fn warning_notice(unit: &str) -> Notice {
    Notice::Warning {
        warning_id: "YJ1".into(),
        instruction_id: "ZL1".into(),
        unit_code: unit.into(),
        level: 1,
        merged: false,
    }
}

async fn tree(store: &Store) -> UnitTree {
    UnitTree::load(store).await.expect("tree")
}

#[tokio::test]
async fn delivered_after_retries_with_a_valid_signature_each_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let receiver = Receiver::start(2).await;
    let hook = subscribe(&store, COUNTY, &receiver.url, SECRET).await;
    let dispatcher = WebhookDispatcher::new(store.clone(), config(&[10, 30, 120]));
    let notice = warning_notice(VILLAGE);

    let ids = dispatcher
        .enqueue(&notice, &tree(&store).await, T0)
        .await
        .unwrap();
    assert_eq!(ids.len(), 1);
    let id = ids[0];

    let retrying = RoundReport {
        retrying: 1,
        ..RoundReport::default()
    };
    assert_eq!(dispatcher.deliver_due(T0).await.unwrap(), retrying);
    let d = store.webhooks().delivery(id).await.unwrap();
    assert_eq!((d.attempts, d.next_attempt_at), (1, T0 + 10_000));
    assert_eq!(d.last_error.as_deref(), Some("HTTP 500"));
    // Not due before its backoff has passed.
    assert_eq!(
        dispatcher.deliver_due(T0 + 9_999).await.unwrap(),
        RoundReport::default()
    );
    assert_eq!(dispatcher.deliver_due(T0 + 10_000).await.unwrap(), retrying);
    assert_eq!(
        store.webhooks().delivery(id).await.unwrap().next_attempt_at,
        T0 + 40_000
    );
    let delivered = dispatcher.deliver_due(T0 + 40_000).await.unwrap();
    assert_eq!(delivered.delivered, 1, "{delivered:?}");

    let d = store.webhooks().delivery(id).await.unwrap();
    assert_eq!(
        (d.state, d.attempts, d.delivered_at, d.last_error.as_deref()),
        (DeliveryState::Delivered, 3, Some(T0 + 40_000), None)
    );
    assert_eq!(d.webhook_id, hook.id);
    assert_eq!(
        dispatcher.deliver_due(T0 + 1_000_000).await.unwrap(),
        RoundReport::default()
    );

    let seen = receiver.seen();
    assert_eq!(seen.len(), 3);
    let sent_at = [T0, T0 + 10_000, T0 + 40_000];
    for (k, s) in seen.iter().enumerate() {
        assert!(s.signature_valid, "attempt {k}: {s:?}");
        assert_eq!(s.delivery, id.to_string());
        assert_eq!(s.timestamp, sent_at[k].to_string());
        assert_eq!(s.body["delivery_id"], id);
        assert_eq!(s.body["attempt"], k as i64 + 1);
        assert_eq!(s.body["sent_at"], sent_at[k]);
        assert_eq!(s.body["created_at"], T0);
        assert_eq!(
            s.body["notice"],
            serde_json::to_value(&notice).unwrap(),
            "the notice is sent as announced"
        );
    }
    assert_eq!(seen[0].body["notice"]["kind"], "warning");
    assert_eq!(seen[0].body["notice"]["unit_code"], VILLAGE);
}

#[tokio::test]
async fn a_receiver_that_always_fails_ends_in_the_dead_letter_list() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let receiver = Receiver::start(usize::MAX).await;
    subscribe(&store, COUNTY, &receiver.url, SECRET).await;
    let delays = [10, 30, 120];
    let dispatcher = WebhookDispatcher::new(store.clone(), config(&delays));
    assert_eq!(dispatcher.config().max_attempts(), 4);
    let id = dispatcher
        .enqueue(&warning_notice(COUNTY), &tree(&store).await, T0)
        .await
        .unwrap()[0];

    let mut now = T0;
    for (k, delay) in delays.iter().enumerate() {
        let r = dispatcher.deliver_due(now).await.unwrap();
        assert_eq!(r.retrying, 1, "attempt {}: {r:?}", k + 1);
        assert!(store.webhooks().dead_letters(10).await.unwrap().is_empty());
        now += *delay as i64 * 1_000;
    }
    let last = dispatcher.deliver_due(now).await.unwrap();
    assert_eq!(last.dead, 1, "{last:?}");

    let dead = store.webhooks().dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(
        (dead[0].id, dead[0].state, dead[0].attempts),
        (id, DeliveryState::Dead, 4)
    );
    assert_eq!(dead[0].last_error.as_deref(), Some("HTTP 500"));
    // Dead means no further attempts, however late.
    assert_eq!(
        dispatcher.deliver_due(now + 86_400_000).await.unwrap(),
        RoundReport::default()
    );
    let seen = receiver.seen();
    assert_eq!(seen.len(), 4);
    assert!(seen.iter().all(|s| s.signature_valid));
}

#[tokio::test]
async fn an_unreachable_receiver_is_retried_and_dies_too() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    // Bound and dropped at once: nothing listens on this port.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    subscribe(&store, CENTER, &format!("http://{addr}/hook"), SECRET).await;
    let dispatcher = WebhookDispatcher::new(store.clone(), config(&[10]));
    let id = dispatcher
        .enqueue(&warning_notice(VILLAGE), &tree(&store).await, T0)
        .await
        .unwrap()[0];
    assert_eq!(dispatcher.deliver_due(T0).await.unwrap().retrying, 1);
    assert_eq!(dispatcher.deliver_due(T0 + 10_000).await.unwrap().dead, 1);
    let d = store.webhooks().delivery(id).await.unwrap();
    assert_eq!(d.state, DeliveryState::Dead);
    assert!(d.last_error.unwrap().contains("connect"));
}

#[tokio::test]
async fn a_wrong_secret_is_rejected_by_the_receiver_and_retried() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let receiver = Receiver::start(0).await;
    subscribe(&store, COUNTY, &receiver.url, "not-the-receiver-secret").await;
    let dispatcher = WebhookDispatcher::new(store.clone(), config(&[10]));
    dispatcher
        .enqueue(&warning_notice(COUNTY), &tree(&store).await, T0)
        .await
        .unwrap();
    let r = dispatcher.deliver_due(T0).await.unwrap();
    assert_eq!(r.retrying, 1, "{r:?}");
    let seen = receiver.seen();
    assert_eq!(seen.len(), 1);
    assert!(!seen[0].signature_valid);
}

#[tokio::test]
async fn pending_deliveries_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let receiver = Receiver::start(1).await;
    let id = {
        let store = open(&dir).await;
        subscribe(&store, COUNTY, &receiver.url, SECRET).await;
        let dispatcher = WebhookDispatcher::new(store.clone(), config(&[10, 30]));
        let id = dispatcher
            .enqueue(&warning_notice(TOWNSHIP), &tree(&store).await, T0)
            .await
            .unwrap()[0];
        assert_eq!(dispatcher.deliver_due(T0).await.unwrap().retrying, 1);
        store.close().await;
        id
    };
    let store = open(&dir).await;
    let dispatcher = WebhookDispatcher::new(store.clone(), config(&[10, 30]));
    assert_eq!(
        dispatcher.deliver_due(T0 + 10_000).await.unwrap().delivered,
        1
    );
    let d = store.webhooks().delivery(id).await.unwrap();
    assert_eq!((d.state, d.attempts), (DeliveryState::Delivered, 2));
    assert_eq!(receiver.seen().len(), 2);
}

/// The running dispatcher: a warning received by the closed loop reaches the webhooks of its
/// unit and of the units above it, and no other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notices_reach_only_webhooks_whose_subtree_holds_their_unit() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let county = Receiver::start(1).await;
    let center = Receiver::start(0).await;
    let other_county = Receiver::start(0).await;
    let township = Receiver::start(0).await;
    let county_hook = subscribe(&store, COUNTY, &county.url, SECRET).await;
    let center_hook = subscribe(&store, CENTER, &center.url, SECRET).await;
    let other_hook = subscribe(&store, OTHER_COUNTY, &other_county.url, SECRET).await;
    // Below the notice's unit: sees only its own subtree, not its parent's notices.
    let township_hook = subscribe(&store, TOWNSHIP, &township.url, SECRET).await;
    let off = subscribe(&store, COUNTY, &county.url, SECRET).await;
    store.webhooks().set_active(off.id, false).await.unwrap();

    let service = Arc::new(
        LoopService::new(
            store.clone(),
            SlaPolicy::default(),
            RoutingPolicy::new(CENTER),
        )
        .await
        .unwrap(),
    );
    let mut cfg = config(&[0]);
    cfg.retry_delays = vec![Duration::from_millis(50)];
    let handle = WebhookDispatcher::spawn(service.clone(), cfg);

    // A red warning for a villager goes to the county bureau.
    let received = service
        .receive(
            IncomingWarning {
                id: Some("YJ-WEBHOOK-1".into()),
                resident_id: None,
                msisdn: None,
                residence_code: Some(VILLAGE.into()),
                level: WarningLevel::Red,
                fraud_type: Some("impersonate_police".into()),
                score_permille: 950,
                source: "engine".into(),
                signal_at: T0,
                evidence: serde_json::json!({}),
            },
            T0,
        )
        .await
        .unwrap();
    assert_eq!(received.unit_code, COUNTY);

    // The county receiver fails once, then accepts the retry 50 ms later.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let county_done = store
            .webhooks()
            .deliveries(county_hook.id)
            .await
            .unwrap()
            .iter()
            .any(|d| d.state == DeliveryState::Delivered);
        let center_done = !center.seen().is_empty();
        if county_done && center_done {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not delivered in time: county {:?}, center {:?}",
            store.webhooks().deliveries(county_hook.id).await.unwrap(),
            center.seen()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Give a wrong delivery the time to show up before checking there was none.
    tokio::time::sleep(Duration::from_millis(200)).await;
    handle.shutdown().await;

    let county_seen = county.seen();
    assert_eq!(county_seen.len(), 2, "{county_seen:?}");
    assert!(county_seen.iter().all(|s| s.signature_valid));
    assert_eq!(county_seen[1].body["notice"]["kind"], "warning");
    assert_eq!(
        county_seen[1].body["notice"]["warning_id"],
        received.warning_id
    );
    assert_eq!(center.seen().len(), 1);
    assert!(other_county.seen().is_empty());
    assert!(township.seen().is_empty());
    for hook in [&other_hook, &township_hook, &off] {
        assert!(
            store
                .webhooks()
                .deliveries(hook.id)
                .await
                .unwrap()
                .is_empty(),
            "webhook of {} got a delivery",
            hook.unit_code
        );
    }
    assert_eq!(
        store.webhooks().deliveries(center_hook.id).await.unwrap()[0].state,
        DeliveryState::Delivered
    );
}
