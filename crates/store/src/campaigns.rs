//! Campaigns (专项行动): a unit names a period of concentrated work ("迎庆"专项行动, 断卡行动)
//! and reads its results — the enforcement figures of that period in the unit's area
//! ([`crate::Enforcement::figures`]). A campaign is read by those whose area holds its unit;
//! creating one is audited in the same transaction.

use crate::audit::{append_on, NewAuditEntry};
use crate::error::{StoreError, StoreResult};
use crate::field::bounded_text;
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use sqlx::any::AnyRow;

/// The longest campaign name kept (characters).
pub const MAX_CAMPAIGN_NAME: usize = 60;
/// The longest goal kept (characters).
pub const MAX_CAMPAIGN_GOAL: usize = 500;
/// The longest campaign (days).
pub const MAX_CAMPAIGN_DAYS: i64 = 366;
const DAY_MS: i64 = 86_400_000;

/// A campaign to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCampaign {
    /// The unit running it (inside the recorder's scope).
    pub unit_code: String,
    pub name: String,
    /// First instant (a Shanghai midnight) and the instant after the last day.
    pub starts_at: i64,
    pub ends_at: i64,
    /// What it aims at (目标任务), free text.
    pub goal: String,
    pub by: String,
    pub at: i64,
}

/// A stored campaign.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Campaign {
    pub id: i64,
    pub unit_code: String,
    pub name: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub goal: String,
    pub created_by: String,
    pub created_at: i64,
}

impl Campaign {
    /// Running at `now` (started, not yet over).
    pub fn running(&self, now: i64) -> bool {
        self.starts_at <= now && now < self.ends_at
    }
}

fn from_row(r: &AnyRow) -> Result<Campaign, sqlx::Error> {
    Ok(Campaign {
        id: col(r, "id")?,
        unit_code: col(r, "unit_code")?,
        name: col(r, "name")?,
        starts_at: col(r, "starts_at")?,
        ends_at: col(r, "ends_at")?,
        goal: col(r, "goal")?,
        created_by: col(r, "created_by")?,
        created_at: col(r, "created_at")?,
    })
}

const COLUMNS: &str =
    "c.id, c.unit_code, c.name, c.starts_at, c.ends_at, c.goal, c.created_by, c.created_at";

/// The campaign repository.
pub struct Campaigns<'s> {
    store: &'s Store,
}

impl<'s> Campaigns<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        Campaigns { store }
    }

    /// Records a campaign of a unit inside `scope`, audited as `campaign_created`; returns its
    /// id. The period runs forward and lasts at most [`MAX_CAMPAIGN_DAYS`] days; a unit's
    /// names are unique ([`StoreError::Conflict`]).
    pub async fn create(&self, scope: &Scope, c: &NewCampaign) -> StoreResult<i64> {
        let name = bounded_text("name", &c.name, MAX_CAMPAIGN_NAME, true)?;
        let goal = bounded_text("goal", &c.goal, MAX_CAMPAIGN_GOAL, false)?;
        if c.ends_at <= c.starts_at {
            return Err(StoreError::invalid(
                "ends_at",
                "the campaign must end after it starts",
            ));
        }
        if c.ends_at - c.starts_at > MAX_CAMPAIGN_DAYS * DAY_MS {
            return Err(StoreError::invalid(
                "ends_at",
                format!("a campaign lasts at most {MAX_CAMPAIGN_DAYS} days"),
            ));
        }
        self.store.units().in_scope(scope, &c.unit_code).await?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("campaigns.begin").await?;
        let mut sql = Sql::new(
            "INSERT INTO campaigns (unit_code, name, starts_at, ends_at, goal, created_by, \
             created_at) VALUES (",
        );
        sql.args([c.unit_code.as_str(), &name])
            .push(", ")
            .arg(c.starts_at)
            .push(", ")
            .arg(c.ends_at)
            .push(", ")
            .args([goal.as_str(), &c.by])
            .push(", ")
            .arg(c.at)
            .push(") ON CONFLICT (unit_code, name) DO NOTHING RETURNING id");
        let row = sql
            .query()
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::query("campaigns.create"))?;
        let Some(row) = row else {
            return Err(StoreError::Conflict {
                what: "campaign",
                detail: format!("the unit has a campaign named `{name}`; choose another name"),
            });
        };
        let id: i64 = col(&row, "id").map_err(StoreError::query("campaigns.create"))?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: c.by.clone(),
                action: "campaign_created".into(),
                target_type: "campaign".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(c.unit_code.clone()),
                detail: serde_json::json!({
                    "name": name,
                    "starts_at": c.starts_at,
                    "ends_at": c.ends_at,
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("campaigns.commit"))?;
        Ok(id)
    }

    /// The campaigns of units inside `scope`, the latest start first (at most 200).
    pub async fn list(&self, scope: &Scope) -> StoreResult<Vec<Campaign>> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM campaigns c WHERE "));
        scope.push_condition(&mut sql, "c.unit_code");
        sql.push(" ORDER BY c.starts_at DESC, c.id DESC LIMIT 200");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("campaigns.list"))?;
        rows.iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("campaigns.list"))
    }
}
