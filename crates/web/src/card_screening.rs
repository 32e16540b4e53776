//! 新开卡审查 as the pages (`pages::new_cards`) and the JSON API (`api::new_cards`) share it:
//! who reads which cards, the reasons a bank never reads, the sending bank of a list,
//! recording a screened list with its import run and quarantine, and the review.

use crate::auth::permission::{ImportNewCards, ManageKeyPersons, Permission, ReviewNewCards};
use crate::auth::principal::Principal;
use crate::error::WebError;
use crate::import_run::ImportRecord;
use crate::state::AppState;
use fanzha_core::mask::mask_card;
use fanzha_core::time::shanghai_date;
use fanzha_store::{
    CardImport, CardState, Finding, ImportRunId, KeyPersonCategory, NewCardRow, NewKeyPerson,
    QuarantineRow, ReasonCode, Role, ScreenedCard, Verdict, Viewer,
};

/// The import-run kind of new-card lists.
pub const IMPORT_KIND: &str = "new_cards";

/// Reasons only the police may read: they disclose dossiers, punishments, leads and cases
/// (`fanzha_screen::ReasonCode::police_only`).
pub fn police_only(code: ReasonCode) -> bool {
    code.police_only()
}

/// The card's findings a reader may see: a bank never reads the police's.
pub fn visible_findings(card: &ScreenedCard, bank_view: bool) -> impl Iterator<Item = &Finding> {
    card.findings
        .iter()
        .filter(move |f| !(bank_view && police_only(f.code)))
}

/// Whether the principal reads the list of cards (leaders read the figures only): those who
/// review or upload.
pub fn reads_list(p: &Principal) -> bool {
    ReviewNewCards::allows(p) || ImportNewCards::allows(p)
}

/// Who reads: a liaison their bank, the police their (narrowed) subtree. Returns the viewer,
/// the unit read, and whether it is a bank's view.
pub async fn viewer_of(
    state: &AppState,
    p: &Principal,
    unit: Option<&str>,
) -> Result<(Viewer, String, bool), WebError> {
    if p.has_role(Role::BankLiaison) {
        let bank = p
            .bank_code
            .clone()
            .ok_or(WebError::Forbidden("bank_liaison_without_bank"))?;
        return Ok((Viewer::Bank(bank), p.unit_code.clone(), true));
    }
    let (unit_code, scope) = state.narrowed_scope(&p.unit_code, unit).await?;
    Ok((Viewer::Police(scope), unit_code, false))
}

/// A bank code as a sender names it (`ICBC`), upper-cased; `None` when blank.
pub fn bank_code(text: &str) -> Result<Option<String>, WebError> {
    let text = text.trim().to_ascii_uppercase();
    if text.is_empty() {
        return Ok(None);
    }
    if text.len() > 20 || !text.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(WebError::BadRequest(format!("unknown bank code `{text}`")));
    }
    Ok(Some(text))
}

/// The bank sending a list: a liaison's own, whatever they name; the center's choice (or
/// none: each card's BIN decides).
pub fn sender_of(p: &Principal, named: Option<String>) -> Result<Option<String>, WebError> {
    if p.has_role(Role::BankLiaison) {
        return p
            .bank_code
            .clone()
            .map(Some)
            .ok_or(WebError::Forbidden("bank_liaison_without_bank"));
    }
    Ok(named)
}

/// A list's label: the one given (trimmed, at most 100 characters), else the sending bank and
/// today's date.
pub fn batch_label(given: Option<&str>, sender: Option<&str>, now: i64) -> String {
    let given: String = given.unwrap_or("").trim().chars().take(100).collect();
    if !given.is_empty() {
        return given;
    }
    format!(
        "{} {}",
        sender.unwrap_or("-"),
        shanghai_date(now)
            .map(|d| d.to_string())
            .unwrap_or_else(|| now.to_string())
    )
}

