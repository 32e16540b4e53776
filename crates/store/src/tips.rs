//! 举报线索: tips about fraud reported to the police — by grid workers on their rounds
//! (seed 003: "网格员宣传防范举报电信网络诈骗犯罪"), by residents through them or at the station,
//! by the banks' and operators' staff — a number, a link, an account, an app, a person
//! collecting cards. Each is checked (核查) by the unit it belongs to or one above: confirmed,
//! with what was done (the number shut down, the account stopped …), or dismissed with why.
//!
//! A tip belongs to the unit it was reported in and is read by that unit's subtree. The
//! reporter's callback number is personal data (masked in lists, by the pages). Reporting and
//! checking write an audit entry in the same transaction; a check names the version it read.

use crate::audit::{append_on, NewAuditEntry};
use crate::code_enum::code_enum;
use crate::error::{StoreError, StoreResult};
use crate::field::{bounded_text, parse_code, phone};
use crate::page::{push_newest_first, Page, PageRequest};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use crate::versioned::{self, VersionedChange};
use sqlx::any::AnyRow;

code_enum! {
    /// What a tip is about.
    TipKind {
        /// A number that called or texted with a scam script.
        Phone => "phone", "涉诈电话", "Phone number";
        /// A phishing or fake-platform link.
        Url => "url", "涉诈网址", "Link";
        /// A bank or payment account someone was asked to pay into.
        Account => "account", "涉诈账户", "Account";
        /// A fake investment, loan or chat app.
        App => "app", "涉诈APP", "App";
        /// Someone collecting or buying cards, recruiting for compounds abroad.
        Person => "person", "涉诈人员", "Person";
        Other => "other", "其他", "Other";
    }
}

code_enum! {
    /// Who reported it.
    TipSource {
        GridWorker => "grid_worker", "网格员", "Grid worker";
        Resident => "resident", "群众", "Resident";
        /// A bank's or an operator's staff.
        Partner => "partner", "行业单位", "Bank or operator";
        Police => "police", "民警", "Police";
    }
}

code_enum! {
    /// Where a tip stands.
    TipState {
        Pending => "pending", "待核查", "To check";
        Confirmed => "confirmed", "查实", "Confirmed";
        Dismissed => "dismissed", "排除", "Dismissed";
    }
}

/// The longest subject kept (characters).
pub const MAX_TIP_SUBJECT: usize = 300;
/// The longest detail or finding kept (characters).
pub const MAX_TIP_TEXT: usize = 2_000;

/// A tip to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTip {
    /// The unit it was reported in: the reporter's or one below.
    pub unit_code: String,
    pub kind: TipKind,
    /// The number, link, account, app name or person, as reported; a phone number is checked
    /// and stored canonical.
    pub subject: String,
    /// What happened: what was said, asked, offered.
    pub detail: String,
    pub source: TipSource,
    /// A resident's callback number, optional.
    pub reporter_phone: Option<String>,
    pub reported_by: String,
}

/// A recorded tip.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Tip {
    pub id: i64,
    pub unit_code: String,
    pub kind: TipKind,
    pub subject: String,
    pub detail: String,
    pub source: TipSource,
    pub reporter_phone: Option<String>,
    pub reported_by: String,
    pub reported_at: i64,
    pub state: TipState,
    /// What the check found and what was done; why it was dismissed.
    pub finding: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<i64>,
    pub version: i64,
}

/// Which tips to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TipFilter {
    pub state: Option<TipState>,
    pub kind: Option<TipKind>,
    /// Only those entered by this login (a grid worker's own).
    pub reported_by: Option<String>,
}

/// A scope's tips of a period: reported, and of those where they stand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct TipCounts {
    pub reported: i64,
    pub pending: i64,
    pub confirmed: i64,
    pub dismissed: i64,
}

impl TipCounts {
    /// Confirmed among those checked; `None` before any check.
    pub fn confirmed_share(&self) -> Option<f64> {
        let checked = self.confirmed + self.dismissed;
        (checked > 0).then(|| self.confirmed as f64 / checked as f64)
    }
}

const COLUMNS: &str = "t.id, t.unit_code, t.kind, t.subject, t.detail, t.source, \
     t.reporter_phone, t.reported_by, t.reported_at, t.state, t.finding, t.reviewed_by, \
     t.reviewed_at, t.version";

