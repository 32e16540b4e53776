//! A participant's attempt at a quiz campaign, through its public link: the area and employer
//! they name, their mobile number (each person counted once; personal data, masked by the
//! pages), the questions drawn — spread over the fraud types, in random order — the answers,
//! the score, and the pledge signed after it. An attempt is reached by its unguessable token
//! only; participants have no login. And the figures a campaign is judged by: participants,
//! passed, pledged, per area, per employer against its headcount (全员参与), per question.

use crate::error::{StoreError, StoreResult};
use crate::field::bounded_text;
use crate::quiz_campaigns::Campaign;
use crate::quiz_questions::{self, Question};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, HashMap};

/// Attempts one number may start per campaign in a day.
pub const ATTEMPTS_PER_DAY: i64 = 5;
/// How long an attempt may stay open before its answers are refused (ms).
pub const ANSWER_WITHIN_MS: i64 = 2 * 3_600_000;

/// A participant starting an attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAttempt {
    /// Where they live or work: the campaign's unit or one below it.
    pub unit_code: String,
    /// One of the campaign's employers; required when it lists any.
    pub employer: Option<String>,
    /// A mainland mobile number.
    pub phone: String,
    /// The attempt's unguessable token (its page's address).
    pub token: String,
    /// Seeds the draw of questions.
    pub seed: u64,
}

/// A question of an attempt with the option chosen.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AttemptItem {
    pub question: Question,
    pub chosen: Option<usize>,
    pub correct: Option<bool>,
}

/// An attempt with its questions.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Attempt {
    pub id: i64,
    pub campaign_id: i64,
    pub token: String,
    pub unit_code: String,
    pub employer: Option<String>,
    pub phone: String,
    pub started_at: i64,
    pub submitted_at: Option<i64>,
    pub correct: Option<i64>,
    /// Percent of right answers.
    pub score: Option<i64>,
    pub passed: Option<bool>,
    pub pledged_at: Option<i64>,
    pub items: Vec<AttemptItem>,
}

/// Whose area a scope's quiz figures cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuizArea {
    /// The campaigns the scope's units organised, wherever their participants live.
    Organiser,
    /// The participants who named an area of the scope, whoever organised the campaign (a
    /// city's campaign counts in each county for its own residents).
    Participant,
}

/// A campaign's (or an area's) figures over submitted attempts.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct QuizFigures {
    pub attempts: i64,
    /// Distinct numbers.
    pub participants: i64,
    /// Participants with a passing attempt.
    pub passed: i64,
    /// Participants who signed the pledge.
    pub pledged: i64,
    /// The mean score of the attempts, when there are any.
    pub average_score: Option<f64>,
}

impl QuizFigures {
    /// Passed among participants; `None` before any.
    pub fn pass_rate(&self) -> Option<f64> {
        (self.participants > 0).then(|| self.passed as f64 / self.participants as f64)
    }
}

/// An employer's participation against its headcount.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct EmployerParticipation {
    pub name: String,
    pub headcount: i64,
    pub participants: i64,
    pub passed: i64,
}

impl EmployerParticipation {
    /// Participants over the headcount, at most 1.
    pub fn rate(&self) -> f64 {
        (self.participants as f64 / self.headcount.max(1) as f64).min(1.0)
    }
}

/// Participants of one area (a unit's materialised path).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AreaParticipation {
    pub path: String,
    pub participants: i64,
    pub passed: i64,
}

/// A submitted attempt as listed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AttemptRow {
    pub id: i64,
    pub unit_code: String,
    pub employer: Option<String>,
    pub phone: String,
    pub submitted_at: i64,
    pub score: i64,
    pub passed: bool,
    pub pledged: bool,
}

/// Draws `count` questions of `bank`: the fraud types taken in turn (each type's questions
/// and the order of the types shuffled), so a short quiz still spans the types, then shuffled.
pub fn draw(bank: &[Question], count: usize, seed: u64) -> Vec<i64> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut by_type: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for q in bank {
        by_type.entry(q.fraud_type.code()).or_default().push(q.id);
    }
    let mut groups: Vec<Vec<i64>> = by_type.into_values().collect();
    groups.shuffle(&mut rng);
    for g in &mut groups {
        g.shuffle(&mut rng);
    }
    let mut out = Vec::with_capacity(count);
    let mut round = 0;
    while out.len() < count && groups.iter().any(|g| g.len() > round) {
        for g in &groups {
            if out.len() == count {
                break;
            }
            if let Some(id) = g.get(round) {
                out.push(*id);
            }
        }
        round += 1;
    }
    out.shuffle(&mut rng);
    out
}

