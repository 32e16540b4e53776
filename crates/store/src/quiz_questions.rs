//! 反诈测试题库: the question bank of the awareness quiz. Each unit keeps its own questions (the
//! center's for the whole city, a county's about what happens there); a quiz campaign draws from
//! its unit's questions and those of every unit above it. A question has a fraud type, 2 to 5
//! options with one right answer and the explanation shown after answering. Questions are
//! retired, never deleted (attempts keep pointing at them). The bank starts from the built-in
//! questions (`quiz_builtin.toml`), loaded once per unit on request.

use crate::audit::{append_on, NewAuditEntry};
use crate::error::{StoreError, StoreResult};
use crate::field::bounded_text;
use crate::scope::Scope;
use crate::sql::{col, flag, Sql};
use crate::store::Store;
use crate::units::Unit;
use crate::versioned::{self, VersionedChange};
use fanzha_core::FraudType;
use sqlx::any::AnyRow;

/// The longest stem kept (characters).
pub const MAX_STEM: usize = 200;
/// The longest option kept (characters).
pub const MAX_OPTION: usize = 80;
/// The longest explanation kept (characters).
pub const MAX_EXPLANATION: usize = 500;
/// Options a question offers, at least and at most.
pub const OPTIONS: std::ops::RangeInclusive<usize> = 2..=5;

/// A question to write or the new text of one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuestionText {
    /// A fraud type's code ([`FraudType::code`], `other` for general knowledge).
    pub fraud_type: FraudType,
    pub stem: String,
    pub options: Vec<String>,
    /// The right option's index.
    pub answer: usize,
    pub explanation: String,
}

/// A question of the bank.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Question {
    pub id: i64,
    pub unit_code: String,
    pub fraud_type: FraudType,
    pub stem: String,
    pub options: Vec<String>,
    pub answer: usize,
    pub explanation: String,
    pub active: bool,
    pub created_by: String,
    pub created_at: i64,
    pub version: i64,
}

/// How often a question was answered, and wrongly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct QuestionTally {
    pub answered: i64,
    pub wrong: i64,
}

impl QuestionTally {
    /// Wrong among answered; `None` before any answer.
    pub fn miss_rate(&self) -> Option<f64> {
        (self.answered > 0).then(|| self.wrong as f64 / self.answered as f64)
    }
}

pub(crate) const COLUMNS: &str = "q.id, q.unit_code, q.fraud_type, q.stem, q.options, q.answer, \
     q.explanation, q.active, q.created_by, q.created_at, q.version";

pub(crate) fn from_row(r: &AnyRow) -> Result<Question, sqlx::Error> {
    let options: String = col(r, "options")?;
    let fraud_type: String = col(r, "fraud_type")?;
    let answer: i64 = col(r, "answer")?;
    Ok(Question {
        id: col(r, "id")?,
        unit_code: col(r, "unit_code")?,
        fraud_type: FraudType::parse_label(&fraud_type)
            .map_err(|e| crate::field::decode_err("fraud_type", e.to_string()))?,
        stem: col(r, "stem")?,
        options: serde_json::from_str(&options)
            .map_err(|e| crate::field::decode_err("options", e.to_string()))?,
        answer: usize::try_from(answer).unwrap_or_default(),
        explanation: col(r, "explanation")?,
        active: flag(r, "active")?,
        created_by: col(r, "created_by")?,
        created_at: col(r, "created_at")?,
        version: col(r, "version")?,
    })
}

