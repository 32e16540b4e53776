//! 提请惩戒 / 不准出境报备: a unit asks for a key person to be punished (惩戒: no online payment,
//! no new cards or numbers) or barred from leaving the country; the center reviews it and
//! reports it up (上报 — to the national joint office for a punishment, to the exit-entry
//! administration for an exit ban) or returns it with why; when the decision comes back the
//! center records it — in force from a day (and until one), entered on the dossier as the
//! measure, or declined. The bureaus count "上报惩戒人员3051人、不准出境人员2013人".
//!
//! A proposal belongs to the dossier's unit and is read by that unit's subtree; one proposal
//! of a kind may be open (待审核 or 已上报) per dossier. Every change names the version it read
//! and writes an audit entry in the same transaction.

use crate::audit::{append_on, NewAuditEntry};
use crate::code_enum::code_enum;
use crate::error::{StoreError, StoreResult};
use crate::field::{bounded_text, parse_code, parse_optional_code};
use crate::key_persons::{
    KeyPersonCategory, KeyPersonMeasure, KeyPersonStatus, PunishmentKind, MAX_TEXT_CHARS,
};
use crate::page::{push_newest_first, Page, PageRequest};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use sqlx::any::AnyRow;

code_enum! {
    /// What is asked for.
    ProposalKind {
        /// 提请惩戒.
        Punishment => "punishment", "提请惩戒", "Punishment";
        /// 提请不准出境.
        ExitBan => "exit_ban", "提请不准出境", "Exit ban";
    }
}

code_enum! {
    /// Where a proposal stands.
    ProposalState {
        Proposed => "proposed", "待审核", "Awaiting review";
        Reported => "reported", "已上报", "Reported up";
        InForce => "in_force", "已生效", "In force";
        Returned => "returned", "已退回", "Returned";
        Declined => "declined", "未获批", "Declined";
    }
}

impl ProposalState {
    /// Still waiting for the center or for the decision from above.
    pub fn open(self) -> bool {
        matches!(self, ProposalState::Proposed | ProposalState::Reported)
    }
}

/// A proposal to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewProposal {
    pub key_person_id: i64,
    pub kind: ProposalKind,
    /// Which punishment (required for a punishment, none for an exit ban).
    pub punishment_kind: Option<PunishmentKind>,
    pub reason: String,
    pub proposed_by: String,
}

/// A stored proposal.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Proposal {
    pub id: i64,
    pub key_person_id: i64,
    /// The dossier's unit.
    pub unit_code: String,
    pub resident_id: String,
    pub name: Option<String>,
    /// The dossier's category (what the person is watched for).
    pub category: KeyPersonCategory,
    pub kind: ProposalKind,
    pub punishment_kind: Option<PunishmentKind>,
    pub reason: String,
    pub state: ProposalState,
    pub proposed_by: String,
    pub proposed_at: i64,
    pub reported_by: Option<String>,
    pub reported_at: Option<i64>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    /// Why it was returned or declined, or what the decision said.
    pub note: String,
    pub version: i64,
}

/// What the center does with a proposal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProposalStep {
    /// 上报: a proposal goes up.
    Report,
    /// 退回: back to the unit, with why.
    Return { note: String },
    /// The decision came back: in force from `from` until before `until` (open-ended: None).
    InForce { from: i64, until: Option<i64> },
    /// The decision came back: declined, with why.
    Decline { note: String },
}

/// Which proposals to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProposalFilter {
    pub state: Option<ProposalState>,
    pub kind: Option<ProposalKind>,
    pub key_person_id: Option<i64>,
}

/// Counts over a scope: by state, and the people reported up in a period.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ProposalFigures {
    pub proposed: i64,
    pub reported: i64,
    pub in_force: i64,
    pub returned: i64,
    pub declined: i64,
    /// 上报惩戒人员: people reported for punishment in the period (each once).
    pub people_reported_punishment: i64,
    /// 不准出境报备: people reported for an exit ban in the period (each once).
    pub people_reported_exit_ban: i64,
}

const COLUMNS: &str =
    "p.id, p.key_person_id, k.unit_code, k.resident_id, pe.name, k.category, p.kind, \
     p.punishment_kind, p.reason, p.state, p.proposed_by, p.proposed_at, p.reported_by, \
     p.reported_at, p.decided_by, p.decided_at, p.note, p.version";
const FROM: &str = "FROM key_person_proposals p JOIN key_persons k ON k.id = p.key_person_id \
     LEFT JOIN people pe ON pe.resident_id = k.resident_id";

