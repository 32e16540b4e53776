//! Notifications to outside systems: webhooks signed with HMAC-SHA256, retried with backoff,
//! and kept in a dead-letter list when every attempt failed.
//!
//! SMS over SMPP (with 金钟罩 guardian alerts and joint-office task notices) lives in [`sms`],
//! [`guardians`] and [`joint_tasks`]; see
//! [`SmsDispatcher::spawn`]. 96110 outbound calls by the center's seat group live in [`calls`].
//!
//! Two tasks run per [`WebhookDispatcher::spawn`]:
//! - the *listener* subscribes to [`LoopService::subscribe`] and queues one delivery per active
//!   webhook whose unit is the notice's unit or one of its ancestors (the webhook sees its
//!   unit's subtree);
//! - the *worker* posts due deliveries and records each outcome: 2xx is delivered, anything
//!   else is retried after the next delay of [`WebhookConfig::retry_delays`] and, after the
//!   last one, dead.
//!
//! Deliveries are rows of the store, so a restart resumes where the worker stopped. Delivery
//! is at least once: a crash between the POST and recording it repeats the POST, with the same
//! `X-Fanzha-Delivery` id. The deterministic steps, [`WebhookDispatcher::enqueue`] and
//! [`WebhookDispatcher::deliver_due`], take the time as an argument.

pub mod calls;
pub mod guardians;
pub mod joint_tasks;
pub mod simulated_smsc;
pub mod sms;
pub mod webhook;

use crate::routing::OrgTree;
use crate::service::{LoopService, Notice};
pub use calls::{
    call_commands, call_note, call_result_zh, callable_number, CallPolicy, RecordedCall,
    CALLABLE_STATUSES,
};
use fanzha_store::{DeliveryState, DueDelivery, Store, StoreError, Webhook};
pub use guardians::{fraud_hint, guardian_alert_text, mask_name, warning_to_person_text};
pub use joint_tasks::{
    joint_task_assigned_text, joint_task_overdue_text, joint_task_pressed_text,
    joint_task_returned_text, remind_overdue,
};
pub use sms::{
    parse_receipt_text, receipt_of, submit_sm_for, Receipt, SmppConfig, SmsConfig, SmsDispatcher,
    SmsHandle, SmsRoundReport,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch, Notify};
use tokio::task::JoinHandle;
pub use webhook::{
    sign, verify, AttemptResult, HttpTransport, Payload, SignedRequest, Transport, DELIVERY_HEADER,
    SIGNATURE_HEADER, TIMESTAMP_HEADER,
};

/// How deliveries are attempted.
#[derive(Clone, Debug)]
pub struct WebhookConfig {
    /// The wait after each failed attempt; `len() + 1` attempts in all, then dead.
    pub retry_delays: Vec<Duration>,
    /// How often the worker looks for due deliveries when nothing wakes it.
    pub poll_interval: Duration,
    /// Deliveries posted concurrently per round.
    pub batch: usize,
}

impl Default for WebhookConfig {
    /// 10 s, 30 s, 2 min, 10 min, 1 h: six attempts over about 1 h 13 min.
    fn default() -> Self {
        WebhookConfig {
            retry_delays: [10, 30, 120, 600, 3_600]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
            poll_interval: Duration::from_secs(1),
            batch: 32,
        }
    }
}

impl WebhookConfig {
    /// Attempts per delivery before it is dead.
    pub fn max_attempts(&self) -> usize {
        self.retry_delays.len() + 1
    }

    fn delays_ms(&self) -> Vec<i64> {
        self.retry_delays
            .iter()
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4))
            .collect()
    }
}

/// What one [`WebhookDispatcher::deliver_due`] round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundReport {
    pub delivered: usize,
    /// Failed, to be retried.
    pub retrying: usize,
    /// Failed for the last time: now in the dead-letter list.
    pub dead: usize,
}

impl RoundReport {
    pub fn attempted(&self) -> usize {
        self.delivered + self.retrying + self.dead
    }
}

/// Whether a notice for `unit` belongs to the subtree of `ancestor` (the unit itself or below).
pub fn in_subtree(tree: &dyn OrgTree, unit: &str, ancestor: &str) -> bool {
    if unit == ancestor {
        return true;
    }
    let mut cur = tree.parent(unit);
    // The org tree is a handful of levels deep; the bound only guards against a cycle.
    for _ in 0..64 {
        match cur {
            Some(c) if c == ancestor => return true,
            Some(c) => cur = tree.parent(&c),
            None => return false,
        }
    }
    false
}

/// Queues notices for webhooks and posts them.
#[derive(Clone)]
pub struct WebhookDispatcher {
    store: Store,
    config: WebhookConfig,
    transport: Arc<dyn Transport>,
}

