//! 反诈知识测试活动: a quiz campaign of a unit — a public link (its code) residents or staff
//! open on their phones, the number of questions drawn per attempt, the pass mark, the pledge
//! (反诈倡议书) participants may sign after the quiz, the period it is open, and, for a
//! campaign that expects every employee of some employers to take part (财政供养人员全员参与),
//! the employers with their headcount. Campaigns are read by the unit's subtree; every change is
//! audited with what it replaced.

use crate::audit::{append_on, NewAuditEntry};
use crate::error::{StoreError, StoreResult};
use crate::field::{bounded_text, parse_code};
use crate::outreach::OutreachAudience;
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use crate::versioned::{self, VersionedChange};
use sqlx::any::AnyRow;

/// The longest title kept (characters).
pub const MAX_TITLE: usize = 100;
/// The longest pledge kept (characters).
pub const MAX_PLEDGE: usize = 3_000;
/// The longest employer name kept (characters).
pub const MAX_EMPLOYER: usize = 100;
/// The most employers a campaign lists.
pub const MAX_EMPLOYERS: usize = 2_000;
/// Questions per attempt, at least and at most.
pub const QUESTION_COUNTS: std::ops::RangeInclusive<i64> = 5..=50;

/// An employer a campaign expects to take part, with the staff expected (应参与人数).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct QuizEmployer {
    pub name: String,
    pub headcount: i64,
}

/// What a campaign's editor may change after it started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CampaignText {
    pub title: String,
    pub pledge: String,
    /// The end of the campaign (exclusive), epoch ms.
    pub closes_at: i64,
    pub employers: Vec<QuizEmployer>,
}

/// A campaign to open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCampaign {
    pub unit_code: String,
    /// The public link's code: 6 to 32 letters and digits, unique.
    pub code: String,
    pub audience: OutreachAudience,
    pub question_count: i64,
    /// The share of right answers (percent) that passes.
    pub pass_score: i64,
    pub opens_at: i64,
    pub text: CampaignText,
    pub created_by: String,
}

/// A stored campaign.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Campaign {
    pub id: i64,
    pub unit_code: String,
    pub code: String,
    pub title: String,
    pub audience: OutreachAudience,
    pub question_count: i64,
    pub pass_score: i64,
    pub pledge: String,
    pub opens_at: i64,
    pub closes_at: i64,
    /// When it was ended before its time.
    pub closed_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    pub version: i64,
    pub employers: Vec<QuizEmployer>,
}

impl Campaign {
    /// Whether it takes attempts at `now`.
    pub fn is_open(&self, now: i64) -> bool {
        self.closed_at.is_none() && self.opens_at <= now && now < self.closes_at
    }

    /// Its last instant: ended early, or its planned close.
    pub fn ends_at(&self) -> i64 {
        self.closed_at.unwrap_or(self.closes_at).min(self.closes_at)
    }
}

pub(crate) const COLUMNS: &str = "c.id, c.unit_code, c.code, c.title, c.audience, \
     c.question_count, c.pass_score, c.pledge, c.opens_at, c.closes_at, c.closed_at, \
     c.created_by, c.created_at, c.version";

fn from_row(r: &AnyRow) -> Result<Campaign, sqlx::Error> {
    Ok(Campaign {
        id: col(r, "id")?,
        unit_code: col(r, "unit_code")?,
        code: col(r, "code")?,
        title: col(r, "title")?,
        audience: parse_code(r, "audience", OutreachAudience::parse)?,
        question_count: col(r, "question_count")?,
        pass_score: col(r, "pass_score")?,
        pledge: col(r, "pledge")?,
        opens_at: col(r, "opens_at")?,
        closes_at: col(r, "closes_at")?,
        closed_at: col(r, "closed_at")?,
        created_by: col(r, "created_by")?,
        created_at: col(r, "created_at")?,
        version: col(r, "version")?,
        employers: Vec::new(),
    })
}

