//! What the cases say about a key person (重点人员涉案情况): the cases in which the resident of
//! a dossier is a suspect, holds an account that received victim money, or is the victim; and
//! whether they were involved again after being listed (再次涉案) — the failure the dossiers
//! exist to prevent ("确保重点人不能涉案、不敢涉案、不想涉案").
//!
//! A dossier lies inside the reader's subtree; its person's cases are listed whichever unit's
//! victims they concern, as the holders of mule accounts are (`mule_accounts.rs`): the person is
//! the reader's lead. Opening a case of another area stays refused by the case page itself.

use crate::enforcement::{SuspectMeasure, SuspectRole};
use crate::error::{StoreError, StoreResult};
use crate::field::{parse_code, parse_optional_code};
use crate::key_persons::{KeyPerson, KeyPersonCategory, KeyPersonStatus, KeyPersons};
use crate::mule_accounts::{JOINS, RECEIPTS};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use sqlx::any::AnyRow;

/// How a person takes part in a case.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "as", rename_all = "snake_case")]
pub enum Involvement {
    /// Entered among the case's suspects (by ID number), with the latest measure taken.
    Suspect {
        role: SuspectRole,
        measure: Option<SuspectMeasure>,
    },
    /// Holds an account that received the case's victim money (a transfer into it or a
    /// stop-payment request on it), with what passed through it in this case.
    AccountHolder {
        account_no: String,
        received_fen: i64,
        requested_fen: i64,
        held_fen: i64,
    },
    /// Was defrauded in the case.
    Victim,
}

impl Involvement {
    /// Whether the person stands on the fraud's side of the case (a suspect or the holder of
    /// an account it paid into), which is what 再次涉案 counts; a victim does not.
    pub fn on_fraud_side(&self) -> bool {
        !matches!(self, Involvement::Victim)
    }
}

/// One case a person is involved in.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PersonCase {
    pub case_id: String,
    /// The case's unit (where the victim reported).
    pub unit_code: String,
    pub reported_at: i64,
    pub fraud_type: Option<String>,
    pub loss_fen: i64,
    pub involvement: Involvement,
}

/// A resident's dossier as another register shows it beside the person.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ListedAs {
    pub resident_id: String,
    pub key_person_id: i64,
    pub category: KeyPersonCategory,
    pub status: KeyPersonStatus,
}

/// Since when a dossier's person counts as involved again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvolvedSince {
    /// The (re)listing: 再次涉案.
    Listing,
    /// The dossier's latest visit or measure (走访, 惩戒, 不准出境, 劝返 entries), else the
    /// listing: involvement nobody has followed up yet (再次涉案待跟进).
    LastAction,
}

/// Appends "dossier `k` is in control and its person was involved on the fraud's side of a
/// case reported after `since`": a suspect entered by ID number, or the holder of an account
/// that received the case's money (the victim's own accounts and a victim holder left out, as
/// in the mule-account list).
pub(crate) fn push_involved_since(sql: &mut Sql<'_>, since: InvolvedSince) {
    let listed = "COALESCE(k.listed_at, k.created_at)";
    let since = match since {
        InvolvedSince::Listing => listed.to_string(),
        InvolvedSince::LastAction => format!(
            "COALESCE((SELECT MAX(e.at) FROM key_person_events e WHERE e.key_person_id = k.id \
             AND e.kind IN ('visit', 'punishment', 'exit_ban', 'persuasion') \
             AND e.at > {listed}), {listed})"
        ),
    };
    // One EXISTS per way in, each led by an index (suspects by ID number, accounts by
    // holder, stop-payments and transfers by account), rather than one over a union.
    let received = |table: &str, column: &str| {
        format!(
            "EXISTS (SELECT 1 FROM bank_accounts a JOIN {table} r ON r.{column} = a.account_no \
             JOIN cases c ON c.id = r.case_id WHERE a.holder_resident_id = k.resident_id \
             AND c.reported_at > {since} \
             AND (c.victim_account IS NULL OR r.{column} <> c.victim_account) \
             AND (c.resident_id IS NULL OR c.resident_id <> k.resident_id))"
        )
    };
    sql.push(&format!(
        "(k.status = 'active' AND (EXISTS (SELECT 1 FROM case_suspects s \
         JOIN cases c ON c.id = s.case_id WHERE s.resident_id = k.resident_id \
         AND c.reported_at > {since}) OR {} OR {}))",
        received("stop_payments", "account"),
        received("case_transfers", "to_account"),
    ));
}

const CASE_COLUMNS: &str = "c.id AS case_id, c.unit_code, c.reported_at, c.fraud_type, c.loss_fen";