/// The text checked and trimmed: a stem, 2–5 distinct non-empty options, the answer among
/// them, an explanation; not the `normal` type.
fn checked(t: &QuestionText) -> StoreResult<QuestionText> {
    if t.fraud_type == FraudType::Normal {
        return Err(StoreError::invalid(
            "fraud_type",
            "a question is about a fraud type or general knowledge (other)",
        ));
    }
    let stem = bounded_text("stem", &t.stem, MAX_STEM, true)?;
    let options = t
        .options
        .iter()
        .map(|o| bounded_text("options", o, MAX_OPTION, false))
        .collect::<StoreResult<Vec<_>>>()?;
    if options.iter().any(String::is_empty) {
        return Err(StoreError::invalid(
            "options",
            "an option must not be empty",
        ));
    }
    if !OPTIONS.contains(&options.len()) {
        return Err(StoreError::invalid(
            "options",
            format!(
                "a question offers {} to {} options",
                OPTIONS.start(),
                OPTIONS.end()
            ),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    if !options.iter().all(|o| seen.insert(o.as_str())) {
        return Err(StoreError::invalid("options", "two options read the same"));
    }
    if t.answer >= options.len() {
        return Err(StoreError::invalid(
            "answer",
            "the right answer must be one of the options",
        ));
    }
    Ok(QuestionText {
        fraud_type: t.fraud_type,
        stem,
        options,
        answer: t.answer,
        explanation: bounded_text("explanation", &t.explanation, MAX_EXPLANATION, true)?,
    })
}

/// The unit and those above it, from its materialised path (`/33/3302/330281/`).
pub(crate) fn unit_and_above(unit: &Unit) -> Vec<String> {
    unit.path
        .split('/')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// The built-in questions, as shipped.
#[derive(serde::Deserialize)]
struct Builtin {
    question: Vec<BuiltinQuestion>,
}

#[derive(serde::Deserialize)]
struct BuiltinQuestion {
    fraud_type: String,
    stem: String,
    options: Vec<String>,
    answer: usize,
    explanation: String,
}

/// The questions shipped with the product (`quiz_builtin.toml`), checked like any other.
pub fn builtin_questions() -> StoreResult<Vec<QuestionText>> {
    let file: Builtin = toml::from_str(include_str!("quiz_builtin.toml"))
        .map_err(|e| StoreError::invalid("builtin", e.to_string()))?;
    file.question
        .into_iter()
        .map(|q| {
            let fraud_type = FraudType::parse_label(&q.fraud_type)
                .map_err(|e| StoreError::invalid("fraud_type", e.to_string()))?;
            checked(&QuestionText {
                fraud_type,
                stem: q.stem,
                options: q.options,
                answer: q.answer,
                explanation: q.explanation,
            })
        })
        .collect()
}

/// The question bank repository.
pub struct QuizQuestions<'s> {
    store: &'s Store,
}

impl<'s> QuizQuestions<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        QuizQuestions { store }
    }

    async fn insert(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        unit_code: &str,
        t: &QuestionText,
        by: &str,
        now: i64,
    ) -> StoreResult<i64> {
        let options = serde_json::to_string(&t.options)
            .map_err(|e| StoreError::invalid("options", e.to_string()))?;
        let mut sql = Sql::new(
            "INSERT INTO quiz_questions (unit_code, fraud_type, stem, options, answer, \
             explanation, created_by, created_at) VALUES (",
        );
        sql.arg(unit_code)
            .push(", ")
            .arg(t.fraud_type.code())
            .push(", ")
            .arg(t.stem.as_str())
            .push(", ")
            .arg(options)
            .push(", ")
            .arg(t.answer as i64)
            .push(", ")
            .arg(t.explanation.as_str())
            .push(", ")
            .arg(by)
            .push(", ")
            .arg(now)
            .push(") RETURNING id");
        let row = sql
            .query()
            .fetch_one(&mut **tx)
            .await
            .map_err(StoreError::query("quiz_questions.insert"))?;
        col(&row, "id").map_err(StoreError::query("quiz_questions.insert"))
    }

    /// Adds a question to `unit_code`'s bank (audited `quiz_question_added`); returns its id.
    /// [`StoreError::Invalid`] naming the field for a bad text.
    pub async fn add(
        &self,
        unit_code: &str,
        t: &QuestionText,
        by: &str,
        now: i64,
    ) -> StoreResult<i64> {
        let t = checked(t)?;
        self.store.units().get(unit_code).await?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("quiz_questions.begin").await?;
        let id = self.insert(&mut tx, unit_code, &t, by, now).await?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: by.to_string(),
                action: "quiz_question_added".into(),
                target_type: "quiz_question".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(unit_code.to_string()),
                detail: serde_json::json!({ "stem": t.stem, "fraud_type": t.fraud_type.code() }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("quiz_questions.commit"))?;
        Ok(id)
    }

    /// Adds to `unit_code`'s bank the built-in questions whose stem it does not hold yet, in
    /// one transaction with one audit entry (`quiz_questions_loaded`); returns how many.
    pub async fn load_builtin(&self, unit_code: &str, by: &str, now: i64) -> StoreResult<usize> {
        let builtin = builtin_questions()?;
        self.store.units().get(unit_code).await?;
        let held: std::collections::HashSet<String> = self
            .of_units(&[unit_code.to_string()], true)
            .await?
            .into_iter()
            .map(|q| q.stem)
            .collect();
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("quiz_questions.begin").await?;
        let mut added = 0;
        for t in builtin.iter().filter(|t| !held.contains(&t.stem)) {
            self.insert(&mut tx, unit_code, t, by, now).await?;
            added += 1;
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: by.to_string(),
                action: "quiz_questions_loaded".into(),
                target_type: "quiz_question".into(),
                target_id: None,
                unit_code: Some(unit_code.to_string()),
                detail: serde_json::json!({ "added": added }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("quiz_questions.commit"))?;
        Ok(added)
    }

    /// Question `id`; [`StoreError::NotFound`] when there is none.
    pub async fn get(&self, id: i64) -> StoreResult<Question> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM quiz_questions q WHERE q.id = "
        ));
        sql.arg(id);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("quiz_questions.get"))?;
        match row {
            Some(r) => from_row(&r).map_err(StoreError::query("quiz_questions.get")),
            None => Err(StoreError::NotFound {
                what: "quiz question",
                key: id.to_string(),
            }),
        }
    }

    /// The questions of `units` (active only unless `retired_too`), by fraud type and id.
    pub async fn of_units(
        &self,
        units: &[String],
        retired_too: bool,
    ) -> StoreResult<Vec<Question>> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM quiz_questions q WHERE q.unit_code IN ("
        ));
        sql.args(units.iter().map(String::as_str)).push(")");
        if !retired_too {
            sql.push(" AND q.active = 1");
        }
        sql.push(" ORDER BY q.fraud_type, q.id");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("quiz_questions.of_units"))?;
        rows.iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("quiz_questions.of_units"))
    }

    /// The bank a campaign of `unit_code` draws from: its unit's questions and those above.
    pub async fn bank_of(&self, unit_code: &str, retired_too: bool) -> StoreResult<Vec<Question>> {
        let unit = self.store.units().get(unit_code).await?;
        self.of_units(&unit_and_above(&unit), retired_too).await
    }

    /// How each of `ids` was answered in every submitted attempt (campaign `campaign` only when
    /// given); a question never answered is absent.
    pub async fn tallies(
        &self,
        ids: &[i64],
        campaign: Option<i64>,
    ) -> StoreResult<std::collections::HashMap<i64, QuestionTally>> {
        let mut out = std::collections::HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        for chunk in ids.chunks(500) {
            let mut sql = Sql::new(
                "SELECT a.question_id, COUNT(*) AS answered, \
                 CAST(SUM(CASE WHEN a.correct = 0 THEN 1 ELSE 0 END) AS BIGINT) AS wrong \
                 FROM quiz_answers a",
            );
            if campaign.is_some() {
                sql.push(" JOIN quiz_attempts t ON t.id = a.attempt_id");
            }
            sql.push(" WHERE a.correct IS NOT NULL AND a.question_id IN (")
                .args(chunk.iter().copied())
                .push(")");
            if let Some(c) = campaign {
                sql.push(" AND t.campaign_id = ").arg(c);
            }
            sql.push(" GROUP BY a.question_id");
            let rows = sql
                .query()
                .fetch_all(self.store.pool())
                .await
                .map_err(StoreError::query("quiz_questions.tallies"))?;
            for r in &rows {
                let id: i64 = col(r, "question_id").map_err(StoreError::query("quiz.tallies"))?;
                let answered: i64 =
                    col(r, "answered").map_err(StoreError::query("quiz.tallies"))?;
                let wrong: Option<i64> =
                    col(r, "wrong").map_err(StoreError::query("quiz.tallies"))?;
                out.insert(
                    id,
                    QuestionTally {
                        answered,
                        wrong: wrong.unwrap_or(0),
                    },
                );
            }
        }
        Ok(out)
    }

    /// The questions of the units inside `scope` (active only unless `retired_too`), by fraud
    /// type and id.
    pub async fn in_scope(&self, scope: &Scope, retired_too: bool) -> StoreResult<Vec<Question>> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM quiz_questions q WHERE "));
        scope.push_condition(&mut sql, "q.unit_code");
        if !retired_too {
            sql.push(" AND q.active = 1");
        }
        sql.push(" ORDER BY q.fraud_type, q.id");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("quiz_questions.in_scope"))?;
        rows.iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("quiz_questions.in_scope"))
    }

    /// Rewrites question `id` of a unit inside `scope` from `version` — its text, and whether
    /// it is drawn (`active`) — audited `quiz_question_updated` with the text before.
    /// [`StoreError::NotFound`] when the question's unit lies outside; [`StoreError::Conflict`]
    /// when it changed since it was read.
    #[allow(clippy::too_many_arguments)]
    pub async fn update(
        &self,
        scope: &Scope,
        id: i64,
        version: i64,
        t: &QuestionText,
        active: bool,
        by: &str,
        now: i64,
    ) -> StoreResult<Question> {
        let t = checked(t)?;
        let before = self.get(id).await?;
        if !self
            .store
            .units()
            .contains(scope, &before.unit_code)
            .await?
        {
            return Err(StoreError::NotFound {
                what: "quiz question",
                key: id.to_string(),
            });
        }
        let options = serde_json::to_string(&t.options)
            .map_err(|e| StoreError::invalid("options", e.to_string()))?;
        let mut update = Sql::new("UPDATE quiz_questions SET fraud_type = ");
        update
            .arg(t.fraud_type.code())
            .push(", stem = ")
            .arg(t.stem.as_str())
            .push(", options = ")
            .arg(options)
            .push(", answer = ")
            .arg(t.answer as i64)
            .push(", explanation = ")
            .arg(t.explanation.as_str())
            .push(", active = ")
            .arg(i64::from(active));
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
                    action: "quiz_question_updated".into(),
                    target_type: "quiz_question".into(),
                    target_id: Some(id.to_string()),
                    unit_code: Some(before.unit_code.clone()),
                    detail: serde_json::json!({
                        "before": {
                            "stem": before.stem,
                            "options": before.options,
                            "answer": before.answer,
                            "active": before.active,
                        },
                        "active": active,
                    }),
                },
                ctx: "quiz_questions.update",
            },
            || StoreError::Conflict {
                what: "quiz question",
                detail: format!("question {id} changed since version {version}: reload it"),
            },
        )
        .await?;
        self.get(id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_questions_pass_the_checks_and_cover_every_fraud_type() {
        let qs = builtin_questions().expect("built-in questions");
        assert!(qs.len() >= 40, "{}", qs.len());
        for t in FraudType::FRAUD {
            assert!(
                qs.iter().filter(|q| q.fraud_type == t).count() >= 4,
                "{t:?} has fewer than 4 questions"
            );
        }
        let stems: std::collections::HashSet<&str> = qs.iter().map(|q| q.stem.as_str()).collect();
        assert_eq!(stems.len(), qs.len(), "a stem repeats");
    }

    fn text(options: &[&str], answer: usize) -> QuestionText {
        QuestionText {
            fraud_type: FraudType::FakeLoan,
            stem: "贷款前要先交保证金吗？".into(),
            options: options.iter().map(|s| s.to_string()).collect(),
            answer,
            explanation: "正规贷款放款前不收任何费用。".into(),
        }
    }

    #[test]
    fn a_question_needs_distinct_options_and_an_answer_among_them() {
        assert!(checked(&text(&["要", "不要"], 1)).is_ok());
        let field = |r: StoreResult<QuestionText>| match r {
            Err(StoreError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(checked(&text(&["要"], 0))), "options");
        assert_eq!(field(checked(&text(&["要", "要"], 0))), "options");
        assert_eq!(field(checked(&text(&["要", " "], 0))), "options");
        assert_eq!(
            field(checked(&text(&["a", "b", "c", "d", "e", "f"], 0))),
            "options"
        );
        assert_eq!(field(checked(&text(&["要", "不要"], 2))), "answer");
        let mut normal = text(&["要", "不要"], 1);
        normal.fraud_type = FraudType::Normal;
        assert_eq!(field(checked(&normal)), "fraud_type");
    }
}