/// Employers named once each (trimmed), with a headcount of 1 to 1,000,000, at most
/// [`MAX_EMPLOYERS`]; refusals name the field `employers`.
pub(crate) fn checked_employers(list: &[QuizEmployer]) -> StoreResult<Vec<QuizEmployer>> {
    let mut employers: Vec<QuizEmployer> = Vec::with_capacity(list.len());
    for e in list {
        let name = bounded_text("employers", &e.name, MAX_EMPLOYER, true)?;
        if !(1..=1_000_000).contains(&e.headcount) {
            return Err(StoreError::invalid(
                "employers",
                format!("{name}: the staff expected is 1 to 1,000,000"),
            ));
        }
        if employers.iter().any(|x| x.name == name) {
            return Err(StoreError::invalid(
                "employers",
                format!("{name} is listed twice"),
            ));
        }
        employers.push(QuizEmployer {
            name,
            headcount: e.headcount,
        });
    }
    if employers.len() > MAX_EMPLOYERS {
        return Err(StoreError::invalid(
            "employers",
            format!("at most {MAX_EMPLOYERS} employers"),
        ));
    }
    Ok(employers)
}

/// The text checked and trimmed.
fn checked(t: &CampaignText) -> StoreResult<CampaignText> {
    Ok(CampaignText {
        title: bounded_text("title", &t.title, MAX_TITLE, true)?,
        pledge: bounded_text("pledge", &t.pledge, MAX_PLEDGE, false)?,
        closes_at: t.closes_at,
        employers: checked_employers(&t.employers)?,
    })
}

/// Replaces the employers of `owner` (`owner_col` of `table`: a campaign's, a drive's) with
/// `employers`, inside the caller's transaction.
pub(crate) async fn write_employers(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    table: &'static str,
    owner_col: &'static str,
    owner: i64,
    employers: &[QuizEmployer],
) -> StoreResult<()> {
    let mut delete = Sql::new(format!("DELETE FROM {table} WHERE {owner_col} = "));
    delete.arg(owner);
    delete
        .query()
        .execute(&mut **tx)
        .await
        .map_err(StoreError::query("employers.delete"))?;
    for chunk in employers.chunks(200) {
        let mut insert = Sql::new(format!(
            "INSERT INTO {table} ({owner_col}, name, headcount) VALUES "
        ));
        for (i, e) in chunk.iter().enumerate() {
            if i > 0 {
                insert.push(", ");
            }
            insert
                .push("(")
                .arg(owner)
                .push(", ")
                .arg(e.name.as_str())
                .push(", ")
                .arg(e.headcount)
                .push(")");
        }
        insert
            .query()
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query("employers.insert"))?;
    }
    Ok(())
}

/// The employers of `owner` in `table`, by name.
pub(crate) async fn read_employers(
    store: &Store,
    table: &'static str,
    owner_col: &'static str,
    owner: i64,
) -> StoreResult<Vec<QuizEmployer>> {
    let mut sql = Sql::new(format!(
        "SELECT name, headcount FROM {table} WHERE {owner_col} = "
    ));
    sql.arg(owner).push(" ORDER BY name");
    let rows = sql
        .query()
        .fetch_all(store.pool())
        .await
        .map_err(StoreError::query("employers.list"))?;
    rows.iter()
        .map(|r| {
            Ok(QuizEmployer {
                name: col(r, "name")?,
                headcount: col(r, "headcount")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(StoreError::query("employers.list"))
}

pub(crate) fn valid_code(code: &str) -> StoreResult<()> {
    if (6..=32).contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "code",
            "a link code is 6 to 32 letters and digits",
        ))
    }
}

/// The campaign repository.
pub struct QuizCampaigns<'s> {
    store: &'s Store,
}