fn from_row(row: &AnyRow) -> Result<PersonCase, sqlx::Error> {
    let kind: String = col(row, "kind")?;
    let involvement = match kind.as_str() {
        "suspect" => Involvement::Suspect {
            role: parse_code(row, "role", SuspectRole::parse)?,
            measure: parse_optional_code(row, "measure", SuspectMeasure::parse)?,
        },
        "holder" => Involvement::AccountHolder {
            account_no: col::<Option<String>>(row, "account_no")?.unwrap_or_default(),
            received_fen: col(row, "received_fen")?,
            requested_fen: col(row, "requested_fen")?,
            held_fen: col(row, "held_fen")?,
        },
        _ => Involvement::Victim,
    };
    Ok(PersonCase {
        case_id: col(row, "case_id")?,
        unit_code: col(row, "unit_code")?,
        reported_at: col(row, "reported_at")?,
        fraud_type: col(row, "fraud_type")?,
        loss_fen: col(row, "loss_fen")?,
        involvement,
    })
}

impl KeyPersons<'_> {
    /// The cases of the person of dossier `k` (as read inside the reader's scope): as a
    /// suspect, as the holder of each account that received victim money (one row per case
    /// and account), as the victim; the latest report first, a case's suspect row before its
    /// account rows before its victim row.
    pub async fn cases(&self, k: &KeyPerson) -> StoreResult<Vec<PersonCase>> {
        let rid = k.resident_id.clone();
        let mut sql = Sql::new(format!(
            "{RECEIPTS}SELECT * FROM (\
             SELECT {CASE_COLUMNS}, 'suspect' AS kind, 1 AS rank, s.role, s.measure, \
             NULL AS account_no, 0 AS received_fen, 0 AS requested_fen, 0 AS held_fen \
             FROM case_suspects s JOIN cases c ON c.id = s.case_id WHERE s.resident_id = "
        ));
        sql.arg(rid.clone());
        sql.push(&format!(
            " UNION ALL SELECT {CASE_COLUMNS}, 'holder' AS kind, 2 AS rank, NULL AS role, \
             NULL AS measure, r.account AS account_no, \
             CAST(SUM(r.received_fen) AS BIGINT) AS received_fen, \
             CAST(SUM(r.requested_fen) AS BIGINT) AS requested_fen, \
             CAST(SUM(r.held_fen) AS BIGINT) AS held_fen {JOINS} a.holder_resident_id = "
        ));
        sql.arg(rid.clone());
        sql.push(&format!(
            " GROUP BY c.id, c.unit_code, c.reported_at, c.fraud_type, c.loss_fen, r.account \
             UNION ALL SELECT {CASE_COLUMNS}, 'victim' AS kind, 3 AS rank, NULL AS role, \
             NULL AS measure, NULL AS account_no, 0 AS received_fen, 0 AS requested_fen, \
             0 AS held_fen FROM cases c WHERE c.resident_id = "
        ));
        sql.arg(rid);
        sql.push(") x ORDER BY x.reported_at DESC, x.case_id, x.rank, x.account_no");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("key_persons.cases"))?;
        rows.iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("key_persons.cases"))
    }

    /// Which of dossiers `ids` (inside `scope`) are involved again since `since`, for the
    /// marks on a page of the register (再次涉案) or on the grid worker's phone (待跟进).
    pub async fn involved_among(
        &self,
        scope: &Scope,
        ids: &[i64],
        since: InvolvedSince,
    ) -> StoreResult<std::collections::HashSet<i64>> {
        let mut involved = std::collections::HashSet::new();
        // An export asks for every dossier: in chunks, under the backends' parameter limits.
        for chunk in ids.chunks(1_000) {
            let mut sql = Sql::new("SELECT k.id FROM key_persons k WHERE ");
            scope.push_condition(&mut sql, "k.unit_code");
            sql.push(" AND k.id IN (")
                .args(chunk.iter().copied())
                .push(") AND ");
            push_involved_since(&mut sql, since);
            let rows = sql
                .query()
                .fetch_all(self.store.pool())
                .await
                .map_err(StoreError::query("key_persons.involved_among"))?;
            for row in &rows {
                involved.insert(
                    col::<i64>(row, "id")
                        .map_err(StoreError::query("key_persons.involved_among"))?,
                );
            }
        }
        Ok(involved)
    }

    /// The dossiers inside `scope` of any of `resident_ids`, in control first, then the
    /// newest: for the badge other registers show beside a person (a case's suspects, the
    /// holders of mule accounts).
    pub async fn listed_among(
        &self,
        scope: &Scope,
        resident_ids: &[&str],
    ) -> StoreResult<Vec<ListedAs>> {
        if resident_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql =
            Sql::new("SELECT k.id, k.resident_id, k.category, k.status FROM key_persons k WHERE ");
        scope.push_condition(&mut sql, "k.unit_code");
        sql.push(" AND k.resident_id IN (")
            .args(resident_ids.iter().copied())
            .push(") ORDER BY CASE k.status WHEN 'active' THEN 0 ELSE 1 END, k.id DESC");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("key_persons.listed_among"))?;
        let listed = |row: &AnyRow| -> Result<ListedAs, sqlx::Error> {
            Ok(ListedAs {
                resident_id: col(row, "resident_id")?,
                key_person_id: col(row, "id")?,
                category: parse_code(row, "category", KeyPersonCategory::parse)?,
                status: parse_code(row, "status", KeyPersonStatus::parse)?,
            })
        };
        rows.iter()
            .map(listed)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("key_persons.listed_among"))
    }
}
