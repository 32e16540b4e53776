//! What the analysis-group pages share: a group's figures as shown, its types and people in
//! words, and the set-up form read from its fields (the period: `days_period`).

use super::choices::Choice;
use super::statistics::rate_label;
use super::view::{pick, yuan};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::state::AppState;
use fanzha_core::FraudType;
use fanzha_store::{AnalysisGroup, GroupFigures, Scope};

/// A group's figures as the pages show them.
pub struct FiguresView {
    pub cases: i64,
    pub loss: String,
    pub solved: i64,
    pub solve_rate: String,
    pub open_investigations: i64,
    pub recovered: String,
    pub caught: i64,
    pub stopped: i64,
    pub stopped_amount: String,
    pub frozen_amount: String,
    pub returned_amount: String,
    pub warnings: i64,
    pub approved: i64,
    pub rejected: i64,
    pub pending: i64,
}

pub fn figures_view(f: &GroupFigures) -> FiguresView {
    FiguresView {
        cases: f.cases,
        loss: yuan(f.loss_fen),
        solved: f.solved,
        solve_rate: rate_label(f.solve_rate()),
        open_investigations: f.open_investigations(),
        recovered: yuan(f.recovered_fen),
        caught: f.people_caught,
        stopped: f.funds.stopped,
        stopped_amount: yuan(f.funds.stopped_fen),
        frozen_amount: yuan(f.funds.frozen_fen),
        returned_amount: yuan(f.funds.returned_fen),
        warnings: f.warnings,
        approved: f.review_approved,
        rejected: f.review_rejected,
        pending: f.pending_review,
    }
}

/// The types in words, joined.
pub fn types_label(lang: Lang, types: &[FraudType]) -> String {
    types
        .iter()
        .map(|t| pick(lang, t.zh(), t.en()))
        .collect::<Vec<_>>()
        .join(pick(lang, "、", ", "))
}

/// The fraud types a group may cover (every fraud type; 正常 is none), `selected` checked.
pub fn type_choices(lang: Lang, selected: &[FraudType]) -> Vec<Choice> {
    FraudType::FRAUD
        .iter()
        .map(|t| Choice {
            value: t.code().to_string(),
            label: pick(lang, t.zh(), t.en()).to_string(),
            selected: selected.contains(t),
        })
        .collect()
}

/// A user by account name and login (`张三（zhang.san）`), or the login alone when unknown.
pub async fn person_label(state: &AppState, login: &str) -> String {
    match state.store.users().get(&Scope::platform(), login).await {
        Ok(u) if !u.display_name.trim().is_empty() => {
            format!("{}（{}）", u.display_name.trim(), login)
        }
        _ => login.to_string(),
    }
}

/// A group as listed: its people in words.
pub struct GroupPeople {
    pub lead: String,
    /// The members other than the lead.
    pub members: String,
}

pub async fn people_of(state: &AppState, lang: Lang, g: &AnalysisGroup) -> GroupPeople {
    let mut members = Vec::new();
    for m in g.members.iter().filter(|m| **m != g.lead) {
        members.push(person_label(state, m).await);
    }
    GroupPeople {
        lead: person_label(state, &g.lead).await,
        members: members.join(pick(lang, "、", ", ")),
    }
}

/// The set-up form as submitted.
pub struct GroupForm {
    pub unit_code: String,
    pub name: String,
    pub types: Vec<FraudType>,
    pub lead: String,
    pub members: Vec<String>,
    pub version: i64,
}

/// Reads the form: `unit_code`, `name`, one `types` per type checked, `lead` (empty: the one
/// submitting), `members` (logins separated by commas, 、 or spaces) and `version` (changes).
pub fn read_form(pairs: &[(String, String)], submitter: &str) -> Result<GroupForm, WebError> {
    let field = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let types = pairs
        .iter()
        .filter(|(k, v)| k == "types" && !v.trim().is_empty())
        .map(|(_, v)| {
            FraudType::parse_label(v.trim())
                .map_err(|_| WebError::BadRequest(format!("unknown fraud type `{}`", v.trim())))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let lead = match field("lead") {
        l if l.is_empty() => submitter.to_string(),
        l => l,
    };
    let members = field("members")
        .split([',', '，', '、', ';', '；', ' ', '\n', '\r', '\t'])
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_string)
        .collect();
    let version = match field("version") {
        v if v.is_empty() => 0,
        v => v
            .parse()
            .map_err(|_| WebError::BadRequest("version must be a whole number".into()))?,
    };
    Ok(GroupForm {
        unit_code: field("unit_code"),
        name: field("name"),
        types,
        lead,
        members,
        version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_form_reads_every_type_and_member_and_defaults_the_lead() {
        let f = read_form(
            &pairs(&[
                ("name", " 刷单返利研判组 "),
                ("types", "order_brushing"),
                ("types", "刷单返利"),
                ("types", "game_trading"),
                ("members", "a1, a2、a3\nb1"),
                ("lead", ""),
                ("version", "3"),
            ]),
            "me",
        )
        .unwrap();
        assert_eq!(f.name, "刷单返利研判组");
        assert_eq!(
            f.types,
            vec![
                FraudType::OrderBrushing,
                FraudType::OrderBrushing,
                FraudType::GameTrading
            ]
        );
        assert_eq!(f.members, vec!["a1", "a2", "a3", "b1"]);
        assert_eq!((f.lead.as_str(), f.version), ("me", 3));
        assert!(read_form(&pairs(&[("types", "nonsense")]), "me").is_err());
    }
}
