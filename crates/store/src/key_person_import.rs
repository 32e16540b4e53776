//! Key-person lists in bulk (重点人员名单导入): each row lists a resident in a category — opening,
//! reopening or finding their dossier exactly as the one-by-one form does — and brings the
//! dossier's measures up to what the list states. A measure the dossier already holds as stated
//! adds no entry, so importing the same list again changes nothing.

use crate::error::{StoreError, StoreResult};
use crate::key_persons::{
    KeyPerson, KeyPersonCategory, KeyPersonMeasure, KeyPersons, NewKeyPerson,
};
use crate::scope::Scope;

/// A row of a key-person list, in the store's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedKeyPerson {
    /// Canonical resident ID.
    pub resident_id: String,
    pub category: KeyPersonCategory,
    /// Why the person is listed (the list's own label when the row gives none).
    pub reason: String,
    /// Punishment, exit ban and 劝返 state the list states (visits and closings are refused).
    pub measures: Vec<KeyPersonMeasure>,
}

/// Why a row of a list was not applied.
pub mod listed_reason {
    /// No resident with the ID number lives inside the importer's area.
    pub const PERSON_UNKNOWN: &str = "person_unknown";
    /// The resident's dossier in the category is open at a unit outside the importer's area.
    pub const HELD_ELSEWHERE: &str = "held_elsewhere";
    /// A measure the list states breaks a dossier rule (a visit or closing, an empty reason).
    pub const MEASURE_INVALID: &str = "measure_invalid";
}

/// What importing a list did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct KeyPersonListImport {
    /// Dossiers opened, or closed ones reopened, by the list.
    pub listed: usize,
    /// Rows whose resident already had an open dossier in the category.
    pub already_listed: usize,
    /// Measures entered on dossiers.
    pub measures_added: usize,
    /// Measures the dossier already held as the list states them.
    pub measures_unchanged: usize,
    /// (index of the row in the slice given, reason) of the rows not applied.
    pub rejected: Vec<(usize, &'static str)>,
}

impl KeyPersons<'_> {
    /// Applies a list inside `scope` as `actor` at `at`; `source` names where the list came from
    /// (stored on the dossiers it opens). Each row is its own change (with its entries and audit
    /// records, as by the form); a row that cannot be applied is reported, not fatal.
    pub async fn import_list(
        &self,
        scope: &Scope,
        rows: &[ListedKeyPerson],
        source: &str,
        actor: &str,
        at: i64,
    ) -> StoreResult<KeyPersonListImport> {
        let mut done = KeyPersonListImport::default();
        for (index, row) in rows.iter().enumerate() {
            // Every measure is checked before anything is written, so a row is applied whole
            // or not at all (a measure the store refuses later could only be a concurrent close).
            if row.measures.iter().any(|m| {
                matches!(
                    m,
                    KeyPersonMeasure::Visit { .. }
                        | KeyPersonMeasure::ReturneeCheck { .. }
                        | KeyPersonMeasure::Close { .. }
                ) || m.validated().is_err()
            }) {
                done.rejected.push((index, listed_reason::MEASURE_INVALID));
                continue;
            }
            let created = self
                .create(
                    scope,
                    &NewKeyPerson {
                        resident_id: row.resident_id.clone(),
                        category: row.category,
                        reason: row.reason.clone(),
                        source: source.to_string(),
                        created_by: actor.to_string(),
                        at,
                    },
                )
                .await;
            let id = match created {
                Ok((id, true)) => {
                    done.listed += 1;
                    id
                }
                Ok((id, false)) => {
                    done.already_listed += 1;
                    id
                }
                Err(StoreError::NotFound { .. }) => {
                    done.rejected.push((index, listed_reason::PERSON_UNKNOWN));
                    continue;
                }
                Err(StoreError::HeldElsewhere { .. }) => {
                    done.rejected.push((index, listed_reason::HELD_ELSEWHERE));
                    continue;
                }
                Err(StoreError::Invalid { .. }) => {
                    done.rejected.push((index, listed_reason::MEASURE_INVALID));
                    continue;
                }
                Err(e) => return Err(e),
            };
            if row.measures.is_empty() {
                continue;
            }
            let dossier = self.get(scope, id).await?;
            for measure in &row.measures {
                if holds(&dossier, measure) {
                    done.measures_unchanged += 1;
                    continue;
                }
                match self.add_event(scope, id, measure, actor, at).await {
                    Ok(_) => done.measures_added += 1,
                    Err(StoreError::Invalid { .. }) => {
                        done.rejected.push((index, listed_reason::MEASURE_INVALID));
                        break;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(done)
    }
}

/// Whether the dossier already holds the measure as stated (a 劝返 state without a place keeps
/// the stored place, so it holds whatever place is stored).
fn holds(k: &KeyPerson, measure: &KeyPersonMeasure) -> bool {
    match measure {
        KeyPersonMeasure::Punishment { kind, from, until } => {
            k.punishment_kind == Some(*kind)
                && k.punishment_from == Some(*from)
                && k.punishment_until == *until
        }
        KeyPersonMeasure::ExitBan { from, until } => {
            k.exit_ban_from == Some(*from) && k.exit_ban_until == *until
        }
        KeyPersonMeasure::Persuasion { state, place, .. } => {
            k.abroad_state == Some(*state)
                && place
                    .as_deref()
                    .is_none_or(|p| k.abroad_place.as_deref() == Some(p.trim()))
        }
        KeyPersonMeasure::Visit { .. }
        | KeyPersonMeasure::ReturneeCheck { .. }
        | KeyPersonMeasure::Close { .. } => false,
    }
}
