//! Webhook subscriptions and the deliveries owed to them.
//!
//! A subscription names a unit: it receives the notices of that unit's subtree. Every matching
//! notice becomes a delivery row that a worker posts until the receiver accepts it
//! (`delivered`) or the retry schedule runs out (`dead`: the dead-letter list, kept for an
//! operator to inspect and re-queue). The retry schedule is the caller's: the store only
//! records attempts and the next attempt's time. Time comes in as arguments (epoch ms UTC).

use crate::error::{StoreError, StoreResult};
use crate::sql::{col, flag, Sql};
use crate::store::Store;
use sqlx::any::AnyRow;

/// Longest error text kept per delivery.
const MAX_ERROR_CHARS: usize = 500;

/// A subscription to record.
#[derive(Clone, PartialEq, Eq)]
pub struct NewWebhook {
    /// Notices of this unit and every unit below it are delivered.
    pub unit_code: String,
    /// `http://…` or `https://…`.
    pub url: String,
    /// Key of the HMAC-SHA256 signature; shared with the receiver.
    pub secret: String,
    pub created_at: i64,
}

impl std::fmt::Debug for NewWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewWebhook")
            .field("unit_code", &self.unit_code)
            .field("url", &self.url)
            .field("secret", &"***")
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// A stored subscription. The secret is never serialized.
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
pub struct Webhook {
    pub id: i64,
    pub unit_code: String,
    pub url: String,
    #[serde(skip)]
    pub secret: String,
    pub active: bool,
    pub created_at: i64,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("id", &self.id)
            .field("unit_code", &self.unit_code)
            .field("url", &self.url)
            .field("secret", &"***")
            .field("active", &self.active)
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its next attempt.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt failed: in the dead-letter list.
    Dead,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Dead => "dead",
        }
    }

    fn parse(s: &str) -> Option<DeliveryState> {
        match s {
            "pending" => Some(DeliveryState::Pending),
            "delivered" => Some(DeliveryState::Delivered),
            "dead" => Some(DeliveryState::Dead),
            _ => None,
        }
    }
}

/// One notice owed to one subscription.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct WebhookDelivery {
    pub id: i64,
    pub webhook_id: i64,
    /// The notice as JSON.
    pub notice: serde_json::Value,
    /// Attempts made so far.
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub state: DeliveryState,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
}

/// A pending delivery whose time has come, with what is needed to post it.
#[derive(Clone, PartialEq)]
pub struct DueDelivery {
    pub delivery: WebhookDelivery,
    pub url: String,
    pub secret: String,
}

impl std::fmt::Debug for DueDelivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DueDelivery")
            .field("delivery", &self.delivery)
            .field("url", &self.url)
            .field("secret", &"***")
            .finish()
    }
}

const WEBHOOK_COLUMNS: &str = "w.id, w.unit_code, w.url, w.secret, w.active, w.created_at";
const DELIVERY_COLUMNS: &str = "d.id, d.webhook_id, d.notice, d.attempts, d.next_attempt_at, \
     d.state, d.last_error, d.created_at, d.delivered_at";

fn webhook_from_row(row: &AnyRow) -> Result<Webhook, sqlx::Error> {
    Ok(Webhook {
        id: col(row, "id")?,
        unit_code: col(row, "unit_code")?,
        url: col(row, "url")?,
        secret: col(row, "secret")?,
        active: flag(row, "active")?,
        created_at: col(row, "created_at")?,
    })
}

fn delivery_from_row(row: &AnyRow) -> Result<WebhookDelivery, sqlx::Error> {
    let notice: String = col(row, "notice")?;
    let state: String = col(row, "state")?;
    Ok(WebhookDelivery {
        id: col(row, "id")?,
        webhook_id: col(row, "webhook_id")?,
        notice: serde_json::from_str(&notice).map_err(|e| sqlx::Error::ColumnDecode {
            index: "notice".into(),
            source: Box::new(e),
        })?,
        attempts: col(row, "attempts")?,
        next_attempt_at: col(row, "next_attempt_at")?,
        state: DeliveryState::parse(&state).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "state".into(),
            source: format!("unknown delivery state `{state}`").into(),
        })?,
        last_error: col(row, "last_error")?,
        created_at: col(row, "created_at")?,
        delivered_at: col(row, "delivered_at")?,
    })
}

/// The webhooks repository.
pub struct Webhooks<'s> {
    store: &'s Store,
}