/// A validated list to screen: `read` rows, the `cards` accepted (`lines`: the line of each),
/// the `rejected` ones, for the run of `file` with `content_hash`.
pub struct CardList<'a> {
    pub file: &'a str,
    pub content_hash: String,
    pub read: usize,
    pub cards: &'a [NewCardRow],
    pub lines: &'a [u64],
    pub rejected: &'a [QuarantineRow],
}

/// Screens a validated list into the store for the principal's unit and records the import
/// run, the rejected rows in its quarantine. Should screening fail, the run is finished all the
/// same, the cards quarantined as `not_applied`.
pub async fn record_list(
    state: &AppState,
    p: &Principal,
    list: CardList<'_>,
) -> Result<(ImportRunId, CardImport), WebError> {
    let CardList {
        file,
        content_hash,
        read,
        cards,
        lines,
        rejected,
    } = list;
    let now = state.clock.now_ms();
    let scope = state.scope_of(&p.unit_code).await?;
    let run = ImportRecord::begin_hashed(
        &state.store,
        IMPORT_KIND,
        file,
        content_hash,
        read,
        rejected.to_vec(),
    )
    .await?;
    // One batch: when it fails, none of its cards counts as applied (importing the list again
    // screens them; a card listed before is recognised).
    let done = match state
        .store
        .new_cards()
        .import(&scope, &p.unit_code, cards, &p.login, now)
        .await
    {
        Ok(done) => done,
        Err(e) => {
            let not_applied = lines
                .iter()
                .zip(cards)
                .map(|(line, c)| (*line, mask_card(&c.account_no)));
            return Err(run.fail(0, not_applied, e).await);
        }
    };
    let finished = run.finish(cards.len()).await?;
    Ok((finished.run, done))
}

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Records the review of card `id` of the principal's subtree (audited by the store) and, with
/// `list_key_person` and 涉嫌买卖两卡, lists the registered holder as a key person (两卡). A
/// card reviewed as 涉嫌买卖两卡 before, whose listing did not go through then, lists its holder
/// without a second review (listing is idempotent); otherwise a second review is a conflict.
pub async fn review_card(
    state: &AppState,
    p: &Principal,
    id: i64,
    verdict: Verdict,
    note: &str,
    list_key_person: bool,
) -> Result<ScreenedCard, WebError> {
    let scope = state.scope_of(&p.unit_code).await?;
    let repo = state.store.new_cards();
    let card = repo.get(&Viewer::Police(scope.clone()), id).await?;
    if list_key_person {
        if verdict != Verdict::CardSeller {
            return Err(WebError::BadRequest(
                "only a card seller is listed as a key person".into(),
            ));
        }
        if !ManageKeyPersons::allows(p) {
            return Err(WebError::Forbidden(ManageKeyPersons::NAME));
        }
        // Checked before anything is written: the holder must be a registered resident.
        if state
            .store
            .people()
            .get(&scope, &card.resident_id)
            .await
            .is_err()
        {
            return Err(WebError::BadRequest(
                "the holder is not a registered resident of your area: record the review \
                 without listing, and register the person first"
                    .into(),
            ));
        }
    }
    let now = state.clock.now_ms();
    // A card reviewed as 涉嫌买卖两卡 before, whose listing did not go through then, lists its
    // holder now instead of answering a conflict (listing is idempotent).
    let relisting = list_key_person
        && card.state == CardState::Reviewed
        && card.verdict == Some(Verdict::CardSeller);
    let reviewed = if relisting {
        card
    } else {
        repo.review(&scope, id, verdict, note, &p.login, now)
            .await?
    };
    if list_key_person {
        state
            .store
            .key_persons()
            .create(
                &scope,
                &NewKeyPerson {
                    resident_id: reviewed.resident_id.clone(),
                    category: KeyPersonCategory::TwoCards,
                    reason: format!(
                        "新开卡审查：{}（{} {}）",
                        verdict.zh(),
                        reviewed.bank_name,
                        mask_card(&reviewed.account_no)
                    ),
                    source: "card_screening".into(),
                    created_by: p.login.clone(),
                    at: now,
                },
            )
            .await?;
    }
    Ok(reviewed)
}