impl std::fmt::Debug for WebhookDispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookDispatcher")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl WebhookDispatcher {
    /// A dispatcher posting with the built-in [`HttpTransport`].
    pub fn new(store: Store, config: WebhookConfig) -> WebhookDispatcher {
        WebhookDispatcher {
            store,
            config,
            transport: Arc::new(HttpTransport::default()),
        }
    }

    /// Posts through `transport` instead (a TLS-capable client, a test double).
    pub fn with_transport(mut self, transport: Arc<dyn Transport>) -> WebhookDispatcher {
        self.transport = transport;
        self
    }

    pub fn config(&self) -> &WebhookConfig {
        &self.config
    }

    /// The active webhooks that should receive a notice for `unit`.
    pub fn subscribers<'w>(
        webhooks: &'w [Webhook],
        unit: &str,
        tree: &dyn OrgTree,
    ) -> Vec<&'w Webhook> {
        webhooks
            .iter()
            .filter(|w| w.active && in_subtree(tree, unit, &w.unit_code))
            .collect()
    }

    /// Queues `notice` for every active webhook whose subtree holds its unit, due at `now_ms`;
    /// returns the new deliveries' ids.
    pub async fn enqueue(
        &self,
        notice: &Notice,
        tree: &(dyn OrgTree + Sync),
        now_ms: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let webhooks = self.store.webhooks().list(true).await?;
        let targets: Vec<i64> = Self::subscribers(&webhooks, notice.unit_code(), tree)
            .iter()
            .map(|w| w.id)
            .collect();
        self.enqueue_to(&targets, notice, now_ms).await
    }

    async fn enqueue_to(
        &self,
        webhook_ids: &[i64],
        notice: &Notice,
        now_ms: i64,
    ) -> Result<Vec<i64>, StoreError> {
        if webhook_ids.is_empty() {
            return Ok(Vec::new());
        }
        let json = serde_json::to_value(notice).expect("a notice always serializes");
        let mut ids = Vec::with_capacity(webhook_ids.len());
        for id in webhook_ids {
            ids.push(self.store.webhooks().enqueue(*id, &json, now_ms).await?);
        }
        Ok(ids)
    }

    /// Posts the deliveries due at `now_ms` (at most [`WebhookConfig::batch`], concurrently)
    /// and records each outcome at `now_ms`.
    pub async fn deliver_due(&self, now_ms: i64) -> Result<RoundReport, StoreError> {
        let due = self
            .store
            .webhooks()
            .due(now_ms, self.config.batch.max(1))
            .await?;
        let delays = Arc::new(self.config.delays_ms());
        let mut tasks = tokio::task::JoinSet::new();
        for d in due {
            let this = self.clone();
            let delays = delays.clone();
            tasks.spawn(async move { this.attempt(d, now_ms, &delays).await });
        }
        let mut report = RoundReport::default();
        let mut first_error = None;
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok(Ok(Some(DeliveryState::Delivered))) => report.delivered += 1,
                Ok(Ok(Some(DeliveryState::Pending))) => report.retrying += 1,
                Ok(Ok(Some(DeliveryState::Dead))) => report.dead += 1,
                // Another worker recorded this delivery first.
                Ok(Ok(None)) => {}
                Ok(Err(e)) => {
                    first_error.get_or_insert(e);
                }
                Err(e) => tracing::error!(error = %e, "webhook delivery task failed"),
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(report),
        }
    }

    /// One attempt of one delivery; `None` when its row had changed meanwhile.
    async fn attempt(
        &self,
        due: DueDelivery,
        now_ms: i64,
        delays_ms: &[i64],
    ) -> Result<Option<DeliveryState>, StoreError> {
        let d = &due.delivery;
        let payload = Payload {
            delivery_id: d.id,
            webhook_id: d.webhook_id,
            attempt: d.attempts + 1,
            created_at: d.created_at,
            sent_at: now_ms,
            notice: &d.notice,
        };
        let request = SignedRequest::new(&due.url, &due.secret, &payload);
        let outcome = match self.transport.post(&request).await {
            Ok(status) if (200..300).contains(&status) => Ok(()),
            Ok(status) => Err(format!("HTTP {status}")),
            Err(e) => Err(e),
        };
        let repo = self.store.webhooks();
        let recorded = match &outcome {
            Ok(()) => repo
                .mark_delivered(d.id, now_ms)
                .await
                .map(|()| DeliveryState::Delivered),
            Err(e) => repo.mark_failed(d.id, e, now_ms, delays_ms).await,
        };
        match recorded {
            Ok(state) => {
                match (&outcome, state) {
                    (Ok(()), _) => tracing::debug!(delivery = d.id, "webhook delivered"),
                    (Err(e), DeliveryState::Dead) => tracing::warn!(
                        delivery = d.id,
                        webhook = d.webhook_id,
                        attempts = d.attempts + 1,
                        error = %e,
                        "webhook delivery dead after its last attempt"
                    ),
                    (Err(e), _) => tracing::info!(
                        delivery = d.id,
                        webhook = d.webhook_id,
                        attempt = d.attempts + 1,
                        error = %e,
                        "webhook delivery failed; will retry"
                    ),
                }
                Ok(Some(state))
            }
            Err(StoreError::Conflict { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Starts the listener and the worker for `service`'s notices, posting with the built-in
    /// transport. Keep the handle: dropping it stops both tasks.
    pub fn spawn(service: Arc<LoopService>, config: WebhookConfig) -> DispatcherHandle {
        WebhookDispatcher::new(service.store().clone(), config).start(service)
    }

    /// Starts the listener and the worker with this dispatcher's store, config and transport.
    pub fn start(self, service: Arc<LoopService>) -> DispatcherHandle {
        // Subscribe before returning, so that no notice after `start` is missed.
        let notices = service.subscribe();
        let (stop_tx, stop_rx) = watch::channel(false);
        let wake = Arc::new(Notify::new());
        let listener = tokio::spawn(listen(
            self.clone(),
            service,
            notices,
            stop_rx.clone(),
            wake.clone(),
        ));
        let worker = tokio::spawn(work(self, stop_rx, wake.clone()));
        DispatcherHandle {
            stop: stop_tx,
            wake,
            tasks: vec![listener, worker],
        }
    }
}

/// The running listener and worker. Dropping it stops them.
#[must_use = "dropping the handle stops the dispatcher"]
#[derive(Debug)]
pub struct DispatcherHandle {
    stop: watch::Sender<bool>,
    wake: Arc<Notify>,
    tasks: Vec<JoinHandle<()>>,
}

impl DispatcherHandle {
    /// Makes the worker look for due deliveries now (after a dead letter was requeued).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Stops both tasks and waits for them; a round in progress finishes first.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for t in std::mem::take(&mut self.tasks) {
            let _ = t.await;
        }
    }
}

impl Drop for DispatcherHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

async fn stopped(stop: &mut watch::Receiver<bool>) {
    // A dropped sender also means stop.
    let _ = stop.wait_for(|s| *s).await;
}

async fn listen(
    dispatcher: WebhookDispatcher,
    service: Arc<LoopService>,
    mut notices: broadcast::Receiver<Notice>,
    mut stop: watch::Receiver<bool>,
    wake: Arc<Notify>,
) {
    loop {
        let notice = tokio::select! {
            _ = stopped(&mut stop) => return,
            n = notices.recv() => n,
        };
        let notice = match notice {
            Ok(n) => n,
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::error!(
                    missed,
                    "webhook listener fell behind; notices were not queued"
                );
                continue;
            }
            Err(broadcast::error::RecvError::Closed) => return,
        };
        let webhooks = match dispatcher.store.webhooks().list(true).await {
            Ok(w) => w,
            Err(e) => {
                tracing::error!(error = %e, "webhooks could not be read; notice not queued");
                continue;
            }
        };
        let targets: Vec<i64> = {
            let tree = service.tree();
            WebhookDispatcher::subscribers(&webhooks, notice.unit_code(), &*tree)
                .iter()
                .map(|w| w.id)
                .collect()
        };
        match dispatcher.enqueue_to(&targets, &notice, now_ms()).await {
            Ok(ids) if !ids.is_empty() => wake.notify_one(),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "webhook delivery could not be queued"),
        }
    }
}

