//! Typical cases (典型案例): cases picked to warn others — in the work brief to leadership and
//! units, in awareness talks and printed bulletins (以案说法).
//!
//! A typical case is a case inside the scope with a title, a summary written for publication
//! and the advice it teaches (防范提示). What is published names nobody: the store refuses a
//! title, summary or advice holding the victim's name, ID number, phone or own account, or any
//! other ID number or mobile number. Marking again edits the entry against its version;
//! unmarking removes it. Every change writes its audit entry in the same transaction.
//!
//! Marking and editing are scoped by the case's unit. An entry is published by the marker's
//! unit to every unit below it: the list a unit reads holds the typical cases of its own area
//! and those its units above published (a grid worker takes the county's cases to their
//! talks), ordered by the report, latest first.

use crate::audit::{append_on, NewAuditEntry};
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use sqlx::any::AnyRow;

/// The longest title, in characters.
pub const MAX_TYPICAL_TITLE: usize = 60;
/// The longest summary, in characters.
pub const MAX_TYPICAL_SUMMARY: usize = 1_000;
/// The longest advice, in characters.
pub const MAX_TYPICAL_ADVICE: usize = 500;
/// The most typical cases one list returns.
pub const MAX_TYPICAL_LIST: usize = 500;

/// A case marked (or edited) as typical.
#[derive(Clone, Debug, Default)]
pub struct NewTypicalCase {
    pub case_id: String,
    pub title: String,
    pub summary: String,
    pub advice: String,
    /// The marker's unit: the entry is published to the units below it.
    pub publisher_unit: String,
    pub by: String,
    /// The entry's version the edit was made from; 0 to mark a case that is not typical yet.
    pub expected_version: i64,
}

/// A typical case with what the lists show of its case.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TypicalCase {
    pub case_id: String,
    pub title: String,
    pub summary: String,
    pub advice: String,
    pub publisher_unit: String,
    pub marked_by: String,
    pub marked_at: i64,
    pub updated_by: String,
    pub updated_at: i64,
    pub version: i64,
    pub unit_code: String,
    pub reported_at: i64,
    pub loss_fen: i64,
    pub fraud_type: Option<String>,
}

/// Which typical cases a list holds: those whose case was reported in `[from, to)` and, when
/// given, of one fraud type.
#[derive(Clone, Debug, Default)]
pub struct TypicalFilter {
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub fraud_type: Option<String>,
    /// Only the typical cases of the reader's own area, not those published from above (a
    /// unit's work brief reports its own area).
    pub area_only: bool,
}

const COLUMNS: &str =
    "t.case_id, t.title, t.summary, t.advice, t.publisher_unit, t.marked_by, t.marked_at, \
     t.updated_by, t.updated_at, t.version, c.unit_code, c.reported_at, c.loss_fen, c.fraud_type";

fn from_row(r: &AnyRow) -> Result<TypicalCase, sqlx::Error> {
    Ok(TypicalCase {
        case_id: col(r, "case_id")?,
        title: col(r, "title")?,
        summary: col(r, "summary")?,
        advice: col(r, "advice")?,
        publisher_unit: col(r, "publisher_unit")?,
        marked_by: col(r, "marked_by")?,
        marked_at: col(r, "marked_at")?,
        updated_by: col(r, "updated_by")?,
        updated_at: col(r, "updated_at")?,
        version: col(r, "version")?,
        unit_code: col(r, "unit_code")?,
        reported_at: col(r, "reported_at")?,
        loss_fen: col(r, "loss_fen")?,
        fraud_type: col(r, "fraud_type")?,
    })
}

/// A text field trimmed, within its length; `required` refuses an empty one.
fn text(field: &'static str, value: &str, max: usize, required: bool) -> StoreResult<String> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(StoreError::invalid(field, "required"));
    }
    if v.chars().count() > max {
        return Err(StoreError::invalid(
            field,
            format!("at most {max} characters"),
        ));
    }
    Ok(v.to_string())
}