fn from_row(r: &AnyRow) -> Result<Tip, sqlx::Error> {
    Ok(Tip {
        id: col(r, "id")?,
        unit_code: col(r, "unit_code")?,
        kind: parse_code(r, "kind", TipKind::parse)?,
        subject: col(r, "subject")?,
        detail: col(r, "detail")?,
        source: parse_code(r, "source", TipSource::parse)?,
        reporter_phone: col(r, "reporter_phone")?,
        reported_by: col(r, "reported_by")?,
        reported_at: col(r, "reported_at")?,
        state: parse_code(r, "state", TipState::parse)?,
        finding: col(r, "finding")?,
        reviewed_by: col(r, "reviewed_by")?,
        reviewed_at: col(r, "reviewed_at")?,
        version: col(r, "version")?,
    })
}

/// The subject as stored: a phone number canonical, a link without spaces, an account of
/// digits; anything else trimmed.
fn subject_of(kind: TipKind, subject: &str) -> StoreResult<String> {
    let text = bounded_text("subject", subject, MAX_TIP_SUBJECT, true)?;
    match kind {
        TipKind::Phone => phone("subject", &text),
        TipKind::Url => {
            if text.chars().any(char::is_whitespace) || !text.contains('.') {
                return Err(StoreError::invalid(
                    "subject",
                    "a link is written without spaces, with its domain (pay-xx.com/login)",
                ));
            }
            Ok(text)
        }
        TipKind::Account => {
            let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            if !(6..=32).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
                return Err(StoreError::invalid(
                    "subject",
                    "an account number is 6 to 32 digits",
                ));
            }
            Ok(digits)
        }
        _ => Ok(text),
    }
}

/// The tip repository.
pub struct Tips<'s> {
    store: &'s Store,
}

