//! Key persons and cases, both ways: the dossier lists the cases its person is involved in
//! (涉案情况 — as a suspect, as the holder of an account paid into, as the victim), marking those
//! reported after the listing (再次涉案); a case's suspects and the holders of mule accounts
//! carry a 重点人员 badge when they have a dossier in the reader's area.

use super::view::{fraud_type_label, pick, time, yuan};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::state::AppState;
use fanzha_core::mask::mask_card;
use fanzha_store::{Involvement, KeyPerson, KeyPersonStatus, PersonCase, Scope};
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
    let cases = state.store.key_persons().cases(scope, k.id).await?;
    let openable: HashSet<String> = if may_open_cases {
        let ids: Vec<String> = cases.iter().map(|c| c.case_id.clone()).collect();
        state.store.cases().in_scope(scope, &ids).await?
    } else {
        HashSet::new()
    };
    let mut units: HashMap<String, String> = HashMap::new();
    let mut lines = Vec::with_capacity(cases.len());
    for c in cases {
        let unit = match units.get(&c.unit_code) {
            Some(name) => name.clone(),
            None => {
                let name = state.unit_name(&c.unit_code).await;
                units.insert(c.unit_code.clone(), name.clone());
                name
            }
        };
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