const COLUMNS: &str = "a.id, a.campaign_id, a.token, a.unit_code, a.employer, a.phone, \
     a.started_at, a.submitted_at, a.correct, a.score, a.passed, a.pledged_at";

fn from_row(r: &AnyRow) -> Result<Attempt, sqlx::Error> {
    let passed: Option<i64> = col(r, "passed")?;
    Ok(Attempt {
        id: col(r, "id")?,
        campaign_id: col(r, "campaign_id")?,
        token: col(r, "token")?,
        unit_code: col(r, "unit_code")?,
        employer: col(r, "employer")?,
        phone: col(r, "phone")?,
        started_at: col(r, "started_at")?,
        submitted_at: col(r, "submitted_at")?,
        correct: col(r, "correct")?,
        score: col(r, "score")?,
        passed: passed.map(|p| p != 0),
        pledged_at: col(r, "pledged_at")?,
        items: Vec::new(),
    })
}

pub(crate) fn mobile(v: &str) -> StoreResult<String> {
    let number = fanzha_core::PhoneNumber::parse(v.trim())
        .map_err(|e| StoreError::invalid("phone", e.to_string()))?;
    match number.kind() {
        fanzha_core::PhoneKind::Mobile | fanzha_core::PhoneKind::Virtual => Ok(number.canonical()),
        _ => Err(StoreError::invalid(
            "phone",
            "a mobile number (11 digits, 1xx…) counts each participant once",
        )),
    }
}

fn closed(c: &Campaign) -> StoreError {
    StoreError::Conflict {
        what: "quiz campaign",
        detail: format!("「{}」 is not open", c.title),
    }
}

/// The attempt repository.
pub struct QuizAttempts<'s> {
    store: &'s Store,
}

