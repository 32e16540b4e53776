//! Closure lists (销户名单) as the page (`pages::new_cards`, the upload's list type) and the
//! JSON API (`api::new_cards`) share them: a validated row as the store takes it, and recording
//! a list with its import run and quarantine. The store marks listed cards closed and screens
//! the holders' open cards again for 频繁开销户 (`fanzha_store::NewCards::import_closures`).

use crate::auth::principal::Principal;
use crate::card_screening::mask_number;
use crate::error::WebError;
use crate::import_run::ImportRecord;
use crate::state::AppState;
use fanzha_ingest::card_closures::ClosureRow as ListedClosure;
use fanzha_store::{ClosureImport, ClosureRow, ImportRunId, QuarantineRow};

/// The import-run kind of closure lists.
pub const IMPORT_KIND: &str = "card_closures";

/// A validated row of a closure list as the store takes it, labelled with its list's `batch`.
pub fn closure_of_row(r: &ListedClosure, batch: &str) -> ClosureRow {
    ClosureRow {
        kind: r.kind,
        account_no: r.account_no.clone(),
        bank_code: r.bank_code.clone(),
        bank_name: r.bank_name.clone(),
        resident_id: r.resident_id.clone(),
        holder_name: r.name.clone(),
        opened_at: r.opened_at,
        closed_at: r.closed_at,
        outlet: r.outlet.clone(),
        batch: batch.to_string(),
    }
}

/// A validated closure list: `read` rows, the `closures` accepted (`lines`: the line of each),
/// the `rejected` ones, for the run of `file` with `content_hash`.
pub struct ClosureList<'a> {
    pub file: &'a str,
    pub content_hash: String,
    pub read: usize,
    pub closures: &'a [ClosureRow],
    pub lines: &'a [u64],
    pub rejected: &'a [QuarantineRow],
}

/// Records a validated closure list for the principal's unit and its import run, the rejected
/// rows in its quarantine. Should the store fail, the run is finished all the same, the
/// closures quarantined as `not_applied`.
pub async fn record_closures(
    state: &AppState,
    p: &Principal,
    list: ClosureList<'_>,
) -> Result<(ImportRunId, ClosureImport), WebError> {
    let closures = list.closures;
    let now = state.clock.now_ms();
    let scope = state.scope_of(&p.unit_code).await?;
    let run = ImportRecord::begin_hashed(
        &state.store,
        IMPORT_KIND,
        list.file,
        list.content_hash,
        list.read,
        list.rejected.to_vec(),
    )
    .await?;
    let done = match state
        .store
        .new_cards()
        .import_closures(&scope, &p.unit_code, closures, &p.login, now)
        .await
    {
        Ok(done) => done,
        Err(e) => {
            let not_applied = list
                .lines
                .iter()
                .zip(closures)
                .map(|(line, c)| (*line, mask_number(c.kind, &c.account_no)));
            return Err(run.fail(0, not_applied, e).await);
        }
    };
    let finished = run.finish(closures.len()).await?;
    Ok((finished.run, done))
}