/// Why a text meant for publication may not be published: it names the victim (`names`: their
/// name, ID number, phone, account) or holds an ID number or mobile number at all. Numbers are
/// read the way people type them: full-width digits (１３８) as digits, and spaces, dashes, dots
/// and slashes inside a number (`138-0000-1234`, `138－0000－1234`, `330281.1990…`) skipped.
pub fn identifying(text: &str, names: &[&str]) -> Option<&'static str> {
    let numbers = number_view(text);
    for n in names.iter().map(|n| n.trim()) {
        let digits = number_view(n);
        if digits.chars().filter(char::is_ascii_digit).count() >= 7 {
            // A number of the victim's: compared digit for digit, however it was typed.
            if numbers.contains(&digits) {
                return Some("names the victim; leave their numbers out");
            }
        } else if n.chars().count() >= 2 && text.contains(n) {
            // A name (a one-character "name" would match ordinary words).
            return Some("names the victim; write 某某 or 张某 instead");
        }
    }
    let digits: Vec<char> = numbers.chars().collect();
    let mut run = 0usize;
    let mut start = 0usize;
    for (i, c) in digits.iter().enumerate() {
        if c.is_ascii_digit() {
            if run == 0 {
                start = i;
            }
            run += 1;
            // A mainland mobile number: 11 digits from 1[3-9].
            if run == 11
                && digits[start] == '1'
                && matches!(digits[start + 1], '3'..='9')
                && !digits.get(i + 1).is_some_and(|d| d.is_ascii_digit())
            {
                return Some("holds a phone number; leave it out");
            }
            if run >= 15 {
                return Some("holds an ID or account number; leave it out");
            }
        } else {
            run = 0;
        }
    }
    None
}

/// The text with full-width digits and letters folded to ASCII and the separators people type
/// inside numbers removed, so that a number reads as one run of digits. Other characters (Chinese
/// text, CJK punctuation such as ，。) stay and break runs.
fn number_view(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            _ => c,
        })
        // Separators typed inside one number go; commas and semicolons stay and end a run,
        // so a list of amounts ("15,000, 200,000") does not read as one long number.
        .filter(|c| {
            !(c.is_whitespace()
                || (c.is_ascii_punctuation() && !matches!(c, ',' | ';'))
                || matches!(c, '－' | '．' | '／' | '—' | '–' | '·' | '＿'))
        })
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The typical-case repository.
pub struct TypicalCases<'s> {
    store: &'s Store,
}