async fn work(dispatcher: WebhookDispatcher, mut stop: watch::Receiver<bool>, wake: Arc<Notify>) {
    loop {
        if *stop.borrow() {
            return;
        }
        let full = match dispatcher.deliver_due(now_ms()).await {
            Ok(r) => r.attempted() >= dispatcher.config.batch.max(1),
            Err(e) => {
                tracing::error!(error = %e, "webhook worker round failed");
                false
            }
        };
        if full {
            // More may be due already.
            continue;
        }
        tokio::select! {
            _ = stopped(&mut stop) => return,
            _ = wake.notified() => {}
            _ = tokio::time::sleep(dispatcher.config.poll_interval) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Tree(HashMap<&'static str, &'static str>);
    impl OrgTree for Tree {
        fn contains(&self, code: &str) -> bool {
            self.0.contains_key(code)
        }
        fn parent(&self, code: &str) -> Option<String> {
            self.0.get(code).map(|p| p.to_string())
        }
    }

    #[test]
    fn subtree_is_the_unit_and_everything_below_it() {
        let t = Tree(HashMap::from([
            ("3302", "33"),
            ("330281", "3302"),
            ("330281001", "330281"),
            ("330282", "3302"),
        ]));
        assert!(in_subtree(&t, "330281001", "330281001"));
        assert!(in_subtree(&t, "330281001", "330281"));
        assert!(in_subtree(&t, "330281001", "33"));
        assert!(!in_subtree(&t, "330281001", "330282"));
        assert!(!in_subtree(&t, "330281", "330281001"));
        assert!(!in_subtree(&t, "unknown", "33"));
        // A prefix of the code is not an ancestor.
        assert!(!in_subtree(&t, "3302810", "330281"));
    }

    #[test]
    fn a_cycle_in_the_tree_ends() {
        let t = Tree(HashMap::from([("a", "b"), ("b", "a")]));
        assert!(!in_subtree(&t, "a", "c"));
    }

    #[test]
    fn default_schedule_is_six_attempts() {
        let c = WebhookConfig::default();
        assert_eq!(c.max_attempts(), 6);
        assert_eq!(
            c.delays_ms(),
            vec![10_000, 30_000, 120_000, 600_000, 3_600_000]
        );
    }
}