impl<'s> Webhooks<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        Webhooks { store }
    }

    /// Records an active subscription; an unknown unit is [`StoreError::UnitNotFound`].
    pub async fn create(&self, w: &NewWebhook) -> StoreResult<Webhook> {
        let url = w.url.trim();
        if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 {
            return Err(StoreError::invalid(
                "url",
                "must be an http:// or https:// URL",
            ));
        }
        if w.secret.len() < 16 {
            return Err(StoreError::invalid(
                "secret",
                "must be at least 16 characters",
            ));
        }
        self.store.units().get(&w.unit_code).await?;
        let mut sql =
            Sql::new("INSERT INTO webhooks (unit_code, url, secret, active, created_at) VALUES (");
        sql.arg(w.unit_code.as_str())
            .push(", ")
            .arg(url)
            .push(", ")
            .arg(w.secret.as_str())
            .push(", 1, ")
            .arg(w.created_at)
            .push(") RETURNING id");
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("webhooks.create"))?;
        Ok(Webhook {
            id: col(&row, "id").map_err(StoreError::query("webhooks.create"))?,
            unit_code: w.unit_code.clone(),
            url: url.to_string(),
            secret: w.secret.clone(),
            active: true,
            created_at: w.created_at,
        })
    }

    /// One subscription.
    pub async fn get(&self, id: i64) -> StoreResult<Webhook> {
        let mut sql = Sql::new(format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks w WHERE w.id = "
        ));
        sql.arg(id);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("webhooks.get"))?
            .ok_or_else(|| StoreError::NotFound {
                what: "webhook",
                key: id.to_string(),
            })?;
        webhook_from_row(&row).map_err(StoreError::query("webhooks.get"))
    }

    /// Every subscription (only the active ones when `active_only`), oldest first.
    pub async fn list(&self, active_only: bool) -> StoreResult<Vec<Webhook>> {
        let mut sql = Sql::new(format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks w"));
        if active_only {
            sql.push(" WHERE w.active = 1");
        }
        sql.push(" ORDER BY w.id");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("webhooks.list"))?;
        rows.iter()
            .map(webhook_from_row)
            .collect::<Result<_, _>>()
            .map_err(StoreError::query("webhooks.list"))
    }

    /// Turns a subscription on or off; an inactive one gets no new deliveries and its pending
    /// ones wait.
    pub async fn set_active(&self, id: i64, active: bool) -> StoreResult<()> {
        let mut sql = Sql::new("UPDATE webhooks SET active = ");
        sql.arg(active).push(" WHERE id = ").arg(id);
        let done = sql
            .query()
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("webhooks.set_active"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "webhook",
                key: id.to_string(),
            });
        }
        Ok(())
    }

    /// Queues `notice` for subscription `webhook_id`, due at once; returns the delivery's id.
    pub async fn enqueue(
        &self,
        webhook_id: i64,
        notice: &serde_json::Value,
        now_ms: i64,
    ) -> StoreResult<i64> {
        let mut sql = Sql::new(
            "INSERT INTO webhook_deliveries \
             (webhook_id, notice, attempts, next_attempt_at, state, created_at) VALUES (",
        );
        sql.arg(webhook_id)
            .push(", ")
            .arg(notice.to_string())
            .push(", 0, ")
            .arg(now_ms)
            .push(", 'pending', ")
            .arg(now_ms)
            .push(") RETURNING id");
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("webhook_deliveries.enqueue"))?;
        col(&row, "id").map_err(StoreError::query("webhook_deliveries.enqueue"))
    }

    /// Pending deliveries of active subscriptions whose next attempt is at or before `now_ms`,
    /// earliest first, at most `limit`.
    pub async fn due(&self, now_ms: i64, limit: usize) -> StoreResult<Vec<DueDelivery>> {
        let mut sql = Sql::new(format!(
            "SELECT {DELIVERY_COLUMNS}, w.url, w.secret FROM webhook_deliveries d \
             JOIN webhooks w ON w.id = d.webhook_id \
             WHERE d.state = 'pending' AND w.active = 1 AND d.next_attempt_at <= "
        ));
        sql.arg(now_ms)
            .push(" ORDER BY d.next_attempt_at, d.id LIMIT ")
            .arg(limit.min(10_000) as i64);
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("webhook_deliveries.due"))?;
        rows.iter()
            .map(|row| {
                Ok(DueDelivery {
                    delivery: delivery_from_row(row)?,
                    url: col(row, "url")?,
                    secret: col(row, "secret")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::query("webhook_deliveries.due"))
    }

    /// One delivery.
    pub async fn delivery(&self, id: i64) -> StoreResult<WebhookDelivery> {
        let mut sql = Sql::new(format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE d.id = "
        ));
        sql.arg(id);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("webhook_deliveries.get"))?
            .ok_or_else(|| StoreError::NotFound {
                what: "webhook delivery",
                key: id.to_string(),
            })?;
        delivery_from_row(&row).map_err(StoreError::query("webhook_deliveries.get"))
    }

    /// A subscription's deliveries, oldest first.
    pub async fn deliveries(&self, webhook_id: i64) -> StoreResult<Vec<WebhookDelivery>> {
        let mut sql = Sql::new(format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE d.webhook_id = "
        ));
        sql.arg(webhook_id).push(" ORDER BY d.id");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("webhook_deliveries.list"))?;
        rows.iter()
            .map(delivery_from_row)
            .collect::<Result<_, _>>()
            .map_err(StoreError::query("webhook_deliveries.list"))
    }

    /// Records a successful attempt. Only a pending delivery can be delivered; anything else is
    /// a [`StoreError::Conflict`] (another worker finished it first).
    pub async fn mark_delivered(&self, id: i64, now_ms: i64) -> StoreResult<()> {
        let mut sql = Sql::new(
            "UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, \
             last_error = NULL, delivered_at = ",
        );
        sql.arg(now_ms)
            .push(" WHERE id = ")
            .arg(id)
            .push(" AND state = 'pending'");
        let done = sql
            .query()
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("webhook_deliveries.mark_delivered"))?;
        self.changed(done.rows_affected(), id, "mark_delivered")
            .await
    }

    /// Records a failed attempt. `retry_delays_ms[k]` is the wait after the `k+1`-th failed
    /// attempt; when the failed attempt was the last one the schedule allows
    /// (`retry_delays_ms.len() + 1` attempts in all) the delivery becomes dead. Returns the new
    /// state. A delivery that is not pending, or was updated concurrently, is a
    /// [`StoreError::Conflict`].
    pub async fn mark_failed(
        &self,
        id: i64,
        error: &str,
        now_ms: i64,
        retry_delays_ms: &[i64],
    ) -> StoreResult<DeliveryState> {
        let current = self.delivery(id).await?;
        if current.state != DeliveryState::Pending {
            return Err(StoreError::Conflict {
                what: "webhook_deliveries.mark_failed",
                detail: format!("delivery {id} is {}", current.state.as_str()),
            });
        }
        let attempts = current.attempts + 1;
        let (state, next) = match usize::try_from(attempts - 1)
            .ok()
            .and_then(|k| retry_delays_ms.get(k))
        {
            Some(delay) => (DeliveryState::Pending, now_ms + (*delay).max(0)),
            None => (DeliveryState::Dead, now_ms),
        };
        let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
        let mut sql = Sql::new("UPDATE webhook_deliveries SET state = ");
        sql.arg(state.as_str())
            .push(", attempts = ")
            .arg(attempts)
            .push(", next_attempt_at = ")
            .arg(next)
            .push(", last_error = ")
            .arg(error)
            .push(" WHERE id = ")
            .arg(id)
            .push(" AND state = 'pending' AND attempts = ")
            .arg(current.attempts);
        let done = sql
            .query()
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("webhook_deliveries.mark_failed"))?;
        self.changed(done.rows_affected(), id, "mark_failed")
            .await?;
        Ok(state)
    }

    /// The dead-letter list: deliveries that exhausted their attempts, most recent first, at
    /// most `limit`.
    pub async fn dead_letters(&self, limit: usize) -> StoreResult<Vec<WebhookDelivery>> {
        let mut sql = Sql::new(format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE d.state = 'dead' \
             ORDER BY d.next_attempt_at DESC, d.id DESC LIMIT "
        ));
        sql.arg(limit.min(10_000) as i64);
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("webhook_deliveries.dead_letters"))?;
        rows.iter()
            .map(delivery_from_row)
            .collect::<Result<_, _>>()
            .map_err(StoreError::query("webhook_deliveries.dead_letters"))
    }

    /// Puts a dead delivery back in the queue with a fresh schedule, due at `now_ms` (after
    /// the receiver was fixed). Anything but a dead delivery is a [`StoreError::Conflict`].
    pub async fn requeue(&self, id: i64, now_ms: i64) -> StoreResult<()> {
        let mut sql = Sql::new(
            "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = ",
        );
        sql.arg(now_ms)
            .push(" WHERE id = ")
            .arg(id)
            .push(" AND state = 'dead'");
        let done = sql
            .query()
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("webhook_deliveries.requeue"))?;
        self.changed(done.rows_affected(), id, "requeue").await
    }

    /// `Ok` when one row changed; otherwise not found or a conflict.
    async fn changed(&self, rows: u64, id: i64, op: &'static str) -> StoreResult<()> {
        if rows == 1 {
            return Ok(());
        }
        let current = self.delivery(id).await?;
        Err(StoreError::Conflict {
            what: "webhook_deliveries",
            detail: format!(
                "{op}: delivery {id} is {} after {} attempts",
                current.state.as_str(),
                current.attempts
            ),
        })
    }
}