impl<'s> QuizCampaigns<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        QuizCampaigns { store }
    }

    /// Opens campaign `c` (audited `quiz_campaign_opened`); returns its id.
    /// [`StoreError::NotFound`] for a unit outside `scope`; [`StoreError::Invalid`] naming the
    /// field for a bad text, count, pass mark or period, or a bank that holds fewer active
    /// questions than an attempt draws; [`StoreError::Conflict`] for a code in use.
    pub async fn open(&self, scope: &Scope, c: &NewCampaign, now: i64) -> StoreResult<i64> {
        valid_code(&c.code)?;
        let text = checked(&c.text)?;
        if !QUESTION_COUNTS.contains(&c.question_count) {
            return Err(StoreError::invalid(
                "question_count",
                "an attempt draws 5 to 50 questions",
            ));
        }
        if !(1..=100).contains(&c.pass_score) {
            return Err(StoreError::invalid(
                "pass_score",
                "the pass mark is 1 to 100",
            ));
        }
        if text.closes_at <= c.opens_at {
            return Err(StoreError::invalid(
                "closes_at",
                "a campaign closes after it opens",
            ));
        }
        self.store.units().in_scope(scope, &c.unit_code).await?;
        let bank = self
            .store
            .quiz_questions()
            .bank_of(&c.unit_code, false)
            .await?
            .len() as i64;
        if bank < c.question_count {
            return Err(StoreError::invalid(
                "question_count",
                format!(
                    "the question bank holds {bank} active questions for this unit: add \
                     questions or draw fewer"
                ),
            ));
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("quiz_campaigns.begin").await?;
        let mut taken = Sql::new("SELECT COUNT(*) AS n FROM quiz_campaigns WHERE code = ");
        taken.arg(c.code.as_str());
        let n: i64 = col(
            &taken
                .query()
                .fetch_one(&mut *tx)
                .await
                .map_err(StoreError::query("quiz_campaigns.open"))?,
            "n",
        )
        .map_err(StoreError::query("quiz_campaigns.open"))?;
        if n > 0 {
            return Err(StoreError::Conflict {
                what: "quiz campaign",
                detail: format!("the link code {} is in use", c.code),
            });
        }
        let mut sql = Sql::new(
            "INSERT INTO quiz_campaigns (unit_code, code, title, audience, question_count, \
             pass_score, pledge, opens_at, closes_at, created_by, created_at) VALUES (",
        );
        sql.arg(c.unit_code.as_str())
            .push(", ")
            .arg(c.code.as_str())
            .push(", ")
            .arg(text.title.as_str())
            .push(", ")
            .arg(c.audience.as_str())
            .push(", ")
            .arg(c.question_count)
            .push(", ")
            .arg(c.pass_score)
            .push(", ")
            .arg(text.pledge.as_str())
            .push(", ")
            .arg(c.opens_at)
            .push(", ")
            .arg(text.closes_at)
            .push(", ")
            .arg(c.created_by.as_str())
            .push(", ")
            .arg(now)
            .push(") RETURNING id");
        let row = sql
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query("quiz_campaigns.open"))?;
        let id: i64 = col(&row, "id").map_err(StoreError::query("quiz_campaigns.open"))?;
        write_employers(
            &mut tx,
            "quiz_employers",
            "campaign_id",
            id,
            &text.employers,
        )
        .await?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: c.created_by.clone(),
                action: "quiz_campaign_opened".into(),
                target_type: "quiz_campaign".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(c.unit_code.clone()),
                detail: serde_json::json!({
                    "title": text.title,
                    "code": c.code,
                    "audience": c.audience.as_str(),
                    "employers": text.employers.len(),
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("quiz_campaigns.commit"))?;
        Ok(id)
    }

    async fn one(&self, sql: Sql<'_>, key: String) -> StoreResult<Campaign> {
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("quiz_campaigns.get"))?;
        let Some(row) = row else {
            return Err(StoreError::NotFound {
                what: "quiz campaign",
                key,
            });
        };
        let mut c = from_row(&row).map_err(StoreError::query("quiz_campaigns.get"))?;
        c.employers = read_employers(self.store, "quiz_employers", "campaign_id", c.id).await?;
        Ok(c)
    }

    /// Campaign `id` when it lies inside `scope`, with its employers.
    pub async fn get(&self, scope: &Scope, id: i64) -> StoreResult<Campaign> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM quiz_campaigns c WHERE c.id = "
        ));
        sql.arg(id).push(" AND ");
        scope.push_condition(&mut sql, "c.unit_code");
        self.one(sql, id.to_string()).await
    }

    /// The campaign of public link `code`, with its employers (for its public pages).
    pub async fn by_code(&self, code: &str) -> StoreResult<Campaign> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM quiz_campaigns c WHERE c.code = "
        ));
        sql.arg(code.trim());
        self.one(sql, code.trim().to_string()).await
    }

    /// The campaigns of `scope` (without their employers), the latest opened first, at most
    /// `limit`.
    pub async fn list(&self, scope: &Scope, limit: i64) -> StoreResult<Vec<Campaign>> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM quiz_campaigns c WHERE "));
        scope.push_condition(&mut sql, "c.unit_code");
        sql.push(" ORDER BY c.opens_at DESC, c.id DESC LIMIT ")
            .arg(limit.clamp(1, 1_000));
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("quiz_campaigns.list"))?;
        rows.iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("quiz_campaigns.list"))
    }

    /// The campaigns open at `now` that concern `unit_code`: its own and those of the units
    /// above it (a county's campaign for its villages) or below it — what an officer there hands
    /// out (public data: the campaign, not its figures).
    pub async fn open_around(&self, unit_code: &str, now: i64) -> StoreResult<Vec<Campaign>> {
        let unit = self.store.units().get(unit_code).await?;
        let above = crate::quiz_questions::unit_and_above(&unit);
        let below = self.store.units().scope(unit_code).await?;
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM quiz_campaigns c WHERE (c.unit_code IN ("
        ));
        sql.args(above.iter().map(String::as_str)).push(") OR ");
        below.push_condition(&mut sql, "c.unit_code");
        sql.push(") AND c.closed_at IS NULL AND c.opens_at <= ")
            .arg(now)
            .push(" AND c.closes_at > ")
            .arg(now)
            .push(" ORDER BY c.opens_at DESC, c.id DESC LIMIT 50");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("quiz_campaigns.open_around"))?;
        rows.iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("quiz_campaigns.open_around"))
    }

    /// Rewrites campaign `id`'s title, pledge, close and employers from `version` (audited
    /// `quiz_campaign_updated` with the values before). [`StoreError::Invalid`] for a close
    /// before the opening; [`StoreError::Conflict`] when it changed since it was read.
    pub async fn update(
        &self,
        scope: &Scope,
        id: i64,
        version: i64,
        t: &CampaignText,
        by: &str,
        now: i64,
    ) -> StoreResult<Campaign> {
        let t = checked(t)?;
        let before = self.get(scope, id).await?;
        if t.closes_at <= before.opens_at {
            return Err(StoreError::invalid(
                "closes_at",
                "a campaign closes after it opens",
            ));
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("quiz_campaigns.update").await?;
        let mut update = Sql::new("UPDATE quiz_campaigns SET title = ");
        update
            .arg(t.title.as_str())
            .push(", pledge = ")
            .arg(t.pledge.as_str())
            .push(", closes_at = ")
            .arg(t.closes_at)
            .push(", updated_by = ")
            .arg(by)
            .push(", updated_at = ")
            .arg(now)
            .push(", version = version + 1 WHERE id = ")
            .arg(id)
            .push(" AND version = ")
            .arg(version);
        let done = update
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("quiz_campaigns.update"))?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: "quiz campaign",
                detail: format!("campaign {id} changed since version {version}: reload it"),
            });
        }
        write_employers(&mut tx, "quiz_employers", "campaign_id", id, &t.employers).await?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: by.to_string(),
                action: "quiz_campaign_updated".into(),
                target_type: "quiz_campaign".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(before.unit_code.clone()),
                detail: serde_json::json!({
                    "before": {
                        "title": before.title,
                        "closes_at": before.closes_at,
                        "employers": before.employers,
                    },
                    "employers": t.employers.len(),
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("quiz_campaigns.commit"))?;
        self.get(scope, id).await
    }

    /// Ends campaign `id` now, from `version` (audited `quiz_campaign_closed`): its link stops
    /// taking attempts. [`StoreError::Conflict`] when it is closed already or changed.
    pub async fn close(
        &self,
        scope: &Scope,
        id: i64,
        version: i64,
        by: &str,
        now: i64,
    ) -> StoreResult<Campaign> {
        let before = self.get(scope, id).await?;
        if before.closed_at.is_some() || before.closes_at <= now {
            return Err(StoreError::Conflict {
                what: "quiz campaign",
                detail: format!("campaign {id} is closed already"),
            });
        }
        let mut update = Sql::new("UPDATE quiz_campaigns SET closed_at = ");
        update.arg(now);
        versioned::apply(
            self.store,
            update,
            VersionedChange {
                id,
                version,
                by,
                now,
                audit: NewAuditEntry {
                    actor: by.to_string(),
                    action: "quiz_campaign_closed".into(),
                    target_type: "quiz_campaign".into(),
                    target_id: Some(id.to_string()),
                    unit_code: Some(before.unit_code.clone()),
                    detail: serde_json::json!({ "planned_close": before.closes_at }),
                },
                ctx: "quiz_campaigns.close",
            },
            || StoreError::Conflict {
                what: "quiz campaign",
                detail: format!("campaign {id} changed since version {version}: reload it"),
            },
        )
        .await?;
        self.get(scope, id).await
    }
}
