//! Key persons and cases, both ways: the dossier lists the cases its person is involved in
//! (涉案情况 — as a suspect, as the holder of an account paid into, as the victim), marking those
//! reported after the listing (再次涉案); a case's suspects and the holders of mule accounts
//! carry a 重点人员 badge when they have a dossier in the reader's area.

use super::view::{fraud_type_label, pick, time, yuan};
use crate::auth::permission::ManageKeyPersons;
use crate::auth::Require;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use fanzha_core::mask::{mask_card, mask_resident_id};
use fanzha_store::{
    Involvement, KeyPerson, KeyPersonCategory, KeyPersonStatus, NewKeyPerson, PersonCase, Scope,
    StoreError, SuspectRole,
};
use std::collections::{HashMap, HashSet};

/// One case of the dossier's person, as the dossier shows it.
pub struct CaseLine {
    pub case_id: String,
    /// Whether the reader may open the case (inside their area, with `view_cases`).
    pub openable: bool,
    pub reported: String,
    pub unit: String,
    pub fraud_type: String,
    pub loss: String,
    /// `suspect`, `account_holder`, `victim`.
    pub involvement_code: &'static str,
    /// How the person takes part, in words (role and measure, or the account and amounts).
    pub involvement: String,
    /// Reported after the (re)listing, on the fraud's side: 再次涉案.
    pub after_listing: bool,
}

/// The dossier's 涉案情况: its person's cases, and whether any counts as 再次涉案 (on the
/// fraud's side, reported after the listing, the dossier in control).
pub async fn case_lines(
    state: &AppState,
    scope: &Scope,
    lang: Lang,
    k: &KeyPerson,
    may_open_cases: bool,
) -> Result<(Vec<CaseLine>, bool), WebError> {
    let cases = state.store.key_persons().cases(k).await?;
    let openable: HashSet<String> = if may_open_cases {
        let ids: Vec<String> = cases.iter().map(|c| c.case_id.clone()).collect();
        state.store.cases().in_scope(scope, &ids).await?
    } else {
        HashSet::new()
    };
    let mut units = state.unit_names();
    let mut lines = Vec::with_capacity(cases.len());
    for c in cases {
        let unit = units.get(&c.unit_code).await;
        lines.push(line(lang, k, c, unit, &openable));
    }
    let involved_again =
        k.status == KeyPersonStatus::Active && lines.iter().any(|l| l.after_listing);
    Ok((lines, involved_again))
}

fn line(
    lang: Lang,
    k: &KeyPerson,
    c: PersonCase,
    unit: String,
    openable: &HashSet<String>,
) -> CaseLine {
    let (code, words) = match &c.involvement {
        Involvement::Suspect { role, measure } => {
            let mut words = format!(
                "{} · {}",
                lang.t("kpc_as_suspect"),
                pick(lang, role.zh(), role.en())
            );
            if let Some(m) = measure {
                words.push_str(" · ");
                words.push_str(pick(lang, m.zh(), m.en()));
            }
            ("suspect", words)
        }
        Involvement::AccountHolder {
            account_no,
            received_fen,
            requested_fen,
            held_fen,
        } => {
            let mut words = format!(
                "{} {} · {} {}",
                lang.t("kpc_as_holder"),
                mask_card(account_no),
                lang.t("mule_received"),
                yuan(*received_fen)
            );
            if *requested_fen > 0 {
                words.push_str(&format!(
                    " · {} {} · {} {}",
                    lang.t("requested"),
                    yuan(*requested_fen),
                    lang.t("held"),
                    yuan(*held_fen)
                ));
            }
            ("account_holder", words)
        }
        Involvement::Victim => ("victim", lang.t("kpc_as_victim").to_string()),
    };
    CaseLine {
        openable: openable.contains(&c.case_id),
        after_listing: c.involvement.on_fraud_side() && c.reported_at > k.listed_at,
        reported: time(c.reported_at),
        unit,
        fraud_type: fraud_type_label(lang, c.fraud_type.as_deref()),
        loss: yuan(c.loss_fen),
        involvement_code: code,
        involvement: words,
        case_id: c.case_id,
    }
}

/// A person's dossier as another register shows it beside them.
#[derive(Clone, Debug)]
pub struct DossierBadge {
    pub id: i64,
    /// "重点人员 · 出租出借出售两卡人员" (and · 已移出 for a closed dossier).
    pub label: String,
}

/// The dossiers inside `scope` of any of `resident_ids`, one per resident (one in control
/// before a closed one, then the newest).
pub async fn dossier_badges(
    state: &AppState,
    scope: &Scope,
    lang: Lang,
    resident_ids: &[&str],
) -> Result<HashMap<String, DossierBadge>, WebError> {
    let mut badges = HashMap::new();
    for listed in state
        .store
        .key_persons()
        .listed_among(scope, resident_ids)
        .await?
    {
        badges.entry(listed.resident_id).or_insert_with(|| {
            let mut label = format!(
                "{} · {}",
                lang.t("kpc_badge"),
                pick(lang, listed.category.zh(), listed.category.en())
            );
            if listed.status != KeyPersonStatus::Active {
                label.push_str(" · ");
                label.push_str(lang.t("kp_closed"));
            }
            DossierBadge {
                id: listed.key_person_id,
                label,
            }
        });
    }
    Ok(badges)
}

/// The category a suspect is listed in, by their role in the case.
fn category_of(role: SuspectRole) -> KeyPersonCategory {
    match role {
        SuspectRole::CardSeller => KeyPersonCategory::TwoCards,
        SuspectRole::LeadGenerator => KeyPersonCategory::Recruiter,
        _ => KeyPersonCategory::FraudRecord,
    }
}

/// `POST /suspects/{id}/key-person`: lists a suspect of a case of one's area as a key person
/// (列管) — a card seller as 两卡人员, a lead generator as 引流推广/跑分人员, anyone else as 涉诈前科人员 —
/// with the case and role as the reason; answers with the dossier (the one already open when
/// the person is listed in that category). The ID number is the suspect's own, never sent by
/// the page; a suspect entered without one, or living outside one's area, cannot be listed.
pub async fn list_suspect(
    auth: Require<ManageKeyPersons>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let suspect = state.store.enforcement().suspect(&scope, id).await?;
    let Some(resident_id) = suspect.resident_id.clone() else {
        return Err(WebError::BadRequest(
            "the suspect was entered without an ID number, which a dossier needs; list the \
             person from the key-person page by their ID number"
                .into(),
        ));
    };
    let created = state
        .store
        .key_persons()
        .create(
            &scope,
            &NewKeyPerson {
                reason: format!("案件{}嫌疑人（{}）", suspect.case_id, suspect.role.zh()),
                category: category_of(suspect.role),
                resident_id,
                source: "case".into(),
                created_by: auth.principal.login.clone(),
                at: state.clock.now_ms(),
            },
        )
        .await;
    match created {
        Ok((kp, true)) => Ok(super::key_persons::to_dossier(
            &headers,
            kp,
            StatusCode::CREATED,
        )),
        Ok((kp, false)) => Ok(super::key_persons::to_dossier(&headers, kp, StatusCode::OK)),
        Err(StoreError::NotFound { .. }) => Err(StoreError::NotFound {
            what: "resident of your area with ID number",
            key: suspect
                .resident_id
                .as_deref()
                .map(mask_resident_id)
                .unwrap_or_default(),
        }
        .into()),
        Err(e) => Err(e.into()),
    }
}