impl<'s> Tips<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        Tips { store }
    }

    /// Records `t` at `now` (pending), with its audit entry (`tip_reported`); returns its id.
    /// [`StoreError::NotFound`] when the unit lies outside `scope`; [`StoreError::Invalid`]
    /// naming the field for an empty or malformed subject, an overlong text or a bad callback
    /// number.
    pub async fn report(&self, scope: &Scope, t: &NewTip, now: i64) -> StoreResult<i64> {
        let subject = subject_of(t.kind, &t.subject)?;
        let detail = bounded_text("detail", &t.detail, MAX_TIP_TEXT, false)?;
        let reporter_phone = match t.reporter_phone.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(v) => Some(phone("reporter_phone", v)?),
        };
        self.store.units().in_scope(scope, &t.unit_code).await?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("tips.begin").await?;
        let mut sql = Sql::new(
            "INSERT INTO tips (unit_code, kind, subject, detail, source, reporter_phone, \
             reported_by, reported_at, state) VALUES (",
        );
        sql.arg(t.unit_code.as_str())
            .push(", ")
            .arg(t.kind.as_str())
            .push(", ")
            .arg(subject.as_str())
            .push(", ")
            .arg(detail.as_str())
            .push(", ")
            .arg(t.source.as_str())
            .push(", ")
            .arg(reporter_phone.as_deref())
            .push(", ")
            .arg(t.reported_by.as_str())
            .push(", ")
            .arg(now)
            .push(", 'pending') RETURNING id");
        let row = sql
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query("tips.report"))?;
        let id: i64 = col(&row, "id").map_err(StoreError::query("tips.report"))?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: t.reported_by.clone(),
                action: "tip_reported".into(),
                target_type: "tip".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(t.unit_code.clone()),
                detail: serde_json::json!({
                    "kind": t.kind.as_str(),
                    "source": t.source.as_str(),
                    "subject": subject,
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("tips.commit"))?;
        Ok(id)
    }

    /// Tip `id` when it lies inside `scope`; [`StoreError::NotFound`] otherwise.
    pub async fn get(&self, scope: &Scope, id: i64) -> StoreResult<Tip> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM tips t WHERE t.id = "));
        sql.arg(id).push(" AND ");
        scope.push_condition(&mut sql, "t.unit_code");
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("tips.get"))?;
        match row {
            Some(r) => from_row(&r).map_err(StoreError::query("tips.get")),
            None => Err(StoreError::NotFound {
                what: "tip",
                key: id.to_string(),
            }),
        }
    }

    fn push_filter(sql: &mut Sql<'_>, scope: &Scope, f: &TipFilter) {
        scope.push_condition(sql, "t.unit_code");
        if let Some(s) = f.state {
            sql.push(" AND t.state = ").arg(s.as_str());
        }
        if let Some(k) = f.kind {
            sql.push(" AND t.kind = ").arg(k.as_str());
        }
        if let Some(by) = &f.reported_by {
            sql.push(" AND t.reported_by = ").arg(by.clone());
        }
    }

    /// The tips inside `scope` matching `f`, the newest first; the page key is
    /// `"<reported_at>/<id>"`.
    pub async fn list(
        &self,
        scope: &Scope,
        f: &TipFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Tip>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM tips t WHERE "));
        Self::push_filter(&mut sql, scope, f);
        push_newest_first(
            &mut sql,
            page.after.as_deref(),
            "t.reported_at",
            "t.id",
            limit,
        )?;
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("tips.list"))?;
        let items = rows
            .iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("tips.list"))?;
        Ok(Page::from_overfetch(items, limit, |t| {
            format!("{}/{}", t.reported_at, t.id)
        }))
    }

    /// How many tips inside `scope` match `f`.
    pub async fn count(&self, scope: &Scope, f: &TipFilter) -> StoreResult<i64> {
        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM tips t WHERE ");
        Self::push_filter(&mut sql, scope, f);
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("tips.count"))?;
        col(&row, "n").map_err(StoreError::query("tips.count"))
    }

    /// The tips inside `scope` reported in `[from, until)`, and where they stand now.
    pub async fn counts(&self, scope: &Scope, from: i64, until: i64) -> StoreResult<TipCounts> {
        let mut sql = Sql::new("SELECT t.state, COUNT(*) AS n FROM tips t WHERE ");
        scope.push_condition(&mut sql, "t.unit_code");
        sql.push(" AND t.reported_at >= ")
            .arg(from)
            .push(" AND t.reported_at < ")
            .arg(until)
            .push(" GROUP BY t.state");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("tips.counts"))?;
        let mut out = TipCounts::default();
        for r in &rows {
            let state = parse_code(r, "state", TipState::parse)
                .map_err(StoreError::query("tips.counts"))?;
            let n: i64 = col(r, "n").map_err(StoreError::query("tips.counts"))?;
            out.reported += n;
            match state {
                TipState::Pending => out.pending += n,
                TipState::Confirmed => out.confirmed += n,
                TipState::Dismissed => out.dismissed += n,
            }
        }
        Ok(out)
    }

    /// Records the check of tip `id` (inside `scope`) from `version`: confirmed or dismissed,
    /// with the finding (required: what was found and done, or why it is dismissed), audited
    /// as `tip_reviewed`. [`StoreError::Conflict`] when the tip moved on since it was read, or
    /// was checked already; [`StoreError::Invalid`] for a pending state or no finding.
    #[allow(clippy::too_many_arguments)]
    pub async fn review(
        &self,
        scope: &Scope,
        id: i64,
        version: i64,
        state: TipState,
        finding: &str,
        by: &str,
        now: i64,
    ) -> StoreResult<Tip> {
        if state == TipState::Pending {
            return Err(StoreError::invalid(
                "state",
                "a check confirms or dismisses the tip",
            ));
        }
        let finding = bounded_text("finding", finding, MAX_TIP_TEXT, true)?;
        let before = self.get(scope, id).await?;
        if before.state != TipState::Pending {
            return Err(StoreError::Conflict {
                what: "tip",
                detail: format!("tip {id} was checked already"),
            });
        }
        let mut update = Sql::new("UPDATE tips SET state = ");
        update
            .arg(state.as_str())
            .push(", finding = ")
            .arg(finding.as_str())
            .push(", reviewed_by = ")
            .arg(by)
            .push(", reviewed_at = ")
            .arg(now);
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
                    action: "tip_reviewed".into(),
                    target_type: "tip".into(),
                    target_id: Some(id.to_string()),
                    unit_code: Some(before.unit_code.clone()),
                    detail: serde_json::json!({
                        "state": state.as_str(),
                        "finding": finding,
                    }),
                },
                ctx: "tips.review",
            },
            || StoreError::Conflict {
                what: "tip",
                detail: format!("tip {id} changed since version {version}: reload it"),
            },
        )
        .await?;
        self.get(scope, id).await
    }
}
