//! 新开卡审查 as the pages (`pages::new_cards`) and the JSON API (`api::new_cards`) share it:
//! who reads which cards (a bank liaison their bank's bank cards, an operator liaison their
//! operator's phone cards, the police both kinds of their subtree), the reasons an issuer never
//! reads, the sending bank or operator of a list, recording a screened list with its import run
//! and quarantine, and the review.

use crate::auth::permission::{ImportNewCards, ManageKeyPersons, Permission, ReviewNewCards};
use crate::auth::principal::Principal;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::import_run::ImportRecord;
use crate::state::AppState;
use fanzha_core::mask::{mask_card, mask_phone};
use fanzha_core::time::shanghai_date;
use fanzha_ingest::new_cards::CardRow;
use fanzha_store::{
    CardImport, CardKind, CardState, Finding, ImportRunId, KeyPersonCategory, NewCardRow,
    NewKeyPerson, Operator, QuarantineRow, ReasonCode, Role, ScreenedCard, Verdict, Viewer,
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

/// The kinds of card a principal reads: a bank liaison bank cards, an operator liaison phone
/// cards, the police both (bank cards first).
pub fn kinds_of(p: &Principal) -> &'static [CardKind] {
    if p.has_role(Role::BankLiaison) {
        &[CardKind::BankCard]
    } else if p.has_role(Role::OperatorLiaison) {
        &[CardKind::SimCard]
    } else {
        &CardKind::ALL
    }
}

/// The kind of card a page or request is about: the one named (`bank_card`, `sim_card`) when
/// the principal reads it, else the principal's first. Naming a kind one does not read is
/// forbidden, an unknown one a bad request.
pub fn kind_of(p: &Principal, named: Option<&str>) -> Result<CardKind, WebError> {
    let kinds = kinds_of(p);
    match named.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(kinds[0]),
        Some(k) => {
            let kind = CardKind::parse(k)
                .ok_or_else(|| WebError::BadRequest(format!("unknown card kind `{k}`")))?;
            if kinds.contains(&kind) {
                Ok(kind)
            } else {
                Err(WebError::Forbidden("card_kind_of_another_issuer"))
            }
        }
    }
}

/// Whether the principal reads as an issuer (a bank's or an operator's liaison): masked, with
/// the issuer's level and reasons only.
pub fn issuer_view(p: &Principal) -> bool {
    p.has_role(Role::BankLiaison) || p.has_role(Role::OperatorLiaison)
}

/// A text of the new-card pages for `kind`: phone cards read the `_sim` variant of the key
/// where there is one (运营商 for 开户银行, 号码 for 卡号 …).
pub fn kind_t(lang: Lang, kind: CardKind, key: &str) -> &'static str {
    lang.t(&kind_key(kind, key))
}

/// [`kind_t`] as the templates call it.
pub fn kt(lang: &Lang, kind: &CardKind, key: &str) -> &'static str {
    kind_t(*lang, *kind, key)
}

/// The text key of [`kind_t`]: `key`, or its `_sim` variant for phone cards where there is one.
pub fn kind_key(kind: CardKind, key: &str) -> String {
    if kind == CardKind::SimCard {
        let sim = format!("{key}_sim");
        if Lang::Zh.lookup(&sim).is_some() {
            return sim;
        }
    }
    key.to_string()
}

/// A card's number masked for lists and logs: a bank card as a card, a phone card as a phone.
pub fn mask_number(kind: CardKind, number: &str) -> String {
    match kind {
        CardKind::BankCard => mask_card(number),
        CardKind::SimCard => mask_phone(number),
    }
}

/// The operator's code of an operator liaison.
fn liaison_operator(p: &Principal) -> Result<Operator, WebError> {
    p.operator
        .ok_or(WebError::Forbidden("operator_liaison_without_operator"))
}

/// Who reads: a liaison their bank's (or operator's) cards, the police their (narrowed)
/// subtree. Returns the viewer, the unit read, and whether it is an issuer's view.
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
    if p.has_role(Role::OperatorLiaison) {
        // A phone card's issuer code is its operator's (`NewCardRow::bank_code`).
        let op = liaison_operator(p)?;
        return Ok((
            Viewer::Bank(op.as_str().to_string()),
            p.unit_code.clone(),
            true,
        ));
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

/// An operator as a sender names it (`china_mobile`, or `中国移动`); `None` when blank.
pub fn operator_code(text: &str) -> Result<Option<String>, WebError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    Operator::ALL
        .iter()
        .find(|o| o.as_str().eq_ignore_ascii_case(text) || o.zh() == text)
        .map(|o| Some(o.as_str().to_string()))
        .ok_or_else(|| {
            WebError::BadRequest(format!(
                "unknown operator `{text}`: china_mobile, china_unicom, china_telecom or \
                 china_broadnet"
            ))
        })
}

/// The issuer's code as a sender names it for a list of `kind`.
pub fn sender_code(kind: CardKind, text: &str) -> Result<Option<String>, WebError> {
    match kind {
        CardKind::BankCard => bank_code(text),
        CardKind::SimCard => operator_code(text),
    }
}

/// The issuer sending a list: a liaison's own bank or operator, whatever they name; the
/// center's choice (or none: each card's BIN or number segment decides).
pub fn sender_of(p: &Principal, named: Option<String>) -> Result<Option<String>, WebError> {
    if p.has_role(Role::BankLiaison) {
        return p
            .bank_code
            .clone()
            .map(Some)
            .ok_or(WebError::Forbidden("bank_liaison_without_bank"));
    }
    if p.has_role(Role::OperatorLiaison) {
        return Ok(Some(liaison_operator(p)?.as_str().to_string()));
    }
    Ok(named)
}

/// A validated row of a list as the store takes it, labelled with its list's `batch`.
pub fn card_of_row(r: &CardRow, batch: &str) -> NewCardRow {
    NewCardRow {
        kind: r.kind,
        account_no: r.account_no.clone(),
        bank_code: r.bank_code.clone(),
        bank_name: r.bank_name.clone(),
        resident_id: r.resident_id.clone(),
        holder_name: r.name.clone(),
        phone: r.phone.clone(),
        opened_at: r.opened_at,
        outlet: r.outlet.clone(),
        outlet_division: r.outlet_division.clone(),
        batch: batch.to_string(),
        clerk: r.clerk.clone(),
    }
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
                .map(|(line, c)| (*line, mask_number(c.kind, &c.account_no)));
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
                        mask_number(reviewed.kind, &reviewed.account_no)
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