impl<'s> TypicalCases<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        TypicalCases { store }
    }

    /// The typical entry of a case inside the scope; `None` when it is not typical.
    pub async fn of_case(&self, scope: &Scope, case_id: &str) -> StoreResult<Option<TypicalCase>> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM typical_cases t JOIN cases c ON c.id = t.case_id \
             WHERE t.case_id = "
        ));
        sql.arg(case_id).push(" AND ");
        scope.push_condition(&mut sql, "c.unit_code");
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("typical_cases.of_case"))?;
        row.as_ref()
            .map(from_row)
            .transpose()
            .map_err(StoreError::query("typical_cases.of_case"))
    }

    /// Marks a case inside the scope as typical, or edits its entry, at `now`, with its audit
    /// entry (`typical_case_marked` / `typical_case_edited`). The texts are refused when they
    /// identify anyone ([`identifying`]). The change applies only to the version it was made
    /// from (0: not typical yet): otherwise [`StoreError::Conflict`] and nothing is written.
    pub async fn mark(
        &self,
        scope: &Scope,
        t: &NewTypicalCase,
        now: i64,
    ) -> StoreResult<TypicalCase> {
        let title = text("title", &t.title, MAX_TYPICAL_TITLE, true)?;
        let summary = text("summary", &t.summary, MAX_TYPICAL_SUMMARY, true)?;
        let advice = text("advice", &t.advice, MAX_TYPICAL_ADVICE, false)?;
        let case = self.store.cases().get(scope, &t.case_id).await?;
        let names: Vec<&str> = [
            case.victim_name.as_deref(),
            case.resident_id.as_deref(),
            case.victim_phone.as_deref(),
            case.victim_account.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        for (field, value) in [
            ("title", &title),
            ("summary", &summary),
            ("advice", &advice),
        ] {
            if let Some(why) = identifying(value, &names) {
                return Err(StoreError::invalid(field, why));
            }
        }
        let expected = t.expected_version;
        let conflict = |found: i64| StoreError::Conflict {
            what: "typical_case",
            detail: format!("expected version {expected}, found {found}; reload and retry"),
        };
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("typical_cases.begin").await?;
        let sql = if expected == 0 {
            let mut sql = Sql::new(
                "INSERT INTO typical_cases (case_id, title, summary, advice, publisher_unit, \
                 marked_by, marked_at, updated_by, updated_at, version) VALUES (",
            );
            sql.arg(t.case_id.as_str())
                .push(", ")
                .arg(title.as_str())
                .push(", ")
                .arg(summary.as_str())
                .push(", ")
                .arg(advice.as_str())
                .push(", ")
                .arg(t.publisher_unit.as_str())
                .push(", ")
                .arg(t.by.as_str())
                .push(", ")
                .arg(now)
                .push(", ")
                .arg(t.by.as_str())
                .push(", ")
                .arg(now)
                .push(", 1) ON CONFLICT (case_id) DO NOTHING");
            sql
        } else {
            let mut sql = Sql::new("UPDATE typical_cases SET title = ");
            sql.arg(title.as_str())
                .push(", summary = ")
                .arg(summary.as_str())
                .push(", advice = ")
                .arg(advice.as_str())
                .push(", updated_by = ")
                .arg(t.by.as_str())
                .push(", updated_at = ")
                .arg(now)
                .push(", version = version + 1 WHERE case_id = ")
                .arg(t.case_id.as_str())
                .push(" AND version = ")
                .arg(expected);
            sql
        };
        let done = sql
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("typical_cases.mark"))?;
        if done.rows_affected() != 1 {
            drop(tx);
            let found = self
                .of_case(scope, &t.case_id)
                .await?
                .map_or(0, |e| e.version);
            return Err(conflict(found));
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: t.by.clone(),
                action: if expected == 0 {
                    "typical_case_marked".into()
                } else {
                    "typical_case_edited".into()
                },
                target_type: "case".into(),
                target_id: Some(t.case_id.clone()),
                unit_code: Some(case.unit_code.clone()),
                detail: serde_json::json!({ "title": title }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("typical_cases.commit"))?;
        drop(_writer);
        self.of_case(scope, &t.case_id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "typical_case",
                key: t.case_id.clone(),
            })
    }

    /// Takes a case inside the scope off the typical cases, from the version shown, with its
    /// audit entry (`typical_case_unmarked`).
    pub async fn unmark(
        &self,
        scope: &Scope,
        case_id: &str,
        expected_version: i64,
        by: &str,
    ) -> StoreResult<()> {
        let current = self
            .of_case(scope, case_id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "typical_case",
                key: case_id.to_string(),
            })?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("typical_cases.begin").await?;
        let mut sql = Sql::new("DELETE FROM typical_cases WHERE case_id = ");
        sql.arg(case_id)
            .push(" AND version = ")
            .arg(expected_version);
        let done = sql
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("typical_cases.unmark"))?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: "typical_case",
                detail: format!(
                    "expected version {expected_version}, found {}; reload and retry",
                    current.version
                ),
            });
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: by.to_string(),
                action: "typical_case_unmarked".into(),
                target_type: "case".into(),
                target_id: Some(case_id.to_string()),
                unit_code: Some(current.unit_code.clone()),
                detail: serde_json::json!({ "title": current.title }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("typical_cases.commit"))?;
        Ok(())
    }

    /// The typical cases a unit reads that match — those of its area and those its units
    /// above published — latest report first, at most [`MAX_TYPICAL_LIST`]; the flag says
    /// whether more matched.
    pub async fn list(
        &self,
        reader_unit: &str,
        f: &TypicalFilter,
    ) -> StoreResult<(Vec<TypicalCase>, bool)> {
        let unit = self.store.units().get(reader_unit).await?;
        let scope = self.store.units().scope(reader_unit).await?;
        let above: Vec<&str> = unit.path.split('/').filter(|c| !c.is_empty()).collect();
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM typical_cases t JOIN cases c ON c.id = t.case_id WHERE ("
        ));
        if !f.area_only {
            sql.push("t.publisher_unit IN (").args(above).push(") OR ");
        }
        scope.push_condition(&mut sql, "c.unit_code");
        sql.push(")");
        if let Some(from) = f.from {
            sql.push(" AND c.reported_at >= ").arg(from);
        }
        if let Some(to) = f.to {
            sql.push(" AND c.reported_at < ").arg(to);
        }
        if let Some(t) = &f.fraud_type {
            sql.push(" AND c.fraud_type = ").arg(t.as_str());
        }
        sql.push(" ORDER BY c.reported_at DESC, c.id DESC LIMIT ")
            .arg(MAX_TYPICAL_LIST as i64 + 1);
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("typical_cases.list"))?;
        let more = rows.len() > MAX_TYPICAL_LIST;
        let items = rows
            .iter()
            .take(MAX_TYPICAL_LIST)
            .map(from_row)
            .collect::<Result<_, _>>()
            .map_err(StoreError::query("typical_cases.list"))?;
        Ok((items, more))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn texts_naming_people_or_numbers_are_caught() {
        let victim = ["王小明", "330281199001011234", "13800001234"];
        assert_eq!(identifying("王某在家中接到自称客服的电话", &victim), None);
        assert!(identifying("受害人王小明接到电话", &victim).is_some());
        assert!(identifying("对方号码为138-0000-1234", &[]).is_some());
        assert!(identifying("身份证号330281 19900101 1234", &[]).is_some());
        assert!(identifying("身份证号33028119900101123X", &[]).is_some());
        assert!(identifying("向账户6222 0201 2345 6789 015转账", &[]).is_some());
        // Amounts, dates and short numbers are fine, a list of amounts too.
        assert_eq!(identifying("分三次转账15,000, 200,000, 3,000元", &[]), None);
        assert_eq!(
            identifying("2026年3月10日，被骗38000元，共转账12笔，客服工号95588", &[]),
            None
        );
        // A one-character name would match any text.
        assert_eq!(identifying("王某", &["王"]), None);
        // Eleven digits that are no mobile number (a 0-leading landline) pass.
        assert_eq!(identifying("座机057412345678", &[]), None);
        // Numbers typed in full width or with other separators are numbers all the same.
        assert!(identifying("受害人手机１３８００００１２３４", &[]).is_some());
        assert!(identifying("对方号码138－0000－1234", &[]).is_some());
        assert!(identifying("证件330281.1990.0101.1234", &[]).is_some());
        // The victim's own landline, however it is typed.
        assert!(identifying("来电0574-62345678", &["057462345678"]).is_some());
        assert!(identifying("来电０５７４６２３４５６７８", &["0574-62345678"]).is_some());
        // Chinese punctuation breaks a run: an amount and a count stay apart.
        assert_eq!(
            identifying("转账38000元，共12笔，2026-03-10报案", &[]),
            None
        );
    }

    proptest! {
        #[test]
        fn any_mobile_number_inside_any_text_is_caught(
            before in "[\\u4e00-\\u9fa5a-z ]{0,20}",
            second in 3u8..=9,
            rest in 0u64..1_000_000_000,
            after in "[\\u4e00-\\u9fa5a-z ]{0,20}",
        ) {
            let text = format!("{before}1{second}{rest:09}{after}");
            prop_assert!(identifying(&text, &[]).is_some(), "{}", text);
            // The same number typed in full width.
            let wide: String = text
                .chars()
                .map(|c| if c.is_ascii_digit() { char::from_u32(c as u32 + 0xFEE0).unwrap() } else { c })
                .collect();
            prop_assert!(identifying(&wide, &[]).is_some(), "{}", wide);
        }

        #[test]
        fn texts_without_digits_or_names_pass(text in "[\\u4e00-\\u9fa5，。a-z ]{0,200}") {
            prop_assert_eq!(identifying(&text, &["王小明"]).filter(|_| !text.contains("王小明")), None);
        }
    }
}