fn from_row(row: &AnyRow) -> Result<Proposal, sqlx::Error> {
    Ok(Proposal {
        id: col(row, "id")?,
        key_person_id: col(row, "key_person_id")?,
        unit_code: col(row, "unit_code")?,
        resident_id: col(row, "resident_id")?,
        name: col(row, "name")?,
        category: parse_code(row, "category", KeyPersonCategory::parse)?,
        kind: parse_code(row, "kind", ProposalKind::parse)?,
        punishment_kind: parse_optional_code(row, "punishment_kind", PunishmentKind::parse)?,
        reason: col(row, "reason")?,
        state: parse_code(row, "state", ProposalState::parse)?,
        proposed_by: col(row, "proposed_by")?,
        proposed_at: col(row, "proposed_at")?,
        reported_by: col(row, "reported_by")?,
        reported_at: col(row, "reported_at")?,
        decided_by: col(row, "decided_by")?,
        decided_at: col(row, "decided_at")?,
        note: col(row, "note")?,
        version: col(row, "version")?,
    })
}

/// The proposals repository.
pub struct KeyPersonProposals<'s> {
    store: &'s Store,
}

impl<'s> KeyPersonProposals<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        KeyPersonProposals { store }
    }

    /// Proposes `new` at `now` with its audit entry. [`StoreError::NotFound`] when the dossier
    /// lies outside `scope`; [`StoreError::Invalid`] for a closed dossier, a punishment without
    /// its kind (or an exit ban with one), no reason; [`StoreError::Conflict`] when a proposal
    /// of the kind is open for the dossier already.
    pub async fn propose(
        &self,
        scope: &Scope,
        new: &NewProposal,
        now: i64,
    ) -> StoreResult<Proposal> {
        let reason = bounded_text("reason", &new.reason, MAX_TEXT_CHARS, true)?;
        match (new.kind, new.punishment_kind) {
            (ProposalKind::Punishment, None) => {
                return Err(StoreError::invalid(
                    "punishment_kind",
                    "name the punishment asked for (金融, 电信 or 信用惩戒)",
                ))
            }
            (ProposalKind::ExitBan, Some(_)) => {
                return Err(StoreError::invalid(
                    "punishment_kind",
                    "an exit ban takes no punishment kind",
                ))
            }
            _ => {}
        }
        let dossier = self
            .store
            .key_persons()
            .get(scope, new.key_person_id)
            .await?;
        if dossier.status != KeyPersonStatus::Active {
            return Err(StoreError::invalid(
                "key_person_id",
                "the dossier is closed: list the person again first",
            ));
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("proposals.begin").await?;
        let mut sql = Sql::new(
            "INSERT INTO key_person_proposals (key_person_id, kind, punishment_kind, reason, \
             state, proposed_by, proposed_at) VALUES (",
        );
        sql.arg(new.key_person_id)
            .push(", ")
            .arg(new.kind.as_str())
            .push(", ")
            .arg(new.punishment_kind.map(PunishmentKind::as_str))
            .push(", ")
            .arg(reason.as_str())
            .push(", 'proposed', ")
            .arg(new.proposed_by.as_str())
            .push(", ")
            .arg(now)
            .push(") ON CONFLICT DO NOTHING RETURNING id");
        let id: i64 = match sql
            .query()
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::query("proposals.propose"))?
        {
            Some(r) => col(&r, "id").map_err(StoreError::query("proposals.propose"))?,
            None => {
                return Err(StoreError::Conflict {
                    what: "key-person proposal",
                    detail: format!(
                        "a {} for dossier {} is open already: wait for its decision",
                        new.kind.zh(),
                        new.key_person_id
                    ),
                })
            }
        };
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: new.proposed_by.clone(),
                action: "key_person_proposal_made".into(),
                target_type: "key_person".into(),
                target_id: Some(new.key_person_id.to_string()),
                unit_code: Some(dossier.unit_code.clone()),
                detail: serde_json::json!({
                    "proposal": id,
                    "kind": new.kind.as_str(),
                    "punishment_kind": new.punishment_kind.map(PunishmentKind::as_str),
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("proposals.commit"))?;
        self.get(scope, id).await
    }

    /// Proposal `id` inside `scope`; [`StoreError::NotFound`] otherwise.
    pub async fn get(&self, scope: &Scope, id: i64) -> StoreResult<Proposal> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} {FROM} WHERE p.id = "));
        sql.arg(id).push(" AND ");
        scope.push_condition(&mut sql, "k.unit_code");
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("proposals.get"))?;
        match row {
            Some(r) => from_row(&r).map_err(StoreError::query("proposals.get")),
            None => Err(StoreError::NotFound {
                what: "key-person proposal",
                key: id.to_string(),
            }),
        }
    }

    /// Takes `step` on proposal `id` (read at `version`) by `actor` at `now`, with its audit
    /// entry; a decision in force enters the measure on the dossier. [`StoreError::Conflict`]
    /// when the step does not follow from where the proposal stands or it moved past
    /// `version`; [`StoreError::Invalid`] for a missing note or a period that ends before it
    /// starts.
    pub async fn step(
        &self,
        scope: &Scope,
        id: i64,
        version: i64,
        step: &ProposalStep,
        actor: &str,
        now: i64,
    ) -> StoreResult<Proposal> {
        let current = self.get(scope, id).await?;
        let (from_state, to_state, note) = match step {
            ProposalStep::Report => (
                ProposalState::Proposed,
                ProposalState::Reported,
                String::new(),
            ),
            ProposalStep::Return { note } => (
                ProposalState::Proposed,
                ProposalState::Returned,
                bounded_text("note", note, MAX_TEXT_CHARS, true)?,
            ),
            ProposalStep::InForce { from, until } => {
                if until.is_some_and(|u| u <= *from) {
                    return Err(StoreError::invalid("until", "must be after the start"));
                }
                (
                    ProposalState::Reported,
                    ProposalState::InForce,
                    String::new(),
                )
            }
            ProposalStep::Decline { note } => (
                ProposalState::Reported,
                ProposalState::Declined,
                bounded_text("note", note, MAX_TEXT_CHARS, true)?,
            ),
        };
        if current.state != from_state || current.version != version {
            return Err(StoreError::Conflict {
                what: "key-person proposal",
                detail: format!(
                    "proposal {id} is {} at version {} (read: version {version}): reload it",
                    current.state.zh(),
                    current.version
                ),
            });
        }
        let writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("proposals.begin").await?;
        let mut sql = Sql::new("UPDATE key_person_proposals SET state = ");
        sql.arg(to_state.as_str()).push(", version = version + 1");
        match step {
            ProposalStep::Report => {
                sql.push(", reported_by = ")
                    .arg(actor)
                    .push(", reported_at = ")
                    .arg(now);
            }
            _ => {
                sql.push(", decided_by = ")
                    .arg(actor)
                    .push(", decided_at = ")
                    .arg(now)
                    .push(", note = ")
                    .arg(note.as_str());
            }
        }
        sql.push(" WHERE id = ")
            .arg(id)
            .push(" AND version = ")
            .arg(version);
        let done = sql
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("proposals.step"))?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: "key-person proposal",
                detail: format!("proposal {id} changed since it was read: reload it"),
            });
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: actor.to_string(),
                action: "key_person_proposal_step".into(),
                target_type: "key_person".into(),
                target_id: Some(current.key_person_id.to_string()),
                unit_code: Some(current.unit_code.clone()),
                detail: serde_json::json!({
                    "proposal": id,
                    "kind": current.kind.as_str(),
                    "from": current.state.as_str(),
                    "to": to_state.as_str(),
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("proposals.commit"))?;
        // `add_event` takes the writer's turn itself.
        drop(writer);
        // The decision in force becomes the dossier's measure (its own audited entry).
        if let ProposalStep::InForce { from, until } = step {
            let measure = match current.kind {
                ProposalKind::Punishment => KeyPersonMeasure::Punishment {
                    kind: current.punishment_kind.unwrap_or(PunishmentKind::Financial),
                    from: *from,
                    until: *until,
                },
                ProposalKind::ExitBan => KeyPersonMeasure::ExitBan {
                    from: *from,
                    until: *until,
                },
            };
            self.store
                .key_persons()
                .add_event(scope, current.key_person_id, &measure, actor, now)
                .await?;
        }
        self.get(scope, id).await
    }

    /// A punishment or exit ban entered on dossier `key_person_id` by another way than a
    /// proposal's own decision — a list from above imported, a hand entry — is the decision
    /// coming back: the dossier's proposals of that kind reported up (已上报) are then in force,
    /// decided by `actor` at `now`, each with its audit entry (`via: measure`). Returns how many.
    /// A proposal not yet reported is left for the center to review.
    pub(crate) async fn settle_by_measure(
        &self,
        key_person_id: i64,
        kind: ProposalKind,
        actor: &str,
        now: i64,
    ) -> StoreResult<usize> {
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("proposals.begin").await?;
        let mut sql = Sql::new(
            "UPDATE key_person_proposals SET state = 'in_force', version = version + 1, \
             decided_by = ",
        );
        sql.arg(actor)
            .push(", decided_at = ")
            .arg(now)
            .push(" WHERE key_person_id = ")
            .arg(key_person_id)
            .push(" AND kind = ")
            .arg(kind.as_str())
            .push(" AND state = 'reported' RETURNING id");
        let settled: Vec<i64> = sql
            .query()
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::query("proposals.settle"))?
            .iter()
            .map(|row| col(row, "id"))
            .collect::<Result<_, _>>()
            .map_err(StoreError::query("proposals.settle"))?;
        if settled.is_empty() {
            return Ok(0);
        }
        let unit_code: String = {
            let mut sql = Sql::new("SELECT unit_code FROM key_persons WHERE id = ");
            sql.arg(key_person_id);
            let row = sql
                .query()
                .fetch_one(&mut *tx)
                .await
                .map_err(StoreError::query("proposals.settle"))?;
            col(&row, "unit_code").map_err(StoreError::query("proposals.settle"))?
        };
        for proposal in &settled {
            append_on(
                &mut tx,
                &NewAuditEntry {
                    actor: actor.to_string(),
                    action: "key_person_proposal_step".into(),
                    target_type: "key_person".into(),
                    target_id: Some(key_person_id.to_string()),
                    unit_code: Some(unit_code.clone()),
                    detail: serde_json::json!({
                        "proposal": proposal,
                        "kind": kind.as_str(),
                        "from": ProposalState::Reported.as_str(),
                        "to": ProposalState::InForce.as_str(),
                        "via": "measure",
                    }),
                },
            )
            .await?;
        }
        tx.commit()
            .await
            .map_err(StoreError::query("proposals.commit"))?;
        Ok(settled.len())
    }

    /// Proposals inside `scope` matching `filter`, the newest first; the page key is
    /// `"<proposed_at>/<id>"`.
    pub async fn list(
        &self,
        scope: &Scope,
        filter: &ProposalFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Proposal>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!("SELECT {COLUMNS} {FROM} WHERE "));
        scope.push_condition(&mut sql, "k.unit_code");
        if let Some(s) = filter.state {
            sql.push(" AND p.state = ").arg(s.as_str());
        }
        if let Some(k) = filter.kind {
            sql.push(" AND p.kind = ").arg(k.as_str());
        }
        if let Some(d) = filter.key_person_id {
            sql.push(" AND p.key_person_id = ").arg(d);
        }
        push_newest_first(
            &mut sql,
            page.after.as_deref(),
            "p.proposed_at",
            "p.id",
            limit,
        )?;
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("proposals.list"))?;
        let items = rows
            .iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("proposals.list"))?;
        Ok(Page::from_overfetch(items, limit, |p| {
            format!("{}/{}", p.proposed_at, p.id)
        }))
    }

    /// Counts inside `scope`: every proposal by state now, and the people reported up in
    /// `[from, until)` (by the day it went up), each once per kind.
    pub async fn figures(
        &self,
        scope: &Scope,
        from: i64,
        until: i64,
    ) -> StoreResult<ProposalFigures> {
        let mut sql = Sql::new(
            "SELECT p.state AS state, COUNT(*) AS n FROM key_person_proposals p \
             JOIN key_persons k ON k.id = p.key_person_id WHERE ",
        );
        scope.push_condition(&mut sql, "k.unit_code");
        sql.push(" GROUP BY p.state");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("proposals.figures"))?;
        let mut f = ProposalFigures::default();
        for r in &rows {
            let read = || -> Result<_, sqlx::Error> {
                Ok((
                    parse_code(r, "state", ProposalState::parse)?,
                    col::<i64>(r, "n")?,
                ))
            };
            let (state, n) = read().map_err(StoreError::query("proposals.figures"))?;
            *match state {
                ProposalState::Proposed => &mut f.proposed,
                ProposalState::Reported => &mut f.reported,
                ProposalState::InForce => &mut f.in_force,
                ProposalState::Returned => &mut f.returned,
                ProposalState::Declined => &mut f.declined,
            } += n;
        }
        let mut sql = Sql::new(
            "SELECT p.kind AS kind, COUNT(DISTINCT k.resident_id) AS n FROM key_person_proposals p \
             JOIN key_persons k ON k.id = p.key_person_id WHERE ",
        );
        scope.push_condition(&mut sql, "k.unit_code");
        sql.push(" AND p.reported_at >= ")
            .arg(from)
            .push(" AND p.reported_at < ")
            .arg(until)
            .push(" GROUP BY p.kind");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("proposals.figures"))?;
        for r in &rows {
            let read = || -> Result<_, sqlx::Error> {
                Ok((
                    parse_code(r, "kind", ProposalKind::parse)?,
                    col::<i64>(r, "n")?,
                ))
            };
            match read().map_err(StoreError::query("proposals.figures"))? {
                (ProposalKind::Punishment, n) => f.people_reported_punishment = n,
                (ProposalKind::ExitBan, n) => f.people_reported_exit_ban = n,
            }
        }
        Ok(f)
    }
}