impl<'s> QuizAttempts<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        QuizAttempts { store }
    }

    /// Starts an attempt at `campaign` for `a` at `now`, drawing its questions; returns the
    /// token. [`StoreError::Conflict`] when the campaign is not open; [`StoreError::Invalid`]
    /// naming the field for an area outside the campaign's, an employer it does not list (or
    /// none where it lists some), a number that is not a mobile (`phone`) or that started
    /// [`ATTEMPTS_PER_DAY`] attempts in the last day (`daily_limit`).
    pub async fn start(
        &self,
        campaign: &Campaign,
        a: &NewAttempt,
        now: i64,
    ) -> StoreResult<String> {
        if !campaign.is_open(now) {
            return Err(closed(campaign));
        }
        let phone = mobile(&a.phone)?;
        let unit = match self.store.units().find(a.unit_code.trim()).await? {
            Some(u) => u,
            None => return Err(StoreError::invalid("unit_code", "choose your area")),
        };
        let own = self.store.units().scope(&campaign.unit_code).await?;
        if !own.contains_path(&unit.path) {
            return Err(StoreError::invalid(
                "unit_code",
                "the area lies outside the campaign's",
            ));
        }
        let employer = match a.employer.as_deref().map(str::trim) {
            None | Some("") if campaign.employers.is_empty() => None,
            None | Some("") => {
                return Err(StoreError::invalid("employer", "choose your employer"));
            }
            Some(e) => {
                let e = bounded_text("employer", e, crate::quiz_campaigns::MAX_EMPLOYER, true)?;
                if !campaign.employers.iter().any(|x| x.name == e) {
                    return Err(StoreError::invalid(
                        "employer",
                        "choose your employer from the list",
                    ));
                }
                Some(e)
            }
        };
        let bank = self
            .store
            .quiz_questions()
            .bank_of(&campaign.unit_code, false)
            .await?;
        let count = usize::try_from(campaign.question_count).unwrap_or(0);
        let drawn = draw(&bank, count, a.seed);
        if drawn.is_empty() {
            return Err(StoreError::Conflict {
                what: "quiz campaign",
                detail: "the question bank is empty".into(),
            });
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("quiz_attempts.begin").await?;
        let mut recent = Sql::new("SELECT COUNT(*) AS n FROM quiz_attempts WHERE campaign_id = ");
        recent
            .arg(campaign.id)
            .push(" AND phone = ")
            .arg(phone.as_str())
            .push(" AND started_at > ")
            .arg(now - 86_400_000);
        let n: i64 = col(
            &recent
                .query()
                .fetch_one(&mut *tx)
                .await
                .map_err(StoreError::query("quiz_attempts.start"))?,
            "n",
        )
        .map_err(StoreError::query("quiz_attempts.start"))?;
        if n >= ATTEMPTS_PER_DAY {
            return Err(StoreError::invalid(
                "daily_limit",
                format!("this number started {ATTEMPTS_PER_DAY} attempts today: try tomorrow"),
            ));
        }
        let mut sql = Sql::new(
            "INSERT INTO quiz_attempts (campaign_id, token, unit_code, employer, phone, \
             started_at) VALUES (",
        );
        sql.arg(campaign.id)
            .push(", ")
            .arg(a.token.as_str())
            .push(", ")
            .arg(unit.code.as_str())
            .push(", ")
            .arg(employer.as_deref())
            .push(", ")
            .arg(phone.as_str())
            .push(", ")
            .arg(now)
            .push(") RETURNING id");
        let row = sql
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query("quiz_attempts.start"))?;
        let id: i64 = col(&row, "id").map_err(StoreError::query("quiz_attempts.start"))?;
        let mut items =
            Sql::new("INSERT INTO quiz_answers (attempt_id, position, question_id) VALUES ");
        for (i, q) in drawn.iter().enumerate() {
            if i > 0 {
                items.push(", ");
            }
            items
                .push("(")
                .arg(id)
                .push(", ")
                .arg(i as i64)
                .push(", ")
                .arg(*q)
                .push(")");
        }
        items
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("quiz_attempts.start"))?;
        tx.commit()
            .await
            .map_err(StoreError::query("quiz_attempts.commit"))?;
        Ok(a.token.clone())
    }

    /// The attempt of `token` with its questions in order; [`StoreError::NotFound`] otherwise.
    pub async fn get(&self, token: &str) -> StoreResult<Attempt> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM quiz_attempts a WHERE a.token = "
        ));
        sql.arg(token);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("quiz_attempts.get"))?;
        let Some(row) = row else {
            return Err(StoreError::NotFound {
                what: "quiz attempt",
                key: "token".into(),
            });
        };
        let mut attempt = from_row(&row).map_err(StoreError::query("quiz_attempts.get"))?;
        let mut items = Sql::new(format!(
            "SELECT {}, x.chosen, x.correct AS right_answer FROM quiz_answers x \
             JOIN quiz_questions q ON q.id = x.question_id WHERE x.attempt_id = ",
            quiz_questions::COLUMNS
        ));
        items.arg(attempt.id).push(" ORDER BY x.position");
        let rows = items
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("quiz_attempts.items"))?;
        attempt.items = rows
            .iter()
            .map(|r| {
                let chosen: Option<i64> = col(r, "chosen")?;
                let correct: Option<i64> = col(r, "right_answer")?;
                Ok(AttemptItem {
                    question: quiz_questions::from_row(r)?,
                    chosen: chosen.and_then(|c| usize::try_from(c).ok()),
                    correct: correct.map(|c| c != 0),
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query("quiz_attempts.items"))?;
        Ok(attempt)
    }

    /// Scores the attempt of `token` with `answers` (the option chosen for each question, in
    /// order), passing at its campaign's pass mark. [`StoreError::Invalid`] (`answers`) naming the
    /// first question left unanswered or an option out of range; [`StoreError::Conflict`] when
    /// it was submitted already or [`ANSWER_WITHIN_MS`] passed since it started.
    pub async fn submit(
        &self,
        token: &str,
        answers: &[Option<usize>],
        now: i64,
    ) -> StoreResult<Attempt> {
        let attempt = self.get(token).await?;
        if attempt.submitted_at.is_some() {
            return Err(StoreError::Conflict {
                what: "quiz attempt",
                detail: "these answers were handed in already".into(),
            });
        }
        if now - attempt.started_at > ANSWER_WITHIN_MS {
            return Err(StoreError::Conflict {
                what: "quiz attempt",
                detail: "the attempt expired after two hours: start again".into(),
            });
        }
        let mut marks = Vec::with_capacity(attempt.items.len());
        for (i, item) in attempt.items.iter().enumerate() {
            match answers.get(i).copied().flatten() {
                Some(c) if c < item.question.options.len() => {
                    marks.push((c, c == item.question.answer));
                }
                Some(_) => {
                    return Err(StoreError::invalid(
                        "answers",
                        format!("question {} has no such option", i + 1),
                    ))
                }
                None => {
                    return Err(StoreError::invalid(
                        "answers",
                        format!("question {} is not answered", i + 1),
                    ))
                }
            }
        }
        let mut mark = Sql::new("SELECT pass_score FROM quiz_campaigns WHERE id = ");
        mark.arg(attempt.campaign_id);
        let pass_score: i64 = col(
            &mark
                .query()
                .fetch_one(self.store.pool())
                .await
                .map_err(StoreError::query("quiz_attempts.submit"))?,
            "pass_score",
        )
        .map_err(StoreError::query("quiz_attempts.submit"))?;
        let right = marks.iter().filter(|(_, ok)| *ok).count() as i64;
        let total = marks.len().max(1) as i64;
        // Rounded half up: 17 of 20 is 85, 2 of 3 is 67.
        let score = (right * 100 + total / 2) / total;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("quiz_attempts.submit").await?;
        let mut update = Sql::new("UPDATE quiz_attempts SET submitted_at = ");
        update
            .arg(now)
            .push(", correct = ")
            .arg(right)
            .push(", score = ")
            .arg(score)
            .push(", passed = ")
            .arg(i64::from(score >= pass_score))
            .push(" WHERE id = ")
            .arg(attempt.id)
            .push(" AND submitted_at IS NULL");
        let done = update
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("quiz_attempts.submit"))?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: "quiz attempt",
                detail: "these answers were handed in already".into(),
            });
        }
        for (i, (chosen, ok)) in marks.iter().enumerate() {
            let mut answer = Sql::new("UPDATE quiz_answers SET chosen = ");
            answer
                .arg(*chosen as i64)
                .push(", correct = ")
                .arg(i64::from(*ok))
                .push(" WHERE attempt_id = ")
                .arg(attempt.id)
                .push(" AND position = ")
                .arg(i as i64);
            answer
                .query()
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("quiz_attempts.submit"))?;
        }
        tx.commit()
            .await
            .map_err(StoreError::query("quiz_attempts.commit"))?;
        self.get(token).await
    }

    /// Records the pledge signed after the quiz of `token` (once; signing again keeps the first
    /// time). [`StoreError::Conflict`] before the answers are handed in.
    pub async fn pledge(&self, token: &str, now: i64) -> StoreResult<Attempt> {
        let attempt = self.get(token).await?;
        if attempt.submitted_at.is_none() {
            return Err(StoreError::Conflict {
                what: "quiz attempt",
                detail: "the pledge follows the quiz: hand in the answers first".into(),
            });
        }
        let _writer = self.store.write_guard().await;
        let mut update = Sql::new("UPDATE quiz_attempts SET pledged_at = ");
        update
            .arg(now)
            .push(" WHERE id = ")
            .arg(attempt.id)
            .push(" AND pledged_at IS NULL");
        update
            .query()
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("quiz_attempts.pledge"))?;
        drop(_writer);
        self.get(token).await
    }

    /// The figures' columns, after `a.campaign_id` when `per_campaign`.
    fn push_figures(sql: &mut Sql<'_>, per_campaign: bool) {
        if per_campaign {
            sql.push("SELECT a.campaign_id, ");
        } else {
            sql.push("SELECT ");
        }
        sql.push(
            "COUNT(*) AS attempts, COUNT(DISTINCT a.phone) AS participants, \
             COUNT(DISTINCT CASE WHEN a.passed = 1 THEN a.phone END) AS passed, \
             COUNT(DISTINCT CASE WHEN a.pledged_at IS NOT NULL THEN a.phone END) AS pledged, \
             CAST(SUM(a.score) AS BIGINT) AS score_sum FROM quiz_attempts a ",
        );
    }

    fn figures_of(row: &AnyRow) -> Result<QuizFigures, sqlx::Error> {
        let attempts: i64 = col(row, "attempts")?;
        let sum: Option<i64> = col(row, "score_sum")?;
        Ok(QuizFigures {
            attempts,
            participants: col(row, "participants")?,
            passed: col(row, "passed")?,
            pledged: col(row, "pledged")?,
            average_score: (attempts > 0).then(|| sum.unwrap_or(0) as f64 / attempts as f64),
        })
    }

    /// Campaign `id`'s figures over its submitted attempts.
    pub async fn figures(&self, campaign_id: i64) -> StoreResult<QuizFigures> {
        let mut sql = Sql::new("");
        Self::push_figures(&mut sql, false);
        sql.push("WHERE a.campaign_id = ")
            .arg(campaign_id)
            .push(" AND a.submitted_at IS NOT NULL");
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("quiz_attempts.figures"))?;
        Self::figures_of(&row).map_err(StoreError::query("quiz_attempts.figures"))
    }

    /// The figures of each of `campaigns` (those without an attempt are absent).
    pub async fn figures_by_campaign(
        &self,
        campaigns: &[i64],
    ) -> StoreResult<HashMap<i64, QuizFigures>> {
        let mut out = HashMap::new();
        for chunk in campaigns.chunks(500) {
            let mut sql = Sql::new("");
            Self::push_figures(&mut sql, true);
            sql.push("WHERE a.submitted_at IS NOT NULL AND a.campaign_id IN (")
                .args(chunk.iter().copied())
                .push(") GROUP BY a.campaign_id");
            let rows = sql
                .query()
                .fetch_all(self.store.pool())
                .await
                .map_err(StoreError::query("quiz_attempts.figures_by_campaign"))?;
            for r in &rows {
                let id: i64 = col(r, "campaign_id").map_err(StoreError::query("quiz.figures"))?;
                out.insert(
                    id,
                    Self::figures_of(r).map_err(StoreError::query("quiz.figures"))?,
                );
            }
        }
        Ok(out)
    }

    /// The figures of the attempts handed in during `[from, until)` in `scope` — at campaigns
    /// its units organised, or by participants of its area, as `area` says — of `audience`'s
    /// campaigns only, when given.
    pub async fn period_figures(
        &self,
        scope: &Scope,
        area: QuizArea,
        from: i64,
        until: i64,
        audience: Option<crate::outreach::OutreachAudience>,
    ) -> StoreResult<QuizFigures> {
        let mut sql = Sql::new("");
        Self::push_figures(&mut sql, false);
        sql.push("JOIN quiz_campaigns c ON c.id = a.campaign_id WHERE ");
        match area {
            QuizArea::Organiser => scope.push_condition(&mut sql, "c.unit_code"),
            QuizArea::Participant => scope.push_condition(&mut sql, "a.unit_code"),
        }
        sql.push(" AND a.submitted_at >= ")
            .arg(from)
            .push(" AND a.submitted_at < ")
            .arg(until);
        if let Some(a) = audience {
            sql.push(" AND c.audience = ").arg(a.as_str());
        }
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("quiz_attempts.period_figures"))?;
        Self::figures_of(&row).map_err(StoreError::query("quiz_attempts.period_figures"))
    }

    /// Each employer of `campaign` with its participants and those who passed, the lowest
    /// share of its headcount first.
    pub async fn employers(&self, campaign: &Campaign) -> StoreResult<Vec<EmployerParticipation>> {
        let mut sql = Sql::new(
            "SELECT a.employer, COUNT(DISTINCT a.phone) AS participants, \
             COUNT(DISTINCT CASE WHEN a.passed = 1 THEN a.phone END) AS passed \
             FROM quiz_attempts a WHERE a.campaign_id = ",
        );
        sql.arg(campaign.id)
            .push(" AND a.submitted_at IS NOT NULL AND a.employer IS NOT NULL GROUP BY a.employer");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("quiz_attempts.employers"))?;
        let mut counts: HashMap<String, (i64, i64)> = HashMap::new();
        for r in &rows {
            let name: String = col(r, "employer").map_err(StoreError::query("quiz.employers"))?;
            let n: i64 = col(r, "participants").map_err(StoreError::query("quiz.employers"))?;
            let p: i64 = col(r, "passed").map_err(StoreError::query("quiz.employers"))?;
            counts.insert(name, (n, p));
        }
        let mut out: Vec<EmployerParticipation> = campaign
            .employers
            .iter()
            .map(|e| {
                let (participants, passed) = counts.get(&e.name).copied().unwrap_or_default();
                EmployerParticipation {
                    name: e.name.clone(),
                    headcount: e.headcount,
                    participants,
                    passed,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            a.rate()
                .total_cmp(&b.rate())
                .then(b.headcount.cmp(&a.headcount))
                .then(a.name.cmp(&b.name))
        });
        Ok(out)
    }

    /// Participants of campaign `id` per area named (the unit's path), each number counted
    /// once per area, for the caller to roll up.
    pub async fn areas(&self, campaign_id: i64) -> StoreResult<Vec<AreaParticipation>> {
        let mut sql = Sql::new(
            "SELECT u.path, COUNT(DISTINCT a.phone) AS participants, \
             COUNT(DISTINCT CASE WHEN a.passed = 1 THEN a.phone END) AS passed \
             FROM quiz_attempts a JOIN org_units u ON u.code = a.unit_code \
             WHERE a.campaign_id = ",
        );
        sql.arg(campaign_id)
            .push(" AND a.submitted_at IS NOT NULL GROUP BY u.path ORDER BY u.path");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("quiz_attempts.areas"))?;
        rows.iter()
            .map(|r| {
                Ok(AreaParticipation {
                    path: col(r, "path")?,
                    participants: col(r, "participants")?,
                    passed: col(r, "passed")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query("quiz_attempts.areas"))
    }

    /// The latest `limit` attempts handed in at campaign `id` when it lies inside `scope`
    /// (their numbers are personal data).
    pub async fn recent(
        &self,
        scope: &Scope,
        campaign_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<AttemptRow>> {
        let mut sql = Sql::new(
            "SELECT a.id, a.unit_code, a.employer, a.phone, a.submitted_at, a.score, a.passed, \
             a.pledged_at FROM quiz_attempts a JOIN quiz_campaigns c ON c.id = a.campaign_id \
             WHERE ",
        );
        scope.push_condition(&mut sql, "c.unit_code");
        sql.push(" AND a.campaign_id = ")
            .arg(campaign_id)
            .push(" AND a.submitted_at IS NOT NULL ORDER BY a.submitted_at DESC, a.id DESC LIMIT ")
            .arg(limit.clamp(1, 1_000));
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("quiz_attempts.recent"))?;
        rows.iter()
            .map(|r| {
                let passed: i64 = col(r, "passed")?;
                let pledged: Option<i64> = col(r, "pledged_at")?;
                Ok(AttemptRow {
                    id: col(r, "id")?,
                    unit_code: col(r, "unit_code")?,
                    employer: col(r, "employer")?,
                    phone: col(r, "phone")?,
                    submitted_at: col(r, "submitted_at")?,
                    score: col(r, "score")?,
                    passed: passed != 0,
                    pledged: pledged.is_some(),
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query("quiz_attempts.recent"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fanzha_core::FraudType;

    fn bank() -> Vec<Question> {
        let types = [
            FraudType::OrderBrushing,
            FraudType::FakeLoan,
            FraudType::ImpersonatingPolice,
        ];
        (0..30)
            .map(|i| Question {
                id: i,
                unit_code: "u".into(),
                fraud_type: types[(i % 3) as usize],
                stem: format!("q{i}"),
                options: vec!["a".into(), "b".into()],
                answer: 0,
                explanation: "e".into(),
                active: true,
                created_by: "x".into(),
                created_at: 0,
                version: 1,
            })
            .collect()
    }

    #[test]
    fn a_draw_spreads_over_the_types_without_repeating_and_follows_its_seed() {
        let bank = bank();
        let drawn = draw(&bank, 6, 7);
        assert_eq!(drawn.len(), 6);
        let mut seen = drawn.clone();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 6, "a question drawn twice");
        for t in 0..3 {
            assert_eq!(
                drawn.iter().filter(|id| *id % 3 == t).count(),
                2,
                "{drawn:?}"
            );
        }
        assert_eq!(draw(&bank, 6, 7), drawn);
        assert_ne!(draw(&bank, 6, 8), drawn);
        assert_eq!(draw(&bank, 50, 1).len(), 30, "never more than the bank");
    }
}
